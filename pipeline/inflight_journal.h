// Which sources are being parsed, written down so that the next run knows which one was in
// flight when the process died (SIGSEGV, abort, OOM kill) and can quarantine it instead of
// dying on it again.
//
// The journal is one small append-only text file next to the run lock (so exactly one run
// writes it at a time): "S <url>" when a source's parse starts, "D <url>" when it ends, "X"
// when a second SIGTERM/SIGINT abandons the run (what was open then is not a crash), and
// "C <url>" when a fatal signal hits the thread parsing that source (the culprit: the sources
// other threads were parsing at that moment are innocent). Without a culprit (SIGKILL, the OOM
// killer, a crash outside any parse) every open source is a suspect. Each
// line is one write(2) on an O_APPEND descriptor, so concurrent parsers never interleave and a
// killed process (SIGSEGV, SIGKILL, the OOM killer) loses nothing it wrote: the kernel holds
// the bytes. fdatasync would add survival of a machine crash, which no feed causes, for about
// 1-2 ms per source on ext4 (write(2) alone: ~10-25 us), so it is off by default (`sync`).
// The file is emptied once the suspects of the last run are recorded in the fetch state, and
// at the end of every run that did not die.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/signals.h"

namespace rssflow {

class InflightJournal {
 public:
  struct Options {
    bool sync = false;  // fdatasync after each start entry (see above)
    // Test hook (RSSFLOW_TEST_CRASH_WHILE_PARSING): a source whose URL contains this text
    // raises SIGSEGV right after its start entry, exercising the crash path for real.
    std::string crash_while_parsing;
  };

  // The journal for a run holding the lock `lock_path`: "<lock_path>.inflight".
  static std::filesystem::path path_for_lock(const std::filesystem::path& lock_path);

  // The sources an earlier run's death is blamed on, in journal order, each once: the culprits
  // it recorded that were still open, or, when it recorded none, every source it started and
  // never finished (and did not abandon). A missing file has none. Throws std::runtime_error
  // naming the file when it exists but cannot be read.
  static std::vector<std::string> suspects(const std::filesystem::path& path);

  // The journal line (without its line break) of `kind` ('S', 'D' or 'C') for `url`.
  static std::string entry(char kind, std::string_view url);

  // Opens (creating, 0600, never through a symlink) the journal for appending and registers
  // its descriptor with the second-signal handler. Throws std::runtime_error naming the file.
  InflightJournal(std::filesystem::path path, Options options);
  ~InflightJournal();
  InflightJournal(const InflightJournal&) = delete;
  InflightJournal& operator=(const InflightJournal&) = delete;

  // Empties the file. Call only when no parse is running.
  void clear();

  // Thread-safe. Failures to write are ignored: the journal protects later runs, it must not
  // fail this one.
  void started(std::string_view url);
  void finished(std::string_view url);

  const Options& options() const { return options_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void append(char kind, std::string_view url, bool sync) const;

  std::filesystem::path path_;
  Options options_;
  int fd_ = -1;
};

// One source's parse, from construction to destruction: journalled (start/done) and named
// by the fatal-signal handler meanwhile. `journal` may be null (then only named).
class ParsingScope {
 public:
  ParsingScope(InflightJournal* journal, const std::string& url);
  ~ParsingScope();
  ParsingScope(const ParsingScope&) = delete;
  ParsingScope& operator=(const ParsingScope&) = delete;

 private:
  InflightJournal* journal_;
  const std::string& url_;
  signals::ParsingMark mark_;
};

}  // namespace rssflow
