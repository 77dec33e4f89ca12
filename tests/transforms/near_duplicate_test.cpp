#include "transforms/near_duplicate.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace rssflow {
namespace {

// An original text of about 330 words, written for this test.
const std::string kStory =
    "The city council voted on Tuesday evening to approve a new plan for the riverside district, "
    "ending two years of debate over how the former rail yards should be used. The plan sets aside "
    "almost half of the land for a public park with playing fields, a skate area and a network of "
    "paths that will connect the old town with the harbour. The rest will be divided between "
    "affordable housing, small workshops and a primary school that the district has been asking for "
    "since the first families moved into the converted warehouses. Supporters said the vote was a "
    "rare example of residents, developers and officials finding common ground. Opponents argued "
    "that the housing targets are too low and that the park will take more than a decade to "
    "complete. The mayor said construction of the first phase, which includes the school and the "
    "southern section of the park, could begin next spring if the regional government confirms its "
    "share of the funding. Engineers still need to survey the soil under the old engine sheds, "
    "where fuel and solvents were stored for more than a century. A report published last year "
    "found traces of heavy metals in several places, and the council has promised that no homes "
    "will be built until the cleanup is certified by an independent laboratory. Local businesses "
    "welcomed the decision. The owner of a bakery on the edge of the yards said that she had waited "
    "long enough to see the empty plots turned into something useful, and that more people living "
    "nearby would keep the small shops on the high street alive. A cycling group asked the council "
    "to make sure the new paths are wide enough for bikes and pedestrians to share safely, and to "
    "add secure parking near the station. The council will publish the detailed designs in the "
    "autumn and hold a series of public meetings before the final permits are issued. Residents "
    "can also send written comments through the city website until the end of the year.";

const std::string kOtherStory =
    "A small software company has released the first stable version of its open source database "
    "engine after four years of development and more than two hundred contributors. The engine "
    "stores data in columns rather than rows, which makes large analytical queries faster while "
    "keeping the memory footprint small enough for a laptop. The release adds a new query planner "
    "that can reorder joins based on statistics gathered while the data is loaded, a feature that "
    "users had requested since the early previews. Benchmarks published by the team show that "
    "typical reporting queries finish several times faster than in the previous beta, although the "
    "developers caution that results depend heavily on the shape of the data. The project is "
    "funded by a mix of consulting work and donations, and the maintainers said they plan to form "
    "a foundation next year so that no single company controls its direction. Version two is "
    "expected to bring replication and a new storage format designed for object stores.";

Article article(std::string feed_url, std::string url, std::string title, std::string text) {
  Article a;
  a.feed_url = std::move(feed_url);
  a.url = std::move(url);
  a.url_hash = xxh3_128(a.url);
  a.title = std::move(title);
  a.content_text = std::move(text);
  return a;
}

TEST(NearDuplicate, FingerprintIgnoresCasePunctuationAndWhitespace) {
  const TextFingerprint a = fingerprint("Council approves riverside plan", kStory);
  std::string shouty;
  for (char c : kStory) shouty.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  std::string spaced;
  for (char c : kStory) spaced += c == ' ' ? std::string(" \n\t ") : c == '.' ? std::string(" — ") : std::string(1, c);
  EXPECT_EQ(fingerprint("COUNCIL approves: riverside plan!", shouty).simhash, a.simhash);
  EXPECT_EQ(fingerprint("Council approves riverside plan", spaced).simhash, a.simhash);
  EXPECT_EQ(a.words, 4u + 336u);
}

TEST(NearDuplicate, RepeatedShinglesDoNotDominate) {
  // Two unrelated texts padded with the same long run of zeros (hex dumps, tables) stay apart.
  std::string zeros;
  for (int i = 0; i < 2000; ++i) zeros += "00 ";
  const auto a = fingerprint("Riverside plan", kStory + " " + zeros);
  const auto b = fingerprint("Database release", kOtherStory + " " + zeros);
  EXPECT_GT(hamming_distance(a.simhash, b.simhash), 12);
}

TEST(NearDuplicate, LinksASyndicatedCopyWithDifferentBoilerplateToTheFirstCopy) {
  NearDuplicateIndex index;
  const Article original = article("https://news.example.org/rss", "https://news.example.org/2024/riverside-plan",
                                   "Council approves riverside plan", kStory);
  const Article copy = article(
      "https://wire.example.net/feed", "https://wire.example.net/stories/88213",
      "Council approves riverside plan",
      "By Staff Reporter | Regional Wire Service\n" + kStory +
          "\nThe post Council approves riverside plan appeared first on Regional Wire. Share: Facebook Twitter Email");
  const Article third = article("https://planet.example.com/atom", "https://planet.example.com/p/1",
                                "Council approves riverside plan", kStory + " Read more at news.example.org.");
  EXPECT_EQ(index.link_or_add(original), std::nullopt);
  EXPECT_EQ(index.link_or_add(copy), original.url_hash);
  EXPECT_EQ(index.link_or_add(third), original.url_hash) << "always the first copy, not the latest";
  EXPECT_EQ(index.size(), 1u) << "linked copies are not indexed";
}

TEST(NearDuplicate, KeepsDifferentStoriesApart) {
  NearDuplicateIndex index;
  EXPECT_EQ(index.link_or_add(article("https://a.example/rss", "https://a.example/1", "Riverside plan", kStory)), std::nullopt);
  EXPECT_EQ(index.link_or_add(article("https://b.example/rss", "https://b.example/1", "Database 1.0", kOtherStory)), std::nullopt);
  EXPECT_EQ(index.size(), 2u);
}

TEST(NearDuplicate, NeverLinksWithinOneFeed) {
  NearDuplicateIndex index;
  EXPECT_EQ(index.link_or_add(article("https://a.example/rss", "https://a.example/1", "Riverside plan", kStory)), std::nullopt);
  EXPECT_EQ(index.link_or_add(article("https://a.example/rss", "https://a.example/2", "Riverside plan", kStory)), std::nullopt);
  EXPECT_EQ(index.link_or_add(article("https://b.example/rss", "https://b.example/1", "Riverside plan", kStory)),
            xxh3_128("https://a.example/1"));
}

TEST(NearDuplicate, NeverLinksShortTexts) {
  NearDuplicateIndex index;
  const std::string teaser = "The council approved the riverside plan on Tuesday after two years of debate.";
  EXPECT_LT(fingerprint("Riverside plan approved", teaser).words, NearDuplicateOptions{}.min_words);
  EXPECT_EQ(index.link_or_add(article("https://a.example/rss", "https://a.example/1", "Riverside plan approved", teaser)), std::nullopt);
  EXPECT_EQ(index.link_or_add(article("https://b.example/rss", "https://b.example/1", "Riverside plan approved", teaser)), std::nullopt);
  EXPECT_EQ(index.size(), 0u);
}

// The banded lookup must find exactly what a scan of every indexed fingerprint finds.
TEST(NearDuplicate, BandedLookupAgreesWithBruteForce) {
  const NearDuplicateOptions options;
  NearDuplicateIndex index(options);
  struct Indexed {
    std::uint64_t simhash, feed;
    Hash128 url_hash;
  };
  std::vector<Indexed> indexed;
  std::mt19937_64 rng(7);
  int linked = 0;
  for (std::uint64_t i = 0; i < 6000; ++i) {
    std::uint64_t simhash = rng();
    if (!indexed.empty() && i % 2 == 0) {
      // Plant a neighbour 0..12 bits away from an earlier fingerprint.
      simhash = indexed[rng() % indexed.size()].simhash;
      const int flips = static_cast<int>(rng() % 13);
      for (int f = 0; f < flips; ++f) simhash ^= std::uint64_t{1} << (rng() % 64);
    }
    const std::uint64_t feed = rng() % 50;
    const Hash128 url_hash{i, ~i};
    std::optional<Hash128> expected;
    for (const Indexed& e : indexed) {
      if (e.feed != feed && hamming_distance(e.simhash, simhash) <= options.max_distance) {
        expected = e.url_hash;
        break;
      }
    }
    const auto got = index.link_or_add(TextFingerprint{simhash, options.min_words}, feed, url_hash);
    ASSERT_EQ(got, expected) << "fingerprint " << i;
    if (got) {
      ++linked;
    } else {
      indexed.push_back({simhash, feed, url_hash});
    }
  }
  EXPECT_GT(linked, 1000) << "the planted neighbours exercise the linking path";
  EXPECT_EQ(index.size(), indexed.size());
}

}  // namespace
}  // namespace rssflow
