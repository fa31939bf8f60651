// Logging: categories, timestamps, debug.log and/or console, thread-safe.
//
// The Logger is owned by the node context (NodeContext::logger). The logging macros reach
// it through the single process-wide pointer set by SetGlobalLogger(); like stdout this is
// the one deliberate exception to "no global mutable state", so that any layer can log
// without threading a context through every call. With no logger installed (unit tests,
// tools) log calls are discarded.
//
//   LogPrintf("Loaded %d blocks\n", n);                 // always logged
//   LogDebug(BCLog::NET, "peer=%d sent %s\n", id, cmd);  // only with -debug=net (or -debug)
//
// A trailing newline is added when the message lacks one.
#ifndef ODA_UTIL_LOGGING_H
#define ODA_UTIL_LOGGING_H

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace BCLog {

/** Debug categories (bit flags). */
enum LogFlags : uint32_t {
    NONE = 0,
    NET = (1 << 0),
    RPC = (1 << 1),
    HTTP = (1 << 2),
    VALIDATION = (1 << 3),
    MEMPOOL = (1 << 4),
    MINER = (1 << 5),
    DB = (1 << 6),
    BENCH = (1 << 7),
    MODEL = (1 << 8),
    TORRENT = (1 << 9),
    ZMQ = (1 << 10),
    WALLET = (1 << 11),
    ALL = ~uint32_t{0},
};

/** Category name ("net") for one flag; "" for combined/unknown flags. */
std::string CategoryName(LogFlags flag);
/** Flag for a category name; "1", "all" and "" mean ALL. false when unknown. */
bool ParseCategory(std::string_view name, LogFlags& flag);
/** All single category names, sorted, comma separated (for help texts and errors). */
std::string SupportedCategoriesString();

struct CategoryActive {
    std::string category;
    bool active;
};

class Logger
{
public:
    Logger() = default;
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    // Configuration, set before StartLogging().
    bool m_print_to_console{false};
    bool m_print_to_file{false};
    bool m_log_timestamps{true};
    bool m_log_time_micros{false};
    std::filesystem::path m_file_path;

    /** Opens the log file (when m_print_to_file) and flushes messages buffered before start.
     *  Returns false with error set when the file cannot be opened. */
    bool StartLogging(std::string& error);
    /** Closes the file and disables output. */
    void DisconnectTestLogger();
    /** Ask to reopen the file before the next write (SIGHUP, for log rotation). Safe to call
     *  from a signal handler (sets an atomic flag only). */
    void RequestReopen() { m_reopen_file = true; }

    /** Writes one message (adds the timestamp and category prefix). */
    void LogPrintStr(std::string_view msg, LogFlags category);

    bool EnableCategory(std::string_view name);
    bool DisableCategory(std::string_view name);
    void EnableCategory(LogFlags flag) { m_categories |= flag; }
    void DisableCategory(LogFlags flag) { m_categories &= ~flag; }
    uint32_t GetCategoryMask() const { return m_categories.load(); }
    bool WillLogCategory(LogFlags category) const { return (m_categories.load() & category) != 0; }
    /** Every single category with whether it is enabled, sorted by name. */
    std::vector<CategoryActive> LogCategoriesList() const;

private:
    std::mutex m_mutex;
    FILE* m_file{nullptr};
    bool m_started{false};
    // Messages logged before StartLogging() (bounded; oldest kept).
    std::list<std::string> m_buffer;
    size_t m_buffer_bytes{0};
    std::atomic<uint32_t> m_categories{0};
    std::atomic<bool> m_reopen_file{false};

    std::string FormatLine(std::string_view msg, LogFlags category) const;
    void WriteLine(const std::string& line);
};

} // namespace BCLog

/** Installs (or with nullptr removes) the logger the macros write to. Returns the previous. */
BCLog::Logger* SetGlobalLogger(BCLog::Logger* logger);
/** The installed logger or nullptr. */
BCLog::Logger* GlobalLogger();

/** True when a logger is installed and the category is enabled. */
bool LogAcceptCategory(BCLog::LogFlags category);

void LogPrintFormatted(BCLog::LogFlags category, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

#define LogPrintf(...) LogPrintFormatted(BCLog::NONE, __VA_ARGS__)
#define LogDebug(category, ...)                                \
    do {                                                       \
        if (LogAcceptCategory((category))) {                   \
            LogPrintFormatted((category), __VA_ARGS__);        \
        }                                                      \
    } while (0)

#endif // ODA_UTIL_LOGGING_H
