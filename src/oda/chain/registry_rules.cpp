#include <oda/chain/registry_rules.h>

#include <oda/chain/tx_check.h>
#include <script/standard.h>

#include <limits>

namespace oda::chain {
namespace {

bool Reject(TxValidationState& state, const std::string& reason, const std::string& debug)
{
    return state.Invalid(TxValidationResult::TX_CONSENSUS, reason, debug);
}

bool IsOpReturn(const ScriptBytes& script) { return !script.empty() && script[0] == 0x6a; }

/** Turns an executor verdict into the transaction's state; true for VALID. */
bool Judge(ExecOutcome outcome, const std::string& what, const std::string& debug, TxValidationState& state)
{
    switch (outcome) {
    case ExecOutcome::VALID:
        return true;
    case ExecOutcome::INVALID:
        return Reject(state, "bad-oda-score", what + (debug.empty() ? "" : ": " + debug));
    case ExecOutcome::MISSING_DATA:
        return state.Invalid(TxValidationResult::TX_DATA_UNAVAILABLE, "oda-data-unavailable", what + (debug.empty() ? "" : ": " + debug));
    }
    return Reject(state, "bad-oda-score", what);
}

} // namespace

std::optional<uint32_t> OwnershipOutput(const CTransaction& tx, std::string& debug)
{
    for (uint32_t n = 0; n < tx.vout.size(); ++n) {
        if (IsOpReturn(tx.vout[n].script_pubkey)) continue;
        if (!GetTaprootOutputKey(tx.vout[n].script_pubkey)) {
            debug = "ownership output " + std::to_string(n) + " is not a witness v1 (taproot) output";
            return std::nullopt;
        }
        return n;
    }
    debug = "no ownership output: every output is OP_RETURN";
    return std::nullopt;
}

void RegistryBlockApplier::NoteMissing(const ExecReport& report)
{
    for (const Commitment& c : report.missing) {
        bool known = false;
        for (const Commitment& m : m_missing) known |= m == c;
        if (!known) m_missing.push_back(c);
    }
}

void RegistryBlockApplier::Touch(const uint256& model_id, const std::optional<ModelRecord>& before)
{
    if (m_touched.insert(model_id).second) m_undo.models.push_back(ModelUndo{model_id, before});
}

bool RegistryBlockApplier::ApplyTransaction(const CTransaction& tx, const std::vector<Payload>& payloads,
                                            TxValidationState& state)
{
    const Payload* payload = payloads.empty() ? nullptr : &payloads.front();
    // 1. An ownership outpoint moves only by a transfer of its model (section 2.5).
    const Transfer* transfer = payload ? std::get_if<Transfer>(payload) : nullptr;
    for (const CTxIn& in : tx.vin) {
        std::optional<uint256> owned = m_registry.GetOwnedModel(in.prevout);
        if (owned && !(transfer && transfer->model_id == *owned)) {
            return Reject(state, "bad-oda-ownership-spend",
                          "input " + in.prevout.ToString() + " is the ownership output of model " + owned->GetHex() +
                              " and the transaction does not transfer it");
        }
    }
    if (!payload) return true;
    // 2. The payload's own rule.
    if (const auto* add = std::get_if<AddModel>(payload)) return ApplyAddModel(tx, *add, state);
    if (const auto* update = std::get_if<UpdateWeights>(payload)) return ApplyUpdateWeights(tx, *update, state);
    if (const auto* infer = std::get_if<Infer>(payload)) return CheckInfer(*infer, state);
    if (transfer) return ApplyTransfer(tx, *transfer, state);
    // Bounties (kind 7) get their contextual rules with the payments of section 7.
    return true;
}

bool RegistryBlockApplier::ApplyAddModel(const CTransaction& tx, const AddModel& add, TxValidationState& state)
{
    const uint256 id = tx.GetTxid();
    for (const ParentShare& parent : add.parents) {
        if (!m_registry.GetModel(parent.model_id)) {
            return Reject(state, "bad-oda-unknown-model", "parent model " + parent.model_id.GetHex() + " does not exist");
        }
    }
    std::string debug;
    std::optional<uint32_t> owner = OwnershipOutput(tx, debug);
    if (!owner) return Reject(state, "bad-oda-owner-output", debug);
    // Txids of non-coinbase transactions never repeat on one chain (a repeat would spend the
    // same outputs twice), so this only guards the invariant.
    if (m_registry.GetModel(id)) return Reject(state, "bad-oda-duplicate-model", "model " + id.GetHex() + " already exists");

    ModelRecord record;
    record.architecture = model::EncodeArchitecture(add.architecture);
    record.dataset = add.dataset;
    record.dataset_samples = add.dataset_samples;
    record.owner = COutPoint(id, *owner);
    record.owner_script = tx.vout[*owner].script_pubkey;
    record.royalty = add.royalty;
    record.trainer_share_bp = add.trainer_share_bp;
    record.parents = add.parents;
    record.min_improvement = add.min_improvement;
    record.added_height = m_height;
    record.current_version = 0;
    record.current_score = add.initial_score;
    record.version_count = 1;
    if (m_executor) {
        ExecReport report;
        const ExecOutcome outcome = m_executor->ScoreWeights(id, record, add.initial_weights, add.initial_score, report);
        NoteMissing(report);
        if (!Judge(outcome, "initial weights of model " + id.GetHex(), report.debug, state)) return false;
    }
    // Version 0: the initial weights, trained by the creator (the ownership output's script).
    ModelVersion version{add.initial_weights, record.owner_script, add.initial_score, m_height, id};
    Touch(id, std::nullopt);
    m_registry.PutVersion(id, 0, std::move(version));
    m_registry.PutRoot(id, add.initial_weights.pieces_root, 0);
    m_registry.PutOwner(record.owner, id);
    m_registry.PutModel(id, std::move(record));
    return true;
}

bool RegistryBlockApplier::ApplyUpdateWeights(const CTransaction& tx, const UpdateWeights& update,
                                              TxValidationState& state)
{
    std::optional<ModelRecord> record = m_registry.GetModel(update.model_id);
    if (!record) return Reject(state, "bad-oda-unknown-model", "model " + update.model_id.GetHex() + " does not exist");
    // current + min_improvement, without overflow: past INT64_MAX no score can reach it.
    const int64_t current = record->current_score;
    const int64_t step = record->min_improvement; // >= 0 (payload rule)
    const bool reachable = current <= std::numeric_limits<int64_t>::max() - step;
    if (!reachable || update.claimed_score < current + step) {
        return Reject(state, "bad-oda-not-improving",
                      "claimed score " + std::to_string(update.claimed_score) + " < current score " +
                          std::to_string(current) + " + minimum improvement " + std::to_string(step));
    }
    if (record->version_count == std::numeric_limits<uint32_t>::max()) {
        return Reject(state, "bad-oda-not-improving", "model " + update.model_id.GetHex() + " has no version index left");
    }
    if (m_executor) {
        ExecReport report;
        const ExecOutcome outcome =
            m_executor->ScoreWeights(update.model_id, *record, update.weights, update.claimed_score, report);
        NoteMissing(report);
        if (!Judge(outcome, "weights of tx " + tx.GetTxid().GetHex(), report.debug, state)) return false;
    }
    Touch(update.model_id, record);
    const uint32_t index = record->version_count;
    m_registry.PutVersion(update.model_id, index,
                          ModelVersion{update.weights, update.trainer_script, update.claimed_score, m_height, tx.GetTxid()});
    // The first version with a given root answers FindVersion (same root = same file).
    if (!m_registry.FindVersion(update.model_id, update.weights.pieces_root)) {
        m_registry.PutRoot(update.model_id, update.weights.pieces_root, index);
    }
    record->current_version = index;
    record->current_score = update.claimed_score;
    record->version_count = index + 1;
    m_registry.PutModel(update.model_id, std::move(*record));
    return true;
}

bool RegistryBlockApplier::CheckInfer(const Infer& infer, TxValidationState& state)
{
    std::optional<ModelRecord> record = m_registry.GetModel(infer.model_id);
    if (!record) return Reject(state, "bad-oda-unknown-model", "model " + infer.model_id.GetHex() + " does not exist");
    std::optional<uint32_t> index = m_registry.FindVersion(infer.model_id, infer.weights_version);
    if (!index) {
        return Reject(state, "bad-oda-unknown-version",
                      "model " + infer.model_id.GetHex() + " has no version with weights root " + infer.weights_version.GetHex());
    }
    if (m_executor) {
        std::optional<ModelVersion> version = m_registry.GetVersion(infer.model_id, *index);
        if (!version) return Reject(state, "bad-oda-unknown-version", "version " + std::to_string(*index) + " missing");
        ExecReport report;
        OutputTensor output;
        const ExecOutcome outcome = m_executor->RunInference(infer.model_id, *record, *version, infer, output, report);
        NoteMissing(report);
        if (outcome == ExecOutcome::INVALID) return Reject(state, "bad-oda-infer", report.debug);
        if (!Judge(outcome, "inference on model " + infer.model_id.GetHex(), report.debug, state)) return false;
        m_infer_output = std::move(output);
    }
    // Results, compute units and royalty payments: oda/chain/block_rules.h (sections 4 and 7).
    return true;
}

bool RegistryBlockApplier::ApplyTransfer(const CTransaction& tx, const Transfer& transfer, TxValidationState& state)
{
    std::optional<ModelRecord> record = m_registry.GetModel(transfer.model_id);
    if (!record) return Reject(state, "bad-oda-unknown-model", "model " + transfer.model_id.GetHex() + " does not exist");
    bool spends_owner = false;
    for (const CTxIn& in : tx.vin) spends_owner |= in.prevout == record->owner;
    if (!spends_owner) {
        return Reject(state, "bad-oda-not-owner",
                      "transfer of model " + transfer.model_id.GetHex() + " does not spend its ownership output " +
                          record->owner.ToString());
    }
    std::string debug;
    std::optional<uint32_t> owner = OwnershipOutput(tx, debug);
    if (!owner) return Reject(state, "bad-oda-owner-output", debug);
    Touch(transfer.model_id, record);
    m_registry.EraseOwner(record->owner);
    record->owner = COutPoint(tx.GetTxid(), *owner);
    record->owner_script = tx.vout[*owner].script_pubkey;
    m_registry.PutOwner(record->owner, transfer.model_id);
    m_registry.PutModel(transfer.model_id, std::move(*record));
    return true;
}

bool CheckRegistryTransaction(const RegistryView& registry, const CTransaction& tx, uint32_t height,
                              const ConsensusParams& params, TxValidationState& state)
{
    std::vector<Payload> payloads;
    if (!CheckOdaTransaction(tx, state, params, &payloads)) return false;
    RegistryCache scratch(&registry);
    RegistryUndo undo;
    RegistryBlockApplier applier(scratch, undo, height, /*executor=*/nullptr);
    return applier.ApplyTransaction(tx, payloads, state);
}

bool UndoRegistryBlock(const RegistryUndo& undo, RegistryCache& registry)
{
    bool clean = true;
    for (auto it = undo.models.rbegin(); it != undo.models.rend(); ++it) {
        const uint256& id = it->model_id;
        const std::optional<ModelRecord>& before = it->before;
        std::optional<ModelRecord> now = registry.GetModel(id);
        if (!now) {
            clean = false; // the block's result should have the model
        } else {
            // Versions the block added, and the root entries that point at them.
            const uint32_t keep = before ? before->version_count : 0;
            if (now->version_count < keep) clean = false;
            for (uint32_t i = keep; i < now->version_count; ++i) {
                std::optional<ModelVersion> v = registry.GetVersion(id, i);
                if (!v) {
                    clean = false;
                    continue;
                }
                if (registry.FindVersion(id, v->weights.pieces_root) == i) registry.EraseRoot(id, v->weights.pieces_root);
                registry.EraseVersion(id, i);
            }
            if (registry.GetOwnedModel(now->owner) != id) clean = false;
            registry.EraseOwner(now->owner);
        }
        if (before) {
            registry.PutOwner(before->owner, id);
            registry.PutModel(id, *before);
        } else {
            registry.EraseModel(id);
        }
    }
    return clean;
}

} // namespace oda::chain
