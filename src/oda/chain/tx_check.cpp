#include <oda/chain/tx_check.h>

#include <script/standard.h>

namespace oda::chain {

std::vector<size_t> OdaOutputIndices(const CTransaction& tx)
{
    std::vector<size_t> out;
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        if (HasOdaTag(tx.vout[i].script_pubkey)) out.push_back(i);
    }
    return out;
}

namespace {

bool Bad(TxValidationState& state, const std::string& debug)
{
    return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-oda-payload", debug);
}

bool IsCoinbaseKind(PayloadKind k) { return k == PayloadKind::RESULT || k == PayloadKind::STORAGE_PROOF; }

/** Limits that are chain parameters. */
bool CheckLimits(const Payload& p, TxValidationState& state, const ConsensusParams& params)
{
    const auto weights_ok = [&](const Commitment& c) { return c.file_size <= static_cast<uint64_t>(params.max_weights_file_bytes); };
    if (const auto* a = std::get_if<AddModel>(&p)) {
        if (a->dataset.file_size > static_cast<uint64_t>(params.max_dataset_file_bytes)) return Bad(state, "dataset file over the limit");
        if (!weights_ok(a->initial_weights)) return Bad(state, "weights file over the limit");
    } else if (const auto* u = std::get_if<UpdateWeights>(&p)) {
        if (!weights_ok(u->weights)) return Bad(state, "weights file over the limit");
    } else if (const auto* s = std::get_if<StorageProof>(&p)) {
        if (s->proofs.size() > static_cast<size_t>(params.storage_proofs_per_block)) return Bad(state, "too many storage proofs");
    }
    return true;
}

} // namespace

bool CheckOdaTransaction(const CTransaction& tx, TxValidationState& state, const ConsensusParams& params,
                         std::vector<Payload>* payloads)
{
    const std::vector<size_t> idx = OdaOutputIndices(tx);
    if (idx.empty()) return true;
    const bool coinbase = tx.IsCoinBase();
    if (idx.size() > (coinbase ? 2u : 1u)) {
        return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-oda-multiple",
                             std::to_string(idx.size()) + " ODA outputs");
    }
    bool seen[8] = {};
    for (size_t i : idx) {
        const std::optional<std::vector<uint8_t>> bytes = ExtractOdaPayload(tx.vout[i].script_pubkey);
        if (!bytes) return Bad(state, "non-minimal or malformed ODA output");
        Payload p;
        std::string error;
        if (!DecodeOdaPayload(*bytes, p, error)) return Bad(state, error);
        const PayloadKind kind = KindOf(p);
        if (coinbase && !IsCoinbaseKind(kind)) return Bad(state, PayloadKindName(kind) + " in the coinbase");
        if (!coinbase && IsCoinbaseKind(kind)) return Bad(state, PayloadKindName(kind) + " outside the coinbase");
        if (coinbase && seen[static_cast<size_t>(kind)]) {
            return state.Invalid(TxValidationResult::TX_CONSENSUS, "bad-oda-multiple", "two " + PayloadKindName(kind) + " outputs");
        }
        seen[static_cast<size_t>(kind)] = true;
        if (!coinbase && bytes->size() > static_cast<size_t>(params.max_oda_payload_bytes)) {
            return Bad(state, "payload of " + std::to_string(bytes->size()) + " bytes over the limit");
        }
        if (!CheckLimits(p, state, params)) return false;
        if (payloads) payloads->push_back(std::move(p));
    }
    return true;
}

bool CheckOdaBlock(const CBlock& block, BlockValidationState& state, const ConsensusParams& params)
{
    for (const CTransactionRef& tx : block.vtx) {
        TxValidationState tx_state;
        if (!CheckOdaTransaction(*tx, tx_state, params)) {
            return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, tx_state.GetRejectReason(),
                                 "tx " + tx->GetTxid().GetHex() + ": " + tx_state.GetDebugMessage());
        }
    }
    return true;
}

} // namespace oda::chain
