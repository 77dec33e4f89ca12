// `rssflow prune` against a real PostgreSQL: old articles go in batches (by publication date,
// else first seen), newer ones stay, unlisted sources lose their fetch state; --dry-run only
// counts. Logs and metrics say what happened.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "tests/sinks/postgres_test_db.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::query_count;
using testing::query_value;
using testing::read_file;
using testing::run_command;
using testing::TempDir;
using testing::write_file;

void exec(const PostgresOptions& options, const std::string& sql) {
  pqxx::connection conn(options.conninfo);
  pqxx::work tx(conn);
  tx.exec("SET LOCAL search_path TO " + tx.quote_name(options.schema));
  tx.exec(sql);
  tx.commit();
}

// An article row; dates are SQL expressions relative to now().
std::string article(const std::string& id, const std::string& published, const std::string& first_seen) {
  return "INSERT INTO articles (url_hash, url, guid, title, summary, content_text, feed_url, content_hash, fetched_at,"
         " published_at, first_seen_at) VALUES (decode(md5('" + id + "'), 'hex'), 'https://a.example/" + id + "', '" + id +
         "', 'T " + id + "', '', '', 'https://a.example/feed', decode(md5('c" + id + "'), 'hex'), now(), " + published +
         ", " + first_seen + ");";
}

class Prune : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = testing::fresh_schema();
    const auto migrate = run_command({RSSFLOW_BINARY, "migrate", "--database-url", options_.conninfo, "--schema", options_.schema});
    ASSERT_EQ(migrate.exit_status, 0) << migrate.err;
    std::string sql;
    // Old by publication date (5 of them, so several batches of 2).
    for (int i = 0; i < 5; ++i) sql += article("old" + std::to_string(i), "now() - interval '100 days'", "now() - interval '1 day'");
    // Undated, first seen long ago: old too.
    sql += article("undated-old", "NULL", "now() - interval '40 days'");
    // Newer than the cut: published recently though first seen long ago, undated but seen
    // recently, and one just inside the cut.
    sql += article("recent", "now() - interval '2 days'", "now() - interval '200 days'");
    sql += article("undated-new", "NULL", "now() - interval '1 day'");
    sql += article("edge", "now() - interval '29 days 23 hours'", "now()");
    exec(options_, sql);
    exec(options_, "INSERT INTO source_state (url) VALUES ('https://listed.example/feed'), ('https://gone.example/feed'),"
                   " ('https://also-gone.example/feed')");
    write_file(dir_.file("sources.opml"), testing::opml_for({"https://listed.example/feed", "https://new.example/feed"}));
  }

  testing::CommandResult prune(std::vector<std::string> extra) {
    std::vector<std::string> argv{RSSFLOW_BINARY, "prune", "--older-than", "30d", "--database-url", options_.conninfo,
                                  "--schema", options_.schema, "--sources", dir_.file("sources.opml"), "--batch-rows", "2",
                                  "--metrics-file", dir_.file("prune.prom"), "--verbose"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
  }

  long long articles() { return query_count(options_, "SELECT count(*) FROM articles"); }

  PostgresOptions options_;
  TempDir dir_;
};

TEST_F(Prune, DryRunCountsAndDeletesNothing) {
  const auto result = prune({"--dry-run"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(articles(), 9);
  EXPECT_EQ(query_count(options_, "SELECT count(*) FROM source_state"), 3);
  EXPECT_NE(result.err.find("event=prune_finished status=dry_run"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("articles_to_delete=6 source_states_to_delete=2"), std::string::npos) << result.err;
  const std::string metrics = read_file(dir_.file("prune.prom"));
  EXPECT_NE(metrics.find("rssflow_prune_dry_run 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("rssflow_prune_rows_total{table=\"articles\"} 6\n"), std::string::npos) << metrics;
  const auto check = run_command({"sh", "-c", "promtool check metrics < \"$0\"", dir_.file("prune.prom")});
  EXPECT_EQ(check.exit_status, 0) << check.out << check.err;
}

TEST_F(Prune, DeletesOldArticlesInBatchesAndTheStateOfUnlistedSources) {
  const auto result = prune({});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(query_count(options_, "SELECT count(*) FROM articles WHERE guid LIKE 'old%' OR guid = 'undated-old'"), 0);
  EXPECT_EQ(query_count(options_, "SELECT count(*) FROM articles WHERE guid IN ('recent', 'undated-new', 'edge')"), 3);
  EXPECT_EQ(articles(), 3);
  EXPECT_EQ(query_value(options_, "SELECT string_agg(url, ' ' ORDER BY url) FROM source_state"), "https://listed.example/feed");
  EXPECT_NE(result.err.find("articles_deleted=6 source_states_deleted=2 batches=3"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("event=prune_batch articles_deleted=2"), std::string::npos) << result.err;
  const std::string metrics = read_file(dir_.file("prune.prom"));
  EXPECT_NE(metrics.find("rssflow_prune_rows_total{table=\"source_state\"} 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("rssflow_prune_last_success_timestamp_seconds "), std::string::npos) << metrics;

  // Nothing left to prune: a second prune deletes nothing and keeps the newer articles.
  const auto again = prune({"--log-format", "json"});
  ASSERT_EQ(again.exit_status, 0) << again.err;
  EXPECT_NE(again.err.find("\"articles_deleted\":0"), std::string::npos) << again.err;
  EXPECT_EQ(articles(), 3);
}

TEST_F(Prune, UnreachableDatabaseExitsThreeAndSaysSoInTheMetrics) {
  const auto result = run_command({RSSFLOW_BINARY, "prune", "--older-than", "30d", "--database-url",
                                   "postgresql:///rssflow_no_such_db?host=" + dir_.path(), "--sources",
                                   dir_.file("sources.opml"), "--metrics-file", dir_.file("prune.prom")});
  EXPECT_EQ(result.exit_status, 3) << result.err;
  EXPECT_NE(result.err.find("event=prune_failed"), std::string::npos) << result.err;
  const std::string metrics = read_file(dir_.file("prune.prom"));
  EXPECT_NE(metrics.find("rssflow_prune_exit_status 3\n"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("rssflow_prune_last_success_timestamp_seconds"), std::string::npos) << metrics;
  EXPECT_EQ(articles(), 9);
}

}  // namespace
}  // namespace rssflow
