// What an operator sees: configuration errors caught before any fetch (exit 2, one line,
// nothing fetched), the run_finished and progress events, and JSON Lines delta output.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
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
namespace fs = std::filesystem;

const std::string kKeywords = std::string(RSSFLOW_SOURCE_DIR) + "/config/keywords.tsv";

// A loopback port that accepts connections into its backlog and never answers: after a
// command has exited, a pending connection means it tried to fetch. No thread, no timing.
class ConnectionCounter {
 public:
  ConnectionCounter() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~ConnectionCounter() { ::close(fd_); }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // Connections made so far (each accepted and closed).
  int connections() {
    int n = 0;
    for (int client; (client = ::accept(fd_, nullptr, nullptr)) >= 0; ++n) ::close(client);
    return n;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Each case must exit 2 with exactly one line on stderr naming `expected`, and fetch nothing.
struct ConfigErrorCase {
  std::string name;
  std::vector<std::string> args;  // after the binary; "SOURCES" and "DIR/" are substituted
  std::string expected;
};

TEST(ConfigErrors, ExitTwoWithOneLineBeforeAnyFetch) {
  ConnectionCounter server;
  TempDir dir;
  write_file(dir.file("sources.opml"), opml_for({server.url("/feed.xml")}));
  write_file(dir.file("plain-file"), "x");
  const std::vector<ConfigErrorCase> cases = {
      {"unknown subcommand", {"frobnicate"}, "unknown command 'frobnicate'"},
      {"misspelt subcommand", {"rnu"}, "did you mean 'run'?"},
      {"unknown flag", {"run", "--concurrecny", "4"}, "unknown option --concurrecny: did you mean --concurrency?"},
      {"malformed database URL", {"run", "--sink", "postgres", "--database-url", "notaurl://x"}, "--database-url"},
      {"migrate with a malformed database URL", {"migrate", "--database-url", "notaurl://x"}, "--database-url"},
      {"lock in a missing folder", {"run", "--lock-file", "/nonexistent/l"}, "--lock-file /nonexistent/l"},
      {"state file in a missing folder", {"run", "--state-file", "DIR/missing/state.json"}, "--state-file"},
      {"report under a plain file", {"run", "--report", "DIR/plain-file/report.json"}, "--report"},
      {"metrics file is a folder", {"run", "--metrics-file", "DIR/"}, "--metrics-file"},
      {"output in a missing folder", {"run", "--out", "DIR/missing/{run_id}.jsonl"}, "--out"},
      {"quiet and verbose", {"run", "-q", "-v"}, "--quiet"},
      {"--all with postgres", {"run", "--sink", "postgres", "--all"}, "--all"},
      {"prune without a duration", {"prune", "--older-than", "soon"}, "--older-than"},
  };
  for (const ConfigErrorCase& c : cases) {
    std::vector<std::string> argv{RSSFLOW_BINARY};
    for (std::string arg : c.args) {
      if (arg.rfind("DIR/", 0) == 0) arg = dir.path() + arg.substr(3);
      argv.push_back(arg);
    }
    if (c.args[0] == "run") {
      argv.insert(argv.end(), {"--sources", dir.file("sources.opml"), "--keywords", kKeywords});
      if (std::find(c.args.begin(), c.args.end(), "--lock-file") == c.args.end()) {
        argv.push_back("--lock-file");
        argv.push_back(dir.file("lock"));
      }
      if (std::find(c.args.begin(), c.args.end(), "--out") == c.args.end()) {
        argv.push_back("--out");
        argv.push_back(dir.file("out.jsonl"));
      }
    }
    const auto result = run_command(argv);
    EXPECT_EQ(result.exit_status, 2) << c.name << ": " << result.err;
    const auto lines = lines_of(result.err);
    EXPECT_EQ(lines.size(), 1u) << c.name << ":\n" << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << c.name << ": " << result.err;
    EXPECT_EQ(server.connections(), 0) << c.name << ": something was fetched";
  }
  EXPECT_FALSE(fs::exists(dir.file("out.jsonl")));
  // The control: the same command line without the error does fetch.
  const auto ok = run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--keywords", kKeywords,
                               "--lock-file", dir.file("lock"), "--out", dir.file("out.jsonl"), "--timeout", "1", "-q"});
  EXPECT_EQ(ok.exit_status, 1) << ok.err;  // the server never answers
  EXPECT_GE(server.connections(), 1);
}

nlohmann::json last_event(const std::string& err, const std::string& name) {
  nlohmann::json found;
  for (const std::string& line : lines_of(err)) {
    const auto event = nlohmann::json::parse(line);  // every line is JSON
    if (event["event"] == name) found = event;
  }
  return found;
}

TEST(RunEvents, RunFinishedInBothFormatsWithNumbersAsJsonNumbers) {
  TempDir dir;
  write_file(dir.file("feed.xml"), R"(<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://a.example/1</link></item>
<item><title>Two</title><link>https://a.example/2</link></item></channel></rss>)");
  write_file(dir.file("sources.opml"), opml_for({"feed.xml", "missing.xml"}));
  const std::vector<std::string> common{RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--keywords", kKeywords,
                                        "--lock-file", dir.file("lock"), "--out", dir.file("out.jsonl")};
  auto json_args = common;
  json_args.insert(json_args.end(), {"--log-format", "json"});
  const auto json_run = run_command(json_args);
  EXPECT_EQ(json_run.exit_status, 1) << json_run.err;
  const nlohmann::json finished = last_event(json_run.err, "run_finished");  // also: no plain-text line
  ASSERT_FALSE(finished.is_null()) << json_run.err;
  EXPECT_EQ(finished["status"], "partial");
  EXPECT_EQ(finished["exit_code"], 1);
  EXPECT_EQ(finished["sources"], 2);
  EXPECT_EQ(finished["ok"], 1);
  EXPECT_EQ(finished["failed"], 1);
  EXPECT_EQ(finished["records"], 2);
  EXPECT_EQ(finished["written"], 2);
  EXPECT_TRUE(finished["duration_seconds"].is_number()) << finished;
  EXPECT_EQ(finished["level"], "warn");
  EXPECT_TRUE(last_event(json_run.err, "run_started")["sources"].is_number());

  const auto logfmt_run = run_command(common);
  EXPECT_EQ(logfmt_run.exit_status, 1);
  const auto lines = lines_of(logfmt_run.err);
  const auto it = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.find("event=run_finished") != std::string::npos; });
  ASSERT_NE(it, lines.end()) << logfmt_run.err;
  for (const char* field : {" status=partial", " exit_code=1", " sources=2", " failed=1", " written=2", " unchanged=0", " duration_seconds="}) {
    EXPECT_NE(it->find(field), std::string::npos) << field << " in " << *it;
  }
  // Without --state-file a run has no memory of earlier ones: it writes every record again.
  EXPECT_NE(logfmt_run.err.find("rssflow run: 2 sources"), std::string::npos) << "logfmt keeps the human summary";
}

TEST(RunEvents, ProgressEventsWhileSourcesAreStillInFlight) {
  testing::HostileServer server;
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  TempDir dir;
  write_file(dir.file("sources.opml"), opml_for({base + "/feed/1.xml", base + "/hang"}));
  // stderr is a pipe, not a terminal: progress comes as events.
  BackgroundProcess run({RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--keywords", kKeywords, "--out",
                         dir.file("out.jsonl"), "--lock-file", dir.file("lock"), "--log-format", "json",
                         "--progress-interval", "0.05", "--timeout", "5"},
                        BackgroundProcess::Pipe::err);
  nlohmann::json progress;
  for (std::string line = run.read_line();; line = run.read_line()) {
    ASSERT_FALSE(line.empty()) << "rssflow ended without a progress event after the first source";
    const auto event = nlohmann::json::parse(line);
    if (event["event"] == "progress" && event["done"] == 1) {
      progress = event;
      break;
    }
  }
  // /hang is still in flight: the run is not finished, and the event says so.
  EXPECT_EQ(progress["total"], 2);
  EXPECT_EQ(progress["ok"], 1);
  EXPECT_EQ(progress["failed"], 0);
  EXPECT_TRUE(progress["elapsed_seconds"].is_number());
  EXPECT_TRUE(progress["remaining_seconds"].is_number());
  ASSERT_EQ(kill(run.pid(), SIGKILL), 0);  // how a run stops is another test's subject
  run.wait();
}

std::vector<std::string> titles_in(const std::string& path) {
  std::vector<std::string> titles;
  for (const std::string& line : lines_of(read_file(path))) titles.push_back(nlohmann::json::parse(line)["title"]);
  std::sort(titles.begin(), titles.end());
  return titles;
}

TEST(JsonLinesDelta, EachRunWritesOnlyNewOrChangedRecordsAndAllWritesEverything) {
  TempDir dir;
  const auto feed = [&](const std::string& second_title, bool third) {
    write_file(dir.file("feed.xml"), "<rss version=\"2.0\"><channel><title>T</title>"
                                     "<item><title>One</title><link>https://a.example/1</link></item>"
                                     "<item><title>" + second_title + "</title><link>https://a.example/2</link></item>" +
                                         (third ? "<item><title>Three</title><link>https://a.example/3</link></item>" : "") +
                                         "</channel></rss>");
  };
  write_file(dir.file("sources.opml"), opml_for({"feed.xml"}));
  const auto run = [&](const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--keywords", kKeywords,
                                  "--lock-file", dir.file("lock"), "--state-file", dir.file("state.json"), "--out",
                                  dir.file(out), "--metrics-file", dir.file("rssflow.prom"), "-q"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const auto result = run_command(argv);
    EXPECT_EQ(result.exit_status, 0) << result.err;
  };
  feed("Two", false);
  run("run1.jsonl");
  EXPECT_EQ(titles_in(dir.file("run1.jsonl")), (std::vector<std::string>{"One", "Two"}));
  // Second run: one item changed, one is new, one is as before.
  feed("Two, corrected", true);
  run("run2-{run_id}.jsonl");
  std::vector<fs::path> second;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("run2-", 0) == 0) second.push_back(entry.path());
  }
  ASSERT_EQ(second.size(), 1u) << "{run_id} expands to one file name";
  EXPECT_EQ(titles_in(second[0].string()), (std::vector<std::string>{"Three", "Two, corrected"}));
  EXPECT_NE(read_file(dir.file("rssflow.prom")).find("rssflow_load_rows_total{result=\"written\"} 2\n"), std::string::npos);
  // Third run: nothing changed, so an empty file; --all writes every record seen.
  run("run3.jsonl");
  EXPECT_EQ(read_file(dir.file("run3.jsonl")), "");
  run("run4.jsonl", {"--all"});
  EXPECT_EQ(titles_in(dir.file("run4.jsonl")), (std::vector<std::string>{"One", "Three", "Two, corrected"}));
  // No temporary file is left behind next to the outputs.
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace rssflow
