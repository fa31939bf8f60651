#include <node/oda_work_cache.h>

#include <oda/engine/engine.h>
#include <oda/model/dataset.h>

namespace node {

uint64_t DatasetBytes(const oda::model::Dataset& dataset)
{
    return dataset.inputs.size() + 4 * uint64_t(dataset.labels.size()) + 4 * uint64_t(dataset.targets.size());
}

uint64_t OutputBytes(const oda::chain::OutputTensor& output)
{
    // The values, plus the map node, key and list entry around them.
    return 4 * uint64_t(output.values.size()) + 192;
}

namespace {
template <typename V>
V Count(std::optional<V> value, WorkCacheCounter& counter)
{
    if (value) {
        ++counter.hits;
        return std::move(*value);
    }
    ++counter.misses;
    return V{};
}
} // namespace

std::optional<int64_t> OdaWorkCache::GetScore(const ScoreKey& key)
{
    LOCK(m_mutex);
    std::optional<int64_t> score = m_scores.Get(key);
    ++(score ? m_stats.scores.hits : m_stats.scores.misses);
    return score;
}

void OdaWorkCache::PutScore(const ScoreKey& key, int64_t score)
{
    LOCK(m_mutex);
    m_scores.Put(key, score, 1);
}

std::optional<oda::chain::OutputTensor> OdaWorkCache::GetOutput(const OutputKey& key)
{
    LOCK(m_mutex);
    std::optional<oda::chain::OutputTensor> output = m_outputs.Get(key);
    ++(output ? m_stats.outputs.hits : m_stats.outputs.misses);
    return output;
}

void OdaWorkCache::PutOutput(const OutputKey& key, const oda::chain::OutputTensor& output)
{
    LOCK(m_mutex);
    m_outputs.Put(key, output, OutputBytes(output));
}

bool OdaWorkCache::HasOutput(const OutputKey& key) const
{
    LOCK(m_mutex);
    return m_outputs.Contains(key);
}

std::shared_ptr<const oda::engine::CompiledModel> OdaWorkCache::GetModel(const ModelKey& key)
{
    LOCK(m_mutex);
    return Count(m_models.Get(key), m_stats.models);
}

void OdaWorkCache::PutModel(const ModelKey& key, std::shared_ptr<const oda::engine::CompiledModel> model, uint64_t bytes)
{
    LOCK(m_mutex);
    m_models.Put(key, std::move(model), bytes);
}

std::shared_ptr<const oda::model::Dataset> OdaWorkCache::GetDataset(const uint256& root)
{
    LOCK(m_mutex);
    return Count(m_datasets.Get(root), m_stats.datasets);
}

void OdaWorkCache::PutDataset(const uint256& root, std::shared_ptr<const oda::model::Dataset> dataset)
{
    const uint64_t bytes = DatasetBytes(*dataset);
    LOCK(m_mutex);
    m_datasets.Put(root, std::move(dataset), bytes);
}

WorkCacheStats OdaWorkCache::Stats() const
{
    LOCK(m_mutex);
    WorkCacheStats stats = m_stats;
    stats.scores.entries = m_scores.Size();
    stats.scores.bytes = m_scores.Cost();
    stats.outputs.entries = m_outputs.Size();
    stats.outputs.bytes = m_outputs.Cost();
    stats.models.entries = m_models.Size();
    stats.models.bytes = m_models.Cost();
    stats.datasets.entries = m_datasets.Size();
    stats.datasets.bytes = m_datasets.Cost();
    return stats;
}

} // namespace node
