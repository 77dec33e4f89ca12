// The per-feed schedule end to end: 50 cron runs of the rssflow binary, five minutes apart on a
// simulated clock (RSSFLOW_TEST_NOW), against a loopback feed owner that plays feeds with
// different behaviour and records every request (tests/servers/feed_owner_server.py).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/servers/feed_owner_process.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using nlohmann::json;
using testing::FeedOwnerServer;
using testing::run_command;
using testing::TempDir;

// Monday 2026-01-05 00:00:00 UTC.
constexpr long long kStart = 1767571200;
constexpr long long kCronPeriod = 300;
constexpr int kRuns = 50;
constexpr long long kLastRun = kStart + (kRuns - 1) * kCronPeriod;

struct FeedCase {
  std::string name;
  std::string query;
  long long interval;         // the schedule this feed should get, seconds
  long long first_gap = 0;    // the gap after the first request when it differs (Retry-After)
  long long changes_every = 0;  // the body gains an entry this often (0: never changes)
  std::vector<int> skipped_hours = {};
  long long pickup_within = 0;  // new entries reach the output this soon (0: interval)

  std::string path() const { return "/feed/" + name + ".xml?" + query; }
};

// Defaults: --min-interval 60m, --unconditional-interval 4h, --max-interval 24h. Bodies that
// never change carry entries ten minutes apart, so their observed rate asks for nothing more.
const std::vector<FeedCase> kFeeds = {
    {"etag-hourly", "validators=etag&period=3600", 3600, 0, 3600},
    {"lm-2h", "validators=lm&period=7200", 7200, 0, 7200},  // observed rate: every 2 h
    {"weak-90m", "validators=weak&period=5400", 5400, 0, 5400},
    {"max-age", "validators=both&maxage=5400", 5400},   // Cache-Control: max-age=5400
    {"expires", "validators=etag&expires=7200", 7200},  // Expires: Date + 2 h
    {"ttl", "validators=etag&ttl=150", 9000},           // <ttl>150</ttl>
    {"sy", "validators=etag&sy=daily:12", 7200},        // twelve times a day
    // Hours 1 and 2 (GMT) are skipped: the entry of 01:00 waits until 03:00.
    {"skip-hours", "validators=etag&period=3600&skiphours=1,2", 3600, 3 * 3600, 3600, {1, 2}, 2 * 3600},
    {"rate-limited", "validators=etag&period=3600&retry429=7200", 3600, 7200, 3600},
    {"no-validators", "validators=none", 4 * 3600},
    {"no-validators-hourly", "validators=none&period=3600", 4 * 3600, 0, 3600},
    {"gzip-no-validators", "validators=none&gzip=1", 4 * 3600},  // Content-Encoding: gzip
    {"ignores-conditional", "validators=etag&ignore_cond=1", 3600},
    {"redirected", "validators=etag&period=3600&redirect=1", 3600, 0, 3600},
    {"rotating-etag", "validators=rotating", 3600},
};

std::string opml_of_feeds(const FeedOwnerServer& server) {
  std::vector<std::string> urls;
  for (const FeedCase& feed : kFeeds) urls.push_back(server.url(feed.path()));
  return testing::opml_for(urls);
}

bool belongs_to(const json& request, const FeedCase& feed) {
  return request["path"].get<std::string>().starts_with("/feed/" + feed.name + ".xml?");
}

std::string text_or_empty(const json& value) { return value.is_null() ? std::string() : value.get<std::string>(); }

class ScheduleRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FeedOwnerServer();
    dir_ = new TempDir();
    testing::write_file(dir_->file("sources.opml"), opml_of_feeds(*server_));
    for (int run = 0; run < kRuns; ++run) {
      const long long now = kStart + run * kCronPeriod;
      server_->set_now(now);
      const auto result = run_command(
          {RSSFLOW_BINARY, "run", "--sources", dir_->file("sources.opml"), "--out", dir_->file("out.jsonl"),
           "--state-file", dir_->file("state.json"), "--report", dir_->file("report.json"), "--lock-file",
           dir_->file("lock"), "--quiet"},
          {"RSSFLOW_TEST_NOW=" + std::to_string(now)});
      // Exit 1 only while a source fails or backs off: the 429 of the first run, for two hours.
      ASSERT_TRUE(result.exit_status == 0 || (now < kStart + 7200 && result.exit_status == 1))
          << "run " << run << "\n" << result.err;
      reports_->push_back(json::parse(testing::read_file(dir_->file("report.json"))));
      outputs_->push_back(testing::read_file(dir_->file("out.jsonl")));
    }
    log_ = new json(server_->log());
  }
  static void TearDownTestSuite() {
    delete log_;
    delete dir_;
    delete server_;
  }

  // Requests for one feed (its redirect target included), in arrival order.
  static std::vector<json> requests_of(const FeedCase& feed) {
    std::vector<json> requests;
    for (const json& r : *log_) {
      if (belongs_to(r, feed)) requests.push_back(r);
    }
    return requests;
  }
  // Only those for the configured URL itself.
  static std::vector<long long> request_times(const FeedCase& feed) {
    std::vector<long long> times;
    for (const json& r : requests_of(feed)) {
      if (r["path"] == feed.path()) times.push_back(r["t"].get<long long>());
    }
    return times;
  }
  static std::string status_in_run(int run, const FeedCase& feed, const FeedOwnerServer& server) {
    for (const json& s : (*reports_)[static_cast<std::size_t>(run)]["sources"]) {
      if (s["url"] == server.url(feed.path())) return s["status"];
    }
    return "absent";
  }

  static FeedOwnerServer* server_;
  static TempDir* dir_;
  static json* log_;
  static std::vector<json>* reports_;
  static std::vector<std::string>* outputs_;
};

FeedOwnerServer* ScheduleRun::server_ = nullptr;
TempDir* ScheduleRun::dir_ = nullptr;
json* ScheduleRun::log_ = nullptr;
std::vector<json>* ScheduleRun::reports_ = new std::vector<json>();
std::vector<std::string>* ScheduleRun::outputs_ = new std::vector<std::string>();

TEST_F(ScheduleRun, FirstRequestIsUnconditionalAndEveryLaterOneSendsTheLatestValidatorsByteForByte) {
  for (const FeedCase& feed : kFeeds) {
    SCOPED_TRACE(feed.name);
    const std::vector<json> requests = requests_of(feed);
    ASSERT_GE(requests.size(), 2u);
    std::string etag, last_modified;  // what the server last gave (200 replaces both, 304 updates)
    for (const json& r : requests) {
      SCOPED_TRACE("t=" + std::to_string(r["t"].get<long long>() - kStart) + " " + r["path"].get<std::string>());
      EXPECT_EQ(text_or_empty(r["if_none_match"]), etag);
      EXPECT_EQ(text_or_empty(r["if_modified_since"]), last_modified);
      const int status = r["status"];
      if (status == 200) {
        etag = r.value("etag_sent", "");
        last_modified = r.value("last_modified_sent", "");
      } else if (status == 304) {
        if (r.contains("etag_sent")) etag = r["etag_sent"];
        if (r.contains("last_modified_sent")) last_modified = r["last_modified_sent"];
      }
    }
    EXPECT_TRUE(requests.front()["if_none_match"].is_null());
    EXPECT_TRUE(requests.front()["if_modified_since"].is_null());
  }
}

TEST_F(ScheduleRun, NoRequestComesBeforeTheScheduleAllowsAndNoneComesLate) {
  for (const FeedCase& feed : kFeeds) {
    SCOPED_TRACE(feed.name);
    const std::vector<long long> times = request_times(feed);
    ASSERT_FALSE(times.empty());
    EXPECT_EQ(times.front(), kStart);
    for (std::size_t i = 1; i < times.size(); ++i) {
      const long long wanted = i == 1 && feed.first_gap ? feed.first_gap : feed.interval;
      EXPECT_GE(times[i] - times[i - 1], wanted) << "request " << i;
      EXPECT_LE(times[i] - times[i - 1], wanted + kCronPeriod) << "request " << i;
    }
    // And it was not forgotten: the last request is less than one interval before the last run.
    EXPECT_GT(times.back() + (times.size() == 1 && feed.first_gap ? feed.first_gap : feed.interval), kLastRun - kCronPeriod);
    for (long long t : times) {
      const int hour = static_cast<int>((t % 86400) / 3600);
      for (int skipped : feed.skipped_hours) EXPECT_NE(hour, skipped) << "skipHours ignored at t=" << t - kStart;
    }
  }
  // The requests saved by the schedule: 15 feeds x 50 runs would be 750.
  EXPECT_LT(log_->size(), 100u);
}

TEST_F(ScheduleRun, NewEntriesArePickedUpWithinOneIntervalOfTheirAppearance) {
  for (const FeedCase& feed : kFeeds) {
    if (feed.changes_every == 0) continue;
    SCOPED_TRACE(feed.name);
    const std::vector<json> requests = requests_of(feed);
    const long long within = (feed.pickup_within ? feed.pickup_within : feed.interval) + kCronPeriod;
    for (long long change = kStart + feed.changes_every; change + within <= kLastRun; change += feed.changes_every) {
      const long long version = change / feed.changes_every;
      bool picked_up = false;
      for (const json& r : requests) {
        const long long t = r["t"];
        if (r["status"] == 200 && t >= change && t <= change + within && r["version"] >= version) {
          picked_up = true;
          // And the entry reached the output of that run: JSON Lines holds what is new since
          // the last run, so the first run that fetched it delivers it, later ones do not.
          const int run = static_cast<int>((t - kStart) / kCronPeriod);
          const std::string guid = "\"guid\":\"feed-" + feed.name + ".xml-" + std::to_string(version) + "\"";
          EXPECT_NE((*outputs_)[static_cast<std::size_t>(run)].find(guid), std::string::npos) << guid << " run " << run;
          break;
        }
      }
      EXPECT_TRUE(picked_up) << "entry of t=" << change - kStart << " never fetched in time";
    }
  }
}

TEST_F(ScheduleRun, RequestsAreCleanNoCookieNoRefererNothingAppendedAndTheyAskForFeeds) {
  std::set<std::string> configured;
  for (const FeedCase& feed : kFeeds) configured.insert(feed.path());
  for (const json& r : *log_) {
    SCOPED_TRACE(r.dump());
    EXPECT_TRUE(r["cookie"].is_null());
    EXPECT_TRUE(r["referer"].is_null());
    const std::string path = r["path"];
    EXPECT_TRUE(configured.contains(path) || path.find("redirected=1") != std::string::npos);
    const std::string agent = r["user_agent"];
    EXPECT_TRUE(agent.starts_with("rssflow/")) << agent;
    EXPECT_NE(agent.find("(+http"), std::string::npos) << agent;
    const std::string accept = r["accept"];
    EXPECT_NE(accept.find("application/rss+xml"), std::string::npos);
    EXPECT_NE(accept.find("application/atom+xml"), std::string::npos);
    EXPECT_NE(text_or_empty(r["accept_encoding"]).find("gzip"), std::string::npos);
  }
}

TEST_F(ScheduleRun, SameBodyWithoutA304IsUnchangedAndEveryRunSaysHowManyWereNotDue) {
  // A gzip body equal to the last one is unchanged too: it is hashed as it arrived.
  for (const std::string name : {"ignores-conditional", "no-validators", "gzip-no-validators"}) {
    const FeedCase& feed = *std::find_if(kFeeds.begin(), kFeeds.end(), [&](const FeedCase& f) { return f.name == name; });
    const std::vector<long long> times = request_times(feed);
    ASSERT_GE(times.size(), 2u) << name;
    EXPECT_EQ(status_in_run(0, feed, *server_), "ok") << name;
    EXPECT_EQ(status_in_run(static_cast<int>((times[1] - kStart) / kCronPeriod), feed, *server_), "unchanged") << name;
  }
  std::size_t fetched = 0;
  for (const json& report : *reports_) {
    const json& totals = report["totals"];
    EXPECT_EQ(totals["sources"], kFeeds.size());
    fetched += kFeeds.size() - totals["not_due"].get<std::size_t>() - totals["skipped"].get<std::size_t>();
  }
  std::size_t configured_requests = 0;
  for (const FeedCase& feed : kFeeds) configured_requests += request_times(feed).size();
  EXPECT_EQ(fetched, configured_requests);
}

}  // namespace
}  // namespace rssflow
