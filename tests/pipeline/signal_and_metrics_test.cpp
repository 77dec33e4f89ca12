// The binary as a batch job: SIGTERM mid-run, and the metrics file it leaves for Prometheus.
#include <signal.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/servers/hostile_server_process.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::BackgroundProcess;
using testing::opml_for;
using testing::TempDir;
using testing::read_file;
using testing::run_command;
using testing::write_file;

const std::string kKeywords = std::string(RSSFLOW_SOURCE_DIR) + "/config/keywords.tsv";

TEST(RunSignals, SigtermFinishesInFlightSourcesLoadsThemAndExitsNonZero) {
  testing::HostileServer server;
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  TempDir dir;
  // One transfer at a time: the first source hangs until the timeout, the rest wait behind it.
  std::vector<std::string> urls{base + "/feed/1.xml", base + "/hang"};
  for (int i = 2; i < 30; ++i) urls.push_back(base + "/feed/" + std::to_string(i) + ".xml");
  write_file(dir.file("sources.opml"), opml_for(urls));
  BackgroundProcess run({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--out", dir.file("out.jsonl"),
                         "--report", dir.file("report.json"), "--keywords", kKeywords, "--lock-file", dir.file("lock"),
                         "--concurrency", "1", "--timeout", "3", "--verbose"},
                        BackgroundProcess::Pipe::err);
  // Wait until the first source is done: the run is then working on /hang.
  for (std::string line = run.read_line(); line.find("feed/1.xml") == std::string::npos; line = run.read_line()) {
    ASSERT_FALSE(line.empty()) << "rssflow ended before its first source was done";
  }
  ASSERT_EQ(kill(run.pid(), SIGTERM), 0);
  const int status = run.wait();
  EXPECT_EQ(status, 1);
  const auto report = nlohmann::json::parse(read_file(dir.file("report.json")));
  EXPECT_TRUE(report["interrupted"].get<bool>());
  EXPECT_LT(report["totals"]["sources"].get<std::size_t>(), urls.size());
  EXPECT_GE(report["totals"]["ok"].get<std::size_t>(), 1u);
  // What was loaded before the signal is complete and valid.
  EXPECT_FALSE(read_file(dir.file("out.jsonl")).empty());
}

TEST(RunMetrics, MetricsFilePassesPromtoolAndCarriesTheContractNames) {
  TempDir dir;
  write_file(dir.file("feed.xml"), R"(<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://a.example/1</link></item></channel></rss>)");
  write_file(dir.file("sources.opml"), opml_for({"feed.xml", "missing.xml"}));
  const auto result = run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--out",
                                   dir.file("out.jsonl"), "--metrics-file", dir.file("rssflow.prom"), "--keywords",
                                   kKeywords, "--lock-file", dir.file("lock"), "--quiet"});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  const std::string metrics = read_file(dir.file("rssflow.prom"));
  const auto promtool = run_command({"/bin/sh", "-c", "promtool check metrics < '" + dir.file("rssflow.prom") + "'"});
  EXPECT_EQ(promtool.exit_status, 0) << promtool.out << promtool.err;
  for (const char* name : {"rssflow_last_success_timestamp_seconds", "rssflow_run_duration_seconds",
                           "rssflow_items_total{stage=\"parse\"}", "rssflow_feeds_total{status=\"ok\"",
                           "rssflow_feeds_total{status=\"failed\",reason=\"io\"}"}) {
    EXPECT_NE(metrics.find(name), std::string::npos) << name << "\n" << metrics;
  }
}

}  // namespace
}  // namespace rssflow

namespace rssflow {
namespace {

// The value of one sample line `name{labels} value` in a Prometheus text file; -1 if absent.
double sample_value(const std::string& metrics, const std::string& series) {
  const std::size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

// Every stage of the chain is a node with its own timing wrapper: each histogram has samples
// and each stage's item counts are its own (clean emits what dedupe kept, not what parse found).
TEST(RunMetrics, EveryStageHistogramGetsSamplesInARealRun) {
  TempDir dir;
  write_file(dir.file("a.xml"), R"(<rss version="2.0"><channel><title>A</title>
<item><title>Rust 1.80 released</title><link>https://a.example/1</link><description>The Rust team ships it.</description></item>
<item><title>Same story</title><link>https://shared.example/x</link><description>Copied.</description></item>
</channel></rss>)");
  write_file(dir.file("b.xml"), R"(<rss version="2.0"><channel><title>B</title>
<item><title>Same story</title><link>https://shared.example/x</link><description>Copied.</description></item>
</channel></rss>)");
  write_file(dir.file("sources.opml"), opml_for({"a.xml", "b.xml"}));
  const auto result = run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--out",
                                   dir.file("out.jsonl"), "--metrics-file", dir.file("rssflow.prom"), "--keywords",
                                   kKeywords, "--lock-file", dir.file("lock"), "--quiet"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const std::string metrics = read_file(dir.file("rssflow.prom"));
  for (const char* stage : {"sources", "fetch", "parse", "dedupe", "clean", "keywords", "format", "load"}) {
    const std::string label = std::string("{stage=\"") + stage + "\"}";
    EXPECT_GT(sample_value(metrics, "rssflow_stage_duration_seconds_count" + label), 0) << stage << "\n" << metrics;
  }
  EXPECT_EQ(sample_value(metrics, "rssflow_items_total{stage=\"parse\"}"), 3);     // entries parsed
  EXPECT_EQ(sample_value(metrics, "rssflow_items_received_total{stage=\"dedupe\"}"), 3);
  EXPECT_EQ(sample_value(metrics, "rssflow_items_total{stage=\"dedupe\"}"), 2);    // one cross-feed copy dropped
  EXPECT_EQ(sample_value(metrics, "rssflow_items_received_total{stage=\"clean\"}"), 2);
  EXPECT_EQ(sample_value(metrics, "rssflow_items_total{stage=\"load\"}"), 2);
}

}  // namespace
}  // namespace rssflow
