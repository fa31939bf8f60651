#include <rpc/register.h>

#include <rpc/mempool.h>
#include <rpc/server.h>

void RegisterAllRPCCommands(CRPCTable& table)
{
    RegisterControlRPCCommands(table);
    RegisterBlockchainRPCCommands(table);
    RegisterMempoolRPCCommands(table);
    RegisterMiningRPCCommands(table);
    RegisterRawTransactionRPCCommands(table);
    RegisterNetRPCCommands(table);
    RegisterModelFilesRPCCommands(table);
    RegisterOdaExecRPCCommands(table);
    RegisterModelRPCCommands(table);
}
