// End-to-end: the rssflow binary over a loopback HTTP server and local files.
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <iostream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::LoopbackFileServer;
using testing::opml_for;
using testing::TempDir;
using testing::read_file;
using testing::run_command;
using testing::write_file;
namespace fs = std::filesystem;

const std::string kCorpus = std::string(RSSFLOW_TEST_DATA_DIR) + "/realworld";
const std::string kKeywords = std::string(RSSFLOW_SOURCE_DIR) + "/config/keywords.tsv";

std::vector<nlohmann::json> read_records(const std::string& path) {
  std::vector<nlohmann::json> records;
  std::istringstream lines(read_file(path));
  for (std::string line; std::getline(lines, line);) records.push_back(nlohmann::json::parse(line));
  return records;
}

std::vector<std::string> run_args(const TempDir& dir, const std::string& opml, const std::string& out,
                                  const std::string& report) {
  return {RSSFLOW_BINARY, "run",          "--sources",  opml,   "--sink",      "jsonl", "--out",
          out,            "--report",     report,       "--keywords", kKeywords, "--lock-file", dir.file("lock"),
          "--quiet"};
}

TEST(RunCommand, LoadsTheCorpusOverLoopbackHttpOnceAndRerunsToTheSameSet) {
  LoopbackFileServer server(kCorpus);
  TempDir dir;
  std::vector<std::string> urls;
  for (const auto& path : testing::corpus_files()) urls.push_back(server.url(fs::path(path).filename().string()));
  write_file(dir.file("sources.opml"), opml_for(urls));

  const auto first = run_command(run_args(dir, dir.file("sources.opml"), dir.file("out1.jsonl"), dir.file("report1.json")));
  ASSERT_TRUE(first.exit_status == 0 || first.exit_status == 1) << first.err;
  const auto report = nlohmann::json::parse(read_file(dir.file("report1.json")));
  EXPECT_EQ(report["exit_status"].get<int>(), first.exit_status);
  EXPECT_EQ(report["totals"]["sources"].get<std::size_t>(), urls.size());
  for (const auto& source : report["sources"]) {
    // The server serves every file: whatever failed, failed in parsing, with its own reason.
    if (source["status"] == "failed") {
      EXPECT_EQ(source["error"]["stage"], "parse") << source.dump();
      EXPECT_FALSE(source["error"]["message"].get<std::string>().empty()) << source.dump();
    }
  }
  EXPECT_GT(report["totals"]["ok"].get<std::size_t>(), urls.size() * 9 / 10) << first.err;

  const auto records = read_records(dir.file("out1.jsonl"));
  EXPECT_EQ(records.size(), report["totals"]["records"].get<std::size_t>());
  EXPECT_GT(records.size(), 2000u);
  std::set<std::string> first_hashes;
  for (const auto& r : records) {
    ASSERT_EQ(r["url_hash"].get<std::string>().size(), 32u);
    EXPECT_TRUE(first_hashes.insert(r["url_hash"].get<std::string>()).second) << "duplicate record " << r.dump();
  }

  const auto second = run_command(run_args(dir, dir.file("sources.opml"), dir.file("out2.jsonl"), dir.file("report2.json")));
  EXPECT_EQ(second.exit_status, first.exit_status) << second.err;
  std::set<std::string> second_hashes;
  for (const auto& r : read_records(dir.file("out2.jsonl"))) second_hashes.insert(r["url_hash"].get<std::string>());
  EXPECT_EQ(first_hashes, second_hashes);
}

// The bundled offline snapshot (what scripts/demo.sh loads): relative links resolve against
// each feed's own site, so no file: URL reaches the records; OPML groups become categories;
// tags, images and languages are there.
TEST(RunCommand, SnapshotRecordsHaveWebUrlsCategoriesTagsAndImages) {
  TempDir dir;
  const auto result = run_command(run_args(dir, std::string(RSSFLOW_SOURCE_DIR) + "/config/snapshot/sources.opml",
                                           dir.file("out.jsonl"), dir.file("report.json")));
  ASSERT_LE(result.exit_status, 1) << result.err;
  const auto records = read_records(dir.file("out.jsonl"));
  ASSERT_GT(records.size(), 1000u);
  std::size_t tagged = 0, categorised = 0, with_image = 0, with_language = 0;
  for (const auto& r : records) {
    const std::string url = r["url"];
    EXPECT_FALSE(url.starts_with("file:")) << r["feed_url"] << " " << url;
    if (!r["keywords"].empty()) ++tagged;
    if (!r["categories"].empty()) ++categorised;
    if (!r["image_url"].is_null()) ++with_image;
    if (!r["language"].is_null()) ++with_language;
  }
  std::cout << records.size() << " records: " << tagged << " tagged, " << categorised << " with categories, "
            << with_image << " with an image, " << with_language << " with a language\n";
  EXPECT_EQ(categorised, records.size());  // every bundled source sits in an OPML group
  EXPECT_GT(tagged, records.size() / 3);
  EXPECT_GT(with_image, records.size() / 10);
  EXPECT_GT(with_language, records.size() * 9 / 10);
}

TEST(RunCommand, RecordsCarryTheContractFields) {
  TempDir dir;
  write_file(dir.file("feed.xml"), R"(<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>https://blog.example/</link>
<item><title>Kubernetes &amp; Go at scale</title><link>https://blog.example/k8s?utm_source=rss</link>
<guid isPermaLink="false">post-1</guid><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>
<description>&lt;p&gt;We moved our &lt;b&gt;k8s&lt;/b&gt; clusters.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>
<category>Ops</category></item>
</channel></rss>)");
  write_file(dir.file("sources.opml"), opml_for({"feed.xml"}));
  const auto result = run_command(run_args(dir, dir.file("sources.opml"), dir.file("out.jsonl"), dir.file("report.json")));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const auto records = read_records(dir.file("out.jsonl"));
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0];
  EXPECT_EQ(r["url"], "https://blog.example/k8s");
  EXPECT_EQ(r["guid"], "post-1");
  EXPECT_EQ(r["title"], "Kubernetes & Go at scale");
  EXPECT_EQ(r["published_at"], "2003-06-10T04:00:00Z");
  EXPECT_EQ(r["summary"], "We moved our k8s clusters.");
  EXPECT_EQ(r["categories"], nlohmann::json::array({"Ops"}));
  EXPECT_NE(std::find(r["keywords"].begin(), r["keywords"].end(), "kubernetes"), r["keywords"].end()) << r.dump();
  for (const char* field : {"author", "content_text", "feed_url", "content_hash", "fetched_at"}) {
    EXPECT_TRUE(r.contains(field)) << field;
  }
  EXPECT_EQ(r["feed_url"].get<std::string>().rfind("file://", 0), 0u);
}

TEST(RunCommand, ExitsTwoOnAMissingSourcesFileAndDoesNothing) {
  TempDir dir;
  const auto result = run_command({RSSFLOW_BINARY, "run", "--sources", dir.file("missing.opml"), "--out", dir.file("out.jsonl")});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.err.find("missing.opml"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir.file("out.jsonl")));
}

TEST(RunCommand, ExitsFourWhileAnotherRunHoldsTheLock) {
  TempDir dir;
  write_file(dir.file("sources.opml"), opml_for({}));
  const int fd = ::open(dir.file("lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ASSERT_EQ(::write(fd, "4242\n", 5), 5);  // what RunLock writes for humans
  const auto result = run_command(run_args(dir, dir.file("sources.opml"), dir.file("out.jsonl"), dir.file("report.json")));
  ::close(fd);
  EXPECT_EQ(result.exit_status, 4) << result.err;
  EXPECT_NE(result.err.find("(pid 4242)"), std::string::npos) << "names the holder: " << result.err;
  EXPECT_FALSE(fs::exists(dir.file("out.jsonl")));
}

TEST(RunCommand, AnOutputFolderThatDoesNotExistIsAConfigurationError) {
  TempDir dir;
  write_file(dir.file("sources.opml"), opml_for({}));
  const auto result = run_command(run_args(dir, dir.file("sources.opml"), dir.file("no/such/dir/out.jsonl"), dir.file("report.json")));
  EXPECT_EQ(result.exit_status, 2) << result.err;  // found before anything is fetched
  EXPECT_NE(result.err.find("no/such/dir"), std::string::npos) << result.err;
}

TEST(RunCommand, ExitsThreeWhenTheSinkFailsToWrite) {
  TempDir dir;
  write_file(dir.file("feed.xml"), R"(<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://a.example/1</link></item></channel></rss>)");
  write_file(dir.file("sources.opml"), opml_for({"feed.xml"}));
  const auto result = run_command(run_args(dir, dir.file("sources.opml"), "/dev/full", dir.file("report.json")));
  EXPECT_EQ(result.exit_status, 3) << result.err;
  EXPECT_NE(result.err.find("/dev/full"), std::string::npos) << result.err;
}

TEST(RunCommand, ReportsABadSourceByNameAndLoadsTheOthers) {
  TempDir dir;
  write_file(dir.file("good.xml"), R"(<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://a.example/1</link></item></channel></rss>)");
  write_file(dir.file("broken.xml"), "<html><body>not a feed</body></html>");
  write_file(dir.file("sources.opml"), opml_for({"good.xml", "broken.xml", "absent.xml"}));
  const auto result = run_command(run_args(dir, dir.file("sources.opml"), dir.file("out.jsonl"), dir.file("report.json")));
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_EQ(read_records(dir.file("out.jsonl")).size(), 1u);
  EXPECT_NE(result.err.find("broken.xml"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("absent.xml"), std::string::npos) << result.err;
  const auto report = nlohmann::json::parse(read_file(dir.file("report.json")));
  EXPECT_EQ(report["totals"]["failed"], 2);
  EXPECT_EQ(report["totals"]["ok"], 1);
}

TEST(ParseCommand, PrintsEveryEntryInDocumentOrderAndNamesUnreadableInputs) {
  TempDir dir;
  write_file(dir.file("feed.xml"), R"(<rss version="2.0"><channel><title>T</title>
<item><title>First</title><link>https://a.example/same</link></item>
<item><title>Second</title><link>https://a.example/same</link></item>
<item><title>Third</title><link>https://a.example/3</link></item></channel></rss>)");
  const auto result = run_command({RSSFLOW_BINARY, "parse", "--keywords", kKeywords, dir.file("feed.xml"), dir.file("absent.xml")});
  EXPECT_EQ(result.exit_status, 1);
  std::istringstream lines(result.out);
  std::vector<std::string> titles;
  for (std::string line; std::getline(lines, line);) titles.push_back(nlohmann::json::parse(line)["title"]);
  EXPECT_EQ(titles, (std::vector<std::string>{"First", "Second", "Third"}));  // no dedupe in parse
  EXPECT_NE(result.err.find("absent.xml"), std::string::npos) << result.err;
}

TEST(Cli, UsageErrorsExitTwoAndNameTheOption) {
  const auto bad_shard = run_command({RSSFLOW_BINARY, "run", "--shard", "4/4"});
  EXPECT_EQ(bad_shard.exit_status, 2);
  EXPECT_NE(bad_shard.err.find("--shard"), std::string::npos) << bad_shard.err;
  const auto bad_sink = run_command({RSSFLOW_BINARY, "run", "--sink", "kafka"});
  EXPECT_EQ(bad_sink.exit_status, 2);
  EXPECT_NE(bad_sink.err.find("--sink"), std::string::npos) << bad_sink.err;
  const auto version = run_command({RSSFLOW_BINARY, "--version"});
  EXPECT_EQ(version.exit_status, 0);
  EXPECT_NE(version.out.find("rssflow "), std::string::npos);
}

}  // namespace
}  // namespace rssflow
