// odad: the ODA node. The life cycle is in node/init (AppMain); this file only lists the
// services that live outside node/ (layering), in start order.
#include <node/init.h>
#include <rpc/httprpc.h>

#include <vector>

int main(int argc, char* argv[])
{
    std::vector<NodeService> services;
    services.push_back(MakeRPCService());
    // Later: P2P (net), ZMQ notifications, wallet.
    return AppMain(argc, argv, services);
}
