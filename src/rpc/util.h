// Helpers every RPC family uses: argument descriptions with type checking and help text,
// and parsers for hashes, hex and amounts that fail with clear RPC errors.
//
// A command describes its arguments once (RPCHelp); the dispatcher uses that description to
// map named parameters, to check argument count and JSON types before the handler runs, and
// `help <command>` prints it. Example:
//
//   static nlohmann::json getblockhash(const JSONRPCRequest& request)
//   {
//       int64_t height = GetIntArg<int64_t>(request.params[0], "height"); // integer: see NUM
//       ...
//   }
//   table.AppendCommand({"blockchain", "getblockhash", &getblockhash,
//       RPCHelp{"getblockhash", "Returns hash of block in best-block-chain at height provided.",
//               {{"height", RPCArg::Type::NUM, RPCArg::REQUIRED, "The height index"}},
//               "\"hex\"    (string) The block hash",
//               HelpExampleCli("getblockhash", "1000") + HelpExampleRpc("getblockhash", "1000")}});
#ifndef ODA_RPC_UTIL_H
#define ODA_RPC_UTIL_H

#include <rpc/protocol.h>
#include <uint256.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct RPCArg {
    enum class Type {
        STR,     //!< JSON string
        STR_HEX, //!< JSON string of hex digits
        NUM,     //!< JSON integer: a number with no fractional part, within int64 (IntFromValue)
        AMOUNT,  //!< JSON number or numeric string, in coins (see AmountFromValue)
        BOOL,    //!< JSON true/false
        OBJ,     //!< JSON object
        ARR,     //!< JSON array
        ANY,     //!< anything (the handler checks)
    };
    static constexpr bool REQUIRED = false;
    static constexpr bool OPTIONAL = true;

    std::string name;
    Type type;
    bool optional;
    std::string description;
    std::string default_hint{}; //!< shown as "default=..." for optional args ("" = none shown)

    /** "string", "numeric", "boolean", "json object", "json array", "string, hex", ... */
    std::string TypeName() const;
    /** True when v (non-null) has this argument's JSON type (for NUM: an integral number of any
     *  size; CheckValue also checks the range). */
    bool MatchesType(const nlohmann::json& v) const;
    /** Throws unless v (non-null) is acceptable: RPC_TYPE_ERROR "JSON value of type <json type> for
     *  field <name> is not of expected type <type>"; a NUM outside int64 gets IntFromValue's
     *  "JSON integer out of range". The dispatcher runs this on every argument. */
    void CheckValue(const nlohmann::json& v) const;
};

/** Help of one command: usage line, description, arguments, result and examples. */
struct RPCHelp {
    std::string name;
    std::string description;
    std::vector<RPCArg> args;
    std::string result;   //!< free text describing the result ("" = null result)
    std::string examples; //!< usually HelpExampleCli(...) + HelpExampleRpc(...)

    /** Full help text (what `help <name>` prints). */
    std::string ToString() const;
    /** "name \"arg1\" ( arg2 )" */
    std::string UsageLine() const;
    std::vector<std::string> ArgNames() const;
    /** Number of arguments that must be given. */
    size_t RequiredArgCount() const;
};

/** "> oda-cli method args\n" */
std::string HelpExampleCli(const std::string& method, const std::string& args);
/** "> oda-cli -named method args\n" */
std::string HelpExampleCliNamed(const std::string& method, const std::string& args);
/** A curl example with a JSON-RPC 2.0 body (args is the JSON text inside "params": [...]). */
std::string HelpExampleRpc(const std::string& method, const std::string& args);

/** 64 hex digits -> uint256 (displayed byte order, as GetHex()). RPC_INVALID_PARAMETER
 *  "<name> must be of length 64 (not N, for '...')" / "<name> must be hexadecimal string
 *  (not '...')"; RPC_TYPE_ERROR when not a string. */
uint256 ParseHashV(const nlohmann::json& v, std::string_view name);
/** Even-length hex -> bytes; same errors as ParseHashV (without the length rule). */
std::vector<uint8_t> ParseHexV(const nlohmann::json& v, std::string_view name);

/** The one rule for integer RPC values (NUM arguments and integer fields inside objects): a JSON
 *  integer, or a number with no fractional part (2.0, 1e3), read exactly, never truncated.
 *  RPC_TYPE_ERROR "JSON value of type <json type> for field <name> is not of expected type
 *  integer" for a fractional number or a non-number; RPC_TYPE_ERROR "JSON integer out of range
 *  for field <name>" outside [min, max]. */
int64_t IntFromValue(const nlohmann::json& v, std::string_view name,
                     int64_t min = std::numeric_limits<int64_t>::min(),
                     int64_t max = std::numeric_limits<int64_t>::max());

/** IntFromValue within T's range: what handlers call to read an integer argument. */
template <typename T>
T GetIntArg(const nlohmann::json& v, std::string_view name)
{
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                      (std::is_signed_v<T> ? sizeof(T) <= sizeof(int64_t) : sizeof(T) < sizeof(int64_t)),
                  "GetIntArg reads integers that fit in int64_t");
    return static_cast<T>(IntFromValue(v, name, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}

/** Amount in coins (JSON number or numeric string, at most 8 decimals) -> base units.
 *  Exact: the number's shortest decimal form is parsed with integer arithmetic.
 *  RPC_TYPE_ERROR "Amount is not a number or string", "Invalid amount" (junk or more than 8
 *  decimals), "Amount out of range" (negative or above 21,000,000 coins). */
int64_t AmountFromValue(const nlohmann::json& v);
/** Base units -> JSON number that WriteJSON prints with exactly 8 decimals (50.00000000). */
nlohmann::json ValueFromAmount(int64_t units);

/** Throws RPC_TYPE_ERROR unless v is an object whose listed keys (when present and non-null)
 *  have the expected types; unknown keys -> RPC_TYPE_ERROR "Unexpected key <k>" when strict. */
void RPCTypeCheckObj(const nlohmann::json& v, const std::vector<std::pair<std::string, RPCArg::Type>>& expected,
                     bool allow_null = true, bool strict = false);

#endif // ODA_RPC_UTIL_H
