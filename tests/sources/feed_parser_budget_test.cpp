// parse_feed against ParseLimits: hostile shapes fail with their own reason or are cut, and
// no walk recurses with the input (the million-level documents below would overflow the 8 MiB
// stack of the test's main thread).
#include <gtest/gtest.h>

#include <string>

#include "sources/feed_parser.h"

namespace rssflow {
namespace {

const ParseInput kInput{"https://example.com/feed", "https://example.com/feed", std::nullopt};

std::string rss(const std::string& items, const std::string& root_attributes = "") {
  return "<rss version=\"2.0\"" + root_attributes + "><channel><title>t</title>" + items + "</channel></rss>";
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

ErrorCode failure(const Outcome<FeedDocument>& outcome) {
  const auto* error = std::get_if<StageError>(&outcome);
  EXPECT_NE(error, nullptr) << "expected a failure";
  return error ? error->code : ErrorCode::internal;
}

FeedDocument document(Outcome<FeedDocument> outcome) {
  if (const auto* error = std::get_if<StageError>(&outcome)) ADD_FAILURE() << error->describe();
  auto* doc = std::get_if<FeedDocument>(&outcome);
  return doc ? std::move(*doc) : FeedDocument{};
}

bool has_repair(const FeedDocument& doc, const std::string& needle) {
  for (const auto& repair : doc.repairs)
    if (repair.find(needle) != std::string::npos) return true;
  return false;
}

TEST(ParseFeedBudget, AMillionLevelsInADescriptionAreReadWithoutRecursionWhenTheBudgetAllowsThem) {
  const std::size_t n = 1'000'000;
  const std::string xml = rss("<item><title>deep</title><description>" + repeat("<b>", n) + "x" + repeat("</b>", n) +
                              "</description></item>");
  ParseLimits generous;
  generous.max_depth = 2 * n;
  generous.max_nodes = 2 * n;
  generous.max_field_bytes = 16u << 20;
  const FeedDocument doc = document(parse_feed(xml, kInput, generous));
  ASSERT_EQ(doc.entries.size(), 1u);
  ASSERT_TRUE(doc.entries[0].summary_html);
  EXPECT_EQ(doc.entries[0].summary_html->size(), 7 * n + 1);  // <b> ... x ... </b>, serialized back
}

TEST(ParseFeedBudget, DeepNestingFailsTooDeepInATitleADescriptionAndAtTheRoot) {
  const std::size_t n = 200'000;
  const std::string deep = repeat("<b>", n) + "x" + repeat("</b>", n);
  EXPECT_EQ(failure(parse_feed(rss("<item><title>" + deep + "</title></item>"), kInput)), ErrorCode::too_deep);
  EXPECT_EQ(failure(parse_feed(rss("<item><description>" + deep + "</description></item>"), kInput)), ErrorCode::too_deep);
  EXPECT_EQ(failure(parse_feed("<rss>" + repeat("<x>", n) + "<item><title>a</title></item>" + repeat("</x>", n) + "</rss>", kInput)),
            ErrorCode::too_deep);
  // Not well-formed: a million unclosed tags are re-nested, cut at max_nodes, then too deep.
  EXPECT_EQ(failure(parse_feed(rss("<item><title>a</title></item>" + repeat("<x>", 1'000'000)), kInput)), ErrorCode::too_deep);
}

TEST(ParseFeedBudget, NestingWithinTheBudgetStillParses) {
  const std::string nested = repeat("<b>", 100) + "x" + repeat("</b>", 100);
  const FeedDocument doc = document(parse_feed(rss("<item><title>t</title><description>" + nested + "</description></item>"), kInput));
  ASSERT_EQ(doc.entries.size(), 1u);
}

TEST(ParseFeedBudget, CategoriesBeyondTheBudgetAreDroppedWithARepairLine) {
  std::string categories;
  for (int i = 0; i < 200'000; ++i) categories += "<category>c" + std::to_string(i) + "</category>";
  const FeedDocument doc = document(parse_feed(rss("<item><title>t</title>" + categories + "</item>"), kInput));
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].categories.size(), 100u);
  EXPECT_EQ(doc.entries[0].categories[99], "c99");
  EXPECT_TRUE(has_repair(doc, "max_categories"));
}

TEST(ParseFeedBudget, MediaAndItunesCategoriesAndKeywordListsCountTowardTheCategoryBudget) {
  std::string media;
  for (int i = 0; i < 60; ++i) media += "<media:category>m" + std::to_string(i) + "</media:category>";
  for (int i = 0; i < 60; ++i) media += "<itunes:category text=\"i" + std::to_string(i) + "\"/>";
  std::string keywords;
  for (int i = 0; i < 200'000; ++i) keywords += "k" + std::to_string(i) + ",";
  const std::string ns = " xmlns:media=\"http://search.yahoo.com/mrss/\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"";
  const FeedDocument doc = document(parse_feed(
      rss("<item><title>t</title>" + media + "<media:keywords>" + keywords + "</media:keywords></item>", ns), kInput));
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].categories.size(), 100u);
  EXPECT_EQ(doc.entries[0].categories[99], "i39");
  EXPECT_TRUE(has_repair(doc, "max_categories"));
}

TEST(ParseFeedBudget, EnclosuresBeyondTheBudgetAreDroppedWithARepairLine) {
  std::string enclosures;
  for (int i = 0; i < 100'000; ++i)  // 300,000 nodes: within max_nodes
    enclosures += "<enclosure url=\"https://example.com/" + std::to_string(i) + ".mp3\" type=\"audio/mpeg\"/>";
  std::string links;
  for (int i = 0; i < 300; ++i) links += "<link rel=\"enclosure\" href=\"https://example.com/" + std::to_string(i) + ".ogg\"/>";
  const FeedDocument doc = document(parse_feed(rss("<item><title>t</title>" + enclosures + "</item>"), kInput));
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].enclosures.size(), 100u);
  EXPECT_EQ(doc.entries[0].enclosures[99].url, "https://example.com/99.mp3");
  EXPECT_TRUE(has_repair(doc, "max_enclosures"));
  ParseLimits limits;
  limits.max_enclosures = 2;
  const FeedDocument atom = document(parse_feed(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>x</id><title>e</title>" + links + "</entry></feed>",
      kInput, limits));
  ASSERT_EQ(atom.entries.size(), 1u);
  EXPECT_EQ(atom.entries[0].enclosures.size(), 2u);
  EXPECT_TRUE(has_repair(atom, "dropped 298 enclosures"));
}

TEST(ParseFeedBudget, MediaTextLanguageAndImageUrlsAreCutToTheFieldBudget) {
  ParseLimits limits;
  limits.max_field_bytes = 1024;
  const std::string big(5000, 'a');
  const std::string ns = " xmlns:media=\"http://search.yahoo.com/mrss/\"";
  const FeedDocument doc = document(parse_feed(
      rss("<item><media:title>" + big + "</media:title><media:thumbnail url=\"https://example.com/" + big +
              ".png\"/><enclosure url=\"https://example.com/" + big + ".mp3\" type=\"audio/" + big + "\"/>" +
              "<dc:language xmlns:dc=\"http://purl.org/dc/elements/1.1/\">" + big + "</dc:language></item>",
          ns),
      kInput, limits));
  ASSERT_EQ(doc.entries.size(), 1u);
  const FeedEntry& entry = doc.entries[0];
  ASSERT_TRUE(entry.title && entry.image_url && entry.language);
  EXPECT_EQ(entry.title->size(), 1024u);
  EXPECT_EQ(entry.image_url->size(), 1024u);
  EXPECT_EQ(entry.language->size(), 1024u);
  ASSERT_EQ(entry.enclosures.size(), 1u);
  EXPECT_EQ(entry.enclosures[0].url.size(), 1024u);
  EXPECT_EQ(entry.enclosures[0].type->size(), 1024u);
  EXPECT_TRUE(has_repair(doc, "max_field_bytes"));
}

TEST(ParseFeedBudget, EntriesBeyondTheBudgetAreDroppedInDocumentOrder) {
  ParseLimits limits;
  limits.max_entries = 3;
  const FeedDocument& doc =
      document(parse_feed(rss(repeat("<item><title>a</title></item>", 2) + "<item><title>third</title></item>" +
                              repeat("<item><title>b</title></item>", 5)),
                          kInput, limits));
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[2].title, "third");
  EXPECT_TRUE(has_repair(doc, "dropped 5 entries"));
}

TEST(ParseFeedBudget, ADocumentOverMaxNodesIsReadUpToThereKeepingCompleteEntries) {
  ParseLimits limits;
  limits.max_nodes = 50;  // rss + version, channel, title + its text: 5; then 3 per item
  const FeedDocument doc = document(parse_feed(rss(repeat("<item><title>a</title></item>", 100)), kInput, limits));
  EXPECT_EQ(doc.entries.size(), 15u);
  EXPECT_TRUE(has_repair(doc, "max_nodes"));
}

TEST(ParseFeedBudget, TooManyAttributesOrNamespaceDeclarationsOnOneElementFail) {
  std::string declarations;
  for (int i = 0; i < 300; ++i) declarations += " xmlns:p" + std::to_string(i) + "=\"urn:" + std::to_string(i) + "\"";
  EXPECT_EQ(failure(parse_feed(rss("<item><title>a</title></item>", declarations), kInput)), ErrorCode::too_many_attributes);
}

TEST(ParseFeedBudget, NamespaceBindingsShadowAndUnwindLikeScopes) {
  // dc bound to Dublin Core on the root, rebound to another URI inside one item only.
  const std::string xml = rss(
      "<item><title>a</title><dc:creator>Ann</dc:creator></item>"
      "<item xmlns:dc=\"urn:other\"><title>b</title><dc:creator>Bob</dc:creator></item>"
      "<item><title>c</title><dc:creator>Cid</dc:creator></item>",
      " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"");
  const FeedDocument doc = document(parse_feed(xml, kInput));
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[0].author, "Ann");
  EXPECT_FALSE(doc.entries[1].author);
  EXPECT_EQ(doc.entries[2].author, "Cid");
}

TEST(ParseFeedBudget, LongFieldsAreCutAtACharacterBoundary) {
  ParseLimits limits;
  limits.max_field_bytes = 10;
  const FeedDocument doc = document(parse_feed(rss("<item><title>aaaaaaaaa\xC3\xA9z</title></item>"), kInput, limits));
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "aaaaaaaaa");
  EXPECT_TRUE(has_repair(doc, "max_field_bytes"));
}

TEST(ParseFeedBudget, JsonFeedNestedTooDeepOrWithTooManyValuesFails) {
  EXPECT_EQ(failure(parse_feed(repeat("[", 8'000'000) + repeat("]", 8'000'000), kInput)), ErrorCode::too_deep);
  const std::string head = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[";
  ParseLimits limits;
  limits.max_nodes = 1000;
  EXPECT_EQ(failure(parse_feed(head + repeat("[],", 2000) + "[]]}", kInput, limits)), ErrorCode::too_many_elements);
}

TEST(ParseFeedBudget, JsonFeedItemsAndTagsBeyondTheBudgetAreDropped) {
  ParseLimits limits;
  limits.max_entries = 2;
  limits.max_categories = 1;
  const std::string json = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[" +
                           repeat("{\"id\":\"1\",\"tags\":[\"a\",\"b\"]},", 4) + "{\"id\":\"5\"}]}";
  const FeedDocument doc = document(parse_feed(json, kInput, limits));
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].categories.size(), 1u);
  EXPECT_TRUE(has_repair(doc, "max_entries"));
  EXPECT_TRUE(has_repair(doc, "max_categories"));
}

TEST(ParseFeedBudget, AnExpiredDeadlineFailsWithParseTimeout) {
  ParseLimits limits;
  limits.deadline = std::chrono::milliseconds(0);
  EXPECT_EQ(failure(parse_feed(rss("<item><title>a</title></item>"), kInput, limits)), ErrorCode::parse_timeout);
}

}  // namespace
}  // namespace rssflow
