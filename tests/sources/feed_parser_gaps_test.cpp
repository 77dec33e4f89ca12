// Parser gaps of issue 14, media, language and feed metadata; each case is built from a
// snippet of a real feed (trimmed to what the case needs).
#include <gtest/gtest.h>

#include "core/time.h"
#include "sources/feed_parser.h"

namespace rssflow {
namespace {

const ParseInput kInput{"https://example.com/feed", "https://example.com/blog/feed.xml", std::nullopt};

FeedDocument parse_ok(std::string_view xml, const ParseInput& input = kInput) {
  auto outcome = parse_feed(xml, input);
  if (auto* error = std::get_if<StageError>(&outcome)) {
    ADD_FAILURE() << "unexpected error: " << error->describe();
    return {};
  }
  return std::get<FeedDocument>(std::move(outcome));
}

std::string date(const std::optional<Instant>& t) { return t ? format_rfc3339(*t) : "none"; }

TEST(ParserGaps, TwelveHourClockWithPm) {
  // WordPress "F j, Y g:i A" pubDate, as served by a small-town news site.
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel><title>T</title>
    <item><title>a</title><pubDate>January 7, 2017 2:26 PM</pubDate></item>
    <item><title>b</title><pubDate>Sat, 07 Jan 2017 12:05:00 AM EST</pubDate></item>
    <item><title>c</title><pubDate>2017-01-07 11:59 pm</pubDate></item>
  </channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(date(doc.entries[0].published), "2017-01-07T14:26:00Z");
  EXPECT_EQ(date(doc.entries[1].published), "2017-01-07T05:05:00Z");
  EXPECT_EQ(date(doc.entries[2].published), "2017-01-07T23:59:00Z");
}

TEST(ParserGaps, ItunesNamespaceUriMatchesInAnyCase) {
  const FeedDocument doc = parse_ok(R"(<rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd" version="2.0">
<channel><title>Podcast</title><itunes:image href="https://cdn.example.com/show.jpg"/>
<item><title>Episode 12</title><itunes:author>Jane Host</itunes:author>
<itunes:summary>We talk about compilers.</itunes:summary>
<itunes:keywords>compilers, llvm</itunes:keywords></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].author, "Jane Host");
  EXPECT_EQ(doc.entries[0].summary_html, "We talk about compilers.");
  EXPECT_EQ(doc.entries[0].categories, (std::vector<std::string>{"compilers", "llvm"}));
  EXPECT_EQ(doc.image_url, "https://cdn.example.com/show.jpg");
}

TEST(ParserGaps, MediaTitleDoesNotOverrideTitle) {
  // A video site's item: media:title first, then the real <title>.
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>V</title>
<item><media:title>clip_0193.mp4</media:title><title>Launch day recap</title></item>
<item><media:group><media:title>Only the media title</media:title></media:group></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].title, "Launch day recap");
  EXPECT_EQ(doc.entries[1].title, "Only the media title");
}

TEST(ParserGaps, AtomBase64ContentIsDecoded) {
  // RFC 4287 4.1.3.3: any non-text, non-XML media type is base64.
  const FeedDocument doc = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
<entry><id>tag:example.com,2024:1</id><title>b64</title>
<content type="application/octet-stream">SGVsbG8sIHdvcmxkIQ==</content></entry></feed>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].content_html, "Hello, world!");
}

TEST(ParserGaps, UpperCaseHexCharacterReference) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel><title>T</title>
<item><title>&#X41;BC &#x42;</title></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "ABC B");
}

TEST(ParserGaps, C1ControlsReadAsWindows1252) {
  // "Don\u0092t" : a windows-1252 apostrophe that an encoder took for Latin-1.
  const FeedDocument doc = parse_ok("<rss version=\"2.0\"><channel><title>T</title>"
                                    "<item><title>Don\xC2\x92t stop \xC2\x93now\xC2\x94</title></item></channel></rss>");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "Don\u2019t stop \u201Cnow\u201D");
}

TEST(ParserGaps, AtomLinkWithUrlAsTextAndHttpIdAsFallback) {
  const FeedDocument doc = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
<entry><id>tag:x,2024:1</id><title>text link</title><link>https://example.com/posts/1</link></entry>
<entry><id>https://example.com/posts/2</id><title>id only</title></entry>
<entry><id>urn:uuid:1234</id><title>nothing</title></entry></feed>)");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[0].link, "https://example.com/posts/1");
  EXPECT_EQ(doc.entries[1].link, "https://example.com/posts/2");
  EXPECT_FALSE(doc.entries[2].link);
}

TEST(ParserGaps, TruncatedRootWithoutItemsIsAnEmptyFeed) {
  const FeedDocument doc = parse_ok(R"(<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quiet blog</title><link>https://quiet.example/</link>
<description>Nothing yet</description></channel></r)");
  EXPECT_EQ(doc.title, "Quiet blog");
  EXPECT_TRUE(doc.entries.empty());
}

TEST(ParserGaps, RelativeLinksOfASnapshotResolveAgainstTheSiteLink) {
  const ParseInput snapshot{"file:///srv/snap/qemu.xml", "file:///srv/snap/qemu.xml", std::nullopt};
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel><title>QEMU</title><link>https://www.qemu.org/</link>
<item><title>QEMU 10.1.0</title><link>/2025/08/26/qemu-10-1-0/</link></item></channel></rss>)", snapshot);
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].link, "https://www.qemu.org/2025/08/26/qemu-10-1-0/");

  // The real qemu.atom snapshot has only relative links ("/", "/feed.xml"): the OPML htmlUrl
  // of the source is the base.
  const std::string relative_only = R"(<feed xmlns="http://www.w3.org/2005/Atom"><link href="/feed.xml" rel="self"/>
<link href="/" rel="alternate" type="text/html"/><id>/feed.xml</id><title type="html">QEMU</title>
<entry><title type="html">QEMU version 10.1.0 released</title><link href="/2025/08/26/qemu-10-1-0/" rel="alternate"/>
<id>/2025/08/26/qemu-10-1-0</id></entry></feed>)";
  ParseInput with_site = snapshot;
  with_site.site_url = "https://www.qemu.org/";
  const FeedDocument sited = parse_ok(relative_only, with_site);
  ASSERT_EQ(sited.entries.size(), 1u);
  EXPECT_EQ(sited.entries[0].link, "https://www.qemu.org/2025/08/26/qemu-10-1-0/");
}

TEST(FeedMedia, EnclosuresImagesCategoriesAndLanguage) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Show</title><link>https://show.example/</link><description>A show</description><language>pl-PL</language>
<image><url>https://show.example/logo.png</url></image>
<item><title>Ep 1</title>
  <enclosure url="https://cdn.example/ep1.mp3" length="12345678" type="audio/mpeg"/>
  <enclosure url="file:///etc/passwd" type="audio/mpeg"/>
  <enclosure url="https://cdn.example/ep1.mp3" length="1" type="audio/mpeg"/>
  <itunes:image href="https://cdn.example/ep1.jpg"/>
  <itunes:category text="Technology"><itunes:category text="Tech News"/></itunes:category>
  <media:category scheme="http://search.yahoo.com/mrss/category_schema">music/rock/alternative</media:category>
</item>
<item><title>Ep 2</title><dc:language>en</dc:language>
  <media:group><media:content url="https://cdn.example/ep2.mp4" type="video/mp4">
    <media:thumbnail url="https://cdn.example/ep2-thumb.jpg"/></media:content></media:group>
  <enclosure url="https://cdn.example/cover.png" type="image/png" length="x"/>
</item>
<item><title>Ep 3</title><enclosure url="https://cdn.example/cover3.png" type="image/png" length="0"/></item>
</channel></rss>)");
  EXPECT_EQ(doc.description, "A show");
  EXPECT_EQ(doc.language, "pl-PL");
  EXPECT_EQ(doc.image_url, "https://show.example/logo.png");
  ASSERT_EQ(doc.entries.size(), 3u);
  const FeedEntry& e1 = doc.entries[0];
  ASSERT_EQ(e1.enclosures.size(), 1u);
  EXPECT_EQ(e1.enclosures[0].url, "https://cdn.example/ep1.mp3");
  EXPECT_EQ(e1.enclosures[0].type, "audio/mpeg");
  EXPECT_EQ(e1.enclosures[0].length, 12345678);
  EXPECT_EQ(e1.image_url, "https://cdn.example/ep1.jpg");
  EXPECT_EQ(e1.categories, (std::vector<std::string>{"Technology", "Tech News", "alternative"}));
  const FeedEntry& e2 = doc.entries[1];
  EXPECT_EQ(e2.image_url, "https://cdn.example/ep2-thumb.jpg");
  EXPECT_EQ(e2.language, "en");
  ASSERT_EQ(e2.enclosures.size(), 1u);
  EXPECT_FALSE(e2.enclosures[0].length);
  EXPECT_EQ(doc.entries[2].image_url, "https://cdn.example/cover3.png");
}

TEST(FeedMedia, AtomEnclosureLogoSubtitleAndLang) {
  const FeedDocument doc = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"
  xmlns:media="http://search.yahoo.com/mrss/"><title>F</title><subtitle>Nachrichten</subtitle>
<logo>https://example.de/logo.svg</logo>
<entry><id>tag:x,1</id><title>a</title><link href="https://example.de/a"/>
<link rel="enclosure" href="https://example.de/a.ogg" type="audio/ogg" length="99"/>
<media:thumbnail url="https://example.de/a.jpg"/></entry>
<entry xml:lang="en-GB"><id>tag:x,2</id><title>b</title><link href="https://example.de/b"/></entry></feed>)");
  EXPECT_EQ(doc.description, "Nachrichten");
  EXPECT_EQ(doc.language, "de");
  EXPECT_EQ(doc.image_url, "https://example.de/logo.svg");
  ASSERT_EQ(doc.entries.size(), 2u);
  ASSERT_EQ(doc.entries[0].enclosures.size(), 1u);
  EXPECT_EQ(doc.entries[0].enclosures[0].length, 99);
  EXPECT_EQ(doc.entries[0].image_url, "https://example.de/a.jpg");
  EXPECT_EQ(doc.entries[0].language, "de");
  EXPECT_EQ(doc.entries[1].language, "en-GB");
}

}  // namespace
}  // namespace rssflow
