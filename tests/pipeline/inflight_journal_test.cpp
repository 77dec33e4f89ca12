// The in-flight journal (pipeline/inflight_journal.h): which sources an earlier run's death is
// blamed on, from hand-written journals and from a real SIGSEGV in a forked child that was
// parsing two sources on two threads.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/inflight_journal.h"
#include "pipeline/signals.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;
using Urls = std::vector<std::string>;

Urls suspects_of(const std::string& journal) {
  TempDir dir;
  write_file(dir.file("lock.inflight"), journal);
  return InflightJournal::suspects(dir.file("lock.inflight"));
}

TEST(InflightJournal, WithoutACulpritEveryOpenSourceIsASuspectOnceInJournalOrder) {
  EXPECT_EQ(suspects_of("S b\nS a\nS c\nD c\nS b\n"), (Urls{"b", "a"}));
  EXPECT_EQ(suspects_of(""), Urls{});
}

TEST(InflightJournal, ACulpritClearsTheSourcesOtherThreadsWereParsing) {
  EXPECT_EQ(suspects_of("S a\nS b\nS c\nD a\nC b\n"), (Urls{"b"}));
}

TEST(InflightJournal, ACulpritThatNamesNothingOpenLeavesEveryOpenSourceASuspect) {
  // A culprit line cut short (URL longer than the handler's buffer) or torn.
  EXPECT_EQ(suspects_of("S a\nS b\nC b-cut\nC"), (Urls{"a", "b"}));
}

TEST(InflightJournal, AnAbandonedRunBlamesNothingItHadOpen) {
  EXPECT_EQ(suspects_of("S a\nC a\nX\nS b\n"), (Urls{"b"}));
}

TEST(InflightJournal, MissingJournalHasNoSuspects) {
  TempDir dir;
  EXPECT_EQ(InflightJournal::suspects(dir.file("none.inflight")), Urls{});
}

// A child parses "innocent" on one thread and "poisoned" on another; the poisoned parse raises
// SIGSEGV while the innocent one is still open. The journal blames the poisoned one alone.
TEST(InflightJournal, ARealFatalSignalRecordsTheFaultingThreadsSourceAsTheCulprit) {
  TempDir dir;
  const std::string path = dir.file("lock.inflight");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signals::install_fatal_handlers(LogFormat::logfmt);
    InflightJournal journal(path, InflightJournal::Options{false, "poisoned"});
    std::mutex mutex;
    std::condition_variable opened;
    bool innocent_open = false;
    std::thread innocent([&] {
      ParsingScope parsing(&journal, "https://feeds.example/innocent.xml");
      {
        std::lock_guard lock(mutex);
        innocent_open = true;
      }
      opened.notify_one();
      for (;;) ::pause();  // still parsing when the other thread dies
    });
    std::unique_lock lock(mutex);
    opened.wait(lock, [&] { return innocent_open; });
    const std::string poisoned = "https://feeds.example/poisoned.xml";
    ParsingScope parsing(&journal, poisoned);  // raises SIGSEGV (the test hook)
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  const std::string journal = read_file(path);
  EXPECT_NE(journal.find("S https://feeds.example/innocent.xml\n"), std::string::npos) << journal;
  EXPECT_NE(journal.find("C https://feeds.example/poisoned.xml\n"), std::string::npos) << journal;
  EXPECT_EQ(InflightJournal::suspects(path), (Urls{"https://feeds.example/poisoned.xml"}));
}

}  // namespace
}  // namespace rssflow
