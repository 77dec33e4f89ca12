// Crash-loop protection: a source that was being parsed when an earlier run died (the
// in-flight journal, pipeline/inflight_journal.h) is not fetched again at once. It fails with
// reason crashed_previous_run and its fetch state gets a failure and the usual backoff, so it
// is retried later, ever more rarely while it keeps killing runs, and the rest of the list
// is loaded meanwhile.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/fetch_state.h"
#include "core/types.h"

namespace rssflow {

struct Quarantine {
  std::unordered_set<std::string> urls;  // the suspects that are still in the source list
  std::vector<SourceState> states;       // their new fetch states, to store before the run goes on
};

// Quarantines every suspect found in `sources`, updating its entry of `states` (created when
// missing). Suspects no longer in the list are forgotten. Pure apart from its arguments.
Quarantine quarantine_suspects(const std::vector<std::string>& suspects, const std::vector<Source>& sources,
                               std::unordered_map<std::string, SourceState>& states, Instant now);

// The error a quarantined source reports in this run.
StageError quarantine_error(const SourceState& state);

}  // namespace rssflow
