// Unit tests for util/args: parsing, negation, config sections, precedence, chain selection.
#include <util/args.h>
#include <util/fs.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace {
void SetupArgs(ArgsManager& args)
{
    args.AddArg("-foo=<n>", "Foo", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-bar", "Bar", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-multi=<v>", "Multi", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-rpcport=<port>", "Port", ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
    args.AddArg("-datadir=<dir>", "Dir", ArgsManager::ALLOW_ANY | ArgsManager::DISALLOW_NEGATION, OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>", "Conf", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-regtest", "Regtest", ArgsManager::ALLOW_ANY, OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet", "Testnet", ArgsManager::ALLOW_ANY, OptionsCategory::CHAINPARAMS);
    args.AddArg("-chain=<chain>", "Chain", ArgsManager::ALLOW_ANY, OptionsCategory::CHAINPARAMS);
    args.AddArg("-rpcpassword=<pw>", "Password", ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE, OptionsCategory::RPC);
}

bool Parse(ArgsManager& args, std::vector<const char*> argv, std::string& error)
{
    argv.insert(argv.begin(), "prog");
    return args.ParseParameters(static_cast<int>(argv.size()), argv.data(), error);
}
} // namespace

BOOST_AUTO_TEST_SUITE(args_tests)

BOOST_AUTO_TEST_CASE(values_and_types)
{
    ArgsManager args;
    SetupArgs(args);
    std::string error;
    BOOST_REQUIRE(Parse(args, {"-foo=12", "--bar", "-multi=a", "-multi=b"}, error));
    BOOST_CHECK_EQUAL(args.GetArg("-foo", "d"), "12");
    BOOST_CHECK_EQUAL(args.GetIntArg("-foo", 0), 12);
    BOOST_CHECK(args.GetBoolArg("-bar", false));
    BOOST_CHECK_EQUAL(args.GetArg("-bar", "d"), "");
    BOOST_CHECK(args.IsArgSet("-bar"));
    BOOST_CHECK(!args.IsArgSet("-rpcport"));
    BOOST_CHECK_EQUAL(args.GetArg("-rpcport", "dflt"), "dflt");
    BOOST_CHECK_EQUAL(args.GetIntArg("-rpcport", 5), 5);
    auto multi = args.GetArgs("-multi");
    BOOST_REQUIRE_EQUAL(multi.size(), 2u);
    BOOST_CHECK_EQUAL(multi[0], "a");
    BOOST_CHECK_EQUAL(multi[1], "b");
    // Last command-line value wins for single lookups.
    BOOST_REQUIRE(Parse(args, {"-foo=1", "-foo=2"}, error));
    BOOST_CHECK_EQUAL(args.GetArg("-foo", ""), "2");
    BOOST_CHECK(!args.IsArgSet("-bar")); // reparse replaced the command line
}

BOOST_AUTO_TEST_CASE(negation)
{
    ArgsManager args;
    SetupArgs(args);
    std::string error;
    BOOST_REQUIRE(Parse(args, {"-nobar", "-multi=a", "-nomulti", "-multi=c"}, error));
    BOOST_CHECK(!args.GetBoolArg("-bar", true));
    BOOST_CHECK(args.IsArgSet("-bar"));
    BOOST_CHECK(args.IsArgNegated("-bar"));
    BOOST_CHECK_EQUAL(args.GetArg("-bar", "x"), "0");
    auto multi = args.GetArgs("-multi");
    BOOST_REQUIRE_EQUAL(multi.size(), 1u); // -nomulti cleared "a"
    BOOST_CHECK_EQUAL(multi[0], "c");

    BOOST_REQUIRE(Parse(args, {"-bar=0"}, error));
    BOOST_CHECK(!args.GetBoolArg("-bar", true));
    BOOST_CHECK(!args.IsArgNegated("-bar"));
    BOOST_REQUIRE(Parse(args, {"-nobar=0"}, error)); // double negative
    BOOST_CHECK(args.GetBoolArg("-bar", false));

    BOOST_CHECK(!Parse(args, {"-nodatadir"}, error));
    BOOST_CHECK(error.find("Negating of -datadir") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_and_positional)
{
    ArgsManager args;
    SetupArgs(args);
    std::string error;
    BOOST_CHECK(!Parse(args, {"-unknown=1"}, error));
    BOOST_CHECK_EQUAL(error, "Invalid parameter -unknown");
    BOOST_CHECK(!Parse(args, {"-nounknown"}, error));
    BOOST_CHECK(!Parse(args, {"-mainnet.foo=1"}, error));
    BOOST_CHECK(!Parse(args, {"-="}, error));

    BOOST_REQUIRE(Parse(args, {"-foo=1", "getblock", "-bar", "2"}, error));
    auto pos = args.GetPositionalArgs();
    BOOST_REQUIRE_EQUAL(pos.size(), 3u);
    BOOST_CHECK_EQUAL(pos[0], "getblock");
    BOOST_CHECK_EQUAL(pos[1], "-bar"); // options stop at the first positional argument
    BOOST_CHECK(!args.IsArgSet("-bar"));
}

BOOST_AUTO_TEST_CASE(chain_selection)
{
    ArgsManager args;
    SetupArgs(args);
    std::string error;
    BOOST_REQUIRE(Parse(args, {}, error));
    BOOST_CHECK_EQUAL(args.GetChainTypeString(), "main");
    BOOST_REQUIRE(Parse(args, {"-regtest"}, error));
    BOOST_CHECK_EQUAL(args.GetChainTypeString(), "regtest");
    BOOST_REQUIRE(Parse(args, {"-testnet"}, error));
    BOOST_CHECK_EQUAL(args.GetChainTypeString(), "test");
    BOOST_REQUIRE(Parse(args, {"-chain=regtest"}, error));
    BOOST_CHECK_EQUAL(args.GetChainTypeString(), "regtest");
    BOOST_REQUIRE(Parse(args, {"-regtest=0", "-testnet"}, error));
    BOOST_CHECK_EQUAL(args.GetChainTypeString(), "test");
    BOOST_REQUIRE(Parse(args, {"-regtest", "-testnet"}, error));
    BOOST_CHECK_THROW(args.GetChainTypeString(), std::runtime_error);
    BOOST_REQUIRE(Parse(args, {"-regtest", "-chain=regtest"}, error));
    BOOST_CHECK_THROW(args.GetChainTypeString(), std::runtime_error);
    BOOST_REQUIRE(Parse(args, {"-chain=bogus"}, error));
    BOOST_CHECK_THROW(args.GetChainTypeString(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(config_sections_and_precedence)
{
    ArgsManager args;
    SetupArgs(args);
    std::string error;
    BOOST_REQUIRE(Parse(args, {"-foo=cmd"}, error));
    const std::string conf =
        "# comment\n"
        "foo=conf\n"
        "bar=1\n"
        "rpcport=1111\n"
        "multi=top # inline comment\n"
        "rpcpassword=pa#ss\n"
        "regtest.multi=rt-prefix\n"
        "[regtest]\n"
        "rpcport=2222\n"
        "multi=rt-section\n"
        "[test]\n"
        "bar=0\n";
    BOOST_REQUIRE_MESSAGE(args.ReadConfigString(conf, error), error);

    args.SelectConfigNetwork("main");
    BOOST_CHECK_EQUAL(args.GetArg("-foo", ""), "cmd"); // command line beats config
    BOOST_CHECK_EQUAL(args.GetIntArg("-rpcport", 0), 1111);
    BOOST_CHECK(args.GetBoolArg("-bar", false));
    BOOST_CHECK_EQUAL(args.GetArg("-rpcpassword", ""), "pa#ss");
    BOOST_REQUIRE_EQUAL(args.GetArgs("-multi").size(), 1u);
    BOOST_CHECK_EQUAL(args.GetArgs("-multi")[0], "top");

    args.SelectConfigNetwork("regtest");
    BOOST_CHECK_EQUAL(args.GetIntArg("-rpcport", 0), 2222); // section beats top
    auto multi = args.GetArgs("-multi");
    BOOST_REQUIRE_EQUAL(multi.size(), 3u); // network values first, then top-level ones
    BOOST_CHECK_EQUAL(multi[0], "rt-prefix");
    BOOST_CHECK_EQUAL(multi[1], "rt-section");
    BOOST_CHECK_EQUAL(multi[2], "top");

    args.SelectConfigNetwork("test");
    BOOST_CHECK(!args.GetBoolArg("-bar", true));
    // NETWORK_ONLY options are not read from the top section for test/regtest.
    BOOST_CHECK(!args.IsArgSet("-rpcport"));

    // A network-prefixed command-line value applies only to that network.
    BOOST_REQUIRE(Parse(args, {"-regtest.rpcport=3333"}, error));
    BOOST_CHECK(!args.IsArgSet("-rpcport"));
    args.SelectConfigNetwork("regtest");
    BOOST_CHECK_EQUAL(args.GetIntArg("-rpcport", 0), 3333);
}

BOOST_AUTO_TEST_CASE(config_errors)
{
    ArgsManager args;
    SetupArgs(args);
    std::string error;
    BOOST_CHECK(!args.ReadConfigString("nosuchoption=1\n", error));
    BOOST_CHECK(error.find("Invalid configuration value nosuchoption") != std::string::npos);
    BOOST_CHECK(args.ReadConfigString("nosuchoption=1\n", error, /*ignore_invalid_keys=*/true));
    BOOST_CHECK(!args.ReadConfigString("-foo=1\n", error));
    BOOST_CHECK(!args.ReadConfigString("foo\n", error));
    BOOST_CHECK(error.find("line 1") != std::string::npos);
    BOOST_CHECK(!args.ReadConfigString("[mainnet]\nfoo=1\n", error));
    BOOST_CHECK(!args.ReadConfigString("[regtest\n", error));
}

BOOST_AUTO_TEST_CASE(config_file_and_datadir)
{
    fs::path dir = fs::temp_directory_path() / strprintf("oda_args_tests_%d", static_cast<int>(getpid()));
    fs::remove_all(dir);
    std::string error;
    BOOST_REQUIRE(CreateDirectories(dir, error));
    BOOST_REQUIRE(WriteFileAtomic(dir / "oda.conf", "regtest=1\nfoo=fromfile\n", error));

    ArgsManager args;
    SetupArgs(args);
    std::string datadir_arg = "-datadir=" + dir.string();
    BOOST_REQUIRE(Parse(args, {datadir_arg.c_str()}, error));
    BOOST_CHECK_EQUAL(args.GetDataDirBase(), dir);
    BOOST_CHECK_EQUAL(args.GetConfigFilePath(), dir / "oda.conf");
    BOOST_REQUIRE_MESSAGE(args.ReadConfigFiles(error), error);
    BOOST_CHECK_EQUAL(args.GetChainTypeString(), "regtest"); // chain chosen by the config file
    args.SelectConfigNetwork(args.GetChainTypeString());
    BOOST_CHECK_EQUAL(args.GetDataDirNet(), dir / "regtest");
    BOOST_CHECK_EQUAL(args.GetArg("-foo", ""), "fromfile");

    // A missing explicit -conf is an error; a missing default one is not.
    std::string conf_arg = "-conf=missing.conf";
    BOOST_REQUIRE(Parse(args, {datadir_arg.c_str(), conf_arg.c_str()}, error));
    BOOST_CHECK(!args.ReadConfigFiles(error));
    BOOST_CHECK(error.find("missing.conf") != std::string::npos);
    fs::remove(dir / "oda.conf");
    BOOST_REQUIRE(Parse(args, {datadir_arg.c_str()}, error));
    BOOST_CHECK(args.ReadConfigFiles(error));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(select_datadir_and_config)
{
    fs::path dir = fs::temp_directory_path() / strprintf("oda_args_select_%d", static_cast<int>(getpid()));
    fs::remove_all(dir);
    std::string error;
    BOOST_REQUIRE(CreateDirectories(dir, error));
    const std::string datadir_arg = "-datadir=" + dir.string();
    const std::string missing_arg = "-datadir=" + (dir / "nosuch").string();

    // Each step's failure: the whole line to print, the config error with the caller's prefix.
    ArgsManager args;
    SetupArgs(args);
    BOOST_REQUIRE(Parse(args, {missing_arg.c_str()}, error));
    BOOST_CHECK(!SelectDataDirAndConfig(args, false, "Config: ", error));
    BOOST_CHECK_EQUAL(error, "Error: Specified data directory \"" + (dir / "nosuch").string() + "\" does not exist.");
    BOOST_REQUIRE(WriteFileAtomic(dir / "oda.conf", "unknownkey=1\n", error));
    BOOST_REQUIRE(Parse(args, {datadir_arg.c_str()}, error));
    BOOST_CHECK(!SelectDataDirAndConfig(args, false, "Config: ", error));
    BOOST_CHECK_EQUAL(error.rfind("Config: ", 0), 0u);
    BOOST_CHECK(error.find("unknownkey") != std::string::npos);
    BOOST_REQUIRE(Parse(args, {datadir_arg.c_str(), "-regtest", "-testnet"}, error));
    BOOST_CHECK(!SelectDataDirAndConfig(args, /*ignore_invalid_keys=*/true, "Config: ", error));
    BOOST_CHECK_EQUAL(error.rfind("Error: ", 0), 0u);

    // Success: the config file is read and its network's section selected.
    BOOST_REQUIRE(WriteFileAtomic(dir / "oda.conf", "regtest=1\n[regtest]\nfoo=7\n", error));
    BOOST_REQUIRE(Parse(args, {datadir_arg.c_str()}, error));
    BOOST_REQUIRE_MESSAGE(SelectDataDirAndConfig(args, false, "Config: ", error), error);
    BOOST_CHECK_EQUAL(args.GetSelectedNetwork(), "regtest");
    BOOST_CHECK_EQUAL(args.GetArg("-foo", ""), "7");
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(help_and_version_args)
{
    ArgsManager args;
    AddHelpAndVersionArgs(args, "Show help");
    std::string error;
    for (const char* opt : {"-?", "-h", "-help"}) {
        BOOST_REQUIRE_MESSAGE(Parse(args, {opt}, error), error);
        BOOST_CHECK(args.HelpRequested());
    }
    BOOST_REQUIRE(Parse(args, {"-version"}, error));
    BOOST_CHECK(args.IsArgSet("-version"));
    const std::string help = args.GetHelpMessage();
    BOOST_CHECK(help.find("  -?\n       Show help\n") != std::string::npos);
    BOOST_CHECK(help.find("-help") == std::string::npos); // -h and -help are hidden
    BOOST_CHECK(help.find("  -version\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(soft_force_and_help)
{
    ArgsManager args;
    SetupArgs(args);
    std::string error;
    BOOST_REQUIRE(Parse(args, {"-foo=1"}, error));
    BOOST_CHECK(!args.SoftSetArg("-foo", "2"));
    BOOST_CHECK(args.SoftSetArg("-bar", "0"));
    BOOST_CHECK(!args.GetBoolArg("-bar", true));
    args.ForceSetArg("-foo", "3");
    BOOST_CHECK_EQUAL(args.GetArg("-foo", ""), "3");

    std::string help = args.GetHelpMessage();
    BOOST_CHECK(help.find("Options:") != std::string::npos);
    BOOST_CHECK(help.find("  -rpcport=<port>\n       Port\n") != std::string::npos);
    BOOST_CHECK(help.find("RPC server options:") != std::string::npos);

    BOOST_REQUIRE(Parse(args, {"-rpcpassword=secret"}, error));
    for (const std::string& line : args.GetLoggableArgs()) BOOST_CHECK(line.find("secret") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
