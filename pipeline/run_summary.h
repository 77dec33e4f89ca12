// Totals of a run, the one-screen summary on stderr and the JSON run report (--report).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/source_outcome.h"
#include "sinks/article_sink.h"

namespace rssflow {

struct RunTotals {
  std::size_t sources = 0;
  std::size_t ok = 0;
  std::size_t not_modified = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  std::size_t unchanged = 0;  // 200 with the same body as last time: not parsed
  std::size_t not_due = 0;    // not contacted: their schedule said not yet
  std::size_t entries = 0;
  std::size_t duplicates = 0;
  std::size_t unchanged_entries = 0;  // skipped by dedupe: entry_hash already stored
  std::size_t near_duplicates = 0;
  std::size_t records = 0;
  std::uint64_t bytes = 0;
  LoadStats load;
  std::size_t fetch_in_flight_max = 0;  // most network transfers at once (the fetcher's peak)
  bool sink_is_postgres = false;
  std::optional<std::string> fatal_error;  // exit 3
  bool interrupted = false;                // SIGINT/SIGTERM
  Instant started_at{};
  std::chrono::duration<double> elapsed{0};
  int exit_status = 0;
};

// Adds one source's outcome to the totals.
void accumulate(RunTotals& totals, const SourceOutcome& outcome);

// Exit status of shared/CONTRACT.md from the totals: 3 fatal, 1 partial, 0 ok.
int exit_status_for(const RunTotals& totals);

// A few lines for a human: counts, time, and one line per failed or skipped source.
std::string render_summary(const RunTotals& totals, const std::vector<SourceOutcome>& outcomes);

// The run report as JSON: totals and per-source outcomes, in source-list order. The totals count
// sources by status (ok, not_modified = 304, unchanged = 200 with the last body, failed,
// skipped, not_due), entries (unchanged_entries: dropped because their entry_hash is stored)
// and rows (inserted, updated, rows_unchanged: rows the PostgreSQL sink found identical).
std::string render_report_json(const RunTotals& totals, const std::vector<SourceOutcome>& outcomes);

}  // namespace rssflow
