#include <net/netaddress.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace net {

namespace {
constexpr uint8_t IPV4_PREFIX[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
} // namespace

CNetAddr CNetAddr::FromIPv4(uint32_t ip)
{
    std::array<uint8_t, 16> b{};
    std::memcpy(b.data(), IPV4_PREFIX, 12);
    b[12] = ip >> 24;
    b[13] = ip >> 16;
    b[14] = ip >> 8;
    b[15] = ip;
    return CNetAddr(b);
}

bool CNetAddr::IsIPv4() const { return std::memcmp(m_ip.data(), IPV4_PREFIX, 12) == 0; }

bool CNetAddr::IsUnspecified() const
{
    if (IsIPv4()) return m_ip[12] == 0 && m_ip[13] == 0 && m_ip[14] == 0 && m_ip[15] == 0;
    for (uint8_t b : m_ip) if (b) return false;
    return true;
}

bool CNetAddr::IsLocal() const
{
    if (IsIPv4()) return m_ip[12] == 127;
    static constexpr std::array<uint8_t, 16> loopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return m_ip == loopback;
}

bool CNetAddr::IsRoutable() const
{
    if (IsUnspecified() || IsLocal()) return false;
    if (IsIPv4()) {
        const uint8_t a = m_ip[12], b = m_ip[13];
        if (a == 10 || (a == 192 && b == 168) || (a == 172 && b >= 16 && b <= 31)) return false;
        if (a == 169 && b == 254) return false;
        if (a == 0 || a >= 224) return false;
        return true;
    }
    if (m_ip[0] == 0xfe && (m_ip[1] & 0xc0) == 0x80) return false; // link-local
    if ((m_ip[0] & 0xfe) == 0xfc) return false;                    // unique local
    return true;
}

std::string CNetAddr::ToString() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (IsIPv4()) {
        inet_ntop(AF_INET, m_ip.data() + 12, buf, sizeof(buf));
    } else {
        inet_ntop(AF_INET6, m_ip.data(), buf, sizeof(buf));
    }
    return buf;
}

std::vector<uint8_t> CNetAddr::GetGroup() const
{
    if (IsLocal()) return {0};
    if (IsIPv4()) return {4, m_ip[12], m_ip[13]};
    return {6, m_ip[0], m_ip[1], m_ip[2], m_ip[3]};
}

std::optional<CNetAddr> ParseNetAddr(const std::string& str_in)
{
    std::string str = str_in;
    if (str.size() >= 2 && str.front() == '[' && str.back() == ']') str = str.substr(1, str.size() - 2);
    if (str.empty() || str.size() > 64) return std::nullopt;
    in_addr a4;
    if (inet_pton(AF_INET, str.c_str(), &a4) == 1) return CNetAddr::FromIPv4(ntohl(a4.s_addr));
    in6_addr a6;
    if (inet_pton(AF_INET6, str.c_str(), &a6) == 1) {
        std::array<uint8_t, 16> b;
        std::memcpy(b.data(), &a6, 16);
        return CNetAddr(b);
    }
    return std::nullopt;
}

std::string CService::ToString() const
{
    if (IsIPv4()) return CNetAddr::ToString() + ":" + std::to_string(m_port);
    return "[" + CNetAddr::ToString() + "]:" + std::to_string(m_port);
}

size_t CService::ToSockAddr(sockaddr_storage& out) const
{
    std::memset(&out, 0, sizeof(out));
    if (IsIPv4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, m_ip.data() + 12, 4);
        sin->sin_port = htons(m_port);
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, m_ip.data(), 16);
    sin6->sin6_port = htons(m_port);
    return sizeof(sockaddr_in6);
}

std::optional<CService> CService::FromSockAddr(const sockaddr* sa)
{
    if (!sa) return std::nullopt;
    if (sa->sa_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
        return CService(CNetAddr::FromIPv4(ntohl(sin->sin_addr.s_addr)), ntohs(sin->sin_port));
    }
    if (sa->sa_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
        std::array<uint8_t, 16> b;
        std::memcpy(b.data(), &sin6->sin6_addr, 16);
        return CService(CNetAddr(b), ntohs(sin6->sin6_port));
    }
    return std::nullopt;
}

std::optional<CService> ParseService(const std::string& str, uint16_t default_port)
{
    std::string host = str;
    uint16_t port = default_port;
    auto parse_port = [](const std::string& p, uint16_t& out) {
        if (p.empty() || p.size() > 5) return false;
        uint32_t v = 0;
        for (char c : p) {
            if (c < '0' || c > '9') return false;
            v = v * 10 + (c - '0');
        }
        if (v == 0 || v > 65535) return false;
        out = static_cast<uint16_t>(v);
        return true;
    };
    if (!str.empty() && str.front() == '[') {
        const size_t close = str.find(']');
        if (close == std::string::npos) return std::nullopt;
        host = str.substr(1, close - 1);
        if (close + 1 < str.size()) {
            if (str[close + 1] != ':' || !parse_port(str.substr(close + 2), port)) return std::nullopt;
        }
    } else {
        const size_t colon = str.rfind(':');
        // Exactly one colon: host:port. More: a bare IPv6 address.
        if (colon != std::string::npos && str.find(':') == colon) {
            host = str.substr(0, colon);
            if (!parse_port(str.substr(colon + 1), port)) return std::nullopt;
        }
    }
    if (host == "localhost") host = "127.0.0.1";
    auto addr = ParseNetAddr(host);
    if (!addr) return std::nullopt;
    return CService(*addr, port);
}

CSubNet::CSubNet(const CNetAddr& addr) : CSubNet(addr, 128) {}

CSubNet::CSubNet(const CNetAddr& addr, int bits) : m_bits(bits), m_valid(bits >= 0 && bits <= 128)
{
    if (!m_valid) return;
    std::array<uint8_t, 16> b = addr.Bytes();
    for (int i = 0; i < 16; ++i) {
        const int keep = std::max(0, std::min(8, bits - i * 8));
        b[i] &= static_cast<uint8_t>(0xff00 >> keep);
    }
    m_network = CNetAddr(b);
}

bool CSubNet::Match(const CNetAddr& addr) const
{
    if (!m_valid) return false;
    return CSubNet(addr, m_bits).m_network == m_network;
}

std::string CSubNet::ToString() const
{
    const bool v4 = m_network.IsIPv4();
    return m_network.ToString() + "/" + std::to_string(v4 ? m_bits - 96 : m_bits);
}

std::optional<CSubNet> ParseSubNet(const std::string& str)
{
    const size_t slash = str.find('/');
    auto addr = ParseNetAddr(str.substr(0, slash));
    if (!addr) return std::nullopt;
    if (slash == std::string::npos) return CSubNet(*addr);
    const std::string bits_str = str.substr(slash + 1);
    if (bits_str.empty() || bits_str.size() > 3) return std::nullopt;
    int bits = 0;
    for (char c : bits_str) {
        if (c < '0' || c > '9') return std::nullopt;
        bits = bits * 10 + (c - '0');
    }
    const int max = addr->IsIPv4() ? 32 : 128;
    if (bits > max) return std::nullopt;
    return CSubNet(*addr, addr->IsIPv4() ? bits + 96 : bits);
}

} // namespace net
