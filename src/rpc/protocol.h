// JSON-RPC protocol constants shared by the server and oda-cli: HTTP status codes, the RPC
// error codes (defined once in util/rpc_errors.h, which the wallet includes too), the
// exception handlers throw, and the JSON writer used for every reply.
#ifndef ODA_RPC_PROTOCOL_H
#define ODA_RPC_PROTOCOL_H

#include <util/rpc_errors.h>

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
