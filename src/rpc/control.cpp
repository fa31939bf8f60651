// Control RPCs: help, stop, uptime, logging, getrpcinfo, setmocktime, echo/echojson (hidden).
#include <node/context.h>
#include <rpc/register.h>
#include <rpc/server.h>
#include <util/args.h>
#include <util/fs.h>
#include <util/logging.h>
#include <util/strencodings.h>
#include <util/time.h>

namespace {
NodeContext& EnsureContext(const JSONRPCRequest& request)
{
    if (!request.context) throw JSONRPCError(RPC_INTERNAL_ERROR, "Node context not found");
    return *request.context;
}

nlohmann::json help(const JSONRPCRequest& request)
{
    NodeContext& node = EnsureContext(request);
    if (!node.rpc_table) throw JSONRPCError(RPC_INTERNAL_ERROR, "RPC table not found");
    std::string command = request.params.size() > 0 && request.params[0].is_string() ? request.params[0].get<std::string>() : "";
    return node.rpc_table->Help(command);
}

nlohmann::json stop(const JSONRPCRequest& request)
{
    EnsureContext(request).RequestShutdown();
    return "ODA server stopping";
}

nlohmann::json uptime(const JSONRPCRequest& request)
{
    // Follows setmocktime (as in Core), so tests can check it without waiting.
    NodeContext& node = EnsureContext(request);
    return node.clock.Now() - node.start_time;
}

void ApplyCategories(BCLog::Logger& logger, const nlohmann::json& list, bool enable)
{
    for (const auto& item : list) {
        if (!item.is_string()) throw JSONRPCError(RPC_TYPE_ERROR, "Logging categories must be strings");
        const std::string& name = item.get_ref<const std::string&>();
        bool ok = enable ? logger.EnableCategory(name) : logger.DisableCategory(name);
        if (!ok) throw JSONRPCError(RPC_INVALID_PARAMETER, "unknown logging category " + SanitizeString(name, 100));
    }
}

nlohmann::json logging(const JSONRPCRequest& request)
{
    NodeContext& node = EnsureContext(request);
    if (!node.logger) throw JSONRPCError(RPC_INTERNAL_ERROR, "Logger not found");
    if (request.params.size() > 0 && !request.params[0].is_null()) ApplyCategories(*node.logger, request.params[0], true);
    if (request.params.size() > 1 && !request.params[1].is_null()) ApplyCategories(*node.logger, request.params[1], false);
    nlohmann::json out = nlohmann::json::object();
    for (const auto& c : node.logger->LogCategoriesList()) out[c.category] = c.active;
    return out;
}

nlohmann::json getrpcinfo(const JSONRPCRequest& request)
{
    NodeContext& node = EnsureContext(request);
    nlohmann::json active = nlohmann::json::array();
    if (node.rpc_table) {
        int64_t now = GetTimeMicros();
        for (const auto& cmd : node.rpc_table->GetActiveCommands()) {
            active.push_back({{"method", cmd.method}, {"duration", now - cmd.start_micros}});
        }
    }
    nlohmann::json out = {{"active_commands", active}};
    if (node.logger && node.logger->m_print_to_file) {
        std::error_code ec;
        fs::path abs = fs::absolute(node.logger->m_file_path, ec);
        out["logpath"] = (ec ? node.logger->m_file_path : abs).string();
    }
    return out;
}

nlohmann::json setmocktime(const JSONRPCRequest& request)
{
    NodeContext& node = EnsureContext(request);
    if (node.args && node.args->GetSelectedNetwork() != CHAIN_REGTEST) {
        throw std::runtime_error("setmocktime is for regression testing (-regtest mode) only");
    }
    const nlohmann::json& t = request.params[0];
    if (!node.clock.SetMockTime(GetIntArg<int64_t>(t, "timestamp"))) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, "Mocktime cannot be negative: " + t.dump());
    }
    return nullptr;
}

nlohmann::json echo(const JSONRPCRequest& request)
{
    return request.params;
}

/** echo's and echojson's arguments: arg0 .. arg9, each optional and of any type. */
std::vector<RPCArg> EchoArgs()
{
    std::vector<RPCArg> args;
    for (int i = 0; i < 10; ++i) args.push_back({"arg" + std::to_string(i), RPCArg::Type::ANY, RPCArg::OPTIONAL, ""});
    return args;
}
} // namespace

void RegisterControlRPCCommands(CRPCTable& t)
{
    using Type = RPCArg::Type;
    t.AppendCommand({"control", "help", &help,
                     RPCHelp{"help", "List all commands, or get help for a specified command.",
                             {{"command", Type::STR, RPCArg::OPTIONAL, "The command to get help on", "all commands"}},
                             "\"text\"     (string) The help text",
                             HelpExampleCli("help", "") + HelpExampleCli("help", "getblockcount")},
                     /*ok_during_warmup=*/true});
    t.AppendCommand({"control", "stop", &stop,
                     RPCHelp{"stop", "Request a graceful shutdown of ODA server.", {},
                             "\"ODA server stopping\"    (string) A string with the content 'ODA server stopping'",
                             HelpExampleCli("stop", "") + HelpExampleRpc("stop", "")},
                     true});
    t.AppendCommand({"control", "uptime", &uptime,
                     RPCHelp{"uptime", "Returns the total uptime of the server.", {},
                             "n    (numeric) The number of seconds that the server has been running",
                             HelpExampleCli("uptime", "") + HelpExampleRpc("uptime", "")},
                     true});
    t.AppendCommand({"control", "logging", &logging,
                     RPCHelp{"logging",
                             "Gets and sets the logging configuration.\n"
                             "When called without an argument, returns the list of categories with status that are "
                             "currently being debug logged or not.\n"
                             "When called with arguments, adds or removes categories from debug logging and return "
                             "the lists above.\nThe arguments are evaluated in order \"include\", \"exclude\".\n"
                             "If an item is both included and excluded, it will thus end up being excluded.\n"
                             "The valid logging categories are: " + BCLog::SupportedCategoriesString() + "\n"
                             "In addition, the following are available as category names with special meanings:\n"
                             "  - \"all\",  \"1\" : represent all logging categories.",
                             {{"include", Type::ARR, RPCArg::OPTIONAL, "The categories to add to debug logging"},
                              {"exclude", Type::ARR, RPCArg::OPTIONAL, "The categories to remove from debug logging"}},
                             "{                   (json object where keys are the logging categories, and values "
                             "indicates its status)\n  \"category\": true|false,  (boolean) if being debug logged or "
                             "not. false:inactive, true:active\n  ...\n}",
                             HelpExampleCli("logging", "\"[\\\"all\\\"]\" \"[\\\"http\\\"]\"") +
                                 HelpExampleRpc("logging", "[\"all\"], [\"http\"]")},
                     true});
    t.AppendCommand({"control", "getrpcinfo", &getrpcinfo,
                     RPCHelp{"getrpcinfo", "Returns details of the RPC server.", {},
                             "{\n  \"active_commands\" : [   (json array) All active commands\n    {\n"
                             "      \"method\" : \"str\",   (string) The name of the RPC command\n"
                             "      \"duration\" : n      (numeric) The running time in microseconds\n    },\n"
                             "    ...\n  ],\n  \"logpath\" : \"str\"     (string) The complete file path to the debug log\n}",
                             HelpExampleCli("getrpcinfo", "") + HelpExampleRpc("getrpcinfo", "")},
                     true});
    t.AppendCommand({"hidden", "setmocktime", &setmocktime,
                     RPCHelp{"setmocktime", "Set the local time to given timestamp (-regtest only)",
                             {{"timestamp", Type::NUM, RPCArg::REQUIRED,
                               "UNIX seconds-since-epoch timestamp\nPass 0 to go back to using the system time."}},
                             "", HelpExampleCli("setmocktime", "1700000000")}});
    t.AppendCommand({"hidden", "echo", &echo,
                     RPCHelp{"echo", "Simply echo back the input arguments. This command is for testing.",
                             EchoArgs(),
                             "value    (any) The arguments", ""},
                     true});
    t.AppendCommand({"hidden", "echojson", &echo,
                     RPCHelp{"echojson", "Simply echo back the input arguments (oda-cli sends them as JSON).",
                             EchoArgs(),
                             "value    (any) The arguments", ""},
                     true});
}
