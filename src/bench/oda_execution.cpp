// The ODA part of connecting a block (oda/chain/block_rules.h with the node's executor,
// node/oda_executor.h, over a real file store): a block of 200 infers on the Fashion-MNIST
// MLP shape (share/models/mlp-784-256-10.json) and a block with one update-weights scored on
// 10,000 samples, each with a cold execution cache (a new executor: the weights and dataset
// are read, hashed, parsed, compiled), a warm one (the work was seen before, e.g. in the
// mempool) and, next to them in the same run, the bare engine doing the same work. Weights
// and inputs are pseudo-random (the timing does not depend on the values).
#include <bench/bench.h>
#include <consensus/chainparams.h>
#include <node/oda_executor.h>
#include <oda/chain/block_rules.h>
#include <oda/chain/tx_check.h>
#include <oda/engine/engine.h>
#include <oda/model/dataset.h>
#include <oda/model/model.h>
#include <oda/model/weights.h>
#include <oda/storage/file_store.h>
#include <script/standard.h>

#include <filesystem>
#include <random>
#include <stdexcept>

using namespace oda::chain;

namespace {

constexpr int INFERS = 200;
constexpr uint32_t SAMPLES = 10'000;

struct Lcg {
    uint64_t s;
    uint32_t Next() { s = s * 6364136223846793005ULL + 1442695040888963407ULL; return static_cast<uint32_t>(s >> 33); }
    int32_t Range(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(Next() % static_cast<uint32_t>(hi - lo + 1)); }
};

oda::model::Architecture FashionMlp()
{
    using oda::model::Layer;
    using oda::model::LayerKind;
    oda::model::Architecture a;
    a.input_shape = {1, 28, 28};
    Layer flatten, d1, relu, d2;
    flatten.kind = LayerKind::FLATTEN;
    d1.kind = LayerKind::DENSE;
    d1.out_features = 256;
    d1.per_channel = true;
    relu.kind = LayerKind::RELU;
    d2.kind = LayerKind::DENSE;
    d2.out_features = 10;
    a.layers = {flatten, d1, relu, d2};
    a.logits_output = true;
    return a;
}

oda::model::Weights RandomWeights(const oda::model::Architecture& arch, uint64_t seed)
{
    oda::model::ArchitectureInfo info;
    std::string error;
    if (!oda::model::AnalyzeArchitecture(arch, info, error)) throw std::runtime_error(error);
    Lcg rng{seed};
    oda::model::Weights w;
    w.architecture_hash = oda::model::ArchitectureHash(arch);
    w.input_zero_point = -128;
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        oda::model::LayerParams p;
        if (oda::model::IsAccumulating(arch.layers[i].kind)) {
            for (uint64_t k = 0; k < info.layers[i].weight_count; ++k) p.weights.push_back(static_cast<int8_t>(rng.Range(-40, 40)));
            for (uint32_t c = 0; c < info.layers[i].channel_count; ++c) p.biases.push_back(rng.Range(-1000, 1000));
            if (!(arch.logits_output && i + 1 == arch.layers.size())) {
                const size_t n = arch.layers[i].per_channel ? info.layers[i].channel_count : 1;
                p.multipliers.assign(n, 1518500250);
                p.shifts.assign(n, -9);
                p.output_zero_point = -128;
            }
        }
        w.layers.push_back(std::move(p));
    }
    return w;
}

struct Setup {
    std::filesystem::path dir;
    std::unique_ptr<const ChainParams> params = CreateChainParams(ChainType::REGTEST);
    std::shared_ptr<oda::storage::FileStore> store;
    oda::model::Architecture arch = FashionMlp();
    oda::model::Model model, model2;
    oda::model::Dataset dataset;
    Commitment weights_c, weights2_c, dataset_c;
    int64_t score2{0};
    EmptyRegistryView empty;
    std::unique_ptr<RegistryCache> base; //!< the registry with the model registered
    uint256 model_id;
    std::vector<CTransactionRef> infers;
    std::vector<int8_t> inputs; //!< the infers' inputs, one after the other
    CTransactionRef update;

    Setup()
    {
        std::random_device rd;
        dir = std::filesystem::temp_directory_path() / ("oda_bench_exec_" + std::to_string(rd()));
        store = std::make_shared<oda::storage::FileStore>(dir, oda::storage::FileLimits::FromConsensus(params->GetConsensus()), 0);
        std::string error;
        if (!store->Open(error)) throw std::runtime_error(error);
        oda::model::Weights w1 = RandomWeights(arch, 1), w2 = RandomWeights(arch, 2);
        if (!oda::model::MakeModel(arch, w1, model, error) || !oda::model::MakeModel(arch, w2, model2, error)) {
            throw std::runtime_error(error);
        }
        Lcg rng{7};
        dataset.input_shape = arch.input_shape;
        dataset.sample_count = SAMPLES;
        for (uint64_t i = 0; i < uint64_t(SAMPLES) * 784; ++i) dataset.inputs.push_back(static_cast<int8_t>(rng.Range(-128, 127)));
        for (uint32_t i = 0; i < SAMPLES; ++i) dataset.labels.push_back(rng.Next() % 10);
        int64_t score1 = oda::engine::EngineScore(model, dataset);
        score2 = oda::engine::EngineScore(model2, dataset);
        if (score2 < score1) { // the update must improve: register the lower-scoring weights
            std::swap(w1, w2);
            std::swap(model, model2);
            std::swap(score1, score2);
        }
        weights_c = Import(oda::model::EncodeWeights(w1));
        weights2_c = Import(oda::model::EncodeWeights(w2));
        dataset_c = Import(oda::model::EncodeDataset(dataset));

        // Register the model (its initial score computed by the executor).
        AddModel add;
        add.architecture = arch;
        add.dataset = dataset_c;
        add.dataset_samples = SAMPLES;
        add.initial_weights = weights_c;
        add.initial_score = score1;
        add.min_improvement = 0;
        ScriptBytes owner(34, 0x11);
        owner[0] = 0x51; // witness v1 (taproot) output
        owner[1] = 0x20;
        const CTransactionRef add_tx = Tx(1, {CTxOut(1000, owner)}, add);
        model_id = add_tx->GetTxid();
        base = std::make_unique<RegistryCache>(&empty);
        node::EngineExecutor executor(store);
        RegistryUndo undo;
        BlockOdaRules rules(*base, undo, 1, params->GetConsensus(), &executor);
        TxValidationState state;
        if (!rules.ApplyTransaction(*add_tx, {add}, state)) throw std::runtime_error(state.ToString());

        for (int i = 0; i < INFERS; ++i) {
            Infer infer{model_id, weights_c.pieces_root, {}};
            for (int k = 0; k < 784; ++k) infer.input.push_back(static_cast<int8_t>(rng.Range(-128, 127)));
            inputs.insert(inputs.end(), infer.input.begin(), infer.input.end());
            infers.push_back(Tx(100 + i, {}, infer));
        }
        // The second weights score at least as high (minimum improvement 0): a true claim.
        UpdateWeights upd{model_id, weights2_c, score2, owner};
        update = Tx(99, {}, upd);
    }
    ~Setup()
    {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    Commitment Import(const std::vector<uint8_t>& bytes)
    {
        std::string error;
        auto result = store->ImportBytes(bytes, std::nullopt, error);
        if (!result) throw std::runtime_error(error);
        return result->info.commitment;
    }

    static CTransactionRef Tx(uint32_t tag, std::vector<CTxOut> outs, const Payload& payload)
    {
        CMutableTransaction mtx;
        uint256 prev;
        prev.data()[0] = uint8_t(tag);
        prev.data()[1] = uint8_t(tag >> 8);
        mtx.vin.emplace_back(COutPoint(prev, 0));
        mtx.vout = std::move(outs);
        mtx.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(payload)));
        return MakeTransactionRef(std::move(mtx));
    }

    /** Connects the ODA part of a block of `txs` with `executor` as ConnectBlock does: the
     *  batched prefetch of its infers, every rule, then the coinbase's result payload. */
    void Connect(const std::vector<CTransactionRef>& txs, OdaExecutor& executor) const
    {
        RegistryCache view(base.get());
        RegistryUndo undo;
        BlockOdaRules rules(view, undo, 2, params->GetConsensus(), &executor);
        rules.Prefetch(txs); // as ConnectBlock does
        for (const CTransactionRef& tx : txs) {
            std::vector<Payload> payloads;
            TxValidationState state;
            if (!CheckOdaTransaction(*tx, state, params->GetConsensus(), &payloads) ||
                !rules.ApplyTransaction(*tx, payloads, state)) {
                throw std::runtime_error(state.ToString());
            }
        }
        CMutableTransaction cb;
        cb.vin.emplace_back(COutPoint());
        cb.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(*rules.ExpectedResult())));
        BlockValidationState state;
        if (!rules.CheckCoinbaseResult(CTransaction(cb), state)) throw std::runtime_error(state.ToString());
    }
};

void OdaExecutionBench(oda::bench::Bench& bench)
{
    oda::engine::SetEngineThreads(1);
    Setup s;
    const double macs = 784.0 * 256 + 256.0 * 10;
    bench.Note("Fashion-MNIST MLP shape 784-256-10, random weights and inputs, engine threads 1, kernel " +
               std::to_string(static_cast<int>(oda::engine::CompiledModel(s.model).Kernel())));

    // 200 infers.
    bench.Measure("bare engine: 200 inferences (compiled model, one Run call)", INFERS * macs, "MAC", [&] {
        oda::engine::CompiledModel compiled(s.model);
        (void)compiled.Run(s.inputs.data(), INFERS);
    });
    bench.Measure("bare engine: 200 inferences (compiled model, RunOne each)", INFERS * macs, "MAC", [&] {
        oda::engine::CompiledModel compiled(s.model);
        for (int i = 0; i < INFERS; ++i) (void)compiled.RunOne(s.inputs.data() + 784 * i);
    });
    bench.Measure("block of 200 infers, cold cache (new executor)", INFERS * macs, "MAC", [&] {
        node::EngineExecutor executor(s.store);
        s.Connect(s.infers, executor);
    });
    node::EngineExecutor warm(s.store);
    s.Connect(s.infers, warm);
    bench.Measure("block of 200 infers, warm cache (seen before)", INFERS * macs, "MAC", [&] { s.Connect(s.infers, warm); });
    bench.Ratio("block of 200 infers, cold cache (new executor)", "bare engine: 200 inferences (compiled model, RunOne each)");
    bench.Ratio("block of 200 infers, warm cache (seen before)", "bare engine: 200 inferences (compiled model, RunOne each)");

    // One update-weights scored on 10,000 samples.
    const double score_macs = macs * SAMPLES;
    bench.Measure("bare engine: score 10,000 samples (compile + Score)", score_macs, "MAC", [&] {
        oda::engine::CompiledModel compiled(s.model2);
        if (compiled.Score(s.dataset) != s.score2) throw std::runtime_error("score changed");
    });
    bench.Measure("block with 1 update-weights, cold cache (new executor)", score_macs, "MAC", [&] {
        node::EngineExecutor executor(s.store);
        s.Connect({s.update}, executor);
    });
    s.Connect({s.update}, warm);
    bench.Measure("block with 1 update-weights, warm cache (seen before)", score_macs, "MAC", [&] { s.Connect({s.update}, warm); });
    bench.Ratio("block with 1 update-weights, cold cache (new executor)", "bare engine: score 10,000 samples (compile + Score)");
    bench.Ratio("block with 1 update-weights, warm cache (seen before)", "bare engine: score 10,000 samples (compile + Score)");
}

} // namespace

ODA_BENCHMARK(oda_execution, OdaExecutionBench);
