#include <node/validation.h>

#include <consensus/amount.h>
#include <consensus/block_check.h>
#include <consensus/block_context.h>
#include <consensus/pow.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <oda/chain/block_rules.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <script/sighash.h>
#include <util/logging.h>
#include <util/strencodings.h>
#include <util/time.h>

#include <algorithm>
#include <cinttypes>
#include <deque>
#include <iostream>
#include <limits>
#include <thread>

namespace node {

namespace {
/** A tip older than this means we are still catching up (initial block download). */
constexpr int64_t MAX_TIP_AGE = 24 * 60 * 60;
/** While catching up, the block index is written at most this often (seconds). */
constexpr int64_t INDEX_WRITE_INTERVAL_IBD = 60;
/** The UTXO cache is written at least this often (seconds), else when it is full. */
constexpr int64_t COINS_FLUSH_INTERVAL = 60 * 60;
/** Blocks below this version are rejected (BIP 34/65/66 are active from genesis). */
constexpr int32_t MIN_BLOCK_VERSION = 4;

/** Does the block carry an add-model, update-weights or transfer (a registry change)? */
bool BlockChangesRegistry(const CBlock& block, const ConsensusParams& params)
{
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        std::vector<oda::chain::Payload> payloads;
        TxValidationState ignored;
        if (!oda::chain::CheckOdaTransaction(*block.vtx[i], ignored, params, &payloads)) continue;
        for (const auto& p : payloads) {
            const auto kind = oda::chain::KindOf(p);
            if (kind == oda::chain::PayloadKind::ADD_MODEL || kind == oda::chain::PayloadKind::UPDATE_WEIGHTS ||
                kind == oda::chain::PayloadKind::TRANSFER) {
                return true;
            }
        }
    }
    return false;
}
} // namespace

bool ChainstateManager::WorkOrder::operator()(const CBlockIndex* a, const CBlockIndex* b) const
{
    // begin() is the best: most work, then first received, then (only for
    // determinism within one process) the address.
    int c = CompareChainWork(a->chain_work, b->chain_work);
    if (c != 0) return c > 0;
    if (a->sequence_id != b->sequence_id) return a->sequence_id < b->sequence_id;
    return a < b;
}

ChainstateManager::ChainstateManager(const ChainParams& params, ChainstateOptions options)
    : m_params(params), m_options(std::move(options))
{
}

ChainstateManager::~ChainstateManager()
{
    LOCK(m_cs);
    // A failure here is reported by FatalError (there is nobody left to act on it).
    if (m_state_tip) FlushStateToDisk(FlushMode::ALWAYS);
}

// ------------------------------------------------------------ fatal errors

void ChainstateManager::SetFatalErrorHandler(std::function<void(const std::string&)> handler)
{
    std::string message;
    std::function<void(const std::string&)> call;
    {
        LOCK(m_fatal_mutex);
        m_fatal_handler = std::move(handler);
        if (!m_fatal || !m_fatal_handler) return;
        message = m_fatal_message;
        call = m_fatal_handler;
    }
    call(message);
}

bool ChainstateManager::FatalError(const std::string& message)
{
    LogPrintf("Error: %s\n", message.c_str());
    std::function<void(const std::string&)> handler;
    {
        // Not Mutex(): observers (the wallet) may report from their own locks.
        LOCK(m_fatal_mutex);
        if (m_fatal) return false; // already stopping: the first error was reported
        m_fatal_message = message;
        m_fatal = true;
        handler = m_fatal_handler;
    }
    std::cerr << "Error: " << message << std::endl;
    LogPrintf("A fatal error occurred: the node refuses further validation and shuts down.\n");
    if (handler) handler(message);
    return false;
}

bool ChainstateManager::RefuseAfterFatal(BlockValidationState& state) const
{
    if (!m_fatal) return true;
    LOCK(m_fatal_mutex);
    return state.Error("shutting down after a fatal error: " + m_fatal_message);
}

void ChainstateManager::MaybeInjectFault(const char* point) const
{
    if (!m_faults_armed || m_options.test_fault != point) return;
    const std::string what = std::string("injected fault -testfaultinject=") + point;
    if (m_options.test_fault == "coinsflush") throw DBError(what + ": cannot write " + m_options.datadir + "/chainstate");
    throw BlockStoreError(what + ": write failed (disk full?)");
}

void ChainstateManager::CheckDiskSpace(uint64_t additional) const
{
    const bool faked = m_faults_armed && m_options.test_fault == "diskspace";
    const uint64_t free = faked ? 0 : m_block_store->FreeDiskSpace();
    if (free < MIN_DISK_SPACE + additional) {
        throw BlockStoreError(strprintf("Disk space is too low! %llu MiB free in %s/blocks, at least %llu MiB needed",
                                        static_cast<unsigned long long>(free >> 20), m_options.datadir.c_str(),
                                        static_cast<unsigned long long>((MIN_DISK_SPACE + additional) >> 20)));
    }
}

int64_t ChainstateManager::Now() const
{
    return m_options.clock ? m_options.clock->Now() : GetTime();
}

// ------------------------------------------------------------------ loading

bool ChainstateManager::Load(std::string& error)
{
    LOCK(m_cs);
    const std::string& fault = m_options.test_fault;
    if (!fault.empty() && fault != "blockwrite" && fault != "undowrite" && fault != "coinsflush" && fault != "diskspace") {
        error = "Unknown -testfaultinject point '" + fault + "' (blockwrite, undowrite, coinsflush, diskspace)";
        return false;
    }
    try {
        const std::string blocks_dir = m_options.datadir + "/blocks";
        // -dbcache split: small LevelDB caches, the rest for the in-memory UTXO cache.
        const int64_t total = std::max<int64_t>(m_options.dbcache_bytes, 4 << 20);
        const size_t index_cache = static_cast<size_t>(std::min<int64_t>(total / 8, 8 << 20));
        const size_t coinsdb_cache = static_cast<size_t>(std::min<int64_t>((total - index_cache) / 2, 8 << 20));
        m_coins_cache_bytes = static_cast<size_t>(total - index_cache - coinsdb_cache);

        m_block_tree = std::make_unique<BlockTreeDB>(DBOptions{blocks_dir + "/index", index_cache, m_options.reindex});
        const bool reindexing = m_options.reindex || m_block_tree->IsReindexing();
        m_state_db = std::make_unique<ChainstateDB>(
            DBOptions{m_options.datadir + "/chainstate", coinsdb_cache, reindexing || m_options.reindex_chainstate});
        m_state_tip = std::make_unique<StateCache>(m_state_db.get());
        if (!m_state_db->CoinsDB().GetBestBlock().IsNull() && !m_state_db->RegistryDB().HasFormat()) {
            // Written before the model registry existed: its blocks' ODA transactions were
            // never applied, so the registry must be rebuilt from the blocks.
            error = "The chainstate database (chainstate/) predates the model registry. Restart with -reindex-chainstate.";
            return false;
        }
        m_block_store = std::make_unique<BlockStore>(blocks_dir, m_params.MessageStart());
        m_check_queue = std::make_unique<CheckQueue<ScriptCheck>>(std::max(0, m_options.script_threads));

        if (reindexing) {
            m_block_tree->WriteReindexing(true);
            Reindex();
        } else if (!LoadBlockIndex()) {
            error = "Error loading block database (blocks/index): it is corrupted. Restart with -reindex.";
            return false;
        }

        const CBlock& genesis = m_params.GenesisBlock();
        if (m_block_index.empty()) {
            BlockValidationState state;
            CBlockIndex* index = nullptr;
            auto block = std::make_shared<const CBlock>(genesis);
            if (!AcceptBlock(block, state, &index, true, nullptr, nullptr)) {
                error = "Cannot store the genesis block: " + state.ToString();
                return false;
            }
        } else if (!LookupBlockIndex(genesis.GetHash())) {
            error = "The block database belongs to another network (genesis not found). Check -datadir/-chain.";
            return false;
        }
        if (!LoadChainTip(error)) return false;
        RebuildCandidates();

        BlockValidationState state;
        // The throwing variants: a failure here is an init error (the caller reports it).
        // Start-up connects in one go: nothing else uses the chain yet.
        bool reached = false;
        if (!ActivateBestChainLocked(state, std::numeric_limits<int>::max(), reached)) {
            error = "Cannot activate the best chain: " + state.ToString();
            return false;
        }
        FlushStateToDiskLocked(FlushMode::ALWAYS);
        if (reindexing) m_block_tree->WriteReindexing(false);
        m_faults_armed = !m_options.test_fault.empty();
        LogPrintf("Loaded chain: height=%d best=%s, %u block index entries\n", m_chain.Height(),
                  ActiveTip() ? ActiveTip()->GetBlockHash().GetHex().c_str() : "none",
                  static_cast<unsigned>(m_block_index.size()));
        return true;
    } catch (const BlockStoreError& e) {
        error = std::string("Cannot write or read the block files: ") + e.what();
        return false;
    } catch (const std::exception& e) {
        error = std::string("Error opening the block or chainstate database: ") + e.what() +
                ". Restart with -reindex (or -reindex-chainstate) to rebuild it.";
        return false;
    }
}

CBlockIndex* ChainstateManager::InsertBlockIndex(const uint256& hash)
{
    auto [it, inserted] = m_block_index.try_emplace(hash);
    if (inserted) it->second.phash = &it->first;
    return &it->second;
}

bool ChainstateManager::LoadBlockIndex()
{
    bool ok = true;
    m_block_tree->ForEachBlock([&](const uint256& hash, const DiskBlockIndex& rec) {
        AssertLockHeld(m_cs); // ForEachBlock calls back on this thread
        if (rec.header.GetHash() != hash) {
            ok = false;
            return;
        }
        CBlockIndex* index = InsertBlockIndex(hash);
        index->pprev = rec.hash_prev.IsNull() ? nullptr : InsertBlockIndex(rec.hash_prev);
        index->height = rec.height;
        index->status = rec.status;
        index->tx_count = rec.tx_count;
        index->file = rec.file;
        index->data_pos = rec.data_pos;
        index->undo_pos = rec.undo_pos;
        index->version = rec.header.version;
        index->merkle_root = rec.header.hash_merkle_root;
        index->time = rec.header.time;
        index->bits = rec.header.bits;
        index->nonce = rec.header.nonce;
    });
    if (!ok) return false;

    std::vector<CBlockIndex*> by_height;
    by_height.reserve(m_block_index.size());
    for (auto& [hash, index] : m_block_index) {
        // A parent referenced by a record but never stored itself.
        if (index.bits == 0) return false;
        by_height.push_back(&index);
    }
    std::sort(by_height.begin(), by_height.end(), [](const CBlockIndex* a, const CBlockIndex* b) {
        return a->height < b->height || (a->height == b->height && a->GetBlockHash() < b->GetBlockHash());
    });
    for (CBlockIndex* index : by_height) {
        if (index->pprev && index->pprev->height + 1 != index->height) return false;
        index->chain_work = AddChainWork(index->pprev ? index->pprev->chain_work : uint256(), GetBlockProof(index->bits));
        index->time_max = index->pprev ? std::max(index->pprev->time_max, index->time) : index->time;
        index->sequence_id = 1;
        index->BuildSkip();
        if (index->HaveData()) {
            if (!index->pprev) {
                index->chain_tx = index->tx_count;
            } else if (index->pprev->chain_tx) {
                index->chain_tx = index->pprev->chain_tx + index->tx_count;
            } else {
                index->chain_tx = 0;
                m_unlinked.emplace(index->pprev, index);
            }
        }
        if (index->pprev && (index->pprev->status & BLOCK_FAILED_MASK) && !(index->status & BLOCK_FAILED_MASK)) {
            index->status |= BLOCK_FAILED_CHILD;
            SetDirty(index);
        }
        if (index->IsValid(BLOCK_VALID_TREE) &&
            (!m_best_header || CompareChainWork(index->chain_work, m_best_header->chain_work) > 0)) {
            m_best_header = index;
        }
    }

    int last_file = 0;
    std::vector<BlockFileInfo> files;
    if (m_block_tree->ReadLastFile(last_file)) {
        files.resize(last_file + 1);
        for (int f = 0; f <= last_file; ++f) m_block_tree->ReadFileInfo(f, files[f]);
    }
    m_block_store->LoadFileInfo(std::move(files), last_file);
    return true;
}

void ChainstateManager::Reindex()
{
    LogPrintf("Reindexing block files...\n");
    m_block_store->ResetFileInfo();
    // Blocks whose parent has not been seen yet (files are not always in chain order).
    std::multimap<uint256, std::pair<std::shared_ptr<const CBlock>, FlatFilePos>> waiting;
    const uint256 genesis_hash = m_params.GenesisBlock().GetHash();
    size_t loaded = 0;

    auto accept = [&](std::shared_ptr<const CBlock> block, const FlatFilePos& pos) {
        AssertLockHeld(m_cs); // called below, within Reindex
        std::deque<std::pair<std::shared_ptr<const CBlock>, FlatFilePos>> queue;
        queue.emplace_back(std::move(block), pos);
        while (!queue.empty()) {
            auto [b, p] = queue.front();
            queue.pop_front();
            BlockValidationState state;
            CBlockIndex* index = nullptr;
            bool is_new = false;
            if (AcceptBlock(b, state, &index, true, &p, &is_new) && is_new) ++loaded;
            auto range = waiting.equal_range(b->GetHash());
            for (auto it = range.first; it != range.second; ++it) queue.push_back(it->second);
            waiting.erase(range.first, range.second);
        }
    };

    for (int32_t file = 0;; ++file) {
        bool exists = m_block_store->ScanFile(file, [&](const CBlock& block, const FlatFilePos& pos) {
            AssertLockHeld(m_cs); // ScanFile calls back on this thread
            const uint256 hash = block.GetHash();
            CBlockIndex* known = LookupBlockIndex(hash);
            if (known && known->HaveData()) return;
            auto shared = std::make_shared<const CBlock>(block);
            // Record the space even for blocks we end up not using, so it is never overwritten.
            m_block_store->NoteExistingBlock(pos, static_cast<uint32_t>(GetSerializeSize(block)), 0, block.time);
            if (hash == genesis_hash || LookupBlockIndex(block.hash_prev_block)) {
                accept(shared, pos);
            } else {
                waiting.emplace(block.hash_prev_block, std::make_pair(shared, pos));
            }
        });
        if (!exists) break;
    }
    LogPrintf("Reindex: %u blocks loaded from files, %u without a known parent\n", static_cast<unsigned>(loaded),
              static_cast<unsigned>(waiting.size()));
}

bool ChainstateManager::LoadChainTip(std::string& error)
{
    const uint256 best = m_state_tip->GetBestBlock();
    if (best.IsNull()) {
        m_chain.SetTip(nullptr);
        return true;
    }
    CBlockIndex* tip = LookupBlockIndex(best);
    if (!tip || !tip->HaveData()) {
        error = "The UTXO set (chainstate/) is at block " + best.GetHex() +
                ", which the block index does not have. Restart with -reindex-chainstate.";
        return false;
    }
    m_chain.SetTip(tip);
    // Ties in work go to the chain we already had.
    for (CBlockIndex* p = tip; p; p = p->pprev) p->sequence_id = 0;
    return true;
}

// --------------------------------------------------------------- block tree

CBlockIndex* ChainstateManager::LookupBlockIndex(const uint256& hash) const
{
    auto it = m_block_index.find(hash);
    return it == m_block_index.end() ? nullptr : const_cast<CBlockIndex*>(&it->second);
}

const CBlockIndex* ChainstateManager::ActiveTip() const
{
    LOCK(m_cs);
    return m_chain.Tip();
}

int ChainstateManager::ActiveHeight() const
{
    LOCK(m_cs);
    return m_chain.Height();
}

const CBlockIndex* ChainstateManager::BestHeader() const
{
    LOCK(m_cs);
    return m_best_header;
}

CBlockIndex* ChainstateManager::AddToBlockIndex(const CBlockHeader& header, const uint256& hash)
{
    CBlockIndex* index = InsertBlockIndex(hash);
    *index = CBlockIndex(header);
    index->phash = &m_block_index.find(hash)->first;
    index->pprev = header.hash_prev_block.IsNull() ? nullptr : LookupBlockIndex(header.hash_prev_block);
    index->height = index->pprev ? index->pprev->height + 1 : 0;
    index->chain_work = AddChainWork(index->pprev ? index->pprev->chain_work : uint256(), GetBlockProof(header.bits));
    index->time_max = index->pprev ? std::max(index->pprev->time_max, index->time) : index->time;
    index->BuildSkip();
    index->RaiseValidity(BLOCK_VALID_TREE);
    if (!m_best_header || CompareChainWork(index->chain_work, m_best_header->chain_work) > 0) m_best_header = index;
    SetDirty(index);
    return index;
}

bool ChainstateManager::ContextualCheckBlockHeader(const CBlockHeader& header, BlockValidationState& state,
                                                   const CBlockIndex* prev) const
{
    PrevBlockInfo info;
    info.height = prev->height;
    info.time = prev->time;
    info.bits = prev->bits;
    info.median_time_past = prev->GetMedianTimePast();
    if (!::ContextualCheckBlockHeader(header, info, Now(), state, Consensus())) return false;
    if (header.version < MIN_BLOCK_VERSION) {
        return state.Invalid(BlockValidationResult::BLOCK_INVALID_HEADER, strprintf("bad-version(0x%08x)", header.version),
                             "rejected version of block");
    }
    return true;
}

bool ChainstateManager::AcceptBlockHeader(const CBlockHeader& header, BlockValidationState& state, CBlockIndex** out)
{
    const uint256 hash = header.GetHash();
    if (CBlockIndex* known = LookupBlockIndex(hash)) {
        if (out) *out = known;
        if (known->status & BLOCK_FAILED_MASK) {
            return state.Invalid(BlockValidationResult::BLOCK_CACHED_INVALID, "duplicate", "block is marked invalid");
        }
        return true;
    }
    if (!CheckBlockHeader(header, state, Consensus())) return false;
    const bool is_genesis = hash == m_params.GetConsensus().hash_genesis_block;
    if (!is_genesis) {
        CBlockIndex* prev = LookupBlockIndex(header.hash_prev_block);
        if (!prev) return state.Invalid(BlockValidationResult::BLOCK_MISSING_PREV, "prev-blk-not-found");
        if (prev->status & BLOCK_FAILED_MASK) {
            return state.Invalid(BlockValidationResult::BLOCK_INVALID_PREV, "bad-prevblk");
        }
        if (!ContextualCheckBlockHeader(header, state, prev)) return false;
    }
    CBlockIndex* index = AddToBlockIndex(header, hash);
    if (out) *out = index;
    return true;
}

bool ChainstateManager::ProcessNewBlockHeaders(const std::vector<CBlockHeader>& headers, BlockValidationState& state,
                                               const CBlockIndex** last)
{
    LOCK(m_cs);
    if (!RefuseAfterFatal(state)) return false;
    for (const CBlockHeader& header : headers) {
        CBlockIndex* index = nullptr;
        if (!AcceptBlockHeader(header, state, &index)) return false;
        if (last) *last = index;
    }
    return true;
}

bool ChainstateManager::ContextualCheckBlock(const CBlock& block, BlockValidationState& state, const CBlockIndex* prev) const
{
    if (!prev) return true; // genesis
    return ::ContextualCheckBlock(block, prev->height + 1, prev->GetMedianTimePast(), state, Consensus());
}

void ChainstateManager::ReceivedBlockTransactions(const CBlock& block, CBlockIndex* index, const FlatFilePos& pos)
{
    index->tx_count = static_cast<uint32_t>(block.vtx.size());
    index->chain_tx = 0;
    index->file = pos.file;
    index->data_pos = pos.pos;
    index->status |= BLOCK_HAVE_DATA;
    index->RaiseValidity(BLOCK_VALID_TRANSACTIONS);
    SetDirty(index);

    if (index->pprev && !index->pprev->chain_tx) {
        m_unlinked.emplace(index->pprev, index);
        return;
    }
    // This block, and any descendants that were waiting for it, now have a complete ancestry.
    std::deque<CBlockIndex*> queue{index};
    while (!queue.empty()) {
        CBlockIndex* b = queue.front();
        queue.pop_front();
        b->chain_tx = (b->pprev ? b->pprev->chain_tx : 0) + b->tx_count;
        b->sequence_id = m_next_sequence_id++;
        if (b->IsValid(BLOCK_VALID_TRANSACTIONS) &&
            (!m_chain.Tip() || CompareChainWork(b->chain_work, m_chain.Tip()->chain_work) >= 0)) {
            m_candidates.insert(b);
        }
        auto range = m_unlinked.equal_range(b);
        for (auto it = range.first; it != range.second; ++it) queue.push_back(it->second);
        m_unlinked.erase(range.first, range.second);
    }
}

bool ChainstateManager::AcceptBlock(const std::shared_ptr<const CBlock>& block, BlockValidationState& state,
                                    CBlockIndex** out, bool force_processing, const FlatFilePos* known_pos, bool* new_block)
{
    if (new_block) *new_block = false;
    CBlockIndex* index = nullptr;
    if (!AcceptBlockHeader(block->GetHeader(), state, &index)) return false;
    if (out) *out = index;
    if (index->HaveData()) return true; // already have it
    // An unrequested block that does not beat our tip is not worth the disk space.
    if (!force_processing && m_chain.Tip() && CompareChainWork(index->chain_work, m_chain.Tip()->chain_work) <= 0) return true;

    // The ODA output rules are context-free too; consensus/ may not include oda/chain.
    if (!CheckBlock(*block, state, Consensus()) || !oda::chain::CheckOdaBlock(*block, state, Consensus()) ||
        !ContextualCheckBlock(*block, state, index->pprev)) {
        if (state.IsInvalid()) m_signals.BlockChecked(block, state);
        // A mutated body says nothing about the header: only mark real invalidity.
        if (state.IsInvalid() && state.GetResult() != BlockValidationResult::BLOCK_MUTATED) {
            index->status |= BLOCK_FAILED_VALID;
            SetDirty(index);
            m_last_invalid = {index->GetBlockHash(), state};
            InvalidChainFound(index);
        }
        return false;
    }
    FlatFilePos pos;
    if (known_pos) {
        pos = *known_pos;
    } else {
        CheckDiskSpace(RECORD_HEADER_SIZE + GetSerializeSize(*block));
        MaybeInjectFault("blockwrite");
        pos = m_block_store->WriteBlock(*block, index->height);
    }
    // (A known position comes from Reindex, which has already recorded the file space.)
    ReceivedBlockTransactions(*block, index, pos);
    if (new_block) *new_block = true;
    return true;
}

bool ChainstateManager::ProcessNewBlock(const std::shared_ptr<const CBlock>& block, bool force_processing,
                                        bool* new_block, BlockValidationState* state_out)
{
    if (new_block) *new_block = false;
    const std::string system_error = "System error while processing block " + block->GetHash().GetHex();
    CBlockIndex* index = nullptr;
    {
        LOCK(m_cs);
        BlockValidationState refused;
        if (!RefuseAfterFatal(refused)) {
            if (state_out) *state_out = refused;
            return false;
        }
        try {
            if (!ProcessNewBlockLocked(block, force_processing, new_block, state_out, index)) return false;
        } catch (const std::exception& e) {
            // Disk or database failure while storing: not the block's fault, and fatal
            // (validation.h). Memory still matches what was written before the failure.
            if (state_out) state_out->Error(std::string("system error: ") + e.what());
            return FatalError(system_error + ": " + e.what());
        }
    }
    // Without the lock: ActivateBestChain releases it between its steps.
    BlockValidationState activate_state;
    if (!ActivateBestChainInSteps(activate_state, system_error)) {
        if (state_out) *state_out = activate_state;
        return false;
    }
    LOCK(m_cs);
    // Connecting may have found this very block invalid: report why.
    if (index && (index->status & BLOCK_FAILED_VALID)) {
        if (state_out) {
            if (m_last_invalid.first == index->GetBlockHash()) {
                *state_out = m_last_invalid.second;
            } else {
                state_out->Invalid(BlockValidationResult::BLOCK_CACHED_INVALID, "duplicate-invalid");
            }
        }
        return false;
    }
    return true;
}

bool ChainstateManager::ProcessNewBlockLocked(const std::shared_ptr<const CBlock>& block, bool force_processing,
                                              bool* new_block, BlockValidationState* state_out, CBlockIndex*& index)
{
    BlockValidationState state;
    if (!AcceptBlock(block, state, &index, force_processing, nullptr, new_block)) {
        if (state_out) *state_out = state;
        LogDebug(BCLog::VALIDATION, "ProcessNewBlock: %s rejected: %s\n", block->GetHash().GetHex().c_str(),
                 state.ToString().c_str());
        return false;
    }
    return true;
}

// -------------------------------------------------------------- connecting

bool ChainstateManager::ShouldSkipScripts(const CBlockIndex* index) const
{
    if (m_options.assumevalid.IsNull()) return false;
    const CBlockIndex* av = LookupBlockIndex(m_options.assumevalid);
    if (!av || !m_best_header) return false;
    // Only on the chain that leads to the assumed-valid block, and only while that
    // block is on our best header chain (so a fake fork cannot use it).
    return av->GetAncestor(index->height) == index && m_best_header->GetAncestor(av->height) == av;
}

bool ChainstateManager::ConnectBlock(const CBlock& block, BlockValidationState& state, CBlockIndex* index,
                                     StateCache& state_view, BlockUndo& undo,
                                     std::vector<oda::chain::Commitment>* missing_files)
{
    CoinsViewCache& view = state_view.Coins();
    const uint256 hash = block.GetHash();
    const uint256 prev_hash = index->pprev ? index->pprev->GetBlockHash() : uint256();
    if (view.GetBestBlock() != prev_hash) {
        return state.Error("coins view is not at the block's parent");
    }
    if (hash == Consensus().hash_genesis_block) {
        // The genesis coinbase is not spendable (as in Bitcoin): nothing to add.
        view.SetBestBlock(hash);
        return true;
    }
    const ConsensusParams& consensus = Consensus();
    const int height = index->height;
    const int64_t lock_time_cutoff = index->pprev->GetMedianTimePast();
    const bool check_scripts = !ShouldSkipScripts(index);

    undo.version = BlockUndo::CURRENT_VERSION;
    undo.txs.clear();
    undo.txs.reserve(block.vtx.size() > 0 ? block.vtx.size() - 1 : 0);
    // The model registry and execution rules of doc/oda-protocol.md sections 2.5, 4 and 7, in
    // block order (oda/chain/block_rules.h). Without an executor, claimed scores and result
    // outputs are trusted as claimed (oda/chain/executor.h).
    oda::chain::BlockOdaRules registry(state_view.RegistryCache(), undo.registry, static_cast<uint32_t>(height),
                                       consensus, m_oda_executor);
    registry.Prefetch(block.vtx); // a block's infers of one model version run as one batch
    std::vector<std::unique_ptr<PrecomputedTxData>> txdata;
    std::vector<ScriptCheck> checks;
    CAmount fees = 0;

    for (size_t i = 0; i < block.vtx.size(); ++i) {
        const CTransaction& tx = *block.vtx[i];
        if (!IsFinalTx(tx, height, lock_time_cutoff)) {
            return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-txns-nonfinal",
                                 "non-final transaction " + tx.GetTxid().GetHex());
        }
        if (!tx.IsCoinBase()) {
            std::vector<Coin> spent;
            spent.reserve(tx.vin.size());
            for (const CTxIn& in : tx.vin) {
                std::optional<Coin> coin = view.GetCoin(in.prevout);
                if (!coin) {
                    return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-txns-inputs-missingorspent",
                                         "tx " + tx.GetTxid().GetHex() + " input " + in.prevout.ToString());
                }
                spent.push_back(std::move(*coin));
            }
            TxValidationState tx_state;
            CAmount fee = 0;
            if (!CheckTxInputs(tx, tx_state, spent, height, consensus, fee)) {
                return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, tx_state.GetRejectReason(),
                                     "tx " + tx.GetTxid().GetHex() + (tx_state.GetDebugMessage().empty() ? "" : ": " + tx_state.GetDebugMessage()));
            }
            fees += fee;
            if (!MoneyRange(fees)) {
                return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-txns-accumulated-fee-outofrange");
            }
            TxUndo tx_undo;
            tx_undo.spent.reserve(tx.vin.size());
            for (const CTxIn& in : tx.vin) {
                Coin c;
                view.SpendCoin(in.prevout, &c);
                tx_undo.spent.push_back(std::move(c));
            }
            undo.txs.push_back(std::move(tx_undo));
            std::vector<oda::chain::Payload> payloads;
            TxValidationState oda_state;
            if (!oda::chain::CheckOdaTransaction(tx, oda_state, consensus, &payloads) ||
                !registry.ApplyTransaction(tx, payloads, oda_state)) {
                const auto result = oda_state.GetResult() == TxValidationResult::TX_DATA_UNAVAILABLE
                                        ? BlockValidationResult::BLOCK_DATA_UNAVAILABLE
                                        : BlockValidationResult::BLOCK_CONSENSUS;
                if (missing_files) *missing_files = registry.MissingFiles();
                return state.Invalid(result, oda_state.GetRejectReason(),
                                     "tx " + tx.GetTxid().GetHex() + (oda_state.GetDebugMessage().empty() ? "" : ": " + oda_state.GetDebugMessage()));
            }
            if (check_scripts) {
                std::vector<CTxOut> spent_outputs;
                spent_outputs.reserve(spent.size());
                for (const Coin& c : spent) spent_outputs.push_back(c.out);
                txdata.push_back(std::make_unique<PrecomputedTxData>(tx, std::move(spent_outputs)));
                for (unsigned n = 0; n < tx.vin.size(); ++n) checks.push_back(ScriptCheck{&tx, n, txdata.back().get()});
            }
        }
        view.AddCoins(tx, static_cast<uint32_t>(height));
    }

    // The coinbase's result payload: compute units and one output per infer (section 4).
    if (!registry.CheckCoinbaseResult(*block.vtx[0], state)) return false;

    const CAmount limit = fees + GetBlockSubsidy(height, consensus);
    if (block.vtx[0]->GetValueOut() > limit) {
        return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "bad-cb-amount",
                             strprintf("coinbase pays too much (actual=%" PRId64 " vs limit=%" PRId64 ")",
                                       block.vtx[0]->GetValueOut(), limit));
    }

    if (auto failed = m_check_queue->Run(checks)) {
        const ScriptCheck& check = checks[*failed];
        ScriptError err = ScriptError::OK;
        VerifyInputSpend(*check.tx, check.input, *check.txdata, &err);
        return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS,
                             "mandatory-script-verify-flag-failed (" + ScriptErrorString(err) + ")",
                             "tx " + check.tx->GetTxid().GetHex() + " input " + std::to_string(check.input));
    }
    view.SetBestBlock(hash);
    return true;
}

DisconnectResult ChainstateManager::DisconnectBlock(const CBlock& block, const CBlockIndex* index, StateCache& state_view)
{
    CoinsViewCache& view = state_view.Coins();
    BlockUndo undo;
    std::string err;
    if (!ReadUndo(index, undo, &err)) {
        LogPrintf("DisconnectBlock: cannot read undo data of %s: %s\n", index->GetBlockHash().GetHex().c_str(), err.c_str());
        return DisconnectResult::FAILED;
    }
    if (undo.txs.size() + 1 != block.vtx.size()) return DisconnectResult::FAILED;
    if (undo.version == BlockUndo::LEGACY_VERSION && BlockChangesRegistry(block, Consensus())) {
        // Written before the registry existed, so it cannot restore it (ConnectTip rewrites
        // such records when it connects the block again).
        LogPrintf("DisconnectBlock: the undo record of %s predates the model registry\n", index->GetBlockHash().GetHex().c_str());
        return DisconnectResult::FAILED;
    }
    bool clean = true;
    for (size_t i = block.vtx.size(); i-- > 0;) {
        const CTransaction& tx = *block.vtx[i];
        for (uint32_t n = 0; n < tx.vout.size(); ++n) {
            if (IsUnspendableScript(tx.vout[n].script_pubkey)) continue;
            Coin removed;
            if (!view.SpendCoin(COutPoint(tx.GetTxid(), n), &removed) || !(removed.out == tx.vout[n]) ||
                removed.height != static_cast<uint32_t>(index->height)) {
                clean = false;
            }
        }
        if (i == 0) break;
        const TxUndo& tx_undo = undo.txs[i - 1];
        if (tx_undo.spent.size() != tx.vin.size()) return DisconnectResult::FAILED;
        for (size_t n = tx.vin.size(); n-- > 0;) {
            if (view.HaveCoin(tx.vin[n].prevout)) clean = false;
            view.AddCoin(tx.vin[n].prevout, tx_undo.spent[n], true);
        }
    }
    if (!oda::chain::UndoRegistryBlock(undo.registry, state_view.RegistryCache())) clean = false;
    view.SetBestBlock(index->pprev ? index->pprev->GetBlockHash() : uint256());
    return clean ? DisconnectResult::OK : DisconnectResult::UNCLEAN;
}

bool ChainstateManager::ReadBlock(const CBlockIndex* index, CBlock& block, std::string* error) const
{
    LOCK(m_cs); // the index's file position and the block store
    std::string err;
    if (!index || !index->HaveData()) {
        if (error) *error = "block data not available";
        return false;
    }
    if (!m_block_store->ReadBlock(FlatFilePos(index->file, index->data_pos), index->GetBlockHash(), block, err)) {
        if (error) *error = err;
        return false;
    }
    return true;
}

bool ChainstateManager::ReadUndo(const CBlockIndex* index, BlockUndo& undo, std::string* error) const
{
    LOCK(m_cs);
    std::string err;
    if (!index || !(index->status & BLOCK_HAVE_UNDO)) {
        if (error) *error = "undo data not available";
        return false;
    }
    if (!m_block_store->ReadUndo(FlatFilePos(index->file, index->undo_pos), index->GetBlockHash(), undo, err)) {
        if (error) *error = err;
        return false;
    }
    return true;
}

bool ChainstateManager::ConnectTip(BlockValidationState& state, CBlockIndex* index, std::shared_ptr<const CBlock> block,
                                   std::vector<std::shared_ptr<const CBlock>>& connected,
                                   std::vector<oda::chain::Commitment>* missing_files)
{
    if (!block) {
        auto loaded = std::make_shared<CBlock>();
        std::string err;
        if (!ReadBlock(index, *loaded, &err)) return state.Error("cannot read block " + index->GetBlockHash().GetHex() + ": " + err);
        block = std::move(loaded);
    }
    BlockUndo undo;
    {
        StateCache view(m_state_tip.get());
        const bool connected_ok = ConnectBlock(*block, state, index, view, undo, missing_files);
        // The verdict of full validation, however long after the block arrived (a system
        // error is no verdict on the block).
        if (connected_ok || state.IsInvalid()) m_signals.BlockChecked(block, state);
        if (!connected_ok) return false;
        // A stored record without this registry undo (written before the registry existed,
        // then -reindex-chainstate) is replaced so that DisconnectBlock can restore it.
        auto stored_undo_lacks_registry = [&] {
            if (undo.registry.empty()) return false;
            BlockUndo stored;
            return !ReadUndo(index, stored) || !(stored.registry == undo.registry);
        };
        if (index->pprev && (!(index->status & BLOCK_HAVE_UNDO) || stored_undo_lacks_registry())) {
            CheckDiskSpace(0);
            MaybeInjectFault("undowrite");
            FlatFilePos pos = m_block_store->WriteUndo(undo, index->GetBlockHash(), index->file);
            index->undo_pos = pos.pos;
            index->status |= BLOCK_HAVE_UNDO;
        }
        index->RaiseValidity(BLOCK_VALID_SCRIPTS);
        SetDirty(index);
        view.Flush();
    }
    m_chain.SetTip(index);
    connected.push_back(block);
    m_signals.BlockConnected(block, index);
    return true;
}

bool ChainstateManager::DisconnectTip(BlockValidationState& state, std::vector<CTransactionRef>* disconnected_txs)
{
    CBlockIndex* tip = m_chain.Tip();
    if (!tip || !tip->pprev) return state.Error("cannot disconnect the genesis block");
    auto block = std::make_shared<CBlock>();
    std::string err;
    if (!ReadBlock(tip, *block, &err)) return state.Error("cannot read block to disconnect: " + err);
    {
        StateCache view(m_state_tip.get());
        if (DisconnectBlock(*block, tip, view) != DisconnectResult::OK) {
            return state.Error("failed to disconnect block " + tip->GetBlockHash().GetHex());
        }
        view.Flush();
    }
    m_chain.SetTip(tip->pprev);
    if (disconnected_txs) {
        for (size_t i = 1; i < block->vtx.size(); ++i) disconnected_txs->push_back(block->vtx[i]);
    }
    m_signals.BlockDisconnected(block, tip);
    return true;
}

// ------------------------------------------------------------ chain choice

void ChainstateManager::InvalidChainFound(CBlockIndex* index)
{
    if (!m_best_invalid || CompareChainWork(index->chain_work, m_best_invalid->chain_work) > 0) m_best_invalid = index;
    for (auto& [hash, b] : m_block_index) {
        if (&b != index && b.height > index->height && b.GetAncestor(index->height) == index) {
            if (!(b.status & BLOCK_FAILED_CHILD)) {
                b.status |= BLOCK_FAILED_CHILD;
                SetDirty(&b);
            }
            m_candidates.erase(&b);
        }
    }
    m_candidates.erase(index);
    if (m_best_header && (m_best_header->status & BLOCK_FAILED_MASK)) {
        m_best_header = m_chain.Tip();
        for (auto& [hash, b] : m_block_index) {
            if (b.IsValid(BLOCK_VALID_TREE) && (!m_best_header || CompareChainWork(b.chain_work, m_best_header->chain_work) > 0)) {
                m_best_header = &b;
            }
        }
    }
}

void ChainstateManager::InvalidBlockFound(CBlockIndex* index, const BlockValidationState& state)
{
    m_last_invalid = {index->GetBlockHash(), state};
    if (state.GetResult() != BlockValidationResult::BLOCK_MUTATED) {
        index->status |= BLOCK_FAILED_VALID;
        SetDirty(index);
        InvalidChainFound(index);
    }
    LogPrintf("Invalid block %s at height %d: %s\n", index->GetBlockHash().GetHex().c_str(), index->height,
              state.ToString().c_str());
}

void ChainstateManager::RebuildCandidates()
{
    m_candidates.clear();
    const CBlockIndex* tip = m_chain.Tip();
    for (auto& [hash, b] : m_block_index) {
        if (b.IsValid(BLOCK_VALID_TRANSACTIONS) && b.chain_tx &&
            (!tip || CompareChainWork(b.chain_work, tip->chain_work) >= 0)) {
            m_candidates.insert(&b);
        }
    }
}

void ChainstateManager::PruneCandidates()
{
    const CBlockIndex* tip = m_chain.Tip();
    if (!tip) return;
    for (auto it = m_candidates.begin(); it != m_candidates.end();) {
        if (WorkOrder()(tip, *it)) {
            it = m_candidates.erase(it); // worse than the tip
        } else {
            ++it;
        }
    }
}

CBlockIndex* ChainstateManager::FindMostWorkChain()
{
    // Blocks found (in this call) to lie on a waiting block: a walk that reaches one stops, so
    // many candidates above one waiting block cost one walk, not one each.
    std::set<const CBlockIndex*> behind_waiting;
    for (auto it = m_candidates.begin(); it != m_candidates.end();) {
        CBlockIndex* best = *it;
        bool usable = true;
        bool waits = false;
        std::vector<const CBlockIndex*> walked;
        for (CBlockIndex* walk = best; walk && !m_chain.Contains(walk); walk = walk->pprev) {
            if ((walk->status & BLOCK_FAILED_MASK) || !walk->HaveData()) {
                usable = false;
                break;
            }
            if (SkipsWaiting(walk) || behind_waiting.count(walk)) {
                waits = true;
                break;
            }
            if (!m_waiting.empty()) walked.push_back(walk);
        }
        if (waits) {
            behind_waiting.insert(walked.begin(), walked.end());
            // Like a block without data, but it stays a candidate: its chain is tried again
            // when the files arrive (RetryWaitingBlocks).
            ++it;
            continue;
        }
        if (usable) return best;
        it = m_candidates.erase(it);
    }
    return nullptr;
}

bool ChainstateManager::ActivateBestChainStep(BlockValidationState& state, CBlockIndex* target, bool& invalid_found,
                                              std::vector<std::vector<CTransactionRef>>& disconnected, int& budget,
                                              const CBlockIndex* step_start)
{
    const CBlockIndex* fork = m_chain.FindFork(target);
    while (m_chain.Tip() && m_chain.Tip() != fork) {
        std::vector<CTransactionRef> txs;
        if (!DisconnectTip(state, &txs)) return false;
        disconnected.push_back(std::move(txs));
    }
    std::vector<CBlockIndex*> path;
    for (CBlockIndex* p = target; p && p != fork; p = p->pprev) path.push_back(p);
    std::reverse(path.begin(), path.end());
    for (CBlockIndex* index : path) {
        std::vector<std::shared_ptr<const CBlock>> connected;
        std::vector<oda::chain::Commitment> missing;
        if (!ConnectTip(state, index, nullptr, connected, &missing)) {
            if (state.IsInvalid() && state.GetResult() == BlockValidationResult::BLOCK_DATA_UNAVAILABLE) {
                // Neither valid nor invalid: the block waits (no failure flag, nothing
                // persisted) and the caller looks for the best chain that avoids it.
                BlockWaitsForData(index, state, std::move(missing));
                state = BlockValidationState();
                invalid_found = true;
                break;
            }
            if (state.IsInvalid()) {
                InvalidBlockFound(index, state);
                state = BlockValidationState();
                invalid_found = true;
                break;
            }
            return false; // system error
        }
        if (m_waiting.count(index)) StopWaiting(index, "connected");
        // Stop (the caller releases the lock) once the budget is spent, but never while the
        // tip has no more work than before the step: other threads must not see a reorg
        // half done, below the chain they saw last.
        if (--budget <= 0 && (!step_start || CompareChainWork(m_chain.Tip()->chain_work, step_start->chain_work) > 0)) {
            break;
        }
    }
    PruneCandidates();
    return true;
}

bool ChainstateManager::ActivateBestChain(BlockValidationState& state)
{
    return ActivateBestChainInSteps(state, "Cannot activate the best chain");
}

bool ChainstateManager::ActivateBestChainInSteps(BlockValidationState& state, const std::string& fatal_prefix)
{
    // One activation at a time: a second caller waits here and then finds the work done.
    LOCK(m_activate_mutex);
    for (;;) {
        bool reached = false;
        {
            LOCK(m_cs);
            if (!RefuseAfterFatal(state)) return false;
            try {
                if (!ActivateBestChainLocked(state, MAX_BLOCKS_PER_STEP, reached)) {
                    if (state.IsError()) return FatalError("Cannot activate the best chain: " + state.ToString());
                    return false;
                }
            } catch (const std::exception& e) {
                // Disk or database failure while connecting: fatal (validation.h).
                state.Error(std::string("system error: ") + e.what());
                return FatalError(fatal_prefix + ": " + e.what());
            }
        }
        if (reached) return true;
        // m_cs is free here: RPC and P2P threads waiting for it run before the next step. The
        // mutex is not fair, so give a waiting thread the chance to take it before we do again.
        if (m_step_hook) m_step_hook();
        std::this_thread::yield();
    }
}

void ChainstateManager::NotifyDisconnected(const std::vector<std::vector<CTransactionRef>>& disconnected)
{
    if (disconnected.empty()) return;
    // Oldest disconnected block first, transactions in block order.
    std::vector<CTransactionRef> txs;
    for (auto it = disconnected.rbegin(); it != disconnected.rend(); ++it) txs.insert(txs.end(), it->begin(), it->end());
    m_signals.TransactionsDisconnected(txs);
}

bool ChainstateManager::ActivateBestChainLocked(BlockValidationState& state, int max_blocks, bool& reached)
{
    std::vector<std::vector<CTransactionRef>> disconnected;
    const CBlockIndex* start_tip = m_chain.Tip();
    int budget = max_blocks;
    reached = false;
    for (;;) {
        CBlockIndex* target = FindMostWorkChain();
        if (!target || target == m_chain.Tip()) {
            reached = true;
            break;
        }
        const CBlockIndex* tip_now = m_chain.Tip();
        if (budget <= 0 && tip_now && (!start_tip || CompareChainWork(tip_now->chain_work, start_tip->chain_work) > 0)) {
            break; // step done; the caller releases the lock and comes back
        }
        bool invalid_found = false;
        if (!ActivateBestChainStep(state, target, invalid_found, disconnected, budget, start_tip)) {
            FlushStateToDiskLocked(FlushMode::ALWAYS);
            return false;
        }
        FlushStateToDiskLocked(FlushMode::PERIODIC);
    }
    const CBlockIndex* tip = m_chain.Tip();
    if (tip != start_tip) {
        const CBlockIndex* fork = start_tip ? LastCommonAncestor(start_tip, tip) : nullptr;
        LogPrintf("UpdateTip: new best=%s height=%d work=%.6g tx=%" PRIu64 " date='%s'\n",
                  tip ? tip->GetBlockHash().GetHex().c_str() : "none", tip ? tip->height : -1,
                  tip ? WorkToDouble(tip->chain_work) : 0.0, tip ? tip->chain_tx : 0,
                  tip ? FormatISO8601DateTime(tip->time).c_str() : "");
        m_signals.UpdatedBlockTip(tip, fork, IsInitialBlockDownload());
    }
    // A step never ends inside a reorg (see ActivateBestChainStep): the reorg is complete.
    NotifyDisconnected(disconnected);
    ForgetStaleWaiting();
    return true;
}

bool ChainstateManager::InvalidateBlock(BlockValidationState& state, CBlockIndex* index)
{
    {
        LOCK(m_cs);
        if (!RefuseAfterFatal(state)) return false;
        if (!index->pprev) return state.Invalid(BlockValidationResult::BLOCK_CONSENSUS, "cannot-invalidate-genesis");
        const CBlockIndex* start_tip = m_chain.Tip();
        std::vector<std::vector<CTransactionRef>> disconnected;
        while (m_chain.Contains(index)) {
            std::vector<CTransactionRef> txs;
            try {
                if (!DisconnectTip(state, &txs)) return FatalError("Cannot disconnect the tip: " + state.ToString());
            } catch (const std::exception& e) {
                state.Error(std::string("system error: ") + e.what());
                return FatalError(std::string("Cannot disconnect the tip: ") + e.what());
            }
            disconnected.push_back(std::move(txs));
        }
        index->status |= BLOCK_FAILED_VALID;
        SetDirty(index);
        InvalidChainFound(index);
        RebuildCandidates();
        if (m_chain.Tip() != start_tip) {
            m_signals.UpdatedBlockTip(m_chain.Tip(), m_chain.Tip(), IsInitialBlockDownload());
        }
        NotifyDisconnected(disconnected);
    }
    if (!ActivateBestChain(state)) return false;
    FlushStateToDisk(FlushMode::ALWAYS);
    return true;
}

// ------------------------------------------------------------ waiting for data

namespace {
std::string FilesToString(const std::vector<oda::chain::Commitment>& files)
{
    std::string out;
    for (const auto& c : files) {
        if (!out.empty()) out += ", ";
        // Pieces roots in storage byte order, as doc/oda-protocol.md section 2.1 shows them.
        out += strprintf("%s (%llu bytes)", c.pieces_root.ToHexBytes().c_str(), static_cast<unsigned long long>(c.file_size));
    }
    return out.empty() ? "none reported" : out;
}
} // namespace

void ChainstateManager::BlockWaitsForData(CBlockIndex* index, const BlockValidationState& state,
                                          std::vector<oda::chain::Commitment> missing)
{
    WaitEntry& entry = m_waiting[index];
    const bool again = !entry.block.hash.IsNull();
    const std::vector<oda::chain::Commitment> before = entry.block.missing;
    entry.block.hash = index->GetBlockHash();
    entry.block.height = index->height;
    entry.block.missing = std::move(missing);
    entry.block.reason = state.ToString();
    entry.retry = false;
    LogPrintf("Block %s at height %d %s for data: missing files %s (%s)\n", index->GetBlockHash().GetHex().c_str(),
              index->height, again ? "still waits" : "waits", FilesToString(entry.block.missing).c_str(),
              entry.block.reason.c_str());
    if (!m_wait_handler.on_wait) return;
    if (again) {
        // Files no longer lacked are released; the new list is registered.
        WaitingBlock gone = entry.block;
        gone.missing.clear();
        for (const auto& c : before) {
            if (std::find(entry.block.missing.begin(), entry.block.missing.end(), c) == entry.block.missing.end()) {
                gone.missing.push_back(c);
            }
        }
        if (!gone.missing.empty() && m_wait_handler.on_release) m_wait_handler.on_release(gone);
    }
    m_wait_handler.on_wait(entry.block);
}

void ChainstateManager::StopWaiting(const CBlockIndex* index, const char* why)
{
    auto it = m_waiting.find(index);
    if (it == m_waiting.end()) return;
    const WaitingBlock block = std::move(it->second.block);
    m_waiting.erase(it);
    LogPrintf("Block %s at height %d no longer waits for data: %s\n", block.hash.GetHex().c_str(), block.height, why);
    if (m_wait_handler.on_release) m_wait_handler.on_release(block);
}

bool ChainstateManager::SkipsWaiting(const CBlockIndex* index) const
{
    auto it = m_waiting.find(index);
    return it != m_waiting.end() && !it->second.retry;
}

void ChainstateManager::ForgetStaleWaiting()
{
    std::vector<std::pair<const CBlockIndex*, const char*>> stale;
    for (const auto& [index, entry] : m_waiting) {
        if (index->status & BLOCK_FAILED_MASK) {
            stale.emplace_back(index, "invalidated");
            continue;
        }
        bool through = false;
        for (const CBlockIndex* c : m_candidates) {
            if (c->height >= index->height && c->GetAncestor(index->height) == index) {
                through = true;
                break;
            }
        }
        if (!through) stale.emplace_back(index, "no longer on a candidate chain");
    }
    for (const auto& [index, why] : stale) StopWaiting(index, why);
}

std::vector<WaitingBlock> ChainstateManager::GetWaitingBlocks() const
{
    LOCK(m_cs);
    std::vector<WaitingBlock> out;
    for (const auto& [index, entry] : m_waiting) out.push_back(entry.block);
    std::sort(out.begin(), out.end(), [](const WaitingBlock& a, const WaitingBlock& b) {
        return a.height != b.height ? a.height < b.height : a.hash < b.hash;
    });
    return out;
}

std::optional<WaitingBlock> ChainstateManager::WaitingFor(const CBlockIndex* index) const
{
    if (m_waiting.empty()) return std::nullopt;
    for (const CBlockIndex* walk = index; walk && !m_chain.Contains(walk); walk = walk->pprev) {
        auto it = m_waiting.find(walk);
        if (it != m_waiting.end()) return it->second.block;
    }
    return std::nullopt;
}

bool ChainstateManager::RetryWaitingBlocks(BlockValidationState& state)
{
    {
        LOCK(m_cs);
        if (m_waiting.empty()) return true;
        for (auto& [index, entry] : m_waiting) {
            entry.retry = true;
            LogPrintf("Block %s at height %d resumes: connecting it again (a file arrived)\n",
                      entry.block.hash.GetHex().c_str(), entry.block.height);
        }
    }
    return ActivateBestChain(state);
}

bool ChainstateManager::ReconsiderBlock(BlockValidationState& state, CBlockIndex* index)
{
    {
        LOCK(m_cs);
        for (auto& [hash, b] : m_block_index) {
            if (!(b.status & BLOCK_FAILED_MASK)) continue;
            const bool related = b.GetAncestor(index->height) == index || index->GetAncestor(b.height) == &b;
            if (!related) continue;
            b.status &= ~BLOCK_FAILED_MASK;
            SetDirty(&b);
            if (m_best_invalid == &b) m_best_invalid = nullptr;
            if (b.IsValid(BLOCK_VALID_TREE) && (!m_best_header || CompareChainWork(b.chain_work, m_best_header->chain_work) > 0)) {
                m_best_header = &b;
            }
        }
        RebuildCandidates();
    }
    return ActivateBestChain(state);
}

bool ChainstateManager::TestBlockValidity(const CBlock& block, BlockValidationState& state, bool check_pow,
                                          bool check_merkle_root)
{
    LOCK(m_cs);
    CBlockIndex* prev = m_chain.Tip();
    if (!prev || block.hash_prev_block != prev->GetBlockHash()) {
        return state.Invalid(BlockValidationResult::BLOCK_INVALID_PREV, "inconclusive-not-best-prevblk");
    }
    const uint256 hash = block.GetHash();
    CBlockIndex index(block.GetHeader());
    index.phash = &hash;
    index.pprev = prev;
    index.height = prev->height + 1;
    if (!ContextualCheckBlockHeader(block, state, prev)) return false;
    if (!CheckBlock(block, state, Consensus(), check_pow, check_merkle_root)) return false;
    if (!oda::chain::CheckOdaBlock(block, state, Consensus())) return false;
    if (!ContextualCheckBlock(block, state, prev)) return false;
    StateCache view(m_state_tip.get());
    BlockUndo undo;
    return ConnectBlock(block, state, &index, view, undo);
}

// ---------------------------------------------------------------- queries

std::vector<ChainTip> ChainstateManager::GetChainTips() const
{
    LOCK(m_cs);
    std::set<const CBlockIndex*> has_child;
    for (const auto& [hash, b] : m_block_index) {
        if (b.pprev) has_child.insert(b.pprev);
    }
    std::vector<const CBlockIndex*> tips;
    for (const auto& [hash, b] : m_block_index) {
        if (!has_child.count(&b)) tips.push_back(&b);
    }
    if (m_chain.Tip() && std::find(tips.begin(), tips.end(), m_chain.Tip()) == tips.end()) tips.push_back(m_chain.Tip());
    std::sort(tips.begin(), tips.end(), [](const CBlockIndex* a, const CBlockIndex* b) {
        return a->height > b->height || (a->height == b->height && a->GetBlockHash() < b->GetBlockHash());
    });
    std::vector<ChainTip> out;
    for (const CBlockIndex* tip : tips) {
        const CBlockIndex* fork = m_chain.FindFork(tip);
        ChainTip t{tip, tip->height - (fork ? fork->height : -1), "", std::nullopt};
        if (m_chain.Contains(tip)) {
            t.status = "active";
        } else if (tip->status & BLOCK_FAILED_MASK) {
            t.status = "invalid";
        } else if ((t.waiting = WaitingFor(tip))) {
            t.status = "waiting-for-data";
        } else if (!tip->chain_tx) {
            t.status = "headers-only";
        } else if (tip->IsValid(BLOCK_VALID_SCRIPTS)) {
            t.status = "valid-fork";
        } else {
            t.status = "valid-headers";
        }
        out.push_back(t);
    }
    return out;
}

bool ChainstateManager::IsInitialBlockDownload() const
{
    LOCK(m_cs);
    if (m_ibd_done) return false;
    const CBlockIndex* tip = m_chain.Tip();
    if (!tip || int64_t(tip->time) < Now() - MAX_TIP_AGE) return true;
    m_ibd_done = true;
    return false;
}

double ChainstateManager::GuessVerificationProgress(const CBlockIndex* index) const
{
    if (!index || !index->chain_tx) return 0.0;
    // Without checkpointed transaction statistics, assume one transaction per block
    // interval between the block and now (regtest: no rate, as Bitcoin Core's regtest,
    // so a regtest tip always reports 1).
    if (m_params.GetChainType() == ChainType::REGTEST) return 1.0;
    const int64_t spacing = std::max<int64_t>(1, Consensus().pow_target_spacing);
    const double behind = static_cast<double>(std::max<int64_t>(0, Now() - int64_t(index->time)) / spacing);
    const double done = static_cast<double>(index->chain_tx);
    return std::min(1.0, done / (done + behind));
}

uint64_t ChainstateManager::SizeOnDisk() const
{
    LOCK(m_cs);
    return m_block_store ? m_block_store->SizeOnDisk() : 0;
}

// ---------------------------------------------------------------- flushing

void ChainstateManager::WriteBlockIndex()
{
    std::vector<std::pair<int, BlockFileInfo>> files;
    const std::vector<int> dirty_files = m_block_store->TakeDirtyFiles();
    for (int f : dirty_files) files.emplace_back(f, m_block_store->FileInfo()[f]);
    std::vector<const CBlockIndex*> blocks(m_dirty_index.begin(), m_dirty_index.end());
    try {
        m_block_tree->WriteBatchSync(files, m_block_store->LastFile(), blocks);
    } catch (...) {
        // Nothing of the batch landed: keep it dirty so a later flush writes it all.
        m_block_store->MarkDirty(dirty_files);
        throw;
    }
    m_dirty_index.clear();
}

bool ChainstateManager::FlushStateToDisk(FlushMode mode)
{
    LOCK(m_cs);
    try {
        FlushStateToDiskLocked(mode);
        return true;
    } catch (const std::exception& e) {
        return FatalError(std::string("Failed to write the chain state to disk: ") + e.what());
    }
}

void ChainstateManager::FlushStateToDiskLocked(FlushMode mode)
{
    if (!m_state_tip || !m_block_store || !m_block_tree) return;
    const int64_t now = GetTime();
    const bool cache_full = m_state_tip->DynamicMemoryUsage() > m_coins_cache_bytes;
    const bool coins_due = now > m_last_flush_time + COINS_FLUSH_INTERVAL;
    const bool index_due = !IsInitialBlockDownload() || now > m_last_index_write + INDEX_WRITE_INTERVAL_IBD;
    const bool flush_coins = mode == FlushMode::ALWAYS || cache_full || (mode == FlushMode::PERIODIC && coins_due);
    const bool write_index = flush_coins || (mode == FlushMode::PERIODIC && index_due);
    if (write_index) {
        // Order matters for crash safety: block and undo data first, then the index
        // that points at them, then the UTXO set that relies on both.
        m_block_store->Flush();
        WriteBlockIndex();
        m_last_index_write = now;
    }
    if (flush_coins) {
        // A failed flush leaves the caches as they were (StateCache::Flush clears them only
        // after the one atomic batch of coins + registry landed) and the database at its
        // previous best block.
        MaybeInjectFault("coinsflush");
        m_state_tip->Flush();
        m_last_flush_time = now;
    }
}

} // namespace node
