// Where articles go. write() and finish() are used from one thread (the serial load node of
// the graph); format() from many (the parallel format node).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/hash_set.h"
#include "core/fetch_state.h"
#include "core/types.h"

namespace rssflow {

// Run-level failure of a sink (unreachable database, rejected data, unwritable file): the run
// stops with exit status 3. what() names the cause (SQLSTATE, path...) and never a secret.
class SinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadStats {
  std::uint64_t written = 0;    // jsonl: records written (new or changed in delta mode)
  std::uint64_t inserted = 0;   // postgres: new rows
  std::uint64_t updated = 0;    // postgres: rows whose content_hash changed
  std::uint64_t unchanged = 0;  // postgres: rows already present with the same content;
                                // jsonl: records delivered by an earlier run, not written again
  std::uint64_t batches = 0;    // committed batches / flushes
};

// One source's articles on their way to a sink, with the sink's row text of each when the
// format stage made it: article i's row is rows[row_ends[i-1] .. row_ends[i]) (from 0 for
// i = 0). row_ends is empty when the rows were not made (the sink formats in write()).
struct ArticleBatch {
  std::vector<Article> articles;
  std::string rows;
  std::vector<std::size_t> row_ends;
};

class ArticleSink {
 public:
  virtual ~ArticleSink() = default;

  // Entry hashes (Article::entry_hash) of the records already stored, so that the dedupe
  // stage can skip entries whose record would come out the same. Called once, before the
  // first write. Default: none (every entry is built and written).
  virtual HashSet stored_entry_hashes() { return {}; }

  // Whether format() makes rows; when false the format stage leaves row_ends empty.
  virtual bool formats_rows() const { return false; }
  // Appends the sink's row text for one article. Const and thread-safe: called concurrently
  // from the format stage, so the serial write() only copies bytes.
  virtual void format(const Article& /*article*/, std::string& /*row*/) const {}

  // Takes ownership of one source's articles (already deduplicated); `batch` is moved from and
  // must not be used afterwards. May buffer; throws SinkError.
  virtual void write(ArticleBatch&& batch) = 0;
  void write(std::vector<Article>&& articles) { write(ArticleBatch{std::move(articles), {}, {}}); }

  // What this run learnt about one feed, given before the feed's articles. Sinks without a
  // feeds table ignore it. Throws SinkError.
  virtual void write_feed(const FeedRecord& /*feed*/) {}
  // The keyword dictionary of the run, given once before any write. Sinks without a keywords
  // table ignore it. Throws SinkError.
  virtual void write_keywords(const std::vector<KeywordDescription>& /*keywords*/) {}
  // Flushes and commits what is buffered; throws SinkError. Called once, after the last write.
  virtual LoadStats finish() = 0;

  // One source's articles together with the fetch state to store for it. A sink that keeps
  // fetch state (keeps_fetch_state()) commits the state in the same transaction as the
  // source's rows, so that a crash never leaves one without the other; the default writes
  // the articles and ignores the state (the caller stores it). Takes ownership like write().
  // Throws SinkError.
  virtual void write_source(ArticleBatch&& batch, const SourceState& state) {
    (void)state;
    if (!batch.articles.empty()) write(std::move(batch));
  }
  virtual bool keeps_fetch_state() const { return false; }

  // What has reached the destination for good so far. After a SinkError the run reports
  // this, not zero: earlier batches stayed committed.
  virtual LoadStats committed() const { return {}; }
};

// Fills batch.rows and batch.row_ends with sink.format() of every article (leaves them empty
// when the sink does not format).
inline void format_rows(ArticleBatch& batch, const ArticleSink& sink) {
  batch.rows.clear();
  batch.row_ends.clear();
  if (!sink.formats_rows()) return;
  batch.row_ends.reserve(batch.articles.size());
  for (const Article& article : batch.articles) {
    sink.format(article, batch.rows);
    batch.row_ends.push_back(batch.rows.size());
  }
}

}  // namespace rssflow
