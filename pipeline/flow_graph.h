// The run as a oneTBB flow graph:
//
//   input(jobs) -> limiter -> fetch (async_node over HttpFetcher) -> parse+build (parallel)
//              -> load (serial: dedupe, near-duplicates, sink) -> limiter.decrement
//
// The limiter bounds the sources in flight (fetching, parsing or waiting to load), so memory
// is flat however long the source list is; the fetch node never blocks a TBB thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/stages.h"

namespace rssflow {

class StageClock;  // pipeline/stage_clock.h

struct GraphInputs {
  std::vector<SourceJob> jobs;  // only sources that are due
  HttpFetcher& fetcher;
  const KeywordMatcher& keywords;
  const ArticleOptions& article_options;
  LoadStep& load;
  std::size_t max_sources_in_flight = 64;
  const std::atomic<bool>& stop_requested;  // SIGINT/SIGTERM: feed no new sources
  // Called from the serial load node for every source, in completion order.
  std::function<void(std::size_t index, SourceOutcome&&)> on_source_done;
  StageClock* clock = nullptr;  // optional per-stage timing
};

struct GraphResult {
  std::optional<std::string> fatal_error;  // the sink failed: the run must exit 3
};

// Builds the graph, runs it to completion and returns. Never throws for per-source problems;
// they arrive in on_source_done as outcomes.
GraphResult run_flow_graph(GraphInputs inputs);

}  // namespace rssflow
