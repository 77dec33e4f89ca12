// `rssflow run` with default budgets over the hostile corpus of scripts/hostile_corpus.py (deep
// nesting, 200 k categories and namespaces, 800 k unclosed tags, 1 M items, an 8 M-deep JSON
// Feed, 50 MB of text, NUL bytes, XXE, billion laughs...) served over loopback among 50 real
// feeds: the run ends by itself with exit 1, every real feed loads, and every hostile one is
// named with its own reason (a failure code, or the repair line saying what was dropped).
// Time and memory are measured by scripts/bench/hostile.sh, not asserted here.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using nlohmann::json;
using testing::LoopbackFileServer;
using testing::TempDir;
namespace fs = std::filesystem;

// 50 real feeds of tests/data/realworld with distinct articles (none is a copy of another).
const std::vector<std::string> kGoodFeeds = {
#include "tests/pipeline/hostile_corpus_good_feeds.inc"
};

std::map<std::string, json> sources_by_url(const std::string& report_path) {
  std::map<std::string, json> out;
  const json report = json::parse(testing::read_file(report_path));
  for (const auto& source : report["sources"]) out[source["url"].get<std::string>()] = source;
  return out;
}

bool any_repair_holds(const json& source, const std::string& needle) {
  for (const auto& repair : source["repairs"])
    if (repair.get<std::string>().find(needle) != std::string::npos) return true;
  return false;
}

TEST(HostileCorpusRun, EndsByItselfLoadsEveryRealFeedAndNamesEveryHostileOneWithItsReason) {
  TempDir dir;
  const auto generated = testing::run_command(
      {"/usr/bin/python3", std::string(RSSFLOW_SOURCE_DIR) + "/scripts/hostile_corpus.py", dir.file("hostile")});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  const json manifest = json::parse(testing::read_file(dir.file("hostile/manifest.json")));
  ASSERT_GE(manifest.size(), 25u);
  ASSERT_EQ(kGoodFeeds.size(), 50u);
  fs::create_directory(dir.file("good"));
  for (const std::string& name : kGoodFeeds)
    fs::copy_file(fs::path(RSSFLOW_TEST_DATA_DIR) / "realworld" / name, dir.file("good/" + name));

  LoopbackFileServer server(dir.path());
  std::vector<std::string> urls;
  for (const std::string& name : kGoodFeeds) urls.push_back(server.url("good/" + name));
  for (const auto& entry : manifest) urls.push_back(server.url("hostile/" + entry["file"].get<std::string>()));
  testing::write_file(dir.file("sources.opml"), testing::opml_for(urls));

  const auto run = testing::run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--sink", "jsonl",
                                         "--out", dir.file("out.jsonl"), "--report", dir.file("report.json"),
                                         "--per-host", "8", "--lock-file", dir.file("lock"), "--quiet",
                                         // Sanitizer builds are slow: the deadline is not what is tested here.
                                         "--parse-deadline", "600"});
  ASSERT_EQ(run.exit_status, 1) << "1 = some sources failed; >= 128 would be a signal\n" << run.err.substr(0, 4000);

  const auto report = sources_by_url(dir.file("report.json"));
  ASSERT_EQ(report.size(), urls.size()) << testing::read_file(dir.file("report.json")).substr(0, 3000);
  std::map<std::string, std::size_t> records_by_feed;
  std::istringstream lines(testing::read_file(dir.file("out.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    // Nothing was expanded from a DOCTYPE, nothing read from the machine (XXE).
    EXPECT_EQ(line.find("root:x:0"), std::string::npos);
    EXPECT_EQ(line.find("lollol"), std::string::npos);
    ++records_by_feed[json::parse(line)["feed_url"].get<std::string>()];
  }
  for (const std::string& name : kGoodFeeds) {
    SCOPED_TRACE(name);
    const std::string url = server.url("good/" + name);
    ASSERT_TRUE(report.count(url)) << url << " not among the " << report.size() << " sources of the report";
    EXPECT_EQ(report.at(url)["status"], "ok") << report.at(url).dump();
    EXPECT_GT(records_by_feed[url], 0u) << report.at(url).dump();
  }
  for (const auto& entry : manifest) {
    const std::string file = entry["file"].get<std::string>();
    SCOPED_TRACE(file);
    const std::string url = server.url("hostile/" + file);
    ASSERT_TRUE(report.count(url));
    const json& source = report.at(url);
    EXPECT_EQ(source["status"], entry["status"]) << source.dump().substr(0, 2000);
    if (entry["status"] == "failed") {
      ASSERT_TRUE(source["error"].is_object()) << source.dump().substr(0, 2000);
      EXPECT_EQ(source["error"]["code"], entry["code"]) << source.dump().substr(0, 2000);
      // Named on stderr too, with the reason.
      EXPECT_NE(run.err.find(entry["code"].get<std::string>()), std::string::npos);
    } else if (!entry["repair"].get<std::string>().empty()) {
      EXPECT_TRUE(any_repair_holds(source, entry["repair"].get<std::string>())) << source["repairs"].dump();
    }
  }
}

}  // namespace
}  // namespace rssflow
