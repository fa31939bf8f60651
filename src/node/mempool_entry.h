// One transaction in the memory pool, with what policy needs to know about it:
// its fee, size, arrival, and running totals over its in-pool ancestors and
// descendants (each total includes the entry itself). The totals drive mining
// order (ancestor fee rate: a child pays for its parents) and eviction order
// (descendant fee rate: a parent is worth what its children pay).
//
// Entries are owned and updated by CTxMemPool only; everyone else reads
// copies (CTxMemPool::GetEntry / EntriesByAncestorScore).
#ifndef ODA_NODE_MEMPOOL_ENTRY_H
#define ODA_NODE_MEMPOOL_ENTRY_H

#include <node/feerate.h>
#include <oda/chain/payload.h>
#include <primitives/transaction.h>
#include <uint256.h>

#include <cstdint>
#include <optional>
#include <set>

/** What the pool remembers of an entry's ODA payload (node/mempool_oda.h): its kind and, for
 *  an infer, update-weights or transfer, the model it names. No kind: a plain transfer of coins. */
struct MempoolOdaFacts {
    std::optional<oda::chain::PayloadKind> kind;
    uint256 model_id;

    bool IsUpdate() const { return kind == oda::chain::PayloadKind::UPDATE_WEIGHTS; }
};

class CTxMemPoolEntry
{
public:
    /** Makes an entry for `tx` paying `fee`, accepted at `time` (seconds) when the tip was `entry_height`. */
    CTxMemPoolEntry(CTransactionRef tx, CAmount fee, int64_t time, uint32_t entry_height, bool spends_coinbase,
                    int64_t compute_units = 0, MempoolOdaFacts oda = {})
        : m_tx(std::move(tx)), m_fee(fee), m_weight(TxWeight(*m_tx)), m_vsize(VSizeFromWeight(m_weight)),
          m_time(time), m_entry_height(entry_height), m_spends_coinbase(spends_coinbase),
          m_compute_units(compute_units), m_oda(oda),
          m_count_with_ancestors(1), m_size_with_ancestors(m_vsize), m_weight_with_ancestors(m_weight),
          m_fees_with_ancestors(fee), m_count_with_descendants(1), m_size_with_descendants(m_vsize),
          m_fees_with_descendants(fee)
    {
    }

    const CTransaction& GetTx() const { return *m_tx; }
    const CTransactionRef& GetSharedTx() const { return m_tx; }
    const uint256& GetTxid() const { return m_tx->GetTxid(); }
    CAmount GetFee() const { return m_fee; }
    int64_t GetWeight() const { return m_weight; }
    int64_t GetVSize() const { return m_vsize; }
    int64_t GetTime() const { return m_time; }
    uint32_t GetHeight() const { return m_entry_height; }
    bool SpendsCoinbase() const { return m_spends_coinbase; }
    /** ODA compute units of the transaction (doc/oda-protocol.md section 4) against the tip's
     *  registry at acceptance; 0 for transactions without compute work. Block assembly counts
     *  them against the block's compute limit. */
    int64_t GetComputeUnits() const { return m_compute_units; }
    const MempoolOdaFacts& GetOdaFacts() const { return m_oda; }
    /** Order of arrival in the pool (monotonic per pool); used to break ties deterministically. */
    uint64_t GetSequence() const { return m_sequence; }

    uint64_t GetCountWithAncestors() const { return m_count_with_ancestors; }
    int64_t GetSizeWithAncestors() const { return m_size_with_ancestors; }
    int64_t GetWeightWithAncestors() const { return m_weight_with_ancestors; }
    CAmount GetFeesWithAncestors() const { return m_fees_with_ancestors; }
    uint64_t GetCountWithDescendants() const { return m_count_with_descendants; }
    int64_t GetSizeWithDescendants() const { return m_size_with_descendants; }
    CAmount GetFeesWithDescendants() const { return m_fees_with_descendants; }

    /** Direct in-pool parents and children (txids). */
    const std::set<uint256>& GetParents() const { return m_parents; }
    const std::set<uint256>& GetChildren() const { return m_children; }

    /** Rough heap footprint of this entry and its transaction, used for -maxmempool. */
    size_t DynamicMemoryUsage() const
    {
        // Fixed per entry (not depending on links) so the pool total can be kept incrementally.
        return 384 + m_tx->GetTotalSize() * 2 + m_tx->vin.size() * 160 + m_tx->vout.size() * 64;
    }

private:
    friend class CTxMemPool;

    CTransactionRef m_tx;
    CAmount m_fee;
    int64_t m_weight;
    int64_t m_vsize;
    int64_t m_time;
    uint32_t m_entry_height;
    bool m_spends_coinbase;
    int64_t m_compute_units;
    MempoolOdaFacts m_oda;
    uint64_t m_sequence{0};

    uint64_t m_count_with_ancestors;
    int64_t m_size_with_ancestors;
    int64_t m_weight_with_ancestors;
    CAmount m_fees_with_ancestors;
    uint64_t m_count_with_descendants;
    int64_t m_size_with_descendants;
    CAmount m_fees_with_descendants;

    std::set<uint256> m_parents;
    std::set<uint256> m_children;
};

#endif // ODA_NODE_MEMPOOL_ENTRY_H
