// Structured event log on stderr: one line per event, logfmt or JSON (--log-format).
#pragma once

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "pipeline/run_config.h"

namespace rssflow {

enum class LogLevel { debug, info, warn, error };

// A value is text or a number; --log-format json writes numbers as JSON numbers
// ({"records":1536}), logfmt writes both bare.
struct LogField {
  LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  LogField(std::string_view k, T n) : key(k), value(std::to_string(n)), is_number(true) {}
  LogField(std::string_view k, double seconds);  // three decimals, e.g. durations

  std::string_view key;
  std::string value;
  bool is_number = false;
};

// Thread-safe: each event is formatted first and written with one fwrite under a mutex, so
// lines from concurrent nodes never interleave.
class EventLog {
 public:
  explicit EventLog(LogOptions options) : options_(options) {}

  // `event` is a stable snake_case name (component_object_verb, e.g. "source_fetch_failed").
  void emit(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

  // Whether emit() writes events of `level`: a caller whose fields cost something to build
  // (copies of URLs, per source) asks first.
  bool enabled(LogLevel level) const {
    return !(level == LogLevel::debug && !options_.verbose) && !(options_.quiet && level == LogLevel::info);
  }

 private:
  LogOptions options_;
  std::mutex mutex_;
};

// Renders one event line (without the trailing newline); exposed for tests.
std::string format_event(LogFormat format, LogLevel level, std::string_view event,
                         std::initializer_list<LogField> fields);

}  // namespace rssflow
