// Feed date strings -> UTC instants. Pure and thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "core/types.h"

namespace rssflow {

// Parses the date formats found in real feeds, always returning UTC:
//  - RFC 822 / 1123 and their real-world variants: optional or wrong weekday, 2-digit years
//    (< 90 -> 20xx, else 19xx), month and day swapped, missing seconds, missing time
//    (midnight), numeric zones (+hhmm, +hh:mm, GMT+hh:mm), named zones (UT, GMT, Z, EST..PDT,
//    CET, CEST, BST, JST, ... and the military letters); no zone means UTC.
//  - W3CDTF / RFC 3339 / ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD, with "T" or a space before the
//    time, optional seconds and fraction, Z or +hh:mm/+hhmm/+hh or a zone name; compact
//    YYYYMMDD[Thhmmss]; no zone means UTC.
//  - asctime ("Sun Jan  4 16:29:06 2004", optionally with a zone before the year).
// Anything else, or an impossible calendar date or time, gives nullopt: never a made-up time.
std::optional<Instant> parse_feed_date(std::string_view text);

}  // namespace rssflow
