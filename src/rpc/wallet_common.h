// Helpers the wallet RPC files share (defined in rpc/wallet.cpp, compiled into libodawallet).
#ifndef ODA_RPC_WALLET_COMMON_H
#define ODA_RPC_WALLET_COMMON_H

#include <consensus/amount.h>
#include <rpc/request.h>
#include <rpc/server.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

class CWallet;
namespace interfaces {
class Chain;
}

/** The request's wallet, after every earlier chain and mempool notification reached it. */
std::shared_ptr<CWallet> WalletForRequest(const JSONRPCRequest& req);
/** The node behind the wallets (RPC_WALLET_ERROR when the wallet service has none). */
interfaces::Chain& WalletChain(const JSONRPCRequest& req);
/** fee_rate in units per vB (up to 3 decimals) -> units per kvB, with Core's errors. */
CAmount ParseWalletFeeRate(const nlohmann::json& v);
/** A handler that turns WalletError into the JSON-RPC error with its code. */
RPCHandler WrapWalletHandler(std::function<nlohmann::json(const JSONRPCRequest&)> fn);

/** addmodel, sendinference, updateweights (rpc/wallet_oda.cpp). */
void RegisterWalletOdaRPCCommands(CRPCTable& t);

#endif // ODA_RPC_WALLET_COMMON_H
