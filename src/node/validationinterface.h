// How the rest of the node learns what validation and the mempool did (mempool
// sync, net, zmq, wallet, indexes), without validation knowing any of them.
//
// Contract:
// - Every observer chooses its delivery when it registers:
//   * SYNCHRONOUS: called on the thread that made the change, in registration
//     order, with the chainstate lock held (and, for the mempool events, the
//     pool's lock too). For node-internal observers that must stay in step
//     with the chain (the mempool's chain sync, the peer manager). A callback
//     must be quick and must not wait for another thread that takes those
//     locks.
//   * QUEUED: each event is copied onto one background queue and delivered on
//     the notification thread, in the order the events happened, with no node
//     lock held. For consumers outside validation (wallet, ZeroMQ): a slow one
//     delays only the queue, never validation. SyncWithQueue() waits until
//     everything queued before the call was delivered (RPCs that must see the
//     wallet up to date call it first).
//   Either way a callback must not throw; an exception is caught and logged
//   (debug.log) and does not undo the change.
// - Mempool: TransactionAddedToMempool(tx, sequence) after a transaction
//   entered the pool; TransactionRemovedFromMempool(tx, reason, sequence) for
//   each transaction that left it (a block's own transactions included, with
//   reason BLOCK). `sequence` is the pool's sequence number after the change
//   (getrawmempool's mempool_sequence): it rises by one per addition and per
//   removal, so a subscriber can see that it missed nothing.
// - For each block connected: BlockConnected(block, index). For each block
//   disconnected (tip first): BlockDisconnected(block, index).
// - After one ActivateBestChain step that changed the tip: UpdatedBlockTip(new
//   tip, fork point (nullptr if none), initial_download).
// - After a reorg (at least one block disconnected) completes, including the
//   connection of the new blocks: TransactionsDisconnected(txs) ONCE, with the
//   non-coinbase transactions of all disconnected blocks in block order (oldest
//   block first, transactions in block order). The mempool re-adds those that
//   are still valid.
// - BlockChecked(block, state): once for every block whose full validation
//   finished (connected as part of the chain, or found invalid), even when the
//   verdict comes long after the block arrived; the peer manager uses it to
//   punish the peer that sent an invalid block. A state IsInvalid() with
//   BLOCK_DATA_UNAVAILABLE is no verdict: the block waits for a model file
//   (ChainstateManager::GetWaitingBlocks) and is checked again when it arrives,
//   so BlockChecked can come more than once for it; nobody may be punished for it.
// - CBlockIndex pointers stay valid for the ChainstateManager's lifetime, so
//   queued observers may keep them.
// - Observers must be unregistered before they are destroyed. Unregister()
//   returns once no callback of that observer is running or will run.
#ifndef ODA_NODE_VALIDATIONINTERFACE_H
#define ODA_NODE_VALIDATIONINTERFACE_H

#include <consensus/validation.h>
#include <node/mempool_removal_reason.h>
#include <primitives/block.h>
#include <primitives/transaction.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace node {

class CBlockIndex;

class ChainstateObserver
{
public:
    virtual ~ChainstateObserver() = default;
    virtual void TransactionAddedToMempool(const CTransactionRef& tx, uint64_t mempool_sequence) {}
    virtual void TransactionRemovedFromMempool(const CTransactionRef& tx, MemPoolRemovalReason reason,
                                               uint64_t mempool_sequence) {}
    virtual void BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) {}
    virtual void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) {}
    virtual void UpdatedBlockTip(const CBlockIndex* new_tip, const CBlockIndex* fork_point, bool initial_download) {}
    virtual void TransactionsDisconnected(const std::vector<CTransactionRef>& txs) {}
    virtual void BlockChecked(const std::shared_ptr<const CBlock>& block, const BlockValidationState& state) {}
};

/** How an observer wants its events (see the contract above). */
enum class ObserverDelivery { SYNCHRONOUS, QUEUED };

/** The observer list. Registration is thread-safe. */
class ValidationSignals
{
    mutable std::mutex m_mutex;
    //! The SYNCHRONOUS observers, in registration order.
    std::vector<ChainstateObserver*> m_observers;
    //! The QUEUED observers, the event queue and its notification thread (validationinterface.cpp).
    //! The thread starts with the first QUEUED registration and is joined by the destructor.
    struct Queue;
    std::unique_ptr<Queue> m_queue;

    std::vector<ChainstateObserver*> Snapshot() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_observers;
    }
    //! Copies `event` onto the queue for the QUEUED observers (nothing when there are none).
    void Enqueue(const char* what, std::function<void(ChainstateObserver&)> event) const;
    void NotificationThread();

public:
    ValidationSignals();
    //! Delivers what is still queued, then joins the notification thread.
    ~ValidationSignals();

    void Register(ChainstateObserver* observer, ObserverDelivery delivery = ObserverDelivery::SYNCHRONOUS);
    void Unregister(ChainstateObserver* observer);
    //! True between Register() and the moment Unregister() takes the observer off the lists
    //! (Unregister may still be waiting for a running callback after that).
    bool IsRegistered(const ChainstateObserver* observer) const;
    /** Blocks until every event queued before this call has been delivered to the QUEUED observers.
     *  Must not be called with the chainstate or mempool lock held. */
    void SyncWithQueue();

    void TransactionAddedToMempool(const CTransactionRef& tx, uint64_t mempool_sequence) const;
    void TransactionRemovedFromMempool(const CTransactionRef& tx, MemPoolRemovalReason reason,
                                       uint64_t mempool_sequence) const;
    void BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const;
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const;
    void UpdatedBlockTip(const CBlockIndex* new_tip, const CBlockIndex* fork_point, bool initial_download) const;
    void TransactionsDisconnected(const std::vector<CTransactionRef>& txs) const;
    void BlockChecked(const std::shared_ptr<const CBlock>& block, const BlockValidationState& state) const;
};

} // namespace node

#endif // ODA_NODE_VALIDATIONINTERFACE_H
