#include <node/mempool_oda.h>

#include <oda/chain/registry_rules.h>
#include <oda/chain/royalty.h>
#include <oda/chain/tx_check.h>
#include <oda/storage/file_store.h>

namespace {

using namespace oda::chain;

/** The version an infer pins, with its index; nullopt if the model or version is unknown. */
std::optional<ModelVersion> PinnedVersion(const Infer& infer, const RegistryView& registry)
{
    std::optional<uint32_t> index = registry.FindVersion(infer.model_id, infer.weights_version);
    if (!index) return std::nullopt;
    return registry.GetVersion(infer.model_id, *index);
}

} // namespace

MempoolOdaFacts OdaFactsOf(const CTransaction& tx, const std::vector<Payload>& payloads)
{
    MempoolOdaFacts facts;
    if (payloads.empty()) return facts;
    const Payload& p = payloads.front();
    facts.kind = KindOf(p);
    if (std::holds_alternative<AddModel>(p)) facts.model_id = tx.GetTxid(); // a model's id is its add-model txid
    if (const auto* infer = std::get_if<Infer>(&p)) facts.model_id = infer->model_id;
    if (const auto* update = std::get_if<UpdateWeights>(&p)) facts.model_id = update->model_id;
    if (const auto* transfer = std::get_if<Transfer>(&p)) facts.model_id = transfer->model_id;
    if (const auto* bounty = std::get_if<Bounty>(&p)) facts.model_id = bounty->model_id;
    return facts;
}

std::vector<Commitment> FilesNeededByPayload(const Payload& payload, const RegistryView& registry)
{
    std::vector<Commitment> files;
    if (const auto* add = std::get_if<AddModel>(&payload)) {
        files.push_back(add->initial_weights);
        files.push_back(add->dataset);
    } else if (const auto* update = std::get_if<UpdateWeights>(&payload)) {
        files.push_back(update->weights);
        if (std::optional<ModelRecord> model = registry.GetModel(update->model_id)) files.push_back(model->dataset);
    } else if (const auto* infer = std::get_if<Infer>(&payload)) {
        if (std::optional<ModelVersion> version = PinnedVersion(*infer, registry)) files.push_back(version->weights);
    }
    return files;
}

bool MempoolFileAvailable(const oda::storage::FileStore& store, const Commitment& file)
{
    // The one place to widen when files can be fetched: "held or being fetched" will do.
    return store.Has(file);
}

std::vector<Commitment> MissingMempoolFiles(const Payload& payload, const RegistryView& registry,
                                            const oda::storage::FileStore& store)
{
    std::vector<Commitment> missing;
    for (const Commitment& file : FilesNeededByPayload(payload, registry)) {
        if (!MempoolFileAvailable(store, file)) missing.push_back(file);
    }
    return missing;
}

std::string DescribeFiles(const std::vector<Commitment>& files)
{
    std::string out;
    for (const Commitment& c : files) {
        if (!out.empty()) out += ", ";
        // Storage byte order: the form importmodelfile, getmodelfiles and oda-model print.
        out += c.pieces_root.ToHexBytes() + " (" + std::to_string(c.file_size) + " bytes)";
    }
    return out;
}

bool CheckInferRoyalty(const CTransaction& tx, const Payload& payload, const RegistryView& registry,
                       TxValidationState& state)
{
    const auto* infer = std::get_if<Infer>(&payload);
    if (!infer) return true;
    std::optional<ModelRecord> model = registry.GetModel(infer->model_id);
    std::optional<ModelVersion> version = PinnedVersion(*infer, registry);
    if (!model || !version) return true;
    std::string error;
    std::optional<RoyaltyOwed> owed = ComputeRoyaltyOwed(*model, *version, registry, error);
    if (!owed) return state.Invalid(TxValidationResult::TX_MEMPOOL_POLICY, "bad-oda-royalty", error);
    std::string debug;
    if (!PaysRoyalty(tx, *owed, debug)) return state.Invalid(TxValidationResult::TX_MEMPOOL_POLICY, "bad-oda-royalty", debug);
    return true;
}

bool OdaEntryStillValid(const CTransaction& tx, const RegistryView& registry, uint32_t height,
                        const ConsensusParams& params, TxValidationState& state)
{
    std::vector<Payload> payloads;
    if (!CheckOdaTransaction(tx, state, params, &payloads)) return false;
    if (!CheckRegistryTransaction(registry, tx, height, params, state)) return false;
    if (!payloads.empty() && !CheckInferRoyalty(tx, payloads.front(), registry, state)) return false;
    return true;
}

std::optional<OdaWork> SnapshotOdaWork(const CTransaction& tx, const Payload& payload, const RegistryView& registry)
{
    OdaWork work;
    if (const auto* add = std::get_if<AddModel>(&payload)) {
        // The record ApplyAddModel will write, as far as scoring reads it.
        work.kind = OdaWork::Kind::SCORE;
        work.model_id = tx.GetTxid();
        work.model.architecture = oda::model::EncodeArchitecture(add->architecture);
        work.model.dataset = add->dataset;
        work.model.dataset_samples = add->dataset_samples;
        std::string debug;
        if (std::optional<uint32_t> owner = OwnershipOutput(tx, debug)) {
            work.model.owner = COutPoint(tx.GetTxid(), *owner);
            work.model.owner_script = tx.vout[*owner].script_pubkey;
        }
        work.model.royalty = add->royalty;
        work.model.trainer_share_bp = add->trainer_share_bp;
        work.model.parents = add->parents;
        work.model.min_improvement = add->min_improvement;
        work.model.current_score = add->initial_score;
        work.model.version_count = 1;
        work.weights = add->initial_weights;
        work.claimed_score = add->initial_score;
        return work;
    }
    if (const auto* update = std::get_if<UpdateWeights>(&payload)) {
        std::optional<ModelRecord> model = registry.GetModel(update->model_id);
        if (!model) return std::nullopt;
        work.kind = OdaWork::Kind::SCORE;
        work.model_id = update->model_id;
        work.model = std::move(*model);
        work.weights = update->weights;
        work.claimed_score = update->claimed_score;
        return work;
    }
    if (const auto* infer = std::get_if<Infer>(&payload)) {
        std::optional<ModelRecord> model = registry.GetModel(infer->model_id);
        std::optional<ModelVersion> version = PinnedVersion(*infer, registry);
        if (!model || !version) return std::nullopt;
        work.kind = OdaWork::Kind::INFER;
        work.model_id = infer->model_id;
        work.model = std::move(*model);
        work.version = std::move(*version);
        work.infer = *infer;
        return work;
    }
    return std::nullopt;
}

OdaVerdict RunOdaWork(OdaExecutor& executor, const OdaWork& work)
{
    OdaVerdict verdict;
    verdict.work = work;
    if (work.kind == OdaWork::Kind::SCORE) {
        verdict.outcome = executor.ScoreWeights(work.model_id, work.model, work.weights, work.claimed_score, verdict.report);
    } else {
        OutputTensor output; // not kept: the executor's own cache serves the block that mines it
        verdict.outcome = executor.RunInference(work.model_id, work.model, work.version, work.infer, output, verdict.report);
    }
    return verdict;
}

bool JudgeOdaVerdict(const OdaVerdict& verdict, TxValidationState& state)
{
    const OdaWork& w = verdict.work;
    switch (verdict.outcome) {
    case ExecOutcome::VALID:
        return true;
    case ExecOutcome::INVALID:
        if (w.kind == OdaWork::Kind::SCORE) {
            return state.Invalid(TxValidationResult::TX_MEMPOOL_POLICY, "bad-oda-score",
                                 "claimed score " + std::to_string(w.claimed_score) + " for weights " +
                                     w.weights.pieces_root.ToHexBytes() + " of model " + w.model_id.GetHex() +
                                     (verdict.report.debug.empty() ? "" : "; " + verdict.report.debug));
        }
        return state.Invalid(TxValidationResult::TX_MEMPOOL_POLICY, "bad-oda-infer",
                             "inference on model " + w.model_id.GetHex() +
                                 (verdict.report.debug.empty() ? "" : ": " + verdict.report.debug));
    case ExecOutcome::MISSING_DATA:
        return state.Invalid(TxValidationResult::TX_MEMPOOL_POLICY, "oda-files-missing",
                             "the node lacks " + DescribeFiles(verdict.report.missing));
    }
    return state.Invalid(TxValidationResult::TX_MEMPOOL_POLICY, "bad-oda-score", "unknown executor outcome");
}
