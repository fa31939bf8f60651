// The node's implementation of interfaces::Chain (interfaces/chain.h), over the
// ChainstateManager and mempool of a NodeContext. Every method takes the node locks it
// needs itself (chainstate lock, then the pool's), so callers never touch them.
#ifndef ODA_NODE_CHAIN_INTERFACE_H
#define ODA_NODE_CHAIN_INTERFACE_H

#include <interfaces/chain.h>

#include <memory>

struct NodeContext;

namespace node {

/** A Chain over node.chainman and node.mempool, read at each call (a missing chainman acts
 *  as an empty chain, a missing mempool as an empty pool that rejects everything). The
 *  context must outlive the returned object and every Handler it hands out. */
std::unique_ptr<interfaces::Chain> MakeChain(NodeContext& node);

} // namespace node

#endif // ODA_NODE_CHAIN_INTERFACE_H
