// The work of each flow-graph node as plain functions and two small stateful classes, so that
// the graph wiring (pipeline/flow_graph.cpp) stays a thin adapter and the logic is testable
// without TBB. The chain, one function per node:
//
//   parse_source (parallel) -> DedupeStep::run (serial) -> clean_source (parallel)
//     -> match_source_keywords (parallel) -> format_source (parallel) -> LoadStep::consume (serial)
//
// Each takes the SourceBatch of one source and fills its part. None throws for a per-source
// problem: that becomes the outcome's error and the batch continues empty.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/source_outcome.h"
#include "sinks/article_sink.h"
#include "sources/fetch_schedule.h"
#include "sources/http_fetcher.h"
#include "sources/parse_limits.h"
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
  SchedulePolicy schedule{};  // this source's bounds (policy_for), for its next_fetch_at
  // jsonl --all: a body identical to the last one is parsed anyway, so that every record of
  // the source is written (otherwise such a body is `unchanged` and not parsed).
  bool parse_unchanged_body = false;
};

struct FetchedSource {
  SourceJob job;
  FetchResult result;
};

// One source's entries on their way through the chain, with its outcome so far.
struct SourceBatch {
  std::size_t index = 0;
  SourceOutcome outcome;
  FeedDocument document;                     // parse; released by clean
  std::vector<EntryIdentity> identities;     // parse: one per entry
  std::vector<std::uint32_t> kept;           // dedupe: entries to build, document order
  std::vector<std::string> keyword_extra;    // clean -> keywords: one per article
  std::optional<FeedRecord> feed;            // parse: for the feeds table, when the document was read
  ArticleBatch articles;                     // clean, keywords; rows: format
  std::vector<TextFingerprint> fingerprints; // format: one per article
  std::uint64_t feed_id = 0;                 // NearDuplicateIndex::feed_id_of(feed url)
  Instant fetched_at{};
  // parse -> clean: what is left of the source's parse + clean budget (ParseLimits::deadline)
  // when its parse ended (none: clean without a deadline), and that budget, for the error text.
  std::optional<std::chrono::milliseconds> clean_budget;
  std::chrono::milliseconds parse_deadline{0};
  // The units the batch carries now (entries after parse and dedupe, articles after clean,
  // records after load): what the stage timer counts in and out.
  std::size_t items = 0;

  // A bug in a stage (an exception): the source fails with the stage's name and the cause;
  // what it carried is dropped.
  void fail_internal(Stage stage, const std::string& what);
  // Input over its budget (e.g. parse_timeout): the source fails with `error`, like a parse
  // error, and what it carried is dropped.
  void fail_input(StageError error);
};

// A source that is not due (backoff, Retry-After, gone) becomes a skipped batch without
// contacting the server.
SourceBatch skipped_batch(const SourceJob& job);

// A source whose schedule says not yet (its next_fetch_at is after now): reported, not fetched.
SourceBatch not_due_batch(const SourceJob& job);

// parse: the fetch result -> outcome and fetch state; the bytes -> entries and their identity
// (EntryIdentity, with `derivation` in each entry_hash). A 200 whose body hashes (XXH3-128) like
// the last body parsed is `unchanged` and not parsed. A body that does not parse is a failure in
// the stored state (backoff), which keeps the previous validators and hash so the next fetch sees
// it again. Successes get their next_fetch_at (network sources only: file:// is always due).
// Pure; safe to run concurrently.
SourceBatch parse_source(FetchedSource fetched, const Hash128& derivation, const ParseLimits& limits = {});

// identify+dedupe, serial: keeps an entry unless its url_hash was already seen in this run
// (outcome.duplicates) or its entry_hash is stored (outcome.unchanged: its record would come
// out as stored). Not thread-safe: owned by one serial node, which also defines "first".
class DedupeStep {
 public:
  // stored: entry hashes already loaded (may be empty; must outlive the step).
  explicit DedupeStep(const HashSet& stored) : stored_(stored) {}
  void run(SourceBatch& batch);

 private:
  const HashSet& stored_;
  Deduper seen_;
};

// How a stage walks a source's entries: calls body(begin, end) over pieces that cover
// [0, count) once each, in any order and on any threads, and returns when all are done. The
// flow graph spreads a large source over the workers (one giant feed would otherwise keep one
// thread busy after the others ran dry); in_one_piece is the plain loop.
using EntryRanges = std::function<void(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body)>;
void in_one_piece(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body);

// clean: one Article per kept entry (plain text, content_hash; no keywords yet). Pure.
void clean_source(SourceBatch& batch, const ArticleOptions& options, const EntryRanges& ranges = in_one_piece);
// keywords: article.keywords for every article. Pure.
void match_source_keywords(SourceBatch& batch, const KeywordMatcher& keywords, const EntryRanges& ranges = in_one_piece);
// format: near-duplicate fingerprints and the sink's row text (ArticleSink::format). Pure.
void format_source(SourceBatch& batch, const ArticleSink& sink, const EntryRanges& ranges = in_one_piece);

// near-duplicates + load, serial: links near-copies (duplicate_of, re-formatting their rows)
// and hands the batch to the sink. Sink failures propagate as SinkError.
class LoadStep {
 public:
  explicit LoadStep(ArticleSink& sink) : sink_(sink) {}
  // Writes the batch's articles with the source's fetch state (ArticleSink::write_source);
  // fills the outcome's counters.
  void consume(SourceBatch& batch);

 private:
  ArticleSink& sink_;
  NearDuplicateIndex near_duplicates_;
};

}  // namespace rssflow
