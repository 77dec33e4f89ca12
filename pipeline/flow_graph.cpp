#include "pipeline/flow_graph.h"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <utility>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include "core/heap_pages.h"
#include "pipeline/inflight_journal.h"
#include "pipeline/signals.h"
#include "pipeline/stage_clock.h"

namespace rssflow {
namespace {

namespace flow = oneapi::tbb::flow;

// TBB copies messages between nodes; feed bodies and article batches must not be copied, so
// the graph carries them behind a pointer. Each message has exactly one consumer at a time.
using FetchedPtr = std::shared_ptr<FetchedSource>;
using BatchPtr = std::shared_ptr<SourceBatch>;

// The one timing wrapper: runs a stage on a batch, records its duration and the items it
// received and emitted, and turns an exception (a bug) into the source's failure. A stage with
// nothing to do for this batch (an empty or failed source) records nothing. The thread running
// a stage gets huge pages for its malloc heap first (core/heap_pages.h; once per thread): the
// stages allocate there, and most of a run's page faults were theirs. (Not a TBB
// task_scheduler_observer: its registration outlived the arena and leaked.)
template <class Work>
void timed_stage(StageClock& clock, MetricStage stage, Stage error_stage, SourceBatch& batch, Work&& work) {
  advise_huge_pages_for_thread_heap();
  const std::size_t received = batch.items;
  if (received == 0 && stage != MetricStage::parse) return;
  const auto start = std::chrono::steady_clock::now();
  if (stage == MetricStage::load) {
    work(batch);  // a sink failure ends the run: settling handles it
  } else {
    try {
      work(batch);
    } catch (const std::exception& e) {
      batch.fail_internal(error_stage, e.what());
    }
  }
  clock.record(stage, std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start),
               received, batch.items);
}

// timed_stage for a node: the batch goes on to the next one.
template <class Work>
const BatchPtr& timed(StageClock& clock, MetricStage stage, Stage error_stage, const BatchPtr& batch, Work&& work) {
  timed_stage(clock, stage, error_stage, *batch, std::forward<Work>(work));
  return batch;
}

// A fetched source with a body to parse; any other (failed, not modified, unchanged) has
// nothing for the stages between fetch and load.
bool has_body_to_parse(const FetchResult& result) {
  const auto* feed = std::get_if<FetchedFeed>(&result.outcome);
  return feed && feed->has_body();
}

// parse_source inside the timing wrapper: the batch of one fetched source.
BatchPtr parse_timed(FetchedSource fetched, StageClock& clock, const Hash128& derivation, const ParseLimits& limits) {
  auto batch = std::make_shared<SourceBatch>();
  batch->items = 1;  // the fetched source
  timed(clock, MetricStage::parse, Stage::parse, batch,
        [&](SourceBatch& b) { b = parse_source(std::move(fetched), derivation, limits); });
  return batch;
}

// True on a thread inside the fetch node's call to the fetcher: a fetcher that answers there,
// synchronously (a test's), gets the graph's path for every source, never a nested submit.
thread_local bool inside_fetch_node = false;

// Entries per piece when a stage spreads a source over the workers: a small source stays one
// task (a piece costs a task and, in clean, a ParsingMark); a large one keeps every worker busy.
constexpr std::size_t kEntriesPerPiece = 16;

// The EntryRanges of the graph's stages: tbb::parallel_for in pieces of about kEntriesPerPiece
// (an exception in a piece reaches the stage's caller). With a url, each piece names the
// source to the fatal-signal handler on whichever thread runs it.
EntryRanges spread_over_workers(const std::string* url = nullptr) {
  return [url](std::size_t count, const std::function<void(std::size_t, std::size_t)>& body) {
    if (count <= kEntriesPerPiece) return body(0, count);
    const std::string culprit = url ? InflightJournal::entry('C', *url) : std::string();
    oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<std::size_t>(0, count, kEntriesPerPiece),
                              [&](const oneapi::tbb::blocked_range<std::size_t>& piece) {
                                std::optional<signals::ParsingMark> mark;
                                if (url) mark.emplace(*url, culprit);
                                body(piece.begin(), piece.end());
                              });
  };
}

// Every source the input node emitted has been through the load node, and the input node
// has stopped: what the calling thread waits for, asleep (see run_flow_graph).
class SourcesSettled {
 public:
  void emitted() { change([&] { ++emitted_; }); }
  void done() { change([&] { ++done_; }); }
  void input_stopped() { change([&] { input_stopped_ = true; }); }
  // True when settled; false after `timeout` without.
  bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return settled_.wait_for(lock, timeout, [&] { return input_stopped_ && done_ == emitted_; });
  }

 private:
  template <class Change>
  void change(Change&& apply) {
    {
      std::lock_guard lock(mutex_);
      apply();
      if (!input_stopped_ || done_ != emitted_) return;
    }
    settled_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable settled_;
  std::size_t emitted_ = 0;
  std::size_t done_ = 0;
  bool input_stopped_ = false;
};

// What the graph's threads and the fetcher's thread share: the cursor over the due sources
// (taken by the input node, and by the fetcher's thread when a settled source hands its
// limiter slot on) and settling a source — the load node's work: the sink gets the source's
// rows and fetch state, the caller its outcome. One source settles at a time (LoadStep and
// on_source_done are not thread-safe).
class Settlement {
 public:
  Settlement(GraphInputs& in, StageClock& clock, SourcesSettled& settled, GraphResult& result)
      : in_(in), clock_(clock), settled_(settled), result_(result), load_step_(in.sink) {}

  // The next due source; none once the list is done, a stop was requested or the sink failed.
  std::optional<SourceJob> take() {
    std::lock_guard lock(cursor_mutex_);
    if (next_ >= in_.jobs.size() || in_.stop_requested.load() || sink_failed_.load()) return std::nullopt;
    settled_.emitted();
    clock_.enter();
    return std::move(in_.jobs[next_++]);
  }

  // Settles the batch, waiting for another source's settling to end (the load node).
  void settle(SourceBatch& batch) {
    std::lock_guard lock(settle_mutex_);
    settle_locked(batch);
  }

  // Settles the batch unless another source is settling (the load node may be waiting on the
  // sink): false then, and the batch is untouched. For the fetcher's thread, which never waits.
  bool try_settle(SourceBatch& batch) {
    std::unique_lock lock(settle_mutex_, std::try_to_lock);
    if (!lock) return false;
    settle_locked(batch);
    return true;
  }

  // An exception from on_source_done on the fetcher's thread (a bug): kept for rethrow().
  void escaped(std::exception_ptr error) {
    std::lock_guard lock(settle_mutex_);
    if (!escaped_) escaped_ = std::move(error);
  }
  void rethrow_escaped() {
    std::lock_guard lock(settle_mutex_);
    if (escaped_) std::rethrow_exception(escaped_);
  }

 private:
  void settle_locked(SourceBatch& batch) {
    if (!sink_failed_.load()) {
      try {
        if (batch.items > 0) {
          timed_stage(clock_, MetricStage::load, Stage::load, batch, [&](SourceBatch& b) { load_step_.consume(b); });
        } else {
          load_step_.consume(batch);  // no rows, but the source's fetch state goes to the sink
        }
      } catch (const std::exception& e) {
        // The sink refused or lost its connection: stop feeding sources, report, exit 3.
        sink_failed_.store(true);
        result_.fatal_error = e.what();
      }
    }
    clock_.leave();
    in_.on_source_done(batch.index, std::move(batch.outcome));
    settled_.done();
  }

  GraphInputs& in_;
  StageClock& clock_;
  SourcesSettled& settled_;
  GraphResult& result_;
  LoadStep load_step_;
  std::atomic<bool> sink_failed_{false};
  std::mutex cursor_mutex_;
  std::size_t next_ = 0;
  std::mutex settle_mutex_;
  std::exception_ptr escaped_;
};

GraphResult run_in_arena(GraphInputs in) {
  GraphResult result;
  SourcesSettled settled;
  StageClock fallback_clock;
  StageClock& clock = in.clock ? *in.clock : fallback_clock;
  const ParseLimits default_limits;
  const ParseLimits& parse_limits = in.parse_limits ? *in.parse_limits : default_limits;
  DedupeStep dedupe_step(in.stored_entries);
  Settlement settlement(in, clock, settled, result);

  oneapi::tbb::task_group_context context;  // cancelled when a node throws
  flow::graph g(context);
  flow::input_node<SourceJob> input(g, [&](oneapi::tbb::flow_control& control) -> SourceJob {
    std::optional<SourceJob> job = settlement.take();
    if (!job) {
      control.stop();
      settled.input_stopped();
      return {};
    }
    return std::move(*job);
  });
  flow::limiter_node<SourceJob> limiter(g, in.max_sources_in_flight);

  using LoadNode = flow::function_node<BatchPtr, flow::continue_msg>;
  LoadNode* load_node = nullptr;  // set once the node exists, before any job is submitted

  // A source with nothing to parse is settled on the fetcher's thread, in its callback, and
  // its slot under the limiter goes straight to the next source: in a run where most sources
  // are unchanged, not modified or failing, the graph's workers stay asleep instead of waking
  // (and spinning) for every batch of deliveries. A source with a body goes into the graph, and
  // so does the batch of one with nothing to parse while the load node is at work: the
  // fetcher's thread never waits for the sink.
  using FetchNode = flow::async_node<SourceJob, FetchedPtr>;
  FetchNode* fetch_node = nullptr;  // set once the node exists, before any job is submitted
  std::function<void(SourceJob)> submit = [&](SourceJob job) {
    FetchNode::gateway_type& gateway = fetch_node->gateway();
    gateway.reserve_wait();  // keeps wait_for_all() waiting until the callback is done
    FetchRequest request{job.source, job.prior_state.validators};
    if (!job.parse_unchanged_body) request.known_body_hash = job.prior_state.body_hash;
    in.fetch(std::move(request), [&, job = std::move(job)](FetchResult fetched) mutable {
      clock.record(MetricStage::fetch, fetched.elapsed, 1, std::holds_alternative<FetchedFeed>(fetched.outcome) ? 1 : 0);
      if (context.is_group_execution_cancelled()) {  // a bug ended the run: nothing more is settled
        gateway.release_wait();
        return;
      }
      if (has_body_to_parse(fetched) || inside_fetch_node) {
        gateway.try_put(std::make_shared<FetchedSource>(FetchedSource{std::move(job), std::move(fetched)}));
        gateway.release_wait();
        return;
      }
      try {
        BatchPtr batch = parse_timed(FetchedSource{std::move(job), std::move(fetched)}, clock, in.derivation, parse_limits);
        if (!settlement.try_settle(*batch)) {
          load_node->try_put(std::move(batch));  // its slot comes back through the load node
          gateway.release_wait();
          return;
        }
        if (std::optional<SourceJob> following = settlement.take()) {
          submit(std::move(*following));
        } else {
          limiter.decrementer().try_put(flow::continue_msg{});
        }
      } catch (...) {  // a bug (on_source_done threw): end the run as a node's exception would
        settlement.escaped(std::current_exception());
        context.cancel_group_execution();
      }
      gateway.release_wait();
    });
  };
  FetchNode fetch(g, flow::unlimited, [&](const SourceJob& job, FetchNode::gateway_type&) {
    inside_fetch_node = true;
    submit(job);
    inside_fetch_node = false;
  });
  fetch_node = &fetch;

  // Parse sends a batch with entries on along the chain, and one without (a body without
  // entries; and, from a fetcher that answers synchronously, failed, not modified, unchanged)
  // straight to the load node: the stages between would pass it through untouched.
  using ParseNode = flow::multifunction_node<FetchedPtr, std::tuple<BatchPtr, BatchPtr>>;
  // The keyword matcher's build (its alias table and RE2 set, ~5-8 ms) starts on a spare
  // worker with the first body, so the keywords stage does not hold its threads waiting for it;
  // a run without bodies to parse never builds it.
  oneapi::tbb::task_group keyword_build;
  const struct WaitForKeywordBuild {
    oneapi::tbb::task_group& build;
    ~WaitForKeywordBuild() { build.wait(); }  // prepare() does not throw
  } wait_for_keyword_build{keyword_build};
  std::once_flag keyword_build_started;
  ParseNode parse(g, flow::unlimited, [&](const FetchedPtr& fetched, ParseNode::output_ports_type& ports) {
    std::call_once(keyword_build_started, [&] { keyword_build.run([&] { in.keywords.prepare(); }); });
    // A body to parse: journalled and named to the fatal-signal handler while it is parsed.
    const std::string url = fetched->job.source.url;  // outlives the scope, which refers to it
    std::optional<ParsingScope> parsing;
    if (has_body_to_parse(fetched->result)) parsing.emplace(in.journal, url);
    BatchPtr batch = parse_timed(std::move(*fetched), clock, in.derivation, parse_limits);
    parsing.reset();
    if (batch->items > 0) {
      std::get<0>(ports).try_put(std::move(batch));
    } else {
      std::get<1>(ports).try_put(std::move(batch));
    }
  });
  flow::function_node<BatchPtr, BatchPtr> dedupe(g, flow::serial, [&](const BatchPtr& batch) {
    return timed(clock, MetricStage::dedupe, Stage::transform, batch, [&](SourceBatch& b) { dedupe_step.run(b); });
  });
  flow::function_node<BatchPtr, BatchPtr> clean(g, flow::unlimited, [&](const BatchPtr& batch) {
    // Cleaning reads the feed's HTML: journalled like the parse, so a crash in it is quarantined
    // too; a worker that takes a piece of the source names it to the fatal-signal handler.
    const std::string url = batch->outcome.source.url;  // outlives the scope, which refers to it
    std::optional<ParsingScope> cleaning;
    if (batch->items > 0) cleaning.emplace(in.journal, url);
    return timed(clock, MetricStage::clean, Stage::transform, batch,
                 [&](SourceBatch& b) { clean_source(b, in.article_options, spread_over_workers(&url)); });
  });
  flow::function_node<BatchPtr, BatchPtr> keywords(g, flow::unlimited, [&](const BatchPtr& batch) {
    return timed(clock, MetricStage::keywords, Stage::transform, batch,
                 [&](SourceBatch& b) { match_source_keywords(b, in.keywords, spread_over_workers()); });
  });
  flow::function_node<BatchPtr, BatchPtr> format(g, flow::unlimited, [&](const BatchPtr& batch) {
    return timed(clock, MetricStage::format, Stage::transform, batch,
                 [&](SourceBatch& b) { format_source(b, in.sink, spread_over_workers()); });
  });
  LoadNode load(g, flow::serial, [&](const BatchPtr& batch) {
    settlement.settle(*batch);
    return flow::continue_msg{};
  });
  load_node = &load;

  flow::make_edge(input, limiter);
  flow::make_edge(limiter, fetch);
  flow::make_edge(fetch, parse);
  flow::make_edge(flow::output_port<0>(parse), dedupe);
  flow::make_edge(flow::output_port<1>(parse), load);
  flow::make_edge(dedupe, clean);
  flow::make_edge(clean, keywords);
  flow::make_edge(keywords, format);
  flow::make_edge(format, load);
  flow::make_edge(load, limiter.decrementer());

  input.activate();
  // Asleep until settled; a node that threw (a bug: stages catch their own errors) cancels the
  // graph, and wait_for_all() then rethrows it instead of this waiting forever.
  while (!settled.wait_for(std::chrono::milliseconds(100)) && !context.is_group_execution_cancelled()) {
  }
  g.wait_for_all();
  settlement.rethrow_escaped();
  return result;
}

}  // namespace

GraphResult run_flow_graph(GraphInputs in) {
  // The graph runs in an arena of its own whose worker slots, one per core, all go to TBB's
  // workers; the calling thread holds the one master slot but sleeps until every source has
  // settled, then collects the graph. A thread in wait_for_all() spins (sched_yield) each time
  // a message wakes the graph, which in a fetch-bound run, every source unchanged, was a third
  // of the run's CPU.
  const int threads = oneapi::tbb::info::default_concurrency();
  oneapi::tbb::global_control workers(oneapi::tbb::global_control::max_allowed_parallelism,
                                      static_cast<std::size_t>(threads) + 1);
  oneapi::tbb::task_arena arena(threads + 1, 1);
  return arena.execute([&] { return run_in_arena(std::move(in)); });
}

}  // namespace rssflow
