#include <net/addrman.h>

#include <net/fileutil.h>
#include <streams.h>

#include <algorithm>

namespace net {

namespace {
constexpr std::array<uint8_t, 4> PEERS_FILE_MAGIC{'O', 'D', 'A', 'P'};
constexpr uint8_t PEERS_FILE_VERSION = 1;
constexpr size_t MAX_PEERS_FILE_SIZE = 16 * 1024 * 1024;
} // namespace

AddrMan::AddrMan(std::array<uint8_t, 4> network_magic, bool allow_local, size_t max_entries)
    : m_network_magic(network_magic), m_allow_local(allow_local), m_max_entries(std::max<size_t>(1, max_entries)),
      m_rng(RandomSeed())
{
}

bool AddrMan::Acceptable(const CService& s) const
{
    if (s.GetPort() == 0) return false;
    if (m_allow_local) return !s.IsUnspecified();
    return s.IsRoutable();
}

std::map<CService, AddrInfo>::iterator AddrMan::Worst()
{
    auto worst = m_entries.end();
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        const AddrInfo& e = it->second;
        if (e.last_success != 0) continue; // proven addresses are kept
        if (worst == m_entries.end() || e.attempts > worst->second.attempts ||
            (e.attempts == worst->second.attempts && e.addr.time < worst->second.addr.time)) {
            worst = it;
        }
    }
    return worst;
}

size_t AddrMan::Add(const std::vector<CAddress>& addrs, const CNetAddr& source, int64_t now)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    size_t added = 0;
    for (CAddress a : addrs) {
        if (!Acceptable(a.service)) continue;
        // A timestamp from the future or the far past is replaced by "a few days ago".
        if (a.time <= 100000000 || a.time > now + 600) a.time = static_cast<uint32_t>(std::max<int64_t>(0, now - 5 * 24 * 3600));
        auto it = m_entries.find(a.service);
        if (it != m_entries.end()) {
            if (a.time > it->second.addr.time) it->second.addr.time = a.time;
            it->second.addr.services |= a.services;
            continue;
        }
        if (m_entries.size() >= m_max_entries) {
            auto worst = Worst();
            if (worst == m_entries.end()) continue;
            m_entries.erase(worst);
        }
        AddrInfo info;
        info.addr = a;
        info.source = source;
        m_entries.emplace(a.service, info);
        ++added;
    }
    return added;
}

void AddrMan::Good(const CService& addr, int64_t now)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_entries.find(addr);
    if (it == m_entries.end()) return;
    it->second.last_success = now;
    it->second.last_try = now;
    it->second.attempts = 0;
    it->second.addr.time = static_cast<uint32_t>(now);
}

void AddrMan::Attempt(const CService& addr, int64_t now)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_entries.find(addr);
    if (it == m_entries.end()) return;
    it->second.last_try = now;
    if (it->second.attempts < 1000) ++it->second.attempts;
}

std::optional<CAddress> AddrMan::Select(int64_t now, const std::set<CService>& exclude)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<const AddrInfo*> tried, fresh;
    for (const auto& [svc, e] : m_entries) {
        if (exclude.count(svc)) continue;
        // Recently tried without success since: wait. (A success resets the delay.)
        if (e.last_try != 0 && e.last_try > e.last_success && now - e.last_try < RETRY_DELAY_SECONDS) continue;
        (e.last_success ? tried : fresh).push_back(&e);
    }
    if (tried.empty() && fresh.empty()) return std::nullopt;
    const bool use_tried = !tried.empty() && (fresh.empty() || (m_rng() & 1));
    const auto& pool = use_tried ? tried : fresh;
    return pool[m_rng() % pool.size()]->addr;
}

std::vector<CAddress> AddrMan::GetAddr(size_t max_count, size_t max_pct)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<CAddress> all;
    all.reserve(m_entries.size());
    for (const auto& [svc, e] : m_entries) {
        if (e.attempts >= 10 && e.last_success == 0) continue; // looks dead
        all.push_back(e.addr);
    }
    std::shuffle(all.begin(), all.end(), m_rng);
    size_t n = std::min(max_count, all.size());
    // Rounded up, so that a small book still shares something.
    if (max_pct < 100) n = std::min(n, (all.size() * max_pct + 99) / 100);
    all.resize(n);
    return all;
}

size_t AddrMan::Size() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_entries.size();
}

std::optional<AddrInfo> AddrMan::Find(const CService& addr) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_entries.find(addr);
    if (it == m_entries.end()) return std::nullopt;
    return it->second;
}

std::vector<uint8_t> AddrMan::Serialize() const
{
    std::vector<AddrInfo> entries;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const auto& [svc, e] : m_entries) entries.push_back(e);
    }
    return WrapEnvelope(PEERS_FILE_MAGIC, PEERS_FILE_VERSION, m_network_magic, SerializeToBytes(entries));
}

bool AddrMan::Deserialize(const std::vector<uint8_t>& bytes, std::string& error)
{
    auto body = UnwrapEnvelope(bytes, PEERS_FILE_MAGIC, PEERS_FILE_VERSION, m_network_magic, error);
    if (!body) return false;
    std::vector<AddrInfo> entries;
    try {
        DeserializeExact(*body, entries);
    } catch (const SerializationError& e) {
        error = std::string("malformed entries: ") + e.what();
        return false;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_entries.clear();
    for (const auto& e : entries) {
        if (m_entries.size() >= m_max_entries) break;
        if (!Acceptable(e.addr.service)) continue;
        m_entries[e.addr.service] = e;
    }
    return true;
}

bool AddrMan::Save(const std::string& path, std::string& error) const
{
    return WriteFileAtomic(path, Serialize(), error);
}

bool AddrMan::Load(const std::string& path, std::string& error)
{
    auto bytes = ReadWholeFile(path, MAX_PEERS_FILE_SIZE, error);
    if (!bytes) return false;
    return Deserialize(*bytes, error);
}

} // namespace net
