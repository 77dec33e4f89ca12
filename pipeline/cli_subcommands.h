// The subcommands' options, one small unit each: `add_*_options` declares the flags on the
// CLI11 subcommand (defaults included), `finish_*` validates what was parsed and builds the
// typed command. Internal to pipeline/cli*.cpp. To add a flag, add a field to the
// subcommand's *Flags struct (raw text for anything validated after parsing) and one line to
// its add_*_options; checks that relate flags go in finish_*.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "pipeline/cli.h"

namespace rssflow::cli {

// Prints "rssflow: <message>" to stderr; the caller returns the result (exit 2).
ExitNow usage_error(std::string_view message);

// --concurrency, --per-host, timeouts and caps shared by `run` and `parse`.
struct FetchFlags {
  int concurrency = 32;
  int per_host = 2;
  double connect_timeout_s = 10;
  double timeout_s = 60;
  std::size_t max_body_bytes = 16u << 20;
  int max_redirects = 5;
  bool allow_private_networks = false;
  std::string netrc;
};
void add_fetch_options(CLI::App& cmd, FetchFlags& flags);
FetchOptions to_fetch_options(const FetchFlags& flags);

// --max-depth, --max-nodes, ... --parse-deadline (the per-source budget), shared by `run` and `parse`.
struct ParseLimitFlags {
  ParseLimits limits;
  double deadline_s = static_cast<double>(ParseLimits{}.deadline.count()) / 1000;
};
void add_parse_limit_options(CLI::App& cmd, ParseLimitFlags& flags);
ParseLimits to_parse_limits(const ParseLimitFlags& flags);

// --database-url and --schema, shared by `run` and `migrate`.
void add_postgres_options(CLI::App& cmd, PostgresOptions& postgres);
std::string default_database_url();  // $DATABASE_URL, else empty (the PG* environment)

// --shard K/N: empty text leaves `out` unset; false for malformed text.
bool parse_shard_flag(const std::string& text, std::optional<ShardSpec>& out);

struct RunFlags {
  explicit RunFlags(const std::filesystem::path& config_dir);
  RunConfig config;
  FetchFlags fetch;
  ParseLimitFlags parse;
  std::string sink = "jsonl", log_format = "logfmt", shard, pushgateway;
  std::string state_file, metrics_file, report_file, lock_file;
  double stop_grace_s = 5;
  std::string min_interval = "60m", unconditional_interval = "4h", max_interval = "24h", user_agent;
  double progress_interval_s = 30;
};
void add_run_options(CLI::App& cmd, RunFlags& flags);
Command finish_run(RunFlags& flags);

struct ParseFlags {
  explicit ParseFlags(const std::filesystem::path& config_dir);
  ParseCommand command;
  FetchFlags fetch;
  ParseLimitFlags parse;
};
void add_parse_options(CLI::App& cmd, ParseFlags& flags);
Command finish_parse(ParseFlags& flags);

struct MigrateFlags {
  MigrateFlags();
  MigrateCommand command;
};
void add_migrate_options(CLI::App& cmd, MigrateFlags& flags);
Command finish_migrate(MigrateFlags& flags);

struct PruneFlags {
  explicit PruneFlags(const std::filesystem::path& config_dir);
  PruneCommand command;
  std::string older_than, metrics_file, pushgateway, log_format = "logfmt";
};
void add_prune_options(CLI::App& cmd, PruneFlags& flags);
Command finish_prune(PruneFlags& flags);

struct SourcesFlags {
  explicit SourcesFlags(const std::filesystem::path& config_dir);
  SourcesCommand command;
  std::string shard;
};
void add_sources_options(CLI::App& cmd, SourcesFlags& flags);
Command finish_sources(SourcesFlags& flags);

struct FeedsFlags {
  FeedsFlags();
  FeedsCommand command;
  std::string state_file, format = "table";
};
// `reset` is the nested `feeds reset URL...` subcommand.
void add_feeds_options(CLI::App& cmd, CLI::App& reset, FeedsFlags& flags);
Command finish_feeds(FeedsFlags& flags, const CLI::App& reset);

}  // namespace rssflow::cli
