#include "sources/encoding.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace rssflow {
namespace {

const std::filesystem::path kRealworld = std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / "realworld";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

std::string utf16be(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back('\0');
    out.push_back(c);
  }
  return out;
}

TEST(CharsetFromContentType, ReadsTheParameterLowerCaseAndUnquoted) {
  EXPECT_EQ(charset_from_content_type("text/xml; charset=ISO-8859-1"), "iso-8859-1");
  EXPECT_EQ(charset_from_content_type("application/rss+xml;charset=\"UTF-8\""), "utf-8");
  EXPECT_EQ(charset_from_content_type("text/xml; Charset='koi8-r'; q=1"), "koi8-r");
  EXPECT_EQ(charset_from_content_type("application/xml"), std::nullopt);
  EXPECT_EQ(charset_from_content_type("text/xml; charset="), std::nullopt);
}

TEST(DeclaredXmlEncoding, ReadsTheDeclarationEvenAfterLeadingJunk) {
  EXPECT_EQ(declared_xml_encoding("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss/>"), "shift_jis");
  EXPECT_EQ(declared_xml_encoding("\n\n  <?xml version='1.0' encoding = 'windows-1251' ?>"), "windows-1251");
  EXPECT_EQ(declared_xml_encoding("<?xml version=\"1.0\"?><rss/>"), std::nullopt);
  EXPECT_EQ(declared_xml_encoding("<rss/>"), std::nullopt);
  EXPECT_EQ(declared_xml_encoding("<?xml version=\"1.0\" encoding=\"utf-8"), std::nullopt);
}

TEST(IsValidUtf8, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));             // Latin-1
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));            // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));        // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));    // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("abc\xE2\x82"));         // cut short
}

TEST(ConvertToUtf8, ConvertsLegacyCharsetsThroughIconv) {
  struct Case {
    const char* charset;
    std::string bytes;
    std::string utf8;
  };
  const Case cases[] = {
      {"iso-8859-1", "caf\xE9", "caf\xC3\xA9"},
      {"windows-1252", "\x93quoted\x94 \x80", "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC"},
      {"iso-8859-1", "\x93x\x94", "\xE2\x80\x9Cx\xE2\x80\x9D"},  // read as windows-1252, like browsers
      {"us-ascii", "a\x92s", "a\xE2\x80\x99s"},
      {"iso-8859-2", "\xB1", "\xC4\x85"},                          // ą
      {"koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},  // Привет
      {"windows-1251", "\xCF\xF0\xE8", "\xD0\x9F\xD1\x80\xD0\xB8"},  // При
      {"shift_jis", "\x82\xA0", "\xE3\x81\x82"},                   // あ
      {"Shift_JIS", "\x81\x60", "\xE3\x80\x9C"},                   // 〜 (JIS mapping, as Python)
      {"Shift_JIS", "\x87\x40\x81\x60", "\xE2\x91\xA0\xEF\xBD\x9E"},   // ①～: CP932 extension, CP932 mapping
      {"euc-jp", "\xA4\xA2", "\xE3\x81\x82"},                      // あ
      {"gb2312", "\xC4\xE3\xBA\xC3", "\xE4\xBD\xA0\xE5\xA5\xBD"},  // 你好 (read as GB18030)
      {"big5", "\xA7\x41", "\xE4\xBD\xA0"},                        // 你
      {"euc-kr", "\xC7\xD1", "\xED\x95\x9C"},                      // 한
      {"tis-620", "\xA1", "\xE0\xB8\x81"},                         // ก
      {"utf-8", "caf\xC3\xA9", "caf\xC3\xA9"},
  };
  for (const auto& c : cases) EXPECT_EQ(convert_to_utf8(c.bytes, c.charset), c.utf8) << c.charset;
}

TEST(ConvertToUtf8, FailsOnUnknownCharsetsAndInvalidBytes) {
  EXPECT_EQ(convert_to_utf8("abc", "no-such-charset"), std::nullopt);
  EXPECT_EQ(convert_to_utf8("caf\xE9", "utf-8"), std::nullopt);
  EXPECT_EQ(convert_to_utf8("\x82", "shift_jis"), std::nullopt);  // lead byte without trail
}

TEST(DecodeDocument, ByteOrderMarkWinsOverEverything) {
  const std::string doc = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>caf\xC3\xA9</a>";
  const Utf8Document decoded = decode_document(doc, "text/xml; charset=koi8-r");
  EXPECT_EQ(decoded.charset, "utf-8");
  EXPECT_EQ(decoded.text.substr(0, 5), "<?xml");
  EXPECT_NE(decoded.text.find("caf\xC3\xA9"), std::string::npos);

  const Utf8Document le = decode_document("\xFF\xFE" + utf16le("<a>x</a>"), std::nullopt);
  EXPECT_EQ(le.charset, "utf-16le");
  EXPECT_EQ(le.text, "<a>x</a>");
  const Utf8Document be = decode_document("\xFE\xFF" + utf16be("<a>x</a>"), std::nullopt);
  EXPECT_EQ(be.text, "<a>x</a>");
  EXPECT_TRUE(be.repairs.empty());
}

TEST(DecodeDocument, SniffsUtf16AndUtf32WithoutByteOrderMark) {
  const Utf8Document le = decode_document(utf16le("<?xml version=\"1.0\"?><rss/>"), std::nullopt);
  EXPECT_EQ(le.text, "<?xml version=\"1.0\"?><rss/>");
  EXPECT_EQ(le.repairs.size(), 1u);
  EXPECT_EQ(decode_document(utf16be("<rss/>"), std::nullopt).text, "<rss/>");
  std::string utf32le;
  for (char c : std::string_view("<rss/>")) utf32le += std::string(1, c) + std::string(3, '\0');
  EXPECT_EQ(decode_document(utf32le, std::nullopt).text, "<rss/>");
}

TEST(DecodeDocument, HttpCharsetBeatsTheDeclarationForXmlMediaTypes) {
  const std::string doc = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xF0\xD2\xC9</a>";
  EXPECT_EQ(decode_document(doc, "application/rss+xml; charset=koi8-r").charset, "koi8-r");
  EXPECT_EQ(decode_document(doc, "text/xml; charset=KOI8-R").charset, "koi8-r");
  // Not an XML or text media type: its charset is not evidence (feedparser, RFC 3023).
  EXPECT_EQ(decode_document(doc, "application/octet-stream; charset=koi8-r").charset, "windows-1252");
  EXPECT_EQ(decode_document(doc, std::nullopt).charset, "windows-1252");
}

TEST(DecodeDocument, FallsBackWhenBytesAreNotWhatTheyClaim) {
  // Declared (and defaulted) UTF-8, bytes are Latin-1: windows-1252, with a repair note.
  const Utf8Document latin = decode_document("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xE9</a>", std::nullopt);
  EXPECT_EQ(latin.charset, "windows-1252");
  EXPECT_NE(latin.text.find("caf\xC3\xA9"), std::string::npos);
  ASSERT_EQ(latin.repairs.size(), 1u);
  EXPECT_NE(latin.repairs[0].find("utf-8"), std::string::npos);

  // HTTP says UTF-8, bytes are what the declaration says.
  const Utf8Document declared =
      decode_document("<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>\xCF</a>", "text/xml; charset=utf-8");
  EXPECT_EQ(declared.charset, "windows-1251");
  EXPECT_EQ(declared.repairs.size(), 1u);

  // Declared Latin-1 but the bytes are valid multi-byte UTF-8: read as UTF-8.
  const Utf8Document mislabelled = decode_document("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xC3\xA9</a>", std::nullopt);
  EXPECT_EQ(mislabelled.charset, "utf-8");
  EXPECT_NE(mislabelled.text.find("caf\xC3\xA9"), std::string::npos);

  // An unknown charset name: UTF-8 when valid.
  const Utf8Document unknown = decode_document("<?xml version=\"1.0\" encoding=\"invalid\"?><a/>", std::nullopt);
  EXPECT_EQ(unknown.charset, "utf-8");
  EXPECT_EQ(unknown.repairs.size(), 1u);
}

TEST(DecodeDocument, IgnoresAUtf16LabelOnAsciiCompatibleBytes) {
  const Utf8Document decoded = decode_document("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>x</a>", std::nullopt);
  EXPECT_EQ(decoded.charset, "utf-8");
  EXPECT_EQ(decoded.text, "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>x</a>");
}

TEST(RepairDoubleEncodedUtf8, UndoesLatin1AndWindows1252Mojibake) {
  std::string latin = "Caf\xC3\x83\xC2\xA9";  // "CafÃ©"
  EXPECT_TRUE(repair_double_encoded_utf8(latin));
  EXPECT_EQ(latin, "Caf\xC3\xA9");
  std::string cp1252 = "don\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2t";  // "donâ€™t"
  EXPECT_TRUE(repair_double_encoded_utf8(cp1252));
  EXPECT_EQ(cp1252, "don\xE2\x80\x99t");
}

TEST(RepairDoubleEncodedUtf8, LeavesCorrectTextAlone) {
  for (std::string text : {std::string("plain"), std::string("Caf\xC3\xA9"), std::string("\xE3\x81\x82"),
                           std::string("na\xC3\xAFve \xC3\xA9t\xC3\xA9")}) {
    const std::string before = text;
    EXPECT_FALSE(repair_double_encoded_utf8(text)) << before;
    EXPECT_EQ(text, before);
  }
}

// Every chardet sample declares its real charset: decoding must use it and produce clean UTF-8.
TEST(DecodeDocument, DecodesEveryLegacyCharsetSampleOfTheCorpus) {
  int files = 0;
  for (const auto& item : std::filesystem::directory_iterator(kRealworld)) {
    const std::string name = item.path().filename().string();
    if (!name.starts_with("chardet__")) continue;
    ++files;
    const std::string bytes = read_file(item.path());
    const Utf8Document decoded = decode_document(bytes, std::nullopt);
    EXPECT_TRUE(is_valid_utf8(decoded.text)) << name;
    EXPECT_EQ(decoded.text.find("\xEF\xBF\xBD"), std::string::npos) << name;  // no U+FFFD
    const auto declared = declared_xml_encoding(bytes);
    ASSERT_TRUE(declared) << name;
    if (*declared != "iso-8859-1") {
      EXPECT_TRUE(decoded.repairs.empty()) << name << ": " << (decoded.repairs.empty() ? "" : decoded.repairs.front());
    }
  }
  EXPECT_EQ(files, 45);
}

TEST(DecodeDocument, DecodesKnownTitlesOfRealFeeds) {
  struct Case {
    const char* file;
    const char* title;
  };
  const Case cases[] = {
      {"chardet__chardet__tests_CP932_y-moto.com.xml", "BD-1で楽々通勤～BD-wonderful"},
      {"chardet__chardet__tests_KOI8-R_aviaport.ru.xml", "АвиаПорт.Ru"},
      {"chardet__chardet__tests_EUC-KR_chisato.info.xml", "황우석, 그리고 피디수첩 - 시일야방성대곡(是日也放聲大哭)"},
      {"chardet__chardet__tests_TIS-620_opentle.org.xml", "LinuxSIS 5.0 Beta เปิดให้ Download แล้ว"},
      {"chardet__chardet__tests_EUC-JP_arclamp.jp.xml", "arclamp.jp アークランプ"},
      {"chardet__chardet__tests_GB2312_cnblog.org.xml", "Picostation的PicoBlogger是 一个能让S"},
      {"chardet__chardet__tests_iso-8859-7-greek_disabled.gr.xml", "Ζητείται βοηθός νοσοκόμα"},
  };
  for (const auto& c : cases) {
    const Utf8Document decoded = decode_document(read_file(kRealworld / c.file), std::nullopt);
    EXPECT_NE(decoded.text.find(std::string("<title>") + c.title), std::string::npos) << c.file;
  }
}

}  // namespace
}  // namespace rssflow
