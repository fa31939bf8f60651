// Fuzz targets for what a P2P peer sends: message payloads (src/net/protocol.h and the
// payload shapes net_processing reads), the message framing (src/net/transport.h) and the
// address strings of -connect/-addnode/setban (src/net/netaddress.h).
#include <net/netaddress.h>
#include <net/protocol.h>
#include <net/transport.h>
#include <primitives/block.h>
#include <streams.h>
#include <test/fuzz/fuzz.h>
#include <test/fuzz/seed_builders.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using oda::fuzz::Assert;
using namespace net;

namespace {

constexpr std::array<uint8_t, 4> REGTEST_MAGIC{0xd0, 0xda, 0x5e, 0x91};

/** Message kinds of the p2p_message target, selected by the input's first byte. */
enum MessageKind : uint8_t {
    KIND_VERSION,
    KIND_INV,
    KIND_HEADERS,
    KIND_GETHEADERS,
    KIND_ADDR,
    KIND_PING,
    KIND_LOCATOR,
    KIND_SUBNET,
    KIND_COUNT,
};

bool SameVersion(const VersionMessage& a, const VersionMessage& b)
{
    return a.version == b.version && a.services == b.services && a.time == b.time &&
           a.addr_recv_services == b.addr_recv_services && a.addr_recv == b.addr_recv &&
           a.addr_from_services == b.addr_from_services && a.addr_from == b.addr_from && a.nonce == b.nonce &&
           a.user_agent == b.user_agent && a.start_height == b.start_height && a.relay == b.relay &&
           a.torrent_port == b.torrent_port;
}

bool SameHeaders(const std::vector<CBlockHeader>& a, const std::vector<CBlockHeader>& b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (SerializeToBytes(a[i]) != SerializeToBytes(b[i])) return false;
    }
    return true;
}

/** Decodes `payload` as T with the generic serializer (as net_processing does for the
 *  payloads that have no parser of their own) and checks the encoding is canonical. */
template <typename T>
void CheckGenericRoundTrip(const std::vector<uint8_t>& payload, const char* what)
{
    T obj;
    try {
        DeserializeExact(payload, obj);
    } catch (const SerializationError&) {
        return;
    }
    Assert(SerializeToBytes(obj) == payload, what);
}

std::vector<uint8_t> WithKind(MessageKind kind, const std::vector<uint8_t>& payload)
{
    std::vector<uint8_t> out{kind};
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

VersionMessage SeedVersion()
{
    VersionMessage v;
    v.time = 1'700'000'000;
    v.addr_recv = CService(CNetAddr::FromIPv4(0x7f000001), 19444);
    v.addr_from = CService(*ParseNetAddr("2001:db8::1"), 19444);
    v.nonce = 0x0123456789abcdefULL;
    v.start_height = 1234;
    v.torrent_port = 6881;
    return v;
}

std::vector<std::vector<uint8_t>> MessageSeeds()
{
    const CBlock block = oda::fuzz::MakeSeedBlock();
    const CBlock genesis = oda::fuzz::SeedGenesisBlock();
    VersionMessage old_version = SeedVersion();
    std::vector<uint8_t> old_payload = SerializeToBytes(old_version);
    old_payload.resize(old_payload.size() - 3); // without the optional relay and torrent_port
    GetHeadersMessage gh;
    gh.locator = {block.GetHash(), genesis.GetHash()};
    std::vector<CAddress> addrs(2);
    addrs[0].time = 1'700'000'000;
    addrs[0].services = NODE_NETWORK | NODE_WITNESS;
    addrs[0].service = CService(CNetAddr::FromIPv4(0x0a000001), 19444);
    addrs[1].service = CService(*ParseNetAddr("::1"), 1);
    CBlockLocator locator;
    locator.have = {genesis.GetHash()};
    const CSubNet subnet(*ParseNetAddr("192.168.0.0"), 112);
    return {
        WithKind(KIND_VERSION, SerializeToBytes(SeedVersion())),
        WithKind(KIND_VERSION, old_payload),
        WithKind(KIND_INV, SerializeInv({CInv(MSG_TX, block.vtx[1]->GetTxid()), CInv(MSG_BLOCK, block.GetHash())})),
        WithKind(KIND_HEADERS, SerializeHeaders({genesis.GetHeader(), block.GetHeader()})),
        WithKind(KIND_GETHEADERS, SerializeToBytes(gh)),
        WithKind(KIND_ADDR, SerializeToBytes(addrs)),
        WithKind(KIND_PING, SerializeToBytes(uint64_t{0x1122334455667788ULL})),
        WithKind(KIND_LOCATOR, SerializeToBytes(locator)),
        WithKind(KIND_SUBNET, SerializeToBytes(subnet)),
    };
}

/** One message as the transport yields it. */
struct Yielded {
    std::string command;
    std::vector<uint8_t> payload;
    bool checksum_ok;
    size_t wire_size;
    bool operator==(const Yielded& o) const
    {
        return command == o.command && payload == o.payload && checksum_ok == o.checksum_ok && wire_size == o.wire_size;
    }
};

struct FeedResult {
    std::vector<Yielded> messages;
    bool ok{true};
    std::string error;
    size_t consumed{0}; //!< bytes fed before the failing call (all of them when ok)
};

/** Feeds `stream` in chunks whose sizes come from next_chunk(), checking the parser's
 *  accounting after every call, and drains its messages. */
template <typename NextChunk>
FeedResult FeedInChunks(const std::vector<uint8_t>& stream, NextChunk next_chunk)
{
    MessageParser parser(REGTEST_MAGIC);
    FeedResult r;
    size_t pos = 0;
    size_t yielded_bytes = 0;
    while (pos < stream.size()) {
        const size_t n = std::min(stream.size() - pos, std::max<size_t>(1, next_chunk()));
        std::string error;
        const bool ok = parser.Feed(stream.data() + pos, n, error);
        pos += n;
        // Queued bytes are exactly the wire sizes of the complete, unpopped messages.
        size_t queued = 0;
        while (parser.HasMessage()) {
            const size_t before = parser.QueuedBytes();
            NetMessage m = parser.PopMessage();
            Assert(before - parser.QueuedBytes() == m.wire_size, "QueuedBytes accounting");
            queued += m.wire_size;
            Assert(m.wire_size == MESSAGE_HEADER_SIZE + m.payload.size(), "wire_size");
            Assert(m.payload.size() <= MAX_PROTOCOL_MESSAGE_LENGTH, "payload over the maximum");
            Assert(!m.command.empty() && m.command.size() <= COMMAND_SIZE, "command length");
            for (char c : m.command) Assert(c >= ' ' && c <= '~', "unprintable command");
            yielded_bytes += m.wire_size;
            r.messages.push_back({m.command, std::move(m.payload), m.checksum_ok, m.wire_size});
        }
        Assert(parser.QueuedBytes() == 0, "QueuedBytes after draining");
        (void)queued;
        if (!ok) {
            Assert(!error.empty(), "framing error without a message");
            r.ok = false;
            r.error = error;
            r.consumed = pos;
            return r;
        }
        // What the parser holds is one partial message: less than a header plus a maximal payload.
        Assert(pos >= yielded_bytes && pos - yielded_bytes < MESSAGE_HEADER_SIZE + MAX_PROTOCOL_MESSAGE_LENGTH,
               "buffered bytes over the documented bound");
    }
    r.consumed = pos;
    return r;
}

/** Simple deterministic generator for chunk sizes (seeded from the input). */
struct ChunkSizes {
    uint32_t state;
    uint32_t max;
    size_t operator()()
    {
        state = state * 1103515245u + 12345u;
        return 1 + (state >> 8) % max;
    }
};

std::vector<std::vector<uint8_t>> TransportSeeds()
{
    const CBlock block = oda::fuzz::MakeSeedBlock();
    std::vector<uint8_t> stream;
    auto add = [&](const std::string& cmd, const std::vector<uint8_t>& payload) {
        const auto wire = MakeWireMessage(REGTEST_MAGIC, cmd, payload);
        stream.insert(stream.end(), wire.begin(), wire.end());
    };
    add(msgtype::VERSION, SerializeToBytes(SeedVersion()));
    add(msgtype::VERACK, {});
    add(msgtype::PING, SerializeToBytes(uint64_t{42}));
    add(msgtype::INV, SerializeInv({CInv(MSG_BLOCK, block.GetHash())}));
    add(msgtype::BLOCK, SerializeToBytes(block));
    std::vector<uint8_t> raw{0x00, 0x07, 0x31};
    raw.insert(raw.end(), stream.begin(), stream.end());
    std::vector<uint8_t> bad_checksum = raw;
    bad_checksum[3 + 20] ^= 0x01;
    // Build mode: records (command length, command, u16 LE length, payload).
    std::vector<uint8_t> built{0x80, 0x03, 0x11};
    for (const auto& [cmd, payload] : std::vector<std::pair<std::string, std::vector<uint8_t>>>{
             {"verack", {}}, {"ping", {1, 2, 3, 4, 5, 6, 7, 8}}, {"headers", SerializeHeaders({block.GetHeader()})}}) {
        built.push_back(static_cast<uint8_t>(cmd.size()));
        built.insert(built.end(), cmd.begin(), cmd.end());
        built.push_back(static_cast<uint8_t>(payload.size()));
        built.push_back(static_cast<uint8_t>(payload.size() >> 8));
        built.insert(built.end(), payload.begin(), payload.end());
    }
    return {raw, bad_checksum, built};
}

std::vector<std::vector<uint8_t>> AddressTextSeeds()
{
    std::vector<std::vector<uint8_t>> seeds;
    for (const char* s : {"127.0.0.1", "1.2.3.4:9333", "[::1]:19444", "2001:db8::ff00:42:8329", "::ffff:10.0.0.1",
                          "10.0.0.0/8", "192.168.1.0/255.255.255.0", "2001:db8::/32", "::/0", "0.0.0.0/0", "localhost:1",
                          "[2001:db8::1]"}) {
        seeds.emplace_back(s, s + std::strlen(s));
    }
    return seeds;
}

} // namespace

// One target for every P2P payload parser; the first byte selects the message kind. Anything
// accepted is canonical: serializing it gives the same bytes (or, for version, which has
// optional trailing fields, parses back to the same message), and every size limit holds.
ODA_FUZZ_TARGET_SEEDS(p2p_message, MessageSeeds)
{
    if (size == 0) return;
    const auto kind = static_cast<MessageKind>(data[0] % KIND_COUNT);
    const std::vector<uint8_t> payload(data + 1, data + size);
    switch (kind) {
    case KIND_VERSION: {
        VersionMessage v;
        try {
            v = ParseVersionMessage(payload);
        } catch (const SerializationError&) {
            return;
        }
        Assert(v.user_agent.size() <= MAX_SUBVERSION_LENGTH, "user agent over the limit");
        const std::vector<uint8_t> encoded = SerializeToBytes(v);
        const VersionMessage again = ParseVersionMessage(encoded);
        Assert(SameVersion(v, again), "version round trip");
        Assert(SerializeToBytes(again) == encoded, "version re-encoding");
        // The mandatory fields (all but relay and torrent_port) re-encode to the input's bytes.
        const size_t mandatory = encoded.size() - 3;
        Assert(payload.size() >= mandatory && std::equal(encoded.begin(), encoded.begin() + mandatory, payload.begin()),
               "version mandatory fields re-encode differently");
        break;
    }
    case KIND_INV: {
        std::vector<CInv> invs;
        try {
            invs = ParseInv(payload);
        } catch (const SerializationError&) {
            return;
        }
        Assert(invs.size() <= MAX_INV_SZ, "inv over the limit");
        Assert(SerializeInv(invs) == payload, "inv re-encoding");
        Assert(ParseInv(SerializeInv(invs)) == invs, "inv round trip");
        break;
    }
    case KIND_HEADERS: {
        std::vector<CBlockHeader> headers;
        try {
            headers = ParseHeaders(payload);
        } catch (const SerializationError&) {
            return;
        }
        Assert(headers.size() <= MAX_HEADERS_RESULTS, "headers over the limit");
        Assert(SerializeHeaders(headers) == payload, "headers re-encoding");
        Assert(SameHeaders(ParseHeaders(SerializeHeaders(headers)), headers), "headers round trip");
        break;
    }
    case KIND_GETHEADERS: CheckGenericRoundTrip<GetHeadersMessage>(payload, "getheaders re-encoding"); break;
    case KIND_ADDR: CheckGenericRoundTrip<std::vector<CAddress>>(payload, "addr re-encoding"); break;
    case KIND_PING: CheckGenericRoundTrip<uint64_t>(payload, "ping/pong re-encoding"); break;
    case KIND_LOCATOR: CheckGenericRoundTrip<CBlockLocator>(payload, "locator re-encoding"); break;
    case KIND_SUBNET: {
        // Ban list entries (banlist file) are serialized subnets.
        CSubNet subnet;
        try {
            DeserializeExact(payload, subnet);
        } catch (const SerializationError&) {
            return;
        }
        CSubNet again;
        DeserializeExact(SerializeToBytes(subnet), again);
        Assert(again == subnet && again.IsValid() == subnet.IsValid(), "subnet round trip");
        if (subnet.IsValid()) {
            const auto parsed = ParseSubNet(subnet.ToString());
            Assert(parsed && *parsed == subnet, "subnet text round trip");
        }
        break;
    }
    case KIND_COUNT: break;
    }
}

// The framing parser over arbitrary bytes fed in arbitrary chunks. Input: byte 0 bit 7
// selects build mode; bytes 1-2 seed the chunk sizes; the rest is either the raw stream or
// (build mode) records cmd_len | cmd | u16 LE payload length | payload that are framed with
// correct checksums first, so the fuzzer reaches complete messages. Every split of the same
// bytes yields the same messages and the same error; every message is re-framed to the exact
// bytes it came from; the parser never holds more than one partial message.
ODA_FUZZ_TARGET_SEEDS(p2p_transport, TransportSeeds)
{
    if (size < 3) return;
    const bool build = data[0] & 0x80;
    const uint32_t chunk_seed = data[1] | (uint32_t{data[2]} << 8);
    std::vector<uint8_t> stream;
    std::vector<std::pair<std::string, std::vector<uint8_t>>> records;
    if (build) {
        size_t pos = 3;
        while (pos < size) {
            const size_t cmd_len = data[pos++] % (COMMAND_SIZE + 1);
            if (size - pos < cmd_len + 2) break;
            std::string cmd(reinterpret_cast<const char*>(data + pos), cmd_len);
            pos += cmd_len;
            const size_t len = std::min<size_t>(data[pos] | (size_t{data[pos + 1]} << 8), size - pos - 2);
            pos += 2;
            std::vector<uint8_t> payload(data + pos, data + pos + len);
            pos += len;
            const auto wire = MakeWireMessage(REGTEST_MAGIC, cmd, payload);
            stream.insert(stream.end(), wire.begin(), wire.end());
            records.emplace_back(std::move(cmd), std::move(payload));
        }
    } else {
        stream.assign(data + 3, data + size);
    }

    const FeedResult whole = FeedInChunks(stream, [&] { return stream.size(); });
    const FeedResult bytewise = FeedInChunks(stream, [] { return size_t{1}; });
    const FeedResult chunked = FeedInChunks(stream, ChunkSizes{chunk_seed, 1 + (data[0] & 0x7fu) * 4});
    for (const FeedResult* r : {&bytewise, &chunked}) {
        Assert(r->messages == whole.messages, "a different split yields different messages");
        Assert(r->ok == whole.ok && r->error == whole.error, "a different split yields a different error");
    }

    // Each message is exactly the bytes it came from, re-framed.
    size_t offset = 0;
    for (const Yielded& m : whole.messages) {
        std::vector<uint8_t> wire = MakeWireMessage(REGTEST_MAGIC, m.command, m.payload);
        Assert(offset + wire.size() <= stream.size(), "message beyond the input");
        std::vector<uint8_t> original(stream.begin() + offset, stream.begin() + offset + wire.size());
        if (!m.checksum_ok) {
            Assert(!std::equal(wire.begin() + 20, wire.begin() + 24, original.begin() + 20), "bad checksum flagged on a good one");
            std::copy(original.begin() + 20, original.begin() + 24, wire.begin() + 20);
        }
        Assert(wire == original, "re-framed message differs from its input bytes");
        offset += wire.size();
    }
    if (whole.ok) {
        Assert(stream.size() - offset < MESSAGE_HEADER_SIZE + MAX_PROTOCOL_MESSAGE_LENGTH, "unframed tail too long");
    } else {
        // A framing error is raised by the header that follows the last message.
        Assert(stream.size() - offset >= MESSAGE_HEADER_SIZE, "framing error before a full header");
    }

    if (build) {
        // Records with a valid command come back in order, intact, until the first invalid one.
        size_t i = 0;
        for (; i < records.size(); ++i) {
            MessageHeader h(REGTEST_MAGIC, records[i].first, records[i].second);
            if (!h.IsCommandValid()) break;
            Assert(i < whole.messages.size(), "a framed message was not delivered");
            // Trailing NULs in a command are the header's padding: "ping\0" frames as "ping".
            const std::string command = records[i].first.substr(0, records[i].first.find('\0'));
            Assert(whole.messages[i].command == command && whole.messages[i].payload == records[i].second &&
                       whole.messages[i].checksum_ok,
                   "a framed message changed");
        }
        Assert(whole.messages.size() == i, "messages after an invalid command");
        Assert(whole.ok == (i == records.size()), "invalid command not reported");
    }
}

// Address strings (-connect, -addnode, -bind, addnode/setban RPC). Whatever parses prints
// back to a string that parses to the same value.
ODA_FUZZ_TARGET_SEEDS(netaddress_parse, AddressTextSeeds)
{
    const std::string str(reinterpret_cast<const char*>(data), size);
    if (const auto addr = ParseNetAddr(str)) {
        const auto again = ParseNetAddr(addr->ToString());
        Assert(again && *again == *addr, "address text round trip");
        addr->IsRoutable();
        addr->GetGroup();
    }
    if (const auto service = ParseService(str, 19444)) {
        const auto again = ParseService(service->ToString(), 1);
        Assert(again && *again == *service, "service text round trip");
    }
    if (const auto subnet = ParseSubNet(str)) {
        if (subnet->IsValid()) {
            const auto again = ParseSubNet(subnet->ToString());
            Assert(again && *again == *subnet, "subnet text round trip");
        }
    }
}
