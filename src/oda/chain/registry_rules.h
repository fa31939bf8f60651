// Contextual consensus rules of ODA transactions: how a block's transactions change the
// model registry (oda/chain/registry.h), in block order, and how that is undone
// (doc/oda-protocol.md section 2.5). Applied by ConnectBlock after a transaction's inputs
// are checked and spent; the context-free rules (oda/chain/tx_check.h) already passed.
//
// Reject reasons (TX_CONSENSUS unless noted; the debug message names the model/outpoint):
//   "bad-oda-ownership-spend"  an input spends a model's ownership outpoint and the
//                              transaction is not a transfer of that model
//   "bad-oda-unknown-model"    add-model with an unknown parent; update-weights, infer or
//                              transfer of an unknown model
//   "bad-oda-duplicate-model"  add-model whose txid is already a model (cannot happen while
//                              txids are unique; guards the invariant)
//   "bad-oda-owner-output"     add-model or transfer whose first non-OP_RETURN output is
//                              missing or not a witness v1 (taproot) output
//   "bad-oda-not-improving"    update-weights whose claimed score is below current score +
//                              minimum improvement
//   "bad-oda-unknown-version"  infer pinning a weights root that no version of the model has
//   "bad-oda-not-owner"        transfer that does not spend the model's ownership outpoint
//   "bad-oda-score"            the executor found a claimed score false (executor.h)
//   "bad-oda-infer"            the executor found an inference impossible (executor.h)
//   "oda-data-unavailable"     TX_DATA_UNAVAILABLE: the executor lacks a file (executor.h)
// Nothing here throws on untrusted data; a registry read may throw DBError from below.
#ifndef ODA_ODA_CHAIN_REGISTRY_RULES_H
#define ODA_ODA_CHAIN_REGISTRY_RULES_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <oda/chain/executor.h>
#include <oda/chain/payload.h>
#include <oda/chain/registry.h>
#include <primitives/transaction.h>

#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace oda::chain {

/** The registry changes of one block being connected, with what undoes them. */
class RegistryBlockApplier
{
    RegistryCache& m_registry;
    RegistryUndo& m_undo;
    uint32_t m_height;
    OdaExecutor* m_executor;
    std::set<uint256> m_touched;
    std::vector<Commitment> m_missing;
    std::optional<OutputTensor> m_infer_output;

    /** Adds the files an executor lacked to MissingFiles() (each once, first-seen order). */
    void NoteMissing(const ExecReport& report);

    /** Records the model's state before this block's first change to it. */
    void Touch(const uint256& model_id, const std::optional<ModelRecord>& before);
    bool ApplyAddModel(const CTransaction& tx, const AddModel& add, TxValidationState& state);
    bool ApplyUpdateWeights(const CTransaction& tx, const UpdateWeights& update, TxValidationState& state);
    bool CheckInfer(const Infer& infer, TxValidationState& state);
    bool ApplyTransfer(const CTransaction& tx, const Transfer& transfer, TxValidationState& state);

public:
    /** executor nullptr: scores trusted as claimed, inferences not run (executor.h). */
    RegistryBlockApplier(RegistryCache& registry, RegistryUndo& undo, uint32_t height, OdaExecutor* executor)
        : m_registry(registry), m_undo(undo), m_height(height), m_executor(executor)
    {
        m_undo.models.clear();
    }
    /** Applies one non-coinbase transaction (payloads: its decoded ODA payloads, 0 or 1).
     *  On failure the state says why; the caller discards the whole block's cache. */
    [[nodiscard]] bool ApplyTransaction(const CTransaction& tx, const std::vector<Payload>& payloads,
                                        TxValidationState& state);
    /** Files the executor reported missing so far (what a waiting block waits for). */
    const std::vector<Commitment>& MissingFiles() const { return m_missing; }
    /** The output the executor computed for the last infer applied (nullopt without an
     *  executor); taken once (block_rules.h matches it against the coinbase result). */
    std::optional<OutputTensor> TakeInferOutput() { return std::exchange(m_infer_output, std::nullopt); }
};

/** Would tx pass the rules on top of `registry` (in a block at `height`)? Nothing is changed
 *  (a throwaway cache). Also runs the context-free ODA checks (tx_check.h). For the mempool. */
[[nodiscard]] bool CheckRegistryTransaction(const RegistryView& registry, const CTransaction& tx, uint32_t height,
                                            const ConsensusParams& params, TxValidationState& state);

/** The transaction's ownership output: its first output that is not OP_RETURN. nullopt
 *  (with `debug` set) when there is none or it is not witness v1. */
std::optional<uint32_t> OwnershipOutput(const CTransaction& tx, std::string& debug);

/** Puts the registry back as it was before the block whose undo this is. False when the
 *  registry is not in the state the block left (the disconnect is then unclean), though
 *  every entry is still restored. */
bool UndoRegistryBlock(const RegistryUndo& undo, RegistryCache& registry);

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_REGISTRY_RULES_H
