// What a run tells the log while it works and when it ends: progress (a line on a terminal,
// a `progress` event every --progress-interval otherwise) and the `run_finished` event.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "pipeline/log.h"
#include "pipeline/run_summary.h"

namespace rssflow {

// Thread-safety: source_done() from any thread; the rest from the thread that made it.
class ProgressReporter {
 public:
  // terminal: redraw one line on stderr after each source (a person is watching). Otherwise
  // a `progress` event (done, total, ok, failed, elapsed and remaining seconds) every
  // `interval`, when interval > 0. Nothing at all when quiet.
  ProgressReporter(EventLog& log, bool terminal, bool quiet, std::chrono::milliseconds interval, std::size_t total);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  void source_done(bool failed);
  // Stops the periodic events and clears the terminal line; idempotent.
  void finish();

 private:
  struct Counts {
    std::size_t done, ok, failed;
    double elapsed_seconds;
    double remaining_seconds;  // < 0: unknown
  };
  Counts snapshot() const;
  void emit_event();
  void draw_line();

  EventLog& log_;
  bool terminal_;
  bool quiet_;
  std::chrono::milliseconds interval_;
  std::size_t total_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<std::size_t> done_{0};
  std::atomic<std::size_t> failed_{0};
  std::mutex mutex_;  // guards stopping_ and the terminal line
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread ticker_;
};

// "ok" (exit 0), "partial" (1: some sources failed or were skipped), "interrupted" (1 after a
// signal) or "failed" (3).
const char* run_status_word(const RunTotals& totals);

// The last event of every run that got past its configuration: status, exit code, counts,
// the sink's own load counts (inserted/updated/unchanged or written/unchanged) and duration.
// Logged at info for exit 0, warn for 1, error otherwise, so --quiet still shows a bad run.
void emit_run_finished(EventLog& log, const RunTotals& totals, const std::string& run_id);

}  // namespace rssflow
