// The JSON Lines sink's index of delivered records (sinks/written_index.h): header checked at
// open, records read only when first needed, and the file left alone by a run that delivered
// nothing.
#include "sinks/written_index.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

const Hash128 kUrl{1, 2};
const Hash128 kContent{3, 4};
const Hash128 kOther{5, 6};

ino_t inode_of(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_ino;
}

TEST(WrittenIndex, RemembersWhatARunDeliveredForTheNextRun) {
  TempDir dir;
  {
    WrittenIndex first(dir.file("index"));
    EXPECT_FALSE(first.unchanged(kUrl, kContent));
    first.record(kUrl, kContent);
    first.save();
  }
  WrittenIndex next(dir.file("index"));
  EXPECT_TRUE(next.unchanged(kUrl, kContent));
  EXPECT_FALSE(next.unchanged(kUrl, kOther)) << "changed content is delivered again";
  EXPECT_EQ(next.size(), 1u);
}

TEST(WrittenIndex, ARunThatDeliversNothingLeavesTheFileAsItWas) {
  TempDir dir;
  {
    WrittenIndex first(dir.file("index"));
    first.record(kUrl, kContent);
    first.save();
  }
  const std::string before = read_file(dir.file("index"));
  const ino_t inode = inode_of(dir.file("index"));
  WrittenIndex idle(dir.file("index"));
  idle.save();
  EXPECT_EQ(inode_of(dir.file("index")), inode) << "not rewritten";
  EXPECT_EQ(read_file(dir.file("index")), before);
}

TEST(WrittenIndex, AForeignFileIsRejectedAtOpenNamingIt) {
  TempDir dir;
  write_file(dir.file("index"), "{\"not\": \"an index\"}\n");
  try {
    WrittenIndex index(dir.file("index"));
    FAIL() << "opened a file that is not an index";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("index")), std::string::npos) << e.what();
  }
}

TEST(WrittenIndex, AMalformedRecordIsReportedWithItsLineWhenTheRecordsAreFirstRead) {
  TempDir dir;
  write_file(dir.file("index"), "rssflow-written-index 1\n" + Hash128{1, 2}.hex() + " zz\n");
  WrittenIndex index(dir.file("index"));  // the header is fine
  try {
    (void)index.unchanged(kUrl, kContent);
    FAIL() << "read a malformed record";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("index") + ":2:"), std::string::npos) << e.what();
  }
}

TEST(WrittenIndex, SaveMergesRecordsAnotherRunAddedMeanwhile) {
  TempDir dir;
  WrittenIndex mine(dir.file("index"));
  EXPECT_FALSE(mine.unchanged(kUrl, kContent));
  {
    WrittenIndex other(dir.file("index"));
    other.record(kOther, kContent);
    other.save();
  }
  mine.record(kUrl, kContent);
  mine.save();
  WrittenIndex next(dir.file("index"));
  EXPECT_TRUE(next.unchanged(kUrl, kContent));
  EXPECT_TRUE(next.unchanged(kOther, kContent));
}

}  // namespace
}  // namespace rssflow
