// oda-cli's argument conversion: which parameters of which commands are sent as JSON values
// (numbers, booleans, arrays, objects) rather than as strings. The table lives in client.cpp;
// every RPC family appends its non-string parameters there (method, position, name).
#ifndef ODA_RPC_CLIENT_H
#define ODA_RPC_CLIENT_H

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

/** Positional command-line strings -> params array. Listed parameters are parsed as JSON
 *  (std::runtime_error "Error parsing JSON: <text>" on bad input); others stay strings. */
nlohmann::json RPCConvertValues(const std::string& method, const std::vector<std::string>& args);

/** "name=value" strings (-named) -> params object, with the same JSON conversion by name.
 *  std::runtime_error when an argument has no '=' or a name repeats. */
nlohmann::json RPCConvertNamedValues(const std::string& method, const std::vector<std::string>& args);

/** Parses one value as JSON (any top-level type: 5, true, "s", [..], {..}). */
nlohmann::json ParseNonRFCJSONValue(const std::string& text);

#endif // ODA_RPC_CLIENT_H
