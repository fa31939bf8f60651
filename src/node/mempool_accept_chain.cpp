// AcceptToMemoryPool against the active chain of a ChainstateManager.
#include <node/mempool_accept.h>

#include <node/validation.h>
#include <oda/chain/registry_rules.h>
#include <util/logging.h>

MempoolChainView ChainViewAtTip(node::ChainstateManager& chainman)
{
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
    view.check_registry = [&chainman](const CTransaction& tx, TxValidationState& state) {
        AssertLockHeld(chainman.Mutex());
        return oda::chain::CheckRegistryTransaction(chainman.RegistryTip(), tx, static_cast<uint32_t>(chainman.ActiveHeight() + 1),
                                                    chainman.Consensus(), state);
    };
    return view;
}

MempoolAcceptResult AcceptToMemoryPool(node::ChainstateManager& chainman, CTxMemPool& pool, const CTransactionRef& tx,
                                       bool test_accept, bool bypass_limits)
{
    LOCK(chainman.Mutex());
    if (chainman.FatalErrorOccurred()) {
        // The chain state may be behind what was written: accept nothing until restarted.
        MempoolAcceptResult refused;
        refused.state.Error("shutting down after a fatal error");
        return refused;
    }
    MempoolAcceptOptions options;
    options.test_accept = test_accept;
    options.bypass_limits = bypass_limits;
    MempoolAcceptResult result = AcceptToMemoryPoolAt(ChainViewAtTip(chainman), pool, tx, options);
    if (!test_accept) {
        if (result.IsValid()) {
            LogDebug(BCLog::MEMPOOL, "AcceptToMemoryPool: accepted %s (fee %lld, vsize %lld, pool size %u)\n",
                     tx->GetTxid().GetHex().c_str(), static_cast<long long>(result.fee),
                     static_cast<long long>(result.vsize), static_cast<unsigned>(pool.Size()));
        } else {
            LogDebug(BCLog::MEMPOOL, "AcceptToMemoryPool: %s rejected: %s\n", tx->GetTxid().GetHex().c_str(),
                     result.state.ToString().c_str());
        }
    }
    return result;
}
