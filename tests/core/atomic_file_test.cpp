#include "core/atomic_file.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace rssflow {
namespace {

TEST(WriteFileAtomically, ReplacesARegularFileAndLeavesNoTemporary) {
  const auto dir = std::filesystem::temp_directory_path() / ("rssflow-atomic-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "metrics.prom";
  write_file_atomically(path, "old\n");
  write_file_atomically(path, "new\n");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "new\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  std::filesystem::remove_all(dir);
}

TEST(WriteFileAtomically, WritesIntoADeviceInsteadOfReplacingIt) {
  write_file_atomically("/dev/null", "discarded\n");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(WriteFileAtomically, NamesThePathWhenTheFolderIsMissing) {
  try {
    write_file_atomically("/nonexistent-folder/x.prom", "x");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder/x.prom"), std::string::npos) << e.what();
  }
}


class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rssflow-atomic-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // The pid of a process that has exited and been reaped.
  static pid_t dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
  }

  std::filesystem::path dir_;
};

TEST_F(AtomicFileTest, PlantedSymlinksAtTemporaryNamesAreNeverFollowed) {
  const auto victim = dir_ / "victim";
  {
    std::ofstream(victim) << "precious\n";
  }
  const auto path = dir_ / "metrics.prom";
  // What the old writer opened ("<path>.tmp.<pid>"), for this and the next pids.
  for (pid_t pid = ::getpid(); pid < ::getpid() + 4; ++pid) {
    std::filesystem::create_symlink(victim, path.string() + ".tmp." + std::to_string(pid));
  }
  write_file_atomically(path, "new\n", 0640);
  EXPECT_EQ(read(victim), "precious\n");
  EXPECT_EQ(read(path), "new\n");
  EXPECT_FALSE(std::filesystem::is_symlink(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(AtomicFileTest, TemporariesOfDeadRunsAreRemovedAndLiveOnesKept) {
  const auto path = dir_ / "articles.jsonl";
  const pid_t dead = dead_pid();
  const auto stale_new = dir_ / (".articles.jsonl.tmp-" + std::to_string(dead) + "-Ab12Cd");
  const auto stale_jsonl = dir_ / (".articles.jsonl.tmp-" + std::to_string(dead) + "-0");
  const auto stale_old = dir_ / ("articles.jsonl.tmp." + std::to_string(dead));
  const auto live = dir_ / (".articles.jsonl.tmp-" + std::to_string(::getppid()) + "-Zz99Yy");
  const auto other_file = dir_ / (".other.jsonl.tmp-" + std::to_string(dead) + "-Ab12Cd");
  for (const auto& p : {stale_new, stale_jsonl, stale_old, live, other_file}) std::ofstream(p) << "x";
  {
    AtomicFile file(path, 0644);
    file.write("{}\n");
    EXPECT_FALSE(std::filesystem::exists(stale_new));
    EXPECT_FALSE(std::filesystem::exists(stale_jsonl));
    EXPECT_FALSE(std::filesystem::exists(stale_old));
    EXPECT_TRUE(std::filesystem::exists(live)) << "a running writer's temporary stays";
    EXPECT_TRUE(std::filesystem::exists(other_file)) << "another target's temporary stays";
    EXPECT_TRUE(std::filesystem::exists(file.temp_path()));
    file.commit();
  }
  EXPECT_EQ(read(path), "{}\n");
}

TEST_F(AtomicFileTest, AnAbandonedWriteLeavesTheTargetAndNoTemporary) {
  const auto path = dir_ / "report.json";
  write_file_atomically(path, "old\n");
  {
    AtomicFile file(path, 0640);
    file.write("half");
  }
  EXPECT_EQ(read(path), "old\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), std::filesystem::directory_iterator()), 1);
}

// Writes of several MiB ask the kernel to start writeback on the way (sync_file_range): the
// file is still whole and in order, the target untouched until commit, which renames it.
TEST_F(AtomicFileTest, AFileOfSeveralMegabytesWrittenInPiecesArrivesWhole) {
  const auto path = dir_ / "records.jsonl";
  write_file_atomically(path, "old\n");
  std::string expected;
  {
    AtomicFile file(path, 0644);
    for (int piece = 0; piece < 90; ++piece) {
      const std::string text(64 << 10, static_cast<char>('a' + piece % 26));
      file.write(text);
      expected += text;
    }
    EXPECT_EQ(read(path), "old\n");
    EXPECT_EQ(std::filesystem::file_size(file.temp_path()), expected.size());
    file.commit();
  }
  EXPECT_EQ(read(path), expected);
}

}  // namespace
}  // namespace rssflow
