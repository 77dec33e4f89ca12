#include "sources/feed_dates.h"

#include <array>
#include <charconv>
#include <chrono>
#include <string>
#include <vector>

namespace rssflow {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// Digits only, at most 9 of them (no overflow).
std::optional<int> to_int(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  int value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// Month from an English name or abbreviation ("Jan", "January", "Sept").
std::optional<int> month_from_name(std::string_view token) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() < 3) return std::nullopt;
  const std::string prefix = lowered(token.substr(0, 3));
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (prefix == kMonths[i]) return static_cast<int>(i) + 1;
  return std::nullopt;
}

bool is_day_name(std::string_view token) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (token.size() < 3) return false;
  for (char c : token)
    if (!is_alpha(c) && c != '.') return false;
  const std::string prefix = lowered(token.substr(0, 3));
  for (auto day : kDays)
    if (prefix == day) return true;
  return false;
}

struct NamedZone {
  std::string_view name;
  int minutes;
};

// Abbreviations seen in feeds. Military letters other than Z count as +0000 (RFC 2822 4.3:
// their signs were defined backwards in RFC 822, so they carry no reliable information).
constexpr NamedZone kNamedZones[] = {
    {"ut", 0},       {"utc", 0},       {"gmt", 0},      {"z", 0},        {"wet", 0},      {"bst", 60},
    {"cet", 60},     {"met", 60},      {"cest", 120},   {"mest", 120},   {"eet", 120},    {"eest", 180},
    {"msk", 180},    {"ist", 330},     {"hkt", 480},    {"sgt", 480},    {"awst", 480},   {"jst", 540},
    {"kst", 540},    {"acst", 570},    {"aest", 600},   {"aedt", 660},   {"nzst", 720},   {"nzdt", 780},
    {"est", -300},   {"edt", -240},    {"et", -300},    {"cst", -360},   {"cdt", -300},   {"ct", -360},
    {"mst", -420},   {"mdt", -360},    {"mt", -420},    {"pst", -480},   {"pdt", -420},   {"pt", -480},
    {"akst", -540},  {"akdt", -480},   {"hst", -600},   {"ast", -240},   {"adt", -180},   {"at", -240},
    {"nst", -210},   {"ndt", -150},
};

// "+hhmm", "-hh:mm", "+hh" -> minutes east of UTC.
std::optional<int> numeric_offset(std::string_view s) {
  if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int sign = s[0] == '-' ? -1 : 1;
  std::string_view rest = s.substr(1);
  std::optional<int> hours, mins = 0;
  if (rest.size() == 5 && rest[2] == ':') {
    hours = to_int(rest.substr(0, 2));
    mins = to_int(rest.substr(3, 2));
  } else if (rest.size() == 4) {
    hours = to_int(rest.substr(0, 2));
    mins = to_int(rest.substr(2, 2));
  } else if (rest.size() <= 2) {
    hours = to_int(rest);
  }
  if (!hours || !mins || *hours > 23 || *mins > 59) return std::nullopt;
  return sign * (*hours * 60 + *mins);
}

// A zone token: numeric, "GMT+hh:mm", "Etc/GMT", a known name or a military letter. Unknown
// alphabetic names count as UTC, as feedparser does: the date and clock time are still real.
std::optional<int> zone_offset(std::string_view token) {
  if (token.empty()) return 0;
  if (token[0] == '+' || token[0] == '-') return numeric_offset(token);
  std::string zone = lowered(token);
  if (zone.starts_with("etc/")) zone.erase(0, 4);
  for (std::string_view prefix : {"gmt", "utc"}) {
    if (zone.size() > 3 && zone.starts_with(prefix) && (zone[3] == '+' || zone[3] == '-'))
      return numeric_offset(std::string_view(zone).substr(3));
  }
  for (const auto& named : kNamedZones)
    if (zone == named.name) return named.minutes;
  for (char c : zone)
    if (!is_alpha(c)) return std::nullopt;
  return 0;
}

struct ClockTime {
  int hour = 0, minute = 0, second = 0;
};

// "hh:mm", "hh:mm:ss", "hh:mm:ss.fff" (fraction dropped).
std::optional<ClockTime> parse_clock(std::string_view s) {
  if (auto dot = s.find_first_of(".,"); dot != std::string_view::npos) {
    if (!all_digits(s.substr(dot + 1))) return std::nullopt;
    s = s.substr(0, dot);
  }
  ClockTime t;
  const auto c1 = s.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  const auto c2 = s.find(':', c1 + 1);
  auto h = to_int(s.substr(0, c1));
  auto m = to_int(s.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1));
  std::optional<int> sec = 0;
  if (c2 != std::string_view::npos) sec = to_int(s.substr(c2 + 1));
  if (!h || !m || !sec || s.substr(0, c1).size() > 2) return std::nullopt;
  t.hour = *h;
  t.minute = *m;
  t.second = *sec;
  return t;
}

// "AM"/"PM" (also "a.m."/"p.m.", any case) after a 12-hour clock: 12 AM is 00, 1-11 PM add 12.
// nullopt when token is not a meridiem or the hour is not 1-12.
std::optional<bool> meridiem_is_pm(std::string_view token) {
  std::string m;
  for (char c : token)
    if (c != '.') m.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  if (m == "am") return false;
  if (m == "pm") return true;
  return std::nullopt;
}

bool apply_meridiem(ClockTime& clock, bool pm) {
  if (clock.hour < 1 || clock.hour > 12) return false;
  clock.hour = clock.hour % 12 + (pm ? 12 : 0);
  return true;
}

std::optional<Instant> make_instant(int y, int mo, int d, ClockTime t, int offset_minutes) {
  using namespace std::chrono;
  if (y < 1 || y > 9999 || t.hour > 23 || t.minute > 59 || t.second > 59) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (mo < 1 || mo > 12 || d < 1 || !ymd.ok()) return std::nullopt;
  return sys_days{ymd} + hours{t.hour} + minutes{t.minute} + seconds{t.second} - minutes{offset_minutes};
}

std::vector<std::string_view> split_tokens(std::string_view s) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i]) && s[i] != ',') ++i;
    if (i > start) tokens.push_back(s.substr(start, i - start));
  }
  return tokens;
}

int expand_year(std::string_view token, int value) {
  if (token.size() <= 2) return value + (value < 90 ? 2000 : 1900);
  return value;
}

// RFC 822 family and asctime, after the weekday (if any) has been dropped.
std::optional<Instant> parse_rfc822(std::vector<std::string_view> tokens) {
  if (!tokens.empty() && is_day_name(tokens[0])) tokens.erase(tokens.begin());
  if (tokens.size() < 3) return std::nullopt;

  // asctime: "Jan 4 16:29:06 [zone] 2004".
  if (tokens[2].find(':') != std::string_view::npos && (tokens.size() == 4 || tokens.size() == 5)) {
    const auto month = month_from_name(tokens[0]);
    const auto day = to_int(tokens[1]);
    const auto year = to_int(tokens.back());
    const auto clock = parse_clock(tokens[2]);
    const auto zone = tokens.size() == 5 ? zone_offset(tokens[3]) : std::optional<int>(0);
    if (!month || !day || !year || tokens.back().size() != 4 || !clock || !zone) return std::nullopt;
    return make_instant(*year, *month, *day, *clock, *zone);
  }

  std::optional<int> day = to_int(tokens[0]);
  std::optional<int> month = month_from_name(tokens[1]);
  if (!day) {  // "Jan 04 2004": month and day swapped
    month = month_from_name(tokens[0]);
    day = to_int(tokens[1]);
  }
  const auto year_value = to_int(tokens[2]);
  if (!day || !month || !year_value || *day > 31) return std::nullopt;
  if (tokens[2].size() != 2 && tokens[2].size() != 4) return std::nullopt;
  const int year = expand_year(tokens[2], *year_value);

  ClockTime clock;
  int offset = 0;
  if (tokens.size() > 3) {
    std::string_view clock_text = tokens[3];
    std::optional<bool> pm;
    if (clock_text.size() > 2) {  // "2:26PM"
      pm = meridiem_is_pm(clock_text.substr(clock_text.size() - 2));
      if (pm) clock_text.remove_suffix(2);
    }
    const auto parsed = parse_clock(clock_text);
    if (!parsed) return std::nullopt;
    clock = *parsed;
    if (!pm && tokens.size() > 4) {
      pm = meridiem_is_pm(tokens[4]);
      if (pm) tokens.erase(tokens.begin() + 4);
    }
    if (pm && !apply_meridiem(clock, *pm)) return std::nullopt;
  }
  if (tokens.size() > 4) {
    const auto zone = zone_offset(tokens[4]);
    if (!zone) return std::nullopt;
    offset = *zone;
  }
  return make_instant(year, *month, *day, clock, offset);
}

// W3CDTF / RFC 3339 / ISO 8601 (calendar dates only).
// A W3C-DTF (ISO 8601) calendar date: "YYYY", "YYYY-MM", "YYYY-MM-DD", compact "YYYYMMDD",
// and the one-digit "2020/1/10", "2005-5-28" some CMSs write.
struct W3dtfDate {
  int year = 0;
  int month = 1;
  int day = 1;
  std::size_t length = 0;  // bytes of `s` the date used
};

std::optional<int> digits_at(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  for (std::size_t k = pos; k < pos + n; ++k)
    if (!is_digit(s[k])) return std::nullopt;
  return to_int(s.substr(pos, n));
}

// One or two digits at pos; `used` gets how many.
std::optional<int> short_field(std::string_view s, std::size_t pos, std::size_t& used) {
  used = 0;
  while (pos + used < s.size() && used < 2 && is_digit(s[pos + used])) ++used;
  if (used == 0) return std::nullopt;
  return to_int(s.substr(pos, used));
}

// "2020/1/10", "2005-5-28" after the year (at i), followed by the end, ' ' or 'T'.
std::optional<W3dtfDate> read_short_date(std::string_view s, int year, std::size_t i) {
  if (i >= s.size() || (s[i] != '/' && s[i] != '-')) return std::nullopt;
  const char sep = s[i];
  std::size_t month_len = 0, day_len = 0;
  const auto m = short_field(s, i + 1, month_len);
  const bool has_day = m && i + 1 + month_len < s.size() && s[i + 1 + month_len] == sep;
  const auto d = has_day ? short_field(s, i + 2 + month_len, day_len) : std::nullopt;
  if (!m || !d || (month_len == 2 && day_len == 2 && sep != '/')) return std::nullopt;
  return W3dtfDate{year, *m, *d, i + 2 + month_len + day_len};
}

// nullopt: not a date; a date whose length stops short of s.size() is followed by a time.
std::optional<W3dtfDate> read_w3dtf_date(std::string_view s) {
  const auto year = digits_at(s, 0, 4);
  if (!year) return std::nullopt;
  if (auto date = read_short_date(s, *year, 4)) {
    if (date->length < s.size() && s[date->length] != ' ' && s[date->length] != 'T') return std::nullopt;
    return date;
  }
  W3dtfDate date{*year, 1, 1, 4};
  if (date.length < s.size() && s[date.length] == '-') {
    const auto m = digits_at(s, date.length + 1, 2);
    if (!m) return std::nullopt;
    date.month = *m;
    date.length += 3;
    if (date.length < s.size() && s[date.length] == '-') {
      const auto d = digits_at(s, date.length + 1, 2);
      if (!d) return std::nullopt;
      date.day = *d;
      date.length += 3;
    }
  } else if (auto m = digits_at(s, 4, 2), d = digits_at(s, 6, 2); m && d) {  // compact YYYYMMDD
    date.month = *m;
    date.day = *d;
    date.length = 8;
  }
  return date;
}

// The time after a date's 'T' or ' ': "hh:mm[:ss[.frac]]" or compact "hhmm[ss]", an optional
// AM/PM, then a zone. Sets clock and the zone's offset in seconds.
bool read_w3dtf_time(std::string_view s, ClockTime& clock, int& offset) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  std::size_t end = i;
  while (end < s.size() && (is_digit(s[end]) || s[end] == ':' || s[end] == '.' || s[end] == ',')) ++end;
  const std::string_view time_text = s.substr(i, end - i);
  if (time_text.find(':') == std::string_view::npos && (time_text.size() == 6 || time_text.size() == 4)) {
    clock.hour = to_int(time_text.substr(0, 2)).value_or(99);
    clock.minute = to_int(time_text.substr(2, 2)).value_or(99);
    if (time_text.size() == 6) clock.second = to_int(time_text.substr(4, 2)).value_or(99);
  } else {
    const auto parsed = parse_clock(time_text);
    if (!parsed) return false;
    clock = *parsed;
  }
  i = end;
  while (i < s.size() && s[i] == ' ') ++i;
  std::string_view zone_text = s.substr(i);
  while (!zone_text.empty() && is_space(zone_text.back())) zone_text.remove_suffix(1);
  const std::size_t meridiem_end = zone_text.find(' ');
  if (const auto pm = meridiem_is_pm(zone_text.substr(0, meridiem_end))) {
    if (!apply_meridiem(clock, *pm)) return false;
    zone_text = meridiem_end == std::string_view::npos ? std::string_view() : zone_text.substr(meridiem_end + 1);
  }
  const auto zone = zone_offset(zone_text);
  if (!zone) return false;
  offset = *zone;
  return true;
}

std::optional<Instant> parse_w3dtf(std::string_view s) {
  const auto date = read_w3dtf_date(s);
  if (!date) return std::nullopt;
  ClockTime clock;
  int offset = 0;
  const std::size_t i = date->length;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
    if (!read_w3dtf_time(s.substr(i + 1), clock, offset)) return std::nullopt;
  }
  return make_instant(date->year, date->month, date->day, clock, offset);
}

}  // namespace

std::optional<Instant> parse_feed_date(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty() || text.size() > 200) return std::nullopt;
  if (text.size() >= 4 && all_digits(text.substr(0, 4)) && (text.size() == 4 || !is_space(text[4]))) {
    if (auto t = parse_w3dtf(text)) return t;
  }
  return parse_rfc822(split_tokens(text));
}

}  // namespace rssflow
