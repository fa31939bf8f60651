#include <uint256.h>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(uint256_tests)

BOOST_AUTO_TEST_CASE(hex_display_is_reversed)
{
    uint256 v;
    v.data()[0] = 0x01;
    v.data()[31] = 0xff;
    BOOST_CHECK_EQUAL(v.GetHex(), "ff00000000000000000000000000000000000000000000000000000000000001");
    auto parsed = uint256::FromHex(v.GetHex());
    BOOST_REQUIRE(parsed);
    BOOST_CHECK(*parsed == v);
    BOOST_CHECK(!uint256::FromHex("00"));
    BOOST_CHECK(!uint256::FromHex(std::string(64, 'g')));
    BOOST_CHECK_EQUAL(v.GetUint64(0), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
