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
    case Type::NUM: return v.is_number_integer() || (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>());
    case Type::AMOUNT: return v.is_number() || v.is_string();
    case Type::BOOL: return v.is_boolean();
    case Type::OBJ: return v.is_object();
    case Type::ARR: return v.is_array();
    case Type::ANY: return true;
    }
    return true;
}

namespace {
// JSON type named in the "not of expected type" message.
std::string ExpectedJSONType(RPCArg::Type type)
{
    switch (type) {
    case RPCArg::Type::STR:
    case RPCArg::Type::STR_HEX: return "string";
    case RPCArg::Type::NUM: return "integer";
    case RPCArg::Type::AMOUNT: return "number or string";
    case RPCArg::Type::BOOL: return "bool";
    case RPCArg::Type::OBJ: return "object";
    case RPCArg::Type::ARR: return "array";
    case RPCArg::Type::ANY: return "any";
    }
    return "any";
}

[[noreturn]] void ThrowWrongType(const nlohmann::json& v, std::string_view name, RPCArg::Type type)
{
    throw JSONRPCError(RPC_TYPE_ERROR, strprintf("JSON value of type %s for field %.*s is not of expected type %s",
                                                 JSONTypeName(v).c_str(), static_cast<int>(name.size()), name.data(),
                                                 ExpectedJSONType(type).c_str()));
}
} // namespace

void RPCArg::CheckValue(const nlohmann::json& v) const
{
    if (!MatchesType(v)) ThrowWrongType(v, name, type);
    if (type == Type::NUM) IntFromValue(v, name);
}

int64_t IntFromValue(const nlohmann::json& v, std::string_view name, int64_t min, int64_t max)
{
    bool in_range;
    int64_t value = 0;
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        in_range = max >= 0 && u <= static_cast<uint64_t>(max);
        if (in_range) value = static_cast<int64_t>(u);
    } else if (v.is_number_integer()) {
        value = v.get<int64_t>();
        in_range = true;
    } else if (v.is_number_float()) {
        const double d = v.get<double>();
        // JSON has no NaN or infinity, but a caller may build one; trunc(inf) == inf.
        if (!std::isfinite(d) || std::trunc(d) != d) ThrowWrongType(v, name, RPCArg::Type::NUM);
        // [-2^63, 2^63) is exactly the doubles that convert to int64_t without undefined behaviour.
        in_range = d >= -9223372036854775808.0 && d < 9223372036854775808.0;
        if (in_range) value = static_cast<int64_t>(d);
    } else {
        ThrowWrongType(v, name, RPCArg::Type::NUM);
    }
    if (!in_range || value < min || value > max) {
        throw JSONRPCError(RPC_TYPE_ERROR, strprintf("JSON integer out of range for field %.*s",
                                                     static_cast<int>(name.size()), name.data()));
    }
    return value;
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
        if (type == RPCArg::Type::NUM) IntFromValue(*it, key);
    }
    if (strict) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            bool known = false;
            for (const auto& e : expected) known = known || e.first == it.key();
            if (!known) throw JSONRPCError(RPC_TYPE_ERROR, strprintf("Unexpected key %s", SanitizeString(it.key(), 100).c_str()));
        }
    }
}
