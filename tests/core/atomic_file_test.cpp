#include "core/atomic_file.h"

#include <sys/stat.h>

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

}  // namespace
}  // namespace rssflow
