// The stopping sequence of `rssflow run` after the first SIGTERM/SIGINT: log the signal, start
// no new transfer, give those in flight `grace` to finish, then abort them (`interrupted`).
// Whatever was parsed is still loaded and the state and metrics saved by the run itself; the
// second signal is handled in pipeline/signals.h (exit at once).
#pragma once

#include <chrono>
#include <thread>

#include "pipeline/log.h"
#include "sources/http_fetcher.h"

namespace rssflow {

// Watches on its own thread from construction to destruction. Destroy it before `fetcher`.
// Thread-safety: construct and destroy from one thread.
class StopWatcher {
 public:
  StopWatcher(HttpFetcher& fetcher, std::chrono::milliseconds grace, EventLog& log);
  ~StopWatcher();  // wakes the thread and joins it
  StopWatcher(const StopWatcher&) = delete;
  StopWatcher& operator=(const StopWatcher&) = delete;

 private:
  void watch();

  HttpFetcher& fetcher_;
  std::chrono::milliseconds grace_;
  EventLog& log_;
  int done_read_ = -1;
  int done_write_ = -1;
  std::thread thread_;
};

}  // namespace rssflow
