// Holds work that arrives before something it needs is ready, instead of holding a thread
// asleep for it. The flow graph puts one in front of the keywords stage: the keyword matcher
// is built on a worker while the first sources are parsed, and a batch that reaches the stage
// before the build is done waits here while its worker goes on with other sources (with
// std::call_once inside match(), the worker slept up to ~10 ms at the start of every run).
#pragma once

#include <mutex>
#include <utility>
#include <vector>

namespace rssflow {

template <typename Item>
class ReadinessGate {
 public:
  // True: the gate is open, go on with `item`. False: `item` was moved into the gate and comes
  // back from open().
  bool admit(Item& item) {
    std::lock_guard lock(mutex_);
    if (open_) return true;
    waiting_.push_back(std::move(item));
    return false;
  }

  // Opens the gate for good and returns what waited, in arrival order; a later call returns
  // nothing. Nothing is admitted into the gate after this returns, so every item comes back
  // exactly once.
  std::vector<Item> open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    return std::exchange(waiting_, {});
  }

 private:
  std::mutex mutex_;
  bool open_ = false;
  std::vector<Item> waiting_;
};

}  // namespace rssflow
