#include <rpc/util.h>

#include <hex.h>
#include <util/strencodings.h>

#include <cmath>
#include <cstdlib>

std::string RPCArg::TypeName() const
{
    switch (type) {
    case Type::STR: return "string";
    case Type::STR_HEX: return "string, hex";
    case Type::NUM: return "numeric";
    case Type::AMOUNT: return "numeric or string, amount";
    case Type::BOOL: return "boolean";
    case Type::OBJ: return "json object";
    case Type::ARR: return "json array";
    case Type::ANY: return "any";
    }
    return "any";
}

bool RPCArg::MatchesType(const nlohmann::json& v) const
{
    switch (type) {
    case Type::STR:
    case Type::STR_HEX: return v.is_string();
    case Type::NUM: return v.is_number();
    case Type::AMOUNT: return v.is_number() || v.is_string();
    case Type::BOOL: return v.is_boolean();
    case Type::OBJ: return v.is_object();
    case Type::ARR: return v.is_array();
    case Type::ANY: return true;
    }
    return true;
}

std::vector<std::string> RPCHelp::ArgNames() const
{
    std::vector<std::string> names;
    for (const RPCArg& a : args) names.push_back(a.name);
    return names;
}

size_t RPCHelp::RequiredArgCount() const
{
    size_t n = 0;
    for (size_t i = 0; i < args.size(); ++i) {
        if (!args[i].optional) n = i + 1;
    }
    return n;
}

std::string RPCHelp::UsageLine() const
{
    std::string line = name;
    int open_optional = 0;
    for (const RPCArg& a : args) {
        bool quoted = a.type == RPCArg::Type::STR || a.type == RPCArg::Type::STR_HEX;
        std::string shown = quoted ? "\"" + a.name + "\"" : a.name;
        if (a.optional) {
            line += " ( " + shown;
            ++open_optional;
        } else {
            line += " " + shown;
        }
    }
    for (int i = 0; i < open_optional; ++i) line += " )";
    return line;
}

std::string RPCHelp::ToString() const
{
    std::string out = UsageLine() + "\n\n" + description + "\n";
    if (!args.empty()) {
        out += "\nArguments:\n";
        for (size_t i = 0; i < args.size(); ++i) {
            const RPCArg& a = args[i];
            std::string qualifiers = a.TypeName() + ", " + (a.optional ? "optional" : "required");
            if (a.optional && !a.default_hint.empty()) qualifiers += ", default=" + a.default_hint;
            out += strprintf("%zu. %-20s (%s) %s\n", i + 1, a.name.c_str(), qualifiers.c_str(), a.description.c_str());
        }
    }
    out += "\nResult:\n" + (result.empty() ? std::string("null    (json null)") : result) + "\n";
    if (!examples.empty()) out += "\nExamples:\n" + examples;
    return out;
}

std::string HelpExampleCli(const std::string& method, const std::string& args)
{
    return "> oda-cli " + method + (args.empty() ? "" : " " + args) + "\n";
}

std::string HelpExampleCliNamed(const std::string& method, const std::string& args)
{
    return "> oda-cli -named " + method + (args.empty() ? "" : " " + args) + "\n";
}

std::string HelpExampleRpc(const std::string& method, const std::string& args)
{
    return "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"" + method +
           "\", \"params\": [" + args + "]}' -H 'content-type: application/json' http://127.0.0.1:9332/\n";
}

namespace {
const std::string& HexString(const nlohmann::json& v, std::string_view name)
{
    if (!v.is_string()) {
        throw JSONRPCError(RPC_TYPE_ERROR, strprintf("%.*s must be a hexadecimal string, got %s",
                                                     static_cast<int>(name.size()), name.data(), JSONTypeName(v).c_str()));
    }
    return v.get_ref<const std::string&>();
}
} // namespace

std::vector<uint8_t> ParseHexV(const nlohmann::json& v, std::string_view name)
{
    const std::string& s = HexString(v, name);
    auto bytes = ParseHex(s);
    if (!bytes) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, strprintf("%.*s must be hexadecimal string (not '%s')",
                                                            static_cast<int>(name.size()), name.data(),
                                                            SanitizeString(s, 100).c_str()));
    }
    return *bytes;
}

uint256 ParseHashV(const nlohmann::json& v, std::string_view name)
{
    const std::string& s = HexString(v, name);
    if (s.size() != 64) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, strprintf("%.*s must be of length 64 (not %zu, for '%s')",
                                                            static_cast<int>(name.size()), name.data(), s.size(),
                                                            SanitizeString(s, 100).c_str()));
    }
    auto hash = uint256::FromHex(s);
    if (!hash) {
        throw JSONRPCError(RPC_INVALID_PARAMETER, strprintf("%.*s must be hexadecimal string (not '%s')",
                                                            static_cast<int>(name.size()), name.data(),
                                                            SanitizeString(s, 100).c_str()));
    }
    return *hash;
}

int64_t AmountFromValue(const nlohmann::json& v)
{
    std::string text;
    if (v.is_string()) {
        text = v.get<std::string>();
    } else if (v.is_number_integer() || v.is_number_unsigned()) {
        text = v.dump();
    } else if (v.is_number_float()) {
        double d = v.get<double>();
        if (!std::isfinite(d)) throw JSONRPCError(RPC_TYPE_ERROR, "Invalid amount");
        // nlohmann's dump() (Grisu2) is not always the shortest decimal: 0.00000491 prints as
        // 4.9099999999999996e-06. Use the 8-decimal form when it reads back as the same double.
        const std::string fixed = strprintf("%.8f", d);
        text = std::strtod(fixed.c_str(), nullptr) == d ? fixed : v.dump();
    } else {
        throw JSONRPCError(RPC_TYPE_ERROR, "Amount is not a number or string");
    }
    auto units = ParseFixedPoint(text, 8);
    if (!units) throw JSONRPCError(RPC_TYPE_ERROR, "Invalid amount");
    if (*units < 0 || *units > MAX_MONEY_UNITS) throw JSONRPCError(RPC_TYPE_ERROR, "Amount out of range");
    return *units;
}

nlohmann::json ValueFromAmount(int64_t units)
{
    // units / 10^8 as the nearest double. Below 2^53 / 10^8 (~90 million coins) the double is
    // closer than half a unit to the exact value, so "%.8f" recovers the exact decimal and reads
    // back as the same double: WriteJSON then prints exactly 8 decimals.
    return nlohmann::json(static_cast<double>(units) / static_cast<double>(COIN_UNITS));
}

void RPCTypeCheckObj(const nlohmann::json& v, const std::vector<std::pair<std::string, RPCArg::Type>>& expected,
                     bool allow_null, bool strict)
{
    if (!v.is_object()) throw JSONRPCError(RPC_TYPE_ERROR, "Expected an object, got " + JSONTypeName(v));
    for (const auto& [key, type] : expected) {
        auto it = v.find(key);
        if (it == v.end() || it->is_null()) {
            if (allow_null) continue;
            throw JSONRPCError(RPC_TYPE_ERROR, strprintf("Missing %s", key.c_str()));
        }
        RPCArg arg{key, type, RPCArg::REQUIRED, ""};
        if (!arg.MatchesType(*it)) {
            throw JSONRPCError(RPC_TYPE_ERROR, strprintf("Expected type %s for %s, got %s", arg.TypeName().c_str(),
                                                         key.c_str(), JSONTypeName(*it).c_str()));
        }
    }
    if (strict) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            bool known = false;
            for (const auto& e : expected) known = known || e.first == it.key();
            if (!known) throw JSONRPCError(RPC_TYPE_ERROR, strprintf("Unexpected key %s", SanitizeString(it.key(), 100).c_str()));
        }
    }
}
