// Consensus engine throughput (multiply-accumulates per second) next to libtorch
// float32 on the same architectures, single thread: the default ATen path and the
// oneDNN path (to_mkldnn tensors, mkldnn_linear / mkldnn_convolution with reordered
// weights), which is libtorch at its fastest on x86. Each engine figure is also
// given as a fraction of the peak multiply-accumulate rate of the instruction its
// kernel is built on (a register-only loop), and scoring and batched inference
// are measured at 1 and 2 engine threads (wall time, since CPU time sums threads).
#include <bench/bench.h>
#include <oda/engine/conv.h>
#include <oda/engine/engine.h>
#include <oda/engine/kernels.h>
#include <oda/model/model.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <unistd.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace oda::model;
using namespace oda::engine;
using oda::bench::Measurement;

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


// ------------------------------------------------------------ peak MAC rate
// Register-only loops of the kernels' core instructions: independent
// accumulators hide the instruction latency, the empty asm statements make the
// multiplicands opaque on every iteration so the compiler cannot hoist or fold
// the products. Bytes: vpdpbusd zmm = 16 lanes x 4 u8*s8 = 64 MAC; vpmaddwd ymm =
// 8 lanes x 2 s16*s16 = 16 MAC (plus the vpaddd that accumulates, as in the kernel).
constexpr uint64_t PEAK_ITERATIONS = 1 << 22;
constexpr int PEAK_ACCUMULATORS = 12;
/** vpaddd (latency 1) is the only dependency chain of the AVX2 loop: 6 suffice. */
constexpr int PEAK_ACCUMULATORS_AVX2 = 6;

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512vnni"))) int32_t PeakLoopVnni(uint64_t iterations, int32_t seed)
{
    __m512i acc[PEAK_ACCUMULATORS];
    for (int i = 0; i < PEAK_ACCUMULATORS; ++i) acc[i] = _mm512_set1_epi32(seed + i);
    __m512i a = _mm512_set1_epi32(seed * 3 + 1), w = _mm512_set1_epi32(seed * 5 + 2);
    for (uint64_t it = 0; it < iterations; ++it) {
        asm volatile("" : "+v"(a), "+v"(w));
#pragma GCC unroll 12
        for (int i = 0; i < PEAK_ACCUMULATORS; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, w);
    }
    for (int i = 1; i < PEAK_ACCUMULATORS; ++i) acc[0] = _mm512_add_epi32(acc[0], acc[i]);
    alignas(64) int32_t lanes[16];
    _mm512_store_si512(lanes, acc[0]);
    return lanes[0] ^ lanes[15];
}

__attribute__((target("avx2"))) int32_t PeakLoopAvx2(uint64_t iterations, int32_t seed)
{
    // vpmaddwd's inputs do not depend on the accumulators, so identical products
    // would be computed once per iteration: every accumulator gets its own
    // multiplicand (13 of the 16 ymm registers, named so none lives in memory),
    // each made opaque per iteration.
    __m256i c0 = _mm256_set1_epi32(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    __m256i w0 = _mm256_set1_epi32(seed + 1), w1 = _mm256_set1_epi32(seed + 2), w2 = _mm256_set1_epi32(seed + 3);
    __m256i w3 = _mm256_set1_epi32(seed + 4), w4 = _mm256_set1_epi32(seed + 5), w5 = _mm256_set1_epi32(seed + 6);
    __m256i a = _mm256_set1_epi32(seed * 3 + 1);
    for (uint64_t it = 0; it < iterations; ++it) {
        asm volatile("" : "+x"(a), "+x"(w0), "+x"(w1), "+x"(w2), "+x"(w3), "+x"(w4), "+x"(w5));
        c0 = _mm256_add_epi32(c0, _mm256_madd_epi16(a, w0));
        c1 = _mm256_add_epi32(c1, _mm256_madd_epi16(a, w1));
        c2 = _mm256_add_epi32(c2, _mm256_madd_epi16(a, w2));
        c3 = _mm256_add_epi32(c3, _mm256_madd_epi16(a, w3));
        c4 = _mm256_add_epi32(c4, _mm256_madd_epi16(a, w4));
        c5 = _mm256_add_epi32(c5, _mm256_madd_epi16(a, w5));
    }
    const __m256i sum6 = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(c0, c1), _mm256_add_epi32(c2, c3)), _mm256_add_epi32(c4, c5));
    alignas(32) int32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), sum6);
    int32_t sum = 0;
    for (int32_t v : lanes) sum = static_cast<int32_t>(static_cast<uint32_t>(sum) + static_cast<uint32_t>(v));
    return sum;
}
#endif

std::string PeakName(KernelKind kind) { return std::string("peak ") + (kind == KernelKind::AVX512VNNI ? "vpdpbusd zmm" : "vpmaddwd+vpaddd ymm"); }

/** Measures the peak of every SIMD kernel this CPU has (CpuHas* from kernels.h);
 *  returns kernel -> MAC/s (single thread). */
std::map<KernelKind, double> MeasurePeaks(oda::bench::Bench& b)
{
    std::map<KernelKind, double> peaks;
#if defined(__x86_64__)
    volatile int32_t sink = 0;
    const double iters = double(PEAK_ITERATIONS) * PEAK_ACCUMULATORS;
    if (CpuHasAvx512Vnni()) {
        peaks[KernelKind::AVX512VNNI] = b.Measure(PeakName(KernelKind::AVX512VNNI), iters * 64, "MAC", [&] {
            sink = PeakLoopVnni(PEAK_ITERATIONS, sink);
        }).Throughput();
    }
    if (CpuHasAvx2()) {
        peaks[KernelKind::AVX2] = b.Measure(PeakName(KernelKind::AVX2), double(PEAK_ITERATIONS) * PEAK_ACCUMULATORS_AVX2 * 16, "MAC", [&] {
            sink = PeakLoopAvx2(PEAK_ITERATIONS, sink);
        }).Throughput();
    }
    (void)sink;
#endif
    return peaks;
}

void NoteFractionOfPeak(oda::bench::Bench& b, const std::map<KernelKind, double>& peaks, const std::string& name,
                        KernelKind kind, double mac_per_second)
{
    const auto it = peaks.find(kind);
    if (it == peaks.end() || it->second <= 0) return;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * mac_per_second / it->second);
    b.Note(name + " = " + buf + " of " + PeakName(kind) + " (" + oda::bench::Si(mac_per_second) + "MAC/s of " +
           oda::bench::Si(it->second) + "MAC/s)");
}

/** CPU time (seconds) of the whole machine that was busy (not idle or waiting
 *  for I/O), from /proc/stat; negative where that file is missing. */
double MachineBusySeconds()
{
    std::FILE* f = std::fopen("/proc/stat", "r");
    if (!f) return -1;
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    const int got = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait, &irq, &softirq, &steal);
    std::fclose(f);
    if (got < 7) return -1;
    const long ticks = sysconf(_SC_CLK_TCK);
    return double(user + nice + system + irq + softirq + steal) / double(ticks > 0 ? ticks : 100);
}

double ProcessCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double WallSeconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/** Median wall time of one run at `threads` engine threads; notes how many cores
 *  other processes kept busy meanwhile (whether a core was really free). */
double MeasureWall(oda::bench::Bench& b, const std::string& name, int threads, double units, const std::string& unit,
                   const std::function<void()>& body)
{
    SetEngineThreads(threads);
    const double busy0 = MachineBusySeconds(), own0 = ProcessCpuSeconds(), wall0 = WallSeconds();
    const std::string label = name + ", " + std::to_string(threads) + " thread" + (threads > 1 ? "s" : "");
    const double wall = b.Measure(label, units, unit, body).median_wall_seconds;
    const double busy1 = MachineBusySeconds(), own1 = ProcessCpuSeconds(), wall1 = WallSeconds();
    SetEngineThreads(1);
    if (busy0 >= 0 && busy1 >= 0 && wall1 > wall0) {
        char buf[160];
        std::snprintf(buf, sizeof(buf), "%s: other processes kept %.2f of %u cores busy meanwhile", label.c_str(),
                      std::max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall1 - wall0), std::thread::hardware_concurrency());
        b.Note(buf);
    }
    return wall;
}

void NoteSpeedup(oda::bench::Bench& b, const std::string& name, double wall1, double wall2)
{
    char buf[128];
    std::snprintf(buf, sizeof(buf), "%s: 2 threads / 1 thread = %.2fx (wall %.3f ms -> %.3f ms)", name.c_str(),
                  wall2 > 0 ? wall1 / wall2 : 0.0, wall1 * 1e3, wall2 * 1e3);
    b.Note(buf);
}

void MeasureEngine(oda::bench::Bench& b, const std::map<KernelKind, double>& peaks, const std::string& prefix, const Model& m,
                   const Dataset& d, double macs)
{
    // The fastest kernel first (what AUTO picks), then the slower ones this CPU has.
    std::vector<KernelKind> kernels{ResolveKernel(KernelKind::AUTO)};
    if (kernels[0] == KernelKind::AVX512VNNI) kernels.push_back(KernelKind::AVX2);
    if (kernels[0] != KernelKind::SCALAR) kernels.push_back(KernelKind::SCALAR);
    for (KernelKind kind : kernels) {
        const CompiledModel compiled(m, kind);
        volatile int64_t sink = 0;
        const std::string name = prefix + " int8 engine (" + KernelName(compiled.Kernel()) + ")";
        const double rate = b.Measure(name, macs, "MAC", [&] { sink = compiled.Score(d); }).Throughput();
        NoteFractionOfPeak(b, peaks, name, compiled.Kernel(), rate);
        (void)sink;
    }
}

constexpr int64_t BATCH = 256;

void BenchMlp(oda::bench::Bench& b)
{
    SetEngineThreads(1);
    at::set_num_threads(1);
    c10::InferenceMode guard;
    const std::map<KernelKind, double> peaks = MeasurePeaks(b);
    Architecture arch;
    arch.input_shape = {784};
    arch.layers = {MakeLayer(LayerKind::DENSE, 256), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::DENSE, 10)};
    arch.logits_output = true;
    const Model m = MakeModel(arch);
    const Dataset d = MakeDataset(m, BATCH);
    const double macs = double(MacsPerSample(m)) * BATCH;
    b.Note("MLP 784-256-10, batch " + std::to_string(BATCH) + ", " + std::to_string(MacsPerSample(m)) + " MAC/sample, 1 thread");
    MeasureEngine(b, peaks, "mlp", m, d, macs);

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
    b.Note("scoring 10000 samples = " + std::to_string(ScoringCost(m.info, 10000)) + " CU");
    const Measurement& score = b.Measure("mlp score 10000 samples (engine)", double(ScoringCost(m.info, 10000)), "CU",
                                         [&] { sink = fast.Score(big); });
    NoteFractionOfPeak(b, peaks, "mlp score 10000 samples", fast.Kernel(), double(MacsPerSample(m)) * 10000 / score.median_seconds);

    (void)sink;
}

void BenchCnn(oda::bench::Bench& b)
{
    SetEngineThreads(1);
    at::set_num_threads(1);
    c10::InferenceMode guard;
    const std::map<KernelKind, double> peaks = MeasurePeaks(b);
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
    MeasureEngine(b, peaks, "cnn", m, d, macs);

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

/** Multi-core: the same work at 1 and 2 engine threads (same bits, see engine.h),
 *  wall time (CPU time adds the threads up): the 10,000-sample MLP scoring, a batch
 *  of 200 single MLP inferences in one Run, the 1,000-sample CNN scoring. */
void BenchThreads(oda::bench::Bench& b)
{
    SetEngineThreads(1);
    at::set_num_threads(1);
    Architecture mlp;
    mlp.input_shape = {784};
    mlp.layers = {MakeLayer(LayerKind::DENSE, 256), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::DENSE, 10)};
    mlp.logits_output = true;
    Architecture cnn;
    cnn.input_shape = {1, 28, 28};
    cnn.layers = {MakeLayer(LayerKind::CONV2D, 16, 3, 1, 1), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::MAXPOOL2D, 0, 2, 2),
                  MakeLayer(LayerKind::CONV2D, 32, 3, 1, 1), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::MAXPOOL2D, 0, 2, 2),
                  MakeLayer(LayerKind::FLATTEN), MakeLayer(LayerKind::DENSE, 10)};
    cnn.logits_output = true;
    volatile int64_t sink = 0;
    volatile size_t outputs = 0;
    {
        const Model m = MakeModel(mlp);
        const CompiledModel fast(m);
        b.Note(std::string("kernel ") + KernelName(fast.Kernel()));
        const Dataset big = MakeDataset(m, 10000);
        const double big_macs = double(MacsPerSample(m)) * 10000;
        const double s1 = MeasureWall(b, "mlp score 10000 samples", 1, big_macs, "MAC", [&] { sink = fast.Score(big); });
        const double s2 = MeasureWall(b, "mlp score 10000 samples", 2, big_macs, "MAC", [&] { sink = fast.Score(big); });
        NoteSpeedup(b, "mlp score 10000 samples", s1, s2);
        const Dataset batch = MakeDataset(m, 200);
        const double r1 = MeasureWall(b, "mlp batch of 200 inferences (Run)", 1, double(MacsPerSample(m)) * 200, "MAC",
                                      [&] { outputs = fast.Run(batch.inputs.data(), 200).size(); });
        const double r2 = MeasureWall(b, "mlp batch of 200 inferences (Run)", 2, double(MacsPerSample(m)) * 200, "MAC",
                                      [&] { outputs = fast.Run(batch.inputs.data(), 200).size(); });
        NoteSpeedup(b, "mlp batch of 200 inferences", r1, r2);
    }
    {
        const Model m = MakeModel(cnn);
        const CompiledModel fast(m);
        const Dataset big = MakeDataset(m, 1000);
        const double big_macs = double(MacsPerSample(m)) * 1000;
        const double s1 = MeasureWall(b, "cnn score 1000 samples", 1, big_macs, "MAC", [&] { sink = fast.Score(big); });
        const double s2 = MeasureWall(b, "cnn score 1000 samples", 2, big_macs, "MAC", [&] { sink = fast.Score(big); });
        NoteSpeedup(b, "cnn score 1000 samples", s1, s2);
    }
    (void)sink;
    (void)outputs;
}

/** Where the CNN's time goes: each conv layer's stages (padding the input, packing
 *  the tap rows into the kernel's layout, the kernel with its requantization
 *  epilogue, and copying the kernel's grid to the [C][H][W] output) run alone
 *  through the conv.h API on the geometry of the benchmark CNN, 64 samples, for
 *  every kernel this CPU has; the rest of a Score (pooling, dense) is the
 *  difference to the full run. */
void BenchCnnBreakdown(oda::bench::Bench& b)
{
    SetEngineThreads(1);
    at::set_num_threads(1);
    const size_t batch = 64;
    struct ConvCase {
        std::string name;
        ConvGeometry g;
        size_t n;
    };
    const std::vector<ConvCase> cases{{"conv1 1->16 3x3 on 28x28", {1, 28, 28, 3, 3, 1, 1, 1, 1, 28, 28}, 16},
                                      {"conv2 16->32 3x3 on 14x14", {16, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14}, 32}};
    std::vector<KernelKind> kernels{ResolveKernel(KernelKind::AUTO)};
    if (kernels[0] == KernelKind::AVX512VNNI) kernels.push_back(KernelKind::AVX2);
    Lcg rng{3};
    volatile int32_t sink = 0;
    for (const ConvCase& cc : cases) {
        const ConvGeometry& g = cc.g;
        const size_t k = g.channels * g.kernel_h * g.kernel_w, positions = g.out_h * g.out_w;
        const size_t in_elems = g.channels * g.height * g.width;
        std::vector<int8_t> w(cc.n * k), x(batch * in_elems), out(batch * cc.n * positions);
        for (auto& v : w) v = static_cast<int8_t>(rng.Range(-40, 40));
        for (auto& v : x) v = static_cast<int8_t>(rng.Range(-128, 127));
        const std::vector<int32_t> bias(cc.n, 7);
        ChannelRequant rq;
        rq.multiplier = 1518500250;
        rq.right_shift = 9;
        rq.zero_point = -128;
        const std::vector<ChannelRequant> requant(cc.n, rq);
        const double macs = double(k) * cc.n * positions * batch;
        for (KernelKind kind : kernels) {
            const ConvLayer l = PrepareConv(g, cc.n, w.data(), bias.data(), -128, requant.data(), true, kind);
            const std::string name = cc.name + " (" + KernelName(l.kind) + ")";
            b.Note(name + ": k = " + std::to_string(k) + " in steps of " + std::to_string(l.group) + ", " + std::to_string(positions) +
                   " positions on a grid of " + std::to_string(l.grid) + " (" + std::to_string(l.blocks) + " blocks of " +
                   std::to_string(CONV_BLOCK) + ")");
            ConvScratch s;
            ConvForward(l, x.data(), out.data(), nullptr, s);  // sizes the scratch
            b.Measure(name + " pad input", macs, "MAC", [&] {
                for (size_t i = 0; i < batch; ++i) ConvPadInput(l, x.data() + i * in_elems, s);
                sink = s.padded[5];
            });
            b.Measure(name + " pack taps", macs, "MAC", [&] {
                for (size_t i = 0; i < batch; ++i) {
                    for (size_t b0 = 0; b0 < l.blocks; b0 += l.chunk_blocks) ConvPackBlocks(l, b0, std::min(l.blocks, b0 + l.chunk_blocks), s);
                }
                sink = s.packed[3];
            });
            b.Measure(name + " kernel + requantize", macs, "MAC", [&] {
                for (size_t i = 0; i < batch; ++i) {
                    for (size_t b0 = 0; b0 < l.blocks; b0 += l.chunk_blocks) ConvMultiplyBlocks(l, b0, std::min(l.blocks, b0 + l.chunk_blocks), s);
                }
                sink = s.grid_q[1];
            });
            b.Measure(name + " grid to output", macs, "MAC", [&] {
                for (size_t i = 0; i < batch; ++i) ConvGridToOutput(l, s, out.data() + i * cc.n * positions, nullptr);
                sink = out[1];
            });
            b.Measure(name + " whole layer", macs, "MAC", [&] {
                for (size_t i = 0; i < batch; ++i) ConvForward(l, x.data() + i * in_elems, out.data() + i * cc.n * positions, nullptr, s);
                sink = out[2];
            });
        }
    }
    (void)sink;
}

/** One Score of a fixed 64-sample CNN batch and a fixed 256-sample MLP batch per
 *  kernel, no repetition: for instruction counts (valgrind --tool=callgrind
 *  --toggle-collect='oda::engine::CompiledModel::Score*'), which do not depend on
 *  the machine's load. */
void BenchFixedBatches(oda::bench::Bench& b)
{
    SetEngineThreads(1);
    at::set_num_threads(1);
    Architecture cnn;
    cnn.input_shape = {1, 28, 28};
    cnn.layers = {MakeLayer(LayerKind::CONV2D, 16, 3, 1, 1), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::MAXPOOL2D, 0, 2, 2),
                  MakeLayer(LayerKind::CONV2D, 32, 3, 1, 1), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::MAXPOOL2D, 0, 2, 2),
                  MakeLayer(LayerKind::FLATTEN), MakeLayer(LayerKind::DENSE, 10)};
    cnn.logits_output = true;
    Architecture mlp;
    mlp.input_shape = {784};
    mlp.layers = {MakeLayer(LayerKind::DENSE, 256), MakeLayer(LayerKind::RELU), MakeLayer(LayerKind::DENSE, 10)};
    mlp.logits_output = true;
    for (const auto& [name, arch, samples] : {std::make_tuple("cnn", cnn, 64), std::make_tuple("mlp", mlp, 256)}) {
        const Model m = MakeModel(arch);
        const Dataset d = MakeDataset(m, samples);
        for (KernelKind kind : {KernelKind::AUTO, KernelKind::AVX2, KernelKind::SCALAR}) {
            const CompiledModel compiled(m, kind);
            b.Note(std::string(name) + " " + KernelName(compiled.Kernel()) + ": score of " + std::to_string(samples) +
                   " samples = " + std::to_string(compiled.Score(d)));
        }
    }
}
} // namespace

ODA_BENCHMARK(engine_mlp, BenchMlp);
ODA_BENCHMARK(engine_cnn_breakdown, BenchCnnBreakdown);
ODA_BENCHMARK(engine_cnn, BenchCnn);
ODA_BENCHMARK(engine_fixed_batches, BenchFixedBatches);
ODA_BENCHMARK(engine_threads, BenchThreads);
