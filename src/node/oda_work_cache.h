// OdaWorkCache: results of ODA execution kept by content (issue item "work outside the
// lock"; doc/oda-protocol.md section 2.5, "Execution").
//
// Contract:
//  - Only recomputable facts are kept, each keyed by everything it is a pure function of:
//      score            (SHA-256 of the architecture bytes, weights pieces root, dataset pieces root)
//      inference output (SHA-256 of the architecture bytes, weights pieces root, SHA-256 of the input)
//      compiled model   (SHA-256 of the architecture bytes, weights pieces root)
//      parsed dataset   (dataset pieces root)
//    A pieces root names the file's bytes (BEP 52 Merkle root), so an entry can never differ
//    from a recomputation: a hit gives the same bits as a miss, and the cache cannot make a
//    block valid on one node and invalid on another. Failures (a file that does not fit the
//    model, a missing file) are never cached: they are re-examined on every call.
//  - Memory is bounded; each kind is an LRU with the limits below (a miss recomputes):
//      scores             MAX_CACHED_SCORES entries           (~100 bytes each: ~10 MiB)
//      inference outputs  MAX_CACHED_OUTPUT_BYTES of values   (and MAX_CACHED_OUTPUTS entries)
//      compiled models    MAX_CACHED_MODELS entries           (and MAX_CACHED_MODEL_BYTES, counted
//                                                              as the weights file size)
//      parsed datasets    MAX_CACHED_DATASET_BYTES            (inputs + labels/targets)
//    An entry larger than its bound alone is not kept.
//  - Thread-safe: one mutex guards all maps and counters; values are immutable (shared_ptr
//    to const), so a caller keeps using a model or dataset after it is evicted. Nothing is
//    computed under the mutex: callers compute on a miss and Put the result (two threads may
//    compute the same fact at once; both get the same bits).
//  - Hit / miss counters per kind (Stats) show that a block made of transactions the
//    mempool already evaluated connects from the cache.
#ifndef ODA_NODE_ODA_WORK_CACHE_H
#define ODA_NODE_ODA_WORK_CACHE_H

#include <oda/chain/payload.h>
#include <uint256.h>
#include <util/sync.h>
#include <util/threadsafety.h>

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

namespace oda::engine {
class CompiledModel;
}
namespace oda::model {
struct Dataset;
}

namespace node {

static constexpr size_t MAX_CACHED_SCORES = 100'000;
static constexpr size_t MAX_CACHED_OUTPUTS = 200'000;
static constexpr uint64_t MAX_CACHED_OUTPUT_BYTES = 32ULL << 20;
static constexpr size_t MAX_CACHED_MODELS = 16;
static constexpr uint64_t MAX_CACHED_MODEL_BYTES = 512ULL << 20;
static constexpr uint64_t MAX_CACHED_DATASET_BYTES = 512ULL << 20;

/** (architecture bytes hash, weights pieces root, dataset pieces root) */
using ScoreKey = std::tuple<uint256, uint256, uint256>;
/** (architecture bytes hash, weights pieces root, input hash) */
using OutputKey = std::tuple<uint256, uint256, uint256>;
/** (architecture bytes hash, weights pieces root) */
using ModelKey = std::pair<uint256, uint256>;

struct WorkCacheCounter {
    uint64_t hits{0};
    uint64_t misses{0};
    size_t entries{0};
    uint64_t bytes{0};  //!< what the bound counts (entries for scores)
};

struct WorkCacheStats {
    WorkCacheCounter scores;
    WorkCacheCounter outputs;
    WorkCacheCounter models;
    WorkCacheCounter datasets;
};

/** A bounded LRU map: at most max_entries entries and max_cost total cost. Not thread-safe
 *  (OdaWorkCache guards it). */
template <typename K, typename V>
class LruMap
{
    struct Item {
        V value;
        uint64_t cost;
        typename std::list<K>::iterator order;
    };
    std::map<K, Item> m_items;
    std::list<K> m_order;  //!< most recently used first
    uint64_t m_cost{0};
    size_t m_max_entries;
    uint64_t m_max_cost;

public:
    LruMap(size_t max_entries, uint64_t max_cost) : m_max_entries(max_entries), m_max_cost(max_cost) {}
    std::optional<V> Get(const K& key)
    {
        auto it = m_items.find(key);
        if (it == m_items.end()) return std::nullopt;
        m_order.splice(m_order.begin(), m_order, it->second.order);
        return it->second.value;
    }
    void Put(const K& key, V value, uint64_t cost)
    {
        if (cost > m_max_cost || m_max_entries == 0) return;
        auto it = m_items.find(key);
        if (it != m_items.end()) {
            // Same key, same content: keep the old value, refresh its age.
            m_order.splice(m_order.begin(), m_order, it->second.order);
            return;
        }
        while (!m_items.empty() && (m_items.size() >= m_max_entries || m_cost + cost > m_max_cost)) {
            auto last = m_items.find(m_order.back());
            m_cost -= last->second.cost;
            m_items.erase(last);
            m_order.pop_back();
        }
        m_order.push_front(key);
        m_items.emplace(key, Item{std::move(value), cost, m_order.begin()});
        m_cost += cost;
    }
    bool Contains(const K& key) const { return m_items.count(key) > 0; }
    size_t Size() const { return m_items.size(); }
    uint64_t Cost() const { return m_cost; }
};

class OdaWorkCache
{
    mutable Mutex m_mutex;
    LruMap<ScoreKey, int64_t> m_scores GUARDED_BY(m_mutex){MAX_CACHED_SCORES, MAX_CACHED_SCORES};
    LruMap<OutputKey, oda::chain::OutputTensor> m_outputs GUARDED_BY(m_mutex){MAX_CACHED_OUTPUTS, MAX_CACHED_OUTPUT_BYTES};
    LruMap<ModelKey, std::shared_ptr<const oda::engine::CompiledModel>> m_models GUARDED_BY(m_mutex){
        MAX_CACHED_MODELS, MAX_CACHED_MODEL_BYTES};
    LruMap<uint256, std::shared_ptr<const oda::model::Dataset>> m_datasets GUARDED_BY(m_mutex){
        MAX_CACHED_DATASET_BYTES, MAX_CACHED_DATASET_BYTES};
    WorkCacheStats m_stats GUARDED_BY(m_mutex);

public:
    std::optional<int64_t> GetScore(const ScoreKey& key) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    void PutScore(const ScoreKey& key, int64_t score) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    std::optional<oda::chain::OutputTensor> GetOutput(const OutputKey& key) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    void PutOutput(const OutputKey& key, const oda::chain::OutputTensor& output) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** Is the output cached? Counts neither a hit nor a miss, and does not refresh its age. */
    bool HasOutput(const OutputKey& key) const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    std::shared_ptr<const oda::engine::CompiledModel> GetModel(const ModelKey& key) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    /** `bytes`: the weights file size (what the bound counts). */
    void PutModel(const ModelKey& key, std::shared_ptr<const oda::engine::CompiledModel> model, uint64_t bytes)
        EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    std::shared_ptr<const oda::model::Dataset> GetDataset(const uint256& root) EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
    void PutDataset(const uint256& root, std::shared_ptr<const oda::model::Dataset> dataset)
        EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);

    WorkCacheStats Stats() const EXCLUSIVE_LOCKS_REQUIRED(!m_mutex);
};

/** Bytes of a parsed dataset as the dataset bound counts them. */
uint64_t DatasetBytes(const oda::model::Dataset& dataset);
/** Bytes of an output tensor as the output bound counts them (4 per value plus overhead). */
uint64_t OutputBytes(const oda::chain::OutputTensor& output);

} // namespace node

#endif // ODA_NODE_ODA_WORK_CACHE_H
