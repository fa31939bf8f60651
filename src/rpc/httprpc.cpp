#include <rpc/httprpc.h>

#include <consensus/chainparams.h>
#include <crypto/hmac.h>
#include <hex.h>
#include <node/context.h>
#include <rpc/httpserver.h>
#include <rpc/protocol.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <util/args.h>
#include <util/fs.h>
#include <util/logging.h>
#include <util/random.h>
#include <util/strencodings.h>

#include <chrono>
#include <memory>
#include <thread>

namespace {
constexpr const char* COOKIE_USER = "__cookie__";
constexpr int DEFAULT_RPC_THREADS = 4;
constexpr int DEFAULT_RPC_WORKQUEUE = 16;
constexpr int DEFAULT_RPC_SERVERTIMEOUT = 30;
constexpr int64_t DEFAULT_RPC_MAX_BODY = 32 * 1024 * 1024;

struct RPCServiceState {
    CRPCTable table;
    HTTPServer http;
    RPCCredentials credentials;
    fs::path cookie_path; // empty when no cookie was written
    bool running{false};
};

void HandleJSONRPC(RPCServiceState& state, NodeContext& node, HTTPRequest& req)
{
    if (req.GetMethod() != HTTPRequest::Method::POST) {
        req.WriteReply(HTTP_BAD_METHOD, "JSONRPC server handles only POST requests");
        return;
    }
    auto auth = req.GetHeader("authorization");
    std::string user;
    if (!auth) {
        req.WriteHeader("WWW-Authenticate", "Basic realm=\"jsonrpc\"");
        req.WriteReply(HTTP_UNAUTHORIZED);
        return;
    }
    if (!state.credentials.Check(*auth, user)) {
        LogPrintf("ThreadRPCServer incorrect password attempt from %s\n", req.GetPeer().c_str());
        // Deter brute-forcing: this worker thread waits before answering.
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        req.WriteHeader("WWW-Authenticate", "Basic realm=\"jsonrpc\"");
        req.WriteReply(HTTP_UNAUTHORIZED);
        return;
    }
    JSONRPCRequest base;
    base.uri = req.GetURI();
    base.auth_user = user;
    base.peer_addr = req.GetPeer();
    base.context = &node;
    RPCHTTPReply reply = ProcessJSONRPCBody(state.table, req.GetBody(), base);
    if (reply.status != HTTP_NO_CONTENT) req.WriteHeader("Content-Type", "application/json");
    req.WriteReply(reply.status, reply.body);
}

bool BuildHTTPOptions(const ArgsManager& args, HTTPServerOptions& options, std::string& error)
{
    // The RPC server starts before the node creates its ChainParams: ask for the network's
    // parameters directly for the default port.
    uint16_t default_port = DefaultRPCPortForNetwork(args.GetSelectedNetwork());
    if (auto chain = ChainTypeFromString(args.GetSelectedNetwork())) default_port = CreateChainParams(*chain)->RPCPort();
    int64_t port = args.GetIntArg("-rpcport", default_port);
    if (port <= 0 || port > 65535) {
        error = strprintf("Invalid port specified in -rpcport: '%s'", args.GetArg("-rpcport", "").c_str());
        return false;
    }
    std::vector<std::string> binds = args.GetArgs("-rpcbind");
    if (binds.empty()) binds = {"127.0.0.1", "::1"};
    for (const std::string& b : binds) {
        std::string host;
        uint16_t p;
        if (!SplitHostPort(b, host, p)) {
            error = strprintf("Invalid -rpcbind address '%s'", SanitizeString(b, 100).c_str());
            return false;
        }
        options.bind.emplace_back(host, p ? p : static_cast<uint16_t>(port));
    }
    std::vector<std::string> allow = args.GetArgs("-rpcallowip");
    if (allow.empty()) allow = {"127.0.0.0/8", "::1"};
    for (const std::string& a : allow) {
        auto net = IPSubnet::Parse(a);
        if (!net) {
            error = strprintf("Invalid -rpcallowip subnet specification: %s. Valid are a single IP (e.g. 1.2.3.4), "
                              "a network/netmask (e.g. 1.2.3.4/255.255.255.0) or a network/CIDR (e.g. 1.2.3.4/24).",
                              SanitizeString(a, 100).c_str());
            return false;
        }
        options.allow.push_back(*net);
    }
    options.threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(64, args.GetIntArg("-rpcthreads", DEFAULT_RPC_THREADS))));
    options.work_queue_depth = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(1 << 16, args.GetIntArg("-rpcworkqueue", DEFAULT_RPC_WORKQUEUE))));
    options.timeout_seconds = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(3600, args.GetIntArg("-rpcservertimeout", DEFAULT_RPC_SERVERTIMEOUT))));
    options.max_body_bytes = static_cast<size_t>(std::max<int64_t>(1024, args.GetIntArg("-rpcmaxbodysize", DEFAULT_RPC_MAX_BODY)));
    return true;
}

bool SetupAuth(const ArgsManager& args, RPCServiceState& state, std::string& error)
{
    state.credentials = {};
    for (const std::string& value : args.GetArgs("-rpcauth")) {
        auto entry = RPCAuthEntry::Parse(value, error);
        if (!entry) {
            error = "Invalid -rpcauth argument: " + error;
            return false;
        }
        state.credentials.hashed.push_back(std::move(*entry));
    }
    // As Bitcoin Core: without -rpcpassword a cookie is written (also when -rpcauth is given,
    // so that local tools such as oda-cli keep working).
    if (args.GetArg("-rpcpassword", "").empty()) {
        std::string cookie = GenerateAuthCookie();
        if (cookie.empty()) {
            error = "Unable to generate the RPC authentication cookie (no OS randomness)";
            return false;
        }
        fs::path path = AbsPathJoin(args.GetDataDirNet(), args.GetArg("-rpccookiefile", ".cookie"));
        if (!WriteFileAtomic(path, cookie, error, 0600)) {
            error = "Unable to write the RPC authentication cookie: " + error;
            return false;
        }
        state.cookie_path = path;
        state.credentials.userpass.push_back(cookie);
        LogPrintf("Generated RPC authentication cookie %s\n", path.string().c_str());
    } else {
        state.credentials.userpass.push_back(args.GetArg("-rpcuser", "") + ":" + args.GetArg("-rpcpassword", ""));
    }
    return true;
}
} // namespace

std::string GenerateAuthCookie()
{
    uint8_t secret[32];
    if (!GetOSRandBytes(secret, sizeof(secret))) return "";
    return std::string(COOKIE_USER) + ":" + HexStr(secret, sizeof(secret));
}

std::optional<RPCAuthEntry> RPCAuthEntry::Parse(const std::string& value, std::string& error)
{
    const size_t colon = value.find(':');
    const size_t dollar = value.find('$', colon == std::string::npos ? 0 : colon);
    if (colon == std::string::npos || dollar == std::string::npos) {
        error = "expected <user>:<salt>$<hash> (contrib/rpcauth.py makes such lines)";
        return std::nullopt;
    }
    RPCAuthEntry e{value.substr(0, colon), value.substr(colon + 1, dollar - colon - 1), ToLower(value.substr(dollar + 1))};
    if (e.user.empty() || e.salt.empty()) {
        error = "empty user or salt";
        return std::nullopt;
    }
    const auto hash = ParseHex(e.hash_hex);
    if (!hash || hash->size() != 32) {
        error = "the hash must be 64 hex digits (HMAC-SHA256)";
        return std::nullopt;
    }
    return e;
}

bool RPCAuthEntry::Matches(const std::string& password) const
{
    const auto mac = HmacSha256(reinterpret_cast<const uint8_t*>(salt.data()), salt.size(),
                                reinterpret_cast<const uint8_t*>(password.data()), password.size());
    return TimingResistantEqual(HexStr(mac.data(), mac.size()), hash_hex);
}

bool RPCCredentials::Check(const std::string& header_value, std::string& user) const
{
    std::string_view value = TrimStringView(header_value);
    if (!HasPrefix(value, "Basic ")) return false;
    auto decoded = DecodeBase64(TrimStringView(value.substr(6)));
    if (!decoded) return false;
    // Every candidate is compared, whatever matched first, so that timing tells nothing about
    // which kind of credential (or which entry) a guess came close to.
    bool ok = false;
    for (const std::string& expected : userpass) ok |= TimingResistantEqual(*decoded, expected);
    const size_t colon = decoded->find(':');
    if (colon != std::string::npos) {
        const std::string name = decoded->substr(0, colon);
        const std::string password = decoded->substr(colon + 1);
        for (const RPCAuthEntry& e : hashed) ok |= TimingResistantEqual(name, e.user) & e.Matches(password);
    }
    if (!ok) return false;
    user = decoded->substr(0, colon);
    return true;
}

bool CheckBasicAuthorization(const std::string& header_value, const std::string& expected_userpass, std::string& user)
{
    return RPCCredentials{{expected_userpass}, {}}.Check(header_value, user);
}

void AddRPCServerArgs(ArgsManager& args)
{
    using OC = OptionsCategory;
    const unsigned ANY = ArgsManager::ALLOW_ANY;
    args.AddArg("-server", "Accept command line and JSON-RPC commands (default: 1)", ANY, OC::RPC);
    args.AddArg("-rpcbind=<addr>[:port]", "Bind to given address to listen for JSON-RPC connections. Use [host]:port "
                "notation for IPv6. This option can be specified multiple times (default: 127.0.0.1 and ::1)",
                ANY | ArgsManager::NETWORK_ONLY, OC::RPC);
    args.AddArg("-rpcallowip=<ip>", "Allow JSON-RPC connections from specified source. Valid values for <ip> are a "
                "single IP (e.g. 1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0) or a network/CIDR (e.g. "
                "1.2.3.4/24). This option can be specified multiple times. When given, only the listed networks are "
                "allowed (default: 127.0.0.0/8 and ::1)", ANY, OC::RPC);
    args.AddArg("-rpcport=<port>", "Listen for JSON-RPC connections on <port> (default: 9332, testnet: 19332, "
                "regtest: 19443)", ANY | ArgsManager::NETWORK_ONLY, OC::RPC);
    args.AddArg("-rpcuser=<user>", "Username for JSON-RPC connections", ANY | ArgsManager::SENSITIVE, OC::RPC);
    args.AddArg("-rpcpassword=<pw>", "Password for JSON-RPC connections (without it, a cookie file is used)",
                ANY | ArgsManager::SENSITIVE, OC::RPC);
    args.AddArg("-rpcauth=<userpw>", "Username and HMAC-SHA-256 hashed password for JSON-RPC connections. The field "
                "<userpw> comes in the format: <USERNAME>:<SALT>$<HASH>; contrib/rpcauth.py makes it. This option can "
                "be specified multiple times", ANY | ArgsManager::SENSITIVE, OC::RPC);
    args.AddArg("-rpccookiefile=<loc>", "Location of the auth cookie. Relative paths will be prefixed by a "
                "net-specific datadir location. (default: data dir)", ANY, OC::RPC);
    args.AddArg("-rpcthreads=<n>", strprintf("Set the number of threads to service RPC calls (default: %d)",
                DEFAULT_RPC_THREADS), ANY, OC::RPC);
    args.AddArg("-rpcworkqueue=<n>", strprintf("Set the depth of the work queue to service RPC calls (default: %d)",
                DEFAULT_RPC_WORKQUEUE), ANY | ArgsManager::DEBUG_ONLY, OC::RPC);
    args.AddArg("-rpcservertimeout=<n>", strprintf("Timeout during HTTP requests (default: %d)",
                DEFAULT_RPC_SERVERTIMEOUT), ANY | ArgsManager::DEBUG_ONLY, OC::RPC);
    args.AddArg("-rpcmaxbodysize=<n>", strprintf("Largest HTTP request body accepted, in bytes; larger ones get "
                "HTTP 413 (default: %lld)", static_cast<long long>(DEFAULT_RPC_MAX_BODY)),
                ANY | ArgsManager::DEBUG_ONLY, OC::RPC);
}

NodeService MakeRPCService()
{
    auto state = std::make_shared<RPCServiceState>();
    NodeService service;
    service.name = "rpc";
    service.before_subsystems = true;
    service.add_args = &AddRPCServerArgs;
    service.start = [state](NodeContext& node, std::string& error) {
        const ArgsManager& args = *node.args;
        if (!args.GetBoolArg("-server", true)) return true;
        RegisterAllRPCCommands(state->table);
        state->table.SetWarmupStatus("Loading...");
        node.rpc_table = &state->table;
        HTTPServerOptions options;
        if (!BuildHTTPOptions(args, options, error)) return false;
        if (!SetupAuth(args, *state, error)) return false;
        NodeContext* node_ptr = &node;
        RPCServiceState* raw = state.get();
        auto handler = [raw, node_ptr](HTTPRequest& req, const std::string&) { HandleJSONRPC(*raw, *node_ptr, req); };
        state->http.RegisterHandler("/", /*exact_match=*/true, handler);
        state->http.RegisterHandler("/wallet/", /*exact_match=*/false, handler);
        if (!state->http.Start(options, error)) {
            // Not "started", so stop() will not run: undo what start did.
            std::error_code ec;
            if (!state->cookie_path.empty()) fs::remove(state->cookie_path, ec);
            state->cookie_path.clear();
            node.rpc_table = nullptr;
            return false;
        }
        state->running = true;
        return true;
    };
    service.on_ready = [state](NodeContext&) { state->table.SetWarmupFinished(); };
    service.interrupt = [state](NodeContext&) { state->http.Interrupt(); };
    service.stop = [state](NodeContext& node) {
        state->http.Stop();
        state->running = false;
        if (!state->cookie_path.empty()) {
            std::error_code ec;
            fs::remove(state->cookie_path, ec);
            state->cookie_path.clear();
        }
        node.rpc_table = nullptr;
    };
    return service;
}
