// Formatting instants for records and logs.
#pragma once

#include <chrono>
#include <string>

namespace rssflow {

// "2024-05-01T12:34:56Z" (RFC 3339, UTC, seconds).
std::string format_rfc3339(std::chrono::sys_seconds t);

// The current time, truncated to seconds.
std::chrono::sys_seconds now_seconds();

}  // namespace rssflow
