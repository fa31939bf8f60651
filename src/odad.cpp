// odad: the ODA node. The life cycle is in node/init (AppMain); this file only lists the
// services that live outside node/ (layering), in start order.
#include <config/oda-config.h>
#include <node/init.h>
#include <net/init.h>
#include <rpc/httprpc.h>
#ifdef ENABLE_WALLET
#include <node/chain_interface.h>
#include <node/context.h>
#include <rpc/descriptors.h>
#include <rpc/register.h>
#include <wallet/load.h>
#endif
#ifdef ENABLE_ZMQ
#include <node/context.h>
#include <rpc/register.h>
#include <zmq/init.h>
#endif

#include <vector>

int main(int argc, char* argv[])
{
    std::vector<NodeService> services;
    services.push_back(MakeRPCService());
    services.push_back(MakeP2PService());
#ifdef ENABLE_WALLET
    {
        // The wallet sees the node only through interfaces::Chain (node::MakeChain); its RPC
        // commands join the table once the wallet service runs.
        NodeService wallet;
        wallet.name = "wallet";
        wallet.add_args = AddWalletOptions;
        wallet.start = [](NodeContext& node, std::string& error) {
            if (!StartWallets(*node.args, *node.chainparams, node::MakeChain(node), node.wallet_manager, error)) return false;
            if (!node.rpc_table) return true;
            RegisterDescriptorRPCCommands(*node.rpc_table); // need no loaded wallet
            if (node.wallet_manager) RegisterWalletRPCCommands(*node.rpc_table);
            return true;
        };
        wallet.stop = [](NodeContext& node) { node.wallet_manager.reset(); };
        services.push_back(wallet);
    }
#endif
#ifdef ENABLE_ZMQ
    {
        // getzmqnotifications is there (listing nothing) even without -zmqpub* options.
        NodeService zmq = MakeZMQService();
        auto start = zmq.start;
        zmq.start = [start](NodeContext& node, std::string& error) {
            if (!start(node, error)) return false;
            if (node.rpc_table) RegisterZMQRPCCommands(*node.rpc_table);
            return true;
        };
        services.push_back(zmq);
    }
#endif
    return AppMain(argc, argv, services);
}
