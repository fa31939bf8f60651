#include <net/banman.h>

#include <net/fileutil.h>
#include <streams.h>

namespace net {

namespace {
constexpr std::array<uint8_t, 4> BANLIST_FILE_MAGIC{'O', 'D', 'A', 'B'};
constexpr uint8_t BANLIST_FILE_VERSION = 1;
constexpr size_t MAX_BANLIST_FILE_SIZE = 16 * 1024 * 1024;
} // namespace

BanMan::BanMan(std::string path, std::array<uint8_t, 4> network_magic)
    : m_path(std::move(path)), m_network_magic(network_magic)
{
}

bool BanMan::Ban(const CSubNet& subnet, int64_t ban_until, int64_t now)
{
    if (!subnet.IsValid()) return false;
    std::lock_guard<std::mutex> lock(m_mutex);
    SweepLocked(now);
    if (m_banned.size() >= MAX_BANS && !m_banned.count(subnet)) return false;
    m_banned[subnet] = BanEntry{now, ban_until};
    return true;
}

bool BanMan::Unban(const CSubNet& subnet)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_banned.erase(subnet) > 0;
}

bool BanMan::IsBanned(const CNetAddr& addr, int64_t now)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    SweepLocked(now);
    for (const auto& [subnet, entry] : m_banned) {
        if (subnet.Match(addr)) return true;
    }
    return false;
}

void BanMan::ClearBanned()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_banned.clear();
}

std::map<CSubNet, BanEntry> BanMan::GetBanned(int64_t now)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    SweepLocked(now);
    return m_banned;
}

void BanMan::SweepLocked(int64_t now)
{
    for (auto it = m_banned.begin(); it != m_banned.end();) {
        if (it->second.ban_until <= now) {
            it = m_banned.erase(it);
        } else {
            ++it;
        }
    }
}

void BanMan::Discourage(const CNetAddr& addr)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_discouraged.size() >= MAX_DISCOURAGED) m_discouraged.clear();
    m_discouraged.insert(addr);
}

bool BanMan::IsDiscouraged(const CNetAddr& addr) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_discouraged.count(addr) > 0;
}

void BanMan::ClearDiscouraged()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_discouraged.clear();
}

bool BanMan::Save(std::string& error)
{
    if (m_path.empty()) return true;
    std::vector<std::pair<CSubNet, BanEntry>> entries;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        entries.assign(m_banned.begin(), m_banned.end());
    }
    return WriteFileAtomic(m_path, WrapEnvelope(BANLIST_FILE_MAGIC, BANLIST_FILE_VERSION, m_network_magic,
                                                SerializeToBytes(entries)),
                           error);
}

bool BanMan::Load(std::string& error)
{
    if (m_path.empty()) return true;
    auto bytes = ReadWholeFile(m_path, MAX_BANLIST_FILE_SIZE, error);
    if (!bytes) return false;
    auto body = UnwrapEnvelope(*bytes, BANLIST_FILE_MAGIC, BANLIST_FILE_VERSION, m_network_magic, error);
    if (!body) return false;
    std::vector<std::pair<CSubNet, BanEntry>> entries;
    try {
        DeserializeExact(*body, entries);
    } catch (const SerializationError& e) {
        error = std::string("malformed ban list: ") + e.what();
        return false;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_banned.clear();
    for (const auto& [subnet, entry] : entries) {
        if (m_banned.size() >= MAX_BANS) break;
        m_banned[subnet] = entry;
    }
    return true;
}

} // namespace net
