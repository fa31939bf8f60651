// getexecutioncacheinfo: the counters of the ODA execution cache (node/oda_work_cache.h), so
// that one can see a block whose work the node already evaluated connect from the cache.
#include <node/context.h>
#include <node/oda_executor.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <rpc/util.h>

namespace {

nlohmann::json CounterJson(const node::WorkCacheCounter& c)
{
    return {{"hits", c.hits}, {"misses", c.misses}, {"entries", c.entries}, {"bytes", c.bytes}};
}

nlohmann::json getexecutioncacheinfo(const JSONRPCRequest& request)
{
    if (!request.context || !request.context->oda_executor) {
        throw JSONRPCError(RPC_INTERNAL_ERROR, "ODA executor not found");
    }
    const node::WorkCacheStats stats = request.context->oda_executor->CacheStats();
    return {{"scores", CounterJson(stats.scores)},
            {"outputs", CounterJson(stats.outputs)},
            {"models", CounterJson(stats.models)},
            {"datasets", CounterJson(stats.datasets)}};
}

} // namespace

void RegisterOdaExecRPCCommands(CRPCTable& t)
{
    t.AppendCommand({"modelfiles", "getexecutioncacheinfo", &getexecutioncacheinfo,
                     RPCHelp{"getexecutioncacheinfo",
                             "Counters of the cache of ODA execution results (doc/oda-protocol.md section 2.5): "
                             "scores, inference outputs, compiled models and parsed datasets, kept by content and "
                             "bounded in memory. A hit is work (a score, an inference) the node did not have to redo.",
                             {},
                             "{\n"
                             "  \"scores\" : {             (json object) scores of weights on datasets\n"
                             "    \"hits\" : n,            (numeric) lookups answered from the cache\n"
                             "    \"misses\" : n,          (numeric) lookups that had to compute\n"
                             "    \"entries\" : n,         (numeric) entries held now\n"
                             "    \"bytes\" : n            (numeric) what the bound counts (entries for scores)\n"
                             "  },\n"
                             "  \"outputs\" : {...},       (json object) inference outputs, same fields\n"
                             "  \"models\" : {...},        (json object) compiled models, same fields\n"
                             "  \"datasets\" : {...}       (json object) parsed datasets, same fields\n"
                             "}",
                             HelpExampleCli("getexecutioncacheinfo", "") + HelpExampleRpc("getexecutioncacheinfo", "")}});
}
