// Wall-clock helpers and a mockable clock.
//
// GetTime*() always read the real system clock (used for logs, timeouts, uptime).
// Code whose behaviour a test must control (block times, "now" in validation) asks a
// MockableClock owned by the node context instead; `setmocktime` sets it.
#ifndef ODA_UTIL_TIME_H
#define ODA_UTIL_TIME_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

/** Seconds / milliseconds / microseconds since the UNIX epoch (system clock). */
int64_t GetTime();
int64_t GetTimeMillis();
int64_t GetTimeMicros();
/** Monotonic clock in microseconds (never jumps back; for measuring durations). */
int64_t GetMonotonicMicros();

/** "2026-11-22T04:43:46Z" (UTC). */
std::string FormatISO8601DateTime(int64_t unix_seconds);
/** "2026-11-22T04:43:46.123456Z" (UTC). */
std::string FormatISO8601DateTimeMicros(int64_t unix_micros);

/** A clock that returns the system time unless a mock time is set. Thread-safe. */
class MockableClock
{
public:
    /** Seconds since the epoch: the mock time when set, else the system time. */
    int64_t Now() const
    {
        int64_t mock = m_mock_time.load();
        return mock != 0 ? mock : GetTime();
    }
    /** Set the mock time in seconds; 0 returns to the system clock. Negative is rejected
     *  (returns false) so that a bad RPC argument cannot put the clock before the epoch. */
    bool SetMockTime(int64_t unix_seconds)
    {
        if (unix_seconds < 0) return false;
        m_mock_time = unix_seconds;
        return true;
    }
    int64_t GetMockTime() const { return m_mock_time.load(); }

private:
    std::atomic<int64_t> m_mock_time{0};
};

#endif // ODA_UTIL_TIME_H
