// Bans and discouragement.
//
// - Bans (setban, -bantime): subnets with an expiry time (unix seconds), persisted to
//   <datadir>/banlist.dat (checksummed envelope, see net/fileutil.h). A banned address can
//   neither connect in nor be connected to. Expired bans are swept on every query.
// - Discouragement (misbehaviour): an in-memory set of addresses (not persisted, bounded to
//   MAX_DISCOURAGED; when full it is cleared, like a rolling filter). Discouraged addresses are
//   refused inbound while other slots are needed and never chosen for outbound.
// Thread-safe.
#ifndef ODA_NET_BANMAN_H
#define ODA_NET_BANMAN_H

#include <net/netaddress.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace net {

struct BanEntry {
    int64_t create_time{0};
    int64_t ban_until{0};
    ODA_SERIALIZE_FIELDS(create_time, ban_until)
};

class BanMan
{
public:
    static constexpr int64_t DEFAULT_BANTIME = 24 * 60 * 60;
    static constexpr size_t MAX_DISCOURAGED = 50000;
    static constexpr size_t MAX_BANS = 100000;

    /** path empty = not persisted. */
    BanMan(std::string path, std::array<uint8_t, 4> network_magic);

    /** false if the list is full (MAX_BANS) . */
    bool Ban(const CSubNet& subnet, int64_t ban_until, int64_t now);
    /** false if there was no such ban. */
    bool Unban(const CSubNet& subnet);
    bool IsBanned(const CNetAddr& addr, int64_t now);
    void ClearBanned();
    std::map<CSubNet, BanEntry> GetBanned(int64_t now);

    void Discourage(const CNetAddr& addr);
    bool IsDiscouraged(const CNetAddr& addr) const;
    void ClearDiscouraged();

    /** Writes the ban list (if a path was given). */
    bool Save(std::string& error);
    /** Reads the ban list; false + error if missing or corrupt (then the list stays empty). */
    bool Load(std::string& error);

private:
    void SweepLocked(int64_t now);
    const std::string m_path;
    const std::array<uint8_t, 4> m_network_magic;
    mutable std::mutex m_mutex;
    std::map<CSubNet, BanEntry> m_banned;
    std::set<CNetAddr> m_discouraged;
};

} // namespace net

#endif // ODA_NET_BANMAN_H
