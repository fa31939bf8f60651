// The address book: peer addresses learnt from addr messages, -addnode/-connect and
// successful connections; the source of automatic outbound connections. Persisted to
// <datadir>/peers.dat.
//
// Contract:
// - Bounded: at most max_entries addresses (default 4096). When full, a new address replaces
//   the worst known one (never connected, most failed attempts, oldest); if every entry is
//   better than the new address, the new one is dropped.
// - Non-routable addresses (private, loopback, unspecified) are ignored unless allow_local
//   (regtest and tests, where every node is on 127.0.0.1).
// - Select() picks randomly, preferring (50 %) addresses that worked before, and skips those
//   tried in the last 60 s without a success since. Randomness is not consensus: it comes from an OS-seeded generator.
// - Files: magic "ODAP", format version, network magic, entries, SHA256d checksum of all
//   preceding bytes. A file that is truncated, corrupt, for another network or of an unknown
//   version is rejected (Load returns false with an error; the caller starts empty).
// Thread-safe (one internal mutex).
#ifndef ODA_NET_ADDRMAN_H
#define ODA_NET_ADDRMAN_H

#include <net/netaddress.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace net {

struct AddrInfo {
    CAddress addr;
    CNetAddr source;
    int64_t last_try{0};
    int64_t last_success{0};
    int32_t attempts{0};
    ODA_SERIALIZE_FIELDS(addr, source, last_try, last_success, attempts)
};

class AddrMan
{
public:
    static constexpr size_t DEFAULT_MAX_ENTRIES = 4096;
    /** Addresses whose last attempt is more recent than this are not selected. */
    static constexpr int64_t RETRY_DELAY_SECONDS = 60;

    AddrMan(std::array<uint8_t, 4> network_magic, bool allow_local, size_t max_entries = DEFAULT_MAX_ENTRIES);

    /** Adds or refreshes addresses; returns how many were new. */
    size_t Add(const std::vector<CAddress>& addrs, const CNetAddr& source, int64_t now);
    /** A connection to addr succeeded (handshake done). */
    void Good(const CService& addr, int64_t now);
    /** A connection to addr is being attempted. */
    void Attempt(const CService& addr, int64_t now);
    /** A random address to connect to, not in `exclude`; nullopt if none is eligible. */
    std::optional<CAddress> Select(int64_t now, const std::set<CService>& exclude = {});
    /** Up to max_count (and at most max_pct % of the book) random addresses, for getaddr. */
    std::vector<CAddress> GetAddr(size_t max_count, size_t max_pct);
    size_t Size() const;
    std::optional<AddrInfo> Find(const CService& addr) const;

    bool Save(const std::string& path, std::string& error) const;
    bool Load(const std::string& path, std::string& error);
    /** Serialized file content (Save writes this atomically). */
    std::vector<uint8_t> Serialize() const;
    bool Deserialize(const std::vector<uint8_t>& bytes, std::string& error);

private:
    bool Acceptable(const CService& s) const;
    /** The entry to drop when full, or end() if none is worse than a fresh address. */
    std::map<CService, AddrInfo>::iterator Worst();

    const std::array<uint8_t, 4> m_network_magic;
    const bool m_allow_local;
    const size_t m_max_entries;
    mutable std::mutex m_mutex;
    std::map<CService, AddrInfo> m_entries;
    std::mt19937_64 m_rng;
};

} // namespace net

#endif // ODA_NET_ADDRMAN_H
