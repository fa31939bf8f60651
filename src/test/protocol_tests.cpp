// Framing (header checks, checksum, incremental parsing) and protocol message encodings.
#include <net/netaddress.h>
#include <net/protocol.h>
#include <net/transport.h>
#include <streams.h>
#include <test/util/setup.h>

#include <boost/test/unit_test.hpp>

using namespace net;

namespace {
const std::array<uint8_t, 4> REGTEST_MAGIC{0xd0, 0xda, 0x5e, 0x91};

std::vector<NetMessage> ParseAll(const std::vector<uint8_t>& bytes, bool& ok, std::string& error, size_t chunk = 0)
{
    MessageParser p(REGTEST_MAGIC);
    ok = true;
    if (chunk == 0) chunk = bytes.size() ? bytes.size() : 1;
    for (size_t i = 0; i < bytes.size() && ok; i += chunk) {
        ok = p.Feed(bytes.data() + i, std::min(chunk, bytes.size() - i), error);
    }
    std::vector<NetMessage> out;
    while (p.HasMessage()) out.push_back(p.PopMessage());
    return out;
}
} // namespace

BOOST_AUTO_TEST_SUITE(protocol_tests)

BOOST_AUTO_TEST_CASE(header_layout_and_checksum)
{
    // verack: empty payload; checksum of the empty string is SHA256d("")[0..4] = 5df6e0e2.
    const auto wire = MakeWireMessage(REGTEST_MAGIC, "verack", {});
    BOOST_CHECK_EQUAL(HexStr(wire), "d0da5e91" "76657261636b000000000000" "00000000" "5df6e0e2");
}

BOOST_AUTO_TEST_CASE(parse_good_messages_any_split)
{
    std::vector<uint8_t> stream = MakeWireMessage(REGTEST_MAGIC, "ping", {1, 2, 3, 4, 5, 6, 7, 8});
    const auto second = MakeWireMessage(REGTEST_MAGIC, "verack", {});
    stream.insert(stream.end(), second.begin(), second.end());
    for (size_t chunk : {size_t{1}, size_t{5}, size_t{24}, size_t{1000}}) {
        bool ok;
        std::string err;
        auto msgs = ParseAll(stream, ok, err, chunk);
        BOOST_REQUIRE(ok);
        BOOST_REQUIRE_EQUAL(msgs.size(), 2U);
        BOOST_CHECK_EQUAL(msgs[0].command, "ping");
        BOOST_CHECK(msgs[0].checksum_ok);
        BOOST_CHECK_EQUAL(msgs[0].payload.size(), 8U);
        BOOST_CHECK_EQUAL(msgs[1].command, "verack");
        BOOST_CHECK(msgs[1].payload.empty());
    }
}

BOOST_AUTO_TEST_CASE(bad_checksum_delivered_flagged)
{
    auto wire = MakeWireMessage(REGTEST_MAGIC, "ping", {1, 2, 3, 4, 5, 6, 7, 8});
    wire[20] ^= 0x01;
    bool ok;
    std::string err;
    auto msgs = ParseAll(wire, ok, err);
    BOOST_REQUIRE(ok);
    BOOST_REQUIRE_EQUAL(msgs.size(), 1U);
    BOOST_CHECK(!msgs[0].checksum_ok);
}

BOOST_AUTO_TEST_CASE(framing_errors)
{
    bool ok;
    std::string err;
    // Wrong magic (mainnet bytes on a regtest connection).
    auto wire = MakeWireMessage({0xd0, 0xda, 0x01, 0xa1}, "verack", {});
    ParseAll(wire, ok, err);
    BOOST_CHECK(!ok);
    BOOST_CHECK_EQUAL(err, "wrong network magic");
    // Command with data after the NUL padding.
    wire = MakeWireMessage(REGTEST_MAGIC, "verack", {});
    wire[4 + 8] = 'x';
    ParseAll(wire, ok, err);
    BOOST_CHECK(!ok);
    BOOST_CHECK_EQUAL(err, "invalid command");
    // Non-printable command byte.
    wire = MakeWireMessage(REGTEST_MAGIC, "verack", {});
    wire[4] = 0x01;
    ParseAll(wire, ok, err);
    BOOST_CHECK(!ok);
    // Empty command.
    wire = MakeWireMessage(REGTEST_MAGIC, "", {});
    ParseAll(wire, ok, err);
    BOOST_CHECK(!ok);
    // Oversize length: rejected from the header alone (nothing allocated for it).
    wire = MakeWireMessage(REGTEST_MAGIC, "block", {});
    const uint32_t too_big = MAX_PROTOCOL_MESSAGE_LENGTH + 1;
    wire[16] = too_big & 0xff;
    wire[17] = (too_big >> 8) & 0xff;
    wire[18] = (too_big >> 16) & 0xff;
    wire[19] = (too_big >> 24) & 0xff;
    ParseAll(wire, ok, err);
    BOOST_CHECK(!ok);
    BOOST_CHECK(err.find("oversized") != std::string::npos);
    // Exactly the maximum is a valid header (payload still pending).
    wire[16] = MAX_PROTOCOL_MESSAGE_LENGTH & 0xff;
    wire[17] = (MAX_PROTOCOL_MESSAGE_LENGTH >> 8) & 0xff;
    wire[18] = (MAX_PROTOCOL_MESSAGE_LENGTH >> 16) & 0xff;
    wire[19] = (MAX_PROTOCOL_MESSAGE_LENGTH >> 24) & 0xff;
    auto msgs = ParseAll(wire, ok, err);
    BOOST_CHECK(ok);
    BOOST_CHECK(msgs.empty());
}

BOOST_AUTO_TEST_CASE(version_round_trip)
{
    VersionMessage v;
    v.time = 1700000000;
    v.addr_recv = *ParseService("127.0.0.1:19444", 0);
    v.addr_from = *ParseService("[::1]:19445", 0);
    v.nonce = 0x0102030405060708ULL;
    v.start_height = 123;
    v.relay = false;
    v.torrent_port = 6881;
    const auto bytes = SerializeToBytes(v);
    // 4+8+8 + (8+18)*2 + 8 + (1+11) + 4 + 1 + 2
    BOOST_CHECK_EQUAL(bytes.size(), 4U + 8 + 8 + 26 * 2 + 8 + 12 + 4 + 1 + 2);
    // The torrent port is the last two bytes, little-endian.
    BOOST_CHECK_EQUAL(bytes[bytes.size() - 2], 6881 & 0xff);
    BOOST_CHECK_EQUAL(bytes[bytes.size() - 1], 6881 >> 8);
    const VersionMessage p = ParseVersionMessage(bytes);
    BOOST_CHECK_EQUAL(p.version, PROTOCOL_VERSION);
    BOOST_CHECK_EQUAL(p.services, v.services);
    BOOST_CHECK_EQUAL(p.time, v.time);
    BOOST_CHECK(p.addr_recv == v.addr_recv);
    BOOST_CHECK(p.addr_from == v.addr_from);
    BOOST_CHECK_EQUAL(p.nonce, v.nonce);
    BOOST_CHECK_EQUAL(p.user_agent, "/ODA:0.1.0/");
    BOOST_CHECK_EQUAL(p.start_height, 123);
    BOOST_CHECK(!p.relay);
    BOOST_CHECK_EQUAL(p.torrent_port, 6881);

    // Without relay and torrent port: defaults.
    std::vector<uint8_t> shorter(bytes.begin(), bytes.end() - 3);
    const VersionMessage q = ParseVersionMessage(shorter);
    BOOST_CHECK(q.relay);
    BOOST_CHECK_EQUAL(q.torrent_port, 0);
    // Truncated inside a mandatory field: error.
    std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + 50);
    BOOST_CHECK_THROW(ParseVersionMessage(truncated), SerializationError);
    // Oversized user agent.
    VersionMessage big = v;
    big.user_agent = std::string(MAX_SUBVERSION_LENGTH + 1, 'a');
    BOOST_CHECK_THROW(ParseVersionMessage(SerializeToBytes(big)), SerializationError);
}

BOOST_AUTO_TEST_CASE(headers_and_inv_bounds)
{
    std::vector<CBlockHeader> headers(3);
    headers[1].nonce = 7;
    const auto bytes = SerializeHeaders(headers);
    BOOST_CHECK_EQUAL(bytes.size(), 1U + 3 * 81);
    const auto back = ParseHeaders(bytes);
    BOOST_REQUIRE_EQUAL(back.size(), 3U);
    BOOST_CHECK_EQUAL(back[1].nonce, 7U);
    // A tx count other than 0 is malformed.
    auto bad = bytes;
    bad[81] = 1;
    BOOST_CHECK_THROW(ParseHeaders(bad), SerializationError);
    // More than 2000 headers claimed.
    std::vector<uint8_t> many{0xfd, 0xd1, 0x07}; // 2001
    BOOST_CHECK_THROW(ParseHeaders(many), SerializationError);

    std::vector<CInv> invs{{MSG_TX, uint256{}}, {MSG_BLOCK, uint256{}}};
    BOOST_CHECK(ParseInv(SerializeInv(invs)) == invs);
    std::vector<uint8_t> huge{0xfe, 0x51, 0xc3, 0x00, 0x00}; // 50001 entries claimed
    BOOST_CHECK_THROW(ParseInv(huge), SerializationError);
}

BOOST_AUTO_TEST_CASE(address_parsing)
{
    auto s = ParseService("1.2.3.4:9333", 1);
    BOOST_REQUIRE(s);
    BOOST_CHECK_EQUAL(s->ToString(), "1.2.3.4:9333");
    BOOST_CHECK(s->IsIPv4());
    BOOST_CHECK(s->IsRoutable());
    s = ParseService("[::1]:19444", 1);
    BOOST_REQUIRE(s);
    BOOST_CHECK_EQUAL(s->ToString(), "[::1]:19444");
    BOOST_CHECK(s->IsLocal());
    s = ParseService("10.0.0.1", 19444);
    BOOST_REQUIRE(s);
    BOOST_CHECK_EQUAL(s->GetPort(), 19444);
    BOOST_CHECK(!s->IsRoutable());
    BOOST_CHECK(!ParseService("1.2.3.4:99999", 1));
    BOOST_CHECK(!ParseService("1.2.3.4:", 1));
    BOOST_CHECK(!ParseService("not an address", 1));
    BOOST_CHECK(!ParseService("[::1", 1));

    // Wire form: 16 address bytes then the port big-endian.
    const auto bytes = SerializeToBytes(*ParseService("1.2.3.4:258", 0));
    BOOST_CHECK_EQUAL(HexStr(bytes), "00000000000000000000ffff010203040102");

    auto subnet = ParseSubNet("192.168.1.0/24");
    BOOST_REQUIRE(subnet);
    BOOST_CHECK(subnet->Match(*ParseNetAddr("192.168.1.77")));
    BOOST_CHECK(!subnet->Match(*ParseNetAddr("192.168.2.1")));
    BOOST_CHECK_EQUAL(subnet->ToString(), "192.168.1.0/24");
    BOOST_CHECK_EQUAL(ParseSubNet("1.2.3.4")->ToString(), "1.2.3.4/32");
    BOOST_CHECK(!ParseSubNet("1.2.3.4/33"));
    BOOST_CHECK(!ParseSubNet("1.2.3.4/x"));
}

BOOST_AUTO_TEST_SUITE_END()
