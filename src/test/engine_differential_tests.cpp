// The consensus engine against the reference interpreter: thousands of random
// architectures, weights and inputs (extremes included), every matrix kernel,
// and 1, 2 and 3 engine threads. Any difference in any bit fails.
#include <oda/engine/engine.h>
#include <oda/engine/kernels.h>
#include <oda/engine/reference.h>
#include <oda/model/arithmetic.h>
#include <test/util/model_builders.h>
#include <test/util/random_model.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <thread>

using namespace oda::model;
using namespace oda::engine;
using oda::test::TestRng;

namespace {
/** Restores the engine thread count when a test ends. */
struct ThreadCountGuard {
    int saved{GetEngineThreads()};
    ~ThreadCountGuard() { SetEngineThreads(saved); }
};

std::string Describe(const Model& m) { return ArchitectureToJson(m.architecture); }
} // namespace

BOOST_AUTO_TEST_SUITE(engine_differential_tests)

BOOST_AUTO_TEST_CASE(kernels_match_the_definition)
{
    // Every kernel this CPU has (the others resolve to a fallback and are tested as that).
    TestRng rng(7);
    for (int iter = 0; iter < 300; ++iter) {
        const size_t n = rng.Range(1, 40), k = rng.Range(1, 70), rows = rng.Range(1, 19);
        const bool extreme = rng.Chance(50);
        std::vector<int8_t> w(n * k), x(rows * k);
        for (auto& v : w) v = rng.Int8(extreme);
        for (auto& v : x) v = rng.Int8(extreme);
        const int8_t zp = rng.Int8(extreme);
        const int64_t bound = 2147483647LL - int64_t(k) * 255 * 128;
        std::vector<int32_t> bias(n);
        for (auto& b : bias) b = static_cast<int32_t>(rng.Chance(20) ? (rng.Chance(50) ? bound : -bound) : rng.Range(-100000, 100000));
        for (KernelKind kind : {KernelKind::SCALAR, KernelKind::AVX2, KernelKind::AVX512VNNI}) {
            const PackedWeights packed = PackWeights(w.data(), n, k, kind);
            BOOST_REQUIRE(packed.kind == ResolveKernel(kind));
            const size_t lda = packed.k_padded + 4 * rng.Range(0, 2);
            std::vector<uint8_t> a(rows * lda, 0xAA);
            ToKernelRows(x.data(), rows, k, a.data(), lda);
            const std::vector<int32_t> offset = OffsetBiases(packed, bias.data(), zp);
            std::vector<int32_t> c(rows * n);
            MatMulBias(a.data(), rows, lda, packed, offset.data(), c.data(), n);
            for (size_t m = 0; m < rows; ++m) {
                for (size_t j = 0; j < n; ++j) {
                    int32_t expect = bias[j];
                    for (size_t i = 0; i < k; ++i) expect += (int32_t{x[m * k + i]} - zp) * w[j * k + i];
                    BOOST_REQUIRE_MESSAGE(c[m * n + j] == expect, KernelName(packed.kind) << " row " << m << " col " << j);
                }
            }
        }
    }
    BOOST_TEST_MESSAGE("kernels: avx2 " << CpuHasAvx2() << ", avx512vnni " << CpuHasAvx512Vnni());
}

BOOST_AUTO_TEST_CASE(dense_layers_match_the_definition)
{
    // DenseForward (conversion, register tiles of every height and width, the
    // requantization epilogue with its masked or partial stores) against the
    // definition, with every kernel: sample counts across the conversion chunk
    // and every tile remainder, column counts around the 16-column panels and the
    // 32-column tiles, fan-ins around the 16-byte conversion steps, extreme
    // weights, inputs, biases and requantization constants, fused ReLU, logits.
    TestRng rng(2026120302);
    size_t checked = 0;
    for (int iter = 0; iter < 400; ++iter) {
        const size_t n = static_cast<size_t>(rng.Chance(30) ? rng.Range(1, 70) : 16 * rng.Range(1, 4) + rng.Range(-1, 1));
        const size_t k = static_cast<size_t>(rng.Chance(30) ? rng.Range(1, 300) : 16 * rng.Range(1, 12) + rng.Range(-1, 1));
        const size_t rows = static_cast<size_t>(rng.Chance(50) ? rng.Range(1, 20) : rng.Range(40, 110));
        const bool extreme = rng.Chance(50), logits = rng.Chance(25), relu = !logits && rng.Chance(50);
        std::vector<int8_t> w(n * k), x(rows * k);
        for (auto& v : w) v = rng.Int8(extreme);
        for (auto& v : x) v = rng.Int8(extreme);
        const int8_t zp = rng.Int8(extreme);
        const int64_t bound = 2147483647LL - int64_t(k) * 255 * 128;
        std::vector<int32_t> bias(n);
        for (auto& b : bias) b = static_cast<int32_t>(rng.Chance(20) ? (rng.Chance(50) ? bound : -bound) : rng.Range(-100000, 100000));
        std::vector<ChannelRequant> requant(n);
        std::vector<std::tuple<int32_t, int, int8_t>> params(n);
        const bool per_channel = rng.Chance(50);
        for (size_t j = 0; j < n; ++j) {
            if (j > 0 && !per_channel) {
                requant[j] = requant[0];
                params[j] = params[0];
                continue;
            }
            const int32_t mult = static_cast<int32_t>(rng.Chance(20) ? (rng.Chance(50) ? 2147483647 : 0) : rng.Range(1 << 30, 2147483647));
            const int shift = static_cast<int>(rng.Chance(10) ? rng.Range(-128, 127) : rng.Range(-20, 2));
            const int8_t out_zp = rng.Int8(extreme);
            requant[j].multiplier = mult;
            requant[j].left_shift = std::clamp(shift, 0, 32);
            requant[j].right_shift = std::clamp(-shift, 0, 40);
            requant[j].zero_point = out_zp;
            params[j] = {mult, shift, out_zp};
        }
        for (KernelKind kind : {KernelKind::SCALAR, KernelKind::AVX2, KernelKind::AVX512VNNI}) {
            const DenseKernel d = PrepareDense(w.data(), n, k, bias.data(), zp, logits ? nullptr : requant.data(), relu, kind);
            BOOST_REQUIRE(d.packed.kind == ResolveKernel(kind));
            DenseScratch scratch;
            std::vector<int8_t> y(rows * n + 1, 77);
            std::vector<int32_t> c(rows * n + 1, 77);
            DenseForward(d, x.data(), rows, logits ? nullptr : y.data(), logits ? c.data() : nullptr, scratch);
            // Nothing past the outputs is written.
            BOOST_REQUIRE_EQUAL(y.back(), 77);
            BOOST_REQUIRE_EQUAL(c.back(), 77);
            for (size_t m = 0; m < rows; ++m) {
                for (size_t j = 0; j < n; ++j) {
                    int32_t acc = bias[j];
                    for (size_t i = 0; i < k; ++i) acc += (int32_t{x[m * k + i]} - zp) * w[j * k + i];
                    if (logits) {
                        BOOST_REQUIRE_MESSAGE(c[m * n + j] == acc, KernelName(d.packed.kind) << " logits row " << m << " col " << j);
                        continue;
                    }
                    const auto& [mult, shift, out_zp] = params[j];
                    int8_t q = Requantize(acc, mult, shift, out_zp);
                    if (relu) q = std::max(q, out_zp);
                    BOOST_REQUIRE_MESSAGE(y[m * n + j] == q, KernelName(d.packed.kind) << " row " << m << " col " << j << " of " << rows << "x"
                                                                                        << n << ", k " << k << ", acc " << acc);
                }
            }
            checked += rows * n;
        }
    }
    BOOST_TEST_MESSAGE("dense: checked " << checked << " outputs");
}

BOOST_AUTO_TEST_CASE(random_models_bit_identical)
{
    ThreadCountGuard guard;
    TestRng rng(20261122);
    size_t checked_outputs = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        const Architecture arch = oda::test::RandomArchitecture(rng);
        const Weights weights = oda::test::RandomWeights(arch, rng);
        const Model m = oda::test::MustMakeModel(arch, weights);
        const uint64_t samples = rng.Range(1, 6);
        const Dataset d = oda::test::RandomDataset(m, samples, rng);
        std::string error;
        BOOST_REQUIRE_MESSAGE(CheckDataset(arch, m.info, d, error), error);

        const KernelKind kernels[] = {KernelKind::AUTO, KernelKind::SCALAR, KernelKind::AVX2};
        const KernelKind kernel = kernels[iter % 3];
        SetEngineThreads(iter % 5 == 0 ? 2 : 1);
        const CompiledModel compiled(m, kernel);
        const std::vector<ModelOutput> outs = compiled.Run(d.inputs.data(), samples);
        BOOST_REQUIRE_EQUAL(outs.size(), samples);
        const uint64_t in_elems = ShapeElements(arch.input_shape);
        for (uint64_t s = 0; s < samples; ++s) {
            const ModelOutput ref = ReferenceRun(m, d.inputs.data() + s * in_elems);
            BOOST_REQUIRE_MESSAGE(outs[s] == ref, "engine != reference for " << Describe(m) << " sample " << s);
            checked_outputs += ref.values.size();
        }
        BOOST_REQUIRE_EQUAL(compiled.Score(d), ReferenceScore(m, d));
    }
    BOOST_TEST_MESSAGE("compared " << checked_outputs << " output values");
}

BOOST_AUTO_TEST_CASE(larger_models_scores_and_threads)
{
    ThreadCountGuard guard;
    TestRng rng(99);
    using oda::test::Conv;
    using oda::test::Dense;
    using oda::test::Pool;
    using oda::test::Simple;
    Architecture mlp;
    mlp.input_shape = {784};
    mlp.layers = {Dense(64, true), Simple(LayerKind::RELU), Dense(10)};
    Architecture cnn;
    cnn.input_shape = {1, 28, 28};
    cnn.layers = {Conv(8, 3, 1, 1, true), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2),
                  Conv(16, 3, 2, 1), Pool(LayerKind::AVGPOOL2D, 2, 2), Simple(LayerKind::FLATTEN), Dense(10)};
    cnn.logits_output = true;
    for (const Architecture& arch : {mlp, cnn}) {
        Weights w = oda::test::RandomWeights(arch, rng);
        // Realistic requantization so the activations do not all saturate.
        for (LayerParams& p : w.layers) {
            for (auto& m : p.multipliers) m = static_cast<int32_t>(rng.Range(1 << 30, 2147483647));
            for (auto& s : p.shifts) s = static_cast<int8_t>(rng.Range(-10, -6));
            for (auto& b : p.biases) b = static_cast<int32_t>(rng.Range(-3000, 3000));
        }
        const Model m = oda::test::MustMakeModel(arch, w);
        const Dataset d = oda::test::RandomDataset(m, 600, rng);  // more than one batch
        const int64_t ref = ReferenceScore(m, d);
        for (int threads : {1, 2, 3}) {
            SetEngineThreads(threads);
            for (KernelKind kernel : {KernelKind::AVX512VNNI, KernelKind::AVX2, KernelKind::SCALAR}) {
                const CompiledModel compiled(m, kernel);
                BOOST_CHECK_EQUAL(compiled.Score(d), ref);
            }
        }
        SetEngineThreads(1);
        const auto one = CompiledModel(m).Run(d.inputs.data(), 40);
        SetEngineThreads(2);
        const auto two = CompiledModel(m).Run(d.inputs.data(), 40);
        BOOST_CHECK(one == two);
        BOOST_CHECK(one[3] == ReferenceRun(m, d.inputs.data() + 3 * ShapeElements(arch.input_shape)));
        BOOST_CHECK(EngineRun(m, d.inputs.data()) == one[0]);
        BOOST_CHECK_EQUAL(EngineScore(m, d), ref);
        Dataset bad = d;
        bad.labels[5] = 10;  // the model has 10 outputs
        BOOST_CHECK_THROW(CompiledModel(m).Score(bad), std::invalid_argument);
    }
}

BOOST_AUTO_TEST_CASE(accumulators_at_the_int32_limit)
{
    // Fan-in 65536: |products| <= 65536 * 255 * 128 = 2139095040, so the largest
    // allowed |bias| is 8388607 and the accumulator reaches -(2^31 - 1) exactly.
    ThreadCountGuard guard;
    SetEngineThreads(1);
    using oda::test::Dense;
    Architecture arch;
    arch.input_shape = {65536};
    arch.layers = {Dense(3)};
    arch.logits_output = true;
    for (int8_t zp : {int8_t{-128}, int8_t{127}}) {
        Weights w = oda::test::UniformWeights(arch);
        w.input_zero_point = zp;
        w.layers[0].weights.assign(3 * 65536, -128);
        for (size_t i = 65536; i < 2 * 65536; ++i) w.layers[0].weights[i] = 127;
        for (size_t i = 2 * 65536; i < 3 * 65536; ++i) w.layers[0].weights[i] = static_cast<int8_t>(i % 2 ? 127 : -128);
        const int32_t bound = 2147483647 - 65536 * 255 * 128;
        BOOST_CHECK_EQUAL(bound, 8388607);
        w.layers[0].biases = {zp < 0 ? -bound : bound, zp < 0 ? bound : -bound, bound};
        const Model m = oda::test::MustMakeModel(arch, w);
        // zp = -128: x = 127 gives deltas of +255; zp = 127: x = -128 gives -255.
        const std::vector<int8_t> input(65536, zp < 0 ? int8_t{127} : int8_t{-128});
        const ModelOutput ref = ReferenceRun(m, input.data());
        const int32_t delta = zp < 0 ? 255 : -255;
        BOOST_CHECK_EQUAL(ref.values[0], int64_t{delta} * -128 * 65536 + (zp < 0 ? -bound : bound));
        BOOST_CHECK_EQUAL(std::abs(int64_t{ref.values[0]}), 2147483647);
        BOOST_CHECK_EQUAL(std::abs(int64_t{ref.values[1]}), int64_t{255} * 127 * 65536 + bound);
        for (KernelKind kernel : {KernelKind::AVX512VNNI, KernelKind::AVX2, KernelKind::SCALAR}) {
            BOOST_CHECK(CompiledModel(m, kernel).RunOne(input.data()) == ref);
        }
    }
}

BOOST_AUTO_TEST_CASE(thread_counts_bit_identical)
{
    // Scoring and batched inference split samples over the engine's pool: at 1, 2
    // and 3 threads, with every kernel, the outputs and scores must equal the
    // reference and the single-thread engine exactly. Sample counts that do not
    // divide evenly, fewer samples than tasks, and several batches are included.
    ThreadCountGuard guard;
    TestRng rng(31337);
    size_t compared = 0;
    for (int iter = 0; iter < 60; ++iter) {
        const Architecture arch = oda::test::RandomArchitecture(rng);
        const Weights weights = oda::test::RandomWeights(arch, rng);
        const Model m = oda::test::MustMakeModel(arch, weights);
        const uint64_t samples = iter % 4 == 0 ? rng.Range(1, 3) : rng.Range(4, 90);
        const Dataset d = oda::test::RandomDataset(m, samples, rng);
        const int64_t ref_score = ReferenceScore(m, d);
        const uint64_t in_elems = ShapeElements(arch.input_shape);
        std::vector<ModelOutput> ref;
        for (uint64_t s = 0; s < samples; ++s) ref.push_back(ReferenceRun(m, d.inputs.data() + s * in_elems));
        for (KernelKind kernel : {KernelKind::AVX512VNNI, KernelKind::AVX2, KernelKind::SCALAR}) {
            const CompiledModel compiled(m, kernel);
            SetEngineThreads(1);
            const std::vector<ModelOutput> one = compiled.Run(d.inputs.data(), samples);
            const int64_t one_score = compiled.Score(d);
            BOOST_REQUIRE_EQUAL(one_score, ref_score);
            for (int threads : {2, 3}) {
                SetEngineThreads(threads);
                BOOST_REQUIRE_EQUAL(GetEngineThreads(), threads);
                const std::vector<ModelOutput> outs = compiled.Run(d.inputs.data(), samples);
                BOOST_REQUIRE_EQUAL(outs.size(), samples);
                for (uint64_t s = 0; s < samples; ++s) {
                    BOOST_REQUIRE_MESSAGE(outs[s] == ref[s], KernelName(compiled.Kernel()) << " " << threads << " threads, sample " << s
                                                              << " of " << Describe(m));
                    BOOST_REQUIRE(outs[s] == one[s]);
                    compared += ref[s].values.size();
                }
                BOOST_REQUIRE_EQUAL(compiled.Score(d), one_score);
            }
        }
    }
    BOOST_TEST_MESSAGE("compared " << compared << " output values across thread counts");
}

BOOST_AUTO_TEST_CASE(thread_counts_bit_identical_on_many_samples)
{
    // The guided task split (large tasks first, tile-sized ones last), the register
    // tiles' row remainders inside each task and the per-thread workspaces reused
    // across tasks and models: sample counts around the tile heights (6, 8), the
    // conversion chunk (48) and the batch (256), Dense widths around the panels,
    // extreme weights and inputs, a CNN, at 1, 2, 3 and 8 threads (more threads
    // than cores), with every kernel: outputs equal the reference, scores equal.
    ThreadCountGuard guard;
    TestRng rng(2026120303);
    using oda::test::Conv;
    using oda::test::Dense;
    using oda::test::Pool;
    using oda::test::Simple;
    Architecture mlp;
    mlp.input_shape = {61};
    mlp.layers = {Dense(33, true), Simple(LayerKind::RELU), Dense(16), Simple(LayerKind::RELU), Dense(10)};
    mlp.logits_output = true;
    Architecture narrow;
    narrow.input_shape = {16};
    narrow.layers = {Dense(17), Dense(31, true), Simple(LayerKind::RELU)};
    Architecture cnn;
    cnn.input_shape = {1, 12, 12};
    cnn.layers = {Conv(4, 3, 1, 1), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2), Simple(LayerKind::FLATTEN), Dense(10)};
    cnn.logits_output = true;
    size_t compared = 0;
    for (const Architecture& arch : {mlp, narrow, cnn}) {
        Weights w = oda::test::RandomWeights(arch, rng);
        for (LayerParams& p : w.layers) {
            for (auto& v : p.weights) v = rng.Int8(true);
            for (auto& m : p.multipliers) m = static_cast<int32_t>(rng.Range(1 << 30, 2147483647));
            for (auto& sh : p.shifts) sh = static_cast<int8_t>(rng.Range(-14, -8));
        }
        const Model m = oda::test::MustMakeModel(arch, w);
        const uint64_t in_elems = ShapeElements(arch.input_shape);
        for (uint64_t samples : {1, 5, 7, 8, 9, 13, 47, 48, 49, 200, 257, 513}) {
            Dataset d = oda::test::RandomDataset(m, samples, rng);
            if (rng.Chance(50)) {
                for (auto& v : d.inputs) v = rng.Int8(true);
            }
            std::vector<ModelOutput> ref;
            for (uint64_t s = 0; s < samples; ++s) ref.push_back(ReferenceRun(m, d.inputs.data() + s * in_elems));
            const int64_t ref_score = ReferenceScore(m, d);
            for (KernelKind kernel : {KernelKind::AVX512VNNI, KernelKind::AVX2, KernelKind::SCALAR}) {
                const CompiledModel compiled(m, kernel);
                for (int threads : {1, 2, 3, 8}) {
                    SetEngineThreads(threads);
                    const std::vector<ModelOutput> outs = compiled.Run(d.inputs.data(), samples);
                    BOOST_REQUIRE_MESSAGE(outs == ref, KernelName(compiled.Kernel()) << " " << threads << " threads, " << samples
                                                                                     << " samples of " << Describe(m));
                    BOOST_REQUIRE_EQUAL(compiled.Score(d), ref_score);
                    compared += samples;
                }
            }
        }
    }
    // Thread counts below 1 mean 1.
    SetEngineThreads(0);
    BOOST_CHECK_EQUAL(GetEngineThreads(), 1);
    SetEngineThreads(-3);
    BOOST_CHECK_EQUAL(GetEngineThreads(), 1);
    BOOST_TEST_MESSAGE("compared " << compared << " samples across thread counts");
}

BOOST_AUTO_TEST_CASE(concurrent_callers_share_the_pool)
{
    // Two threads scoring at once: one gets the pool, the other runs on its own
    // thread; both must return the single-thread score.
    ThreadCountGuard guard;
    TestRng rng(5);
    using oda::test::Dense;
    using oda::test::Simple;
    Architecture arch;
    arch.input_shape = {64};
    arch.layers = {Dense(32), Simple(LayerKind::RELU), Dense(10)};
    arch.logits_output = true;
    const Model m = oda::test::MustMakeModel(arch, oda::test::RandomWeights(arch, rng));
    const Dataset d = oda::test::RandomDataset(m, 700, rng);
    const int64_t ref = ReferenceScore(m, d);
    SetEngineThreads(2);
    const CompiledModel compiled(m);
    std::vector<int64_t> scores(4, 0);
    std::vector<std::thread> callers;
    for (size_t i = 0; i < scores.size(); ++i) {
        callers.emplace_back([&, i] {
            for (int r = 0; r < 5; ++r) scores[i] = compiled.Score(d) == ref ? scores[i] + 1 : -1000;
        });
    }
    for (std::thread& t : callers) t.join();
    for (int64_t s : scores) BOOST_CHECK_EQUAL(s, 5);
}

BOOST_AUTO_TEST_SUITE_END()
