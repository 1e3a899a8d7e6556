#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace strata {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Process-wide log sink (spdlog behind it, to stderr). Thread-safe.
void SetLogLevel(LogLevel level);
// Parses "debug", "info", "warn", "error"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* level);
void LogLine(LogLevel level, std::string_view message);
bool LogEnabled(LogLevel level);

// One log statement: collects a line with << and emits it when destroyed.
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage() { LogLine(level_, stream_.str()); }
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

// Turns the stream expression of LOG into void, so that LOG is an
// expression and safe inside an unbraced if/else (glog's idiom).
class LogVoidify {
 public:
  void operator&(std::ostream&) {}
};

}  // namespace strata

// LOG(INFO) << "coordinator listening on " << endpoint;
#define STRATA_LOG_LEVEL_DEBUG ::strata::LogLevel::kDebug
#define STRATA_LOG_LEVEL_INFO ::strata::LogLevel::kInfo
#define STRATA_LOG_LEVEL_WARN ::strata::LogLevel::kWarn
#define STRATA_LOG_LEVEL_ERROR ::strata::LogLevel::kError
#define LOG(severity)                                       \
  !::strata::LogEnabled(STRATA_LOG_LEVEL_##severity)        \
      ? (void)0                                             \
      : ::strata::LogVoidify() &                            \
            ::strata::LogMessage(STRATA_LOG_LEVEL_##severity).stream()
