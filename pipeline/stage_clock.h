// Per-stage durations and in-flight depth, updated concurrently from flow-graph nodes and read
// once the graph has finished.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "sinks/prometheus_metrics.h"

namespace rssflow {

// Thread-safe. Observations are per source (not per entry), so a mutex per stage costs
// nothing measurable next to parsing a feed.
class StageClock {
 public:
  void observe(MetricStage stage, std::chrono::microseconds elapsed);
  void enter();  // a source entered the graph
  void leave();  // a source left it

  // Call after the graph has finished.
  const DurationHistogram& histogram(MetricStage stage) const { return stages_[static_cast<std::size_t>(stage)].histogram; }
  std::int64_t max_in_flight() const { return max_in_flight_.load(); }

 private:
  struct Series {
    std::mutex mutex;
    DurationHistogram histogram;
  };
  std::array<Series, kMetricStageCount> stages_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> max_in_flight_{0};
};

}  // namespace rssflow
