// The flow graph's one timing wrapper (pipeline/flow_graph.cpp, pipeline/settlement.cpp).
// Internal to pipeline/.
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <utility>

#include "core/heap_pages.h"
#include "pipeline/stage_clock.h"
#include "pipeline/stages.h"

namespace rssflow {

// Runs a stage on a batch, records its duration and the items it received and emitted, and
// turns an exception (a bug) into the source's failure. A stage with nothing to do for this
// batch (an empty or failed source) records nothing. The thread running a stage gets huge
// pages for its malloc heap first (core/heap_pages.h; once per thread): the stages allocate
// there, and most of a run's page faults were theirs. (Not a TBB task_scheduler_observer: its
// registration outlived the arena and leaked.)
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
const std::shared_ptr<SourceBatch>& timed(StageClock& clock, MetricStage stage, Stage error_stage,
                                          const std::shared_ptr<SourceBatch>& batch, Work&& work) {
  timed_stage(clock, stage, error_stage, *batch, std::forward<Work>(work));
  return batch;
}

}  // namespace rssflow
