// P2P RPCs: getconnectioncount, getpeerinfo, getnetworkinfo, getnettotals, ping, addnode,
// getaddednodeinfo, disconnectnode, setban, listbanned, clearbanned.
#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>
#include <net/net_processing.h>
#include <net/protocol.h>
#include <node/context.h>
#include <rpc/protocol.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <rpc/util.h>
#include <util/args.h>
#include <util/time.h>

#include <ctime>

using nlohmann::json;

namespace {
constexpr int64_t DEFAULT_BANTIME = 24 * 60 * 60;

NodeContext& Ctx(const JSONRPCRequest& request)
{
    if (!request.context) throw JSONRPCError(RPC_INTERNAL_ERROR, "Node context not found");
    return *request.context;
}

net::CConnman& EnsureConnman(const JSONRPCRequest& request)
{
    NodeContext& node = Ctx(request);
    if (!node.connman) throw JSONRPCError(RPC_CLIENT_P2P_DISABLED, "Error: Peer-to-peer functionality missing or disabled");
    return *node.connman;
}

net::BanMan& EnsureBanman(const JSONRPCRequest& request)
{
    NodeContext& node = Ctx(request);
    if (!node.banman) throw JSONRPCError(RPC_DATABASE_ERROR, "Error: Ban database not loaded");
    return *node.banman;
}

std::string Param(const JSONRPCRequest& r, size_t i)
{
    if (r.params.size() <= i || !r.params[i].is_string()) throw JSONRPCError(RPC_INVALID_PARAMETER, "expected a string argument");
    return r.params[i].get<std::string>();
}

std::string ServicesHex(uint64_t s)
{
    char buf[17];
    snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(s));
    return buf;
}

json getconnectioncount(const JSONRPCRequest& request)
{
    return EnsureConnman(request).GetNodeCount();
}

json getpeerinfo(const JSONRPCRequest& request)
{
    NodeContext& node = Ctx(request);
    net::CConnman& connman = EnsureConnman(request);
    json out = json::array();
    for (const auto& n : connman.GetNodes()) {
        if (!n->connected || n->disconnect) continue;
        net::PeerStats st;
        const bool have_stats = node.peerman && node.peerman->GetPeerStats(n->id, st);
        json p;
        p["id"] = n->id;
        p["addr"] = n->addr.ToString();
        p["services"] = ServicesHex(st.services);
        p["relaytxes"] = st.relay_txs;
        p["lastsend"] = n->last_send.load();
        p["lastrecv"] = n->last_recv.load();
        p["bytessent"] = n->bytes_sent.load();
        p["bytesrecv"] = n->bytes_recv.load();
        p["conntime"] = n->connected_time;
        if (st.ping_usec >= 0) p["pingtime"] = st.ping_usec / 1e6;
        if (st.min_ping_usec >= 0) p["minping"] = st.min_ping_usec / 1e6;
        if (st.ping_wait_usec >= 0) p["pingwait"] = st.ping_wait_usec / 1e6;
        p["version"] = st.version;
        p["subver"] = st.user_agent;
        p["inbound"] = n->IsInbound();
        p["connection_type"] = n->conn_type == net::ConnectionType::INBOUND ? "inbound"
                               : n->conn_type == net::ConnectionType::MANUAL ? "manual" : "outbound-full-relay";
        p["startingheight"] = st.start_height;
        p["synced_headers"] = st.synced_headers;
        p["synced_blocks"] = st.synced_blocks;
        p["inflight"] = st.blocks_in_flight;
        p["misbehavior"] = st.misbehavior;
        p["torrent_port"] = st.torrent_port;
        p["handshake_done"] = have_stats && st.handshake_done;
        p["sendheaders"] = st.prefer_headers;
        p["whitelisted"] = n->whitelisted.load();
        out.push_back(p);
    }
    return out;
}

json getnetworkinfo(const JSONRPCRequest& request)
{
    NodeContext& node = Ctx(request);
    json out;
    out["version"] = 100;
    out["subversion"] = net::USER_AGENT;
    out["protocolversion"] = net::PROTOCOL_VERSION;
    out["localservices"] = ServicesHex(net::NODE_NETWORK | net::NODE_WITNESS);
    out["localrelay"] = !(node.args && node.args->GetBoolArg("-blocksonly", false));
    out["timeoffset"] = 0;
    out["networkactive"] = node.connman != nullptr;
    if (node.connman) {
        out["connections"] = node.connman->GetNodeCount();
        out["connections_in"] = node.connman->GetNodeCount(true);
        out["connections_out"] = node.connman->GetNodeCount(false);
        json local = json::array();
        for (const auto& a : node.connman->ListenAddresses()) local.push_back({{"address", a.ToString()}});
        out["localaddresses"] = local;
        out["listening"] = node.connman->IsListening();
    } else {
        out["connections"] = 0;
        out["connections_in"] = 0;
        out["connections_out"] = 0;
        out["localaddresses"] = json::array();
        out["listening"] = false;
    }
    out["relayfee"] = 0.00001;
    out["warnings"] = "";
    return out;
}

json getnettotals(const JSONRPCRequest& request)
{
    net::CConnman& connman = EnsureConnman(request);
    return {{"totalbytesrecv", connman.TotalBytesRecv()},
            {"totalbytessent", connman.TotalBytesSent()},
            {"timemillis", GetTimeMillis()}};
}

json ping(const JSONRPCRequest& request)
{
    EnsureConnman(request);
    NodeContext& node = Ctx(request);
    if (node.peerman) node.peerman->RequestPingAll();
    node.connman->WakeMessageHandler();
    return nullptr;
}

json addnode(const JSONRPCRequest& request)
{
    const std::string name = Param(request, 0);
    const std::string cmd = Param(request, 1);
    net::CConnman& connman = EnsureConnman(request);
    if (!net::ParseService(name, connman.Options().default_port)) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Invalid node address (numeric IPv4/IPv6 with optional port): " + name);
    }
    if (cmd == "onetry") {
        connman.OpenOneShot(name);
    } else if (cmd == "add") {
        if (!connman.AddNode(name)) throw JSONRPCError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: Node already added");
    } else if (cmd == "remove") {
        if (!connman.RemoveAddedNode(name)) throw JSONRPCError(RPC_CLIENT_NODE_NOT_ADDED, "Error: Node could not be removed. It has not been added previously.");
    } else {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "command must be one of: add, remove, onetry");
    }
    return nullptr;
}

json getaddednodeinfo(const JSONRPCRequest& request)
{
    net::CConnman& connman = EnsureConnman(request);
    std::string filter;
    if (!request.params.empty() && request.params[0].is_string()) filter = request.params[0].get<std::string>();
    json out = json::array();
    bool found = filter.empty();
    for (const auto& info : connman.GetAddedNodeInfo()) {
        if (!filter.empty() && info.name != filter) continue;
        found = true;
        json addrs = json::array();
        if (info.connected && info.resolved) addrs.push_back({{"address", info.resolved->ToString()}, {"connected", "outbound"}});
        out.push_back({{"addednode", info.name}, {"connected", info.connected}, {"addresses", addrs}});
    }
    if (!found) throw JSONRPCError(RPC_CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.");
    return out;
}

json disconnectnode(const JSONRPCRequest& request)
{
    net::CConnman& connman = EnsureConnman(request);
    const bool has_addr = !request.params.empty() && request.params[0].is_string() && !request.params[0].get<std::string>().empty();
    const bool has_id = request.params.size() > 1 && !request.params[1].is_null();
    bool ok;
    if (has_addr && !has_id) {
        auto svc = net::ParseService(request.params[0].get<std::string>(), connman.Options().default_port);
        ok = svc && connman.DisconnectNode(*svc);
    } else if (has_id && !has_addr) {
        ok = connman.DisconnectNode(GetIntArg<int64_t>(request.params[1], "nodeid"));
    } else {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Only one of address and nodeid should be provided.");
    }
    if (!ok) throw JSONRPCError(RPC_CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes");
    return nullptr;
}

json setban(const JSONRPCRequest& request)
{
    NodeContext& node = Ctx(request);
    net::BanMan& banman = EnsureBanman(request);
    const std::string target = Param(request, 0);
    const std::string cmd = Param(request, 1);
    auto subnet = net::ParseSubNet(target);
    if (!subnet) throw JSONRPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
    const int64_t now = node.clock.Now();
    if (cmd == "add") {
        int64_t bantime = node.args ? node.args->GetIntArg("-bantime", DEFAULT_BANTIME) : DEFAULT_BANTIME;
        if (request.params.size() > 2 && !request.params[2].is_null()) {
            const int64_t given = GetIntArg<int64_t>(request.params[2], "bantime");
            if (given > 0) bantime = given;
        }
        bool absolute = request.params.size() > 3 && request.params[3].is_boolean() && request.params[3].get<bool>();
        const int64_t until = absolute ? bantime : now + bantime;
        if (until <= now) throw JSONRPCError(RPC_INVALID_PARAMETER, "Error: Absolute timestamp is in the past");
        for (const auto& [s, e] : banman.GetBanned(now)) {
            if (s == *subnet) throw JSONRPCError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned");
        }
        if (!banman.Ban(*subnet, until, now)) throw JSONRPCError(RPC_MISC_ERROR, "Error: ban list full");
        if (node.connman) node.connman->DisconnectSubnet(*subnet);
    } else if (cmd == "remove") {
        if (!banman.Unban(*subnet)) throw JSONRPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Unban failed. Requested address/subnet was not previously manually banned.");
    } else {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "command must be add or remove");
    }
    std::string error;
    banman.Save(error);
    return nullptr;
}

json listbanned(const JSONRPCRequest& request)
{
    NodeContext& node = Ctx(request);
    net::BanMan& banman = EnsureBanman(request);
    const int64_t now = node.clock.Now();
    json out = json::array();
    for (const auto& [subnet, e] : banman.GetBanned(now)) {
        out.push_back({{"address", subnet.ToString()},
                       {"ban_created", e.create_time},
                       {"banned_until", e.ban_until},
                       {"ban_duration", e.ban_until - e.create_time},
                       {"time_remaining", e.ban_until - now}});
    }
    return out;
}

json clearbanned(const JSONRPCRequest& request)
{
    net::BanMan& banman = EnsureBanman(request);
    banman.ClearBanned();
    banman.ClearDiscouraged();
    std::string error;
    banman.Save(error);
    return nullptr;
}
} // namespace

void RegisterNetRPCCommands(CRPCTable& t)
{
    using Type = RPCArg::Type;
    t.AppendCommand({"network", "getconnectioncount", &getconnectioncount,
                     RPCHelp{"getconnectioncount", "Returns the number of connections to other nodes.", {}, "n (numeric)",
                             HelpExampleCli("getconnectioncount", "")}});
    t.AppendCommand({"network", "getpeerinfo", &getpeerinfo,
                     RPCHelp{"getpeerinfo", "Returns data about each connected network peer as a json array of objects.", {},
                             "[{\"id\", \"addr\", \"version\", \"subver\", \"inbound\", \"startingheight\", \"synced_headers\", \"synced_blocks\", \"torrent_port\", ...}]",
                             HelpExampleCli("getpeerinfo", "")}});
    t.AppendCommand({"network", "getnetworkinfo", &getnetworkinfo,
                     RPCHelp{"getnetworkinfo", "Returns an object containing various state info regarding P2P networking.", {},
                             "{\"version\", \"subversion\", \"protocolversion\", \"connections\", ...}",
                             HelpExampleCli("getnetworkinfo", "")}});
    t.AppendCommand({"network", "getnettotals", &getnettotals,
                     RPCHelp{"getnettotals", "Returns information about network traffic.", {},
                             "{\"totalbytesrecv\", \"totalbytessent\", \"timemillis\"}", HelpExampleCli("getnettotals", "")}});
    t.AppendCommand({"network", "ping", &ping,
                     RPCHelp{"ping", "Requests that a ping be sent to all other nodes, to measure ping time (see getpeerinfo pingtime).", {}, "",
                             HelpExampleCli("ping", "")}});
    t.AppendCommand({"network", "addnode", &addnode,
                     RPCHelp{"addnode", "Attempts to add or remove a node from the addnode list, or try a connection to a node once.",
                             {{"node", Type::STR, RPCArg::REQUIRED, "The address of the peer to connect to"},
                              {"command", Type::STR, RPCArg::REQUIRED, "'add', 'remove' or 'onetry'"}},
                             "", HelpExampleCli("addnode", "\"192.168.0.6:9333\" \"onetry\"")}});
    t.AppendCommand({"network", "getaddednodeinfo", &getaddednodeinfo,
                     RPCHelp{"getaddednodeinfo", "Returns information about the given added node, or all added nodes.",
                             {{"node", Type::STR, RPCArg::OPTIONAL, "If provided, return information about this specific node"}},
                             "[{\"addednode\", \"connected\", \"addresses\"}]", HelpExampleCli("getaddednodeinfo", "")}});
    t.AppendCommand({"network", "disconnectnode", &disconnectnode,
                     RPCHelp{"disconnectnode", "Immediately disconnects from the specified peer node (by address or by nodeid).",
                             {{"address", Type::STR, RPCArg::OPTIONAL, "The IP address/port of the node"},
                              {"nodeid", Type::NUM, RPCArg::OPTIONAL, "The node ID (see getpeerinfo for node IDs)"}},
                             "", HelpExampleCli("disconnectnode", "\"192.168.0.6:9333\"")}});
    t.AppendCommand({"network", "setban", &setban,
                     RPCHelp{"setban", "Attempts to add or remove an IP/Subnet from the banned list.",
                             {{"subnet", Type::STR, RPCArg::REQUIRED, "The IP/Subnet (see getpeerinfo for nodes IP) with an optional netmask"},
                              {"command", Type::STR, RPCArg::REQUIRED, "'add' or 'remove'"},
                              {"bantime", Type::NUM, RPCArg::OPTIONAL, "Time in seconds how long (or until when if absolute) the IP is banned (0 = -bantime)"},
                              {"absolute", Type::BOOL, RPCArg::OPTIONAL, "If set, the bantime must be an absolute timestamp"}},
                             "", HelpExampleCli("setban", "\"192.168.0.6\" \"add\" 86400")}});
    t.AppendCommand({"network", "listbanned", &listbanned,
                     RPCHelp{"listbanned", "List all manually banned IPs/Subnets.", {},
                             "[{\"address\", \"ban_created\", \"banned_until\", \"ban_duration\", \"time_remaining\"}]",
                             HelpExampleCli("listbanned", "")}});
    t.AppendCommand({"network", "clearbanned", &clearbanned,
                     RPCHelp{"clearbanned", "Clear all banned IPs (and the discouraged addresses).", {}, "",
                             HelpExampleCli("clearbanned", "")}});
}
