// Time per compute unit of adversarial architectures (doc/consensus.md, "Compute limits"):
// the consensus compute limits are only safe if no architecture the rules allow costs far
// more time per compute unit (CU, doc/oda-protocol.md section 4) than the matrix-heavy
// models the limits were sized for. Each shape below sits at or near a bound of
// AnalyzeArchitecture (fan-in, tensor elements, padding, stride, window, layer count) and
// is scored (or inferred, batch of one) with the AVX2 kernel forced on ONE engine thread,
// the slowest configuration the limits must allow for. Reported: the median CPU time of
// the calling thread per run (CLOCK_THREAD_CPUTIME_ID, so other programs on a shared
// machine do not count), CU per sample, CU per run (ScoringCost: per-sample cost x samples
// + the weights' load once per run; an infer is a run on one sample), ns per CU, and the
// ratio to the MLP's ns per CU. Shapes the rules reject are listed with the reason.
#include <bench/bench.h>
#include <oda/engine/engine.h>
#include <oda/engine/kernels.h>
#include <oda/model/model.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace oda::model;
using namespace oda::engine;

namespace {
struct Lcg {
    uint64_t s;
    uint32_t Next() { s = s * 6364136223846793005ULL + 1442695040888963407ULL; return static_cast<uint32_t>(s >> 33); }
    int32_t Range(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(Next() % static_cast<uint32_t>(hi - lo + 1)); }
};

Layer Dense(uint32_t out)
{
    Layer l;
    l.kind = LayerKind::DENSE;
    l.out_features = out;
    return l;
}

Layer Conv(uint32_t out, uint32_t kh, uint32_t kw, uint32_t stride, uint32_t pad_h, uint32_t pad_w)
{
    Layer l;
    l.kind = LayerKind::CONV2D;
    l.out_features = out;
    l.kernel_h = kh;
    l.kernel_w = kw;
    l.stride_h = l.stride_w = stride;
    l.pad_h = pad_h;
    l.pad_w = pad_w;
    return l;
}

Layer Pool(LayerKind kind, uint32_t k, uint32_t stride)
{
    Layer l;
    l.kind = kind;
    l.kernel_h = l.kernel_w = k;
    l.stride_h = l.stride_w = stride;
    return l;
}

Layer Simple(LayerKind kind)
{
    Layer l;
    l.kind = kind;
    return l;
}

Architecture Arch(std::vector<uint32_t> input, std::vector<Layer> layers, bool logits = false)
{
    Architecture a;
    a.input_shape = std::move(input);
    a.layers = std::move(layers);
    a.logits_output = logits;
    return a;
}

/** Random weights (small enough that activations do not all saturate). */
Model RandomModel(const Architecture& arch)
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
            p.weights.resize(info.layers[i].weight_count);
            for (int8_t& v : p.weights) v = static_cast<int8_t>(rng.Range(-40, 40));
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

Dataset RandomDataset(const Model& m, uint64_t samples)
{
    Lcg rng{7};
    Dataset d;
    d.input_shape = m.architecture.input_shape;
    d.sample_count = samples;
    d.inputs.resize(ShapeElements(d.input_shape) * samples);
    for (int8_t& v : d.inputs) v = static_cast<int8_t>(rng.Range(-128, 127));
    const uint64_t classes = ShapeElements(m.info.output_shape);
    for (uint64_t i = 0; i < samples; ++i) d.labels.push_back(rng.Next() % classes);
    return d;
}

double ThreadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/** Median thread CPU seconds of body() over at least `min_runs` runs and `min_seconds`. */
double MedianCpu(const std::function<void()>& body, double min_seconds, int min_runs = 5)
{
    body();  // warm-up
    std::vector<double> runs;
    double total = 0;
    while (static_cast<int>(runs.size()) < min_runs || (total < min_seconds && runs.size() < 1000)) {
        const double start = ThreadCpuSeconds();
        body();
        runs.push_back(ThreadCpuSeconds() - start);
        total += runs.back();
    }
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

/** One adversarial shape: scored on `samples` samples, or inferred one input at a time (samples = 0). */
struct CostShape {
    std::string name;
    Architecture arch;
    uint64_t samples;  //!< 0: a batch of one (an infer)
};

/** Samples per scoring run: about `target` CU, at most `max_bytes` of inputs. */
uint64_t SamplesFor(const Architecture& arch, double target = 2e8, uint64_t max_bytes = 64ULL << 20)
{
    const uint64_t cost = std::max<uint64_t>(1, ComputeCost(arch));
    const uint64_t by_cost = static_cast<uint64_t>(target / static_cast<double>(cost));
    const uint64_t by_bytes = max_bytes / ShapeElements(arch.input_shape);
    return std::clamp<uint64_t>(std::min(by_cost, by_bytes), 1, MAX_DATASET_SAMPLES);
}

std::vector<CostShape> Shapes()
{
    const Layer relu = Simple(LayerKind::RELU), flatten = Simple(LayerKind::FLATTEN);
    const Architecture mlp = Arch({784}, {Dense(256), relu, Dense(10)}, true);
    const Architecture cnn = Arch({1, 28, 28}, {Conv(16, 3, 3, 1, 1, 1), relu, Pool(LayerKind::MAXPOOL2D, 2, 2), Conv(32, 3, 3, 1, 1, 1), relu,
                                                Pool(LayerKind::MAXPOOL2D, 2, 2), flatten, Dense(10)}, true);
    std::vector<CostShape> s;
    auto add = [&](const std::string& name, const Architecture& a, uint64_t samples = UINT64_MAX) {
        s.push_back({name, a, samples == UINT64_MAX ? SamplesFor(a) : samples});
    };
    add("mlp_784_256_10_logits", mlp);
    add("mlp_784_256_10_int8", Arch({784}, {Dense(256), relu, Dense(10)}, false));
    add("cnn_small_28x28", cnn);
    add("mlp_infer_batch1", mlp, 0);
    add("cnn_infer_batch1", cnn, 0);
    // Matrix-heavy at the bounds: 2^24 weights in one layer.
    add("dense_16384_to_1024", Arch({16384}, {Dense(1024)}));
    add("dense_16384_to_1024_1_sample", Arch({16384}, {Dense(1024)}), 1);
    add("dense_16384_to_1024_infer", Arch({16384}, {Dense(1024)}), 0);
    add("dense_4096_4096_4096_infer", Arch({4096}, {Dense(4096), Dense(4096)}), 0);
    // Fan-in 1, 65,536 outputs: cost dominated by output elements (bias + requantization).
    add("dense_fanin1_out65536_int8", Arch({1}, {Dense(65536)}));
    add("dense_fanin1_out65536_logits", Arch({1}, {Dense(65536)}, true));
    add("dense_fanin8_out65536_int8", Arch({8}, {Dense(65536)}));
    // 64 layers of 1 output each: per-layer and per-sample overhead.
    std::vector<Layer> tiny(64, Dense(1));
    add("dense_64_layers_of_1", Arch({1}, tiny));
    add("dense_64_layers_of_1_infer", Arch({1}, tiny), 0);
    add("relu_only_1_element", Arch({1}, {relu}));
    // Conv2D, 1 input channel, 2^22 positions.
    add("conv_1ch_2048x2048_3x3_pad1_1out", Arch({1, 2048, 2048}, {Conv(1, 3, 3, 1, 1, 1)}));
    add("conv_1ch_512x512_3x3_16out", Arch({1, 512, 512}, {Conv(16, 3, 3, 1, 1, 1)}));
    // 1x1 convolutions.
    add("conv_1x1_64ch_64x64_64out", Arch({64, 64, 64}, {Conv(64, 1, 1, 1, 0, 0)}));
    add("conv_1x1_1ch_512x512_16out", Arch({1, 512, 512}, {Conv(16, 1, 1, 1, 0, 0)}));
    add("conv_1x1_1ch_2048x2048_1out", Arch({1, 2048, 2048}, {Conv(1, 1, 1, 1, 0, 0)}));
    // Large strides: the input is read (padded copy) but few outputs are produced.
    add("conv_1x1_stride2048_on_2048x2048", Arch({1, 2048, 2048}, {Conv(1, 1, 1, 2048, 0, 0)}), 16);
    add("conv_3x3_stride2_64ch_128x128_1out", Arch({64, 128, 128}, {Conv(1, 3, 3, 2, 0, 0)}));
    add("conv_3x3_stride2_64ch_128x128_16out", Arch({64, 128, 128}, {Conv(16, 3, 3, 2, 0, 0)}));
    // Heavy padding: 64 on each side of an 8x8 input, kernel 65x65.
    add("conv_pad64_kernel65_on_8x8", Arch({1, 8, 8}, {Conv(4, 65, 65, 1, 64, 64)}));
    // A kernel as wide as the input (stride 1): one output per row.
    add("conv_kernel_1x4096_on_16x4096", Arch({1, 16, 4096}, {Conv(1, 1, 4096, 1, 0, 0)}), 4);
    add("conv_kernel_1x512_on_64x512", Arch({1, 64, 512}, {Conv(4, 1, 512, 1, 0, 0)}));
    add("conv_kernel_28x28_on_28x28_64out", Arch({1, 28, 28}, {Conv(64, 28, 28, 1, 0, 0)}));
    // Element-wise and window layers (cost = output elements, or windows x window size).
    add("relu_x63_on_64x256x256", Arch({64, 256, 256}, std::vector<Layer>(63, relu)), 2);
    add("relu_x8_on_65536", Arch({65536}, std::vector<Layer>(8, relu)));
    add("flatten_x64_on_2048x2048", Arch({1, 2048, 2048}, std::vector<Layer>(64, flatten)), 4);
    add("maxpool_3x3_s1_x8_on_1024x1024", Arch({1, 1024, 1024}, std::vector<Layer>(8, Pool(LayerKind::MAXPOOL2D, 3, 1))), 2);
    add("maxpool_2x2_s2_on_2048x2048", Arch({1, 2048, 2048}, {Pool(LayerKind::MAXPOOL2D, 2, 2)}), 8);
    add("maxpool_1x1_s1_x64_on_256x256", Arch({1, 256, 256}, std::vector<Layer>(64, Pool(LayerKind::MAXPOOL2D, 1, 1))));
    add("maxpool_1x1_stride2048_on_2048x2048", Arch({1, 2048, 2048}, {Pool(LayerKind::MAXPOOL2D, 1, 2048)}), 16);
    add("avgpool_64x64_s64_on_2048x2048", Arch({1, 2048, 2048}, {Pool(LayerKind::AVGPOOL2D, 64, 64)}), 8);
    add("avgpool_2048x2048_global", Arch({1, 2048, 2048}, {Pool(LayerKind::AVGPOOL2D, 2048, 2048)}), 8);
    add("avgpool_3x3_s1_on_1024x1024", Arch({1, 1024, 1024}, {Pool(LayerKind::AVGPOOL2D, 3, 1)}), 8);
    return s;
}

void CuCost(oda::bench::Bench& bench)
{
    const char* filter = std::getenv("ODA_CU_SHAPES");  // optional substring filter on shape names
    SetEngineThreads(1);
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 0) load[0] = load[1] = load[2] = -1;
    std::printf("  kernel forced: %s (CPU has AVX2: %s), engine threads: %d, load average %.2f %.2f %.2f\n",
                KernelName(ResolveKernel(KernelKind::AVX2)), CpuHasAvx2() ? "yes" : "no", GetEngineThreads(), load[0], load[1], load[2]);
    std::printf("  %-38s %14s %9s %12s %12s %9s %8s\n", "shape", "CU/sample", "samples", "CU/run", "cpu ms/run", "ns/CU", "x MLP");
    double mlp_ns = 0;
    for (const CostShape& shape : Shapes()) {
        if (filter && shape.name.find(filter) == std::string::npos && shape.name.rfind("mlp_784_256_10_logits", 0) != 0) continue;
        ArchitectureInfo info;
        std::string error;
        if (!AnalyzeArchitecture(shape.arch, info, error)) {
            std::printf("  %-38s rejected by the rules: %s\n", shape.name.c_str(), error.c_str());
            continue;
        }
        const Model model = RandomModel(shape.arch);
        const CompiledModel compiled(model, KernelKind::AVX2);
        const uint64_t cost = model.info.compute_cost;
        double cpu = 0;
        uint64_t samples = shape.samples;
        if (samples == 0) {
            // Infers: one input at a time, as a block of infer transactions runs them.
            const uint64_t count = std::clamp<uint64_t>(static_cast<uint64_t>(2e7 / static_cast<double>(cost)), 1, 20000);
            const Dataset d = RandomDataset(model, count);
            const uint64_t in = ShapeElements(model.info.input_shape);
            cpu = MedianCpu([&] {
                for (uint64_t i = 0; i < count; ++i) {
                    const ModelOutput out = compiled.RunOne(d.inputs.data() + i * in);
                    if (out.values.empty()) std::abort();
                }
            }, bench.MinSeconds());
            samples = count;
        } else {
            const Dataset d = RandomDataset(model, samples);
            int64_t score = 0;
            cpu = MedianCpu([&] { score += compiled.Score(d); }, bench.MinSeconds());
            if (score < 0) std::abort();  // accuracy scores are never negative; keeps the work observable
        }
        // Consensus CU of what ran: one run per infer, one run over the dataset when scoring.
        const double cu = shape.samples == 0 ? static_cast<double>(ScoringCost(model.info, 1)) * static_cast<double>(samples)
                                             : static_cast<double>(ScoringCost(model.info, samples));
        const double ns = cpu * 1e9 / cu;
        if (shape.name == "mlp_784_256_10_logits") mlp_ns = ns;
        std::printf("  %-38s %14llu %9llu %12.4g %12.3f %9.4f %8.2f\n", shape.name.c_str(), static_cast<unsigned long long>(cost),
                    static_cast<unsigned long long>(samples), cu, cpu * 1e3, ns, mlp_ns > 0 ? ns / mlp_ns : 0.0);
        std::fflush(stdout);
    }
    if (getloadavg(load, 3) >= 0) std::printf("  load average at the end: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
}
} // namespace

ODA_BENCHMARK(cu_cost_per_shape, CuCost);
