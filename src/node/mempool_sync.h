// Keeps the mempool in step with the active chain. Registered on the
// ChainstateManager's signals (node/validationinterface.h) at start-up:
//  - BlockConnected: the block's transactions leave the pool and pool
//    transactions conflicting with them are removed (with descendants);
//  - TransactionsDisconnected (once per reorg, after the new blocks are
//    connected): the disconnected blocks' transactions are offered to the pool
//    again, in block order, without fee/size limits; failures are dropped.
//    Then every pool transaction the new chain made invalid (missing input,
//    immature coinbase spend, not final) is removed with its descendants, and
//    the pool is trimmed to -maxmempool.
//  - After a connected block that is not part of a reorg, and after the whole
//    reorg (never half-way: an infer on a model the stale branch added must
//    survive until the new branch has added it again): ODA entries the new tip's registry no longer admits (a better
//    update confirmed, a model or version gone, a royalty owner changed) are
//    removed with their descendants (MemPoolRemovalReason::ODA_STALE).
// Callbacks run with the chainstate lock held (the observer contract); they
// take the pool's lock after it, which is the node's lock order.
#ifndef ODA_NODE_MEMPOOL_SYNC_H
#define ODA_NODE_MEMPOOL_SYNC_H

#include <node/mempool.h>
#include <node/mempool_accept.h>
#include <node/validationinterface.h>
#include <util/sync.h>
#include <util/threadsafety.h>

namespace node {
class ChainstateManager;
}

class MempoolChainSync : public node::ChainstateObserver
{
    node::ChainstateManager& m_chainman;
    CTxMemPool& m_pool;

    /** Between a BlockDisconnected and the TransactionsDisconnected that ends the reorg. */
    ::Mutex m_mutex;
    bool m_in_reorg GUARDED_BY(m_mutex){false};

    /** Removes the ODA entries that `view` (the tip, chain lock held) no longer admits. */
    void RemoveStaleOda(const MempoolChainView& view);

public:
    MempoolChainSync(node::ChainstateManager& chainman, CTxMemPool& pool) : m_chainman(chainman), m_pool(pool) {}

    void BlockConnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index) override;
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const node::CBlockIndex* index) override;
    void TransactionsDisconnected(const std::vector<CTransactionRef>& txs) override;
};

#endif // ODA_NODE_MEMPOOL_SYNC_H
