#include <node/init.h>

#include <node/context.h>
#include <node/internal_miner.h>
#include <node/validation.h>
#include <oda/engine/engine.h>
#include <util/args.h>
#include <util/fs.h>
#include <util/logging.h>
#include <util/strencodings.h>
#include <util/time.h>

#include <config/oda-config.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {
/** Upper bound on -odathreads (engine threads, including the calling one). */
constexpr int MAX_ODA_ENGINE_THREADS = 64;

// Set only by the signal handlers and read by the wait loop. A signal handler cannot reach a
// NodeContext, so these two flags are (like the logger pointer) deliberate process-wide state.
volatile std::sig_atomic_t g_signal_shutdown = 0;
volatile std::sig_atomic_t g_signal_reopen_log = 0;

extern "C" void HandleShutdownSignal(int) { g_signal_shutdown = 1; }
extern "C" void HandleReopenSignal(int) { g_signal_reopen_log = 1; }

/** Installs the node's signal handlers; the destructor restores the previous ones (so that a
 *  process embedding AppMain, e.g. a test, gets its own handlers back). */
class ScopedSignalHandlers
{
public:
    ScopedSignalHandlers()
    {
        g_signal_shutdown = 0;
        g_signal_reopen_log = 0;
        struct sigaction sa;
        std::memset(&sa, 0, sizeof(sa));
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = HandleShutdownSignal;
        sigaction(SIGTERM, &sa, &m_old[0]);
        sigaction(SIGINT, &sa, &m_old[1]);
        sa.sa_handler = HandleReopenSignal;
        sigaction(SIGHUP, &sa, &m_old[2]);
        // A client that disconnects mid-reply must not kill the node.
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, &m_old[3]);
    }
    ~ScopedSignalHandlers()
    {
        sigaction(SIGTERM, &m_old[0], nullptr);
        sigaction(SIGINT, &m_old[1], nullptr);
        sigaction(SIGHUP, &m_old[2], nullptr);
        sigaction(SIGPIPE, &m_old[3], nullptr);
    }
    ScopedSignalHandlers(const ScopedSignalHandlers&) = delete;
    ScopedSignalHandlers& operator=(const ScopedSignalHandlers&) = delete;

private:
    struct sigaction m_old[4];
};

void InitError(const std::string& message)
{
    std::cerr << "Error: " << message << std::endl;
    LogPrintf("Error: %s\n", message.c_str());
}

std::string VersionString() { return std::string("v") + PACKAGE_VERSION; }

std::string UsageText()
{
    return "ODA daemon version " + VersionString() + "\n\nUsage:  odad [options]                     Start ODA daemon\n\n";
}

// Checks for options that are set but unusable, before anything is created.
bool CheckBasicOptions(const ArgsManager& args, std::string& error)
{
    for (const char* key : {"-rpcthreads", "-rpcworkqueue", "-rpcport"}) {
        auto value = args.GetArg(key);
        if (value && !value->empty()) {
            int64_t n;
            if (!ParseInt64(*value, &n) || n <= 0) {
                error = strprintf("Invalid value for %s: '%s'", key, SanitizeString(*value, 100).c_str());
                return false;
            }
        }
    }
    return true;
}

bool SetupLogging(NodeContext& node, bool daemon, std::string& error)
{
    const ArgsManager& args = *node.args;
    node.logger = std::make_unique<BCLog::Logger>();
    BCLog::Logger& logger = *node.logger;
    logger.m_print_to_console = args.GetBoolArg("-printtoconsole", !daemon);
    logger.m_log_timestamps = args.GetBoolArg("-logtimestamps", true);
    logger.m_log_time_micros = args.GetBoolArg("-logtimemicros", false);
    logger.m_print_to_file = !args.IsArgNegated("-debuglogfile");
    if (logger.m_print_to_file) {
        logger.m_file_path = AbsPathJoin(args.GetDataDirNet(), args.GetArg("-debuglogfile", "debug.log"));
    }
    std::vector<std::string> categories = args.GetArgs("-debug");
    // "-debug=0" / "-debug=none" disable everything, as in Core.
    bool none = false;
    for (const std::string& c : categories) none = none || c == "0" || c == "none";
    if (!none) {
        for (const std::string& c : categories) {
            if (!logger.EnableCategory(c)) {
                error = strprintf("Unsupported logging category -debug=%s. Valid categories: %s",
                                  SanitizeString(c, 100).c_str(), BCLog::SupportedCategoriesString().c_str());
                return false;
            }
        }
    }
    for (const std::string& c : args.GetArgs("-debugexclude")) {
        if (!logger.DisableCategory(c)) {
            error = strprintf("Unsupported logging category -debugexclude=%s. Valid categories: %s",
                              SanitizeString(c, 100).c_str(), BCLog::SupportedCategoriesString().c_str());
            return false;
        }
    }
    SetGlobalLogger(&logger);
    return logger.StartLogging(error);
}

// Forks for -daemon. The parent waits on a pipe until the child reports that init finished
// (byte '1') or failed (EOF), and returns the parent's exit code; the child gets -1 and the
// write end of the pipe in notify_fd.
int Daemonize(int& notify_fd)
{
    int fds[2];
    if (pipe(fds) != 0) {
        std::cerr << "Error: pipe() failed: " << std::strerror(errno) << std::endl;
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        std::cerr << "Error: fork() failed: " << std::strerror(errno) << std::endl;
        return 1;
    }
    if (pid > 0) { // parent
        close(fds[1]);
        char status = 0;
        ssize_t n;
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        close(fds[0]);
        if (n == 1 && status == '1') {
            std::cout << "ODA server starting" << std::endl;
            return 0;
        }
        return 1;
    }
    close(fds[0]);
    setsid();
    notify_fd = fds[1];
    return -1;
}

void DetachStdio()
{
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd < 0) return;
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) close(null_fd);
}

struct StartedServices {
    std::vector<const NodeService*> before;
    std::vector<const NodeService*> after;
    bool subsystems_started{false};
};

void Shutdown(NodeContext& node, StartedServices& started, const fs::path& pid_file)
{
    LogPrintf("Shutdown: In progress...\n");
    if (node.miner) node.miner->Stop(); // no new blocks while the services stop
    for (auto it = started.after.rbegin(); it != started.after.rend(); ++it) {
        if ((*it)->interrupt) (*it)->interrupt(node);
    }
    for (auto it = started.before.rbegin(); it != started.before.rend(); ++it) {
        if ((*it)->interrupt) (*it)->interrupt(node);
    }
    for (auto it = started.after.rbegin(); it != started.after.rend(); ++it) {
        if ((*it)->stop) (*it)->stop(node);
    }
    for (auto it = started.before.rbegin(); it != started.before.rend(); ++it) {
        if ((*it)->stop) (*it)->stop(node);
    }
    if (started.subsystems_started) StopNodeSubsystems(node);
    if (!pid_file.empty()) {
        std::error_code ec;
        fs::remove(pid_file, ec);
    }
    LogPrintf("Shutdown: done\n");
}
} // namespace

void SetupServerArgs(ArgsManager& args, const std::vector<NodeService>& services)
{
    using OC = OptionsCategory;
    const unsigned ANY = ArgsManager::ALLOW_ANY;
    AddHelpAndVersionArgs(args, "Print this help message and exit");
    args.AddArg("-help-debug", "Print help including debugging options and exit", ANY, OC::HIDDEN);
    args.AddArg("-conf=<file>", "Specify path to read-only configuration file. Relative paths are prefixed by the "
                "datadir location (default: oda.conf)", ANY, OC::OPTIONS);
    args.AddArg("-datadir=<dir>", "Specify data directory (default: ~/.oda)", ANY | ArgsManager::DISALLOW_NEGATION,
                OC::OPTIONS);
    args.AddArg("-daemon", "Run in the background as a daemon and accept commands (default: 0)", ANY, OC::OPTIONS);
    args.AddArg("-pid=<file>", "Specify pid file. Relative paths are prefixed by a net-specific datadir location "
                "(default: odad.pid)", ANY, OC::OPTIONS);
    args.AddArg("-odathreads=<n>", strprintf("Threads of the model engine for inference and scoring (0 or negative = "
                "number of cores, at most %d, default: 0)", MAX_ODA_ENGINE_THREADS), ANY, OC::OPTIONS);

    args.AddArg("-chain=<chain>", "Use the chain <chain> (default: main). Allowed values: main, test, regtest", ANY,
                OC::CHAINPARAMS);
    args.AddArg("-testnet", "Use the test chain. Equivalent to -chain=test.", ANY, OC::CHAINPARAMS);
    args.AddArg("-regtest", "Enter regression test mode, which uses a special chain in which blocks can be solved "
                "instantly. Equivalent to -chain=regtest.", ANY, OC::CHAINPARAMS);

    args.AddArg("-debug=<category>", "Output debug and trace logging (default: -nodebug, supplying <category> is "
                "optional). If <category> is not supplied or if <category> = 1, output all debug and trace logging. "
                "<category> can be: " + BCLog::SupportedCategoriesString() + ". This option can be specified "
                "multiple times to output multiple categories.", ANY, OC::DEBUG_TEST);
    args.AddArg("-debugexclude=<category>", "Exclude debug and trace logging for a category. Can be used in "
                "conjunction with -debug=1 to output debug and trace logging for all categories except the "
                "specified category. This option can be specified multiple times to exclude multiple categories.",
                ANY, OC::DEBUG_TEST);
    args.AddArg("-debuglogfile=<file>", "Specify location of debug log file (default: debug.log). Relative paths "
                "will be prefixed by a net-specific datadir location. Pass -nodebuglogfile to disable writing the "
                "log to a file.", ANY, OC::DEBUG_TEST);
    args.AddArg("-printtoconsole", "Send trace/debug info to console (default: 1 when no -daemon. To disable "
                "logging to file, set -nodebuglogfile)", ANY, OC::DEBUG_TEST);
    args.AddArg("-logtimestamps", "Prepend debug output with timestamp (default: 1)", ANY, OC::DEBUG_TEST);
    args.AddArg("-logtimemicros", "Add microsecond precision to debug timestamps (default: 0)",
                ANY | ArgsManager::DEBUG_ONLY, OC::DEBUG_TEST);

    // Options of parts that are not built yet are accepted (and ignored) so that configuration
    // files and test harnesses written for the full node work; the real registration of each
    // replaces these.
    args.AddHiddenArgs({"-port", "-listen", "-bind", "-connect", "-addnode", "-seednode", "-discover", "-dnsseed",
                        "-listenonion", "-upnp", "-natpmp", "-externalip", "-maxconnections", "-whitelist",
                        "-torrentport", "-fallbackfee", "-wallet", "-disablewallet", "-zmqpubhashblock",
                        "-zmqpubrawblock", "-zmqpubhashtx", "-zmqpubrawtx", "-zmqpubsequence"});

    AddNodeSubsystemArgs(args);
    for (const NodeService& service : services) {
        if (service.add_args) service.add_args(args);
    }
}

int AppMain(int argc, const char* const argv[], const std::vector<NodeService>& services)
{
    ArgsManager args;
    SetupServerArgs(args, services);
    std::string error;
    if (!args.ParseParameters(argc, argv, error)) {
        std::cerr << "Error: Error parsing command line arguments: " << error << std::endl;
        return 1;
    }
    if (args.HelpRequested() || args.IsArgSet("-version")) {
        std::cout << UsageText();
        if (!args.IsArgSet("-version")) std::cout << args.GetHelpMessage(args.IsArgSet("-help-debug"));
        return 0;
    }
    for (const std::string& token : args.GetPositionalArgs()) {
        std::cerr << "Error: Command line contains unexpected token '" << SanitizeString(token, 100)
                  << "', see odad -h for a list of options." << std::endl;
        return 1;
    }
    if (!SelectDataDirAndConfig(args, /*ignore_invalid_keys=*/false, /*config_error_prefix=*/"Error: ", error)) {
        std::cerr << error << std::endl;
        return 1;
    }
    if (!CheckBasicOptions(args, error)) {
        std::cerr << "Error: " << error << std::endl;
        return 1;
    }

    bool daemon = args.GetBoolArg("-daemon", false);
    int notify_fd = -1;
    if (daemon) {
        int parent_exit = Daemonize(notify_fd);
        if (parent_exit >= 0) return parent_exit;
    }

    NodeContext node;
    node.args = &args;
    node.start_time = GetTime();

    const fs::path datadir = args.GetDataDirNet();
    if (!CreateDirectories(datadir, error)) {
        std::cerr << "Error: " << error << std::endl;
        return 1;
    }
    node.datadir_lock = LockDirectory(datadir, error);
    if (!node.datadir_lock) {
        std::cerr << "Error: " << error << std::endl;
        return 1;
    }
    if (!SetupLogging(node, daemon, error)) {
        InitError(error);
        SetGlobalLogger(nullptr);
        return 1;
    }
    LogPrintf("ODA version %s\n", VersionString().c_str());
    LogPrintf("Using data directory %s\n", datadir.string().c_str());
    LogPrintf("Using config file %s\n", args.GetConfigFilePath().string().c_str());
    for (const std::string& line : args.GetLoggableArgs()) LogPrintf("%s\n", line.c_str());

    fs::path pid_file;
    if (!args.IsArgNegated("-pid")) {
        pid_file = AbsPathJoin(datadir, args.GetArg("-pid", "odad.pid"));
        if (!WriteFileAtomic(pid_file, strprintf("%d\n", static_cast<int>(getpid())), error)) {
            InitError(error);
            SetGlobalLogger(nullptr);
            return 1;
        }
    }

    // The model engine's thread pool (doc/oda-models.md §7) is sized once, before
    // anything validates blocks or transactions.
    int64_t oda_threads = args.GetIntArg("-odathreads", 0);
    if (oda_threads <= 0) oda_threads = std::max(1u, std::thread::hardware_concurrency());
    oda_threads = std::min<int64_t>(oda_threads, MAX_ODA_ENGINE_THREADS);
    oda::engine::SetEngineThreads(static_cast<int>(oda_threads));
    LogPrintf("Model engine threads: %d\n", oda::engine::GetEngineThreads());

    ScopedSignalHandlers signal_handlers;

    StartedServices started;
    std::atomic<bool> fatal_error{false}; // set by the chainstate's fatal-error handler
    bool ok = true;
    for (const NodeService& service : services) {
        if (!service.before_subsystems || !ok) continue;
        if (service.start && !service.start(node, error)) {
            InitError(error);
            ok = false;
            break;
        }
        started.before.push_back(&service);
    }
    if (ok) {
        started.subsystems_started = true; // Stop must cope with a partial start
        if (!StartNodeSubsystems(node, error)) {
            InitError(error.empty() ? "Node subsystems failed to start" : error);
            ok = false;
        } else if (node.chainman) {
            // A disk or database failure during validation (node/validation.h) stops the node
            // like `stop` does, but the process then exits with 1.
            node.chainman->SetFatalErrorHandler([&node, &fatal_error](const std::string&) {
                fatal_error = true;
                node.RequestShutdown();
            });
        }
    }
    if (ok) {
        for (const NodeService& service : services) {
            if (service.before_subsystems) continue;
            if (service.start && !service.start(node, error)) {
                InitError(error);
                ok = false;
                break;
            }
            started.after.push_back(&service);
        }
    }
    if (ok && !node.ShutdownRequested() && !g_signal_shutdown) {
        for (const NodeService* s : started.before) if (s->on_ready) s->on_ready(node);
        for (const NodeService* s : started.after) if (s->on_ready) s->on_ready(node);
        if (node.miner) node.miner->Start(); // -mine (node/internal_miner.h)
        LogPrintf("init message: Done loading\n");
    }

    if (notify_fd >= 0) {
        if (ok) {
            char one = '1';
            ssize_t n = write(notify_fd, &one, 1);
            (void)n;
        }
        close(notify_fd);
        if (ok) DetachStdio();
    }

    while (ok && !node.ShutdownRequested()) {
        if (g_signal_shutdown) {
            LogPrintf("Received a shutdown signal\n");
            node.RequestShutdown();
            break;
        }
        if (g_signal_reopen_log) {
            g_signal_reopen_log = 0;
            node.logger->RequestReopen();
        }
        node.WaitForShutdown(std::chrono::milliseconds(200));
    }

    if (fatal_error) LogPrintf("Shutting down after a fatal error (see the \"Error:\" line above)\n");
    Shutdown(node, started, pid_file);
    node.logger->DisconnectTestLogger();
    SetGlobalLogger(nullptr);
    return ok && !fatal_error ? 0 : 1;
}
