// The work of each flow-graph node as plain functions and one small stateful class, so that
// the graph wiring (pipeline/flow_graph.cpp) stays a thin adapter and the logic is testable
// without TBB.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pipeline/source_outcome.h"
#include "sinks/article_sink.h"
#include "sources/http_fetcher.h"
#include "transforms/article_builder.h"
#include "transforms/dedupe.h"
#include "transforms/keyword_matcher.h"
#include "transforms/near_duplicate.h"

namespace rssflow {

// A source travelling through the graph, from fetch to load.
struct SourceJob {
  std::size_t index = 0;  // position in the source list; the report keeps this order
  Source source;
  SourceState prior_state;
};

struct FetchedSource {
  SourceJob job;
  FetchResult result;
};

// One source's parsed, cleaned and formatted articles, with its outcome so far.
struct SourceBatch {
  std::size_t index = 0;
  SourceOutcome outcome;
  std::vector<Article> articles;
  std::vector<TextFingerprint> fingerprints;  // one per article, computed in the parallel stage
  std::uint64_t feed_id = 0;                   // NearDuplicateIndex::feed_id_of(feed url)
  std::chrono::microseconds parse_time{0};   // bytes -> FeedDocument
  std::chrono::microseconds format_time{0};  // FeedDocument -> Articles (clean, keywords, format)
};

// A source that is not due (backoff, Retry-After, gone) becomes a skipped batch without
// contacting the server.
SourceBatch skipped_batch(const SourceJob& job);

// Parse the fetched bytes and build one Article per entry. Never throws: a failure becomes
// the outcome's error. Pure apart from its inputs; safe to run concurrently.
SourceBatch parse_and_build(FetchedSource fetched, const KeywordMatcher& keywords,
                            const ArticleOptions& options);

// The serial tail of the graph: cross-source dedupe, near-duplicate linking, hand-off to the
// sink. Not thread-safe: owned by one serial node. Sink failures propagate as SinkError.
class LoadStep {
 public:
  explicit LoadStep(ArticleSink& sink) : sink_(sink) {}

  // Filters batch.articles in place and writes the survivors; fills the outcome's counters.
  void consume(SourceBatch& batch);

 private:
  ArticleSink& sink_;
  Deduper deduper_;
  NearDuplicateIndex near_duplicates_;
};

}  // namespace rssflow
