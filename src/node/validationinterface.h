// How the rest of the node learns what validation did (mempool, net, zmq,
// wallet), without validation knowing any of them.
//
// Contract:
// - Observers are called synchronously, in registration order, on the thread
//   that changed the chain and with the chainstate lock held: a callback must
//   be quick, must not call back into ChainstateManager functions that take
//   the lock from another thread, and must not throw (exceptions are caught
//   and logged, and do not undo the chain change).
// - For each block connected: BlockConnected(block, index). For each block
//   disconnected (tip first): BlockDisconnected(block, index).
// - After one ActivateBestChain step that changed the tip: UpdatedBlockTip(new
//   tip, fork point (nullptr if none), initial_download).
// - After a reorg (at least one block disconnected) completes, including the
//   connection of the new blocks: TransactionsDisconnected(txs) ONCE, with the
//   non-coinbase transactions of all disconnected blocks in block order (oldest
//   block first, transactions in block order). The mempool re-adds those that
//   are still valid.
// - Observers must be unregistered before they are destroyed.
#ifndef ODA_NODE_VALIDATIONINTERFACE_H
#define ODA_NODE_VALIDATIONINTERFACE_H

#include <primitives/block.h>
#include <primitives/transaction.h>

#include <memory>
#include <mutex>
#include <vector>

namespace node {

class CBlockIndex;

class ChainstateObserver
{
public:
    virtual ~ChainstateObserver() = default;
    virtual void BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) {}
    virtual void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) {}
    virtual void UpdatedBlockTip(const CBlockIndex* new_tip, const CBlockIndex* fork_point, bool initial_download) {}
    virtual void TransactionsDisconnected(const std::vector<CTransactionRef>& txs) {}
};

/** The observer list. Registration is thread-safe; notification happens under the chainstate lock. */
class ValidationSignals
{
    mutable std::mutex m_mutex;
    std::vector<ChainstateObserver*> m_observers;

    std::vector<ChainstateObserver*> Snapshot() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_observers;
    }

public:
    void Register(ChainstateObserver* observer);
    void Unregister(ChainstateObserver* observer);

    void BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const;
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const;
    void UpdatedBlockTip(const CBlockIndex* new_tip, const CBlockIndex* fork_point, bool initial_download) const;
    void TransactionsDisconnected(const std::vector<CTransactionRef>& txs) const;
};

} // namespace node

#endif // ODA_NODE_VALIDATIONINTERFACE_H
