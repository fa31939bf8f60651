#include <node/txindex.h>

#include <node/validation.h>
#include <util/logging.h>

#include <exception>
#include <utility>
#include <vector>

namespace node {
namespace {
constexpr uint8_t DB_TX = 't';
constexpr uint8_t DB_BEST = 'B';

std::string HashOrNone(const uint256& hash) { return hash.IsNull() ? "none" : hash.GetHex(); }
} // namespace

TxIndex::TxIndex(ChainstateManager& chainman, const DBOptions& options) : m_chainman(chainman), m_db(options)
{
    uint256 best;
    if (!m_db.Read(DB_BEST, best)) best.SetNull();
    LOCK(m_mutex);
    m_best = best;
}

TxIndex::~TxIndex() { Stop(); }

void TxIndex::WriteBlock(const CBlock& block, const CBlockIndex& index)
{
    const uint256 hash = index.GetBlockHash();
    const FlatFilePos pos(index.file, index.data_pos);
    DBBatch batch;
    for (uint32_t i = 0; i < block.vtx.size(); ++i) {
        batch.Write(std::make_pair(DB_TX, block.vtx[i]->GetTxid()), TxIndexEntry{hash, pos, i});
    }
    batch.Write(DB_BEST, hash); // same batch: the entries and the block they reach are one write
    m_db.WriteBatch(batch);
    m_best = hash;
}

void TxIndex::EraseBlock(const CBlock& block, const CBlockIndex& index)
{
    const uint256 prev = index.pprev ? index.pprev->GetBlockHash() : uint256();
    DBBatch batch;
    for (const auto& tx : block.vtx) batch.Erase(std::make_pair(DB_TX, tx->GetTxid()));
    if (prev.IsNull()) {
        batch.Erase(DB_BEST);
    } else {
        batch.Write(DB_BEST, prev);
    }
    m_db.WriteBatch(batch);
    m_best = prev;
}

void TxIndex::Clear()
{
    DBBatch batch;
    auto it = m_db.NewIterator();
    for (it->Seek(std::make_pair(DB_TX, uint256())); it->Valid(); it->Next()) {
        std::pair<uint8_t, uint256> key;
        if (!it->GetKey(key) || key.first != DB_TX) break;
        batch.Erase(key);
    }
    batch.Erase(DB_BEST);
    m_db.WriteBatch(batch);
    m_best.SetNull();
}

bool TxIndex::Start(std::string& error)
{
    int written = 0, erased = 0;
    try {
        while (true) {
            // 1. With the chain locked: the next block to erase or write, or, at the tip,
            //    registration (under the same lock, so no change falls between the two).
            const CBlockIndex* target = nullptr;
            bool erase = false;
            {
                LOCK(m_chainman.Mutex());
                LOCK(m_mutex);
                const CChain& chain = m_chainman.ActiveChain();
                const CBlockIndex* best = m_best.IsNull() ? nullptr : m_chainman.LookupBlockIndex(m_best);
                if (!m_best.IsNull() && !best) {
                    LogPrintf("txindex: indexed block %s is not in the block tree, rebuilding the index\n",
                              m_best.GetHex().c_str());
                    Clear();
                    continue;
                }
                if (best && !chain.Contains(best)) {
                    target = best; // left by a reorg while the index was not running
                    erase = true;
                } else {
                    target = best ? chain.Next(best) : chain.Genesis();
                    if (!target) {
                        m_chainman.Signals().Register(this, ObserverDelivery::QUEUED);
                        m_registered = true;
                        LogPrintf("txindex: at block %s (%d blocks written, %d stale blocks erased at start)\n",
                                  HashOrNone(m_best).c_str(), written, erased);
                        return true;
                    }
                }
            }
            // 2. Read and apply it without the chain lock (one block at a time).
            CBlock block;
            std::string err;
            if (!m_chainman.ReadBlock(target, block, &err)) {
                if (!erase) {
                    error = "Cannot build -txindex: " + err;
                    return false;
                }
                LogPrintf("txindex: cannot read stale block %s (%s), rebuilding the index\n",
                          target->GetBlockHash().GetHex().c_str(), err.c_str());
                LOCK(m_mutex);
                Clear();
                continue;
            }
            LOCK(m_mutex);
            if (erase) {
                EraseBlock(block, *target);
                ++erased;
            } else {
                WriteBlock(block, *target);
                ++written;
            }
        }
    } catch (const std::exception& e) {
        error = std::string("Cannot build -txindex (indexes/txindex): ") + e.what();
        return false;
    }
}

void TxIndex::Stop()
{
    {
        LOCK(m_mutex);
        if (!m_registered) return;
    }
    // What is still queued is applied, so a clean shutdown leaves the index at the tip.
    m_chainman.Signals().SyncWithQueue();
    m_chainman.Signals().Unregister(this);
    LOCK(m_mutex);
    m_registered = false;
}

void TxIndex::BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index)
{
    LOCK(m_mutex);
    const uint256 prev = index->pprev ? index->pprev->GetBlockHash() : uint256();
    if (prev != m_best) {
        LogPrintf("txindex: connected block %s does not extend indexed block %s; ignored until the next start\n",
                  index->GetBlockHash().GetHex().c_str(), HashOrNone(m_best).c_str());
        return;
    }
    try {
        WriteBlock(*block, *index);
    } catch (const std::exception& e) {
        m_chainman.FatalError(std::string("Cannot write the transaction index (indexes/txindex): ") + e.what());
    }
}

void TxIndex::BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index)
{
    LOCK(m_mutex);
    if (index->GetBlockHash() != m_best) {
        LogPrintf("txindex: disconnected block %s is not indexed block %s; ignored until the next start\n",
                  index->GetBlockHash().GetHex().c_str(), HashOrNone(m_best).c_str());
        return;
    }
    try {
        EraseBlock(*block, *index);
    } catch (const std::exception& e) {
        m_chainman.FatalError(std::string("Cannot write the transaction index (indexes/txindex): ") + e.what());
    }
}

std::optional<TxIndexEntry> TxIndex::Find(const uint256& txid) const
{
    TxIndexEntry entry;
    if (!m_db.Read(std::make_pair(DB_TX, txid), entry)) return std::nullopt;
    return entry;
}

uint256 TxIndex::BestBlock() const
{
    LOCK(m_mutex);
    return m_best;
}

std::map<uint256, TxIndexEntry> TxIndex::Entries() const
{
    std::map<uint256, TxIndexEntry> out;
    auto it = m_db.NewIterator();
    for (it->Seek(std::make_pair(DB_TX, uint256())); it->Valid(); it->Next()) {
        std::pair<uint8_t, uint256> key;
        if (!it->GetKey(key) || key.first != DB_TX) break;
        TxIndexEntry entry;
        if (it->GetValue(entry)) out[key.second] = entry;
    }
    return out;
}

} // namespace node
