// `rssflow feeds`, `feeds reset`, `run --only/--force`, unchanged bodies and parse failures in
// the fetch state, against both stores: the state file (jsonl sink) and PostgreSQL.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/servers/feed_owner_process.h"
#include "tests/sinks/postgres_test_db.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::FeedOwnerServer;
using testing::TempDir;

constexpr long long kStart = 1767573000;  // 2026-01-05T00:30:00Z
const std::string kGood = "/feed/good.xml?validators=none&period=3600";
const std::string kBroken = "/feed/broken.xml?broken=1";
const std::string kMissing = "/feed/missing.xml?status=404";
const std::string kGone = "/feed/gone.xml?status=410";

enum class Store { state_file, postgres };

class FeedsCommandTest : public ::testing::TestWithParam<Store> {
 protected:
  void SetUp() override {
    if (GetParam() == Store::postgres) postgres_ = testing::fresh_schema();
    testing::write_file(dir_.file("sources.opml"),
                        testing::opml_for({url(kGood), url(kBroken), url(kMissing), url(kGone)}));
  }

  std::string url(const std::string& path) const { return server_.url(path); }

  std::vector<std::string> store_args() const {
    if (GetParam() == Store::state_file) return {"--state-file", dir_.file("state.json")};
    return {"--database-url", postgres_.conninfo, "--schema", postgres_.schema};
  }

  CommandResult run(long long now, const std::vector<std::string>& extra = {}) {
    server_.set_now(now);
    std::vector<std::string> args = {RSSFLOW_BINARY, "run", "--sources", dir_.file("sources.opml"), "--report",
                                     dir_.file("report.json"), "--lock-file", dir_.file("lock"), "--quiet"};
    if (GetParam() == Store::state_file) {
      args.insert(args.end(), {"--out", dir_.file("out.jsonl")});
    } else {
      args.insert(args.end(), {"--sink", "postgres"});
    }
    const auto store = store_args();
    args.insert(args.end(), store.begin(), store.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_command(args, {"RSSFLOW_TEST_NOW=" + std::to_string(now)});
  }

  json report() const { return json::parse(testing::read_file(dir_.file("report.json"))); }

  json source_in_report(const std::string& path) const {
    const json whole = report();
    for (const json& s : whole["sources"]) {
      if (s["url"] == url(path)) return s;
    }
    return json();
  }

  CommandResult feeds(const std::vector<std::string>& extra, long long now = kStart) const {
    std::vector<std::string> args = {RSSFLOW_BINARY, "feeds"};
    const auto store = store_args();
    args.insert(args.end(), store.begin(), store.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_command(args, {"RSSFLOW_TEST_NOW=" + std::to_string(now)});
  }

  json feeds_json(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult listing = feeds(args);
    EXPECT_EQ(listing.exit_status, 0) << listing.err;
    json by_url = json::object();
    for (const json& s : json::parse(listing.out)) by_url[s["url"].get<std::string>()] = s;
    return by_url;
  }

  std::size_t requests_for(const std::string& path) const {
    std::size_t n = 0;
    for (const json& r : server_.log()) n += r["path"] == path;
    return n;
  }

  FeedOwnerServer server_;
  TempDir dir_;
  PostgresOptions postgres_;
};

TEST_P(FeedsCommandTest, UnchangedBodyLoadsNothingAndOneChangedEntryIsPickedUp) {
  ASSERT_EQ(run(kStart).exit_status, 1);
  EXPECT_EQ(source_in_report(kGood)["status"], "ok");
  EXPECT_EQ(source_in_report(kGood)["records"], 10);

  // The same bytes again (--force: a source without validators is not due for 4 hours).
  ASSERT_EQ(run(kStart + 300, {"--force", "--only", url(kGood)}).exit_status, 0);
  EXPECT_EQ(source_in_report(kGood)["status"], "unchanged");
  EXPECT_EQ(source_in_report(kGood)["entries"], 0) << "not parsed";
  EXPECT_EQ(report()["totals"]["records"], 0);
  EXPECT_EQ(report()["totals"]["unchanged"], 1);
  if (GetParam() == Store::state_file) {
    EXPECT_EQ(testing::read_file(dir_.file("out.jsonl")), "");
  }

  // At 01:00 the body gains one entry (guid feed-good.xml-1767574800/3600 = 490993).
  ASSERT_EQ(run(kStart + 1800, {"--force", "--only", url(kGood)}).exit_status, 0);
  EXPECT_EQ(source_in_report(kGood)["status"], "ok");
  EXPECT_EQ(source_in_report(kGood)["entries"], 10);
  const std::string new_guid = "feed-good.xml-" + std::to_string((kStart + 1800) / 3600);
  if (GetParam() == Store::state_file) {
    EXPECT_NE(testing::read_file(dir_.file("out.jsonl")).find("\"guid\":\"" + new_guid + "\""), std::string::npos);
  } else {
    EXPECT_EQ(report()["totals"]["inserted"], 1) << "only the new entry is new";
    EXPECT_EQ(testing::query_count(postgres_, "SELECT count(*) FROM articles WHERE guid = '" + new_guid + "'"), 1);
  }
}

TEST_P(FeedsCommandTest, ListsEverySourceAndParseFailuresCountAsFailuresWithBackoff) {
  ASSERT_EQ(run(kStart).exit_status, 1);
  const json states = feeds_json();
  ASSERT_EQ(states.size(), 4u) << states.dump(2);
  const json& good = states[url(kGood)];
  EXPECT_EQ(good["state"], "ok");
  EXPECT_EQ(good["consecutive_failures"], 0);
  EXPECT_EQ(good["entries"], 10);
  EXPECT_EQ(good["next_fetch_at"], "2026-01-05T04:30:00Z") << "no validators: the 4-hour floor";
  const json& broken = states[url(kBroken)];
  EXPECT_EQ(broken["state"], "backoff");
  EXPECT_EQ(broken["consecutive_failures"], 1);
  EXPECT_NE(broken["last_error"].get<std::string>().find("malformed"), std::string::npos) << broken.dump();
  EXPECT_FALSE(broken["next_attempt_at"].is_null());
  EXPECT_TRUE(broken["etag"].is_null()) << "a body that did not parse must be fetched again in full";
  EXPECT_EQ(states[url(kMissing)]["consecutive_failures"], 1);
  EXPECT_EQ(states[url(kGone)]["state"], "gone");

  const json failing = feeds_json({"--failing"});
  EXPECT_EQ(failing.size(), 3u);
  EXPECT_FALSE(failing.contains(url(kGood)));

  const CommandResult table = feeds({});
  ASSERT_EQ(table.exit_status, 0) << table.err;
  EXPECT_TRUE(table.out.starts_with("URL ")) << table.out;
  EXPECT_NE(table.out.find("NEXT FETCH"), std::string::npos);
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 5);

  // Five minutes later nothing is contacted: three sources back off or are gone, one is not due.
  const std::size_t before = server_.log().size();
  ASSERT_EQ(run(kStart + 300).exit_status, 1);
  EXPECT_EQ(server_.log().size(), before);
  EXPECT_EQ(report()["totals"]["not_due"], 1);
  EXPECT_EQ(report()["totals"]["skipped"], 3);
}

TEST_P(FeedsCommandTest, ResetClearsBackoffAndGoneAndOnlyRunsJustThoseSources) {
  ASSERT_EQ(run(kStart).exit_status, 1);
  const CommandResult reset = feeds({"reset", url(kMissing), url(kGone)});
  ASSERT_EQ(reset.exit_status, 0) << reset.err;
  const json states = feeds_json();
  for (const std::string& path : {kMissing, kGone}) {
    const json& s = states[url(path)];
    EXPECT_EQ(s["consecutive_failures"], 0) << path;
    EXPECT_EQ(s["gone"], false) << path;
    EXPECT_TRUE(s["next_attempt_at"].is_null()) << path;
    EXPECT_TRUE(s["next_fetch_at"].is_null()) << path;
  }
  EXPECT_EQ(states[url(kBroken)]["consecutive_failures"], 1) << "not named, not reset";
  EXPECT_EQ(feeds({"reset", "http://127.0.0.1:1/not-a-source"}).exit_status, 1);

  ASSERT_EQ(run(kStart + 300, {"--only", url(kGone)}).exit_status, 1);
  EXPECT_EQ(report()["totals"]["sources"], 1);
  EXPECT_EQ(requests_for(kGone), 2u) << "reset made it due at once";
  EXPECT_EQ(requests_for(kMissing), 1u) << "not in --only";

  ASSERT_EQ(run(kStart + 600, {"--only", url(kGood)}).exit_status, 0);
  EXPECT_EQ(source_in_report(kGood)["status"], "not_due");
  EXPECT_EQ(requests_for(kGood), 1u);
  ASSERT_EQ(run(kStart + 600, {"--only", url(kGood), "--force"}).exit_status, 0);
  EXPECT_EQ(source_in_report(kGood)["status"], "unchanged");
  EXPECT_EQ(requests_for(kGood), 2u);

  const CommandResult unknown = run(kStart + 600, {"--only", "http://127.0.0.1:1/not-a-source"});
  EXPECT_EQ(unknown.exit_status, 2);
  EXPECT_NE(unknown.err.find("not-a-source"), std::string::npos) << unknown.err;
}

INSTANTIATE_TEST_SUITE_P(Stores, FeedsCommandTest, ::testing::Values(Store::state_file, Store::postgres),
                         [](const auto& info) { return info.param == Store::postgres ? "Postgres" : "StateFile"; });

}  // namespace
}  // namespace rssflow
