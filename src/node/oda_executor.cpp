#include <node/oda_executor.h>

#include <crypto/hash.h>
#include <oda/engine/engine.h>
#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <oda/storage/file_store.h>
#include <util/logging.h>

#include <map>
#include <stdexcept>

namespace node {

using oda::chain::Commitment;
using oda::chain::ExecOutcome;
using oda::chain::ExecReport;

namespace {

ExecOutcome Invalid(ExecReport& report, std::string debug)
{
    report.debug = std::move(debug);
    return ExecOutcome::INVALID;
}

bool DecodeRecordArchitecture(const std::vector<uint8_t>& bytes, oda::model::Architecture& arch,
                              oda::model::ArchitectureInfo& info, std::string& error)
{
    if (!oda::model::DecodeArchitecture(bytes, arch, error)) return false;
    return oda::model::AnalyzeArchitecture(arch, info, error);
}

} // namespace

EngineExecutor::EngineExecutor(std::shared_ptr<oda::storage::FileStore> store) : m_store(std::move(store)) {}

ExecOutcome EngineExecutor::ReadFile(const Commitment& file, std::vector<uint8_t>& bytes, ExecReport& report)
{
    std::string error;
    if (m_store->ReadVerified(file, bytes, error)) return ExecOutcome::VALID;
    if (m_store->Has(file)) {
        // Held but not matching its commitment any more: damage on this disk, not the block's
        // fault. Drop it (VerifyFull deletes a bad file) so it can be imported or fetched again.
        LogPrintf("ODA executor: held file %s failed verification (%s); dropping it\n",
                  file.pieces_root.ToHexBytes().c_str(), error.c_str());
        std::string ignored;
        (void)m_store->VerifyFull(file, ignored);
    }
    report.missing.push_back(file);
    return ExecOutcome::MISSING_DATA;
}

ExecOutcome EngineExecutor::LoadModel(const uint256& arch_key, const oda::model::Architecture& arch,
                                      const Commitment& weights, std::shared_ptr<const oda::engine::CompiledModel>& out,
                                      ExecReport& report)
{
    const ModelKey key{arch_key, weights.pieces_root};
    out = m_cache.GetModel(key);
    if (out) return ExecOutcome::VALID;
    std::vector<uint8_t> bytes;
    if (ExecOutcome read = ReadFile(weights, bytes, report); read != ExecOutcome::VALID) return read;
    oda::model::Weights parsed;
    std::string error;
    if (!oda::model::DecodeWeights(bytes, parsed, error)) return Invalid(report, "weights file: " + error);
    oda::model::Model model;
    if (!oda::model::MakeModel(arch, parsed, model, error)) {
        return Invalid(report, "weights do not fit the architecture: " + error);
    }
    auto compiled = std::make_shared<const oda::engine::CompiledModel>(model);
    m_cache.PutModel(key, compiled, weights.file_size);
    out = std::move(compiled);
    return ExecOutcome::VALID;
}

ExecOutcome EngineExecutor::LoadDataset(const Commitment& dataset, std::shared_ptr<const oda::model::Dataset>& out,
                                        ExecReport& report)
{
    out = m_cache.GetDataset(dataset.pieces_root);
    if (out) return ExecOutcome::VALID;
    std::vector<uint8_t> bytes;
    if (ExecOutcome read = ReadFile(dataset, bytes, report); read != ExecOutcome::VALID) return read;
    auto parsed = std::make_shared<oda::model::Dataset>();
    std::string error;
    if (!oda::model::DecodeDataset(bytes, *parsed, error)) return Invalid(report, "dataset file: " + error);
    std::shared_ptr<const oda::model::Dataset> shared = std::move(parsed);
    m_cache.PutDataset(dataset.pieces_root, shared);
    out = std::move(shared);
    return ExecOutcome::VALID;
}

ExecOutcome EngineExecutor::Score(const oda::chain::ModelRecord& record, const Commitment& weights, int64_t& score,
                                  ExecReport& report)
{
    oda::model::Architecture arch;
    oda::model::ArchitectureInfo info;
    std::string error;
    if (!DecodeRecordArchitecture(record.architecture, arch, info, error)) return Invalid(report, "architecture: " + error);
    const uint256 arch_key = Sha256(record.architecture);
    const ScoreKey key{arch_key, weights.pieces_root, record.dataset.pieces_root};
    if (std::optional<int64_t> cached = m_cache.GetScore(key)) {
        score = *cached;
        return ExecOutcome::VALID;
    }
    // Every file lacked is reported at once, so a waiting block asks for all of them.
    const bool have_weights = m_store->Has(weights);
    const bool have_dataset = m_store->Has(record.dataset);
    if (!have_weights || !have_dataset) {
        if (!have_weights) report.missing.push_back(weights);
        if (!have_dataset) report.missing.push_back(record.dataset);
        return ExecOutcome::MISSING_DATA;
    }
    std::shared_ptr<const oda::engine::CompiledModel> model;
    if (ExecOutcome loaded = LoadModel(arch_key, arch, weights, model, report); loaded != ExecOutcome::VALID) return loaded;
    std::shared_ptr<const oda::model::Dataset> dataset;
    if (ExecOutcome loaded = LoadDataset(record.dataset, dataset, report); loaded != ExecOutcome::VALID) return loaded;
    if (dataset->sample_count != record.dataset_samples) {
        return Invalid(report, "dataset has " + std::to_string(dataset->sample_count) + " samples, the model declares " +
                                   std::to_string(record.dataset_samples));
    }
    if (!oda::model::CheckDataset(arch, info, *dataset, error)) return Invalid(report, "dataset does not fit the model: " + error);
    try {
        score = model->Score(*dataset);
    } catch (const std::invalid_argument& e) {
        return Invalid(report, std::string("dataset does not fit the model: ") + e.what());
    }
    m_cache.PutScore(key, score);
    return ExecOutcome::VALID;
}

ExecOutcome EngineExecutor::ScoreWeights(const uint256& model_id, const oda::chain::ModelRecord& record,
                                         const Commitment& weights, int64_t claimed_score, ExecReport& report)
{
    int64_t score = 0;
    const ExecOutcome outcome = Score(record, weights, score, report);
    if (outcome != ExecOutcome::VALID) return outcome;
    if (score != claimed_score) {
        return Invalid(report, "claimed " + std::to_string(claimed_score) + ", scored " + std::to_string(score));
    }
    return ExecOutcome::VALID;
}

ExecOutcome EngineExecutor::RunInference(const uint256& model_id, const oda::chain::ModelRecord& record,
                                         const oda::chain::ModelVersion& version, const oda::chain::Infer& infer,
                                         oda::chain::OutputTensor& output, ExecReport& report)
{
    oda::model::Architecture arch;
    oda::model::ArchitectureInfo info;
    std::string error;
    if (!DecodeRecordArchitecture(record.architecture, arch, info, error)) return Invalid(report, "architecture: " + error);
    const uint64_t want = oda::model::ShapeElements(info.input_shape);
    if (infer.input.size() != want) {
        return Invalid(report, "input has " + std::to_string(infer.input.size()) + " values, the model takes " +
                                   std::to_string(want) + " (" + oda::model::ShapeToString(info.input_shape) + ")");
    }
    const uint256 arch_key = Sha256(record.architecture);
    const uint256 input_hash = Sha256(reinterpret_cast<const uint8_t*>(infer.input.data()), infer.input.size());
    const OutputKey key{arch_key, version.weights.pieces_root, input_hash};
    if (std::optional<oda::chain::OutputTensor> cached = m_cache.GetOutput(key)) {
        output = std::move(*cached);
        return ExecOutcome::VALID;
    }
    std::shared_ptr<const oda::engine::CompiledModel> model;
    if (ExecOutcome loaded = LoadModel(arch_key, arch, version.weights, model, report); loaded != ExecOutcome::VALID) {
        return loaded;
    }
    oda::model::ModelOutput result = model->RunOne(infer.input.data());
    output.type = result.logits ? oda::chain::TensorType::INT32 : oda::chain::TensorType::INT8;
    output.values = std::move(result.values);
    m_cache.PutOutput(key, output);
    return ExecOutcome::VALID;
}

void EngineExecutor::PrefetchInferences(const std::vector<PendingInference>& pending)
{
    // Group by (architecture bytes hash, weights root), in first-seen order; keep each input
    // once and only if its output is not cached yet.
    struct Group {
        const PendingInference* first;
        std::vector<const oda::chain::Infer*> infers;
        std::vector<uint256> input_hashes;
    };
    std::map<ModelKey, Group> groups;
    for (const PendingInference& p : pending) {
        const uint256 arch_key = Sha256(p.model->architecture);
        const uint256 input_hash = Sha256(reinterpret_cast<const uint8_t*>(p.infer->input.data()), p.infer->input.size());
        if (m_cache.HasOutput(OutputKey{arch_key, p.version->weights.pieces_root, input_hash})) continue;
        Group& g = groups.try_emplace(ModelKey{arch_key, p.version->weights.pieces_root}, Group{&p, {}, {}}).first->second;
        bool dup = false;
        for (const uint256& h : g.input_hashes) dup |= h == input_hash;
        if (dup) continue;
        g.infers.push_back(p.infer);
        g.input_hashes.push_back(input_hash);
    }
    for (const auto& [key, g] : groups) {
        oda::model::Architecture arch;
        oda::model::ArchitectureInfo info;
        std::string error;
        if (!DecodeRecordArchitecture(g.first->model->architecture, arch, info, error)) continue;
        const uint64_t size = oda::model::ShapeElements(info.input_shape);
        std::vector<int8_t> inputs;
        std::vector<size_t> index; // into g.infers, for the inputs of the right size
        for (size_t i = 0; i < g.infers.size(); ++i) {
            if (g.infers[i]->input.size() != size) continue; // RunInference says INVALID
            inputs.insert(inputs.end(), g.infers[i]->input.begin(), g.infers[i]->input.end());
            index.push_back(i);
        }
        if (index.empty()) continue;
        std::shared_ptr<const oda::engine::CompiledModel> model;
        ExecReport ignored;
        if (LoadModel(key.first, arch, g.first->version->weights, model, ignored) != ExecOutcome::VALID) continue;
        std::vector<oda::model::ModelOutput> results = model->Run(inputs.data(), index.size());
        for (size_t j = 0; j < index.size(); ++j) {
            oda::chain::OutputTensor output;
            output.type = results[j].logits ? oda::chain::TensorType::INT32 : oda::chain::TensorType::INT8;
            output.values = std::move(results[j].values);
            m_cache.PutOutput(OutputKey{key.first, key.second, g.input_hashes[index[j]]}, output);
        }
    }
}

} // namespace node
