// Unit tests for the HTTP layer's pure parts: subnets, host:port, Basic auth, cookies.
#include <rpc/httprpc.h>
#include <rpc/httpserver.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(rpc_http_tests)

BOOST_AUTO_TEST_CASE(subnets)
{
    auto local = IPSubnet::Parse("127.0.0.0/8");
    BOOST_REQUIRE(local);
    BOOST_CHECK(local->Contains("127.0.0.1"));
    BOOST_CHECK(local->Contains("127.255.1.2"));
    BOOST_CHECK(local->Contains("::ffff:127.0.0.1")); // IPv4-mapped
    BOOST_CHECK(!local->Contains("128.0.0.1"));
    BOOST_CHECK(!local->Contains("::1"));
    BOOST_CHECK(!local->Contains("garbage"));

    auto mask = IPSubnet::Parse("10.1.0.0/255.255.0.0");
    BOOST_REQUIRE(mask);
    BOOST_CHECK(mask->Contains("10.1.200.3"));
    BOOST_CHECK(!mask->Contains("10.2.0.1"));
    auto host = IPSubnet::Parse("192.168.1.5");
    BOOST_REQUIRE(host);
    BOOST_CHECK(host->Contains("192.168.1.5"));
    BOOST_CHECK(!host->Contains("192.168.1.6"));
    auto v6 = IPSubnet::Parse("fe80::/10");
    BOOST_REQUIRE(v6);
    BOOST_CHECK(v6->Contains("fe80::1"));
    BOOST_CHECK(v6->Contains("febf::1"));
    BOOST_CHECK(!v6->Contains("fec0::1"));
    BOOST_CHECK(IPSubnet::Parse("::1")->Contains("::1"));
    BOOST_CHECK(IPSubnet::Parse("0.0.0.0/0")->Contains("8.8.8.8"));

    BOOST_CHECK(!IPSubnet::Parse("1.2.3.4/33"));
    BOOST_CHECK(!IPSubnet::Parse("1.2.3.4/255.0.255.0")); // non-contiguous mask
    BOOST_CHECK(!IPSubnet::Parse("1.2.3.4/"));
    BOOST_CHECK(!IPSubnet::Parse("example.com"));
    BOOST_CHECK(!IPSubnet::Parse("1.2.3"));
}

BOOST_AUTO_TEST_CASE(host_port)
{
    std::string host;
    uint16_t port;
    BOOST_CHECK(SplitHostPort("127.0.0.1", host, port) && host == "127.0.0.1" && port == 0);
    BOOST_CHECK(SplitHostPort("127.0.0.1:8332", host, port) && host == "127.0.0.1" && port == 8332);
    BOOST_CHECK(SplitHostPort("[::1]:19443", host, port) && host == "::1" && port == 19443);
    BOOST_CHECK(SplitHostPort("::1", host, port) && host == "::1" && port == 0);
    BOOST_CHECK(SplitHostPort("[::1]", host, port) && host == "::1" && port == 0);
    BOOST_CHECK(!SplitHostPort("host:99999", host, port));
    BOOST_CHECK(!SplitHostPort("host:0", host, port));
    BOOST_CHECK(!SplitHostPort("[::1", host, port));
    BOOST_CHECK(!SplitHostPort("", host, port));
}

BOOST_AUTO_TEST_CASE(rpcauth_entries)
{
    std::string error, user;
    // Made by contrib/rpcauth.py with salt "c0ffee" (hex HMAC-SHA256(key=salt, message=password)).
    const std::string line = "bob:c0ffee$d5f51df7ff6cb9925a20b0881f978394d471c1c9cacc947d7f192db57a263fd0";
    auto entry = RPCAuthEntry::Parse(line, error);
    BOOST_REQUIRE_MESSAGE(entry, error);
    BOOST_CHECK_EQUAL(entry->user, "bob");
    BOOST_CHECK_EQUAL(entry->salt, "c0ffee");
    BOOST_CHECK(entry->Matches("p4ss:word")); // passwords may contain ':'
    BOOST_CHECK(!entry->Matches("p4ss:wor"));
    BOOST_CHECK(!entry->Matches(""));
    // Upper-case hex is accepted.
    BOOST_CHECK(RPCAuthEntry::Parse("bob:c0ffee$D5F51DF7FF6CB9925A20B0881F978394D471C1C9CACC947D7F192DB57A263FD0", error)->Matches("p4ss:word"));
    for (const char* bad : {"bob", "bob:c0ffee", "bob:c0ffee$", "bob:c0ffee$zz", ":c0ffee$d5f51df7ff6cb9925a20b0881f978394d471c1c9cacc947d7f192db57a263fd0",
                            "bob:$d5f51df7ff6cb9925a20b0881f978394d471c1c9cacc947d7f192db57a263fd0", "bob$c0ffee:d5f5"}) {
        BOOST_CHECK_MESSAGE(!RPCAuthEntry::Parse(bad, error), bad);
    }

    RPCCredentials creds;
    creds.userpass.push_back("__cookie__:abc");
    creds.hashed.push_back(*entry);
    BOOST_CHECK(creds.Check("Basic " + EncodeBase64("bob:p4ss:word"), user));
    BOOST_CHECK_EQUAL(user, "bob");
    BOOST_CHECK(creds.Check("Basic " + EncodeBase64("__cookie__:abc"), user));
    BOOST_CHECK_EQUAL(user, "__cookie__");
    BOOST_CHECK(!creds.Check("Basic " + EncodeBase64("bob:wrong"), user));
    BOOST_CHECK(!creds.Check("Basic " + EncodeBase64("alice:p4ss:word"), user)); // right password, wrong user
    BOOST_CHECK(!creds.Check("Basic " + EncodeBase64("bobp4ss:word"), user));
    BOOST_CHECK(!RPCCredentials{}.Check("Basic " + EncodeBase64("bob:p4ss:word"), user));
}

BOOST_AUTO_TEST_CASE(basic_auth_and_cookie)
{
    std::string user;
    const std::string expected = "alice:secret";
    BOOST_CHECK(CheckBasicAuthorization("Basic " + EncodeBase64("alice:secret"), expected, user));
    BOOST_CHECK_EQUAL(user, "alice");
    BOOST_CHECK(!CheckBasicAuthorization("Basic " + EncodeBase64("alice:wrong"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Basic " + EncodeBase64("alice:secret2"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Basic " + EncodeBase64("alice:secre"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Bearer " + EncodeBase64("alice:secret"), expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("Basic !!!", expected, user));
    BOOST_CHECK(!CheckBasicAuthorization("", expected, user));

    std::string cookie = GenerateAuthCookie();
    BOOST_REQUIRE_EQUAL(cookie.size(), 11u + 64u);
    BOOST_CHECK(HasPrefix(cookie, "__cookie__:"));
    BOOST_CHECK(cookie != GenerateAuthCookie());
    BOOST_CHECK(CheckBasicAuthorization("Basic " + EncodeBase64(cookie), cookie, user));
    BOOST_CHECK_EQUAL(user, "__cookie__");

    BOOST_CHECK(TimingResistantEqual("abc", "abc"));
    BOOST_CHECK(!TimingResistantEqual("abc", "abd"));
    BOOST_CHECK(!TimingResistantEqual("ab", "abc"));
    BOOST_CHECK(!TimingResistantEqual("abcabc", "abc"));
    BOOST_CHECK(TimingResistantEqual("", ""));
    BOOST_CHECK(!TimingResistantEqual("a", ""));
}


// ---- A real HTTPServer on 127.0.0.1 with an OS-chosen port, driven by a plain socket client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <vector>
#include <mutex>
#include <thread>

namespace {
/** Sends one raw HTTP request and returns the whole response (server closes the connection). */
std::string RawHTTP(uint16_t port, const std::string& request)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return "";
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        close(fd);
        return "";
    }
    size_t sent = 0;
    while (sent < request.size()) {
        ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string response;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
    close(fd);
    return response;
}

std::string Post(const std::string& path, const std::string& body)
{
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

int StatusOf(const std::string& response)
{
    // "HTTP/1.1 200 OK"
    if (response.size() < 12) return 0;
    return std::stoi(response.substr(9, 3));
}

/** A gate that blocking handlers wait on, so the test controls when they finish. */
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool open{false};
    int waiting{0};
    void Wait()
    {
        std::unique_lock<std::mutex> lock(m);
        ++waiting;
        cv.notify_all();
        cv.wait(lock, [this] { return open; });
    }
    void WaitForWaiters(int n)
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return waiting >= n; });
    }
    void Open()
    {
        std::lock_guard<std::mutex> lock(m);
        open = true;
        cv.notify_all();
    }
};
} // namespace

BOOST_AUTO_TEST_CASE(http_server_end_to_end)
{
    Gate gate;
    HTTPServer server;
    server.RegisterHandler("/", true, [](HTTPRequest& req, const std::string&) {
        req.WriteHeader("Content-Type", "text/plain");
        req.WriteReply(200, "echo:" + req.GetBody());
    });
    server.RegisterHandler("/slow/", false, [&gate](HTTPRequest& req, const std::string& rest) {
        gate.Wait();
        req.WriteReply(200, "slow:" + rest);
    });
    server.RegisterHandler("/noreply", true, [](HTTPRequest&, const std::string&) {});
    HTTPServerOptions options;
    options.bind = {{"127.0.0.1", 0}};
    options.allow = {*IPSubnet::Parse("127.0.0.0/8")};
    options.threads = 1;
    options.work_queue_depth = 1;
    options.max_body_bytes = 1000;
    std::string error;
    BOOST_REQUIRE_MESSAGE(server.Start(options, error), error);
    BOOST_REQUIRE_EQUAL(server.BoundPorts().size(), 1u);
    uint16_t port = server.BoundPorts()[0];
    BOOST_REQUIRE(port != 0);

    std::string ok = RawHTTP(port, Post("/", "hello"));
    BOOST_CHECK_EQUAL(StatusOf(ok), 200);
    BOOST_CHECK(ok.find("\r\n\r\necho:hello") != std::string::npos);
    BOOST_CHECK(ok.find("Content-Type: text/plain") != std::string::npos);
    BOOST_CHECK_EQUAL(StatusOf(RawHTTP(port, Post("/other", "x"))), 404);
    BOOST_CHECK_EQUAL(StatusOf(RawHTTP(port, Post("/", std::string(2000, 'a')))), 413);
    BOOST_CHECK_EQUAL(StatusOf(RawHTTP(port, Post("/noreply", ""))), 500); // dropped request answered

    // The single worker blocks in a slow handler; of three more requests one fits the queue
    // (depth 1) and two are rejected with 503. Which one is queued depends on arrival order.
    std::string first;
    std::thread t0([&] { first = RawHTTP(port, Post("/slow/first", "")); });
    gate.WaitForWaiters(1);
    std::atomic<int> finished{0};
    std::string more[3];
    std::vector<std::thread> clients;
    for (int i = 0; i < 3; ++i) {
        clients.emplace_back([&, i] {
            more[i] = RawHTTP(port, Post("/slow/" + std::to_string(i), ""));
            ++finished;
        });
    }
    for (int wait = 0; wait < 3000 && finished.load() < 2; ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    BOOST_CHECK_EQUAL(finished.load(), 2); // the queued one is still waiting for the gate
    gate.Open();
    t0.join();
    for (std::thread& t : clients) t.join();
    BOOST_CHECK(first.find("slow:first") != std::string::npos);
    int rejected = 0, served = 0;
    for (const std::string& r : more) {
        if (StatusOf(r) == 503 && r.find("Work queue depth exceeded") != std::string::npos) ++rejected;
        if (StatusOf(r) == 200 && r.find("slow:") != std::string::npos) ++served;
    }
    BOOST_CHECK_EQUAL(rejected, 2);
    BOOST_CHECK_EQUAL(served, 1);

    server.Interrupt();
    BOOST_CHECK_EQUAL(StatusOf(RawHTTP(port, Post("/", "late"))), 503);
    server.Stop();
    BOOST_CHECK(RawHTTP(port, Post("/", "closed")).empty()); // no longer listening
    server.Stop(); // idempotent
}

BOOST_AUTO_TEST_CASE(http_server_forbidden_peer)
{
    HTTPServer server;
    server.RegisterHandler("/", true, [](HTTPRequest& req, const std::string&) { req.WriteReply(200, "x"); });
    HTTPServerOptions options;
    options.bind = {{"127.0.0.1", 0}};
    options.allow = {*IPSubnet::Parse("10.0.0.0/8")};
    std::string error;
    BOOST_REQUIRE_MESSAGE(server.Start(options, error), error);
    BOOST_CHECK_EQUAL(StatusOf(RawHTTP(server.BoundPorts()[0], Post("/", ""))), 403);
    server.Stop();
}

BOOST_AUTO_TEST_CASE(http_server_bind_failure)
{
    HTTPServer server;
    HTTPServerOptions options;
    options.bind = {{"203.0.113.1", 0}}; // TEST-NET-3: not a local address
    std::string error;
    BOOST_CHECK(!server.Start(options, error));
    BOOST_CHECK(error.find("Unable to bind") != std::string::npos);
    server.Stop();
}

BOOST_AUTO_TEST_SUITE_END()
