// Infer transactions accepted to the mempool per second (doc/benchmarks.md): signed infers on
// the Fashion-MNIST MLP (784-256-10, random weights held in a real file store), each with its
// own input, through every acceptance check including the inference by the node's
// EngineExecutor; next to the same acceptance without an executor (policy alone) and the bare
// engine running the same inputs, so the ratios show what execution and policy each cost.
#include <bench/bench.h>
#include <consensus/chainparams.h>
#include <node/mempool.h>
#include <node/mempool_accept.h>
#include <node/oda_executor.h>
#include <oda/chain/registry.h>
#include <oda/chain/registry_rules.h>
#include <oda/chain/tx_check.h>
#include <oda/engine/engine.h>
#include <oda/model/architecture.h>
#include <oda/model/dataset.h>
#include <oda/model/weights.h>
#include <oda/storage/file_store.h>
#include <script/keys.h>
#include <script/sign.h>
#include <script/standard.h>
#include <test/util/random_model.h>
#include <test/util/tempdir.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

namespace {

constexpr int INFER_COUNT = 200;
constexpr int64_t ROYALTY = 10'000;
const char* const MLP_JSON =
    R"({"version":1,"input_shape":[1,28,28],"objective":"accuracy","layers":[{"kind":"flatten"},)"
    R"({"kind":"dense","out_features":256,"per_channel":true},{"kind":"relu"},)"
    R"({"kind":"dense","out_features":10,"per_channel":false}],"logits_output":true})";

void Require(bool ok, const std::string& what)
{
    if (!ok) throw std::runtime_error(what);
}

void MempoolAcceptInfer(oda::bench::Bench& bench)
{
    using namespace oda::chain;
    auto params = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& consensus = params->GetConsensus();
    std::string error;

    // The model: architecture, random weights and a small dataset, held in a real store.
    TempDir tmp("bench_mempool_infer");
    auto store = std::make_shared<oda::storage::FileStore>(tmp.Path("odafiles"),
                                                           oda::storage::FileLimits::FromConsensus(consensus), 0);
    Require(store->Open(error), error);
    oda::model::Architecture arch;
    Require(oda::model::ArchitectureFromJson(MLP_JSON, arch, error), error);
    oda::test::TestRng rng(7);
    const oda::model::Weights weights = oda::test::RandomWeights(arch, rng);
    oda::model::Model model;
    Require(oda::model::MakeModel(arch, weights, model, error), error);
    const oda::model::Dataset dataset = oda::test::RandomDataset(model, 16, rng);
    auto w = store->ImportBytes(oda::model::EncodeWeights(weights), std::nullopt, error);
    Require(w.has_value(), error);
    auto d = store->ImportBytes(oda::model::EncodeDataset(dataset), std::nullopt, error);
    Require(d.has_value(), error);

    // The registry after the model's add-model (claims trusted here: the bench is about infers).
    AddModel add;
    add.architecture = arch;
    add.dataset = d->info.commitment;
    add.dataset_samples = 16;
    add.initial_weights = w->info.commitment;
    add.royalty = ROYALTY;
    const ScriptBytes owner = TaprootOutputScript(*TaprootTweak(CKey::FromBytes(std::vector<uint8_t>(32, 0x11))->GetXOnlyPubKey()));
    CMutableTransaction add_mtx;
    add_mtx.vin.emplace_back(COutPoint(uint256::ONE, 0));
    add_mtx.vout.emplace_back(1000, owner);
    add_mtx.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(Payload{add})));
    const CTransactionRef add_tx = MakeTransactionRef(std::move(add_mtx));
    EmptyRegistryView empty;
    RegistryCache registry(&empty);
    {
        RegistryUndo undo;
        RegistryBlockApplier applier(registry, undo, 1, nullptr);
        std::vector<Payload> payloads;
        TxValidationState state;
        Require(CheckOdaTransaction(*add_tx, state, consensus, &payloads) && applier.ApplyTransaction(*add_tx, payloads, state),
                state.ToString());
    }
    const uint256 model_id = add_tx->GetTxid();

    // INFER_COUNT signed infers, each with its own input, paying the royalty and a fee well
    // above the size and compute fee.
    CKey key = *CKey::FromBytes(std::vector<uint8_t>(32, 0x5b));
    const ScriptBytes spk = TaprootOutputScript(*TaprootTweak(key.GetXOnlyPubKey()));
    std::map<COutPoint, Coin> coins;
    std::vector<CTransactionRef> txs;
    std::vector<std::vector<int8_t>> inputs;
    for (int i = 0; i < INFER_COUNT; ++i) {
        uint256 h;
        h.data()[0] = uint8_t(i);
        h.data()[1] = uint8_t(i >> 8);
        h.data()[2] = 0xbf;
        const COutPoint prevout(h, 0);
        coins[prevout] = Coin(CTxOut(1'000'000, spk), 1, false);
        Infer infer{model_id, w->info.commitment.pieces_root, {}};
        for (int k = 0; k < 784; ++k) infer.input.push_back(static_cast<int8_t>(rng.Range(-128, 127)));
        inputs.push_back(infer.input);
        CMutableTransaction mtx;
        mtx.vin.emplace_back(prevout);
        mtx.vout.emplace_back(ROYALTY, owner);
        mtx.vout.emplace_back(1'000'000 - ROYALTY - 20'000, spk);
        mtx.vout.emplace_back(0, OdaOutputScript(EncodeOdaPayload(Payload{infer})));
        Require(SignTaprootKeyPath(mtx, 0, {CTxOut(1'000'000, spk)}, key, 0x00, &error), error);
        txs.push_back(MakeTransactionRef(std::move(mtx)));
    }
    MempoolChainView view;
    view.params = &consensus;
    view.tip_height = 200;
    view.tip_median_time_past = 1700000000;
    view.get_coin = [&coins](const COutPoint& o) -> std::optional<Coin> {
        auto it = coins.find(o);
        if (it == coins.end()) return std::nullopt;
        return it->second;
    };
    view.registry = &registry;

    auto accept_all = [&](oda::chain::OdaExecutor* executor) {
        MemPoolOptions opts;
        opts.oda_executor = executor;
        opts.file_store = store.get();
        CTxMemPool pool(opts);
        for (const CTransactionRef& tx : txs) {
            MempoolAcceptResult r = AcceptToMemoryPoolAt(view, pool, tx, {});
            Require(r.IsValid(), "bench infer rejected: " + r.state.ToString());
        }
    };
    bench.Note("signed infers on the 784-256-10 MLP, distinct inputs, fresh pool per run");
    bench.Measure("accept infer (EngineExecutor, cold cache)", INFER_COUNT, "tx", [&] {
        node::EngineExecutor executor(store); // a new executor: nothing cached
        accept_all(&executor);
    });
    node::EngineExecutor warm(store);
    accept_all(&warm);
    bench.Measure("accept infer (EngineExecutor, warm cache)", INFER_COUNT, "tx", [&] { accept_all(&warm); });
    bench.Measure("accept infer (no executor: policy only)", INFER_COUNT, "tx", [&] { accept_all(nullptr); });
    // The bare engine on the same inputs, one at a time as acceptance runs them, model compiled once.
    const oda::engine::CompiledModel compiled(model);
    bench.Measure("CompiledModel::RunOne only", INFER_COUNT, "inference", [&] {
        for (const std::vector<int8_t>& in : inputs) compiled.RunOne(in.data());
    });
    bench.Ratio("accept infer (EngineExecutor, cold cache)", "CompiledModel::RunOne only");
    bench.Ratio("accept infer (no executor: policy only)", "accept infer (EngineExecutor, cold cache)");
}

} // namespace

ODA_BENCHMARK(mempool_accept_infer, MempoolAcceptInfer);
