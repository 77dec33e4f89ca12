#include "pipeline/stages.h"

#include <atomic>
#include <exception>
#include <utility>

#include "core/hash.h"
#include "core/time.h"
#include "sources/feed_parser.h"
#include "sources/fetch_policy.h"
#include "transforms/article_builder_text.h"
#include "transforms/language.h"
#include "transforms/strip_html.h"
#include "transforms/url.h"

namespace rssflow {

const char* to_string(SourceStatus status) {
  switch (status) {
    case SourceStatus::ok: return "ok";
    case SourceStatus::not_modified: return "not_modified";
    case SourceStatus::failed: return "failed";
    case SourceStatus::skipped: return "skipped";
    case SourceStatus::unchanged: return "unchanged";
    case SourceStatus::not_due: return "not_due";
  }
  return "failed";
}

void SourceBatch::fail_internal(Stage stage, const std::string& what) {
  fail_input(StageError{stage, outcome.source.url, ErrorCode::internal, what});
}

void SourceBatch::fail_input(StageError error) {
  document = FeedDocument{};
  feed.reset();
  identities.clear();
  kept.clear();
  keyword_extra.clear();
  articles = ArticleBatch{};
  fingerprints.clear();
  items = 0;
  outcome.status = SourceStatus::failed;
  outcome.state.last_error = error.describe();
  outcome.error = std::move(error);
}

namespace {

// A source this run does not contact: its prior state is carried over as it is.
SourceBatch uncontacted_batch(const SourceJob& job, SourceStatus status) {
  SourceBatch batch;
  batch.index = job.index;
  batch.outcome.source = job.source;
  batch.outcome.status = status;
  batch.outcome.state = job.prior_state;
  return batch;
}

}  // namespace

SourceBatch skipped_batch(const SourceJob& job) {
  SourceBatch batch = uncontacted_batch(job, SourceStatus::skipped);
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

SourceBatch not_due_batch(const SourceJob& job) { return uncontacted_batch(job, SourceStatus::not_due); }

namespace {

FeedRecord feed_record(const Source& source, const FeedDocument& doc, Instant fetched_at) {
  FeedRecord feed;
  feed.url = without_userinfo(source.url);
  feed.articles_feed_url = sanitize_text(doc.feed_url);
  const auto plain = [](const std::optional<std::string>& html) -> std::optional<std::string> {
    if (!html) return std::nullopt;
    std::string text = fold_whitespace(strip_html(*html));
    if (text.empty()) return std::nullopt;
    return text;
  };
  feed.title = plain(doc.title);
  if (!feed.title && !source.title.empty()) feed.title = fold_whitespace(source.title);
  if (doc.link && is_web_url(*doc.link)) feed.site_url = sanitize_text(*doc.link);
  else if (source.html_url) feed.site_url = sanitize_text(*source.html_url);
  feed.description = plain(doc.description);
  if (doc.language) feed.language = normalize_language_tag(*doc.language);
  if (doc.image_url) feed.image_url = sanitize_text(*doc.image_url);
  for (const std::string& category : source.categories) feed.categories.push_back(fold_whitespace(category));
  feed.fetched_at = fetched_at;
  return feed;
}

// The entry hashes of a source also cover its OPML category path: clean_source puts it into
// every record, so editing it in the source list rebuilds the source's records.
Hash128 source_derivation(const Hash128& derivation, const std::vector<std::string>& categories) {
  if (categories.empty()) return derivation;
  std::string bytes = derivation.hex();
  for (const std::string& category : categories) {
    bytes.push_back('\0');
    bytes += category;
  }
  return xxh3_128(bytes);
}

// Parses feed.body into batch (document, identities); false when the body did not parse
// (the outcome then holds the error).
bool parse_into(SourceBatch& batch, FetchedFeed& feed, const Hash128& derivation, const ParseLimits& limits) {
  SourceOutcome& out = batch.outcome;
  const ParseInput input{out.source.url, feed.final_url, feed.content_type, out.source.html_url};
  Deadline deadline(limits.deadline);
  Outcome<FeedDocument> parsed = parse_feed(feed.body, input, limits, &deadline);
  std::string().swap(feed.body);  // the bytes are no longer needed: keep memory flat
  if (auto* error = std::get_if<StageError>(&parsed)) {
    out.status = SourceStatus::failed;
    out.error = std::move(*error);
    return false;
  }
  batch.document = std::move(std::get<FeedDocument>(parsed));
  out.status = SourceStatus::ok;
  out.format = batch.document.format;
  out.entries = batch.document.entries.size();
  out.repairs = std::move(batch.document.repairs);
  batch.fetched_at = feed.fetched_at;
  batch.identities = identify_entries(batch.document, source_derivation(derivation, out.source.categories));
  batch.feed = feed_record(out.source, batch.document, feed.fetched_at);
  batch.feed_id = NearDuplicateIndex::feed_id_of(out.source.url);
  batch.items = out.entries;
  batch.parse_deadline = limits.deadline;
  batch.clean_budget = deadline.remaining();
  return true;
}

}  // namespace

SourceBatch parse_source(FetchedSource fetched, const Hash128& derivation, const ParseLimits& limits) {
  SourceBatch batch;
  batch.index = fetched.job.index;
  SourceOutcome& out = batch.outcome;
  out.source = std::move(fetched.job.source);
  out.http_status = fetched.result.http_status;
  out.bytes = fetched.result.bytes_received;
  out.fetch_elapsed = fetched.result.elapsed;
  try {
    const Instant now = now_seconds();
    SourceState prior = fetched.job.prior_state;
    prior.url = out.source.url;
    out.state = next_state(std::move(fetched.job.prior_state), fetched.result, now);
    out.state.url = out.source.url;
    if (auto* error = std::get_if<StageError>(&fetched.result.outcome)) {
      out.status = SourceStatus::failed;
      out.error = std::move(*error);
      return batch;
    }
    FetchedFeed& feed = std::get<FetchedFeed>(fetched.result.outcome);
    out.permanent_redirect = feed.permanent_redirect;
    const bool scheduled = feed.http_status != 0;  // network sources; file:// is always due
    if (feed.not_modified) {
      out.status = SourceStatus::not_modified;
    } else if (std::string hash = feed.body_hash.empty() ? xxh3_128(feed.body).hex() : feed.body_hash;
               feed.body_unchanged || (prior.body_hash == hash && !fetched.job.parse_unchanged_body)) {
      // Servers that ignore conditional GET resend the same bytes: nothing new to parse.
      std::string().swap(feed.body);
      out.status = SourceStatus::unchanged;
    } else if (parse_into(batch, feed, derivation, limits)) {
      out.state.body_hash = std::move(hash);
      out.state.entries = batch.document.entries.size();
      out.state.feed_hints = batch.document.schedule;
      out.state.publish_interval = median_publish_gap(batch.document.entries);
    } else {
      // Keep the previous validators and hash: the next fetch must get (and judge) this body again.
      out.state = failed_state(std::move(prior), *out.error, feed.http_status, std::nullopt, now);
      return batch;
    }
    out.state.next_fetch_at.reset();
    if (scheduled) out.state.next_fetch_at = next_fetch_time(out.state, feed.fresh_for, now, fetched.job.schedule);
  } catch (const std::exception& e) {
    // A bug, not bad input: keep the source's name and the cause, and let the run go on.
    batch.fail_internal(Stage::parse, e.what());
  }
  return batch;
}

void DedupeStep::run(SourceBatch& batch) {
  SourceOutcome& out = batch.outcome;
  batch.kept.clear();
  batch.kept.reserve(batch.identities.size());
  for (std::uint32_t i = 0; i < batch.identities.size(); ++i) {
    const EntryIdentity& id = batch.identities[i];
    if (!seen_.admit(id.url_hash)) {
      ++out.duplicates;
    } else if (stored_.contains(id.entry_hash)) {
      ++out.unchanged;
    } else {
      batch.kept.push_back(i);
    }
  }
  batch.items = batch.kept.size();
}

void in_one_piece(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body) { body(0, count); }

void clean_source(SourceBatch& batch, const ArticleOptions& options, const EntryRanges& ranges) {
  std::vector<Article>& articles = batch.articles.articles;
  articles.resize(batch.kept.size());
  batch.keyword_extra.resize(batch.kept.size());
  using Clock = std::chrono::steady_clock;
  const std::optional<Clock::time_point> end =
      batch.clean_budget ? std::optional<Clock::time_point>(Clock::now() + *batch.clean_budget) : std::nullopt;
  // The first entry left uncleaned because the deadline passed (kept.size(): none). A piece
  // stops at the deadline or as soon as another piece did, noting where it stopped.
  std::atomic<std::size_t> first_late{batch.kept.size()};
  ranges(batch.kept.size(), [&](std::size_t begin, std::size_t stop) {
    for (std::size_t k = begin; k < stop; ++k) {
      // One clock read per entry: each holds at most ParseLimits::max_text_bytes per field and
      // is cleaned in linear time, so the budget is overrun by at most one entry's work.
      if (first_late.load(std::memory_order_relaxed) < batch.kept.size() || (end && Clock::now() >= *end)) {
        std::size_t seen = first_late.load();
        while (k < seen && !first_late.compare_exchange_weak(seen, k)) {
        }
        return;
      }
      const std::uint32_t i = batch.kept[k];
      articles[k] = clean_entry(batch.document.entries[i], std::move(batch.identities[i]), batch.document,
                                batch.fetched_at, options, batch.keyword_extra[k]);
    }
  });
  if (const std::size_t late = first_late.load(); late < batch.kept.size()) {
    articles.clear();
    batch.fail_input(StageError{Stage::parse, batch.outcome.source.url, ErrorCode::parse_timeout,
                                "parse and clean ran past the deadline of " +
                                    std::to_string(batch.parse_deadline.count()) + " ms (while cleaning entry " +
                                    std::to_string(late + 1) + " of " + std::to_string(batch.kept.size()) + ")"});
    return;
  }
  add_source_categories(articles, batch.outcome.source.categories);
  batch.document = FeedDocument{};  // the raw entries are no longer needed
  batch.identities.clear();
  batch.items = articles.size();
}

void match_source_keywords(SourceBatch& batch, const KeywordMatcher& keywords, const EntryRanges& ranges) {
  std::vector<Article>& articles = batch.articles.articles;
  ranges(articles.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) match_keywords(articles[k], batch.keyword_extra[k], keywords);
  });
  batch.keyword_extra.clear();
}

void format_source(SourceBatch& batch, const ArticleSink& sink, const EntryRanges& ranges) {
  const std::vector<Article>& articles = batch.articles.articles;
  // Fingerprints cost about as much as the index lookup: compute them here, in parallel,
  // so the serial load step only looks up.
  batch.fingerprints.resize(articles.size());
  ranges(articles.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) batch.fingerprints[k] = fingerprint(articles[k].title, articles[k].content_text);
  });
  format_rows(batch.articles, sink);
}

void LoadStep::consume(SourceBatch& batch) {
  SourceOutcome& out = batch.outcome;
  std::vector<Article>& articles = batch.articles.articles;
  bool linked = false;
  for (std::size_t i = 0; i < articles.size(); ++i) {
    Article& article = articles[i];
    if (const auto first = near_duplicates_.link_or_add(batch.fingerprints[i], batch.feed_id, article.url_hash)) {
      article.duplicate_of = *first;
      ++out.near_duplicates;
      linked = true;
    }
  }
  if (linked && !batch.articles.row_ends.empty()) format_rows(batch.articles, sink_);  // rows carry duplicate_of
  out.records = articles.size();
  if (batch.feed) sink_.write_feed(*batch.feed);
  batch.items = articles.size();
  // The state travels with the rows: a sink that keeps it commits both together. A source
  // without a state to store (none is kept for it) hands over only its rows.
  if (!out.state.url.empty()) {
    sink_.write_source(std::move(batch.articles), out.state);
  } else if (!articles.empty()) {
    sink_.write(std::move(batch.articles));
  }
  batch.articles = ArticleBatch{};
}

}  // namespace rssflow
