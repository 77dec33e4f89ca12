// Formatting instants for records and logs, and the process's notion of "now".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rssflow {

// "2024-05-01T12:34:56Z" (RFC 3339, UTC, seconds).
std::string format_rfc3339(std::chrono::sys_seconds t);

// The inverse of format_rfc3339: exactly "YYYY-MM-DDThh:mm:ssZ", else nullopt.
std::optional<std::chrono::sys_seconds> parse_rfc3339_utc(std::string_view text);

// The current time, truncated to seconds. Tests may pin it for the whole process with the
// environment variable RSSFLOW_TEST_NOW (epoch seconds or RFC 3339 UTC).
std::chrono::sys_seconds now_seconds();

}  // namespace rssflow
