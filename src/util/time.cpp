#include <util/time.h>

#include <util/strencodings.h>

#include <ctime>

int64_t GetTime()
{
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

int64_t GetTimeMillis()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t GetTimeMicros()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t GetMonotonicMicros()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string FormatISO8601DateTime(int64_t unix_seconds)
{
    time_t t = static_cast<time_t>(unix_seconds);
    struct tm ts;
    if (gmtime_r(&t, &ts) == nullptr) return "";
    return strprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", ts.tm_year + 1900, ts.tm_mon + 1, ts.tm_mday, ts.tm_hour,
                     ts.tm_min, ts.tm_sec);
}

std::string FormatISO8601DateTimeMicros(int64_t unix_micros)
{
    int64_t secs = unix_micros / 1000000;
    int64_t micros = unix_micros % 1000000;
    if (micros < 0) {
        micros += 1000000;
        --secs;
    }
    std::string s = FormatISO8601DateTime(secs);
    if (s.empty()) return s;
    s.pop_back(); // 'Z'
    return s + strprintf(".%06lldZ", static_cast<long long>(micros));
}
