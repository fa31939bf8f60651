// Blockchain RPCs (getblockchaininfo, getblock, gettxout, invalidateblock, ...),
// with Bitcoin Core's argument lists, result shapes and error codes.
#ifndef ODA_RPC_BLOCKCHAIN_H
#define ODA_RPC_BLOCKCHAIN_H

#include <nlohmann/json.hpp>

class CRPCTable;
class JSONRPCRequest;
struct NodeContext;
namespace node {
class ChainstateManager;
}

void RegisterBlockchainRPCCommands(CRPCTable& table);

/** The request's chainstate; throws JSONRPCError(RPC_INTERNAL_ERROR) when the node has none. */
node::ChainstateManager& EnsureChainman(const JSONRPCRequest& request);

#endif // ODA_RPC_BLOCKCHAIN_H
