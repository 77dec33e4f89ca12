#include "transforms/keyword_tokens.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rssflow {
namespace {

std::vector<KeywordToken> tokens_of(std::string_view text) {
  std::vector<KeywordToken> out;
  tokenize_keywords(text, out);
  return out;
}

std::vector<std::string> texts_of(std::string_view text) {
  std::vector<std::string> out;
  for (const KeywordToken& t : tokens_of(text)) out.emplace_back(text.substr(t.begin, t.end - t.begin));
  return out;
}

TEST(KeywordTokens, SplitsWordsPunctuationAndSymbols) {
  EXPECT_EQ(texts_of("Vanilla JS,\tC++ and .NET — naïve café 🚀ok"),
            (std::vector<std::string>{"Vanilla", "JS", ",", "C", "+", "+", "and", ".", "NET", "—", "naïve", "café",
                                      "🚀", "ok"}));
  const auto tokens = tokens_of("a  b,c");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_TRUE(tokens[1].space_before);
  EXPECT_FALSE(tokens[2].space_before);
  EXPECT_TRUE(tokens_of("ascii")[0].ascii);
  EXPECT_FALSE(tokens_of("naïve")[0].ascii);
}

// The folded hash lower-cases ASCII letters only: every case spelling of a word folds alike
// (words of 1 to 20 bytes, across the eight-byte steps), while the neighbours of 'A'-'Z' in
// ASCII ('@', '[', '`', '{') and non-ASCII letters keep their own hashes.
TEST(KeywordTokens, FoldedHashesIgnoreAsciiCaseAndNothingElse) {
  const std::string word = "abcdefghijklmnopqrst";
  for (std::size_t length = 1; length <= word.size(); ++length) {
    const std::string lower = word.substr(0, length);
    std::string upper = lower, mixed = lower;
    for (std::size_t k = 0; k < length; ++k) {
      upper[k] = static_cast<char>(upper[k] - 'a' + 'A');
      if (k % 3 == 0) mixed[k] = upper[k];
    }
    const KeywordToken a = tokens_of(lower)[0], b = tokens_of(upper)[0], c = tokens_of(mixed)[0];
    EXPECT_EQ(a.folded_hash, b.folded_hash) << lower;
    EXPECT_EQ(a.folded_hash, c.folded_hash) << lower;
    EXPECT_NE(a.exact_hash, b.exact_hash) << lower;
    EXPECT_EQ(a.exact_hash, tokens_of(" " + lower + ",")[0].exact_hash) << "a token's hash is of its bytes alone";
  }
  EXPECT_NE(tokens_of("@")[0].folded_hash, tokens_of("`")[0].folded_hash);
  EXPECT_NE(tokens_of("[")[0].folded_hash, tokens_of("{")[0].folded_hash);
  EXPECT_NE(tokens_of("Über")[0].folded_hash, tokens_of("über")[0].folded_hash);
  EXPECT_EQ(tokens_of("ÜBER")[0].folded_hash, tokens_of("Über")[0].folded_hash);
  EXPECT_NE(tokens_of("ab")[0].folded_hash, tokens_of("abc")[0].folded_hash);
}

}  // namespace
}  // namespace rssflow
