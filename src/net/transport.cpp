#include <net/transport.h>

#include <streams.h>

#include <algorithm>

namespace net {

bool MessageParser::Feed(const uint8_t* data, size_t size, std::string& error)
{
    while (size > 0) {
        if (!m_in_payload) {
            const size_t take = std::min(size, MESSAGE_HEADER_SIZE - m_header_buf.size());
            m_header_buf.insert(m_header_buf.end(), data, data + take);
            data += take;
            size -= take;
            if (m_header_buf.size() < MESSAGE_HEADER_SIZE) return true;
            SpanReader r(m_header_buf);
            m_header.Unserialize(r);
            m_header_buf.clear();
            if (m_header.magic != m_magic) {
                error = "wrong network magic";
                return false;
            }
            if (!m_header.IsCommandValid()) {
                error = "invalid command";
                return false;
            }
            if (m_header.length > MAX_PROTOCOL_MESSAGE_LENGTH) {
                error = "oversized message (" + std::to_string(m_header.length) + " bytes)";
                return false;
            }
            m_in_payload = true;
            m_payload.clear();
            // Grow with the data actually received, not with the claimed length.
            m_payload.reserve(std::min<size_t>(m_header.length, 256 * 1024));
        }
        const size_t take = std::min(size, static_cast<size_t>(m_header.length) - m_payload.size());
        m_payload.insert(m_payload.end(), data, data + take);
        data += take;
        size -= take;
        if (m_payload.size() == m_header.length) {
            NetMessage msg;
            msg.command = m_header.GetCommand();
            msg.checksum_ok = MessageChecksum(m_payload.data(), m_payload.size()) == m_header.checksum;
            msg.wire_size = MESSAGE_HEADER_SIZE + m_payload.size();
            msg.payload = std::move(m_payload);
            m_payload = {};
            m_queued_bytes += msg.wire_size;
            m_complete.push_back(std::move(msg));
            m_in_payload = false;
        }
    }
    return true;
}

NetMessage MessageParser::PopMessage()
{
    NetMessage msg = std::move(m_complete.front());
    m_complete.pop_front();
    m_queued_bytes -= msg.wire_size;
    return msg;
}

} // namespace net
