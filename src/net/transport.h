// Incremental message framing for one connection: bytes in (any split), complete messages out.
//
// Contract: Feed() consumes bytes and queues complete messages. It returns false (and sets
// error) on a framing error — wrong magic, invalid command, length over
// MAX_PROTOCOL_MESSAGE_LENGTH — after which the connection must be closed (no resync is
// attempted). A message with a bad checksum is still delivered, with checksum_ok = false, so the
// peer logic can drop and count it. Memory: at most one partial message (<= header + max
// payload) plus the queued complete messages (the caller bounds those via QueuedBytes()).
#ifndef ODA_NET_TRANSPORT_H
#define ODA_NET_TRANSPORT_H

#include <net/protocol.h>

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace net {

struct NetMessage {
    std::string command;
    std::vector<uint8_t> payload;
    bool checksum_ok{true};
    size_t wire_size{0}; //!< header + payload bytes
};

class MessageParser
{
public:
    explicit MessageParser(std::array<uint8_t, 4> magic) : m_magic(magic) {}

    bool Feed(const uint8_t* data, size_t size, std::string& error);
    bool HasMessage() const { return !m_complete.empty(); }
    NetMessage PopMessage();
    size_t QueuedBytes() const { return m_queued_bytes; }

private:
    const std::array<uint8_t, 4> m_magic;
    std::vector<uint8_t> m_header_buf;
    bool m_in_payload{false};
    MessageHeader m_header;
    std::vector<uint8_t> m_payload;
    std::deque<NetMessage> m_complete;
    size_t m_queued_bytes{0};
};

} // namespace net

#endif // ODA_NET_TRANSPORT_H
