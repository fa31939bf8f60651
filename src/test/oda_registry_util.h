// Test helpers for the model registry: a complete in-memory registry that can be compared as a
// whole, and builders of ODA transactions (unsigned: the registry rules look at outputs and
// outpoints only). Used by oda_registry_tests.cpp and the registry fuzz targets.
#ifndef ODA_TEST_ODA_REGISTRY_UTIL_H
#define ODA_TEST_ODA_REGISTRY_UTIL_H

#include <oda/chain/payload.h>
#include <oda/chain/registry.h>
#include <primitives/transaction.h>
#include <script/standard.h>
#include <test/oda_payload_examples.h>

#include <map>

namespace oda::test {

/** Every registry key in ordered maps: the whole state, comparable with ==. */
struct MemoryRegistry : public chain::RegistryView {
    std::map<uint256, chain::ModelRecord> models;
    std::map<chain::VersionKey, chain::ModelVersion> versions;
    std::map<chain::RootKey, uint32_t> roots;
    std::map<COutPoint, uint256> owners;

    template <typename M, typename K>
    static auto Find(const M& m, const K& k) -> std::optional<typename M::mapped_type>
    {
        auto it = m.find(k);
        if (it == m.end()) return std::nullopt;
        return it->second;
    }
    std::optional<chain::ModelRecord> GetModel(const uint256& id) const override { return Find(models, id); }
    std::optional<chain::ModelVersion> GetVersion(const uint256& id, uint32_t n) const override { return Find(versions, chain::VersionKey{id, n}); }
    std::optional<uint32_t> FindVersion(const uint256& id, const uint256& root) const override { return Find(roots, chain::RootKey{id, root}); }
    std::optional<uint256> GetOwnedModel(const COutPoint& o) const override { return Find(owners, o); }

    template <typename M, typename C>
    static void Merge(M& m, C& changes)
    {
        for (auto& [k, v] : changes) {
            if (v) {
                m[k] = *v;
            } else {
                m.erase(k);
            }
        }
    }
    /** What a flush into the database does. */
    void Apply(chain::RegistryChanges changes)
    {
        Merge(models, changes.models);
        Merge(versions, changes.versions);
        Merge(roots, changes.roots);
        Merge(owners, changes.owners);
    }
    bool operator==(const MemoryRegistry& o) const
    {
        return models == o.models && versions == o.versions && roots == o.roots && owners == o.owners;
    }
};

inline ScriptBytes TaprootScript(uint8_t fill)
{
    ScriptBytes spk(34, fill);
    spk[0] = 0x51;
    spk[1] = 0x20;
    return spk;
}

inline chain::Commitment Weights(uint8_t fill) { return chain::Commitment{ExampleHash(fill), 23}; }

/** A transaction spending `inputs` with `outputs` and (if given) one ODA output last. */
inline CTransactionRef OdaTx(const std::vector<COutPoint>& inputs, std::vector<CTxOut> outputs,
                             const std::optional<chain::Payload>& payload)
{
    CMutableTransaction mtx;
    for (const COutPoint& in : inputs) mtx.vin.emplace_back(in);
    mtx.vout = std::move(outputs);
    if (payload) mtx.vout.emplace_back(0, OdaOutputScript(chain::EncodeOdaPayload(*payload)));
    return MakeTransactionRef(std::move(mtx));
}

inline chain::AddModel MakeAddModel(int64_t score, int64_t min_improvement, std::vector<chain::ParentShare> parents = {})
{
    chain::AddModel add = std::get<chain::AddModel>(ExamplePayloads()[0]);
    add.initial_score = score;
    add.min_improvement = min_improvement;
    add.parents = std::move(parents);
    return add;
}

inline chain::UpdateWeights MakeUpdate(const uint256& model, uint8_t weights_fill, int64_t score)
{
    return chain::UpdateWeights{model, Weights(weights_fill), score, TaprootScript(0x66)};
}

} // namespace oda::test

#endif // ODA_TEST_ODA_REGISTRY_UTIL_H
