// The glue: the stage functions of pipeline/stages.h without TBB, and the flow graph with a
// fake fetcher and sink (ordering, backpressure, a failing sink, a failing source).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <filesystem>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/flow_graph.h"
#include "pipeline/stage_clock.h"

namespace rssflow {
namespace {

const KeywordMatcher& keywords() {
  static const KeywordMatcher matcher =
      KeywordMatcher::from_file(std::filesystem::path(RSSFLOW_SOURCE_DIR) / "config/keywords.tsv");
  return matcher;
}

std::string feed_url(std::size_t i) { return "https://feeds.example/" + std::to_string(i) + ".xml"; }

// Feed i: entries "i-0" .. "i-(n-1)", plus one story every feed carries (same link).
std::string feed_body(std::size_t i, int entries = 2) {
  std::string xml = "<rss version=\"2.0\"><channel><title>F</title>";
  for (int e = 0; e < entries; ++e) {
    const std::string id = std::to_string(i) + "-" + std::to_string(e);
    xml += "<item><title>Post " + id + " about Rust</title><link>https://site.example/" + id +
           "</link><description>&lt;p&gt;Body &lt;b&gt;" + id + "&lt;/b&gt;&lt;/p&gt;</description></item>";
  }
  xml += "<item><title>Shared</title><link>https://wire.example/shared</link><description>Wire copy</description></item>";
  return xml + "</channel></rss>";
}

FetchResult fetched(std::size_t i) {
  FetchedFeed feed;
  feed.final_url = feed_url(i);
  feed.body = feed_body(i);
  feed.fetched_at = Instant{std::chrono::seconds{1'700'000'000}};
  FetchResult result;
  result.http_status = 200;
  result.bytes_received = feed.body.size();
  result.outcome = std::move(feed);
  return result;
}

SourceJob job(std::size_t i) {
  SourceJob j;
  j.index = i;
  j.source.url = feed_url(i);
  j.prior_state.url = j.source.url;
  return j;
}

// Records what it is given; optionally fails on the nth write.
class RecordingSink : public ArticleSink {
 public:
  explicit RecordingSink(int fail_on_write = -1) : fail_on_write_(fail_on_write) {}
  bool formats_rows() const override { return true; }
  void format(const Article& article, std::string& row) const override { row += article.url_hash.hex() + "\n"; }
  void write(ArticleBatch&& batch) override {
    if (++writes == fail_on_write_) throw SinkError("disk on fire");
    rows += batch.rows;
    for (Article& a : batch.articles) articles.push_back(std::move(a));
  }
  using ArticleSink::write;
  LoadStats finish() override { return {}; }

  int writes = 0;
  std::string rows;
  std::vector<Article> articles;

 private:
  int fail_on_write_;
};

// The chain by hand, one source at a time.
SourceBatch through_the_chain(std::size_t i, DedupeStep& dedupe, LoadStep& load, RecordingSink& sink) {
  SourceBatch batch = parse_source(FetchedSource{job(i), fetched(i)}, Hash128{1, 2});
  dedupe.run(batch);
  clean_source(batch, ArticleOptions{});
  match_source_keywords(batch, keywords());
  format_source(batch, sink);
  load.consume(batch);
  return batch;
}

TEST(Stages, TheChainWithoutTbbDropsCrossFeedCopiesBeforeCleaning) {
  HashSet stored;
  DedupeStep dedupe(stored);
  RecordingSink sink;
  LoadStep load(sink);
  const SourceBatch first = through_the_chain(0, dedupe, load, sink);
  EXPECT_EQ(first.outcome.status, SourceStatus::ok);
  EXPECT_EQ(first.outcome.entries, 3u);
  EXPECT_EQ(first.outcome.records, 3u);
  const SourceBatch second = through_the_chain(1, dedupe, load, sink);
  EXPECT_EQ(second.outcome.duplicates, 1u) << "the shared story was loaded from feed 0";
  EXPECT_EQ(second.outcome.records, 2u);
  ASSERT_EQ(sink.articles.size(), 5u);
  EXPECT_EQ(sink.articles[0].title, "Post 0-0 about Rust");
  EXPECT_EQ(sink.articles[0].summary, "Body 0-0");
  EXPECT_EQ(sink.articles[0].keywords, std::vector<std::string>{"rust"});  // slugs (issue 14)
  EXPECT_EQ(sink.rows, [&] {
    std::string rows;
    for (const Article& a : sink.articles) rows += a.url_hash.hex() + "\n";
    return rows;
  }()) << "the rows made by the format stage reach the sink, in order";
}

TEST(Stages, AnEntryWhoseHashIsStoredIsSkippedAndCounted) {
  HashSet stored;
  {
    HashSet none;
    DedupeStep dedupe(none);
    RecordingSink sink;
    LoadStep load(sink);
    through_the_chain(0, dedupe, load, sink);
    for (const Article& a : sink.articles) stored.insert(a.entry_hash);
  }
  DedupeStep dedupe(stored);
  RecordingSink sink;
  LoadStep load(sink);
  const SourceBatch again = through_the_chain(0, dedupe, load, sink);
  EXPECT_EQ(again.outcome.unchanged, 3u);
  EXPECT_EQ(again.outcome.records, 0u);
  EXPECT_TRUE(sink.articles.empty());
  // Another derivation (dictionary, options, version): nothing is skipped.
  SourceBatch batch = parse_source(FetchedSource{job(0), fetched(0)}, Hash128{9, 9});
  EXPECT_FALSE(stored.contains(batch.identities[0].entry_hash));
}

TEST(Stages, AFailedFetchBecomesAFailedOutcomeThatCarriesNothing) {
  FetchResult failure;
  failure.outcome = StageError{Stage::fetch, feed_url(3), ErrorCode::dns, "no such host"};
  SourceBatch batch = parse_source(FetchedSource{job(3), std::move(failure)}, Hash128{});
  EXPECT_EQ(batch.outcome.status, SourceStatus::failed);
  EXPECT_EQ(batch.outcome.error->code, ErrorCode::dns);
  EXPECT_EQ(batch.items, 0u);
}

// Pieces of 3 entries, each on its own thread, last piece first: what the flow graph's
// spreading may do at worst (any order, any thread).
void in_reversed_threaded_pieces(std::size_t count, const std::function<void(std::size_t, std::size_t)>& body) {
  std::vector<std::thread> threads;
  for (std::size_t end = count; end > 0;) {
    const std::size_t begin = end >= 3 ? end - 3 : 0;
    threads.emplace_back([&body, begin, end] { body(begin, end); });
    end = begin;
  }
  for (std::thread& t : threads) t.join();
}

// A large source is spread over the workers by the graph: the articles, keywords, fingerprints
// and rows must be those of the plain loop, in the same order.
TEST(Stages, ASourceCleanedInPiecesOnManyThreadsGivesWhatOneLoopGives) {
  const auto run = [](const EntryRanges& ranges) {
    FetchResult result = fetched(7);
    std::get<FetchedFeed>(result.outcome).body = feed_body(7, 40);
    HashSet stored;
    DedupeStep dedupe(stored);
    RecordingSink sink;
    SourceBatch batch = parse_source(FetchedSource{job(7), std::move(result)}, Hash128{1, 2});
    dedupe.run(batch);
    clean_source(batch, ArticleOptions{}, ranges);
    match_source_keywords(batch, keywords(), ranges);
    format_source(batch, sink, ranges);
    return batch;
  };
  const SourceBatch plain = run(in_one_piece);
  const SourceBatch pieces = run(in_reversed_threaded_pieces);
  ASSERT_EQ(plain.articles.articles.size(), 41u);
  ASSERT_EQ(pieces.articles.articles.size(), plain.articles.articles.size());
  for (std::size_t k = 0; k < plain.articles.articles.size(); ++k) {
    const Article& a = plain.articles.articles[k];
    const Article& b = pieces.articles.articles[k];
    EXPECT_EQ(a.url_hash, b.url_hash) << k;
    EXPECT_EQ(a.content_hash, b.content_hash) << k;
    EXPECT_EQ(a.summary, b.summary) << k;
    EXPECT_EQ(a.keywords, b.keywords) << k;
    EXPECT_EQ(plain.fingerprints[k].simhash, pieces.fingerprints[k].simhash) << k;
  }
  EXPECT_EQ(plain.articles.rows, pieces.articles.rows);
  EXPECT_EQ(pieces.items, 41u);

  // Out of budget in pieces: the source fails once, naming the first entry it did not clean.
  FetchResult result = fetched(8);
  std::get<FetchedFeed>(result.outcome).body = feed_body(8, 40);
  HashSet stored;
  DedupeStep dedupe(stored);
  SourceBatch spent = parse_source(FetchedSource{job(8), std::move(result)}, Hash128{}, ParseLimits{});
  spent.clean_budget = std::chrono::milliseconds{0};
  dedupe.run(spent);
  clean_source(spent, ArticleOptions{}, in_reversed_threaded_pieces);
  EXPECT_EQ(spent.outcome.status, SourceStatus::failed);
  ASSERT_TRUE(spent.outcome.error.has_value());
  EXPECT_EQ(spent.outcome.error->code, ErrorCode::parse_timeout);
  EXPECT_NE(spent.outcome.error->message.find("while cleaning entry 1 of 41"), std::string::npos)
      << spent.outcome.error->message;
  EXPECT_TRUE(spent.articles.articles.empty());
}

TEST(Stages, CleaningGoesOnUnderWhatIsLeftOfTheParseBudget) {
  HashSet stored;
  DedupeStep dedupe(stored);
  SourceBatch plenty = parse_source(FetchedSource{job(4), fetched(4)}, Hash128{}, ParseLimits{});
  ASSERT_TRUE(plenty.clean_budget.has_value());
  EXPECT_GT(*plenty.clean_budget, std::chrono::milliseconds{0});
  EXPECT_LE(*plenty.clean_budget, ParseLimits{}.deadline);
  dedupe.run(plenty);
  clean_source(plenty, ArticleOptions{});
  EXPECT_EQ(plenty.outcome.status, SourceStatus::ok);
  EXPECT_EQ(plenty.articles.articles.size(), 3u);

  // A parse that used up the budget: the source fails at the first entry it would clean,
  // as parse_timeout with its own reason in the state, and carries nothing further.
  SourceBatch spent = parse_source(FetchedSource{job(5), fetched(5)}, Hash128{}, ParseLimits{});
  spent.clean_budget = std::chrono::milliseconds{0};
  dedupe.run(spent);
  ASSERT_EQ(spent.kept.size(), 2u) << "the shared story was admitted from feed 4";
  clean_source(spent, ArticleOptions{});
  EXPECT_EQ(spent.outcome.status, SourceStatus::failed);
  ASSERT_TRUE(spent.outcome.error.has_value());
  EXPECT_EQ(spent.outcome.error->code, ErrorCode::parse_timeout);
  EXPECT_NE(spent.outcome.error->message.find("while cleaning entry 1 of 2"), std::string::npos)
      << spent.outcome.error->message;
  EXPECT_NE(spent.outcome.state.last_error.find("parse_timeout"), std::string::npos) << spent.outcome.state.last_error;
  EXPECT_TRUE(spent.articles.articles.empty());
  EXPECT_EQ(spent.items, 0u);
}

struct GraphRun {
  std::vector<std::optional<SourceOutcome>> outcomes;
  GraphResult result;
  std::size_t max_in_flight = 0;
  StageClock clock;
};

// Runs n sources through the graph; `fail` lists sources whose fetch fails.
// `throw_on_done`: the report callback throws for that source (a bug outside every stage's
// own error handling).
void run_graph(GraphRun& run, std::size_t n, RecordingSink& sink, std::size_t limit, std::set<std::size_t> fail = {},
               std::optional<std::size_t> throw_on_done = std::nullopt) {
  std::vector<SourceJob> jobs;
  for (std::size_t i = 0; i < n; ++i) jobs.push_back(job(i));
  run.outcomes.assign(n, std::nullopt);
  std::mutex mutex;
  std::size_t submitted = 0, done = 0;
  SubmitFetch fetch = [&](FetchRequest request, std::function<void(FetchResult)> on_done) {
    const std::size_t i = static_cast<std::size_t>(
        std::find_if(jobs.begin(), jobs.end(), [&](const SourceJob& j) { return j.source.url == request.source.url; }) -
        jobs.begin());
    {
      std::lock_guard lock(mutex);
      ++submitted;
      run.max_in_flight = std::max(run.max_in_flight, submitted - done);
    }
    if (fail.count(i)) {
      FetchResult failure;
      failure.outcome = StageError{Stage::fetch, request.source.url, ErrorCode::connect, "refused"};
      on_done(std::move(failure));
    } else {
      on_done(fetched(i));
    }
  };
  // jobs is read by the fake fetcher: hand the graph a copy.
  std::vector<SourceJob> graph_jobs = jobs;
  HashSet stored;
  std::atomic<bool> stop{false};
  run.result = run_flow_graph(GraphInputs{std::move(graph_jobs), std::move(fetch), keywords(), ArticleOptions{}, stored,
                                          Hash128{}, sink, limit, stop,
                                          [&](std::size_t index, SourceOutcome&& outcome) {
                                            if (index == throw_on_done) throw std::logic_error("report bug");
                                            std::lock_guard lock(mutex);
                                            ++done;
                                            run.outcomes[index] = std::move(outcome);
                                          },
                                          &run.clock});
}

TEST(FlowGraph, EverySourceIsReportedOnceAtItsIndexAndEveryArticleLoadedOnce) {
  RecordingSink sink;
  GraphRun run;
  run_graph(run, 40, sink, 4);
  EXPECT_FALSE(run.result.fatal_error);
  std::set<std::string> hashes;
  for (std::size_t i = 0; i < run.outcomes.size(); ++i) {
    ASSERT_TRUE(run.outcomes[i]) << i;
    EXPECT_EQ(run.outcomes[i]->source.url, feed_url(i));
    EXPECT_EQ(run.outcomes[i]->status, SourceStatus::ok);
  }
  for (const Article& a : sink.articles) EXPECT_TRUE(hashes.insert(a.url_hash.hex()).second) << a.url;
  EXPECT_EQ(sink.articles.size(), 40u * 2 + 1) << "two own entries per feed and the shared story once";
  EXPECT_EQ(run.clock.received(MetricStage::dedupe), 40u * 3);
  EXPECT_EQ(run.clock.emitted(MetricStage::dedupe), 40u * 2 + 1);
  EXPECT_EQ(run.clock.emitted(MetricStage::load), 40u * 2 + 1);
}

// A matcher loaded for this run is built on a worker while the first sources are parsed:
// batches that reach the keywords stage before the build is done wait for it (without holding
// their worker) and then get their keywords like every later batch.
TEST(FlowGraph, BatchesThatArriveBeforeTheKeywordMatcherIsBuiltGetTheirKeywords) {
  const KeywordMatcher fresh =
      KeywordMatcher::from_file(std::filesystem::path(RSSFLOW_SOURCE_DIR) / "config/keywords.tsv");
  constexpr std::size_t n = 200;
  std::vector<SourceJob> jobs;
  for (std::size_t i = 0; i < n; ++i) jobs.push_back(job(i));
  SubmitFetch fetch = [](FetchRequest request, std::function<void(FetchResult)> on_done) {
    const std::string& url = request.source.url;
    const std::size_t slash = url.rfind('/');
    on_done(fetched(std::stoul(url.substr(slash + 1))));
  };
  RecordingSink sink;
  HashSet stored;
  std::atomic<bool> stop{false};
  std::vector<std::optional<SourceOutcome>> outcomes(n);
  const GraphResult result = run_flow_graph(GraphInputs{
      std::move(jobs), std::move(fetch), fresh, ArticleOptions{}, stored, Hash128{}, sink, 16, stop,
      [&](std::size_t index, SourceOutcome&& outcome) { outcomes[index] = std::move(outcome); }});
  EXPECT_FALSE(result.fatal_error);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(outcomes[i]) << i;
    EXPECT_EQ(outcomes[i]->status, SourceStatus::ok) << i;
  }
  ASSERT_EQ(sink.articles.size(), n * 2 + 1);
  for (const Article& a : sink.articles) {
    if (a.title.starts_with("Post ")) {
      EXPECT_EQ(a.keywords, std::vector<std::string>{"rust"}) << a.title;
    }
  }
}

// The calling thread sleeps until every source is settled; an exception escaping a node
// must end that wait (rethrown by run_flow_graph), not leave it waiting for a source that
// will never be reported.
TEST(FlowGraph, AnExceptionEscapingANodeIsRethrownInsteadOfHangingTheRun) {
  RecordingSink sink;
  GraphRun run;
  EXPECT_THROW(run_graph(run, 20, sink, 4, {}, 5), std::logic_error);
}

TEST(FlowGraph, TheLimiterBoundsTheSourcesInFlight) {
  RecordingSink sink;
  GraphRun run;
  run_graph(run, 60, sink, 3);
  EXPECT_LE(run.max_in_flight, 3u);
  EXPECT_GE(run.max_in_flight, 1u);
  // The clock counts a source when the input node produces it; one may wait at the limiter.
  EXPECT_LE(run.clock.max_in_flight(), 3 + 1);
}

TEST(FlowGraph, AFailingSourceIsReportedAndTheOthersLoad) {
  RecordingSink sink;
  GraphRun run;
  run_graph(run, 10, sink, 4, {3, 7});
  for (std::size_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(run.outcomes[i]);
    const bool failing = i == 3 || i == 7;
    EXPECT_EQ(run.outcomes[i]->status, failing ? SourceStatus::failed : SourceStatus::ok) << i;
    if (failing) {
      EXPECT_EQ(run.outcomes[i]->error->code, ErrorCode::connect);
    }
  }
  EXPECT_EQ(sink.articles.size(), 8u * 2 + 1);
}

TEST(FlowGraph, AFailingSinkStopsNewSourcesAndReportsTheFatalError) {
  RecordingSink sink(/*fail_on_write=*/2);
  GraphRun run;
  run_graph(run, 200, sink, 2);
  ASSERT_TRUE(run.result.fatal_error);
  EXPECT_EQ(*run.result.fatal_error, "disk on fire");
  const auto reported = std::count_if(run.outcomes.begin(), run.outcomes.end(), [](const auto& o) { return o.has_value(); });
  EXPECT_LT(reported, 200) << "no new source starts after the sink failed";
  EXPECT_GE(reported, 2);
  EXPECT_EQ(sink.writes, 2) << "nothing is written after the failure";
}

// A fetcher like HttpFetcher: answers on a thread of its own, never inside submit(). Source i
// is unchanged when i % 3 == 0, fails when i % 3 == 1, and brings its body otherwise. Sources
// are answered in index order: the graph submits them in whatever order its workers run the
// fetch node, and the tests' claims (source 0 is settled first; a hook holds source i for
// something source i-1 does) need an order. Sources are taken in index order, so the next
// index is always submitted once the ones before it have been answered and the graph moves.
class ThreadedFetcher {
 public:
  // before_answer(i), when given, runs on the fetcher's thread before source i is answered.
  explicit ThreadedFetcher(std::function<void(std::size_t)> before_answer = {})
      : before_answer_(std::move(before_answer)), thread_([this] { answer(); }) {}
  ~ThreadedFetcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  SubmitFetch submit() {
    return [this](FetchRequest request, std::function<void(FetchResult)> on_done) {
      {
        std::lock_guard lock(mutex_);
        ++submitted_;
        max_in_flight_ = std::max(max_in_flight_, submitted_ - answered_);
        queue_.emplace_back(std::move(request), std::move(on_done));
      }
      wake_.notify_all();
    };
  }
  std::size_t max_in_flight() const { return max_in_flight_; }
  std::thread::id thread_id() const { return thread_.get_id(); }

 private:
  static std::size_t index_of(const FetchRequest& request) {
    const std::string number = request.source.url.substr(feed_url(0).size() - 5);
    return std::stoul(number.substr(0, number.find('.')));
  }
  static FetchResult result_for(const FetchRequest& request) {
    const std::size_t i = index_of(request);
    if (i % 3 == 1) {
      FetchResult failure;
      failure.outcome = StageError{Stage::fetch, request.source.url, ErrorCode::connect, "refused"};
      return failure;
    }
    FetchResult result = fetched(i);
    if (i % 3 == 0) {
      auto& feed = std::get<FetchedFeed>(result.outcome);
      feed.body_unchanged = true;
      feed.body.clear();
    }
    return result;
  }
  // Where the request of the next index waits in the queue; none while it is not submitted.
  std::optional<std::size_t> next_in_queue() const {
    for (std::size_t k = 0; k < queue_.size(); ++k)
      if (index_of(queue_[k].first) == next_index_) return k;
    return std::nullopt;
  }
  void answer() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || next_in_queue(); });
      const std::optional<std::size_t> next = next_in_queue();
      if (!next) return;
      auto [request, on_done] = std::move(queue_[*next]);
      queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(*next));
      ++next_index_;
      ++answered_;  // answered before the callback, as HttpFetcher's job leaves its slot
      lock.unlock();
      if (before_answer_) before_answer_(index_of(request));
      on_done(result_for(request));
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<FetchRequest, std::function<void(FetchResult)>>> queue_;
  std::size_t submitted_ = 0, answered_ = 0, max_in_flight_ = 0, next_index_ = 0;
  bool stopping_ = false;
  std::function<void(std::size_t)> before_answer_;
  std::thread thread_;  // last: starts once the rest exists
};

// Sources with nothing to parse are settled in the fetcher's callback and hand their limiter
// slot to the next source (or, while the load node is at work, go to it); the others go
// through the graph. Either way each is reported once, the limiter's bound holds, and every
// stage counts what it saw.
TEST(FlowGraph, SourcesWithNothingToParseSettleOnTheFetchersThreadWithinTheLimiter) {
  RecordingSink sink;
  StageClock clock;
  std::vector<SourceJob> jobs;
  constexpr std::size_t n = 90;
  for (std::size_t i = 0; i < n; ++i) jobs.push_back(job(i));
  std::vector<std::optional<SourceOutcome>> outcomes(n);
  std::vector<std::thread::id> reporter(n);
  std::mutex mutex;
  HashSet stored;
  std::atomic<bool> stop{false};
  std::thread::id fetcher_thread;
  {
    ThreadedFetcher fetcher;
    fetcher_thread = fetcher.thread_id();
    const GraphResult result = run_flow_graph(GraphInputs{
        std::move(jobs), fetcher.submit(), keywords(), ArticleOptions{}, stored, Hash128{}, sink, 4, stop,
        [&](std::size_t index, SourceOutcome&& outcome) {
          std::lock_guard lock(mutex);
          EXPECT_FALSE(outcomes[index]) << "reported twice: " << index;
          reporter[index] = std::this_thread::get_id();
          outcomes[index] = std::move(outcome);
        },
        &clock});
    EXPECT_FALSE(result.fatal_error);
    EXPECT_LE(fetcher.max_in_flight(), 4u);
  }
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(outcomes[i]) << i;
    const SourceStatus expected = i % 3 == 0 ? SourceStatus::unchanged : i % 3 == 1 ? SourceStatus::failed : SourceStatus::ok;
    EXPECT_EQ(outcomes[i]->status, expected) << i;
  }
  // Source 0 (unchanged) is answered first, while nothing is in the load node.
  EXPECT_EQ(reporter[0], fetcher_thread);
  for (std::size_t i = 2; i < n; i += 3) EXPECT_NE(reporter[i], fetcher_thread) << "parsed in the graph: " << i;
  EXPECT_EQ(sink.articles.size(), (n / 3) * 2 + 1) << "two own entries per fed source and the shared story once";
  EXPECT_EQ(clock.received(MetricStage::parse), n) << "every fetched source passes parse, on either thread";
  EXPECT_EQ(clock.received(MetricStage::dedupe), (n / 3) * 3);
  EXPECT_LE(clock.max_in_flight(), 4 + 1);
}

// A sink that holds its first write of rows until released.
class HeldSink : public RecordingSink {
 public:
  void write(ArticleBatch&& batch) override {
    {
      std::unique_lock lock(mutex);
      if (!held_once) {
        held_once = true;
        writing = true;
        changed.notify_all();
        changed.wait(lock, [&] { return released; });
      }
    }
    RecordingSink::write(std::move(batch));
  }
  std::mutex mutex;
  std::condition_variable changed;
  bool held_once = false, writing = false, released = false;
};

// While the load node is settling a source (its sink write held), the fetcher's thread does
// not wait for it: a source with nothing to parse that arrives then goes to the load node and
// is settled there once the write returns.
TEST(FlowGraph, ASourceWithNothingToParseGoesToTheLoadNodeWhileItIsAtWork) {
  HeldSink sink;
  std::vector<SourceJob> jobs;
  for (std::size_t i = 0; i < 6; ++i) jobs.push_back(job(i));
  std::vector<std::optional<SourceOutcome>> outcomes(6);
  std::vector<std::thread::id> reporter(6);
  std::mutex mutex;
  HashSet stored;
  std::atomic<bool> stop{false};
  std::thread::id fetcher_thread;
  {
    // Source 3 (unchanged) is answered only once source 2's rows are being written, and the
    // write is released only after the fetcher has handed source 3 on (before source 4).
    ThreadedFetcher fetcher([&](std::size_t i) {
      std::unique_lock lock(sink.mutex);
      if (i == 3) sink.changed.wait(lock, [&] { return sink.writing; });
      if (i == 4) {
        sink.released = true;
        sink.changed.notify_all();
      }
    });
    fetcher_thread = fetcher.thread_id();
    const GraphResult result = run_flow_graph(GraphInputs{
        std::move(jobs), fetcher.submit(), keywords(), ArticleOptions{}, stored, Hash128{}, sink, 6, stop,
        [&](std::size_t index, SourceOutcome&& outcome) {
          std::lock_guard lock(mutex);
          reporter[index] = std::this_thread::get_id();
          outcomes[index] = std::move(outcome);
        }});
    EXPECT_FALSE(result.fatal_error);
  }
  for (std::size_t i = 0; i < 6; ++i) ASSERT_TRUE(outcomes[i]) << i;
  EXPECT_EQ(outcomes[3]->status, SourceStatus::unchanged);
  EXPECT_EQ(reporter[0], fetcher_thread) << "nothing was settling: settled on the fetcher's thread";
  EXPECT_NE(reporter[3], fetcher_thread) << "the load node was at work: settled by it";
  EXPECT_EQ(sink.articles.size(), 2u * 2 + 1) << "sources 2 and 5 each with their own two and the shared story once";
}

// An exception from the report callback on the fetcher's thread ends the run like one from a
// node: run_flow_graph rethrows it instead of waiting for a source that will never settle.
TEST(FlowGraph, AnExceptionOnTheFetchersThreadIsRethrownInsteadOfHangingTheRun) {
  RecordingSink sink;
  std::vector<SourceJob> jobs;
  for (std::size_t i = 0; i < 30; ++i) jobs.push_back(job(i));
  HashSet stored;
  std::atomic<bool> stop{false};
  ThreadedFetcher fetcher;
  EXPECT_THROW(run_flow_graph(GraphInputs{std::move(jobs), fetcher.submit(), keywords(), ArticleOptions{}, stored,
                                          Hash128{}, sink, 4, stop,
                                          [&](std::size_t index, SourceOutcome&&) {
                                            if (index == 6) throw std::logic_error("report bug");  // unchanged
                                          }}),
               std::logic_error);
}

// A fetcher that answers inside submit() (as HttpFetcher does for a file, read on the
// submitting worker) with nothing to parse: each source is settled in the fetch node and its
// slot goes back through the limiter. Thousands in a row must not nest one submit in another:
// on each thread, the stack at every report stays within a few pages of the first.
TEST(FlowGraph, ThousandsOfSourcesAnsweredInsideSubmitWithNothingToParseDoNotNest) {
  constexpr std::size_t n = 3000;
  std::vector<SourceJob> jobs;
  for (std::size_t i = 0; i < n; ++i) jobs.push_back(job(i));
  std::vector<std::optional<SourceOutcome>> outcomes(n);
  std::mutex mutex;
  std::map<std::thread::id, std::pair<std::uintptr_t, std::uintptr_t>> stack_extent;
  SubmitFetch fetch = [](FetchRequest request, std::function<void(FetchResult)> on_done) {
    FetchResult failure;
    failure.outcome = StageError{Stage::fetch, request.source.url, ErrorCode::connect, "refused"};
    on_done(std::move(failure));
  };
  RecordingSink sink;
  HashSet stored;
  std::atomic<bool> stop{false};
  StageClock clock;
  const GraphResult result = run_flow_graph(GraphInputs{
      std::move(jobs), std::move(fetch), keywords(), ArticleOptions{}, stored, Hash128{}, sink, 4, stop,
      [&](std::size_t index, SourceOutcome&& outcome) {
        const int marker = 0;
        const auto here = reinterpret_cast<std::uintptr_t>(&marker);
        std::lock_guard lock(mutex);
        auto [extent, fresh] = stack_extent.try_emplace(std::this_thread::get_id(), here, here);
        extent->second.first = std::min(extent->second.first, here);
        extent->second.second = std::max(extent->second.second, here);
        outcomes[index] = std::move(outcome);
      },
      &clock});
  EXPECT_FALSE(result.fatal_error);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(outcomes[i]) << i;
    EXPECT_EQ(outcomes[i]->status, SourceStatus::failed) << i;
  }
  for (const auto& [thread, extent] : stack_extent) {
    EXPECT_LT(extent.second - extent.first, std::uintptr_t{64} << 10) << "reports nested in one another";
  }
  EXPECT_EQ(clock.received(MetricStage::parse), n) << "every source passes parse, in the fetch node";
}

}  // namespace
}  // namespace rssflow
