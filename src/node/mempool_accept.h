// AcceptToMemoryPool: the gate every unconfirmed transaction passes (from
// peers, sendrawtransaction, the wallet, and after a reorg). It runs the checks
// of doc/policy.md "Acceptance" in order and, unless test_accept, adds the
// transaction to the pool.
//
// Two entry points:
//  - AcceptToMemoryPool(chainman, pool, tx, ...): takes the chainstate lock and
//    then the pool lock, and checks against the active chain tip. An ODA
//    transaction whose scoring or inference must run (node/mempool_oda.h) is
//    executed with NEITHER lock held: the checks run up to the execution step,
//    the locks are released, the executor runs on a snapshot of the records it
//    needs, then the locks are taken again and every check runs again against
//    the tip and pool of that moment (either may have changed); the verdict is
//    used if the snapshot is unchanged, else the work runs again (at most
//    MAX_UNLOCKED_EXECUTIONS times, then under the locks).
//  - AcceptToMemoryPoolAt(view, pool, tx, ...): the same checks against an
//    explicit chain view (tip height, median time past, coin lookup, registry).
//    The caller must keep that view stable for the call (hold the chainstate
//    lock). Unit tests, reorg handling and mempool.dat loading use it directly;
//    it executes under the caller's locks unless options.execute_inline is false.
#ifndef ODA_NODE_MEMPOOL_ACCEPT_H
#define ODA_NODE_MEMPOOL_ACCEPT_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <node/mempool.h>
#include <node/mempool_oda.h>
#include <oda/chain/registry.h>
#include <primitives/coin.h>
#include <primitives/transaction.h>

#include <functional>
#include <optional>

/** Outcome of one acceptance attempt. */
struct MempoolAcceptResult {
    enum class ResultType {
        VALID,   //!< passed (and was added unless test_accept)
        INVALID, //!< rejected: see state
        /** Every check before execution passed; `oda_work` must run (options.execute_inline
         *  was false). Nothing was added. */
        NEEDS_EXECUTION,
    };
    ResultType result_type{ResultType::INVALID};
    TxValidationState state;
    CAmount fee{0};    //!< valid only: base fee
    int64_t vsize{0};  //!< valid only (also set for fee-related rejections)
    uint256 wtxid;
    int64_t compute_units{0}; //!< ODA compute units (section 4); set once the registry rules passed
    std::optional<OdaWork> oda_work; //!< NEEDS_EXECUTION only
    /** Valid and added only: the txids this one replaced (a pending update-weights of the same
     *  model and its descendants). */
    std::vector<uint256> replaced;

    bool IsValid() const { return result_type == ResultType::VALID; }
};

/** What acceptance needs to know about the chain it builds on. */
struct MempoolChainView {
    const ConsensusParams* params{nullptr};
    /** Height of the current tip; the transaction would be in block tip_height + 1. */
    int64_t tip_height{0};
    /** Median time past of the tip (lock-time cutoff, as for the next block). */
    int64_t tip_median_time_past{0};
    /** Unspent confirmed output, or nullopt. */
    std::function<std::optional<Coin>(const COutPoint&)> get_coin;
    /** The tip's model registry (oda/chain/registry_rules.h rules, compute units, royalties,
     *  needed files); nullptr = ODA context not checked (tests of plain transfers). */
    const oda::chain::RegistryView* registry{nullptr};
};

/** Options a caller may change per call. */
struct MempoolAcceptOptions {
    bool test_accept{false};   //!< run every check but do not add
    bool bypass_limits{false}; //!< reorg re-adds: skip fee-rate minimums and the size limit
    /** Arrival time to record (mempool.dat keeps it across restarts); unset = now. */
    std::optional<int64_t> accept_time;
    /** Refuse ("max-fee-exceeded") a fee above this rate (sendrawtransaction's maxfeerate);
     *  0 = no limit. */
    CFeeRate max_feerate{0};
    /** Run the executor in this call, under the caller's locks, when it has work and no
     *  matching `oda_verdict` is given. False: return NEEDS_EXECUTION with the work instead. */
    bool execute_inline{true};
    /** A verdict computed by an earlier call without the locks; used if its work equals this
     *  call's snapshot (else ignored). */
    const OdaVerdict* oda_verdict{nullptr};
};

/** Executions without the locks before AcceptToMemoryPool runs the work under them (the
 *  snapshot changed each time: the model changed under a reorg meanwhile). */
static constexpr int MAX_UNLOCKED_EXECUTIONS = 2;

MempoolAcceptResult AcceptToMemoryPoolAt(const MempoolChainView& view, CTxMemPool& pool, const CTransactionRef& tx,
                                         const MempoolAcceptOptions& options);

namespace node {
class ChainstateManager;
}

/** The view of the active tip of `chainman` (coins from its tip cache). The caller holds
 *  chainman.Mutex() for as long as it uses the view. */
MempoolChainView ChainViewAtTip(node::ChainstateManager& chainman);

/** Accept against the active chain of `chainman` (takes its lock, then the pool's; ODA work
 *  runs without them, see the top of this file). The caller must NOT hold chainman.Mutex()
 *  or pool.cs, or the work runs under them. options.execute_inline and oda_verdict are
 *  ignored (this function manages them). */
MempoolAcceptResult AcceptToMemoryPool(node::ChainstateManager& chainman, CTxMemPool& pool, const CTransactionRef& tx,
                                       const MempoolAcceptOptions& options);
MempoolAcceptResult AcceptToMemoryPool(node::ChainstateManager& chainman, CTxMemPool& pool, const CTransactionRef& tx,
                                       bool test_accept, bool bypass_limits = false);

#endif // ODA_NODE_MEMPOOL_ACCEPT_H
