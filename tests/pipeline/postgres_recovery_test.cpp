// Recovering from what goes wrong around the database: a schema history that no longer
// matches the tables, a sink failing mid-run, and a crash while parsing (rows and fetch state
// commit together, the next run quarantines the feed). Real PostgreSQL (fixture cluster).
#include <signal.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/sinks/postgres_test_db.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::CommandResult;
using testing::fresh_schema;
using testing::query_count;
using testing::read_file;
using testing::run_command;
using testing::TempDir;
using Json = nlohmann::json;

const std::string kKeywords = std::string(RSSFLOW_SOURCE_DIR) + "/config/keywords.tsv";

std::vector<std::string> migrate_args(const PostgresOptions& options) {
  return {RSSFLOW_BINARY, "migrate", "--database-url", options.conninfo, "--schema", options.schema};
}

std::vector<std::string> run_args(const TempDir& dir, const PostgresOptions& options, const std::string& batch_rows) {
  return {RSSFLOW_BINARY, "run", "--sources", dir.file("sources.opml"), "--sink", "postgres", "--database-url",
          options.conninfo, "--schema", options.schema, "--batch-rows", batch_rows, "--keywords", kKeywords,
          "--report", dir.file("report.json"), "--metrics-file", dir.file("rssflow.prom"), "--lock-file",
          dir.file("lock"), "--quiet"};
}

std::string write_sources(const TempDir& dir, std::size_t feeds) {
  const std::string path = dir.file("sources.opml");
  testing::write_file(path, testing::opml_for(testing::file_urls(testing::corpus_files(feeds))));
  return path;
}

// Articles whose source has no fetch state: rows committed without their state.
long long rows_without_state(const PostgresOptions& options) {
  return query_count(options, "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                              " (SELECT 1 FROM source_state s WHERE s.url = a.feed_url)");
}

TEST(PostgresRecovery, MigrateAndRunNameTheDroppedTableAndRepairRecreatesIt) {
  const PostgresOptions options = fresh_schema();
  ASSERT_EQ(run_command(migrate_args(options)).exit_status, 0);
  pqxx::connection control(options.conninfo);
  // CASCADE: the recent_articles view (V7) depends on it.
  pqxx::nontransaction(control).exec("DROP TABLE " + control.quote_name(options.schema) + ".articles CASCADE");

  const CommandResult migrate = run_command(migrate_args(options));
  EXPECT_EQ(migrate.exit_status, 3) << migrate.err;
  for (const std::string& part : std::vector<std::string>{options.schema + ".articles is missing", "V1__create_articles.sql",
                                  "rssflow migrate --repair", options.schema + ".source_state"}) {
    EXPECT_NE(migrate.err.find(part), std::string::npos) << part << "\n" << migrate.err;
  }
  TempDir dir;
  write_sources(dir, 2);
  const CommandResult run = run_command(run_args(dir, options, "100"));
  EXPECT_EQ(run.exit_status, 3) << run.err;
  EXPECT_NE(run.err.find("rssflow migrate --repair"), std::string::npos) << run.err;

  std::vector<std::string> repair = migrate_args(options);
  repair.push_back("--repair");
  const CommandResult repaired = run_command(repair);
  ASSERT_EQ(repaired.exit_status, 0) << repaired.err;
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 0);
  EXPECT_EQ(run_command(migrate_args(options)).exit_status, 0);
  const CommandResult after = run_command(run_args(dir, options, "100"));
  EXPECT_EQ(after.exit_status, 0) << after.err;
  EXPECT_GT(query_count(options, "SELECT count(*) FROM articles"), 0);
}

TEST(PostgresRecovery, SinkFailingMidRunReportsTheRowsItCommitted) {
  TempDir dir;
  write_sources(dir, 12);
  const PostgresOptions options = fresh_schema();
  ASSERT_EQ(run_command(migrate_args(options)).exit_status, 0);
  // The database refuses every batch after the first: a statement trigger raises once the
  // table holds rows of another, committed, transaction.
  pqxx::connection control(options.conninfo);
  const std::string schema = control.quote_name(options.schema);
  pqxx::nontransaction(control).exec(
      "CREATE FUNCTION " + schema + ".refuse_later_batches() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
      "  IF EXISTS (SELECT 1 FROM " + schema + ".articles WHERE xmin::text <> (txid_current() % 4294967296)::text)"
      "  THEN RAISE EXCEPTION 'test: the database refuses this batch'; END IF;"
      "  RETURN NULL; END $$;"
      "CREATE TRIGGER refuse_later_batches AFTER INSERT ON " + schema + ".articles"
      " FOR EACH STATEMENT EXECUTE FUNCTION " + schema + ".refuse_later_batches();");

  const CommandResult run = run_command(run_args(dir, options, "7"));
  EXPECT_EQ(run.exit_status, 3) << run.err;
  const long long committed = query_count(options, "SELECT count(*) FROM articles");
  ASSERT_GT(committed, 0);
  EXPECT_EQ(rows_without_state(options), 0) << "each source's rows commit with its state";
  const std::string metrics = read_file(dir.file("rssflow.prom"));
  EXPECT_NE(metrics.find("rssflow_load_rows_total{result=\"inserted\"} " + std::to_string(committed)), std::string::npos)
      << metrics;
  EXPECT_NE(run.err.find("committed before the failure: " + std::to_string(committed) + " rows"), std::string::npos)
      << run.err;
  const Json report = Json::parse(read_file(dir.file("report.json")));
  EXPECT_EQ(report["totals"]["inserted"], committed);
}

TEST(PostgresRecovery, CrashWhileParsingLeavesNoRowWithoutStateAndTheNextRunQuarantines) {
  TempDir dir;
  const std::vector<std::string> files = testing::corpus_files(12);
  testing::write_file(dir.file("sources.opml"), testing::opml_for(testing::file_urls(files)));
  const std::string poisoned = std::filesystem::path(files[7]).filename().string();
  const PostgresOptions options = fresh_schema();
  const std::vector<std::string> env{"RSSFLOW_TEST_CRASH_WHILE_PARSING=" + poisoned};

  const CommandResult crashed = run_command(run_args(dir, options, "7"), env);
  ASSERT_EQ(crashed.exit_status, 128 + SIGSEGV) << crashed.err;
  EXPECT_NE(crashed.err.find(poisoned), std::string::npos) << crashed.err;
  EXPECT_EQ(rows_without_state(options), 0);

  const CommandResult next = run_command(run_args(dir, options, "7"), env);
  ASSERT_EQ(next.exit_status, 1) << next.err;
  const Json report = Json::parse(read_file(dir.file("report.json")));
  EXPECT_EQ(report["totals"]["failed"], 1) << report.dump(2);
  for (const Json& source : report["sources"]) {
    if (source["url"].get<std::string>().find(poisoned) == std::string::npos) continue;
    EXPECT_EQ(source["error"]["code"], "crashed_previous_run");
  }
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state WHERE last_error LIKE 'crashed_previous_run%'"
                                 " AND next_attempt_at > now()"),
            1);
  // Loaded: in this run, or committed before the crash with its state (then the same bytes are
  // `unchanged` now and not parsed again, issue 12).
  long long loaded_sources = 0;
  for (const Json& source : report["sources"]) {
    loaded_sources += source["records"].get<long long>() > 0 || source["status"] == "unchanged" ? 1 : 0;
  }
  EXPECT_GE(loaded_sources, 10);
  EXPECT_EQ(query_count(options, "SELECT count(DISTINCT feed_url) FROM articles"), loaded_sources);
  EXPECT_EQ(rows_without_state(options), 0);
}

}  // namespace
}  // namespace rssflow
