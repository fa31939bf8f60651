#include <node/mempool_sync.h>

#include <consensus/tx_verify.h>
#include <node/mempool_accept.h>
#include <node/mempool_oda.h>
#include <node/validation.h>
#include <util/logging.h>

void MempoolChainSync::RemoveStaleOda(const MempoolChainView& view)
{
    if (!view.registry) return;
    LOCK(m_pool.cs);
    const uint32_t next_height = uint32_t(view.tip_height + 1);
    m_pool.RemoveForReorg(
        [&](const CTxMemPoolEntry& e) {
            if (!e.GetOdaFacts().kind) return false;
            TxValidationState state;
            if (OdaEntryStillValid(e.GetTx(), *view.registry, next_height, *view.params, state)) return false;
            LogDebug(BCLog::MEMPOOL, "Mempool: evicting %s after the tip changed: %s\n", e.GetTxid().GetHex().c_str(),
                     state.ToString().c_str());
            return true;
        },
        MemPoolRemovalReason::ODA_STALE);
}

void MempoolChainSync::BlockConnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index)
{
    m_pool.RemoveForBlock(block->vtx, index ? uint32_t(index->height) : 0);
    // The block may have changed the registry under pool entries: a better update of a model
    // confirmed (a pending update no longer improves), an owner moved (royalty outputs of
    // pending infers no longer match).
    {
        LOCK(m_mutex);
        if (m_in_reorg) return;
    }
    LOCK(m_chainman.Mutex());
    if (!m_chainman.ActiveTip()) return;
    RemoveStaleOda(ChainViewAtTip(m_chainman));
}

void MempoolChainSync::BlockDisconnected(const std::shared_ptr<const CBlock>&, const node::CBlockIndex*)
{
    LOCK(m_mutex);
    m_in_reorg = true;
}

void MempoolChainSync::TransactionsDisconnected(const std::vector<CTransactionRef>& txs)
{
    {
        LOCK(m_mutex);
        m_in_reorg = false;
    }
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
    // Models and versions the new chain lacks, updates it made non-improving, changed owners.
    RemoveStaleOda(view);
    m_pool.LimitSize();
}
