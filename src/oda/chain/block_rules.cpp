#include <oda/chain/block_rules.h>

#include <oda/chain/compute_units.h>
#include <oda/chain/royalty.h>
#include <oda/chain/tx_check.h>
#include <script/standard.h>

#include <deque>
#include <limits>

namespace oda::chain {
namespace {

bool RejectTx(TxValidationState& state, const std::string& reason, const std::string& debug)
{
    return state.Invalid(TxValidationResult::TX_CONSENSUS, reason, debug);
}

bool RejectBlock(BlockValidationState& state, const std::string& reason, const std::string& debug)
{
    return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, reason, debug);
}

/** Does a payload name a model the registry does not have (infer, update-weights)? */
bool NamesUnknownModel(const std::vector<Payload>& payloads, const RegistryView& registry)
{
    for (const Payload& p : payloads) {
        const uint256* id = nullptr;
        if (const auto* infer = std::get_if<Infer>(&p)) id = &infer->model_id;
        if (const auto* update = std::get_if<UpdateWeights>(&p)) id = &update->model_id;
        if (id && !registry.GetModel(*id)) return true;
    }
    return false;
}

std::string TensorSummary(const OutputTensor& t)
{
    return std::string(t.type == TensorType::INT8 ? "int8" : "int32") + "[" + std::to_string(t.values.size()) + "]";
}

} // namespace

bool CheckTransactionComputeUnits(const std::vector<Payload>& payloads, const RegistryView& registry,
                                  const ConsensusParams& params, int64_t& cu, TxValidationState& state)
{
    cu = 0;
    std::string error;
    const std::optional<int64_t> units = TransactionComputeUnits(payloads, registry, error);
    if (!units) {
        if (NamesUnknownModel(payloads, registry)) return true; // the registry rules' reason
        return RejectTx(state, "bad-oda-cu", "compute units: " + error);
    }
    if (*units > params.max_tx_compute_units) {
        return RejectTx(state, "bad-oda-cu",
                        "transaction needs " + std::to_string(*units) + " compute units, over the limit of " +
                            std::to_string(params.max_tx_compute_units));
    }
    cu = *units;
    return true;
}

bool CheckInferRoyalty(const CTransaction& tx, const std::vector<Payload>& payloads, const RegistryView& registry,
                       TxValidationState& state)
{
    for (const Payload& p : payloads) {
        const auto* infer = std::get_if<Infer>(&p);
        if (!infer) continue;
        const std::optional<ModelRecord> record = registry.GetModel(infer->model_id);
        if (!record) continue;
        const std::optional<uint32_t> index = registry.FindVersion(infer->model_id, infer->weights_version);
        if (!index) continue;
        const std::optional<ModelVersion> version = registry.GetVersion(infer->model_id, *index);
        if (!version) continue;
        std::string error;
        const std::optional<RoyaltyOwed> owed = ComputeRoyaltyOwed(*record, *version, registry, error);
        if (!owed) return RejectTx(state, "bad-oda-royalty", error);
        if (!PaysRoyalty(tx, *owed, error)) {
            return RejectTx(state, "bad-oda-royalty", "inference on model " + infer->model_id.GetHex() + " " + error);
        }
    }
    return true;
}

bool BlockOdaRules::ApplyTransaction(const CTransaction& tx, const std::vector<Payload>& payloads,
                                     TxValidationState& state)
{
    // 1. Compute units: the transaction's, then the block's running total.
    int64_t cu = 0;
    if (!CheckTransactionComputeUnits(payloads, m_registry, m_params, cu, state)) return false;
    if (cu > m_params.max_block_compute_units - m_total_cu) {
        return RejectTx(state, "bad-oda-cu",
                        "block needs more than " + std::to_string(m_params.max_block_compute_units) +
                            " compute units (" + std::to_string(m_total_cu) + " before this transaction, which needs " +
                            std::to_string(cu) + ")");
    }
    // 2. Royalties, on the registry before this transaction.
    if (!CheckInferRoyalty(tx, payloads, m_registry, state)) return false;
    // 3. The registry rules, which execute.
    (void)m_applier.TakeInferOutput();
    if (!m_applier.ApplyTransaction(tx, payloads, state)) return false;
    m_total_cu += cu;
    for (const Payload& p : payloads) {
        if (std::holds_alternative<Infer>(p)) {
            m_infers.push_back(BlockInfer{tx.GetTxid(), m_applier.TakeInferOutput()});
        }
    }
    return true;
}

void BlockOdaRules::Prefetch(const std::vector<CTransactionRef>& txs) const
{
    if (!m_executor) return;
    // Stable storage for what the pending entries point at.
    std::deque<Infer> infers;
    std::deque<ModelRecord> records;
    std::deque<ModelVersion> versions;
    std::vector<OdaExecutor::PendingInference> pending;
    for (const CTransactionRef& tx : txs) {
        if (tx->IsCoinBase()) continue;
        for (size_t n : OdaOutputIndices(*tx)) {
            const std::optional<std::vector<uint8_t>> bytes = ExtractOdaPayload(tx->vout[n].script_pubkey);
            Payload payload;
            std::string error;
            if (!bytes || !DecodeOdaPayload(*bytes, payload, error)) continue;
            const auto* infer = std::get_if<Infer>(&payload);
            if (!infer) continue;
            std::optional<ModelRecord> record = m_registry.GetModel(infer->model_id);
            std::optional<uint32_t> index = record ? m_registry.FindVersion(infer->model_id, infer->weights_version) : std::nullopt;
            std::optional<ModelVersion> version = index ? m_registry.GetVersion(infer->model_id, *index) : std::nullopt;
            if (!version) continue; // a model or version the block itself adds: run on its own
            infers.push_back(*infer);
            records.push_back(std::move(*record));
            versions.push_back(std::move(*version));
            pending.push_back({&records.back(), &versions.back(), &infers.back()});
        }
    }
    if (!pending.empty()) m_executor->PrefetchInferences(pending);
}

std::optional<Result> CoinbaseResult(const CTransaction& coinbase)
{
    for (size_t n : OdaOutputIndices(coinbase)) {
        const std::optional<std::vector<uint8_t>> bytes = ExtractOdaPayload(coinbase.vout[n].script_pubkey);
        Payload payload;
        std::string error;
        if (!bytes || !DecodeOdaPayload(*bytes, payload, error)) continue; // CheckOdaTransaction rejects these
        if (auto* result = std::get_if<Result>(&payload)) return std::move(*result);
    }
    return std::nullopt;
}

bool BlockOdaRules::CheckCoinbaseResult(const CTransaction& coinbase, BlockValidationState& state) const
{
    const std::optional<Result> result = CoinbaseResult(coinbase);
    if (!result) {
        if (m_total_cu == 0) return true;
        return RejectBlock(state, "bad-oda-result",
                           "no result output in a block of " + std::to_string(m_total_cu) + " compute units (" +
                               std::to_string(m_infers.size()) + " infers)");
    }
    if (m_total_cu == 0) return RejectBlock(state, "bad-oda-result", "result output in a block without compute");
    if (result->compute_units != m_total_cu) {
        return RejectBlock(state, "bad-oda-cu",
                           "result claims " + std::to_string(result->compute_units) + " compute units, the block has " +
                               std::to_string(m_total_cu));
    }
    const std::vector<OutputTensor>& outputs = result->outputs;
    const size_t n_infers = m_infers.size();
    auto infer_name = [&](size_t i) { return "infer " + std::to_string(i) + " (tx " + m_infers[i].txid.GetHex() + ")"; };
    if (!m_executor) {
        // Outputs trusted as claimed (-assumevalid); their number is still a rule.
        if (outputs.size() < n_infers) return RejectBlock(state, "bad-oda-result", "missing output for " + infer_name(outputs.size()));
        if (outputs.size() > n_infers) {
            return RejectBlock(state, "bad-oda-result",
                               "extra output " + std::to_string(n_infers) + " (the block has " + std::to_string(n_infers) + " infers)");
        }
        return true;
    }
    auto computed = [&](size_t i) -> const OutputTensor& { return *m_infers[i].output; };
    for (size_t i = 0; i < n_infers && i < outputs.size(); ++i) {
        if (outputs[i] == computed(i)) continue;
        // Say what kind of mismatch this is: a skipped output, an inserted one, a swap, or a
        // wrong value.
        if (outputs.size() < n_infers && i + 1 < n_infers && outputs[i] == computed(i + 1)) {
            return RejectBlock(state, "bad-oda-result", "missing output for " + infer_name(i));
        }
        if (outputs.size() > n_infers && i + 1 < outputs.size() && outputs[i + 1] == computed(i)) {
            return RejectBlock(state, "bad-oda-result", "extra output " + std::to_string(i) + " before " + infer_name(i));
        }
        for (size_t j = 0; j < n_infers; ++j) {
            if (j != i && outputs[i] == computed(j)) {
                return RejectBlock(state, "bad-oda-result",
                                   "output " + std::to_string(i) + " is infer " + std::to_string(j) + "'s (out of order)");
            }
        }
        return RejectBlock(state, "bad-oda-result",
                           "output " + std::to_string(i) + " " + TensorSummary(outputs[i]) + " differs from " +
                               infer_name(i) + "'s executed output " + TensorSummary(computed(i)));
    }
    if (outputs.size() < n_infers) return RejectBlock(state, "bad-oda-result", "missing output for " + infer_name(outputs.size()));
    if (outputs.size() > n_infers) {
        return RejectBlock(state, "bad-oda-result",
                           "extra output " + std::to_string(n_infers) + " (the block has " + std::to_string(n_infers) + " infers)");
    }
    return true;
}

std::optional<Result> BlockOdaRules::ExpectedResult() const
{
    if (m_total_cu == 0) return std::nullopt;
    Result result;
    result.compute_units = m_total_cu;
    for (const BlockInfer& infer : m_infers) result.outputs.push_back(infer.output.value_or(OutputTensor{}));
    return result;
}

} // namespace oda::chain
