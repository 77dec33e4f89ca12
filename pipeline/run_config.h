// Typed, validated configuration of one `rssflow run`, built once from the command line
// (pipeline/cli.cpp). Each component receives only its own options struct.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sinks/postgres_options.h"
#include "sources/fetch_schedule.h"
#include "sources/http_fetcher.h"
#include "sources/parse_limits.h"
#include "sources/shard.h"
#include "transforms/article_builder.h"

namespace rssflow {

enum class SinkKind { jsonl, postgres };
enum class LogFormat { logfmt, json };

struct LogOptions {
  LogFormat format = LogFormat::logfmt;
  bool quiet = false;    // only warnings and errors; no summary when all is well
  bool verbose = false;  // also one debug line per source
  // Not on a terminal: a `progress` event this often (--progress-interval; 0: never).
  std::chrono::milliseconds progress_interval{30'000};
};

struct RunConfig {
  std::filesystem::path sources_file;
  std::filesystem::path keywords_file;
  SinkKind sink = SinkKind::jsonl;
  std::string out = "-";  // jsonl destination, "-" for stdout; {run_id} and {timestamp} are expanded
  bool write_all = false;  // jsonl --all: every record seen, not only those new or changed
  PostgresOptions postgres;  // conninfo empty: libpq environment (PGHOST, PGDATABASE, ...)
  std::optional<std::filesystem::path> state_file;  // jsonl sink: conditional GET state
  std::optional<std::filesystem::path> metrics_file;
  std::optional<std::string> pushgateway_url;
  std::optional<std::filesystem::path> report_file;
  std::optional<std::filesystem::path> lock_file;
  std::optional<ShardSpec> shard;
  SchedulePolicy schedule;        // --min-interval, --unconditional-interval, --max-interval
  bool force = false;             // --force: ignore schedules and backoff (not 410 Gone)
  std::vector<std::string> only;  // --only: just these source URLs (empty: all)
  FetchOptions fetch;
  ArticleOptions article;
  ParseLimits parse;  // budget per source (README "Budgets per source")
  LogOptions log;
  // After the first SIGTERM/SIGINT: how long transfers in flight may still finish before
  // they are aborted (--stop-grace).
  std::chrono::milliseconds stop_grace{5000};
};

// Where bundled files (sources.opml, keywords.tsv, snapshot/) live: $RSSFLOW_CONFIG_DIR if set;
// else the source tree's config/ when the running executable lies inside the build tree; else
// <folder of the executable>/../share/rssflow (the installed layout). Never fails: a missing
// folder surfaces as "file not found" naming the path.
std::filesystem::path bundled_config_dir();

}  // namespace rssflow
