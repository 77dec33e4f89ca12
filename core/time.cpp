#include "core/time.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

namespace rssflow {

std::string format_rfc3339(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> tod{t - day};
  char buf[64];  // generous: the compiler cannot see that every field is two digits
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(tod.hours().count()), static_cast<long>(tod.minutes().count()),
                static_cast<long>(tod.seconds().count()));
  return buf;
}

std::optional<std::chrono::sys_seconds> parse_rfc3339_utc(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  const std::string copy(text);
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &y, &mo, &d, &h, &mi, &s, &z, &consumed) != 7 ||
      z != 'Z' || consumed != static_cast<int>(copy.size())) {
    return std::nullopt;
  }
  const std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!day.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return std::chrono::sys_days{day} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

namespace {

// RSSFLOW_TEST_NOW (tests only, deliberately not in --help): the whole process sees this
// instant as "now", so a test can drive many scheduled runs on a simulated clock. Read once.
std::optional<std::chrono::sys_seconds> fixed_now() {
  static const std::optional<std::chrono::sys_seconds> fixed = []() -> std::optional<std::chrono::sys_seconds> {
    const char* env = std::getenv("RSSFLOW_TEST_NOW");
    if (!env || !*env) return std::nullopt;
    if (auto parsed = parse_rfc3339_utc(env)) return parsed;
    char* end = nullptr;
    const long long epoch = std::strtoll(env, &end, 10);
    if (end && *end == '\0') return std::chrono::sys_seconds{std::chrono::seconds{epoch}};
    std::fprintf(stderr, "rssflow: ignoring RSSFLOW_TEST_NOW=%s (want epoch seconds or RFC 3339 UTC)\n", env);
    return std::nullopt;
  }();
  return fixed;
}

}  // namespace

std::chrono::sys_seconds now_seconds() {
  if (const auto fixed = fixed_now()) return *fixed;
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace rssflow
