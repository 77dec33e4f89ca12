#include "pipeline/log.h"

#include <cmath>
#include <cstdio>

#include "core/time.h"
#include "transforms/json_record.h"

namespace rssflow {
namespace {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

// logfmt: bare value when it has no space, quote, '=' or control character; else quoted.
void append_logfmt_value(std::string& out, std::string_view s) {
  bool needs_quotes = s.empty();
  for (const char c : s) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out += s;
    return;
  }
  append_json_string(out, s);  // logfmt quoting uses the same escapes
}

}  // namespace

LogField::LogField(std::string_view k, double seconds) : key(k), is_number(true) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", std::isfinite(seconds) ? seconds : 0.0);
  value = buffer;
}

std::string format_event(LogFormat format, LogLevel level, std::string_view event,
                         std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(128);
  const std::string ts = format_rfc3339(now_seconds());
  if (format == LogFormat::json) {
    line += "{\"ts\":\"" + ts + "\",\"level\":\"" + level_name(level) + "\",\"event\":";
    append_json_string(line, event);
    for (const auto& f : fields) {
      line += ',';
      append_json_string(line, f.key);
      line += ':';
      if (f.is_number) {
        line += f.value;
      } else {
        append_json_string(line, f.value);
      }
    }
    line += '}';
  } else {
    line += "ts=" + ts + " level=" + level_name(level) + " event=";
    append_logfmt_value(line, event);
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      append_logfmt_value(line, f.value);
    }
  }
  return line;
}

void EventLog::emit(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  std::string line = format_event(options_.format, level, event, fields);
  line += '\n';
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace rssflow
