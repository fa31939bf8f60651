// Mutex and scoped-lock types that clang's thread-safety analysis understands.
//
// Use these instead of std::mutex / std::lock_guard wherever data is shared between
// threads, and mark the data GUARDED_BY(the mutex) so that the clang build
// (-Werror=thread-safety) rejects an access without the lock:
//
//     mutable Mutex m_mutex;
//     int m_count GUARDED_BY(m_mutex){0};
//     void Bump() EXCLUSIVE_LOCKS_REQUIRED(!m_mutex) { LOCK(m_mutex); ++m_count; }
//
// UniqueLock<Mutex> is a std::unique_lock<std::mutex>, so std::condition_variable works
// with it unchanged. RecursiveMutex exists for the locks that are still re-entered
// (the chainstate lock); new code should not add re-entrant locking.
#ifndef ODA_UTIL_SYNC_H
#define ODA_UTIL_SYNC_H

#include <util/threadsafety.h>

#include <mutex>
#include <type_traits>

//! A standard mutex with the capability attribute the analysis needs.
template <typename Base>
class CAPABILITY("mutex") AnnotatedMutex : public Base
{
public:
    using BaseType = Base;
    void lock() EXCLUSIVE_LOCK_FUNCTION() { Base::lock(); }
    void unlock() UNLOCK_FUNCTION() { Base::unlock(); }
    bool try_lock() EXCLUSIVE_TRYLOCK_FUNCTION(true) { return Base::try_lock(); }
    //! Negative capability, so `EXCLUSIVE_LOCKS_REQUIRED(!m)` can say "caller must not hold m".
    const AnnotatedMutex& operator!() const { return *this; }
};

using Mutex = AnnotatedMutex<std::mutex>;
using RecursiveMutex = AnnotatedMutex<std::recursive_mutex>;

//! Holds a mutex for its lifetime; may be released early (unlock) and re-taken (lock), and
//! passed to std::condition_variable::wait when the mutex is a Mutex.
template <typename M>
class SCOPED_CAPABILITY UniqueLock : public std::unique_lock<typename M::BaseType>
{
    using Base = std::unique_lock<typename M::BaseType>;

public:
    explicit UniqueLock(M& m) EXCLUSIVE_LOCK_FUNCTION(m) : Base(m) {}
    ~UniqueLock() UNLOCK_FUNCTION() {}
    void lock() EXCLUSIVE_LOCK_FUNCTION() { Base::lock(); }
    void unlock() UNLOCK_FUNCTION() { Base::unlock(); }
};

//! Tells the analysis (not the run time) that the caller holds `m`: for callbacks and
//! lambdas the analysis cannot follow.
template <typename M>
inline void AssertLockHeld(const M& m) ASSERT_EXCLUSIVE_LOCK(m) { (void)m; }

#define ODA_SYNC_CONCAT2(a, b) a##b
#define ODA_SYNC_CONCAT(a, b) ODA_SYNC_CONCAT2(a, b)
//! `LOCK(m);` holds m until the end of the enclosing scope.
#define LOCK(m) UniqueLock<std::remove_reference_t<decltype(m)>> ODA_SYNC_CONCAT(oda_lock_, __LINE__)(m)
//! `WITH_LOCK(m, return x;)` runs the statements with m held and yields what they return:
//! for reading one guarded value in an expression.
#define WITH_LOCK(m, code) ([&]() -> decltype(auto) { LOCK(m); code; }())

#endif // ODA_UTIL_SYNC_H
