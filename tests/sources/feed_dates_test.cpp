#include "sources/feed_dates.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace rssflow {
namespace {

std::string parsed(std::string_view text) {
  const auto t = parse_feed_date(text);
  return t ? format_rfc3339(*t) : "nullopt";
}

struct Case {
  const char* input;
  const char* expected;
};

TEST(ParseFeedDate, ReadsRfc822AndItsRealWorldVariants) {
  const Case cases[] = {
      {"Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"},
      {"Sat, 07 Sep 2002 00:00:01 +0000", "2002-09-07T00:00:01Z"},
      {"Tue, 10 Jun 2003 04:00:00 -0400", "2003-06-10T08:00:00Z"},
      {"Tue, 10 Jun 2003 04:00:00 +05:30", "2003-06-09T22:30:00Z"},
      {"Wed, 1 Jun 2005 19:00:00 EST", "2005-06-02T00:00:00Z"},
      {"Wed, 01 Jun 2005 12:00:00 PDT", "2005-06-01T19:00:00Z"},
      {"Wed, 01 Jun 2005 12:00:00 CEST", "2005-06-01T10:00:00Z"},
      {"Wed, 01 Jun 2005 12:00:00 UT", "2005-06-01T12:00:00Z"},
      {"Wed, 01 Jun 2005 12:00:00 Z", "2005-06-01T12:00:00Z"},
      {"Wed, 01 Jun 2005 12:00:00 GMT+2", "2005-06-01T10:00:00Z"},
      {"Wed, 01 Jun 2005 12:00:00 Etc/GMT", "2005-06-01T12:00:00Z"},
      {"Wed, 01 Jun 2005 12:00:00 A", "2005-06-01T12:00:00Z"},   // military: RFC 2822 says +0000
      {"Wed, 01 Jun 2005 12:00:00", "2005-06-01T12:00:00Z"},     // no zone: UTC
      {"Wed, 01 Jun 2005 12:00 GMT", "2005-06-01T12:00:00Z"},    // no seconds
      {"01 Jun 2005 12:00:00 GMT", "2005-06-01T12:00:00Z"},      // no weekday
      {"Mon, 01 Jun 2005 12:00:00 GMT", "2005-06-01T12:00:00Z"}, // wrong weekday is ignored
      {"Wednesday, 01 June 2005 12:00:00 GMT", "2005-06-01T12:00:00Z"},
      {"Wed, 01 Jun 05 12:00:00 GMT", "2005-06-01T12:00:00Z"},   // 2-digit year < 90: 20xx
      {"Wed, 01 Jun 97 12:00:00 GMT", "1997-06-01T12:00:00Z"},   // 2-digit year >= 90: 19xx
      {"Jun 01 2005 12:00:00 GMT", "2005-06-01T12:00:00Z"},      // month and day swapped
      {"1 Jun 2005", "2005-06-01T00:00:00Z"},                    // date only: midnight
      {"Sat,07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"},  // no space after the comma
      {"  Sat, 07 Sep 2002 00:00:01 GMT \n", "2002-09-07T00:00:01Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(parsed(c.input), c.expected) << c.input;
}

TEST(ParseFeedDate, ReadsW3cdtfRfc3339AndPartialDates) {
  const Case cases[] = {
      {"2003-12-13T18:30:02Z", "2003-12-13T18:30:02Z"},
      {"2003-12-13T18:30:02.25Z", "2003-12-13T18:30:02Z"},
      {"2003-12-13T18:30:02+01:00", "2003-12-13T17:30:02Z"},
      {"2003-12-13T18:30:02-0500", "2003-12-13T23:30:02Z"},
      {"2003-12-13T18:30:02+01", "2003-12-13T17:30:02Z"},
      {"2003-12-13T18:30Z", "2003-12-13T18:30:00Z"},
      {"2003-12-13t18:30:02z", "2003-12-13T18:30:02Z"},
      {"2003-12-13 18:30:02", "2003-12-13T18:30:02Z"},          // MSSQL style, no zone: UTC
      {"2003-12-13 18:30:02 +0100", "2003-12-13T17:30:02Z"},
      {"2003-12-13 18:30:02 EST", "2003-12-13T23:30:02Z"},
      {"2003-12-13", "2003-12-13T00:00:00Z"},
      {"2003-12", "2003-12-01T00:00:00Z"},
      {"2003", "2003-01-01T00:00:00Z"},
      {"20031213", "2003-12-13T00:00:00Z"},
      {"20031213T183002Z", "2003-12-13T18:30:02Z"},
      {"2005-5-28 16:05:36", "2005-05-28T16:05:36Z"},           // one-digit month
      {"2020/1/10 14:33:00", "2020-01-10T14:33:00Z"},
      {"2020/01/10", "2020-01-10T00:00:00Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(parsed(c.input), c.expected) << c.input;
}

TEST(ParseFeedDate, ReadsAsctime) {
  EXPECT_EQ(parsed("Sun Jan  4 16:29:06 2004"), "2004-01-04T16:29:06Z");
  EXPECT_EQ(parsed("Sun Jan 4 16:29:06 PST 2004"), "2004-01-05T00:29:06Z");
}

TEST(ParseFeedDate, RejectsWhatItCannotReadInsteadOfInventingATime) {
  const char* rejected[] = {
      "",           "   ",         "yesterday",          "not a date at all",  "Sat, 32 Sep 2002 00:00:01 GMT",
      "2003-13-01", "2003-02-30",  "2003-12-13T25:00:00Z", "2003-12-13T18:61Z", "Wed, 01 Foo 2005 12:00:00 GMT",
      "2003-12-13T18:30:02+99:00", "12/13/2003",         "Sat, 07 Sep 2002 00:00:01 +0x00", "99999",
      "Wed, 01 Jun 2005 12:00:00 +05:3",
  };
  for (const char* input : rejected) EXPECT_EQ(parsed(input), "nullopt") << input;
}

TEST(ParseFeedDate, HandlesLeapDaysAndCenturyRules) {
  EXPECT_EQ(parsed("2024-02-29T12:00:00Z"), "2024-02-29T12:00:00Z");
  EXPECT_EQ(parsed("2023-02-29T12:00:00Z"), "nullopt");
  EXPECT_EQ(parsed("1900-02-29"), "nullopt");
  EXPECT_EQ(parsed("2000-02-29"), "2000-02-29T00:00:00Z");
}

}  // namespace
}  // namespace rssflow
