// Connection manager: sockets on libevent (bufferevents) in one network thread, plus one
// message-handler thread that runs the peer logic (NetEventsInterface).
//
// Threads and ownership:
// - Network thread (event loop): accepts inbound connections, opens outbound ones (-connect,
//   -addnode/addnode RPC, else the address book), reads bytes into each peer's MessageParser,
//   applies timeouts, frees disconnected peers.
// - Message thread: for each peer, InitializeNode once, then ProcessMessages / SendMessages;
//   FinalizeNode once after the peer was marked for disconnection. All peer-logic state is
//   touched only on this thread (no lock-order issues with the chainstate lock).
// Limits: inbound + outbound <= -maxconnections; outbound automatic <= max_outbound; per peer,
// complete-but-unprocessed messages <= -maxreceivebuffer KB (reading pauses beyond it, so the
// kernel applies TCP back-pressure), unsent bytes > -maxsendbuffer KB pauses message processing
// for that peer. A framing error (wrong magic, bad command, oversize length) disconnects.
#ifndef ODA_NET_CONNMAN_H
#define ODA_NET_CONNMAN_H

#include <net/netaddress.h>
#include <net/transport.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

struct event_base;
struct event;
struct bufferevent;
struct evconnlistener;

namespace net {

class AddrMan;
class BanMan;

using NodeId = int64_t;

enum class ConnectionType { INBOUND, OUTBOUND, MANUAL };

/** One connection. Shared between the two threads; fields say who writes them. */
class CNode
{
public:
    CNode(NodeId id, const CService& addr, ConnectionType type, std::array<uint8_t, 4> magic, int64_t now)
        : id(id), addr(addr), conn_type(type), connected_time(now), parser(magic) {}

    const NodeId id;
    const CService addr;
    const ConnectionType conn_type;
    const int64_t connected_time;
    bool IsInbound() const { return conn_type == ConnectionType::INBOUND; }

    std::atomic<bool> disconnect{false};   //!< set by anyone; the node is then torn down
    std::atomic<bool> connected{false};    //!< TCP connection established
    std::atomic<bool> finalized{false};    //!< FinalizeNode ran (message thread)
    bool initialized{false};               //!< InitializeNode ran (message thread only)
    std::atomic<bool> pause_send{false};   //!< unsent bytes above the send limit
    std::atomic<int64_t> bytes_sent{0}, bytes_recv{0};
    std::atomic<int64_t> last_send{0}, last_recv{0}; //!< unix seconds
    std::atomic<bool> whitelisted{false};
    class CConnman* connman{nullptr}; //!< for libevent callbacks

    /** Next complete message, if any (message thread). */
    std::optional<NetMessage> PopMessage(size_t max_recv_buffer, bool& resume_reading);

    // Receive side, guarded by m_mutex (network thread: parser input; message thread: pops).
    // Never held while calling into libevent from the message thread: libevent callbacks
    // run with the bufferevent's lock held and then take m_mutex.
    std::mutex m_mutex;
    //! Guards `bev` against being freed while the message thread writes to it.
    std::mutex m_bev_mutex;
    MessageParser parser;
    bool recv_paused{false};
    bufferevent* bev{nullptr};
    int64_t connect_started{0};
    std::string disconnect_reason;
};

/** What the connection manager calls; implemented by the peer logic. */
class NetEventsInterface
{
public:
    virtual ~NetEventsInterface() = default;
    virtual void InitializeNode(CNode& node) = 0;
    virtual void FinalizeNode(CNode& node) = 0;
    /** Handles at most one message; true if more work is pending. */
    virtual bool ProcessMessages(CNode& node) = 0;
    virtual void SendMessages(CNode& node) = 0;
};

struct ConnmanOptions {
    std::array<uint8_t, 4> magic{};
    uint16_t default_port{0};
    bool listen{true};
    std::vector<CService> binds;       //!< empty: all interfaces on default_port
    std::vector<std::string> connect;  //!< -connect: only these outbound peers
    std::vector<std::string> addnode;  //!< -addnode
    int max_connections{125};
    int max_outbound{8};
    size_t max_receive_buffer{5 * 1000 * 1000};
    size_t max_send_buffer{1000 * 1000};
    int64_t connect_timeout_ms{5000};
    std::vector<CSubNet> whitelist;
    std::function<int64_t()> clock; //!< unix seconds (mockable)
};

struct AddedNodeInfo {
    std::string name;
    bool connected{false};
    std::optional<CService> resolved;
};

class CConnman
{
public:
    CConnman(ConnmanOptions opts, AddrMan* addrman, BanMan* banman);
    ~CConnman();

    /** Binds listeners and starts both threads. false + error on failure. */
    bool Start(NetEventsInterface& msgproc, std::string& error);
    void Interrupt();
    void Stop();

    /** Queues a message for a peer; silently dropped if the peer is gone. */
    void PushMessage(CNode& node, const std::string& command, const std::vector<uint8_t>& payload);

    std::vector<std::shared_ptr<CNode>> GetNodes() const;
    size_t GetNodeCount(std::optional<bool> inbound = std::nullopt) const;
    bool DisconnectNode(NodeId id);
    bool DisconnectNode(const CService& addr);
    /** Disconnects every peer in subnet; returns how many. */
    size_t DisconnectSubnet(const CSubNet& subnet);

    bool AddNode(const std::string& name);
    bool RemoveAddedNode(const std::string& name);
    std::vector<AddedNodeInfo> GetAddedNodeInfo() const;
    /** addnode "onetry": one connection attempt soon. */
    bool OpenOneShot(const std::string& name);

    int64_t TotalBytesSent() const { return m_total_sent.load(); }
    int64_t TotalBytesRecv() const { return m_total_recv.load(); }
    std::vector<CService> ListenAddresses() const;
    bool IsListening() const { return !m_listeners.empty(); }
    int64_t Now() const { return m_opts.clock ? m_opts.clock() : 0; }
    const ConnmanOptions& Options() const { return m_opts; }
    /** Wakes the message thread (new data or work). */
    void WakeMessageHandler();

private:
    static void AcceptCallback(evconnlistener*, int fd, struct sockaddr* sa, int socklen, void* arg);
    static void ReadCallback(bufferevent* bev, void* arg);
    static void EventCallback(bufferevent* bev, short events, void* arg);
    static void TimerCallback(int, short, void* arg);
    /** Breaks the loop from inside it (see Stop()). */
    static void BreakLoopCallback(int, short, void* arg);

    void HandleAccept(int fd, const sockaddr* sa);
    void HandleRead(NodeId id);
    void HandleEvent(NodeId id, short events);
    void Tick();
    void DrainInput(CNode& node);
    void OpenConnection(const CService& addr, ConnectionType type);
    void OpenOutbound();
    std::shared_ptr<CNode> FindNode(NodeId id) const;
    bool IsConnectedTo(const CService& addr) const;
    void ThreadMessageHandler();
    void FreeNode(CNode& node);

    ConnmanOptions m_opts;
    AddrMan* m_addrman;
    BanMan* m_banman;
    NetEventsInterface* m_msgproc{nullptr};

    event_base* m_base{nullptr};
    event* m_timer{nullptr};
    std::vector<evconnlistener*> m_listeners;
    std::vector<CService> m_listen_addrs;
    std::thread m_net_thread;
    std::thread m_msg_thread;
    std::atomic<bool> m_interrupt{false};

    mutable std::mutex m_nodes_mutex;
    std::map<NodeId, std::shared_ptr<CNode>> m_nodes;
    std::atomic<NodeId> m_next_id{0};

    mutable std::mutex m_added_mutex;
    std::vector<std::string> m_added_nodes;
    std::vector<std::string> m_oneshots;
    std::map<std::string, int64_t> m_last_manual_attempt;

    std::mutex m_wake_mutex;
    std::condition_variable m_wake_cv;
    bool m_wake{false};

    std::atomic<int64_t> m_total_sent{0}, m_total_recv{0};
    int m_tick_count{0};
};

} // namespace net

#endif // ODA_NET_CONNMAN_H
