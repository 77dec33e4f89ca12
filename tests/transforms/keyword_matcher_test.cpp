#include "transforms/keyword_matcher.h"

#include <gmock/gmock.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "transforms/strip_html.h"

namespace rssflow {
namespace {

using testing::ElementsAre;
using testing::ElementsAreArray;
using testing::HasSubstr;
using testing::IsEmpty;

const std::filesystem::path kDictionary = std::filesystem::path(RSSFLOW_SOURCE_DIR) / "config/keywords.tsv";

const KeywordMatcher& matcher() {
  static const KeywordMatcher instance = KeywordMatcher::from_file(kDictionary);
  return instance;
}

struct Case {
  const char* name;
  std::string_view text;
  std::vector<std::string> expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class KeywordMatcherCases : public testing::TestWithParam<Case> {};

TEST_P(KeywordMatcherCases, FindsWhatAPersonWouldTag) {
  EXPECT_THAT(matcher().match(GetParam().text), ElementsAreArray(GetParam().expected))
      << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, KeywordMatcherCases,
    testing::Values(
        Case{"aliases map to canonical names", "Running k8s on bare metal with golang and postgres",
             {"Go", "Kubernetes", "PostgreSQL"}},
        Case{"each keyword once in dictionary order", "Docker, docker, DOCKER and JS then JavaScript",
             {"JavaScript", "Docker"}},
        Case{"Java is not inside JavaScript", "Modern JavaScript patterns", {"JavaScript"}},
        Case{"Java on its own", "Java 21 virtual threads explained", {"Java"}},
        Case{"Java the island is not Java", "Volcano hikes on the island of Java", {}},
        Case{"Go the verb is not Go", "Go to the store, then let's go home. Go big or go home!", {}},
        Case{"Go with a version", "What's new in Go 1.22: range over integers", {"Go"}},
        Case{"written in Go", "Our new proxy is written in Go.", {"Go"}},
        Case{"Go possessive", "Go's garbage collector, explained", {"Go"}},
        Case{"Go next to another language", "Rust vs Go for backend services", {"Go", "Rust"}},
        Case{"Pokemon Go is not Go", "Pokémon Go adds new raid bosses", {}},
        Case{"C++ despite non-word characters", "Modules in C++20 and templates in C++", {"C++"}},
        Case{"C# despite the hash", "Pattern matching in C# 12", {"C#"}},
        Case{".NET inside a sentence", "Upgrading to .NET 8 and ASP.NET Core", {".NET"}},
        Case{"a .net domain is not .NET", "Visit example.net for details", {}},
        Case{"Node.js does not also count as JavaScript", "Node.js 22 ships require(esm)", {"Node.js"}},
        Case{"Vue.js is Vue not JavaScript", "State management in Vue.js 3", {"Vue"}},
        Case{"React the library", "React Server Components in Next.js", {"React", "Next.js"}},
        Case{"react the verb", "How should designers React to feedback? Users react fast.", {}},
        Case{"Rust the language", "Rewriting the parser in Rust cut memory use in half", {"Rust"}},
        Case{"rust on a car", "How to remove rust on the car and stop Rust Belt decay", {}},
        Case{"Swift the language", "Concurrency in Swift 6 and SwiftUI", {"Swift"}},
        Case{"swift response", "The council promised a swift response and Swift Action", {}},
        Case{"Taylor Swift", "Taylor Swift breaks streaming records", {}},
        Case{"C in a clear context", "Writing a tiny HTTP server in C", {"C"}},
        Case{"C and C++ together", "Memory safety in C and C++ codebases", {"C++", "C"}},
        Case{"vitamin C is not C", "Vitamin C and Plan C: a type C cable review", {}},
        Case{"R in a clear context", "Tidy data analysis in R with ggplot2", {"R"}},
        Case{"R&D is not R", "Big R&D budgets in 2024", {}},
        Case{"Unicode letters adjacent are word characters", "GoのコードとJavaScriptは", {}},
        Case{"Unicode punctuation is a boundary", "«Kubernetes» и «Docker»", {"Docker", "Kubernetes"}},
        Case{"dashes curly quotes and emoji are boundaries", "Docker—and “Kubernetes” 🚀Svelte🚀",
             {"Svelte", "Docker", "Kubernetes"}},
        Case{"Cyrillic and accented letters are word characters", "Dockerфайл, Pythonés, überRust", {}},
        Case{"llama.cpp is not C++", "Running LLMs locally with llama.cpp", {"LLM"}},
        Case{"design terms", "Figma variables for design tokens and a11y checks", {"Figma", "Accessibility", "Design Systems"}},
        Case{"AI and LLM", "Building an AI assistant on top of LLMs", {"AI", "LLM"}},
        Case{"OpenAI does not contain AI", "OpenAI ships a new model", {"OpenAI"}},
        Case{"WebAssembly alias", "Running wasm modules at the edge", {"WebAssembly"}},
        Case{"nothing in plain prose", "A quiet walk along the river at dawn", {}},
        // Real snippets (strip_html of tests/data/realworld entries).
        Case{"real: language list (russcox.atom)",
             "Recent languages like Go, Rust, and Swift use an unsafe keyword to mark unsafe operations",
             {"Go", "Rust", "Swift"}},
        Case{"real: Go version (russcox.atom)",
             "include vgo functionality as an experimental opt-in feature in Go 1.11, with the hope", {"Go"}},
        Case{"real: possessives and C next to C++ (russcox.atom)",
             "installing a required library, like C’s PCRE or zlib, or C++’s Boost or Qt, or Java’s JodaTime",
             {"Java", "C++", "C"}},
        Case{"real: .NET and Node.js in a list (cloudblog.rss)",
             "repeatable Kubernetes development in five programming languages—Node.js, Go, Java, Python and .NET.",
             {"Python", "Java", "Go", "Node.js", ".NET", "Kubernetes"}},
        Case{"real: Swift as a language (DaringFireball.atom)", "Halide is almost entirely Swift. How did we do it?",
             {"Swift"}},
        Case{"real: React and reactivity (root-author.atom)",
             "does its reactivity magic and updates the view. If we were in React land, we could probably use "
             "useState",
             {"React"}}),
    [](const testing::TestParamInfo<Case>& info) {
      std::string name;
      for (const char* p = info.param.name; *p; ++p) name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
      return name;
    });

TEST(KeywordMatcher, DictionaryHasSixtyOrMoreKeywords) { EXPECT_GE(matcher().size(), 60u); }

TEST(KeywordMatcher, MatchesTextFromStrippedHtml) {
  const std::string text = strip_html(
      "<p>Shipping <b>Kuber&shy;netes</b> operators in <a href=#>Go</a>&nbsp;1.22</p>"
      "<script>var React = 1;</script><img alt=\"Swift logo\" src=x>");
  EXPECT_THAT(matcher().match(text), ElementsAre("Go", "Kubernetes"));
}

TEST(KeywordMatcher, IsSafeToShareBetweenThreads) {
  const std::string text = "TypeScript, Rust and PostgreSQL in Docker on Kubernetes";
  const std::vector<std::string> expected = matcher().match(text);
  ASSERT_EQ(expected.size(), 5u);
  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&result, &text] {
      for (int k = 0; k < 200; ++k) result = matcher().match(text);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

class DictionaryFile {
 public:
  explicit DictionaryFile(const std::string& contents)
      : path_(std::filesystem::temp_directory_path() /
              ("rssflow_keywords_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".tsv")) {
    std::ofstream(path_) << contents;
  }
  ~DictionaryFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string load_error(const std::string& contents, std::string* path = nullptr) {
  DictionaryFile file(contents);
  if (path) *path = file.path().string();
  try {
    (void)KeywordMatcher::from_file(file.path());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(KeywordMatcher, RejectsAnInvalidPatternNamingFileLineAndPattern) {
  std::string path;
  const std::string error = load_error("# comment\nGo\tGolang\n\tmatch=(Go\n", &path);
  EXPECT_THAT(error, HasSubstr(path + ":3:"));
  EXPECT_THAT(error, HasSubstr("(Go"));
  EXPECT_THAT(error, HasSubstr("missing )"));
}

TEST(KeywordMatcher, RejectsMalformedEntries) {
  EXPECT_THAT(load_error("\tcase=sensitive\n"), HasSubstr(":1: option line before any keyword"));
  EXPECT_THAT(load_error("Go\tGo\n\tcolour=blue\n"), HasSubstr(":2: unknown option 'colour'"));
  EXPECT_THAT(load_error("Go\tGo\nGo\tGolang\n"), HasSubstr(":2: duplicate keyword 'Go'"));
  EXPECT_THAT(load_error("Go\n"), HasSubstr(":1: keyword 'Go' has no alias"));
  EXPECT_THAT(load_error("Go\tGo,,Golang\n"), HasSubstr(":1: empty alias"));
  EXPECT_THAT(load_error("Go\tGo\n\tcase=maybe\n"), HasSubstr(":2: case= takes"));
}

TEST(KeywordMatcher, RejectsAMissingFile) {
  EXPECT_THROW((void)KeywordMatcher::from_file("/nonexistent/keywords.tsv"), std::runtime_error);
}

TEST(KeywordMatcher, HonoursCaseSensitivityAndGuardsOfACustomDictionary) {
  DictionaryFile file(
      "Widget\twidget, gizmo\n"
      "Acme\tACME\n\tcase=sensitive\n\tnot=ACME\\s+Corp\n"
      "Plus\tX++\n");
  const KeywordMatcher custom = KeywordMatcher::from_file(file.path());
  EXPECT_EQ(custom.size(), 3u);
  EXPECT_THAT(custom.match("A GIZMO by ACME"), ElementsAre("Widget", "Acme"));
  EXPECT_THAT(custom.match("acme widgets"), IsEmpty());            // case, and "widgets" is another word
  EXPECT_THAT(custom.match("ACME Corp and X++ fans"), ElementsAre("Plus"));
  EXPECT_THAT(custom.match("ACME Corp, then ACME again"), ElementsAre("Acme"));  // one unguarded hit
}

// tests/data/keywords_labelled.tsv: "text<TAB>Keyword, Keyword" (empty: nothing to find).
TEST(KeywordMatcher, ReachesPrecisionAndRecallOnTheLabelledSet) {
  std::ifstream in(std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / "keywords_labelled.tsv");
  ASSERT_TRUE(in) << "missing keywords_labelled.tsv";
  std::size_t sentences = 0, true_positives = 0, false_positives = 0, false_negatives = 0;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << "line " << line_number << " has no TAB";
    std::set<std::string> expected;
    std::stringstream labels(line.substr(tab + 1));
    for (std::string label; std::getline(labels, label, ',');) {
      label.erase(0, label.find_first_not_of(' '));
      label.erase(label.find_last_not_of(' ') + 1);
      if (!label.empty()) expected.insert(label);
    }
    const std::vector<std::string> found = matcher().match(line.substr(0, tab));
    for (const std::string& keyword : found) {
      if (expected.count(keyword)) {
        ++true_positives;
      } else {
        ++false_positives;
        std::cout << "  line " << line_number << ": unexpected " << keyword << "\n";
      }
    }
    for (const std::string& keyword : expected) {
      if (std::find(found.begin(), found.end(), keyword) == found.end()) {
        ++false_negatives;
        std::cout << "  line " << line_number << ": missed " << keyword << "\n";
      }
    }
    ++sentences;
  }
  const double precision = static_cast<double>(true_positives) / static_cast<double>(true_positives + false_positives);
  const double recall = static_cast<double>(true_positives) / static_cast<double>(true_positives + false_negatives);
  std::cout << "keywords_labelled.tsv: " << sentences << " sentences, " << true_positives << " TP, "
            << false_positives << " FP, " << false_negatives << " FN; precision " << precision << ", recall "
            << recall << "\n";
  EXPECT_GE(sentences, 300u);
  EXPECT_GE(precision, 0.95);
  EXPECT_GE(recall, 0.95);
}

}  // namespace
}  // namespace rssflow
