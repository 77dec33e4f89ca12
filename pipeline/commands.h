// The subcommands. Each returns the process exit status of shared/CONTRACT.md.
#pragma once

#include <atomic>

#include "pipeline/cli.h"

namespace rssflow {

// stop_requested is set by SIGINT/SIGTERM: no new source starts, in-flight ones finish and
// are loaded, the run exits 1.
int run_command(const RunConfig& config, const std::atomic<bool>& stop_requested);
int parse_command(const ParseCommand& command);
int migrate_command(const MigrateCommand& command);
int sources_command(const SourcesCommand& command);
int feeds_command(const FeedsCommand& command);
int prune_command(const PruneCommand& command);

}  // namespace rssflow
