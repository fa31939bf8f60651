// The model registry (doc/oda-protocol.md section 2.5): the consensus state that ODA
// transactions build, kept next to the UTXO set and undone like it.
//
// State, per model (model id = txid of its add-model transaction):
//   ModelRecord   the add-model terms (architecture bytes, which carry the objective, dataset
//                 commitment and samples, royalty, trainer share, parents, minimum
//                 improvement), the ownership outpoint and its script, the current version
//                 index and score, and the number of versions ever accepted;
//   ModelVersion  one per accepted weights version, index 0 = the add-model's initial weights:
//                 weights commitment, trainer script, score, height, txid;
// plus two indexes derived from them: (model, weights pieces root) -> first version index
// with that root (infer pins a version by its root), and ownership outpoint -> model.
//
// Views are layered like the coins (node/coins.h): RegistryView is the read interface, a
// RegistryCache records changes over a parent view until they are pushed down, and the
// bottom view is LevelDB (node/coinsdb.h), written in the same batch as the coins.
// All containers are ordered (std::map): iteration order, and so every serialization and
// hash, is the same on every node.
//
// Serialization (Bitcoin serialization, doc/oda-protocol.md section 1.1) of the records
// below is what LevelDB stores and what the undo record carries; Unserialize throws
// SerializationError on anything malformed (a non-canonical flag, a current version that is
// not below the version count, a truncation), never crashes.
#ifndef ODA_ODA_CHAIN_REGISTRY_H
#define ODA_ODA_CHAIN_REGISTRY_H

#include <crypto/hash.h>
#include <oda/chain/payload.h>
#include <primitives/transaction.h>
#include <serialize.h>
#include <uint256.h>

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace oda::chain {

// Commitment and ParentShare (payload.h) in the payload's own layout.
template <typename Stream> void Serialize(Stream& s, const Commitment& c) { SerializeMany(s, c.pieces_root, c.file_size); }
template <typename Stream> void Unserialize(Stream& s, Commitment& c) { UnserializeMany(s, c.pieces_root, c.file_size); }
template <typename Stream> void Serialize(Stream& s, const ParentShare& p) { SerializeMany(s, p.model_id, p.share_bp); }
template <typename Stream> void Unserialize(Stream& s, ParentShare& p) { UnserializeMany(s, p.model_id, p.share_bp); }

struct ModelVersion {
    Commitment weights;
    ScriptBytes trainer_script;  //!< who the trainer share of royalties pays (section 7)
    int64_t score{0};            //!< as claimed (see oda/chain/executor.h)
    uint32_t height{0};          //!< block that accepted it
    uint256 txid;                //!< add-model (version 0) or update-weights transaction
    ODA_SERIALIZE_FIELDS(weights, trainer_script, score, height, txid)
    bool operator==(const ModelVersion& o) const;
};

struct ModelRecord {
    std::vector<uint8_t> architecture;  //!< EncodeArchitecture bytes (carries the objective)
    Commitment dataset;
    uint32_t dataset_samples{0};
    COutPoint owner;                    //!< ownership outpoint (a witness v1 output)
    ScriptBytes owner_script;           //!< its scriptPubKey (for display: the owner's address)
    int64_t royalty{0};
    uint16_t trainer_share_bp{0};
    std::vector<ParentShare> parents;
    int64_t min_improvement{0};
    uint32_t added_height{0};
    uint32_t current_version{0};        //!< index of the current version
    int64_t current_score{0};
    uint32_t version_count{0};          //!< versions 0 .. version_count-1 exist

    template <typename Stream> void Serialize(Stream& s) const
    {
        SerializeMany(s, architecture, dataset, dataset_samples, owner, owner_script, royalty, trainer_share_bp, parents,
                      min_improvement, added_height, current_version, current_score, version_count);
    }
    template <typename Stream> void Unserialize(Stream& s)
    {
        UnserializeMany(s, architecture, dataset, dataset_samples, owner, owner_script, royalty, trainer_share_bp, parents,
                        min_improvement, added_height, current_version, current_score, version_count);
        if (version_count == 0 || current_version >= version_count) {
            throw SerializationError("model record: current version not below the version count");
        }
    }
    bool operator==(const ModelRecord& o) const;
};

/** std::optional<T> as a canonical flag byte (0 absent, 1 present) then the value. */
template <typename Stream, typename T>
void SerializeOptional(Stream& s, const std::optional<T>& v)
{
    ::Serialize(s, static_cast<uint8_t>(v ? 1 : 0));
    if (v) ::Serialize(s, *v);
}
template <typename Stream, typename T>
void UnserializeOptional(Stream& s, std::optional<T>& v)
{
    uint8_t flag = 0;
    ::Unserialize(s, flag);
    if (flag > 1) throw SerializationError("non-canonical optional flag");
    v.reset();
    if (flag) {
        T value;
        ::Unserialize(s, value);
        v = std::move(value);
    }
}

/** Undo of one model touched by a block: its record before the block (nullopt = the block
 *  added it). Versions at or above before->version_count were added by the block. */
struct ModelUndo {
    uint256 model_id;
    std::optional<ModelRecord> before;
    template <typename Stream> void Serialize(Stream& s) const
    {
        ::Serialize(s, model_id);
        SerializeOptional(s, before);
    }
    template <typename Stream> void Unserialize(Stream& s)
    {
        ::Unserialize(s, model_id);
        UnserializeOptional(s, before);
    }
    bool operator==(const ModelUndo& o) const { return model_id == o.model_id && before == o.before; }
};

/** A block's registry undo: one entry per model it touched, in the order first touched. */
struct RegistryUndo {
    std::vector<ModelUndo> models;
    ODA_SERIALIZE_FIELDS(models)
    bool operator==(const RegistryUndo& o) const { return models == o.models; }
    bool empty() const { return models.empty(); }
};

using VersionKey = std::pair<uint256, uint32_t>;  //!< (model id, version index)
using RootKey = std::pair<uint256, uint256>;       //!< (model id, weights pieces root)

/** A change set: nullopt = erase. What a cache pushes into its parent. */
struct RegistryChanges {
    std::map<uint256, std::optional<ModelRecord>> models;
    std::map<VersionKey, std::optional<ModelVersion>> versions;
    std::map<RootKey, std::optional<uint32_t>> roots;
    std::map<COutPoint, std::optional<uint256>> owners;
    bool empty() const { return models.empty() && versions.empty() && roots.empty() && owners.empty(); }
    void clear();
};

/** Read interface of a registry layer. */
class RegistryView
{
public:
    virtual ~RegistryView() = default;
    virtual std::optional<ModelRecord> GetModel(const uint256& model_id) const = 0;
    virtual std::optional<ModelVersion> GetVersion(const uint256& model_id, uint32_t index) const = 0;
    /** Index of the first version of the model whose weights have this pieces root. */
    virtual std::optional<uint32_t> FindVersion(const uint256& model_id, const uint256& pieces_root) const = 0;
    /** The model whose ownership outpoint this is. */
    virtual std::optional<uint256> GetOwnedModel(const COutPoint& outpoint) const = 0;
};

/** An empty registry (tests, and the parent of a throwaway cache). */
class EmptyRegistryView : public RegistryView
{
public:
    std::optional<ModelRecord> GetModel(const uint256&) const override { return std::nullopt; }
    std::optional<ModelVersion> GetVersion(const uint256&, uint32_t) const override { return std::nullopt; }
    std::optional<uint32_t> FindVersion(const uint256&, const uint256&) const override { return std::nullopt; }
    std::optional<uint256> GetOwnedModel(const COutPoint&) const override { return std::nullopt; }
};

/** An in-memory layer over a parent view (which must outlive it). Reads are cached (also
 *  absent keys: every transaction input asks GetOwnedModel); writes stay here until
 *  TakeChanges() hands them to whoever pushes them down (node/state_cache.h). */
class RegistryCache : public RegistryView
{
    template <typename V>
    struct Entry {
        std::optional<V> value;
        bool dirty{false};
    };
    template <typename K, typename V>
    using Map = std::map<K, Entry<V>>;

    const RegistryView* m_base;
    mutable Map<uint256, ModelRecord> m_models;
    mutable Map<VersionKey, ModelVersion> m_versions;
    mutable Map<RootKey, uint32_t> m_roots;
    mutable Map<COutPoint, uint256> m_owners;
    mutable size_t m_usage{0}; //!< approximate heap bytes of the four maps, kept as they change

public:
    explicit RegistryCache(const RegistryView* base) : m_base(base) {}
    RegistryCache(const RegistryCache&) = delete;
    RegistryCache& operator=(const RegistryCache&) = delete;

    std::optional<ModelRecord> GetModel(const uint256& model_id) const override;
    std::optional<ModelVersion> GetVersion(const uint256& model_id, uint32_t index) const override;
    std::optional<uint32_t> FindVersion(const uint256& model_id, const uint256& pieces_root) const override;
    std::optional<uint256> GetOwnedModel(const COutPoint& outpoint) const override;

    void PutModel(const uint256& model_id, ModelRecord record);
    void EraseModel(const uint256& model_id);
    void PutVersion(const uint256& model_id, uint32_t index, ModelVersion version);
    void EraseVersion(const uint256& model_id, uint32_t index);
    void PutRoot(const uint256& model_id, const uint256& pieces_root, uint32_t index);
    void EraseRoot(const uint256& model_id, const uint256& pieces_root);
    void PutOwner(const COutPoint& outpoint, const uint256& model_id);
    void EraseOwner(const COutPoint& outpoint);

    /** Applies a child's change set to this layer (the child then forgets it). */
    void ApplyChanges(RegistryChanges& changes);
    /** Moves this layer's dirty entries out (and drops the clean ones). */
    RegistryChanges TakeChanges();
    /** Puts changes back after a failed write below, so nothing is lost. */
    void RestoreChanges(RegistryChanges changes) { ApplyChanges(changes); }
    size_t CacheSize() const { return m_models.size() + m_versions.size() + m_roots.size() + m_owners.size(); }
    /** Approximate heap bytes (for the -dbcache flush decision); constant time. */
    size_t DynamicMemoryUsage() const { return m_usage; }
};

/** Every model of a view with all its versions, in model-id order: what RegistryHash hashes. */
struct ModelWithVersions {
    uint256 model_id;
    ModelRecord record;
    std::vector<ModelVersion> versions;
    ODA_SERIALIZE_FIELDS(model_id, record, versions)
};

/** SHA-256 over every ModelWithVersions serialized, in model-id order (internal byte order),
 *  one after the other: equal on two nodes iff their registries are (getregistryinfo). */
class RegistryHasher
{
    HashWriter m_hasher;
    std::optional<uint256> m_last;

public:
    /** Models must come in increasing model-id order (throws std::logic_error otherwise). */
    void Add(const ModelWithVersions& model);
    uint256 Finalize() { return m_hasher.GetSHA256(); }
};

/** Reads all versions of a model from a view (record.version_count of them). */
std::vector<ModelVersion> ReadVersions(const RegistryView& view, const uint256& model_id, const ModelRecord& record);

} // namespace oda::chain

#endif // ODA_ODA_CHAIN_REGISTRY_H
