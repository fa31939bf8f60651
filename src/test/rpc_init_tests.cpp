// Unit tests for the odad life cycle (node/init AppMain) with the RPC service registered but
// -server=0 (so no port is bound): option errors, data directory lock, pid file, services'
// start/ready/stop order, clean shutdown.
#include <node/context.h>
#include <node/init.h>
#include <rpc/httprpc.h>
#include <util/args.h>
#include <util/fs.h>
#include <util/strencodings.h>

#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <vector>

namespace {
int RunAppMain(const std::vector<std::string>& args, const std::vector<NodeService>& services)
{
    std::vector<const char*> argv{"odad"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    return AppMain(static_cast<int>(argv.size()), argv.data(), services);
}

fs::path FreshDir(const std::string& name)
{
    fs::path dir = fs::temp_directory_path() / strprintf("oda_%s_%d", name.c_str(), static_cast<int>(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}
} // namespace

BOOST_AUTO_TEST_SUITE(rpc_init_tests)

BOOST_AUTO_TEST_CASE(bad_options_fail_before_touching_anything)
{
    fs::path dir = FreshDir("init_bad");
    std::vector<NodeService> services{MakeRPCService()};
    const std::string datadir = "-datadir=" + dir.string();
    BOOST_CHECK_EQUAL(RunAppMain({datadir, "-regtest", "-nosuchoption"}, services), 1);
    BOOST_CHECK_EQUAL(RunAppMain({datadir, "-regtest", "-testnet"}, services), 1);
    BOOST_CHECK_EQUAL(RunAppMain({datadir, "-chain=nosuch"}, services), 1);
    BOOST_CHECK_EQUAL(RunAppMain({datadir, "-regtest", "unexpected-token"}, services), 1);
    BOOST_CHECK_EQUAL(RunAppMain({"-datadir=" + (dir / "missing").string(), "-regtest"}, services), 1);
    BOOST_CHECK_EQUAL(RunAppMain({datadir, "-regtest", "-rpcthreads=abc"}, services), 1);
    BOOST_CHECK(!fs::exists(dir / "regtest")); // nothing was created
    BOOST_CHECK_EQUAL(RunAppMain({"-version"}, services), 0);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(start_ready_shutdown)
{
    fs::path dir = FreshDir("init_run");
    const std::string datadir = "-datadir=" + dir.string();
    std::vector<std::string> events;
    int nested_exit = -1;
    bool lock_held = false;
    std::string pid_content;

    NodeService probe;
    probe.name = "probe";
    probe.add_args = [](ArgsManager& args) {
        args.AddArg("-probeoption", "test option", ArgsManager::ALLOW_ANY, OptionsCategory::HIDDEN);
    };
    probe.start = [&](NodeContext& node, std::string&) {
        events.push_back("start:" + std::string(node.args->GetBoolArg("-probeoption", false) ? "opt" : "noopt"));
        return true;
    };
    probe.on_ready = [&](NodeContext& node) {
        events.push_back("ready");
        std::string error;
        lock_held = LockDirectory(dir / "regtest", error) == nullptr;
        pid_content = ReadFileToString(dir / "regtest" / "odad.pid", 100).value_or("");
        // A second node on the same data directory is refused.
        nested_exit = RunAppMain({datadir, "-regtest", "-server=0"}, {});
        node.RequestShutdown();
    };
    probe.interrupt = [&](NodeContext&) { events.push_back("interrupt"); };
    probe.stop = [&](NodeContext&) { events.push_back("stop"); };

    int exit_code = RunAppMain({datadir, "-regtest", "-server=0", "-printtoconsole=0", "-probeoption"},
                               {MakeRPCService(), probe});
    BOOST_CHECK_EQUAL(exit_code, 0);
    BOOST_CHECK(lock_held);
    BOOST_CHECK_EQUAL(nested_exit, 1);
    BOOST_CHECK_EQUAL(pid_content, strprintf("%d\n", static_cast<int>(getpid())));
    std::vector<std::string> expected{"start:opt", "ready", "interrupt", "stop"};
    BOOST_CHECK_EQUAL_COLLECTIONS(events.begin(), events.end(), expected.begin(), expected.end());
    BOOST_CHECK(!fs::exists(dir / "regtest" / "odad.pid"));  // removed at shutdown
    BOOST_CHECK(!fs::exists(dir / "regtest" / ".cookie"));   // -server=0: never written
    auto log = ReadFileToString(dir / "regtest" / "debug.log", 1 << 20);
    BOOST_REQUIRE(log);
    BOOST_CHECK(log->find("Shutdown: done") != std::string::npos);
    std::string error;
    BOOST_CHECK(LockDirectory(dir / "regtest", error) != nullptr); // released
    BOOST_CHECK(GlobalLogger() == nullptr);                         // uninstalled
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(failing_service_stops_init)
{
    fs::path dir = FreshDir("init_fail");
    std::vector<std::string> events;
    NodeService failing;
    failing.name = "failing";
    failing.start = [&](NodeContext&, std::string& error) {
        error = "probe refused to start";
        return false;
    };
    failing.stop = [&](NodeContext&) { events.push_back("stop-called"); };
    int exit_code = RunAppMain({"-datadir=" + dir.string(), "-regtest", "-server=0", "-printtoconsole=0"},
                               {MakeRPCService(), failing});
    BOOST_CHECK_EQUAL(exit_code, 1);
    BOOST_CHECK(events.empty()); // a service that did not start is not stopped
    auto log = ReadFileToString(dir / "regtest" / "debug.log", 1 << 20);
    BOOST_REQUIRE(log);
    BOOST_CHECK(log->find("Error: probe refused to start") != std::string::npos);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
