// Royalty arithmetic (doc/oda-protocol.md section 7) and compute units (section 4).
#include <oda/chain/compute_units.h>
#include <oda/chain/royalty.h>
#include <test/oda_registry_util.h>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace oda::chain;
using oda::test::ExampleHash;
using oda::test::MemoryRegistry;
using oda::test::TaprootScript;

namespace {

ModelRecord RecordWith(int64_t royalty, uint16_t trainer_bp, std::vector<ParentShare> parents, const ScriptBytes& owner)
{
    ModelRecord r;
    r.architecture = oda::model::EncodeArchitecture(oda::test::ExampleArchitecture());
    r.dataset_samples = 100;
    r.royalty = royalty;
    r.trainer_share_bp = trainer_bp;
    r.parents = std::move(parents);
    r.owner_script = owner;
    r.version_count = 1;
    return r;
}

ModelVersion VersionBy(const ScriptBytes& trainer)
{
    ModelVersion v;
    v.trainer_script = trainer;
    return v;
}

} // namespace

BOOST_AUTO_TEST_SUITE(oda_royalty_tests)

BOOST_AUTO_TEST_CASE(split_of_the_protocol_example)
{
    // R = 100,000, t = 1,000, one parent with 500: trainer 10,000, parent 5,000, owner 85,000.
    MemoryRegistry registry;
    const uint256 parent_id = ExampleHash(0x33);
    registry.models[parent_id] = RecordWith(0, 0, {}, TaprootScript(0xaa));
    const ModelRecord model = RecordWith(100'000, 1'000, {{parent_id, 500}}, TaprootScript(0xbb));
    std::string error;
    const auto owed = ComputeRoyaltyOwed(model, VersionBy(TaprootScript(0xcc)), registry, error);
    BOOST_REQUIRE_MESSAGE(owed, error);
    BOOST_CHECK_EQUAL(owed->size(), 3U);
    BOOST_CHECK_EQUAL(owed->at(TaprootScript(0xcc)), 10'000);
    BOOST_CHECK_EQUAL(owed->at(TaprootScript(0xaa)), 5'000);
    BOOST_CHECK_EQUAL(owed->at(TaprootScript(0xbb)), 85'000);
    BOOST_CHECK_EQUAL(RoyaltyTotal(*owed), 100'000);
}

BOOST_AUTO_TEST_CASE(floors_go_to_the_owner_and_same_scripts_add_up)
{
    // R = 999, t = 3,333 bp: trainer floor(999 * 0.3333) = 332; the owner gets the rest, 667.
    MemoryRegistry registry;
    const ModelRecord model = RecordWith(999, 3'333, {}, TaprootScript(0xbb));
    std::string error;
    auto owed = ComputeRoyaltyOwed(model, VersionBy(TaprootScript(0xcc)), registry, error);
    BOOST_REQUIRE(owed);
    BOOST_CHECK_EQUAL(owed->at(TaprootScript(0xcc)), 332);
    BOOST_CHECK_EQUAL(owed->at(TaprootScript(0xbb)), 667);
    // Version 0 is trained by the owner: one entry with the whole royalty.
    owed = ComputeRoyaltyOwed(model, VersionBy(TaprootScript(0xbb)), registry, error);
    BOOST_REQUIRE(owed);
    BOOST_CHECK_EQUAL(owed->size(), 1U);
    BOOST_CHECK_EQUAL(owed->at(TaprootScript(0xbb)), 999);
    // A zero royalty owes nothing at all.
    owed = ComputeRoyaltyOwed(RecordWith(0, 3'333, {}, TaprootScript(0xbb)), VersionBy(TaprootScript(0xcc)), registry, error);
    BOOST_REQUIRE(owed);
    BOOST_CHECK(owed->empty());
}

BOOST_AUTO_TEST_CASE(largest_royalty_does_not_overflow)
{
    BOOST_CHECK_EQUAL(RoyaltyShare(MAX_ROYALTY, 10'000), MAX_ROYALTY);
    BOOST_CHECK_EQUAL(RoyaltyShare(MAX_ROYALTY, 1), MAX_ROYALTY / 10'000);
    BOOST_CHECK_EQUAL(RoyaltyShare(MAX_ROYALTY, 65'535), static_cast<CAmount>((static_cast<__int128>(MAX_ROYALTY) * 65'535) / 10'000));
}

BOOST_AUTO_TEST_CASE(missing_parent_is_an_error)
{
    MemoryRegistry registry;
    const ModelRecord model = RecordWith(100'000, 0, {{ExampleHash(0x33), 500}}, TaprootScript(0xbb));
    std::string error;
    BOOST_CHECK(!ComputeRoyaltyOwed(model, VersionBy(TaprootScript(0xbb)), registry, error));
    BOOST_CHECK(error.find("does not exist") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(payment_is_checked_per_script)
{
    RoyaltyOwed owed{{TaprootScript(0xaa), 5'000}, {TaprootScript(0xbb), 85'000}};
    CMutableTransaction mtx;
    mtx.vout.emplace_back(40'000, TaprootScript(0xbb));
    mtx.vout.emplace_back(5'000, TaprootScript(0xaa));
    mtx.vout.emplace_back(45'000, TaprootScript(0xbb)); // two outputs to one script add up
    std::string debug;
    BOOST_CHECK_MESSAGE(PaysRoyalty(CTransaction(mtx), owed, debug), debug);
    mtx.vout[2].value = 44'999;
    BOOST_CHECK(!PaysRoyalty(CTransaction(mtx), owed, debug));
    BOOST_CHECK(debug.find("pays 84999 of the 85000") != std::string::npos);
    // Paying one script more does not make up for another.
    mtx.vout[2].value = 45'000;
    mtx.vout[1].value = 4'999;
    mtx.vout[0].value = 100'000;
    BOOST_CHECK(!PaysRoyalty(CTransaction(mtx), owed, debug));
}

BOOST_AUTO_TEST_CASE(compute_units_per_kind)
{
    // Example architecture (doc/oda-models.md section 4), per sample: DENSE 4->3 (12 MAC + 64 x
    // (4 + 3) elements + 1024), RELU (64 x (3 + 3) + 1024), DENSE 3->2 (6 + 64 x (3 + 2) + 1024):
    // 1484 + 1408 + 1350 = 4242 CU; its 18 weights are read once per run: 4 x 18 = 72 CU.
    std::string error;
    BOOST_CHECK_EQUAL(*InferenceCost(oda::model::EncodeArchitecture(oda::test::ExampleArchitecture()), error), 4314U);
    MemoryRegistry registry;
    const auto examples = oda::test::ExamplePayloads();
    // add-model: cost x its 100 samples + the weights once.
    BOOST_CHECK_EQUAL(*PayloadComputeUnits(examples[0], registry, error), 424'272);
    // infer / update of an unknown model: no answer.
    BOOST_CHECK(!PayloadComputeUnits(examples[1], registry, error));
    BOOST_CHECK(!PayloadComputeUnits(examples[2], registry, error));
    registry.models[ExampleHash(0x44)] = RecordWith(0, 0, {}, TaprootScript(0xbb));
    BOOST_CHECK_EQUAL(*PayloadComputeUnits(examples[1], registry, error), 4'314);
    BOOST_CHECK_EQUAL(*PayloadComputeUnits(examples[2], registry, error), 424'272);
    // Coinbase and ownership kinds cost nothing.
    for (size_t i = 3; i < examples.size(); ++i) BOOST_CHECK_EQUAL(*PayloadComputeUnits(examples[i], registry, error), 0);
    BOOST_CHECK_EQUAL(*TransactionComputeUnits({examples[0]}, registry, error), 424'272);
    BOOST_CHECK_EQUAL(*TransactionComputeUnits({}, registry, error), 0);
}

BOOST_AUTO_TEST_CASE(compute_product_saturates)
{
    constexpr int64_t max = std::numeric_limits<int64_t>::max();
    BOOST_CHECK_EQUAL(SaturatingComputeProduct(1ULL << 40, 1ULL << 40), max);
    BOOST_CHECK_EQUAL(SaturatingComputeProduct(static_cast<uint64_t>(max), 1), max);
    BOOST_CHECK_EQUAL(SaturatingComputeProduct(static_cast<uint64_t>(max) + 1, 1), max);
    BOOST_CHECK_EQUAL(SaturatingComputeProduct(3, 5), 15);
}

BOOST_AUTO_TEST_SUITE_END()
