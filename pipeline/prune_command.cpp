// `rssflow prune`: retention for the PostgreSQL tables (sinks/postgres_prune.h).
#include <chrono>
#include <unordered_set>

#include "core/atomic_file.h"
#include "core/time.h"
#include "pipeline/commands.h"
#include "pipeline/log.h"
#include "sinks/article_sink.h"
#include "sinks/postgres_migrate.h"
#include "sinks/postgres_prune.h"
#include "sinks/prometheus_metrics.h"
#include "sources/opml.h"

namespace rssflow {
namespace {

void publish_prune_metrics(const PruneCommand& command, const PruneMetrics& metrics, EventLog& log) {
  if (command.metrics_file) {
    try {
      write_file_atomically(*command.metrics_file, render_prune_metrics(metrics));
    } catch (const std::exception& e) {
      log.emit(LogLevel::error, "metrics_write_failed", {{"message", e.what()}});
    }
  }
  if (command.pushgateway_url) {
    if (auto error = push_to_gateway(*command.pushgateway_url, "rssflow_prune", {}, render_prune_metrics(metrics))) {
      log.emit(LogLevel::error, "metrics_push_failed", {{"message", *error}});
    }
  }
}

}  // namespace

int prune_command(const PruneCommand& command) {
  EventLog log(command.log);
  const auto started = std::chrono::steady_clock::now();
  PruneOptions options;
  options.older_than = command.older_than;
  options.dry_run = command.dry_run;
  options.batch_rows = command.postgres.batch_rows;
  try {
    SourceList list = read_opml(command.sources_file);
    std::unordered_set<std::string> listed;
    for (const Source& source : list.sources) listed.insert(source.url);
    for (const StageError& error : list.errors) listed.insert(error.feed_url);  // keep what we cannot judge
    options.listed_sources = std::move(listed);
  } catch (const std::exception& e) {
    log.emit(LogLevel::error, "prune_config_invalid", {{"message", e.what()}});
    return 2;
  }
  log.emit(LogLevel::info, "prune_started",
           {{"older_than_seconds", static_cast<long long>(command.older_than.count())},
            {"dry_run", command.dry_run ? "true" : "false"},
            {"sources", static_cast<std::size_t>(options.listed_sources->size())}});

  PruneMetrics metrics;
  metrics.dry_run = command.dry_run;
  PruneResult result;
  try {
    migrate(command.postgres);  // the retention index (V9) and any table prune reads
    result = prune(command.postgres, options, [&](std::uint64_t so_far) {
      log.emit(LogLevel::debug, "prune_batch", {{"articles_deleted", so_far}});
    });
  } catch (const SinkError& e) {
    log.emit(LogLevel::error, "prune_failed", {{"message", e.what()}});
    metrics.exit_status = 3;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics.duration_seconds = seconds;
  metrics.cutoff = result.cutoff;
  metrics.finished_at = std::chrono::system_clock::now();
  metrics.articles = result.articles;
  metrics.source_states = result.source_states;
  if (metrics.exit_status == 0) {
    log.emit(LogLevel::info, "prune_finished",
             {{"status", command.dry_run ? "dry_run" : "ok"}, {"exit_code", 0}, {"cutoff", format_rfc3339(result.cutoff)},
              {command.dry_run ? "articles_to_delete" : "articles_deleted", result.articles},
              {command.dry_run ? "source_states_to_delete" : "source_states_deleted", result.source_states},
              {"batches", result.batches}, {"duration_seconds", seconds}});
  }
  publish_prune_metrics(command, metrics, log);
  return metrics.exit_status;
}

}  // namespace rssflow
