// The execution rules of a block's ODA transactions (doc/oda-protocol.md sections 2.5, 4
// and 7), on top of the registry rules (registry_rules.h), which they run.
//
// Per non-coinbase transaction, in block order, cheapest check first:
//   1. its compute units (compute_units.h, on the registry as the transaction sees it) are
//      at most params.max_tx_compute_units, and the block's running total at most
//      params.max_block_compute_units                                        "bad-oda-cu"
//   2. an infer pays the royalty it owes (royalty.h: ComputeRoyaltyOwed on the pinned
//      version, PaysRoyalty)                                                 "bad-oda-royalty"
//   3. the registry rules, which run the executor: a false claimed score "bad-oda-score",
//      an impossible inference "bad-oda-infer", a file not held "oda-data-unavailable"
//      (TX_DATA_UNAVAILABLE: the block waits, it is never invalid for it)
// After the last transaction, the coinbase's result payload (kind 4):
//   - present if and only if the block's compute-unit total is above 0     "bad-oda-result"
//   - its compute_units equal to that total                                 "bad-oda-cu"
//   - exactly one output tensor per infer, in block order, each equal bit for bit to what
//     the executor computed                                                 "bad-oda-result"
//     (debug: "missing output for infer i (tx ...)", "extra output i", "output i is infer
//     j's (out of order)", "output i differs from infer i's (tx ...)")
// With no executor (nullptr, the -assumevalid path) compute units, the number of outputs and
// royalties are still checked; scores and output values are trusted.
// Deterministic: integer arithmetic, block order, no state but the registry view and the
// executor's pure answers.
#ifndef ODA_ODA_CHAIN_BLOCK_RULES_H
#define ODA_ODA_CHAIN_BLOCK_RULES_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <oda/chain/executor.h>
#include <oda/chain/payload.h>
#include <oda/chain/registry.h>
#include <oda/chain/registry_rules.h>
#include <primitives/transaction.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace oda::chain {

/** Rule 1 alone for one transaction on `registry` (for the mempool and block assembly): the
 *  transaction's compute units in `cu`, at most params.max_tx_compute_units. A payload naming
 *  a model the registry lacks passes with cu = 0 (the registry rules reject it as
 *  "bad-oda-unknown-model"); an architecture that does not analyze is "bad-oda-cu". */
[[nodiscard]] bool CheckTransactionComputeUnits(const std::vector<Payload>& payloads, const RegistryView& registry,
                                                const ConsensusParams& params, int64_t& cu, TxValidationState& state);

/** Rule 2 alone (infer payloads; other kinds pass). Unknown models or versions pass: the
 *  registry rules reject them with their own reasons. */
[[nodiscard]] bool CheckInferRoyalty(const CTransaction& tx, const std::vector<Payload>& payloads,
                                     const RegistryView& registry, TxValidationState& state);

/** One infer of the block, as executed. */
struct BlockInfer {
    uint256 txid;
    std::optional<OutputTensor> output;  //!< nullopt without an executor
};

class BlockOdaRules
{
    RegistryCache& m_registry;
    RegistryBlockApplier m_applier;
    const ConsensusParams& m_params;
    OdaExecutor* m_executor;
    int64_t m_total_cu{0};
    std::vector<BlockInfer> m_infers;

public:
    BlockOdaRules(RegistryCache& registry, RegistryUndo& undo, uint32_t height, const ConsensusParams& params,
                  OdaExecutor* executor)
        : m_registry(registry), m_applier(registry, undo, height, executor), m_params(params), m_executor(executor)
    {
    }

    /** Before the transactions: hands the executor the block's infers on models and versions
     *  already registered, so that it can run each model version's as one batch
     *  (OdaExecutor::PrefetchInferences). Changes no verdict. */
    void Prefetch(const std::vector<CTransactionRef>& txs) const;

    /** Checks and applies one non-coinbase transaction (rules 1-3). On failure the state says
     *  why and nothing of the transaction is counted (the registry cache may hold part of it:
     *  the caller discards it, or, for block assembly, uses a per-transaction layer). */
    [[nodiscard]] bool ApplyTransaction(const CTransaction& tx, const std::vector<Payload>& payloads,
                                        TxValidationState& state);

    /** The coinbase's result payload against the block's transactions (after the last one). */
    [[nodiscard]] bool CheckCoinbaseResult(const CTransaction& coinbase, BlockValidationState& state) const;

    /** The result payload this block needs (nullopt when its total is 0). With no executor
     *  the outputs are unknown: only valid with one. */
    std::optional<Result> ExpectedResult() const;

    int64_t TotalComputeUnits() const { return m_total_cu; }
    const std::vector<BlockInfer>& Infers() const { return m_infers; }
    const std::vector<Commitment>& MissingFiles() const { return m_applier.MissingFiles(); }
};

/** The coinbase's result payload, if it has one (the coinbase passed CheckOdaTransaction). */
std::optional<Result> CoinbaseResult(const CTransaction& coinbase);

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_BLOCK_RULES_H
