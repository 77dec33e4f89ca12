#include "pipeline/cli.h"

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/version.h"

namespace rssflow {

std::filesystem::path bundled_config_dir() {
  if (const char* env = std::getenv("RSSFLOW_CONFIG_DIR"); env && *env) return env;
#ifdef RSSFLOW_CONFIG_DIR
  if (std::filesystem::exists(RSSFLOW_CONFIG_DIR)) return RSSFLOW_CONFIG_DIR;
#endif
  return "config";
}

namespace {

struct FetchFlags {
  int concurrency = 32;
  int per_host = 2;
  double connect_timeout_s = 10;
  double timeout_s = 60;
  std::size_t max_body_bytes = 16u << 20;
  int max_redirects = 5;
};

void add_fetch_flags(CLI::App& cmd, FetchFlags& f) {
  cmd.add_option("--concurrency", f.concurrency, "transfers in flight at once")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd.add_option("--per-host", f.per_host, "transfers in flight to one host")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd.add_option("--connect-timeout", f.connect_timeout_s, "connect timeout, seconds")->check(CLI::Range(0.1, 600.0))->capture_default_str();
  cmd.add_option("--timeout", f.timeout_s, "total time per transfer, seconds")->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  cmd.add_option("--max-body-bytes", f.max_body_bytes, "cap on a decompressed feed body")->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32))->capture_default_str();
  cmd.add_option("--max-redirects", f.max_redirects, "redirects followed per fetch")->check(CLI::Range(0, 20))->capture_default_str();
}

FetchOptions to_fetch_options(const FetchFlags& f) {
  FetchOptions o;
  o.max_in_flight = f.concurrency;
  o.max_per_host = f.per_host;
  o.connect_timeout = std::chrono::milliseconds(static_cast<long>(f.connect_timeout_s * 1000));
  o.total_timeout = std::chrono::milliseconds(static_cast<long>(f.timeout_s * 1000));
  o.max_body_bytes = f.max_body_bytes;
  o.max_redirects = f.max_redirects;
  return o;
}

std::string default_database_url() {
  const char* env = std::getenv("DATABASE_URL");
  return env ? env : "";
}

void add_postgres_flags(CLI::App& cmd, PostgresOptions& pg) {
  cmd.add_option("--database-url", pg.conninfo,
                 "libpq conninfo or URI (default: $DATABASE_URL, else the PG* environment)");
  cmd.add_option("--schema", pg.schema, "schema that holds rssflow's tables")->capture_default_str();
}

}  // namespace

Command parse_command_line(int argc, char** argv) {
  CLI::App app{"rssflow: aggregate RSS/Atom/JSON feeds into PostgreSQL or JSON Lines", "rssflow"};
  app.set_version_flag("--version", std::string("rssflow ") + kVersion);
  app.require_subcommand(1);
  const std::filesystem::path config_dir = bundled_config_dir();

  // run
  RunConfig run;
  run.sources_file = config_dir / "sources.opml";
  run.keywords_file = config_dir / "keywords.tsv";
  run.postgres.conninfo = default_database_url();
  FetchFlags run_fetch;
  std::string sink = "jsonl", log_format = "logfmt", shard, pushgateway;
  std::string state_file, metrics_file, report_file, lock_file;
  CLI::App* run_cmd = app.add_subcommand("run", "fetch, parse, dedupe, clean, extract keywords, format and load every source");
  run_cmd->add_option("--sources", run.sources_file, "OPML source list")->check(CLI::ExistingFile)->capture_default_str();
  run_cmd->add_option("--sink", sink, "where records go")->check(CLI::IsMember({"jsonl", "postgres"}))->capture_default_str();
  run_cmd->add_option("--out", run.out, "JSON Lines output file, - for stdout")->capture_default_str();
  add_postgres_flags(*run_cmd, run.postgres);
  run_cmd->add_option("--batch-rows", run.postgres.batch_rows, "rows per load transaction")->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))->capture_default_str();
  run_cmd->add_option("--state-file", state_file, "fetch state (validators, backoff) for the jsonl sink");
  run_cmd->add_option("--metrics-file", metrics_file, "Prometheus textfile-collector output, written atomically");
  run_cmd->add_option("--pushgateway", pushgateway, "Pushgateway base URL, e.g. http://127.0.0.1:9091");
  run_cmd->add_option("--report", report_file, "JSON run report with per-source outcomes");
  run_cmd->add_option("--lock-file", lock_file, "lock file (default: one per source list, sink and shard in $XDG_RUNTIME_DIR or /tmp)");
  run_cmd->add_option("--shard", shard, "process only shard K of N (0-based), e.g. 0/4");
  run_cmd->add_option("--keywords", run.keywords_file, "keyword dictionary")->check(CLI::ExistingFile)->capture_default_str();
  run_cmd->add_option("--summary-bytes", run.article.summary_max_bytes, "summary length cap")->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20))->capture_default_str();
  run_cmd->add_option("--log-format", log_format, "stderr event format")->check(CLI::IsMember({"logfmt", "json"}))->capture_default_str();
  run_cmd->add_flag("--quiet,-q", run.log.quiet, "for cron: print only warnings, errors and a summary when something failed");
  run_cmd->add_flag("--verbose,-v", run.log.verbose, "also log one line per source");
  add_fetch_flags(*run_cmd, run_fetch);

  // parse
  ParseCommand parse;
  parse.keywords_file = config_dir / "keywords.tsv";
  FetchFlags parse_fetch;
  CLI::App* parse_cmd = app.add_subcommand("parse", "print every entry of each feed as a JSON record (JSON Lines), loading nothing");
  parse_cmd->add_option("inputs", parse.inputs, "feed files or URLs")->required();
  parse_cmd->add_option("--keywords", parse.keywords_file, "keyword dictionary")->check(CLI::ExistingFile)->capture_default_str();
  parse_cmd->add_option("--summary-bytes", parse.article.summary_max_bytes, "summary length cap")->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20))->capture_default_str();
  add_fetch_flags(*parse_cmd, parse_fetch);

  // migrate
  MigrateCommand migrate;
  migrate.postgres.conninfo = default_database_url();
  CLI::App* migrate_cmd = app.add_subcommand("migrate", "create or upgrade the database schema, then exit");
  add_postgres_flags(*migrate_cmd, migrate.postgres);

  // sources
  SourcesCommand sources;
  sources.sources_file = config_dir / "sources.opml";
  std::string sources_shard;
  CLI::App* sources_cmd = app.add_subcommand("sources", "list and validate the configured sources (OPML)");
  sources_cmd->add_option("--sources", sources.sources_file, "OPML source list")->check(CLI::ExistingFile)->capture_default_str();
  sources_cmd->add_option("--shard", sources_shard, "list only shard K of N (0-based)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return ExitNow{0};
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return ExitNow{0};
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return ExitNow{0};
  } catch (const CLI::ParseError& e) {
    std::cerr << "rssflow: " << e.what() << "\nRun with --help for more information.\n";
    return ExitNow{2};
  }

  auto usage_error = [](const std::string& message) {
    std::cerr << "rssflow: " << message << "\n";
    return ExitNow{2};
  };
  auto parse_shard_flag = [](const std::string& text, std::optional<ShardSpec>& out) {
    if (text.empty()) return true;
    out = parse_shard(text);
    return out.has_value();
  };

  if (run_cmd->parsed()) {
    run.sink = sink == "postgres" ? SinkKind::postgres : SinkKind::jsonl;
    run.log.format = log_format == "json" ? LogFormat::json : LogFormat::logfmt;
    run.fetch = to_fetch_options(run_fetch);
    if (!state_file.empty()) run.state_file = state_file;
    if (!metrics_file.empty()) run.metrics_file = metrics_file;
    if (!report_file.empty()) run.report_file = report_file;
    if (!lock_file.empty()) run.lock_file = lock_file;
    if (!pushgateway.empty()) {
      if (pushgateway.rfind("http://", 0) != 0 && pushgateway.rfind("https://", 0) != 0)
        return usage_error("--pushgateway: expected an http(s):// URL, got '" + pushgateway + "'");
      run.pushgateway_url = pushgateway;
    }
    if (!parse_shard_flag(shard, run.shard))
      return usage_error("--shard: expected K/N with 0 <= K < N, got '" + shard + "'");
    if (run.sink == SinkKind::postgres && run.state_file)
      return usage_error("--state-file: the postgres sink keeps fetch state in the database");
    if (run.sink == SinkKind::jsonl && run.out.empty()) return usage_error("--out: empty path");
    return RunCommand{std::move(run)};
  }
  if (parse_cmd->parsed()) {
    parse.fetch = to_fetch_options(parse_fetch);
    return parse;
  }
  if (migrate_cmd->parsed()) return migrate;
  if (!parse_shard_flag(sources_shard, sources.shard))
    return usage_error("--shard: expected K/N with 0 <= K < N, got '" + sources_shard + "'");
  return sources;
}

}  // namespace rssflow
