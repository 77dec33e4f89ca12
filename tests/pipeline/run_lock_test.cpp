#include "pipeline/run_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

int exit_code_of(pid_t child) {
  int status = 0;
  if (::waitpid(child, &status, 0) != child) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

TEST(RunLock, SecondAcquisitionInTheSameProcessFailsUntilTheFirstIsReleased) {
  testing::TempDir dir;
  const fs::path path = dir.file("run.lock");
  {
    auto first = RunLock::try_acquire(path);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->path(), path);
    EXPECT_FALSE(RunLock::try_acquire(path).has_value());  // a separate open file description
    EXPECT_FALSE(RunLock::try_acquire(path).has_value());  // and a failed attempt changes nothing
  }
  EXPECT_TRUE(RunLock::try_acquire(path).has_value());
  EXPECT_TRUE(fs::exists(path));  // the file stays; only the flock matters
}

TEST(RunLock, MovingKeepsTheLockAndOnlyTheLastOwnerReleasesIt) {
  testing::TempDir dir;
  const fs::path path = dir.file("run.lock");
  std::optional<RunLock> moved_to;
  {
    auto original = RunLock::try_acquire(path);
    ASSERT_TRUE(original.has_value());
    moved_to.emplace(std::move(*original));
  }  // the moved-from lock is destroyed here and must not release
  EXPECT_FALSE(RunLock::try_acquire(path).has_value());

  const fs::path other_path = dir.file("other.lock");
  auto other = RunLock::try_acquire(other_path);
  ASSERT_TRUE(other.has_value());
  *moved_to = std::move(*other);  // move assignment releases what moved_to held
  EXPECT_TRUE(RunLock::try_acquire(path).has_value());
  EXPECT_FALSE(RunLock::try_acquire(other_path).has_value());
  moved_to.reset();
  EXPECT_TRUE(RunLock::try_acquire(other_path).has_value());
}

TEST(RunLock, WritesTheHoldersPidForHumans) {
  testing::TempDir dir;
  const fs::path path = dir.file("run.lock");
  testing::write_file(path, "a much longer stale content from an earlier holder\n");
  auto lock = RunLock::try_acquire(path);
  ASSERT_TRUE(lock.has_value());
  EXPECT_EQ(testing::read_file(path), std::to_string(::getpid()) + "\n");
  EXPECT_EQ(RunLock::holder_pid(path), ::getpid());
  EXPECT_EQ(RunLock::holder_pid(dir.file("missing.lock")), std::nullopt);
  testing::write_file(dir.file("junk.lock"), "not a pid");
  EXPECT_EQ(RunLock::holder_pid(dir.file("junk.lock")), std::nullopt);
}

TEST(RunLock, AChildProcessCannotTakeALockWeHold) {
  testing::TempDir dir;
  const fs::path path = dir.file("run.lock");
  auto lock = RunLock::try_acquire(path);
  ASSERT_TRUE(lock.has_value());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(RunLock::try_acquire(path).has_value() ? 0 : 1);
  EXPECT_EQ(exit_code_of(child), 1);

  lock.reset();
  const pid_t second = ::fork();
  ASSERT_GE(second, 0);
  if (second == 0) _exit(RunLock::try_acquire(path).has_value() ? 0 : 1);
  EXPECT_EQ(exit_code_of(second), 0);
}

TEST(RunLock, TheKernelReleasesTheLockOfAKilledHolder) {
  testing::TempDir dir;
  const fs::path path = dir.file("run.lock");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    auto held = RunLock::try_acquire(path);
    const char status = held ? 'y' : 'n';
    if (::write(ready[1], &status, 1) != 1) _exit(2);
    for (;;) ::pause();  // hold the lock until killed
  }
  ::close(ready[1]);
  char status = 0;
  ASSERT_EQ(::read(ready[0], &status, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(status, 'y');

  EXPECT_FALSE(RunLock::try_acquire(path).has_value());
  EXPECT_EQ(RunLock::holder_pid(path), child);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  EXPECT_EQ(exit_code_of(child), 128 + SIGKILL);
  EXPECT_TRUE(RunLock::try_acquire(path).has_value());  // no stale lock to clean up
}

TEST(RunLock, ThrowsNamingThePathWhenTheFileCannotBeCreated) {
  for (const fs::path& path : {fs::path("/nonexistent/rssflow/run.lock"), fs::path("/proc/rssflow-run.lock")}) {
    try {
      RunLock::try_acquire(path);
      ADD_FAILURE() << "expected a throw for " << path;
    } catch (const std::runtime_error& error) {
      EXPECT_THAT(error.what(), HasSubstr(path.string()));
    }
  }
  testing::TempDir dir;
  EXPECT_THROW(RunLock::try_acquire(dir.path()), std::runtime_error);  // a directory
}

TEST(RunLock, RefusesASymlinkAndLeavesItsTargetAlone) {
  testing::TempDir dir;
  const fs::path target = dir.file("precious.txt");
  testing::write_file(target, "precious\n");
  const fs::path link = dir.file("run.lock");
  fs::create_symlink(target, link);
  try {
    RunLock::try_acquire(link);
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("symlink"));
  }
  EXPECT_EQ(testing::read_file(target), "precious\n");
}

}  // namespace
}  // namespace rssflow
