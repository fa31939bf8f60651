// The model registry (doc/oda-protocol.md section 2.5): record and undo serialization (old
// undo records still read), the contextual rules and their reject reasons, apply/undo of
// blocks of ODA transactions (including reorganisation sequences) restoring the state
// exactly, and the one-batch flush of coins + registry + best block.
#include <node/coinsdb.h>
#include <node/state_cache.h>
#include <node/undo.h>
#include <oda/chain/registry.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <consensus/chainparams.h>
#include <streams.h>
#include <test/oda_registry_util.h>
#include <test/util/tempdir.h>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace oda::chain;
using oda::test::ExampleHash;
using oda::test::MakeAddModel;
using oda::test::MakeUpdate;
using oda::test::MemoryRegistry;
using oda::test::OdaTx;
using oda::test::TaprootScript;

BOOST_AUTO_TEST_SUITE(oda_registry_tests)

namespace {

const ConsensusParams& Params()
{
    static const std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    return params->GetConsensus();
}

COutPoint Prev(uint8_t tag, uint32_t n = 0)
{
    uint256 h;
    h.data()[0] = tag;
    h.data()[31] = 0xee;
    return COutPoint(h, n);
}

/** Applies txs as one block on top of `base`; the registry changes reach `base` only if all
 *  pass (as ConnectBlock's per-block cache). Returns the failing reason ("" on success). */
std::string Connect(MemoryRegistry& base, const std::vector<CTransactionRef>& txs, uint32_t height, RegistryUndo& undo)
{
    RegistryCache cache(&base);
    RegistryBlockApplier applier(cache, undo, height, nullptr);
    for (const CTransactionRef& tx : txs) {
        std::vector<Payload> payloads;
        TxValidationState state;
        if (!CheckOdaTransaction(*tx, state, Params(), &payloads) || !applier.ApplyTransaction(*tx, payloads, state)) {
            return state.GetRejectReason();
        }
    }
    base.Apply(cache.TakeChanges());
    return "";
}

bool Disconnect(MemoryRegistry& base, const RegistryUndo& undo)
{
    RegistryCache cache(&base);
    const bool clean = UndoRegistryBlock(undo, cache);
    base.Apply(cache.TakeChanges());
    return clean;
}

/** One transaction's verdict on top of `base` (nothing is kept). */
std::string Check(const MemoryRegistry& base, const CTransactionRef& tx)
{
    TxValidationState state;
    return CheckRegistryTransaction(base, *tx, 10, Params(), state) ? "" : state.GetRejectReason();
}

CTransactionRef AddTx(uint8_t tag, int64_t score = 42, std::vector<ParentShare> parents = {})
{
    return OdaTx({Prev(tag)}, {CTxOut(10'000, TaprootScript(tag))}, Payload{MakeAddModel(score, 1, std::move(parents))});
}

ModelRecord SampleRecord()
{
    ModelRecord r;
    r.architecture = oda::model::EncodeArchitecture(oda::test::ExampleArchitecture());
    r.dataset = {ExampleHash(0x11), 70'000};
    r.dataset_samples = 100;
    r.owner = Prev(7, 3);
    r.owner_script = TaprootScript(7);
    r.royalty = 100'000;
    r.trainer_share_bp = 1'000;
    r.parents = {{ExampleHash(0x33), 500}};
    r.min_improvement = 1;
    r.added_height = 12;
    r.current_version = 1;
    r.current_score = -5;
    r.version_count = 2;
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(record_serialization_round_trip)
{
    const ModelRecord record = SampleRecord();
    ModelRecord back;
    DeserializeExact(SerializeToBytes(record), back);
    BOOST_CHECK(back == record);

    const ModelVersion version{{ExampleHash(0x55), 23}, TaprootScript(0x66), 50, 9, ExampleHash(0x99)};
    ModelVersion vback;
    DeserializeExact(SerializeToBytes(version), vback);
    BOOST_CHECK(vback == version);

    RegistryUndo undo;
    undo.models.push_back({ExampleHash(1), std::nullopt});
    undo.models.push_back({ExampleHash(2), record});
    RegistryUndo uback;
    DeserializeExact(SerializeToBytes(undo), uback);
    BOOST_CHECK(uback == undo);

    // Malformed: a current version not below the count, a non-canonical optional flag.
    ModelRecord bad = record;
    bad.current_version = 2;
    BOOST_CHECK_THROW(DeserializeExact(SerializeToBytes(bad), back), SerializationError);
    std::vector<uint8_t> bytes = SerializeToBytes(undo);
    BOOST_REQUIRE_EQUAL(bytes[1 + 32], 0); // first entry's flag
    bytes[1 + 32] = 2;
    BOOST_CHECK_THROW(DeserializeExact(bytes, uback), SerializationError);
}

BOOST_AUTO_TEST_CASE(block_undo_versions)
{
    node::BlockUndo undo;
    undo.txs.resize(2);
    undo.txs[0].spent.emplace_back(CTxOut(5, TaprootScript(1)), 3, false);
    undo.txs[1].spent.emplace_back(CTxOut(6, TaprootScript(2)), 4, true);
    undo.registry.models.push_back({ExampleHash(3), SampleRecord()});
    const std::vector<uint8_t> v1 = SerializeToBytes(undo);
    BOOST_CHECK_EQUAL(v1[0], 0xff);
    BOOST_CHECK_EQUAL(v1[1], 1);
    node::BlockUndo back;
    DeserializeExact(v1, back);
    BOOST_CHECK_EQUAL(back.version, node::BlockUndo::CURRENT_VERSION);
    BOOST_CHECK(back.registry == undo.registry);
    BOOST_CHECK(SerializeToBytes(back) == v1);

    // A record written before versions existed: just the vector of TxUndo.
    const std::vector<uint8_t> legacy = SerializeToBytes(undo.txs);
    node::BlockUndo old;
    DeserializeExact(legacy, old);
    BOOST_CHECK_EQUAL(old.version, node::BlockUndo::LEGACY_VERSION);
    BOOST_REQUIRE_EQUAL(old.txs.size(), 2U);
    BOOST_CHECK(old.txs[1].spent[0].out == undo.txs[1].spent[0].out);
    BOOST_CHECK(old.registry.empty());
    BOOST_CHECK(SerializeToBytes(old) == legacy);
    // An empty legacy record (a block with only a coinbase) is the single byte 00.
    DeserializeExact(std::vector<uint8_t>{0x00}, old);
    BOOST_CHECK(old.version == node::BlockUndo::LEGACY_VERSION && old.txs.empty());

    // Unknown version, non-canonical legacy count, truncation.
    BOOST_CHECK_THROW(DeserializeExact(std::vector<uint8_t>{0xff, 0x02, 0x00, 0x00}, back), SerializationError);
    BOOST_CHECK_THROW(DeserializeExact(std::vector<uint8_t>{0xfd, 0x01, 0x00}, back), SerializationError);
    BOOST_CHECK_THROW(DeserializeExact(std::vector<uint8_t>(v1.begin(), v1.end() - 1), back), SerializationError);
}

BOOST_AUTO_TEST_CASE(contextual_rules_and_reasons)
{
    MemoryRegistry reg;
    RegistryUndo undo;
    const CTransactionRef add = AddTx(1);
    const uint256 id = add->GetTxid();
    BOOST_CHECK_EQUAL(Check(reg, AddTx(2, 42, {{id, 500}})), "bad-oda-unknown-model");
    BOOST_CHECK_EQUAL(Connect(reg, {add}, 5, undo), "");
    const ModelRecord record = *reg.GetModel(id);
    BOOST_CHECK(record.owner == COutPoint(id, 0));
    BOOST_CHECK(record.owner_script == TaprootScript(1));
    BOOST_CHECK_EQUAL(record.current_score, 42);
    BOOST_CHECK_EQUAL(record.version_count, 1U);
    BOOST_CHECK(reg.GetOwnedModel(COutPoint(id, 0)) == id);
    BOOST_CHECK(reg.FindVersion(id, ExampleHash(0x22)) == 0U);

    // Ownership output: missing (only OP_RETURN) or not witness v1.
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(3)}, {}, Payload{MakeAddModel(1, 1)})), "bad-oda-owner-output");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(3)}, {CTxOut(1, ScriptBytes{0x00, 0x14})}, Payload{MakeAddModel(1, 1)})),
                      "bad-oda-owner-output");
    // OP_RETURN outputs before the ownership output are skipped.
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(3)}, {CTxOut(0, ScriptBytes{0x6a}), CTxOut(1, TaprootScript(3))},
                                       Payload{MakeAddModel(1, 1)})), "");

    // update-weights: unknown model, not improving (42 + 1 needed).
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {}, Payload{MakeUpdate(ExampleHash(0x77), 0x55, 99)})), "bad-oda-unknown-model");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {}, Payload{MakeUpdate(id, 0x55, 42)})), "bad-oda-not-improving");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {}, Payload{MakeUpdate(id, 0x55, 43)})), "");

    // infer: unknown model, unknown version.
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {}, Payload{Infer{ExampleHash(0x77), ExampleHash(0x22), {1, 2, 3, 4}}})),
                      "bad-oda-unknown-model");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {}, Payload{Infer{id, ExampleHash(0x55), {1, 2, 3, 4}}})),
                      "bad-oda-unknown-version");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {}, Payload{Infer{id, ExampleHash(0x22), {1, 2, 3, 4}}})), "");

    // Ownership: a plain spend, a spend with another model's transfer, a transfer that does not
    // spend the outpoint, a transfer to a non-taproot output.
    const COutPoint owner(id, 0);
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({owner}, {CTxOut(1, TaprootScript(9))}, std::nullopt)), "bad-oda-ownership-spend");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({owner}, {CTxOut(1, TaprootScript(9))}, Payload{MakeUpdate(id, 0x55, 43)})),
                      "bad-oda-ownership-spend");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({owner}, {CTxOut(1, TaprootScript(9))}, Payload{Transfer{ExampleHash(0x77)}})),
                      "bad-oda-ownership-spend");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {CTxOut(1, TaprootScript(9))}, Payload{Transfer{id}})), "bad-oda-not-owner");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({owner}, {CTxOut(1, ScriptBytes{0x00})}, Payload{Transfer{id}})), "bad-oda-owner-output");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({owner}, {CTxOut(1, TaprootScript(9))}, Payload{Transfer{id}})), "");

    // A failing transaction changes nothing, even in the middle of a block.
    RegistryCache cache(&reg);
    RegistryBlockApplier applier(cache, undo, 6, nullptr);
    TxValidationState state;
    std::vector<Payload> payloads{MakeUpdate(id, 0x55, 1)};
    BOOST_CHECK(!applier.ApplyTransaction(*OdaTx({Prev(4)}, {}, payloads[0]), payloads, state));
    BOOST_CHECK(cache.TakeChanges().empty());
    BOOST_CHECK(undo.empty());
}

BOOST_AUTO_TEST_CASE(score_overflow_is_not_improving)
{
    MemoryRegistry reg;
    RegistryUndo undo;
    const CTransactionRef add = AddTx(1, std::numeric_limits<int64_t>::max());
    BOOST_REQUIRE_EQUAL(Connect(reg, {add}, 5, undo), "");
    BOOST_CHECK_EQUAL(Check(reg, OdaTx({Prev(4)}, {}, Payload{MakeUpdate(add->GetTxid(), 0x55, std::numeric_limits<int64_t>::max())})),
                      "bad-oda-not-improving");
}

BOOST_AUTO_TEST_CASE(apply_then_undo_restores_exactly_across_reorgs)
{
    MemoryRegistry reg;
    const MemoryRegistry empty = reg;
    const CTransactionRef add_a = AddTx(1);
    const uint256 a = add_a->GetTxid();
    const CTransactionRef add_b = AddTx(2, 10, {{a, 500}});
    // Block 1: two models (B a child of A, added after A in the same block) and an update of A.
    RegistryUndo undo1;
    BOOST_REQUIRE_EQUAL(Connect(reg, {add_a, add_b, OdaTx({Prev(3)}, {}, Payload{MakeUpdate(a, 0x55, 43)})}, 1, undo1), "");
    BOOST_CHECK_EQUAL(undo1.models.size(), 2U); // each model once, first touch
    const MemoryRegistry s1 = reg;
    BOOST_CHECK_EQUAL(reg.GetModel(a)->version_count, 2U);

    // Block 2: transfer A, two updates (the second reusing version 0's root), an infer, and a
    // second transfer of A in the same block.
    const CTransactionRef move1 = OdaTx({COutPoint(a, 0)}, {CTxOut(1, TaprootScript(8))}, Payload{Transfer{a}});
    const CTransactionRef move2 = OdaTx({COutPoint(move1->GetTxid(), 0)}, {CTxOut(1, TaprootScript(9))}, Payload{Transfer{a}});
    const std::vector<CTransactionRef> block2{
        move1, OdaTx({Prev(4)}, {}, Payload{MakeUpdate(a, 0x56, 44)}), OdaTx({Prev(5)}, {}, Payload{MakeUpdate(a, 0x22, 46)}),
        OdaTx({Prev(6)}, {}, Payload{Infer{a, ExampleHash(0x56), {1, 2, 3, 4}}}), move2};
    RegistryUndo undo2;
    BOOST_REQUIRE_EQUAL(Connect(reg, block2, 2, undo2), "");
    const MemoryRegistry s2 = reg;
    const ModelRecord a2 = *reg.GetModel(a);
    BOOST_CHECK_EQUAL(a2.version_count, 4U);
    BOOST_CHECK_EQUAL(a2.current_version, 3U);
    BOOST_CHECK_EQUAL(a2.current_score, 46);
    BOOST_CHECK(a2.owner == COutPoint(move2->GetTxid(), 0));
    BOOST_CHECK(reg.FindVersion(a, ExampleHash(0x22)) == 0U); // the first version with a root answers
    BOOST_CHECK(!reg.GetOwnedModel(COutPoint(a, 0)));
    BOOST_CHECK(!reg.GetOwnedModel(COutPoint(move1->GetTxid(), 0)));

    // Undo block 2, redo it, undo both: each step lands exactly on the earlier state.
    BOOST_CHECK(Disconnect(reg, undo2));
    BOOST_CHECK(reg == s1);
    RegistryUndo again;
    BOOST_REQUIRE_EQUAL(Connect(reg, block2, 2, again), "");
    BOOST_CHECK(reg == s2);
    BOOST_CHECK(again == undo2);
    BOOST_CHECK(Disconnect(reg, again));
    BOOST_CHECK(Disconnect(reg, undo1));
    BOOST_CHECK(reg == empty);

    // Reorg: block 1 back, a competing block 2' (a bigger update and a transfer), then back to
    // the original branch.
    RegistryUndo r1, r2;
    BOOST_REQUIRE_EQUAL(Connect(reg, {add_a, add_b, OdaTx({Prev(3)}, {}, Payload{MakeUpdate(a, 0x55, 43)})}, 1, r1), "");
    BOOST_CHECK(reg == s1);
    BOOST_REQUIRE_EQUAL(Connect(reg, {OdaTx({Prev(7)}, {}, Payload{MakeUpdate(a, 0x57, 100)}), move1}, 2, r2), "");
    BOOST_CHECK(!(reg == s2));
    BOOST_CHECK(Disconnect(reg, r2));
    BOOST_CHECK(reg == s1);
    RegistryUndo r3;
    BOOST_REQUIRE_EQUAL(Connect(reg, block2, 2, r3), "");
    BOOST_CHECK(reg == s2);

    // Undo applied to a registry the block did not produce is reported unclean.
    MemoryRegistry other;
    BOOST_CHECK(!Disconnect(other, r3));
}

BOOST_AUTO_TEST_CASE(one_batch_flush_keeps_coins_and_registry_together)
{
    TempDir dir("oda_registry_flush");
    const node::DBOptions options{dir.Path("chainstate"), 1 << 20, false};
    const uint256 block1 = ExampleHash(0xb1), block2 = ExampleHash(0xb2);
    const CTransactionRef add1 = AddTx(1), add2 = AddTx(2);
    {
        node::ChainstateDB db(options);
        node::StateCache tip(&db);
        // Block 1 through a per-block cache, as ConnectTip does, then flushed to disk.
        {
            node::StateCache block(&tip);
            block.Coins().AddCoins(*add1, 1);
            RegistryUndo undo;
            RegistryBlockApplier applier(block.RegistryCache(), undo, 1, nullptr);
            std::vector<Payload> payloads{MakeAddModel(42, 1)};
            TxValidationState state;
            BOOST_REQUIRE(applier.ApplyTransaction(*add1, payloads, state));
            block.SetBestBlock(block1);
            block.Flush();
        }
        BOOST_CHECK(db.Registry().GetModel(add1->GetTxid()) == std::nullopt); // still in the tip cache
        tip.Flush();
        BOOST_CHECK(db.Registry().GetModel(add1->GetTxid()).has_value());
        // Block 2 reaches the tip cache but never the disk: the process "crashes" here.
        tip.Coins().AddCoins(*add2, 2);
        RegistryUndo undo;
        RegistryBlockApplier applier(tip.RegistryCache(), undo, 2, nullptr);
        std::vector<Payload> payloads{MakeAddModel(42, 1)};
        TxValidationState state;
        BOOST_REQUIRE(applier.ApplyTransaction(*add2, payloads, state));
        tip.SetBestBlock(block2);
    }
    node::ChainstateDB db(options);
    BOOST_CHECK(db.CoinsDB().GetBestBlock() == block1);
    BOOST_CHECK(db.RegistryDB().HasFormat());
    BOOST_CHECK(db.CoinsDB().HaveCoin(COutPoint(add1->GetTxid(), 0)));
    BOOST_CHECK(db.Registry().GetModel(add1->GetTxid()).has_value());
    BOOST_CHECK(db.Registry().GetOwnedModel(COutPoint(add1->GetTxid(), 0)) == add1->GetTxid());
    BOOST_CHECK(!db.CoinsDB().HaveCoin(COutPoint(add2->GetTxid(), 0)));
    BOOST_CHECK(!db.Registry().GetModel(add2->GetTxid()).has_value());
    size_t models = 0;
    db.RegistryDB().ForEachModel([&](const uint256& id, const ModelRecord&) {
        BOOST_CHECK(id == add1->GetTxid());
        ++models;
    });
    BOOST_CHECK_EQUAL(models, 1U);
}

BOOST_AUTO_TEST_CASE(cache_memory_usage_is_tracked)
{
    MemoryRegistry reg;
    RegistryCache cache(&reg);
    BOOST_CHECK_EQUAL(cache.DynamicMemoryUsage(), 0U);
    BOOST_CHECK(!cache.GetOwnedModel(Prev(1))); // a remembered miss costs memory too
    const size_t miss = cache.DynamicMemoryUsage();
    BOOST_CHECK_GT(miss, 0U);
    cache.PutModel(ExampleHash(1), SampleRecord());
    const size_t with_model = cache.DynamicMemoryUsage();
    BOOST_CHECK_GT(with_model, miss + SampleRecord().architecture.size());
    cache.PutModel(ExampleHash(1), SampleRecord()); // replacing does not double count
    BOOST_CHECK_EQUAL(cache.DynamicMemoryUsage(), with_model);
    cache.EraseModel(ExampleHash(1));
    BOOST_CHECK_LT(cache.DynamicMemoryUsage(), with_model);
    const RegistryChanges changes = cache.TakeChanges();
    BOOST_CHECK_EQUAL(changes.models.size(), 1U); // the erase; the clean miss is dropped
    BOOST_CHECK(changes.owners.empty());
    BOOST_CHECK_EQUAL(cache.DynamicMemoryUsage(), 0U);
    BOOST_CHECK_EQUAL(cache.CacheSize(), 0U);
}

BOOST_AUTO_TEST_CASE(registry_hash_is_order_checked_and_content_sensitive)
{
    ModelWithVersions m1{ExampleHash(1), SampleRecord(), {}};
    ModelWithVersions m2{ExampleHash(2), SampleRecord(), {}};
    RegistryHasher h1, h2, h3;
    h1.Add(m1);
    h1.Add(m2);
    h2.Add(m1);
    m2.record.current_score += 1;
    h2.Add(m2);
    BOOST_CHECK(h1.Finalize() != h2.Finalize());
    h3.Add(m2);
    BOOST_CHECK_THROW(h3.Add(m1), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
