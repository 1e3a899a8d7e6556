#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace strata {

// Error categories that callers (and the scheduler) branch on. Stored values
// are never renumbered: they cross the wire in protocol::Error.
enum class StatusCode : int {
  kOk = 0,
  kNotFound = 1,
  kInvalidArgument = 2,
  kCorruption = 3,
  kIOError = 4,
  kUnavailable = 5,
  kTimedOut = 6,
  kCancelled = 7,
  kAlreadyExists = 8,
  kPermissionDenied = 9,
  kInternal = 10,
};

std::string_view StatusCodeName(StatusCode code);

// The outcome of an operation: OK, or a code, a message meant for a person
// (what failed, where, what to do) and whether retrying may help.
// Cheap to copy when OK. Thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Unavailable(std::string msg) {
    return Status(StatusCode::kUnavailable, std::move(msg)).WithRetryable(true);
  }
  static Status TimedOut(std::string msg) {
    return Status(StatusCode::kTimedOut, std::move(msg)).WithRetryable(true);
  }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return retryable_; }

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }

  Status WithRetryable(bool retryable) const& {
    Status s = *this;
    s.retryable_ = retryable;
    return s;
  }
  // Returns a copy whose message reads "prefix: message".
  Status Annotate(std::string_view prefix) const;

  // "NotFound: message", or "OK".
  std::string ToString() const;

  // Marks an error as deliberately ignored; greppable.
  void PermitUncheckedError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  bool retryable_ = false;
};

}  // namespace strata

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define TRY(expr)                                   \
  do {                                              \
    ::strata::Status strata_try_status_ = (expr);   \
    if (!strata_try_status_.ok()) return strata_try_status_; \
  } while (0)
