// The RPC command table and the JSON-RPC dispatcher (no sockets: the HTTP server hands it
// request bodies, unit tests call it directly).
//
// Adding a command family (e.g. rpc/blockchain.cpp):
//   1. write handlers `nlohmann::json name(const JSONRPCRequest& request)`; read arguments from
//      request.params[i] (always an array here: named parameters are already mapped, missing
//      optional ones are null or absent: use `request.params.size() > i && !...is_null()`);
//      reach node state through request.context (NodeContext*); throw JSONRPCError for errors;
//   2. define `void RegisterBlockchainRPCCommands(CRPCTable& t)` that calls t.AppendCommand(...)
//      for each command with its RPCHelp (see rpc/util.h);
//   3. declare it in rpc/register.h and call it from RegisterAllRPCCommands();
//   4. add the arguments oda-cli must send as JSON (numbers, booleans, objects) to
//      rpc/client.cpp's table.
#ifndef ODA_RPC_SERVER_H
#define ODA_RPC_SERVER_H

#include <rpc/request.h>
#include <rpc/util.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

using RPCHandler = std::function<nlohmann::json(const JSONRPCRequest&)>;

struct CRPCCommand {
    std::string category; //!< "control", "blockchain", "mining", "rawtransactions", ... "hidden" = not listed
    std::string name;
    RPCHandler handler;
    RPCHelp help;
    bool ok_during_warmup{false}; //!< may run before init finished (help, stop, uptime)
};

class CRPCTable
{
public:
    /** Adds a command. false (and no change) when the name is already taken. */
    bool AppendCommand(const CRPCCommand& command);
    /** Removes a command; false when absent. */
    bool RemoveCommand(const std::string& name);
    /** nullptr when unknown. The pointer stays valid until the command is removed. */
    const CRPCCommand* GetCommand(const std::string& name) const;
    /** Command names, sorted. */
    std::vector<std::string> ListCommands() const;

    /** Runs one parsed request: warmup check, named -> positional params, argument count and
     *  type checks, then the handler. Returns the result; throws JSONRPCError on any error
     *  (handler exceptions other than JSONRPCError become RPC_MISC_ERROR). */
    nlohmann::json Execute(JSONRPCRequest& request) const;

    /** `help` output: all commands grouped by category ("== Category ==" headers), or the full
     *  help of one command. Unknown name -> "help: unknown command: <name>". */
    std::string Help(const std::string& name) const;

    /** While set, commands without ok_during_warmup fail with RPC_IN_WARMUP and this status. */
    void SetWarmupStatus(const std::string& status);
    void SetWarmupFinished();
    bool IsInWarmup(std::string* status = nullptr) const;

    /** Commands currently executing (for getrpcinfo). */
    struct ActiveCommand {
        std::string method;
        int64_t start_micros;
    };
    std::vector<ActiveCommand> GetActiveCommands() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::string, CRPCCommand> m_commands;
    bool m_in_warmup{true};
    std::string m_warmup_status{"RPC server started"};
    mutable std::map<uint64_t, ActiveCommand> m_active;
    mutable uint64_t m_next_active_id{0};
};

/** Maps object params to an array by the command's argument names. Unknown name ->
 *  RPC_INVALID_PARAMETER "Unknown named parameter <name>". Trailing missing arguments are
 *  dropped, inner ones become null. */
nlohmann::json TransformNamedParams(const nlohmann::json& params, const std::vector<std::string>& arg_names);

/** An HTTP reply to a JSON-RPC body. */
struct RPCHTTPReply {
    int status{HTTP_OK};
    std::string body; //!< empty with status 204 (only notifications)
};

/** Processes one HTTP request body with JSON-RPC 1.0/2.0 semantics as Bitcoin Core:
 *  - not JSON -> RPC_PARSE_ERROR, HTTP 500; neither object nor array -> RPC_PARSE_ERROR, 500;
 *  - object: 1.0 -> {"result","error","id"}, errors with HTTP 404 (method not found),
 *    400 (invalid request) or 500 (others); 2.0 -> {"jsonrpc":"2.0","result"|"error","id"},
 *    HTTP 200 for errors of well-formed requests; a 2.0 notification (no id) runs and
 *    yields 204 with no body;
 *  - array (batch): each element handled as above (errors never change the HTTP status),
 *    replies in order, notifications omitted; 200 with the reply array (204 when empty).
 *  `base` supplies uri, auth_user, peer_addr and context for every call. */
RPCHTTPReply ProcessJSONRPCBody(const CRPCTable& table, const std::string& body, const JSONRPCRequest& base);

#endif // ODA_RPC_SERVER_H
