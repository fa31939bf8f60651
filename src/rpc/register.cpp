#include <rpc/register.h>

#include <rpc/server.h>

void RegisterAllRPCCommands(CRPCTable& table)
{
    RegisterControlRPCCommands(table);
    RegisterNetRPCCommands(table);
}
