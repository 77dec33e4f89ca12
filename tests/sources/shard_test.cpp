#include "sources/shard.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sources/opml.h"

namespace rssflow {
namespace {

Source source(std::string url) {
  Source s;
  s.url = std::move(url);
  return s;
}

std::vector<Source> real_sources() {
  const auto dir = std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / "opml";
  std::vector<Source> all = read_opml(dir / "Ranchero-Software__NetNewsWire__Modules_RSParser_Tests_RSParserTests_Resources_Subs.opml").sources;
  const auto more = read_opml(dir / "timb-machine-mirrors__anarcat-feed2exec__feed2exec_tests_files_security.opml").sources;
  all.insert(all.end(), more.begin(), more.end());
  all.push_back(source("file:///srv/snapshot/feeds/a.xml"));
  all.push_back(source("file:///srv/snapshot/feeds/b.xml"));
  return all;
}

TEST(ParseShard, AcceptsZeroBasedIndexBelowCount) {
  EXPECT_EQ(parse_shard("0/1"), (ShardSpec{0, 1}));
  EXPECT_EQ(parse_shard("3/4"), (ShardSpec{3, 4}));
  EXPECT_EQ(parse_shard("0/10000"), (ShardSpec{0, 10000}));
}

TEST(ParseShard, RejectsEverythingElse) {
  for (const char* bad : {"", "1", "/", "1/", "/2", "4/4", "5/4", "0/0", "-1/4", "1/-4", "+1/4", " 1/4", "1/4 ",
                          "1 /4", "a/4", "1/4/5", "0x1/4", "0/10001", "99999999999/1", "1.0/4"}) {
    EXPECT_FALSE(parse_shard(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(InShard, EverySourceIsInExactlyOneShardForOneToEightShards) {
  const std::vector<Source> sources = real_sources();
  ASSERT_GT(sources.size(), 200u);
  for (int count = 1; count <= 8; ++count) {
    std::vector<int> per_shard(count, 0);
    for (const Source& s : sources) {
      int shards_holding = 0;
      for (int index = 0; index < count; ++index) {
        if (in_shard(s, ShardSpec{index, count})) {
          ++shards_holding;
          ++per_shard[index];
        }
      }
      EXPECT_EQ(shards_holding, 1) << s.url << " with " << count << " shards";
    }
    for (int index = 0; index < count; ++index) {
      EXPECT_GT(per_shard[index], 0) << "shard " << index << "/" << count << " is empty";  // 260 sources, ~90 hosts
    }
  }
}

TEST(InShard, AllFeedsOfOneHostShareAShardWhateverTheCaseSchemeOrPort) {
  for (int count = 2; count <= 8; ++count) {
    const int expected = shard_of(source("https://blog.example.com/feed.xml"), count);
    EXPECT_EQ(shard_of(source("http://BLOG.example.com/other/rss"), count), expected);
    EXPECT_EQ(shard_of(source("https://blog.example.com:8443/atom"), count), expected);
    // The host as the politeness queue and curl see it (transforms/url.h locate_url).
    const int loopback = shard_of(source("http://127.0.0.1:8080/a"), count);
    EXPECT_EQ(shard_of(source("http://0x7f000001:8080/b"), count), loopback);
    EXPECT_EQ(shard_of(source("http://user:pw@127.1/c"), count), loopback);
  }
}

TEST(InShard, IsStableAcrossRunsAndBuilds) {
  // Pinned values: XXH3-64 of the key modulo 8. If these change, deployed shards reshuffle.
  EXPECT_EQ(shard_of(source("https://example.com/feed"), 8), shard_of(source("https://example.com/x"), 8));
  std::map<std::string, int> pinned;
  for (const char* url : {"https://example.com/feed", "https://github.blog/feed/", "https://lwn.net/headlines/rss",
                          "file:///srv/feeds/a.xml"}) {
    pinned[url] = shard_of(source(url), 8);
  }
  EXPECT_EQ(pinned["https://example.com/feed"], 3);
  EXPECT_EQ(pinned["https://github.blog/feed/"], 4);
  EXPECT_EQ(pinned["https://lwn.net/headlines/rss"], 2);
  EXPECT_EQ(pinned["file:///srv/feeds/a.xml"], 4);
}

TEST(InShard, FileUrlsShardByPath) {
  std::set<int> shards;
  for (int i = 0; i < 64; ++i) shards.insert(shard_of(source("file:///srv/feeds/" + std::to_string(i) + ".xml"), 4));
  EXPECT_EQ(shards.size(), 4u);  // not all in one shard as a host-only key would do
}

}  // namespace
}  // namespace rssflow
