// `rssflow prune`: its flags and their validation.
#include "pipeline/cli_subcommands.h"
#include "pipeline/config_checks.h"
#include "sinks/postgres_connection.h"

namespace rssflow::cli {

PruneFlags::PruneFlags(const std::filesystem::path& config_dir) {
  command.sources_file = config_dir / "sources.opml";
  command.postgres.conninfo = default_database_url();
}

void add_prune_options(CLI::App& cmd, PruneFlags& f) {
  cmd.add_option("--older-than", f.older_than, "delete articles dated before now minus this, e.g. 90d, 12h, 2w, 1d12h")->required();
  cmd.add_flag("--dry-run", f.command.dry_run, "count what would be deleted, delete nothing");
  cmd.add_option("--sources", f.command.sources_file, "OPML source list: the fetch state of sources not in it is deleted")
      ->check(CLI::ExistingFile)->capture_default_str();
  add_postgres_options(cmd, f.command.postgres);
  cmd.add_option("--batch-rows", f.command.postgres.batch_rows, "articles deleted per transaction")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))->capture_default_str();
  cmd.add_option("--metrics-file", f.metrics_file, "Prometheus textfile-collector output, written atomically");
  cmd.add_option("--pushgateway", f.pushgateway, "Pushgateway base URL (job rssflow_prune)");
  cmd.add_option("--log-format", f.log_format, "stderr event format")->check(CLI::IsMember({"logfmt", "json"}))->capture_default_str();
  CLI::Option* quiet = cmd.add_flag("--quiet,-q", f.command.log.quiet, "print only warnings and errors");
  CLI::Option* verbose = cmd.add_flag("--verbose,-v", f.command.log.verbose, "also log each batch");
  quiet->excludes(verbose);
}

Command finish_prune(PruneFlags& f) {
  PruneCommand& prune = f.command;
  const auto older_than = parse_duration(f.older_than);
  if (!older_than) return usage_error("--older-than: expected a duration such as 90d, 12h, 2w or 1d12h, got '" + f.older_than + "'");
  prune.older_than = *older_than;
  prune.log.format = f.log_format == "json" ? LogFormat::json : LogFormat::logfmt;
  if (const auto error = conninfo_syntax_error(prune.postgres.conninfo)) return usage_error("--database-url: not a postgresql:// URI or key=value conninfo (" + *error + ")");
  if (!f.metrics_file.empty()) {
    if (const auto reason = unwritable_reason(f.metrics_file))
      return usage_error("--metrics-file " + f.metrics_file + ": " + *reason);
    prune.metrics_file = f.metrics_file;
  }
  if (!f.pushgateway.empty()) {
    if (f.pushgateway.rfind("http://", 0) != 0 && f.pushgateway.rfind("https://", 0) != 0)
      return usage_error("--pushgateway: expected an http(s):// URL, got '" + f.pushgateway + "'");
    prune.pushgateway_url = f.pushgateway;
  }
  return std::move(prune);
}

}  // namespace rssflow::cli
