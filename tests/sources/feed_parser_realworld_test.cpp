// parse_feed over the real-world corpus (tests/data/realworld, see its SOURCES.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "core/time.h"
#include "sources/feed_parser.h"

namespace rssflow {
namespace {

const std::filesystem::path kRealworld = std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / "realworld";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Outcome<FeedDocument> parse_file(const std::string& name) {
  const std::string url = "file://" + (kRealworld / name).string();
  return parse_feed(read_file(kRealworld / name), ParseInput{url, url, std::nullopt});
}

FeedDocument parse_ok(const std::string& name) {
  auto outcome = parse_file(name);
  if (auto* error = std::get_if<StageError>(&outcome)) {
    ADD_FAILURE() << error->describe();
    return {};
  }
  return std::get<FeedDocument>(std::move(outcome));
}

// Files of the corpus with no entry to find, and why. Every other file must yield at least one.
const std::map<std::string, std::string> kNoEntries = {
    {"codehollow__FeedReader__FeedReader.Tests_Feeds_Rss20DailyMail.xml", "channel without any <item>"},
    {"feed-rs__feed-rs__feed-rs_fixture_rss2_rss_2.0_invalid_1.xml", "truncated before the first <item>: an empty feed"},
    {"laminas__laminas-feed__test_Reader__files_Reader_atom03.xml", "empty <feed>"},
    {"laminas__laminas-feed__test_Reader__files_Reader_rss090.xml", "channel-only reader fixture"},
    {"laminas__laminas-feed__test_Reader__files_Reader_rss091.xml", "channel-only reader fixture"},
    {"laminas__laminas-feed__test_Reader__files_Reader_rss093.xml", "channel-only reader fixture"},
    {"laminas__laminas-feed__test_Reader__files_Reader_rss094.xml", "channel-only reader fixture"},
    {"laminas__laminas-feed__test_Reader__files_Reader_xxe-atom10.xml", "XXE probe: a feed title, no entry"},
    {"miniflux__v2__internal_reader_encoding_testdata_iso-8859-1.xml", "encoding fixture: channel only"},
    {"miniflux__v2__internal_reader_encoding_testdata_windows-1252-incorrect-prolog.xml", "encoding fixture: channel only"},
    {"miniflux__v2__internal_reader_encoding_testdata_windows-1252.xml", "encoding fixture: channel only"},
    {"rbren__rss-parser__test_input_unrecognized.rss", "an HTML \"Document Moved\" page: not_a_feed"},
    {"simplepie__simplepie__tests_data_feed-with-whitespace-before-xml-declaration.xml", "feed title only"},
};

// Files whose only entries carry no title, link, id, summary or content (synthetic fixtures).
const std::map<std::string, std::string> kOnlyEmptyEntries = {
    {"nmdias__FeedKit__Tests_FeedKitTests_Resources_xml_AtomMedia.xml", "one <entry> with Media RSS elements only"},
    {"rbren__rss-parser__test_input_incomplete-fields.atom", "one <entry> holding an empty <author>"},
};

TEST(ParseFeedRealworld, EveryFileParsesWithoutCrashingAndFeedsYieldEntries) {
  int files = 0, with_entries = 0;
  for (const auto& item : std::filesystem::directory_iterator(kRealworld)) {
    const std::string name = item.path().filename().string();
    if (name == "SOURCES.md") continue;
    ++files;
    auto outcome = parse_file(name);
    const auto* doc = std::get_if<FeedDocument>(&outcome);
    const std::size_t entries = doc ? doc->entries.size() : 0;
    if (kNoEntries.contains(name)) {
      EXPECT_EQ(entries, 0u) << name << " was listed as having no entries (" << kNoEntries.at(name) << ")";
      continue;
    }
    EXPECT_GE(entries, 1u) << name << ": " << (doc ? "no entries" : std::get<StageError>(outcome).describe());
    if (entries) ++with_entries;
    if (!doc) continue;
    int identifiable = 0;
    for (const FeedEntry& entry : doc->entries) {
      if (entry.title || entry.link || entry.guid || entry.summary_html || entry.content_html) ++identifiable;
      if (entry.link) {
        EXPECT_EQ(entry.link->find_first_of(" \n\t"), std::string::npos) << name << ": " << *entry.link;
      }
    }
    // Empty <item/>s exist in the wild, but a feed of nothing but empty entries means a misreading.
    if (!kOnlyEmptyEntries.contains(name)) {
      EXPECT_GE(identifiable, 1) << name;
    }
  }
  EXPECT_EQ(files, 393);
  EXPECT_EQ(with_entries, files - static_cast<int>(kNoEntries.size()));
}

TEST(ParseFeedRealworld, ReportsTheNonFeedsAsErrorsAndReadsATruncatedChannel) {
  auto html = parse_file("rbren__rss-parser__test_input_unrecognized.rss");
  ASSERT_TRUE(std::holds_alternative<StageError>(html));
  EXPECT_EQ(std::get<StageError>(html).code, ErrorCode::not_a_feed);
  // Cut off after the channel header, before any item: a feed with no entries (as feedparser
  // reads it), the damage listed in repairs with its offset.
  auto truncated = parse_file("feed-rs__feed-rs__feed-rs_fixture_rss2_rss_2.0_invalid_1.xml");
  ASSERT_TRUE(std::holds_alternative<FeedDocument>(truncated));
  const FeedDocument& doc = std::get<FeedDocument>(truncated);
  EXPECT_EQ(doc.title, "Reuters: Most Read Articles");
  EXPECT_EQ(doc.language, "en-us");
  EXPECT_EQ(doc.image_url, "https://www.reuters.com/resources_v2/images/reuters125.png");
  EXPECT_TRUE(doc.entries.empty());
  ASSERT_FALSE(doc.repairs.empty());
  EXPECT_NE(doc.repairs.back().find("offset"), std::string::npos);
}

TEST(ParseFeedRealworld, DoesNotExpandTheXxeProbe) {
  const FeedDocument doc = parse_ok("laminas__laminas-feed__test_Reader__files_Reader_xxe-atom10.xml");
  EXPECT_EQ(doc.title, "info:&discloseInfo;");
}

TEST(ParseFeedRealworld, ResolvesNestedXmlBaseOfTbrayOrg) {
  const FeedDocument doc = parse_ok("KDE__syndication__autotests_atom_tbray.org_nested_xmlbase.xml");
  ASSERT_FALSE(doc.entries.empty());
  EXPECT_EQ(doc.entries[0].link, "https://www.tbray.org/ongoing/When/201x/2013/06/27/Air-Travel");
  EXPECT_EQ(doc.entries[0].title, "Rent-seeking for Nomads");
  EXPECT_EQ(format_rfc3339(doc.entries[0].published.value()), "2013-06-27T19:00:00Z");
  EXPECT_EQ(doc.link, "https://www.tbray.org/ongoing/");
}

TEST(ParseFeedRealworld, ReadsUtf16WithoutByteOrderMark) {
  for (const char* name : {"simplepie__simplepie__tests_data_feed-utf16le.xml", "simplepie__simplepie__tests_data_feed-utf16be.xml"}) {
    const FeedDocument doc = parse_ok(name);
    EXPECT_EQ(doc.entries.size(), 1u) << name;
  }
}

TEST(ParseFeedRealworld, RecoversItemsNestedInAnUnclosedElement) {
  const FeedDocument doc = parse_ok("feedjira__feedjira__spec_sample_feeds_ITunesWithSingleQuotedAttributes.xml");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[2].title, "Red, Whine, & Blue");
  EXPECT_EQ(doc.entries[2].link, "http://example.com/podcasts/archive/aae20050601.mp3");
}

TEST(ParseFeedRealworld, ReadsLegacyCharsetFeeds) {
  const FeedDocument doc = parse_ok("chardet__chardet__tests_KOI8-R_aviaport.ru.xml");
  EXPECT_EQ(doc.title, "АвиаПорт.Ru");
  EXPECT_FALSE(doc.entries.empty());
  const FeedDocument sjis = parse_ok("chardet__chardet__tests_CP932_y-moto.com.xml");
  ASSERT_FALSE(sjis.entries.empty());
  EXPECT_EQ(sjis.entries[0].title, "さらなる防寒対策");
}

}  // namespace
}  // namespace rssflow
