// Loads articles into <schema>.articles (created by migrate(), sinks/postgres_migrate.h).
#pragma once

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sinks/article_sink.h"
#include "sinks/postgres_options.h"
#include "sinks/postgres_shared_connection.h"
#include "sinks/postgres_text.h"

namespace rssflow {

// Buffers articles and writes each batch of at most options.batch_rows (see write_source) in
// one transaction: the batch
// is deduplicated by url_hash (last copy wins) and the stored content_hash of its keys looked
// up; new articles are COPied straight into articles, changed ones COPied into a temporary
// staging table and merged by one INSERT ... SELECT ... ON CONFLICT (url_hash) DO UPDATE
// WHERE content_hash IS DISTINCT FROM EXCLUDED.content_hash, unchanged ones are not sent.
// A concurrent loader racing on a key makes the batch roll back and go through the staging
// upsert alone. Each batch commits on its own: a killed run leaves whole batches, and a rerun
// adds no duplicate. Through write_source, a batch also carries the fetch state of the sources
// whose rows it holds (<schema>.source_state), committed in the same transaction.
// Rows keep first_seen_at; an update sets updated_at. Text is sanitised first (NUL bytes
// removed, invalid UTF-8 replaced; see sanitized()), so one bad value never fails its batch.
// A batch is sent on a thread of its own while the caller goes on buffering the next one:
// the caller (the graph's serial load node) does not wait for the server to write and index
// a batch. At most one batch is in flight, batches commit in order, and a batch's failure is
// thrown by the next call that sends (write, write_source, finish). Use from one thread.
class PostgresSink : public ArticleSink {
 public:
  // Connects and checks that <schema>.articles exists: throws SinkError (message names the
  // cause and SQLSTATE, never the password) when the database is unreachable or not migrated.
  // On `shared` when given (the run's one connection), else on a connection of its own.
  explicit PostgresSink(PostgresOptions options, SharedPostgresConnection shared = nullptr);
  ~PostgresSink() override;
  PostgresSink(const PostgresSink&) = delete;
  PostgresSink& operator=(const PostgresSink&) = delete;

  // Takes the articles and writes every full batch (rows are made here, not by format()).
  // A repeated url_hash within a batch keeps the last copy. Throws SinkError; the failing
  // batch is rolled back, earlier batches stay committed.
  void write(ArticleBatch&& batch) override;
  using ArticleSink::write;

  // Every stored row's entry_hash (rows loaded before migration V3 have none). Memory: a
  // HashSet, 21-43 bytes per row. Throws SinkError.
  HashSet stored_entry_hashes() override;

  // Buffers one source's articles and its fetch state; the buffer, with the buffered states,
  // goes as one transaction when it holds 256 rows (or batch_rows, if fewer) and no batch is in
  // flight, or when it holds batch_rows or more (after the batch in flight). A source's rows
  // are never split across transactions (a batch may exceed batch_rows by one source's
  // articles), so each source's rows and state commit together. Throws SinkError.
  void write_source(ArticleBatch&& batch, const SourceState& state) override;
  bool keeps_fetch_state() const override { return true; }


  // Buffers the feed; the next batch upserts it into <schema>.feeds in its own transaction,
  // before its articles, which get its feed_id (one statement for all the batch's feeds). A
  // value the document no longer gives keeps the stored one.
  void write_feed(const FeedRecord& feed) override;

  // Upserts every keyword (slug, name, group) into <schema>.keywords.
  void write_keywords(const std::vector<KeywordDescription>& keywords) override;

  // Writes what is buffered (rows and states). inserted + updated + unchanged = articles written.
  LoadStats finish() override;

  // The batches committed so far.
  LoadStats committed() const override;

  // Rows are COPY text (sinks/postgres_copy_row.h), made by format() in the graph's parallel
  // format stage; write() makes those it is given without.
  bool formats_rows() const override { return true; }
  void format(const Article& article, std::string& row) const override;

  // What sanitising changed in the rows made so far and the feeds committed so far.
  SanitizeStats sanitized() const;

 private:
  // Rows, and the fetch states and feeds that commit with them.
  struct PendingBatch {
    std::vector<Article> rows;
    std::string text;               // the rows' COPY text without feed_id: row i ends at ends[i]
    std::vector<std::size_t> ends;
    std::vector<SourceState> states;
    std::unordered_map<std::string, FeedRecord> feeds;  // by url
    bool empty() const { return rows.empty() && states.empty() && feeds.empty(); }
  };
  struct AtomicSanitizeStats {  // counted by format(), which runs on many threads
    std::atomic<std::uint64_t> nul_bytes_removed{0}, invalid_utf8_replaced{0}, dates_dropped{0};
    void add(const SanitizeStats& stats);
    SanitizeStats load() const;
  };
  // Moves the articles and their rows (made here when the batch has none) into the buffer;
  // sends it whenever it is full if send_when_full.
  void buffer_rows(ArticleBatch&& batch, bool send_when_full);
  void send_buffer();   // the buffer goes in flight, after the batch before it has committed
  bool busy() const;    // a batch is in flight and not done
  void wait_in_flight() const;  // waits for the batch in flight (its failure stays for collect)
  void collect();       // waits for the batch in flight; throws its SinkError
  void load_batch(PendingBatch& batch);
  void copy_and_upsert(PendingBatch& batch, bool probe);

  PostgresOptions options_;
  struct Session;  // the connection and prepared SQL
  std::unique_ptr<Session> session_;
  PendingBatch buffer_;  // what the next batch will send
  LoadStats stats_;           // written by the batch in flight: read after wait_in_flight()
  SanitizeStats sanitized_;  // likewise (feeds)
  mutable AtomicSanitizeStats formatted_;
  mutable std::future<void> in_flight_;  // last member: destroyed (waited for) first
};

}  // namespace rssflow
