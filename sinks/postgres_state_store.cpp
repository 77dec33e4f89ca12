#include "sinks/postgres_state_store.h"

#include <chrono>
#include <tuple>

#include <pqxx/pqxx>

#include "core/time.h"
#include "sinks/postgres_connection.h"
#include "sinks/postgres_text.h"

namespace rssflow {
namespace {

constexpr const char* kStaging = "rssflow_state_staging";

std::optional<Instant> parse_instant(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return Instant{std::chrono::seconds{field.as<long long>()}};
}

std::optional<std::chrono::seconds> optional_seconds(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return std::chrono::seconds{field.as<long long>()};
}

std::optional<std::string> seconds_text(const std::optional<std::chrono::seconds>& value) {
  if (!value) return std::nullopt;
  return std::to_string(value->count());
}

std::optional<std::string> optional_text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

std::optional<std::string> clean(const std::optional<std::string>& text, SanitizeStats& stats) {
  if (!text) return std::nullopt;
  std::string copy = *text;
  sanitize_text(copy, stats);
  return copy;
}

std::optional<std::string> instant_text(const std::optional<Instant>& instant) {
  if (!instant) return std::nullopt;
  return format_rfc3339(*instant);
}

const char* nullable(const std::optional<std::string>& text) { return text ? text->c_str() : nullptr; }

}  // namespace

struct PostgresFetchStateStore::Session {
  SharedPostgresConnection link;
  pqxx::connection& conn() const { return *link->conn; }
};

PostgresFetchStateStore::PostgresFetchStateStore(PostgresOptions options, SharedPostgresConnection shared)
    : options_(std::move(options)), shared_(std::move(shared)) {}

PostgresFetchStateStore::~PostgresFetchStateStore() = default;

PostgresFetchStateStore::Session& PostgresFetchStateStore::session() {
  if (!session_) {
    auto session = std::make_unique<Session>();
    session->link = shared_or_new(std::move(shared_), options_);
    session_ = std::move(session);
  }
  return *session_;
}

std::unordered_map<std::string, SourceState> PostgresFetchStateStore::load_all() {
  std::unordered_map<std::string, SourceState> states;
  try {
    pqxx::read_transaction tx(session().conn(), "rssflow_state_load");
    const pqxx::result rows = tx.exec(
        "SELECT url, etag, last_modified, last_status, last_error, consecutive_failures,"
        " extract(epoch FROM last_success_at)::bigint, extract(epoch FROM next_attempt_at)::bigint,"
        " permanent_redirect, gone, extract(epoch FROM next_fetch_at)::bigint, body_hash, entries, ttl_seconds,"
        " update_period_seconds, skip_hours, skip_days, publish_interval_seconds FROM " +
        qualified_name(options_.schema, "source_state"));
    for (const auto& row : rows) {
      SourceState state;
      state.url = row[0].as<std::string>();
      state.validators.etag = optional_text(row[1]);
      state.validators.last_modified = optional_text(row[2]);
      state.last_status = row[3].as<int>();
      state.last_error = row[4].as<std::string>();
      state.consecutive_failures = row[5].as<int>();
      state.last_success_at = parse_instant(row[6]);
      state.next_attempt_at = parse_instant(row[7]);
      state.permanent_redirect = optional_text(row[8]);
      state.gone = row[9].as<bool>();
      state.next_fetch_at = parse_instant(row[10]);
      state.body_hash = optional_text(row[11]);
      state.entries = row[12].as<std::size_t>();
      state.feed_hints.ttl = optional_seconds(row[13]);
      state.feed_hints.update_period = optional_seconds(row[14]);
      state.feed_hints.skip_hours = row[15].as<std::uint32_t>();
      state.feed_hints.skip_days = static_cast<std::uint8_t>(row[16].as<unsigned>());
      state.publish_interval = optional_seconds(row[17]);
      states.emplace(state.url, std::move(state));
    }
  } catch (const SinkError&) {
    throw;
  } catch (const std::exception& e) {
    throw postgres_error("read " + options_.schema + ".source_state", e, options_.conninfo);
  }
  return states;
}

void save_source_states(pqxx::transaction_base& tx, const std::string& schema, const std::vector<SourceState>& states) {
  if (states.empty()) return;
  SanitizeStats ignored;
  tx.exec(std::string("CREATE TEMPORARY TABLE IF NOT EXISTS ") + kStaging +
          " (seq bigint, url text, etag text, last_modified text, last_status integer, last_error text,"
          "  consecutive_failures integer, last_success_at timestamptz, next_attempt_at timestamptz,"
          "  permanent_redirect text, gone boolean, next_fetch_at timestamptz, body_hash text, entries integer,"
          "  ttl_seconds integer, update_period_seconds integer, skip_hours integer, skip_days smallint,"
          "  publish_interval_seconds integer) ON COMMIT DROP");
  {
    pqxx::stream_to copy(tx, kStaging,
                         std::vector<std::string>{"seq", "url", "etag", "last_modified", "last_status", "last_error",
                                                  "consecutive_failures", "last_success_at", "next_attempt_at",
                                                  "permanent_redirect", "gone", "next_fetch_at", "body_hash",
                                                  "entries", "ttl_seconds", "update_period_seconds", "skip_hours",
                                                  "skip_days", "publish_interval_seconds"});
    long long seq = 0;
    for (const SourceState& s : states) {
      std::string url = s.url, error = s.last_error;
      sanitize_text(url, ignored);
      sanitize_text(error, ignored);
      const auto etag = clean(s.validators.etag, ignored);
      const auto last_modified = clean(s.validators.last_modified, ignored);
      const auto redirect = clean(s.permanent_redirect, ignored);
      const auto success = instant_text(s.last_success_at);
      const auto next = instant_text(s.next_attempt_at);
      const auto next_fetch = instant_text(s.next_fetch_at);
      const auto ttl = seconds_text(s.feed_hints.ttl);
      const auto period = seconds_text(s.feed_hints.update_period);
      const auto publish = seconds_text(s.publish_interval);
      copy << std::make_tuple(seq++, url, nullable(etag), nullable(last_modified), s.last_status, error,
                              s.consecutive_failures, nullable(success), nullable(next), nullable(redirect),
                              std::string(s.gone ? "t" : "f"), nullable(next_fetch), nullable(s.body_hash),
                              static_cast<long long>(s.entries), nullable(ttl), nullable(period),
                              static_cast<long long>(s.feed_hints.skip_hours),
                              static_cast<int>(s.feed_hints.skip_days), nullable(publish));
    }
    copy.complete();
  }
  tx.exec("INSERT INTO " + qualified_name(schema, "source_state") +
          " AS s (url, etag, last_modified, last_status, last_error, consecutive_failures, last_success_at,"
          "  next_attempt_at, permanent_redirect, gone, next_fetch_at, body_hash, entries, ttl_seconds,"
          "  update_period_seconds, skip_hours, skip_days, publish_interval_seconds)"
          " SELECT DISTINCT ON (url) url, etag, last_modified, last_status, last_error, consecutive_failures,"
          "  last_success_at, next_attempt_at, permanent_redirect, gone, next_fetch_at, body_hash, entries,"
          "  ttl_seconds, update_period_seconds, skip_hours, skip_days, publish_interval_seconds"
          " FROM " + std::string(kStaging) + " ORDER BY url, seq DESC"
          " ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,"
          "  last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error,"
          "  consecutive_failures = EXCLUDED.consecutive_failures, last_success_at = EXCLUDED.last_success_at,"
          "  next_attempt_at = EXCLUDED.next_attempt_at, permanent_redirect = EXCLUDED.permanent_redirect,"
          "  gone = EXCLUDED.gone, next_fetch_at = EXCLUDED.next_fetch_at, body_hash = EXCLUDED.body_hash,"
          "  entries = EXCLUDED.entries, ttl_seconds = EXCLUDED.ttl_seconds,"
          "  update_period_seconds = EXCLUDED.update_period_seconds, skip_hours = EXCLUDED.skip_hours,"
          "  skip_days = EXCLUDED.skip_days, publish_interval_seconds = EXCLUDED.publish_interval_seconds,"
          "  updated_at = now()");
  tx.exec(std::string("DROP TABLE ") + kStaging);
}

void PostgresFetchStateStore::save_all(const std::vector<SourceState>& states) {
  if (states.empty()) return;
  try {
    pqxx::work tx(session().conn(), "rssflow_state_save");
    save_source_states(tx, options_.schema, states);
    tx.commit();
  } catch (const SinkError&) {
    throw;
  } catch (const std::exception& e) {
    throw postgres_error("save " + options_.schema + ".source_state", e, options_.conninfo);
  }
}

}  // namespace rssflow
