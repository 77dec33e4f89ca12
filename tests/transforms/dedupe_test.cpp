#include "transforms/dedupe.h"

#include <gtest/gtest.h>

#include <string>

namespace rssflow {
namespace {

Article article_with(std::string url, std::string feed_url) {
  Article a;
  a.url = std::move(url);
  a.feed_url = std::move(feed_url);
  a.url_hash = xxh3_128(a.url);
  return a;
}

TEST(Dedupe, AdmitsTheFirstCopyAndDropsRepeatedUrlHashAcrossFeeds) {
  Deduper deduper;
  EXPECT_TRUE(deduper.admit(article_with("https://lwn.net/Articles/1/", "https://lwn.net/headlines/rss")));
  EXPECT_TRUE(deduper.admit(article_with("https://lwn.net/Articles/2/", "https://lwn.net/headlines/rss")));
  // The same story in a second feed (e.g. a category feed of the same site).
  EXPECT_FALSE(deduper.admit(article_with("https://lwn.net/Articles/1/", "https://lwn.net/headlines/newrss")));
  EXPECT_FALSE(deduper.admit(article_with("https://lwn.net/Articles/1/", "https://lwn.net/headlines/rss")));
  EXPECT_EQ(deduper.admitted(), 2u);
  EXPECT_EQ(deduper.dropped(), 2u);
}

TEST(Dedupe, TreatsTheZeroDigestLikeAnyOther) {
  Deduper deduper;
  EXPECT_TRUE(deduper.admit(Hash128{0, 0}));
  EXPECT_FALSE(deduper.admit(Hash128{0, 0}));
  EXPECT_TRUE(deduper.admit(Hash128{0, 1}));
  EXPECT_TRUE(deduper.admit(Hash128{1, 0}));
  EXPECT_EQ(deduper.admitted(), 3u);
  EXPECT_EQ(deduper.dropped(), 1u);
}

TEST(Dedupe, KeepsEveryDigestAcrossTableGrowth) {
  Deduper deduper;
  constexpr int kUnique = 100'000;
  for (int i = 0; i < kUnique; ++i) {
    ASSERT_TRUE(deduper.admit(xxh3_128("https://example.org/post/" + std::to_string(i)))) << i;
  }
  for (int i = 0; i < kUnique; i += 7) {
    ASSERT_FALSE(deduper.admit(xxh3_128("https://example.org/post/" + std::to_string(i)))) << i;
  }
  // Digests differing only in the high word must not be confused (the slot index mixes both).
  EXPECT_TRUE(deduper.admit(Hash128{42, 7}));
  EXPECT_TRUE(deduper.admit(Hash128{43, 7}));
  EXPECT_EQ(deduper.admitted(), static_cast<std::uint64_t>(kUnique) + 2);
  EXPECT_EQ(deduper.dropped(), static_cast<std::uint64_t>((kUnique + 6) / 7));
}

}  // namespace
}  // namespace rssflow
