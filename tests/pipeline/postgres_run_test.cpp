// End to end: `rssflow run --sink postgres` over real feeds (file:// URLs of tests/data/realworld)
// into the fixture cluster (tests/sinks/README.md).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "tests/sinks/postgres_test_db.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

// Number of V<n>__*.sql files of sinks/postgres/migrations (every one is applied).
long long migration_files() {
  long long count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(RSSFLOW_SOURCE_DIR) / "sinks/postgres/migrations"))
    if (entry.path().extension() == ".sql") ++count;
  return count;
}

using testing::CommandResult;
using testing::fresh_schema;
using testing::query_count;
using testing::run_command;
using testing::TempDir;

constexpr std::size_t kFeeds = 30;

std::string write_opml(const TempDir& dir) {
  const std::string path = dir.file("sources.opml");
  testing::write_file(path, testing::opml_for(testing::file_urls(testing::corpus_files(kFeeds))));
  return path;
}

std::vector<std::string> run_args(const std::string& opml, const PostgresOptions& options,
                                  const std::string& batch_rows = "5000") {
  return {RSSFLOW_BINARY, "run", "--sources", opml, "--sink", "postgres", "--database-url", options.conninfo,
          "--schema", options.schema, "--batch-rows", batch_rows, "--quiet"};
}

bool completed(const CommandResult& r) { return r.exit_status == 0 || r.exit_status == 1; }

// Rows present in one schema's articles and not the other's, both ways.
long long difference(const PostgresOptions& a, const PostgresOptions& b) {
  return query_count(a, "SELECT count(*) FROM " + a.schema + ".articles x FULL JOIN " + b.schema +
                            ".articles y USING (url_hash) WHERE x.url_hash IS NULL OR y.url_hash IS NULL"
                            " OR x.content_hash <> y.content_hash");
}

TEST(PostgresRun, RerunLoadsTheSameRowsAndNoDuplicate) {
  TempDir dir;
  const std::string opml = write_opml(dir);
  const PostgresOptions options = fresh_schema();
  const CommandResult first = run_command(run_args(opml, options));
  ASSERT_TRUE(completed(first)) << first.exit_status << "\n" << first.err;
  const long long rows = query_count(options, "SELECT count(*) FROM articles");
  EXPECT_GT(rows, 100);
  EXPECT_GT(query_count(options, "SELECT count(*) FROM source_state"), 0);

  const CommandResult second = run_command(run_args(opml, options));
  ASSERT_EQ(second.exit_status, first.exit_status) << second.err;
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), rows);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE updated_at > first_seen_at"), 0)
      << "a rerun of unchanged feeds updates nothing";
}

// Rows of a and b that differ in any column of the record (timestamps of the load aside).
long long rows_differing(const PostgresOptions& a, const PostgresOptions& b) {
  return query_count(a, "SELECT count(*) FROM " + a.schema + ".articles x FULL JOIN " + b.schema +
                            ".articles y USING (url_hash) WHERE x.url_hash IS NULL OR y.url_hash IS NULL"
                            " OR (x.url, x.guid, x.title, x.author, x.published_at, x.summary, x.content_text,"
                            "     x.keywords, x.categories, x.feed_url, x.content_hash, x.duplicate_of, x.entry_hash)"
                            " IS DISTINCT FROM (y.url, y.guid, y.title, y.author, y.published_at, y.summary,"
                            "     y.content_text, y.keywords, y.categories, y.feed_url, y.content_hash, y.duplicate_of,"
                            "     y.entry_hash)");
}

std::string small_feed(const std::string& name, const std::vector<std::string>& bodies) {
  std::string xml = "<rss version=\"2.0\"><channel><title>" + name + "</title>";
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    xml += "<item><title>" + name + " post " + std::to_string(i) + "</title><link>https://" + name + ".example/" +
           std::to_string(i) + "</link><description>" + bodies[i] + "</description></item>";
  }
  return xml + "</channel></rss>";
}

// A run takes its lock, migrates, reads the fetch state and loads on one server connection: as
// a role allowed one connection at a time it loads everything, and a rerun too (it used to
// hold the lock's connection while opening three more).
TEST(PostgresRun, ARunNeedsOneConnectionToTheServer) {
  TempDir dir;
  const std::string opml = write_opml(dir);
  PostgresOptions options = fresh_schema();
  const std::string role = options.schema;  // unique to this test
  {
    pqxx::connection admin(options.conninfo);
    pqxx::nontransaction tx(admin);
    if (tx.exec("SELECT 1 FROM pg_roles WHERE rolname = " + tx.quote(role)).empty())
      tx.exec("CREATE ROLE " + tx.quote_name(role) + " LOGIN");
    tx.exec("ALTER ROLE " + tx.quote_name(role) + " CONNECTION LIMIT 1");
    const std::string database = tx.exec1("SELECT current_database()")[0].as<std::string>();
    tx.exec("GRANT CREATE ON DATABASE " + tx.quote_name(database) + " TO " + tx.quote_name(role));  // CREATE SCHEMA IF NOT EXISTS
    tx.exec("CREATE SCHEMA " + tx.quote_name(options.schema) + " AUTHORIZATION " + tx.quote_name(role));
  }
  PostgresOptions as_role = options;
  const std::size_t user = as_role.conninfo.find("user=postgres");
  ASSERT_NE(user, std::string::npos) << as_role.conninfo;
  as_role.conninfo.replace(user, std::string("user=postgres").size(), "user=" + role);

  const CommandResult first = run_command(run_args(opml, as_role, "50"));
  ASSERT_TRUE(completed(first)) << first.exit_status << "\n" << first.err;
  const long long rows = query_count(options, "SELECT count(*) FROM articles");
  EXPECT_GT(rows, 100);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state"), static_cast<long long>(kFeeds));
  const CommandResult second = run_command(run_args(opml, as_role, "50"));
  ASSERT_EQ(second.exit_status, first.exit_status) << second.err;
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), rows);
}

TEST(PostgresRun, ASecondRunOverChangedFeedsGivesTheRowsOfAFullRun) {
  TempDir dir;
  testing::write_file(dir.file("a.xml"), small_feed("a", {"Rust news", "Go news", "Kotlin news"}));
  testing::write_file(dir.file("b.xml"), small_feed("b", {"Docker tips", "Linux tips"}));
  testing::write_file(dir.file("sources.opml"), testing::opml_for({"a.xml", "b.xml"}));
  const PostgresOptions incremental = fresh_schema();
  ASSERT_EQ(run_command(run_args(dir.file("sources.opml"), incremental)).exit_status, 0);

  // a: one entry edited (now about Python), one added; b: unchanged.
  testing::write_file(dir.file("a.xml"), small_feed("a", {"Rust news", "Python news", "Kotlin news", "Zig news"}));
  auto args = run_args(dir.file("sources.opml"), incremental);
  args.insert(args.end(), {"--report", dir.file("report.json")});
  ASSERT_EQ(run_command(args).exit_status, 0);
  const std::string report = testing::read_file(dir.file("report.json"));
  // b's body is byte-identical: the source is `unchanged` and not parsed at all (issue 12);
  // a's body changed, and its two untouched entries are skipped before cleaning.
  EXPECT_NE(report.find("\"unchanged_entries\": 2,\n    \"updated\""), std::string::npos)
      << "a's two untouched entries were skipped before cleaning:\n" << report;
  EXPECT_NE(report.find("\"unchanged\": 1,"), std::string::npos) << "b's body did not change:\n" << report;

  const PostgresOptions full = fresh_schema("_full");
  ASSERT_EQ(run_command(run_args(dir.file("sources.opml"), full)).exit_status, 0);
  EXPECT_EQ(query_count(full, "SELECT count(*) FROM articles"), 6);
  EXPECT_EQ(rows_differing(incremental, full), 0);
}

TEST(PostgresRun, TwoRunsAtOnceLoadOnceWithoutOtherErrors) {
  TempDir dir;
  const std::string opml = write_opml(dir);
  const PostgresOptions reference = fresh_schema("_ref");
  ASSERT_TRUE(completed(run_command(run_args(opml, reference))));
  const PostgresOptions options = fresh_schema();

  CommandResult a, b;
  std::thread one([&] { a = run_command(run_args(opml, options)); });
  std::thread two([&] { b = run_command(run_args(opml, options)); });
  one.join();
  two.join();
  for (const CommandResult* r : {&a, &b}) {
    EXPECT_TRUE(completed(*r) || r->exit_status == 4) << r->exit_status << "\n" << r->err;
  }
  EXPECT_TRUE(completed(a) || completed(b)) << "at least one run loads";
  EXPECT_EQ(difference(options, reference), 0);
}

// Counts notifications on one channel (LISTENs on construction).
class BatchCommits : public pqxx::notification_receiver {
 public:
  BatchCommits(pqxx::connection& conn, const std::string& channel) : pqxx::notification_receiver(conn, channel) {}
  void operator()(const std::string&, int) override { ++count; }
  int count = 0;
};

TEST(PostgresRun, MigrateCommandsFromFourProcessesAtOnceApplyEachVersionOnce) {
  const PostgresOptions options = fresh_schema();
  std::vector<CommandResult> results(4);
  std::vector<std::thread> threads;
  for (CommandResult& result : results) {
    threads.emplace_back([&] {
      result = run_command({RSSFLOW_BINARY, "migrate", "--database-url", options.conninfo, "--schema", options.schema});
    });
  }
  for (auto& t : threads) t.join();
  for (const CommandResult& r : results) EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM rssflow_schema_history"),
            migration_files());
}

TEST(PostgresRun, UnreachableDatabaseExitsThreeWithoutThePassword) {
  TempDir dir;
  const std::string opml = write_opml(dir);
  PostgresOptions options;
  options.conninfo = "postgresql://rssflow:Sup3rSecret@127.0.0.1:1/rssflow?connect_timeout=5";
  options.schema = "public";
  const CommandResult r = run_command(run_args(opml, options));
  EXPECT_EQ(r.exit_status, 3) << r.err;
  EXPECT_EQ(r.err.find("Sup3rSecret"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

TEST(PostgresRun, KilledDuringLoadLeavesCommittedBatchesAndARerunCompletes) {
  TempDir dir;
  const std::string opml = write_opml(dir);
  const PostgresOptions reference = fresh_schema("_ref");
  ASSERT_TRUE(completed(run_command(run_args(opml, reference))));

  // Migrate first, then hold the loader after its first committed batch (7 rows or more: a
  // batch ends at a source boundary): a statement trigger notifies at each insert and, once the
  // table holds rows of an earlier, committed transaction, waits for an advisory lock this test
  // holds. No sleeps: the kill happens while batch 2 is in flight.
  const PostgresOptions options = fresh_schema();
  ASSERT_EQ(run_command({RSSFLOW_BINARY, "migrate", "--database-url", options.conninfo, "--schema", options.schema})
                .exit_status, 0);
  pqxx::connection control(options.conninfo);
  const std::string schema = control.quote_name(options.schema);
  const long long gate = 0x5253534657ll;  // arbitrary, test-only advisory key
  pqxx::nontransaction(control).exec(
      "CREATE FUNCTION " + schema + ".hold_batches() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
      "  PERFORM pg_notify('" + options.schema + "', '');"
      "  IF EXISTS (SELECT 1 FROM " + schema + ".articles WHERE xmin::text <> (txid_current() % 4294967296)::text) THEN"
      "    PERFORM pg_advisory_xact_lock(" + std::to_string(gate) + "); END IF;"
      "  RETURN NULL; END $$;"
      "CREATE TRIGGER hold_batches AFTER INSERT ON " + schema + ".articles"
      " FOR EACH STATEMENT EXECUTE FUNCTION " + schema + ".hold_batches();"
      "SELECT pg_advisory_lock(" + std::to_string(gate) + ")");
  BatchCommits commits(control, options.schema);

  testing::BackgroundProcess run(run_args(opml, options, "7"));
  while (commits.count == 0 && control.await_notification(120, 0) > 0) {
  }
  ASSERT_EQ(commits.count, 1) << "no batch committed within 120 s";
  ASSERT_EQ(kill(run.pid(), SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(run.pid(), &status, 0), run.pid());
  pqxx::nontransaction(control).exec("SELECT pg_advisory_unlock(" + std::to_string(gate) + ");"
                                     "DROP TRIGGER hold_batches ON " + schema + ".articles");

  const long long after_kill = query_count(options, "SELECT count(*) FROM articles");
  EXPECT_GT(after_kill, 0);
  EXPECT_EQ(query_count(options, "SELECT count(DISTINCT xmin::text) FROM articles"), 1) << "exactly the first batch";
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                                 " (SELECT 1 FROM source_state s WHERE s.url = a.feed_url)"),
            0)
      << "the committed sources' fetch state was committed with their rows";
  const CommandResult rerun = run_command(run_args(opml, options, "7"));
  ASSERT_TRUE(completed(rerun)) << rerun.exit_status << "\n" << rerun.err;
  // A source still being parsed or cleaned when the process died is quarantined by the rerun
  // as if it had killed the process (issue 9): its rows are the only ones allowed to be missing.
  const std::string quarantined = "SELECT url FROM " + options.schema +
                                  ".source_state WHERE last_error LIKE 'crashed_previous_run%'";
  EXPECT_LT(query_count(options, "SELECT count(*) FROM (" + quarantined + ") q"), static_cast<long long>(kFeeds) / 2)
      << "only the sources in flight, and the first batch's were loaded";
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM " + options.schema + ".articles x FULL JOIN " + reference.schema +
                                     ".articles y USING (url_hash) WHERE (x.url_hash IS NULL OR y.url_hash IS NULL"
                                     " OR x.content_hash <> y.content_hash) AND coalesce(x.feed_url, y.feed_url) NOT IN (" +
                                     quarantined + ")"),
            0);
}

}  // namespace
}  // namespace rssflow
