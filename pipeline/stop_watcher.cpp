#include "pipeline/stop_watcher.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "pipeline/signals.h"

namespace rssflow {
namespace {

// Waits until one of `fds` is readable or `timeout_ms` passes (-1: no limit); returns the
// index of a readable one, or -1 on timeout.
int wait_readable(std::initializer_list<int> fds, int timeout_ms) {
  pollfd polled[2] = {};
  nfds_t count = 0;
  for (const int fd : fds) polled[count++] = pollfd{fd, POLLIN, 0};
  for (;;) {
    const int rc = ::poll(polled, count, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;  // timeout_ms restarts: only ever later, never early
    if (rc <= 0) return -1;
    for (nfds_t i = 0; i < count; ++i) {
      if (polled[i].revents != 0) return static_cast<int>(i);
    }
  }
}

}  // namespace

StopWatcher::StopWatcher(HttpFetcher& fetcher, std::chrono::milliseconds grace, EventLog& log)
    : fetcher_(fetcher), grace_(grace), log_(log) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("cannot create the stop watcher's pipe");
  done_read_ = fds[0];
  done_write_ = fds[1];
  thread_ = std::thread([this] { watch(); });
}

StopWatcher::~StopWatcher() {
  [[maybe_unused]] const ssize_t n = ::write(done_write_, "x", 1);
  thread_.join();
  ::close(done_read_);
  ::close(done_write_);
}

void StopWatcher::watch() {
  const int stop_fd = signals::stop_wakeup_fd();
  if (stop_fd < 0 || wait_readable({done_read_, stop_fd}, -1) != 1) return;  // the run ended first
  char grace_seconds[32];
  std::snprintf(grace_seconds, sizeof grace_seconds, "%g", std::chrono::duration<double>(grace_).count());
  log_.emit(LogLevel::warn, "run_stop_requested",
            {{"signal", signals::signal_name(signals::stop_signal_number())},
             {"grace_seconds", grace_seconds},
             {"message", "starting no new source; transfers still running after the grace period are aborted"}});
  fetcher_.stop_starting();
  if (wait_readable({done_read_}, static_cast<int>(grace_.count())) == 0) return;
  log_.emit(LogLevel::warn, "run_stop_grace_expired", {{"message", "aborting the transfers still running"}});
  fetcher_.abort_in_flight();
}

}  // namespace rssflow
