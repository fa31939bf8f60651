#include <node/coinsdb.h>

namespace node {
namespace {

constexpr uint8_t DB_COIN = 'C';
constexpr uint8_t DB_BEST_BLOCK = 'B';

class DBCoinsCursor : public CoinsCursor
{
    std::unique_ptr<DBIterator> m_it;
    std::pair<uint8_t, COutPoint> m_key;
    bool m_valid{false};

    void Load()
    {
        m_valid = m_it->Valid() && m_it->GetKey(m_key) && m_key.first == DB_COIN;
    }

public:
    explicit DBCoinsCursor(std::unique_ptr<DBIterator> it) : m_it(std::move(it))
    {
        m_it->Seek(DB_COIN);
        Load();
    }
    bool Valid() const override { return m_valid; }
    void Next() override
    {
        m_it->Next();
        Load();
    }
    bool GetKey(COutPoint& out) const override
    {
        if (!m_valid) return false;
        out = m_key.second;
        return true;
    }
    bool GetValue(Coin& coin) const override { return m_valid && m_it->GetValue(coin); }
};

} // namespace

CoinsViewDB::CoinsViewDB(const DBOptions& options) : m_db(std::make_unique<DBWrapper>(options)) {}

std::optional<Coin> CoinsViewDB::GetCoin(const COutPoint& outpoint) const
{
    Coin coin;
    if (!m_db->Read(std::make_pair(DB_COIN, outpoint), coin)) return std::nullopt;
    return coin;
}

bool CoinsViewDB::HaveCoin(const COutPoint& outpoint) const
{
    return m_db->Exists(std::make_pair(DB_COIN, outpoint));
}

uint256 CoinsViewDB::GetBestBlock() const
{
    uint256 hash;
    if (!m_db->Read(DB_BEST_BLOCK, hash)) return uint256();
    return hash;
}

void CoinsViewDB::BatchWrite(CoinsMap& coins, const uint256& best_block)
{
    // One batch for everything: the set on disk always matches the block it names.
    // Its size is bounded by -dbcache, which triggers flushes.
    DBBatch batch;
    for (auto& [outpoint, entry] : coins) {
        if (!(entry.flags & CoinsCacheEntry::DIRTY)) continue;
        const auto key = std::make_pair(DB_COIN, outpoint);
        if (entry.coin.IsSpent()) {
            batch.Erase(key);
        } else {
            batch.Write(key, entry.coin);
        }
    }
    if (!best_block.IsNull()) batch.Write(DB_BEST_BLOCK, best_block);
    m_db->WriteBatch(batch, true);
    coins.clear();
}

std::unique_ptr<CoinsCursor> CoinsViewDB::Cursor() const
{
    return std::make_unique<DBCoinsCursor>(m_db->NewIterator());
}

} // namespace node
