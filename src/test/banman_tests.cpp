// Bans (expiry, subnets, persistence) and discouragement.
#include <net/banman.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace net;

namespace {
const std::array<uint8_t, 4> MAGIC{0xd0, 0xda, 0x5e, 0x91};
constexpr int64_t NOW = 1700000000;
}

BOOST_AUTO_TEST_SUITE(banman_tests)

BOOST_AUTO_TEST_CASE(ban_expiry_and_subnets)
{
    BanMan bm("", MAGIC);
    const CNetAddr a = *ParseNetAddr("1.2.3.4");
    const CNetAddr b = *ParseNetAddr("1.2.4.4");
    BOOST_CHECK(!bm.IsBanned(a, NOW));
    BOOST_CHECK(bm.Ban(*ParseSubNet("1.2.3.0/24"), NOW + 100, NOW));
    BOOST_CHECK(bm.IsBanned(a, NOW));
    BOOST_CHECK(bm.IsBanned(a, NOW + 99));
    BOOST_CHECK(!bm.IsBanned(b, NOW));
    BOOST_CHECK_EQUAL(bm.GetBanned(NOW).size(), 1U);
    // Expired at ban_until and swept from the list.
    BOOST_CHECK(!bm.IsBanned(a, NOW + 100));
    BOOST_CHECK(bm.GetBanned(NOW + 100).empty());

    BOOST_CHECK(bm.Ban(CSubNet(a), NOW + 100, NOW));
    BOOST_CHECK(bm.Unban(CSubNet(a)));
    BOOST_CHECK(!bm.Unban(CSubNet(a)));
    BOOST_CHECK(!bm.IsBanned(a, NOW));
    bm.Ban(CSubNet(a), NOW + 100, NOW);
    bm.ClearBanned();
    BOOST_CHECK(!bm.IsBanned(a, NOW));
}

BOOST_AUTO_TEST_CASE(discouragement)
{
    BanMan bm("", MAGIC);
    const CNetAddr a = *ParseNetAddr("::2");
    BOOST_CHECK(!bm.IsDiscouraged(a));
    bm.Discourage(a);
    BOOST_CHECK(bm.IsDiscouraged(a));
    BOOST_CHECK(!bm.IsBanned(a, NOW)); // discouraged is not banned
    bm.ClearDiscouraged();
    BOOST_CHECK(!bm.IsDiscouraged(a));
}

BOOST_AUTO_TEST_CASE(persistence)
{
    const auto dir = std::filesystem::temp_directory_path() / ("oda_banman_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "banlist.dat").string();
    std::string error;
    {
        BanMan bm(path, MAGIC);
        BOOST_CHECK(!bm.Load(error)); // no file yet
        bm.Ban(*ParseSubNet("10.0.0.0/8"), NOW + 1000, NOW);
        bm.Ban(*ParseSubNet("2001:db8::/32"), NOW + 2000, NOW);
        bm.Discourage(*ParseNetAddr("5.5.5.5"));
        BOOST_REQUIRE(bm.Save(error));
    }
    BanMan bm(path, MAGIC);
    BOOST_REQUIRE_MESSAGE(bm.Load(error), error);
    auto banned = bm.GetBanned(NOW);
    BOOST_REQUIRE_EQUAL(banned.size(), 2U);
    BOOST_CHECK_EQUAL(banned.at(*ParseSubNet("10.0.0.0/8")).ban_until, NOW + 1000);
    BOOST_CHECK_EQUAL(banned.at(*ParseSubNet("2001:db8::/32")).ban_until, NOW + 2000);
    BOOST_CHECK_EQUAL(banned.at(*ParseSubNet("2001:db8::/32")).create_time, NOW);
    BOOST_CHECK(bm.IsBanned(*ParseNetAddr("10.9.9.9"), NOW));
    BOOST_CHECK(bm.IsBanned(*ParseNetAddr("2001:db8::1"), NOW));
    BOOST_CHECK(!bm.IsDiscouraged(*ParseNetAddr("5.5.5.5"))); // not persisted
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
