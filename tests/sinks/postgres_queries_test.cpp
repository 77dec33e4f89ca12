// The schema of issue 14 on a real PostgreSQL: upgrading a database loaded with the schema
// before V5, the feeds and keywords tables, and the README's example queries (each run, and
// shown by EXPLAIN to use an index on a table large enough for the planner to care).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "sinks/postgres_migrate.h"
#include "sinks/postgres_sink.h"
#include "tests/sinks/postgres_test_db.h"

namespace rssflow {
namespace {

using testing::fresh_schema;
using testing::query_count;
using testing::query_value;

std::vector<std::string> exec_lines(const PostgresOptions& options, const std::string& sql) {
  pqxx::connection conn(options.conninfo);
  pqxx::nontransaction tx(conn);
  tx.exec("SET search_path TO " + tx.quote_name(options.schema));
  std::vector<std::string> lines;
  for (const auto& row : tx.exec(sql)) lines.push_back(row[0].is_null() ? "" : row[0].as<std::string>());
  return lines;
}

void exec(const PostgresOptions& options, const std::string& sql) {
  pqxx::connection conn(options.conninfo);
  pqxx::work tx(conn);
  tx.exec("SET LOCAL search_path TO " + tx.quote_name(options.schema));
  tx.exec(sql);
  tx.commit();
}

Article article(int n) {
  Article a;
  a.url = "https://example.com/post/" + std::to_string(n);
  a.guid = a.url;
  a.title = "Post " + std::to_string(n);
  a.summary = "summary";
  a.content_text = "content " + std::to_string(n);
  a.keywords = {"rust", "cpp"};
  a.categories = {"Development", "systems"};
  a.feed_url = "https://user:secret@example.com/feed.xml";
  a.url_hash = xxh3_128(a.url);
  a.content_hash = xxh3_128(a.title + "\n" + a.content_text);
  a.fetched_at = Instant{std::chrono::seconds{1700100000}};
  a.published_at = Instant{std::chrono::seconds{1700000000 + n}};
  a.enclosures = {Enclosure{"https://cdn.example.com/" + std::to_string(n) + ".mp3", "audio/mpeg", 1234}};
  a.image_url = "https://cdn.example.com/" + std::to_string(n) + ".jpg";
  a.language = "en";
  return a;
}

FeedRecord feed() {
  FeedRecord f;
  f.url = "https://example.com/feed.xml";
  f.articles_feed_url = "https://user:secret@example.com/feed.xml";
  f.title = "Example";
  f.site_url = "https://example.com/";
  f.description = "An example feed";
  f.language = "en-US";
  f.image_url = "https://example.com/logo.png";
  f.categories = {"Development"};
  return f;
}

LoadStats load(const PostgresOptions& options, std::vector<Article> articles) {
  PostgresSink sink(options);
  sink.write_keywords({{"rust", "Rust", "languages"}, {"cpp", "C++", "languages"}});
  sink.write_feed(feed());
  sink.write(std::move(articles));
  return sink.finish();
}

TEST(PostgresSchema, UpgradesADatabaseLoadedWithTheOldSchemaWithoutLosingRows) {
  const PostgresOptions options = fresh_schema();
  std::vector<Migration> old_schema;
  for (Migration& m : parse_migrations(embedded_migrations()))
    if (m.version <= 2) old_schema.push_back(std::move(m));
  migrate(options, old_schema);
  // Rows as the loader before V5 wrote them: display-name keywords, no media, no feed.
  for (int n = 1; n <= 3; ++n) {
    const Article a = article(n);
    exec(options, "INSERT INTO articles (url_hash, url, guid, title, summary, content_text, keywords, categories,"
                  " feed_url, content_hash, fetched_at, published_at, first_seen_at) VALUES ("
                  "'\\x" + a.url_hash.hex() + "', '" + a.url + "', '" + a.guid + "', '" + a.title + "', 'summary', '" +
                  a.content_text + "', '{Rust,C++}', '{systems}', '" + a.feed_url + "', '\\x" + a.content_hash.hex() +
                  "', now(), to_timestamp(" + std::to_string(1700000000 + n) + "), '2020-01-01T00:00:00Z')");
  }
  const MigrateResult upgraded = migrate(options);
  EXPECT_FALSE(upgraded.applied.empty());
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 3);
  // V5 made a feed (without the credentials) for the rows already there.
  EXPECT_EQ(query_value(options, "SELECT string_agg(url, ',') FROM feeds"), "https://example.com/feed.xml");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE feed_id IS NULL"), 0);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE sort_at = published_at"), 3);

  std::vector<Article> again = {article(1), article(2), article(3)};
  const LoadStats stats = load(options, again);
  EXPECT_EQ(stats.inserted, 0u);
  EXPECT_EQ(stats.updated, 3u);  // same content, older record format: rewritten once
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles"), 3);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE keywords = '{rust,cpp}'"
                                 " AND categories = '{Development,systems}' AND language = 'en'"
                                 " AND image_url LIKE 'https://cdn.example.com/%.jpg'"
                                 " AND jsonb_array_length(enclosures) = 1 AND record_version = 2"
                                 " AND first_seen_at = '2020-01-01T00:00:00Z'"),
            3);
  EXPECT_EQ(query_value(options, "SELECT enclosures->0->>'type' FROM articles LIMIT 1"), "audio/mpeg");
  EXPECT_EQ(query_value(options, "SELECT (enclosures->0->>'length')::int FROM articles LIMIT 1"), "1234");
  // A third run changes nothing.
  const LoadStats third = load(options, {article(1), article(2), article(3)});
  EXPECT_EQ(third.unchanged, 3u);
}

TEST(PostgresSchema, FillsFeedsAndKeywordsAndReferencesTheFeed) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  load(options, {article(1), article(2)});
  EXPECT_EQ(query_value(options, "SELECT concat_ws('|', url, title, site_url, description, language, image_url,"
                                 " array_to_string(categories, '/')) FROM feeds"),
            "https://example.com/feed.xml|Example|https://example.com/|An example feed|en-US|"
            "https://example.com/logo.png|Development");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles a JOIN feeds f USING (feed_id)"
                                 " WHERE f.url = 'https://example.com/feed.xml'"),
            2);
  EXPECT_EQ(query_value(options, "SELECT name || '/' || \"group\" FROM keywords WHERE slug = 'cpp'"), "C++/languages");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles WHERE categories @> '{Development}'"), 2);
  // A later run keeps first_seen_at and moves last_seen_at.
  const std::string first = query_value(options, "SELECT first_seen_at FROM feeds");
  load(options, {article(3)});
  EXPECT_EQ(query_value(options, "SELECT first_seen_at FROM feeds"), first);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM feeds"), 1);
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM recent_articles"), 3);
}

// Feeds travel with the batch of their articles: several feeds in one batch each get their own
// feed_id, a feed given twice keeps the later record, a feed whose source had no new articles
// is still stored at finish(), and nothing reaches the database before a batch is written.
TEST(PostgresSchema, FeedsOfABatchAreUpsertedWithItsArticles) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  PostgresSink sink(options);
  const auto feed_named = [](const std::string& host, const std::string& title) {
    FeedRecord f;
    f.url = "https://" + host + "/feed.xml";
    f.articles_feed_url = f.url;
    f.title = title;
    return f;
  };
  std::vector<Article> articles;
  for (int n = 1; n <= 4; ++n) {
    Article a = article(n);
    a.feed_url = n <= 2 ? "https://a.example/feed.xml" : "https://b.example/feed.xml";
    articles.push_back(std::move(a));
  }
  sink.write_feed(feed_named("a.example", "A, first"));
  sink.write_feed(feed_named("a.example", "A"));
  sink.write_feed(feed_named("b.example", "B"));
  sink.write_feed(feed_named("c.example", "C, no articles"));
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM feeds"), 0);
  sink.write(std::move(articles));
  sink.finish();
  EXPECT_EQ(query_value(options, "SELECT string_agg(title, ',' ORDER BY url) FROM feeds"), "A,B,C, no articles");
  EXPECT_EQ(query_count(options, "SELECT count(*) FROM articles a JOIN feeds f USING (feed_id) WHERE f.url = a.feed_url"),
            4);
}

// The ```sql blocks of README.md between the example-query markers.
std::vector<std::string> readme_queries() {
  std::ifstream in(std::string(RSSFLOW_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const auto begin = readme.find("<!-- example queries");
  const auto end = readme.find("<!-- end example queries -->");
  std::vector<std::string> queries;
  if (begin == std::string::npos || end == std::string::npos) return queries;
  for (auto open = readme.find("```sql\n", begin); open != std::string::npos && open < end;
       open = readme.find("```sql\n", open + 1)) {
    const auto close = readme.find("```", open + 7);
    queries.push_back(readme.substr(open + 7, close - open - 7));
  }
  return queries;
}

// 2,000 feeds and 30,000 articles: 2 % tagged rust, 2.5 % in Design, one every ten minutes.
void seed_realistic_table(const PostgresOptions& options) {
  exec(options, "INSERT INTO feeds (url, title) SELECT CASE WHEN i = 7 THEN 'https://blog.rust-lang.org/feed.xml'"
                " ELSE 'https://feed' || i || '.example/rss' END, 'Feed ' || i FROM generate_series(1, 2000) AS i");
  exec(options, "INSERT INTO keywords (slug, name, \"group\") VALUES ('rust', 'Rust', 'languages'), ('go', 'Go', 'languages')");
  exec(options,
       "INSERT INTO articles (url_hash, url, guid, title, summary, content_text, keywords, categories, feed_url,"
       " content_hash, fetched_at, published_at, first_seen_at, updated_at, feed_id)"
       " SELECT decode(md5(i::text), 'hex'), 'https://site.example/' || i, 'g' || i, 'Title ' || i, 's', 'text ' || i,"
       "  CASE WHEN i % 50 = 0 THEN '{rust}'::text[] ELSE '{go}'::text[] END,"
       "  CASE WHEN i % 40 = 0 THEN '{Design}'::text[] ELSE '{News}'::text[] END,"
       "  'https://feed' || (i % 2000 + 1) || '.example/rss', decode(md5('c' || i), 'hex'), now(),"
       "  CASE WHEN i % 10 = 0 THEN NULL ELSE now() - i * interval '10 minutes' END,"
       "  now() - i * interval '10 minutes', now() - i * interval '10 minutes', i % 2000 + 1"
       " FROM generate_series(1, 30000) AS i");
  exec(options, "ANALYZE");
}

TEST(PostgresSchema, ReadmeExampleQueriesRunAndUseAnIndex) {
  const PostgresOptions options = fresh_schema();
  migrate(options);
  seed_realistic_table(options);
  const std::vector<std::string> queries = readme_queries();
  ASSERT_GE(queries.size(), 4u) << "README.md lost its example queries";
  for (const std::string& query : queries) {
    const std::vector<std::string> rows = exec_lines(options, query);
    EXPECT_FALSE(rows.empty()) << query;
    std::string plan;
    for (const std::string& line : exec_lines(options, "EXPLAIN " + query)) plan += line + "\n";
    EXPECT_NE(plan.find("Index"), std::string::npos) << query << plan;
    EXPECT_EQ(plan.find("Seq Scan on articles"), std::string::npos) << query << plan;
  }
}

}  // namespace
}  // namespace rssflow
