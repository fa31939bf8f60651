// Network addresses: CNetAddr (an IPv4 or IPv6 address, stored as 16 bytes with IPv4 mapped
// as ::ffff:a.b.c.d), CService (address + port), CSubNet (address + prefix, for bans) and
// CAddress (what addr messages carry: time, services, service).
//
// Wire format of a service (as in Bitcoin's addr/version): 16 address bytes then the port as
// uint16 big-endian. Parsing functions return std::nullopt on bad input (never throw).
#ifndef ODA_NET_NETADDRESS_H
#define ODA_NET_NETADDRESS_H

#include <serialize.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

struct sockaddr;
struct sockaddr_storage;

namespace net {

class CNetAddr
{
public:
    CNetAddr() = default;
    explicit CNetAddr(const std::array<uint8_t, 16>& ip) : m_ip(ip) {}
    static CNetAddr FromIPv4(uint32_t host_order_ip);

    bool IsIPv4() const;
    bool IsLocal() const;    //!< 127/8 or ::1
    bool IsRoutable() const; //!< not unspecified, local, private (RFC 1918), link-local
    bool IsUnspecified() const;
    const std::array<uint8_t, 16>& Bytes() const { return m_ip; }
    std::string ToString() const;
    /** A /16 (IPv4) or /32 (IPv6) group, for outbound diversity. */
    std::vector<uint8_t> GetGroup() const;

    bool operator==(const CNetAddr& o) const { return m_ip == o.m_ip; }
    bool operator!=(const CNetAddr& o) const { return !(*this == o); }
    bool operator<(const CNetAddr& o) const { return m_ip < o.m_ip; }

    template <typename Stream> void Serialize(Stream& s) const { s.write(m_ip.data(), 16); }
    template <typename Stream> void Unserialize(Stream& s) { s.read(m_ip.data(), 16); }

protected:
    std::array<uint8_t, 16> m_ip{};
};

/** "1.2.3.4" or "::1" / "[::1]". */
std::optional<CNetAddr> ParseNetAddr(const std::string& str);

class CService : public CNetAddr
{
public:
    CService() = default;
    CService(const CNetAddr& addr, uint16_t port) : CNetAddr(addr), m_port(port) {}
    uint16_t GetPort() const { return m_port; }
    void SetPort(uint16_t port) { m_port = port; }
    std::string ToString() const; //!< "1.2.3.4:9333" or "[::1]:9333"
    /** Fills a sockaddr_in/sockaddr_in6; returns its length (0 on failure). */
    size_t ToSockAddr(sockaddr_storage& out) const;
    static std::optional<CService> FromSockAddr(const sockaddr* sa);

    bool operator==(const CService& o) const { return m_ip == o.m_ip && m_port == o.m_port; }
    bool operator!=(const CService& o) const { return !(*this == o); }
    bool operator<(const CService& o) const { return m_ip != o.m_ip ? m_ip < o.m_ip : m_port < o.m_port; }

    template <typename Stream> void Serialize(Stream& s) const
    {
        CNetAddr::Serialize(s);
        uint8_t p[2] = {static_cast<uint8_t>(m_port >> 8), static_cast<uint8_t>(m_port & 0xff)};
        s.write(p, 2);
    }
    template <typename Stream> void Unserialize(Stream& s)
    {
        CNetAddr::Unserialize(s);
        uint8_t p[2];
        s.read(p, 2);
        m_port = static_cast<uint16_t>((p[0] << 8) | p[1]);
    }

private:
    uint16_t m_port{0};
};

/** "host", "host:port", "[v6]:port"; default_port when no port is given. */
std::optional<CService> ParseService(const std::string& str, uint16_t default_port);

/** A network: address + prefix length (0-128 in IPv6 terms). */
class CSubNet
{
public:
    CSubNet() = default;
    /** Single address (/32 or /128). */
    explicit CSubNet(const CNetAddr& addr);
    CSubNet(const CNetAddr& addr, int prefix_bits_v6);
    bool Match(const CNetAddr& addr) const;
    bool IsValid() const { return m_valid; }
    std::string ToString() const; //!< "1.2.3.0/24", "::1/128"
    bool operator<(const CSubNet& o) const { return m_network != o.m_network ? m_network < o.m_network : m_bits < o.m_bits; }
    bool operator==(const CSubNet& o) const { return m_network == o.m_network && m_bits == o.m_bits; }

    template <typename Stream> void Serialize(Stream& s) const
    {
        m_network.Serialize(s);
        ::Serialize(s, static_cast<uint8_t>(m_bits));
    }
    template <typename Stream> void Unserialize(Stream& s)
    {
        m_network.Unserialize(s);
        uint8_t bits;
        ::Unserialize(s, bits);
        if (bits > 128) throw SerializationError("subnet prefix > 128");
        *this = CSubNet(m_network, bits);
    }

private:
    CNetAddr m_network;
    int m_bits{0};
    bool m_valid{false};
};

/** "1.2.3.4", "1.2.3.0/24", "::1", "2001:db8::/32". */
std::optional<CSubNet> ParseSubNet(const std::string& str);

/** An address as gossiped in addr messages. */
struct CAddress {
    uint32_t time{0};
    uint64_t services{0};
    CService service;
    ODA_SERIALIZE_FIELDS(time, services, service)
};

} // namespace net

#endif // ODA_NET_NETADDRESS_H
