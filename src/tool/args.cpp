#include <tool/args.h>

#include <oda/model/architecture.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>

namespace odamodel {

Args::Args(int argc, char** argv, const std::set<std::string>& flags, const std::set<std::string>& valued)
{
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) != 0))) {
            std::string name = a.substr(a[1] == '-' ? 2 : 1);
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (name == "h") name = "help";
            if (name == "o") name = "output";
            if (flags.count(name)) {
                if (value) throw ToolError("option --" + name + " takes no value");
                m_values[name] = "1";
            } else if (valued.count(name)) {
                if (!value) {
                    if (i + 1 >= argc) throw ToolError("option --" + name + " needs a value");
                    value = argv[++i];
                }
                m_values[name] = *value;
            } else {
                throw ToolError("unknown option " + a + " (see --help)");
            }
        } else {
            m_positional.push_back(a);
        }
    }
}

std::string Args::Get(const std::string& n, const std::string& def) const
{
    auto it = m_values.find(n);
    return it == m_values.end() ? def : it->second;
}

std::string Args::Require(const std::string& n) const
{
    if (!Has(n)) throw ToolError("missing --" + n + " (see --help)");
    return Get(n);
}

uint64_t Args::GetU64(const std::string& n, uint64_t def, uint64_t max) const
{
    if (!Has(n)) return def;
    const std::string s = Get(n);
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || s[0] == '-' || *end != '\0' || errno != 0 || v > max) {
        throw ToolError("--" + n + " must be an integer from 0 to " + std::to_string(max) + ", got '" + s + "'");
    }
    return v;
}

double Args::GetDouble(const std::string& n, double def) const
{
    if (!Has(n)) return def;
    const std::string s = Get(n);
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !(v == v)) throw ToolError("--" + n + " must be a number, got '" + s + "'");
    return v;
}

std::vector<uint32_t> ParseShape(const std::string& s, const std::string& what)
{
    using oda::model::MAX_DIMENSION;
    std::vector<uint32_t> shape;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t comma = s.find_first_of(",x", pos);
        std::string part = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        char* end = nullptr;
        unsigned long v = std::strtoul(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || v == 0 || v > MAX_DIMENSION) {
            throw ToolError(what + ": expected dimensions like 1,28,28 (each 1.." + std::to_string(MAX_DIMENSION) + "), got '" + s + "'");
        }
        shape.push_back(static_cast<uint32_t>(v));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    if (shape.empty() || shape.size() > 3) throw ToolError(what + ": 1 to 3 dimensions");
    return shape;
}

} // namespace odamodel
