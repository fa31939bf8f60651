#include <node/txindex.h>

namespace node {
namespace {
constexpr uint8_t DB_TX = 't';
constexpr uint8_t DB_BEST = 'B';
} // namespace

void TxIndex::WriteBlock(const CBlock& block, const uint256& hash, const FlatFilePos& pos)
{
    DBBatch batch;
    for (uint32_t i = 0; i < block.vtx.size(); ++i) {
        batch.Write(std::make_pair(DB_TX, block.vtx[i]->GetTxid()), TxIndexEntry{hash, pos, i});
    }
    batch.Write(DB_BEST, hash);
    m_db.WriteBatch(batch);
}

void TxIndex::EraseBlock(const CBlock& block, const uint256& prev_hash)
{
    DBBatch batch;
    for (const auto& tx : block.vtx) batch.Erase(std::make_pair(DB_TX, tx->GetTxid()));
    batch.Write(DB_BEST, prev_hash);
    m_db.WriteBatch(batch);
}

std::optional<TxIndexEntry> TxIndex::Find(const uint256& txid) const
{
    TxIndexEntry entry;
    if (!m_db.Read(std::make_pair(DB_TX, txid), entry)) return std::nullopt;
    return entry;
}

uint256 TxIndex::BestBlock() const
{
    uint256 hash;
    if (!m_db.Read(DB_BEST, hash)) return uint256();
    return hash;
}

} // namespace node
