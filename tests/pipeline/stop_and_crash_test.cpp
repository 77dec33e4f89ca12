// The binary under signals: a real SIGSEGV while parsing a poisoned feed (the next run
// quarantines it and loads the rest), SIGTERM with transfers held open (exit 1 within the
// grace period + 2 s, state saved), and a second SIGTERM (exit at once, nothing written).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/servers/hostile_server_process.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::BackgroundProcess;
using testing::opml_for;
using testing::read_file;
using testing::run_command;
using testing::TempDir;
using testing::write_file;
using Json = nlohmann::json;

const std::string kKeywords = std::string(RSSFLOW_SOURCE_DIR) + "/config/keywords.tsv";

std::string feed(const std::string& name) {
  return R"(<rss version="2.0"><channel><title>)" + name + R"(</title><item><title>)" + name +
         R"( one</title><link>https://example.com/)" + name + R"(/1</link></item></channel></rss>)";
}

const Json* source_in(const Json& report, const std::string& url_part) {
  for (const Json& source : report["sources"]) {
    if (source["url"].get<std::string>().find(url_part) != std::string::npos) return &source;
  }
  return nullptr;
}

// Blocks until the server has received `count` requests for `path` (no sleeping: each check
// is a request to the server's own log).
void wait_for_requests(const testing::HostileServer& server, const std::string& path, std::size_t count) {
  for (;;) {
    std::size_t seen = 0;
    for (const Json& entry : Json::parse(server.get("/_log"))) {
      if (entry["path"].get<std::string>().rfind(path, 0) == 0) ++seen;
    }
    if (seen >= count) return;
    std::this_thread::yield();
  }
}

TEST(RunCrash, FeedThatKillsTheRunIsQuarantinedByTheNextRunWhichLoadsTheRest) {
  TempDir dir;
  for (const char* name : {"a", "b", "poisoned", "c"}) write_file(dir.file(std::string(name) + ".xml"), feed(name));
  write_file(dir.file("sources.opml"), opml_for({"a.xml", "b.xml", "poisoned.xml", "c.xml"}));
  const std::vector<std::string> args{RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--out",
                                      dir.file("out.jsonl"), "--state-file", dir.file("state.json"), "--report",
                                      dir.file("report.json"), "--keywords", kKeywords, "--lock-file", dir.file("lock")};
  // A real SIGSEGV, raised while poisoned.xml is being parsed; the hook stays set for every
  // run below, so a run that parsed the feed again would die again.
  const std::vector<std::string> env{"RSSFLOW_TEST_CRASH_WHILE_PARSING=poisoned.xml"};

  const auto crashed = run_command(args, env);
  EXPECT_EQ(crashed.exit_status, 128 + SIGSEGV) << crashed.err;
  EXPECT_NE(crashed.err.find("fatal_signal"), std::string::npos) << crashed.err;
  EXPECT_NE(crashed.err.find("SIGSEGV"), std::string::npos) << crashed.err;
  // The line of the thread the signal hit names the poisoned feed (other threads' sources may
  // be named too, as "other": they are not quarantined).
  std::string faulting_line;
  for (std::size_t at = 0; at < crashed.err.size();) {
    const std::size_t end = std::min(crashed.err.find('\n', at), crashed.err.size());
    const std::string line = crashed.err.substr(at, end - at);
    if (line.find("fatal_signal_while_parsing") != std::string::npos && line.find("faulting") != std::string::npos) {
      faulting_line = line;
    }
    at = end + 1;
  }
  EXPECT_NE(faulting_line.find("poisoned.xml"), std::string::npos) << crashed.err;

  const auto next = run_command(args, env);
  ASSERT_EQ(next.exit_status, 1) << next.err;
  const Json report = Json::parse(read_file(dir.file("report.json")));
  EXPECT_EQ(report["totals"]["ok"], 3) << report.dump(2);
  const Json* poisoned = source_in(report, "poisoned.xml");
  ASSERT_NE(poisoned, nullptr);
  EXPECT_EQ((*poisoned)["status"], "failed");
  EXPECT_EQ((*poisoned)["error"]["code"], "crashed_previous_run");
  const Json state = Json::parse(read_file(dir.file("state.json")));
  for (const auto& [url, entry] : state["sources"].items()) {
    if (url.find("poisoned.xml") == std::string::npos) continue;
    EXPECT_EQ(entry["consecutive_failures"], 1);
    EXPECT_FALSE(entry["next_attempt_at"].is_null()) << "quarantine comes with a backoff";
    EXPECT_NE(entry["last_error"].get<std::string>().find("crashed_previous_run"), std::string::npos);
  }
  EXPECT_EQ(read_file(dir.file("lock.inflight")), "") << "a run that ended leaves nothing in flight";

  // The run after that: the feed is backing off; still no crash.
  const auto later = run_command(args, env);
  EXPECT_EQ(later.exit_status, 1) << later.err;
  const Json skipped = Json::parse(read_file(dir.file("report.json")));
  ASSERT_NE(source_in(skipped, "poisoned.xml"), nullptr);
  EXPECT_EQ((*source_in(skipped, "poisoned.xml"))["status"], "skipped");
  // The other three sent the bodies of the run before: unchanged, not parsed again.
  EXPECT_EQ(skipped["totals"]["unchanged"], 3) << skipped.dump(2);
}

TEST(RunStop, SigtermAbortsHeldTransfersAfterTheGraceAndExitsOneWithStateSaved) {
  testing::HostileServer server;
  TempDir dir;
  std::vector<std::string> urls{server.url("/feed/1.xml"), server.url("/feed/2.xml")};
  for (int i = 0; i < 4; ++i) urls.push_back(server.url("/hang?stop-" + std::to_string(i)));
  write_file(dir.file("sources.opml"), opml_for(urls));
  BackgroundProcess run({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--out", dir.file("out.jsonl"),
                         "--state-file", dir.file("state.json"), "--report", dir.file("report.json"),
                         "--metrics-file", dir.file("rssflow.prom"), "--keywords", kKeywords, "--lock-file",
                         dir.file("lock"), "--per-host", "8", "--timeout", "600", "--stop-grace", "1"},
                        BackgroundProcess::Pipe::err);
  wait_for_requests(server, "/hang?stop-", 4);  // every hang is in flight, held open by the server
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(run.pid(), SIGTERM), 0);
  std::string log;
  for (std::string line = run.read_line(); !line.empty(); line = run.read_line()) log += line;
  const int status = run.wait();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - signalled;
  EXPECT_EQ(status, 1) << log;
  // The contract: grace (1 s) + 2 s; one more second of slack for a loaded machine.
  EXPECT_LT(took.count(), 4.0) << log;
  std::printf("SIGTERM to exit: %.3f s with --stop-grace 1\n", took.count());
  EXPECT_NE(log.find("run_stop_requested"), std::string::npos) << log;
  EXPECT_NE(log.find("SIGTERM"), std::string::npos) << log;

  const Json report = Json::parse(read_file(dir.file("report.json")));
  EXPECT_TRUE(report["interrupted"].get<bool>());
  EXPECT_EQ(report["totals"]["ok"], 2);
  for (int i = 0; i < 4; ++i) {
    const Json* hang = source_in(report, "/hang?stop-" + std::to_string(i));
    ASSERT_NE(hang, nullptr);
    EXPECT_EQ((*hang)["error"]["code"], "interrupted");
  }
  const Json state = Json::parse(read_file(dir.file("state.json")));
  EXPECT_TRUE(state["sources"].contains(server.url("/feed/1.xml"))) << state.dump(2);
  EXPECT_NE(read_file(dir.file("rssflow.prom")).find("reason=\"interrupted\""), std::string::npos);
  EXPECT_NE(read_file(dir.file("out.jsonl")).find("Feed 1 item 0"), std::string::npos);
}

TEST(RunStop, SecondSigtermEndsTheRunAtOnceWithoutWritingTheOutput) {
  testing::HostileServer server;
  TempDir dir;
  write_file(dir.file("sources.opml"), opml_for({server.url("/feed/1.xml"), server.url("/hang?twice")}));
  BackgroundProcess run({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--out", dir.file("out.jsonl"),
                         "--keywords", kKeywords, "--lock-file", dir.file("lock"), "--timeout", "600",
                         "--stop-grace", "600"},
                        BackgroundProcess::Pipe::err);
  wait_for_requests(server, "/hang?twice", 1);
  ASSERT_EQ(kill(run.pid(), SIGTERM), 0);
  for (std::string line = run.read_line(); line.find("run_stop_requested") == std::string::npos; line = run.read_line()) {
    ASSERT_FALSE(line.empty()) << "rssflow ended before logging the first signal";
  }
  ASSERT_EQ(kill(run.pid(), SIGTERM), 0);
  EXPECT_EQ(run.wait(), 128 + SIGTERM);
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl"))) << "the output is replaced only by a finished run";
}

}  // namespace
}  // namespace rssflow
