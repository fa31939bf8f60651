// -txindex: txid -> where the transaction is stored, for getrawtransaction
// without a block hash. LevelDB at <datadir>/indexes/txindex.
// Keys: 't' + txid -> TxIndexEntry; 'B' -> hash of the last block indexed.
// Maintained synchronously by ChainstateManager: entries are written when a
// block is connected and erased when it is disconnected, each block in one
// batch with the best-block marker. On start, if the marker is not the active
// tip, the manager re-indexes the blocks after the last common block.
#ifndef ODA_NODE_TXINDEX_H
#define ODA_NODE_TXINDEX_H

#include <node/blockstorage.h>
#include <node/dbwrapper.h>
#include <primitives/block.h>

#include <optional>

namespace node {

struct TxIndexEntry {
    uint256 block_hash;
    FlatFilePos block_pos;  //!< the block's record in blkNNNNN.dat
    uint32_t tx_number{0};  //!< position of the transaction inside the block
    ODA_SERIALIZE_FIELDS(block_hash, block_pos, tx_number)
};

class TxIndex
{
    DBWrapper m_db;

public:
    explicit TxIndex(const DBOptions& options) : m_db(options) {}
    void WriteBlock(const CBlock& block, const uint256& hash, const FlatFilePos& pos);
    void EraseBlock(const CBlock& block, const uint256& prev_hash);
    std::optional<TxIndexEntry> Find(const uint256& txid) const;
    uint256 BestBlock() const;
};

} // namespace node

#endif // ODA_NODE_TXINDEX_H
