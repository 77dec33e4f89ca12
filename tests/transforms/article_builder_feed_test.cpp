// The format stage on feed snippets as publishers write them, through the real parser: what a
// reader of the JSON Lines output gets for each common shape of entry.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.h"
#include "sources/feed_parser.h"
#include "transforms/article_builder.h"
#include "transforms/json_record.h"

namespace rssflow {
namespace {

const KeywordMatcher& matcher() {
  static const KeywordMatcher instance = [] {
    const auto path = std::filesystem::path(::testing::TempDir()) / ("article_builder_feed_test_keywords." + std::to_string(::getpid()) + ".tsv");  // ctest runs tests in parallel processes
    std::ofstream(path) << "Python\tPython, CPython\nRust\tRust\n\tcase=sensitive\n";
    return KeywordMatcher::from_file(path);
  }();
  return instance;
}

std::vector<Article> build(std::string_view xml, const std::string& feed_url) {
  auto parsed = parse_feed(xml, ParseInput{feed_url, feed_url, std::nullopt});
  if (auto* error = std::get_if<StageError>(&parsed)) {
    ADD_FAILURE() << error->describe();
    return {};
  }
  return build_articles(std::get<FeedDocument>(parsed), matcher(), Instant{}, {});
}

std::string date(const std::optional<Instant>& t) { return t ? format_rfc3339(*t) : "null"; }

TEST(ArticleBuilderFeeds, WordPressItem) {
  const auto articles = build(R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Example Blog</title>
  <link>https://blog.example.org</link>
  <item>
    <title>Hello &amp; welcome</title>
    <link>https://blog.example.org/2024/05/hello/?utm_source=rss&amp;utm_medium=rss&amp;utm_campaign=hello</link>
    <dc:creator><![CDATA[Jane Doe]]></dc:creator>
    <pubDate>Wed, 01 May 2024 12:34:56 +0000</pubDate>
    <category><![CDATA[News]]></category>
    <category><![CDATA[Python]]></category>
    <guid isPermaLink="false">https://blog.example.org/?p=42</guid>
    <description><![CDATA[<p>Short teaser&#8230;</p>]]></description>
    <content:encoded><![CDATA[<p>Full <b>body</b> about CPython internals.</p><script>evil()</script>]]></content:encoded>
  </item>
</channel>
</rss>)",
                              "https://blog.example.org/feed/");
  ASSERT_EQ(articles.size(), 1u);
  const Article& a = articles[0];
  EXPECT_EQ(a.url, "https://blog.example.org/2024/05/hello/");
  EXPECT_EQ(a.guid, "https://blog.example.org/?p=42");
  EXPECT_EQ(a.title, "Hello & welcome");
  EXPECT_EQ(a.author, "Jane Doe");
  EXPECT_EQ(date(a.published_at), "2024-05-01T12:34:56Z");
  EXPECT_EQ(a.summary, "Short teaser…");
  EXPECT_EQ(a.content_text, "Full body about CPython internals.");
  EXPECT_EQ(a.keywords, std::vector<std::string>{"python"});
  EXPECT_EQ(a.categories, (std::vector<std::string>{"News", "Python"}));
  EXPECT_EQ(a.url_hash, xxh3_128("https://blog.example.org/2024/05/hello/"));

  std::string line;
  append_json_line(line, a);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["url_hash"], xxh3_128(a.url).hex());
  EXPECT_EQ(j["published_at"], "2024-05-01T12:34:56Z");
}

TEST(ArticleBuilderFeeds, AtomEntryWithXmlBaseHtmlTitleAndOnlyAnUpdatedDate) {
  const auto articles = build(R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.net/blog/">
  <title>Release notes</title>
  <link href="/"/>
  <id>tag:example.net,2024:blog</id>
  <updated>2024-05-02T08:00:00+02:00</updated>
  <entry>
    <title type="html">&lt;em&gt;Release&lt;/em&gt; 2.0 &amp;amp; more</title>
    <link rel="alternate" type="text/html" href="posts/release-2.0#comments"/>
    <id>tag:example.net,2024:post-7</id>
    <updated>2024-05-02T08:00:00+02:00</updated>
    <summary type="text">Plain &lt;not a tag&gt; summary in Rust</summary>
  </entry>
</feed>)",
                              "https://example.net/blog/atom.xml");
  ASSERT_EQ(articles.size(), 1u);
  const Article& a = articles[0];
  EXPECT_EQ(a.url, "https://example.net/blog/posts/release-2.0");
  EXPECT_EQ(a.title, "Release 2.0 & more");
  EXPECT_EQ(a.guid, "tag:example.net,2024:post-7");
  EXPECT_EQ(date(a.published_at), "2024-05-02T06:00:00Z");
  EXPECT_EQ(a.summary, "Plain <not a tag> summary in Rust");
  EXPECT_EQ(a.content_text, a.summary);
  EXPECT_EQ(a.keywords, std::vector<std::string>{"rust"});
  EXPECT_EQ(a.url_hash, xxh3_128("https://example.net/blog/posts/release-2.0"));
}

TEST(ArticleBuilderFeeds, PodcastItemsIdentifiedByPermalinkGuid) {
  const auto articles = build(R"(<rss version="2.0"><channel>
  <title>Example FM</title><link>https://podcast.example.fm/</link>
  <item><title>Episode 1</title><guid>https://podcast.example.fm/ep/1</guid><description>First.</description></item>
  <item><title>Episode 2</title><guid isPermaLink="true">https://podcast.example.fm/ep/2</guid><description>Second.</description></item>
</channel></rss>)",
                              "https://podcast.example.fm/rss");
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].url, "https://podcast.example.fm/ep/1");
  EXPECT_EQ(articles[1].url, "https://podcast.example.fm/ep/2");
  EXPECT_EQ(articles[1].url_hash, xxh3_128("https://podcast.example.fm/ep/2"));
}

TEST(ArticleBuilderFeeds, PlaceholderGuidsAndHomePageLinksFallBackToStableKeys) {
  // Every guid is the feed URL, every link the home page: neither identifies an item.
  const std::string feed = "https://status.example.com/history.rss";
  const std::string xml = R"(<rss version="2.0"><channel>
  <title>Status</title><link>https://status.example.com/</link>
  <item><title>Degraded API latency</title><link>https://status.example.com/</link>
    <guid>https://status.example.com/history.rss</guid><pubDate>Tue, 30 Apr 2024 10:00:00 GMT</pubDate></item>
  <item><title>Scheduled maintenance</title><link>https://status.example.com/</link>
    <guid>https://status.example.com/history.rss</guid><pubDate>Mon, 29 Apr 2024 22:00:00 GMT</pubDate></item>
</channel></rss>)";
  const auto articles = build(xml, feed);
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_NE(articles[0].url_hash, articles[1].url_hash);
  EXPECT_EQ(articles[0].url_hash,
            xxh3_128(feed + "\nhttps://status.example.com/\nDegraded API latency\n2024-04-30T10:00:00Z"));
  EXPECT_EQ(articles[0].guid, "https://status.example.com/");
  // The next run sees the same items and must produce the same identities.
  EXPECT_EQ(build(xml, feed)[1].url_hash, articles[1].url_hash);
}

// Over every corpus feed: two entries of one document that say different things never share a
// url_hash (that would silently drop one of them), and rebuilding gives the same identities.
TEST(ArticleBuilderFeeds, NoCorpusEntryLosesItsIdentityToAnother) {
  std::size_t documents = 0, entries = 0;
  for (const auto& file : std::filesystem::directory_iterator(std::filesystem::path(RSSFLOW_TEST_DATA_DIR) / "realworld")) {
    if (!file.is_regular_file() || file.path().extension() == ".md") continue;
    std::ifstream in(file.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string url = "file://" + file.path().string();
    auto parsed = parse_feed(bytes, ParseInput{url, url, std::nullopt});
    if (!std::holds_alternative<FeedDocument>(parsed)) continue;
    const FeedDocument& doc = std::get<FeedDocument>(parsed);
    const std::vector<Article> articles = build_articles(doc, matcher(), Instant{}, {});
    ASSERT_EQ(articles.size(), doc.entries.size());
    ++documents;
    entries += articles.size();
    std::map<std::string, std::size_t> first_with_hash;
    for (std::size_t i = 0; i < articles.size(); ++i) {
      const auto [it, inserted] = first_with_hash.emplace(articles[i].url_hash.hex(), i);
      if (inserted) continue;
      const FeedEntry& a = doc.entries[it->second];
      const FeedEntry& b = doc.entries[i];
      EXPECT_TRUE(a.title == b.title && a.summary_html == b.summary_html && a.content_html == b.content_html)
          << file.path().filename() << ": entries " << it->second << " and " << i << " share url_hash " << articles[i].url_hash.hex()
          << " (" << articles[i].url << ")";
    }
    const std::vector<Article> again = build_articles(doc, matcher(), Instant{} + std::chrono::hours(1), {});
    for (std::size_t i = 0; i < articles.size(); ++i) EXPECT_EQ(again[i].url_hash, articles[i].url_hash);
  }
  EXPECT_GT(documents, 350u);
  EXPECT_GT(entries, 6000u);
}


TEST(ArticleBuilderFeeds, StoresNoLinkThatIsNotHttpOrHttps) {
  const auto articles = build(R"(<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
<item><title>a</title><link>javascript:alert(1)</link><guid isPermaLink="false">d1</guid></item>
<item><title>b</title><link>JaVaScRiPt:alert(2)</link><guid isPermaLink="false">d2</guid></item>
<item><title>c</title><link>data:text/html,&lt;script&gt;alert(3)&lt;/script&gt;</link><guid isPermaLink="false">d3</guid></item>
<item><title>d</title><link>file:///etc/passwd</link><guid isPermaLink="false">d4</guid></item>
<item xml:base="javascript:alert(5)//"><title>e</title><link>x</link><guid isPermaLink="false">d5</guid></item>
<item><title>f</title><guid isPermaLink="true">javascript:alert(6)</guid></item>
<item><title>g</title><link>/ok</link><guid isPermaLink="false">d7</guid></item>
</channel></rss>)",
                              "https://example.org/feed.xml");
  ASSERT_EQ(articles.size(), 7u);
  for (std::size_t i = 0; i + 1 < articles.size(); ++i) EXPECT_EQ(articles[i].url, "") << articles[i].title;
  EXPECT_EQ(articles[6].url, "https://example.org/ok");
  EXPECT_EQ(articles[0].guid, "d1") << "identity falls back to the guid as for a missing link";
}

}  // namespace
}  // namespace rssflow
