// Settling sources, shared by the flow graph's load node and the fetcher's thread
// (pipeline/flow_graph.cpp). Internal to pipeline/.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>

#include "pipeline/flow_graph.h"
#include "pipeline/stage_clock.h"
#include "pipeline/stages.h"

namespace rssflow {

// Every source the input node emitted has been through the load node, and the input node
// has stopped: what the calling thread waits for, asleep (see run_flow_graph).
class SourcesSettled {
 public:
  void emitted() { change([&] { ++emitted_; }); }
  void done() { change([&] { ++done_; }); }
  void input_stopped() { change([&] { input_stopped_ = true; }); }
  // True when settled; false after `timeout` without.
  bool wait_for(std::chrono::milliseconds timeout);

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
  std::optional<SourceJob> take();

  // Settles the batch, waiting for another source's settling to end (the load node).
  void settle(SourceBatch& batch);

  // Settles the batch unless another source is settling (the load node may be waiting on the
  // sink): false then, and the batch is untouched. For the fetcher's thread, which never waits.
  bool try_settle(SourceBatch& batch);

  // An exception from on_source_done on the fetcher's thread (a bug): kept for rethrow.
  void escaped(std::exception_ptr error);
  void rethrow_escaped();

 private:
  void settle_locked(SourceBatch& batch);

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

}  // namespace rssflow
