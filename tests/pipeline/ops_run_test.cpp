// End-to-end for the operations side: the rssflow binary on the offline snapshot, sharded,
// writing a metrics file promtool accepts and pushing to a real Pushgateway.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "sources/opml.h"
#include "sources/shard.h"
#include "tests/sinks/pushgateway_fixture.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using ::testing::HasSubstr;
using testing::run_command;
using testing::sample_value;
using testing::TempDir;

const std::string kSnapshot = std::string(RSSFLOW_SOURCE_DIR) + "/config/snapshot/sources.opml";

std::set<std::string> shard_urls(int index, int count) {
  std::set<std::string> urls;
  for (const Source& source : read_opml(kSnapshot).sources) {
    if (in_shard(source, ShardSpec{index, count})) urls.insert(source.url);
  }
  return urls;
}

std::set<std::string> listed_urls(const std::string& listing) {
  std::set<std::string> urls;
  std::istringstream lines(listing);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("file://")) urls.insert(line.substr(0, line.find('\t')));
  }
  return urls;
}

TEST(OpsRun, SourcesCommandSplitsTheSnapshotIntoDisjointShardsLikeTheLibrary) {
  std::set<std::string> all;
  std::size_t total = 0;
  for (int k = 0; k < 3; ++k) {
    const auto listing = run_command({RSSFLOW_BINARY, "sources", "--sources", kSnapshot, "--shard", std::to_string(k) + "/3"});
    ASSERT_EQ(listing.exit_status, 0) << listing.err;
    const auto urls = listed_urls(listing.out);
    EXPECT_EQ(urls, shard_urls(k, 3)) << "shard " << k;
    EXPECT_FALSE(urls.empty()) << "shard " << k;
    total += urls.size();
    all.insert(urls.begin(), urls.end());
  }
  EXPECT_EQ(total, all.size());  // disjoint
  EXPECT_EQ(all.size(), read_opml(kSnapshot).sources.size());  // and complete
}

TEST(OpsRun, ShardOfTheSnapshotLoadsOnlyItsFeedsAndWritesMetricsPromtoolAccepts) {
  TempDir dir;
  const auto run = run_command({RSSFLOW_BINARY, "run", "--sources", kSnapshot, "--shard", "1/3", "--sink", "jsonl", "--out",
                                dir.file("out.jsonl"), "--metrics-file", dir.file("rssflow.prom"), "--lock-file",
                                dir.file("lock"), "--quiet"});
  ASSERT_EQ(run.exit_status, 0) << run.err;

  const std::set<std::string> expected = shard_urls(1, 3);
  std::set<std::string> feeds;
  std::size_t records = 0;
  std::istringstream lines(testing::read_file(dir.file("out.jsonl")));
  for (std::string line; std::getline(lines, line); ++records) feeds.insert(nlohmann::json::parse(line)["feed_url"]);
  EXPECT_EQ(feeds, expected);  // every feed of the shard has entries, and no other feed appears

  const auto check = run_command({"sh", "-c", "promtool check metrics < \"$0\"", dir.file("rssflow.prom")});
  EXPECT_EQ(check.exit_status, 0) << check.out << check.err;
  EXPECT_EQ(check.out + check.err, "");
  const std::string metrics = testing::read_file(dir.file("rssflow.prom"));
  const std::string selected = std::to_string(expected.size());
  EXPECT_EQ(sample_value(metrics, R"(rssflow_sources{shard="1",state="selected"})"), selected);
  EXPECT_EQ(sample_value(metrics, R"(rssflow_feeds_total{shard="1",status="ok",reason="none"})"), selected);
  EXPECT_EQ(sample_value(metrics, R"(rssflow_load_rows_total{shard="1",result="written"})"), std::to_string(records));
  EXPECT_EQ(sample_value(metrics, R"(rssflow_run_exit_status{shard="1"})"), "0");
  EXPECT_TRUE(sample_value(metrics, R"(rssflow_last_success_timestamp_seconds{shard="1"})").has_value());
}

TEST(OpsRun, PushesTheRunToThePushgatewayGroupOfItsShard) {
  testing::Pushgateway gateway;
  TempDir dir;
  const auto sources = read_opml(kSnapshot).sources;
  testing::write_file(dir.file("two.opml"), "<opml version=\"2.0\"><body><outline text=\"a\" xmlUrl=\"" + sources[0].url +
                                                "\"/><outline text=\"b\" xmlUrl=\"" + sources[1].url +
                                                "\"/></body></opml>\n");
  const auto run = run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("two.opml"), "--shard", "0/1", "--sink", "jsonl",
                                "--out", dir.file("out.jsonl"), "--pushgateway", gateway.url(), "--lock-file",
                                dir.file("lock"), "--quiet"});
  ASSERT_EQ(run.exit_status, 0) << run.err;
  const std::string exposed = gateway.metrics();
  const std::string group = R"(instance="",job="rssflow",shard="0")";
  EXPECT_TRUE(sample_value(exposed, "rssflow_last_success_timestamp_seconds{" + group + "}").has_value()) << exposed;
  EXPECT_EQ(sample_value(exposed, R"(rssflow_feeds_total{instance="",job="rssflow",reason="none",shard="0",status="ok"})"), "2");
  EXPECT_EQ(sample_value(exposed, "rssflow_run_exit_status{" + group + "}"), "0");
}

TEST(OpsRun, RelativePathsWorkFromAFolderWhoseNameNeedsPercentEncoding) {
  TempDir dir;
  const std::filesystem::path folder = std::filesystem::path(dir.path()) / "snap shot #1 100%";
  std::filesystem::create_directories(folder / "feeds");
  const std::string feed = read_opml(kSnapshot).sources[0].url.substr(std::string("file://").size());
  std::filesystem::copy_file(feed, folder / "feeds" / "a feed?.xml");
  testing::write_file((folder / "list.opml").string(),
                      R"(<opml version="2.0"><body><outline text="a" xmlUrl="feeds/a feed?.xml"/></body></opml>)");
  // A space in xmlUrl itself is rejected (it is not a URL reference); %-escapes are decoded.
  ASSERT_EQ(read_opml(folder / "list.opml").errors.size(), 1u);
  testing::write_file((folder / "list.opml").string(),
                      R"(<opml version="2.0"><body><outline text="a" xmlUrl="feeds/a%20feed%3F.xml"/></body></opml>)");
  ASSERT_EQ(read_opml(folder / "list.opml").sources.size(), 1u);
  const auto run = run_command({RSSFLOW_BINARY, "run", "--sources", (folder / "list.opml").string(), "--sink", "jsonl",
                                "--out", dir.file("out.jsonl"), "--lock-file", dir.file("lock")});
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("1 ok"));
}

TEST(OpsRun, AnUnreachablePushgatewayDoesNotFailTheRun) {
  TempDir dir;
  const auto sources = read_opml(kSnapshot).sources;
  testing::write_file(dir.file("one.opml"),
                      "<opml version=\"2.0\"><body><outline text=\"a\" xmlUrl=\"" + sources[0].url + "\"/></body></opml>\n");
  const std::string gateway = "http://127.0.0.1:" + std::to_string(testing::free_loopback_port());
  const auto run = run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("one.opml"), "--sink", "jsonl", "--out",
                                dir.file("out.jsonl"), "--pushgateway", gateway, "--lock-file", dir.file("lock")});
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("pushgateway " + gateway));  // logged, not fatal
}

}  // namespace
}  // namespace rssflow
