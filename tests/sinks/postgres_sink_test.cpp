#include "sinks/postgres_sink.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <random>
#include <thread>

#include "sinks/postgres_migrate.h"
#include "tests/sinks/postgres_test_db.h"

namespace rssflow {
namespace {

using testing::fresh_schema;
using testing::query_count;
using testing::query_value;

Article make_article(int n, const std::string& body = "body") {
  Article a;
  a.url = "https://example.com/post/" + std::to_string(n);
  a.guid = "guid-" + std::to_string(n);
  a.title = "Title " + std::to_string(n);
  a.author = n % 2 == 0 ? std::optional<std::string>("Author " + std::to_string(n)) : std::nullopt;
  a.published_at = n % 3 == 0 ? std::nullopt : std::optional<Instant>(Instant{std::chrono::seconds{1700000000 + n}});
  a.summary = "Summary of " + std::to_string(n);
  a.content_text = body + " " + std::to_string(n);
  a.keywords = {"rust", "c++"};
  a.categories = {"Tech", "News"};
  a.feed_url = "https://example.com/feed.xml";
  a.url_hash = xxh3_128(a.url);
  a.content_hash = xxh3_128(a.title + a.content_text);
  a.fetched_at = Instant{std::chrono::seconds{1700100000}};
  return a;
}

std::vector<Article> make_articles(int count, const std::string& body = "body") {
  std::vector<Article> articles;
  for (int n = 0; n < count; ++n) articles.push_back(make_article(n, body));
  return articles;
}

PostgresOptions migrated_schema(std::size_t batch_rows = 5000) {
  PostgresOptions options = fresh_schema();
  options.batch_rows = batch_rows;
  migrate(options);
  return options;
}

// Inserts, in `tx` (left uncommitted by the caller), a placeholder row with article's url_hash:
// a loader that writes that key waits on it until tx ends.
void hold_key(pqxx::work& tx, const std::string& schema, const Article& article, const std::string& content_hash_hex) {
  tx.exec("INSERT INTO " + schema + ".articles (url_hash, url, guid, title, summary, content_text,"
          " feed_url, content_hash, fetched_at) VALUES (decode('" + article.url_hash.hex() +
          "', 'hex'), 'x', 'x', 'x', 'x', 'x', 'x', decode('" + content_hash_hex + "', 'hex'), now())");
}

LoadStats load(const PostgresOptions& options, std::vector<Article> articles) {
  PostgresSink sink(options);
  sink.write(std::move(articles));
  return sink.finish();
}

TEST(PostgresSink, LoadingTheSameSetTwiceAddsNoRow) {
  const PostgresOptions options = migrated_schema(7);
  const LoadStats first = load(options, make_articles(50));
  EXPECT_EQ(first.inserted, 50u);
  EXPECT_EQ(first.updated, 0u);
  EXPECT_EQ(first.batches, 8u);  // 7 full batches of 7 and one of 1
  const LoadStats second = load(options, make_articles(50));
  EXPECT_EQ(second.inserted, 0u);
  EXPECT_EQ(second.updated, 0u);
  EXPECT_EQ(second.unchanged, 50u);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 50);
  EXPECT_EQ(query_count(options, "SELECT count(DISTINCT url) FROM articles"), 50);
}

TEST(PostgresSink, ChangedTextUpdatesExactlyThatRowAndKeepsFirstSeen) {
  const PostgresOptions options = migrated_schema();
  load(options, make_articles(10));
  const std::string key = "decode('" + make_article(4).url_hash.hex() + "', 'hex')";
  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction(conn).exec("UPDATE " + conn.quote_name(options.schema) +
                                  ".articles SET first_seen_at = '2001-02-03T04:05:06Z', updated_at = '2001-02-03T04:05:06Z'");

  std::vector<Article> again = make_articles(10);
  again[4].content_text = "rewritten";
  again[4].content_hash = xxh3_128(again[4].title + again[4].content_text);
  const LoadStats stats = load(options, std::move(again));

  EXPECT_EQ(stats.inserted, 0u);
  EXPECT_EQ(stats.updated, 1u);
  EXPECT_EQ(stats.unchanged, 9u);
  EXPECT_EQ(query_value(options, "SELECT content_text FROM articles WHERE url_hash = " + key), "rewritten");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE first_seen_at = '2001-02-03T04:05:06Z'"), 10);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE updated_at > '2001-02-03T04:05:06Z'"), 1);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE updated_at > '2001-02-03T04:05:06Z'"
                                 " AND url_hash = " + key), 1);
}

TEST(PostgresSink, AnArticleCarriedByTwoFeedsBelongsToTheFeedThatSortsFirstWhateverTheOrder) {
  const PostgresOptions options = migrated_schema();
  auto from_feed = [](const std::string& feed, const std::string& body) {
    Article a = make_article(7, body);
    a.feed_url = feed;
    return a;
  };
  const Article from_b = from_feed("https://b.example/feed", "syndicated copy");
  const Article from_a = from_feed("https://a.example/feed", "original text");
  load(options, {from_b});  // the later-sorting feed happened to finish first
  EXPECT_EQ(load(options, {from_a}).updated, 1u);
  // From now on reruns leave the row alone, whichever copy a run meets first.
  for (int run = 0; run < 2; ++run) {
    const LoadStats b_first = load(options, {from_b});
    EXPECT_EQ(b_first.updated, 0u);
    EXPECT_EQ(b_first.unchanged, 1u);
    EXPECT_EQ(load(options, {from_a}).updated, 0u);
  }
  EXPECT_EQ(query_value(options, "SELECT feed_url FROM articles"), "https://a.example/feed");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 1);
}

TEST(PostgresSink, RepeatedUrlHashWithinOneBatchKeepsTheLastCopy) {
  const PostgresOptions options = migrated_schema();
  std::vector<Article> articles = make_articles(3);
  Article copy = make_article(1, "later version");
  articles.push_back(copy);
  articles.push_back(make_article(1, "latest version"));
  const LoadStats stats = load(options, std::move(articles));
  EXPECT_EQ(stats.inserted, 3u);
  EXPECT_EQ(stats.inserted + stats.updated + stats.unchanged, 5u);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 3);
  EXPECT_EQ(query_value(options, "SELECT content_text FROM articles WHERE url = 'https://example.com/post/1'"),
            "latest version 1");
}

TEST(PostgresSink, StoresTheRecordAsTypedColumns) {
  const PostgresOptions options = migrated_schema();
  Article a = make_article(1);
  a.duplicate_of = make_article(2).url_hash;
  load(options, {a});
  EXPECT_EQ(query_value(options, "SELECT encode(url_hash, 'hex') FROM articles"), a.url_hash.hex());
  EXPECT_EQ(query_value(options, "SELECT encode(content_hash, 'hex') FROM articles"), a.content_hash.hex());
  EXPECT_EQ(query_value(options, "SELECT encode(duplicate_of, 'hex') FROM articles"), a.duplicate_of->hex());
  EXPECT_EQ(query_value(options, "SELECT extract(epoch FROM published_at)::bigint FROM articles"), "1700000001");
  EXPECT_EQ(query_value(options, "SELECT extract(epoch FROM fetched_at)::bigint FROM articles"), "1700100000");
  EXPECT_EQ(query_value(options, "SELECT author IS NULL FROM articles"), "t");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE keywords @> ARRAY['c++']"), 1);
  EXPECT_EQ(query_value(options, "SELECT array_to_string(categories, '|') FROM articles"), "Tech|News");
}

TEST(PostgresSink, StoresHostileTextVerbatimAlongsideOrdinaryRows) {
  const PostgresOptions options = migrated_schema(4);
  const std::vector<std::string> hostile = {
      "'); DROP TABLE articles; --",
      "back\\slash \\N \\. \\x41 and \"quotes\" 'single'",
      "tab\there\nnewline\r\ncarriage\vvertical\fform\bback",
      "\\.\n\\.",
      "emoji \xF0\x9F\x98\x80 and \xC3\xA9t\xC3\xA9",
      std::string(1 << 20, 'x') + "end",
      "",
  };
  std::vector<Article> articles = make_articles(5);
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    Article a = make_article(100 + static_cast<int>(i));
    a.title = hostile[i];
    a.summary = hostile[i];
    a.author = hostile[i];
    a.keywords = {hostile[i].substr(0, 100), "{a,b}", "NULL", "\"", "\\"};
    articles.push_back(std::move(a));
  }
  articles.push_back(make_article(6));
  const LoadStats stats = load(options, articles);
  EXPECT_EQ(stats.inserted, 6u + hostile.size());
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), static_cast<long long>(6 + hostile.size()));

  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction tx(conn);
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    const std::string key = "decode('" + make_article(100 + static_cast<int>(i)).url_hash.hex() + "', 'hex')";
    const pqxx::row row = tx.exec1("SELECT title, summary, author, keywords[1], keywords[2], keywords[3] IS NULL,"
                                   " keywords[3], keywords[4], keywords[5] FROM " + tx.quote_name(options.schema) +
                                   ".articles WHERE url_hash = " + key);
    EXPECT_EQ(row[0].as<std::string>(), hostile[i]) << i;
    EXPECT_EQ(row[1].as<std::string>(), hostile[i]) << i;
    EXPECT_EQ(row[2].as<std::string>(), hostile[i]) << i;
    EXPECT_EQ(row[3].as<std::string>(), hostile[i].substr(0, 100)) << i;
    EXPECT_EQ(row[4].as<std::string>(), "{a,b}");
    EXPECT_EQ(row[5].as<std::string>(), "f") << "the string NULL is not a null element";
    EXPECT_EQ(row[6].as<std::string>(), "NULL");
    EXPECT_EQ(row[7].as<std::string>(), "\"");
    EXPECT_EQ(row[8].as<std::string>(), "\\");
  }
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM pg_tables WHERE tablename = 'articles'"
                                 " AND schemaname = current_schema()"), 1);
}

TEST(PostgresSink, StripsNulBytesAndReplacesInvalidUtf8WithoutFailingTheBatch) {
  const PostgresOptions options = migrated_schema();
  std::vector<Article> articles = make_articles(3);
  Article bad = make_article(50);
  bad.title = std::string("nul\0byte", 8);
  bad.summary = "latin1 caf\xE9 and truncated \xE2\x82";
  bad.content_text = std::string("\xC0\xAF overlong \xED\xA0\x80 surrogate \xF4\x90\x80\x80 too big \0", 40);
  bad.keywords = {std::string("k\0w", 3)};
  articles.push_back(bad);

  PostgresSink sink(options);
  sink.write(std::move(articles));
  const LoadStats stats = sink.finish();
  EXPECT_EQ(stats.inserted, 4u);
  EXPECT_EQ(sink.sanitized().nul_bytes_removed, 3u);
  EXPECT_EQ(sink.sanitized().invalid_utf8_replaced, 2u + 2u + 3u + 4u);
  const std::string key = "decode('" + bad.url_hash.hex() + "', 'hex')";
  EXPECT_EQ(query_value(options, "SELECT title FROM articles WHERE url_hash = " + key), "nulbyte");
  EXPECT_EQ(query_value(options, "SELECT summary FROM articles WHERE url_hash = " + key),
            "latin1 caf\xEF\xBF\xBD and truncated \xEF\xBF\xBD");
  EXPECT_EQ(query_value(options, "SELECT keywords[1] FROM articles WHERE url_hash = " + key), "kw");
}

TEST(PostgresSink, DropsInstantsPostgresCannotHold) {
  const PostgresOptions options = migrated_schema();
  Article a = make_article(1);
  a.published_at = Instant{std::chrono::sys_days{std::chrono::year{12000} / 1 / 1}};
  PostgresSink sink(options);
  std::vector<Article> one{a};
  sink.write(std::move(one));
  EXPECT_EQ(sink.finish().inserted, 1u);
  EXPECT_EQ(sink.sanitized().dates_dropped, 1u);
  EXPECT_EQ(query_value(options, "SELECT published_at IS NULL FROM articles"), "t");
}

TEST(PostgresSink, ConcurrentSinksWithOverlappingArticlesInsertEachOnce) {
  const PostgresOptions options = migrated_schema(25);
  std::vector<Article> forward = make_articles(300);
  std::vector<Article> shuffled = forward;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
  LoadStats a, b;
  std::thread one([&] { a = load(options, forward); });
  std::thread two([&] { b = load(options, shuffled); });
  one.join();
  two.join();
  EXPECT_EQ(a.inserted + b.inserted, 300u);
  EXPECT_EQ(a.updated + b.updated, 0u);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 300);
}

// Counts committed batches: a statement trigger on articles notifies on `channel` at commit.
class BatchCommits : public pqxx::notification_receiver {
 public:
  BatchCommits(pqxx::connection& conn, const std::string& channel) : pqxx::notification_receiver(conn, channel) {}
  void operator()(const std::string&, int) override { ++count; }
  int count = 0;
};

TEST(PostgresSink, KilledLoaderLeavesWholeBatchesAndARerunCompletesThem) {
  constexpr int kArticles = 1000;
  constexpr int kBatch = 100;
  const PostgresOptions options = migrated_schema(kBatch);
  const std::string schema = pqxx::connection(options.conninfo).quote_name(options.schema);
  pqxx::connection control(options.conninfo);
  pqxx::nontransaction(control).exec(
      "CREATE FUNCTION " + schema + ".notify_batch() RETURNS trigger LANGUAGE plpgsql AS"
      " $$ BEGIN PERFORM pg_notify('" + options.schema + "', ''); RETURN NULL; END $$;"
      "CREATE TRIGGER notify_batch AFTER INSERT ON " + schema + ".articles"
      " FOR EACH STATEMENT EXECUTE FUNCTION " + schema + ".notify_batch()");
  BatchCommits commits(control, options.schema);

  // An uncommitted row with the url_hash of an article in the third batch (batches go in
  // write order) makes that batch's upsert wait: the loader is stopped mid-load, deterministically.
  pqxx::connection blocker(options.conninfo);
  pqxx::work blocking(blocker);
  const Article third = make_article(2 * kBatch + 50);
  hold_key(blocking, schema, third, third.url_hash.hex());

  const pid_t loader = fork();
  ASSERT_GE(loader, 0);
  if (loader == 0) {
    try {
      load(options, make_articles(kArticles));
    } catch (...) {
    }
    _exit(0);
  }
  while (commits.count < 2) {
    if (control.await_notification(60, 0) == 0) break;
  }
  ASSERT_EQ(commits.count, 2) << "the loader did not commit two batches within 60 s";
  ASSERT_EQ(kill(loader, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(loader, &status, 0), loader);
  EXPECT_TRUE(WIFSIGNALED(status));
  blocking.abort();

  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 2 * kBatch) << "exactly the committed batches";
  const LoadStats rerun = load(options, make_articles(kArticles));
  EXPECT_EQ(rerun.inserted, static_cast<std::uint64_t>(kArticles - 2 * kBatch));
  EXPECT_EQ(rerun.unchanged, static_cast<std::uint64_t>(2 * kBatch));
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), kArticles);
  EXPECT_EQ(query_count(options, "SELECT count(DISTINCT guid) FROM articles"), kArticles);
}

TEST(PostgresSink, KeyCommittedByAnotherLoaderMidBatchGoesThroughTheUpsert) {
  const PostgresOptions options = migrated_schema();
  const std::string schema = pqxx::connection(options.conninfo).quote_name(options.schema);
  // Another loader's uncommitted row for article 5: this sink's probe does not see it, so its
  // direct COPY waits on that key, then meets a unique violation once the other commits.
  pqxx::connection other(options.conninfo);
  pqxx::work other_tx(other);
  const Article contested = make_article(5);
  hold_key(other_tx, schema, contested, std::string(32, '0'));
  const int other_pid = other.backendpid();

  LoadStats stats;
  std::thread loader([&] { stats = load(options, make_articles(10)); });
  pqxx::connection watcher(options.conninfo);
  bool waiting = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!waiting && std::chrono::steady_clock::now() < deadline) {
    waiting = pqxx::nontransaction(watcher)
                  .exec1("SELECT count(*) FROM pg_stat_activity WHERE " + std::to_string(other_pid) +
                         " = ANY(pg_blocking_pids(pid))")[0]
                  .as<int>() > 0;
  }
  other_tx.commit();
  loader.join();
  ASSERT_TRUE(waiting) << "the loader never waited on the contested key";
  EXPECT_EQ(stats.inserted, 9u);
  EXPECT_EQ(stats.updated, 1u);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 10);
  EXPECT_EQ(query_value(options, "SELECT url FROM articles WHERE url_hash = decode('" + contested.url_hash.hex() +
                                     "', 'hex')"),
            contested.url);
}

// The point of sending a batch on a thread of its own: the caller goes on while the server
// writes it. A row lock held by another transaction keeps the first batch waiting in the
// server; write() must return meanwhile, and finish() then commits it.
TEST(PostgresSink, WriteReturnsWhileTheServerIsStillWritingTheBatch) {
  const PostgresOptions options = migrated_schema(10);
  const std::string schema = pqxx::connection(options.conninfo).quote_name(options.schema);
  pqxx::connection blocker(options.conninfo);
  pqxx::work blocking(blocker);
  const Article held = make_article(3);
  hold_key(blocking, schema, held, held.url_hash.hex());

  PostgresSink sink(options);
  auto written = std::async(std::launch::async, [&] { sink.write(make_articles(10)); });
  const bool returned = written.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  EXPECT_TRUE(returned) << "write() waited for the server to write the batch";
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 0) << "the batch is still in flight";
  blocking.abort();
  written.get();
  const LoadStats stats = sink.finish();
  EXPECT_EQ(stats.inserted, 10u);
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 10);
}

// Rows go to the server as soon as the connection is free and 256 have arrived, not only when
// batch_rows are buffered: the server writes while the run goes on. Each source's state
// commits with its rows.
TEST(PostgresSink, ASourcesRowsGoAsSoonAsTheConnectionIsFreeAndEnoughHaveArrived) {
  const PostgresOptions options = migrated_schema(5000);
  std::vector<Article> articles = make_articles(400);
  const auto source = [&](int first, int count, const std::string& url) {
    SourceState state;
    state.url = url;
    state.last_status = 200;
    return std::make_pair(ArticleBatch{std::vector<Article>(articles.begin() + first, articles.begin() + first + count), {}, {}},
                          state);
  };
  PostgresSink sink(options);
  auto [a_rows, a_state] = source(0, 100, "https://a.example/feed");
  sink.write_source(std::move(a_rows), a_state);
  EXPECT_EQ(sink.committed().batches, 0u) << "100 rows wait for more";
  auto [b_rows, b_state] = source(100, 200, "https://b.example/feed");
  sink.write_source(std::move(b_rows), b_state);
  EXPECT_EQ(sink.committed().batches, 1u) << "300 rows and a free connection: sent";
  EXPECT_EQ(sink.committed().inserted, 300u);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state"), 2);
  auto [c_rows, c_state] = source(300, 100, "https://c.example/feed");
  sink.write_source(std::move(c_rows), c_state);
  const LoadStats stats = sink.finish();
  EXPECT_EQ(stats.inserted, 400u);
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM source_state"), 3);
}

// A batch that fails in flight is thrown by the next call that sends a batch or finishes, and
// what is reported as committed is the batches before it.
TEST(PostgresSink, ABatchThatFailsInFlightIsThrownByTheNextCallAndEarlierBatchesStay) {
  for (const bool by_finish : {false, true}) {
    SCOPED_TRACE(by_finish ? "thrown by finish()" : "thrown by write()");
    const PostgresOptions options = migrated_schema(10);
    const std::string schema = pqxx::connection(options.conninfo).quote_name(options.schema);
    pqxx::connection admin(options.conninfo);
    pqxx::nontransaction(admin).exec(
        "CREATE FUNCTION " + schema + ".refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN IF NEW.guid = 'guid-15' THEN RAISE EXCEPTION 'refused guid-15'; END IF; RETURN NEW; END $$;"
        "CREATE TRIGGER refuse BEFORE INSERT ON " + schema + ".articles FOR EACH ROW EXECUTE FUNCTION " + schema +
        ".refuse()");
    std::vector<Article> articles = make_articles(30);
    PostgresSink sink(options);
    sink.write(std::vector<Article>(articles.begin(), articles.begin() + 10));       // batch 1: commits
    sink.write(std::vector<Article>(articles.begin() + 10, articles.begin() + 20));  // batch 2: fails in flight
    try {
      if (by_finish) {
        sink.finish();
      } else {
        sink.write(std::vector<Article>(articles.begin() + 20, articles.end()));
      }
      ADD_FAILURE() << "expected SinkError";
    } catch (const SinkError& e) {
      EXPECT_NE(std::string(e.what()).find("refused guid-15"), std::string::npos) << e.what();
    }
    EXPECT_EQ(sink.committed().inserted, 10u);
    EXPECT_EQ(sink.committed().batches, 1u);
    EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 10);
    EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE guid = 'guid-15'"), 0);
  }
}

TEST(PostgresSink, LoadsIntoAnOddlyNamedSchema) {
  PostgresOptions options = fresh_schema();
  options.schema = "Odd \"sink\" schema";
  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction(conn).exec("DROP SCHEMA IF EXISTS " + conn.quote_name(options.schema) + " CASCADE");
  migrate(options);
  EXPECT_EQ(load(options, make_articles(3)).inserted, 3u);
  std::vector<Article> changed = make_articles(3);
  changed[0].content_hash = xxh3_128("new");
  EXPECT_EQ(load(options, changed).updated, 1u);
}

TEST(PostgresSink, UnmigratedSchemaFailsFastWithSqlstate) {
  const PostgresOptions options = fresh_schema();
  try {
    PostgresSink sink(options);
    FAIL() << "expected SinkError";
  } catch (const SinkError& e) {
    EXPECT_NE(std::string(e.what()).find("SQLSTATE 42P01"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rssflow migrate"), std::string::npos) << e.what();
  }
}

TEST(PostgresSink, UnreachableDatabaseIsASinkErrorThatHidesThePassword) {
  const std::vector<std::string> conninfos = {
      "postgresql://rssflow:Sup3rSecret@127.0.0.1:1/rssflow?connect_timeout=5",
      "host=127.0.0.1 port=1 user=rssflow password=Sup3rSecret connect_timeout=5",
      "host=127.0.0.1 port=notaport password=Sup3rSecret",
      "postgresql://rssflow:Sup3rSecret@127.0.0.1:notaport/rssflow",
  };
  for (const std::string& conninfo : conninfos) {
    PostgresOptions options;
    options.conninfo = conninfo;
    try {
      PostgresSink sink(options);
      ADD_FAILURE() << "expected SinkError for " << conninfo;
    } catch (const SinkError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
      EXPECT_EQ(what.find("Sup3rSecret"), std::string::npos) << what;
      EXPECT_GT(what.size(), std::string("postgres: cannot connect: ").size()) << "libpq's reason is kept";
    }
  }
}

TEST(PostgresSink, ErrorsAfterConnectingHideThePassword) {
  PostgresOptions options = fresh_schema();
  options.conninfo += "&password=Sup3rSecret";  // trust auth ignores it
  try {
    PostgresSink sink(options);
    FAIL() << "expected SinkError";
  } catch (const SinkError& e) {
    EXPECT_EQ(std::string(e.what()).find("Sup3rSecret"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rssflow
