// The run as a oneTBB flow graph, one node per stage, one source's batch per message:
//
//   input(jobs) -> limiter -> fetch (async_node over HttpFetcher)
//     -> parse (parallel: bytes -> entries + identity) -> dedupe (serial: this run, stored)
//     -> clean (parallel) -> keywords (parallel) -> format (parallel: the sink's row text)
//     -> load (serial: near-duplicates, sink) -> limiter.decrement
//
// The limiter bounds the sources in flight (fetching, in any stage or waiting), so memory is
// flat however long the source list is; the fetch node never blocks a TBB thread. A source
// with nothing to parse (failed, not modified, unchanged) skips parse..format: it is settled
// (the load node's work) in the fetcher's callback, which hands its limiter slot to the next
// source without waking the graph's workers. A file source is answered inside the fetch node
// (read on that worker); settled there, its slot goes back through the limiter. The keyword
// matcher is built on a worker when the first body is parsed; a batch that reaches keywords
// before it is built waits in a ReadinessGate and the build hands it back. Every node
// body is the stage function of pipeline/stages.h inside one timing wrapper, which records the
// stage's duration and items in and out (StageClock).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/stages.h"

namespace rssflow {

class StageClock;       // pipeline/stage_clock.h
class InflightJournal;  // pipeline/inflight_journal.h

// Where fetch requests go: HttpFetcher in a run, a fake in tests. submit() must call
// on_done exactly once, from any thread.
using SubmitFetch = std::function<void(FetchRequest request, std::function<void(FetchResult)> on_done)>;

struct GraphInputs {
  std::vector<SourceJob> jobs;  // only sources that are due
  SubmitFetch fetch;
  const KeywordMatcher& keywords;
  const ArticleOptions& article_options;
  const HashSet& stored_entries;  // entry hashes already loaded (DedupeStep)
  Hash128 derivation;             // what shapes records besides the entry (EntryIdentity)
  ArticleSink& sink;
  std::size_t max_sources_in_flight = 64;
  const std::atomic<bool>& stop_requested;  // SIGINT/SIGTERM: feed no new sources
  // Called once for every source, in completion order, one source at a time: from the load
  // node, or from the fetcher's callback for a source with nothing to parse.
  std::function<void(std::size_t index, SourceOutcome&&)> on_source_done;
  StageClock* clock = nullptr;  // optional per-stage timing
  const ParseLimits* parse_limits = nullptr;  // the budget of each source; nullptr: the defaults
  InflightJournal* journal = nullptr;  // optional: records which sources are being parsed
};

struct GraphResult {
  std::optional<std::string> fatal_error;  // the sink failed: the run must exit 3
};

// Builds the graph, runs it to completion and returns. Never throws for per-source problems;
// they arrive in on_source_done as outcomes.
GraphResult run_flow_graph(GraphInputs inputs);

}  // namespace rssflow
