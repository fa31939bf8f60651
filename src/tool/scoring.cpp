#include <tool/scoring.h>

#include <oda/engine/engine.h>
#include <oda/engine/reference.h>

#include <cstdint>
#include <cstdio>
#include <optional>

using namespace oda;

namespace odamodel {

double SecondsSince(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void ReportScore(const char* what, const model::Architecture& arch, const model::Model& m, const model::Dataset& d,
                 bool reference)
{
    std::optional<engine::CompiledModel> compiled; // packs the weights once, before the clock starts
    if (!reference) compiled.emplace(m);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t score = reference ? engine::ReferenceScore(m, d) : compiled->Score(d);
    const double seconds = SecondsSince(t0);
    const uint64_t samples = d.sample_count;
    if (arch.objective == model::ObjectiveKind::ACCURACY) {
        std::printf("%s: score %lld, accuracy %.2f%% (%lld/%llu), %.3f s\n", what, static_cast<long long>(score),
                    100.0 * double(score) / double(samples), static_cast<long long>(score),
                    static_cast<unsigned long long>(samples), seconds);
    } else {
        std::printf("%s: score %lld (neg_sse over %llu samples), %.3f s\n", what, static_cast<long long>(score),
                    static_cast<unsigned long long>(samples), seconds);
    }
}

} // namespace odamodel
