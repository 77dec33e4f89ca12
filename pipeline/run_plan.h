// Which sources a run fetches: the source list (and shard, and --only) against the stored
// fetch state, the backoff and each feed's schedule.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/quarantine.h"
#include "pipeline/run_config.h"
#include "pipeline/stages.h"
#include "sources/opml.h"

namespace rssflow {

struct PlannedRun {
  std::vector<SourceJob> due;         // go through the graph
  std::vector<SourceOutcome> early;   // invalid, backing off, gone or not due: not fetched
  std::vector<std::size_t> early_index;
  std::size_t total = 0;
};

// Sources outside the shard or (with --only) not named are left out entirely. Of the rest:
// quarantined (the previous run died parsing it) -> failed with crashed_previous_run, even with
// --force (fetching it now could kill this run too; its backoff then lets --force retry it);
// gone -> skipped (even with --force: `rssflow feeds reset` brings it back); in backoff ->
// skipped unless config.force; next_fetch_at after `now` -> not_due unless config.force;
// else due, with its SchedulePolicy (OPML minInterval applied).
PlannedRun plan_sources(SourceList list, const RunConfig& config,
                        const std::unordered_map<std::string, SourceState>& states, const Quarantine& quarantine,
                        Instant now);

// The --only URLs that name no source of the list (a usage error: exit 2 before fetching).
std::vector<std::string> unknown_only_urls(const SourceList& list, const RunConfig& config);

}  // namespace rssflow
