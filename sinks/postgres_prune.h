// Retention for the PostgreSQL tables (`rssflow prune`): old articles and the fetch state of
// sources no longer listed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>

#include "core/types.h"
#include "sinks/postgres_options.h"

namespace rssflow {

struct PruneOptions {
  std::chrono::seconds older_than{0};  // > 0: articles dated before now() - older_than go
  bool dry_run = false;                // count what would go, delete nothing
  std::size_t batch_rows = 5000;       // articles per DELETE transaction
  // URLs of the current source list: source_state rows of other URLs go. nullopt: keep all.
  std::optional<std::unordered_set<std::string>> listed_sources;
};

struct PruneResult {
  Instant cutoff{};                       // the database's now() - older_than, fixed for the whole prune
  std::uint64_t articles = 0;             // deleted (or, dry run, that would be)
  std::uint64_t source_states = 0;        // deleted (or, dry run, that would be)
  std::uint64_t batches = 0;              // committed article DELETE transactions
};

// Deletes articles whose publication date (first_seen_at where there is none) is before the
// cutoff, batch_rows per transaction, oldest rows first, rows locked by a concurrent run
// skipped (they go next time); never an article dated at or after the cutoff. Then deletes
// the source_state rows of URLs not in listed_sources. on_batch (may be empty) is called after
// each committed batch with the running total. Throws SinkError (secrets scrubbed).
PruneResult prune(const PostgresOptions& database, const PruneOptions& options,
                  const std::function<void(std::uint64_t articles_so_far)>& on_batch = {});

}  // namespace rssflow
