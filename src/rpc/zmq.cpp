// ZeroMQ RPC: getzmqnotifications. Compiled into libodazmq.a (with ENABLE_ZMQ) and registered by
// odad once the zmq service started.
#include <node/context.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <zmq/zmqnotifier.h>

namespace {
nlohmann::json getzmqnotifications(const JSONRPCRequest& request)
{
    if (!request.context) throw JSONRPCError(RPC_INTERNAL_ERROR, "Node context not found");
    nlohmann::json out = nlohmann::json::array();
    const std::shared_ptr<ZmqNotifier> notifier = request.context->zmq_notifier;
    if (!notifier) return out;
    for (const ZmqPublisherConfig& c : notifier->GetActiveNotifications()) {
        out.push_back({{"type", c.type}, {"address", c.address}, {"hwm", c.hwm}});
    }
    return out;
}
} // namespace

void RegisterZMQRPCCommands(CRPCTable& table)
{
    table.AppendCommand({"zmq", "getzmqnotifications", &getzmqnotifications,
                         RPCHelp{"getzmqnotifications", "Returns information about the active ZeroMQ notifications.", {},
                                 "[                        (json array)\n"
                                 "  {                      (json object)\n"
                                 "    \"type\" : \"str\",      (string) Type of notification (pubhashblock, pubrawtx, ...)\n"
                                 "    \"address\" : \"str\",   (string) Address of the publisher\n"
                                 "    \"hwm\" : n            (numeric) Outbound message high water mark\n"
                                 "  },\n  ...\n]",
                                 HelpExampleCli("getzmqnotifications", "") + HelpExampleRpc("getzmqnotifications", "")}});
}
