#include <node/mempool_sync.h>

#include <consensus/tx_verify.h>
#include <node/mempool_accept.h>
#include <node/validation.h>

void MempoolChainSync::BlockConnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index)
{
    m_pool.RemoveForBlock(block->vtx, index ? uint32_t(index->height) : 0);
}

void MempoolChainSync::TransactionsDisconnected(const std::vector<CTransactionRef>& txs)
{
    LOCK(m_chainman.Mutex());
    const node::CBlockIndex* tip = m_chainman.ActiveTip();
    if (!tip) return;
    MempoolChainView view = ChainViewAtTip(m_chainman);
    MempoolAcceptOptions opts;
    opts.bypass_limits = true;
    LOCK(m_pool.cs);
    for (const CTransactionRef& tx : txs) {
        if (tx->IsCoinBase()) continue;
        AcceptToMemoryPoolAt(view, m_pool, tx, opts); // failures are dropped
    }
    // Entries the new chain invalidated.
    const int64_t next_height = view.tip_height + 1;
    const int32_t maturity = view.params->coinbase_maturity;
    m_pool.RemoveForReorg([&](const CTxMemPoolEntry& e) {
        const CTransaction& tx = e.GetTx();
        if (!IsFinalTx(tx, next_height, view.tip_median_time_past)) return true;
        for (const CTxIn& in : tx.vin) {
            if (m_pool.Exists(in.prevout.hash)) continue;
            std::optional<Coin> coin = view.get_coin(in.prevout);
            if (!coin) return true;
            if (coin->coinbase && next_height - int64_t(coin->height) < maturity) return true;
        }
        return false;
    });
    m_pool.LimitSize();
}
