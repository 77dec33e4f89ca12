#include "pipeline/flow_graph.h"

#include <chrono>
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

#include "pipeline/inflight_journal.h"
#include "pipeline/readiness_gate.h"
#include "pipeline/settlement.h"
#include "pipeline/signals.h"
#include "pipeline/stage_clock.h"
#include "pipeline/stage_timing.h"

namespace rssflow {
namespace {

namespace flow = oneapi::tbb::flow;

// TBB copies messages between nodes; feed bodies and article batches must not be copied, so
// the graph carries them behind a pointer. Each message has exactly one consumer at a time.
using FetchedPtr = std::shared_ptr<FetchedSource>;
using BatchPtr = std::shared_ptr<SourceBatch>;

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

// True on a thread inside the fetch node's call to the fetcher: a source the fetcher answers
// there, synchronously (a file; every source of a test's fake), hands its slot back through
// the limiter, never by a nested submit.
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

// The graph of one run: its nodes are built by the constructor (each node's body is one of the
// member functions below) and wired as pipeline/flow_graph.h draws them; run() feeds it the due
// sources and returns once every one has settled.
class SourceGraph {
 public:
  explicit SourceGraph(GraphInputs& in);
  ~SourceGraph() { keyword_build_.wait(); }  // prepare() does not throw
  SourceGraph(const SourceGraph&) = delete;
  SourceGraph& operator=(const SourceGraph&) = delete;

  GraphResult run();

 private:
  using FetchNode = flow::async_node<SourceJob, FetchedPtr>;
  // Parse sends a batch with entries on along the chain, and one without (a body without
  // entries, or one that failed to parse) straight to the load node: the stages between would
  // pass it through untouched.
  using ParseNode = flow::multifunction_node<FetchedPtr, std::tuple<BatchPtr, BatchPtr>>;
  using StageNode = flow::function_node<BatchPtr, BatchPtr>;
  using KeywordsNode = flow::multifunction_node<BatchPtr, std::tuple<BatchPtr>>;
  using LoadNode = flow::function_node<BatchPtr, flow::continue_msg>;

  SourceJob next_job(oneapi::tbb::flow_control& control);
  void submit(SourceJob job);
  void on_fetched(SourceJob job, FetchResult fetched);
  void settle_without_graph(SourceJob job, FetchResult fetched);
  void parse(const FetchedPtr& fetched, ParseNode::output_ports_type& ports);
  BatchPtr clean(const BatchPtr& batch);
  void keywords(BatchPtr batch, KeywordsNode::output_ports_type& ports);
  void start_keyword_build();

  GraphInputs& in_;
  GraphResult result_;
  SourcesSettled settled_;
  StageClock fallback_clock_;
  StageClock& clock_;
  const ParseLimits default_limits_;
  const ParseLimits& parse_limits_;
  DedupeStep dedupe_step_;
  Settlement settlement_;
  // The keyword matcher's build (its alias table and RE2 set, ~5-8 ms) starts on a worker
  // with the first body; batches that reach the keywords stage before it is done wait in the
  // gate, and their workers go on with other sources. A run without bodies never builds it.
  oneapi::tbb::task_group keyword_build_;
  std::once_flag keyword_build_started_;
  ReadinessGate<BatchPtr> keyword_gate_;

  oneapi::tbb::task_group_context context_;  // cancelled when a node throws
  flow::graph graph_;
  flow::input_node<SourceJob> input_;
  flow::limiter_node<SourceJob> limiter_;
  FetchNode fetch_;
  ParseNode parse_;
  StageNode dedupe_;
  StageNode clean_;
  KeywordsNode keywords_;
  StageNode format_;
  LoadNode load_;
};

SourceGraph::SourceGraph(GraphInputs& in)
    : in_(in),
      clock_(in.clock ? *in.clock : fallback_clock_),
      parse_limits_(in.parse_limits ? *in.parse_limits : default_limits_),
      dedupe_step_(in.stored_entries),
      settlement_(in, clock_, settled_, result_),
      graph_(context_),
      input_(graph_, [this](oneapi::tbb::flow_control& control) { return next_job(control); }),
      limiter_(graph_, in.max_sources_in_flight),
      fetch_(graph_, flow::unlimited,
             [this](const SourceJob& job, FetchNode::gateway_type&) {
               inside_fetch_node = true;
               submit(job);
               inside_fetch_node = false;
             }),
      parse_(graph_, flow::unlimited,
             [this](const FetchedPtr& fetched, ParseNode::output_ports_type& ports) { parse(fetched, ports); }),
      dedupe_(graph_, flow::serial,
              [this](const BatchPtr& batch) {
                return timed(clock_, MetricStage::dedupe, Stage::transform, batch,
                             [&](SourceBatch& b) { dedupe_step_.run(b); });
              }),
      clean_(graph_, flow::unlimited, [this](const BatchPtr& batch) { return clean(batch); }),
      keywords_(graph_, flow::unlimited,
                [this](const BatchPtr& batch, KeywordsNode::output_ports_type& ports) { keywords(batch, ports); }),
      format_(graph_, flow::unlimited,
              [this](const BatchPtr& batch) {
                return timed(clock_, MetricStage::format, Stage::transform, batch,
                             [&](SourceBatch& b) { format_source(b, in_.sink, spread_over_workers()); });
              }),
      load_(graph_, flow::serial, [this](const BatchPtr& batch) {
        settlement_.settle(*batch);
        return flow::continue_msg{};
      }) {
  flow::make_edge(input_, limiter_);
  flow::make_edge(limiter_, fetch_);
  flow::make_edge(fetch_, parse_);
  flow::make_edge(flow::output_port<0>(parse_), dedupe_);
  flow::make_edge(flow::output_port<1>(parse_), load_);
  flow::make_edge(dedupe_, clean_);
  flow::make_edge(clean_, keywords_);
  flow::make_edge(flow::output_port<0>(keywords_), format_);
  flow::make_edge(format_, load_);
  flow::make_edge(load_, limiter_.decrementer());
}

GraphResult SourceGraph::run() {
  input_.activate();
  // Asleep until settled; a node that threw (a bug: stages catch their own errors) cancels the
  // graph, and wait_for_all() then rethrows it instead of this waiting forever.
  while (!settled_.wait_for(std::chrono::milliseconds(100)) && !context_.is_group_execution_cancelled()) {
  }
  graph_.wait_for_all();
  settlement_.rethrow_escaped();
  return result_;
}

SourceJob SourceGraph::next_job(oneapi::tbb::flow_control& control) {
  std::optional<SourceJob> job = settlement_.take();
  if (!job) {
    control.stop();
    settled_.input_stopped();
    return {};
  }
  return std::move(*job);
}

void SourceGraph::submit(SourceJob job) {
  fetch_.gateway().reserve_wait();  // keeps wait_for_all() waiting until the callback is done
  FetchRequest request{job.source, job.prior_state.validators};
  if (!job.parse_unchanged_body) request.known_body_hash = job.prior_state.body_hash;
  in_.fetch(std::move(request), [this, job = std::move(job)](FetchResult fetched) mutable {
    on_fetched(std::move(job), std::move(fetched));
  });
}

// On the fetcher's thread, or inside the fetch node when the fetcher answers in submit() (a
// file source, read on the submitting worker). A source with nothing to parse is settled here
// and its slot under the limiter goes straight to the next source: in a run where most sources
// are unchanged, not modified or failing, the graph's workers stay asleep instead of waking
// (and spinning) for every batch of deliveries. A source with a body goes into the graph.
void SourceGraph::on_fetched(SourceJob job, FetchResult fetched) {
  clock_.record(MetricStage::fetch, fetched.elapsed, 1, std::holds_alternative<FetchedFeed>(fetched.outcome) ? 1 : 0);
  FetchNode::gateway_type& gateway = fetch_.gateway();
  if (context_.is_group_execution_cancelled()) {  // a bug ended the run: nothing more is settled
    gateway.release_wait();
    return;
  }
  if (has_body_to_parse(fetched)) {
    gateway.try_put(std::make_shared<FetchedSource>(FetchedSource{std::move(job), std::move(fetched)}));
  } else {
    try {
      settle_without_graph(std::move(job), std::move(fetched));
    } catch (...) {  // a bug (on_source_done threw): end the run as a node's exception would
      settlement_.escaped(std::current_exception());
      context_.cancel_group_execution();
    }
  }
  gateway.release_wait();
}

// A source with nothing to parse, settled without waiting for the sink: while the load node is
// at work its batch goes there instead, and its slot comes back through the load node. Inside
// the fetch node the slot goes back through the limiter, so that the next source is a task of
// its own, never a submit nested in this one's (a run of unchanged files would recurse).
void SourceGraph::settle_without_graph(SourceJob job, FetchResult fetched) {
  BatchPtr batch = parse_timed(FetchedSource{std::move(job), std::move(fetched)}, clock_, in_.derivation, parse_limits_);
  if (!settlement_.try_settle(*batch)) {
    load_.try_put(std::move(batch));
  } else if (inside_fetch_node) {
    limiter_.decrementer().try_put(flow::continue_msg{});
  } else if (std::optional<SourceJob> following = settlement_.take()) {
    submit(std::move(*following));
  } else {
    limiter_.decrementer().try_put(flow::continue_msg{});
  }
}

void SourceGraph::parse(const FetchedPtr& fetched, ParseNode::output_ports_type& ports) {
  start_keyword_build();
  // Only sources with a body come here (on_fetched settles the others): journalled and named
  // to the fatal-signal handler while it is parsed.
  const std::string url = fetched->job.source.url;  // outlives the scope, which refers to it
  BatchPtr batch;
  {
    const ParsingScope parsing(in_.journal, url);
    batch = parse_timed(std::move(*fetched), clock_, in_.derivation, parse_limits_);
  }
  if (batch->items > 0) {
    std::get<0>(ports).try_put(std::move(batch));
  } else {
    std::get<1>(ports).try_put(std::move(batch));
  }
}

// Cleaning reads the feed's HTML: journalled like the parse, so a crash in it is quarantined
// too; a worker that takes a piece of the source names it to the fatal-signal handler.
BatchPtr SourceGraph::clean(const BatchPtr& batch) {
  const std::string url = batch->outcome.source.url;  // outlives the scope, which refers to it
  std::optional<ParsingScope> cleaning;
  if (batch->items > 0) cleaning.emplace(in_.journal, url);
  return timed(clock_, MetricStage::clean, Stage::transform, batch,
               [&](SourceBatch& b) { clean_source(b, in_.article_options, spread_over_workers(&url)); });
}

void SourceGraph::keywords(BatchPtr batch, KeywordsNode::output_ports_type& ports) {
  if (!keyword_gate_.admit(batch)) return;  // back through this node once the matcher is built
  std::get<0>(ports).try_put(timed(clock_, MetricStage::keywords, Stage::transform, batch, [&](SourceBatch& b) {
    match_source_keywords(b, in_.keywords, spread_over_workers());
  }));
}

// The build never throws (prepare() keeps a failure for match() to report per source), so the
// gate always opens and every batch that waited goes on, each as a task of its own.
void SourceGraph::start_keyword_build() {
  std::call_once(keyword_build_started_, [this] {
    keyword_build_.run([this] {
      in_.keywords.prepare();
      for (BatchPtr& batch : keyword_gate_.open()) keywords_.try_put(std::move(batch));
    });
  });
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
  return arena.execute([&] { return SourceGraph(in).run(); });
}

}  // namespace rssflow
