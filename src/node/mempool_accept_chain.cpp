// AcceptToMemoryPool against the active chain of a ChainstateManager.
#include <node/mempool_accept.h>

#include <node/validation.h>

MempoolChainView ChainViewAtTip(node::ChainstateManager& chainman)
{
    MempoolChainView view;
    view.params = &chainman.Consensus();
    const node::CBlockIndex* tip = chainman.ActiveTip();
    view.tip_height = tip ? tip->height : -1;
    view.tip_median_time_past = tip ? tip->GetMedianTimePast() : 0;
    view.get_coin = [&chainman](const COutPoint& outpoint) { return chainman.CoinsTip().GetCoin(outpoint); };
    return view;
}

MempoolAcceptResult AcceptToMemoryPool(node::ChainstateManager& chainman, CTxMemPool& pool, const CTransactionRef& tx,
                                       bool test_accept, bool bypass_limits)
{
    std::lock_guard<std::recursive_mutex> lock(chainman.Mutex());
    MempoolAcceptOptions options;
    options.test_accept = test_accept;
    options.bypass_limits = bypass_limits;
    return AcceptToMemoryPoolAt(ChainViewAtTip(chainman), pool, tx, options);
}
