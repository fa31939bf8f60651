#include <net/orphanage.h>

#include <net/fileutil.h>

#include <iterator>

namespace net {

TxOrphanage::TxOrphanage(size_t max_orphans) : m_max(std::max<size_t>(1, max_orphans)), m_rng(RandomSeed()) {}

bool TxOrphanage::AddTx(const CTransactionRef& tx, int64_t peer, int64_t now)
{
    const uint256 txid = tx->GetTxid();
    const int64_t weight = static_cast<int64_t>(tx->GetStrippedSize()) * 3 + static_cast<int64_t>(tx->GetTotalSize());
    if (weight > MAX_ORPHAN_TX_WEIGHT) return false;
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_orphans.count(txid)) return false;
    while (m_orphans.size() >= m_max) {
        auto victim = m_orphans.begin();
        std::advance(victim, static_cast<long>(m_rng() % m_orphans.size()));
        EraseLocked(victim->first);
    }
    m_orphans.emplace(txid, Entry{tx, peer, now + ORPHAN_TX_EXPIRE});
    for (const auto& in : tx->vin) m_by_prevout[in.prevout].insert(txid);
    return true;
}

bool TxOrphanage::Have(const uint256& txid) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_orphans.count(txid) > 0;
}

std::vector<std::pair<CTransactionRef, int64_t>> TxOrphanage::GetChildren(const uint256& parent_txid) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::set<uint256> seen;
    std::vector<std::pair<CTransactionRef, int64_t>> out;
    // Outpoints are ordered by (hash, n): scan all outputs of the parent.
    for (auto it = m_by_prevout.lower_bound(COutPoint{parent_txid, 0});
         it != m_by_prevout.end() && it->first.hash == parent_txid; ++it) {
        for (const uint256& child : it->second) {
            if (!seen.insert(child).second) continue;
            const Entry& e = m_orphans.at(child);
            out.emplace_back(e.tx, e.peer);
        }
    }
    return out;
}

bool TxOrphanage::EraseLocked(const uint256& txid)
{
    auto it = m_orphans.find(txid);
    if (it == m_orphans.end()) return false;
    for (const auto& in : it->second.tx->vin) {
        auto p = m_by_prevout.find(in.prevout);
        if (p == m_by_prevout.end()) continue;
        p->second.erase(txid);
        if (p->second.empty()) m_by_prevout.erase(p);
    }
    m_orphans.erase(it);
    return true;
}

bool TxOrphanage::EraseTx(const uint256& txid)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return EraseLocked(txid);
}

size_t TxOrphanage::EraseForPeer(int64_t peer)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<uint256> victims;
    for (const auto& [txid, e] : m_orphans) if (e.peer == peer) victims.push_back(txid);
    for (const auto& txid : victims) EraseLocked(txid);
    return victims.size();
}

size_t TxOrphanage::EraseForBlock(const CBlock& block)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::set<uint256> victims;
    for (const auto& tx : block.vtx) {
        if (m_orphans.count(tx->GetTxid())) victims.insert(tx->GetTxid());
        for (const auto& in : tx->vin) {
            auto p = m_by_prevout.find(in.prevout);
            if (p != m_by_prevout.end()) victims.insert(p->second.begin(), p->second.end());
        }
    }
    for (const auto& txid : victims) EraseLocked(txid);
    return victims.size();
}

size_t TxOrphanage::Expire(int64_t now)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<uint256> victims;
    for (const auto& [txid, e] : m_orphans) if (e.expire <= now) victims.push_back(txid);
    for (const auto& txid : victims) EraseLocked(txid);
    return victims.size();
}

size_t TxOrphanage::Size() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_orphans.size();
}

} // namespace net
