#include <net/protocol.h>

#include <crypto/hash.h>
#include <streams.h>

#include <cstring>

namespace net {

std::string CInv::ToString() const
{
    const char* name = type == MSG_TX ? "tx" : type == MSG_BLOCK ? "block" : "unknown";
    return std::string(name) + " " + hash.GetHex();
}

std::array<uint8_t, 4> MessageChecksum(const uint8_t* data, size_t size)
{
    const uint256 h = Hash256(data, size);
    std::array<uint8_t, 4> out;
    std::memcpy(out.data(), h.data(), 4);
    return out;
}

MessageHeader::MessageHeader(const std::array<uint8_t, 4>& magic_in, const std::string& cmd,
                             const std::vector<uint8_t>& payload)
    : magic(magic_in), length(static_cast<uint32_t>(payload.size())),
      checksum(MessageChecksum(payload.data(), payload.size()))
{
    command.fill('\0');
    std::memcpy(command.data(), cmd.data(), std::min(cmd.size(), COMMAND_SIZE));
}

std::string MessageHeader::GetCommand() const
{
    size_t n = 0;
    while (n < COMMAND_SIZE && command[n] != '\0') ++n;
    return std::string(command.data(), n);
}

bool MessageHeader::IsCommandValid() const
{
    size_t n = 0;
    while (n < COMMAND_SIZE && command[n] != '\0') {
        if (command[n] < ' ' || command[n] > '~') return false;
        ++n;
    }
    if (n == 0) return false;
    for (size_t i = n; i < COMMAND_SIZE; ++i) {
        if (command[i] != '\0') return false; // data after the NUL padding
    }
    return true;
}

std::vector<uint8_t> MakeWireMessage(const std::array<uint8_t, 4>& magic, const std::string& command,
                                     const std::vector<uint8_t>& payload)
{
    std::vector<uint8_t> out;
    out.reserve(MESSAGE_HEADER_SIZE + payload.size());
    VectorWriter w(out);
    MessageHeader(magic, command, payload).Serialize(w);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

VersionMessage ParseVersionMessage(const std::vector<uint8_t>& payload)
{
    SpanReader r(payload);
    VersionMessage v;
    Unserialize(r, v.version);
    Unserialize(r, v.services);
    Unserialize(r, v.time);
    Unserialize(r, v.addr_recv_services);
    v.addr_recv.Unserialize(r);
    Unserialize(r, v.addr_from_services);
    v.addr_from.Unserialize(r);
    Unserialize(r, v.nonce);
    const uint64_t ua_len = ReadCompactSize(r);
    if (ua_len > MAX_SUBVERSION_LENGTH) throw SerializationError("user agent too long");
    v.user_agent.resize(ua_len);
    if (ua_len) r.read(reinterpret_cast<uint8_t*>(v.user_agent.data()), ua_len);
    Unserialize(r, v.start_height);
    v.relay = true;
    v.torrent_port = 0;
    if (!r.empty()) {
        uint8_t relay;
        Unserialize(r, relay);
        v.relay = relay != 0;
    }
    if (r.remaining() >= 2) Unserialize(r, v.torrent_port);
    // Further bytes are ignored: later protocol versions may append fields.
    return v;
}

std::vector<uint8_t> SerializeHeaders(const std::vector<CBlockHeader>& headers)
{
    std::vector<uint8_t> out;
    VectorWriter w(out);
    WriteCompactSize(w, headers.size());
    for (const auto& h : headers) {
        Serialize(w, h);
        WriteCompactSize(w, 0);
    }
    return out;
}

std::vector<CBlockHeader> ParseHeaders(const std::vector<uint8_t>& payload)
{
    SpanReader r(payload);
    const uint64_t n = ReadCompactSize(r);
    if (n > MAX_HEADERS_RESULTS) throw SerializationError("too many headers");
    std::vector<CBlockHeader> out(n);
    for (auto& h : out) {
        Unserialize(r, h);
        if (ReadCompactSize(r) != 0) throw SerializationError("headers message with transactions");
    }
    if (!r.empty()) throw SerializationError("trailing bytes in headers");
    return out;
}

std::vector<uint8_t> SerializeInv(const std::vector<CInv>& invs)
{
    return SerializeToBytes(invs);
}

std::vector<CInv> ParseInv(const std::vector<uint8_t>& payload)
{
    SpanReader r(payload);
    const uint64_t n = ReadCompactSize(r);
    if (n > MAX_INV_SZ) throw SerializationError("inv too large");
    std::vector<CInv> out(n);
    for (auto& inv : out) Unserialize(r, inv);
    if (!r.empty()) throw SerializationError("trailing bytes in inv");
    return out;
}

} // namespace net
