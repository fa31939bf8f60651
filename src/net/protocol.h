// P2P wire protocol: message header framing, command names, inventory vectors and the
// version message. See doc/p2p.md for the full message list and limits.
//
// Framing (every message): magic(4, the network's MessageStart) | command(12 bytes, printable
// ASCII, NUL padded, at least one char) | payload length(uint32 LE) | checksum(4 bytes = first
// 4 bytes of SHA256d(payload)) | payload. A header whose magic or command is wrong, or whose
// length exceeds MAX_PROTOCOL_MESSAGE_LENGTH, is a framing error: the connection is closed. A
// bad checksum only drops that message (the peer is penalised by the peer logic).
#ifndef ODA_NET_PROTOCOL_H
#define ODA_NET_PROTOCOL_H

#include <net/netaddress.h>
#include <primitives/block.h>
#include <serialize.h>
#include <uint256.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace net {

/** Our protocol version (Bitcoin 70016-like; ODA's own numbering space). */
constexpr int32_t PROTOCOL_VERSION = 70016;
/** Peers older than this are disconnected after their version message. */
constexpr int32_t MIN_PEER_PROTO_VERSION = 70016;
/** Largest payload accepted: a maximum-weight block (4,000,000 bytes) plus room for the
 *  message's own framing overhead. */
constexpr uint32_t MAX_PROTOCOL_MESSAGE_LENGTH = 4'000'000 + 64 * 1024;
constexpr size_t MESSAGE_HEADER_SIZE = 24;
constexpr size_t COMMAND_SIZE = 12;
/** Max entries in inv / getdata / notfound. */
constexpr size_t MAX_INV_SZ = 50000;
/** Max headers in one headers message. */
constexpr size_t MAX_HEADERS_RESULTS = 2000;
/** Max addresses in one addr message. */
constexpr size_t MAX_ADDR_TO_SEND = 1000;
/** Max hashes in a getheaders/getblocks locator. */
constexpr size_t MAX_LOCATOR_SZ = 101;
/** Max user agent length in version. */
constexpr size_t MAX_SUBVERSION_LENGTH = 256;
/** Our user agent. */
inline constexpr const char* USER_AGENT = "/ODA:0.1.0/";

/** Service bits. */
enum ServiceFlags : uint64_t {
    NODE_NONE = 0,
    NODE_NETWORK = (1 << 0),
    NODE_WITNESS = (1 << 3),
};

/** Command names. */
namespace msgtype {
inline constexpr const char* VERSION = "version";
inline constexpr const char* VERACK = "verack";
inline constexpr const char* PING = "ping";
inline constexpr const char* PONG = "pong";
inline constexpr const char* ADDR = "addr";
inline constexpr const char* GETADDR = "getaddr";
inline constexpr const char* INV = "inv";
inline constexpr const char* GETDATA = "getdata";
inline constexpr const char* NOTFOUND = "notfound";
inline constexpr const char* GETHEADERS = "getheaders";
inline constexpr const char* HEADERS = "headers";
inline constexpr const char* SENDHEADERS = "sendheaders";
inline constexpr const char* BLOCK = "block";
inline constexpr const char* TX = "tx";
inline constexpr const char* MEMPOOL = "mempool";
} // namespace msgtype

/** Inventory types. Transactions are announced and requested by txid (MSG_TX); blocks by hash.
 *  Both are always sent with witness data (every ODA node is a witness node). */
enum InvType : uint32_t {
    MSG_TX = 1,
    MSG_BLOCK = 2,
};

struct CInv {
    uint32_t type{0};
    uint256 hash;
    CInv() = default;
    CInv(uint32_t t, const uint256& h) : type(t), hash(h) {}
    bool IsTx() const { return type == MSG_TX; }
    bool IsBlock() const { return type == MSG_BLOCK; }
    bool operator==(const CInv& o) const { return type == o.type && hash == o.hash; }
    std::string ToString() const;
    ODA_SERIALIZE_FIELDS(type, hash)
};

/** The 24-byte message header. */
struct MessageHeader {
    std::array<uint8_t, 4> magic{};
    std::array<char, COMMAND_SIZE> command{};
    uint32_t length{0};
    std::array<uint8_t, 4> checksum{};

    MessageHeader() = default;
    MessageHeader(const std::array<uint8_t, 4>& magic_in, const std::string& cmd, const std::vector<uint8_t>& payload);

    /** The command without NUL padding. */
    std::string GetCommand() const;
    /** True when the command is 1-12 printable ASCII chars followed only by NULs. */
    bool IsCommandValid() const;

    template <typename Stream> void Serialize(Stream& s) const
    {
        s.write(magic.data(), 4);
        s.write(reinterpret_cast<const uint8_t*>(command.data()), COMMAND_SIZE);
        WriteLE(s, length);
        s.write(checksum.data(), 4);
    }
    template <typename Stream> void Unserialize(Stream& s)
    {
        s.read(magic.data(), 4);
        s.read(reinterpret_cast<uint8_t*>(command.data()), COMMAND_SIZE);
        length = ReadLE<uint32_t>(s);
        s.read(checksum.data(), 4);
    }
};

/** First 4 bytes of SHA256d(payload). */
std::array<uint8_t, 4> MessageChecksum(const uint8_t* data, size_t size);

/** Header + payload, ready to send. */
std::vector<uint8_t> MakeWireMessage(const std::array<uint8_t, 4>& magic, const std::string& command,
                                     const std::vector<uint8_t>& payload);

/** version payload. Layout (all LE): version int32 | services uint64 | time int64 |
 *  addr_recv (services uint64, ip 16, port uint16 BE) | addr_from (same) | nonce uint64 |
 *  user_agent (CompactSize + bytes, <= 256) | start_height int32 | relay uint8 |
 *  torrent_port uint16 LE (ODA extension; 0 = no torrent service). Older fields are
 *  mandatory; relay and torrent_port may be absent (defaults true and 0). */
struct VersionMessage {
    int32_t version{PROTOCOL_VERSION};
    uint64_t services{NODE_NETWORK | NODE_WITNESS};
    int64_t time{0};
    uint64_t addr_recv_services{0};
    CService addr_recv;
    uint64_t addr_from_services{0};
    CService addr_from;
    uint64_t nonce{0};
    std::string user_agent{USER_AGENT};
    int32_t start_height{0};
    bool relay{true};
    uint16_t torrent_port{0};

    template <typename Stream> void Serialize(Stream& s) const
    {
        ::Serialize(s, version);
        ::Serialize(s, services);
        ::Serialize(s, time);
        ::Serialize(s, addr_recv_services);
        addr_recv.Serialize(s);
        ::Serialize(s, addr_from_services);
        addr_from.Serialize(s);
        ::Serialize(s, nonce);
        ::Serialize(s, user_agent);
        ::Serialize(s, start_height);
        ::Serialize(s, relay);
        ::Serialize(s, torrent_port);
    }
};

/** Parses a version payload. Throws SerializationError on malformed or oversize fields. */
VersionMessage ParseVersionMessage(const std::vector<uint8_t>& payload);

/** getheaders payload: version, locator hashes, stop hash. */
struct GetHeadersMessage {
    uint32_t version{static_cast<uint32_t>(PROTOCOL_VERSION)};
    std::vector<uint256> locator;
    uint256 hash_stop;
    ODA_SERIALIZE_FIELDS(version, locator, hash_stop)
};

/** headers payload: each header followed by a tx count (always 0). */
std::vector<uint8_t> SerializeHeaders(const std::vector<CBlockHeader>& headers);
/** Throws SerializationError if malformed, more than MAX_HEADERS_RESULTS, or tx count != 0. */
std::vector<CBlockHeader> ParseHeaders(const std::vector<uint8_t>& payload);

/** inv/getdata/notfound payload; parsing throws on more than MAX_INV_SZ entries. */
std::vector<uint8_t> SerializeInv(const std::vector<CInv>& invs);
std::vector<CInv> ParseInv(const std::vector<uint8_t>& payload);

} // namespace net

#endif // ODA_NET_PROTOCOL_H
