#include <node/inference_index.h>

#include <node/validation.h>
#include <script/standard.h>
#include <util/logging.h>

#include <exception>
#include <utility>
#include <variant>

namespace node {
namespace {
constexpr uint8_t DB_INFER = 'i';
constexpr uint8_t DB_BEST = 'B';

std::string HashOrNone(const uint256& hash) { return hash.IsNull() ? "none" : hash.GetHex(); }

std::optional<oda::chain::Payload> PayloadOf(const CTransaction& tx, oda::chain::PayloadKind kind)
{
    for (const CTxOut& out : tx.vout) {
        auto bytes = ExtractOdaPayload(out.script_pubkey);
        if (!bytes) continue;
        oda::chain::Payload payload;
        std::string error;
        if (oda::chain::DecodeOdaPayload(*bytes, payload, error) && oda::chain::KindOf(payload) == kind) return payload;
    }
    return std::nullopt;
}
} // namespace

std::optional<oda::chain::Infer> InferOf(const CTransaction& tx)
{
    if (tx.IsCoinBase()) return std::nullopt;
    auto payload = PayloadOf(tx, oda::chain::PayloadKind::INFER);
    if (!payload) return std::nullopt;
    return std::get<oda::chain::Infer>(*payload);
}

std::optional<oda::chain::Result> ResultOf(const CTransaction& coinbase)
{
    if (!coinbase.IsCoinBase()) return std::nullopt;
    auto payload = PayloadOf(coinbase, oda::chain::PayloadKind::RESULT);
    if (!payload) return std::nullopt;
    return std::get<oda::chain::Result>(*payload);
}

InferenceIndex::InferenceIndex(ChainstateManager& chainman, const DBOptions& options) : m_chainman(chainman), m_db(options)
{
    uint256 best;
    if (!m_db.Read(DB_BEST, best)) best.SetNull();
    LOCK(m_mutex);
    m_best = best;
}

InferenceIndex::~InferenceIndex() { Stop(); }

void InferenceIndex::WriteBlock(const CBlock& block, const uint256& hash)
{
    DBBatch batch;
    uint32_t result_index = 0; // the result payload has one output per infer, in block order
    for (uint32_t i = 1; i < block.vtx.size(); ++i) {
        if (!InferOf(*block.vtx[i])) continue;
        batch.Write(std::make_pair(DB_INFER, block.vtx[i]->GetTxid()), InferenceIndexEntry{hash, i, result_index++});
    }
    batch.Write(DB_BEST, hash);
    m_db.WriteBatch(batch);
    m_best = hash;
}

void InferenceIndex::EraseBlock(const CBlock& block, const uint256& prev)
{
    DBBatch batch;
    for (uint32_t i = 1; i < block.vtx.size(); ++i) {
        if (InferOf(*block.vtx[i])) batch.Erase(std::make_pair(DB_INFER, block.vtx[i]->GetTxid()));
    }
    if (prev.IsNull()) {
        batch.Erase(DB_BEST);
    } else {
        batch.Write(DB_BEST, prev);
    }
    m_db.WriteBatch(batch);
    m_best = prev;
}

void InferenceIndex::Clear()
{
    DBBatch batch;
    auto it = m_db.NewIterator();
    for (it->Seek(std::make_pair(DB_INFER, uint256())); it->Valid(); it->Next()) {
        std::pair<uint8_t, uint256> key;
        if (!it->GetKey(key) || key.first != DB_INFER) break;
        batch.Erase(key);
    }
    batch.Erase(DB_BEST);
    m_db.WriteBatch(batch);
    m_best.SetNull();
}

bool InferenceIndex::Start(std::string& error)
{
    int written = 0, erased = 0;
    try {
        while (true) {
            // 1. Under the chain lock: the next block to erase or write, or registration at the tip.
            const CBlockIndex* target = nullptr;
            bool erase = false;
            {
                LOCK(m_chainman.Mutex());
                LOCK(m_mutex);
                const CChain& chain = m_chainman.ActiveChain();
                const CBlockIndex* best = m_best.IsNull() ? nullptr : m_chainman.LookupBlockIndex(m_best);
                if (!m_best.IsNull() && !best) {
                    LogPrintf("inferindex: indexed block %s is not in the block tree, rebuilding the index\n",
                              m_best.GetHex().c_str());
                    Clear();
                    continue;
                }
                if (best && !chain.Contains(best)) {
                    target = best;
                    erase = true;
                } else {
                    target = best ? chain.Next(best) : chain.Genesis();
                    if (!target) {
                        m_chainman.Signals().Register(this, ObserverDelivery::QUEUED);
                        m_registered = true;
                        LogPrintf("inferindex: at block %s (%d blocks written, %d stale blocks erased at start)\n",
                                  HashOrNone(m_best).c_str(), written, erased);
                        return true;
                    }
                }
            }
            // 2. Read and apply it without the chain lock.
            CBlock block;
            std::string err;
            if (!m_chainman.ReadBlock(target, block, &err)) {
                if (!erase) {
                    error = "Cannot build the inference index: " + err;
                    return false;
                }
                LogPrintf("inferindex: cannot read stale block %s (%s), rebuilding the index\n",
                          target->GetBlockHash().GetHex().c_str(), err.c_str());
                LOCK(m_mutex);
                Clear();
                continue;
            }
            LOCK(m_mutex);
            if (erase) {
                EraseBlock(block, target->pprev ? target->pprev->GetBlockHash() : uint256());
                ++erased;
            } else {
                WriteBlock(block, target->GetBlockHash());
                ++written;
            }
        }
    } catch (const std::exception& e) {
        error = std::string("Cannot build the inference index (indexes/inferindex): ") + e.what();
        return false;
    }
}

void InferenceIndex::Stop()
{
    {
        LOCK(m_mutex);
        if (!m_registered) return;
    }
    m_chainman.Signals().SyncWithQueue();
    m_chainman.Signals().Unregister(this);
    LOCK(m_mutex);
    m_registered = false;
}

void InferenceIndex::BlockConnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index)
{
    LOCK(m_mutex);
    const uint256 prev = index->pprev ? index->pprev->GetBlockHash() : uint256();
    if (prev != m_best) {
        LogPrintf("inferindex: connected block %s does not extend indexed block %s; ignored until the next start\n",
                  index->GetBlockHash().GetHex().c_str(), HashOrNone(m_best).c_str());
        return;
    }
    try {
        WriteBlock(*block, index->GetBlockHash());
    } catch (const std::exception& e) {
        m_chainman.FatalError(std::string("Cannot write the inference index (indexes/inferindex): ") + e.what());
    }
}

void InferenceIndex::BlockDisconnected(const std::shared_ptr<const CBlock>& block, const CBlockIndex* index)
{
    LOCK(m_mutex);
    if (index->GetBlockHash() != m_best) {
        LogPrintf("inferindex: disconnected block %s is not indexed block %s; ignored until the next start\n",
                  index->GetBlockHash().GetHex().c_str(), HashOrNone(m_best).c_str());
        return;
    }
    try {
        EraseBlock(*block, index->pprev ? index->pprev->GetBlockHash() : uint256());
    } catch (const std::exception& e) {
        m_chainman.FatalError(std::string("Cannot write the inference index (indexes/inferindex): ") + e.what());
    }
}

std::optional<InferenceIndexEntry> InferenceIndex::Find(const uint256& txid) const
{
    InferenceIndexEntry entry;
    if (!m_db.Read(std::make_pair(DB_INFER, txid), entry)) return std::nullopt;
    return entry;
}

uint256 InferenceIndex::BestBlock() const
{
    LOCK(m_mutex);
    return m_best;
}

} // namespace node
