// Per-source fetch state carried between runs: validators for conditional GET, failure
// bookkeeping for backoff, permanent redirects. Stored in PostgreSQL (sinks/) or in a state
// file; the pipeline sees only this interface.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/types.h"

namespace rssflow {

struct SourceState {
  std::string url;  // the configured source URL (key)
  ConditionalGetState validators;
  int last_status = 0;              // last HTTP status (0: none / file://)
  std::string last_error;           // empty after a success
  int consecutive_failures = 0;
  std::optional<Instant> last_success_at;
  std::optional<Instant> next_attempt_at;  // backoff / Retry-After: skip the source until then
  std::optional<std::string> permanent_redirect;  // where a 301/308 chain pointed
  bool gone = false;                // HTTP 410
  // The schedule (sources/fetch_schedule.h): not fetched before this instant unless forced.
  std::optional<Instant> next_fetch_at;
  std::optional<std::string> body_hash;  // XXH3-128 hex of the last body parsed successfully
  std::size_t entries = 0;               // entries in that body
  FeedScheduleHints feed_hints{};        // what that body said about polling it
  // Median gap between the publication dates of that body's entries (the adaptive interval).
  std::optional<std::chrono::seconds> publish_interval;
};

// Thread-safety: implementations need not be thread-safe; the pipeline calls load_all once
// before the graph starts and save_all once after it finishes, from one thread.
class FetchStateStore {
 public:
  virtual ~FetchStateStore() = default;
  // Throws std::runtime_error (run-level failure) when the store cannot be read.
  virtual std::unordered_map<std::string, SourceState> load_all() = 0;
  // Upserts the given states; throws std::runtime_error when they cannot be written.
  virtual void save_all(const std::vector<SourceState>& states) = 0;
};

}  // namespace rssflow
