#include <rpc/httpserver.h>

#include <rpc/protocol.h>
#include <util/logging.h>
#include <util/strencodings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>

#include <chrono>
#include <future>
#include <cstring>

// ---------------------------------------------------------------- IPSubnet

std::optional<IPSubnet> IPSubnet::Parse(const std::string& text)
{
    IPSubnet net;
    net.m_text = text;
    std::string addr = text;
    std::string mask;
    size_t slash = text.find('/');
    if (slash != std::string::npos) {
        addr = text.substr(0, slash);
        mask = text.substr(slash + 1);
        if (mask.empty()) return std::nullopt;
    }
    size_t len;
    if (inet_pton(AF_INET, addr.c_str(), net.m_addr) == 1) {
        net.m_ipv6 = false;
        len = 4;
    } else if (inet_pton(AF_INET6, addr.c_str(), net.m_addr) == 1) {
        net.m_ipv6 = true;
        len = 16;
    } else {
        return std::nullopt;
    }
    int prefix = static_cast<int>(len * 8);
    if (!mask.empty()) {
        int32_t bits;
        if (ParseInt32(mask, &bits)) {
            if (bits < 0 || bits > prefix) return std::nullopt;
            prefix = bits;
        } else {
            // Netmask form: must be a contiguous run of ones.
            uint8_t m[16] = {};
            if (inet_pton(net.m_ipv6 ? AF_INET6 : AF_INET, mask.c_str(), m) != 1) return std::nullopt;
            int ones = 0;
            bool seen_zero = false;
            for (size_t i = 0; i < len * 8; ++i) {
                bool bit = (m[i / 8] >> (7 - i % 8)) & 1;
                if (bit && seen_zero) return std::nullopt;
                if (bit) ++ones; else seen_zero = true;
            }
            prefix = ones;
        }
    }
    for (size_t i = 0; i < len * 8; ++i) {
        if (static_cast<int>(i) < prefix) net.m_mask[i / 8] |= static_cast<uint8_t>(1 << (7 - i % 8));
    }
    for (size_t i = 0; i < len; ++i) net.m_addr[i] &= net.m_mask[i];
    return net;
}

bool IPSubnet::Contains(const std::string& ip) const
{
    uint8_t a[16] = {};
    bool is_v6;
    if (inet_pton(AF_INET, ip.c_str(), a) == 1) {
        is_v6 = false;
    } else if (inet_pton(AF_INET6, ip.c_str(), a) == 1) {
        is_v6 = true;
        // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 peer a.b.c.d.
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(a, mapped, 12) == 0) {
            std::memmove(a, a + 12, 4);
            std::memset(a + 4, 0, 12);
            is_v6 = false;
        }
    } else {
        return false;
    }
    if (is_v6 != m_ipv6) return false;
    size_t len = m_ipv6 ? 16 : 4;
    for (size_t i = 0; i < len; ++i) {
        if ((a[i] & m_mask[i]) != m_addr[i]) return false;
    }
    return true;
}

bool SplitHostPort(const std::string& in, std::string& host, uint16_t& port)
{
    port = 0;
    host = in;
    if (in.empty()) return false;
    if (in[0] == '[') {
        size_t close = in.find(']');
        if (close == std::string::npos) return false;
        host = in.substr(1, close - 1);
        std::string rest = in.substr(close + 1);
        if (rest.empty()) return true;
        if (rest[0] != ':') return false;
        return ParseUInt16(rest.substr(1), &port) && port != 0;
    }
    size_t colon = in.rfind(':');
    // More than one colon without brackets: a bare IPv6 address.
    if (colon == std::string::npos || in.find(':') != colon) return true;
    host = in.substr(0, colon);
    return !host.empty() && ParseUInt16(in.substr(colon + 1), &port) && port != 0;
}

// ---------------------------------------------------------------- HTTPRequest

HTTPRequest::HTTPRequest(evhttp_request* req, HTTPServer& server) : m_req(req), m_server(server)
{
    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET: m_method = Method::GET; break;
    case EVHTTP_REQ_POST: m_method = Method::POST; break;
    case EVHTTP_REQ_HEAD: m_method = Method::HEAD; break;
    case EVHTTP_REQ_PUT: m_method = Method::PUT; break;
    case EVHTTP_REQ_OPTIONS: m_method = Method::OPTIONS; break;
    default: m_method = Method::UNKNOWN; break;
    }
    const char* uri = evhttp_request_get_uri(req);
    m_uri = uri ? uri : "";
    if (evhttp_connection* conn = evhttp_request_get_connection(req)) {
        char* address = nullptr;
        evhttp_connection_get_peer(conn, &address, &m_peer_port);
        if (address) m_peer_ip = address;
    }
    if (evkeyvalq* headers = evhttp_request_get_input_headers(req)) {
        for (evkeyval* h = headers->tqh_first; h != nullptr; h = h->next.tqe_next) {
            m_in_headers[ToLower(h->key)] = h->value;
        }
    }
    if (evbuffer* buf = evhttp_request_get_input_buffer(req)) {
        size_t size = evbuffer_get_length(buf);
        m_body.resize(size);
        if (size > 0) evbuffer_copyout(buf, m_body.data(), size);
    }
}

HTTPRequest::~HTTPRequest()
{
    if (!m_replied) {
        LogDebug(BCLog::HTTP, "Unhandled HTTP request %s\n", SanitizeString(m_uri, 200).c_str());
        WriteReply(HTTP_INTERNAL_SERVER_ERROR, "Unhandled request");
    }
}

std::string HTTPRequest::GetPeer() const
{
    if (m_peer_ip.find(':') != std::string::npos) return strprintf("[%s]:%u", m_peer_ip.c_str(), unsigned{m_peer_port});
    return strprintf("%s:%u", m_peer_ip.c_str(), unsigned{m_peer_port});
}

std::optional<std::string> HTTPRequest::GetHeader(const std::string& name) const
{
    auto it = m_in_headers.find(ToLower(name));
    if (it == m_in_headers.end()) return std::nullopt;
    return it->second;
}

void HTTPRequest::WriteHeader(const std::string& name, const std::string& value)
{
    m_out_headers.emplace_back(name, value);
}

void HTTPRequest::WriteReply(int status, const std::string& body)
{
    if (m_replied) return;
    m_replied = true;
    evhttp_request* req = m_req;
    HTTPServer* server = &m_server;
    auto headers = std::move(m_out_headers);
    m_server.RunInEventLoop([req, server, status, body, headers]() {
        if (evhttp_request_get_connection(req) == nullptr) {
            // The client went away; libevent frees the request in evhttp_send_reply and will
            // not call the completion callback, so account for it here.
            server->m_open_requests--;
        }
        evkeyvalq* out = evhttp_request_get_output_headers(req);
        for (const auto& [name, value] : headers) evhttp_add_header(out, name.c_str(), value.c_str());
        evbuffer* buf = evhttp_request_get_output_buffer(req);
        if (!body.empty()) evbuffer_add(buf, body.data(), body.size());
        evhttp_send_reply(req, status, nullptr, nullptr);
    });
}

// ---------------------------------------------------------------- HTTPServer

HTTPServer::HTTPServer() = default;

HTTPServer::~HTTPServer() { Stop(); }

void HTTPServer::RegisterHandler(const std::string& prefix, bool exact_match, HTTPRequestHandler handler)
{
    m_handlers.push_back(PathHandler{prefix, exact_match, std::move(handler)});
}

namespace {
void RunFunctionCallback(evutil_socket_t, short, void* arg)
{
    std::unique_ptr<std::function<void()>> fn(static_cast<std::function<void()>*>(arg));
    (*fn)();
}
} // namespace

void HTTPServer::RunInEventLoop(std::function<void()> fn)
{
    auto* heap_fn = new std::function<void()>(std::move(fn));
    timeval now{0, 0};
    if (event_base_once(m_base, -1, EV_TIMEOUT, RunFunctionCallback, heap_fn, &now) != 0) delete heap_fn;
}

void HTTPServer::RunInEventLoopAndWait(std::function<void()> fn)
{
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    RunInEventLoop([fn = std::move(fn), done]() {
        fn();
        done->set_value();
    });
    // Bounded: a wedged event loop must not hang shutdown.
    finished.wait_for(std::chrono::seconds(5));
}

void HTTPServer::OnRequest(evhttp_request* req, void* arg) { static_cast<HTTPServer*>(arg)->HandleRequest(req); }

void HTTPServer::OnRequestComplete(evhttp_request*, void* arg) { static_cast<HTTPServer*>(arg)->m_open_requests--; }

void HTTPServer::HandleRequest(evhttp_request* req)
{
    m_open_requests++;
    evhttp_request_set_on_complete_cb(req, &HTTPServer::OnRequestComplete, this);
    auto request = std::make_unique<HTTPRequest>(req, *this);
    LogDebug(BCLog::HTTP, "Received a request for %s from %s\n", SanitizeString(request->GetURI(), 200).c_str(),
             request->GetPeer().c_str());

    bool allowed = false;
    for (const IPSubnet& net : m_options.allow) allowed = allowed || net.Contains(request->GetPeerIP());
    if (!allowed) {
        LogPrintf("HTTP request from %s rejected: client network is not allowed RPC access\n",
                  request->GetPeer().c_str());
        request->WriteReply(HTTP_FORBIDDEN);
        return;
    }
    if (request->GetMethod() == HTTPRequest::Method::UNKNOWN) {
        request->WriteReply(HTTP_BAD_METHOD);
        return;
    }
    if (m_interrupted) {
        request->WriteReply(HTTP_SERVICE_UNAVAILABLE, "Request rejected because http server is shutting down");
        return;
    }
    // Path without the query string.
    std::string path = request->GetURI().substr(0, request->GetURI().find('?'));
    const PathHandler* match = nullptr;
    for (const PathHandler& h : m_handlers) {
        bool hit = h.exact_match ? path == h.prefix : HasPrefix(path, h.prefix);
        if (hit) {
            match = &h;
            break;
        }
    }
    if (!match) {
        request->WriteReply(HTTP_NOT_FOUND);
        return;
    }
    std::string rest = path.substr(match->prefix.size());
    std::lock_guard<std::mutex> lock(m_queue_mutex);
    if (m_queue.size() >= static_cast<size_t>(m_options.work_queue_depth)) {
        LogPrintf("WARNING: request rejected because http work queue depth exceeded, it can be increased with "
                  "the -rpcworkqueue= setting\n");
        request->WriteReply(HTTP_SERVICE_UNAVAILABLE, "Work queue depth exceeded");
        return;
    }
    // std::function needs a copyable callable: hand the request over through a shared_ptr.
    std::shared_ptr<HTTPRequest> shared(std::move(request));
    HTTPRequestHandler handler = match->handler;
    m_queue.emplace_back([shared, handler, rest]() { handler(*shared, rest); });
    m_queue_cv.notify_one();
}

void HTTPServer::WorkerLoop()
{
    while (true) {
        std::function<void()> task;
        {
            std::unique_lock<std::mutex> lock(m_queue_mutex);
            m_queue_cv.wait(lock, [this] { return !m_queue.empty() || !m_workers_running; });
            if (m_queue.empty()) return; // stopped and drained
            task = std::move(m_queue.front());
            m_queue.pop_front();
        }
        try {
            task();
        } catch (const std::exception& e) {
            LogPrintf("HTTP worker: unexpected exception: %s\n", e.what());
        } catch (...) {
            LogPrintf("HTTP worker: unexpected exception\n");
        }
    }
}

bool HTTPServer::Start(const HTTPServerOptions& options, std::string& error)
{
    m_options = options;
    if (m_options.threads < 1) m_options.threads = 1;
    if (m_options.work_queue_depth < 1) m_options.work_queue_depth = 1;
    // Workers hand replies to the event loop with event_base_once: libevent must lock.
    evthread_use_pthreads();
    m_base = event_base_new();
    if (!m_base) {
        error = "Couldn't create an event_base";
        return false;
    }
    m_http = evhttp_new(m_base);
    if (!m_http) {
        error = "Couldn't create evhttp";
        return false;
    }
    evhttp_set_timeout(m_http, m_options.timeout_seconds);
    evhttp_set_max_headers_size(m_http, 8192);
    evhttp_set_max_body_size(m_http, static_cast<ev_ssize_t>(m_options.max_body_bytes));
    evhttp_set_allowed_methods(m_http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                           EVHTTP_REQ_OPTIONS | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(m_http, &HTTPServer::OnRequest, this);

    for (const auto& [host, port] : m_options.bind) {
        evhttp_bound_socket* sock = evhttp_bind_socket_with_handle(m_http, host.c_str(), port);
        uint16_t actual_port = port;
        if (sock) {
            // Port 0 asks the OS for a free port: report the one it chose.
            sockaddr_storage ss;
            socklen_t len = sizeof(ss);
            if (getsockname(evhttp_bound_socket_get_fd(sock), reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
                if (ss.ss_family == AF_INET) actual_port = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
                if (ss.ss_family == AF_INET6) actual_port = ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
            }
        }
        std::string name = host.find(':') != std::string::npos ? strprintf("[%s]:%u", host.c_str(), unsigned{actual_port})
                                                                : strprintf("%s:%u", host.c_str(), unsigned{actual_port});
        if (sock) {
            m_sockets.push_back(sock);
            m_bound_ports.push_back(actual_port);
            m_bound_names.push_back(name);
            LogPrintf("Binding RPC on address %s\n", name.c_str());
        } else {
            LogPrintf("Binding RPC on address %s failed.\n", name.c_str());
        }
    }
    if (m_sockets.empty()) {
        error = "Unable to bind any endpoint for RPC server";
        if (!m_options.bind.empty()) {
            error += strprintf(" (tried %s:%u; is another server already running on that port?)",
                               m_options.bind.front().first.c_str(), unsigned{m_options.bind.front().second});
        }
        evhttp_free(m_http);
        m_http = nullptr;
        event_base_free(m_base);
        m_base = nullptr;
        return false;
    }
    m_event_thread = std::thread([this] { event_base_loop(m_base, EVLOOP_NO_EXIT_ON_EMPTY); });
    m_workers_running = true;
    for (int i = 0; i < m_options.threads; ++i) m_workers.emplace_back([this] { WorkerLoop(); });
    LogDebug(BCLog::HTTP, "HTTP server started with %d worker threads, queue depth %d\n", m_options.threads,
             m_options.work_queue_depth);
    return true;
}

void HTTPServer::Interrupt()
{
    m_interrupted = true;
}

void HTTPServer::Stop()
{
    if (!m_base) return;
    m_interrupted = true;
    {
        std::lock_guard<std::mutex> lock(m_queue_mutex);
        m_workers_running = false;
    }
    m_queue_cv.notify_all();
    for (std::thread& t : m_workers) t.join();
    m_workers.clear();

    // Stop listening (on the loop thread), then let pending replies go out before breaking
    // the loop: a bounded wait, so a stuck client cannot hold up shutdown.
    std::vector<evhttp_bound_socket*> sockets = std::move(m_sockets);
    evhttp* http = m_http;
    RunInEventLoopAndWait([http, sockets]() {
        for (evhttp_bound_socket* s : sockets) evhttp_del_accept_socket(http, s);
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (m_open_requests.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Callbacks scheduled before this one (replies of the last requests) have run when it runs.
    RunInEventLoopAndWait([] {});
    // Break from inside the loop: event_base_loop() clears the break flag when it starts, so a
    // direct event_base_loopbreak() is lost if the event thread has not entered the loop yet
    // (both bounded waits above may have timed out on a starved machine) and the join hangs.
    event_base* base = m_base;
    RunInEventLoop([base] { event_base_loopbreak(base); });
    if (m_event_thread.joinable()) m_event_thread.join();
    evhttp_free(m_http);
    m_http = nullptr;
    event_base_free(m_base);
    m_base = nullptr;
    LogDebug(BCLog::HTTP, "HTTP server stopped\n");
}
