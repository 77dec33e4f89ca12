// `rssflow feeds` and `feeds reset`: their flags and validation.
#include "pipeline/cli_subcommands.h"

namespace rssflow::cli {

FeedsFlags::FeedsFlags() { command.postgres.conninfo = default_database_url(); }

void add_feeds_options(CLI::App& cmd, CLI::App& reset, FeedsFlags& f) {
  cmd.add_option("--state-file", f.state_file, "the jsonl sink's state file (default: PostgreSQL)");
  add_postgres_options(cmd, f.command.postgres);
  cmd.add_flag("--failing", f.command.failing_only, "only sources that are failing or gone");
  cmd.add_option("--format", f.format, "output format")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  reset.add_option("urls", f.command.urls, "source URLs, as `rssflow feeds` lists them")->required();
}

Command finish_feeds(FeedsFlags& f, const CLI::App& reset) {
  if (!f.state_file.empty()) f.command.state_file = f.state_file;
  f.command.table = f.format == "table";
  f.command.reset = reset.parsed();
  return std::move(f.command);
}

}  // namespace rssflow::cli
