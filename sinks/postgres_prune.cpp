#include "sinks/postgres_prune.h"

#include <vector>

#include <pqxx/pqxx>

#include "sinks/postgres_connection.h"

namespace rssflow {
namespace {

// The date retention goes by: V9 indexes this very expression.
constexpr const char* kArticleDate = "coalesce(published_at, first_seen_at)";

std::uint64_t prune_articles(pqxx::connection& conn, const std::string& articles, const std::string& cutoff,
                             const PruneOptions& options, PruneResult& result,
                             const std::function<void(std::uint64_t)>& on_batch) {
  if (options.dry_run) {
    pqxx::read_transaction tx(conn, "rssflow_prune_count");
    return tx.exec1("SELECT count(*) FROM " + articles + " WHERE " + kArticleDate + " < " + cutoff)[0].as<std::uint64_t>();
  }
  std::uint64_t deleted = 0;
  const std::string batch = std::to_string(options.batch_rows);
  for (;;) {
    pqxx::work tx(conn, "rssflow_prune_batch");
    const pqxx::result rows = tx.exec("DELETE FROM " + articles + " WHERE url_hash IN (SELECT url_hash FROM " + articles +
                                      " WHERE " + kArticleDate + " < " + cutoff + " ORDER BY " + kArticleDate +
                                      " LIMIT " + batch + " FOR UPDATE SKIP LOCKED)");
    tx.commit();
    const auto n = static_cast<std::uint64_t>(rows.affected_rows());
    if (n == 0) break;
    deleted += n;
    ++result.batches;
    if (on_batch) on_batch(deleted);
    if (n < options.batch_rows) break;
  }
  return deleted;
}

std::uint64_t prune_source_states(pqxx::connection& conn, const std::string& table, const PruneOptions& options) {
  if (!options.listed_sources) return 0;
  std::vector<std::string> unlisted;
  {
    pqxx::read_transaction tx(conn, "rssflow_prune_states_read");
    for (const auto& row : tx.exec("SELECT url FROM " + table)) {
      std::string url = row[0].as<std::string>();
      if (options.listed_sources->count(url) == 0) unlisted.push_back(std::move(url));
    }
  }
  if (options.dry_run || unlisted.empty()) return unlisted.size();
  std::uint64_t deleted = 0;
  pqxx::work tx(conn, "rssflow_prune_states");
  for (std::size_t start = 0; start < unlisted.size(); start += 1000) {
    std::string list;
    for (std::size_t i = start; i < unlisted.size() && i < start + 1000; ++i) {
      if (!list.empty()) list += ',';
      list += tx.quote(unlisted[i]);
    }
    deleted += static_cast<std::uint64_t>(tx.exec("DELETE FROM " + table + " WHERE url IN (" + list + ")").affected_rows());
  }
  tx.commit();
  return deleted;
}

}  // namespace

PruneResult prune(const PostgresOptions& database, const PruneOptions& options,
                  const std::function<void(std::uint64_t)>& on_batch) {
  if (options.older_than.count() <= 0 || options.batch_rows == 0) {
    throw std::invalid_argument("prune: older_than and batch_rows must be positive");
  }
  auto conn = connect_postgres(database);
  PruneResult result;
  std::string step = "compute the cutoff";
  try {
    std::string cutoff;
    {
      pqxx::read_transaction tx(*conn, "rssflow_prune_cutoff");
      const pqxx::row row = tx.exec1("SELECT c, extract(epoch FROM c)::bigint FROM (SELECT now() - make_interval(secs => " +
                                     std::to_string(options.older_than.count()) + ") AS c) AS t");
      cutoff = tx.quote(row[0].as<std::string>()) + "::timestamptz";
      result.cutoff = Instant{std::chrono::seconds{row[1].as<long long>()}};
    }
    step = "delete articles older than the cutoff";
    result.articles = prune_articles(*conn, qualified_name(database.schema, "articles"), cutoff, options, result, on_batch);
    step = "delete the fetch state of unlisted sources";
    result.source_states = prune_source_states(*conn, qualified_name(database.schema, "source_state"), options);
  } catch (const SinkError&) {
    throw;
  } catch (const std::exception& e) {
    throw postgres_error(step, e, database.conninfo);
  }
  return result;
}

}  // namespace rssflow
