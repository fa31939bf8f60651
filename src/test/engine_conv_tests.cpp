// The consensus engine's convolution, requantization and pooling paths against
// the specification, with every kernel forced: the vector requantization over the
// whole range of shifts and the int32 edges of accumulators and multipliers, and
// convolutions chosen to reach every code path of conv.cpp (1 and many input
// channels, stride 1 in place and strided gathers, odd sizes, windows that are
// mostly padding, several chunks, every channel-block width, fused ReLU, logits)
// and the 2x2 max-pool fast path. Any differing bit fails.
#include <oda/engine/conv.h>
#include <oda/engine/engine.h>
#include <oda/engine/kernels.h>
#include <oda/engine/reference.h>
#include <oda/model/arithmetic.h>
#include <test/util/model_builders.h>
#include <test/util/random_model.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <tuple>

using namespace oda::model;
using namespace oda::engine;
using oda::test::TestRng;

namespace {
const KernelKind ALL_KERNELS[] = {KernelKind::SCALAR, KernelKind::AVX2, KernelKind::AVX512VNNI};

/** Accumulators at the edges of every shift: 0, +-1, the int32 ends, +-2^e and the
 *  ties +-(2^e + 2^(e-1)) around each power of two, plus random values. */
std::vector<int32_t> EdgeAccumulators(TestRng& rng)
{
    std::vector<int32_t> v{0, 1, -1, 2, -2, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                           std::numeric_limits<int32_t>::max() - 1, std::numeric_limits<int32_t>::min() + 1};
    for (int e = 0; e < 31; ++e) {
        const int64_t p = int64_t{1} << e;
        for (int64_t x : {p, p - 1, p + 1, p + p / 2, -p, -p + 1, -p - 1, -(p + p / 2), 3 * p, -3 * p}) {
            if (x >= std::numeric_limits<int32_t>::min() && x <= std::numeric_limits<int32_t>::max()) v.push_back(static_cast<int32_t>(x));
        }
    }
    for (int i = 0; i < 40; ++i) v.push_back(static_cast<int32_t>(rng.Range(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max())));
    for (int i = 0; i < 40; ++i) v.push_back(static_cast<int32_t>(rng.Range(-5000, 5000)));
    return v;
}

std::vector<int32_t> EdgeMultipliers(TestRng& rng)
{
    return {0, 1, 2, 1 << 30, (1 << 30) + 1, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::max() - 1,
            1518500250, static_cast<int32_t>(rng.Range(0, std::numeric_limits<int32_t>::max())),
            static_cast<int32_t>(rng.Range(1 << 30, std::numeric_limits<int32_t>::max()))};
}

/** The engine's ChannelRequant for a model shift (as engine.cpp derives it). */
ChannelRequant FromModel(int32_t multiplier, int shift, int8_t zero_point)
{
    ChannelRequant r;
    r.multiplier = multiplier;
    r.left_shift = std::clamp(shift, 0, 32);
    r.right_shift = std::clamp(-shift, 0, 40);
    r.zero_point = zero_point;
    return r;
}

int8_t Expected(int32_t acc, int32_t multiplier, int shift, int8_t zp, bool relu)
{
    const int8_t q = Requantize(acc, multiplier, shift, zp);
    return relu ? std::max(q, zp) : q;
}
} // namespace

BOOST_AUTO_TEST_SUITE(engine_conv_tests)

BOOST_AUTO_TEST_CASE(vector_requantization_matches_the_specification)
{
    // Every shift -128..127, multipliers at 0, 1, 2^30 and 2^31 - 1, zero points at
    // -128 and 127, accumulators at the int32 ends and at every rounding tie; both
    // the per-column (Dense) and the per-channel (Conv2D) entry points, 1..40 lanes
    // so the vector tails run, with and without a fused ReLU.
    TestRng rng(2026120301);
    const std::vector<int32_t> accs = EdgeAccumulators(rng);
    size_t checked = 0;
    for (int shift = -128; shift <= 127; ++shift) {
        for (int32_t mult : EdgeMultipliers(rng)) {
            for (int8_t zp : {int8_t{-128}, int8_t{127}, int8_t{0}, static_cast<int8_t>(rng.Range(-128, 127))}) {
                const bool relu = rng.Chance(50);
                const size_t cols = static_cast<size_t>(rng.Range(1, 40));
                // Channel j gets this case's constants when j is even, a random case otherwise.
                std::vector<ChannelRequant> channels;
                std::vector<std::tuple<int32_t, int, int8_t>> model_params;
                for (size_t j = 0; j < cols; ++j) {
                    const int32_t m = j % 2 ? static_cast<int32_t>(rng.Range(0, std::numeric_limits<int32_t>::max())) : mult;
                    // With shift <= 0 no channel shifts left, so the vector code skips its left-shift step.
                    const int s = j % 2 ? static_cast<int>(shift <= 0 ? -rng.Range(0, 128) : rng.Range(-128, 127)) : shift;
                    const int8_t z = j % 2 ? static_cast<int8_t>(rng.Range(-128, 127)) : zp;
                    channels.push_back(FromModel(m, s, z));
                    model_params.emplace_back(m, s, z);
                }
                const RequantTable table = MakeRequantTable(channels.data(), cols, relu);
                BOOST_REQUIRE_EQUAL(table.any_left, shift > 0 || std::any_of(channels.begin(), channels.end(), [](const ChannelRequant& c) { return c.left_shift > 0; }));
                const size_t rows = (accs.size() + cols - 1) / cols;
                std::vector<int32_t> acc(rows * cols);
                for (size_t i = 0; i < acc.size(); ++i) acc[i] = accs[i % accs.size()];
                for (KernelKind kind : ALL_KERNELS) {
                    std::vector<int8_t> out(rows * cols, 55);
                    RequantizeRowsWith(kind, acc.data(), rows, cols, cols, table, out.data(), cols);
                    for (size_t i = 0; i < acc.size(); ++i) {
                        const auto& [m, s, z] = model_params[i % cols];
                        BOOST_REQUIRE_MESSAGE(out[i] == Expected(acc[i], m, s, z, relu),
                                              KernelName(ResolveKernel(kind)) << " rows: acc " << acc[i] << " M " << m << " shift " << s
                                                                             << " zp " << int{z} << " relu " << relu);
                    }
                    // One channel over a run of accumulators (the conv epilogue's constants).
                    std::vector<int8_t> one(accs.size(), 55);
                    RequantizeChannelWith(kind, accs.data(), accs.size(), table, 0, one.data());
                    for (size_t i = 0; i < accs.size(); ++i) {
                        BOOST_REQUIRE_MESSAGE(one[i] == Expected(accs[i], mult, shift, zp, relu),
                                              KernelName(ResolveKernel(kind)) << " channel: acc " << accs[i] << " M " << mult
                                                                             << " shift " << shift << " zp " << int{zp});
                    }
                    checked += acc.size() + accs.size();
                }
            }
        }
    }
    BOOST_TEST_MESSAGE("checked " << checked << " requantizations");
}

namespace {
struct ConvCase {
    Shape input;     // C, H, W
    uint32_t out, kh, kw, sh, sw, ph, pw;
};

/** Conv (and a ReLU or a pool after it, or logits) as a model, extreme parameters,
 *  compared with the reference for every kernel, on several samples. */
void CheckConvModel(const ConvCase& c, int follow, TestRng& rng, size_t& compared)
{
    Architecture arch;
    arch.input_shape = c.input;
    Layer conv = oda::test::Conv(c.out, c.kh, c.sh, c.ph, rng.Chance(50));
    conv.kernel_w = c.kw;
    conv.stride_w = c.sw;
    conv.pad_w = c.pw;
    arch.layers = {conv};
    // follow: 0 nothing, 1 ReLU (fused), 2 ReLU + MaxPool 2x2/2, 3 logits, 4 AvgPool, 5 MaxPool 3x3/1 then ReLU (not fused)
    if (follow == 1 || follow == 2) arch.layers.push_back(oda::test::Simple(LayerKind::RELU));
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE_MESSAGE(AnalyzeArchitecture(arch, info, error), error);
    const Shape out = info.output_shape;
    if (follow == 2 && out[1] >= 2 && out[2] >= 2) arch.layers.push_back(oda::test::Pool(LayerKind::MAXPOOL2D, 2, 2));
    if (follow == 4 && out[1] >= 2 && out[2] >= 2) arch.layers.push_back(oda::test::Pool(LayerKind::AVGPOOL2D, 2, 2));
    if (follow == 5 && out[1] >= 3 && out[2] >= 3) {
        arch.layers.push_back(oda::test::Pool(LayerKind::MAXPOOL2D, 3, 1));
        arch.layers.push_back(oda::test::Simple(LayerKind::RELU));
    }
    arch.logits_output = follow == 3;
    Weights w = oda::test::RandomWeights(arch, rng);
    const Model m = oda::test::MustMakeModel(arch, w);
    const uint64_t samples = 3;
    const Dataset d = oda::test::RandomDataset(m, samples, rng);
    const uint64_t in_elems = ShapeElements(arch.input_shape);
    std::vector<ModelOutput> ref;
    for (uint64_t s = 0; s < samples; ++s) ref.push_back(ReferenceRun(m, d.inputs.data() + s * in_elems));
    for (KernelKind kind : ALL_KERNELS) {
        const std::vector<ModelOutput> outs = CompiledModel(m, kind).Run(d.inputs.data(), samples);
        for (uint64_t s = 0; s < samples; ++s) {
            BOOST_REQUIRE_MESSAGE(outs[s] == ref[s], KernelName(ResolveKernel(kind)) << " sample " << s << " of " << ArchitectureToJson(arch));
            compared += ref[s].values.size();
        }
    }
}
} // namespace

BOOST_AUTO_TEST_CASE(convolutions_reach_every_path)
{
    SetEngineThreads(1);
    TestRng rng(20261203);
    size_t compared = 0;
    const std::vector<ConvCase> fixed{
        {{1, 28, 28}, 16, 3, 3, 1, 1, 1, 1},    // the benchmark's conv1: one input channel, k = 9
        {{16, 14, 14}, 32, 3, 3, 1, 1, 1, 1},   // conv2: 16 channels, k = 144
        {{1, 1, 1}, 3, 3, 3, 1, 1, 2, 2},       // 1x1 input, pad 2: every window is 8/9 padding
        {{2, 1, 7}, 5, 3, 1, 2, 1, 2, 0},       // mostly padding rows, stride 2 down
        {{3, 9, 11}, 7, 3, 5, 2, 3, 1, 4},      // odd sizes, both strides > 1 (gathered taps)
        {{1, 13, 5}, 17, 1, 1, 1, 1, 0, 0},     // 1x1 kernel, 17 channels (16 + 1)
        {{5, 6, 6}, 23, 2, 2, 1, 1, 1, 1},      // 23 = 16 + 4 + 2 + 1 and AVX2's 6 + 6 + 6 + 4 + 1
        {{64, 20, 20}, 9, 3, 3, 1, 1, 1, 1},    // k = 576: several chunks of blocks
        {{40, 11, 9}, 3, 3, 3, 2, 2, 1, 1},     // strided with several chunks
        {{1, 40, 37}, 4, 3, 3, 1, 1, 1, 1},     // wide rows: the 2x2 max-pool fast path (8 outputs at a time), 18 = 8 + 8 + an overlapping 8
        {{2, 16, 32}, 3, 3, 3, 1, 1, 1, 1},     // pooled rows of exactly 16 outputs (two chunks of 8)
        {{1, 16, 16}, 2, 3, 3, 1, 1, 1, 1},     // pooled rows of exactly 8 outputs
    };
    for (const ConvCase& c : fixed) {
        for (int follow = 0; follow <= 5; ++follow) CheckConvModel(c, follow, rng, compared);
    }
    for (int iter = 0; iter < 150; ++iter) {
        ConvCase c;
        c.input = {static_cast<uint32_t>(rng.Chance(30) ? 1 : rng.Range(1, 20)), static_cast<uint32_t>(rng.Range(1, 24)),
                   static_cast<uint32_t>(rng.Range(1, 40))};
        c.out = static_cast<uint32_t>(rng.Range(1, 40));
        c.kh = static_cast<uint32_t>(rng.Range(1, std::min<int64_t>(5, c.input[1] + 2)));
        c.kw = static_cast<uint32_t>(rng.Range(1, std::min<int64_t>(5, c.input[2] + 2)));
        c.ph = static_cast<uint32_t>(rng.Range(0, c.kh - 1));
        c.pw = static_cast<uint32_t>(rng.Range(0, c.kw - 1));
        if (c.kh > c.input[1] + 2 * c.ph) c.kh = c.input[1] + 2 * c.ph;
        if (c.kw > c.input[2] + 2 * c.pw) c.kw = c.input[2] + 2 * c.pw;
        if (c.ph >= c.kh) c.ph = c.kh - 1;
        if (c.pw >= c.kw) c.pw = c.kw - 1;
        c.sh = static_cast<uint32_t>(rng.Chance(50) ? 1 : rng.Range(2, 3));
        c.sw = static_cast<uint32_t>(rng.Chance(50) ? 1 : rng.Range(2, 3));
        CheckConvModel(c, static_cast<int>(rng.Range(0, 5)), rng, compared);
    }
    BOOST_TEST_MESSAGE("compared " << compared << " outputs");
}

BOOST_AUTO_TEST_CASE(dense_widths_and_fused_relu)
{
    // Dense requantizes with per-column vector constants: widths around the 8- and
    // 16-lane registers, per-channel constants, with and without the fused ReLU.
    SetEngineThreads(1);
    TestRng rng(4242);
    for (uint32_t n : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 33u, 64u}) {
        for (bool relu : {false, true}) {
            Architecture arch;
            arch.input_shape = {50};
            arch.layers = {oda::test::Dense(n, true)};
            if (relu) arch.layers.push_back(oda::test::Simple(LayerKind::RELU));
            arch.layers.push_back(oda::test::Dense(5));
            const Model m = oda::test::MustMakeModel(arch, oda::test::RandomWeights(arch, rng));
            const Dataset d = oda::test::RandomDataset(m, 40, rng);  // more than one block of 32 rows
            for (KernelKind kind : ALL_KERNELS) {
                const std::vector<ModelOutput> outs = CompiledModel(m, kind).Run(d.inputs.data(), 40);
                for (size_t s = 0; s < 40; ++s) BOOST_REQUIRE(outs[s] == ReferenceRun(m, d.inputs.data() + s * 50));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(conv_accumulators_at_the_int32_limit)
{
    // Fan-in 16 * 3 * 3 = 144 with all weights -128 or 127, inputs at the far end
    // from the zero point and the bias at the overflow bound: the accumulators reach
    // +-(2^31 - 1) exactly, and logits expose them unrequantized.
    SetEngineThreads(1);
    Architecture arch;
    arch.input_shape = {16, 5, 5};
    arch.layers = {oda::test::Conv(3, 3, 1, 0)};
    arch.logits_output = true;
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE(AnalyzeArchitecture(arch, info, error));
    const int64_t fan_in = 144;
    for (int8_t zp : {int8_t{-128}, int8_t{127}}) {
        Weights w = oda::test::UniformWeights(arch);
        w.input_zero_point = zp;
        w.layers[0].weights.assign(3 * fan_in, -128);
        for (int64_t i = fan_in; i < 2 * fan_in; ++i) w.layers[0].weights[i] = 127;
        const int32_t bound = static_cast<int32_t>(2147483647LL - fan_in * 255 * 128);
        w.layers[0].biases = {zp < 0 ? -bound : bound, zp < 0 ? bound : -bound, 0};
        const Model m = oda::test::MustMakeModel(arch, w);
        const std::vector<int8_t> input(16 * 5 * 5, zp < 0 ? int8_t{127} : int8_t{-128});
        const ModelOutput ref = ReferenceRun(m, input.data());
        BOOST_CHECK_EQUAL(std::abs(int64_t{ref.values[0]}), 255LL * 128 * fan_in + bound);
        for (KernelKind kind : ALL_KERNELS) BOOST_CHECK(CompiledModel(m, kind).RunOne(input.data()) == ref);
    }
}

BOOST_AUTO_TEST_CASE(conv_stages_match_the_whole_layer)
{
    // The staged API (pad, pack per chunk, multiply per chunk, copy) that the
    // benchmark times gives what ConvForward gives, and a ConvScratch reused across
    // layers of different shapes keeps giving the right bits.
    TestRng rng(77);
    ConvScratch shared;
    for (int iter = 0; iter < 30; ++iter) {
        const size_t C = static_cast<size_t>(rng.Range(1, 12)), H = static_cast<size_t>(rng.Range(3, 15)), W = static_cast<size_t>(rng.Range(3, 15));
        const size_t k = static_cast<size_t>(rng.Range(1, 3)), stride = static_cast<size_t>(rng.Range(1, 2)), pad = k > 1 ? 1 : 0;
        const ConvGeometry g{C, H, W, k, k, stride, stride, pad, pad, (H + 2 * pad - k) / stride + 1, (W + 2 * pad - k) / stride + 1};
        const size_t n = static_cast<size_t>(rng.Range(1, 20));
        std::vector<int8_t> w(n * C * k * k), x(C * H * W);
        for (auto& v : w) v = rng.Int8(true);
        for (auto& v : x) v = rng.Int8(true);
        std::vector<int32_t> bias(n);
        for (auto& b : bias) b = static_cast<int32_t>(rng.Range(-1000, 1000));
        std::vector<ChannelRequant> rq;
        for (size_t j = 0; j < n; ++j) rq.push_back(FromModel(static_cast<int32_t>(rng.Range(1 << 30, 2147483647)), static_cast<int>(rng.Range(-12, 2)), rng.Int8(true)));
        const int8_t zp = rng.Int8(true);
        for (KernelKind kind : ALL_KERNELS) {
            const ConvLayer l = PrepareConv(g, n, w.data(), bias.data(), zp, rq.data(), rng.Chance(50), kind);
            std::vector<int8_t> whole(n * g.out_h * g.out_w), staged(whole.size(), 99);
            ConvScratch fresh;
            ConvForward(l, x.data(), whole.data(), nullptr, fresh);
            ConvPadInput(l, x.data(), shared);
            for (size_t b0 = 0; b0 < l.blocks; b0 += l.chunk_blocks) {
                const size_t b1 = std::min(l.blocks, b0 + l.chunk_blocks);
                ConvPackBlocks(l, b0, b1, shared);
                ConvMultiplyBlocks(l, b0, b1, shared);
            }
            ConvGridToOutput(l, shared, staged.data(), nullptr);
            BOOST_REQUIRE(whole == staged);
            // And the definition, position by position.
            for (size_t c = 0; c < n; ++c) {
                for (size_t oy = 0; oy < g.out_h; ++oy) {
                    for (size_t ox = 0; ox < g.out_w; ++ox) {
                        int32_t acc = bias[c];
                        for (size_t ic = 0; ic < C; ++ic) {
                            for (size_t ky = 0; ky < k; ++ky) {
                                for (size_t kx = 0; kx < k; ++kx) {
                                    const int64_t iy = int64_t(oy * stride + ky) - int64_t(pad), ix = int64_t(ox * stride + kx) - int64_t(pad);
                                    if (iy < 0 || ix < 0 || iy >= int64_t(H) || ix >= int64_t(W)) continue;
                                    acc += (int32_t{x[(ic * H + iy) * W + ix]} - zp) * w[((c * C + ic) * k + ky) * k + kx];
                                }
                            }
                        }
                        const int32_t lower = l.requant.lower[c];
                        const int8_t q = Requantize(acc, rq[c].multiplier, rq[c].left_shift - rq[c].right_shift, static_cast<int8_t>(rq[c].zero_point));
                        BOOST_REQUIRE_EQUAL(int{whole[(c * g.out_h + oy) * g.out_w + ox]}, std::max<int>(q, lower));
                    }
                }
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
