// ChainstateManager: the node's view of the block chain. It owns the block
// tree (every known header), the active chain, the UTXO set and the model
// registry (one LevelDB + in-memory caches, flushed together: node/state_cache.h),
// the blk/rev files, and
// decides which chain is best (most work; ties go to the chain whose tip block
// arrived first).
//
// Locking: one RecursiveMutex (Mutex(), the role of Bitcoin Core's cs_main)
// guards the block tree, the active chain, the UTXO set and the block files;
// every guarded member is GUARDED_BY(m_cs) and clang's thread-safety analysis
// (contrib/devtools/check-thread-safety.sh, run by contrib/test.sh) checks the
// contracts below:
//  - Take the lock themselves (callers may hold it or not): ActiveTip,
//    ActiveHeight, BestHeader, GetChainTips, IsInitialBlockDownload,
//    ProcessNewBlockHeaders, TestBlockValidity, FlushStateToDisk, SizeOnDisk,
//    ReadBlock, ReadUndo, Load.
//  - Require the caller to hold it (EXCLUSIVE_LOCKS_REQUIRED), because they
//    return references into guarded state that are only valid under the lock:
//    ActiveChain, CoinsTip, CoinsDB, LookupBlockIndex, ConnectBlock,
//    DisconnectBlock. A caller writes `LOCK(chainman.Mutex());` (Mutex() is
//    LOCK_RETURNED(m_cs), so the analysis knows which lock that is) and holds it
//    for as long as it uses what they return.
//  - Must be called WITHOUT it (LOCKS_EXCLUDED): ActivateBestChain,
//    ProcessNewBlock, InvalidateBlock, ReconsiderBlock. ActivateBestChain
//    connects in bounded steps and releases the lock between them so RPC and
//    P2P run while a long chain is connected (see ActivateBestChain); a caller
//    holding the lock would keep it held across the steps.
// Lock order: m_activate_mutex, then m_cs, then the mempool's cs; m_fatal_mutex
// is a leaf (taken with or without m_cs, never while taking another).
// Pointers to CBlockIndex stay valid for the manager's lifetime.
//
// Failure modes: invalid blocks/headers are reported through
// BlockValidationState (reject reasons as Bitcoin Core's). A disk or database
// failure (a block/undo file that cannot be written or read, a LevelDB error,
// fewer than MIN_DISK_SPACE free bytes before block or undo data is written)
// is fatal: FatalError() logs "Error: <message>" (debug.log and stderr),
// latches the fatal flag and calls the fatal-error handler once (odad's asks
// the node to shut down). From then on ProcessNewBlock, ProcessNewBlockHeaders,
// ActivateBestChain (and mempool acceptance, which checks FatalErrorOccurred())
// refuse with state.Error(). Nothing half-done is written: each step of a flush
// (block/undo files, then the block index, then the UTXO set) is atomic and a
// failed step stops the later ones, so the data directory always restarts on a
// consistent state (the shutdown flush may still write what preceded the fault).
// A corrupt database found by Load() is a user-readable error, not a crash.
//
// Notifications: observers registered on Signals() are told about connected
// and disconnected blocks, tip changes and, once per reorg, the transactions
// of the disconnected blocks (see validationinterface.h).
#ifndef ODA_NODE_VALIDATION_H
#define ODA_NODE_VALIDATION_H

#include <consensus/chainparams.h>
#include <consensus/validation.h>
#include <node/blockindex.h>
#include <node/blockstorage.h>
#include <node/checkqueue.h>
#include <node/coins.h>
#include <node/coinsdb.h>
#include <node/state_cache.h>
#include <node/undo.h>
#include <node/validationinterface.h>
#include <oda/chain/executor.h>
#include <primitives/block.h>
#include <script/verify.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

class MockableClock;

namespace node {

struct ChainstateOptions {
    std::string datadir;                    //!< the network's data directory (blocks/, chainstate/ go below)
    int64_t dbcache_bytes{450LL << 20};     //!< -dbcache: split between LevelDB caches and the coins cache
    int script_threads{0};                  //!< -par: extra script-check threads (0 = caller only)
    bool reindex{false};                    //!< -reindex: rebuild block index and UTXO set from blk files
    bool reindex_chainstate{false};         //!< -reindex-chainstate: rebuild the UTXO set only
    /** -assumevalid: signatures of this block's ancestors (and itself) are not checked.
     *  Everything else (amounts, UTXO set, commitments) still is. Null = check all. */
    uint256 assumevalid;
    const MockableClock* clock{nullptr};    //!< "now" for the future-time rule (nullptr: system clock)
    /** -testfaultinject (tests only): once Load() has finished, make one kind of write fail
     *  as a real disk would: "blockwrite", "undowrite", "coinsflush" or "diskspace" (free
     *  space reads as 0). Empty: none. Anything else is rejected by Load(). */
    std::string test_fault;
};

/** Free bytes below which no block or undo data is written (the node stops instead). */
static constexpr uint64_t MIN_DISK_SPACE = 50ULL << 20;

/** One script check: input `input` of `tx` against `txdata` (shared, read-only). */
struct ScriptCheck {
    const CTransaction* tx{nullptr};
    unsigned input{0};
    const PrecomputedTxData* txdata{nullptr};
    bool operator()() const { return VerifyInputSpend(*tx, input, *txdata, nullptr); }
};

enum class FlushMode { IF_NEEDED, PERIODIC, ALWAYS };
enum class DisconnectResult { OK, UNCLEAN, FAILED };

/** A block that cannot be judged yet because the node lacks files its ODA transactions need
 *  (doc/oda-protocol.md section 5): neither valid nor invalid. */
struct WaitingBlock {
    uint256 hash;
    int height{0};
    std::vector<oda::chain::Commitment> missing; //!< the files the executor lacked (first-seen order)
    std::string reason;                          //!< ConnectBlock's message (which transaction)
};

/** Told when a block starts or stops waiting for files (ChainstateManager::SetDataWaitHandler).
 *  Both are called with Mutex() held and must not call back into the manager (they register
 *  and release the files with the file store, whose lock comes after Mutex()). */
struct DataWaitHandler {
    /** The block waits for `missing` (called again with the new list when a retry still lacks
     *  a file). A file may have arrived while the block was being connected: the handler then
     *  schedules RetryWaitingBlocks on another thread (never calls it from here). */
    std::function<void(const WaitingBlock&)> on_wait;
    /** The block stopped waiting: it connected, was found invalid, or left the candidates. */
    std::function<void(const WaitingBlock&)> on_release;
};

struct ChainTip {
    const CBlockIndex* index;
    int branch_length;
    /** "active", "valid-fork", "valid-headers", "headers-only", "invalid", or
     *  "waiting-for-data" (the tip or one of its ancestors off the active chain waits). */
    std::string status;
    std::optional<WaitingBlock> waiting; //!< status "waiting-for-data": the block that waits
};

class ChainstateManager
{
public:
    ChainstateManager(const ChainParams& params, ChainstateOptions options);
    /** Flushes everything to disk. */
    ~ChainstateManager();
    ChainstateManager(const ChainstateManager&) = delete;
    ChainstateManager& operator=(const ChainstateManager&) = delete;

    /** Opens the databases, loads the block index and UTXO set (creating the genesis state
     *  on first start, rebuilding on -reindex/-reindex-chainstate), reconnects blocks the UTXO
     *  set is behind by after a crash, and activates the best chain. False with a
     *  user-readable error (e.g. "... corrupted ... restart with -reindex") on failure. */
    bool Load(std::string& error) LOCKS_EXCLUDED(m_activate_mutex);

    RecursiveMutex& Mutex() const LOCK_RETURNED(m_cs) { return m_cs; }
    ValidationSignals& Signals() { return m_signals; }
    const ChainParams& Params() const { return m_params; }
    const ConsensusParams& Consensus() const { return m_params.GetConsensus(); }

    /** Adds valid headers to the block tree. `last` gets the index of the last one. */
    bool ProcessNewBlockHeaders(const std::vector<CBlockHeader>& headers, BlockValidationState& state,
                                const CBlockIndex** last = nullptr);
    /** Checks and stores a block, then activates the best chain. new_block (if given) tells
     *  whether the block was new to us. Returns false when the block is invalid or could not
     *  be stored; `state` (if given) then holds the reason. A valid block that is not on the
     *  best chain returns true. force_processing: store even if it is not (yet) on a chain
     *  with more work than the tip (always true for blocks we asked for / submitblock).
     *  A disk/database failure returns false with state->IsError() (never throws). */
    bool ProcessNewBlock(const std::shared_ptr<const CBlock>& block, bool force_processing, bool* new_block,
                         BlockValidationState* state = nullptr) LOCKS_EXCLUDED(m_cs, m_activate_mutex);
    /** Connects/disconnects blocks until the tip is the most-work valid block. Works in
     *  steps of at most MAX_BLOCKS_PER_STEP connected blocks (a reorg's disconnections and
     *  the connections that bring the tip back above the old tip's work are one step) and
     *  releases Mutex() between steps, so other threads see each step's tip; it returns
     *  only once the best valid chain is reached (or on failure). */
    bool ActivateBestChain(BlockValidationState& state) LOCKS_EXCLUDED(m_cs, m_activate_mutex);
    /** Blocks connected per ActivateBestChain step before the lock is released. */
    static constexpr int MAX_BLOCKS_PER_STEP = 8;
    /** Tests only: called after every ActivateBestChain step, with Mutex() NOT held. */
    void SetActivateStepHookForTest(std::function<void()> hook) { m_step_hook = std::move(hook); }

    /** The waiting state (doc/oda-protocol.md section 5). A block whose connection reports
     *  BLOCK_DATA_UNAVAILABLE is neither marked failed nor persisted: it is kept in memory with
     *  its missing files, it and its descendants stay candidates, and chain selection skips
     *  any chain through it (as through a block without data) until RetryWaitingBlocks(). A
     *  more-work chain of other blocks still wins; a block that leaves the candidates (less
     *  work than the tip, or invalidated) stops waiting. After a restart nothing waits: the
     *  start-up activation connects the block again and finds its files missing again. */
    std::vector<WaitingBlock> GetWaitingBlocks() const; // takes the lock (callers may hold it)
    /** The waiting block at or below `index` off the active chain, if any. */
    std::optional<WaitingBlock> WaitingFor(const CBlockIndex* index) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Lets every waiting block be connected again (a file arrived), then activates the best
     *  chain. Blocks still lacking a file wait again (their missing list updated). */
    bool RetryWaitingBlocks(BlockValidationState& state) LOCKS_EXCLUDED(m_cs, m_activate_mutex);
    /** Set before Load() (blocks found waiting at start-up are reported too); empty = none. */
    void SetDataWaitHandler(DataWaitHandler handler) LOCKS_EXCLUDED(m_cs)
    {
        LOCK(m_cs);
        m_wait_handler = std::move(handler);
    }

    /** Marks a block (and its descendants) invalid, moving the tip off it. */
    bool InvalidateBlock(BlockValidationState& state, CBlockIndex* index) LOCKS_EXCLUDED(m_cs, m_activate_mutex);
    /** Clears invalidity flags of the block, its ancestors and descendants, then activates. */
    bool ReconsiderBlock(BlockValidationState& state, CBlockIndex* index) LOCKS_EXCLUDED(m_cs, m_activate_mutex);
    /** Checks that `block` would be valid on top of the current tip (nothing is stored). */
    bool TestBlockValidity(const CBlock& block, BlockValidationState& state, bool check_pow = true,
                           bool check_merkle_root = true);

    std::vector<ChainTip> GetChainTips() const;
    const CChain& ActiveChain() const EXCLUSIVE_LOCKS_REQUIRED(m_cs) { return m_chain; }
    const CBlockIndex* ActiveTip() const;
    int ActiveHeight() const;
    const CBlockIndex* BestHeader() const;
    /** The UTXO set at the tip. Hold Mutex() while using it. */
    CoinsViewCache& CoinsTip() EXCLUSIVE_LOCKS_REQUIRED(m_cs) { return m_state_tip->Coins(); }
    CoinsViewDB& CoinsDB() EXCLUSIVE_LOCKS_REQUIRED(m_cs) { return m_state_db->CoinsDB(); }
    /** The model registry at the tip (doc/oda-protocol.md section 2.5). */
    const oda::chain::RegistryView& RegistryTip() const EXCLUSIVE_LOCKS_REQUIRED(m_cs) { return m_state_tip->Registry(); }
    /** The registry as last flushed (FlushStateToDisk(ALWAYS) first to see the tip). */
    const RegistryViewDB& RegistryDB() const EXCLUSIVE_LOCKS_REQUIRED(m_cs) { return m_state_db->RegistryDB(); }
    CBlockIndex* LookupBlockIndex(const uint256& hash) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool ReadBlock(const CBlockIndex* index, CBlock& block, std::string* error = nullptr) const;
    bool ReadUndo(const CBlockIndex* index, BlockUndo& undo, std::string* error = nullptr) const;
    /** True until the tip is recent (within 24 h of now); latches to false. */
    bool IsInitialBlockDownload() const;
    /** Fraction (0..1) of the chain's transactions the tip has, estimated from its time. */
    double GuessVerificationProgress(const CBlockIndex* index) const;
    /** Bytes of blk/rev files. */
    uint64_t SizeOnDisk() const;
    /** Current "now" (mock time if set), for header time checks. */
    int64_t Now() const;

    /** Writes block files, block index and (when due or forced) the UTXO cache, in that
     *  order. False after a disk/database failure (which is then a FatalError). */
    bool FlushStateToDisk(FlushMode mode);

    /** Called once, with the message of the first fatal error, from the thread that hit it
     *  (which may hold Mutex() or an observer's lock: the handler must only signal, e.g.
     *  request shutdown as odad's does). Called at once if a fatal error already occurred. */
    void SetFatalErrorHandler(std::function<void(const std::string&)> handler);
    /** Latches the fatal flag, logs "Error: <message>" to debug.log and stderr and calls the
     *  handler; later calls only log. Thread-safe; does not take Mutex(), so observers
     *  (e.g. a wallet that cannot write a connected block) may call it too.
     *  Always returns false (for `return FatalError(...)`). */
    bool FatalError(const std::string& message);
    bool FatalErrorOccurred() const { return m_fatal.load(); }

    /** The executor that re-runs ODA work while blocks connect (oda/chain/executor.h); nullptr
     *  (the default) trusts claimed scores and results, as the -assumevalid path does. Set
     *  once, before Load(); it must outlive this object (or be reset to nullptr first). */
    void SetOdaExecutor(oda::chain::OdaExecutor* executor) LOCKS_EXCLUDED(m_cs)
    {
        LOCK(m_cs);
        m_oda_executor = executor;
    }
    /** The executor set above (nullptr: none), e.g. for block assembly. */
    oda::chain::OdaExecutor* GetOdaExecutor() const EXCLUSIVE_LOCKS_REQUIRED(m_cs) { return m_oda_executor; }

    // Low-level steps, exposed for tests and the reindex path. Callers hold Mutex().
    /** Applies block's transactions to view (coins and registry), filling undo. When the
     *  block cannot be judged because a file is missing, state is BLOCK_DATA_UNAVAILABLE
     *  ("oda-data-unavailable") and `missing_files` (if given) lists the files lacked. It has no side
     *  effects outside `view` and `undo` (TestBlockValidity relies on that): the caller stores
     *  the undo data. */
    bool ConnectBlock(const CBlock& block, BlockValidationState& state, CBlockIndex* index, StateCache& view,
                      BlockUndo& undo, std::vector<oda::chain::Commitment>* missing_files = nullptr)
        EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Reverts the block in view (coins and registry) from its undo record. */
    DisconnectResult DisconnectBlock(const CBlock& block, const CBlockIndex* index, StateCache& view)
        EXCLUSIVE_LOCKS_REQUIRED(m_cs);

private:
    const ChainParams& m_params;
    ChainstateOptions m_options;
    /** Held across a whole ActivateBestChain (all its steps), so only one thread moves the
     *  tip at a time and each caller returns on the best chain. Taken before m_cs. */
    ::Mutex m_activate_mutex ACQUIRED_BEFORE(m_cs); // ::Mutex: the type, not the accessor Mutex()
    mutable RecursiveMutex m_cs;
    std::function<void()> m_step_hook; //!< set by tests before use, read by ActivateBestChain
    ValidationSignals m_signals;

    struct HashHasher {
        size_t operator()(const uint256& h) const { return static_cast<size_t>(h.GetUint64(0)); }
    };
    std::unordered_map<uint256, CBlockIndex, HashHasher> m_block_index GUARDED_BY(m_cs);
    struct WorkOrder {
        bool operator()(const CBlockIndex* a, const CBlockIndex* b) const;
    };
    /** Blocks with data whose whole ancestry has data, at least as much work as the tip. */
    std::set<CBlockIndex*, WorkOrder> m_candidates GUARDED_BY(m_cs);
    /** parent -> children whose data arrived before the parent's. */
    std::multimap<CBlockIndex*, CBlockIndex*> m_unlinked GUARDED_BY(m_cs);
    std::set<CBlockIndex*> m_dirty_index GUARDED_BY(m_cs);
    CChain m_chain GUARDED_BY(m_cs);
    CBlockIndex* m_best_header GUARDED_BY(m_cs){nullptr};
    CBlockIndex* m_best_invalid GUARDED_BY(m_cs){nullptr};
    int32_t m_next_sequence_id GUARDED_BY(m_cs){2};
    mutable bool m_ibd_done GUARDED_BY(m_cs){false};
    int64_t m_last_flush_time GUARDED_BY(m_cs){0};
    int64_t m_last_index_write GUARDED_BY(m_cs){0};
    /** The last block found invalid and why (ProcessNewBlock reports it to submitblock). */
    std::pair<uint256, BlockValidationState> m_last_invalid GUARDED_BY(m_cs);

    std::unique_ptr<BlockTreeDB> m_block_tree GUARDED_BY(m_cs);
    std::unique_ptr<BlockStore> m_block_store GUARDED_BY(m_cs);
    /** chainstate/ (coins + registry) and the tip cache over it (node/state_cache.h). */
    std::unique_ptr<ChainstateDB> m_state_db GUARDED_BY(m_cs);
    std::unique_ptr<StateCache> m_state_tip GUARDED_BY(m_cs);
    std::unique_ptr<CheckQueue<ScriptCheck>> m_check_queue GUARDED_BY(m_cs);
    oda::chain::OdaExecutor* m_oda_executor GUARDED_BY(m_cs){nullptr};
    /** Blocks waiting for files (memory only, see GetWaitingBlocks). `retry`: may be connected
     *  again (RetryWaitingBlocks); until then chain selection skips chains through it. */
    struct WaitEntry {
        WaitingBlock block;
        bool retry{false};
    };
    std::map<const CBlockIndex*, WaitEntry> m_waiting GUARDED_BY(m_cs);
    DataWaitHandler m_wait_handler GUARDED_BY(m_cs);
    size_t m_coins_cache_bytes GUARDED_BY(m_cs){0};
    std::atomic<bool> m_fatal{false};
    mutable ::Mutex m_fatal_mutex;
    std::string m_fatal_message GUARDED_BY(m_fatal_mutex);
    std::function<void(const std::string&)> m_fatal_handler GUARDED_BY(m_fatal_mutex);
    /** Faults of m_options.test_fault apply only after Load() (start-up writes succeed). */
    bool m_faults_armed GUARDED_BY(m_cs){false};

    /** Throws the injected failure when `point` is the armed test fault. */
    void MaybeInjectFault(const char* point) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Throws BlockStoreError when fewer than MIN_DISK_SPACE + `additional` bytes are free. */
    void CheckDiskSpace(uint64_t additional) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Refuses work after a fatal error (fills state). */
    bool RefuseAfterFatal(BlockValidationState& state) const LOCKS_EXCLUDED(m_fatal_mutex);
    /** ActivateBestChain's loop: steps under m_cs, the lock released between them. An
     *  exception (disk/database failure) becomes FatalError(fatal_prefix + ": " + what). */
    bool ActivateBestChainInSteps(BlockValidationState& state, const std::string& fatal_prefix)
        LOCKS_EXCLUDED(m_cs, m_activate_mutex);
    /** One step: connects at most max_blocks blocks (INT_MAX: no limit) once the tip has more
     *  work than at the start of the step (so a reorg is never left below the old tip's work).
     *  `reached`: the tip is now the most-work valid chain. Fires UpdatedBlockTip when the
     *  tip moved and TransactionsDisconnected when blocks were disconnected. */
    bool ActivateBestChainLocked(BlockValidationState& state, int max_blocks, bool& reached)
        EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Tells observers about the transactions of the disconnected blocks (tip first). */
    void NotifyDisconnected(const std::vector<std::vector<CTransactionRef>>& disconnected) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void FlushStateToDiskLocked(FlushMode mode) EXCLUSIVE_LOCKS_REQUIRED(m_cs);

    /** ProcessNewBlock's storing part: checks and stores the block (index: its entry). */
    bool ProcessNewBlockLocked(const std::shared_ptr<const CBlock>& block, bool force_processing, bool* new_block,
                               BlockValidationState* state_out, CBlockIndex*& index) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    CBlockIndex* AddToBlockIndex(const CBlockHeader& header, const uint256& hash) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    CBlockIndex* InsertBlockIndex(const uint256& hash) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool AcceptBlockHeader(const CBlockHeader& header, BlockValidationState& state, CBlockIndex** out) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool ContextualCheckBlockHeader(const CBlockHeader& header, BlockValidationState& state, const CBlockIndex* prev) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool ContextualCheckBlock(const CBlock& block, BlockValidationState& state, const CBlockIndex* prev) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool AcceptBlock(const std::shared_ptr<const CBlock>& block, BlockValidationState& state, CBlockIndex** out,
                     bool force_processing, const FlatFilePos* known_pos, bool* new_block) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void ReceivedBlockTransactions(const CBlock& block, CBlockIndex* index, const FlatFilePos& pos) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool ConnectTip(BlockValidationState& state, CBlockIndex* index, std::shared_ptr<const CBlock> block,
                    std::vector<std::shared_ptr<const CBlock>>& connected,
                    std::vector<oda::chain::Commitment>* missing_files = nullptr) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool DisconnectTip(BlockValidationState& state, std::vector<CTransactionRef>* disconnected_txs) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    CBlockIndex* FindMostWorkChain() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Moves the tip towards target; stops early once `budget` connected blocks are used up
     *  and the tip has more work than step_start (decrements budget per connected block). */
    bool ActivateBestChainStep(BlockValidationState& state, CBlockIndex* target, bool& invalid_found,
                               std::vector<std::vector<CTransactionRef>>& disconnected, int& budget,
                               const CBlockIndex* step_start) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void InvalidBlockFound(CBlockIndex* index, const BlockValidationState& state) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void InvalidChainFound(CBlockIndex* index) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** ConnectTip reported BLOCK_DATA_UNAVAILABLE: the block waits (logged, handler told). */
    void BlockWaitsForData(CBlockIndex* index, const BlockValidationState& state,
                           std::vector<oda::chain::Commitment> missing) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** The block stopped waiting (`why` is logged); tells the handler. */
    void StopWaiting(const CBlockIndex* index, const char* why) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Does chain selection skip `index` (it waits and is not due for a retry)? */
    bool SkipsWaiting(const CBlockIndex* index) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    /** Drops waiting blocks that failed or that no candidate goes through any more. */
    void ForgetStaleWaiting() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void PruneCandidates() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void RebuildCandidates() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void SetDirty(CBlockIndex* index) EXCLUSIVE_LOCKS_REQUIRED(m_cs) { m_dirty_index.insert(index); }
    bool ShouldSkipScripts(const CBlockIndex* index) const EXCLUSIVE_LOCKS_REQUIRED(m_cs);

    bool LoadBlockIndex() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void Reindex() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    bool LoadChainTip(std::string& error) EXCLUSIVE_LOCKS_REQUIRED(m_cs);
    void WriteBlockIndex() EXCLUSIVE_LOCKS_REQUIRED(m_cs);
};

} // namespace node

#endif // ODA_NODE_VALIDATION_H
