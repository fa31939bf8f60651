// One JSON-RPC call as the dispatcher hands it to a command handler, and the reply shapes.
#ifndef ODA_RPC_REQUEST_H
#define ODA_RPC_REQUEST_H

#include <nlohmann/json.hpp>

#include <string>

struct NodeContext;

enum class JSONRPCVersion {
    V1_LEGACY, //!< JSON-RPC 1.0 as Bitcoin Core speaks it ({"result","error","id"} always)
    V2,        //!< JSON-RPC 2.0 ("jsonrpc":"2.0"; result XOR error; notifications)
};

class JSONRPCRequest
{
public:
    nlohmann::json id;         //!< echoed in the reply (null when absent)
    std::string method;
    nlohmann::json params;     //!< after dispatch: always an array (named params converted)
    std::string uri;           //!< HTTP path ("/" or "/wallet/<name>")
    std::string auth_user;     //!< user name that authenticated ("__cookie__" for the cookie)
    std::string peer_addr;     //!< "ip:port" of the client (for logs)
    NodeContext* context{nullptr};
    JSONRPCVersion json_version{JSONRPCVersion::V1_LEGACY};
    bool is_notification{false}; //!< 2.0 request without "id": executed, never answered

    /** Fills id/method/params/version from one request object. Throws JSONRPCError
     *  (RPC_INVALID_REQUEST) for a non-object, a missing or non-string method, params that
     *  are neither array, object nor null, or an unknown "jsonrpc" value. The id is set before
     *  any error is thrown, so the error reply can echo it. */
    void Parse(const nlohmann::json& request);

    /** Wallet name from a "/wallet/<name>" uri (URL-decoded); false for other uris. */
    bool GetWalletName(std::string& name) const;
};

/** A reply object for the version: 1.0 {"result","error","id"}; 2.0 {"jsonrpc":"2.0",
 *  "result"|"error","id"}. Pass error = null for success. */
nlohmann::json JSONRPCReplyObj(const nlohmann::json& result, const nlohmann::json& error, const nlohmann::json& id,
                               JSONRPCVersion version);

/** A request object as oda-cli sends it (1.0 shape, as Bitcoin Core's client). */
nlohmann::json JSONRPCRequestObj(const std::string& method, const nlohmann::json& params, const nlohmann::json& id);

/** %XX decoding for URI paths. Invalid escapes are kept literally. */
std::string URLDecode(const std::string& str);

#endif // ODA_RPC_REQUEST_H
