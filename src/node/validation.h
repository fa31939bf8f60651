// ChainstateManager: the node's view of the block chain. It owns the block
// tree (every known header), the active chain, the UTXO set and the model
// registry (one LevelDB + in-memory caches, flushed together: node/state_cache.h),
// the blk/rev files and the optional transaction index, and
// decides which chain is best (most work; ties go to the chain whose tip block
// arrived first).
//
// Locking: one std::recursive_mutex (Mutex(), the role of Bitcoin Core's
// cs_main) guards all of it. Public functions take it themselves; a caller
// that reads several things consistently (e.g. an RPC reading the tip and then
// its coins) holds `std::lock_guard lock(chainman.Mutex())` around the reads.
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
#include <node/txindex.h>
#include <node/undo.h>
#include <node/validationinterface.h>
#include <primitives/block.h>
#include <script/verify.h>

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
    bool txindex{false};                    //!< -txindex
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

struct ChainTip {
    const CBlockIndex* index;
    int branch_length;
    std::string status; //!< "active", "valid-fork", "valid-headers", "headers-only", "invalid"
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
    bool Load(std::string& error);

    std::recursive_mutex& Mutex() const { return m_cs; }
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
                         BlockValidationState* state = nullptr);
    /** Connects/disconnects blocks until the tip is the most-work valid block. */
    bool ActivateBestChain(BlockValidationState& state);

    /** Marks a block (and its descendants) invalid, moving the tip off it. */
    bool InvalidateBlock(BlockValidationState& state, CBlockIndex* index);
    /** Clears invalidity flags of the block, its ancestors and descendants, then activates. */
    bool ReconsiderBlock(BlockValidationState& state, CBlockIndex* index);
    /** Checks that `block` would be valid on top of the current tip (nothing is stored). */
    bool TestBlockValidity(const CBlock& block, BlockValidationState& state, bool check_pow = true,
                           bool check_merkle_root = true);

    std::vector<ChainTip> GetChainTips() const;
    const CChain& ActiveChain() const { return m_chain; }
    const CBlockIndex* ActiveTip() const;
    int ActiveHeight() const;
    const CBlockIndex* BestHeader() const;
    /** The UTXO set at the tip. Hold Mutex() while using it. */
    CoinsViewCache& CoinsTip() { return m_state_tip->Coins(); }
    CoinsViewDB& CoinsDB() { return m_state_db->CoinsDB(); }
    /** The model registry at the tip (doc/oda-protocol.md section 2.5). Hold Mutex(). */
    const oda::chain::RegistryView& RegistryTip() const { return m_state_tip->Registry(); }
    /** The registry as last flushed (FlushStateToDisk(ALWAYS) first to see the tip). */
    const RegistryViewDB& RegistryDB() const { return m_state_db->RegistryDB(); }
    CBlockIndex* LookupBlockIndex(const uint256& hash) const;
    bool ReadBlock(const CBlockIndex* index, CBlock& block, std::string* error = nullptr) const;
    bool ReadUndo(const CBlockIndex* index, BlockUndo& undo, std::string* error = nullptr) const;
    /** True until the tip is recent (within 24 h of now); latches to false. */
    bool IsInitialBlockDownload() const;
    /** Fraction (0..1) of the chain's transactions the tip has, estimated from its time. */
    double GuessVerificationProgress(const CBlockIndex* index) const;
    /** Bytes of blk/rev files. */
    uint64_t SizeOnDisk() const;
    TxIndex* GetTxIndex() { return m_txindex.get(); }
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

    // Low-level steps, exposed for tests and the reindex path. Callers hold Mutex().
    /** Applies block's transactions to view (coins and registry), filling undo. just_check:
     *  no side effects outside `view` (used by TestBlockValidity). */
    bool ConnectBlock(const CBlock& block, BlockValidationState& state, CBlockIndex* index, StateCache& view,
                      BlockUndo& undo, bool just_check = false);
    /** Reverts the block in view (coins and registry) from its undo record. */
    DisconnectResult DisconnectBlock(const CBlock& block, const CBlockIndex* index, StateCache& view);

private:
    const ChainParams& m_params;
    ChainstateOptions m_options;
    mutable std::recursive_mutex m_cs;
    ValidationSignals m_signals;

    struct HashHasher {
        size_t operator()(const uint256& h) const { return static_cast<size_t>(h.GetUint64(0)); }
    };
    std::unordered_map<uint256, CBlockIndex, HashHasher> m_block_index;
    struct WorkOrder {
        bool operator()(const CBlockIndex* a, const CBlockIndex* b) const;
    };
    /** Blocks with data whose whole ancestry has data, at least as much work as the tip. */
    std::set<CBlockIndex*, WorkOrder> m_candidates;
    /** parent -> children whose data arrived before the parent's. */
    std::multimap<CBlockIndex*, CBlockIndex*> m_unlinked;
    std::set<CBlockIndex*> m_dirty_index;
    CChain m_chain;
    CBlockIndex* m_best_header{nullptr};
    CBlockIndex* m_best_invalid{nullptr};
    int32_t m_next_sequence_id{2};
    mutable bool m_ibd_done{false};
    int64_t m_last_flush_time{0};
    int64_t m_last_index_write{0};
    /** The last block found invalid and why (ProcessNewBlock reports it to submitblock). */
    std::pair<uint256, BlockValidationState> m_last_invalid;

    std::unique_ptr<BlockTreeDB> m_block_tree;
    std::unique_ptr<BlockStore> m_block_store;
    /** chainstate/ (coins + registry) and the tip cache over it (node/state_cache.h). */
    std::unique_ptr<ChainstateDB> m_state_db;
    std::unique_ptr<StateCache> m_state_tip;
    std::unique_ptr<TxIndex> m_txindex;
    std::unique_ptr<CheckQueue<ScriptCheck>> m_check_queue;
    size_t m_coins_cache_bytes{0};
    std::atomic<bool> m_fatal{false};
    mutable std::mutex m_fatal_mutex; //!< guards the two below
    std::string m_fatal_message;
    std::function<void(const std::string&)> m_fatal_handler;
    /** Faults of m_options.test_fault apply only after Load() (start-up writes succeed). */
    bool m_faults_armed{false};

    /** Throws the injected failure when `point` is the armed test fault. */
    void MaybeInjectFault(const char* point) const;
    /** Throws BlockStoreError when fewer than MIN_DISK_SPACE + `additional` bytes are free. */
    void CheckDiskSpace(uint64_t additional) const;
    /** Refuses work after a fatal error (fills state). */
    bool RefuseAfterFatal(BlockValidationState& state) const;
    bool ActivateBestChainLocked(BlockValidationState& state);
    void FlushStateToDiskLocked(FlushMode mode);

    bool ProcessNewBlockLocked(const std::shared_ptr<const CBlock>& block, bool force_processing, bool* new_block,
                               BlockValidationState* state_out);
    CBlockIndex* AddToBlockIndex(const CBlockHeader& header, const uint256& hash);
    CBlockIndex* InsertBlockIndex(const uint256& hash);
    bool AcceptBlockHeader(const CBlockHeader& header, BlockValidationState& state, CBlockIndex** out);
    bool ContextualCheckBlockHeader(const CBlockHeader& header, BlockValidationState& state, const CBlockIndex* prev) const;
    bool ContextualCheckBlock(const CBlock& block, BlockValidationState& state, const CBlockIndex* prev) const;
    bool AcceptBlock(const std::shared_ptr<const CBlock>& block, BlockValidationState& state, CBlockIndex** out,
                     bool force_processing, const FlatFilePos* known_pos, bool* new_block);
    void ReceivedBlockTransactions(const CBlock& block, CBlockIndex* index, const FlatFilePos& pos);
    bool ConnectTip(BlockValidationState& state, CBlockIndex* index, std::shared_ptr<const CBlock> block,
                    std::vector<std::shared_ptr<const CBlock>>& connected);
    bool DisconnectTip(BlockValidationState& state, std::vector<CTransactionRef>* disconnected_txs);
    CBlockIndex* FindMostWorkChain();
    bool ActivateBestChainStep(BlockValidationState& state, CBlockIndex* target, bool& invalid_found,
                               std::vector<std::vector<CTransactionRef>>& disconnected);
    void InvalidBlockFound(CBlockIndex* index, const BlockValidationState& state);
    void InvalidChainFound(CBlockIndex* index);
    void PruneCandidates();
    void RebuildCandidates();
    void SetDirty(CBlockIndex* index) { m_dirty_index.insert(index); }
    bool ShouldSkipScripts(const CBlockIndex* index) const;

    bool LoadBlockIndex();
    void Reindex();
    bool LoadChainTip(std::string& error);
    void WriteBlockIndex();
};

} // namespace node

#endif // ODA_NODE_VALIDATION_H
