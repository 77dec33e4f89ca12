#include "pipeline/flow_graph.h"

#include <memory>
#include <utility>

#include <oneapi/tbb/flow_graph.h>

#include "pipeline/stage_clock.h"

namespace rssflow {
namespace {

namespace flow = oneapi::tbb::flow;

// TBB copies messages between nodes; feed bodies and article batches must not be copied, so
// the graph carries them behind a pointer. Each message has exactly one consumer at a time.
using FetchedPtr = std::shared_ptr<FetchedSource>;
using BatchPtr = std::shared_ptr<SourceBatch>;

std::chrono::microseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace

GraphResult run_flow_graph(GraphInputs in) {
  GraphResult result;
  StageClock fallback_clock;
  StageClock& clock = in.clock ? *in.clock : fallback_clock;
  std::atomic<bool> sink_failed{false};
  std::size_t next = 0;

  flow::graph g;

  flow::input_node<SourceJob> input(g, [&](oneapi::tbb::flow_control& control) -> SourceJob {
    if (next >= in.jobs.size() || in.stop_requested.load() || sink_failed.load()) {
      control.stop();
      return {};
    }
    clock.enter();
    return std::move(in.jobs[next++]);
  });

  flow::limiter_node<SourceJob> limiter(g, in.max_sources_in_flight);

  using FetchNode = flow::async_node<SourceJob, FetchedPtr>;
  FetchNode fetch(g, flow::unlimited, [&](const SourceJob& job, FetchNode::gateway_type& gateway) {
    gateway.reserve_wait();  // keeps wait_for_all() waiting until the callback has put
    FetchRequest request{job.source, job.prior_state.validators};
    in.fetcher.submit(std::move(request), [&gateway, job](FetchResult fetched) mutable {
      gateway.try_put(std::make_shared<FetchedSource>(FetchedSource{std::move(job), std::move(fetched)}));
      gateway.release_wait();
    });
  });

  flow::function_node<FetchedPtr, BatchPtr> parse(g, flow::unlimited, [&](const FetchedPtr& fetched) {
    clock.observe(MetricStage::fetch, fetched->result.elapsed);
    auto batch = std::make_shared<SourceBatch>(parse_and_build(std::move(*fetched), in.keywords, in.article_options));
    if (batch->outcome.entries > 0 || batch->parse_time.count() > 0) clock.observe(MetricStage::parse, batch->parse_time);
    if (!batch->articles.empty()) clock.observe(MetricStage::format, batch->format_time);
    return batch;
  });

  flow::function_node<BatchPtr, flow::continue_msg> load(g, flow::serial, [&](const BatchPtr& batch) {
    const auto start = std::chrono::steady_clock::now();
    if (!sink_failed.load()) {
      try {
        in.load.consume(*batch);
      } catch (const std::exception& e) {
        // The sink refused or lost its connection: stop feeding sources, report, exit 3.
        sink_failed.store(true);
        result.fatal_error = e.what();
      }
    }
    clock.observe(MetricStage::load, since(start));
    clock.leave();
    in.on_source_done(batch->index, std::move(batch->outcome));
    return flow::continue_msg{};
  });

  flow::make_edge(input, limiter);
  flow::make_edge(limiter, fetch);
  flow::make_edge(fetch, parse);
  flow::make_edge(parse, load);
  flow::make_edge(load, limiter.decrementer());

  input.activate();
  g.wait_for_all();
  return result;
}

}  // namespace rssflow
