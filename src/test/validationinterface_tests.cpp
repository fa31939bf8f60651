// ValidationSignals: SYNCHRONOUS and QUEUED delivery, SyncWithQueue, Unregister while
// events flow, and that a throwing observer stops neither the change nor the others.
#include <node/validationinterface.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

CTransactionRef Tx(uint32_t tag)
{
    CMutableTransaction mtx;
    mtx.lock_time = tag;
    return MakeTransactionRef(std::move(mtx));
}

// Records the sequence numbers it is given and the thread that delivered them.
struct Recorder : node::ChainstateObserver {
    std::mutex mutex;
    std::vector<uint64_t> seen;
    std::vector<std::thread::id> threads;
    void TransactionAddedToMempool(const CTransactionRef&, uint64_t seq) override
    {
        std::lock_guard<std::mutex> lock(mutex);
        seen.push_back(seq);
        threads.push_back(std::this_thread::get_id());
    }
    std::vector<uint64_t> Seen()
    {
        std::lock_guard<std::mutex> lock(mutex);
        return seen;
    }
};

struct Thrower : node::ChainstateObserver {
    void TransactionAddedToMempool(const CTransactionRef&, uint64_t) override { throw std::runtime_error("observer bug"); }
};

// Blocks in its first callback until released, so a test can hold the queue mid-delivery.
struct Gate : node::ChainstateObserver {
    std::mutex mutex;
    std::condition_variable cv;
    bool entered{false};
    bool released{false};
    std::atomic<int> calls{0};
    void TransactionAddedToMempool(const CTransactionRef&, uint64_t) override
    {
        std::unique_lock<std::mutex> lock(mutex);
        ++calls;
        entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return released; });
    }
    void WaitEntered()
    {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return entered; });
    }
    void Release()
    {
        std::lock_guard<std::mutex> lock(mutex);
        released = true;
        cv.notify_all();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(validationinterface_tests)

BOOST_AUTO_TEST_CASE(queued_in_order_on_another_thread)
{
    node::ValidationSignals signals;
    Recorder sync, queued;
    signals.Register(&sync, node::ObserverDelivery::SYNCHRONOUS);
    signals.Register(&queued, node::ObserverDelivery::QUEUED);
    for (uint64_t i = 1; i <= 500; ++i) signals.TransactionAddedToMempool(Tx(i), i);
    // The synchronous observer has everything as soon as the calls return.
    BOOST_CHECK_EQUAL(sync.Seen().size(), 500U);
    signals.SyncWithQueue();
    const std::vector<uint64_t> seen = queued.Seen();
    BOOST_REQUIRE_EQUAL(seen.size(), 500U);
    for (uint64_t i = 0; i < seen.size(); ++i) BOOST_CHECK_EQUAL(seen[i], i + 1);
    for (const auto& id : queued.threads) BOOST_CHECK(id != std::this_thread::get_id());
    for (const auto& id : sync.threads) BOOST_CHECK(id == std::this_thread::get_id());
    signals.Unregister(&sync);
    signals.Unregister(&queued);
}

BOOST_AUTO_TEST_CASE(sync_with_queue_waits_for_a_slow_observer)
{
    node::ValidationSignals signals;
    Gate gate;
    Recorder after;
    signals.Register(&gate, node::ObserverDelivery::QUEUED);
    signals.Register(&after, node::ObserverDelivery::QUEUED);
    signals.TransactionAddedToMempool(Tx(1), 1);
    gate.WaitEntered();
    std::atomic<bool> synced{false};
    std::thread waiter([&] {
        signals.SyncWithQueue();
        synced = true;
    });
    // While the gate holds the queue, the event has not reached `after` and the waiter
    // cannot have returned: delivery to all observers is what SyncWithQueue waits for.
    BOOST_CHECK(after.Seen().empty());
    BOOST_CHECK(!synced);
    gate.Release();
    waiter.join();
    BOOST_CHECK(synced);
    BOOST_CHECK_EQUAL(after.Seen().size(), 1U);
    signals.Unregister(&gate);
    signals.Unregister(&after);
}

BOOST_AUTO_TEST_CASE(unregister_waits_for_a_running_callback)
{
    node::ValidationSignals signals;
    Gate gate;
    signals.Register(&gate, node::ObserverDelivery::QUEUED);
    signals.TransactionAddedToMempool(Tx(1), 1);
    signals.TransactionAddedToMempool(Tx(2), 2);
    gate.WaitEntered();
    std::atomic<bool> unregistered{false};
    std::thread t([&] {
        signals.Unregister(&gate);
        unregistered = true;
    });
    // Release only once Unregister has taken the observer off the lists, so the second event
    // cannot slip in between the release and the Unregister call.
    while (signals.IsRegistered(&gate)) std::this_thread::yield();
    BOOST_CHECK(!unregistered); // the first callback is still running, so Unregister waits
    gate.Release();
    t.join();
    // After Unregister returned, the second event is never delivered to it.
    signals.TransactionAddedToMempool(Tx(3), 3);
    signals.SyncWithQueue();
    BOOST_CHECK_EQUAL(gate.calls.load(), 1);
}

BOOST_AUTO_TEST_CASE(unregister_while_events_flow)
{
    node::ValidationSignals signals;
    Recorder stays;
    signals.Register(&stays, node::ObserverDelivery::QUEUED);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> produced{0};
    std::thread producer([&] {
        for (uint64_t i = 1; !stop; ++i) {
            signals.TransactionAddedToMempool(Tx(i), i);
            produced = i;
        }
    });
    for (int round = 0; round < 50; ++round) {
        Recorder r;
        signals.Register(&r, node::ObserverDelivery::QUEUED);
        signals.Unregister(&r);
        const size_t n = r.Seen().size();
        // Destroying r right after Unregister is safe only if nothing more arrives.
        std::this_thread::yield();
        BOOST_CHECK_EQUAL(r.Seen().size(), n);
    }
    // The rounds may all finish before the producer thread first runs: let it emit some
    // events, so `stays` has a sequence to check.
    while (produced.load() < 100) std::this_thread::yield();
    stop = true;
    producer.join();
    signals.SyncWithQueue();
    const std::vector<uint64_t> seen = stays.Seen();
    BOOST_REQUIRE(!seen.empty());
    for (size_t i = 1; i < seen.size(); ++i) BOOST_CHECK_EQUAL(seen[i], seen[i - 1] + 1);
    signals.Unregister(&stays);
}

BOOST_AUTO_TEST_CASE(throwing_observer_does_not_stop_delivery)
{
    node::ValidationSignals signals;
    Thrower bad_sync, bad_queued;
    Recorder sync, queued;
    signals.Register(&bad_sync, node::ObserverDelivery::SYNCHRONOUS);
    signals.Register(&sync, node::ObserverDelivery::SYNCHRONOUS);
    signals.Register(&bad_queued, node::ObserverDelivery::QUEUED);
    signals.Register(&queued, node::ObserverDelivery::QUEUED);
    BOOST_CHECK_NO_THROW(signals.TransactionAddedToMempool(Tx(1), 1));
    BOOST_CHECK_NO_THROW(signals.TransactionAddedToMempool(Tx(2), 2));
    signals.SyncWithQueue();
    BOOST_CHECK_EQUAL(sync.Seen().size(), 2U);
    BOOST_CHECK_EQUAL(queued.Seen().size(), 2U);
    for (auto* o : std::vector<node::ChainstateObserver*>{&bad_sync, &sync, &bad_queued, &queued}) signals.Unregister(o);
}

BOOST_AUTO_TEST_CASE(registered_later_gets_only_later_events)
{
    node::ValidationSignals signals;
    Gate gate;
    Recorder late;
    signals.Register(&gate, node::ObserverDelivery::QUEUED);
    signals.TransactionAddedToMempool(Tx(1), 1);
    gate.WaitEntered(); // event 1 is being delivered
    signals.TransactionAddedToMempool(Tx(2), 2);
    signals.Register(&late, node::ObserverDelivery::QUEUED);
    signals.TransactionAddedToMempool(Tx(3), 3);
    gate.Release();
    signals.SyncWithQueue();
    BOOST_CHECK(late.Seen() == std::vector<uint64_t>{3});
    signals.Unregister(&gate);
    signals.Unregister(&late);
}

BOOST_AUTO_TEST_SUITE_END()
