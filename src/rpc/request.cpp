#include <rpc/request.h>

#include <rpc/protocol.h>

void JSONRPCRequest::Parse(const nlohmann::json& request)
{
    if (!request.is_object()) throw JSONRPCError(RPC_INVALID_REQUEST, "Invalid Request object");
    auto id_it = request.find("id");
    id = id_it == request.end() ? nlohmann::json() : *id_it;

    auto version_it = request.find("jsonrpc");
    json_version = JSONRPCVersion::V1_LEGACY;
    if (version_it != request.end() && !version_it->is_null()) {
        if (!version_it->is_string()) throw JSONRPCError(RPC_INVALID_REQUEST, "jsonrpc field must be a string");
        const std::string& v = version_it->get_ref<const std::string&>();
        if (v == "2.0") {
            json_version = JSONRPCVersion::V2;
        } else if (v != "1.0") {
            throw JSONRPCError(RPC_INVALID_REQUEST, "JSON-RPC version not supported");
        }
    }
    // In 2.0 a request without "id" is a notification (an explicit null id is not).
    is_notification = json_version == JSONRPCVersion::V2 && id_it == request.end();

    auto method_it = request.find("method");
    if (method_it == request.end()) throw JSONRPCError(RPC_INVALID_REQUEST, "Missing method");
    if (!method_it->is_string()) throw JSONRPCError(RPC_INVALID_REQUEST, "Method must be a string");
    method = method_it->get<std::string>();

    auto params_it = request.find("params");
    if (params_it == request.end() || params_it->is_null()) {
        params = nlohmann::json::array();
    } else if (params_it->is_array() || params_it->is_object()) {
        params = *params_it;
    } else {
        throw JSONRPCError(RPC_INVALID_REQUEST, "Params must be an array or object");
    }
}

bool JSONRPCRequest::GetWalletName(std::string& name) const
{
    static const std::string prefix = "/wallet/";
    if (uri.compare(0, prefix.size(), prefix) != 0) return false;
    name = URLDecode(uri.substr(prefix.size()));
    return true;
}

nlohmann::json JSONRPCReplyObj(const nlohmann::json& result, const nlohmann::json& error, const nlohmann::json& id,
                               JSONRPCVersion version)
{
    nlohmann::json reply = nlohmann::json::object();
    if (version == JSONRPCVersion::V2) {
        reply["jsonrpc"] = "2.0";
        if (error.is_null()) {
            reply["result"] = result;
        } else {
            reply["error"] = error;
        }
    } else {
        reply["result"] = error.is_null() ? result : nlohmann::json();
        reply["error"] = error;
    }
    reply["id"] = id;
    return reply;
}

nlohmann::json JSONRPCRequestObj(const std::string& method, const nlohmann::json& params, const nlohmann::json& id)
{
    return {{"method", method}, {"params", params}, {"id", id}};
}

std::string URLDecode(const std::string& str)
{
    auto hexval = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (size_t i = 0; i < str.size(); ++i) {
        if (str[i] == '%' && i + 2 < str.size()) {
            int hi = hexval(str[i + 1]);
            int lo = hexval(str[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += str[i];
    }
    return out;
}
