// The execution rules of a block (oda/chain/block_rules.h, doc/oda-protocol.md sections 2.5,
// 4 and 7) with the node's real executor (node/oda_executor.h) over a real file store, and
// the content cache (node/oda_work_cache.h).
#include <consensus/chainparams.h>
#include <node/oda_executor.h>
#include <node/oda_work_cache.h>
#include <oda/chain/block_rules.h>
#include <oda/chain/compute_units.h>
#include <oda/engine/engine.h>
#include <oda/model/dataset.h>
#include <oda/model/weights.h>
#include <oda/storage/file_store.h>
#include <oda/chain/tx_check.h>
#include <script/standard.h>
// random_model.h before oda_registry_util.h: the latter's oda::test::Weights() helper would
// hide the model::Weights type inside the former's functions.
#include <test/util/model_builders.h>
#include <test/util/random_model.h>
#include <test/oda_registry_util.h>
#include <test/util/tempdir.h>

#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace oda::chain;
using oda::test::MemoryRegistry;
using oda::test::OdaTx;
using oda::test::TaprootScript;

namespace {

/** Compute units of one run of `arch` on `samples` inputs (doc/oda-protocol.md section 4). */
int64_t RunCost(const oda::model::Architecture& arch, uint64_t samples)
{
    oda::model::ArchitectureInfo info;
    std::string error;
    if (!oda::model::AnalyzeArchitecture(arch, info, error)) throw std::logic_error(error);
    return int64_t(oda::model::ScoringCost(info, samples));
}


const ConsensusParams& Params()
{
    static const std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    return params->GetConsensus();
}

COutPoint Prev(uint8_t tag, uint32_t n = 0)
{
    uint256 h;
    h.data()[0] = tag;
    h.data()[31] = 0xdd;
    return COutPoint(h, n);
}

const ScriptBytes OWNER = TaprootScript(0xaa);
constexpr int64_t ROYALTY = 10'000;
constexpr uint64_t SAMPLES = 40;

/** A store holding a real model (the example architecture, random weights) and dataset, and
 *  a registry holding the model as an add-model of `add_tx` would register it. */
struct Fixture {
    TempDir tmp{"oda_block_rules"};
    std::shared_ptr<oda::storage::FileStore> store;
    std::unique_ptr<node::EngineExecutor> executor;
    oda::model::Architecture arch = oda::test::ExampleArchitecture();
    oda::model::Model model;
    oda::model::Dataset dataset;
    Commitment weights_c, dataset_c;
    int64_t score{0};
    AddModel add;
    CTransactionRef add_tx;
    uint256 model_id;

    Fixture()
    {
        store = std::make_shared<oda::storage::FileStore>(tmp.Path("odafiles"), oda::storage::FileLimits::FromConsensus(Params()),
                                                          /*min_free_bytes=*/0);
        std::string error;
        BOOST_REQUIRE(store->Open(error));
        oda::test::TestRng rng(99);
        // Sensible requantization (unit multiplier) and varied weights, so that different
        // inputs give different outputs.
        oda::model::Weights weights = oda::test::UniformWeights(arch);
        for (auto& layer : weights.layers) {
            for (int8_t& w : layer.weights) w = static_cast<int8_t>(rng.Range(-40, 40));
            for (int32_t& b : layer.biases) b = static_cast<int32_t>(rng.Range(-50, 50));
        }
        BOOST_REQUIRE(oda::model::MakeModel(arch, weights, model, error));
        dataset = oda::test::RandomDataset(model, SAMPLES, rng);
        auto w = store->ImportBytes(oda::model::EncodeWeights(weights), std::nullopt, error);
        BOOST_REQUIRE_MESSAGE(w, error);
        auto d = store->ImportBytes(oda::model::EncodeDataset(dataset), std::nullopt, error);
        BOOST_REQUIRE_MESSAGE(d, error);
        weights_c = w->info.commitment;
        dataset_c = d->info.commitment;
        score = oda::engine::EngineScore(model, dataset);
        executor = std::make_unique<node::EngineExecutor>(store);

        add.architecture = arch;
        add.dataset = dataset_c;
        add.dataset_samples = SAMPLES;
        add.initial_weights = weights_c;
        add.initial_score = score;
        add.royalty = ROYALTY;
        add.trainer_share_bp = 0;
        add_tx = OdaTx({Prev(1)}, {CTxOut(1000, OWNER)}, add);
        model_id = add_tx->GetTxid();
    }

    /** The registry after a block holding only add_tx (connected with the executor). */
    void Register(MemoryRegistry& base)
    {
        RegistryCache cache(&base);
        RegistryUndo undo;
        BlockOdaRules rules(cache, undo, 1, Params(), executor.get());
        TxValidationState state;
        BOOST_REQUIRE_MESSAGE(rules.ApplyTransaction(*add_tx, {add}, state), state.ToString());
        base.Apply(cache.TakeChanges());
    }

    CTransactionRef InferTx(uint8_t tag, std::vector<int8_t> input, CAmount royalty_paid = ROYALTY) const
    {
        Infer infer{model_id, weights_c.pieces_root, std::move(input)};
        std::vector<CTxOut> outs;
        if (royalty_paid > 0) outs.emplace_back(royalty_paid, OWNER);
        return OdaTx({Prev(tag)}, std::move(outs), infer);
    }

    OutputTensor Expected(const std::vector<int8_t>& input) const
    {
        oda::model::ModelOutput out = oda::engine::EngineRun(model, input.data());
        return OutputTensor{out.logits ? TensorType::INT32 : TensorType::INT8, out.values};
    }
};

CTransaction Coinbase(const std::optional<Result>& result)
{
    CMutableTransaction mtx;
    mtx.vin.emplace_back(COutPoint());
    mtx.vout.emplace_back(50, TaprootScript(0x01));
    if (result) mtx.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(*result)));
    return CTransaction(mtx);
}

std::vector<Payload> PayloadsOf(const CTransaction& tx)
{
    std::vector<Payload> payloads;
    TxValidationState state;
    BOOST_REQUIRE(CheckOdaTransaction(tx, state, Params(), &payloads));
    return payloads;
}

} // namespace

BOOST_AUTO_TEST_SUITE(oda_block_rules_tests)

BOOST_AUTO_TEST_CASE(scores_are_recomputed)
{
    Fixture f;
    MemoryRegistry base;
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules rules(cache, undo, 1, Params(), f.executor.get());
    // A false claimed score: bad-oda-score, the debug message gives both.
    AddModel lie = f.add;
    lie.initial_score = f.score + 1;
    const CTransactionRef lie_tx = OdaTx({Prev(2)}, {CTxOut(1000, OWNER)}, lie);
    TxValidationState state;
    BOOST_CHECK(!rules.ApplyTransaction(*lie_tx, {lie}, state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-oda-score");
    BOOST_CHECK_MESSAGE(state.GetDebugMessage().find("claimed " + std::to_string(f.score + 1) + ", scored " +
                                                     std::to_string(f.score)) != std::string::npos,
                        state.GetDebugMessage());
    // The true one passes and counts a run of the architecture on the samples.
    TxValidationState ok;
    BOOST_CHECK_MESSAGE(rules.ApplyTransaction(*f.add_tx, {f.add}, ok), ok.ToString());
    BOOST_CHECK_EQUAL(rules.TotalComputeUnits(), RunCost(f.arch, SAMPLES));
    // The block then needs a result output with that total and no tensors.
    BlockValidationState bs;
    BOOST_CHECK(!rules.CheckCoinbaseResult(Coinbase(std::nullopt), bs));
    BOOST_CHECK_EQUAL(bs.GetRejectReason(), "bad-oda-result");
    BlockValidationState good;
    BOOST_CHECK_MESSAGE(rules.CheckCoinbaseResult(Coinbase(rules.ExpectedResult()), good), good.ToString());
}

BOOST_AUTO_TEST_CASE(missing_file_is_not_invalid)
{
    Fixture f;
    // A weights file nobody has: the block can be judged only once it is there.
    AddModel other = f.add;
    other.initial_weights = Commitment{oda::test::ExampleHash(0x5a), 999};
    const CTransactionRef tx = OdaTx({Prev(3)}, {CTxOut(1000, OWNER)}, other);
    MemoryRegistry base;
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules rules(cache, undo, 1, Params(), f.executor.get());
    TxValidationState state;
    BOOST_CHECK(!rules.ApplyTransaction(*tx, {other}, state));
    BOOST_CHECK(state.GetResult() == TxValidationResult::TX_DATA_UNAVAILABLE);
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "oda-data-unavailable");
    BOOST_REQUIRE_EQUAL(rules.MissingFiles().size(), 1U);
    BOOST_CHECK(rules.MissingFiles()[0] == other.initial_weights);
}

BOOST_AUTO_TEST_CASE(results_must_match_bit_for_bit)
{
    Fixture f;
    MemoryRegistry base;
    f.Register(base);
    const std::vector<int8_t> in_a{1, 2, 3, 4}, in_b{-100, 50, 0, 127}, in_c{9, -9, 9, -9};
    const std::vector<CTransactionRef> txs{f.InferTx(10, in_a), f.InferTx(11, in_b), f.InferTx(12, in_c)};
    const int64_t per_infer = RunCost(f.arch, 1);
    auto connect = [&](BlockOdaRules& rules) {
        for (const CTransactionRef& tx : txs) {
            TxValidationState state;
            BOOST_REQUIRE_MESSAGE(rules.ApplyTransaction(*tx, PayloadsOf(*tx), state), state.ToString());
        }
    };
    const Result good{3 * per_infer, {f.Expected(in_a), f.Expected(in_b), f.Expected(in_c)}};
    BOOST_REQUIRE(!(good.outputs[0] == good.outputs[1]));
    auto check = [&](const Result& result, const std::string& reason, const std::string& debug_part) {
        RegistryCache cache(&base);
        RegistryUndo undo;
        BlockOdaRules rules(cache, undo, 2, Params(), f.executor.get());
        connect(rules);
        BlockValidationState state;
        const bool ok = rules.CheckCoinbaseResult(Coinbase(result), state);
        if (reason.empty()) {
            BOOST_CHECK_MESSAGE(ok, state.ToString());
            BOOST_CHECK(*rules.ExpectedResult() == result);
            return;
        }
        BOOST_CHECK(!ok);
        BOOST_CHECK_EQUAL(state.GetRejectReason(), reason);
        BOOST_CHECK_MESSAGE(state.GetDebugMessage().find(debug_part) != std::string::npos, state.GetDebugMessage());
    };
    check(good, "", "");
    Result flipped = good;
    flipped.outputs[1].values[0] ^= 1;
    check(flipped, "bad-oda-result", "output 1 int32[2] differs from infer 1");
    Result missing = good;
    missing.outputs.erase(missing.outputs.begin() + 1);
    check(missing, "bad-oda-result", "missing output for infer 1");
    Result missing_last = good;
    missing_last.outputs.pop_back();
    check(missing_last, "bad-oda-result", "missing output for infer 2");
    Result extra = good;
    extra.outputs.push_back(good.outputs[0]);
    check(extra, "bad-oda-result", "extra output 3");
    Result swapped = good;
    std::swap(swapped.outputs[0], swapped.outputs[2]);
    check(swapped, "bad-oda-result", "output 0 is infer 2's (out of order)");
    Result wrong_type = good;
    wrong_type.outputs[0].type = TensorType::INT8;
    check(wrong_type, "bad-oda-result", "differs from infer 0");
    Result false_total = good;
    false_total.compute_units += 1;
    check(false_total, "bad-oda-cu", "result claims");

    // Without an executor, the count is checked and the values are trusted.
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules trusting(cache, undo, 2, Params(), nullptr);
    connect(trusting);
    BlockValidationState s1, s2;
    BOOST_CHECK(trusting.CheckCoinbaseResult(Coinbase(flipped), s1));
    BOOST_CHECK(!trusting.CheckCoinbaseResult(Coinbase(missing), s2));
    BOOST_CHECK_EQUAL(s2.GetRejectReason(), "bad-oda-result");
}

BOOST_AUTO_TEST_CASE(no_compute_no_result)
{
    Fixture f;
    MemoryRegistry base;
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules rules(cache, undo, 1, Params(), f.executor.get());
    BlockValidationState none, some;
    BOOST_CHECK(rules.CheckCoinbaseResult(Coinbase(std::nullopt), none));
    BOOST_CHECK(!rules.ExpectedResult());
    BOOST_CHECK(!rules.CheckCoinbaseResult(Coinbase(Result{0, {}}), some));
    BOOST_CHECK_EQUAL(some.GetRejectReason(), "bad-oda-result");
}

BOOST_AUTO_TEST_CASE(input_of_the_wrong_shape_is_invalid)
{
    Fixture f;
    MemoryRegistry base;
    f.Register(base);
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules rules(cache, undo, 2, Params(), f.executor.get());
    const CTransactionRef tx = f.InferTx(20, {1, 2, 3});
    TxValidationState state;
    BOOST_CHECK(!rules.ApplyTransaction(*tx, PayloadsOf(*tx), state));
    BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-oda-infer");
    BOOST_CHECK_MESSAGE(state.GetDebugMessage().find("input has 3 values, the model takes 4") != std::string::npos,
                        state.GetDebugMessage());
}

BOOST_AUTO_TEST_CASE(compute_unit_limits)
{
    Fixture f;
    MemoryRegistry base;
    f.Register(base);
    const int64_t per_infer = RunCost(f.arch, 1);
    ConsensusParams params = Params();
    // Per transaction: an add-model scoring SAMPLES samples over a limit just below it.
    params.max_tx_compute_units = RunCost(f.arch, SAMPLES) - 1;
    {
        MemoryRegistry empty;
        RegistryCache cache(&empty);
        RegistryUndo undo;
        BlockOdaRules rules(cache, undo, 1, params, f.executor.get());
        TxValidationState state;
        BOOST_CHECK(!rules.ApplyTransaction(*f.add_tx, {f.add}, state));
        BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-oda-cu");
        BOOST_CHECK(state.GetDebugMessage().find("over the limit") != std::string::npos);
    }
    // Per block: room for two infers, the third is over.
    params = Params();
    params.max_block_compute_units = 2 * per_infer;
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules rules(cache, undo, 2, params, f.executor.get());
    for (uint8_t i = 0; i < 3; ++i) {
        const CTransactionRef tx = f.InferTx(30 + i, {int8_t(i), 0, 0, 0});
        TxValidationState state;
        const bool ok = rules.ApplyTransaction(*tx, PayloadsOf(*tx), state);
        BOOST_CHECK_EQUAL(ok, i < 2);
        if (!ok) BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-oda-cu");
    }
    BOOST_CHECK_EQUAL(rules.TotalComputeUnits(), 2 * per_infer);
    BOOST_CHECK_EQUAL(rules.Infers().size(), 2U);
}

BOOST_AUTO_TEST_CASE(royalty_must_be_paid)
{
    Fixture f;
    MemoryRegistry base;
    f.Register(base);
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules rules(cache, undo, 2, Params(), nullptr); // checked even without an executor
    for (const CAmount paid : {CAmount{0}, ROYALTY - 1}) {
        const CTransactionRef tx = f.InferTx(40, {1, 1, 1, 1}, paid);
        TxValidationState state;
        BOOST_CHECK(!rules.ApplyTransaction(*tx, PayloadsOf(*tx), state));
        BOOST_CHECK_EQUAL(state.GetRejectReason(), "bad-oda-royalty");
        BOOST_CHECK(state.GetDebugMessage().find("of the " + std::to_string(ROYALTY) + " owed") != std::string::npos);
    }
    const CTransactionRef tx = f.InferTx(41, {1, 1, 1, 1}, ROYALTY);
    TxValidationState state;
    BOOST_CHECK_MESSAGE(rules.ApplyTransaction(*tx, PayloadsOf(*tx), state), state.ToString());
    BOOST_CHECK_EQUAL(rules.Infers().size(), 1U);
}

BOOST_AUTO_TEST_CASE(cache_hits_give_the_same_bits)
{
    Fixture f;
    MemoryRegistry base;
    f.Register(base); // one score computed: a miss
    const ModelRecord record = *base.GetModel(f.model_id);
    const ModelVersion version = *base.GetVersion(f.model_id, 0);
    node::WorkCacheStats before = f.executor->CacheStats();
    BOOST_CHECK_EQUAL(before.scores.misses, 1U);
    BOOST_CHECK_EQUAL(before.scores.entries, 1U);
    // The same score again: from the cache.
    ExecReport report;
    BOOST_CHECK(f.executor->ScoreWeights(f.model_id, record, f.weights_c, f.score, report) == ExecOutcome::VALID);
    BOOST_CHECK_EQUAL(f.executor->CacheStats().scores.hits, before.scores.hits + 1);
    // An inference: miss, then hit, same bits as a fresh executor and as the engine.
    const Infer infer{f.model_id, f.weights_c.pieces_root, {5, -5, 100, -100}};
    OutputTensor cold, warm, fresh;
    BOOST_CHECK(f.executor->RunInference(f.model_id, record, version, infer, cold, report) == ExecOutcome::VALID);
    BOOST_CHECK(f.executor->RunInference(f.model_id, record, version, infer, warm, report) == ExecOutcome::VALID);
    node::EngineExecutor other(f.store);
    BOOST_CHECK(other.RunInference(f.model_id, record, version, infer, fresh, report) == ExecOutcome::VALID);
    BOOST_CHECK(cold == warm);
    BOOST_CHECK(cold == fresh);
    BOOST_CHECK(cold == f.Expected(infer.input));
    const node::WorkCacheStats after = f.executor->CacheStats();
    BOOST_CHECK_EQUAL(after.outputs.misses, 1U);
    BOOST_CHECK_EQUAL(after.outputs.hits, 1U);
    BOOST_CHECK_EQUAL(after.models.entries, 1U); // compiled once, reused by the inference
    BOOST_CHECK_EQUAL(after.datasets.entries, 1U);
}

BOOST_AUTO_TEST_CASE(prefetched_batch_gives_the_same_bits)
{
    Fixture f;
    MemoryRegistry base;
    f.Register(base);
    std::vector<CTransactionRef> txs;
    std::vector<std::vector<int8_t>> inputs;
    for (int i = 0; i < 6; ++i) {
        inputs.push_back({int8_t(i * 20 - 60), int8_t(7 - i), int8_t(i * i), int8_t(-3 * i)});
        txs.push_back(f.InferTx(uint8_t(50 + i), inputs.back()));
    }
    txs.push_back(f.InferTx(60, {1, 2, 3})); // wrong size: skipped by the batch, invalid after
    RegistryCache cache(&base);
    RegistryUndo undo;
    BlockOdaRules rules(cache, undo, 2, Params(), f.executor.get());
    rules.Prefetch(txs);
    const node::WorkCacheStats prefetched = f.executor->CacheStats();
    BOOST_CHECK_EQUAL(prefetched.outputs.entries, inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        TxValidationState state;
        BOOST_REQUIRE_MESSAGE(rules.ApplyTransaction(*txs[i], PayloadsOf(*txs[i]), state), state.ToString());
        BOOST_CHECK(*rules.Infers()[i].output == f.Expected(inputs[i])); // batch == one by one
    }
    BOOST_CHECK_EQUAL(f.executor->CacheStats().outputs.hits, prefetched.outputs.hits + inputs.size());
    BOOST_CHECK_EQUAL(f.executor->CacheStats().outputs.misses, prefetched.outputs.misses);
    TxValidationState bad;
    BOOST_CHECK(!rules.ApplyTransaction(*txs.back(), PayloadsOf(*txs.back()), bad));
    BOOST_CHECK_EQUAL(bad.GetRejectReason(), "bad-oda-infer");
}

BOOST_AUTO_TEST_CASE(lru_is_bounded)
{
    node::LruMap<int, int> lru(/*max_entries=*/3, /*max_cost=*/10);
    for (int i = 0; i < 5; ++i) lru.Put(i, i * 10, 1);
    BOOST_CHECK_EQUAL(lru.Size(), 3U);
    BOOST_CHECK(!lru.Get(0));
    BOOST_CHECK(!lru.Get(1));
    BOOST_CHECK_EQUAL(*lru.Get(2), 20); // now the most recent
    lru.Put(5, 50, 1);                  // evicts 3, the least recently used
    BOOST_CHECK(!lru.Get(3));
    BOOST_CHECK(lru.Get(2) && lru.Get(4) && lru.Get(5));
    lru.Put(6, 60, 9); // by cost: only room for itself and nothing else above 10
    BOOST_CHECK_LE(lru.Cost(), 10U);
    BOOST_CHECK_EQUAL(*lru.Get(6), 60);
    lru.Put(7, 70, 11); // larger than the bound alone: not kept
    BOOST_CHECK(!lru.Get(7));
    BOOST_CHECK_LE(lru.Cost(), 10U);
}

BOOST_AUTO_TEST_SUITE_END()
