#include "sinks/postgres_migrate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sinks/article_sink.h"
#include "tests/sinks/postgres_test_db.h"

namespace rssflow {
namespace {

// The embedded migrations, whichever versions exist: V1, V2, V3, ... (gaps allowed).
std::vector<int> all_versions() {
  std::vector<int> versions;
  for (const Migration& m : parse_migrations(embedded_migrations())) versions.push_back(m.version);
  return versions;
}
long long version_count() { return static_cast<long long>(all_versions().size()); }

using testing::fresh_schema;
using testing::query_count;
using testing::query_value;

TEST(PostgresMigrate, CreatesTheSchemaAndRecordsEachVersion) {
  const PostgresOptions options = fresh_schema();
  const MigrateResult result = migrate(options);
  EXPECT_EQ(result.applied, all_versions());
  EXPECT_EQ(result.current_version, all_versions().back());
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM rssflow_schema_history"), version_count());
  EXPECT_EQ(query_value(options, "SELECT description FROM rssflow_schema_history WHERE version = 1"),
            "create articles");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 0);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state"), 0);
}

TEST(PostgresMigrate, SecondRunAppliesNothing) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  const MigrateResult again = migrate(options);
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.current_version, all_versions().back());
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM rssflow_schema_history"), version_count());
}

TEST(PostgresMigrate, ConcurrentMigratorsApplyEachVersionOnce) {
  const PostgresOptions options = fresh_schema();
  constexpr int kMigrators = 4;
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&] {
      try {
        applied += static_cast<int>(migrate(options).applied.size());
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), version_count());
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM rssflow_schema_history"), version_count());
}

TEST(PostgresMigrate, ChangedAppliedMigrationIsAnError) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  std::vector<MigrationFile> files = embedded_migrations();
  files[0].sql += "\n-- edited after release\n";
  try {
    migrate(options, parse_migrations(files));
    FAIL() << "expected SinkError";
  } catch (const SinkError& e) {
    EXPECT_NE(std::string(e.what()).find("V1__create_articles.sql was changed"), std::string::npos) << e.what();
  }
}

TEST(PostgresMigrate, FailingMigrationLeavesNothingApplied) {
  const PostgresOptions options = fresh_schema();
  std::vector<MigrationFile> files = embedded_migrations();
  files.push_back({"V999__broken.sql", "CREATE TABLE broken (;"});
  try {
    migrate(options, parse_migrations(files));
    FAIL() << "expected SinkError";
  } catch (const SinkError& e) {
    EXPECT_NE(std::string(e.what()).find("V999__broken.sql"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SQLSTATE 42601"), std::string::npos) << e.what();
  }
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + options.schema + "'"), 0)
      << "the schema was created inside the rolled-back transaction";
}

TEST(PostgresMigrate, UnknownAppliedVersionIsAnError) {
  const PostgresOptions options = fresh_schema();
  std::vector<MigrationFile> files = embedded_migrations();
  files.push_back({"V999__from_the_future.sql", "CREATE TABLE future (id int);"});
  migrate(options, parse_migrations(files));
  EXPECT_THROW(migrate(options), SinkError);
}

// Branches number their migrations ahead (V9 may land before V4..V8): a version below the
// highest applied one is still applied, and the schema stays at the highest version.
TEST(PostgresMigrate, AMigrationFillingAGapBelowTheAppliedOnesIsAppliedLater) {
  const PostgresOptions options = fresh_schema();
  std::vector<MigrationFile> files = embedded_migrations();
  files.push_back({"V1000__later_number.sql", "CREATE TABLE later_number (id int);"});
  EXPECT_EQ(migrate(options, parse_migrations(files)).current_version, 1000);
  files.push_back({"V999__filled_gap.sql", "CREATE TABLE filled_gap (id int);"});
  const MigrateResult filled = migrate(options, parse_migrations(files));
  EXPECT_EQ(filled.applied, std::vector<int>{999});
  EXPECT_EQ(filled.current_version, 1000);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM rssflow_schema_history"), version_count() + 2);
}

TEST(PostgresMigrate, DroppedTableIsNamedWithTheFixAndRepairRecreatesIt) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction(conn).exec("INSERT INTO " + conn.quote_name(options.schema) +
                                  ".source_state (url) VALUES ('https://example.com/feed.xml');"
                                  "DROP TABLE " + conn.quote_name(options.schema) + ".articles CASCADE");  // V7's view
  try {
    migrate(options);
    FAIL() << "expected SinkError";
  } catch (const SinkError& e) {
    const std::string message = e.what();
    for (const std::string& part : std::vector<std::string>{"V1__create_articles.sql is recorded as applied", options.schema + ".articles is missing",
                                    "rssflow migrate --repair", options.schema + ".source_state ",
                                    options.schema + ".keywords (their rows are lost)"}) {
      EXPECT_NE(message.find(part), std::string::npos) << part << "\n" << message;
    }
  }
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state"), 1) << "detecting changes nothing";

  const MigrateResult repaired = migrate(options, MigrateMode::repair);
  EXPECT_EQ(repaired.applied.front(), 1);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 0);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state"), 0);
  EXPECT_TRUE(migrate(options).applied.empty()) << "repaired: the history matches again";
}

// V5-V7 alter articles, which V1 created: repairing a lost feeds table runs them again on an
// articles table that kept its rows and their columns.
TEST(PostgresMigrate, RepairOfALostFeedsTableKeepsTheArticles) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  pqxx::connection conn(options.conninfo);
  const std::string schema = conn.quote_name(options.schema);
  pqxx::nontransaction(conn).exec(
      "INSERT INTO " + schema + ".articles (url_hash, url, guid, title, summary, content_text, feed_url, content_hash, fetched_at)"
      " VALUES (decode(repeat('ab', 16), 'hex'), 'https://example.com/a', 'a', 'A', '', '', 'https://u:p@example.com/feed.xml',"
      " decode(repeat('cd', 16), 'hex'), now());"
      "DROP TABLE " + schema + ".feeds CASCADE");
  EXPECT_THROW(migrate(options), SinkError);
  const MigrateResult repaired = migrate(options, MigrateMode::repair);
  ASSERT_FALSE(repaired.applied.empty());
  EXPECT_EQ(repaired.applied.front(), 5);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 1);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles a JOIN feeds f USING (feed_id)"
                                 " WHERE f.url = 'https://example.com/feed.xml'"), 1)
      << "V5 again: the feed of the kept row, without its credentials";
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM pg_constraint WHERE conname = 'articles_feed_id_fkey'"
                                 " AND connamespace = " + conn.quote(options.schema) + "::regnamespace"), 1);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM recent_articles"), 1);
  EXPECT_TRUE(migrate(options).applied.empty());
}

TEST(PostgresMigrations, FindsTheTablesAMigrationCreates) {
  const Migration m{1, "x", "V1__x.sql",
                    "CREATE TABLE articles (id int);\ncreate table if not exists \"feeds\" (id int);\n"
                    "CREATE TEMPORARY TABLE scratch (id int); CREATE INDEX i ON articles (id);",
                    ""};
  EXPECT_EQ(tables_created_by(m), (std::vector<std::string>{"articles", "feeds"}));
}

TEST(PostgresMigrate, QuotesAnOddSchemaName) {
  PostgresOptions options = fresh_schema();
  options.schema = "Odd \"schema\"; DROP TABLE x; --";
  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction(conn).exec("DROP SCHEMA IF EXISTS " + conn.quote_name(options.schema) + " CASCADE");
  EXPECT_EQ(migrate(options).applied, all_versions());
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 0);
}

TEST(PostgresMigrations, EmbeddedFilesEqualTheSourceTree) {
  const std::filesystem::path dir = std::filesystem::path(RSSFLOW_SOURCE_DIR) / "sinks/postgres/migrations";
  std::size_t on_disk = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sql") continue;
    ++on_disk;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const auto& embedded = embedded_migrations();
    const auto it = std::find_if(embedded.begin(), embedded.end(),
                                 [&](const MigrationFile& f) { return f.name == entry.path().filename().string(); });
    ASSERT_NE(it, embedded.end()) << entry.path();
    EXPECT_EQ(it->sql, text.str()) << entry.path();
  }
  EXPECT_EQ(on_disk, embedded_migrations().size());
}

TEST(PostgresMigrations, ParsesVersionAndDescriptionAndSortsByVersion) {
  const auto migrations = parse_migrations({{"V10__later_one.sql", "b"}, {"V2__add_x.sql", "a"}});
  ASSERT_EQ(migrations.size(), 2u);
  EXPECT_EQ(migrations[0].version, 2);
  EXPECT_EQ(migrations[0].description, "add x");
  EXPECT_EQ(migrations[1].version, 10);
  EXPECT_EQ(migrations[1].checksum.size(), 32u);
}

TEST(PostgresMigrations, RejectsMalformedNamesAndRepeatedVersions) {
  for (const char* name : {"1__x.sql", "V__x.sql", "V1_x.sql", "V1__.sql", "V0__x.sql", "V1__x.txt", "Vx__y.sql"}) {
    EXPECT_THROW(parse_migrations({{name, ""}}), std::invalid_argument) << name;
  }
  EXPECT_THROW(parse_migrations({{"V1__a.sql", ""}, {"V1__b.sql", ""}}), std::invalid_argument);
}

}  // namespace
}  // namespace rssflow
