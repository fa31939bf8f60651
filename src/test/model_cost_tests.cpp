// Compute cost (doc/oda-models.md section 4, doc/oda-protocol.md section 4) against numbers
// computed by hand, and the consensus compute limits against the
// project's own CNN (doc/consensus.md, "Compute limits").
#include <consensus/chainparams.h>
#include <oda/model/architecture.h>
#include <test/util/model_builders.h>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace oda::model;
using oda::test::Conv;
using oda::test::Dense;
using oda::test::Pool;
using oda::test::Simple;

namespace {
/** COST_PER_ELEMENT, COST_PER_WINDOW_TAP, COST_PER_LAYER spelled out, so that a change of
 *  a weight fails here rather than moving every number silently. */
constexpr uint64_t E = 64, T = 16, L = 1024;

/** share/models/cnn-small-28x28.json, the CNN of doc/benchmarks.md. */
Architecture ProjectCnn()
{
    Architecture a;
    a.input_shape = {1, 28, 28};
    a.layers = {Conv(16, 3, 1, 1, true), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2),
                Conv(32, 3, 1, 1, true), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2),
                Simple(LayerKind::FLATTEN), Dense(10)};
    a.logits_output = true;
    return a;
}
} // namespace

BOOST_AUTO_TEST_SUITE(model_cost_tests)

BOOST_AUTO_TEST_CASE(weights_of_the_formula)
{
    BOOST_CHECK_EQUAL(COST_PER_ELEMENT, E);
    BOOST_CHECK_EQUAL(COST_PER_WINDOW_TAP, T);
    BOOST_CHECK_EQUAL(COST_PER_LAYER, L);
    BOOST_CHECK_EQUAL(COST_PER_WEIGHT, 4u);
}

BOOST_AUTO_TEST_CASE(mlp_cost)
{
    Architecture a;
    a.input_shape = {784};
    a.layers = {Dense(256), Simple(LayerKind::RELU), Dense(10)};
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE(AnalyzeArchitecture(a, info, error));
    // dense: 784*256 MACs, 784 inputs + 256 outputs; relu: 256 in, 256 out; dense: 256*10 MACs, 256 + 10.
    BOOST_CHECK_EQUAL(info.layers[0].compute_cost, 784u * 256 + E * (784 + 256) + L);  // 268,288
    BOOST_CHECK_EQUAL(info.layers[1].compute_cost, E * (256 + 256) + L);               // 33,792
    BOOST_CHECK_EQUAL(info.layers[2].compute_cost, 256u * 10 + E * (256 + 10) + L);    // 20,608
    BOOST_CHECK_EQUAL(ComputeCost(a), 322688u);
    BOOST_CHECK_EQUAL(info.compute_cost, 322688u);
    BOOST_CHECK_EQUAL(info.total_weights, 784u * 256 + 2560);
    BOOST_CHECK_EQUAL(info.load_cost, 4u * (784 * 256 + 2560));  // 813,056
    // One inference: a run on one sample; scoring the 10,000-sample test split.
    BOOST_CHECK_EQUAL(ScoringCost(info, 1), 322688u + 813056);
    BOOST_CHECK_EQUAL(ScoringCost(info, 10000), 3226880000u + 813056);
}

BOOST_AUTO_TEST_CASE(cnn_cost)
{
    Architecture a;
    a.input_shape = {1, 28, 28};
    a.layers = {Conv(8, 3, 1, 1), Simple(LayerKind::RELU), Pool(LayerKind::MAXPOOL2D, 2, 2), Simple(LayerKind::FLATTEN), Dense(10)};
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE(AnalyzeArchitecture(a, info, error));
    // conv: 8x28x28 = 6272 outputs, fan-in 9; stride 1, so computed on a grid of 28 rows of
    // 28 + 3 - 1 = 30 positions: 840 positions x 9 taps, x 8 channels MACs.
    BOOST_CHECK_EQUAL(info.layers[0].compute_cost, 840u * 9 * 8 + T * 840 * 9 + E * (784 + 6272) + L);  // 634,048
    BOOST_CHECK_EQUAL(info.layers[1].compute_cost, E * (6272 + 6272) + L);                         // 803,840
    // maxpool 2x2/2 -> 8x14x14 = 1568 outputs, 4 taps each.
    BOOST_CHECK_EQUAL(info.layers[2].compute_cost, T * 1568 * 4 + E * (6272 + 1568) + L);          // 603,136
    BOOST_CHECK_EQUAL(info.layers[3].compute_cost, E * (1568 + 1568) + L);                         // 201,728
    BOOST_CHECK_EQUAL(info.layers[4].compute_cost, 1568u * 10 + E * (1568 + 10) + L);              // 117,696
    BOOST_CHECK_EQUAL(ComputeCost(a), 2360448u);
    // Strided conv without padding: 2x9x9 input, 4 channels 3x3 stride 2 -> 4x4x4 = 64 outputs
    // (16 positions, gathered: no grid waste), fan-in 18; avgpool 3x3/1 on 4x4x4 -> 4x2x2 = 16 outputs, 9 taps each.
    a.input_shape = {2, 9, 9};
    a.layers = {Conv(4, 3, 2, 0), Pool(LayerKind::AVGPOOL2D, 3, 1)};
    const uint64_t conv = 64 * 18 + T * 16 * 18 + E * (162 + 64) + L;  // 21,248
    const uint64_t pool = T * 16 * 9 + E * (64 + 16) + L;              // 8,448
    BOOST_CHECK_EQUAL(ComputeCost(a), conv + pool);
    BOOST_CHECK_EQUAL(conv + pool, 29696u);
    // Invalid architectures cost 0.
    a.layers[0].stride_h = 0;
    BOOST_CHECK_EQUAL(ComputeCost(a), 0u);
}

BOOST_AUTO_TEST_CASE(project_cnn_cost)
{
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE(AnalyzeArchitecture(ProjectCnn(), info, error));
    // Grids: conv1 28 x (28 + 2) = 840 positions, conv2 14 x (14 + 2) = 224.
    const uint64_t conv1 = 840u * 9 * 16 + T * 840 * 9 + E * (784 + 12544) + L;
    const uint64_t relu1 = E * (12544 + 12544) + L;
    const uint64_t pool1 = T * 3136 * 4 + E * (12544 + 3136) + L;
    const uint64_t conv2 = 224u * 144 * 32 + T * 224 * 144 + E * (3136 + 6272) + L;
    const uint64_t relu2 = E * (6272 + 6272) + L;
    const uint64_t pool2 = T * 1568 * 4 + E * (6272 + 1568) + L;
    const uint64_t flatten = E * (1568 + 1568) + L;
    const uint64_t dense = 1568u * 10 + E * (1568 + 10) + L;
    BOOST_CHECK_EQUAL(info.compute_cost, conv1 + relu1 + pool1 + conv2 + relu2 + pool2 + flatten + dense);
    BOOST_CHECK_EQUAL(info.compute_cost, 7785664u);
    BOOST_CHECK_EQUAL(info.total_weights, 16u * 9 + 32 * 144 + 1568 * 10);
    BOOST_CHECK_EQUAL(ScoringCost(info, 10000), 77856640000u + 4 * 20432);
}

BOOST_AUTO_TEST_CASE(scoring_cost_saturates)
{
    ArchitectureInfo info;
    info.compute_cost = 1ULL << 40;
    info.load_cost = 8;
    BOOST_CHECK_EQUAL(ScoringCost(info, 1ULL << 30), std::numeric_limits<uint64_t>::max());
    BOOST_CHECK_EQUAL(ScoringCost(info, 0), 8u);  // the weights are still read
    info.compute_cost = std::numeric_limits<uint64_t>::max() - 4;
    BOOST_CHECK_EQUAL(ScoringCost(info, 1), std::numeric_limits<uint64_t>::max());
}

BOOST_AUTO_TEST_CASE(stride1_conv_counts_its_grid)
{
    Architecture a;
    ArchitectureInfo info;
    std::string error;
    // A kernel as wide as its 1x16 input: 1 output, but a grid of 16 positions per row.
    a.input_shape = {1, 1, 16};
    a.layers = {Conv(2, 1)};
    a.layers[0].kernel_w = 16;
    BOOST_REQUIRE(AnalyzeArchitecture(a, info, error));
    BOOST_CHECK_EQUAL(info.layers[0].compute_cost, 16u * 16 * 2 + T * 16 * 16 + E * (16 + 2) + L);
    // With stride 16 the single window is gathered: 1 position.
    a.layers[0].stride_w = 16;
    BOOST_REQUIRE(AnalyzeArchitecture(a, info, error));
    BOOST_CHECK_EQUAL(info.layers[0].compute_cost, 1u * 16 * 2 + T * 1 * 16 + E * (16 + 2) + L);
}

BOOST_AUTO_TEST_CASE(limits_fit_the_project_cnn)
{
    ArchitectureInfo info;
    std::string error;
    BOOST_REQUIRE(AnalyzeArchitecture(ProjectCnn(), info, error));
    const uint64_t cnn_scoring = ScoringCost(info, 10000);  // the Fashion-MNIST test split
    for (ChainType type : {ChainType::MAIN, ChainType::TESTNET, ChainType::REGTEST}) {
        const ConsensusParams& p = CreateChainParams(type)->GetConsensus();
        BOOST_CHECK_LE(cnn_scoring, static_cast<uint64_t>(p.max_tx_compute_units));
        BOOST_CHECK_LE(p.max_tx_compute_units, p.max_block_compute_units);
        BOOST_CHECK_GT(p.max_tx_compute_units, 0);
        // The MLP scoring and an inference of either model fit too.
        BOOST_CHECK_LE(ScoringCost(info, 1), static_cast<uint64_t>(p.max_tx_compute_units));
    }
}

BOOST_AUTO_TEST_SUITE_END()
