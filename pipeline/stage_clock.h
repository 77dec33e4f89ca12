// Per-stage durations, item counts and in-flight depth, updated concurrently from flow-graph
// nodes (the timing wrapper of pipeline/stage_timing.h) and read once the graph has finished.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "sinks/prometheus_metrics.h"

namespace rssflow {

// Thread-safe. Records are per source batch (not per entry), so a mutex per stage costs
// nothing measurable next to the work of a stage.
class StageClock {
 public:
  // One run of `stage` over one batch: how long it took, the items it received and emitted.
  void record(MetricStage stage, std::chrono::microseconds elapsed, std::uint64_t received, std::uint64_t emitted);
  void enter();  // a source entered the graph
  void leave();  // a source left it

  // Call after the graph has finished.
  const DurationHistogram& histogram(MetricStage stage) const { return series(stage).histogram; }
  std::uint64_t received(MetricStage stage) const { return series(stage).received; }
  std::uint64_t emitted(MetricStage stage) const { return series(stage).emitted; }
  std::int64_t max_in_flight() const { return max_in_flight_.load(); }

 private:
  struct Series {
    std::mutex mutex;
    DurationHistogram histogram;
    std::uint64_t received = 0;
    std::uint64_t emitted = 0;
  };
  const Series& series(MetricStage stage) const { return stages_[static_cast<std::size_t>(stage)]; }
  std::array<Series, kMetricStageCount> stages_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> max_in_flight_{0};
};

}  // namespace rssflow
