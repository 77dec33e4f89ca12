// Command line -> typed commands. Validation happens here, once; nothing downstream parses
// strings as settings.
#pragma once

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
// --help or --version was printed: nothing more to do.
struct ExitNow {
  int status = 0;
};

using Command = std::variant<RunCommand, ParseCommand, MigrateCommand, SourcesCommand, ExitNow>;

// Parses argv. Usage errors print a message naming the option to stderr and yield
// ExitNow{2}; --help/--version print to stdout and yield ExitNow{0}.
Command parse_command_line(int argc, char** argv);

}  // namespace rssflow
