#include "transforms/json_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace rssflow {
namespace {

using namespace std::chrono_literals;
using nlohmann::ordered_json;

Article sample_article() {
  Article a;
  a.url = "https://www.debian.org/security/2024/dsa-5600";
  a.guid = "https://www.debian.org/security/2024/dsa-5600";
  a.title = "DSA-5600-1 php-phpseclib - security update";
  a.author = "Debian Security Team";
  a.published_at = Instant{std::chrono::sys_days{std::chrono::year{2024} / 1 / 15}} + 9h + 30min + 5s;
  a.summary = "Multiple vulnerabilities were discovered in phpseclib…";
  a.content_text = "Multiple vulnerabilities were discovered in phpseclib, a PHP library.\nUpgrade now.";
  a.keywords = {"security", "php"};
  a.categories = {"DSA", "php"};
  a.feed_url = "https://www.debian.org/security/dsa";
  a.url_hash = xxh3_128(a.url);
  a.content_hash = xxh3_128(a.title + "\n" + a.content_text);
  a.fetched_at = Instant{std::chrono::sys_days{std::chrono::year{2024} / 1 / 16}};
  return a;
}

std::string line_of(const Article& a) {
  std::string out;
  append_json_line(out, a);
  return out;
}

TEST(JsonRecord, WritesEveryContractFieldInColumnOrder) {
  const Article a = sample_article();
  const std::string line = line_of(a);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";

  const ordered_json j = ordered_json::parse(line);
  std::vector<std::string> names;
  for (const auto& item : j.items()) names.push_back(item.key());
  const std::vector<std::string> expected = {"url",      "guid",       "title",    "author",      "published_at",
                                             "summary",  "content_text", "keywords", "categories", "feed_url",
                                             "url_hash", "content_hash", "fetched_at", "duplicate_of",
                                             "enclosures", "image_url", "language"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(j["url"], a.url);
  EXPECT_EQ(j["title"], a.title);
  EXPECT_EQ(j["author"], "Debian Security Team");
  EXPECT_EQ(j["published_at"], "2024-01-15T09:30:05Z");
  EXPECT_EQ(j["fetched_at"], "2024-01-16T00:00:00Z");
  EXPECT_EQ(j["summary"], a.summary);
  EXPECT_EQ(j["content_text"], a.content_text);
  EXPECT_EQ(j["keywords"], ordered_json::array({"security", "php"}));
  EXPECT_EQ(j["categories"], ordered_json::array({"DSA", "php"}));
  EXPECT_EQ(j["url_hash"], xxh3_128(a.url).hex());
  EXPECT_EQ(j["content_hash"].get<std::string>().size(), 32u);
  EXPECT_TRUE(j["duplicate_of"].is_null());
  EXPECT_EQ(j["enclosures"], ordered_json::array());
  EXPECT_TRUE(j["image_url"].is_null());
  EXPECT_TRUE(j["language"].is_null());
}

TEST(JsonRecord, WritesEnclosuresImageAndLanguage) {
  Article a = sample_article();
  a.enclosures = {Enclosure{"https://cdn.example/ep1.mp3", "audio/mpeg", 12345678},
                  Enclosure{"https://cdn.example/\"quoted\".png", std::nullopt, std::nullopt}};
  a.image_url = "https://cdn.example/cover.jpg";
  a.language = "pl";
  const ordered_json j = ordered_json::parse(line_of(a));
  ASSERT_EQ(j["enclosures"].size(), 2u);
  EXPECT_EQ(j["enclosures"][0]["url"], "https://cdn.example/ep1.mp3");
  EXPECT_EQ(j["enclosures"][0]["type"], "audio/mpeg");
  EXPECT_EQ(j["enclosures"][0]["length"], 12345678);
  EXPECT_EQ(j["enclosures"][1]["url"], "https://cdn.example/\"quoted\".png");
  EXPECT_TRUE(j["enclosures"][1]["type"].is_null());
  EXPECT_TRUE(j["enclosures"][1]["length"].is_null());
  EXPECT_EQ(j["image_url"], "https://cdn.example/cover.jpg");
  EXPECT_EQ(j["language"], "pl");
}

TEST(JsonRecord, WritesNullForAbsentOptionalFields) {
  Article a = sample_article();
  a.author.reset();
  a.published_at.reset();
  a.keywords.clear();
  a.categories.clear();
  a.duplicate_of = xxh3_128("https://first.example/");
  const ordered_json j = ordered_json::parse(line_of(a));
  EXPECT_TRUE(j["author"].is_null());
  EXPECT_TRUE(j["published_at"].is_null());
  EXPECT_EQ(j["keywords"], ordered_json::array());
  EXPECT_EQ(j["categories"], ordered_json::array());
  EXPECT_EQ(j["duplicate_of"], xxh3_128("https://first.example/").hex());
}

TEST(JsonRecord, EscapesNastyTextIntoValidJson) {
  struct Case {
    std::string input;
    std::string decoded;  // what a JSON parser must read back
  };
  using namespace std::string_literals;
  const std::vector<Case> cases = {
      {"say \"hi\"", "say \"hi\""},
      {"C:\\path\\file", "C:\\path\\file"},
      {"nul\0byte"s, "nul\0byte"s},
      {"bell\x07 esc\x1b tab\t cr\r lf\n", "bell\x07 esc\x1b tab\t cr\r lf\n"},
      {"line\xE2\x80\xA8sep\xE2\x80\xA9para", "line\u2028sep\u2029para"},
      {"lone continuation \x80 byte", "lone continuation \uFFFD byte"},
      {"truncated \xE2\x82", "truncated \uFFFD"},
      {"overlong \xC0\xAF slash", "overlong \uFFFD\uFFFD slash"},
      {"surrogate \xED\xA0\x80 half", "surrogate \uFFFD\uFFFD\uFFFD half"},
      {"beyond \xF5\x80\x80\x80 max", "beyond \uFFFD\uFFFD\uFFFD\uFFFD max"},
      {"latin-1 caf\xE9!", "latin-1 caf\uFFFD!"},
      {"emoji \xF0\x9F\x93\xB0 and \xC3\xA9", "emoji \U0001F4F0 and \u00E9"},
      {"</script><!--", "</script><!--"},
      {"", ""},
  };
  for (const auto& c : cases) {
    Article a = sample_article();
    a.title = c.input;
    a.keywords = {c.input};
    a.author = c.input;
    const std::string line = line_of(a);
    ordered_json j;
    ASSERT_NO_THROW(j = ordered_json::parse(line)) << line;
    EXPECT_EQ(j["title"].get<std::string>(), c.decoded) << line;
    EXPECT_EQ(j["keywords"][0].get<std::string>(), c.decoded);
    EXPECT_EQ(j["author"].get<std::string>(), c.decoded);
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "no raw line break inside the record";
  }
}

TEST(JsonRecord, EscapesJavaScriptLineTerminatorsAndControlsLiterally) {
  std::string out;
  append_json_string(out, std::string("a\xE2\x80\xA8" "b\x01" "c\"d\\", 10));
  EXPECT_EQ(out, R"("a\u2028b\u0001c\"d\\")");
}

TEST(JsonRecord, RandomBytesAlwaysGiveParseableJson) {
  std::mt19937 rng(20240501);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 64);
  for (int round = 0; round < 2000; ++round) {
    std::string text(static_cast<std::size_t>(length(rng)), '\0');
    for (char& c : text) c = static_cast<char>(byte(rng));
    Article a = sample_article();
    a.content_text = text;
    a.categories = {text, text};
    const std::string line = line_of(a);
    ASSERT_TRUE(ordered_json::accept(line)) << "round " << round;
  }
}

TEST(JsonRecord, ValidUtf8RoundTripsByteForByte) {
  const std::string text = "Größe 東京 ☃ 𝄞 \x7F del";
  std::string out;
  append_json_string(out, text);
  EXPECT_EQ(ordered_json::parse(out).get<std::string>(), text);
}

}  // namespace
}  // namespace rssflow
