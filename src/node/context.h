// NodeContext: everything a running odad owns, in one object (no global node state).
//
// The executable creates one NodeContext, init fills it step by step, RPC handlers reach it
// through JSONRPCRequest::context, and shutdown empties it in reverse order.
//
// Adding a member for a new subsystem: forward-declare the type below and add a
// std::shared_ptr (or a raw pointer when something else owns it). shared_ptr rather than
// unique_ptr because it can be destroyed where the type is incomplete, so this header never
// needs the subsystem's header and no layer has to include another to destroy a context;
// ownership is still single by convention (assign with std::make_unique / reset()).
// Members are destroyed in reverse order of declaration; StopNodeSubsystems() resets them
// explicitly in the right order anyway.
#ifndef ODA_NODE_CONTEXT_H
#define ODA_NODE_CONTEXT_H

#include <util/logging.h>
#include <util/time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

class ArgsManager;
class ChainParams;
class CTxMemPool;
class MempoolChainSync;
namespace node {
class BlockDataWaiter;
class ChainstateManager;
class EngineExecutor;
class InternalMiner;
class TxIndex;
class InferenceIndex;
} // namespace node
namespace oda::storage {
class FileStore;
} // namespace oda::storage
class CRPCTable;
class DirectoryLock;
class WalletManager;
class ZmqNotifier;
namespace net {
class AddrMan;
class BanMan;
class CConnman;
class PeerManager;
} // namespace net

struct NodeContext {
    NodeContext();
    ~NodeContext();
    NodeContext(const NodeContext&) = delete;
    NodeContext& operator=(const NodeContext&) = delete;

    //! Options (owned by the executable's main()).
    ArgsManager* args{nullptr};
    //! The logger; init installs it as the process-wide log target (SetGlobalLogger).
    std::unique_ptr<BCLog::Logger> logger;
    //! "Now" for node logic; `setmocktime` moves it.
    MockableClock clock;
    //! When the node started (unix seconds, system clock), for `uptime`.
    int64_t start_time{0};
    //! Lock on the network's data directory, held while the node runs.
    std::unique_ptr<DirectoryLock> datadir_lock;

    // Subsystems, filled by StartNodeSubsystems() (node/subsystems.cpp).
    std::shared_ptr<const ChainParams> chainparams;
    //! Model files (weights, datasets) under <datadir>/odafiles/ (oda/storage/file_store.h).
    std::shared_ptr<oda::storage::FileStore> file_store;
    //! Re-runs ODA work (scores, inferences) over file_store, with its content cache
    //! (node/oda_executor.h). Used by validation and the mempool; reset before file_store.
    std::shared_ptr<node::EngineExecutor> oda_executor;
    std::shared_ptr<node::ChainstateManager> chainman;
    //! Registers the files of blocks waiting for data and retries them (node/data_wait.h).
    std::shared_ptr<node::BlockDataWaiter> data_waiter;
    //! -txindex (node/txindex.h; nullptr without it). Registered on chainman's signals.
    std::shared_ptr<node::TxIndex> txindex;
    //! Infer txid -> block and result position (node/inference_index.h; always on), for getinference.
    std::shared_ptr<node::InferenceIndex> inference_index;
    std::shared_ptr<CTxMemPool> mempool;
    //! Keeps the mempool in step with the chain (registered on chainman's signals).
    std::shared_ptr<MempoolChainSync> mempool_sync;
    //! -mine: the built-in miner (node/internal_miner.h; nullptr without it).
    std::shared_ptr<node::InternalMiner> miner;

    //! Loaded wallets (wallet service; nullptr with -disablewallet or without the wallet build).
    std::shared_ptr<WalletManager> wallet_manager;
    //! ZeroMQ publisher (zmq service; nullptr without -zmqpub* options or without the zmq build).
    //! Registered on chainman's signals, so it is destroyed before the chainstate.
    std::shared_ptr<ZmqNotifier> zmq_notifier;
    // P2P (net/init.cpp, the "p2p" service).
    std::shared_ptr<net::AddrMan> addrman;
    std::shared_ptr<net::BanMan> banman;
    std::shared_ptr<net::CConnman> connman;
    std::shared_ptr<net::PeerManager> peerman;

    //! RPC command table while the RPC server runs (owned by the RPC service), else nullptr.
    CRPCTable* rpc_table{nullptr};

    /** Asks the node to stop (RPC `stop`, signals, fatal errors). Thread-safe, idempotent. */
    void RequestShutdown();
    bool ShutdownRequested() const { return m_shutdown_requested.load(); }
    /** Blocks until RequestShutdown() was called or the timeout passed; true if requested. */
    bool WaitForShutdown(std::chrono::milliseconds timeout);

private:
    std::atomic<bool> m_shutdown_requested{false};
    std::mutex m_shutdown_mutex;
    std::condition_variable m_shutdown_cv;
};

#endif // ODA_NODE_CONTEXT_H
