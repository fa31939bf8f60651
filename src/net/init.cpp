#include <net/init.h>

#include <consensus/chainparams.h>
#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <net/net_processing.h>
#include <node/context.h>
#include <node/validation.h>
#include <util/args.h>
#include <util/logging.h>

#include <algorithm>

namespace {
constexpr int DEFAULT_MAX_CONNECTIONS = 125;
constexpr int DEFAULT_MAX_OUTBOUND = 8;
constexpr int64_t DEFAULT_MAX_RECEIVE_BUFFER_KB = 5000;
constexpr int64_t DEFAULT_MAX_SEND_BUFFER_KB = 1000;
constexpr int64_t DEFAULT_CONNECT_TIMEOUT_MS = 5000;
constexpr int64_t DEFAULT_PEER_TIMEOUT = 20 * 60;

bool StartP2P(NodeContext& node, std::string& error)
{
    ArgsManager& args = *node.args;
    if (!node.chainman || !node.chainparams) {
        error = "P2P needs the chainstate";
        return false;
    }
    const ChainParams& params = *node.chainparams;
    const std::string datadir = args.GetDataDirNet().string();
    const auto magic = params.MessageStart();

    auto banman = std::make_shared<net::BanMan>(datadir + "/banlist.dat", magic);
    std::string load_error;
    if (!banman->Load(load_error)) LogPrintf("P2P: no usable banlist.dat (%s), starting with an empty ban list\n", load_error.c_str());
    // Like Bitcoin Core, loopback/private addresses are not gossiped or dialled automatically
    // (tests that split a regtest network rely on it), unless -allowlocaladdrs.
    auto addrman = std::make_shared<net::AddrMan>(magic, /*allow_local=*/args.GetBoolArg("-allowlocaladdrs", false));
    if (!addrman->Load(datadir + "/peers.dat", load_error)) {
        LogPrintf("P2P: no usable peers.dat (%s), starting with an empty address book\n", load_error.c_str());
    } else {
        LogPrintf("P2P: loaded %zu addresses from peers.dat\n", addrman->Size());
    }

    net::ConnmanOptions opts;
    opts.magic = magic;
    const int64_t port = args.GetIntArg("-port", params.DefaultPort());
    if (port <= 0 || port > 65535) {
        error = "Invalid -port: " + std::to_string(port);
        return false;
    }
    opts.default_port = static_cast<uint16_t>(port);
    opts.connect = args.GetArgs("-connect");
    if (opts.connect.size() == 1 && (opts.connect[0] == "0" || opts.connect[0].empty())) opts.connect.clear();
    const bool connect_only = args.IsArgSet("-connect");
    opts.listen = args.GetBoolArg("-listen", !connect_only);
    for (const std::string& b : args.GetArgs("-bind")) {
        auto svc = net::ParseService(b, opts.default_port);
        if (!svc) {
            error = "Cannot resolve -bind address: '" + b + "'";
            return false;
        }
        opts.binds.push_back(*svc);
    }
    opts.addnode = args.GetArgs("-addnode");
    for (const auto& a : opts.addnode) {
        if (!net::ParseService(a, opts.default_port)) {
            error = "Invalid -addnode address: '" + a + "' (numeric IPv4/IPv6 address with optional port)";
            return false;
        }
    }
    for (const auto& a : opts.connect) {
        if (!net::ParseService(a, opts.default_port)) {
            error = "Invalid -connect address: '" + a + "'";
            return false;
        }
    }
    opts.max_connections = static_cast<int>(std::clamp<int64_t>(args.GetIntArg("-maxconnections", DEFAULT_MAX_CONNECTIONS), 0, 10000));
    opts.max_outbound = static_cast<int>(std::clamp<int64_t>(args.GetIntArg("-maxoutbound", DEFAULT_MAX_OUTBOUND), 0, opts.max_connections));
    if (connect_only) opts.max_outbound = 0; // only the -connect peers
    opts.max_receive_buffer = static_cast<size_t>(std::clamp<int64_t>(args.GetIntArg("-maxreceivebuffer", DEFAULT_MAX_RECEIVE_BUFFER_KB), 1, 1 << 20)) * 1000;
    // A full block must fit, whatever the option says.
    opts.max_receive_buffer = std::max<size_t>(opts.max_receive_buffer, net::MAX_PROTOCOL_MESSAGE_LENGTH + net::MESSAGE_HEADER_SIZE);
    opts.max_send_buffer = static_cast<size_t>(std::clamp<int64_t>(args.GetIntArg("-maxsendbuffer", DEFAULT_MAX_SEND_BUFFER_KB), 1, 1 << 20)) * 1000;
    opts.connect_timeout_ms = std::max<int64_t>(1, args.GetIntArg("-timeout", DEFAULT_CONNECT_TIMEOUT_MS));
    for (const std::string& w : args.GetArgs("-whitelist")) {
        auto subnet = net::ParseSubNet(w);
        if (!subnet) {
            error = "Invalid -whitelist: '" + w + "'";
            return false;
        }
        opts.whitelist.push_back(*subnet);
    }
    MockableClock* clock = &node.clock;
    opts.clock = [clock] { return clock->Now(); };

    net::PeerManagerOptions popts;
    popts.peer_timeout = std::max<int64_t>(1, args.GetIntArg("-peertimeout", DEFAULT_PEER_TIMEOUT));
    popts.block_stall_timeout = std::max<int64_t>(1, args.GetIntArg("-blockstalltimeout", popts.block_stall_timeout));
    popts.torrent_port = static_cast<uint16_t>(std::clamp<int64_t>(args.GetIntArg("-torrentport", params.DefaultTorrentPort()), 0, 65535));
    popts.relay_txs = !args.GetBoolArg("-blocksonly", false);

    auto connman = std::make_shared<net::CConnman>(opts, addrman.get(), banman.get());
    auto peerman = std::make_shared<net::PeerManager>(*connman, addrman.get(), banman.get(), *node.chainman,
                                                      node.mempool.get(), popts);
    node.banman = banman;
    node.addrman = addrman;
    node.connman = connman;
    node.peerman = peerman;
    if (!connman->Start(*peerman, error)) return false;
    LogPrintf("P2P: started (listen=%d, port=%u, maxconnections=%d)\n", opts.listen ? 1 : 0, opts.default_port, opts.max_connections);
    return true;
}

void StopP2P(NodeContext& node)
{
    if (node.connman) node.connman->Stop();
    node.peerman.reset(); // unregisters from validation before the chainstate goes
    node.connman.reset();
    std::string error;
    if (node.addrman && node.args) {
        if (!node.addrman->Save((node.args->GetDataDirNet() / "peers.dat").string(), error)) LogPrintf("P2P: %s\n", error.c_str());
    }
    if (node.banman && !node.banman->Save(error)) LogPrintf("P2P: %s\n", error.c_str());
    node.addrman.reset();
    node.banman.reset();
}
} // namespace

void AddP2PArgs(ArgsManager& args)
{
    const auto C = OptionsCategory::CONNECTION;
    const auto F = ArgsManager::ALLOW_ANY;
    args.AddArg("-listen", "Accept connections from outside (default: 1 if no -connect)", F, C);
    args.AddArg("-port=<port>", "Listen for P2P connections on <port> (default: 9333, testnet: 19333, regtest: 19444)", F | ArgsManager::NETWORK_ONLY, C);
    args.AddArg("-bind=<addr>[:<port>]", "Bind to given address and always listen on it (default: all interfaces)", F | ArgsManager::NETWORK_ONLY, C);
    args.AddArg("-connect=<ip>", "Connect only to the specified node(s); -connect=0 disables automatic connections", F | ArgsManager::NETWORK_ONLY, C);
    args.AddArg("-addnode=<ip>", "Add a node to connect to and attempt to keep the connection open", F | ArgsManager::NETWORK_ONLY, C);
    args.AddArg("-maxconnections=<n>", "Maintain at most <n> connections to peers, inbound + outbound (default: 125)", F, C);
    args.AddArg("-maxoutbound=<n>", "Automatic outbound connections (default: 8); inbound slots are the rest", F, C);
    args.AddArg("-maxreceivebuffer=<n>", "Maximum per-connection receive buffer, <n>*1000 bytes (default: 5000)", F, C);
    args.AddArg("-maxsendbuffer=<n>", "Maximum per-connection send buffer, <n>*1000 bytes (default: 1000)", F, C);
    args.AddArg("-timeout=<n>", "Specify connection timeout in milliseconds (default: 5000)", F, C);
    args.AddArg("-peertimeout=<n>", "Disconnect a peer after <n> seconds without a message or a ping answer (default: 1200)", F, C);
    args.AddArg("-bantime=<n>", "Default duration (seconds) of setban bans (default: 86400)", F, C);
    args.AddArg("-whitelist=<subnet>", "Peers from this network are never discouraged nor refused (e.g. 127.0.0.1/32)", F, C);
    args.AddArg("-blocksonly", "Do not relay transactions (default: 0)", F, C);
    args.AddArg("-torrentport=<port>", "Torrent port advertised in the version message (default: the network's torrent port)", F, C);
    args.AddArg("-blockstalltimeout=<n>", "Seconds a requested block may take before the peer is dropped as a staller (default: 60)", F | ArgsManager::DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-allowlocaladdrs", "Keep private/loopback addresses in the address book, so they are shared and dialled automatically (default: 0)", F | ArgsManager::DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
}

NodeService MakeP2PService()
{
    NodeService s;
    s.name = "p2p";
    s.add_args = AddP2PArgs;
    s.start = StartP2P;
    s.interrupt = [](NodeContext& node) {
        if (node.connman) node.connman->Interrupt();
    };
    s.stop = StopP2P;
    s.before_subsystems = false;
    return s;
}
