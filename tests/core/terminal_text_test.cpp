#include "core/terminal_text.h"

#include <gtest/gtest.h>

namespace rssflow {
namespace {

TEST(EscapeForTerminal, ShowsControlsAsEscapesAndKeepsPrintableUtf8) {
  const struct {
    std::string_view input;
    std::string_view expected;
  } cases[] = {
      {"Not Found", "Not Found"},
      {"\x1b]0;pwned\x07\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J"},
      {"two\r\nlines\tand\x7f", "two\\x0d\\x0alines\\x09and\\x7f"},
      {"C1 \xc2\x9b" "31m csi", "C1 \\u009b31m csi"},
      {"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\xb0", "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\xb0"},
      {"bad \xff\xc3 utf8 \xed\xa0\x80", "bad \\xff\\xc3 utf8 \\xed\\xa0\\x80"},
      {"back\\x1b slash", "back\\\\x1b slash"},
      {std::string_view("nul\0byte", 8), "nul\\x00byte"},
  };
  for (const auto& c : cases) EXPECT_EQ(escape_for_terminal(c.input), c.expected) << c.input;
}

}  // namespace
}  // namespace rssflow
