// BlockDataWaiter: connects the chainstate's waiting state (node/validation.h,
// GetWaitingBlocks; doc/oda-protocol.md section 5) to the model file store.
//
// Contract:
//  - A block that starts waiting has each missing file registered with the store as
//    Need(commitment, "block <hash>"); the registration is withdrawn (Release) when the block
//    connects, is found invalid, or leaves the candidates. The store's needed set is memory
//    only, like the waiting state: after a restart the start-up activation finds the block
//    waiting again and registers again (Start() runs before ChainstateManager::Load()).
//  - When the store reports a file available (an `importmodelfile`, later a download), the
//    waiting blocks are retried (ChainstateManager::RetryWaitingBlocks) on this object's own
//    thread, never inside the store's listener: the listener runs on the importing thread
//    (an RPC thread) and only signals. A file that arrived while its block was being connected
//    (Need answers "already held") schedules a retry the same way, once per file and block (a
//    held file that validation still cannot use is logged, not retried in a loop).
//  - Thread-safe. Stop() (also the destructor) unregisters from both and joins the thread; a
//    retry in progress finishes first.
#ifndef ODA_NODE_DATA_WAIT_H
#define ODA_NODE_DATA_WAIT_H

#include <oda/chain/payload.h>
#include <uint256.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

namespace oda::storage {
class FileStore;
} // namespace oda::storage

namespace node {
class ChainstateManager;
struct WaitingBlock;

class BlockDataWaiter
{
public:
    BlockDataWaiter(ChainstateManager& chainman, oda::storage::FileStore& store);
    ~BlockDataWaiter();
    BlockDataWaiter(const BlockDataWaiter&) = delete;
    BlockDataWaiter& operator=(const BlockDataWaiter&) = delete;

    /** Registers the chainstate handler and the store listener and starts the retry thread. */
    void Start() EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    void Stop() EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Retries completed so far (for tests and logs). */
    uint64_t Retries() const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    /** The reason a block registers its files under ("block <hash>", shown by getmodelfiles). */
    static std::string ReasonFor(const WaitingBlock& block);

private:
    void ScheduleRetry() EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    void Run() EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    ChainstateManager& m_chainman;
    oda::storage::FileStore& m_store;
    mutable Mutex m_mutex;
    std::condition_variable m_cv;
    bool m_due GUARDED_BY(m_mutex){false};
    bool m_stopping GUARDED_BY(m_mutex){false};
    bool m_started GUARDED_BY(m_mutex){false};
    uint64_t m_retries GUARDED_BY(m_mutex){0};
    /** Per waiting block, the held files that a retry was already scheduled for. */
    std::map<uint256, std::vector<oda::chain::Commitment>> m_retried_held GUARDED_BY(m_mutex);
    uint64_t m_listener_id{0};
    std::thread m_thread;
};

} // namespace node

#endif // ODA_NODE_DATA_WAIT_H
