// Clang thread-safety analysis attributes (-Wthread-safety). They cost nothing at run time
// and expand to nothing on other compilers: the clang build in CI is what enforces them.
//
// Vocabulary (clang's, https://clang.llvm.org/docs/ThreadSafetyAnalysis.html):
//   GUARDED_BY(m)               the member may only be read or written with m held
//   EXCLUSIVE_LOCKS_REQUIRED(m) the caller must hold m
//   LOCKS_EXCLUDED(m)           the caller must not hold m (the function takes it itself)
//   LOCK_RETURNED(m)            the function returns a reference to m (for accessors)
#ifndef ODA_UTIL_THREADSAFETY_H
#define ODA_UTIL_THREADSAFETY_H

#if defined(__clang__)
#define ODA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ODA_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) ODA_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY ODA_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) ODA_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) ODA_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) ODA_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) ODA_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define EXCLUSIVE_LOCKS_REQUIRED(...) ODA_THREAD_ANNOTATION(exclusive_locks_required(__VA_ARGS__))
#define LOCKS_EXCLUDED(...) ODA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define EXCLUSIVE_LOCK_FUNCTION(...) ODA_THREAD_ANNOTATION(exclusive_lock_function(__VA_ARGS__))
#define EXCLUSIVE_TRYLOCK_FUNCTION(...) ODA_THREAD_ANNOTATION(exclusive_trylock_function(__VA_ARGS__))
#define UNLOCK_FUNCTION(...) ODA_THREAD_ANNOTATION(unlock_function(__VA_ARGS__))
#define ASSERT_EXCLUSIVE_LOCK(...) ODA_THREAD_ANNOTATION(assert_exclusive_lock(__VA_ARGS__))
#define LOCK_RETURNED(x) ODA_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS ODA_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif // ODA_UTIL_THREADSAFETY_H
