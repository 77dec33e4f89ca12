#include "sinks/postgres_state_store.h"

#include <gtest/gtest.h>

#include "sinks/article_sink.h"
#include "sinks/postgres_migrate.h"
#include "sinks/postgres_run_lock.h"
#include "tests/sinks/postgres_test_db.h"

namespace rssflow {
namespace {

using testing::fresh_schema;
using testing::query_count;

SourceState failing_source() {
  SourceState s;
  s.url = "https://example.org/rss?a=1&b='2'";
  s.last_status = 503;
  s.last_error = "fetch: rate_limited: HTTP 503\tRetry-After 120";
  s.consecutive_failures = 3;
  s.next_attempt_at = Instant{std::chrono::seconds{1800000000}};
  s.permanent_redirect = "https://example.org/new-feed";
  return s;
}

SourceState healthy_source() {
  SourceState s;
  s.url = "https://example.com/feed.xml";
  s.validators.etag = "W/\"abc\\def\"";
  s.validators.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  s.last_status = 200;
  s.last_success_at = Instant{std::chrono::seconds{1700000000}};
  s.next_fetch_at = Instant{std::chrono::seconds{1700003600}};
  s.body_hash = "0123456789abcdef0123456789abcdef";
  s.entries = 25;
  s.feed_hints = FeedScheduleHints{std::chrono::minutes(90), std::chrono::hours(2), 0x00ff0003u, 0x41};
  s.publish_interval = std::chrono::seconds(7200);
  return s;
}

void expect_same(const SourceState& a, const SourceState& b) {
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.validators.etag, b.validators.etag);
  EXPECT_EQ(a.validators.last_modified, b.validators.last_modified);
  EXPECT_EQ(a.last_status, b.last_status);
  EXPECT_EQ(a.last_error, b.last_error);
  EXPECT_EQ(a.consecutive_failures, b.consecutive_failures);
  EXPECT_EQ(a.last_success_at, b.last_success_at);
  EXPECT_EQ(a.next_attempt_at, b.next_attempt_at);
  EXPECT_EQ(a.permanent_redirect, b.permanent_redirect);
  EXPECT_EQ(a.gone, b.gone);
  EXPECT_EQ(a.next_fetch_at, b.next_fetch_at);
  EXPECT_EQ(a.body_hash, b.body_hash);
  EXPECT_EQ(a.entries, b.entries);
  EXPECT_EQ(a.feed_hints, b.feed_hints);
  EXPECT_EQ(a.publish_interval, b.publish_interval);
}

TEST(PostgresFetchStateStore, RoundTripsEveryField) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  SourceState gone = healthy_source();
  gone.url = "https://gone.example/feed";
  gone.gone = true;
  gone.last_status = 410;
  PostgresFetchStateStore(options).save_all({failing_source(), healthy_source(), gone});

  const auto loaded = PostgresFetchStateStore(options).load_all();
  ASSERT_EQ(loaded.size(), 3u);
  expect_same(loaded.at(failing_source().url), failing_source());
  expect_same(loaded.at(healthy_source().url), healthy_source());
  expect_same(loaded.at(gone.url), gone);
}

TEST(PostgresFetchStateStore, SaveUpdatesGivenSourcesAndKeepsOthers) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  PostgresFetchStateStore store(options);
  store.save_all({failing_source(), healthy_source()});
  SourceState recovered = failing_source();
  recovered.last_status = 200;
  recovered.last_error.clear();
  recovered.consecutive_failures = 0;
  recovered.next_attempt_at.reset();
  store.save_all({recovered, recovered});  // a repeated URL keeps the last copy

  const auto loaded = store.load_all();
  ASSERT_EQ(loaded.size(), 2u);
  expect_same(loaded.at(recovered.url), recovered);
  expect_same(loaded.at(healthy_source().url), healthy_source());
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state"), 2);
}

TEST(PostgresFetchStateStore, UnmigratedSchemaIsASinkError) {
  const PostgresOptions options = fresh_schema();
  PostgresFetchStateStore store(options);
  EXPECT_THROW(store.load_all(), SinkError);
  EXPECT_THROW(store.save_all({healthy_source()}), SinkError);
}

TEST(PostgresRunLock, SecondHolderIsRefusedUntilTheFirstReleases) {
  const PostgresOptions options = fresh_schema();
  auto first = PostgresRunLock::try_acquire(options, "run");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(PostgresRunLock::try_acquire(options, "run"), nullptr);
  first.reset();
  EXPECT_NE(PostgresRunLock::try_acquire(options, "run"), nullptr);
}

TEST(PostgresRunLock, DistinctNamesAndSchemasDoNotContend) {
  const PostgresOptions options = fresh_schema();
  PostgresOptions other_schema = options;
  other_schema.schema += "_other";
  auto run = PostgresRunLock::try_acquire(options, "run");
  auto shard = PostgresRunLock::try_acquire(options, "run-shard-1-of-2");
  auto elsewhere = PostgresRunLock::try_acquire(other_schema, "run");
  EXPECT_NE(run, nullptr);
  EXPECT_NE(shard, nullptr);
  EXPECT_NE(elsewhere, nullptr);
  EXPECT_NE(run->key(), shard->key());
}

TEST(PostgresRunLock, UnreachableDatabaseIsASinkError) {
  PostgresOptions options;
  options.conninfo = "host=127.0.0.1 port=1 password=Sup3rSecret connect_timeout=5";
  try {
    PostgresRunLock::try_acquire(options, "run");
    FAIL() << "expected SinkError";
  } catch (const SinkError& e) {
    EXPECT_EQ(std::string(e.what()).find("Sup3rSecret"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rssflow
