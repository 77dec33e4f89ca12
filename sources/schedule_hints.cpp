// What a feed document says about polling it: RSS 2.0 <ttl>, <skipHours>, <skipDays> and the
// RSS 1.0 syndication module (sy:updatePeriod, sy:updateFrequency).
#include <array>
#include <charconv>
#include <string>

#include "sources/feed_readers.h"

#include "core/ascii.h"

namespace rssflow {
namespace {

// A decimal without sign or junk around it (whitespace trimmed), within [low, high].
std::optional<long long> whole_number(std::string_view text, long long low, long long high) {
  text = trim(text);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < low || value > high)
    return std::nullopt;
  return value;
}

std::optional<std::chrono::seconds> period_length(std::string_view period) {
  period = trim(period);
  using std::chrono::hours;
  if (ascii_iequals(period, "hourly")) return hours(1);
  if (ascii_iequals(period, "daily")) return hours(24);
  if (ascii_iequals(period, "weekly")) return hours(24 * 7);
  if (ascii_iequals(period, "monthly")) return hours(24 * 30);
  if (ascii_iequals(period, "yearly")) return hours(24 * 365);
  return std::nullopt;
}

// <skipHours><hour>0</hour>...</skipHours>: 0-23 GMT; "24" (seen in the wild) means midnight.
std::uint32_t read_skip_hours(pugi::xml_node list, XmlScope& scope) {
  XmlScope::Guard guard(scope, list);
  std::uint32_t bits = 0;
  for (pugi::xml_node child : list.children()) {
    if (child.type() != pugi::node_element || scope.name_of(child).local != "hour") continue;
    if (const auto hour = whole_number(text_of(child), 0, 24)) bits |= 1u << (*hour % 24);
  }
  return bits;
}

std::uint8_t read_skip_days(pugi::xml_node list, XmlScope& scope) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                            "Thursday", "Friday", "Saturday"};
  XmlScope::Guard guard(scope, list);
  std::uint8_t bits = 0;
  for (pugi::xml_node child : list.children()) {
    if (child.type() != pugi::node_element || scope.name_of(child).local != "day") continue;
    const std::string text = text_of(child);
    for (std::size_t d = 0; d < kDays.size(); ++d) {
      if (ascii_iequals(trim(text), kDays[d])) bits |= static_cast<std::uint8_t>(1u << d);
    }
  }
  return bits;
}

}  // namespace

FeedScheduleHints read_schedule_hints(pugi::xml_node container, Ns core, XmlScope& scope) {
  FeedScheduleHints hints;
  std::optional<std::chrono::seconds> period;
  std::optional<long long> frequency;
  bool saw_hours = false, saw_days = false;
  constexpr long long kMaxTtlMinutes = 366LL * 24 * 60;  // larger is a broken feed, not a plan
  for (pugi::xml_node child : container.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    if (q.ns == Ns::sy) {
      if (q.local == "updatePeriod" && !period) period = period_length(text_of(child));
      else if (q.local == "updateFrequency" && !frequency) frequency = whole_number(text_of(child), 1, 1'000'000);
      continue;
    }
    if (q.ns != core && q.ns != Ns::none) continue;
    if (q.local == "ttl" && !hints.ttl) {
      if (const auto minutes = whole_number(text_of(child), 1, kMaxTtlMinutes)) hints.ttl = std::chrono::minutes(*minutes);
    } else if (q.local == "skipHours" && !saw_hours) {
      saw_hours = true;
      hints.skip_hours = read_skip_hours(child, scope);
    } else if (q.local == "skipDays" && !saw_days) {
      saw_days = true;
      hints.skip_days = read_skip_days(child, scope);
    }
  }
  // sy:updateFrequency times per sy:updatePeriod (either may be given alone: defaults 1, daily).
  if (period || frequency) {
    const std::chrono::seconds length = period.value_or(std::chrono::hours(24));
    hints.update_period = std::max(std::chrono::seconds(1), std::chrono::seconds(length.count() / frequency.value_or(1)));
  }
  return hints;
}

}  // namespace rssflow
