// InternalMiner: the built-in miner behind -mine=<address> (doc/mining.md).
//
// Each of its threads loops: build a template on the active tip (BlockAssembler: mempool
// transactions under the weight and compute limits, the coinbase with its ODA result output,
// node/miner.h), grind the nonce in chunks, move to the next extra nonce when the 32-bit
// nonce space is used up, and submit a solved block through ProcessNewBlock like any other
// block. Between chunks it rebuilds the template when the tip changed or the template is older
// than `refresh` (so new mempool transactions get in), and stops when asked. Threads start
// from distinct extra nonces so they never grind the same header.
//
// Contract: Start() once; Stop() (also the destructor) asks the threads to stop and joins
// them; a submission in progress finishes first. Stop() must run before the chainstate and
// the mempool go away (node/init.cpp stops the miner first at shutdown). A template that
// cannot be built (e.g. a fatal error stopped validation) is logged and retried after a pause;
// after a fatal error the threads stop. Every block found is logged with its hash and height.
#ifndef ODA_NODE_INTERNAL_MINER_H
#define ODA_NODE_INTERNAL_MINER_H

#include <primitives/transaction.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

class ArgsManager;
class CTxMemPool;
struct NodeContext;

namespace node {
class ChainstateManager;

struct InternalMinerOptions {
    ScriptBytes coinbase_script;          //!< where the coinbase pays (-mine=<address>)
    int threads{1};                       //!< -minethreads
    std::chrono::milliseconds pace{0};    //!< -minepace: pause after each block found (tests, demos)
    std::chrono::milliseconds refresh{5000}; //!< rebuild the template at least this often
};

/** Limits of -minethreads. */
static constexpr int DEFAULT_MINE_THREADS = 1;
static constexpr int MAX_MINE_THREADS = 64;

class InternalMiner
{
public:
    InternalMiner(ChainstateManager& chainman, const CTxMemPool* mempool, InternalMinerOptions options);
    ~InternalMiner();
    InternalMiner(const InternalMiner&) = delete;
    InternalMiner& operator=(const InternalMiner&) = delete;

    void Start() EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    void Stop() EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Blocks found and accepted by ProcessNewBlock so far. */
    uint64_t BlocksFound() const { return m_found.load(); }

private:
    void Work(int thread_index) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Sleeps up to `d`; false when asked to stop. */
    bool Pause(std::chrono::milliseconds d) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    bool Stopping() const { return m_stop.load(); }

    ChainstateManager& m_chainman;
    const CTxMemPool* m_mempool;
    const InternalMinerOptions m_options;
    std::atomic<bool> m_stop{false};
    std::atomic<uint64_t> m_found{0};
    Mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::thread> m_threads;
};

/** Registers -mine, -minethreads, -minepace. */
void AddMinerArgs(ArgsManager& args);
/** Reads the miner options; without -mine leaves node.miner empty. An unusable address or
 *  thread count is an init error (false + error). The miner is created, not started. */
bool CreateInternalMiner(NodeContext& node, std::string& error);

} // namespace node

#endif // ODA_NODE_INTERNAL_MINER_H
