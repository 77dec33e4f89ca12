#include "sources/fetch_schedule.h"

#include <algorithm>
#include <charconv>

namespace rssflow {

using std::chrono::seconds;

SchedulePolicy policy_for(const Source& source, const SchedulePolicy& defaults) {
  if (!source.min_interval) return defaults;
  SchedulePolicy policy = defaults;
  policy.min_interval = *source.min_interval;
  policy.unconditional_interval = *source.min_interval;
  policy.max_interval = std::max(defaults.max_interval, *source.min_interval);
  return policy;
}

std::optional<seconds> median_publish_gap(const std::vector<FeedEntry>& entries) {
  std::vector<Instant> dates;
  dates.reserve(entries.size());
  for (const FeedEntry& entry : entries) {
    if (entry.published) dates.push_back(*entry.published);
    else if (entry.updated) dates.push_back(*entry.updated);
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  if (dates.size() < 2) return std::nullopt;
  std::vector<seconds> gaps;
  gaps.reserve(dates.size() - 1);
  for (std::size_t i = 1; i < dates.size(); ++i) gaps.push_back(dates[i] - dates[i - 1]);
  const auto middle = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
  std::nth_element(gaps.begin(), middle, gaps.end());
  return *middle;
}

seconds fetch_interval(const SourceState& state, std::optional<seconds> fresh_for, const SchedulePolicy& policy) {
  const bool conditional = state.validators.etag || state.validators.last_modified;
  seconds interval = conditional ? policy.min_interval : std::max(policy.min_interval, policy.unconditional_interval);
  for (const std::optional<seconds>& hint :
       {fresh_for, state.feed_hints.ttl, state.feed_hints.update_period, state.publish_interval}) {
    if (hint) interval = std::max(interval, std::min(*hint, policy.max_interval));
  }
  return interval;
}

Instant skip_forward(Instant at, const FeedScheduleHints& hints) {
  if (hints.skip_hours == 0 && hints.skip_days == 0) return at;
  using namespace std::chrono;
  Instant candidate = at;
  // At most one week of whole hours: a fixed bound, whatever the hints say.
  for (int step = 0; step <= 24 * 7; ++step) {
    const sys_days day = floor<days>(candidate);
    const unsigned weekday = year_month_weekday(day).weekday().c_encoding();  // 0 = Sunday
    const auto hour = static_cast<unsigned>(duration_cast<hours>(candidate - day).count());
    const bool skipped = (hints.skip_days >> weekday & 1u) != 0 || (hints.skip_hours >> hour & 1u) != 0;
    if (!skipped) return candidate;
    candidate = floor<hours>(candidate) + hours(1);
  }
  return at;  // every hour of the week is skipped: the hints are nonsense, ignore them
}

Instant next_fetch_time(const SourceState& state, std::optional<seconds> fresh_for, Instant now,
                        const SchedulePolicy& policy) {
  return skip_forward(now + fetch_interval(state, fresh_for, policy), state.feed_hints);
}

std::optional<seconds> parse_interval(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || value <= 0) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  long long factor = 0;
  if (unit.empty() || unit == "m") factor = 60;
  else if (unit == "s") factor = 1;
  else if (unit == "h") factor = 3600;
  else if (unit == "d") factor = 86400;
  else return std::nullopt;
  constexpr long long kMax = 366LL * 86400;
  if (value > kMax / factor) return std::nullopt;
  return seconds(value * factor);
}

}  // namespace rssflow
