#include "pipeline/stages.h"

#include <exception>
#include <utility>

#include "core/time.h"
#include "sources/feed_parser.h"
#include "sources/fetch_policy.h"

namespace rssflow {

const char* to_string(SourceStatus status) {
  switch (status) {
    case SourceStatus::ok: return "ok";
    case SourceStatus::not_modified: return "not_modified";
    case SourceStatus::failed: return "failed";
    case SourceStatus::skipped: return "skipped";
  }
  return "failed";
}

SourceBatch skipped_batch(const SourceJob& job) {
  SourceBatch batch;
  batch.index = job.index;
  batch.outcome.source = job.source;
  batch.outcome.status = SourceStatus::skipped;
  batch.outcome.state = job.prior_state;
  std::string why = job.prior_state.gone ? "source is gone (HTTP 410); remove it or reset its state"
                                         : "backing off until ";
  if (!job.prior_state.gone && job.prior_state.next_attempt_at) {
    why += format_rfc3339(*job.prior_state.next_attempt_at);
  }
  if (!job.prior_state.gone && !job.prior_state.last_error.empty()) {
    why += " after: " + job.prior_state.last_error;
  }
  batch.outcome.error = StageError{Stage::fetch, job.source.url, job.prior_state.gone ? ErrorCode::gone : ErrorCode::backoff,
                                   std::move(why)};
  return batch;
}

namespace {

std::chrono::microseconds elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
}

void parse_into(SourceBatch& batch, FetchedFeed& feed, const KeywordMatcher& keywords,
                    const ArticleOptions& options) {
  SourceOutcome& out = batch.outcome;
  const ParseInput input{out.source.url, feed.final_url, feed.content_type};
  const auto parse_start = std::chrono::steady_clock::now();
  Outcome<FeedDocument> parsed = parse_feed(feed.body, input);
  batch.parse_time = elapsed_since(parse_start);
  std::string().swap(feed.body);  // the bytes are no longer needed: keep memory flat
  if (auto* error = std::get_if<StageError>(&parsed)) {
    out.status = SourceStatus::failed;
    out.state.last_error = error->describe();
    out.error = std::move(*error);
    return;
  }
  FeedDocument& doc = std::get<FeedDocument>(parsed);
  out.status = SourceStatus::ok;
  out.format = doc.format;
  out.entries = doc.entries.size();
  out.repairs = std::move(doc.repairs);
  const auto format_start = std::chrono::steady_clock::now();
  batch.articles = build_articles(doc, keywords, feed.fetched_at, options);
  // Fingerprints cost about as much as the index lookup: compute them here, in parallel,
  // so the serial load step only looks up.
  batch.fingerprints.reserve(batch.articles.size());
  for (const Article& article : batch.articles) {
    batch.fingerprints.push_back(fingerprint(article.title, article.content_text));
  }
  batch.feed_id = NearDuplicateIndex::feed_id_of(out.source.url);
  batch.format_time = elapsed_since(format_start);
}

}  // namespace

SourceBatch parse_and_build(FetchedSource fetched, const KeywordMatcher& keywords,
                            const ArticleOptions& options) {
  SourceBatch batch;
  batch.index = fetched.job.index;
  SourceOutcome& out = batch.outcome;
  out.source = std::move(fetched.job.source);
  out.http_status = fetched.result.http_status;
  out.bytes = fetched.result.bytes_received;
  out.fetch_elapsed = fetched.result.elapsed;
  try {
    out.state = next_state(std::move(fetched.job.prior_state), fetched.result, now_seconds());
    out.state.url = out.source.url;
    if (auto* error = std::get_if<StageError>(&fetched.result.outcome)) {
      out.status = SourceStatus::failed;
      out.error = std::move(*error);
      return batch;
    }
    FetchedFeed& feed = std::get<FetchedFeed>(fetched.result.outcome);
    out.permanent_redirect = feed.permanent_redirect;
    if (feed.not_modified) {
      out.status = SourceStatus::not_modified;
      return batch;
    }
    parse_into(batch, feed, keywords, options);
  } catch (const std::exception& e) {
    // A bug, not bad input: keep the source's name and the cause, and let the run go on.
    batch.articles.clear();
    out.status = SourceStatus::failed;
    out.error = StageError{Stage::parse, out.source.url, ErrorCode::internal, e.what()};
  }
  return batch;
}

void LoadStep::consume(SourceBatch& batch) {
  SourceOutcome& out = batch.outcome;
  std::vector<Article> kept;
  kept.reserve(batch.articles.size());
  for (std::size_t i = 0; i < batch.articles.size(); ++i) {
    Article& article = batch.articles[i];
    if (!deduper_.admit(article)) {
      ++out.duplicates;
      continue;
    }
    if (const auto first = near_duplicates_.link_or_add(batch.fingerprints[i], batch.feed_id, article.url_hash)) {
      article.duplicate_of = first->hex();
      ++out.near_duplicates;
    }
    kept.push_back(std::move(article));
  }
  batch.articles.clear();
  out.records = kept.size();
  if (!kept.empty()) sink_.write(kept);
}

}  // namespace rssflow
