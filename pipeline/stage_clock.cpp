#include "pipeline/stage_clock.h"

namespace rssflow {

void StageClock::record(MetricStage stage, std::chrono::microseconds elapsed, std::uint64_t received,
                        std::uint64_t emitted) {
  Series& s = stages_[static_cast<std::size_t>(stage)];
  std::lock_guard lock(s.mutex);
  s.histogram.observe(static_cast<double>(elapsed.count()) / 1e6);
  s.received += received;
  s.emitted += emitted;
}

void StageClock::enter() {
  const auto now = in_flight_.fetch_add(1, std::memory_order_relaxed) + 1;
  auto seen = max_in_flight_.load(std::memory_order_relaxed);
  while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

void StageClock::leave() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

}  // namespace rssflow
