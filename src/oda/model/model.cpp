#include <oda/model/model.h>

#include <limits>

namespace oda::model {

bool MakeModel(const Architecture& arch, const Weights& weights, Model& out, std::string& error)
{
    ArchitectureInfo info;
    if (!AnalyzeArchitecture(arch, info, error)) return false;
    if (!CheckWeights(arch, info, weights, error)) return false;
    out.architecture = arch;
    out.info = std::move(info);
    out.weights = weights;
    return true;
}

uint32_t Argmax(const int32_t* values, size_t n)
{
    uint32_t best = 0;
    for (size_t i = 1; i < n; ++i) {
        if (values[i] > values[best]) best = static_cast<uint32_t>(i);
    }
    return best;
}

static uint64_t SaturatingAdd(uint64_t a, uint64_t b)
{
    constexpr uint64_t cap = std::numeric_limits<int64_t>::max();
    return (a >= cap || b >= cap - a) ? cap : a + b;
}

void ScoreAccumulator::Add(const int32_t* values, size_t n, const Dataset& dataset, uint64_t index)
{
    if (m_objective == ObjectiveKind::ACCURACY) {
        if (Argmax(values, n) == dataset.labels[index]) ++m_sum;
        return;
    }
    const int32_t* target = dataset.targets.data() + index * n;
    for (size_t i = 0; i < n; ++i) {
        const int64_t diff = int64_t{values[i]} - target[i];            // |diff| < 2^32
        const uint64_t sq = static_cast<uint64_t>(diff < 0 ? -diff : diff);
        m_sum = SaturatingAdd(m_sum, sq * sq);                          // < 2^64
    }
}

void ScoreAccumulator::Merge(const ScoreAccumulator& other)
{
    m_sum = m_objective == ObjectiveKind::ACCURACY ? m_sum + other.m_sum : SaturatingAdd(m_sum, other.m_sum);
}

int64_t ScoreAccumulator::Score() const
{
    return m_objective == ObjectiveKind::ACCURACY ? static_cast<int64_t>(m_sum) : -static_cast<int64_t>(m_sum);
}

} // namespace oda::model
