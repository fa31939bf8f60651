#include <node/data_wait.h>

#include <node/validation.h>
#include <oda/storage/file_store.h>
#include <util/logging.h>

#include <algorithm>

namespace node {

BlockDataWaiter::BlockDataWaiter(ChainstateManager& chainman, oda::storage::FileStore& store)
    : m_chainman(chainman), m_store(store)
{
}

BlockDataWaiter::~BlockDataWaiter() { Stop(); }

std::string BlockDataWaiter::ReasonFor(const WaitingBlock& block) { return "block " + block.hash.GetHex(); }

void BlockDataWaiter::Start()
{
    {
        LOCK(m_mutex);
        if (m_started) return;
        m_started = true;
        m_stopping = false;
    }
    DataWaitHandler handler;
    // Both run with the chainstate lock held (validation.h): they only talk to the store,
    // whose lock is taken after the chainstate's, and to this object's mutex (a leaf).
    handler.on_wait = [this](const WaitingBlock& block) {
        bool arrived = false;
        for (const auto& c : block.missing) {
            if (m_store.Need(c, ReasonFor(block))) continue;
            // Held, yet the block lacked it: it came while the block was being connected, so
            // retry. Only once per file and block: a held file the executor still cannot use
            // (unreadable, failing its hash) must not make the retries loop.
            LOCK(m_mutex);
            auto& tried = m_retried_held[block.hash];
            if (std::find(tried.begin(), tried.end(), c) == tried.end()) {
                tried.push_back(c);
                arrived = true;
            } else {
                LogPrintf("Block %s waits for %s, which the file store holds but validation cannot use\n",
                          block.hash.GetHex().c_str(), c.pieces_root.ToHexBytes().c_str());
            }
        }
        if (arrived) ScheduleRetry();
    };
    handler.on_release = [this](const WaitingBlock& block) {
        for (const auto& c : block.missing) m_store.Release(c, ReasonFor(block));
        LOCK(m_mutex);
        m_retried_held.erase(block.hash);
    };
    m_chainman.SetDataWaitHandler(std::move(handler));
    // Called on the thread that made the file available (e.g. importmodelfile's RPC thread),
    // without the store's lock: only signal, the retry runs on our thread.
    m_listener_id = m_store.AddAvailableListener([this](const oda::storage::FileInfo&) { ScheduleRetry(); });
    m_thread = std::thread([this] { Run(); });
}

void BlockDataWaiter::Stop()
{
    {
        LOCK(m_mutex);
        if (!m_started) return;
        m_started = false;
        m_stopping = true;
    }
    m_cv.notify_all();
    m_store.RemoveAvailableListener(m_listener_id);
    m_chainman.SetDataWaitHandler({});
    if (m_thread.joinable()) m_thread.join();
}

uint64_t BlockDataWaiter::Retries() const
{
    LOCK(m_mutex);
    return m_retries;
}

void BlockDataWaiter::ScheduleRetry()
{
    {
        LOCK(m_mutex);
        m_due = true;
    }
    m_cv.notify_all();
}

void BlockDataWaiter::Run()
{
    for (;;) {
        {
            UniqueLock<Mutex> lock(m_mutex);
            while (!m_due && !m_stopping) m_cv.wait(lock);
            if (m_stopping) return;
            m_due = false; // files arriving during the retry schedule another one
        }
        if (!m_chainman.GetWaitingBlocks().empty()) {
            BlockValidationState state;
            if (!m_chainman.RetryWaitingBlocks(state)) {
                LogPrintf("Retrying the blocks that wait for data failed: %s\n", state.ToString().c_str());
            }
        }
        LOCK(m_mutex);
        ++m_retries;
    }
}

} // namespace node
