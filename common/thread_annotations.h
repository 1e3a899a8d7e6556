#pragma once

// Clang's thread-safety annotations (-Wthread-safety), after leveldb's
// port/thread_annotations.h: a member says which mutex guards it
// (GUARDED_BY), a function which mutexes it needs held (REQUIRES) or must
// not hold (EXCLUDES). Other compilers see nothing; the ctest
// `thread_safety` compiles coordinator/ with clang and fails on a
// violation (scripts/check_thread_safety.sh).
//
// libstdc++'s std::mutex carries no annotations: guard annotated state
// with common/mutex.h's Mutex, MutexLock and CondVar.

#if defined(__clang__)
#define STRATA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define STRATA_THREAD_ANNOTATION(x)
#endif

// A type that is a capability (a mutex).
#define CAPABILITY(x) STRATA_THREAD_ANNOTATION(capability(x))
// An RAII type that holds a capability for its lifetime.
#define SCOPED_CAPABILITY STRATA_THREAD_ANNOTATION(scoped_lockable)
// The member is read and written only with `x` held.
#define GUARDED_BY(x) STRATA_THREAD_ANNOTATION(guarded_by(x))
// What the member points to is read and written only with `x` held.
#define PT_GUARDED_BY(x) STRATA_THREAD_ANNOTATION(pt_guarded_by(x))
// Lock order: this mutex is taken before / after the ones named.
#define ACQUIRED_BEFORE(...) STRATA_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) STRATA_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
// The caller must hold (exclusively / shared) the capabilities named.
#define REQUIRES(...) STRATA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) STRATA_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// The function acquires / releases the capabilities named (none: `this`).
#define ACQUIRE(...) STRATA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) STRATA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) STRATA_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// The caller must not hold the capabilities named (the function takes them).
#define EXCLUDES(...) STRATA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// Tells the analysis that the capability is held from here on (checked at
// run time by nothing: use where the analysis cannot see a held lock, such
// as in a lambda called under it).
#define ASSERT_CAPABILITY(x) STRATA_THREAD_ANNOTATION(assert_capability(x))
// The function returns a reference to the capability named.
#define RETURN_CAPABILITY(x) STRATA_THREAD_ANNOTATION(lock_returned(x))
// Turns the analysis off for one function; say why beside it.
#define NO_THREAD_SAFETY_ANALYSIS STRATA_THREAD_ANNOTATION(no_thread_safety_analysis)
