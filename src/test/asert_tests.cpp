#include <consensus/arith.h>
#include <consensus/asert.h>
#include <consensus/chainparams.h>
#include <consensus/pow.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <stdexcept>
#include <string>

namespace {

// Parameters of the published aserti3-2d vector set (Bitcoin Cash mainnet values).
constexpr int64_t VECTOR_SPACING = 600;
constexpr int64_t VECTOR_HALF_LIFE = 172800;
constexpr uint32_t VECTOR_MAX_BITS = 0x1d00ffff;

/** Runs one vector file (format in its header) and returns the number of lines checked. */
int RunVectorFile(const std::string& name)
{
    std::istringstream in(ReadTestData(name));
    std::string line;
    int64_t anchor_height = -1, anchor_parent_time = -1;
    uint32_t anchor_bits = 0;
    int checked = 0;
    const arith_uint256 limit = DecodeCompact(VECTOR_MAX_BITS);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (line.rfind("##", 0) == 0) {
            const auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            const std::string key = line.substr(0, colon);
            const std::string value = line.substr(colon + 1);
            if (key.find("anchor height") != std::string::npos) anchor_height = std::stoll(value);
            if (key.find("anchor ancestor time") != std::string::npos) anchor_parent_time = std::stoll(value);
            if (key.find("anchor nBits") != std::string::npos) anchor_bits = static_cast<uint32_t>(std::stoul(value, nullptr, 16));
            continue;
        }
        if (line[0] == '#') continue;
        std::istringstream fields(line);
        int64_t iteration, height, time;
        std::string expected_hex;
        BOOST_REQUIRE_MESSAGE(fields >> iteration >> height >> time >> expected_hex, name + ": bad line " + line);
        BOOST_REQUIRE(anchor_height >= 0 && anchor_parent_time >= 0 && anchor_bits != 0);
        const uint32_t expected = static_cast<uint32_t>(std::stoul(expected_hex, nullptr, 16));
        const uint32_t got = AsertNextBits(limit, VECTOR_SPACING, VECTOR_HALF_LIFE, anchor_height,
                                           anchor_parent_time, anchor_bits, height, time);
        BOOST_CHECK_MESSAGE(got == expected, name << " iteration " << iteration << ": got 0x" << std::hex << got
                                                  << " expected 0x" << expected);
        ++checked;
    }
    return checked;
}

} // namespace

BOOST_AUTO_TEST_SUITE(asert_tests)

BOOST_AUTO_TEST_CASE(published_vectors)
{
    BOOST_CHECK_EQUAL(RunVectorFile("asert_run01.txt"), 10);
    BOOST_CHECK_EQUAL(RunVectorFile("asert_run02.txt"), 10);
    BOOST_CHECK_EQUAL(RunVectorFile("asert_run03.txt"), 10);
    BOOST_CHECK_EQUAL(RunVectorFile("asert_run04.txt"), 36);
    BOOST_CHECK_EQUAL(RunVectorFile("asert_run05.txt"), 44);
    BOOST_CHECK_EQUAL(RunVectorFile("asert_run06.txt"), 60);
    BOOST_CHECK_EQUAL(RunVectorFile("asert_run07.txt"), 41);
}

BOOST_AUTO_TEST_CASE(factor_polynomial)
{
    // 2^0 = 1 exactly, 2^(65535/65536) just below 2, strictly increasing in between.
    BOOST_CHECK_EQUAL(AsertFactor(0), 65536u);
    BOOST_CHECK_EQUAL(AsertFactor(65535), 131071u);
    // 65536 * sqrt(2) = 92681.9; the cubic is within 0.013% (the spec's bound) of it.
    BOOST_CHECK_EQUAL(AsertFactor(32768), 92674u);
    uint32_t previous = AsertFactor(0);
    for (uint32_t frac = 1; frac < 65536; ++frac) {
        const uint32_t f = AsertFactor(frac);
        BOOST_REQUIRE_GE(f, previous);
        previous = f;
    }
    BOOST_CHECK_THROW(AsertFactor(65536), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(oda_schedule)
{
    const auto chain = CreateChainParams(ChainType::MAIN);
    const ConsensusParams& p = chain->GetConsensus();
    const CBlock& genesis = chain->GenesisBlock();
    const int64_t t0 = genesis.time;
    const int64_t spacing = p.pow_target_spacing;
    const arith_uint256 limit = UintToArith256(p.pow_limit);
    // A harder anchor than the limit, so that both directions are visible.
    const uint32_t anchor_bits = 0x1c0fffff;
    const arith_uint256 anchor_target = DecodeCompact(anchor_bits);
    auto next = [&](int64_t height, int64_t time) {
        return AsertNextBits(limit, spacing, p.asert_half_life, 0, t0 - spacing, anchor_bits, height, time);
    };

    // On schedule (block h at t0 + h * spacing): the anchor target, at any height.
    for (int64_t h : {0, 1, 2, 100, 10'000, 1'000'000}) {
        BOOST_CHECK_EQUAL(next(h, t0 + h * spacing), anchor_bits);
    }
    // One half-life behind schedule doubles the target, one ahead halves it, two ahead
    // quarters it (exactly, up to the 23-bit precision of the compact encoding).
    const int64_t h = 5000;
    BOOST_CHECK_EQUAL(next(h, t0 + h * spacing + p.asert_half_life), EncodeCompact(anchor_target * 2));
    BOOST_CHECK_EQUAL(next(h, t0 + h * spacing - p.asert_half_life), EncodeCompact(anchor_target / 2));
    BOOST_CHECK_EQUAL(next(h, t0 + h * spacing - 2 * p.asert_half_life), EncodeCompact(anchor_target / 4));
    BOOST_CHECK_NE(next(h, t0 + h * spacing - p.asert_half_life), anchor_bits);
    // Slightly late: slightly easier, never harder.
    BOOST_CHECK(DecodeCompact(next(h, t0 + h * spacing + 60)) > anchor_target);
    BOOST_CHECK(DecodeCompact(next(h, t0 + h * spacing - 60)) < anchor_target);

    // Extremes clamp: far behind -> pow limit, far ahead -> target 1, no overflow anywhere.
    BOOST_CHECK_EQUAL(next(h, t0 + h * spacing + 300 * p.asert_half_life), EncodeCompact(limit));
    BOOST_CHECK_EQUAL(next(h, INT64_MAX / 2), EncodeCompact(limit));
    BOOST_CHECK_EQUAL(next(h, INT64_MIN / 2), 0x01010000u); // target 1
    BOOST_CHECK_EQUAL(next(INT64_MAX / 2, t0), 0x01010000u);
    BOOST_CHECK_EQUAL(DecodeCompact(0x01010000u), arith_uint256(1));
}

BOOST_AUTO_TEST_CASE(genesis_anchor_and_next_work)
{
    for (ChainType type : {ChainType::MAIN, ChainType::TESTNET}) {
        const auto chain = CreateChainParams(type);
        const ConsensusParams& p = chain->GetConsensus();
        const CBlock& g = chain->GenesisBlock();
        BOOST_CHECK_EQUAL(p.asert_anchor_height, 0);
        BOOST_CHECK_EQUAL(p.asert_anchor_bits, g.bits);
        BOOST_CHECK_EQUAL(p.asert_anchor_parent_time, int64_t{g.time} - p.pow_target_spacing);
        // Block 1 after an on-time genesis gets the genesis target; at the limit, being late
        // cannot make it easier, being early makes it harder.
        BOOST_CHECK_EQUAL(NextWorkRequired(0, g.time, g.bits, p), g.bits);
        BOOST_CHECK_EQUAL(NextWorkRequired(0, g.time + 3600, g.bits, p), g.bits);
        BOOST_CHECK(DecodeCompact(NextWorkRequired(10, g.time + 60, g.bits, p)) < DecodeCompact(g.bits));
        // Block 721 mined 60 s after genesis is 43,200 s (one half-life) ahead of the 60 s
        // schedule: the next target is half the genesis target.
        BOOST_CHECK_EQUAL(NextWorkRequired(721, g.time + 60, g.bits, p), EncodeCompact(DecodeCompact(g.bits) / 2));
    }
    const auto regtest = CreateChainParams(ChainType::REGTEST);
    const ConsensusParams& r = regtest->GetConsensus();
    BOOST_CHECK(r.pow_no_retargeting);
    BOOST_CHECK_EQUAL(NextWorkRequired(0, 0, 0x1d00ffff, r), 0x207fffffu);
    BOOST_CHECK_EQUAL(NextWorkRequired(12345, 1, 0x1d00ffff, r), 0x207fffffu);
}

BOOST_AUTO_TEST_CASE(precondition_violations_throw)
{
    const arith_uint256 limit = DecodeCompact(VECTOR_MAX_BITS);
    BOOST_CHECK_THROW(AsertNextBits(limit, 600, 172800, 10, 0, 0x1d00ffff, 9, 0), std::invalid_argument);
    BOOST_CHECK_THROW(AsertNextBits(limit, 600, 0, 1, 0, 0x1d00ffff, 2, 0), std::invalid_argument);
    BOOST_CHECK_THROW(AsertNextBits(limit, 0, 172800, 1, 0, 0x1d00ffff, 2, 0), std::invalid_argument);
    BOOST_CHECK_THROW(AsertNextBits(limit, 600, 172800, 1, 0, 0x1e00ffff, 2, 0), std::invalid_argument); // above limit
    BOOST_CHECK_THROW(AsertNextBits(limit, 600, 172800, 1, 0, 0x00000000, 2, 0), std::invalid_argument); // zero
    BOOST_CHECK_THROW(AsertNextBits(limit, 600, 172800, 1, 0, 0x1c800001, 2, 0), std::invalid_argument); // negative
}

BOOST_AUTO_TEST_SUITE_END()
