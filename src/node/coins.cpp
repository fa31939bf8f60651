#include <node/coins.h>

#include <stdexcept>

namespace node {

void CoinsView::BatchWrite(CoinsMap&, const uint256&)
{
    throw std::logic_error("this coins view is read-only");
}

size_t CoinsViewCache::EntryUsage(const CoinsCacheEntry& e)
{
    // Node allocation plus the script's heap buffer.
    return sizeof(CoinsMap::value_type) + 2 * sizeof(void*) + e.coin.out.script_pubkey.capacity();
}

CoinsMap::iterator CoinsViewCache::Fetch(const COutPoint& outpoint) const
{
    auto it = m_cache.find(outpoint);
    if (it != m_cache.end()) return it;
    std::optional<Coin> coin = m_base->GetCoin(outpoint);
    if (!coin) return m_cache.end();
    CoinsCacheEntry entry;
    entry.coin = std::move(*coin);
    it = m_cache.emplace(outpoint, std::move(entry)).first;
    m_dynamic_usage += EntryUsage(it->second);
    return it;
}

std::optional<Coin> CoinsViewCache::GetCoin(const COutPoint& outpoint) const
{
    auto it = Fetch(outpoint);
    if (it == m_cache.end() || it->second.coin.IsSpent()) return std::nullopt;
    return it->second.coin;
}

bool CoinsViewCache::HaveCoin(const COutPoint& outpoint) const
{
    auto it = Fetch(outpoint);
    return it != m_cache.end() && !it->second.coin.IsSpent();
}

uint256 CoinsViewCache::GetBestBlock() const
{
    if (m_best_block.IsNull()) m_best_block = m_base->GetBestBlock();
    return m_best_block;
}

void CoinsViewCache::AddCoin(const COutPoint& outpoint, Coin coin, bool possible_overwrite)
{
    if (coin.IsSpent()) throw std::logic_error("AddCoin of a spent coin");
    if (IsUnspendableScript(coin.out.script_pubkey)) return;
    auto [it, inserted] = m_cache.try_emplace(outpoint);
    bool fresh = false;
    if (!inserted) m_dynamic_usage -= EntryUsage(it->second);
    if (!possible_overwrite) {
        if (!it->second.coin.IsSpent()) throw std::logic_error("AddCoin would overwrite an unspent coin");
        // A spent-but-dirty entry means the parent still has the coin unspent:
        // the new one must overwrite it there, so it cannot be FRESH.
        fresh = !(it->second.flags & CoinsCacheEntry::DIRTY);
    }
    it->second.coin = std::move(coin);
    it->second.flags |= CoinsCacheEntry::DIRTY | (fresh ? CoinsCacheEntry::FRESH : 0);
    m_dynamic_usage += EntryUsage(it->second);
}

void CoinsViewCache::AddCoins(const CTransaction& tx, uint32_t height, bool possible_overwrite)
{
    const bool coinbase = tx.IsCoinBase();
    for (uint32_t i = 0; i < tx.vout.size(); ++i) {
        // A coinbase may repeat an earlier coinbase's txid only if BIP 34 failed; overwrite then.
        AddCoin(COutPoint(tx.GetTxid(), i), Coin(tx.vout[i], height, coinbase), possible_overwrite || coinbase);
    }
}

bool CoinsViewCache::SpendCoin(const COutPoint& outpoint, Coin* moveout)
{
    auto it = Fetch(outpoint);
    if (it == m_cache.end() || it->second.coin.IsSpent()) return false;
    m_dynamic_usage -= EntryUsage(it->second);
    if (moveout) *moveout = std::move(it->second.coin);
    if (it->second.flags & CoinsCacheEntry::FRESH) {
        // The parent never saw this coin: forgetting it is the whole spend.
        m_cache.erase(it);
    } else {
        it->second.flags |= CoinsCacheEntry::DIRTY;
        it->second.coin = Coin();
        m_dynamic_usage += EntryUsage(it->second);
    }
    return true;
}

void CoinsViewCache::BatchWrite(CoinsMap& coins, const uint256& best)
{
    for (auto& [outpoint, child] : coins) {
        if (!(child.flags & CoinsCacheEntry::DIRTY)) continue;
        auto it = m_cache.find(outpoint);
        if (it == m_cache.end()) {
            // Spent and FRESH in the child: nothing to tell anyone.
            if ((child.flags & CoinsCacheEntry::FRESH) && child.coin.IsSpent()) continue;
            CoinsCacheEntry& entry = m_cache[outpoint];
            entry.coin = std::move(child.coin);
            entry.flags = CoinsCacheEntry::DIRTY | (child.flags & CoinsCacheEntry::FRESH);
            m_dynamic_usage += EntryUsage(entry);
        } else {
            m_dynamic_usage -= EntryUsage(it->second);
            if ((it->second.flags & CoinsCacheEntry::FRESH) && child.coin.IsSpent()) {
                m_cache.erase(it); // created and spent above our parent's knowledge
            } else {
                it->second.coin = std::move(child.coin);
                it->second.flags |= CoinsCacheEntry::DIRTY;
                m_dynamic_usage += EntryUsage(it->second);
            }
        }
    }
    coins.clear();
    m_best_block = best;
}

void CoinsViewCache::Flush()
{
    FlushWith([this](CoinsMap& coins, const uint256& best) { m_base->BatchWrite(coins, best); });
}

void CoinsViewCache::FlushWith(const std::function<void(CoinsMap&, const uint256&)>& write)
{
    write(m_cache, GetBestBlock());
    m_cache.clear();
    m_dynamic_usage = 0;
}

void CoinsViewCache::Uncache(const COutPoint& outpoint)
{
    auto it = m_cache.find(outpoint);
    if (it != m_cache.end() && it->second.flags == 0) {
        m_dynamic_usage -= EntryUsage(it->second);
        m_cache.erase(it);
    }
}

} // namespace node
