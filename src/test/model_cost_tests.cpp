// Compute cost (PROTOCOL §4) against numbers computed by hand.
#include <oda/model/architecture.h>
#include <test/util/model_builders.h>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace oda::model;
using oda::test::Conv;
using oda::test::Dense;
using oda::test::Pool;
using oda::test::Simple;

BOOST_AUTO_TEST_SUITE(model_cost_tests)

BOOST_AUTO_TEST_CASE(mlp_cost)
{
    Architecture a;
    a.input_shape = {784};
    a.layers = {Dense(256), Simple(LayerKind::RELU), Dense(10)};
    // dense: 784*256 MACs + 256 outputs; relu: 256; dense: 256*10 + 10.
    BOOST_CHECK_EQUAL(ComputeCost(a), 200704u + 256 + 256 + 2560 + 10);
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE(AnalyzeArchitecture(a, info, error));
    BOOST_CHECK_EQUAL(info.layers[0].compute_cost, 200960u);
    BOOST_CHECK_EQUAL(info.layers[1].compute_cost, 256u);
    BOOST_CHECK_EQUAL(info.layers[2].compute_cost, 2570u);
    BOOST_CHECK_EQUAL(info.total_weights, 784u * 256 + 2560);
}

BOOST_AUTO_TEST_CASE(cnn_cost)
{
    Architecture a;
    a.input_shape = {1, 28, 28};
    a.layers = {Conv(8, 3, 1, 1), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2), Simple(LayerKind::FLATTEN), Dense(10)};
    // conv: 8x28x28 = 6272 outputs, fan-in 9: 6272*9 + 6272 = 62720
    // relu: 6272; maxpool 2x2/2 -> 8x14x14 = 1568 outputs * 4 = 6272; flatten 1568; dense 1568*10 + 10 = 15690
    BOOST_CHECK_EQUAL(ComputeCost(a), 62720u + 6272 + 6272 + 1568 + 15690);
    // Strided conv without padding: 2x9x9 input, 4 channels 3x3 stride 2 -> 4x4x4 = 64 outputs, fan-in 18.
    a.input_shape = {2, 9, 9};
    a.layers = {Conv(4, 3, 2, 0), Pool(LayerKind::AVGPOOL2D, 3, 1)};
    // conv: 64*18 + 64 = 1216; avgpool 3x3/1 on 4x4x4 -> 4x2x2 = 16 outputs * 9 = 144
    BOOST_CHECK_EQUAL(ComputeCost(a), 1216u + 144);
    // Invalid architectures cost 0.
    a.layers[0].stride_h = 0;
    BOOST_CHECK_EQUAL(ComputeCost(a), 0u);
}

BOOST_AUTO_TEST_CASE(scoring_cost)
{
    BOOST_CHECK_EQUAL(ScoringCost(203786, 10000), 2037860000u);
    BOOST_CHECK_EQUAL(ScoringCost(0, 5), 0u);
    BOOST_CHECK_EQUAL(ScoringCost(1ULL << 40, 1ULL << 30), std::numeric_limits<uint64_t>::max());
}

BOOST_AUTO_TEST_SUITE_END()
