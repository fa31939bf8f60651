// Mempool, mining and raw-transaction RPC families (rpc/mempool.cpp,
// rpc/mining.cpp, rpc/rawtransaction.cpp) and the small helpers they share.
#ifndef ODA_RPC_MEMPOOL_H
#define ODA_RPC_MEMPOOL_H

#include <node/mempool.h>
#include <primitives/transaction.h>
#include <rpc/request.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

class CRPCTable;
class ChainParams;
namespace node {
class ChainstateManager;
}

void RegisterMempoolRPCCommands(CRPCTable& table);
void RegisterMiningRPCCommands(CRPCTable& table);
void RegisterRawTransactionRPCCommands(CRPCTable& table);

/** The node's mempool; RPC_CLIENT_MEMPOOL_DISABLED-like RPC_MISC_ERROR "Mempool disabled or instance not found". */
CTxMemPool& EnsureMemPool(const JSONRPCRequest& request);
/** The chainstate manager; RPC_MISC_ERROR when the node has none (yet). */
node::ChainstateManager& EnsureChainstate(const JSONRPCRequest& request);
const ChainParams& EnsureChainParams(const JSONRPCRequest& request);

/** Parses a raw transaction (witness form accepted; a transaction without inputs in the form
 *  without witness too); nullopt on any decoding error or trailing bytes. */
std::optional<CMutableTransaction> DecodeHexTx(const std::string& hex);

/** Core's getrawmempool verbose entry for one pool entry (caller holds pool.cs). */
nlohmann::json MempoolEntryToJSON(const CTxMemPool& pool, const CTxMemPoolEntry& e);

#endif // ODA_RPC_MEMPOOL_H
