// Runs a block's independent checks (one per input signature) on a pool of
// worker threads plus the calling thread.
//
// Contract: Run(checks) returns the index of the FIRST failing check in
// vector order, or std::nullopt when all pass -- exactly what a serial loop
// returns, whatever the number of threads or their timing. (Checks after a
// known failure may be skipped; checks before it never are.) A check is any
// T with `bool operator()() const`; it must not throw (a throwing check
// counts as failed). Run() is not reentrant: one block at a time (callers
// hold the chainstate lock).
#ifndef ODA_NODE_CHECKQUEUE_H
#define ODA_NODE_CHECKQUEUE_H

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace node {

template <typename T>
class CheckQueue
{
    static constexpr size_t BATCH = 16;

    std::mutex m_mutex;
    std::condition_variable m_work_cv;
    std::condition_variable m_done_cv;
    std::vector<std::thread> m_workers;
    bool m_stop{false};
    uint64_t m_generation{0};   //!< bumped for each Run(); workers wait for a new one
    int m_active{0};            //!< workers still inside the current run

    const std::vector<T>* m_checks{nullptr};
    std::atomic<size_t> m_next{0};
    std::atomic<size_t> m_first_fail{SIZE_MAX};

    void Work()
    {
        const std::vector<T>& checks = *m_checks;
        for (;;) {
            size_t start = m_next.fetch_add(BATCH);
            // Batches beyond a known failure cannot change the answer.
            if (start >= checks.size() || start > m_first_fail.load()) return;
            size_t end = std::min(start + BATCH, checks.size());
            for (size_t i = start; i < end; ++i) {
                bool ok;
                try {
                    ok = checks[i]();
                } catch (...) {
                    ok = false;
                }
                if (!ok) {
                    size_t cur = m_first_fail.load();
                    while (i < cur && !m_first_fail.compare_exchange_weak(cur, i)) {}
                    break; // the rest of this batch comes after the failure
                }
            }
        }
    }

    void WorkerLoop()
    {
        uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            m_work_cv.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) return;
            seen = m_generation;
            lock.unlock();
            Work();
            lock.lock();
            if (--m_active == 0) m_done_cv.notify_all();
        }
    }

public:
    /** worker_threads extra threads (0 = checks run on the caller only). */
    explicit CheckQueue(int worker_threads)
    {
        for (int i = 0; i < worker_threads; ++i) m_workers.emplace_back([this] { WorkerLoop(); });
    }
    ~CheckQueue()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_work_cv.notify_all();
        for (auto& t : m_workers) t.join();
    }
    CheckQueue(const CheckQueue&) = delete;
    CheckQueue& operator=(const CheckQueue&) = delete;

    int WorkerCount() const { return static_cast<int>(m_workers.size()); }

    std::optional<size_t> Run(const std::vector<T>& checks)
    {
        m_checks = &checks;
        m_next = 0;
        m_first_fail = SIZE_MAX;
        // Small jobs are not worth waking anyone.
        const bool parallel = !m_workers.empty() && checks.size() > BATCH;
        if (parallel) {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_active = static_cast<int>(m_workers.size());
            ++m_generation;
        }
        if (parallel) m_work_cv.notify_all();
        Work(); // the caller works too
        if (parallel) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_done_cv.wait(lock, [&] { return m_active == 0; });
        }
        m_checks = nullptr;
        size_t fail = m_first_fail.load();
        if (fail == SIZE_MAX) return std::nullopt;
        return fail;
    }
};

} // namespace node

#endif // ODA_NODE_CHECKQUEUE_H
