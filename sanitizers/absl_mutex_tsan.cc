// Tells ThreadSanitizer about absl::Mutex. Debian's libabsl_synchronization.so is built without
// TSan, so its lock and unlock are invisible to it: every access guarded by an absl::Mutex would
// be reported as a race. The linker's --wrap (see CMakeLists.txt next to this file) sends our
// calls to these functions, which call the real ones and annotate them with TSan's mutex API.
// Only calls from our code are wrapped; what the library does inside a call (Await's unlock,
// wait and relock) is covered by annotating the call as a whole. Built only with WARREN_TSAN.
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <string_view>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

// The symbols below are mangled for Debian 12's inline namespace; another Abseil needs new names.
#define WARREN_STR(x) #x
#define WARREN_XSTR(x) WARREN_STR(x)
static_assert(std::string_view(WARREN_XSTR(ABSL_OPTION_INLINE_NAMESPACE_NAME)) == "debian3",
              "absl_mutex_tsan.cc: mangled names are for absl::debian3");

// asm labels give the wrappers and the real functions their linker names without declaring
// reserved identifiers.
#define ABSL_MUTEX(name) "_ZN4absl7debian35Mutex" name
#define WRAPPER(name) asm("__wrap_" ABSL_MUTEX(name))
#define REAL(name) asm("__real_" ABSL_MUTEX(name))

using absl::Condition;
using absl::Mutex;

void RealLock(Mutex* mu) REAL("4LockEv");
void RealUnlock(Mutex* mu) REAL("6UnlockEv");
bool RealTryLock(Mutex* mu) REAL("7TryLockEv");
void RealReaderLock(Mutex* mu) REAL("10ReaderLockEv");
void RealReaderUnlock(Mutex* mu) REAL("12ReaderUnlockEv");
void RealLockWhen(Mutex* mu, const Condition& cond) REAL("8LockWhenERKNS0_9ConditionE");
void RealAwait(Mutex* mu, const Condition& cond) REAL("5AwaitERKNS0_9ConditionE");
bool RealAwaitWithDeadline(Mutex* mu, const Condition& cond, absl::Time deadline)
    REAL("17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
bool RealAwaitWithTimeout(Mutex* mu, const Condition& cond, absl::Duration timeout)
    REAL("16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
void RealDestroy(Mutex* mu) REAL("D1Ev");

void WrapLock(Mutex* mu) WRAPPER("4LockEv");
void WrapUnlock(Mutex* mu) WRAPPER("6UnlockEv");
bool WrapTryLock(Mutex* mu) WRAPPER("7TryLockEv");
void WrapReaderLock(Mutex* mu) WRAPPER("10ReaderLockEv");
void WrapReaderUnlock(Mutex* mu) WRAPPER("12ReaderUnlockEv");
void WrapLockWhen(Mutex* mu, const Condition& cond) WRAPPER("8LockWhenERKNS0_9ConditionE");
void WrapAwait(Mutex* mu, const Condition& cond) WRAPPER("5AwaitERKNS0_9ConditionE");
bool WrapAwaitWithDeadline(Mutex* mu, const Condition& cond, absl::Time deadline)
    WRAPPER("17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
bool WrapAwaitWithTimeout(Mutex* mu, const Condition& cond, absl::Duration timeout)
    WRAPPER("16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
void WrapDestroy(Mutex* mu) WRAPPER("D1Ev");

namespace {

// The library evaluates a condition under the real lock, in the waiting thread or in the one
// unlocking, where TSan sees no lock held. Acquiring the mutex before orders the evaluation after
// every earlier holder's writes; releasing it after orders the next holder's writes after its reads.
struct AnnotatedCondition {
  // Atomic: another thread reads these before its acquire, while they live on this stack.
  std::atomic<Mutex*> mu;
  std::atomic<const Condition*> cond;
};

bool EvalAnnotated(AnnotatedCondition* annotated) {
  Mutex* mu = annotated->mu.load(std::memory_order_relaxed);
  __tsan_acquire(mu);
  const bool holds = annotated->cond.load(std::memory_order_relaxed)->Eval();
  __tsan_release(mu);
  return holds;
}

// Await releases the mutex while it waits and holds it again when it returns: the whole call is
// marked as released. (Writer mode only: our code never awaits under a reader lock.)
template <typename Wait>
auto AwaitAnnotated(Mutex* mu, const Condition& cond, Wait wait) {
  AnnotatedCondition annotated{mu, &cond};
  __tsan_mutex_pre_unlock(mu, 0);
  __tsan_mutex_post_unlock(mu, 0);
  auto result = wait(Condition(&EvalAnnotated, &annotated));
  __tsan_mutex_pre_lock(mu, 0);
  __tsan_mutex_post_lock(mu, 0, 0);
  return result;
}

}  // namespace

void WrapLock(Mutex* mu) {
  __tsan_mutex_pre_lock(mu, 0);
  RealLock(mu);
  __tsan_mutex_post_lock(mu, 0, 0);
}

void WrapUnlock(Mutex* mu) {
  __tsan_mutex_pre_unlock(mu, 0);
  RealUnlock(mu);
  __tsan_mutex_post_unlock(mu, 0);
}

bool WrapTryLock(Mutex* mu) {
  __tsan_mutex_pre_lock(mu, __tsan_mutex_try_lock);
  const bool locked = RealTryLock(mu);
  __tsan_mutex_post_lock(mu, locked ? __tsan_mutex_try_lock : __tsan_mutex_try_lock_failed, 0);
  return locked;
}

void WrapReaderLock(Mutex* mu) {
  __tsan_mutex_pre_lock(mu, __tsan_mutex_read_lock);
  RealReaderLock(mu);
  __tsan_mutex_post_lock(mu, __tsan_mutex_read_lock, 0);
}

void WrapReaderUnlock(Mutex* mu) {
  __tsan_mutex_pre_unlock(mu, __tsan_mutex_read_lock);
  RealReaderUnlock(mu);
  __tsan_mutex_post_unlock(mu, __tsan_mutex_read_lock);
}

void WrapLockWhen(Mutex* mu, const Condition& cond) {
  AnnotatedCondition annotated{mu, &cond};
  __tsan_mutex_pre_lock(mu, 0);
  RealLockWhen(mu, Condition(&EvalAnnotated, &annotated));
  __tsan_mutex_post_lock(mu, 0, 0);
}

void WrapAwait(Mutex* mu, const Condition& cond) {
  AwaitAnnotated(mu, cond, [mu](const Condition& annotated) {
    RealAwait(mu, annotated);
    return true;
  });
}

bool WrapAwaitWithDeadline(Mutex* mu, const Condition& cond, absl::Time deadline) {
  return AwaitAnnotated(
      mu, cond, [mu, deadline](const Condition& annotated) { return RealAwaitWithDeadline(mu, annotated, deadline); });
}

bool WrapAwaitWithTimeout(Mutex* mu, const Condition& cond, absl::Duration timeout) {
  return AwaitAnnotated(
      mu, cond, [mu, timeout](const Condition& annotated) { return RealAwaitWithTimeout(mu, annotated, timeout); });
}

void WrapDestroy(Mutex* mu) {
  RealDestroy(mu);
  __tsan_mutex_destroy(mu, 0);
}
