// A small HTTP server on libevent's evhttp for the JSON-RPC interface.
//
// Threads: one event-loop thread accepts connections and parses requests; handlers run on
// `threads` worker threads fed by a bounded queue (full -> 503 "Work queue depth exceeded").
// Replies written by a worker are handed back to the event loop to be sent.
// Before a handler runs, the event loop rejects: peers outside the allow list (403), unknown
// paths (404), bodies above max_body_bytes (413, by libevent), and everything once the server
// is interrupted (503).
#ifndef ODA_RPC_HTTPSERVER_H
#define ODA_RPC_HTTPSERVER_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct evhttp_request;
struct event_base;
struct evhttp;
struct evhttp_bound_socket;
class HTTPServer;

/** An IPv4 or IPv6 network: address + prefix mask. */
class IPSubnet
{
public:
    /** "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0", "::1", "fe80::/10". nullopt if invalid. */
    static std::optional<IPSubnet> Parse(const std::string& text);
    /** Whether a textual peer address ("127.0.0.1", "::1", "::ffff:10.0.0.1") lies in the net. */
    bool Contains(const std::string& ip) const;
    std::string ToString() const { return m_text; }

private:
    bool m_ipv6{false};
    uint8_t m_addr[16]{};
    uint8_t m_mask[16]{};
    std::string m_text;
};

/** "host", "host:port", "[v6]:port" -> (host, port); port 0 when absent. false when malformed. */
bool SplitHostPort(const std::string& in, std::string& host, uint16_t& port);

/** One HTTP request while a handler works on it. Reply exactly once with WriteReply; a
 *  request dropped without a reply gets "500 Unhandled request". */
class HTTPRequest
{
public:
    enum class Method { UNKNOWN, GET, POST, HEAD, PUT, OPTIONS };

    HTTPRequest(evhttp_request* req, HTTPServer& server);
    ~HTTPRequest();
    HTTPRequest(const HTTPRequest&) = delete;
    HTTPRequest& operator=(const HTTPRequest&) = delete;

    Method GetMethod() const { return m_method; }
    const std::string& GetURI() const { return m_uri; }
    /** Peer as "ip:port" / the ip alone. */
    std::string GetPeer() const;
    const std::string& GetPeerIP() const { return m_peer_ip; }
    std::optional<std::string> GetHeader(const std::string& name) const;
    const std::string& GetBody() const { return m_body; }

    /** Adds a response header (before WriteReply). */
    void WriteHeader(const std::string& name, const std::string& value);
    /** Sends the reply (from any thread). */
    void WriteReply(int status, const std::string& body = "");

private:
    evhttp_request* m_req;
    HTTPServer& m_server;
    Method m_method{Method::UNKNOWN};
    std::string m_uri;
    std::string m_peer_ip;
    uint16_t m_peer_port{0};
    std::map<std::string, std::string> m_in_headers; // lower-case names
    std::string m_body;
    std::vector<std::pair<std::string, std::string>> m_out_headers;
    bool m_replied{false};
};

/** Handler for a path prefix; `path` is the URI part after the prefix. */
using HTTPRequestHandler = std::function<void(HTTPRequest& request, const std::string& path)>;

struct HTTPServerOptions {
    std::vector<std::pair<std::string, uint16_t>> bind; //!< addresses to listen on
    std::vector<IPSubnet> allow;                        //!< peers allowed (others: 403)
    int threads{4};
    int work_queue_depth{16};
    size_t max_body_bytes{32 * 1024 * 1024};
    int timeout_seconds{30};
};

class HTTPServer
{
public:
    HTTPServer();
    ~HTTPServer();
    HTTPServer(const HTTPServer&) = delete;
    HTTPServer& operator=(const HTTPServer&) = delete;

    /** Handlers must be registered before Start(). exact_match: only the prefix itself. */
    void RegisterHandler(const std::string& prefix, bool exact_match, HTTPRequestHandler handler);

    /** Binds (at least one address must succeed) and starts the threads. false + error. */
    bool Start(const HTTPServerOptions& options, std::string& error);
    /** Stop accepting work: new requests get 503; queued ones still run. */
    void Interrupt();
    /** Finishes queued work, sends pending replies (waits up to a few seconds), closes the
     *  sockets and joins all threads. Safe to call twice or without Start(). */
    void Stop();

    /** Addresses actually bound ("127.0.0.1:19443"). */
    std::vector<std::string> BoundAddresses() const { return m_bound_names; }
    /** Ports actually bound, in the order of BoundAddresses() (port 0 binds resolve here). */
    std::vector<uint16_t> BoundPorts() const { return m_bound_ports; }

private:
    friend class HTTPRequest;
    struct PathHandler {
        std::string prefix;
        bool exact_match;
        HTTPRequestHandler handler;
    };

    static void OnRequest(evhttp_request* req, void* arg);
    static void OnRequestComplete(evhttp_request* req, void* arg);
    void HandleRequest(evhttp_request* req);
    void WorkerLoop();
    /** Runs fn on the event-loop thread (from any thread). */
    void RunInEventLoop(std::function<void()> fn);
    /** RunInEventLoop and wait (at most a few seconds) until fn has run. */
    void RunInEventLoopAndWait(std::function<void()> fn);

    event_base* m_base{nullptr};
    evhttp* m_http{nullptr};
    std::vector<evhttp_bound_socket*> m_sockets;
    std::vector<std::string> m_bound_names;
    std::vector<uint16_t> m_bound_ports;
    HTTPServerOptions m_options;
    std::vector<PathHandler> m_handlers;
    std::thread m_event_thread;
    std::vector<std::thread> m_workers;

    std::mutex m_queue_mutex;
    std::condition_variable m_queue_cv;
    std::deque<std::function<void()>> m_queue;
    bool m_workers_running{false};
    std::atomic<bool> m_interrupted{false};
    std::atomic<int> m_open_requests{0};
};

#endif // ODA_RPC_HTTPSERVER_H
