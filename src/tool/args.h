// oda-model's command line: the options and positionals of one subcommand, and the
// user-facing error type every subcommand throws.
#ifndef ODA_TOOL_ARGS_H
#define ODA_TOOL_ARGS_H

#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace odamodel {

/** A user-facing failure: main prints it as "error: <message>" and exits with code 1. */
struct ToolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/** The words after the subcommand: options as --name=value, --name value or a bare --flag
 *  (one leading '-' works too; -h is --help, -o is --output); everything else, including
 *  words like -5 that start with a digit, is a positional. Throws ToolError on an option not
 *  in `flags` or `valued`, a value given to a flag, or a valued option without a value. */
class Args
{
public:
    Args(int argc, char** argv, const std::set<std::string>& flags, const std::set<std::string>& valued);

    bool Has(const std::string& n) const { return m_values.count(n) != 0; }
    /** The option's value, or `def` when it was not given. */
    std::string Get(const std::string& n, const std::string& def = "") const;
    /** The option's value; ToolError "missing --n" when it was not given. */
    std::string Require(const std::string& n) const;
    /** A decimal integer in [0, max], or `def` when not given; ToolError otherwise. */
    uint64_t GetU64(const std::string& n, uint64_t def, uint64_t max = UINT64_MAX) const;
    /** A number (not NaN), or `def` when not given; ToolError otherwise. */
    double GetDouble(const std::string& n, double def) const;
    const std::vector<std::string>& Positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

/** Dimensions like "1,28,28" or "1x28x28": 1 to 3 of them, each 1..model::MAX_DIMENSION.
 *  Throws ToolError naming `what` (the option) otherwise. */
std::vector<uint32_t> ParseShape(const std::string& s, const std::string& what);

} // namespace odamodel

#endif // ODA_TOOL_ARGS_H
