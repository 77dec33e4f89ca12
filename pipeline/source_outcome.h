// What happened to one source in a run: the unit of the summary, the run report, the
// metrics and the stored fetch state.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fetch_state.h"
#include "core/types.h"

namespace rssflow {

enum class SourceStatus {
  ok,            // fetched and parsed (possibly zero new articles)
  not_modified,  // 304: nothing to do
  failed,        // fetch or parse failed: see error
  skipped,       // backing off (failures, Retry-After) or gone: not contacted
  unchanged,     // 200 whose body is byte-identical to the last one parsed: not parsed again
  not_due,       // its schedule says not yet (next_fetch_at): not contacted, not an error
};
const char* to_string(SourceStatus status);

struct SourceOutcome {
  Source source;
  SourceStatus status = SourceStatus::failed;
  std::optional<StageError> error;
  int http_status = 0;
  std::uint64_t bytes = 0;
  std::chrono::milliseconds fetch_elapsed{0};
  FeedFormat format = FeedFormat::unknown;
  std::size_t entries = 0;          // entries parsed
  std::size_t duplicates = 0;       // dropped: url_hash already seen in this run
  std::size_t unchanged = 0;        // dropped: entry_hash already stored (record would be the same)
  std::size_t near_duplicates = 0;  // loaded with duplicate_of set
  std::size_t records = 0;          // handed to the sink
  std::vector<std::string> repairs;
  std::optional<std::string> permanent_redirect;
  SourceState state;  // the fetch state to store after this run
};

}  // namespace rssflow
