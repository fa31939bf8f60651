// The inference index (always on): infer txid -> the block that holds it and the position of
// its output in that block's coinbase result payload (doc/oda-protocol.md section 2.2: the
// result carries one tensor per infer transaction, in block order). getinference reads it.
// LevelDB at <datadir>/indexes/inferindex. Keys: 'i' + txid -> InferenceIndexEntry;
// 'B' -> hash of the last block indexed.
//
// Same contract as node/txindex.h, whose structure it follows:
// - an ordinary QUEUED observer of the chainstate (validation does not know it exists),
//   created and started by node/subsystems.cpp once the chainstate has loaded;
// - invariant: the entries describe exactly the chain that ends at 'B'; each block's entries
//   are written (BlockConnected) or erased (BlockDisconnected) in ONE batch with the new 'B',
//   so a crash leaves it consistent, and a reorg removes the stale block's infers;
// - Start() catches up: stale blocks erased back to the fork, then the active chain's blocks
//   after 'B' written, one block per chainstate-lock acquisition, then registration under the
//   lock (no event missed, none twice). Readers call Signals().SyncWithQueue() first.
// Decoding a block's transactions is the consensus codec's (oda/chain/payload.h); a malformed
// ODA output cannot be in a connected block, and a transaction without an infer is skipped.
#ifndef ODA_NODE_INFERENCE_INDEX_H
#define ODA_NODE_INFERENCE_INDEX_H

#include <node/dbwrapper.h>
#include <node/validationinterface.h>
#include <oda/chain/payload.h>
#include <primitives/block.h>
#include <serialize.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <cstdint>
#include <optional>
#include <string>

namespace node {

class ChainstateManager;

struct InferenceIndexEntry {
    uint256 block_hash;
    uint32_t tx_number{0};     //!< position of the transaction in the block
    uint32_t result_index{0};  //!< position of its output in the coinbase result payload
    ODA_SERIALIZE_FIELDS(block_hash, tx_number, result_index)
};

class InferenceIndex final : public ChainstateObserver
{
    ChainstateManager& m_chainman;
    DBWrapper m_db;
    mutable ::Mutex m_mutex;  //!< serializes the writers; keeps m_best equal to 'B' on disk
    uint256 m_best GUARDED_BY(m_mutex);
    bool m_registered GUARDED_BY(m_mutex){false};

    void WriteBlock(const CBlock& block, const uint256& hash) EXCLUSIVE_LOCKS_REQUIRED(m_mutex);
    void EraseBlock(const CBlock& block, const uint256& prev) EXCLUSIVE_LOCKS_REQUIRED(m_mutex);
    void Clear() EXCLUSIVE_LOCKS_REQUIRED(m_mutex);

public:
    /** Opens (wipe: recreates) the database; Start() registers. */
    InferenceIndex(ChainstateManager& chainman, const DBOptions& options);
    ~InferenceIndex() override;
    InferenceIndex(const InferenceIndex&) = delete;
    InferenceIndex& operator=(const InferenceIndex&) = delete;

    /** Catches up to the tip and registers (QUEUED). Call without the chainstate lock. */
    bool Start(std::string& error) LOCKS_EXCLUDED(m_mutex);
    /** Delivers the queued events, then unregisters (idempotent). */
    void Stop() LOCKS_EXCLUDED(m_mutex);

    std::optional<InferenceIndexEntry> Find(const uint256& txid) const;
    uint256 BestBlock() const LOCKS_EXCLUDED(m_mutex);

    void BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) override
        LOCKS_EXCLUDED(m_mutex);
    void BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index) override
        LOCKS_EXCLUDED(m_mutex);
};

/** The infer payload of a (non-coinbase) transaction, if it carries one. */
std::optional<oda::chain::Infer> InferOf(const CTransaction& tx);
/** The result payload of a coinbase, if it carries one. */
std::optional<oda::chain::Result> ResultOf(const CTransaction& coinbase);

} // namespace node

#endif // ODA_NODE_INFERENCE_INDEX_H
