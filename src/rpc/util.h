// Helpers every RPC family uses: argument descriptions with type checking and help text,
// and parsers for hashes, hex and amounts that fail with clear RPC errors.
//
// A command describes its arguments once (RPCHelp); the dispatcher uses that description to
// map named parameters, to check argument count and JSON types before the handler runs, and
// `help <command>` prints it. Example:
//
//   static nlohmann::json getblockhash(const JSONRPCRequest& request)
//   {
//       int64_t height = request.params[0].get<int64_t>();     // type already checked: NUM
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
#include <string>
#include <string_view>
#include <vector>

struct RPCArg {
    enum class Type {
        STR,     //!< JSON string
        STR_HEX, //!< JSON string of hex digits
        NUM,     //!< JSON number
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
    /** True when v (non-null) has this argument's JSON type. */
    bool MatchesType(const nlohmann::json& v) const;
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
