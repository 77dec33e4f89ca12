// The dictionary-lookup KeywordMatcher must find exactly what the RE2-only matcher it
// replaced finds (tests/transforms/keyword_matcher_reference.h): on the labelled sentences,
// on every entry of the real-world corpus, and on texts built to probe word boundaries. It
// loads whatever config/keywords.tsv holds, so a growing dictionary is checked as it grows.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sources/feed_parser.h"
#include "tests/transforms/keyword_matcher_reference.h"
#include "transforms/keyword_matcher.h"
#include "transforms/strip_html.h"

namespace rssflow {
namespace {

namespace fs = std::filesystem;

const fs::path kDictionary = fs::path(RSSFLOW_SOURCE_DIR) / "config/keywords.tsv";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

struct Matchers {
  KeywordMatcher lookup = KeywordMatcher::from_file(kDictionary);
  ReferenceKeywordMatcher reference = ReferenceKeywordMatcher::from_file(kDictionary);
};

const Matchers& matchers() {
  static const Matchers instance;
  return instance;
}

// Returns how many texts differ (and reports each).
std::size_t count_differences(const std::vector<std::string>& texts) {
  std::size_t differences = 0;
  for (const std::string& text : texts) {
    const auto found = matchers().lookup.match(text);
    const auto expected = matchers().reference.match(text);
    if (found != expected) {
      ++differences;
      ADD_FAILURE() << "text: " << text.substr(0, 400) << "\nlookup found " << testing::PrintToString(found)
                    << "\nreference found " << testing::PrintToString(expected);
    }
  }
  return differences;
}

TEST(KeywordMatcherEquivalence, LabelledSentencesMatchTheReference) {
  std::istringstream lines(read_file(fs::path(RSSFLOW_TEST_DATA_DIR) / "keywords_labelled.tsv"));
  std::vector<std::string> texts;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    texts.push_back(line.substr(0, line.find('\t')));
  }
  ASSERT_GT(texts.size(), 100u);
  EXPECT_EQ(count_differences(texts), 0u);
}

TEST(KeywordMatcherEquivalence, CorpusEntriesMatchTheReference) {
  std::vector<std::string> texts;
  for (const auto& file : fs::directory_iterator(fs::path(RSSFLOW_TEST_DATA_DIR) / "realworld")) {
    if (!file.is_regular_file() || file.path().extension() == ".md") continue;
    const Outcome<FeedDocument> parsed = parse_feed(read_file(file.path()), ParseInput{"file://" + file.path().string(), "file://" + file.path().string(), std::nullopt});
    const auto* doc = std::get_if<FeedDocument>(&parsed);
    if (!doc) continue;
    for (const FeedEntry& entry : doc->entries) {
      std::string text = entry.title.value_or("");
      text += '\n';
      if (entry.summary_html) text += strip_html(*entry.summary_html);
      text += '\n';
      if (entry.content_html) text += strip_html(*entry.content_html);
      texts.push_back(std::move(text));
    }
  }
  ASSERT_GT(texts.size(), 5000u);
  EXPECT_EQ(count_differences(texts), 0u);
}

TEST(KeywordMatcherEquivalence, BoundaryProbesMatchTheReference) {
  const std::vector<std::string> texts = {
      "", "JS", "JS/JS", "js,js", "JSX", "_JS", "JS_", "éJS", "JSé", "JS€", "€JS", "JS—JS", "«JS»", "JS🙂",
      "C++11 and C++", "ASP.NET Core", ".NET", "x.NET", "C#", "C# minor", "node.js", "Node.js", "app.js",
      "vanilla JS", "vanilla  JS", "vanilla\tJS", "vanilla\nJS", "vanilla\u00a0JS", "vanillaJS",
      "rust-lang", "rust - lang", "crates.io", "crates io", "Python python PYTHON", "monty python and Python",
      "Go 1.22 released", "go home", "Golang", "k8s", "K8S", "Kubernetes\u2019s", "PostgreSQL16", "Postgres.",
      std::string("JS\xff"), std::string("\xffJS"), "JS\u200bJS", "ES6/ES2015", "TypeScript's tsconfig",
  };
  EXPECT_EQ(count_differences(texts), 0u);
}

}  // namespace
}  // namespace rssflow
