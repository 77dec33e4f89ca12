// Admission control for HttpFetcher: which queued transfer may start next, given a global
// limit on transfers in flight and a per-host limit. Hosts take turns (round robin), so one
// host with a thousand queued feeds, or one slow host holding its slots, never delays
// the others. Header-only because it is a template over the job type.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <iterator>
#include <utility>
#include <vector>

namespace rssflow {

// Thread-safety: none; HttpFetcher uses it only from its worker thread.
// Contract: every job returned by next() must be matched by exactly one finished(host).
template <class Job>
class HostScheduler {
 public:
  HostScheduler(int max_in_flight, int max_per_host)
      : max_in_flight_(max_in_flight < 1 ? 1 : max_in_flight),
        max_per_host_(max_per_host < 1 ? 1 : max_per_host) {}

  // Queues a job for `host` (any stable key, e.g. "example.com:443").
  void enqueue(const std::string& host, Job job) {
    HostQueue& queue = hosts_[host];
    queue.waiting.push_back(std::move(job));
    ++waiting_;
    mark_runnable(host, queue);
  }

  // The next job allowed to start, with its host, or nothing when the limits are reached or
  // no host with spare capacity has work. Counts the job as in flight.
  std::optional<std::pair<std::string, Job>> next() {
    while (in_flight_ < max_in_flight_ && !runnable_.empty()) {
      std::string host = std::move(runnable_.front());
      runnable_.pop_front();
      HostQueue& queue = hosts_[host];
      queue.runnable = false;
      if (queue.waiting.empty() || queue.in_flight >= max_per_host_) continue;
      Job job = std::move(queue.waiting.front());
      queue.waiting.pop_front();
      --waiting_;
      ++queue.in_flight;
      ++in_flight_;
      mark_runnable(host, queue);  // back of the line: round robin between hosts
      return std::make_pair(std::move(host), std::move(job));
    }
    return std::nullopt;
  }

  // A job for `host` that next() returned has finished (successfully or not).
  void finished(const std::string& host) {
    auto it = hosts_.find(host);
    if (it == hosts_.end()) return;
    HostQueue& queue = it->second;
    if (queue.in_flight > 0) --queue.in_flight;
    if (in_flight_ > 0) --in_flight_;
    if (queue.in_flight == 0 && queue.waiting.empty()) {
      hosts_.erase(it);  // keeps the map small over a long run
      return;
    }
    mark_runnable(host, queue);
  }

  // Removes and returns every job still waiting, oldest first per host (stopping a run).
  // Jobs in flight stay counted until finished().
  std::vector<Job> take_waiting() {
    std::vector<Job> jobs;
    jobs.reserve(waiting_);
    for (auto it = hosts_.begin(); it != hosts_.end();) {
      HostQueue& queue = it->second;
      for (Job& job : queue.waiting) jobs.push_back(std::move(job));
      queue.waiting.clear();
      queue.runnable = false;
      it = queue.in_flight == 0 ? hosts_.erase(it) : std::next(it);
    }
    runnable_.clear();
    waiting_ = 0;
    return jobs;
  }

  int in_flight() const { return in_flight_; }
  std::size_t waiting() const { return waiting_; }

 private:
  struct HostQueue {
    std::deque<Job> waiting;
    int in_flight = 0;
    bool runnable = false;  // present in runnable_
  };

  void mark_runnable(const std::string& host, HostQueue& queue) {
    if (!queue.runnable && !queue.waiting.empty() && queue.in_flight < max_per_host_) {
      queue.runnable = true;
      runnable_.push_back(host);
    }
  }

  int max_in_flight_;
  int max_per_host_;
  int in_flight_ = 0;
  std::size_t waiting_ = 0;
  std::unordered_map<std::string, HostQueue> hosts_;
  std::deque<std::string> runnable_;  // hosts with waiting jobs and spare capacity, in turn order
};

}  // namespace rssflow
