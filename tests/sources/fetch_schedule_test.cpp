#include "sources/fetch_schedule.h"

#include <gtest/gtest.h>

#include "sources/feed_parser.h"

namespace rssflow {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

// A Wednesday, 12:00 GMT.
const Instant kNow{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h};

SourceState with_etag() {
  SourceState state;
  state.url = "https://example.com/feed.xml";
  state.validators.etag = "\"v1\"";
  return state;
}

FeedEntry dated(Instant published) {
  FeedEntry entry;
  entry.published = published;
  return entry;
}

TEST(FetchSchedule, ParsesIntervalsWithUnitsAndBareMinutes) {
  EXPECT_EQ(parse_interval("90s"), seconds(90));
  EXPECT_EQ(parse_interval("30m"), seconds(1800));
  EXPECT_EQ(parse_interval("45"), seconds(2700));
  EXPECT_EQ(parse_interval("4h"), seconds(4 * 3600));
  EXPECT_EQ(parse_interval("1d"), seconds(86400));
  for (const char* junk : {"", "0", "-5m", "5 m", "5x", "h", "99999999d"}) EXPECT_EQ(parse_interval(junk), std::nullopt) << junk;
}

TEST(FetchSchedule, SourceWithValidatorsWaitsTheMinimumInterval) {
  EXPECT_EQ(fetch_interval(with_etag(), std::nullopt, SchedulePolicy{}), 1h);
}

TEST(FetchSchedule, SourceWithoutValidatorsWaitsTheLongerUnconditionalFloor) {
  SourceState state = with_etag();
  state.validators = {};
  EXPECT_EQ(fetch_interval(state, std::nullopt, SchedulePolicy{}), 4h);
  state.validators.last_modified = "Wed, 01 May 2024 12:00:00 GMT";
  EXPECT_EQ(fetch_interval(state, std::nullopt, SchedulePolicy{}), 1h);
}

TEST(FetchSchedule, TheLatestHintWinsAndEveryHintIsCappedAtTheMaximum) {
  SourceState state = with_etag();
  state.feed_hints.ttl = 90min;
  EXPECT_EQ(fetch_interval(state, std::nullopt, SchedulePolicy{}), 90min);
  EXPECT_EQ(fetch_interval(state, seconds(3 * 3600), SchedulePolicy{}), 3h);  // max-age later than ttl
  state.feed_hints.update_period = 12h;
  EXPECT_EQ(fetch_interval(state, seconds(3 * 3600), SchedulePolicy{}), 12h);
  state.publish_interval = 24h * 30;  // a feed that publishes monthly is still polled daily
  EXPECT_EQ(fetch_interval(state, std::nullopt, SchedulePolicy{}), 24h);
  EXPECT_EQ(fetch_interval(state, seconds(365 * 86400), SchedulePolicy{}), 24h);
}

TEST(FetchSchedule, AHintShorterThanTheMinimumDoesNotShortenIt) {
  SourceState state = with_etag();
  state.feed_hints.ttl = 5min;
  state.publish_interval = 10min;
  EXPECT_EQ(fetch_interval(state, seconds(60), SchedulePolicy{}), 1h);
}

TEST(FetchSchedule, OpmlMinIntervalReplacesBothFloors) {
  Source source;
  source.min_interval = 15min;
  const SchedulePolicy policy = policy_for(source, SchedulePolicy{});
  SourceState state = with_etag();
  state.validators = {};
  EXPECT_EQ(fetch_interval(state, std::nullopt, policy), 15min);
  source.min_interval = 48h;  // raising past the ceiling raises the ceiling with it
  EXPECT_EQ(fetch_interval(state, std::nullopt, policy_for(source, SchedulePolicy{})), 48h);
  EXPECT_EQ(policy_for(Source{}, SchedulePolicy{}).min_interval, 1h);
}

TEST(FetchSchedule, MedianGapBetweenDistinctPublicationDates) {
  std::vector<FeedEntry> entries = {dated(kNow), dated(kNow - 2h), dated(kNow - 3h), dated(kNow - 3h),
                                    dated(kNow - 10h), FeedEntry{}};
  // Distinct dates: -10h, -3h, -2h, 0 -> gaps 7h, 1h, 2h -> median 2h.
  EXPECT_EQ(median_publish_gap(entries), 2h);
  EXPECT_EQ(median_publish_gap({dated(kNow)}), std::nullopt);
  EXPECT_EQ(median_publish_gap({}), std::nullopt);
  FeedEntry updated_only;
  updated_only.updated = kNow - 30min;
  EXPECT_EQ(median_publish_gap({dated(kNow), updated_only}), 30min);
}

TEST(FetchSchedule, SkipHoursAndDaysMoveTheFetchToTheNextAllowedHour) {
  FeedScheduleHints hints;
  hints.skip_hours = (1u << 12) | (1u << 13);
  EXPECT_EQ(skip_forward(kNow + 10min, hints), kNow + 2h);  // 12:10 and 13:xx skipped -> 14:00
  EXPECT_EQ(skip_forward(kNow - 1min, hints), kNow - 1min);
  hints.skip_hours = 0;
  hints.skip_days = 1u << 3;  // Wednesday
  EXPECT_EQ(skip_forward(kNow, hints), kNow + 12h);  // Thursday 00:00
  hints.skip_days = 0x7f;  // every day: nonsense, ignored
  EXPECT_EQ(skip_forward(kNow, hints), kNow);
}

TEST(FetchSchedule, NextFetchTimeAddsTheIntervalThenSkips) {
  SourceState state = with_etag();
  state.feed_hints.skip_hours = 1u << 13;
  EXPECT_EQ(next_fetch_time(state, std::nullopt, kNow, SchedulePolicy{}), kNow + 2h);
  state.feed_hints.skip_hours = 0;
  EXPECT_EQ(next_fetch_time(state, seconds(7200), kNow, SchedulePolicy{}), kNow + 2h);
}

FeedScheduleHints hints_of(const std::string& xml) {
  const auto parsed = parse_feed(xml, ParseInput{"https://example.com/feed", "https://example.com/feed", std::nullopt});
  EXPECT_TRUE(std::holds_alternative<FeedDocument>(parsed));
  return std::holds_alternative<FeedDocument>(parsed) ? std::get<FeedDocument>(parsed).schedule : FeedScheduleHints{};
}

TEST(FeedScheduleHints, RssTtlSkipHoursSkipDaysAndSyndicationModule) {
  const FeedScheduleHints hints = hints_of(R"(<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
    <channel><title>t</title><ttl> 90 </ttl>
    <skipHours><hour>0</hour><hour>23</hour><hour>24</hour><hour>x</hour></skipHours>
    <skipDays><day>Saturday</day><day>sunday</day><day>Someday</day></skipDays>
    <sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>
    <item><title>a</title></item></channel></rss>)");
  EXPECT_EQ(hints.ttl, 90min);
  EXPECT_EQ(hints.skip_hours, (1u << 0) | (1u << 23));
  EXPECT_EQ(hints.skip_days, (1u << 6) | (1u << 0));
  EXPECT_EQ(hints.update_period, 6h);
}

TEST(FeedScheduleHints, MissingOrBrokenHintsAreIgnored) {
  const FeedScheduleHints hints = hints_of(R"(<rss version="2.0"><channel><title>t</title><ttl>-3</ttl>
    <item><title>a</title></item></channel></rss>)");
  EXPECT_EQ(hints, FeedScheduleHints{});
  const FeedScheduleHints atom = hints_of(R"(<feed xmlns="http://www.w3.org/2005/Atom"
    xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><title>t</title>
    <sy:updatePeriod>hourly</sy:updatePeriod><entry><title>a</title><id>x</id></entry></feed>)");
  EXPECT_EQ(atom.update_period, 1h);
}

}  // namespace
}  // namespace rssflow
