// Command line -> typed commands. Validation happens here, once; nothing downstream parses
// strings as settings.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "pipeline/run_config.h"

namespace rssflow {

struct RunCommand {
  RunConfig config;
};
struct ParseCommand {
  std::vector<std::string> inputs;  // paths or http(s)/file URLs
  std::filesystem::path keywords_file;
  FetchOptions fetch;
  ArticleOptions article;
  ParseLimits parse;
};
struct MigrateCommand {
  PostgresOptions postgres;
  bool repair = false;  // --repair: recreate tables the history says exist but do not
};
struct SourcesCommand {
  std::filesystem::path sources_file;
  std::optional<ShardSpec> shard;
};
// `rssflow feeds [--failing] [--format table|json]` and `rssflow feeds reset URL...`.
struct FeedsCommand {
  std::optional<std::filesystem::path> state_file;  // the jsonl sink's state file; else PostgreSQL
  PostgresOptions postgres;
  bool failing_only = false;
  bool table = true;               // --format table (default) or json
  bool reset = false;              // `feeds reset`
  std::vector<std::string> urls;   // reset: the sources to reset
};
struct PruneCommand {
  PostgresOptions postgres;
  std::chrono::seconds older_than{0};
  bool dry_run = false;
  std::filesystem::path sources_file;  // the source state of URLs not listed here is deleted
  std::optional<std::filesystem::path> metrics_file;
  std::optional<std::string> pushgateway_url;
  LogOptions log;
};
// --help or --version was printed: nothing more to do.
struct ExitNow {
  int status = 0;
};

using Command =
    std::variant<RunCommand, ParseCommand, MigrateCommand, SourcesCommand, FeedsCommand, PruneCommand, ExitNow>;

// Parses argv. Usage errors print a message naming the option to stderr and yield
// ExitNow{2}; --help/--version print to stdout and yield ExitNow{0}.
Command parse_command_line(int argc, char** argv);

}  // namespace rssflow
