#include "pipeline/settlement.h"

#include <utility>

#include "pipeline/stage_timing.h"

namespace rssflow {

bool SourcesSettled::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return settled_.wait_for(lock, timeout, [&] { return input_stopped_ && done_ == emitted_; });
}

std::optional<SourceJob> Settlement::take() {
  std::lock_guard lock(cursor_mutex_);
  if (next_ >= in_.jobs.size() || in_.stop_requested.load() || sink_failed_.load()) return std::nullopt;
  settled_.emitted();
  clock_.enter();
  return std::move(in_.jobs[next_++]);
}

void Settlement::settle(SourceBatch& batch) {
  std::lock_guard lock(settle_mutex_);
  settle_locked(batch);
}

bool Settlement::try_settle(SourceBatch& batch) {
  std::unique_lock lock(settle_mutex_, std::try_to_lock);
  if (!lock) return false;
  settle_locked(batch);
  return true;
}

void Settlement::escaped(std::exception_ptr error) {
  std::lock_guard lock(settle_mutex_);
  if (!escaped_) escaped_ = std::move(error);
}

void Settlement::rethrow_escaped() {
  std::lock_guard lock(settle_mutex_);
  if (escaped_) std::rethrow_exception(escaped_);
}

void Settlement::settle_locked(SourceBatch& batch) {
  if (!sink_failed_.load()) {
    try {
      if (batch.items > 0) {
        timed_stage(clock_, MetricStage::load, Stage::load, batch, [&](SourceBatch& b) { load_step_.consume(b); });
      } else {
        load_step_.consume(batch);  // no rows, but the source's fetch state goes to the sink
      }
    } catch (const std::exception& e) {
      // The sink refused or lost its connection: stop feeding sources, report, exit 3.
      sink_failed_.store(true);
      result_.fatal_error = e.what();
    }
  }
  clock_.leave();
  in_.on_source_done(batch.index, std::move(batch.outcome));
  settled_.done();
}

}  // namespace rssflow
