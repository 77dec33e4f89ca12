#include "transforms/strip_html.h"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "transforms/html_entities.h"

namespace rssflow {
namespace {

struct Case {
  const char* name;
  std::string_view input;
  std::string_view expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class StripHtml : public testing::TestWithParam<Case> {};

TEST_P(StripHtml, ProducesReadablePlainText) {
  EXPECT_EQ(strip_html(GetParam().input), GetParam().expected);
}

// Snippets marked "real" are copied (XML-unescaped once, as the feed parser hands them over)
// from tests/data/realworld.
INSTANTIATE_TEST_SUITE_P(
    Cases, StripHtml,
    testing::Values(
        Case{"plain text passes through", "Hello, world.", "Hello, world."},
        Case{"empty input", "", ""},
        Case{"inline tags vanish without spaces", "<b>Bold</b><i>Italic</i> and <a href='x'>link</a>",
             "BoldItalic and link"},
        Case{"uppercase and self-closing tags", "one<BR/>two<Br >three", "one\ntwo\nthree"},
        Case{"paragraphs become one blank line", "<p>First</p><p>Second</p>\n\n<p></p><p>Third</p>",
             "First\n\nSecond\n\nThird"},
        Case{"headings and divs", "<h1>Title</h1><div>a</div><div>b</div>", "Title\n\na\nb"},
        Case{"lists one line per item", "<p>Intro:</p><ul><li>one</li><li>two</li></ul><p>End</p>",
             "Intro:\n\none\ntwo\n\nEnd"},
        Case{"nested lists stay compact", "<ol><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ol>",
             "a\na1\na2\nb"},
        Case{"table rows are lines and cells are spaced",
             "<table><tr><th>Name</th><th>Lang</th></tr><tr><td>rssflow</td><td>C++</td></tr></table>",
             "Name Lang\nrssflow C++"},
        Case{"hr blockquote figure figcaption",
             "a<hr>b<blockquote>quoted</blockquote><figure><img src=x alt='chart'><figcaption>Fig 1</figcaption></figure>",
             "a\n\nb\n\nquoted\n\nFig 1"},
        Case{"runs of whitespace fold", "  lots \t of\n\n  space\r\n here  ", "lots of space here"},
        Case{"blank lines fold to one", "a<br><br><br><br>b<p></p><p></p><p></p>c", "a\n\nb\n\nc"},
        Case{"pre keeps line breaks", "<pre>line 1\nline 2\r\n\n\n\nline 3</pre>after",
             "line 1\nline 2\n\nline 3\n\nafter"},
        Case{"script and style dropped with bodies",
             "a<script>if (a < b && c) { document.write('<p>x</p>') }</script>b<style>p>b{color:red}</style>c",
             "abc"},
        Case{"script end tag needs a delimiter", "<script>var s = '</scripty>';</script>ok", "ok"},
        Case{"noscript template iframe dropped",
             "<noscript><img src=pixel>Enable JS</noscript>x<template><p>hidden</p></template>y"
             "<iframe src=v>fallback</iframe>z",
             "xyz"},
        Case{"svg and video fallbacks hidden",
             "<svg viewBox='0 0 1 1'><title>icon</title><text>A</text></svg>Text"
             "<video src=v.mp4>Your browser does not support video.</video>",
             "Text"},
        Case{"comments dropped including tricky closers",
             "a<!-- <p>no</p> -->b<!---->c<!-->d<!-- x --!>e<!-- unterminated", "abcde"},
        Case{"cdata and processing instructions dropped",
             "<?xml version=\"1.0\"?><!DOCTYPE html>a<![CDATA[ <b>raw</b> ]]>b", "ab"},
        Case{"quoted attribute may hold a greater-than sign",
             "<a title=\"x > y\" href='a>b'>link</a> text", "link text"},
        Case{"lone less-than signs are text", "a < b and 3<4 <3 <", "a < b and 3<4 <3 <"},
        Case{"bogus end tags dropped", "a</ b>c</>d", "acd"},
        Case{"unterminated tag at end dropped", "text<a href=\"x", "text"},
        Case{"images never contribute text",
             "Before<img src=\"logo.png\" alt=\"Company logo\">After", "BeforeAfter"},
        Case{"real: feedburner tracking pixel",
             "The Dow Jones industrial average missed the 20,000 mark by a fraction of a point on "
             "Friday.<img src=\"http://feeds.feedburner.com/~r/bnbusiness/~4/3vYjBEhj44k\" "
             "height=\"1\" width=\"1\" alt=\"\"/>",
             "The Dow Jones industrial average missed the 20,000 mark by a fraction of a point on Friday."},
        Case{"real: twitter embed script (The Verge)",
             "<blockquote class=\"twitter-tweet\"><p>Live on <a href=\"https://twitter.com/Twitter\">"
             "@Twitter</a> here!</p>— The Verge (@verge) <a href=\"https://twitter.com/verge/status/"
             "817554294232616960\">January 7, 2017</a>\n</blockquote>\n<script async "
             "src=\"//platform.twitter.com/widgets.js\" charset=\"utf-8\"></script>\n<p>The week is "
             "drawing to a close.</p>",
             "Live on @Twitter here!\n\n— The Verge (@verge) January 7, 2017\n\nThe week is drawing to a close."},
        Case{"real: double-escaped ampersand decodes one level (russcox)",
             "<li><a name=note2></a>\nRuss Cox, “Go &amp; Versioning,” February 2018.",
             "Russ Cox, “Go & Versioning,” February 2018."},
        Case{"double escaping is decoded exactly once", "&amp;amp; &amp;lt;b&amp;gt;", "&amp; &lt;b&gt;"},
        Case{"escaped markup stays text", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
        Case{"named entities from the full table", "&eacute;&hellip;&rarr;&NotNestedGreaterGreater;&fjlig;",
             "é…→⪢̸fj"},
        Case{"legacy entities without semicolon", "&copy 2024 &ampx AT&T R&D &notit; &eacutex",
             "© 2024 &x AT&T R&D ¬it; éx"},
        Case{"unknown entities stay literal", "&bogus; & &; &#; &#x; &#xZZ;", "&bogus; & &; &#; &#x; &#xZZ;"},
        Case{"numeric references", "&#65;&#x42;&#X43;&#0100; &#x1F600;&#128512", "ABCd 😀😀"},
        Case{"invalid numeric references become U+FFFD", "&#0;&#xD800;&#x110000;&#99999999999999;",
             "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        Case{"C1 numeric references read as windows-1252", "&#150;&#x93;quote&#148; &#128;5 &#153;",
             "–“quote” €5 ™"},
        Case{"nbsp and typographic spaces fold", "a&nbsp;&nbsp;b\u2003\u3000c\xC2\xA0" "d", "a b c d"},
        Case{"soft hyphen and zero-width space vanish", "Kuber&shy;netes\u200B and \xEF\xBB\xBF" "Docker",
             "Kubernetes and Docker"},
        Case{"controls removed", std::string_view("a\x01" "b\x7F" "c\0d", 7), "abcd"},
        Case{"invalid UTF-8 replaced", "caf\xE9 \xC0\xAF \xED\xA0\x80 ok \xF0\x9F\x98",
             "caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD ok \xEF\xBF\xBD"},
        Case{"multilingual text preserved", "<p>日本語のテキスト</p><p>Ελληνικά — עברית</p>",
             "日本語のテキスト\n\nΕλληνικά — עברית"},
        Case{"head of a full document is hidden",
             "<html><head><title>Doc</title><meta charset=utf-8></head><body><p>Body</p></body></html>", "Body"},
        Case{"trims leading and trailing breaks", "<p><br></p>  <div>x</div><p>&nbsp;</p>", "x"}),
    [](const testing::TestParamInfo<Case>& info) {
      std::string name;
      for (const char* p = info.param.name; *p; ++p) name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
      return name;
    });

struct TruncateCase {
  const char* name;
  std::string_view text;
  std::size_t max_bytes;
  std::string_view expected;
};

void PrintTo(const TruncateCase& c, std::ostream* os) { *os << c.name; }

class TruncateAtWord : public testing::TestWithParam<TruncateCase> {};

TEST_P(TruncateAtWord, CutsAtAWordBoundary) {
  const std::string out = truncate_at_word(GetParam().text, GetParam().max_bytes);
  EXPECT_EQ(out, GetParam().expected);
  EXPECT_LE(out.size(), GetParam().max_bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TruncateAtWord,
    testing::Values(TruncateCase{"fits unchanged", "short text", 10, "short text"},
                    TruncateCase{"cuts before a partial word", "The quick brown fox jumps", 16, "The quick…"},
                    TruncateCase{"keeps a word that ends at the cut", "The quick brown fox", 18, "The quick brown…"},
                    TruncateCase{"drops trailing spaces before the ellipsis", "one two   three four", 13, "one two…"},
                    TruncateCase{"never splits a code point", "日本語のテキストです", 14, "日本語…"},
                    TruncateCase{"long word falls back to code point boundary",
                                 "https://example.com/a/very/long/path", 20, "https://example.c…"},
                    TruncateCase{"too small for the ellipsis", "abcdef", 2, ""},
                    TruncateCase{"emoji not split", "ab 😀😀😀", 11, "ab 😀…"}));

TEST(HtmlEntities, TableHoldsTheWhatwgList) {
  EXPECT_EQ(named_reference_count(), 2231u);
  EXPECT_EQ(find_named_reference("amp;").value_or(""), "&");
  EXPECT_EQ(find_named_reference("amp").value_or(""), "&");
  EXPECT_FALSE(find_named_reference("hellip").has_value());  // requires ';'
  EXPECT_EQ(find_named_reference("CounterClockwiseContourIntegral;").value_or(""), "∳");
}

TEST(DecodeEntities, DecodesReferencesAndNothingElse) {
  EXPECT_EQ(decode_entities("Tom &amp; Jerry &lt;b&gt; <i>kept</i>  two  spaces"),
            "Tom & Jerry <b> <i>kept</i>  two  spaces");
  EXPECT_EQ(decode_entities("AT&T &#8220;quoted&#8221; &nosuch;"), "AT&T “quoted” &nosuch;");
  EXPECT_EQ(decode_entities("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(decode_entities(std::string_view("nul\0!", 5)), "nul\xEF\xBF\xBD!");
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int length = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                     : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (length == 0 || i + length > s.size()) return false;
    for (int k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

// Every real feed, fed whole as if it were one HTML fragment, must come out clean.
TEST(StripHtml, RealWorldFeedsComeOutAsCleanText) {
  std::size_t files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / "realworld")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = strip_html(decode_entities(buffer.str()));
    SCOPED_TRACE(entry.path().filename().string());
    EXPECT_TRUE(is_valid_utf8(text));
    EXPECT_EQ(text.find("  "), std::string::npos);
    EXPECT_EQ(text.find("\n\n\n"), std::string::npos);
    EXPECT_EQ(text.find(" \n"), std::string::npos);
    if (!text.empty()) {
      EXPECT_NE(text.front(), ' ');
      EXPECT_NE(text.back(), '\n');
    }
    ++files;
  }
  EXPECT_GT(files, 300u);
}

}  // namespace
}  // namespace rssflow
