// Address book: bounds, selection, persistence and corrupt files.
#include <net/addrman.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace net;

namespace {
const std::array<uint8_t, 4> MAGIC{0xd0, 0xda, 0x5e, 0x91};
constexpr int64_t NOW = 1700000000;

CAddress MakeAddr(uint32_t ip, uint16_t port = 9333)
{
    CAddress a;
    a.time = NOW - 100;
    a.services = 1;
    a.service = CService(CNetAddr::FromIPv4(ip), port);
    return a;
}
} // namespace

BOOST_AUTO_TEST_SUITE(addrman_tests)

BOOST_AUTO_TEST_CASE(rejects_unroutable_unless_local_allowed)
{
    AddrMan strict(MAGIC, false);
    BOOST_CHECK_EQUAL(strict.Add({MakeAddr(0x7f000001), MakeAddr(0x0a000001), MakeAddr(0x01020304)}, CNetAddr{}, NOW), 1U);
    AddrMan local(MAGIC, true);
    BOOST_CHECK_EQUAL(local.Add({MakeAddr(0x7f000001), MakeAddr(0x7f000001, 0)}, CNetAddr{}, NOW), 1U);
}

BOOST_AUTO_TEST_CASE(bounded)
{
    AddrMan am(MAGIC, false, 50);
    std::vector<CAddress> addrs;
    for (uint32_t i = 0; i < 500; ++i) addrs.push_back(MakeAddr(0x01000000 + i * 256));
    am.Add(addrs, CNetAddr{}, NOW);
    BOOST_CHECK_EQUAL(am.Size(), 50U);
    // A proven address survives any flood.
    const CService good = MakeAddr(0x01000000 + 499 * 256).service;
    BOOST_REQUIRE(am.Find(good));
    am.Good(good, NOW);
    for (uint32_t i = 0; i < 500; ++i) am.Add({MakeAddr(0x02000000 + i * 256)}, CNetAddr{}, NOW);
    BOOST_CHECK_EQUAL(am.Size(), 50U);
    BOOST_CHECK(am.Find(good));
    // getaddr bounds
    BOOST_CHECK_EQUAL(am.GetAddr(10, 100).size(), 10U);
    BOOST_CHECK_EQUAL(am.GetAddr(1000, 23).size(), 12U); // 23 % of 50, rounded up
}

BOOST_AUTO_TEST_CASE(selection)
{
    AddrMan am(MAGIC, false);
    BOOST_CHECK(!am.Select(NOW));
    const CAddress a = MakeAddr(0x01020304), b = MakeAddr(0x05060708);
    am.Add({a, b}, CNetAddr{}, NOW);
    std::set<CService> seen;
    for (int i = 0; i < 200; ++i) {
        auto s = am.Select(NOW);
        BOOST_REQUIRE(s);
        seen.insert(s->service);
    }
    BOOST_CHECK_EQUAL(seen.size(), 2U);
    // Excluded and recently tried addresses are skipped.
    am.Attempt(a.service, NOW);
    for (int i = 0; i < 50; ++i) BOOST_CHECK(am.Select(NOW)->service == b.service);
    BOOST_CHECK(!am.Select(NOW, {b.service}));
    // A success lifts the retry delay.
    am.Good(b.service, NOW);
    BOOST_CHECK(am.Select(NOW, {a.service})->service == b.service);
    // After the retry delay a is eligible again.
    BOOST_CHECK(am.Select(NOW + AddrMan::RETRY_DELAY_SECONDS, {b.service})->service == a.service);
}

BOOST_AUTO_TEST_CASE(persistence)
{
    const auto dir = std::filesystem::temp_directory_path() / ("oda_addrman_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "peers.dat").string();
    AddrMan am(MAGIC, false);
    am.Add({MakeAddr(0x01020304), MakeAddr(0x05060708, 1234)}, CNetAddr{}, NOW);
    am.Good(MakeAddr(0x01020304).service, NOW);
    std::string error;
    BOOST_REQUIRE(am.Save(path, error));

    AddrMan loaded(MAGIC, false);
    BOOST_REQUIRE_MESSAGE(loaded.Load(path, error), error);
    BOOST_CHECK_EQUAL(loaded.Size(), 2U);
    auto info = loaded.Find(MakeAddr(0x01020304).service);
    BOOST_REQUIRE(info);
    BOOST_CHECK_EQUAL(info->last_success, NOW);
    BOOST_CHECK(loaded.Find(MakeAddr(0x05060708, 1234).service));

    // Another network's file is refused.
    AddrMan other(std::array<uint8_t, 4>{0xd0, 0xda, 0x01, 0xa1}, false);
    BOOST_CHECK(!other.Load(path, error));
    BOOST_CHECK_EQUAL(error, "file is for another network");

    // Every flipped byte and every truncation is detected.
    const auto bytes = am.Serialize();
    for (size_t i = 0; i < bytes.size(); ++i) {
        auto bad = bytes;
        bad[i] ^= 0x40;
        AddrMan t(MAGIC, false);
        BOOST_CHECK(!t.Deserialize(bad, error));
        BOOST_CHECK_EQUAL(t.Size(), 0U);
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + i);
        BOOST_CHECK(!t.Deserialize(cut, error));
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
