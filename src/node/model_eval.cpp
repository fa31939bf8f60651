#include <node/model_eval.h>

#include <oda/engine/engine.h>
#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <oda/storage/file_store.h>

#include <exception>

namespace node {

std::optional<int64_t> ScoreFileBytes(const std::vector<uint8_t>& architecture, const std::vector<uint8_t>& weights,
                                      const std::vector<uint8_t>& dataset, std::string& error)
{
    oda::model::Architecture arch;
    if (!oda::model::DecodeArchitecture(architecture, arch, error)) {
        error = "architecture: " + error;
        return std::nullopt;
    }
    oda::model::Weights w;
    if (!oda::model::DecodeWeights(weights, w, error)) {
        error = "weights: " + error;
        return std::nullopt;
    }
    oda::model::Model model;
    if (!oda::model::MakeModel(arch, w, model, error)) {
        error = "weights do not fit the architecture: " + error;
        return std::nullopt;
    }
    oda::model::Dataset data;
    if (!oda::model::DecodeDataset(dataset, data, error)) {
        error = "dataset: " + error;
        return std::nullopt;
    }
    if (!oda::model::CheckDataset(model.architecture, model.info, data, error)) {
        error = "dataset does not fit the architecture: " + error;
        return std::nullopt;
    }
    try {
        return oda::engine::EngineScore(model, data);
    } catch (const std::exception& e) {
        error = std::string("scoring failed: ") + e.what();
        return std::nullopt;
    }
}

std::optional<int64_t> ScoreFromStore(const oda::storage::FileStore& store, const std::vector<uint8_t>& architecture,
                                      const oda::chain::Commitment& weights, const oda::chain::Commitment& dataset,
                                      std::string& error, EvalFailure& failure)
{
    failure = EvalFailure::CONTENT;
    for (const auto& [c, what] : {std::pair{weights, "weights"}, std::pair{dataset, "dataset"}}) {
        if (!store.Has(c)) {
            failure = EvalFailure::MISSING;
            error = std::string("the node's model file store lacks the ") + what + " file (pieces root " +
                    c.pieces_root.ToHexBytes() + ", " + std::to_string(c.file_size) +
                    " bytes): import it with importmodelfile";
            return std::nullopt;
        }
    }
    std::vector<uint8_t> weight_bytes, dataset_bytes;
    if (!store.ReadVerified(weights, weight_bytes, error)) {
        error = "weights: " + error;
        return std::nullopt;
    }
    if (!store.ReadVerified(dataset, dataset_bytes, error)) {
        error = "dataset: " + error;
        return std::nullopt;
    }
    const auto score = ScoreFileBytes(architecture, weight_bytes, dataset_bytes, error);
    if (score) failure = EvalFailure::NONE;
    return score;
}

} // namespace node
