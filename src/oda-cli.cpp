// oda-cli: command-line JSON-RPC client for odad, in the manner of bitcoin-cli.
//
//   oda-cli [options] <command> [params]      positional params (JSON-typed ones per rpc/client.cpp)
//   oda-cli [options] -named <command> [name=value]...
//   oda-cli [options] -getinfo
// Exit code 0 on success, 1 on any error (RPC error, connection failure, bad option).
#include <rpc/client.h>
#include <rpc/protocol.h>
#include <rpc/request.h>
#include <util/args.h>
#include <util/fs.h>
#include <util/strencodings.h>

#include <config/oda-config.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>

namespace {
constexpr int DEFAULT_HTTP_CLIENT_TIMEOUT = 900;
const std::string DEFAULT_RPCCONNECT = "127.0.0.1";

/** A connection failure (as opposed to an error answer): -rpcwait retries these. */
class ConnectionFailed : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

void SetupCliArgs(ArgsManager& args)
{
    using OC = OptionsCategory;
    const unsigned ANY = ArgsManager::ALLOW_ANY;
    AddHelpAndVersionArgs(args, "This help message");
    args.AddArg("-conf=<file>", "Specify configuration file. Relative paths will be prefixed by datadir location. "
                "(default: oda.conf)", ANY, OC::OPTIONS);
    args.AddArg("-datadir=<dir>", "Specify data directory", ANY, OC::OPTIONS);
    args.AddArg("-chain=<chain>", "Use the chain <chain> (default: main). Allowed values: main, test, regtest", ANY,
                OC::CHAINPARAMS);
    args.AddArg("-testnet", "Use the test chain. Equivalent to -chain=test.", ANY, OC::CHAINPARAMS);
    args.AddArg("-regtest", "Use the regression test chain. Equivalent to -chain=regtest.", ANY, OC::CHAINPARAMS);
    args.AddArg("-rpcconnect=<ip>", "Send commands to node running on <ip> (default: 127.0.0.1)", ANY, OC::OPTIONS);
    args.AddArg("-rpcport=<port>", "Connect to JSON-RPC on <port> (default: 9332, testnet: 19332, regtest: 19443)",
                ANY | ArgsManager::NETWORK_ONLY, OC::OPTIONS);
    args.AddArg("-rpcuser=<user>", "Username for JSON-RPC connections", ANY | ArgsManager::SENSITIVE, OC::OPTIONS);
    args.AddArg("-rpcpassword=<pw>", "Password for JSON-RPC connections (default: read the cookie file)",
                ANY | ArgsManager::SENSITIVE, OC::OPTIONS);
    args.AddArg("-rpccookiefile=<loc>", "Location of the auth cookie (default: data dir)", ANY, OC::OPTIONS);
    args.AddArg("-rpcwait", "Wait for RPC server to start", ANY, OC::OPTIONS);
    args.AddArg("-rpcwaittimeout=<n>", "Timeout in seconds to wait for the RPC server to start, or 0 for no timeout. "
                "(default: 0)", ANY, OC::OPTIONS);
    args.AddArg("-rpcclienttimeout=<n>", strprintf("Timeout in seconds during HTTP requests, or 0 for no timeout. "
                "(default: %d)", DEFAULT_HTTP_CLIENT_TIMEOUT), ANY, OC::OPTIONS);
    args.AddArg("-rpcwallet=<walletname>", "Send RPC for non-default wallet on RPC server (needs to exactly match "
                "corresponding -wallet option passed to odad). This changes the RPC endpoint used, e.g. "
                "http://127.0.0.1:19443/wallet/<walletname>", ANY, OC::OPTIONS);
    args.AddArg("-named", "Pass named instead of positional arguments (default: false)", ANY, OC::OPTIONS);
    args.AddArg("-stdin", "Read extra arguments from standard input, one per line until EOF/Ctrl-D (recommended for "
                "sensitive information such as passphrases). When combined with -stdinrpcpass, the first line from "
                "standard input is used for the RPC password.", ANY, OC::OPTIONS);
    args.AddArg("-stdinrpcpass", "Read RPC password from standard input as a single line. When combined with "
                "-stdin, the first line from standard input is used for the RPC password.", ANY, OC::OPTIONS);
    args.AddArg("-getinfo", "Get general information from the remote server (what it supports: chain, blocks, "
                "uptime, ...)", ANY, OC::OPTIONS);
    // Server options that may sit in a shared oda.conf: accepted and ignored.
    args.AddHiddenArgs({"-server", "-rpcbind", "-rpcallowip", "-rpcthreads", "-rpcworkqueue", "-rpcservertimeout",
                        "-rpcmaxbodysize", "-daemon", "-pid", "-debug", "-debugexclude", "-debuglogfile",
                        "-printtoconsole", "-logtimestamps", "-logtimemicros", "-port", "-listen", "-bind",
                        "-connect", "-addnode", "-seednode", "-discover", "-dnsseed", "-listenonion", "-upnp",
                        "-natpmp", "-externalip", "-maxconnections", "-whitelist", "-torrentport", "-fallbackfee",
                        "-wallet", "-disablewallet", "-zmqpubhashblock", "-zmqpubrawblock", "-zmqpubhashtx",
                        "-zmqpubrawtx", "-dbcache", "-par", "-txindex", "-reindex", "-reindex-chainstate",
                        "-assumevalid", "-mine", "-minethreads", "-maxmempool", "-mempoolexpiry", "-minrelaytxfee",
                        "-blockmaxweight", "-datacarrier", "-datacarriersize", "-help-debug"});
}

struct HTTPReply {
    int status{0};
    std::string body;
};

void HTTPRequestDone(evhttp_request* req, void* ctx)
{
    HTTPReply* reply = static_cast<HTTPReply*>(ctx);
    if (req == nullptr) {
        reply->status = 0; // connection failure
        return;
    }
    reply->status = evhttp_request_get_response_code(req);
    evbuffer* buf = evhttp_request_get_input_buffer(req);
    if (buf) {
        size_t size = evbuffer_get_length(buf);
        const char* data = reinterpret_cast<const char*>(evbuffer_pullup(buf, size));
        if (data) reply->body.assign(data, size);
        evbuffer_drain(buf, size);
    }
}


/** Credentials "user:password": -rpcpassword or the cookie file. */
std::string GetCredentials(const ArgsManager& args)
{
    if (args.GetArg("-rpcpassword", "").empty()) {
        fs::path cookie = AbsPathJoin(args.GetDataDirNet(), args.GetArg("-rpccookiefile", ".cookie"));
        auto content = ReadFileToString(cookie, 4096);
        if (!content) {
            // The server writes the cookie when it starts: for -rpcwait this is the same
            // transient condition as a refused connection, so it is retried like one.
            throw ConnectionFailed(strprintf(
                "Could not locate RPC credentials. No authentication cookie could be found, and RPC password is not "
                "set.  See -rpcpassword and -stdinrpcpass.  Configuration file: (%s)",
                args.GetConfigFilePath().string().c_str()));
        }
        return TrimString(*content);
    }
    return args.GetArg("-rpcuser", "") + ":" + args.GetArg("-rpcpassword", "");
}

/** One HTTP POST of a JSON-RPC body. Returns the parsed reply (object or array). */
nlohmann::json CallRPC(const ArgsManager& args, const nlohmann::json& request)
{
    std::string host = args.GetArg("-rpcconnect", DEFAULT_RPCCONNECT);
    int64_t port = args.GetIntArg("-rpcport", DefaultRPCPortForNetwork(args.GetSelectedNetwork()));
    // -rpcconnect=host:port form.
    size_t colon = host.rfind(':');
    if (colon != std::string::npos && host.find(':') == colon) {
        int64_t p;
        if (ParseInt64(host.substr(colon + 1), &p) && !args.IsArgSet("-rpcport")) port = p;
        host = host.substr(0, colon);
    } else if (!host.empty() && host.front() == '[' && host.find("]:") != std::string::npos) {
        size_t close = host.find("]:");
        int64_t p;
        if (ParseInt64(host.substr(close + 2), &p) && !args.IsArgSet("-rpcport")) port = p;
        host = host.substr(1, close - 1);
    }
    if (port <= 0 || port > 65535) throw std::runtime_error(strprintf("Invalid port provided in -rpcport: %lld", static_cast<long long>(port)));

    std::unique_ptr<event_base, decltype(&event_base_free)> base(event_base_new(), &event_base_free);
    if (!base) throw std::runtime_error("cannot create event_base");
    std::unique_ptr<evhttp_connection, decltype(&evhttp_connection_free)> conn(
        evhttp_connection_base_new(base.get(), nullptr, host.c_str(), static_cast<uint16_t>(port)),
        &evhttp_connection_free);
    if (!conn) throw std::runtime_error("create connection failed");
    int timeout = static_cast<int>(args.GetIntArg("-rpcclienttimeout", DEFAULT_HTTP_CLIENT_TIMEOUT));
    if (timeout > 0) {
        evhttp_connection_set_timeout(conn.get(), timeout);
    } else {
        evhttp_connection_set_timeout(conn.get(), 5 * 365 * 24 * 3600); // "no timeout"
    }

    HTTPReply reply;
    evhttp_request* req = evhttp_request_new(HTTPRequestDone, &reply); // freed by libevent
    if (!req) throw std::runtime_error("create http request failed");

    std::string credentials = GetCredentials(args);
    evkeyvalq* headers = evhttp_request_get_output_headers(req);
    evhttp_add_header(headers, "Host", host.c_str());
    evhttp_add_header(headers, "Connection", "close");
    evhttp_add_header(headers, "Content-Type", "application/json");
    evhttp_add_header(headers, "Authorization", ("Basic " + EncodeBase64(credentials)).c_str());
    std::string body = WriteJSON(request) + "\n";
    evbuffer_add(evhttp_request_get_output_buffer(req), body.data(), body.size());

    std::string endpoint = "/";
    if (args.IsArgSet("-rpcwallet")) {
        std::string wallet = args.GetArg("-rpcwallet", "");
        std::string encoded;
        for (unsigned char c : wallet) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                encoded += static_cast<char>(c);
            } else {
                encoded += strprintf("%%%02X", unsigned{c});
            }
        }
        endpoint = "/wallet/" + encoded;
    }
    if (evhttp_make_request(conn.get(), req, EVHTTP_REQ_POST, endpoint.c_str()) != 0) {
        throw ConnectionFailed("send http request failed");
    }
    event_base_dispatch(base.get());

    if (reply.status == 0) {
        // libevent reports a refused connection as a timeout too, so no reason is guessed here.
        throw ConnectionFailed(strprintf("Could not connect to the server %s:%lld\n\nMake sure the odad server is "
                                         "running and that you are connecting to the correct RPC port.",
                                         host.c_str(), static_cast<long long>(port)));
    }
    if (reply.status == HTTP_UNAUTHORIZED) {
        throw std::runtime_error("Authorization failed: Incorrect rpcuser or rpcpassword");
    }
    if (reply.status == HTTP_FORBIDDEN) {
        throw std::runtime_error("Forbidden: the server does not allow RPC access from this address (see -rpcallowip)");
    }
    if (reply.status == HTTP_SERVICE_UNAVAILABLE) {
        throw std::runtime_error("Server busy or shutting down (HTTP 503): " + reply.body);
    }
    if (reply.status >= 400 && reply.status != HTTP_BAD_REQUEST && reply.status != HTTP_NOT_FOUND &&
        reply.status != HTTP_INTERNAL_SERVER_ERROR) {
        throw std::runtime_error(strprintf("server returned HTTP error %d", reply.status));
    }
    if (reply.body.empty()) throw std::runtime_error("no response from server");
    nlohmann::json parsed;
    if (!ParseJSON(reply.body, parsed)) throw std::runtime_error("couldn't parse reply from server");
    return parsed;
}

/** Calls with -rpcwait retries (connection failures and "in warmup"). */
nlohmann::json CallWithWait(const ArgsManager& args, const nlohmann::json& request)
{
    const bool wait = args.GetBoolArg("-rpcwait", false);
    const int64_t wait_timeout = args.GetIntArg("-rpcwaittimeout", 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_timeout);
    while (true) {
        try {
            nlohmann::json reply = CallRPC(args, request);
            bool warming = reply.is_object() && reply.contains("error") && reply["error"].is_object() &&
                           reply["error"].value("code", 0) == RPC_IN_WARMUP;
            if (!wait || !warming) return reply;
        } catch (const ConnectionFailed&) {
            if (!wait) throw;
        }
        if (wait_timeout > 0 && std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("timeout on transient error: could not connect to the server in time (-rpcwaittimeout)");
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

/** -getinfo: a batch of the informational calls the server has; combines what answers. */
nlohmann::json GetInfo(const ArgsManager& args)
{
    const std::vector<std::string> methods = {"getblockchaininfo", "getnetworkinfo", "uptime", "getwalletinfo"};
    nlohmann::json batch = nlohmann::json::array();
    for (size_t i = 0; i < methods.size(); ++i) batch.push_back(JSONRPCRequestObj(methods[i], nlohmann::json::array(), i));
    nlohmann::json replies = CallWithWait(args, batch);
    if (!replies.is_array()) throw std::runtime_error("unexpected reply to -getinfo batch");
    std::map<std::string, nlohmann::json> results;
    for (const auto& r : replies) {
        if (!r.is_object() || !r.contains("id") || !r["id"].is_number_unsigned()) continue;
        size_t id = r["id"].get<size_t>();
        if (id >= methods.size()) continue;
        if (r.contains("error") && !r["error"].is_null()) continue; // not supported (yet): skip
        results[methods[id]] = r.value("result", nlohmann::json());
    }
    nlohmann::json info = nlohmann::json::object();
    info["version"] = std::string("v") + PACKAGE_VERSION;
    if (results.count("getblockchaininfo")) {
        const auto& bc = results["getblockchaininfo"];
        for (const char* key : {"chain", "blocks", "headers", "verificationprogress", "difficulty"}) {
            if (bc.contains(key)) info[key] = bc[key];
        }
    }
    if (results.count("getnetworkinfo")) {
        const auto& net = results["getnetworkinfo"];
        if (net.contains("protocolversion")) info["protocolversion"] = net["protocolversion"];
        if (net.contains("connections")) info["connections"] = net["connections"];
        if (net.contains("relayfee")) info["relayfee"] = net["relayfee"];
    }
    if (results.count("uptime")) info["uptime"] = results["uptime"];
    if (results.count("getwalletinfo")) {
        const auto& w = results["getwalletinfo"];
        if (w.contains("balance")) info["balance"] = w["balance"];
    }
    return info;
}

int Run(int argc, char* argv[])
{
    ArgsManager args;
    SetupCliArgs(args);
    std::string error;
    if (!args.ParseParameters(argc, argv, error)) {
        std::cerr << "Error parsing command line arguments: " << error << std::endl;
        return 1;
    }
    if (args.HelpRequested() || args.IsArgSet("-version")) {
        std::cout << "ODA RPC client version v" << PACKAGE_VERSION << "\n";
        if (!args.IsArgSet("-version")) {
            std::cout << "\nUsage:  oda-cli [options] <command> [params]  Send command to ODA\n"
                         "or:     oda-cli [options] -named <command> [name=value]...  Send command to ODA (with "
                         "named arguments)\n"
                         "or:     oda-cli [options] help                List commands\n"
                         "or:     oda-cli [options] help <command>      Get help for a command\n\n"
                      << args.GetHelpMessage();
        }
        return 0;
    }
    if (!SelectDataDirAndConfig(args, /*ignore_invalid_keys=*/true,
                                /*config_error_prefix=*/"Error reading configuration file: ", error)) {
        std::cerr << error << std::endl;
        return 1;
    }

    std::vector<std::string> positional = args.GetPositionalArgs();
    if (args.GetBoolArg("-stdinrpcpass", false)) {
        std::string password;
        if (!std::getline(std::cin, password)) {
            std::cerr << "error: -stdinrpcpass specified but failed to read from standard input" << std::endl;
            return 1;
        }
        args.ForceSetArg("-rpcpassword", password);
    }
    if (args.GetBoolArg("-stdin", false)) {
        std::string line;
        while (std::getline(std::cin, line)) positional.push_back(line);
    }

    try {
        nlohmann::json reply;
        if (args.GetBoolArg("-getinfo", false)) {
            if (!positional.empty()) throw std::runtime_error("-getinfo takes no arguments");
            std::cout << WriteJSON(GetInfo(args), 2) << std::endl;
            return 0;
        }
        if (positional.empty()) throw std::runtime_error("too few parameters (need at least command)");
        std::string method = positional.front();
        std::vector<std::string> params_text(positional.begin() + 1, positional.end());
        nlohmann::json params = args.GetBoolArg("-named", false) ? RPCConvertNamedValues(method, params_text)
                                                                  : RPCConvertValues(method, params_text);
        reply = CallWithWait(args, JSONRPCRequestObj(method, params, 1));
        if (!reply.is_object()) throw std::runtime_error("expected reply to have result, error and id properties");
        const nlohmann::json result = reply.value("result", nlohmann::json());
        const nlohmann::json err = reply.value("error", nlohmann::json());
        if (!err.is_null()) {
            if (err.is_object() && err.contains("code") && err.contains("message")) {
                std::string message = err["message"].is_string() ? err["message"].get<std::string>() : err["message"].dump();
                std::cerr << "error code: " << err["code"].dump() << "\nerror message:\n" << message << std::endl;
            } else {
                std::cerr << "error: " << WriteJSON(err) << std::endl;
            }
            return 1;
        }
        if (result.is_null()) return 0;
        if (result.is_string()) {
            std::cout << result.get<std::string>() << std::endl;
        } else {
            std::cout << WriteJSON(result, 2) << std::endl;
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << std::endl;
        return 1;
    }
}
} // namespace

int main(int argc, char* argv[])
{
    try {
        return Run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << std::endl;
        return 1;
    }
}
