// Creating the node's mempool from the command-line options, and its hookup to
// the chainstate. Called from the node subsystem hooks (node/subsystems.cpp).
#ifndef ODA_NODE_MEMPOOL_INIT_H
#define ODA_NODE_MEMPOOL_INIT_H

#include <filesystem>
#include <string>

class ArgsManager;
struct NodeContext;

/** Registers -maxmempool, -mempoolexpiry, -minrelaytxfee, -mincomputefee, -incrementalrelayfee, -dustrelayfee,
 *  -blockmintxfee and the -limit{ancestor,descendant}{count,size} options. */
void AddMempoolArgs(ArgsManager& args);

/** Creates node.mempool from the options, registers node.mempool_sync on node.chainman's
 *  signals (node.chainman must exist) and loads mempool.dat (-persistmempool). False with
 *  `error` for a bad option value (an unreadable mempool.dat is only logged). */
bool StartMempool(NodeContext& node, std::string& error);

/** <network data dir>/mempool.dat */
std::filesystem::path MempoolDumpPath(const NodeContext& node);

/** Saves mempool.dat (-persistmempool), unregisters the chain observer and drops the
 *  mempool (before the chainstate goes). */
void StopMempool(NodeContext& node);

#endif // ODA_NODE_MEMPOOL_INIT_H
