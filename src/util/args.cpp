#include <util/args.h>

#include <util/strencodings.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace {
bool IsNetworkName(const std::string& s) { return s == CHAIN_MAIN || s == CHAIN_TEST || s == CHAIN_REGTEST; }

// Core's InterpretBool: empty means true (a bare "-foo"), otherwise the integer value.
bool InterpretBool(const std::string& value)
{
    if (value.empty()) return true;
    return LocaleIndependentAtoi64(value) != 0;
}

constexpr size_t MAX_CONFIG_FILE_BYTES = 10 * 1000 * 1000;

std::string CategoryTitle(OptionsCategory cat)
{
    switch (cat) {
    case OptionsCategory::OPTIONS: return "Options:";
    case OptionsCategory::CONNECTION: return "Connection options:";
    case OptionsCategory::RPC: return "RPC server options:";
    case OptionsCategory::CHAINPARAMS: return "Chain selection options:";
    case OptionsCategory::MINING: return "Mining options:";
    case OptionsCategory::ODA: return "Model (ODA) options:";
    case OptionsCategory::WALLET: return "Wallet options:";
    case OptionsCategory::ZMQ: return "ZeroMQ notification options:";
    case OptionsCategory::DEBUG_TEST: return "Debugging/Testing options:";
    case OptionsCategory::HIDDEN: return "";
    }
    return "";
}

// Word-wraps text at `width` columns with every line indented by `indent` spaces.
std::string WrapIndented(const std::string& text, size_t width, size_t indent)
{
    std::string out;
    for (const std::string& paragraph : SplitString(text, '\n')) {
        std::string line(indent, ' ');
        bool line_has_word = false;
        for (const std::string& word : SplitString(paragraph, ' ')) {
            if (word.empty()) continue;
            if (line_has_word && line.size() + 1 + word.size() > width) {
                out += line + "\n";
                line = std::string(indent, ' ');
                line_has_word = false;
            }
            if (line_has_word) line += ' ';
            line += word;
            line_has_word = true;
        }
        out += line + "\n";
    }
    return out;
}
} // namespace

std::string ArgNameWithoutDashes(const std::string& arg)
{
    size_t start = arg.find_first_not_of('-');
    if (start == std::string::npos) return "";
    size_t eq = arg.find('=', start);
    return arg.substr(start, eq == std::string::npos ? std::string::npos : eq - start);
}

std::filesystem::path GetDefaultDataDir()
{
    const char* home = std::getenv("HOME");
    if (home == nullptr || home[0] == '\0') return std::filesystem::path(".oda");
    return std::filesystem::path(home) / ".oda";
}

std::string DataDirSuffixForNetwork(const std::string& network)
{
    if (network == CHAIN_TEST) return "testnet";
    if (network == CHAIN_REGTEST) return "regtest";
    return "";
}

uint16_t DefaultRPCPortForNetwork(const std::string& network)
{
    if (network == CHAIN_TEST) return 19332;
    if (network == CHAIN_REGTEST) return 19443;
    return 9332;
}

void ArgsManager::AddArg(const std::string& name, const std::string& help, unsigned int flags, OptionsCategory cat)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    size_t eq = name.find('=');
    std::string key = eq == std::string::npos ? name : name.substr(0, eq);
    std::string param = eq == std::string::npos ? "" : name.substr(eq);
    // A later registration replaces an earlier one (e.g. a placeholder for an option that a
    // subsystem registers properly once it exists), so an option is never listed twice.
    for (auto& [other_cat, args] : m_available_args) args.erase(key);
    m_available_args[cat][key] = ArgInfo{param, help, flags, cat};
}

void ArgsManager::AddHiddenArgs(const std::vector<std::string>& names)
{
    for (const std::string& name : names) AddArg(name, "", ALLOW_ANY, OptionsCategory::HIDDEN);
}

const ArgsManager::ArgInfo* ArgsManager::FindArgLocked(const std::string& dashed_name) const
{
    for (const auto& [cat, args] : m_available_args) {
        auto it = args.find(dashed_name);
        if (it != args.end()) return &it->second;
    }
    return nullptr;
}


bool ArgsManager::InterpretKey(const std::string& raw_key, const std::string& value, bool from_config,
                               std::map<std::string, std::vector<Setting>>& target, std::string& error,
                               bool ignore_invalid_keys)
{
    std::string section;
    std::string name = raw_key;
    size_t dot = name.find('.');
    if (dot != std::string::npos) {
        section = name.substr(0, dot);
        name = name.substr(dot + 1);
        if (!IsNetworkName(section)) {
            if (ignore_invalid_keys) return true;
            error = from_config ? strprintf("Invalid configuration value %s", raw_key.c_str())
                                : strprintf("Invalid parameter -%s", raw_key.c_str());
            return false;
        }
    }
    bool negated = false;
    const ArgInfo* info = FindArgLocked("-" + name);
    if (!info && HasPrefix(name, "no")) {
        info = FindArgLocked("-" + name.substr(2));
        if (info) {
            negated = true;
            name = name.substr(2);
        }
    }
    if (!info) {
        if (ignore_invalid_keys) return true;
        error = from_config ? strprintf("Invalid configuration value %s", SanitizeString(raw_key, 100).c_str())
                            : strprintf("Invalid parameter -%s", SanitizeString(raw_key, 100).c_str());
        return false;
    }
    Setting setting;
    if (negated) {
        if (info->flags & DISALLOW_NEGATION) {
            error = strprintf("Negating of -%s is meaningless and therefore forbidden", name.c_str());
            return false;
        }
        // "-nofoo" and "-nofoo=1" negate; "-nofoo=0" is a double negative: foo=1.
        if (InterpretBool(value)) {
            setting.negated = true;
        } else {
            setting.value = "1";
        }
    } else {
        setting.value = value;
    }
    std::string key = section.empty() ? name : section + "." + name;
    target[key].push_back(std::move(setting));
    return true;
}

bool ArgsManager::ParseParameters(int argc, const char* const argv[], std::string& error)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_command_line.clear();
    m_positional.clear();
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.empty() || arg[0] != '-' || arg == "-") {
            for (int j = i; j < argc; ++j) m_positional.emplace_back(argv[j]);
            break;
        }
        if (HasPrefix(arg, "--")) arg = arg.substr(1); // accept --foo as -foo
        std::string key = arg.substr(1);
        std::string value;
        size_t eq = key.find('=');
        if (eq != std::string::npos) {
            value = key.substr(eq + 1);
            key = key.substr(0, eq);
        }
        if (key.empty()) {
            error = strprintf("Invalid parameter %s", SanitizeString(argv[i], 100).c_str());
            return false;
        }
        if (!InterpretKey(key, value, /*from_config=*/false, m_command_line, error, false)) return false;
    }
    return true;
}

std::vector<std::string> ArgsManager::GetPositionalArgs() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_positional;
}

bool ArgsManager::ReadConfigString(const std::string& text, std::string& error, bool ignore_invalid_keys)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string section;
    int lineno = 0;
    std::istringstream in(text);
    std::string raw;
    while (std::getline(in, raw)) {
        ++lineno;
        std::string line = TrimString(raw);
        if (line.empty() || line[0] == '#') continue;
        // An inline comment needs whitespace before '#' so that passwords may contain '#'.
        for (size_t pos = 1; pos < line.size(); ++pos) {
            if (line[pos] == '#' && (line[pos - 1] == ' ' || line[pos - 1] == '\t')) {
                line = TrimString(line.substr(0, pos));
                break;
            }
        }
        if (line[0] == '[') {
            if (line.back() != ']') {
                error = strprintf("parse error on line %d: %s", lineno, SanitizeString(line, 100).c_str());
                return false;
            }
            section = TrimString(line.substr(1, line.size() - 2));
            if (!IsNetworkName(section)) {
                error = strprintf("Invalid section name [%s] on line %d (use [main], [test] or [regtest])",
                                  SanitizeString(section, 100).c_str(), lineno);
                return false;
            }
            continue;
        }
        if (line[0] == '-') {
            error = strprintf("parse error on line %d: %s, options in the configuration file must be specified "
                              "without leading hyphen", lineno, SanitizeString(line, 100).c_str());
            return false;
        }
        size_t eq = line.find('=');
        if (eq == std::string::npos) {
            error = strprintf("parse error on line %d: %s (expected name=value)", lineno,
                              SanitizeString(line, 100).c_str());
            return false;
        }
        std::string key = TrimString(line.substr(0, eq));
        std::string value = TrimString(line.substr(eq + 1));
        if (key.empty()) {
            error = strprintf("parse error on line %d: missing name before '='", lineno);
            return false;
        }
        if (!section.empty() && key.find('.') == std::string::npos) key = section + "." + key;
        if (!InterpretKey(key, value, /*from_config=*/true, m_config, error, ignore_invalid_keys)) {
            error = strprintf("%s (line %d)", error.c_str(), lineno);
            return false;
        }
    }
    return true;
}

bool ArgsManager::ReadConfigFiles(std::string& error, bool ignore_invalid_keys)
{
    std::filesystem::path path = GetConfigFilePath();
    bool explicit_conf = IsArgSet("-conf");
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        if (explicit_conf && !IsArgNegated("-conf")) {
            error = strprintf("Specified config file \"%s\" could not be opened.", path.string().c_str());
            return false;
        }
        return true;
    }
    std::string text;
    char buf[65536];
    while (file) {
        file.read(buf, sizeof(buf));
        text.append(buf, static_cast<size_t>(file.gcount()));
        if (text.size() > MAX_CONFIG_FILE_BYTES) {
            error = strprintf("Config file \"%s\" is too large", path.string().c_str());
            return false;
        }
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_config.clear();
    }
    if (!ReadConfigString(text, error, ignore_invalid_keys)) {
        error = strprintf("Error reading configuration file \"%s\": %s", path.string().c_str(), error.c_str());
        return false;
    }
    return true;
}

std::optional<std::string> ArgsManager::TopLevelValueLocked(const std::string& name) const
{
    auto forced = m_forced.find(name);
    if (forced != m_forced.end()) return forced->second;
    auto to_value = [](const Setting& s) { return s.negated ? std::string("0") : s.value; };
    auto cmd = m_command_line.find(name);
    if (cmd != m_command_line.end() && !cmd->second.empty()) return to_value(cmd->second.back());
    auto conf = m_config.find(name);
    if (conf != m_config.end() && !conf->second.empty()) return to_value(conf->second.front());
    return std::nullopt;
}

std::string ArgsManager::GetChainTypeString() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto regtest = TopLevelValueLocked("regtest");
    auto testnet = TopLevelValueLocked("testnet");
    auto chain = TopLevelValueLocked("chain");
    bool is_regtest = regtest && InterpretBool(*regtest);
    bool is_testnet = testnet && InterpretBool(*testnet);
    bool has_chain = chain && !chain->empty() && *chain != "0";
    if (int(is_regtest) + int(is_testnet) + int(has_chain) > 1) {
        throw std::runtime_error("Invalid combination of -regtest, -testnet and -chain. Can use at most one.");
    }
    if (is_regtest) return CHAIN_REGTEST;
    if (is_testnet) return CHAIN_TEST;
    if (has_chain) {
        if (!IsNetworkName(*chain)) {
            throw std::runtime_error(strprintf("Unknown chain %s. Use main, test or regtest.",
                                               SanitizeString(*chain, 100).c_str()));
        }
        return *chain;
    }
    return CHAIN_MAIN;
}

void ArgsManager::SelectConfigNetwork(const std::string& network)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_network = network;
}

std::string ArgsManager::GetSelectedNetwork() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_network;
}

std::filesystem::path ArgsManager::GetDataDirBaseLocked() const
{
    auto datadir = TopLevelValueLocked("datadir");
    if (datadir && !datadir->empty() && *datadir != "0") {
        std::error_code ec;
        std::filesystem::path abs = std::filesystem::absolute(*datadir, ec);
        return ec ? std::filesystem::path(*datadir) : abs.lexically_normal();
    }
    return GetDefaultDataDir();
}

std::filesystem::path ArgsManager::GetDataDirBase() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return GetDataDirBaseLocked();
}

std::filesystem::path ArgsManager::GetDataDirNet() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string suffix = DataDirSuffixForNetwork(m_network);
    return suffix.empty() ? GetDataDirBaseLocked() : GetDataDirBaseLocked() / suffix;
}

std::filesystem::path ArgsManager::GetConfigFilePath() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::filesystem::path conf = "oda.conf";
    auto it = m_command_line.find("conf");
    if (it != m_command_line.end() && !it->second.empty() && !it->second.back().negated &&
        !it->second.back().value.empty()) {
        conf = it->second.back().value;
    }
    if (conf.is_absolute()) return conf;
    return GetDataDirBaseLocked() / conf;
}

std::vector<ArgsManager::Setting> ArgsManager::SettingsListLocked(const std::string& name) const
{
    auto forced = m_forced.find(name);
    if (forced != m_forced.end()) return {Setting{false, forced->second}};
    std::string net_key = m_network.empty() ? "" : m_network + "." + name;
    auto append = [](std::vector<Setting>& out, const std::map<std::string, std::vector<Setting>>& from,
                     const std::string& key) {
        if (key.empty()) return;
        auto it = from.find(key);
        if (it != from.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    };
    std::vector<Setting> raw;
    append(raw, m_command_line, name);
    append(raw, m_command_line, net_key);
    if (raw.empty()) {
        append(raw, m_config, net_key);
        const ArgInfo* info = FindArgLocked("-" + name);
        bool network_only = info && (info->flags & NETWORK_ONLY);
        bool top_applies = !network_only || m_network.empty() || m_network == CHAIN_MAIN;
        if (top_applies) append(raw, m_config, name);
    }
    return raw;
}

std::optional<ArgsManager::Setting> ArgsManager::SettingLocked(const std::string& name) const
{
    auto forced = m_forced.find(name);
    if (forced != m_forced.end()) return Setting{false, forced->second};
    std::string net_key = m_network.empty() ? "" : m_network + "." + name;
    auto last = [](const std::map<std::string, std::vector<Setting>>& from, const std::string& key) -> const Setting* {
        if (key.empty()) return nullptr;
        auto it = from.find(key);
        return it == from.end() || it->second.empty() ? nullptr : &it->second.back();
    };
    auto first = [](const std::map<std::string, std::vector<Setting>>& from, const std::string& key) -> const Setting* {
        if (key.empty()) return nullptr;
        auto it = from.find(key);
        return it == from.end() || it->second.empty() ? nullptr : &it->second.front();
    };
    if (const Setting* s = last(m_command_line, net_key)) return *s;
    if (const Setting* s = last(m_command_line, name)) return *s;
    if (const Setting* s = first(m_config, net_key)) return *s;
    const ArgInfo* info = FindArgLocked("-" + name);
    bool network_only = info && (info->flags & NETWORK_ONLY);
    if (!network_only || m_network.empty() || m_network == CHAIN_MAIN) {
        if (const Setting* s = first(m_config, name)) return *s;
    }
    return std::nullopt;
}

std::optional<std::string> ArgsManager::GetArg(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto s = SettingLocked(ArgNameWithoutDashes(name));
    if (!s) return std::nullopt;
    return s->negated ? std::string("0") : s->value;
}

std::string ArgsManager::GetArg(const std::string& name, const std::string& default_value) const
{
    return GetArg(name).value_or(default_value);
}

std::optional<int64_t> ArgsManager::GetIntArg(const std::string& name) const
{
    auto v = GetArg(name);
    if (!v) return std::nullopt;
    return LocaleIndependentAtoi64(*v);
}

int64_t ArgsManager::GetIntArg(const std::string& name, int64_t default_value) const
{
    return GetIntArg(name).value_or(default_value);
}

std::optional<bool> ArgsManager::GetBoolArg(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto s = SettingLocked(ArgNameWithoutDashes(name));
    if (!s) return std::nullopt;
    if (s->negated) return false;
    return InterpretBool(s->value);
}

bool ArgsManager::GetBoolArg(const std::string& name, bool default_value) const
{
    return GetBoolArg(name).value_or(default_value);
}

std::vector<std::string> ArgsManager::GetArgs(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<std::string> out;
    for (const Setting& s : SettingsListLocked(ArgNameWithoutDashes(name))) {
        if (s.negated) {
            out.clear(); // -nofoo clears what came before
        } else {
            out.push_back(s.value);
        }
    }
    return out;
}

bool ArgsManager::IsArgSet(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return SettingLocked(ArgNameWithoutDashes(name)).has_value();
}

bool ArgsManager::IsArgNegated(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto s = SettingLocked(ArgNameWithoutDashes(name));
    return s && s->negated;
}

bool ArgsManager::SoftSetArg(const std::string& name, const std::string& value)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string key = ArgNameWithoutDashes(name);
    if (SettingLocked(key)) return false;
    m_forced[key] = value;
    return true;
}

void ArgsManager::ForceSetArg(const std::string& name, const std::string& value)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_forced[ArgNameWithoutDashes(name)] = value;
}

bool ArgsManager::HelpRequested() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const char* key : {"?", "h", "help", "help-debug"}) {
        if (m_command_line.count(key)) return true;
    }
    return false;
}

std::string ArgsManager::GetHelpMessage(bool show_debug) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string out;
    for (const auto& [cat, args] : m_available_args) {
        if (cat == OptionsCategory::HIDDEN) continue;
        std::string section;
        for (const auto& [name, info] : args) {
            if ((info.flags & DEBUG_ONLY) && !show_debug) continue;
            section += "  " + name + info.help_param + "\n";
            section += WrapIndented(info.help, 79, 7);
            section += "\n";
        }
        if (section.empty()) continue;
        out += CategoryTitle(cat) + "\n\n" + section;
    }
    return out;
}

std::vector<std::string> ArgsManager::GetLoggableArgs() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<std::string> out;
    auto describe = [&](const char* source, const std::map<std::string, std::vector<Setting>>& from) {
        for (const auto& [key, settings] : from) {
            std::string name = key.substr(key.find('.') == std::string::npos ? 0 : key.find('.') + 1);
            const ArgInfo* info = FindArgLocked("-" + name);
            bool sensitive = info && (info->flags & SENSITIVE);
            for (const Setting& s : settings) {
                std::string value = s.negated ? "-no" + key
                                    : s.value.empty() ? "-" + key
                                    : "-" + key + "=" + (sensitive ? "****" : SanitizeString(s.value, 200));
                out.push_back(std::string(source) + ": " + value);
            }
        }
    };
    describe("Config file arg", m_config);
    describe("Command-line arg", m_command_line);
    return out;
}

void AddHelpAndVersionArgs(ArgsManager& args, const std::string& help_text)
{
    args.AddArg("-?", help_text, ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-h", help_text, ArgsManager::ALLOW_ANY, OptionsCategory::HIDDEN);
    args.AddArg("-help", help_text, ArgsManager::ALLOW_ANY, OptionsCategory::HIDDEN);
    args.AddArg("-version", "Print version and exit", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
}

bool SelectDataDirAndConfig(ArgsManager& args, bool ignore_invalid_keys, const std::string& config_error_prefix,
                            std::string& error)
{
    if (args.IsArgSet("-datadir") && !std::filesystem::is_directory(args.GetDataDirBase())) {
        error = "Error: Specified data directory \"" + args.GetArg("-datadir", "") + "\" does not exist.";
        return false;
    }
    std::string config_error;
    if (!args.ReadConfigFiles(config_error, ignore_invalid_keys)) {
        error = config_error_prefix + config_error;
        return false;
    }
    try {
        args.SelectConfigNetwork(args.GetChainTypeString());
    } catch (const std::exception& e) {
        error = std::string("Error: ") + e.what();
        return false;
    }
    return true;
}
