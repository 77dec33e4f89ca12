#include "sinks/postgres_sink.h"

#include <chrono>
#include <string>
#include <tuple>

#include <pqxx/pqxx>

#include "core/time.h"
#include "sinks/postgres_connection.h"

namespace rssflow {
namespace {

constexpr const char* kStaging = "rssflow_staging";
constexpr int kDeadlockRetries = 3;

const std::vector<std::string>& staging_columns() {
  static const std::vector<std::string> columns = {
      "seq",          "url",        "guid",     "title",        "author",     "published_at",
      "summary",      "content_text", "keywords", "categories", "feed_url",   "url_hash",
      "content_hash", "fetched_at", "duplicate_of"};
  return columns;
}

std::string staging_ddl() {
  return std::string("CREATE TEMPORARY TABLE ") + kStaging +
         " (seq bigint NOT NULL, url text, guid text, title text, author text, published_at timestamptz,"
         "  summary text, content_text text, keywords text[], categories text[], feed_url text,"
         "  url_hash bytea NOT NULL, content_hash bytea, fetched_at timestamptz, duplicate_of bytea)"
         " ON COMMIT DELETE ROWS";
}

// One statement per batch: the latest copy of each url_hash, inserted in url_hash order (so
// concurrent loaders lock rows in the same order), updating only rows whose content changed.
std::string upsert_sql(const std::string& articles) {
  return "WITH batch AS ("
         "  SELECT DISTINCT ON (url_hash) * FROM " + std::string(kStaging) + " ORDER BY url_hash, seq DESC"
         "), upserted AS ("
         "  INSERT INTO " + articles + " AS a (url_hash, url, guid, title, author, published_at, summary,"
         "    content_text, keywords, categories, feed_url, content_hash, fetched_at, duplicate_of)"
         "  SELECT url_hash, url, guid, title, author, published_at, summary, content_text, keywords,"
         "    categories, feed_url, content_hash, fetched_at, duplicate_of FROM batch ORDER BY url_hash"
         "  ON CONFLICT (url_hash) DO UPDATE SET url = EXCLUDED.url, guid = EXCLUDED.guid,"
         "    title = EXCLUDED.title, author = EXCLUDED.author, published_at = EXCLUDED.published_at,"
         "    summary = EXCLUDED.summary, content_text = EXCLUDED.content_text,"
         "    keywords = EXCLUDED.keywords, categories = EXCLUDED.categories,"
         "    feed_url = EXCLUDED.feed_url, content_hash = EXCLUDED.content_hash,"
         "    fetched_at = EXCLUDED.fetched_at, duplicate_of = EXCLUDED.duplicate_of, updated_at = now()"
         "  WHERE a.content_hash IS DISTINCT FROM EXCLUDED.content_hash"
         "  RETURNING (a.xmax = 0) AS inserted"
         ") SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted";
}

std::string bytea_hex(const Hash128& hash) { return "\\x" + hash.hex(); }

bool is_hash_hex(const std::string& text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// PostgreSQL's timestamptz holds these years; anything else is a parser's misreading.
std::optional<std::string> storable_instant(Instant instant, SanitizeStats& stats) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(instant)};
  if (day.year() < std::chrono::year{1} || day.year() > std::chrono::year{9999}) {
    ++stats.dates_dropped;
    return std::nullopt;
  }
  return format_rfc3339(instant);
}

// The text forms of one article's staging columns, sanitised.
struct StagingRow {
  std::string keywords, categories, url_hash, content_hash, fetched_at;
  std::optional<std::string> published_at, duplicate_of;

  StagingRow(Article& a, SanitizeStats& stats) {
    for (std::string* text : {&a.url, &a.guid, &a.title, &a.summary, &a.content_text, &a.feed_url}) {
      sanitize_text(*text, stats);
    }
    if (a.author) sanitize_text(*a.author, stats);
    keywords = text_array_literal(a.keywords, stats);
    categories = text_array_literal(a.categories, stats);
    url_hash = bytea_hex(a.url_hash);
    content_hash = bytea_hex(a.content_hash);
    fetched_at = storable_instant(a.fetched_at, stats).value_or(format_rfc3339(now_seconds()));
    if (a.published_at) published_at = storable_instant(*a.published_at, stats);
    if (a.duplicate_of) {
      if (is_hash_hex(*a.duplicate_of)) {
        duplicate_of = "\\x" + *a.duplicate_of;
      } else {
        ++stats.bad_references_dropped;
      }
    }
  }
};

const char* nullable(const std::optional<std::string>& text) { return text ? text->c_str() : nullptr; }

}  // namespace

struct PostgresSink::Session {
  std::unique_ptr<pqxx::connection> conn;
  std::string upsert;
};

PostgresSink::PostgresSink(PostgresOptions options) : options_(std::move(options)), session_(std::make_unique<Session>()) {
  if (options_.batch_rows == 0) options_.batch_rows = 1;
  const std::string articles = qualified_name(options_.schema, "articles");
  session_->conn = connect_postgres(options_);
  session_->upsert = upsert_sql(articles);
  try {
    // Staged text then compresses as cheaply as the lz4 columns of V1 (the compressed datum is
    // moved into articles as is). Servers without lz4 refuse the setting: keep their default.
    pqxx::nontransaction(*session_->conn, "rssflow_sink_lz4").exec("SET default_toast_compression = 'lz4'");
  } catch (const pqxx::sql_error&) {
  }
  try {
    pqxx::work tx(*session_->conn, "rssflow_sink_setup");
    tx.exec("SELECT 1 FROM " + articles + " LIMIT 0");
    tx.exec(staging_ddl());
    tx.commit();
  } catch (const pqxx::undefined_table& e) {
    throw postgres_error("table " + options_.schema + ".articles is missing (run `rssflow migrate`)", e,
                         options_.conninfo);
  } catch (const std::exception& e) {
    throw postgres_error("prepare loading into " + options_.schema + ".articles", e, options_.conninfo);
  }
  buffer_.reserve(options_.batch_rows);
}

PostgresSink::~PostgresSink() = default;

void PostgresSink::write(std::vector<Article>& articles) {
  for (Article& article : articles) {
    buffer_.push_back(std::move(article));
    if (buffer_.size() >= options_.batch_rows) load_batch(buffer_);
  }
  articles.clear();
}

LoadStats PostgresSink::finish() {
  if (!buffer_.empty()) load_batch(buffer_);
  return stats_;
}

void PostgresSink::load_batch(std::vector<Article>& batch) {
  for (int attempt = 1;; ++attempt) {
    try {
      copy_and_upsert(batch);
      break;
    } catch (const pqxx::deadlock_detected& e) {
      // Another loader (a concurrent shard) locked the same rows: the batch was rolled back
      // whole and can simply be repeated.
      if (attempt == kDeadlockRetries) throw postgres_error("load a batch into " + options_.schema + ".articles", e, options_.conninfo);
    } catch (const std::exception& e) {
      throw postgres_error("load a batch into " + options_.schema + ".articles", e, options_.conninfo);
    }
  }
  batch.clear();
}

void PostgresSink::copy_and_upsert(std::vector<Article>& batch) {
  SanitizeStats sanitized = sanitized_;
  pqxx::work tx(*session_->conn, "rssflow_load");
  // DISTINCT ON sorts whole staged rows: a default 4 MB work_mem spills a 5000-row batch to disk.
  tx.exec("SET LOCAL work_mem = '64MB'");
  {
    pqxx::stream_to copy(tx, kStaging, staging_columns());
    long long seq = 0;
    for (Article& a : batch) {
      const StagingRow row(a, sanitized);
      copy << std::tuple<long long, const std::string&, const std::string&, const std::string&, const char*,
                         const char*, const std::string&, const std::string&, const std::string&, const std::string&,
                         const std::string&, const std::string&, const std::string&, const std::string&, const char*>(
          seq++, a.url, a.guid, a.title, a.author ? a.author->c_str() : nullptr, nullable(row.published_at),
          a.summary, a.content_text, row.keywords, row.categories, a.feed_url, row.url_hash, row.content_hash,
          row.fetched_at, nullable(row.duplicate_of));
    }
    copy.complete();
  }
  const pqxx::row counts = tx.exec1(session_->upsert, "rssflow_upsert");
  tx.commit();
  const auto inserted = counts[0].as<std::uint64_t>();
  const auto updated = counts[1].as<std::uint64_t>();
  stats_.inserted += inserted;
  stats_.updated += updated;
  stats_.unchanged += batch.size() - inserted - updated;
  stats_.written += batch.size();
  ++stats_.batches;
  sanitized_ = sanitized;
}

}  // namespace rssflow
