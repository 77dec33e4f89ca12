// `rssflow run` as a hostile feed and a careless source list would try it (issue 10): a
// password in an xmlUrl and a netrc-authenticated private feed leak into no output, the
// private feed loads, output files are created owner/group only, a reason phrase with
// terminal escapes is printed escaped, and no non-http(s) link is stored.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/servers/hostile_server_process.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using nlohmann::json;
using testing::HostileServer;
using testing::TempDir;

constexpr const char* kOpmlPassword = "topsecret-pw";
constexpr const char* kNetrcPassword = "s3cret-pw";

int mode_of(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 0777) : -1;
}

TEST(SecurityRun, SecretsStayOutOfEveryOutputAndLinksStayHttp) {
  HostileServer server;
  TempDir dir;
  const std::string with_password = "http://reader:" + std::string(kOpmlPassword) + "@127.0.0.1:" +
                                    std::to_string(server.port()) + "/feed/pw.xml";
  testing::write_file(dir.file("sources.opml"),
                      testing::opml_for({with_password, server.url("/private/feed.xml"), server.url("/escape-reason"),
                                         server.url("/dangerous-links.xml")}));
  testing::write_file(dir.file("netrc"), "machine 127.0.0.1 login reader password " + std::string(kNetrcPassword) + "\n");
  ASSERT_EQ(::chmod(dir.file("netrc").c_str(), 0644), 0);
  const std::vector<std::string> argv = {RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--out",
                                         dir.file("out.jsonl"), "--state-file", dir.file("state.json"), "--report",
                                         dir.file("report.json"), "--metrics-file", dir.file("metrics.prom"),
                                         "--netrc", dir.file("netrc"), "--lock-file", dir.file("lock"), "--verbose",
                                         "--timeout", "5"};

  const auto refused = testing::run_command(argv);
  EXPECT_EQ(refused.exit_status, 2) << "a netrc others can read is refused";
  EXPECT_NE(refused.err.find("chmod 600"), std::string::npos) << refused.err;

  ASSERT_EQ(::chmod(dir.file("netrc").c_str(), 0600), 0);
  const auto run = testing::run_command(argv);
  EXPECT_EQ(run.exit_status, 1) << run.err;  // /escape-reason fails

  const std::string out = testing::read_file(dir.file("out.jsonl"));
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"stdout", run.out}, {"stderr", run.err}, {"out.jsonl", out},
           {"report.json", testing::read_file(dir.file("report.json"))},
           {"state.json", testing::read_file(dir.file("state.json"))},
           {"metrics.prom", testing::read_file(dir.file("metrics.prom"))}}) {
    EXPECT_EQ(text.find(kOpmlPassword), std::string::npos) << name << " shows the OPML password";
    EXPECT_EQ(text.find(kNetrcPassword), std::string::npos) << name << " shows the netrc password";
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << name << " carries a raw escape";
  }
  EXPECT_NE(run.err.find("\\x1b]0;pwned"), std::string::npos) << "the reason phrase is shown escaped:\n" << run.err;
  EXPECT_EQ(mode_of(dir.file("state.json")), 0600);
  EXPECT_EQ(mode_of(dir.file("report.json")), 0640);
  EXPECT_EQ(mode_of(dir.file("metrics.prom")), 0640);

  std::map<std::string, int> records_by_feed;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const json record = json::parse(line);
    const std::string feed = record["feed_url"].get<std::string>();
    ++records_by_feed[feed];
    const std::string url = record["url"].get<std::string>();
    EXPECT_TRUE(url.empty() || url.starts_with("http://") || url.starts_with("https://")) << feed << ": " << url;
  }
  EXPECT_EQ(records_by_feed[server.url("/feed/pw.xml")], 3) << "the OPML-password feed loads under its clean URL";
  EXPECT_EQ(records_by_feed[server.url("/private/feed.xml")], 3) << "the netrc feed loads";
  EXPECT_EQ(records_by_feed[server.url("/dangerous-links.xml")], 9) << "dangerous links drop the link, not the entry";
}

}  // namespace
}  // namespace rssflow
