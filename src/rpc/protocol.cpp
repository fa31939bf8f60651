#include <rpc/protocol.h>

#include <util/strencodings.h>

#include <cmath>
#include <cstdlib>

nlohmann::json JSONRPCErrorObject(int code, const std::string& message)
{
    return {{"code", code}, {"message", message}};
}

namespace {
// Maximum nesting of [ and { outside strings; stops counting once above the limit.
bool NestingWithinLimit(std::string_view text, size_t limit)
{
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i; // skip the escaped character
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}
} // namespace

bool ParseJSON(std::string_view text, nlohmann::json& out)
{
    if (!NestingWithinLimit(text, MAX_JSON_DEPTH)) return false;
    nlohmann::json parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return false;
    out = std::move(parsed);
    return true;
}

std::string JSONTypeName(const nlohmann::json& value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::object: return "object";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "number";
    default: return "unknown";
    }
}

namespace {
std::string FormatFloat(double d)
{
    if (std::isfinite(d) && std::fabs(d) < 1e15) {
        std::string fixed = strprintf("%.8f", d);
        if (std::strtod(fixed.c_str(), nullptr) == d) return fixed;
    }
    return nlohmann::json(d).dump();
}

void Write(const nlohmann::json& v, int indent, int level, std::string& out)
{
    auto newline = [&](int lvl) {
        if (indent < 0) return;
        out += '\n';
        out.append(static_cast<size_t>(indent) * static_cast<size_t>(lvl), ' ');
    };
    switch (v.type()) {
    case nlohmann::json::value_t::object: {
        if (v.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first) out += ',';
            first = false;
            newline(level + 1);
            out += nlohmann::json(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            out += indent < 0 ? ":" : ": ";
            Write(it.value(), indent, level + 1, out);
        }
        newline(level);
        out += '}';
        return;
    }
    case nlohmann::json::value_t::array: {
        if (v.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        bool first = true;
        for (const auto& e : v) {
            if (!first) out += ',';
            first = false;
            newline(level + 1);
            Write(e, indent, level + 1, out);
        }
        newline(level);
        out += ']';
        return;
    }
    case nlohmann::json::value_t::number_float:
        out += FormatFloat(v.get<double>());
        return;
    default:
        // Invalid UTF-8 in strings from handlers is replaced rather than throwing mid-reply.
        out += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
}
} // namespace

std::string WriteJSON(const nlohmann::json& value, int indent)
{
    std::string out;
    Write(value, indent, 0, out);
    return out;
}
