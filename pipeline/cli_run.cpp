// `rssflow run`: its flags and their validation.
#include "pipeline/cli_subcommands.h"
#include "sources/fetch_schedule.h"

#include "pipeline/config_checks.h"
#include "pipeline/sink_setup.h"
#include "sinks/postgres_connection.h"

namespace rssflow::cli {

RunFlags::RunFlags(const std::filesystem::path& config_dir) {
  config.sources_file = config_dir / "sources.opml";
  config.keywords_file = config_dir / "keywords.tsv";
  config.postgres.conninfo = default_database_url();
}

void add_run_options(CLI::App& cmd, RunFlags& f) {
  RunConfig& run = f.config;
  cmd.add_option("--sources", run.sources_file, "OPML source list")->check(CLI::ExistingFile)->capture_default_str();
  cmd.add_option("--sink", f.sink, "where records go")->check(CLI::IsMember({"jsonl", "postgres"}))->capture_default_str();
  cmd.add_option("--out", run.out, "JSON Lines output file ({run_id} and {timestamp} are replaced), - for stdout")->capture_default_str();
  cmd.add_flag("--all", run.write_all,
               "jsonl: write every record of the sources fetched (unchanged bodies parsed too; --force fetches all now)");
  add_postgres_options(cmd, run.postgres);
  cmd.add_option("--batch-rows", run.postgres.batch_rows, "most rows per load transaction (one goes as soon as 256 are ready and the connection is free)")->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))->capture_default_str();
  cmd.add_option("--state-file", f.state_file, "fetch state (validators, backoff) for the jsonl sink");
  cmd.add_option("--metrics-file", f.metrics_file, "Prometheus textfile-collector output, written atomically");
  cmd.add_option("--pushgateway", f.pushgateway, "Pushgateway base URL, e.g. http://127.0.0.1:9091");
  cmd.add_option("--report", f.report_file, "JSON run report with per-source outcomes");
  cmd.add_option("--lock-file", f.lock_file, "lock file (default: one per source list, sink and shard in $XDG_RUNTIME_DIR or /tmp)");
  cmd.add_option("--shard", f.shard, "process only shard K of N (0-based), e.g. 0/4");
  cmd.add_option("--keywords", run.keywords_file, "keyword dictionary")->check(CLI::ExistingFile)->capture_default_str();
  cmd.add_option("--summary-bytes", run.article.summary_max_bytes, "summary length cap")->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20))->capture_default_str();
  cmd.add_option("--log-format", f.log_format, "stderr event format")->check(CLI::IsMember({"logfmt", "json"}))->capture_default_str();
  CLI::Option* quiet = cmd.add_flag("--quiet,-q", run.log.quiet, "for cron: print only warnings, errors and a summary when something failed");
  CLI::Option* verbose = cmd.add_flag("--verbose,-v", run.log.verbose, "also log one line per source");
  quiet->excludes(verbose);
  cmd.add_option("--stop-grace", f.stop_grace_s, "after SIGTERM/SIGINT, seconds transfers in flight may still finish before they are aborted")->check(CLI::Range(0.0, 3600.0))->capture_default_str();
  cmd.add_option("--progress-interval", f.progress_interval_s, "seconds between progress events when stderr is not a terminal (0: none)")
      ->check(CLI::Range(0.0, 86400.0))->capture_default_str();
  add_fetch_options(cmd, f.fetch);
  add_parse_limit_options(cmd, f.parse);
  cmd.add_option("--min-interval", f.min_interval,
                 "least time between two fetches of a source, e.g. 30m, 2h (OPML minInterval overrides)")->capture_default_str();
  cmd.add_option("--unconditional-interval", f.unconditional_interval,
                 "least time between fetches of a source that sends no ETag or Last-Modified")->capture_default_str();
  cmd.add_option("--max-interval", f.max_interval,
                 "cap on what Cache-Control, Expires, ttl, sy:updatePeriod and the publishing rate may ask for")->capture_default_str();
  cmd.add_flag("--force", run.force, "fetch now: ignore schedules and backoff (not 410 Gone: see `feeds reset`)");
  cmd.add_option("--only", run.only, "run just these source URLs (as `rssflow sources` lists them)");
  cmd.add_option("--user-agent", f.user_agent, "User-Agent header (default: rssflow/<version> (+<project URL>))");
}

namespace {

// Empty when the schedule flags are valid; else the usage error.
std::string finish_schedule(const RunFlags& f, SchedulePolicy& policy) {
  const auto min = parse_interval(f.min_interval);
  const auto unconditional = parse_interval(f.unconditional_interval);
  const auto max = parse_interval(f.max_interval);
  if (!min) return "--min-interval: expected a duration like 30m, 2h or 1d, got '" + f.min_interval + "'";
  if (!unconditional)
    return "--unconditional-interval: expected a duration like 4h, got '" + f.unconditional_interval + "'";
  if (!max) return "--max-interval: expected a duration like 24h, got '" + f.max_interval + "'";
  if (*min > *max || *unconditional > *max)
    return "--max-interval " + f.max_interval + " is shorter than --min-interval or --unconditional-interval";
  policy = SchedulePolicy{*min, *unconditional, *max};
  return "";
}

}  // namespace

// The first file a run would write but cannot, as "--flag PATH: reason".
std::optional<std::string> unwritable_run_path(const RunConfig& run) {
  std::vector<std::pair<std::string, std::filesystem::path>> paths;
  paths.emplace_back("--lock-file", run.lock_file ? *run.lock_file : default_lock_path(run));
  if (run.sink == SinkKind::jsonl && run.out != "-") {
    paths.emplace_back("--out", expand_output_path(run.out, make_run_identity(now_seconds())));
  }
  if (run.state_file) paths.emplace_back("--state-file", *run.state_file);
  if (const auto index = written_index_path(run)) paths.emplace_back("--state-file", *index);
  if (run.report_file) paths.emplace_back("--report", *run.report_file);
  if (run.metrics_file) paths.emplace_back("--metrics-file", *run.metrics_file);
  for (const auto& [flag, path] : paths) {
    if (const auto reason = unwritable_reason(path)) return flag + " " + path.string() + ": " + *reason;
  }
  return std::nullopt;
}

Command finish_run(RunFlags& f) {
  RunConfig& run = f.config;
  run.sink = f.sink == "postgres" ? SinkKind::postgres : SinkKind::jsonl;
  run.log.format = f.log_format == "json" ? LogFormat::json : LogFormat::logfmt;
  run.fetch = to_fetch_options(f.fetch);
  run.parse = to_parse_limits(f.parse);
  run.stop_grace = std::chrono::milliseconds(static_cast<long>(f.stop_grace_s * 1000));
  for (const char c : f.user_agent) {
    // A control character would end the header line: what follows would be a header of its own.
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f')
      return usage_error("--user-agent: control characters are not allowed in a header");
  }
  run.fetch.user_agent = f.user_agent;
  if (const std::string error = finish_schedule(f, run.schedule); !error.empty()) return usage_error(error);
  run.log.progress_interval = std::chrono::milliseconds(static_cast<long long>(f.progress_interval_s * 1000));
  if (!f.state_file.empty()) run.state_file = f.state_file;
  if (!f.metrics_file.empty()) run.metrics_file = f.metrics_file;
  if (!f.report_file.empty()) run.report_file = f.report_file;
  if (!f.lock_file.empty()) run.lock_file = f.lock_file;
  if (!f.pushgateway.empty()) {
    if (f.pushgateway.rfind("http://", 0) != 0 && f.pushgateway.rfind("https://", 0) != 0)
      return usage_error("--pushgateway: expected an http(s):// URL, got '" + f.pushgateway + "'");
    run.pushgateway_url = f.pushgateway;
  }
  if (!parse_shard_flag(f.shard, run.shard))
    return usage_error("--shard: expected K/N with 0 <= K < N, got '" + f.shard + "'");
  if (run.sink == SinkKind::postgres && run.state_file)
    return usage_error("--state-file: the postgres sink keeps fetch state in the database");
  if (run.sink == SinkKind::jsonl && run.out.empty()) return usage_error("--out: empty path");
  if (run.sink == SinkKind::postgres && run.write_all) return usage_error("--all: only for the jsonl sink");
  if (run.sink == SinkKind::postgres) {
    if (const auto error = conninfo_syntax_error(run.postgres.conninfo)) return usage_error("--database-url: not a postgresql:// URI or key=value conninfo (" + *error + ")");
  }
  if (const auto error = unwritable_run_path(run)) return usage_error(*error);
  return RunCommand{std::move(run)};
}

}  // namespace rssflow::cli
