// Command-line and configuration-file options, in the style of Bitcoin Core's ArgsManager.
//
// Usage (odad/oda-cli/tests):
//   ArgsManager args;
//   args.AddArg("-rpcport=<port>", "Listen for JSON-RPC on <port>", ArgsManager::ALLOW_ANY |
//               ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
//   if (!args.ParseParameters(argc, argv, error)) ...      // "Invalid parameter -foo"
//   if (!args.ReadConfigFiles(error)) ...                  // oda.conf or -conf
//   args.SelectConfigNetwork(args.GetChainTypeString());   // throws on conflicting -regtest/-testnet/-chain
//   int64_t port = args.GetIntArg("-rpcport", 19443);
//
// Syntax: `-name=value`, `-name` (empty value, true as a bool), `-noname` (negated: false /
// cleared list), `--name` accepted as `-name`. Options stop at the first argument that does
// not start with '-' (the rest are positional, e.g. oda-cli's method and params).
// A `<network>.name=value` form (`-regtest.rpcport=1`) applies to that network only.
// Config file: `name=value` lines, `#` comments, `[main]`/`[test]`/`[regtest]` sections and
// `regtest.name=value` prefixes. Precedence: forced > command line > config network section
// > config top section. Options registered NETWORK_ONLY (ports, binds) are not taken from the
// config top section on test/regtest (so a main-net port in oda.conf never leaks to regtest).
// Single-valued lookups use the last command-line value or the first config value.
// Thread-safe (all methods lock an internal mutex).
#ifndef ODA_UTIL_ARGS_H
#define ODA_UTIL_ARGS_H

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

enum class OptionsCategory {
    OPTIONS,
    CONNECTION,
    RPC,
    CHAINPARAMS,
    MINING,
    ODA,
    WALLET,
    ZMQ,
    DEBUG_TEST,
    HIDDEN, // not shown in -help
};

/** Chain names as used in -chain= and config sections. */
inline constexpr const char* CHAIN_MAIN = "main";
inline constexpr const char* CHAIN_TEST = "test";
inline constexpr const char* CHAIN_REGTEST = "regtest";

class ArgsManager
{
public:
    enum Flags : unsigned int {
        ALLOW_ANY = 0x01,         // any value (the default behaviour; kept for readability)
        DISALLOW_NEGATION = 0x02, // -nofoo is an error
        NETWORK_ONLY = 0x04,      // not read from the config top section for test/regtest
        SENSITIVE = 0x08,         // value never logged (passwords)
        DEBUG_ONLY = 0x10,        // shown in -help only with -help-debug
    };

    /** Registers an option. name is "-name" optionally followed by "=<arg>" for help display.
     *  Registering a name again replaces the earlier registration (any category). */
    void AddArg(const std::string& name, const std::string& help, unsigned int flags, OptionsCategory cat);
    /** Registers options that are accepted but not documented. */
    void AddHiddenArgs(const std::vector<std::string>& names);

    /** Parses argv. Returns false and sets error on unregistered options ("Invalid parameter
     *  -foo"), negation of a DISALLOW_NEGATION option, or a malformed "-" argument. */
    bool ParseParameters(int argc, const char* const argv[], std::string& error);
    /** Arguments after the options (oda-cli method and params). */
    std::vector<std::string> GetPositionalArgs() const;

    /** Reads the config file (-conf, default oda.conf, relative paths under the datadir base).
     *  A missing default file is fine; a missing explicit -conf is an error. */
    bool ReadConfigFiles(std::string& error, bool ignore_invalid_keys = false);
    /** Parses config-file text (used by ReadConfigFiles and tests). Unknown keys -> error
     *  "Invalid configuration value <key>" unless ignore_invalid_keys. */
    bool ReadConfigString(const std::string& text, std::string& error, bool ignore_invalid_keys = false);

    /** "main", "test" or "regtest" from -regtest/-testnet/-chain= (command line or config top
     *  section). Throws std::runtime_error on a conflicting combination or unknown -chain. */
    std::string GetChainTypeString() const;
    /** Chooses which config section applies to lookups (call after GetChainTypeString()). */
    void SelectConfigNetwork(const std::string& network);
    std::string GetSelectedNetwork() const;

    /** -datadir (made absolute) or $HOME/.oda. Does not create anything. */
    std::filesystem::path GetDataDirBase() const;
    /** Base plus "testnet"/"regtest" for the selected network (main: base itself). */
    std::filesystem::path GetDataDirNet() const;
    /** Absolute path of the config file that -conf names (or oda.conf in the base dir). */
    std::filesystem::path GetConfigFilePath() const;

    std::optional<std::string> GetArg(const std::string& name) const;
    std::string GetArg(const std::string& name, const std::string& default_value) const;
    /** Integer value (lenient leading-integer parse as Core; "abc" -> 0). */
    int64_t GetIntArg(const std::string& name, int64_t default_value) const;
    std::optional<int64_t> GetIntArg(const std::string& name) const;
    /** "" -> true, "0" -> false, integers: != 0, other text -> false; -noname -> false. */
    bool GetBoolArg(const std::string& name, bool default_value) const;
    std::optional<bool> GetBoolArg(const std::string& name) const;
    /** All values of a multi-valued option, in order (command line replaces config). */
    std::vector<std::string> GetArgs(const std::string& name) const;
    /** True if the option was given (also when negated). */
    bool IsArgSet(const std::string& name) const;
    bool IsArgNegated(const std::string& name) const;

    /** Sets a value only when the option is not set; returns true if it was set. */
    bool SoftSetArg(const std::string& name, const std::string& value);
    /** Overrides any value (highest precedence). */
    void ForceSetArg(const std::string& name, const std::string& value);

    /** -help text: categories in order, options sorted, help wrapped at 79 columns. */
    std::string GetHelpMessage(bool show_debug = false) const;
    /** True when -help/-? /-h/-version style help was requested (-help or -?). */
    bool HelpRequested() const;

    /** Option values as "-name=value" lines for the log (SENSITIVE ones shown as ****). */
    std::vector<std::string> GetLoggableArgs() const;

private:
    struct Setting {
        bool negated{false};
        std::string value;
    };
    struct ArgInfo {
        std::string help_param; // "=<port>"
        std::string help;
        unsigned int flags;
        OptionsCategory category;
    };

    mutable std::mutex m_mutex;
    std::map<OptionsCategory, std::map<std::string, ArgInfo>> m_available_args; // key "-name"
    std::map<std::string, std::string> m_forced;                                 // key "name"
    std::map<std::string, std::vector<Setting>> m_command_line;                  // key "name" or "net.name"
    std::map<std::string, std::vector<Setting>> m_config;                        // key "name" or "net.name"
    std::vector<std::string> m_positional;
    std::string m_network;

    // Interpret "-foo", "-nofoo", "-net.foo" from argv/config keys; returns false on error.
    bool InterpretKey(const std::string& raw_key, const std::string& value, bool from_config,
                      std::map<std::string, std::vector<Setting>>& target, std::string& error,
                      bool ignore_invalid_keys);
    const ArgInfo* FindArgLocked(const std::string& dashed_name) const;
    // Effective ordered settings for name (without dash) under the current network.
    std::vector<Setting> SettingsListLocked(const std::string& name) const;
    std::optional<Setting> SettingLocked(const std::string& name) const;
    std::optional<std::string> TopLevelValueLocked(const std::string& name) const;
    std::filesystem::path GetDataDirBaseLocked() const;
};

/** Registers the help and version options every ODA program answers: -? (shown in -help), -h and
 *  -help (hidden), all three described by `help_text`, and -version. */
void AddHelpAndVersionArgs(ArgsManager& args, const std::string& help_text);

/** The steps every ODA program takes after ParseParameters and before it reads its options:
 *  checks that an explicit -datadir exists, reads the config file (ReadConfigFiles with
 *  `ignore_invalid_keys`) and selects the config section of the network that -chain/-testnet/
 *  -regtest choose. Returns false at the first failure with `error` set to the whole line to
 *  print: 'Error: Specified data directory "D" does not exist.', `config_error_prefix` followed
 *  by the config file error, or "Error: " followed by the network selection error. */
[[nodiscard]] bool SelectDataDirAndConfig(ArgsManager& args, bool ignore_invalid_keys,
                                          const std::string& config_error_prefix, std::string& error);

/** "-name=value" -> "name"; strips leading dashes and "=...". */
std::string ArgNameWithoutDashes(const std::string& arg);

/** Default data directory: $HOME/.oda (or ./.oda when HOME is unset). */
std::filesystem::path GetDefaultDataDir();

/** Data subdirectory of a network: "" (main), "testnet", "regtest". */
std::string DataDirSuffixForNetwork(const std::string& network);

/** Default RPC port of a network (main 9332, test 19332, regtest 19443; unknown -> main).
 *  A string-keyed copy of ChainParams::RPCPort() for programs without chain parameters
 *  (oda-cli); keep the two in sync. */
uint16_t DefaultRPCPortForNetwork(const std::string& network);

#endif // ODA_UTIL_ARGS_H
