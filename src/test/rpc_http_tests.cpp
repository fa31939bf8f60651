// Unit tests for the HTTP layer's pure parts: subnets, host:port, Basic auth, cookies.
#include <rpc/httprpc.h>
#include <rpc/httpserver.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(rpc_http_tests)

BOOST_AUTO_TEST_CASE(subnets)
{
    auto local = IPSubnet::Parse("127.0.0.0/8");
    BOOST_REQUIRE(local);
    BOOST_CHECK(local->Contains("127.0.0.1"));
    BOOST_CHECK(local->Contains("127.255.1.2"));
    BOOST_CHECK(local->Contains("::ffff:127.0.0.1")); // IPv4-mapped
    BOOST_CHECK(!local->Contains("128.0.0.1"));
    BOOST_CHECK(!local->Contains("::1"));
    BOOST_CHECK(!local->Contains("garbage"));

    auto mask = IPSubnet::Parse("10.1.0.0/255.255.0.0");
    BOOST_REQUIRE(mask);
    BOOST_CHECK(mask->Contains("10.1.200.3"));
    BOOST_CHECK(!mask->Contains("10.2.0.1"));
    auto host = IPSubnet::Parse("192.168.1.5");
    BOOST_REQUIRE(host);
    BOOST_CHECK(host->Contains("192.168.1.5"));
    BOOST_CHECK(!host->Contains("192.168.1.6"));
    auto v6 = IPSubnet::Parse("fe80::/10");
    BOOST_REQUIRE(v6);
    BOOST_CHECK(v6->Contains("fe80::1"));
    BOOST_CHECK(v6->Contains("febf::1"));
    BOOST_CHECK(!v6->Contains("fec0::1"));
    BOOST_CHECK(IPSubnet::Parse("::1")->Contains("::1"));
    BOOST_CHECK(IPSubnet::Parse("0.0.0.0/0")->Contains("8.8.8.8"));

    BOOST_CHECK(!IPSubnet::Parse("1.2.3.4/33"));
    BOOST_CHECK(!IPSubnet::Parse("1.2.3.4/255.0.255.0")); // non-contiguous mask
    BOOST_CHECK(!IPSubnet::Parse("1.2.3.4/"));
    BOOST_CHECK(!IPSubnet::Parse("example.com"));
    BOOST_CHECK(!IPSubnet::Parse("1.2.3"));
}

BOOST_AUTO_TEST_CASE(host_port)
{
    std::string host;
    uint16_t port;
    BOOST_CHECK(SplitHostPort("127.0.0.1", host, port) && host == "127.0.0.1" && port == 0);
    BOOST_CHECK(SplitHostPort("127.0.0.1:8332", host, port) && host == "127.0.0.1" && port == 8332);
    BOOST_CHECK(SplitHostPort("[::1]:19443", host, port) && host == "::1" && port == 19443);
    BOOST_CHECK(SplitHostPort("::1", host, port) && host == "::1" && port == 0);
    BOOST_CHECK(SplitHostPort("[::1]", host, port) && host == "::1" && port == 0);
    BOOST_CHECK(!SplitHostPort("host:99999", host, port));
    BOOST_CHECK(!SplitHostPort("host:0", host, port));
    BOOST_CHECK(!SplitHostPort("[::1", host, port));
    BOOST_CHECK(!SplitHostPort("", host, port));
}

BOOST_AUTO_TEST_CASE(basic_auth_and_cookie)
{
    std::string user;
    const std::string expected = "alice:secret";
    BOOST_CHECK(CheckBasicAuthorization("Basic " + EncodeBase64("alice:secret"), expected, user));
    BOOST_CHECK_EQUAL(user, "alice");
    BOOST_CHECK(!CheckBasicAuthorization("Basic " + EncodeBase64("alice:wrong"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Basic " + EncodeBase64("alice:secret2"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Basic " + EncodeBase64("alice:secre"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Bearer " + EncodeBase64("alice:secret"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Basic !!!", expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("", expected, user));

    std::string cookie = GenerateAuthCookie();
    BOOST_REQUIRE_EQUAL(cookie.size(), 11u + 64u);
    BOOST_CHECK(HasPrefix(cookie, "__cookie__:"));
    BOOST_CHECK(cookie != GenerateAuthCookie());
    BOOST_CHECK(CheckBasicAuthorization("Basic " + EncodeBase64(cookie), cookie, user));
    BOOST_CHECK_EQUAL(user, "__cookie__");

    BOOST_CHECK(TimingResistantEqual("abc", "abc"));
    BOOST_CHECK(!TimingResistantEqual("abc", "abd"));
    BOOST_CHECK(!TimingResistantEqual("ab", "abc"));
    BOOST_CHECK(!TimingResistantEqual("abcabc", "abc"));
    BOOST_CHECK(TimingResistantEqual("", ""));
    BOOST_CHECK(!TimingResistantEqual("a", ""));
}

BOOST_AUTO_TEST_SUITE_END()
