// AcceptToMemoryPool: the gate every unconfirmed transaction passes (from
// peers, sendrawtransaction, the wallet, and after a reorg). It runs the checks
// of doc/policy.md "Acceptance" in order and, unless test_accept, adds the
// transaction to the pool.
//
// Two entry points:
//  - AcceptToMemoryPool(chainman, pool, tx, ...): takes the chainstate lock and
//    then the pool lock, and checks against the active chain tip.
//  - AcceptToMemoryPoolAt(view, pool, tx, ...): the same checks against an
//    explicit chain view (tip height, median time past, coin lookup). The
//    caller must keep that view stable for the call (hold the chainstate lock).
//    Unit tests and reorg handling use it directly.
#ifndef ODA_NODE_MEMPOOL_ACCEPT_H
#define ODA_NODE_MEMPOOL_ACCEPT_H

#include <consensus/params.h>
#include <consensus/validation.h>
#include <node/mempool.h>
#include <primitives/coin.h>
#include <primitives/transaction.h>

#include <functional>
#include <optional>

/** Outcome of one acceptance attempt. */
struct MempoolAcceptResult {
    enum class ResultType {
        VALID,   //!< passed (and was added unless test_accept)
        INVALID, //!< rejected: see state
    };
    ResultType result_type{ResultType::INVALID};
    TxValidationState state;
    CAmount fee{0};    //!< valid only: base fee
    int64_t vsize{0};  //!< valid only (also set for fee-related rejections)
    uint256 wtxid;

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
    /** The contextual ODA registry rules against the tip's registry (oda/chain/registry_rules.h);
     *  unset = not checked. False with the state's reject reason. */
    std::function<bool(const CTransaction&, TxValidationState&)> check_registry;
};

/** Options a caller may change per call. */
struct MempoolAcceptOptions {
    bool test_accept{false};   //!< run every check but do not add
    bool bypass_limits{false}; //!< reorg re-adds: skip fee-rate minimums and the size limit
    /** Arrival time to record (mempool.dat keeps it across restarts); unset = now. */
    std::optional<int64_t> accept_time;
};

MempoolAcceptResult AcceptToMemoryPoolAt(const MempoolChainView& view, CTxMemPool& pool, const CTransactionRef& tx,
                                         const MempoolAcceptOptions& options);

namespace node {
class ChainstateManager;
}

/** The view of the active tip of `chainman` (coins from its tip cache). The caller holds
 *  chainman.Mutex() for as long as it uses the view. */
MempoolChainView ChainViewAtTip(node::ChainstateManager& chainman);

/** Accept against the active chain of `chainman` (takes its lock, then the pool's). */
MempoolAcceptResult AcceptToMemoryPool(node::ChainstateManager& chainman, CTxMemPool& pool, const CTransactionRef& tx,
                                       bool test_accept, bool bypass_limits = false);

#endif // ODA_NODE_MEMPOOL_ACCEPT_H
