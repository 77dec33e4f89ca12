// Sharding and overlapping runs, end to end: N `rssflow run --shard K/N` processes against one
// PostgreSQL cover every source exactly once; a second run while one holds the lock exits 4.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "tests/servers/hostile_server_process.h"
#include "tests/sinks/postgres_test_db.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::BackgroundProcess;
using testing::CommandResult;
using testing::fresh_schema;
using testing::query_count;
using testing::run_command;
using testing::TempDir;

constexpr std::size_t kFeeds = 80;
constexpr int kShards = 4;

std::vector<std::string> run_args(const std::string& opml, const PostgresOptions& db) {
  return {RSSFLOW_BINARY, "run", "--sources", opml, "--sink", "postgres", "--database-url", db.conninfo,
          "--schema", db.schema, "--quiet"};
}

TEST(ShardedRun, FourShardsAtOnceLoadExactlyTheRowsOfOneUnshardedRun) {
  TempDir dir;
  const std::string opml = dir.file("sources.opml");
  testing::write_file(opml, testing::opml_for(testing::file_urls(testing::corpus_files(kFeeds))));
  const PostgresOptions single = fresh_schema("_single");
  const CommandResult reference = run_command(run_args(opml, single));
  ASSERT_TRUE(reference.exit_status == 0 || reference.exit_status == 1) << reference.err;
  const long long rows = query_count(single, "SELECT count(*) FROM articles");
  ASSERT_GT(rows, 500);

  const PostgresOptions sharded = fresh_schema("_sharded");
  std::vector<std::future<CommandResult>> shards;
  for (int k = 0; k < kShards; ++k) {
    auto args = run_args(opml, sharded);
    args.push_back("--shard");
    args.push_back(std::to_string(k) + "/" + std::to_string(kShards));
    shards.push_back(std::async(std::launch::async, [args] { return run_command(args); }));
  }
  for (auto& shard : shards) {
    const CommandResult result = shard.get();
    EXPECT_TRUE(result.exit_status == 0 || result.exit_status == 1) << result.exit_status << "\n" << result.err;
  }
  EXPECT_EQ(query_count(sharded, "SELECT count(*) FROM articles"), rows);
  EXPECT_EQ(query_count(sharded, "SELECT count(DISTINCT url_hash) FROM articles"), rows);
  // The same articles, identified the same way, whichever process loaded them.
  EXPECT_EQ(query_count(sharded, "SELECT count(*) FROM " + sharded.schema + ".articles s FULL JOIN " + single.schema +
                                     ".articles u USING (url_hash) WHERE s.url_hash IS NULL OR u.url_hash IS NULL"),
            0);
  // Every source was fetched by exactly one shard.
  EXPECT_EQ(query_count(sharded, "SELECT count(*) FROM source_state"),
            query_count(single, "SELECT count(*) FROM source_state"));
}

TEST(OverlappingRuns, ASecondRunWhileTheFirstHoldsTheLockExitsFourAndTheFirstCompletes) {
  testing::HostileServer server;
  TempDir dir;
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  testing::write_file(dir.file("sources.opml"), "<opml version=\"2.0\"><body>\n<outline xmlUrl=\"" + base +
                                                    "/feed/1.xml\"/>\n<outline xmlUrl=\"" + base +
                                                    "/hang\"/>\n</body></opml>\n");
  const PostgresOptions db = fresh_schema();
  auto first_args = run_args(dir.file("sources.opml"), db);
  first_args.back() = "--timeout";  // replaces --quiet: the test waits for run_started on stderr
  first_args.push_back("5");
  BackgroundProcess first(first_args, BackgroundProcess::Pipe::err);
  for (std::string line = first.read_line(); line.find("run_started") == std::string::npos; line = first.read_line()) {
    ASSERT_FALSE(line.empty()) << "the first run ended before it started";
  }
  const CommandResult second = run_command(run_args(dir.file("sources.opml"), db));
  EXPECT_EQ(second.exit_status, 4) << second.err;
  EXPECT_NE(second.err.find("lock"), std::string::npos) << second.err;
  EXPECT_EQ(first.wait(), 1);  // /hang times out: partial, but the good feed is loaded
  EXPECT_GT(query_count(db, "SELECT count(*) FROM articles"), 0);
}

}  // namespace
}  // namespace rssflow
