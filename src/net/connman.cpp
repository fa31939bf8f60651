#include <net/connman.h>

#include <net/addrman.h>
#include <net/banman.h>
#include <util/logging.h>
#include <util/time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace net {

namespace {
constexpr int TIMER_INTERVAL_MS = 100;
/** Manual peers (-connect, -addnode) are retried this often. */
constexpr int64_t MANUAL_RETRY_SECONDS = 5;
constexpr size_t READ_CHUNK = 64 * 1024;
} // namespace

std::optional<NetMessage> CNode::PopMessage(size_t max_recv_buffer, bool& resume_reading)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    resume_reading = false;
    if (!parser.HasMessage()) return std::nullopt;
    NetMessage msg = parser.PopMessage();
    if (recv_paused && parser.QueuedBytes() < max_recv_buffer) resume_reading = true;
    return msg;
}

CConnman::CConnman(ConnmanOptions opts, AddrMan* addrman, BanMan* banman)
    : m_opts(std::move(opts)), m_addrman(addrman), m_banman(banman)
{
    if (!m_opts.clock) m_opts.clock = [] { return static_cast<int64_t>(time(nullptr)); };
    m_added_nodes = m_opts.addnode;
}

CConnman::~CConnman() { Stop(); }

bool CConnman::Start(NetEventsInterface& msgproc, std::string& error)
{
    m_msgproc = &msgproc;
    evthread_use_pthreads();
    m_base = event_base_new();
    if (!m_base) {
        error = "cannot create the network event loop";
        return false;
    }
    if (m_opts.listen) {
        std::vector<CService> binds = m_opts.binds;
        if (binds.empty()) {
            binds.push_back(CService(*ParseNetAddr("::"), m_opts.default_port));
            binds.push_back(CService(*ParseNetAddr("0.0.0.0"), m_opts.default_port));
        }
        for (const CService& b : binds) {
            sockaddr_storage ss;
            const size_t len = b.ToSockAddr(ss);
            // IPv6 wildcard sockets on Linux also take IPv4; binding 0.0.0.0 afterwards then
            // fails with EADDRINUSE, which is fine when the IPv6 one succeeded.
            evconnlistener* l = evconnlistener_new_bind(m_base, &CConnman::AcceptCallback, this,
                                                        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
                                                        reinterpret_cast<sockaddr*>(&ss), static_cast<int>(len));
            if (!l) {
                if (!m_opts.binds.empty()) {
                    error = "Unable to bind to " + b.ToString() + " on this computer (" + std::strerror(errno) + ")";
                    return false;
                }
                continue;
            }
            m_listeners.push_back(l);
            // Record the port actually bound (port 0 = chosen by the OS, used by tests).
            CService bound = b;
            sockaddr_storage actual;
            socklen_t actual_len = sizeof(actual);
            if (getsockname(evconnlistener_get_fd(l), reinterpret_cast<sockaddr*>(&actual), &actual_len) == 0) {
                if (auto a = CService::FromSockAddr(reinterpret_cast<sockaddr*>(&actual))) bound.SetPort(a->GetPort());
            }
            m_listen_addrs.push_back(bound);
            LogPrintf("P2P: listening on %s\n", bound.ToString().c_str());
        }
        if (m_listeners.empty()) {
            error = "Unable to bind to port " + std::to_string(m_opts.default_port) + " (already in use?)";
            return false;
        }
    }
    m_timer = event_new(m_base, -1, EV_PERSIST, &CConnman::TimerCallback, this);
    timeval tv{0, TIMER_INTERVAL_MS * 1000};
    event_add(m_timer, &tv);
    m_interrupt = false;
    m_net_thread = std::thread([this] { event_base_dispatch(m_base); });
    m_msg_thread = std::thread([this] { ThreadMessageHandler(); });
    return true;
}

void CConnman::Interrupt()
{
    m_interrupt = true;
    WakeMessageHandler();
}

void CConnman::Stop()
{
    Interrupt();
    if (m_msg_thread.joinable()) m_msg_thread.join();
    if (m_base) {
        // event_base_loopbreak() only stops a loop that is already running: event_base_loop()
        // clears the break flag when it starts. When Stop() follows Start() closely (a later
        // service failed to start) the network thread may not have entered the loop yet, and a
        // direct loopbreak would be lost and the join below would wait forever. An immediate
        // one-shot event whose callback breaks the loop works in both cases: it runs as soon
        // as the loop runs (the base is thread-safe, so a running loop is woken up for it).
        timeval now{0, 0};
        if (event_base_once(m_base, -1, EV_TIMEOUT, &CConnman::BreakLoopCallback, m_base, &now) != 0) {
            event_base_loopbreak(m_base); // no memory for the event: best effort
        }
    }
    if (m_net_thread.joinable()) m_net_thread.join();
    // Both threads are gone: tear everything down here.
    std::map<NodeId, std::shared_ptr<CNode>> nodes;
    {
        std::lock_guard<std::mutex> lock(m_nodes_mutex);
        nodes.swap(m_nodes);
    }
    for (auto& [id, node] : nodes) {
        if (!node->finalized && node->initialized && m_msgproc) {
            node->finalized = true;
            m_msgproc->FinalizeNode(*node);
        }
        FreeNode(*node);
    }
    for (auto* l : m_listeners) evconnlistener_free(l);
    m_listeners.clear();
    if (m_timer) event_free(m_timer);
    m_timer = nullptr;
    if (m_base) event_base_free(m_base);
    m_base = nullptr;
}

void CConnman::FreeNode(CNode& node)
{
    std::lock_guard<std::mutex> bev_lock(node.m_bev_mutex);
    std::lock_guard<std::mutex> lock(node.m_mutex);
    if (node.bev) {
        bufferevent_free(node.bev);
        node.bev = nullptr;
    }
}

void CConnman::WakeMessageHandler()
{
    {
        std::lock_guard<std::mutex> lock(m_wake_mutex);
        m_wake = true;
    }
    m_wake_cv.notify_one();
}

// ------------------------------------------------------------------ network thread

void CConnman::AcceptCallback(evconnlistener*, int fd, struct sockaddr* sa, int, void* arg)
{
    static_cast<CConnman*>(arg)->HandleAccept(fd, sa);
}

void CConnman::HandleAccept(int fd, const sockaddr* sa)
{
    auto addr = CService::FromSockAddr(sa);
    if (!addr) {
        close(fd);
        return;
    }
    // Normalise IPv4-mapped addresses (they already are 16-byte mapped in CNetAddr).
    bool whitelisted = false;
    for (const auto& w : m_opts.whitelist) whitelisted |= w.Match(*addr);
    const int64_t now = Now();
    if (!whitelisted && m_banman && (m_banman->IsBanned(*addr, now) || m_banman->IsDiscouraged(*addr))) {
        LogDebug(BCLog::NET, "connection from %s dropped (banned or discouraged)\n", addr->ToString().c_str());
        close(fd);
        return;
    }
    const int max_inbound = std::max(0, m_opts.max_connections - m_opts.max_outbound);
    if (static_cast<int>(GetNodeCount(true)) >= max_inbound) {
        LogDebug(BCLog::NET, "connection from %s dropped (inbound slots full)\n", addr->ToString().c_str());
        close(fd);
        return;
    }
    evutil_make_socket_nonblocking(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto node = std::make_shared<CNode>(m_next_id++, *addr, ConnectionType::INBOUND, m_opts.magic, now);
    node->connman = this;
    node->whitelisted = whitelisted;
    node->connected = true;
    node->last_recv = static_cast<int64_t>(time(nullptr));
    node->last_send = static_cast<int64_t>(time(nullptr));
    bufferevent* bev = bufferevent_socket_new(m_base, fd, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE);
    if (!bev) {
        close(fd);
        return;
    }
    node->bev = bev;
    bufferevent_setcb(bev, &CConnman::ReadCallback, nullptr, &CConnman::EventCallback, node.get());
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    LogDebug(BCLog::NET, "accepted connection from %s, peer=%lld\n", addr->ToString().c_str(), static_cast<long long>(node->id));
    {
        std::lock_guard<std::mutex> lock(m_nodes_mutex);
        m_nodes.emplace(node->id, node);
    }
    WakeMessageHandler();
}

void CConnman::ReadCallback(bufferevent*, void* arg)
{
    CNode* node = static_cast<CNode*>(arg);
    node->connman->DrainInput(*node);
}

void CConnman::DrainInput(CNode& node)
{
    bool got_message = false;
    {
        std::lock_guard<std::mutex> lock(node.m_mutex);
        if (!node.bev || node.disconnect) return;
        evbuffer* input = bufferevent_get_input(node.bev);
        uint8_t buf[READ_CHUNK];
        while (evbuffer_get_length(input) > 0) {
            if (node.parser.QueuedBytes() >= m_opts.max_receive_buffer) {
                // Stop reading: the kernel's buffers fill and TCP slows the sender down.
                node.recv_paused = true;
                bufferevent_disable(node.bev, EV_READ);
                break;
            }
            const int n = evbuffer_remove(input, buf, sizeof(buf));
            if (n <= 0) break;
            node.bytes_recv += n;
            m_total_recv += n;
            node.last_recv = static_cast<int64_t>(time(nullptr));
            std::string error;
            if (!node.parser.Feed(buf, static_cast<size_t>(n), error)) {
                LogPrintf("P2P: disconnecting peer=%lld (%s): %s\n", static_cast<long long>(node.id),
                          node.addr.ToString().c_str(), error.c_str());
                node.disconnect_reason = error;
                node.disconnect = true;
                bufferevent_disable(node.bev, EV_READ);
                break;
            }
            got_message |= node.parser.HasMessage();
        }
    }
    if (got_message || node.disconnect) WakeMessageHandler();
}

void CConnman::EventCallback(bufferevent*, short events, void* arg)
{
    CNode* node = static_cast<CNode*>(arg);
    if (events & BEV_EVENT_CONNECTED) {
        node->connected = true;
        node->last_recv = static_cast<int64_t>(time(nullptr));
        int one = 1;
        setsockopt(bufferevent_getfd(node->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        LogDebug(BCLog::NET, "connected to %s, peer=%lld\n", node->addr.ToString().c_str(), static_cast<long long>(node->id));
        node->connman->WakeMessageHandler();
        return;
    }
    if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if (!node->connected) {
            LogDebug(BCLog::NET, "connection to %s failed\n", node->addr.ToString().c_str());
        } else {
            LogDebug(BCLog::NET, "peer=%lld closed the connection\n", static_cast<long long>(node->id));
        }
        node->disconnect = true;
        node->connman->WakeMessageHandler();
    }
}

void CConnman::TimerCallback(int, short, void* arg) { static_cast<CConnman*>(arg)->Tick(); }

void CConnman::BreakLoopCallback(int, short, void* arg) { event_base_loopbreak(static_cast<event_base*>(arg)); }

void CConnman::Tick()
{
    const int64_t now = Now();
    std::vector<std::shared_ptr<CNode>> nodes = GetNodes();
    std::vector<NodeId> to_remove;
    for (auto& node : nodes) {
        if (node->disconnect) {
            // Free once the peer logic has finalized it (or never saw it).
            if (node->finalized || !node->initialized || m_interrupt) to_remove.push_back(node->id);
            continue;
        }
        if (!node->connected && node->connect_started &&
            (GetMonotonicMicros() / 1000) - node->connect_started > m_opts.connect_timeout_ms) {
            LogDebug(BCLog::NET, "connection to %s timed out\n", node->addr.ToString().c_str());
            node->disconnect = true;
            continue;
        }
        bool resume = false;
        {
            std::lock_guard<std::mutex> lock(node->m_mutex);
            if (node->recv_paused && node->parser.QueuedBytes() < m_opts.max_receive_buffer && node->bev) {
                node->recv_paused = false;
                bufferevent_enable(node->bev, EV_READ);
                resume = true;
            }
            if (node->bev) {
                node->pause_send = evbuffer_get_length(bufferevent_get_output(node->bev)) > m_opts.max_send_buffer;
            }
        }
        if (resume) DrainInput(*node);
    }
    bool woke = false;
    for (NodeId id : to_remove) {
        std::shared_ptr<CNode> node;
        {
            std::lock_guard<std::mutex> lock(m_nodes_mutex);
            auto it = m_nodes.find(id);
            if (it == m_nodes.end()) continue;
            node = it->second;
            m_nodes.erase(it);
        }
        FreeNode(*node);
        woke = true;
    }
    if (woke) WakeMessageHandler();
    if (m_interrupt) return;
    // Outbound connections every 5 ticks (0.5 s).
    if (++m_tick_count % 5 == 0) OpenOutbound();
    (void)now;
}

bool CConnman::IsConnectedTo(const CService& addr) const
{
    std::lock_guard<std::mutex> lock(m_nodes_mutex);
    for (const auto& [id, node] : m_nodes) {
        if (node->addr == addr && !node->disconnect) return true;
    }
    return false;
}

void CConnman::OpenConnection(const CService& addr, ConnectionType type)
{
    const int64_t now = Now();
    if (m_banman && (m_banman->IsBanned(addr, now) || (type == ConnectionType::OUTBOUND && m_banman->IsDiscouraged(addr)))) return;
    if (static_cast<int>(GetNodeCount()) >= m_opts.max_connections) return;
    if (IsConnectedTo(addr)) return;
    for (const auto& l : m_listen_addrs) {
        // Do not dial our own listening socket.
        if (l.GetPort() == addr.GetPort() && (l == addr || (l.IsUnspecified() && addr.IsLocal()))) return;
    }
    if (m_addrman && type == ConnectionType::OUTBOUND) m_addrman->Attempt(addr, now);
    auto node = std::make_shared<CNode>(m_next_id++, addr, type, m_opts.magic, now);
    node->connman = this;
    bool whitelisted = false;
    for (const auto& w : m_opts.whitelist) whitelisted |= w.Match(addr);
    node->whitelisted = whitelisted;
    bufferevent* bev = bufferevent_socket_new(m_base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE);
    if (!bev) return;
    bufferevent_setcb(bev, &CConnman::ReadCallback, nullptr, &CConnman::EventCallback, node.get());
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    sockaddr_storage ss;
    const size_t len = addr.ToSockAddr(ss);
    node->bev = bev;
    node->connect_started = (GetMonotonicMicros() / 1000);
    {
        std::lock_guard<std::mutex> lock(m_nodes_mutex);
        m_nodes.emplace(node->id, node);
    }
    if (bufferevent_socket_connect(bev, reinterpret_cast<sockaddr*>(&ss), static_cast<int>(len)) != 0) {
        node->disconnect = true;
        return;
    }
    LogDebug(BCLog::NET, "connecting to %s, peer=%lld\n", addr.ToString().c_str(), static_cast<long long>(node->id));
}

void CConnman::OpenOutbound()
{
    const int64_t now = Now();
    std::vector<std::string> manual;
    {
        std::lock_guard<std::mutex> lock(m_added_mutex);
        manual = m_opts.connect.empty() ? m_added_nodes : m_opts.connect;
        for (const auto& name : m_oneshots) {
            if (auto svc = ParseService(name, m_opts.default_port)) OpenConnection(*svc, ConnectionType::MANUAL);
        }
        m_oneshots.clear();
    }
    for (const std::string& name : manual) {
        auto svc = ParseService(name, m_opts.default_port);
        if (!svc || IsConnectedTo(*svc)) continue;
        {
            std::lock_guard<std::mutex> lock(m_added_mutex);
            auto& last = m_last_manual_attempt[name];
            if (last != 0 && now - last < MANUAL_RETRY_SECONDS) continue;
            last = now;
        }
        OpenConnection(*svc, ConnectionType::MANUAL);
    }
    if (!m_opts.connect.empty() || !m_addrman || m_opts.max_outbound <= 0) return;
    std::set<CService> exclude;
    int outbound = 0;
    {
        std::lock_guard<std::mutex> lock(m_nodes_mutex);
        for (const auto& [id, node] : m_nodes) {
            exclude.insert(node->addr);
            if (node->conn_type == ConnectionType::OUTBOUND && !node->disconnect) ++outbound;
        }
    }
    if (outbound >= m_opts.max_outbound) return;
    for (const auto& l : m_listen_addrs) exclude.insert(l);
    if (auto pick = m_addrman->Select(now, exclude)) OpenConnection(pick->service, ConnectionType::OUTBOUND);
}

// ------------------------------------------------------------------ message thread

void CConnman::ThreadMessageHandler()
{
    while (!m_interrupt) {
        bool more_work = false;
        for (auto& node : GetNodes()) {
            if (m_interrupt) break;
            if (node->disconnect) {
                if (node->initialized && !node->finalized) {
                    m_msgproc->FinalizeNode(*node);
                    node->finalized = true;
                }
                continue;
            }
            if (!node->connected) continue;
            if (!node->initialized) {
                node->initialized = true;
                m_msgproc->InitializeNode(*node);
            }
            if (!node->pause_send) more_work |= m_msgproc->ProcessMessages(*node);
            if (node->disconnect) continue;
            m_msgproc->SendMessages(*node);
        }
        std::unique_lock<std::mutex> lock(m_wake_mutex);
        if (!more_work && !m_wake) m_wake_cv.wait_for(lock, std::chrono::milliseconds(100));
        m_wake = false;
    }
}

void CConnman::PushMessage(CNode& node, const std::string& command, const std::vector<uint8_t>& payload)
{
    const std::vector<uint8_t> wire = MakeWireMessage(m_opts.magic, command, payload);
    std::lock_guard<std::mutex> lock(node.m_bev_mutex);
    if (!node.bev || node.disconnect) return;
    // Count before queueing: the event loop may put the bytes on the wire (and the peer may
    // answer) before bufferevent_write returns, and the counters must never lag what was sent.
    node.bytes_sent += static_cast<int64_t>(wire.size());
    m_total_sent += static_cast<int64_t>(wire.size());
    bufferevent_write(node.bev, wire.data(), wire.size());
    node.last_send = static_cast<int64_t>(time(nullptr));
    if (evbuffer_get_length(bufferevent_get_output(node.bev)) > m_opts.max_send_buffer) node.pause_send = true;
}

// ------------------------------------------------------------------ queries

std::shared_ptr<CNode> CConnman::FindNode(NodeId id) const
{
    std::lock_guard<std::mutex> lock(m_nodes_mutex);
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<CNode>> CConnman::GetNodes() const
{
    std::lock_guard<std::mutex> lock(m_nodes_mutex);
    std::vector<std::shared_ptr<CNode>> out;
    out.reserve(m_nodes.size());
    for (const auto& [id, node] : m_nodes) out.push_back(node);
    return out;
}

size_t CConnman::GetNodeCount(std::optional<bool> inbound) const
{
    std::lock_guard<std::mutex> lock(m_nodes_mutex);
    size_t n = 0;
    for (const auto& [id, node] : m_nodes) {
        if (node->disconnect) continue;
        if (inbound && node->IsInbound() != *inbound) continue;
        ++n;
    }
    return n;
}

bool CConnman::DisconnectNode(NodeId id)
{
    auto node = FindNode(id);
    if (!node || node->disconnect) return false;
    node->disconnect = true;
    WakeMessageHandler();
    return true;
}

bool CConnman::DisconnectNode(const CService& addr)
{
    bool found = false;
    for (auto& node : GetNodes()) {
        if (node->addr == addr && !node->disconnect) {
            node->disconnect = true;
            found = true;
        }
    }
    if (found) WakeMessageHandler();
    return found;
}

size_t CConnman::DisconnectSubnet(const CSubNet& subnet)
{
    size_t n = 0;
    for (auto& node : GetNodes()) {
        if (subnet.Match(node->addr) && !node->disconnect) {
            node->disconnect = true;
            ++n;
        }
    }
    if (n) WakeMessageHandler();
    return n;
}

bool CConnman::AddNode(const std::string& name)
{
    std::lock_guard<std::mutex> lock(m_added_mutex);
    if (std::find(m_added_nodes.begin(), m_added_nodes.end(), name) != m_added_nodes.end()) return false;
    m_added_nodes.push_back(name);
    m_last_manual_attempt.erase(name);
    return true;
}

bool CConnman::RemoveAddedNode(const std::string& name)
{
    std::lock_guard<std::mutex> lock(m_added_mutex);
    auto it = std::find(m_added_nodes.begin(), m_added_nodes.end(), name);
    if (it == m_added_nodes.end()) return false;
    m_added_nodes.erase(it);
    return true;
}

bool CConnman::OpenOneShot(const std::string& name)
{
    if (!ParseService(name, m_opts.default_port)) return false;
    std::lock_guard<std::mutex> lock(m_added_mutex);
    m_oneshots.push_back(name);
    return true;
}

std::vector<AddedNodeInfo> CConnman::GetAddedNodeInfo() const
{
    std::vector<std::string> names;
    {
        std::lock_guard<std::mutex> lock(m_added_mutex);
        names = m_added_nodes;
    }
    std::vector<AddedNodeInfo> out;
    for (const auto& name : names) {
        AddedNodeInfo info;
        info.name = name;
        info.resolved = ParseService(name, m_opts.default_port);
        if (info.resolved) {
            std::lock_guard<std::mutex> lock(m_nodes_mutex);
            for (const auto& [id, node] : m_nodes) {
                if (node->addr == *info.resolved && node->connected && !node->disconnect) info.connected = true;
            }
        }
        out.push_back(info);
    }
    return out;
}

std::vector<CService> CConnman::ListenAddresses() const { return m_listen_addrs; }

} // namespace net
