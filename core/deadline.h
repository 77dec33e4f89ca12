// A wall-clock budget that tight loops can poll cheaply (the parse + clean time of one source).
#pragma once

#include <chrono>
#include <cstdint>

namespace rssflow {

// A deadline that is cheap to poll from tight loops: it reads the clock once every 4096
// calls of expired(). Not thread-safe; one per source being parsed.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget)
      : end_(std::chrono::steady_clock::now() + budget) {}

  bool expired() {
    if (expired_) return true;
    if ((++polls_ & 4095u) != 0) return false;
    return expired_now();
  }
  // What is left of the budget now (zero once passed): lets a later stage go on under the
  // same budget without counting the time the source spent queued in between.
  std::chrono::milliseconds remaining() const {
    const auto left = end_ - std::chrono::steady_clock::now();
    if (expired_ || left <= std::chrono::steady_clock::duration::zero()) return std::chrono::milliseconds{0};
    return std::chrono::ceil<std::chrono::milliseconds>(left);
  }
  // Reads the clock now (between phases).
  bool expired_now() {
    if (!expired_ && std::chrono::steady_clock::now() >= end_) expired_ = true;
    return expired_;
  }

 private:
  std::chrono::steady_clock::time_point end_;
  std::uint32_t polls_ = 0;
  bool expired_ = false;
};

}  // namespace rssflow
