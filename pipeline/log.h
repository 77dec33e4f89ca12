// Structured event log on stderr: one line per event, logfmt or JSON (--log-format).
#pragma once

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "pipeline/run_config.h"

namespace rssflow {

enum class LogLevel { debug, info, warn, error };

struct LogField {
  std::string_view key;
  std::string value;
};

// Thread-safe: each event is formatted first and written with one fwrite under a mutex, so
// lines from concurrent nodes never interleave.
class EventLog {
 public:
  explicit EventLog(LogOptions options) : options_(options) {}

  // `event` is a stable snake_case name (component_object_verb, e.g. "source_fetch_failed").
  void emit(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

 private:
  LogOptions options_;
  std::mutex mutex_;
};

// Renders one event line (without the trailing newline); exposed for tests.
std::string format_event(LogFormat format, LogLevel level, std::string_view event,
                         std::initializer_list<LogField> fields);

}  // namespace rssflow
