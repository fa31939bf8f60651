#include <rpc/server.h>

#include <util/logging.h>
#include <util/strencodings.h>
#include <util/time.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

bool CRPCTable::AppendCommand(const CRPCCommand& command)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_commands.emplace(command.name, command).second;
}

bool CRPCTable::RemoveCommand(const std::string& name)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_commands.erase(name) > 0;
}

const CRPCCommand* CRPCTable::GetCommand(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_commands.find(name);
    return it == m_commands.end() ? nullptr : &it->second;
}

std::vector<std::string> CRPCTable::ListCommands() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<std::string> names;
    for (const auto& [name, cmd] : m_commands) names.push_back(name);
    return names;
}

void CRPCTable::SetWarmupStatus(const std::string& status)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_in_warmup = true;
    m_warmup_status = status;
}

void CRPCTable::SetWarmupFinished()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_in_warmup = false;
}

bool CRPCTable::IsInWarmup(std::string* status) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (status) *status = m_warmup_status;
    return m_in_warmup;
}

std::vector<CRPCTable::ActiveCommand> CRPCTable::GetActiveCommands() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<ActiveCommand> out;
    for (const auto& [id, cmd] : m_active) out.push_back(cmd);
    return out;
}

nlohmann::json TransformNamedParams(const nlohmann::json& params, const std::vector<std::string>& arg_names)
{
    if (!params.is_object()) return params;
    for (auto it = params.begin(); it != params.end(); ++it) {
        if (std::find(arg_names.begin(), arg_names.end(), it.key()) == arg_names.end()) {
            throw JSONRPCError(RPC_INVALID_PARAMETER,
                               "Unknown named parameter " + SanitizeString(it.key(), 100));
        }
    }
    nlohmann::json positional = nlohmann::json::array();
    size_t last_given = 0;
    for (size_t i = 0; i < arg_names.size(); ++i) {
        auto found = params.find(arg_names[i]);
        if (found != params.end()) {
            positional.push_back(*found);
            last_given = i + 1;
        } else {
            positional.push_back(nullptr);
        }
    }
    positional.erase(positional.begin() + static_cast<std::ptrdiff_t>(last_given), positional.end());
    return positional;
}


nlohmann::json CRPCTable::Execute(JSONRPCRequest& request) const
{
    // A copy, so that a concurrent RemoveCommand cannot pull the handler away mid-call.
    std::optional<CRPCCommand> found;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_commands.find(request.method);
        if (it == m_commands.end()) throw JSONRPCError(RPC_METHOD_NOT_FOUND, "Method not found");
        if (m_in_warmup && !it->second.ok_during_warmup) throw JSONRPCError(RPC_IN_WARMUP, m_warmup_status);
        found = it->second;
    }
    const CRPCCommand* command = &*found;
    request.params = TransformNamedParams(request.params, command->help.ArgNames());

    const auto& args = command->help.args;
    // Too many or too few arguments: the error message is the command's help, as Core does.
    bool missing_required = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (!args[i].optional && (i >= request.params.size() || request.params[i].is_null())) missing_required = true;
    }
    if (request.params.size() > args.size() || missing_required) {
        throw JSONRPCError(RPC_MISC_ERROR, command->help.ToString());
    }
    for (size_t i = 0; i < request.params.size(); ++i) {
        if (!request.params[i].is_null()) args[i].CheckValue(request.params[i]);
    }

    uint64_t active_id;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        active_id = m_next_active_id++;
        m_active[active_id] = ActiveCommand{request.method, GetTimeMicros()};
    }
    struct ActiveGuard {
        const CRPCTable& table;
        uint64_t id;
        ~ActiveGuard()
        {
            std::lock_guard<std::mutex> lock(table.m_mutex);
            table.m_active.erase(id);
        }
    } guard{*this, active_id};

    try {
        return command->handler(request);
    } catch (const JSONRPCError&) {
        throw;
    } catch (const std::exception& e) {
        throw JSONRPCError(RPC_MISC_ERROR, e.what());
    } catch (...) {
        throw JSONRPCError(RPC_MISC_ERROR, "unknown error");
    }
}

std::string CRPCTable::Help(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!name.empty()) {
        auto it = m_commands.find(name);
        if (it == m_commands.end()) return "help: unknown command: " + SanitizeString(name, 100);
        return it->second.help.ToString();
    }
    // Category order: by name, with each category's commands sorted.
    std::map<std::string, std::vector<const CRPCCommand*>> by_category;
    for (const auto& [cmd_name, cmd] : m_commands) {
        if (cmd.category == "hidden") continue;
        by_category[cmd.category].push_back(&cmd);
    }
    std::string out;
    for (const auto& [category, commands] : by_category) {
        if (!out.empty()) out += "\n";
        std::string title = category;
        if (!title.empty()) title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
        out += "== " + title + " ==\n";
        for (const CRPCCommand* cmd : commands) out += cmd->help.UsageLine() + "\n";
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

namespace {
// HTTP status for a JSON-RPC 1.0 error reply (Bitcoin Core's mapping).
int LegacyErrorStatus(int code)
{
    if (code == RPC_INVALID_REQUEST) return HTTP_BAD_REQUEST;
    if (code == RPC_METHOD_NOT_FOUND) return HTTP_NOT_FOUND;
    return HTTP_INTERNAL_SERVER_ERROR;
}

struct SingleReply {
    bool has_reply{true};
    int status{HTTP_OK};
    nlohmann::json reply;
};

SingleReply ExecuteOne(const CRPCTable& table, const nlohmann::json& request_json, const JSONRPCRequest& base)
{
    JSONRPCRequest request;
    request.uri = base.uri;
    request.auth_user = base.auth_user;
    request.peer_addr = base.peer_addr;
    request.context = base.context;
    SingleReply out;
    try {
        request.Parse(request_json);
    } catch (const JSONRPCError& e) {
        // Malformed request: the version may be unknown, so reply in the 1.0 shape unless
        // the object said 2.0.
        out.reply = JSONRPCReplyObj(nullptr, e.ToJSON(), request.id, request.json_version);
        out.status = request.json_version == JSONRPCVersion::V2 ? HTTP_OK : LegacyErrorStatus(e.Code());
        return out;
    }
    LogDebug(BCLog::RPC, "ThreadRPCServer method=%s user=%s\n", SanitizeString(request.method, 100).c_str(),
             SanitizeString(request.auth_user, 100).c_str());
    try {
        nlohmann::json result = table.Execute(request);
        out.reply = JSONRPCReplyObj(result, nullptr, request.id, request.json_version);
    } catch (const JSONRPCError& e) {
        out.reply = JSONRPCReplyObj(nullptr, e.ToJSON(), request.id, request.json_version);
        if (request.json_version != JSONRPCVersion::V2) out.status = LegacyErrorStatus(e.Code());
    }
    if (request.is_notification) out.has_reply = false;
    return out;
}
} // namespace

RPCHTTPReply ProcessJSONRPCBody(const CRPCTable& table, const std::string& body, const JSONRPCRequest& base)
{
    RPCHTTPReply http;
    nlohmann::json parsed;
    if (!ParseJSON(body, parsed)) {
        http.status = HTTP_INTERNAL_SERVER_ERROR;
        http.body = WriteJSON(JSONRPCReplyObj(nullptr, JSONRPCErrorObject(RPC_PARSE_ERROR, "Parse error"), nullptr,
                                              JSONRPCVersion::V1_LEGACY)) + "\n";
        return http;
    }
    if (parsed.is_object()) {
        SingleReply one = ExecuteOne(table, parsed, base);
        if (!one.has_reply) {
            http.status = HTTP_NO_CONTENT;
            return http;
        }
        http.status = one.status;
        http.body = WriteJSON(one.reply) + "\n";
        return http;
    }
    if (parsed.is_array()) {
        nlohmann::json replies = nlohmann::json::array();
        for (const nlohmann::json& element : parsed) {
            SingleReply one = ExecuteOne(table, element, base);
            if (one.has_reply) replies.push_back(std::move(one.reply));
        }
        if (replies.empty() && !parsed.empty()) {
            http.status = HTTP_NO_CONTENT;
            return http;
        }
        http.body = WriteJSON(replies) + "\n";
        return http;
    }
    http.status = HTTP_INTERNAL_SERVER_ERROR;
    http.body = WriteJSON(JSONRPCReplyObj(nullptr, JSONRPCErrorObject(RPC_PARSE_ERROR, "Top-level object parse error"),
                                          nullptr, JSONRPCVersion::V1_LEGACY)) + "\n";
    return http;
}
