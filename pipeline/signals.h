// Signals of `rssflow run`. Every handler is async-signal-safe: it touches only lock-free
// atomics and preformatted buffers, and calls only write(2), sigaction and raise.
//
//  - SIGTERM/SIGINT, the first: sets the stop flag and makes stop_wakeup_fd() readable, so
//    the run's StopWatcher (pipeline/stop_watcher.h) can start the stopping sequence.
//  - SIGTERM/SIGINT, the second: writes one line to stderr, marks the in-flight journal as
//    abandoned (its open entries are not crashes) and re-raises the signal with the default
//    action: the process ends at once; an open database transaction is simply not committed.
//  - SIGSEGV/SIGBUS/SIGABRT/SIGFPE/SIGILL: writes one line naming the signal and one per
//    source being parsed (ParsingMark, thread=faulting for the one whose parse raised the
//    signal, which the in-flight journal also records as the culprit), on an alternate stack so that a stack overflow is
//    reported too, then re-raises with the default action (core dump as configured). The lines
//    are formatted ahead (ts: when the run, or that parse, started): the handler formats nothing.
#pragma once

#include <atomic>
#include <string_view>

#include "pipeline/run_config.h"

namespace rssflow::signals {

// Installs the SIGTERM/SIGINT handlers and ignores SIGPIPE. Call once from main() before any
// thread starts. Throws std::runtime_error when the self-pipe cannot be created.
void install_stop_handlers();

// True from the first SIGTERM/SIGINT on.
const std::atomic<bool>& stop_requested();

// The first stop signal's number, 0 before it arrives.
int stop_signal_number();

// A descriptor that becomes readable when the first stop signal arrives (and stays readable).
int stop_wakeup_fd();

// Installs the fatal-signal handlers; their lines follow `format`. Call once per run.
void install_fatal_handlers(LogFormat format);

// The descriptor of the in-flight journal (O_APPEND), or -1: where a second stop signal
// writes the "abandoned" marker.
void set_journal_fd(int fd);

// "SIGTERM" for SIGTERM; "signal N" for an unnamed one (static storage).
const char* signal_name(int signal_number);

// Makes `url` visible to the fatal-signal handler while this object lives. Thread-safe; at
// most kMaxMarks sources at once are named (parsing runs on a few threads), more are not
// named but still journalled. Also gives the calling thread an alternate signal stack.
class ParsingMark {
 public:
  static constexpr int kMaxMarks = 256;
  // `culprit_entry` is the in-flight journal's line (without its line break) that the fatal
  // handler appends when this thread is the one that faulted.
  ParsingMark(std::string_view url, std::string_view culprit_entry);
  ~ParsingMark();
  ParsingMark(const ParsingMark&) = delete;
  ParsingMark& operator=(const ParsingMark&) = delete;

 private:
  int slot_ = -1;
  int previous_slot_ = -1;
};

}  // namespace rssflow::signals
