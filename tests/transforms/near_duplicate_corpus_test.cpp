// The measurement behind NearDuplicateOptions' defaults, kept as a test: every corpus feed is
// parsed and built as the pipeline does, then (1) no two distinct stories from different feeds
// may come within max_distance bits, (2) the index links the corpus's own syndicated copies,
// (3) copies made with different boilerplate are linked.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sources/feed_parser.h"
#include "transforms/article_builder.h"
#include "transforms/dedupe.h"
#include "transforms/near_duplicate.h"

namespace rssflow {
namespace {

namespace fs = std::filesystem;

std::vector<Article> corpus_articles() {
  const KeywordMatcher keywords = KeywordMatcher::from_file(fs::path(RSSFLOW_SOURCE_DIR) / "config/keywords.tsv");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(RSSFLOW_TEST_DATA_DIR) / "realworld")) {
    if (entry.is_regular_file() && entry.path().extension() != ".md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Article> all;
  Deduper deduper;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string url = "file://" + file.string();
    auto parsed = parse_feed(bytes.str(), ParseInput{url, url, std::nullopt});
    if (!std::holds_alternative<FeedDocument>(parsed)) continue;
    for (Article& a : build_articles(std::get<FeedDocument>(parsed), keywords, Instant{}, {})) {
      if (deduper.admit(a)) all.push_back(std::move(a));
    }
  }
  return all;
}

const std::vector<Article>& corpus() {
  static const std::vector<Article> articles = [] {
    const auto start = std::chrono::steady_clock::now();
    auto all = corpus_articles();
    std::cout << "corpus: " << all.size() << " articles, parsed and built in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count() << " ms\n";
    return all;
  }();
  return articles;
}

std::set<std::string> words_of(std::string_view text) {
  std::set<std::string> words;
  std::string word;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || u >= 0x80) {
      word.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      word.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!word.empty()) {
      words.insert(word);
      word.clear();
    }
  }
  if (!word.empty()) words.insert(word);
  return words;
}

double jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::size_t common = 0;
  for (const auto& w : a) common += b.count(w);
  const std::size_t all = a.size() + b.size() - common;
  return all == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(all);
}

// Judge of "the same story" independent of SimHash: the titles share most of their words, or
// (untitled posts) the texts share most of their vocabulary.
bool same_story(const Article& a, const Article& b) {
  const auto ta = words_of(a.title), tb = words_of(b.title);
  if (!ta.empty() && !tb.empty()) return jaccard(ta, tb) >= 0.5;
  return jaccard(words_of(a.content_text), words_of(b.content_text)) >= 0.6;
}

TEST(NearDuplicateCorpus, DistinctStoriesFromDifferentFeedsAreFartherApartThanTheThreshold) {
  const NearDuplicateOptions options;
  struct Print {
    const Article* article;
    std::uint64_t feed;
    TextFingerprint print;
  };
  std::vector<Print> prints;
  for (const Article& a : corpus()) {
    const TextFingerprint p = fingerprint(a.title, a.content_text);
    if (p.words >= options.min_words) prints.push_back({&a, xxh3_128(a.feed_url).low, p});
  }
  ASSERT_GT(prints.size(), 2000u) << "the corpus parsed";
  int closest_distinct = 64;
  std::map<int, int> same_story_pairs;  // distance -> count
  std::size_t pairs = 0;
  for (std::size_t i = 0; i < prints.size(); ++i) {
    for (std::size_t j = i + 1; j < prints.size(); ++j) {
      if (prints[i].feed == prints[j].feed) continue;
      ++pairs;
      const int d = hamming_distance(prints[i].print.simhash, prints[j].print.simhash);
      if (d > 16) continue;
      const Article& a = *prints[i].article;
      const Article& b = *prints[j].article;
      if (same_story(a, b)) {
        ++same_story_pairs[d];
      } else {
        closest_distinct = std::min(closest_distinct, d);
        EXPECT_GT(d, options.max_distance) << "false link: \"" << a.title << "\" (" << a.feed_url << ") vs \"" << b.title
                                           << "\" (" << b.feed_url << ")";
      }
    }
  }
  std::cout << "articles >= " << options.min_words << " words: " << prints.size() << ", cross-feed pairs: " << pairs
            << ", closest distinct pair: " << closest_distinct << " bits\nsame-story pairs by distance:";
  for (auto [d, n] : same_story_pairs) std::cout << " " << d << ":" << n;
  std::cout << "\n";
  EXPECT_GT(closest_distinct, options.max_distance);
}

TEST(NearDuplicateCorpus, LinksTheCorpusOwnSyndicatedCopiesAndNothingElse) {
  NearDuplicateIndex index;
  std::map<Hash128, const Article*, bool (*)(const Hash128&, const Hash128&)> by_hash(
      [](const Hash128& a, const Hash128& b) { return a.high != b.high ? a.high < b.high : a.low < b.low; });
  int links = 0;
  for (const Article& a : corpus()) {
    by_hash[a.url_hash] = &a;
    if (const auto first = index.link_or_add(a)) {
      ++links;
      const Article& original = *by_hash.at(*first);
      EXPECT_TRUE(same_story(a, original)) << "\"" << a.title << "\" linked to \"" << original.title << "\"";
      EXPECT_NE(a.feed_url, original.feed_url);
    }
  }
  std::cout << "corpus near-duplicate links: " << links << "\n";
  // The corpus holds the same feeds copied into several projects' test suites, one feed in
  // two encodings, and Google News in Atom and RSS with the source appended to each story.
  EXPECT_GE(links, 40);
}

TEST(NearDuplicateCorpus, LinksCopiesWithDifferentBylinesFootersAndSourceNotes) {
  NearDuplicateIndex index;
  std::vector<const Article*> long_originals;
  for (const Article& a : corpus()) {
    if (!index.link_or_add(a) && fingerprint(a.title, a.content_text).words >= 300) long_originals.push_back(&a);
  }
  ASSERT_GT(long_originals.size(), 300u);
  std::size_t linked = 0;
  for (const Article* original : long_originals) {
    Article copy = *original;
    copy.feed_url = "https://syndicator.example/feed";
    copy.url = "https://syndicator.example/story/" + original->url_hash.hex();
    copy.url_hash = xxh3_128(copy.url);
    copy.content_text = "By Jane Doe, Associated Wire | " + original->content_text + "\nThe post " + original->title +
                        " appeared first on Example News. Share this: Twitter Facebook LinkedIn Email";
    if (index.link_or_add(copy)) ++linked;
  }
  const double recall = static_cast<double>(linked) / static_cast<double>(long_originals.size());
  std::cout << "300+-word copies with byline and footer linked: " << linked << "/" << long_originals.size() << "\n";
  EXPECT_GE(recall, 0.9);
}

}  // namespace
}  // namespace rssflow
