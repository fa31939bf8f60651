// AcceptToMemoryPool against the active chain of a ChainstateManager.
#include <node/mempool_accept.h>

#include <node/validation.h>
#include <oda/chain/registry_rules.h>
#include <util/logging.h>

MempoolChainView ChainViewAtTip(node::ChainstateManager& chainman)
{
    // The contract (mempool_accept.h): the caller holds the chain lock while it uses the view.
    AssertLockHeld(chainman.Mutex());
    MempoolChainView view;
    view.params = &chainman.Consensus();
    const node::CBlockIndex* tip = chainman.ActiveTip();
    view.tip_height = tip ? tip->height : -1;
    view.tip_median_time_past = tip ? tip->GetMedianTimePast() : 0;
    // Called only while the caller holds the chain lock (a MempoolChainView is used under it).
    view.get_coin = [&chainman](const COutPoint& outpoint) {
        AssertLockHeld(chainman.Mutex());
        return chainman.CoinsTip().GetCoin(outpoint);
    };
    view.registry = &chainman.RegistryTip();
    return view;
}

MempoolAcceptResult AcceptToMemoryPool(node::ChainstateManager& chainman, CTxMemPool& pool, const CTransactionRef& tx,
                                       const MempoolAcceptOptions& caller_options)
{
    MempoolAcceptOptions options = caller_options;
    std::optional<OdaVerdict> verdict;
    MempoolAcceptResult result;
    for (int attempt = 0;; ++attempt) {
        {
            LOCK(chainman.Mutex());
            if (chainman.FatalErrorOccurred()) {
                // The chain state may be behind what was written: accept nothing until restarted.
                MempoolAcceptResult refused;
                refused.state.Error("shutting down after a fatal error");
                return refused;
            }
            // Every check runs again on each attempt: the tip and the pool may have changed
            // while the locks were released. The verdict is reused when the snapshot is equal.
            options.oda_verdict = verdict ? &*verdict : nullptr;
            options.execute_inline = attempt >= MAX_UNLOCKED_EXECUTIONS;
            result = AcceptToMemoryPoolAt(ChainViewAtTip(chainman), pool, tx, options);
        }
        if (result.result_type != MempoolAcceptResult::ResultType::NEEDS_EXECUTION) break;
        // Both locks are released here: scoring and inference run on the snapshot alone.
        verdict = RunOdaWork(*pool.Options().oda_executor, *result.oda_work);
        if (attempt > 0) {
            LogDebug(BCLog::MEMPOOL, "AcceptToMemoryPool: %s executed again (the registry changed meanwhile)\n",
                     tx->GetTxid().GetHex().c_str());
        }
    }
    if (!options.test_accept) {
        if (result.IsValid()) {
            LogDebug(BCLog::MEMPOOL, "AcceptToMemoryPool: accepted %s (fee %lld, vsize %lld, %lld CU, pool size %u)\n",
                     tx->GetTxid().GetHex().c_str(), static_cast<long long>(result.fee),
                     static_cast<long long>(result.vsize), static_cast<long long>(result.compute_units),
                     static_cast<unsigned>(pool.Size()));
            for (const uint256& old : result.replaced) {
                LogDebug(BCLog::MEMPOOL, "AcceptToMemoryPool: %s replaced %s\n", tx->GetTxid().GetHex().c_str(),
                         old.GetHex().c_str());
            }
        } else {
            LogDebug(BCLog::MEMPOOL, "AcceptToMemoryPool: %s rejected: %s\n", tx->GetTxid().GetHex().c_str(),
                     result.state.ToString().c_str());
        }
    }
    return result;
}

MempoolAcceptResult AcceptToMemoryPool(node::ChainstateManager& chainman, CTxMemPool& pool, const CTransactionRef& tx,
                                       bool test_accept, bool bypass_limits)
{
    MempoolAcceptOptions options;
    options.test_accept = test_accept;
    options.bypass_limits = bypass_limits;
    return AcceptToMemoryPool(chainman, pool, tx, options);
}
