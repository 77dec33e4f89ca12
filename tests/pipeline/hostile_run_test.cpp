// `rssflow run` end to end over an OPML of good and hostile loopback URLs (jsonl sink with a
// state file): good feeds load, every bad one reports its own reason in the run report, the
// exit status is 1, and a second run sends validators (304) and backs off from the failures.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <chrono>
#include <set>
#include <sstream>

#include "tests/servers/hostile_server_process.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using nlohmann::json;
using testing::HostileServer;
using testing::TempDir;

struct Expectation {
  std::string path;      // on the hostile server, or a full URL
  std::string status;    // SourceStatus name in the report
  std::string code;      // ErrorCode name, "" for none
};

const std::vector<Expectation>& expectations() {
  static const std::vector<Expectation> list = {
      {"/feed/a.xml", "ok", ""},
      {"/feed/b.xml", "ok", ""},
      {"/atom.xml", "ok", ""},
      {"/gzip.xml", "ok", ""},
      {"/endless", "failed", "too_large"},
      {"/bomb", "failed", "too_large"},
      {"/slow", "failed", "timeout"},
      {"/loop/a", "failed", "too_many_redirects"},
      {"/to-file", "failed", "redirect_forbidden"},
      {"/ratelimited", "failed", "rate_limited"},
      {"/error500", "failed", "http_status"},
      {"/notfound", "failed", "http_status"},
      {"/gone", "failed", "gone"},
      {"/html", "failed", "not_a_feed"},
      {"/empty", "failed", "empty_body"},
      {"/reset", "failed", "connection_reset"},
      {"/partial", "failed", "connection_reset"},
      {"http://nonexistent.invalid/feed.xml", "failed", "dns"},
      {"file:///nonexistent/rssflow/feed.xml", "failed", "io"},
  };
  return list;
}

std::string url_of(const HostileServer& server, const std::string& path) {
  return path.front() == '/' ? server.url(path) : path;
}

std::string opml(const HostileServer& server) {
  std::string out = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>hostile</title></head><body>\n";
  for (const auto& e : expectations()) {
    out += "<outline type=\"rss\" text=\"" + e.path + "\" xmlUrl=\"" + url_of(server, e.path) + "\"/>\n";
  }
  out += "</body></opml>\n";
  return out;
}

std::map<std::string, json> sources_by_url(const std::string& report_path) {
  std::map<std::string, json> out;
  const json report = json::parse(testing::read_file(report_path));
  for (const auto& source : report["sources"]) {
    out[source["url"].get<std::string>()] = source;
  }
  return out;
}

std::size_t requests_for(const HostileServer& server, const std::string& path) {
  std::size_t n = 0;
  for (const auto& entry : json::parse(server.get("/_log"))) n += entry["path"] == path;
  return n;
}

// /usr/bin/time -f %M writes the peak RSS in kB as the last word ("Command exited with
// non-zero status 1" may come first).
long peak_rss_kb(const std::string& time_output_path) {
  std::istringstream in(testing::read_file(time_output_path));
  std::string word;
  std::string last;
  while (in >> word) last = word;
  return last.empty() ? 0 : std::atol(last.c_str());
}

TEST(HostileRun, GoodFeedsLoadBadOnesReportTheirOwnReasonAndTheSecondRunIsConditional) {
  HostileServer server;
  TempDir dir;
  testing::write_file(dir.file("sources.opml"), opml(server));
  // The second run is a minute later on a simulated clock, with a one-second schedule: every
  // good feed is due again (conditional GET), every failed one still backs off.
  const long long start = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
  auto run = [&](const std::string& tag) {
    return testing::run_command({"/usr/bin/time", "-f", "%M", "-o", dir.file("rss-" + tag), RSSFLOW_BINARY, "run",
                                 "--sources", dir.file("sources.opml"), "--sink", "jsonl", "--out",
                                 dir.file("out-" + tag + ".jsonl"), "--state-file", dir.file("state.json"),
                                 "--report", dir.file("report-" + tag + ".json"), "--timeout", "3",
                                 "--connect-timeout", "2", "--max-body-bytes", "1048576", "--per-host", "32",
                                 "--lock-file", dir.file("lock"), "--min-interval", "1s",
                                 "--unconditional-interval", "1s", "--max-interval", "1s"},
                                {"RSSFLOW_TEST_NOW=" + std::to_string(tag == "1" ? start : start + 60)});
  };

  const auto first = run("1");
  EXPECT_EQ(first.exit_status, 1) << first.err;
  const auto report = sources_by_url(dir.file("report-1.json"));
  std::set<std::string> loaded_feeds;
  std::istringstream lines(testing::read_file(dir.file("out-1.jsonl")));
  for (std::string line; std::getline(lines, line);) loaded_feeds.insert(json::parse(line)["feed_url"].get<std::string>());
  for (const auto& e : expectations()) {
    SCOPED_TRACE(e.path);
    const std::string url = url_of(server, e.path);
    ASSERT_TRUE(report.count(url)) << "source missing from the report";
    const json& source = report.at(url);
    EXPECT_EQ(source["status"], e.status) << source.dump();
    if (e.code.empty()) {
      EXPECT_TRUE(source["error"].is_null()) << source.dump();
      EXPECT_GT(source["records"].get<long>(), 0) << source.dump();
      EXPECT_TRUE(loaded_feeds.count(url)) << "no record of a good feed in the jsonl output";
    } else {
      ASSERT_TRUE(source["error"].is_object()) << source.dump();
      EXPECT_EQ(source["error"]["code"], e.code) << source.dump();
      EXPECT_FALSE(source["error"]["message"].get<std::string>().empty());
      EXPECT_FALSE(loaded_feeds.count(url));
    }
  }
  // Each failure is also named on stderr, with its reason.
  EXPECT_NE(first.err.find("redirect_forbidden"), std::string::npos) << first.err;

  const auto second = run("2");
  EXPECT_EQ(second.exit_status, 1) << second.err;
  const auto again = sources_by_url(dir.file("report-2.json"));
  for (const char* path : {"/feed/a.xml", "/feed/b.xml", "/atom.xml", "/gzip.xml"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(again.at(server.url(path))["status"], "not_modified") << again.at(server.url(path)).dump();
    EXPECT_EQ(again.at(server.url(path))["http_status"], 304);
  }
  // The server saw the validators: the second request for a good feed carried If-None-Match.
  const auto log = json::parse(server.get("/_log"));
  std::vector<json> feed_a;
  for (const auto& entry : log) {
    if (entry["path"] == "/feed/a.xml") feed_a.push_back(entry);
  }
  ASSERT_EQ(feed_a.size(), 2u);
  EXPECT_TRUE(feed_a[0]["if_none_match"].is_null());
  EXPECT_EQ(feed_a[1]["if_none_match"], "\"feed-a-v1\"");
  // Failed sources back off: not contacted again, reported as skipped.
  for (const char* path : {"/notfound", "/gone", "/ratelimited"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(again.at(server.url(path))["status"], "skipped") << again.at(server.url(path)).dump();
    EXPECT_EQ(requests_for(server, path), 1u);
  }

  const long rss1 = peak_rss_kb(dir.file("rss-1"));
  const long rss2 = peak_rss_kb(dir.file("rss-2"));
  EXPECT_GT(rss1, 0);
  RecordProperty("peak_rss_kb_first_run", static_cast<int>(rss1));
  RecordProperty("peak_rss_kb_second_run", static_cast<int>(rss2));
  std::printf("peak RSS: first run %ld kB, second run %ld kB\n", rss1, rss2);
}

// rssflow_fetched_bytes_total, in the metrics file the binary writes, counts the bytes as they
// came over the wire: a gzip feed's compressed bytes plus a plain feed's bytes; on the second
// run both answer 304, and no body byte arrives.
TEST(HostileRun, FetchedBytesInTheMetricsFileAreTheBytesAsReceived) {
  HostileServer server;
  TempDir dir;
  testing::write_file(dir.file("sources.opml"), testing::opml_for({server.url("/gzip.xml"), server.url("/feed/c.xml")}));
  const std::size_t on_the_wire = server.get("/gzip.xml").size() + server.get("/feed/c.xml").size();
  for (const std::size_t expected : {on_the_wire, std::size_t{0}}) {
    SCOPED_TRACE(expected);
    const auto result = testing::run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--sink",
                                              "jsonl", "--out", dir.file("out.jsonl"), "--state-file",
                                              dir.file("state.json"), "--metrics-file", dir.file("rssflow.prom"),
                                              "--lock-file", dir.file("lock"), "--force", "--quiet"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const std::string metrics = testing::read_file(dir.file("rssflow.prom"));
    EXPECT_NE(metrics.find("\nrssflow_fetched_bytes_total " + std::to_string(expected) + "\n"), std::string::npos)
        << metrics;
  }
}

}  // namespace
}  // namespace rssflow
