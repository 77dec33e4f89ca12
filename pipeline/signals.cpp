#include "pipeline/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "pipeline/log.h"

namespace rssflow::signals {
namespace {

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
constexpr std::size_t kLineBytes = 2048;
constexpr std::size_t kMaxUrlBytes = 1500;  // a longer URL is cut: the line must fit its slot
constexpr std::size_t kAltStackBytes = 64 * 1024;

std::atomic<bool> g_stop_requested{false};
std::atomic<int> g_stop_signal{0};
std::atomic<int> g_stop_count{0};
std::atomic<int> g_wakeup_read{-1};
std::atomic<int> g_wakeup_write{-1};
std::atomic<int> g_journal_fd{-1};
std::atomic<LogFormat> g_format{LogFormat::logfmt};

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

// One preformatted line per fatal signal, written by the handler as is.
struct Line {
  std::size_t length = 0;
  char text[kLineBytes] = {};
};
Line g_fatal_lines[std::size(kFatalSignals)];

// A source being parsed: free (0), being filled (1) or ready to print (2). `line` names it as
// parsed by another thread, `faulting_line` as parsed by the thread the signal hit, and
// `journal_line` ("C <url>") tells the in-flight journal which source that was.
struct Slot {
  std::atomic<int> state{0};
  Line line;
  Line faulting_line;
  Line journal_line;
};
Slot g_slots[ParsingMark::kMaxMarks];

// The slot of the parse running on this thread, or -1. Constant-initialised, so the fatal
// handler may read it (no lazy TLS initialisation inside a signal handler).
constinit thread_local int t_current_slot = -1;

void copy_line(Line& line, const std::string& text) {
  line.length = std::min(text.size(), kLineBytes - 1);
  std::memcpy(line.text, text.data(), line.length);
  line.text[line.length] = '\n';
  ++line.length;
}

void write_all(int fd, const char* data, std::size_t length) {
  while (length > 0) {
    const ssize_t n = ::write(fd, data, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    length -= static_cast<std::size_t>(n);
  }
}

void write_text(int fd, const char* text) { write_all(fd, text, std::strlen(text)); }

void reraise_with_default_action(int signal_number) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(signal_number, &action, nullptr);
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, signal_number);
  pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
  raise(signal_number);
}

extern "C" void on_stop_signal(int signal_number) {
  const int saved_errno = errno;
  if (g_stop_count.fetch_add(1) == 0) {
    g_stop_signal.store(signal_number);
    g_stop_requested.store(true);
    const int fd = g_wakeup_write.load();
    if (fd >= 0) write_all(fd, "x", 1);
    errno = saved_errno;
    return;
  }
  write_text(STDERR_FILENO, "rssflow: second ");
  write_text(STDERR_FILENO, signal_name(signal_number));
  write_text(STDERR_FILENO, ": exiting at once; nothing more is committed\n");
  // The sources being parsed now were interrupted, not crashing: the next run must not
  // quarantine them.
  if (const int journal = g_journal_fd.load(); journal >= 0) write_all(journal, "X\n", 2);
  reraise_with_default_action(signal_number);
}

// SIGSEGV, SIGBUS, SIGFPE, SIGILL and abort()'s SIGABRT are delivered to the thread that
// caused them, so t_current_slot names the source whose parse faulted: the journal records it
// as the culprit and the next run quarantines it alone, not the innocent sources that happened
// to be parsed on other threads at the time.
extern "C" void on_fatal_signal(int signal_number) {
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    if (kFatalSignals[i] == signal_number) write_all(STDERR_FILENO, g_fatal_lines[i].text, g_fatal_lines[i].length);
  }
  const int faulting = t_current_slot;
  if (faulting >= 0 && g_slots[faulting].state.load() == 2) {
    const Slot& slot = g_slots[faulting];
    if (const int journal = g_journal_fd.load(); journal >= 0) {
      write_all(journal, slot.journal_line.text, slot.journal_line.length);
    }
  }
  for (int i = 0; i < ParsingMark::kMaxMarks; ++i) {
    const Slot& slot = g_slots[i];
    if (slot.state.load() != 2) continue;
    const Line& line = i == faulting ? slot.faulting_line : slot.line;
    write_all(STDERR_FILENO, line.text, line.length);
  }
  reraise_with_default_action(signal_number);
}

// The calling thread's alternate signal stack, so that the fatal handler can run after a
// stack overflow. Disabled before its memory is freed when the thread ends.
struct AlternateStack {
  std::unique_ptr<char[]> memory;
  AlternateStack() : memory(new char[kAltStackBytes]) {
    stack_t stack{};
    stack.ss_sp = memory.get();
    stack.ss_size = kAltStackBytes;
    if (sigaltstack(&stack, nullptr) != 0) memory.reset();
  }
  ~AlternateStack() {
    if (!memory) return;
    stack_t disable{};
    disable.ss_flags = SS_DISABLE;
    sigaltstack(&disable, nullptr);
  }
};

void ensure_alternate_stack() { thread_local AlternateStack stack; }

}  // namespace

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    default: return "signal";
  }
}

void install_stop_handlers() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create the signal pipe");
  g_wakeup_read.store(fds[0]);
  g_wakeup_write.store(fds[1]);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
}

const std::atomic<bool>& stop_requested() { return g_stop_requested; }

int stop_signal_number() { return g_stop_signal.load(); }

int stop_wakeup_fd() { return g_wakeup_read.load(); }

void set_journal_fd(int fd) { g_journal_fd.store(fd); }

void install_fatal_handlers(LogFormat format) {
  g_format.store(format);
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    copy_line(g_fatal_lines[i],
              format_event(format, LogLevel::error, "fatal_signal",
                           {{"signal", signal_name(kFatalSignals[i])},
                            {"message", "rssflow is dying; the sources named next were being parsed and the next "
                                        "run quarantines them (crashed_previous_run)"}}));
  }
  ensure_alternate_stack();
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
  for (const int signal_number : kFatalSignals) sigaction(signal_number, &action, nullptr);
}

ParsingMark::ParsingMark(std::string_view url, std::string_view culprit_entry) {
  ensure_alternate_stack();
  for (int i = 0; i < kMaxMarks; ++i) {
    int expected = 0;
    if (!g_slots[i].state.compare_exchange_strong(expected, 1)) continue;
    try {
      const std::string shown(url.substr(0, kMaxUrlBytes));
      Slot& slot = g_slots[i];
      copy_line(slot.line, format_event(g_format.load(), LogLevel::error, "fatal_signal_while_parsing",
                                        {{"feed", shown}, {"thread", "other"}}));
      copy_line(slot.faulting_line, format_event(g_format.load(), LogLevel::error, "fatal_signal_while_parsing",
                                                 {{"feed", shown}, {"thread", "faulting"}}));
      copy_line(slot.journal_line, std::string(culprit_entry));
      slot.state.store(2);
      slot_ = i;
      previous_slot_ = t_current_slot;
      t_current_slot = i;
    } catch (...) {
      g_slots[i].state.store(0);  // out of memory: the source is still journalled, just not named
    }
    return;
  }
}

ParsingMark::~ParsingMark() {
  if (slot_ < 0) return;
  t_current_slot = previous_slot_;
  g_slots[slot_].state.store(0);
}

}  // namespace rssflow::signals
