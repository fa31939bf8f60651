// Consensus engine throughput (multiply-accumulates per second) next to libtorch
// float32 on the same architectures, single thread: the default ATen path and the
// oneDNN path (to_mkldnn tensors, mkldnn_linear / mkldnn_convolution with reordered
// weights), which is libtorch at its fastest on x86.
#include <bench/bench.h>
#include <oda/engine/engine.h>
#include <oda/engine/kernels.h>
#include <oda/model/model.h>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <string>
#include <vector>

using namespace oda::model;
using namespace oda::engine;

namespace {
/** Deterministic pseudo-random int8/int32 values (benchmarks need no statistics). */
struct Lcg {
    uint64_t s;
    uint32_t Next() { s = s * 6364136223846793005ULL + 1442695040888963407ULL; return static_cast<uint32_t>(s >> 33); }
    int32_t Range(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(Next() % static_cast<uint32_t>(hi - lo + 1)); }
};

Layer MakeLayer(LayerKind kind, uint32_t out = 0, uint32_t k = 0, uint32_t stride = 0, uint32_t pad = 0)
{
    Layer l;
    l.kind = kind;
    l.out_features = out;
    l.kernel_h = l.kernel_w = k;
    l.stride_h = l.stride_w = stride;
    l.pad_h = l.pad_w = pad;
    return l;
}

Model MakeModel(const Architecture& arch)
{
    ArchitectureInfo info;
    std::string error;
    if (!AnalyzeArchitecture(arch, info, error)) throw std::runtime_error(error);
    Lcg rng{42};
    Weights w;
    w.architecture_hash = ArchitectureHash(arch);
    w.input_zero_point = -128;
    for (size_t i = 0; i < arch.layers.size(); ++i) {
        LayerParams p;
        if (IsAccumulating(arch.layers[i].kind)) {
            for (uint64_t k = 0; k < info.layers[i].weight_count; ++k) p.weights.push_back(static_cast<int8_t>(rng.Range(-40, 40)));
            for (uint32_t c = 0; c < info.layers[i].channel_count; ++c) p.biases.push_back(rng.Range(-1000, 1000));
            if (!(arch.logits_output && i + 1 == arch.layers.size())) {
                p.multipliers = {1518500250};
                p.shifts = {-9};
                p.output_zero_point = -128;
            }
        }
        w.layers.push_back(std::move(p));
    }
    Model m;
    if (!MakeModel(arch, w, m, error)) throw std::runtime_error(error);
    return m;
}

Dataset MakeDataset(const Model& m, uint64_t samples)
{
    Lcg rng{7};
    Dataset d;
    d.input_shape = m.architecture.input_shape;
    d.sample_count = samples;
    const uint64_t n = ShapeElements(d.input_shape) * samples;
    d.inputs.reserve(n);
    for (uint64_t i = 0; i < n; ++i) d.inputs.push_back(static_cast<int8_t>(rng.Range(-128, 127)));
    const uint64_t classes = ShapeElements(m.info.output_shape);
    for (uint64_t i = 0; i < samples; ++i) d.labels.push_back(rng.Next() % classes);
    return d;
}

uint64_t MacsPerSample(const Model& m)
{
    uint64_t macs = 0;
    for (const LayerInfo& li : m.info.layers) macs += li.fan_in * ShapeElements(li.out_shape);  // fan_in is 0 for layers without weights
    return macs;
}

void MeasureEngine(oda::bench::Bench& b, const std::string& prefix, const Model& m, const Dataset& d, double macs)
{
    // The fastest kernel first (what AUTO picks), then the slower ones this CPU has.
    std::vector<KernelKind> kernels{ResolveKernel(KernelKind::AUTO)};
    if (kernels[0] == KernelKind::AVX512VNNI) kernels.push_back(KernelKind::AVX2);
    if (kernels[0] != KernelKind::SCALAR) kernels.push_back(KernelKind::SCALAR);
    for (KernelKind kind : kernels) {
        const CompiledModel compiled(m, kind);
        volatile int64_t sink = 0;
        b.Measure(prefix + " int8 engine (" + KernelName(compiled.Kernel()) + ")", macs, "MAC", [&] { sink = compiled.Score(d); });
        (void)sink;
    }
}

constexpr int64_t BATCH = 256;

void BenchMlp(oda::bench::Bench& b)
{
    SetEngineThreads(1);
    c10::InferenceMode guard;
    Architecture arch;
    arch.input_shape = {784};
    arch.layers = {MakeLayer(LayerKind::DENSE, 256), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::DENSE, 10)};
    arch.logits_output = true;
    const Model m = MakeModel(arch);
    const Dataset d = MakeDataset(m, BATCH);
    const double macs = double(MacsPerSample(m)) * BATCH;
    b.Note("MLP 784-256-10, batch " + std::to_string(BATCH) + ", " + std::to_string(MacsPerSample(m)) + " MAC/sample, 1 thread");
    MeasureEngine(b, "mlp", m, d, macs);

    const at::Tensor x = at::randn({BATCH, 784});
    const at::Tensor w1 = at::randn({256, 784}), b1 = at::randn({256}), w2 = at::randn({10, 256}), b2 = at::randn({10});
    b.Measure("mlp float32 libtorch default", macs, "MAC", [&] { at::linear(at::relu(at::linear(x, w1, b1)), w2, b2); });
    if (at::hasMKLDNN()) {
        const at::Tensor xm = x.to_mkldnn(), w1m = w1.to_mkldnn(), b1m = b1.to_mkldnn(), w2m = w2.to_mkldnn(), b2m = b2.to_mkldnn();
        b.Measure("mlp float32 libtorch oneDNN", macs, "MAC", [&] {
            at::mkldnn_linear(at::relu(at::mkldnn_linear(xm, w1m, b1m)), w2m, b2m).to_dense();
        });
        b.Ratio(std::string("mlp int8 engine (") + KernelName(ResolveKernel(KernelKind::AUTO)) + ")", "mlp float32 libtorch oneDNN");
        b.Ratio("mlp int8 engine (avx2)", "mlp float32 libtorch oneDNN");
    }
    b.Ratio(std::string("mlp int8 engine (") + KernelName(ResolveKernel(KernelKind::AUTO)) + ")", "mlp float32 libtorch default");

    // Dataset scoring: the Fashion-MNIST test split has 10,000 samples.
    const Dataset big = MakeDataset(m, 10000);
    const CompiledModel fast(m);
    volatile int64_t sink = 0;
    // Reported in compute units (PROTOCOL §4) per second: 10,000 x the model's cost.
    b.Note("scoring 10000 samples = " + std::to_string(ScoringCost(m.info.compute_cost, 10000)) + " CU");
    b.Measure("mlp score 10000 samples (engine)", double(ScoringCost(m.info.compute_cost, 10000)), "CU", [&] { sink = fast.Score(big); });
    (void)sink;
}

void BenchCnn(oda::bench::Bench& b)
{
    SetEngineThreads(1);
    c10::InferenceMode guard;
    Architecture arch;
    arch.input_shape = {1, 28, 28};
    arch.layers = {MakeLayer(LayerKind::CONV2D, 16, 3, 1, 1), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::MAXPOOL2D, 0, 2, 2),
                   MakeLayer(LayerKind::CONV2D, 32, 3, 1, 1), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::MAXPOOL2D, 0, 2, 2),
                   MakeLayer(LayerKind::FLATTEN), MakeLayer(LayerKind::DENSE, 10)};
    arch.logits_output = true;
    const Model m = MakeModel(arch);
    const int64_t batch = 64;
    const Dataset d = MakeDataset(m, batch);
    const double macs = double(MacsPerSample(m)) * batch;
    b.Note("CNN conv16-pool-conv32-pool-dense10 on 1x28x28, batch " + std::to_string(batch) + ", " +
           std::to_string(MacsPerSample(m)) + " MAC/sample, 1 thread");
    MeasureEngine(b, "cnn", m, d, macs);

    const at::Tensor x = at::randn({batch, 1, 28, 28});
    const at::Tensor c1 = at::randn({16, 1, 3, 3}), cb1 = at::randn({16}), c2 = at::randn({32, 16, 3, 3}), cb2 = at::randn({32});
    const at::Tensor w = at::randn({10, 32 * 7 * 7}), wb = at::randn({10});
    b.Measure("cnn float32 libtorch default", macs, "MAC", [&] {
        at::Tensor h = at::max_pool2d(at::relu(at::conv2d(x, c1, cb1, 1, 1)), 2, 2);
        h = at::max_pool2d(at::relu(at::conv2d(h, c2, cb2, 1, 1)), 2, 2);
        at::linear(h.reshape({batch, -1}), w, wb);
    });
    if (at::hasMKLDNN()) {
        const at::Tensor xm = x.to_mkldnn();
        const at::Tensor c1m = at::mkldnn_reorder_conv2d_weight(c1.to_mkldnn(), {1, 1}, {1, 1}, {1, 1}, 1);
        const at::Tensor c2m = at::mkldnn_reorder_conv2d_weight(c2.to_mkldnn(), {1, 1}, {1, 1}, {1, 1}, 1);
        const at::Tensor cb1m = cb1.to_mkldnn(), cb2m = cb2.to_mkldnn(), wm = w.to_mkldnn(), wbm = wb.to_mkldnn();
        b.Measure("cnn float32 libtorch oneDNN", macs, "MAC", [&] {
            at::Tensor h = at::mkldnn_max_pool2d(at::relu(at::mkldnn_convolution(xm, c1m, cb1m, {1, 1}, {1, 1}, {1, 1}, 1)), {2, 2}, {2, 2});
            h = at::mkldnn_max_pool2d(at::relu(at::mkldnn_convolution(h, c2m, cb2m, {1, 1}, {1, 1}, {1, 1}, 1)), {2, 2}, {2, 2});
            at::mkldnn_linear(h.to_dense().reshape({batch, -1}).to_mkldnn(), wm, wbm).to_dense();
        });
        b.Ratio(std::string("cnn int8 engine (") + KernelName(ResolveKernel(KernelKind::AUTO)) + ")", "cnn float32 libtorch oneDNN");
        b.Ratio("cnn int8 engine (avx2)", "cnn float32 libtorch oneDNN");
    }
    b.Ratio(std::string("cnn int8 engine (") + KernelName(ResolveKernel(KernelKind::AUTO)) + ")", "cnn float32 libtorch default");
}
} // namespace

ODA_BENCHMARK(engine_mlp, BenchMlp);
ODA_BENCHMARK(engine_cnn, BenchCnn);
