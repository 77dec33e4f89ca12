// `rssflow parse`, `migrate` and `sources`: their flags and validation.
#include "pipeline/cli_subcommands.h"

#include "sinks/postgres_connection.h"

namespace rssflow::cli {

ParseFlags::ParseFlags(const std::filesystem::path& config_dir) { command.keywords_file = config_dir / "keywords.tsv"; }

void add_parse_options(CLI::App& cmd, ParseFlags& f) {
  cmd.add_option("inputs", f.command.inputs, "feed files or URLs")->required();
  cmd.add_option("--keywords", f.command.keywords_file, "keyword dictionary")->check(CLI::ExistingFile)->capture_default_str();
  cmd.add_option("--summary-bytes", f.command.article.summary_max_bytes, "summary length cap")->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20))->capture_default_str();
  add_fetch_options(cmd, f.fetch);
  add_parse_limit_options(cmd, f.parse);
}

Command finish_parse(ParseFlags& f) {
  f.command.fetch = to_fetch_options(f.fetch);
  f.command.parse = to_parse_limits(f.parse);
  return std::move(f.command);
}

MigrateFlags::MigrateFlags() { command.postgres.conninfo = default_database_url(); }

void add_migrate_options(CLI::App& cmd, MigrateFlags& f) {
  add_postgres_options(cmd, f.command.postgres);
  cmd.add_flag("--repair", f.command.repair,
               "when tables the migration history lists are missing: drop the history (and tables) from that migration on and apply again");
}

Command finish_migrate(MigrateFlags& f) {
  if (const auto error = conninfo_syntax_error(f.command.postgres.conninfo)) return usage_error("--database-url: not a postgresql:// URI or key=value conninfo (" + *error + ")");
  return std::move(f.command);
}

SourcesFlags::SourcesFlags(const std::filesystem::path& config_dir) { command.sources_file = config_dir / "sources.opml"; }

void add_sources_options(CLI::App& cmd, SourcesFlags& f) {
  cmd.add_option("--sources", f.command.sources_file, "OPML source list")->check(CLI::ExistingFile)->capture_default_str();
  cmd.add_option("--shard", f.shard, "list only shard K of N (0-based)");
}

Command finish_sources(SourcesFlags& f) {
  if (!parse_shard_flag(f.shard, f.command.shard))
    return usage_error("--shard: expected K/N with 0 <= K < N, got '" + f.shard + "'");
  return std::move(f.command);
}

}  // namespace rssflow::cli
