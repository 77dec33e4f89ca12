// `rssflow feeds`: what the fetch-state store knows about each source, and `feeds reset`.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/fetch_state.h"
#include "pipeline/cli.h"

namespace rssflow {

// A source in trouble: failing now (consecutive failures) or gone (410).
bool is_failing(const SourceState& state);

// The listing, sorted by URL: a table of aligned columns (table = true) or a JSON array with
// one object per source (its fields named like the state file's). `now` decides what
// "backoff" shows (only a backoff still in force).
std::string render_feeds(const std::unordered_map<std::string, SourceState>& states, bool failing_only, bool table,
                         Instant now);

// The state an operator reset leaves: no backoff, not gone, no validators, no remembered body,
// due at once; history (last success, entries, schedule hints, redirect) is kept.
SourceState reset_state(SourceState state);

}  // namespace rssflow
