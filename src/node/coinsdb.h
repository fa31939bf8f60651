// The chain state on disk: LevelDB at <datadir>/chainstate, holding the UTXO set and the
// model registry (doc/files.md lists the keys):
//   'C' + outpoint -> Coin;  'B' -> hash of the block the state reflects;
//   'S' -> u32 registry format (1; absent in a chainstate written before the registry);
//   'M' + model id -> ModelRecord;  'W' + model id + u32 big-endian index -> ModelVersion;
//   'R' + model id + weights pieces root -> u32 first version index with that root;
//   'O' + ownership outpoint -> model id.
// ChainstateDB::BatchWrite puts every changed coin, every registry change and the new best
// block into ONE LevelDB batch, so after a crash the database is always the UTXO set and
// registry of one block it names (the node then reconnects the blocks after it). A failed
// BatchWrite throws DBError and leaves both the database and the caller's change sets
// unchanged, so the caches still hold every change (the failure is fatal: node/validation.h).
#ifndef ODA_NODE_COINSDB_H
#define ODA_NODE_COINSDB_H

#include <node/coins.h>
#include <node/dbwrapper.h>
#include <node/state_cache.h>
#include <oda/chain/registry.h>

#include <functional>
#include <memory>

namespace node {

/** Format of the registry keys written by this code ('S'). */
static constexpr uint32_t REGISTRY_DB_FORMAT = 1;

class CoinsViewDB : public CoinsView
{
    std::unique_ptr<DBWrapper> m_db;

public:
    explicit CoinsViewDB(const DBOptions& options);

    std::optional<Coin> GetCoin(const COutPoint& outpoint) const override;
    bool HaveCoin(const COutPoint& outpoint) const override;
    uint256 GetBestBlock() const override;
    /** Coins only (tests and tools); the node writes through ChainstateDB::BatchWrite. */
    void BatchWrite(CoinsMap& coins, const uint256& best_block) override;
    std::unique_ptr<CoinsCursor> Cursor() const override;
    uint64_t EstimateSize() const { return m_db->EstimateSize(); }
    DBWrapper& Db() { return *m_db; }
    const DBWrapper& Db() const { return *m_db; }
    /** Adds the DIRTY coins and the best block (if not null) to `batch`. */
    static void AddToBatch(DBBatch& batch, const CoinsMap& coins, const uint256& best_block);
};

/** The registry keys of the chainstate database (read side). */
class RegistryViewDB : public oda::chain::RegistryView
{
    const DBWrapper& m_db;

public:
    explicit RegistryViewDB(const DBWrapper& db) : m_db(db) {}
    std::optional<oda::chain::ModelRecord> GetModel(const uint256& model_id) const override;
    std::optional<oda::chain::ModelVersion> GetVersion(const uint256& model_id, uint32_t index) const override;
    std::optional<uint32_t> FindVersion(const uint256& model_id, const uint256& pieces_root) const override;
    std::optional<uint256> GetOwnedModel(const COutPoint& outpoint) const override;
    /** Calls f for every model in model-id order (internal byte order). Throws DBError on a
     *  record that does not parse. */
    void ForEachModel(const std::function<void(const uint256&, const oda::chain::ModelRecord&)>& f) const;
    /** Is the 'S' format key present? */
    bool HasFormat() const;
    static void AddToBatch(DBBatch& batch, const oda::chain::RegistryChanges& changes);
};

/** The bottom of the state stack: coins and registry in one database, written together. */
class ChainstateDB : public StateView
{
    CoinsViewDB m_coins;
    RegistryViewDB m_registry;

public:
    explicit ChainstateDB(const DBOptions& options) : m_coins(options), m_registry(m_coins.Db()) {}
    CoinsView& Coins() override { return m_coins; }
    const oda::chain::RegistryView& Registry() const override { return m_registry; }
    void BatchWrite(CoinsMap& coins, oda::chain::RegistryChanges& registry, const uint256& best_block) override;

    CoinsViewDB& CoinsDB() { return m_coins; }
    const RegistryViewDB& RegistryDB() const { return m_registry; }
};

} // namespace node

#endif // ODA_NODE_COINSDB_H
