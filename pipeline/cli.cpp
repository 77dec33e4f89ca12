#include "pipeline/cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "core/version.h"
#include "pipeline/cli_errors.h"
#include "pipeline/cli_subcommands.h"

namespace rssflow {

namespace cli {

namespace {

// CLI11 validator text: "" when path is a regular file only its owner may read.
std::string owner_only_file_problem(std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "cannot read " + path + ": " + std::strerror(errno);
  if (!S_ISREG(info.st_mode)) return path + " is not a regular file";
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return path + " is readable or writable by group or others (chmod 600 " + path + ")";
  }
  return "";
}

// The first line of a file, without its line break; nullopt when unreadable.
std::optional<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

ExitNow usage_error(std::string_view message) {
  std::cerr << "rssflow: " << message << "\n";
  return ExitNow{2};
}

void add_fetch_options(CLI::App& cmd, FetchFlags& f) {
  cmd.add_option("--concurrency", f.concurrency, "transfers in flight at once")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd.add_option("--per-host", f.per_host, "transfers in flight to one host")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd.add_option("--connect-timeout", f.connect_timeout_s, "connect timeout, seconds")->check(CLI::Range(0.1, 600.0))->capture_default_str();
  cmd.add_option("--timeout", f.timeout_s, "total time per transfer, seconds")->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  cmd.add_option("--max-body-bytes", f.max_body_bytes, "cap on a decompressed feed body")->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32))->capture_default_str();
  cmd.add_option("--max-redirects", f.max_redirects, "redirects followed per fetch")->check(CLI::Range(0, 20))->capture_default_str();
  cmd.add_flag("--allow-private-networks", f.allow_private_networks,
               "let public sources reach loopback and private addresses (redirects, DNS); link-local and cloud metadata stay forbidden");
  cmd.add_option("--netrc", f.netrc, "netrc file with credentials for private feeds (default: $RSSFLOW_NETRC); must not be readable by group or others")
      ->envname("RSSFLOW_NETRC")
      ->check(CLI::Validator(owner_only_file_problem, "FILE"));
}

FetchOptions to_fetch_options(const FetchFlags& f) {
  FetchOptions o;
  o.max_in_flight = f.concurrency;
  o.max_per_host = f.per_host;
  o.connect_timeout = std::chrono::milliseconds(static_cast<long>(f.connect_timeout_s * 1000));
  o.total_timeout = std::chrono::milliseconds(static_cast<long>(f.timeout_s * 1000));
  o.max_body_bytes = f.max_body_bytes;
  o.max_redirects = f.max_redirects;
  o.connect_policy.allow_private_networks = f.allow_private_networks;
  if (!f.netrc.empty()) o.netrc_file = f.netrc;
  apply_test_environment(o);  // test-only settings, absent in production
  return o;
}

std::string default_database_url() {
  const char* env = std::getenv("DATABASE_URL");
  return env ? env : "";
}

void add_postgres_options(CLI::App& cmd, PostgresOptions& pg) {
  auto* url = cmd.add_option("--database-url", pg.conninfo,
                             "libpq conninfo or URI (default: $DATABASE_URL, else the PG* environment)");
  cmd.add_option_function<std::string>(
         "--database-url-file",
         [&pg](const std::string& path) {
           const auto text = read_secret_file(path);
           if (!text) throw CLI::ValidationError("--database-url-file", "cannot read " + path);
           pg.conninfo = *text;
         },
         "file holding the database URL (kept out of ps and shell history)")
      ->excludes(url);
  cmd.add_option("--schema", pg.schema, "schema that holds rssflow's tables")->capture_default_str();
}

bool parse_shard_flag(const std::string& text, std::optional<ShardSpec>& out) {
  if (text.empty()) return true;
  out = parse_shard(text);
  return out.has_value();
}

namespace {

// CLI11's own outcomes: help and version printed (exit 0) or a usage error (exit 2, one line
// naming the unknown command or option, with the closest valid one).
std::optional<ExitNow> parse_argv(CLI::App& app, int argc, char** argv) {
  if (const auto unknown = unknown_command_error(app, argc, argv)) return usage_error(*unknown);
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
    std::cerr << describe_usage_error(app, e, argc, argv) << "\n";
    return ExitNow{2};
  }
  return std::nullopt;
}

}  // namespace
}  // namespace cli

Command parse_command_line(int argc, char** argv) {
  using namespace cli;
  CLI::App app{"rssflow: aggregate RSS/Atom/JSON feeds into PostgreSQL or JSON Lines", "rssflow"};
  app.set_version_flag("--version", std::string("rssflow ") + kVersion);
  app.require_subcommand(1);
  const std::filesystem::path config_dir = bundled_config_dir();

  RunFlags run(config_dir);
  CLI::App* run_cmd = app.add_subcommand("run", "fetch, parse, dedupe, clean, extract keywords, format and load every source");
  add_run_options(*run_cmd, run);
  ParseFlags parse(config_dir);
  CLI::App* parse_cmd = app.add_subcommand("parse", "print every entry of each feed as a JSON record (JSON Lines), loading nothing");
  add_parse_options(*parse_cmd, parse);
  MigrateFlags migrate;
  CLI::App* migrate_cmd = app.add_subcommand("migrate", "create or upgrade the database schema, then exit");
  add_migrate_options(*migrate_cmd, migrate);
  SourcesFlags sources(config_dir);
  CLI::App* sources_cmd = app.add_subcommand("sources", "list and validate the configured sources (OPML)");
  add_sources_options(*sources_cmd, sources);
  FeedsFlags feeds;
  CLI::App* feeds_cmd = app.add_subcommand("feeds", "list each source's fetch state: status, failures, next fetch, backoff");
  CLI::App* reset_cmd = feeds_cmd->add_subcommand("reset", "clear backoff, gone and validators of sources: due at the next run");
  add_feeds_options(*feeds_cmd, *reset_cmd, feeds);
  PruneFlags prune(config_dir);
  CLI::App* prune_cmd = app.add_subcommand("prune", "delete old articles and the fetch state of unlisted sources (PostgreSQL)");
  add_prune_options(*prune_cmd, prune);

  if (const std::optional<ExitNow> exit = parse_argv(app, argc, argv)) return *exit;
  if (run_cmd->parsed()) return finish_run(run);
  if (parse_cmd->parsed()) return finish_parse(parse);
  if (migrate_cmd->parsed()) return finish_migrate(migrate);
  if (sources_cmd->parsed()) return finish_sources(sources);
  if (feeds_cmd->parsed()) return finish_feeds(feeds, *reset_cmd);
  if (prune_cmd->parsed()) return finish_prune(prune);
  return usage_error("a subcommand is required");  // unreachable: require_subcommand(1)
}

}  // namespace rssflow
