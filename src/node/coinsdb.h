// The UTXO set on disk: LevelDB at <datadir>/chainstate.
// Keys: 'C' + outpoint -> Coin; 'B' -> hash of the block the set reflects.
// BatchWrite puts every changed coin and the new best block into ONE LevelDB
// batch, so after a crash the database is always the UTXO set of some block
// it names (the node then reconnects the blocks after it). A failed BatchWrite
// throws DBError and leaves both the database and the caller's map unchanged,
// so the cache still holds every change (the failure is fatal: node/validation.h).
#ifndef ODA_NODE_COINSDB_H
#define ODA_NODE_COINSDB_H

#include <node/coins.h>
#include <node/dbwrapper.h>

#include <memory>

namespace node {

class CoinsViewDB : public CoinsView
{
    std::unique_ptr<DBWrapper> m_db;

public:
    explicit CoinsViewDB(const DBOptions& options);

    std::optional<Coin> GetCoin(const COutPoint& outpoint) const override;
    bool HaveCoin(const COutPoint& outpoint) const override;
    uint256 GetBestBlock() const override;
    void BatchWrite(CoinsMap& coins, const uint256& best_block) override;
    std::unique_ptr<CoinsCursor> Cursor() const override;
    uint64_t EstimateSize() const { return m_db->EstimateSize(); }
    DBWrapper& Db() { return *m_db; }
};

} // namespace node

#endif // ODA_NODE_COINSDB_H
