// When a source that answered is fetched next: the per-feed schedule. Pure functions of their
// arguments, so the same history always gives the same schedule (tests drive it with a
// simulated clock). Failures are not scheduled here: fetch_policy.h's backoff handles them.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "core/fetch_state.h"
#include "core/types.h"

namespace rssflow {

// The operator's bounds (rssflow run --min-interval, --unconditional-interval, --max-interval).
// Invariant (checked by the command line): min_interval <= max_interval and
// unconditional_interval <= max_interval.
struct SchedulePolicy {
  std::chrono::seconds min_interval{60 * 60};             // between any two fetches
  std::chrono::seconds unconditional_interval{4 * 60 * 60};  // floor without validators
  std::chrono::seconds max_interval{24 * 60 * 60};        // no hint pushes a fetch past this
};

// The policy for one source: an OPML minInterval replaces both floors (the operator knows
// that feed); the ceiling stays (raised to the override when that is longer).
SchedulePolicy policy_for(const Source& source, const SchedulePolicy& defaults);

// The median gap between consecutive distinct publication instants (published, else updated)
// of the entries; nothing with fewer than two dated entries. This is the adaptive part of the
// schedule: a feed that publishes twice a day is polled about twice a day.
std::optional<std::chrono::seconds> median_publish_gap(const std::vector<FeedEntry>& entries);

// The interval after a successful fetch at `now`: the latest of the floor (min_interval, or
// unconditional_interval when `state` holds no validators), the response's freshness
// (`fresh_for`), the feed's <ttl>, its sy:updatePeriod/updateFrequency and its observed
// publishing rate (`state.publish_interval`), each hint capped at max_interval.
std::chrono::seconds fetch_interval(const SourceState& state, std::optional<std::chrono::seconds> fresh_for,
                                    const SchedulePolicy& policy);

// The first instant at or after `at` that is outside the feed's skipHours/skipDays (GMT, whole
// hours). `at` itself when nothing is skipped or when the hints skip every hour of the week.
Instant skip_forward(Instant at, const FeedScheduleHints& hints);

// now + fetch_interval, moved out of skipped hours and days.
Instant next_fetch_time(const SourceState& state, std::optional<std::chrono::seconds> fresh_for, Instant now,
                        const SchedulePolicy& policy);

// A duration as the command line and OPML write it: a number with a unit s, m, h or d
// ("90s", "30m", "4h", "1d"); a bare number is minutes. Nothing for junk, zero or negatives.
std::optional<std::chrono::seconds> parse_interval(std::string_view text);

}  // namespace rssflow
