#include <node/coinsdb.h>

namespace node {
namespace {

constexpr uint8_t DB_COIN = 'C';
constexpr uint8_t DB_BEST_BLOCK = 'B';
constexpr uint8_t DB_REGISTRY_FORMAT = 'S';
constexpr uint8_t DB_MODEL = 'M';
constexpr uint8_t DB_VERSION = 'W';
constexpr uint8_t DB_ROOT = 'R';
constexpr uint8_t DB_OWNER = 'O';

/** A u32 written big-endian, so a model's versions sort by index in the database. */
struct BigEndian32 {
    uint32_t value{0};
    template <typename Stream> void Serialize(Stream& s) const
    {
        const uint8_t b[4] = {uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8), uint8_t(value)};
        s.write(b, 4);
    }
    template <typename Stream> void Unserialize(Stream& s)
    {
        uint8_t b[4];
        s.read(b, 4);
        value = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
    }
};

auto ModelKey(const uint256& id) { return std::make_pair(DB_MODEL, id); }
auto VersionDBKey(const uint256& id, uint32_t n) { return std::make_pair(DB_VERSION, std::make_pair(id, BigEndian32{n})); }
auto RootDBKey(const uint256& id, const uint256& root) { return std::make_pair(DB_ROOT, std::make_pair(id, root)); }
auto OwnerKey(const COutPoint& o) { return std::make_pair(DB_OWNER, o); }

template <typename K, typename V>
void PutOrErase(DBBatch& batch, const K& key, const std::optional<V>& value)
{
    if (value) {
        batch.Write(key, *value);
    } else {
        batch.Erase(key);
    }
}

template <typename V, typename K>
std::optional<V> ReadOptional(const DBWrapper& db, const K& key)
{
    V value;
    if (!db.Read(key, value)) return std::nullopt;
    return value;
}

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
    DBBatch batch;
    AddToBatch(batch, coins, best_block);
    m_db->WriteBatch(batch, true);
    coins.clear();
}

void CoinsViewDB::AddToBatch(DBBatch& batch, const CoinsMap& coins, const uint256& best_block)
{
    for (const auto& [outpoint, entry] : coins) {
        if (!(entry.flags & CoinsCacheEntry::DIRTY)) continue;
        const auto key = std::make_pair(DB_COIN, outpoint);
        if (entry.coin.IsSpent()) {
            batch.Erase(key);
        } else {
            batch.Write(key, entry.coin);
        }
    }
    if (!best_block.IsNull()) batch.Write(DB_BEST_BLOCK, best_block);
}

std::unique_ptr<CoinsCursor> CoinsViewDB::Cursor() const
{
    return std::make_unique<DBCoinsCursor>(m_db->NewIterator());
}

std::optional<oda::chain::ModelRecord> RegistryViewDB::GetModel(const uint256& model_id) const
{
    return ReadOptional<oda::chain::ModelRecord>(m_db, ModelKey(model_id));
}

std::optional<oda::chain::ModelVersion> RegistryViewDB::GetVersion(const uint256& model_id, uint32_t index) const
{
    return ReadOptional<oda::chain::ModelVersion>(m_db, VersionDBKey(model_id, index));
}

std::optional<uint32_t> RegistryViewDB::FindVersion(const uint256& model_id, const uint256& pieces_root) const
{
    return ReadOptional<uint32_t>(m_db, RootDBKey(model_id, pieces_root));
}

std::optional<uint256> RegistryViewDB::GetOwnedModel(const COutPoint& outpoint) const
{
    return ReadOptional<uint256>(m_db, OwnerKey(outpoint));
}

bool RegistryViewDB::HasFormat() const { return m_db.Exists(DB_REGISTRY_FORMAT); }

void RegistryViewDB::ForEachModel(const std::function<void(const uint256&, const oda::chain::ModelRecord&)>& f) const
{
    std::unique_ptr<DBIterator> it = m_db.NewIterator();
    for (it->Seek(DB_MODEL); it->Valid(); it->Next()) {
        const std::vector<uint8_t> raw = it->RawKey();
        if (raw.empty() || raw[0] != DB_MODEL) break;
        std::pair<uint8_t, uint256> key;
        oda::chain::ModelRecord record;
        if (!it->GetKey(key) || !it->GetValue(record)) {
            throw DBError("corrupted model record in " + m_db.Path() + ". Restart with -reindex-chainstate.");
        }
        f(key.second, record);
    }
}

void RegistryViewDB::AddToBatch(DBBatch& batch, const oda::chain::RegistryChanges& changes)
{
    for (const auto& [id, record] : changes.models) PutOrErase(batch, ModelKey(id), record);
    for (const auto& [key, version] : changes.versions) PutOrErase(batch, VersionDBKey(key.first, key.second), version);
    for (const auto& [key, index] : changes.roots) PutOrErase(batch, RootDBKey(key.first, key.second), index);
    for (const auto& [outpoint, id] : changes.owners) PutOrErase(batch, OwnerKey(outpoint), id);
}

void ChainstateDB::BatchWrite(CoinsMap& coins, oda::chain::RegistryChanges& registry, const uint256& best_block)
{
    // One batch for everything: coins and registry on disk always match the block they
    // name. Its size is bounded by -dbcache, which triggers flushes.
    DBBatch batch;
    CoinsViewDB::AddToBatch(batch, coins, best_block);
    RegistryViewDB::AddToBatch(batch, registry);
    batch.Write(DB_REGISTRY_FORMAT, REGISTRY_DB_FORMAT);
    m_coins.Db().WriteBatch(batch, true);
    coins.clear();
    registry.clear();
}

} // namespace node
