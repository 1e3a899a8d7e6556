// The top of a thread: nothing may escape it. An exception that reaches a
// thread's top would call std::terminate and take every build of the process
// with it; CatchAtThreadTop turns it into a Status the caller reports as that
// build's, job's or task's error.
#ifndef STRATA_COMMON_THREAD_TOP_H_
#define STRATA_COMMON_THREAD_TOP_H_

#include <functional>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace strata {

// Runs body. Returns OK when it returns normally, and Internal("WHAT failed
// unexpectedly: ...") when it throws (the exception is also logged).
Status CatchAtThreadTop(std::string_view what, const std::function<void()>& body);

// CatchAtThreadTop for a body that returns a Result or Status: its own error
// passes through, an exception becomes Internal.
template <typename R, typename F>
R CatchAtThreadTopOr(std::string_view what, F&& body) {
  std::optional<R> out;
  Status thrown = CatchAtThreadTop(what, [&] { out.emplace(body()); });
  if (!thrown.ok()) return R(thrown);
  return std::move(*out);
}

}  // namespace strata

#endif  // STRATA_COMMON_THREAD_TOP_H_
