#include <oda/chain/registry.h>

#include <algorithm>
#include <stdexcept>

namespace oda::chain {

bool ModelVersion::operator==(const ModelVersion& o) const
{
    return weights == o.weights && trainer_script == o.trainer_script && score == o.score && height == o.height &&
           txid == o.txid;
}

bool ModelRecord::operator==(const ModelRecord& o) const
{
    return architecture == o.architecture && dataset == o.dataset && dataset_samples == o.dataset_samples &&
           owner == o.owner && owner_script == o.owner_script && royalty == o.royalty &&
           trainer_share_bp == o.trainer_share_bp && parents == o.parents && min_improvement == o.min_improvement &&
           added_height == o.added_height && current_version == o.current_version &&
           current_score == o.current_score && version_count == o.version_count;
}

void RegistryChanges::clear()
{
    models.clear();
    versions.clear();
    roots.clear();
    owners.clear();
}

namespace {

// Approximate heap bytes of one cache entry: a std::map node (the key, the entry and about four
// pointers) plus what the value owns; byte vectors dominate for models (architecture) and
// versions (trainer script).
constexpr size_t NODE_OVERHEAD = 4 * sizeof(void*);
size_t OwnedBytes(const std::optional<ModelRecord>& v)
{
    return v ? v->architecture.capacity() + v->owner_script.capacity() + v->parents.capacity() * sizeof(ParentShare) : 0;
}
size_t OwnedBytes(const std::optional<ModelVersion>& v) { return v ? v->trainer_script.capacity() : 0; }
size_t OwnedBytes(const std::optional<uint32_t>&) { return 0; }
size_t OwnedBytes(const std::optional<uint256>&) { return 0; }
template <typename Map>
size_t EntryBytes(const typename Map::value_type& kv)
{
    return NODE_OVERHEAD + sizeof(kv) + OwnedBytes(kv.second.value);
}

/** Cached lookup: the layer's entry, or the parent's answer remembered as a clean entry. */
template <typename Map, typename Key, typename Load>
auto Lookup(Map& map, size_t& usage, const Key& key, Load load)
{
    auto it = map.find(key);
    if (it == map.end()) {
        it = map.emplace(key, typename Map::mapped_type{load(), false}).first;
        usage += EntryBytes<Map>(*it);
    }
    return it->second.value;
}

template <typename Map, typename Key, typename Value>
void Set(Map& map, size_t& usage, const Key& key, Value value)
{
    auto [it, inserted] = map.try_emplace(key);
    if (!inserted) usage -= EntryBytes<Map>(*it);
    it->second.value = std::move(value);
    it->second.dirty = true;
    usage += EntryBytes<Map>(*it);
}

template <typename Map, typename Changes>
void Absorb(Map& map, size_t& usage, Changes& changes)
{
    for (auto& [key, value] : changes) Set(map, usage, key, std::move(value));
    changes.clear();
}

template <typename Map, typename Changes>
void Drain(Map& map, Changes& out)
{
    for (auto& [key, entry] : map) {
        if (entry.dirty) out.emplace(key, std::move(entry.value));
    }
    map.clear();
}

} // namespace

std::optional<ModelRecord> RegistryCache::GetModel(const uint256& model_id) const
{
    return Lookup(m_models, m_usage, model_id, [&] { return m_base->GetModel(model_id); });
}

std::optional<ModelVersion> RegistryCache::GetVersion(const uint256& model_id, uint32_t index) const
{
    return Lookup(m_versions, m_usage, VersionKey{model_id, index}, [&] { return m_base->GetVersion(model_id, index); });
}

std::optional<uint32_t> RegistryCache::FindVersion(const uint256& model_id, const uint256& pieces_root) const
{
    return Lookup(m_roots, m_usage, RootKey{model_id, pieces_root}, [&] { return m_base->FindVersion(model_id, pieces_root); });
}

std::optional<uint256> RegistryCache::GetOwnedModel(const COutPoint& outpoint) const
{
    return Lookup(m_owners, m_usage, outpoint, [&] { return m_base->GetOwnedModel(outpoint); });
}

void RegistryCache::PutModel(const uint256& model_id, ModelRecord record) { Set(m_models, m_usage, model_id, std::optional<ModelRecord>(std::move(record))); }
void RegistryCache::EraseModel(const uint256& model_id) { Set(m_models, m_usage, model_id, std::optional<ModelRecord>()); }
void RegistryCache::PutVersion(const uint256& model_id, uint32_t index, ModelVersion version)
{
    Set(m_versions, m_usage, VersionKey{model_id, index}, std::optional<ModelVersion>(std::move(version)));
}
void RegistryCache::EraseVersion(const uint256& model_id, uint32_t index) { Set(m_versions, m_usage, VersionKey{model_id, index}, std::optional<ModelVersion>()); }
void RegistryCache::PutRoot(const uint256& model_id, const uint256& pieces_root, uint32_t index)
{
    Set(m_roots, m_usage, RootKey{model_id, pieces_root}, std::optional<uint32_t>(index));
}
void RegistryCache::EraseRoot(const uint256& model_id, const uint256& pieces_root) { Set(m_roots, m_usage, RootKey{model_id, pieces_root}, std::optional<uint32_t>()); }
void RegistryCache::PutOwner(const COutPoint& outpoint, const uint256& model_id) { Set(m_owners, m_usage, outpoint, std::optional<uint256>(model_id)); }
void RegistryCache::EraseOwner(const COutPoint& outpoint) { Set(m_owners, m_usage, outpoint, std::optional<uint256>()); }

void RegistryCache::ApplyChanges(RegistryChanges& changes)
{
    Absorb(m_models, m_usage, changes.models);
    Absorb(m_versions, m_usage, changes.versions);
    Absorb(m_roots, m_usage, changes.roots);
    Absorb(m_owners, m_usage, changes.owners);
}

RegistryChanges RegistryCache::TakeChanges()
{
    RegistryChanges out;
    Drain(m_models, out.models);
    Drain(m_versions, out.versions);
    Drain(m_roots, out.roots);
    Drain(m_owners, out.owners);
    m_usage = 0;
    return out;
}

void RegistryHasher::Add(const ModelWithVersions& model)
{
    if (m_last && !(*m_last < model.model_id)) throw std::logic_error("RegistryHasher: models out of order");
    m_last = model.model_id;
    m_hasher << model;
}

std::vector<ModelVersion> ReadVersions(const RegistryView& view, const uint256& model_id, const ModelRecord& record)
{
    std::vector<ModelVersion> versions;
    versions.reserve(std::min<uint32_t>(record.version_count, 1024)); // a corrupt count must not allocate
    for (uint32_t i = 0; i < record.version_count; ++i) {
        std::optional<ModelVersion> v = view.GetVersion(model_id, i);
        if (!v) throw std::runtime_error("registry: model " + model_id.GetHex() + " lacks version " + std::to_string(i));
        versions.push_back(std::move(*v));
    }
    return versions;
}

} // namespace oda::chain
