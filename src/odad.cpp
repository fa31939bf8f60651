// odad: the ODA node. The life cycle is in node/init (AppMain); this file only lists the
// services that live outside node/ (layering), in start order.
#include <node/init.h>
#include <net/init.h>
#include <rpc/httprpc.h>

#include <vector>

int main(int argc, char* argv[])
{
    std::vector<NodeService> services;
    services.push_back(MakeRPCService());
    services.push_back(MakeP2PService());
    // Later: ZMQ notifications, wallet.
    return AppMain(argc, argv, services);
}
