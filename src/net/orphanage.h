// The orphan pool: transactions whose inputs spend outputs we do not know yet (parent not in
// the chain or mempool). Kept until the parent arrives (then re-validated), the sending peer
// disconnects, a block makes them obsolete, or they expire.
//
// Contract: at most max_orphans transactions (default 100); a new orphan beyond that evicts a
// random one. Orphans heavier than MAX_ORPHAN_TX_WEIGHT are refused. Expiry: ORPHAN_TX_EXPIRE
// seconds after arrival. Thread-safe.
#ifndef ODA_NET_ORPHANAGE_H
#define ODA_NET_ORPHANAGE_H

#include <primitives/block.h>
#include <primitives/transaction.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <vector>

namespace net {

class TxOrphanage
{
public:
    static constexpr size_t DEFAULT_MAX_ORPHANS = 100;
    static constexpr int64_t MAX_ORPHAN_TX_WEIGHT = 400000;
    static constexpr int64_t ORPHAN_TX_EXPIRE = 20 * 60;

    explicit TxOrphanage(size_t max_orphans = DEFAULT_MAX_ORPHANS);

    /** false if already present or too heavy. */
    bool AddTx(const CTransactionRef& tx, int64_t peer, int64_t now);
    bool Have(const uint256& txid) const;
    /** Orphans spending an output of parent_txid, with the peer that sent each. */
    std::vector<std::pair<CTransactionRef, int64_t>> GetChildren(const uint256& parent_txid) const;
    bool EraseTx(const uint256& txid);
    size_t EraseForPeer(int64_t peer);
    /** Removes orphans included in the block or conflicting with it. */
    size_t EraseForBlock(const CBlock& block);
    /** Removes expired orphans; returns how many. */
    size_t Expire(int64_t now);
    size_t Size() const;

private:
    struct Entry {
        CTransactionRef tx;
        int64_t peer;
        int64_t expire;
    };
    bool EraseLocked(const uint256& txid);

    const size_t m_max;
    mutable std::mutex m_mutex;
    std::map<uint256, Entry> m_orphans;
    std::map<COutPoint, std::set<uint256>> m_by_prevout;
    std::mt19937_64 m_rng;
};

} // namespace net

#endif // ODA_NET_ORPHANAGE_H
