// The UTXO set as a stack of views: CoinsViewDB (LevelDB chainstate/) at the
// bottom, CoinsViewCache layers on top (the node's long-lived tip cache, and a
// short-lived cache per block being connected so a failing block leaves the tip
// untouched). The mempool adds its own view on top of the tip cache.
//
// Contract of a view: GetCoin returns the unspent coin or std::nullopt (never
// a spent coin); GetBestBlock is the block hash whose outputs the view reflects.
#ifndef ODA_NODE_COINS_H
#define ODA_NODE_COINS_H

#include <primitives/coin.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

namespace node {

/** A cached coin with its state relative to the parent view. */
struct CoinsCacheEntry {
    Coin coin;         //!< spent (IsSpent()) when the coin was removed in this layer
    uint8_t flags{0};
    enum Flags : uint8_t {
        DIRTY = 1, //!< differs from the parent: must be written on flush
        FRESH = 2, //!< the parent has no unspent version: a spend can simply forget it
    };
};

struct OutPointHasher {
    size_t operator()(const COutPoint& o) const { return static_cast<size_t>(o.hash.GetUint64(0) ^ (uint64_t(o.n) * 0x9e3779b97f4a7c15ULL)); }
};

using CoinsMap = std::unordered_map<COutPoint, CoinsCacheEntry, OutPointHasher>;

/** Iterates the unspent coins of a view in key order. */
class CoinsCursor
{
public:
    virtual ~CoinsCursor() = default;
    virtual bool Valid() const = 0;
    virtual void Next() = 0;
    virtual bool GetKey(COutPoint& out) const = 0;
    virtual bool GetValue(Coin& coin) const = 0;
};

class CoinsView
{
public:
    virtual ~CoinsView() = default;
    virtual std::optional<Coin> GetCoin(const COutPoint& outpoint) const = 0;
    virtual bool HaveCoin(const COutPoint& outpoint) const { return GetCoin(outpoint).has_value(); }
    virtual uint256 GetBestBlock() const = 0;
    /** Applies the DIRTY entries of `coins` and sets the best block, atomically. Clears `coins`. */
    virtual void BatchWrite(CoinsMap& coins, const uint256& best_block);
    /** Cursor over all unspent coins, or nullptr when the view cannot iterate. */
    virtual std::unique_ptr<CoinsCursor> Cursor() const { return nullptr; }
};

/** A view that forwards to another (which must outlive it). */
class CoinsViewBacked : public CoinsView
{
protected:
    CoinsView* m_base;

public:
    explicit CoinsViewBacked(CoinsView* base) : m_base(base) {}
    std::optional<Coin> GetCoin(const COutPoint& outpoint) const override { return m_base->GetCoin(outpoint); }
    bool HaveCoin(const COutPoint& outpoint) const override { return m_base->HaveCoin(outpoint); }
    uint256 GetBestBlock() const override { return m_base->GetBestBlock(); }
    void BatchWrite(CoinsMap& coins, const uint256& best) override { m_base->BatchWrite(coins, best); }
    std::unique_ptr<CoinsCursor> Cursor() const override { return m_base->Cursor(); }
    void SetBackend(CoinsView* base) { m_base = base; }
};

/** An in-memory layer that records additions and spends until Flush(). */
class CoinsViewCache : public CoinsViewBacked
{
    mutable CoinsMap m_cache;
    mutable uint256 m_best_block;
    mutable size_t m_dynamic_usage{0};

    /** Finds or loads the entry for outpoint; end() if the coin is not known anywhere. */
    CoinsMap::iterator Fetch(const COutPoint& outpoint) const;
    static size_t EntryUsage(const CoinsCacheEntry& e);

public:
    explicit CoinsViewCache(CoinsView* base) : CoinsViewBacked(base) {}
    CoinsViewCache(const CoinsViewCache&) = delete;
    CoinsViewCache& operator=(const CoinsViewCache&) = delete;

    std::optional<Coin> GetCoin(const COutPoint& outpoint) const override;
    bool HaveCoin(const COutPoint& outpoint) const override;
    uint256 GetBestBlock() const override;
    void BatchWrite(CoinsMap& coins, const uint256& best) override;
    std::unique_ptr<CoinsCursor> Cursor() const override { return nullptr; } // flush first, then iterate the DB

    void SetBestBlock(const uint256& hash) { m_best_block = hash; }
    /** Adds an unspent coin. possible_overwrite=false asserts no unspent coin exists there. */
    void AddCoin(const COutPoint& outpoint, Coin coin, bool possible_overwrite);
    /** Adds all outputs of tx (OP_RETURN outputs are never added: they are unspendable). */
    void AddCoins(const CTransaction& tx, uint32_t height, bool possible_overwrite = false);
    /** Spends a coin; its previous value goes to *moveout. False if there was no unspent coin. */
    bool SpendCoin(const COutPoint& outpoint, Coin* moveout = nullptr);
    /** Is the coin in this layer's memory (without loading it)? */
    bool HaveCoinInCache(const COutPoint& outpoint) const { return m_cache.count(outpoint) > 0; }
    /** Pushes all changes and the best block into the parent view, then empties this layer. */
    void Flush();
    /** Hands all changes and the best block to `write` (which must apply them or throw), then
     *  empties this layer; when `write` throws the layer keeps everything. Lets a caller write
     *  the coins together with other state in one batch (node/state_cache.h). */
    void FlushWith(const std::function<void(CoinsMap&, const uint256&)>& write);
    /** Drops a non-dirty entry (to bound memory after reading coins for the mempool). */
    void Uncache(const COutPoint& outpoint);
    size_t CacheSize() const { return m_cache.size(); }
    /** Approximate heap bytes used by the cache. */
    size_t DynamicMemoryUsage() const { return m_dynamic_usage + m_cache.bucket_count() * sizeof(void*); }
};

/** Is this script provably unspendable (OP_RETURN ...)? Such outputs never enter the UTXO set. */
inline bool IsUnspendableScript(const ScriptBytes& script) { return !script.empty() && script[0] == 0x6a; }

} // namespace node

#endif // ODA_NODE_COINS_H
