#include <util/logging.h>

#include <util/strencodings.h>
#include <util/time.h>

#include <algorithm>
#include <cstdarg>
#include <map>

namespace {
// The one process-wide pointer (see logging.h); set by init, read by the macros.
std::atomic<BCLog::Logger*> g_logger{nullptr};

constexpr size_t MAX_BUFFERED_BYTES = 1000000;

const std::map<std::string, BCLog::LogFlags>& CategoryMap()
{
    static const std::map<std::string, BCLog::LogFlags> map{
        {"net", BCLog::NET}, {"rpc", BCLog::RPC}, {"http", BCLog::HTTP},
        {"validation", BCLog::VALIDATION}, {"mempool", BCLog::MEMPOOL}, {"miner", BCLog::MINER},
        {"db", BCLog::DB}, {"bench", BCLog::BENCH}, {"model", BCLog::MODEL},
        {"torrent", BCLog::TORRENT}, {"zmq", BCLog::ZMQ}, {"wallet", BCLog::WALLET},
    };
    return map;
}
} // namespace

namespace BCLog {

std::string CategoryName(LogFlags flag)
{
    for (const auto& [name, f] : CategoryMap()) {
        if (f == flag) return name;
    }
    return "";
}

bool ParseCategory(std::string_view name, LogFlags& flag)
{
    if (name.empty() || name == "1" || name == "all") {
        flag = ALL;
        return true;
    }
    auto it = CategoryMap().find(std::string(name));
    if (it == CategoryMap().end()) return false;
    flag = it->second;
    return true;
}

std::string SupportedCategoriesString()
{
    std::vector<std::string> names;
    for (const auto& [name, f] : CategoryMap()) names.push_back(name);
    return Join(names, ", ");
}

Logger::~Logger()
{
    if (m_file) fclose(m_file);
}

bool Logger::EnableCategory(std::string_view name)
{
    LogFlags flag;
    if (!ParseCategory(name, flag)) return false;
    EnableCategory(flag);
    return true;
}

bool Logger::DisableCategory(std::string_view name)
{
    LogFlags flag;
    if (!ParseCategory(name, flag)) return false;
    DisableCategory(flag);
    return true;
}

std::vector<CategoryActive> Logger::LogCategoriesList() const
{
    std::vector<CategoryActive> out;
    for (const auto& [name, flag] : CategoryMap()) out.push_back({name, WillLogCategory(flag)});
    return out;
}

std::string Logger::FormatLine(std::string_view msg, LogFlags category) const
{
    std::string line;
    if (m_log_timestamps) {
        line = m_log_time_micros ? FormatISO8601DateTimeMicros(GetTimeMicros()) : FormatISO8601DateTime(GetTime());
        line += ' ';
    }
    if (category != NONE) {
        std::string name = CategoryName(category);
        if (!name.empty()) line += "[" + name + "] ";
    }
    line += msg;
    if (line.empty() || line.back() != '\n') line += '\n';
    return line;
}

bool Logger::StartLogging(std::string& error)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_print_to_file) {
        m_file = fopen(m_file_path.c_str(), "a");
        if (!m_file) {
            error = strprintf("Could not open debug log file %s", m_file_path.string().c_str());
            return false;
        }
        setvbuf(m_file, nullptr, _IONBF, 0);
    }
    m_started = true;
    for (const std::string& line : m_buffer) WriteLine(line);
    m_buffer.clear();
    m_buffer_bytes = 0;
    return true;
}

void Logger::DisconnectTestLogger()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_file) fclose(m_file);
    m_file = nullptr;
    m_started = false;
    m_print_to_console = false;
    m_print_to_file = false;
}

void Logger::WriteLine(const std::string& line)
{
    if (m_print_to_console) {
        fwrite(line.data(), 1, line.size(), stdout);
        fflush(stdout);
    }
    if (m_print_to_file) {
        if (m_reopen_file.exchange(false)) {
            FILE* reopened = fopen(m_file_path.c_str(), "a");
            if (reopened) {
                setvbuf(reopened, nullptr, _IONBF, 0);
                if (m_file) fclose(m_file);
                m_file = reopened;
            }
        }
        if (m_file) fwrite(line.data(), 1, line.size(), m_file);
    }
}

void Logger::LogPrintStr(std::string_view msg, LogFlags category)
{
    std::string line = FormatLine(msg, category);
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_started) {
        if (m_buffer_bytes + line.size() <= MAX_BUFFERED_BYTES) {
            m_buffer_bytes += line.size();
            m_buffer.push_back(std::move(line));
        }
        return;
    }
    WriteLine(line);
}

} // namespace BCLog

BCLog::Logger* SetGlobalLogger(BCLog::Logger* logger) { return g_logger.exchange(logger); }
BCLog::Logger* GlobalLogger() { return g_logger.load(); }

bool LogAcceptCategory(BCLog::LogFlags category)
{
    BCLog::Logger* logger = g_logger.load();
    return logger && logger->WillLogCategory(category);
}

void LogPrintFormatted(BCLog::LogFlags category, const char* fmt, ...)
{
    BCLog::Logger* logger = g_logger.load();
    if (!logger) return;
    va_list ap;
    va_start(ap, fmt);
    std::string msg = vstrprintf(fmt, ap);
    va_end(ap);
    logger->LogPrintStr(msg, category);
}
