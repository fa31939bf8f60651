// JSON-RPC protocol constants shared by the server and oda-cli: HTTP status codes, RPC error
// codes (the values of Bitcoin Core, so existing tooling understands them), the exception
// handlers throw, and the JSON writer used for every reply.
#ifndef ODA_RPC_PROTOCOL_H
#define ODA_RPC_PROTOCOL_H

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

/** HTTP status codes used by the RPC server. */
enum HTTPStatusCode {
    HTTP_OK = 200,
    HTTP_NO_CONTENT = 204,
    HTTP_BAD_REQUEST = 400,
    HTTP_UNAUTHORIZED = 401,
    HTTP_FORBIDDEN = 403,
    HTTP_NOT_FOUND = 404,
    HTTP_BAD_METHOD = 405,
    HTTP_PAYLOAD_TOO_LARGE = 413,
    HTTP_INTERNAL_SERVER_ERROR = 500,
    HTTP_SERVICE_UNAVAILABLE = 503,
};

/** RPC error codes (as Bitcoin Core). */
enum RPCErrorCode {
    // Standard JSON-RPC 2.0 errors.
    RPC_INVALID_REQUEST = -32600, //!< also used for legacy "request is not an object" errors
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    RPC_PARSE_ERROR = -32700,

    // General application errors.
    RPC_MISC_ERROR = -1,                 //!< std::exception thrown in command handling
    RPC_TYPE_ERROR = -3,                 //!< unexpected type was passed as parameter
    RPC_INVALID_ADDRESS_OR_KEY = -5,     //!< invalid address, key, or unknown txid/block
    RPC_OUT_OF_MEMORY = -7,              //!< ran out of memory during operation
    RPC_INVALID_PARAMETER = -8,          //!< invalid, missing or duplicate parameter
    RPC_DATABASE_ERROR = -20,            //!< database error
    RPC_DESERIALIZATION_ERROR = -22,     //!< error parsing or validating structure in raw format
    RPC_VERIFY_ERROR = -25,              //!< general error during transaction or block submission
    RPC_VERIFY_REJECTED = -26,           //!< transaction or block was rejected by network rules
    RPC_VERIFY_ALREADY_IN_CHAIN = -27,   //!< transaction already in chain
    RPC_IN_WARMUP = -28,                 //!< client still warming up
    RPC_METHOD_DEPRECATED = -32,         //!< RPC method is deprecated

    // P2P client errors.
    RPC_CLIENT_NOT_CONNECTED = -9,
    RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10,
    RPC_CLIENT_NODE_ALREADY_ADDED = -23,
    RPC_CLIENT_NODE_NOT_ADDED = -24,
    RPC_CLIENT_NODE_NOT_CONNECTED = -29,
    RPC_CLIENT_INVALID_IP_OR_SUBNET = -30,
    RPC_CLIENT_P2P_DISABLED = -31,
    RPC_CLIENT_NODE_CAPACITY_REACHED = -34,

    // Wallet errors.
    RPC_WALLET_ERROR = -4,
    RPC_WALLET_INSUFFICIENT_FUNDS = -6,
    RPC_WALLET_INVALID_LABEL_NAME = -11,
    RPC_WALLET_KEYPOOL_RAN_OUT = -12,
    RPC_WALLET_UNLOCK_NEEDED = -13,
    RPC_WALLET_PASSPHRASE_INCORRECT = -14,
    RPC_WALLET_WRONG_ENC_STATE = -15,
    RPC_WALLET_ENCRYPTION_FAILED = -16,
    RPC_WALLET_ALREADY_UNLOCKED = -17,
    RPC_WALLET_NOT_FOUND = -18,
    RPC_WALLET_NOT_SPECIFIED = -19,
    RPC_WALLET_ALREADY_LOADED = -35,
    RPC_WALLET_ALREADY_EXISTS = -36,
};

/** The exception an RPC handler throws for a user-visible error:
 *    throw JSONRPCError(RPC_INVALID_PARAMETER, "height out of range");
 *  The dispatcher turns it into {"code": code, "message": message}. Any other exception a
 *  handler lets escape becomes RPC_MISC_ERROR with its what() text; nothing crashes the node. */
class JSONRPCError : public std::runtime_error
{
public:
    JSONRPCError(int code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    int Code() const { return m_code; }
    /** {"code": code, "message": message} */
    nlohmann::json ToJSON() const { return {{"code", m_code}, {"message", what()}}; }

private:
    int m_code;
};

/** Error object {"code": code, "message": message}. */
nlohmann::json JSONRPCErrorObject(int code, const std::string& message);

/** JSON text of a value, as every reply and oda-cli print it. Same as nlohmann's dump()
 *  except for floating-point numbers: a number that equals its 8-decimal rendering is printed
 *  with exactly 8 decimals (amounts: 50.00000000, 0.00010000); other numbers print in the
 *  shortest round-trip form (4.656542373906925e-10). indent < 0: compact; >= 0: pretty. */
std::string WriteJSON(const nlohmann::json& value, int indent = -1);

/** Deepest nesting of arrays/objects ParseJSON accepts (as Bitcoin Core's UniValue). Deeper
 *  documents would exhaust the stack of the recursive code that walks values. */
inline constexpr size_t MAX_JSON_DEPTH = 512;

/** Parses untrusted JSON text. false (out untouched) on invalid JSON or nesting deeper than
 *  MAX_JSON_DEPTH; the check runs before parsing, in constant stack space. */
bool ParseJSON(std::string_view text, nlohmann::json& out);

/** Name of a JSON value's type for error messages ("string", "number", "object", ...). */
std::string JSONTypeName(const nlohmann::json& value);

#endif // ODA_RPC_PROTOCOL_H
