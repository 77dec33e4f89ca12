#include "transforms/keyword_matcher.h"
#include "transforms/keyword_matcher_dictionary.h"

#include <gmock/gmock.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
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

// Display names (as a person reads them) -> the slugs match() returns.
std::vector<std::string> slugs(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    std::string slug = "<not in the dictionary: " + name + ">";
    for (const KeywordDescription& keyword : matcher().keywords())
      if (keyword.name == name) slug = keyword.slug;
    out.push_back(slug);
  }
  return out;
}

struct Case {
  const char* name;
  std::string_view text;
  std::vector<std::string> expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class KeywordMatcherCases : public testing::TestWithParam<Case> {};

TEST_P(KeywordMatcherCases, FindsWhatAPersonWouldTag) {
  EXPECT_THAT(matcher().match(GetParam().text), ElementsAreArray(slugs(GetParam().expected)))
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
        Case{"Go possessive", "Go's garbage collector, explained", {"Go", "Garbage Collection"}},
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
        Case{"C and C++ together", "Memory safety in C and C++ codebases", {"C++", "C", "Memory Safety"}},
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
             {"Java", "C++", "C", "Qt"}},
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

TEST(KeywordMatcher, DictionaryHasFourHundredOrMoreKeywordsInEveryGroup) {
  EXPECT_GE(matcher().size(), 400u);
  std::map<std::string, int> per_group;
  for (const KeywordDescription& keyword : matcher().keywords()) ++per_group[keyword.group];
  for (const char* group : {"languages", "frameworks", "databases", "cloud", "tools", "ai", "design-practice",
                            "design-tools", "topics"})
    EXPECT_GE(per_group[group], 10) << group;
  EXPECT_EQ(per_group.count("other"), 0u);
}

TEST(KeywordMatcher, StoresStableLowerCaseSlugs) {
  EXPECT_THAT(slugs({"Rust", "Machine Learning", "C++", ".NET", "C#", "Node.js", "CI/CD", "A/B Testing"}),
              ElementsAre("rust", "machine-learning", "cpp", "dotnet", "csharp", "nodejs", "ci-cd", "ab-testing"));
  EXPECT_THAT(matcher().match("Porting a C++ service to Rust on .NET"), ElementsAre("rust", "cpp", "dotnet"));
}


TEST(KeywordMatcher, MatchesTextFromStrippedHtml) {
  const std::string text = strip_html(
      "<p>Shipping <b>Kuber&shy;netes</b> operators in <a href=#>Go</a>&nbsp;1.22</p>"
      "<script>var React = 1;</script><img alt=\"Swift logo\" src=x>");
  EXPECT_THAT(matcher().match(text), ElementsAre("go", "kubernetes"));
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

// prepare() builds on one thread what match() would build on its first call; threads that
// match meanwhile wait for that one build and find what a matcher never prepared finds.
TEST(KeywordMatcher, PreparedOnOneThreadWhileOthersMatchItFindsTheSame) {
  const std::string text = "TypeScript, Rust and PostgreSQL in Docker on Kubernetes";
  const std::vector<std::string> expected = matcher().match(text);
  const KeywordMatcher fresh = KeywordMatcher::from_file(kDictionary);
  std::vector<std::vector<std::string>> results(3);
  std::vector<std::thread> threads;
  threads.emplace_back([&fresh] { fresh.prepare(); });
  for (auto& result : results) threads.emplace_back([&result, &fresh, &text] { result = fresh.match(text); });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
  fresh.prepare();  // a second time: nothing to do
  EXPECT_EQ(fresh.match(text), expected);
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
  // A guard's syntax is checked at load too, though programs are compiled on the first match.
  EXPECT_THAT(load_error("Go\tGolang\n\tnot=[Go\n"), HasSubstr(":2: invalid pattern '[Go'"));
}

// Only the trigger (the pattern without its boundaries) is parsed at load; outside a class a
// boundary is a whole group either way, so what the trigger accepts the full pattern accepts.
TEST(KeywordMatcher, ChecksPatternsWithBoundariesAtLoadAndRejectsABoundaryInsideAClass) {
  EXPECT_THAT(load_error("Go\tGolang\n\tmatch=\\<(Go\\>\n"), HasSubstr(":2: invalid pattern"));
  EXPECT_THAT(load_error("Go\tGolang\n\tmatch=\\<(Go)[\\>]\n"), HasSubstr(":2: \\< and \\> are word boundaries"));
  EXPECT_THAT(load_error("Go\tGolang\n\tnot=[^\\<]x\n"), HasSubstr(":2: \\< and \\> are word boundaries"));
  // Escaped, or after a class has closed (']' first in a class is a member), they are boundaries.
  EXPECT_EQ(load_error("Go\tGolang\n\tmatch=[]a]\\<(Go)\\>\n\tnot=[[:alpha:]\\]]\\\\<\n"), "");
  const DictionaryFile dictionary("Go\tGolang\n\tcase=sensitive\n\tmatch=[]x]?\\<(Go)\\>\n");
  const KeywordMatcher matcher = KeywordMatcher::from_file(dictionary.path());
  EXPECT_THAT(matcher.match("x Go here"), ElementsAre("go"));
  EXPECT_THAT(matcher.match("xGo here"), IsEmpty());
}

TEST(KeywordMatcher, RejectsMalformedEntries) {
  EXPECT_THAT(load_error("\tcase=sensitive\n"), HasSubstr(":1: option line before any keyword"));
  EXPECT_THAT(load_error("Go\tGo\n\tcolour=blue\n"), HasSubstr(":2: unknown option 'colour'"));
  EXPECT_THAT(load_error("Go\tGo\nGo\tGolang\n"), HasSubstr(":2: duplicate keyword 'Go'"));
  EXPECT_THAT(load_error("Go\n"), HasSubstr(":1: keyword 'Go' has no alias"));
  EXPECT_THAT(load_error("Go\tGo,,Golang\n"), HasSubstr(":1: empty alias"));
  EXPECT_THAT(load_error("Go\tGo\n\tcase=maybe\n"), HasSubstr(":2: case= takes"));
  EXPECT_THAT(load_error("C++\tC++\nC\tC\n"), HasSubstr(":2: duplicate slug 'c'"));
  EXPECT_THAT(load_error("C++\tC++\n\tslug=C_PP\n"), HasSubstr(":1: keyword 'C++' needs a slug="));
  EXPECT_THAT(load_error("[Data Bases]\nGo\tGo\n"), HasSubstr(":1: group 'Data Bases'"));
}

TEST(KeywordMatcher, ReadsGroupsAndSlugsOfACustomDictionary) {
  DictionaryFile file("Plain\tplain\n[databases]\nPostgre SQL\tpg\nC++\tC++\n\tslug=cpp\n");
  const KeywordMatcher custom = KeywordMatcher::from_file(file.path());
  ASSERT_EQ(custom.keywords().size(), 3u);
  EXPECT_EQ(custom.keywords()[0].group, "other");
  EXPECT_EQ(custom.keywords()[1].slug, "postgre-sql");
  EXPECT_EQ(custom.keywords()[1].group, "databases");
  EXPECT_EQ(custom.keywords()[2].slug, "cpp");
  EXPECT_EQ(custom.keywords()[2].name, "C++");
}

TEST(KeywordMatcher, RejectsAMissingFile) {
  EXPECT_THROW((void)KeywordMatcher::from_file("/nonexistent/keywords.tsv"), std::runtime_error);
}

// Reading stops past 16 MiB: /dev/zero (or a runaway file) named as the dictionary is an
// error naming the path, not a process filling its memory.
TEST(KeywordMatcher, RejectsAFileThatNeverEnds) {
  try {
    (void)read_keyword_dictionary("/dev/zero");
    FAIL() << "/dev/zero was read as a dictionary";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/zero: cannot read keyword dictionary");
  }
  EXPECT_THROW((void)read_keyword_dictionary("/"), std::runtime_error) << "a folder";
}

TEST(KeywordMatcher, HonoursCaseSensitivityAndGuardsOfACustomDictionary) {
  DictionaryFile file(
      "Widget\twidget, gizmo\n"
      "Acme\tACME\n\tcase=sensitive\n\tnot=ACME\\s+Corp\n"
      "Plus\tX++\n");
  const KeywordMatcher custom = KeywordMatcher::from_file(file.path());
  EXPECT_EQ(custom.size(), 3u);
  EXPECT_THAT(custom.match("A GIZMO by ACME"), ElementsAre("widget", "acme"));
  EXPECT_THAT(custom.match("acme widgets"), IsEmpty());            // case, and "widgets" is another word
  EXPECT_THAT(custom.match("ACME Corp and X++ fans"), ElementsAre("plus"));
  EXPECT_THAT(custom.match("ACME Corp, then ACME again"), ElementsAre("acme"));  // one unguarded hit
}

// Under (?i), RE2 folds the Kelvin and Angstrom signs of the non-word class into "k" and "å":
// a boundary must not turn those letters into word edges.
TEST(KeywordMatcher, CaseInsensitivePatternsKeepKAndAWithRingAsWordCharacters) {
  DictionaryFile file("Loop\tloop\n\tmatch=(?i)\\<(oop)\\>\nAgile\tagile\n");
  const KeywordMatcher custom = KeywordMatcher::from_file(file.path());
  EXPECT_THAT(custom.match("Kaartverkoop en internetverkoop"), IsEmpty());
  EXPECT_THAT(custom.match("Kagile, \xC3\xA5" "agile"), IsEmpty());
  EXPECT_THAT(custom.match("OOP and Agile"), ElementsAre("loop", "agile"));
}

// A labelled file: "text<TAB>Keyword, Keyword" (display names; empty: nothing to find).
struct Scores {
  std::size_t sentences = 0, true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision() const { return static_cast<double>(true_positives) / static_cast<double>(true_positives + false_positives); }
  double recall() const { return static_cast<double>(true_positives) / static_cast<double>(true_positives + false_negatives); }
};

Scores score_file(const std::string& name) {
  Scores scores;
  std::ifstream in(std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / name);
  EXPECT_TRUE(in) << "missing " << name;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    EXPECT_NE(tab, std::string::npos) << name << " line " << line_number << " has no TAB";
    if (tab == std::string::npos) continue;
    std::vector<std::string> names;
    std::stringstream labels(line.substr(tab + 1));
    for (std::string label; std::getline(labels, label, ',');) {
      label.erase(0, label.find_first_not_of(' '));
      label.erase(label.find_last_not_of(' ') + 1);
      if (!label.empty()) names.push_back(label);
    }
    const std::vector<std::string> expected_slugs = slugs(names);
    const std::set<std::string> expected(expected_slugs.begin(), expected_slugs.end());
    const std::vector<std::string> found = matcher().match(line.substr(0, tab));
    for (const std::string& keyword : found) {
      if (expected.count(keyword)) {
        ++scores.true_positives;
      } else {
        ++scores.false_positives;
        std::cout << "  " << name << ":" << line_number << ": unexpected " << keyword << "\n";
      }
    }
    for (const std::string& keyword : expected) {
      if (std::find(found.begin(), found.end(), keyword) == found.end()) {
        ++scores.false_negatives;
        std::cout << "  " << name << ":" << line_number << ": missed " << keyword << "\n";
      }
    }
    ++scores.sentences;
  }
  std::cout << name << ": " << scores.sentences << " sentences, " << scores.true_positives << " TP, "
            << scores.false_positives << " FP, " << scores.false_negatives << " FN; precision " << scores.precision()
            << ", recall " << scores.recall() << "\n";
  return scores;
}

// The tuning set and the held-out batch (written before the dictionary was tuned) together
// hold 800+ sentences; each must reach the targets on its own.
TEST(KeywordMatcher, ReachesPrecisionAndRecallOnTheLabelledSet) {
  const Scores scores = score_file("keywords_labelled.tsv");
  EXPECT_GE(scores.sentences, 500u);
  EXPECT_GE(scores.precision(), 0.98);
  EXPECT_GE(scores.recall(), 0.95);
}

TEST(KeywordMatcher, ReachesPrecisionAndRecallOnTheHeldOutSet) {
  const Scores scores = score_file("keywords_heldout.tsv");
  EXPECT_GE(scores.sentences, 290u);
  EXPECT_GE(scores.precision(), 0.98);
  EXPECT_GE(scores.recall(), 0.95);
}

}  // namespace
}  // namespace rssflow
