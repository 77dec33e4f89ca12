#include "sources/opml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

namespace rssflow {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const fs::path kOpmlDir = fs::path(RSSFLOW_TEST_DATA_DIR) / "opml";

SourceList read_inline(std::string_view xml, const fs::path& base_dir = "/srv/opml") {
  return read_opml_buffer(xml, base_dir, "inline.opml");
}

std::string wrap(std::string_view body) {
  return "<?xml version=\"1.0\"?>\n<opml version=\"2.0\">\n<head><title>t</title></head>\n<body>\n" +
         std::string(body) + "</body>\n</opml>\n";
}

// Every real OPML file in tests/data/opml, with what a careful reader finds in it.
struct Expected {
  std::size_t sources = 0;
  std::size_t errors = 0;
  bool throws = false;
};

const std::map<std::string, Expected>& expectations() {
  static const std::map<std::string, Expected> table = {
      {"Athou__commafeed__commafeed-server_src_test_resources_opml_opml_noversion.xml", {1, 0}},
      {"Athou__commafeed__commafeed-server_src_test_resources_opml_opml_v1.0.xml", {1, 0}},
      {"Athou__commafeed__commafeed-server_src_test_resources_opml_opml_v1.1.xml", {1, 0}},
      {"Athou__commafeed__commafeed-server_src_test_resources_opml_opml_v2.0.xml", {1, 0}},
      {"FreshRSS__FreshRSS__opml.default.xml", {1, 0}},
      // http://feed.katiefloyd.com and .../ are one feed (an empty path is "/").
      {"Ranchero-Software__NetNewsWire__Modules_RSParser_Tests_RSParserTests_Resources_Subs.opml", {206, 1}},
      {"Ranchero-Software__NetNewsWire__Modules_RSParser_Tests_RSParserTests_Resources_SubsNoTitleAttributes.opml",
       {206, 1}},
      {"feedbin__feedbin__test_fixtures_files_subscriptions.xml", {1, 1}},  // same feed under two tags
      {"miyagawa__plagger__t_samples_opml-nested.xml", {2, 0}},
      {"miyagawa__plagger__t_samples_opml.xml", {1, 0}},
      {"newsboat__newsboat__test_data_body-element-missing.opml", {0, 0, true}},
      {"newsboat__newsboat__test_data_category.opml", {1, 0}},
      {"newsboat__newsboat__test_data_example.opml", {7, 0}},
      {"newsboat__newsboat__test_data_example2.opml", {7, 0}},
      {"newsboat__newsboat__test_data_filtered.opml", {2, 0}},
      {"newsboat__newsboat__test_data_opml-element-missing.opml", {0, 0, true}},
      {"newsboat__newsboat__test_data_piped.opml", {1, 1}},  // "|~/fetch_tweets.py" is a command
      {"newsboat__newsboat__test_data_test-urls+.opml", {4, 0}},
      {"rometools__rome__rome-opml_src_test_resources_opml_1.0.xml", {11, 0}},
      {"rometools__rome__rome-opml_src_test_resources_opml_1.0_links.xml", {0, 0}},  // type="link" only
      {"rometools__rome__rome-opml_src_test_resources_opml_2.0.xml", {11, 0}},
      {"timb-machine-mirrors__anarcat-feed2exec__feed2exec_tests_files_duplicates.opml", {3, 0}},
      {"timb-machine-mirrors__anarcat-feed2exec__feed2exec_tests_files_liferea.opml", {7, 0}},
      {"timb-machine-mirrors__anarcat-feed2exec__feed2exec_tests_files_security.opml", {53, 0}},  // 4 commented out
      {"timb-machine-mirrors__anarcat-feed2exec__feed2exec_tests_files_simple.opml", {2, 0}},
  };
  return table;
}

TEST(ReadOpml, ReadsEveryRealWorldFileAsExpected) {
  std::set<std::string> seen;
  for (const fs::directory_entry& entry : fs::directory_iterator(kOpmlDir)) {
    const std::string name = entry.path().filename().string();
    seen.insert(name);
    const auto expected = expectations().find(name);
    ASSERT_NE(expected, expectations().end()) << "add " << name << " to the expectations table";
    if (expected->second.throws) {
      EXPECT_THROW(read_opml(entry.path()), std::runtime_error) << name;
      continue;
    }
    const SourceList list = read_opml(entry.path());
    EXPECT_EQ(list.sources.size(), expected->second.sources) << name;
    EXPECT_EQ(list.errors.size(), expected->second.errors) << name;
    for (const Source& source : list.sources) {
      EXPECT_TRUE(source.url.starts_with("http://") || source.url.starts_with("https://")) << name << ": " << source.url;
      EXPECT_GT(source.line, 0) << name << ": " << source.url;
    }
  }
  EXPECT_EQ(seen.size(), expectations().size()) << "a file in the table is missing from " << kOpmlDir;
}

TEST(ReadOpml, NestedOutlinesBecomeCategoryPathsPreferringText) {
  const SourceList list = read_opml(kOpmlDir / "newsboat__newsboat__test_data_example.opml");
  ASSERT_EQ(list.sources.size(), 7u);
  EXPECT_EQ(list.sources[0].url, "https://example.com/feed.xml");
  EXPECT_EQ(list.sources[0].title, "example.com website");
  EXPECT_THAT(list.sources[0].categories, IsEmpty());
  EXPECT_EQ(list.sources[0].line, 8);
  // <outline text="Blogs" title="should be ignored"> / <outline title="friends">
  EXPECT_EQ(list.sources[5].url, "https://blogs.example.com/~mike/.rss");
  EXPECT_THAT(list.sources[5].categories, ElementsAre("Blogs", "friends"));
  EXPECT_EQ(list.sources[5].line, 15);
}

TEST(ReadOpml, ThreeLevelsOfFoldersFromPlagger) {
  const SourceList list = read_opml(kOpmlDir / "miyagawa__plagger__t_samples_opml-nested.xml");
  ASSERT_EQ(list.sources.size(), 2u);
  EXPECT_THAT(list.sources[1].categories, ElementsAre("Subscriptions", "Bar", "Baz"));
  EXPECT_EQ(list.sources[1].title, "Bulknews::Subtech");
}

TEST(ReadOpml, CategoryAttributeIsSplitOnCommasAndSlashes) {
  const SourceList list = read_opml(kOpmlDir / "newsboat__newsboat__test_data_category.opml");
  ASSERT_EQ(list.sources.size(), 1u);
  EXPECT_THAT(list.sources[0].categories, ElementsAre("tag one", "tag_two", "tag", "three"));
}

TEST(ReadOpml, TextAttributeAloneNamesTheFeed) {
  const SourceList list =
      read_opml(kOpmlDir / "Ranchero-Software__NetNewsWire__Modules_RSParser_Tests_RSParserTests_Resources_SubsNoTitleAttributes.opml");
  ASSERT_FALSE(list.sources.empty());
  EXPECT_EQ(list.sources[0].title, "Daring Fireball");
}

TEST(ReadOpml, DuplicateAcrossFoldersNamesTheFirstLine) {
  const SourceList list = read_opml(kOpmlDir / "feedbin__feedbin__test_fixtures_files_subscriptions.xml");
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_EQ(list.errors[0].stage, Stage::sources);
  EXPECT_EQ(list.errors[0].code, ErrorCode::invalid_source);
  EXPECT_EQ(list.errors[0].feed_url, "http://example.com/atom.xml");
  EXPECT_EQ(list.errors[0].message, "line 11: duplicate of the feed on line 8");
  EXPECT_THAT(list.sources[0].categories, ElementsAre("Tag One"));
}

TEST(ReadOpml, LowerCaseXmlurlAttributeIsAccepted) {
  const SourceList list = read_inline(wrap(R"(<outline text="A" xmlurl="https://a.example/feed"/>
<outline text="B" XMLURL="https://b.example/feed"/>
)"));
  ASSERT_EQ(list.sources.size(), 2u);
  EXPECT_EQ(list.sources[0].url, "https://a.example/feed");
  EXPECT_EQ(list.sources[1].url, "https://b.example/feed");
}

TEST(ReadOpml, BadUrlsBecomeErrorsNamingTheLineAndTheRestGoOn) {
  const SourceList list = read_inline(wrap(R"(<outline text="ftp" xmlUrl="ftp://example.com/feed"/>
<outline text="nohost" xmlUrl="https:///feed.xml"/>
<outline text="space" xmlUrl="https://example.com/my feed.xml"/>
<outline text="good" xmlUrl="  https://example.com/good.xml  "/>
<outline text="opaque" xmlUrl="http:example.com/feed"/>
<outline text="remote file" xmlUrl="file://server/share/feed.xml"/>
<outline text="empty" type="rss" xmlUrl=""/>
<outline text="mailto" xmlUrl="mailto:someone@example.com"/>
<outline text="badhost" xmlUrl="https://exa mple.com/feed"/>
)"));
  ASSERT_EQ(list.sources.size(), 1u);
  EXPECT_EQ(list.sources[0].url, "https://example.com/good.xml");
  EXPECT_EQ(list.sources[0].line, 8);
  ASSERT_EQ(list.errors.size(), 8u);
  EXPECT_EQ(list.errors[0].feed_url, "ftp://example.com/feed");
  EXPECT_EQ(list.errors[0].message, "line 5: unsupported scheme 'ftp' (http, https or file)");
  EXPECT_EQ(list.errors[1].message, "line 6: URL has no host");
  EXPECT_EQ(list.errors[2].message, "line 7: URL contains whitespace or control characters");
  EXPECT_THAT(list.errors[3].message, HasSubstr("line 9: not an absolute URL"));
  EXPECT_THAT(list.errors[4].message, HasSubstr("line 10: file URL with a remote host"));
  EXPECT_EQ(list.errors[5].message, "line 11: empty xmlUrl");
  EXPECT_THAT(list.errors[6].message, HasSubstr("line 12: unsupported scheme 'mailto'"));
  EXPECT_THAT(list.errors[7].message, HasSubstr("line 13: URL contains whitespace"));
  for (const StageError& error : list.errors) {
    EXPECT_EQ(error.stage, Stage::sources);
    EXPECT_EQ(error.code, ErrorCode::invalid_source);
  }
}

TEST(ReadOpml, DuplicatesCompareSchemeAndHostCaseInsensitively) {
  const SourceList list = read_inline(wrap(R"(<outline text="a" xmlUrl="https://Example.COM/Feed"/>
<outline text="b" xmlUrl="HTTPS://example.com/Feed"/>
<outline text="c" xmlUrl="https://example.com/feed"/>
<outline text="d" xmlUrl="http://example.com/Feed"/>
)"));
  ASSERT_EQ(list.sources.size(), 3u);  // path case and scheme matter
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_EQ(list.errors[0].message, "line 6: duplicate of the feed on line 5");
}

TEST(ReadOpml, RelativePathsResolveAgainstTheOpmlFolder) {
  const SourceList list = read_inline(wrap(R"(<outline text="a" xmlUrl="feeds/a.xml"/>
<outline text="b" xmlUrl="../shared/b b.xml"/>
<outline text="c" xmlUrl="file:///var/feeds/c.xml"/>
<outline text="cmd" xmlUrl="|fetch.sh"/>
<outline text="home" xmlUrl="~/feeds/d.xml"/>
<outline text="netpath" xmlUrl="//example.com/feed"/>
<outline text="escaped" xmlUrl="my%20feed%3F%41.xml"/>
<outline text="query" xmlUrl="feed.xml?x=1"/>
<outline text="bad escape" xmlUrl="feed%zz.xml"/>
<outline text="nul" xmlUrl="feed%00.xml"/>
<outline text="dotdot" xmlUrl="./a/../../up.xml"/>
)"),
                                      "/srv/opml");
  ASSERT_EQ(list.sources.size(), 4u);
  EXPECT_EQ(list.sources[0].url, "file:///srv/opml/feeds/a.xml");
  EXPECT_EQ(list.sources[1].url, "file:///var/feeds/c.xml");
  EXPECT_EQ(list.sources[2].url, "file:///srv/opml/my%20feed%3FA.xml");  // decoded, then encoded again
  EXPECT_EQ(list.sources[3].url, "file:///srv/up.xml");
  ASSERT_EQ(list.errors.size(), 7u);  // "b b.xml" has a space; the rest are not paths
  EXPECT_THAT(list.errors[0].message, HasSubstr("whitespace"));
  EXPECT_THAT(list.errors[1].message, HasSubstr("commands"));
  EXPECT_THAT(list.errors[2].message, HasSubstr("commands and ~"));
  EXPECT_THAT(list.errors[3].message, HasSubstr("scheme-relative"));
  EXPECT_THAT(list.errors[4].message, HasSubstr("'?' or '#'"));
  EXPECT_THAT(list.errors[5].message, HasSubstr("bad %-escape"));
  EXPECT_THAT(list.errors[6].message, HasSubstr("bad %-escape"));
}

TEST(ReadOpml, RelativePathsInARealFileBecomeFileUrlsThatExist) {
  const fs::path dir = fs::path(::testing::TempDir()) / "opml relative";
  fs::create_directories(dir / "feeds");
  std::ofstream(dir / "feeds" / "one.xml") << "<rss/>";
  std::ofstream(dir / "list.opml") << wrap(R"(<outline text="one" xmlUrl="feeds/one.xml"/>)");
  const SourceList list = read_opml(dir / "list.opml");
  ASSERT_EQ(list.sources.size(), 1u);
  const std::string encoded_prefix = std::string("file://") +
                                     fs::absolute(dir).lexically_normal().parent_path().string() + "/opml%20relative";
  EXPECT_EQ(list.sources[0].url, encoded_prefix + "/feeds/one.xml");
  fs::remove_all(dir);
}

TEST(ReadOpml, IncludeOutlinesAreReportedAsUnsupported) {
  const SourceList list = read_inline(wrap(R"(<outline text="more" type="include" url="https://example.com/more.opml"/>
)"));
  EXPECT_THAT(list.sources, IsEmpty());
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_EQ(list.errors[0].feed_url, "https://example.com/more.opml");
  EXPECT_THAT(list.errors[0].message, HasSubstr("line 5: OPML inclusion"));
}

TEST(ReadOpml, FolderWithEmptyXmlUrlIsStillAFolder) {
  const SourceList list = read_inline(wrap(R"(<outline text="Tech" xmlUrl="">
  <outline text="x" xmlUrl="https://x.example/feed" category="/News/World, Daily"/>
</outline>
)"));
  ASSERT_EQ(list.sources.size(), 1u);
  EXPECT_THAT(list.errors, IsEmpty());
  EXPECT_THAT(list.sources[0].categories, ElementsAre("Tech", "News", "World", "Daily"));
}

TEST(ReadOpml, MalformedXmlThrowsWithFileNameDescriptionAndLine) {
  try {
    read_inline("<?xml version=\"1.0\"?>\n<opml>\n<body>\n<outline text=\"a\" xmlUrl=\"https://a/\">\n</body></opml>");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("inline.opml: not well-formed XML: "));
    EXPECT_THAT(error.what(), HasSubstr("at line 5"));
  }
}

TEST(ReadOpml, HtmlIsNotOpml) {
  EXPECT_THROW(read_inline("<html><body><p>hi</p></body></html>"), std::runtime_error);
}

TEST(ReadOpml, UnreadableFileThrowsNamingIt) {
  try {
    read_opml("/nonexistent/rssflow/sources.opml");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("/nonexistent/rssflow/sources.opml"));
  }
  EXPECT_THROW(read_opml(kOpmlDir), std::runtime_error);  // a directory
}

TEST(ReadOpml, DeepNestingDoesNotExhaustTheStack) {
  std::string body;
  constexpr int kDepth = 200'000;
  for (int i = 0; i < kDepth; ++i) body += "<outline text=\"f\">";
  body += "<outline text=\"deep\" xmlUrl=\"https://deep.example/feed\"/>";
  for (int i = 0; i < kDepth; ++i) body += "</outline>";
  const SourceList list = read_inline(wrap(body));
  ASSERT_EQ(list.sources.size(), 1u);
  EXPECT_THAT(list.sources[0].categories, ElementsAre("f"));  // repeated names collapse
}

TEST(ReadOpml, SpellingsOfOneUrlAreDuplicates) {
  const SourceList list = read_inline(wrap(R"(<outline text="a" xmlUrl="http://127.0.0.1:18081/feed.xml"/>
<outline text="frag" xmlUrl="http://127.0.0.1:18081/feed.xml#frag"/>
<outline text="dot" xmlUrl="http://127.0.0.1:18081/./feed.xml"/>
<outline text="port" xmlUrl="http://127.0.0.1:018081/feed.xml"/>
<outline text="hex host" xmlUrl="http://0x7f000001:18081/feed.xml"/>
<outline text="credentials" xmlUrl="http://user:pw@127.0.0.1:18081/feed.xml"/>
<outline text="other path" xmlUrl="http://127.0.0.1:18081/other.xml"/>
)"));
  ASSERT_EQ(list.sources.size(), 2u);
  EXPECT_EQ(list.sources[1].url, "http://127.0.0.1:18081/other.xml");
  ASSERT_EQ(list.errors.size(), 5u);
  for (const StageError& error : list.errors) EXPECT_THAT(error.message, HasSubstr("duplicate of the feed on line 5"));
}

}  // namespace
}  // namespace rssflow
