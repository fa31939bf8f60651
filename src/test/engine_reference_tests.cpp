// The arithmetic and the reference interpreter against hand-computed examples
// (the same examples as doc/oda-models.md).
#include <oda/engine/reference.h>
#include <oda/model/arithmetic.h>
#include <test/util/model_builders.h>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace oda::model;
using namespace oda::engine;
using oda::test::Conv;
using oda::test::Dense;
using oda::test::Pool;
using oda::test::Simple;

static constexpr int32_t I32MAX = std::numeric_limits<int32_t>::max();
static constexpr int32_t I32MIN = std::numeric_limits<int32_t>::min();

BOOST_AUTO_TEST_SUITE(engine_reference_tests)

BOOST_AUTO_TEST_CASE(arithmetic_primitives)
{
    BOOST_CHECK_EQUAL(SaturatingLeftShift(3, 2), 12);
    BOOST_CHECK_EQUAL(SaturatingLeftShift(1, 31), I32MAX);
    BOOST_CHECK_EQUAL(SaturatingLeftShift(-1, 31), I32MIN);
    BOOST_CHECK_EQUAL(SaturatingLeftShift(1 << 20, 11), I32MAX);
    BOOST_CHECK_EQUAL(SaturatingLeftShift(-(1 << 20), 11), I32MIN);
    BOOST_CHECK_EQUAL(SaturatingLeftShift(-5, 127), I32MIN);
    BOOST_CHECK_EQUAL(SaturatingLeftShift(0, 127), 0);

    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(I32MIN, I32MIN), I32MAX);
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(3, 1 << 30), 2);    // 1.5 -> 2
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(-3, 1 << 30), -1);  // -1.5 -> -1 (ties up, as gemmlowp)
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(-5, 1 << 30), -2);  // -2.5 -> -2
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(-7, 1 << 29), -2);  // -1.75 -> -2
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(100, I32MAX), 100);
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(I32MAX, I32MAX), I32MAX - 1);
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(I32MIN, I32MAX), I32MIN + 1);
    BOOST_CHECK_EQUAL(SaturatingRoundingDoublingHighMul(12345, 0), 0);

    BOOST_CHECK_EQUAL(RoundingDivideByPOT(5, 1), 3);
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(-5, 1), -3);
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(4, 1), 2);
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(-7, 2), -2);  // -1.75
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(-6, 2), -2);  // -1.5 -> -2
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(I32MAX, 31), 1);
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(I32MIN, 31), -1);
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(I32MIN, 32), -1);  // -0.5 -> -1
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(I32MAX, 32), 0);
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(I32MIN, 33), 0);
    BOOST_CHECK_EQUAL(RoundingDivideByPOT(I32MIN, 128), 0);

    BOOST_CHECK_EQUAL(Requantize(1000, 1 << 30, -2, 5), 127);  // 500 / 4 = 125, + 5 = 130 -> clamp
    BOOST_CHECK_EQUAL(Requantize(1000, 1 << 30, -3, 5), 68);   // 500 / 8 = 62.5 -> 63, + 5
    BOOST_CHECK_EQUAL(Requantize(-1000, 1 << 30, -3, -5), -68);
    BOOST_CHECK_EQUAL(Requantize(3, 1 << 30, 2, 0), 6);        // (3 << 2) * 0.5
    BOOST_CHECK_EQUAL(Requantize(I32MIN, 0, 0, 127), 127);
    BOOST_CHECK_EQUAL(Requantize(I32MIN, I32MAX, 5, -128), -128);

    BOOST_CHECK_EQUAL(RoundedAverage(14, 4), 4);   // 3.5 -> 4
    BOOST_CHECK_EQUAL(RoundedAverage(-9, 4), -2);  // -2.25 -> -2
    BOOST_CHECK_EQUAL(RoundedAverage(-10, 4), -3); // -2.5 -> -3
    BOOST_CHECK_EQUAL(RoundedAverage(2, 3), 1);
    BOOST_CHECK_EQUAL(RoundedAverage(-128 * 9, 9), -128);
}

BOOST_AUTO_TEST_CASE(dense_example)
{
    Architecture a;
    a.input_shape = {2};
    a.layers = {Dense(2)};
    Weights w = oda::test::UniformWeights(a);
    w.input_zero_point = 1;
    w.layers[0].weights = {1, 2, 3, -4};
    w.layers[0].biases = {5, -7};
    w.layers[0].output_zero_point = -2;  // M = 2^30 (x0.5), shift 0
    const Model m = oda::test::MustMakeModel(a, w);
    const int8_t input[] = {10, -3};
    // deltas 9, -4: acc0 = 5 + 9 - 8 = 6 -> 3 - 2 = 1; acc1 = -7 + 27 + 16 = 36 -> 18 - 2 = 16
    const ModelOutput out = ReferenceRun(m, input);
    BOOST_CHECK(out.values == (std::vector<int32_t>{1, 16}));
    BOOST_CHECK(!out.logits);
    a.logits_output = true;
    w = oda::test::UniformWeights(a);
    w.input_zero_point = 1;
    w.layers[0].weights = {1, 2, 3, -4};
    w.layers[0].biases = {5, -7};
    const ModelOutput logits = ReferenceRun(oda::test::MustMakeModel(a, w), input);
    BOOST_CHECK(logits.values == (std::vector<int32_t>{6, 36}));
    BOOST_CHECK(logits.logits);
}

BOOST_AUTO_TEST_CASE(conv_padding_is_the_zero_point)
{
    Architecture a;
    a.input_shape = {1, 2, 2};
    a.layers = {Conv(1, 3, 1, 1)};
    a.logits_output = true;
    Weights w = oda::test::UniformWeights(a, 1, 0);
    w.input_zero_point = 1;
    const int8_t input[] = {1, 2, 3, 4};
    // Every 3x3 window over the padded 4x4 input covers all four values: deltas 0+1+2+3.
    const ModelOutput out = ReferenceRun(oda::test::MustMakeModel(a, w), input);
    BOOST_CHECK(out.values == (std::vector<int32_t>{6, 6, 6, 6}));
    BOOST_CHECK(out.shape == (Shape{1, 2, 2}));

    // Two channels per-channel requantization, stride 2 on a 1x3x3 input with 2x2 kernel.
    a.input_shape = {1, 3, 3};
    a.layers = {Conv(2, 2, 2, 0, /*per_channel=*/true)};
    a.logits_output = false;
    w = oda::test::UniformWeights(a, 1, 0);
    w.layers[0].weights = {1, 1, 1, 1, -1, 0, 0, 2};
    w.layers[0].multipliers = {1 << 30, I32MAX};
    w.layers[0].shifts = {0, 1};
    w.layers[0].output_zero_point = 3;
    const int8_t img[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    // one output position (0,0): window {1,2,4,5}; ch0 sum 12 * 0.5 = 6, + 3 = 9;
    // ch1: -1 + 2*5 = 9, << 1 = 18, * (2^31-1)/2^31 -> 18, + 3 = 21
    const ModelOutput out2 = ReferenceRun(oda::test::MustMakeModel(a, w), img);
    BOOST_CHECK(out2.values == (std::vector<int32_t>{9, 21}));
}

BOOST_AUTO_TEST_CASE(pools_relu_flatten)
{
    Architecture a;
    a.input_shape = {1, 2, 4};
    a.layers = {Pool(LayerKind::MAXPOOL2D, 2, 2)};
    Weights w = oda::test::UniformWeights(a);
    const int8_t input[] = {1, 2, 3, 4, 5, 6, -7, -9};
    BOOST_CHECK(ReferenceRun(oda::test::MustMakeModel(a, w), input).values == (std::vector<int32_t>{6, 4}));
    a.layers = {Pool(LayerKind::AVGPOOL2D, 2, 2)};
    w = oda::test::UniformWeights(a);
    BOOST_CHECK(ReferenceRun(oda::test::MustMakeModel(a, w), input).values == (std::vector<int32_t>{4, -2}));
    a.layers = {Simple(LayerKind::RELU), Simple(LayerKind::FLATTEN)};
    w = oda::test::UniformWeights(a);
    w.input_zero_point = 3;
    const ModelOutput out = ReferenceRun(oda::test::MustMakeModel(a, w), input);
    BOOST_CHECK(out.values == (std::vector<int32_t>{3, 3, 3, 4, 5, 6, 3, 3}));
    BOOST_CHECK(out.shape == (Shape{8}));
}

BOOST_AUTO_TEST_CASE(scores)
{
    Architecture a;
    a.input_shape = {3};
    a.layers = {Simple(LayerKind::RELU)};
    const Model m = oda::test::MustMakeModel(a, oda::test::UniformWeights(a));
    Dataset d;
    d.input_shape = {3};
    d.sample_count = 4;
    d.inputs = {5, 5, 1, /**/ 0, 2, 2, /**/ -1, -2, -3, /**/ 7, 8, 9};
    d.labels = {0, 2, 0, 2};
    // argmaxes: 0 (tie -> lowest), 1 (tie 1/2 -> 1), 0 (relu -> all 0), 2
    BOOST_CHECK_EQUAL(ReferenceScore(m, d), 3);
    a.objective = ObjectiveKind::NEG_SSE;
    const Model s = oda::test::MustMakeModel(a, oda::test::UniformWeights(a));
    d.labels.clear();
    d.target_shape = {3};
    d.targets = {5, 5, 0, /**/ 0, 0, 0, /**/ 0, 0, 0, /**/ 7, 8, -2147483647 - 1};
    // 1 + (4 + 4) + 0 + (9 + 2^31)^2 ... saturates? (2147483657)^2 < 2^63? no: 4.6e18 < 9.2e18, fits.
    const int64_t big = 2147483657LL * 2147483657LL;
    BOOST_CHECK_EQUAL(ReferenceScore(s, d), -(1 + 8 + big));
    d.targets[0] = -2147483647 - 1;  // adds another ~4.6e18: total saturates at INT64_MAX
    BOOST_CHECK_EQUAL(ReferenceScore(s, d), -std::numeric_limits<int64_t>::max());
    // A dataset that does not fit the model is an error, not undefined behaviour.
    d.targets.pop_back();
    BOOST_CHECK_THROW(ReferenceScore(s, d), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
