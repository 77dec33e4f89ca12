#include "pipeline/run_events.h"

#include <cstdio>

namespace rssflow {

ProgressReporter::ProgressReporter(EventLog& log, bool terminal, bool quiet, std::chrono::milliseconds interval,
                                   std::size_t total)
    : log_(log), terminal_(terminal), quiet_(quiet), interval_(interval), total_(total) {
  if (quiet_ || terminal_ || interval_.count() <= 0) return;
  ticker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    // A periodic timer, not synchronisation: each wait ends at the interval or at finish().
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      emit_event();
      lock.lock();
    }
  });
}

ProgressReporter::~ProgressReporter() { finish(); }

ProgressReporter::Counts ProgressReporter::snapshot() const {
  Counts c;
  c.done = done_.load();
  c.failed = failed_.load();
  c.ok = c.done - c.failed;
  c.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  c.remaining_seconds = c.done == 0 ? -1.0 : c.elapsed_seconds / static_cast<double>(c.done) * static_cast<double>(total_ - c.done);
  return c;
}

void ProgressReporter::emit_event() {
  const Counts c = snapshot();
  if (c.remaining_seconds >= 0) {
    log_.emit(LogLevel::info, "progress",
              {{"done", c.done}, {"total", total_}, {"ok", c.ok}, {"failed", c.failed},
               {"elapsed_seconds", c.elapsed_seconds}, {"remaining_seconds", c.remaining_seconds}});
  } else {
    log_.emit(LogLevel::info, "progress",
              {{"done", c.done}, {"total", total_}, {"ok", c.ok}, {"failed", c.failed},
               {"elapsed_seconds", c.elapsed_seconds}});
  }
}

void ProgressReporter::draw_line() {
  const Counts c = snapshot();
  char left[48] = "";
  if (c.remaining_seconds >= 0 && c.done < total_) {
    const long seconds = static_cast<long>(c.remaining_seconds + 0.5);
    if (seconds >= 60) {
      std::snprintf(left, sizeof left, ", about %ld min %02ld s left", seconds / 60, seconds % 60);
    } else {
      std::snprintf(left, sizeof left, ", about %ld s left", seconds);
    }
  }
  std::fprintf(stderr, "\r\033[K  %zu/%zu sources (%zu ok, %zu failed)%s", c.done, total_, c.ok, c.failed, left);
  std::fflush(stderr);
}

void ProgressReporter::source_done(bool failed) {
  if (failed) failed_.fetch_add(1);
  done_.fetch_add(1);
  if (terminal_ && !quiet_) {
    std::lock_guard lock(mutex_);
    if (!stopping_) draw_line();
  }
}

void ProgressReporter::finish() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    if (terminal_ && !quiet_) std::fputs("\r\033[K", stderr);
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

const char* run_status_word(const RunTotals& totals) {
  if (totals.exit_status == 3 || totals.fatal_error) return "failed";
  if (totals.interrupted) return "interrupted";
  if (totals.exit_status == 1) return "partial";
  return totals.exit_status == 0 ? "ok" : "failed";
}

void emit_run_finished(EventLog& log, const RunTotals& t, const std::string& run_id) {
  const LogLevel level = t.exit_status == 0 ? LogLevel::info : t.exit_status == 1 ? LogLevel::warn : LogLevel::error;
  const double seconds = t.elapsed.count();
  if (t.sink_is_postgres) {
    log.emit(level, "run_finished",
             {{"run_id", run_id}, {"status", run_status_word(t)}, {"exit_code", t.exit_status}, {"sources", t.sources},
              {"ok", t.ok}, {"not_modified", t.not_modified}, {"failed", t.failed}, {"skipped", t.skipped},
              {"entries", t.entries}, {"duplicates", t.duplicates}, {"records", t.records},
              {"inserted", t.load.inserted}, {"updated", t.load.updated}, {"unchanged", t.load.unchanged},
              {"bytes", t.bytes}, {"duration_seconds", seconds}});
  } else {
    log.emit(level, "run_finished",
             {{"run_id", run_id}, {"status", run_status_word(t)}, {"exit_code", t.exit_status}, {"sources", t.sources},
              {"ok", t.ok}, {"not_modified", t.not_modified}, {"failed", t.failed}, {"skipped", t.skipped},
              {"entries", t.entries}, {"duplicates", t.duplicates}, {"records", t.records}, {"written", t.load.written},
              {"unchanged", t.load.unchanged}, {"bytes", t.bytes}, {"duration_seconds", seconds}});
  }
}

}  // namespace rssflow
