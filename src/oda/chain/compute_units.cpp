#include <oda/chain/compute_units.h>

#include <oda/model/architecture.h>

#include <limits>

namespace oda::chain {

namespace {
std::optional<model::ArchitectureInfo> AnalyzeEncoded(const std::vector<uint8_t>& encoded_architecture, std::string& error)
{
    model::Architecture arch;
    if (!model::DecodeArchitecture(encoded_architecture, arch, error)) return std::nullopt;
    model::ArchitectureInfo info;
    if (!model::AnalyzeArchitecture(arch, info, error)) return std::nullopt;
    return info;
}

int64_t ToSigned(uint64_t cu)
{
    constexpr uint64_t max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    return cu > max ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(cu);
}
} // namespace

std::optional<uint64_t> InferenceCost(const std::vector<uint8_t>& encoded_architecture, std::string& error)
{
    const std::optional<model::ArchitectureInfo> info = AnalyzeEncoded(encoded_architecture, error);
    if (!info) return std::nullopt;
    return model::ScoringCost(*info, 1);
}

int64_t RunComputeUnits(const model::ArchitectureInfo& info, uint64_t samples)
{
    return ToSigned(model::ScoringCost(info, samples));
}

std::optional<int64_t> RunComputeUnits(const std::vector<uint8_t>& encoded_architecture, uint64_t samples,
                                       std::string& error)
{
    const std::optional<model::ArchitectureInfo> info = AnalyzeEncoded(encoded_architecture, error);
    if (!info) return std::nullopt;
    return RunComputeUnits(*info, samples);
}

int64_t SaturatingComputeProduct(uint64_t a, uint64_t b)
{
    constexpr uint64_t max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
    return product > max ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(product);
}

std::optional<int64_t> PayloadComputeUnits(const Payload& payload, const RegistryView& registry, std::string& error)
{
    if (const auto* add = std::get_if<AddModel>(&payload)) {
        model::ArchitectureInfo info;
        if (!model::AnalyzeArchitecture(add->architecture, info, error)) return std::nullopt;
        return ToSigned(model::ScoringCost(info, add->dataset_samples));
    }
    const uint256* model_id = nullptr;
    if (const auto* infer = std::get_if<Infer>(&payload)) model_id = &infer->model_id;
    if (const auto* update = std::get_if<UpdateWeights>(&payload)) model_id = &update->model_id;
    if (!model_id) return 0;
    const std::optional<ModelRecord> record = registry.GetModel(*model_id);
    if (!record) {
        error = "model " + model_id->GetHex() + " does not exist";
        return std::nullopt;
    }
    const std::optional<model::ArchitectureInfo> info = AnalyzeEncoded(record->architecture, error);
    if (!info) return std::nullopt;
    if (std::holds_alternative<Infer>(payload)) return ToSigned(model::ScoringCost(*info, 1));
    return ToSigned(model::ScoringCost(*info, record->dataset_samples));
}

std::optional<int64_t> TransactionComputeUnits(const std::vector<Payload>& payloads, const RegistryView& registry,
                                               std::string& error)
{
    int64_t total = 0;
    for (const Payload& p : payloads) {
        const std::optional<int64_t> cu = PayloadComputeUnits(p, registry, error);
        if (!cu) return std::nullopt;
        total = *cu > std::numeric_limits<int64_t>::max() - total ? std::numeric_limits<int64_t>::max() : total + *cu;
    }
    return total;
}

} // namespace oda::chain
