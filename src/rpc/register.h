// Registration of every RPC command family into a table. Each family has one function
// `void Register<Family>RPCCommands(CRPCTable&)` defined in its own rpc/<family>.cpp; add yours
// here (declaration + one call in RegisterAllRPCCommands in rpc/register.cpp).
#ifndef ODA_RPC_REGISTER_H
#define ODA_RPC_REGISTER_H

class CRPCTable;

void RegisterControlRPCCommands(CRPCTable& table);
void RegisterBlockchainRPCCommands(CRPCTable& table);
void RegisterNetRPCCommands(CRPCTable& table);
/** Model file store commands (rpc/modelfiles.cpp). */
void RegisterModelFilesRPCCommands(CRPCTable& table);
/** ODA execution cache counters (rpc/oda_exec.cpp). */
void RegisterOdaExecRPCCommands(CRPCTable& table);
/** Model registry commands (rpc/models.cpp): getregistryinfo, listmodels, getmodel. */
void RegisterModelRPCCommands(CRPCTable& table);
/** Wallet commands (rpc/wallet.cpp, compiled into libodawallet.a when the wallet is built).
 *  Registered by odad once the wallet service started (not by RegisterAllRPCCommands), so
 *  -disablewallet leaves them out. */
void RegisterWalletRPCCommands(CRPCTable& table);
/** ZeroMQ commands (rpc/zmq.cpp, compiled into libodazmq.a when ZeroMQ is built). Registered by
 *  odad once the zmq service started. */
void RegisterZMQRPCCommands(CRPCTable& table);

/** Registers all families compiled into this build. */
void RegisterAllRPCCommands(CRPCTable& table);

#endif // ODA_RPC_REGISTER_H
