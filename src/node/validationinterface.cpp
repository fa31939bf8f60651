#include <node/validationinterface.h>

#include <util/logging.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <thread>

namespace node {
namespace {

// Validation must not fail because an observer did: log and continue.
template <typename F>
void Guarded(const char* what, F&& f)
{
    try {
        f();
    } catch (const std::exception& e) {
        LogPrintf("observer %s failed: %s\n", what, e.what());
    } catch (...) {
        LogPrintf("observer %s failed\n", what);
    }
}

} // namespace

// The QUEUED side. All members are guarded by ValidationSignals::m_mutex, which the
// notification thread holds only between callbacks, never during one.
struct ValidationSignals::Queue {
    using Event = std::function<void(ChainstateObserver&)>;
    struct Item {
        const char* what;
        Event event;
        uint64_t number; //!< 1 for the first event ever queued, then one more per event
    };
    struct Observer {
        ChainstateObserver* observer;
        uint64_t registered_after; //!< gets only events with a higher number than this
    };

    std::vector<Observer> observers;

    bool Has(const ChainstateObserver* o) const
    {
        return std::any_of(observers.begin(), observers.end(), [&](const Observer& e) { return e.observer == o; });
    }
    std::deque<Item> events;
    //! Events ever queued / fully delivered: SyncWithQueue() waits for delivered to reach queued.
    uint64_t queued{0};
    uint64_t delivered{0};
    //! The observer whose callback is running now, so that Unregister() can wait for it.
    ChainstateObserver* running{nullptr};
    bool stop{false};
    std::condition_variable cv;
    std::thread thread;
};

ValidationSignals::ValidationSignals() : m_queue{std::make_unique<Queue>()} {}

ValidationSignals::~ValidationSignals()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_queue->stop = true;
    }
    m_queue->cv.notify_all();
    if (m_queue->thread.joinable()) m_queue->thread.join();
}

void ValidationSignals::NotificationThread()
{
    Queue& q = *m_queue;
    std::unique_lock<std::mutex> lock(m_mutex);
    while (true) {
        q.cv.wait(lock, [&] { return q.stop || !q.events.empty(); });
        if (q.events.empty()) return; // stopping, and everything was delivered
        Queue::Item item = std::move(q.events.front());
        q.events.pop_front();
        // Only observers that were registered when the event happened (and still are) get it:
        // one registering under the chainstate lock sees each later change exactly once.
        const std::vector<Queue::Observer> targets = q.observers;
        for (const Queue::Observer& t : targets) {
            ChainstateObserver* o = t.observer;
            if (t.registered_after >= item.number || !q.Has(o)) continue;
            q.running = o;
            lock.unlock();
            Guarded(item.what, [&] { item.event(*o); });
            lock.lock();
            q.running = nullptr;
            q.cv.notify_all();
        }
        ++q.delivered;
        q.cv.notify_all();
    }
}

void ValidationSignals::Enqueue(const char* what, std::function<void(ChainstateObserver&)> event) const
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_queue->observers.empty()) return; // nobody would get it
        ++m_queue->queued;
        m_queue->events.push_back(Queue::Item{what, std::move(event), m_queue->queued});
    }
    m_queue->cv.notify_all();
}

void ValidationSignals::Register(ChainstateObserver* observer, ObserverDelivery delivery)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (std::find(m_observers.begin(), m_observers.end(), observer) != m_observers.end()) return;
    if (m_queue->Has(observer)) return;
    if (delivery == ObserverDelivery::SYNCHRONOUS) {
        m_observers.push_back(observer);
        return;
    }
    m_queue->observers.push_back(Queue::Observer{observer, m_queue->queued});
    if (!m_queue->thread.joinable()) m_queue->thread = std::thread([this] { NotificationThread(); });
}

void ValidationSignals::Unregister(ChainstateObserver* observer)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_observers.erase(std::remove(m_observers.begin(), m_observers.end(), observer), m_observers.end());
    auto& queued = m_queue->observers;
    queued.erase(std::remove_if(queued.begin(), queued.end(), [&](const Queue::Observer& e) { return e.observer == observer; }),
                 queued.end());
    // An observer unregistering itself from its own callback cannot wait for that callback.
    if (std::this_thread::get_id() == m_queue->thread.get_id()) return;
    m_queue->cv.wait(lock, [&] { return m_queue->running != observer; });
}

bool ValidationSignals::IsRegistered(const ChainstateObserver* observer) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return std::find(m_observers.begin(), m_observers.end(), observer) != m_observers.end() || m_queue->Has(observer);
}

void ValidationSignals::SyncWithQueue()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    // Called from a callback, the queue cannot advance until it returns: nothing to wait for.
    if (std::this_thread::get_id() == m_queue->thread.get_id()) return;
    const uint64_t target = m_queue->queued;
    m_queue->cv.wait(lock, [&] { return m_queue->delivered >= target; });
}

// Each event goes to the SYNCHRONOUS observers now, then is copied (shared_ptrs, states,
// vectors by value) onto the queue for the QUEUED ones.

void ValidationSignals::TransactionAddedToMempool(const CTransactionRef& tx, uint64_t sequence) const
{
    for (auto* o : Snapshot()) Guarded("TransactionAddedToMempool", [&] { o->TransactionAddedToMempool(tx, sequence); });
    Enqueue("TransactionAddedToMempool", [tx, sequence](ChainstateObserver& o) { o.TransactionAddedToMempool(tx, sequence); });
}

void ValidationSignals::TransactionRemovedFromMempool(const CTransactionRef& tx, MemPoolRemovalReason reason,
                                                      uint64_t sequence) const
{
    for (auto* o : Snapshot()) {
        Guarded("TransactionRemovedFromMempool", [&] { o->TransactionRemovedFromMempool(tx, reason, sequence); });
    }
    Enqueue("TransactionRemovedFromMempool", [tx, reason, sequence](ChainstateObserver& o) {
        o.TransactionRemovedFromMempool(tx, reason, sequence);
    });
}

void ValidationSignals::BlockChecked(const std::shared_ptr<const CBlock>& block, const BlockValidationState& state) const
{
    for (auto* o : Snapshot()) Guarded("BlockChecked", [&] { o->BlockChecked(block, state); });
    Enqueue("BlockChecked", [block, state](ChainstateObserver& o) { o.BlockChecked(block, state); });
}

void ValidationSignals::BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const
{
    for (auto* o : Snapshot()) Guarded("BlockConnected", [&] { o->BlockConnected(block, index); });
    Enqueue("BlockConnected", [block, index](ChainstateObserver& o) { o.BlockConnected(block, index); });
}

void ValidationSignals::BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) const
{
    for (auto* o : Snapshot()) Guarded("BlockDisconnected", [&] { o->BlockDisconnected(block, index); });
    Enqueue("BlockDisconnected", [block, index](ChainstateObserver& o) { o.BlockDisconnected(block, index); });
}

void ValidationSignals::UpdatedBlockTip(const CBlockIndex* new_tip, const CBlockIndex* fork_point, bool ibd) const
{
    for (auto* o : Snapshot()) Guarded("UpdatedBlockTip", [&] { o->UpdatedBlockTip(new_tip, fork_point, ibd); });
    Enqueue("UpdatedBlockTip",
            [new_tip, fork_point, ibd](ChainstateObserver& o) { o.UpdatedBlockTip(new_tip, fork_point, ibd); });
}

void ValidationSignals::TransactionsDisconnected(const std::vector<CTransactionRef>& txs) const
{
    for (auto* o : Snapshot()) Guarded("TransactionsDisconnected", [&] { o->TransactionsDisconnected(txs); });
    Enqueue("TransactionsDisconnected", [txs](ChainstateObserver& o) { o.TransactionsDisconnected(txs); });
}

} // namespace node
