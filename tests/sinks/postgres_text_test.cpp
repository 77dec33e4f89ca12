#include "sinks/postgres_text.h"

#include <gtest/gtest.h>

namespace rssflow {
namespace {

struct Case {
  std::string input;
  std::string expected;
  std::uint64_t nul_bytes;
  std::uint64_t replaced;
};

TEST(SanitizeText, KeepsValidTextAndRepairsEachKindOfBadByte) {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::vector<Case> cases = {
      {"plain ascii", "plain ascii", 0, 0},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 0, 0},
      {std::string("a\0b\0", 4), "ab", 2, 0},
      {"caf\xE9!", "caf" + fffd + "!", 0, 1},               // Latin-1 byte
      {"\xC0\xAF", fffd + fffd, 0, 2},                       // overlong lead bytes are never valid
      {"\xE0\x80\xAF", fffd + fffd + fffd, 0, 3},            // overlong 3-byte form
      {"\xED\xA0\x80", fffd + fffd + fffd, 0, 3},            // UTF-16 surrogate
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd, 0, 4}, // above U+10FFFF
      {"end \xE2\x82", "end " + fffd, 0, 1},                 // truncated sequence: one maximal subpart
      {"\xE2\x82x", fffd + "x", 0, 1},
      {"\x80\xBF", fffd + fffd, 0, 2},                       // stray continuation bytes
      {std::string("\xC3\0\xA9", 3), fffd + fffd, 1, 2},
  };
  for (const Case& c : cases) {
    std::string text = c.input;
    SanitizeStats stats;
    sanitize_text(text, stats);
    EXPECT_EQ(text, c.expected) << testing::PrintToString(c.input);
    EXPECT_EQ(stats.nul_bytes_removed, c.nul_bytes) << testing::PrintToString(c.input);
    EXPECT_EQ(stats.invalid_utf8_replaced, c.replaced) << testing::PrintToString(c.input);
  }
}

TEST(AppendCopyText, EscapesWhatCopyReadsSpeciallySanitisesAndKeepsUtf8AsItIs) {
  SanitizeStats stats;
  std::string out = "x";
  static const char kInput[] = "a\\b\tc\nd\re\x01" "f\x7F" "g\0h caf\xC3\xA9 \xFF" "z";
  append_copy_text(std::string_view(kInput, sizeof kInput - 1), out, stats);
  EXPECT_EQ(out, "xa\\\\b\\tc\\nd\\re\\001f\\177gh caf\xC3\xA9 \xEF\xBF\xBDz");
  EXPECT_EQ(stats.nul_bytes_removed, 1u);
  EXPECT_EQ(stats.invalid_utf8_replaced, 1u);
  std::string plain;
  append_copy_text("plain text", plain, stats);
  EXPECT_EQ(plain, "plain text");
}

TEST(TextArrayLiteral, QuotesEveryElementAndEscapesQuotesAndBackslashes) {
  std::vector<std::string> elements = {"a", "b c", "{x,y}", "say \"hi\"", "back\\slash", "NULL", ""};
  SanitizeStats stats;
  EXPECT_EQ(text_array_literal(elements, stats),
            R"({"a","b c","{x,y}","say \"hi\"","back\\slash","NULL",""})");
  std::vector<std::string> none;
  EXPECT_EQ(text_array_literal(none, stats), "{}");
}

}  // namespace
}  // namespace rssflow
