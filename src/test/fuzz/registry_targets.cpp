// Fuzz targets for the model registry (oda/chain/registry*.h, node/undo.h).
//
// oda_registry_records: the deserializers of what the node reads back from disk (LevelDB
//   registry records, rev-file undo records, old and new): never crash, and whatever parses
//   re-encodes to the same bytes.
// oda_registry_apply_undo: a random block of ODA transactions (add-model, update-weights,
//   infer, transfer, plain spends of ownership outputs, with valid and invalid references)
//   applied to a registry through the block rules (oda/chain/block_rules.h: compute units,
//   royalties, the result payload; no executor, so claims are trusted) and undone: the
//   registry is restored exactly, applying again gives the same state and the same undo, and
//   two stacked blocks undo in reverse order.
#include <node/undo.h>
#include <oda/chain/block_rules.h>
#include <oda/chain/registry.h>
#include <oda/chain/royalty.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <consensus/chainparams.h>
#include <streams.h>
#include <test/fuzz/fuzz.h>
#include <test/oda_registry_util.h>

#include <cstring>
#include <memory>
#include <vector>

using namespace oda::chain;
using oda::fuzz::Assert;

namespace {

template <typename T>
void RoundTrip(const std::vector<uint8_t>& bytes)
{
    T value;
    try {
        DeserializeExact(bytes, value);
    } catch (const SerializationError&) {
        return;
    }
    Assert(SerializeToBytes(value) == bytes, "a parsed registry/undo record re-encodes byte for byte");
}

std::vector<std::vector<uint8_t>> RecordSeeds()
{
    ModelRecord record;
    record.architecture = oda::model::EncodeArchitecture(oda::test::ExampleArchitecture());
    record.owner_script = oda::test::TaprootScript(1);
    record.parents = {{oda::test::ExampleHash(3), 500}};
    record.version_count = 2;
    record.current_version = 1;
    ModelVersion version{oda::test::Weights(0x22), oda::test::TaprootScript(2), 7, 3, oda::test::ExampleHash(9)};
    RegistryUndo undo;
    undo.models = {{oda::test::ExampleHash(1), std::nullopt}, {oda::test::ExampleHash(2), record}};
    node::BlockUndo block_undo;
    block_undo.txs.resize(1);
    block_undo.txs[0].spent.emplace_back(CTxOut(5, oda::test::TaprootScript(4)), 3, false);
    block_undo.registry = undo;
    auto tagged = [](uint8_t tag, std::vector<uint8_t> b) {
        b.insert(b.begin(), tag);
        return b;
    };
    return {tagged(0, SerializeToBytes(block_undo)), tagged(0, SerializeToBytes(block_undo.txs)),
            tagged(1, SerializeToBytes(record)), tagged(2, SerializeToBytes(version)), tagged(3, SerializeToBytes(undo))};
}

/** Reads the fuzz input as a stream of choices (zeros once it runs out). */
class Choices
{
    const uint8_t* m_data;
    size_t m_size;

public:
    Choices(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    bool Empty() const { return m_size == 0; }
    uint8_t Byte()
    {
        if (m_size == 0) return 0;
        --m_size;
        return *m_data++;
    }
};

const ConsensusParams& Params()
{
    static const std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    return params->GetConsensus();
}

/** Builds one transaction from the choices, referring to models the registry has (or not). */
CTransactionRef RandomOdaTx(Choices& in, const std::vector<uint256>& known, RegistryCache& cache, uint32_t& serial)
{
    auto pick = [&]() -> uint256 {
        const uint8_t b = in.Byte();
        if (known.empty() || b % 5 == 0) return oda::test::ExampleHash(b);
        return known[b % known.size()];
    };
    auto owner_of = [&](const uint256& id) -> COutPoint {
        std::optional<ModelRecord> r = cache.GetModel(id);
        return r ? r->owner : COutPoint(id, 0);
    };
    uint256 unique;
    ++serial;
    std::memcpy(unique.data(), &serial, sizeof(serial));
    const COutPoint funding(unique, 0);
    auto owner_output = [&]() {
        switch (in.Byte() % 4) {
        case 0: return std::vector<CTxOut>{};
        case 1: return std::vector<CTxOut>{CTxOut(1, ScriptBytes{0x00, 0x14})};
        default: return std::vector<CTxOut>{CTxOut(1, oda::test::TaprootScript(in.Byte()))};
        }
    };
    switch (in.Byte() % 6) {
    case 0: {
        std::vector<ParentShare> parents;
        const int n = in.Byte() % 3;
        for (int i = 0; i < n; ++i) {
            const uint256 p = pick();
            bool dup = false;
            for (const auto& q : parents) dup |= q.model_id == p;
            if (!dup) parents.push_back({p, 500});
        }
        AddModel add = oda::test::MakeAddModel(int8_t(in.Byte()), in.Byte() % 4, parents);
        add.initial_weights = oda::test::Weights(in.Byte() % 4);
        return oda::test::OdaTx({funding}, owner_output(), Payload{add});
    }
    case 1: {
        const uint256 id = pick();
        std::optional<ModelRecord> r = cache.GetModel(id);
        const int64_t score = (r ? r->current_score : 0) + int8_t(in.Byte()) % 8;
        return oda::test::OdaTx({funding}, {}, Payload{oda::test::MakeUpdate(id, in.Byte() % 4, score)});
    }
    case 2: {
        // Usually paying the royalty the pinned version owes (section 7), sometimes not.
        const Infer infer{pick(), oda::test::ExampleHash(in.Byte() % 4), {1, 2, 3, 4}};
        std::vector<CTxOut> outs;
        std::optional<ModelRecord> r = cache.GetModel(infer.model_id);
        std::optional<uint32_t> index = cache.FindVersion(infer.model_id, infer.weights_version);
        std::optional<ModelVersion> version = index ? cache.GetVersion(infer.model_id, *index) : std::nullopt;
        std::string error;
        if (r && version && in.Byte() % 4 != 0) {
            if (auto owed = ComputeRoyaltyOwed(*r, *version, cache, error)) {
                for (const auto& [script, amount] : *owed) outs.emplace_back(amount, script);
            }
        }
        return oda::test::OdaTx({funding}, std::move(outs), Payload{infer});
    }
    case 3: {
        const uint256 id = pick();
        const bool spends = in.Byte() % 4 != 0;
        return oda::test::OdaTx({spends ? owner_of(id) : funding}, owner_output(), Payload{Transfer{id}});
    }
    case 4:
        return oda::test::OdaTx({owner_of(pick()), funding}, {CTxOut(1, oda::test::TaprootScript(1))}, std::nullopt);
    default:
        return oda::test::OdaTx({owner_of(pick())}, owner_output(), Payload{Transfer{pick()}});
    }
}

/** Applies up to 12 random transactions as one block (those that fail are left out, as a
 *  miner would). Returns the block's passing transactions. */
std::vector<CTransactionRef> RandomBlock(Choices& in, oda::test::MemoryRegistry& reg, uint32_t height, RegistryUndo& undo,
                                         uint32_t& serial)
{
    RegistryCache cache(&reg);
    BlockOdaRules applier(cache, undo, height, Params(), nullptr);
    std::vector<CTransactionRef> kept;
    std::vector<uint256> known; // models before the block, then those it adds
    for (const auto& [id, record] : reg.models) known.push_back(id);
    const int count = in.Byte() % 12;
    for (int i = 0; i < count && !in.Empty(); ++i) {
        CTransactionRef tx = RandomOdaTx(in, known, cache, serial);
        std::vector<Payload> payloads;
        TxValidationState state;
        if (!CheckOdaTransaction(*tx, state, Params(), &payloads)) continue;
        if (!applier.ApplyTransaction(*tx, payloads, state)) continue;
        kept.push_back(tx);
        if (!payloads.empty() && std::holds_alternative<AddModel>(payloads.front())) known.push_back(tx->GetTxid());
    }
    // The block's result payload: its compute units and one (trusted, no executor) output per
    // infer kept.
    BlockValidationState block_state;
    CMutableTransaction coinbase;
    coinbase.vin.emplace_back(COutPoint());
    if (std::optional<Result> result = applier.ExpectedResult()) {
        coinbase.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(*result)));
    }
    Assert(applier.CheckCoinbaseResult(CTransaction(coinbase), block_state), "the block's own result payload passes");
    reg.Apply(cache.TakeChanges());
    return kept;
}

bool Undo(oda::test::MemoryRegistry& reg, const RegistryUndo& undo)
{
    RegistryCache cache(&reg);
    const bool clean = UndoRegistryBlock(undo, cache);
    reg.Apply(cache.TakeChanges());
    return clean;
}

/** Re-applies exactly `txs` (all must pass again). */
void Replay(oda::test::MemoryRegistry& reg, const std::vector<CTransactionRef>& txs, uint32_t height, RegistryUndo& undo)
{
    RegistryCache cache(&reg);
    BlockOdaRules applier(cache, undo, height, Params(), nullptr);
    for (const CTransactionRef& tx : txs) {
        std::vector<Payload> payloads;
        TxValidationState state;
        Assert(CheckOdaTransaction(*tx, state, Params(), &payloads) && applier.ApplyTransaction(*tx, payloads, state),
               "a block that applied once applies again on the same state");
    }
    reg.Apply(cache.TakeChanges());
}

/** Two blocks whose choices mostly name known models and taproot owners (bytes 2 and 3), so
 *  that adds, updates, infers and transfers succeed and chain on each other. */
std::vector<std::vector<uint8_t>> ApplySeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    const std::vector<std::vector<uint8_t>> ops{{0, 0, 1, 1, 2, 3, 1, 3, 0, 1, 3}, {0, 1, 3, 1, 4, 5, 0, 0, 1, 2, 3},
                                                {0, 0, 0, 3, 3, 1, 1, 1, 2, 5, 4}};
    for (const auto& list : ops) {
        for (uint8_t filler : {2, 3}) {
            std::vector<uint8_t> seed;
            for (int block = 0; block < 2; ++block) {
                seed.push_back(11);
                for (uint8_t op : list) {
                    seed.push_back(op);
                    for (int i = 0; i < 6; ++i) seed.push_back(filler);
                }
            }
            seeds.push_back(std::move(seed));
        }
    }
    return seeds;
}

} // namespace

ODA_FUZZ_TARGET_SEEDS(oda_registry_records, RecordSeeds)
{
    if (size == 0) return;
    const std::vector<uint8_t> bytes(data + 1, data + size);
    switch (data[0] % 4) {
    case 0: RoundTrip<node::BlockUndo>(bytes); break;
    case 1: RoundTrip<ModelRecord>(bytes); break;
    case 2: RoundTrip<ModelVersion>(bytes); break;
    default: RoundTrip<RegistryUndo>(bytes); break;
    }
}

ODA_FUZZ_TARGET_SEEDS(oda_registry_apply_undo, ApplySeeds)
{
    Choices in(data, size);
    uint32_t serial = 0;
    oda::test::MemoryRegistry reg;
    const oda::test::MemoryRegistry s0 = reg;
    RegistryUndo undo1, undo2;
    const std::vector<CTransactionRef> block1 = RandomBlock(in, reg, 1, undo1, serial);
    const oda::test::MemoryRegistry s1 = reg;
    const std::vector<CTransactionRef> block2 = RandomBlock(in, reg, 2, undo2, serial);
    const oda::test::MemoryRegistry s2 = reg;

    // The undo records survive their serialization.
    RegistryUndo read;
    DeserializeExact(SerializeToBytes(undo2), read);
    Assert(read == undo2, "registry undo round-trips");

    Assert(Undo(reg, read), "undo of the tip block is clean");
    Assert(reg == s1, "undo restores the registry exactly");
    RegistryUndo again;
    Replay(reg, block2, 2, again);
    Assert(reg == s2 && again == undo2, "re-applying gives the same state and undo");
    Assert(Undo(reg, undo2) && Undo(reg, undo1), "undo of both blocks is clean");
    Assert(reg == s0, "undoing both blocks gives back the empty registry");
    Replay(reg, block1, 1, again);
    Assert(reg == s1, "block 1 again after the reorg");
}
