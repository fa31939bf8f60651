// -txindex: txid -> where the transaction is stored, for getrawtransaction
// without a block hash. LevelDB at <datadir>/indexes/txindex.
// Keys: 't' + txid -> TxIndexEntry; 'B' -> hash of the last block indexed.
//
// An ordinary observer of the chainstate (node/validationinterface.h): validation
// does not know it exists. It is created and started by node/subsystems.cpp once
// the chainstate has loaded, and keeps itself up to date from BlockConnected /
// BlockDisconnected.
//
// Invariant: the entries describe exactly the chain that ends at the best block
// 'B'. Each block's entries are written (connect) or erased (disconnect) in ONE
// LevelDB batch together with the new 'B', so a crash at any point leaves the
// invariant true and the next start continues from 'B'.
//
// Delivery: QUEUED. The index's LevelDB writes then happen on the notification
// thread, off the validation path and without the chainstate lock (as Bitcoin
// Core's indexes); the price is that the index may lag the tip by the events still
// queued, so a reader that must see every connected block (getrawtransaction)
// calls Signals().SyncWithQueue() first, and the index keeps its own best block
// so that it can catch up after a restart, a crash or a run without -txindex.
//
// Start(): catch-up. If 'B' is not on the active chain (a reorg happened while the
// index was not running) the stale blocks are erased back to the fork, reading
// them through ChainstateManager::ReadBlock; then the active chain's blocks after
// 'B' are written, one block per lock acquisition (RPC and P2P run meanwhile).
// The last step registers the observer while holding the chainstate lock, so it
// gets every later change exactly once. A 'B' the block tree does not know (or a
// stale block that cannot be read) leaves nothing to walk back along: the index
// is then rebuilt from genesis.
//
// An event that does not continue 'B' (cannot happen with the registration above)
// is logged and ignored: the index stays consistent and the next start catches up.
// A LevelDB failure while following the chain is a fatal error (node/validation.h).
#ifndef ODA_NODE_TXINDEX_H
#define ODA_NODE_TXINDEX_H

#include <node/blockstorage.h>
#include <node/dbwrapper.h>
#include <node/validationinterface.h>
#include <primitives/block.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <map>
#include <optional>
#include <string>

namespace node {

class ChainstateManager;

struct TxIndexEntry {
    uint256 block_hash;
    FlatFilePos block_pos;  //!< the block's record in blkNNNNN.dat
    uint32_t tx_number{0};  //!< position of the transaction inside the block
    ODA_SERIALIZE_FIELDS(block_hash, block_pos, tx_number)
    bool operator==(const TxIndexEntry& o) const
    {
        return block_hash == o.block_hash && block_pos == o.block_pos && tx_number == o.tx_number;
    }
};

class TxIndex final : public ChainstateObserver
{
    ChainstateManager& m_chainman;
    DBWrapper m_db;
    //! Serializes the writers (Start's thread, then the notification thread) and keeps
    //! m_best equal to the 'B' on disk.
    mutable ::Mutex m_mutex;
    uint256 m_best GUARDED_BY(m_mutex);
    bool m_registered GUARDED_BY(m_mutex){false};

    void WriteBlock(const CBlock& block, const CBlockIndex& index) EXCLUSIVE_LOCKS_REQUIRED(m_mutex);
    void EraseBlock(const CBlock& block, const CBlockIndex& index) EXCLUSIVE_LOCKS_REQUIRED(m_mutex);
    //! Erases every entry and 'B' (one batch).
    void Clear() EXCLUSIVE_LOCKS_REQUIRED(m_mutex);

public:
    /** Opens (wipe: recreates) the database; does not register (Start() does). */
    TxIndex(ChainstateManager& chainman, const DBOptions& options);
    ~TxIndex() override;
    TxIndex(const TxIndex&) = delete;
    TxIndex& operator=(const TxIndex&) = delete;

    /** Catches up to the active tip and registers on chainman.Signals() (QUEUED). Call
     *  without the chainstate lock. False with a user-readable error (block or database
     *  failure); the index is then not registered. */
    bool Start(std::string& error) LOCKS_EXCLUDED(m_mutex);
    /** Delivers the queued events, then unregisters (idempotent; the destructor calls it). */
    void Stop() LOCKS_EXCLUDED(m_mutex);

    std::optional<TxIndexEntry> Find(const uint256& txid) const;
    /** The last block indexed (null before the first). */
    uint256 BestBlock() const LOCKS_EXCLUDED(m_mutex);
    /** Every entry, txid -> entry (tests compare indexes with it). */
    std::map<uint256, TxIndexEntry> Entries() const;

    void BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) override
        LOCKS_EXCLUDED(m_mutex);
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) override
        LOCKS_EXCLUDED(m_mutex);
};

} // namespace node

#endif // ODA_NODE_TXINDEX_H
