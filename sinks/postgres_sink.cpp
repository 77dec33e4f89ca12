#include "sinks/postgres_sink.h"

#include <chrono>
#include <future>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <algorithm>

#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include "core/time.h"
#include "sinks/postgres_connection.h"
#include "sinks/postgres_copy_row.h"
#include "sinks/postgres_state_store.h"
#include "transforms/json_record.h"

namespace rssflow {
namespace {

constexpr const char* kStaging = "rssflow_staging";
constexpr const char* kFeedStaging = "rssflow_feed_staging";
constexpr int kRetries = 3;
// A source's rows go to the server as soon as the connection is free and the buffer holds this
// many (or batch_rows, if fewer): the server writes while the run goes on, a batch grows to what
// arrived while the one before it was written, and little is left for the end of the run. Below
// it, a transaction's fixed cost (probe, feeds, states, commit) would dominate.
constexpr std::size_t kEagerRows = 256;
// Rows of an older record format (articles.record_version < kRecordVersion, core/types.h) are
// rewritten when met, even with unchanged content, so that new columns get filled.

std::string staging_ddl() {
  return std::string("CREATE TEMPORARY TABLE ") + kStaging +
         " (url_hash bytea NOT NULL, url text, guid text, title text, author text, published_at timestamptz,"
         "  summary text, content_text text, keywords text[], categories text[], feed_url text,"
         "  content_hash bytea, fetched_at timestamptz, duplicate_of bytea, feed_id bigint, enclosures jsonb,"
         "  image_url text, language text, record_version smallint,"
         "  entry_hash bytea)"
         " ON COMMIT DELETE ROWS";
}

std::string feed_staging_ddl() {
  return std::string("CREATE TEMPORARY TABLE ") + kFeedStaging +
         " (url text NOT NULL, title text, site_url text, description text, language text, image_url text,"
         "  categories text[]) ON COMMIT DELETE ROWS";
}

// The feeds of one batch, staged without duplicates, upserted in url order (the order in which
// concurrent loaders lock them). A value the document no longer gives keeps the stored one;
// last_seen_at moves on.
std::string feed_upsert_sql(const std::string& feeds) {
  return "INSERT INTO " + feeds +
         " AS f (url, title, site_url, description, language, image_url, categories, first_seen_at, last_seen_at)"
         " SELECT url, title, site_url, description, language, image_url, categories, now(), now() FROM " +
         std::string(kFeedStaging) +
         " ORDER BY url COLLATE \"C\""
         " ON CONFLICT (url) DO UPDATE SET title = coalesce(EXCLUDED.title, f.title),"
         "  site_url = coalesce(EXCLUDED.site_url, f.site_url),"
         "  description = coalesce(EXCLUDED.description, f.description),"
         "  language = coalesce(EXCLUDED.language, f.language), image_url = coalesce(EXCLUDED.image_url, f.image_url),"
         "  categories = EXCLUDED.categories, last_seen_at = now()"
         " RETURNING url, feed_id";
}

// Rows arrive in the staging table deduplicated and in url_hash order, the order in which
// concurrent loaders then lock them; only rows whose content_hash changed are rewritten.
// When several feeds carry the same article (same url_hash) with different text, the feed
// whose URL sorts first owns the row: which copy a run meets first depends on which source
// finishes first, and without an owner reruns would rewrite such rows back and forth. Byte
// order (COLLATE "C") so that the client-side probe and the SQL agree whatever the collation.
std::string upsert_sql(const std::string& articles) {
  return "WITH upserted AS ("
         "  INSERT INTO " + articles + " AS a (url_hash, url, guid, title, author, published_at, summary,"
         "    content_text, keywords, categories, feed_url, content_hash, fetched_at, duplicate_of,"
         "    feed_id, enclosures, image_url, language, record_version, entry_hash)"
         "  SELECT url_hash, url, guid, title, author, published_at, summary, content_text, keywords,"
         "    categories, feed_url, content_hash, fetched_at, duplicate_of,"
         "    feed_id, enclosures, image_url, language, record_version, entry_hash FROM " + std::string(kStaging) +
         "  ON CONFLICT (url_hash) DO UPDATE SET url = EXCLUDED.url, guid = EXCLUDED.guid,"
         "    title = EXCLUDED.title, author = EXCLUDED.author, published_at = EXCLUDED.published_at,"
         "    summary = EXCLUDED.summary, content_text = EXCLUDED.content_text,"
         "    keywords = EXCLUDED.keywords, categories = EXCLUDED.categories,"
         "    feed_url = EXCLUDED.feed_url, content_hash = EXCLUDED.content_hash,"
         "    fetched_at = EXCLUDED.fetched_at, duplicate_of = EXCLUDED.duplicate_of,"
         "    feed_id = EXCLUDED.feed_id, enclosures = EXCLUDED.enclosures, image_url = EXCLUDED.image_url,"
         "    language = EXCLUDED.language, record_version = EXCLUDED.record_version,"
         "    entry_hash = EXCLUDED.entry_hash, updated_at = now()"
         "  WHERE (a.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR a.record_version < EXCLUDED.record_version)"
         "    AND EXCLUDED.feed_url COLLATE \"C\" <= a.feed_url COLLATE \"C\""
         "  RETURNING (a.xmax = 0) AS inserted"
         ") SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted";
}

const char* nullable(const std::optional<std::string>& text) { return text ? text->c_str() : nullptr; }

// Article::feed_url -> feeds.feed_id of the feeds written this run.
using FeedIds = std::unordered_map<std::string, long long>;

// Upserts `feeds` (keyed by url) in the batch's transaction and adds their feed_id to
// feed_ids, by the Article::feed_url of their articles: one COPY and one statement for the
// batch instead of a transaction per feed.
void upsert_feeds(pqxx::work& tx, const std::string& feeds_table, const std::unordered_map<std::string, FeedRecord>& feeds,
                  FeedIds& feed_ids, SanitizeStats& sanitized) {
  std::unordered_map<std::string, std::string> articles_feed_url;  // sanitised url -> Article::feed_url
  {
    pqxx::stream_to copy(tx, kFeedStaging,
                         std::vector<std::string>{"url", "title", "site_url", "description", "language", "image_url",
                                                  "categories"});
    const auto clean = [&](const std::optional<std::string>& value) -> std::optional<std::string> {
      if (!value) return std::nullopt;
      std::string text = *value;
      sanitize_text(text, sanitized);
      return text;
    };
    for (const auto& [key, feed] : feeds) {
      std::string url = feed.url;
      sanitize_text(url, sanitized);
      std::vector<std::string> categories = feed.categories;
      const std::string categories_literal = text_array_literal(categories, sanitized);
      const auto title = clean(feed.title), site_url = clean(feed.site_url), description = clean(feed.description),
                 language = clean(feed.language), image_url = clean(feed.image_url);
      copy << std::tuple<const std::string&, const char*, const char*, const char*, const char*, const char*,
                         const std::string&>(url, nullable(title), nullable(site_url), nullable(description),
                                             nullable(language), nullable(image_url), categories_literal);
      articles_feed_url[url] = feed.articles_feed_url;
    }
    copy.complete();
  }
  for (const auto& row : tx.exec(feed_upsert_sql(feeds_table), "rssflow_feeds")) {
    const auto it = articles_feed_url.find(row[0].as<std::string>());
    if (it != articles_feed_url.end()) feed_ids[it->second] = row[1].as<long long>();
  }
}

// libpqxx 6.4's stream_to escapes every field it is given (and sends each non-ASCII byte as an
// octal escape); rows made by append_copy_columns are COPY text already. tablewriter is the one
// class of this libpqxx that sends a line as it is; only its constructor is deprecated.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
std::unique_ptr<pqxx::tablewriter> copy_text_into(pqxx::work& tx, const std::string& table) {
  return std::make_unique<pqxx::tablewriter>(tx, table, copy_columns().begin(), copy_columns().end());
}
#pragma GCC diagnostic pop

// Sends the rows made by append_copy_columns of the articles `selected` by COPY into table,
// each completed with its feed's id; in chunks of many rows, not a call per row.
void copy_rows(pqxx::work& tx, const std::string& table, const std::vector<Article>& articles, const std::string& text,
               const std::vector<std::size_t>& ends, const std::vector<std::size_t>& selected, const FeedIds& feed_ids) {
  constexpr std::size_t kChunkBytes = 1 << 18;
  const auto copy = copy_text_into(tx, table);
  std::string chunk;
  chunk.reserve(kChunkBytes + (1 << 16));
  for (const std::size_t i : selected) {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    chunk.append(text, begin, ends[i] - begin);
    const auto feed = feed_ids.find(articles[i].feed_url);
    end_copy_row(chunk, feed == feed_ids.end() ? nullptr : &feed->second);
    if (chunk.size() >= kChunkBytes) {
      copy->write_raw_line(chunk);  // ends with its last row's newline, which it keeps as the line end
      chunk.clear();
    }
  }
  if (!chunk.empty()) copy->write_raw_line(chunk);
  copy->complete();
}

struct StoredRow {
  std::string content_hash;  // hex
  std::string feed_url;
  int record_version = 0;
  std::string entry_hash;    // hex, "" when NULL
};

// url_hash hex -> content hash and owning feed of the rows[i] already stored.
std::unordered_map<std::string, StoredRow> stored_content_hashes(pqxx::work& tx, const std::string& articles,
                                                                   const std::vector<Article>& batch,
                                                                   const std::vector<std::size_t>& rows) {
  std::string keys = "{";
  for (std::size_t i : rows) {
    if (keys.size() > 1) keys.push_back(',');
    keys += batch[i].url_hash.hex();
  }
  keys.push_back('}');
  std::unordered_map<std::string, StoredRow> stored;
  const pqxx::result result =
      tx.exec("SELECT encode(url_hash, 'hex'), encode(content_hash, 'hex'), feed_url, record_version, encode(entry_hash, 'hex') FROM " + articles +
                  " WHERE url_hash IN (SELECT decode(k, 'hex') FROM unnest('" + keys + "'::text[]) AS k)",
              "rssflow_probe");
  for (const auto& row : result) {
    stored.emplace(row[0].as<std::string>(),
                   StoredRow{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<int>(0),
                             row[4].as<std::string>("")});
  }
  return stored;
}

// Records the entry hash of rows[i] whose stored content is unchanged but whose entry_hash is
// not (rows loaded before V3, or an entry edited without changing its text), so that the next
// run can skip them.
void store_entry_hashes(pqxx::work& tx, const std::string& articles, const std::vector<Article>& batch,
                        const std::vector<std::size_t>& rows) {
  std::string keys = "{", hashes = "{";
  for (std::size_t i : rows) {
    if (keys.size() > 1) {
      keys.push_back(',');
      hashes.push_back(',');
    }
    keys += batch[i].url_hash.hex();
    hashes += batch[i].entry_hash.hex();
  }
  keys.push_back('}');
  hashes.push_back('}');
  tx.exec("UPDATE " + articles + " AS a SET entry_hash = decode(v.e, 'hex') FROM unnest('" + keys + "'::text[], '" +
              hashes + "'::text[]) AS v(k, e) WHERE a.url_hash = decode(v.k, 'hex')",
          "rssflow_entry_hashes");
}

}  // namespace

struct PostgresSink::Session {
  SharedPostgresConnection link;
  pqxx::connection& conn() const { return *link->conn; }
  std::string articles;  // "schema"."articles"
  std::string feeds;     // "schema"."feeds"
  std::string keywords;  // "schema"."keywords"
  std::string upsert;
  FeedIds feed_ids;
};


PostgresSink::PostgresSink(PostgresOptions options, SharedPostgresConnection shared)
    : options_(std::move(options)), session_(std::make_unique<Session>()) {
  if (options_.batch_rows == 0) options_.batch_rows = 1;
  const std::string articles = qualified_name(options_.schema, "articles");
  session_->link = shared_or_new(std::move(shared), options_);
  session_->articles = articles;
  session_->feeds = qualified_name(options_.schema, "feeds");
  session_->keywords = qualified_name(options_.schema, "keywords");
  session_->upsert = upsert_sql(articles);
  try {
    // Staged text then compresses as cheaply as the lz4 columns of V1 (the compressed datum is
    // moved into articles as is). Servers without lz4 refuse the setting: keep their default.
    pqxx::nontransaction(session_->conn(), "rssflow_sink_lz4").exec("SET default_toast_compression = 'lz4'");
  } catch (const pqxx::sql_error&) {
  }
  try {
    pqxx::work tx(session_->conn(), "rssflow_sink_setup");
    tx.exec("SELECT 1 FROM " + articles + " LIMIT 0");
    tx.exec(staging_ddl());
    tx.exec(feed_staging_ddl());
    tx.commit();
  } catch (const pqxx::undefined_table& e) {
    throw postgres_error("table " + options_.schema + ".articles is missing (run `rssflow migrate`)", e,
                         options_.conninfo);
  } catch (const std::exception& e) {
    throw postgres_error("prepare loading into " + options_.schema + ".articles", e, options_.conninfo);
  }
  buffer_.rows.reserve(options_.batch_rows);
}

PostgresSink::~PostgresSink() { wait_in_flight(); }

void PostgresSink::wait_in_flight() const {
  if (in_flight_.valid()) in_flight_.wait();
}

void PostgresSink::collect() {
  if (in_flight_.valid()) in_flight_.get();
}

LoadStats PostgresSink::committed() const {
  wait_in_flight();
  return stats_;
}

SanitizeStats PostgresSink::sanitized() const {
  wait_in_flight();
  SanitizeStats all = formatted_.load();
  all += sanitized_;
  return all;
}

void PostgresSink::AtomicSanitizeStats::add(const SanitizeStats& stats) {
  if (stats == SanitizeStats{}) return;
  nul_bytes_removed += stats.nul_bytes_removed;
  invalid_utf8_replaced += stats.invalid_utf8_replaced;
  dates_dropped += stats.dates_dropped;
}

SanitizeStats PostgresSink::AtomicSanitizeStats::load() const {
  return SanitizeStats{nul_bytes_removed.load(), invalid_utf8_replaced.load(), dates_dropped.load()};
}

void PostgresSink::send_buffer() {
  collect();
  // The connection, stats_ and sanitized_ belong to the batch in flight until collect().
  in_flight_ = std::async(std::launch::async, [this, batch = std::exchange(buffer_, {})]() mutable { load_batch(batch); });
  buffer_.rows.reserve(options_.batch_rows);
}

HashSet PostgresSink::stored_entry_hashes() {
  collect();
  HashSet stored;
  try {
    pqxx::work tx(session_->conn(), "rssflow_entry_hashes");
    const pqxx::result rows = tx.exec("SELECT entry_hash FROM " + session_->articles + " WHERE entry_hash IS NOT NULL",
                                      "rssflow_entry_hashes");
    for (const auto& row : rows) {
      const pqxx::binarystring bytes(row[0]);
      if (bytes.size() != 16) continue;
      Hash128 hash;
      for (std::size_t k = 0; k < 8; ++k) hash.high = (hash.high << 8) | bytes[k];
      for (std::size_t k = 8; k < 16; ++k) hash.low = (hash.low << 8) | bytes[k];
      stored.insert(hash);
    }
    tx.commit();
  } catch (const std::exception& e) {
    throw postgres_error("read the stored entry hashes of " + options_.schema + ".articles", e, options_.conninfo);
  }
  return stored;
}

void PostgresSink::format(const Article& article, std::string& row) const {
  SanitizeStats stats;
  append_copy_columns(article, row, stats);
  formatted_.add(stats);
}

void PostgresSink::buffer_rows(ArticleBatch&& batch, bool send_when_full) {
  std::vector<Article> articles = std::move(batch.articles);
  const bool formatted = batch.row_ends.size() == articles.size();
  for (std::size_t k = 0; k < articles.size(); ++k) {
    if (formatted) {
      const std::size_t begin = k == 0 ? 0 : batch.row_ends[k - 1];
      buffer_.text.append(batch.rows, begin, batch.row_ends[k] - begin);
    } else {
      format(articles[k], buffer_.text);
    }
    buffer_.ends.push_back(buffer_.text.size());
    buffer_.rows.push_back(std::move(articles[k]));
    if (send_when_full && buffer_.rows.size() >= options_.batch_rows) send_buffer();
  }
}

void PostgresSink::write(ArticleBatch&& batch) { buffer_rows(std::move(batch), true); }

void PostgresSink::write_source(ArticleBatch&& batch, const SourceState& state) {
  buffer_rows(std::move(batch), false);  // a source's rows are not split across transactions
  buffer_.states.push_back(state);
  const std::size_t rows = buffer_.rows.size();
  if (rows >= options_.batch_rows || (rows >= std::min(kEagerRows, options_.batch_rows) && !busy())) send_buffer();
}

bool PostgresSink::busy() const {
  return in_flight_.valid() && in_flight_.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
}

void PostgresSink::write_feed(const FeedRecord& feed) { buffer_.feeds.insert_or_assign(feed.url, feed); }

void PostgresSink::write_keywords(const std::vector<KeywordDescription>& keywords) {
  std::vector<std::string> slugs, names, groups;
  for (const KeywordDescription& k : keywords) {
    slugs.push_back(k.slug);
    names.push_back(k.name);
    groups.push_back(k.group);
  }
  SanitizeStats sanitized;
  collect();
  try {
    pqxx::work tx(session_->conn(), "rssflow_keywords");
    tx.exec_params("INSERT INTO " + session_->keywords +
                       " AS k (slug, name, \"group\") SELECT * FROM unnest($1::text[], $2::text[], $3::text[])"
                       " ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, \"group\" = EXCLUDED.\"group\","
                       "  updated_at = now() WHERE (k.name, k.\"group\") IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.\"group\")",
                   text_array_literal(slugs, sanitized), text_array_literal(names, sanitized),
                   text_array_literal(groups, sanitized));
    tx.commit();
  } catch (const std::exception& e) {
    throw postgres_error("load the keyword dictionary into " + options_.schema + ".keywords", e, options_.conninfo);
  }
}

LoadStats PostgresSink::finish() {
  collect();
  if (!buffer_.empty()) load_batch(buffer_);
  return stats_;
}

void PostgresSink::load_batch(PendingBatch& pending) {
  bool probe = true;
  for (int attempt = 1;; ++attempt) {
    try {
      copy_and_upsert(pending, probe);
      break;
    } catch (const pqxx::sql_error& e) {
      // 23505: a concurrent loader committed a key this batch saw absent and copied directly;
      // 40P01: two loaders locked the same rows in different orders. Either way the batch was
      // rolled back whole and is repeated through the staging upsert, which handles both.
      const bool retry = (e.sqlstate() == "23505" && probe) || (e.sqlstate() == "40P01" && attempt < kRetries);
      if (!retry) throw postgres_error("load a batch into " + options_.schema + ".articles", e, options_.conninfo);
      probe = false;
    } catch (const std::exception& e) {
      throw postgres_error("load a batch into " + options_.schema + ".articles", e, options_.conninfo);
    }
  }
  pending = PendingBatch{};
}

void PostgresSink::copy_and_upsert(PendingBatch& pending, bool probe) {
  std::vector<Article>& batch = pending.rows;
  SanitizeStats sanitized = sanitized_;
  // The last copy of each url_hash, in url_hash order (= bytea order of the stored keys).
  std::unordered_map<Hash128, std::size_t, Hash128Hasher> last;
  for (std::size_t i = 0; i < batch.size(); ++i) last[batch[i].url_hash] = i;
  std::vector<std::size_t> rows;
  rows.reserve(last.size());
  for (const auto& entry : last) rows.push_back(entry.second);
  std::sort(rows.begin(), rows.end(), [&](std::size_t x, std::size_t y) {
    const Hash128& a = batch[x].url_hash;
    const Hash128& b = batch[y].url_hash;
    return a.high != b.high ? a.high < b.high : a.low < b.low;
  });
  std::uint64_t unchanged = batch.size() - rows.size();

  pqxx::work tx(session_->conn(), "rssflow_load");
  FeedIds feed_ids = session_->feed_ids;
  if (!pending.feeds.empty()) upsert_feeds(tx, session_->feeds, pending.feeds, feed_ids, sanitized);
  // New articles go straight into articles by COPY; known ones whose content changed go through
  // the staging upsert; unchanged ones are not sent at all (a rerun sends only hashes).
  std::vector<std::size_t> direct, staged, rehashed;
  if (probe && !rows.empty()) {
    const auto stored = stored_content_hashes(tx, session_->articles, batch, rows);
    for (std::size_t i : rows) {
      const auto it = stored.find(batch[i].url_hash.hex());
      if (it == stored.end()) {
        direct.push_back(i);
      } else if ((it->second.content_hash != batch[i].content_hash.hex() || it->second.record_version < kRecordVersion) &&
                 batch[i].feed_url <= it->second.feed_url) {
        staged.push_back(i);
      } else {
        ++unchanged;
        if (it->second.feed_url == batch[i].feed_url && it->second.entry_hash != batch[i].entry_hash.hex())
          rehashed.push_back(i);
      }
    }
  } else {
    staged = rows;
  }
  std::uint64_t inserted = 0, updated = 0;
  if (!direct.empty()) {
    copy_rows(tx, session_->articles, batch, pending.text, pending.ends, direct, feed_ids);
    inserted += direct.size();
  }
  if (!staged.empty()) {
    copy_rows(tx, kStaging, batch, pending.text, pending.ends, staged, feed_ids);
    const pqxx::row counts = tx.exec1(session_->upsert, "rssflow_upsert");
    const auto staged_inserted = counts[0].as<std::uint64_t>();
    const auto staged_updated = counts[1].as<std::uint64_t>();
    inserted += staged_inserted;
    updated += staged_updated;
    unchanged += staged.size() - staged_inserted - staged_updated;
  }
  if (!rehashed.empty()) store_entry_hashes(tx, session_->articles, batch, rehashed);
  if (!pending.states.empty()) save_source_states(tx, options_.schema, pending.states);
  tx.commit();
  session_->feed_ids = std::move(feed_ids);
  stats_.inserted += inserted;
  stats_.updated += updated;
  stats_.unchanged += unchanged;
  stats_.written += batch.size();
  ++stats_.batches;
  sanitized_ = sanitized;
}

}  // namespace rssflow
