// CTxMemPool: the node's set of valid unconfirmed transactions.
//
// What it keeps: entries (node/mempool_entry.h) indexed by txid and wtxid, a map
// from every spent outpoint to the in-pool transaction spending it (double-spend
// detection and chains of unconfirmed transactions), and two ordered indexes:
//  - ancestor score (higher first): what a miner should take next;
//  - descendant score (lower first): what -maxmempool evicts first.
// All containers are ordered (std::map/std::set) so iteration is deterministic;
// ties are broken by txid.
//
// What it does NOT do: validate. Transactions come in through
// AcceptToMemoryPool (node/mempool_accept.h), which checks them against the
// chain and these policy limits, then calls AddUnchecked.
//
// Thread safety: every member is GUARDED_BY(cs) (checked by clang's analysis,
// contrib/devtools/check-thread-safety.sh). Every public method takes `cs`
// itself, except EntriesLocked(), which returns a reference into the pool and
// so requires the caller to hold `cs` (EXCLUSIVE_LOCKS_REQUIRED). `cs` is a
// public RecursiveMutex so a caller that needs several calls to see one
// consistent pool (the acceptance code, the block assembler, RPCs listing the
// pool) can hold it across them: `LOCK(pool.cs);`. Lock order: the chainstate's
// mutex before `cs`, never the other way round.
#ifndef ODA_NODE_MEMPOOL_H
#define ODA_NODE_MEMPOOL_H

#include <node/coins.h>
#include <node/feerate.h>
#include <node/mempool_entry.h>
#include <node/mempool_removal_reason.h>
#include <node/policy.h>
#include <primitives/transaction.h>
#include <uint256.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace node {
class ValidationSignals;
}
namespace oda::chain {
class OdaExecutor;
}
namespace oda::storage {
class FileStore;
}

/** Default policy limits (Bitcoin Core's values). */
static constexpr int64_t DEFAULT_ANCESTOR_LIMIT = 25;
static constexpr int64_t DEFAULT_ANCESTOR_SIZE_LIMIT_KVB = 101;
static constexpr int64_t DEFAULT_DESCENDANT_LIMIT = 25;
static constexpr int64_t DEFAULT_DESCENDANT_SIZE_LIMIT_KVB = 101;
static constexpr int64_t DEFAULT_MAX_MEMPOOL_SIZE_MB = 300;
static constexpr int64_t DEFAULT_MEMPOOL_EXPIRY_HOURS = 336;
static constexpr CAmount DEFAULT_INCREMENTAL_RELAY_FEE = 1000;
/** Half-life of the rising minimum fee once blocks come in again (seconds). */
static constexpr int64_t ROLLING_FEE_HALFLIFE = 60 * 60 * 12;



/** Chain limits on unconfirmed ancestors/descendants of a transaction (counts include the tx). */
struct MemPoolLimits {
    int64_t ancestor_count{DEFAULT_ANCESTOR_LIMIT};
    int64_t ancestor_size_vbytes{DEFAULT_ANCESTOR_SIZE_LIMIT_KVB * 1000};
    int64_t descendant_count{DEFAULT_DESCENDANT_LIMIT};
    int64_t descendant_size_vbytes{DEFAULT_DESCENDANT_SIZE_LIMIT_KVB * 1000};
};

struct MemPoolOptions {
    int64_t max_size_bytes{DEFAULT_MAX_MEMPOOL_SIZE_MB * 1000000};
    int64_t expiry_seconds{DEFAULT_MEMPOOL_EXPIRY_HOURS * 60 * 60};
    CFeeRate min_relay_feerate{1000};
    CFeeRate incremental_relay_feerate{DEFAULT_INCREMENTAL_RELAY_FEE};
    CFeeRate dust_relay_feerate{3000};
    MemPoolLimits limits;
    /** Seconds since the epoch; the node passes its mockable clock. Defaults to the system clock. */
    std::function<int64_t()> clock;
    /** Told about every addition and removal, with the sequence number after it
     *  (node/validationinterface.h); nullptr for a pool nobody observes (tests). The
     *  node passes its ChainstateManager's signals, which must outlive the pool. */
    node::ValidationSignals* signals{nullptr};
    /** ODA policy (doc/policy.md "ODA transactions"): fee per million compute units on top of the
     *  size-based fee (-mincomputefee). */
    CAmount min_compute_fee_per_million_cu{DEFAULT_MIN_FEE_PER_MILLION_CU};
    /** Scores weights and runs inferences on arrival, without the chain lock (so it must be
     *  thread-safe: blocks may use it at the same time); nullptr = claims trusted, as
     *  ConnectBlock does without an executor. Must outlive the pool. */
    oda::chain::OdaExecutor* oda_executor{nullptr};
    /** Where acceptance looks for the files an ODA transaction needs; nullptr = not checked
     *  (tests). Must outlive the pool. */
    const oda::storage::FileStore* file_store{nullptr};
};

/** Score of an entry in one of the ordered indexes: fee / size, ties by txid. */
struct MemPoolScore {
    CAmount fee;
    int64_t size;
    uint256 txid;
};

class CTxMemPool
{
public:
    explicit CTxMemPool(MemPoolOptions options = {});
    CTxMemPool(const CTxMemPool&) = delete;
    CTxMemPool& operator=(const CTxMemPool&) = delete;

    mutable RecursiveMutex cs;

    const MemPoolOptions& Options() const { return m_opts; }
    int64_t Now() const;

    // ---------------------------------------------------------------- queries
    bool Exists(const uint256& txid) const;
    bool ExistsWtxid(const uint256& wtxid) const;
    /** The transaction with this txid, or nullptr. */
    CTransactionRef Get(const uint256& txid) const;
    /** A copy of the entry, or nullopt. */
    std::optional<CTxMemPoolEntry> GetEntry(const uint256& txid) const;
    /** The txid of the in-pool transaction spending `outpoint`, if any. */
    std::optional<uint256> GetSpender(const COutPoint& outpoint) const;
    /** The pending update-weights of `model_id` (at most one per model), if any. */
    std::optional<uint256> GetPendingUpdate(const uint256& model_id) const;
    /** Output `outpoint` of an in-pool transaction (unconfirmed coin), if it exists. */
    std::optional<CTxOut> GetUnconfirmedOutput(const COutPoint& outpoint) const;

    size_t Size() const;
    /** Sum of virtual sizes (getmempoolinfo "bytes"). */
    int64_t TotalVSize() const;
    CAmount TotalFee() const;
    /** Estimated memory used by the entries (getmempoolinfo "usage"); compared with -maxmempool. */
    size_t DynamicMemoryUsage() const;
    /** Incremented on every addition and removal (getrawmempool mempool_sequence). */
    uint64_t GetSequence() const;
    /** All txids in ascending order. */
    std::vector<uint256> Txids() const;
    /** Copies of all entries, best ancestor score first (mining order hint). */
    std::vector<CTxMemPoolEntry> EntriesByAncestorScore() const;

    /** In-pool ancestors (not including txid itself); empty if txid is unknown. */
    std::set<uint256> CalculateAncestors(const uint256& txid) const;
    /** In-pool descendants (not including txid itself). */
    std::set<uint256> CalculateDescendants(const uint256& txid) const;

    /**
     * Checks that adding `tx` (with virtual size `vsize`) keeps every chain within the
     * limits. On failure returns false and sets `reason` ("too-long-mempool-chain") and
     * `debug` (Core's wording, e.g. "too many unconfirmed ancestors [limit: 25]").
     */
    bool CheckPackageLimits(const CTransaction& tx, int64_t vsize, const MemPoolLimits& limits,
                            std::string& reason, std::string& debug) const;

    /**
     * The minimum fee rate to enter the pool now: 0 while the pool has never been full,
     * otherwise the rate of the last evicted package plus the incremental relay fee,
     * decaying (halving every 12 h, faster when the pool is small) once blocks arrive.
     */
    CFeeRate GetMinFee() const;

    // -------------------------------------------------------------- mutation
    /**
     * Adds an entry whose validity the caller has checked (inputs available, no
     * conflict, limits). Links it to in-pool parents and, after a reorg, to in-pool
     * children that already spend it, and updates every affected total.
     */
    void AddUnchecked(CTxMemPoolEntry entry);
    /** Removes `tx` (if present) and every in-pool transaction descending from it. */
    void RemoveRecursive(const CTransaction& tx, MemPoolRemovalReason reason);
    /** Removes the block's transactions (descendants stay) and everything conflicting with them. */
    void RemoveForBlock(const std::vector<CTransactionRef>& vtx, uint32_t block_height);
    /** Removes (with descendants) every entry for which `should_remove` is true (after a reorg,
     *  or ODA entries the new tip no longer admits), telling observers `reason`. */
    void RemoveForReorg(const std::function<bool(const CTxMemPoolEntry&)>& should_remove,
                        MemPoolRemovalReason reason = MemPoolRemovalReason::REORG);
    /** Removes entries that arrived before `cutoff_time` (with descendants); returns how many left. */
    size_t Expire(int64_t cutoff_time);
    /**
     * Evicts the lowest-descendant-score packages until the memory estimate fits in
     * `limit_bytes`, raising the minimum fee. Returns the txids evicted.
     */
    std::vector<uint256> TrimToSize(size_t limit_bytes);
    /** Limits enforcement after an acceptance: expiry, then -maxmempool. */
    void LimitSize();

    // ------------------------------------------- direct access (hold cs)
    /** All entries by txid. The caller must hold `cs` for as long as it uses the reference. */
    const std::map<uint256, CTxMemPoolEntry>& EntriesLocked() const EXCLUSIVE_LOCKS_REQUIRED(cs) { return m_entries; }

    /** Checks all internal invariants (totals, links, indexes); for tests. Throws std::logic_error. */
    void Check() const;

private:
    struct AncestorScoreBetter {
        bool operator()(const MemPoolScore& a, const MemPoolScore& b) const;
    };
    struct DescendantScoreWorse {
        bool operator()(const MemPoolScore& a, const MemPoolScore& b) const;
    };

    static MemPoolScore AncestorScore(const CTxMemPoolEntry& e);
    static MemPoolScore DescendantScore(const CTxMemPoolEntry& e);
    void Index(const CTxMemPoolEntry& e) EXCLUSIVE_LOCKS_REQUIRED(cs);
    void Unindex(const CTxMemPoolEntry& e) EXCLUSIVE_LOCKS_REQUIRED(cs);
    /** Recomputes an entry's ancestor and descendant totals from the graph. */
    void RecomputeTotals(const uint256& txid) EXCLUSIVE_LOCKS_REQUIRED(cs);
    void RemoveStaged(const std::set<uint256>& stage, MemPoolRemovalReason reason) EXCLUSIVE_LOCKS_REQUIRED(cs);
    void TrackPackageRemoved(const CFeeRate& rate) EXCLUSIVE_LOCKS_REQUIRED(cs);

    MemPoolOptions m_opts;
    std::map<uint256, CTxMemPoolEntry> m_entries GUARDED_BY(cs);
    std::map<uint256, uint256> m_wtxid_to_txid GUARDED_BY(cs);
    std::map<COutPoint, uint256> m_spent_by GUARDED_BY(cs);
    /** model id -> txid of its one pending update-weights. */
    std::map<uint256, uint256> m_pending_update GUARDED_BY(cs);
    std::set<MemPoolScore, AncestorScoreBetter> m_by_ancestor_score GUARDED_BY(cs);
    std::set<MemPoolScore, DescendantScoreWorse> m_by_descendant_score GUARDED_BY(cs);

    int64_t m_total_vsize GUARDED_BY(cs){0};
    CAmount m_total_fee GUARDED_BY(cs){0};
    size_t m_usage GUARDED_BY(cs){0};
    uint64_t m_sequence GUARDED_BY(cs){0};

    mutable CAmount m_rolling_min_fee GUARDED_BY(cs){0}; //!< units/kvB
    mutable int64_t m_last_rolling_update GUARDED_BY(cs){0};
    mutable bool m_block_since_last_bump GUARDED_BY(cs){false};
};

/** Height given to coins created by pool transactions (they are in no block yet). */
static constexpr uint32_t MEMPOOL_HEIGHT = 0x7FFFFFFF;

/**
 * A coins view that also sees the outputs of pool transactions, on top of a
 * chain view (normally the tip cache): chains of unconfirmed transactions can
 * be validated and gettxout can report unconfirmed outputs. As in Bitcoin
 * Core, coins spent by pool transactions are still returned; callers that
 * must hide them ask CTxMemPool::GetSpender. Hold the chainstate lock (for
 * `base`) and the pool's lock while using it.
 */
class CoinsViewMemPool : public node::CoinsViewBacked
{
    const CTxMemPool& m_pool;

public:
    CoinsViewMemPool(node::CoinsView* base, const CTxMemPool& pool) : CoinsViewBacked(base), m_pool(pool) {}
    /** An unconfirmed output (height MEMPOOL_HEIGHT, never coinbase) first, then the base view. */
    std::optional<Coin> GetCoin(const COutPoint& outpoint) const override;
    bool HaveCoin(const COutPoint& outpoint) const override { return GetCoin(outpoint).has_value(); }
};

#endif // ODA_NODE_MEMPOOL_H
