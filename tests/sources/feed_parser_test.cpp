#include "sources/feed_parser.h"

#include <gtest/gtest.h>

#include "core/time.h"

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

StageError parse_fails(std::string_view bytes) {
  auto outcome = parse_feed(bytes, kInput);
  if (auto* error = std::get_if<StageError>(&outcome)) return *error;
  ADD_FAILURE() << "parsed although it should not";
  return {};
}

std::string date(const std::optional<Instant>& t) { return t ? format_rfc3339(*t) : "none"; }

bool has_repair(const FeedDocument& doc, std::string_view needle) {
  for (const auto& repair : doc.repairs)
    if (repair.find(needle) != std::string::npos) return true;
  return false;
}

TEST(ParseFeed, ReadsRss20Items) {
  const FeedDocument doc = parse_ok(R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel><title>Blog</title><link>https://example.com/</link>
    <item>
      <title>First &amp; best</title>
      <link>https://example.com/first</link>
      <guid isPermaLink="false">tag:example.com,2024:1</guid>
      <pubDate>Wed, 01 May 2024 10:00:00 +0200</pubDate>
      <dc:creator>Ann Author</dc:creator>
      <description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description>
      <content:encoded><![CDATA[<p>Full <i>content</i></p>]]></content:encoded>
      <category>news</category><category>tech</category><category>news</category>
    </item>
  </channel>
</rss>)");
  EXPECT_EQ(doc.format, FeedFormat::rss20);
  EXPECT_EQ(doc.title, "Blog");
  EXPECT_EQ(doc.link, "https://example.com/");
  ASSERT_EQ(doc.entries.size(), 1u);
  const FeedEntry& e = doc.entries[0];
  EXPECT_EQ(e.title, "First & best");
  EXPECT_FALSE(e.title_is_html);
  EXPECT_EQ(e.link, "https://example.com/first");
  EXPECT_EQ(e.guid, "tag:example.com,2024:1");
  EXPECT_FALSE(e.guid_is_permalink);
  EXPECT_EQ(date(e.published), "2024-05-01T08:00:00Z");
  EXPECT_EQ(e.author, "Ann Author");
  EXPECT_EQ(e.summary_html, "<p>Short <b>summary</b></p>");
  EXPECT_EQ(e.content_html, "<p>Full <i>content</i></p>");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"news", "tech"}));
  EXPECT_TRUE(doc.repairs.empty());
}

TEST(ParseFeed, RecognisesRssVersions) {
  EXPECT_EQ(parse_ok(R"(<rss version="0.91"><channel><item><title>a</title></item></channel></rss>)").format, FeedFormat::rss091);
  EXPECT_EQ(parse_ok(R"(<rss version="0.92"><channel><item><title>a</title></item></channel></rss>)").format, FeedFormat::rss092);
  EXPECT_EQ(parse_ok(R"(<rss version="0.94"><channel><item><title>a</title></item></channel></rss>)").format, FeedFormat::rss094);
  EXPECT_EQ(parse_ok(R"(<rss><channel><item><title>a</title></item></channel></rss>)").format, FeedFormat::rss20);
  const FeedDocument rss090 = parse_ok(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>c</title></channel>
      <item><title>Old</title><link>http://example.com/old</link></item></rdf:RDF>)");
  EXPECT_EQ(rss090.format, FeedFormat::rss090);
  ASSERT_EQ(rss090.entries.size(), 1u);
  EXPECT_EQ(rss090.entries[0].link, "http://example.com/old");
}

TEST(ParseFeed, ReadsRss10WithDublinCore) {
  const FeedDocument doc = parse_ok(R"(<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.com/"><title>RDF</title><link>http://example.com/</link></channel>
  <item rdf:about="http://example.com/1">
    <title>One</title><link>http://example.com/1</link>
    <dc:date>2004-01-02T03:04:05-05:00</dc:date><dc:subject>rdf</dc:subject>
    <dc:description>Plain &lt;em&gt;words&lt;/em&gt;</dc:description>
  </item>
</rdf:RDF>)");
  EXPECT_EQ(doc.format, FeedFormat::rss10);
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].guid, "http://example.com/1");  // rdf:about
  EXPECT_EQ(date(doc.entries[0].updated), "2004-01-02T08:04:05Z");
  EXPECT_EQ(doc.entries[0].categories, std::vector<std::string>{"rdf"});
  EXPECT_EQ(doc.entries[0].summary_html, "Plain <em>words</em>");
}

TEST(ParseFeed, ResolvesNamespacesByUriNotByPrefix) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:x="http://purl.org/dc/elements/1.1/"
      xmlns:y="http://purl.org/rss/1.0/modules/content/">
  <channel><item>
    <x:creator>Prefix X</x:creator><y:encoded>&lt;p&gt;body&lt;/p&gt;</y:encoded>
    <dc:creator xmlns:dc="urn:not-dublin-core">Not DC</dc:creator>
  </item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].author, "Prefix X");
  EXPECT_EQ(doc.entries[0].content_html, "<p>body</p>");
}

TEST(ParseFeed, FallsBackToConventionalPrefixesWhenUndeclared) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel><item>
    <title>t</title><dc:creator>Undeclared</dc:creator><content:encoded>c</content:encoded></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].author, "Undeclared");
  EXPECT_EQ(doc.entries[0].content_html, "c");
}

TEST(ParseFeed, UsesPermalinkGuidAsLinkOnlyWhenItIsOne) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel>
    <item><title>a</title><guid>https://example.com/a</guid></item>
    <item><title>b</title><guid isPermaLink="false">https://example.com/b</guid></item>
    <item><title>c</title><guid>42</guid></item>
    <item><title>d</title><guid>/posts/d</guid></item>
  </channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 4u);
  EXPECT_EQ(doc.entries[0].link, "https://example.com/a");
  EXPECT_TRUE(doc.entries[0].guid_is_permalink);
  EXPECT_EQ(doc.entries[1].link, std::nullopt);
  EXPECT_EQ(doc.entries[2].link, std::nullopt);
  EXPECT_EQ(doc.entries[3].link, "https://example.com/posts/d");
}

TEST(ParseFeed, UndoesADoubleEscapedAmpersandInRssLinks) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel>
    <item><link>https://example.com/x?a=1&amp;amp;b=2</link></item></channel></rss>)");
  EXPECT_EQ(doc.entries.at(0).link, "https://example.com/x?a=1&b=2");
}

TEST(ParseFeed, ResolvesRelativeLinksAgainstTheDocumentUrl) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel>
    <item><link>posts/1.html</link></item><item><link>/abs/2</link></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].link, "https://example.com/blog/posts/1.html");
  EXPECT_EQ(doc.entries[1].link, "https://example.com/abs/2");
}

TEST(ParseFeed, ReadsAtom10) {
  const FeedDocument doc = parse_ok(R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom feed</title><link href="https://example.com/"/><author><name>Feed Author</name></author>
  <entry>
    <title type="html">Fish &amp;amp; &lt;b&gt;chips&lt;/b&gt;</title>
    <link rel="self" href="https://example.com/self/1"/>
    <link rel="enclosure" href="https://example.com/a.mp3"/>
    <link rel="alternate" type="text/html" href="https://example.com/1"/>
    <id>urn:uuid:1</id>
    <published>2024-05-01T10:00:00+02:00</published><updated>2024-05-02T00:00:00Z</updated>
    <summary type="text">1 &lt; 2</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>world</b> &amp; more</p><br/></div></content>
    <category term="atom" label="Atom"/><category scheme="x" term="http://example.com/tags/x" label="Tag X"/>
  </entry>
</feed>)");
  EXPECT_EQ(doc.format, FeedFormat::atom10);
  EXPECT_EQ(doc.title, "Atom feed");
  ASSERT_EQ(doc.entries.size(), 1u);
  const FeedEntry& e = doc.entries[0];
  EXPECT_EQ(e.title, "Fish &amp; <b>chips</b>");
  EXPECT_TRUE(e.title_is_html);
  EXPECT_EQ(e.link, "https://example.com/1");
  EXPECT_EQ(e.guid, "urn:uuid:1");
  EXPECT_EQ(date(e.published), "2024-05-01T08:00:00Z");
  EXPECT_EQ(date(e.updated), "2024-05-02T00:00:00Z");
  EXPECT_EQ(e.author, "Feed Author");  // inherited from the feed
  EXPECT_EQ(e.summary_html, "1 &lt; 2");
  EXPECT_EQ(e.content_html, "<p>Hello <b>world</b> &amp; more</p><br />");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"atom", "Tag X"}));
}

TEST(ParseFeed, PrefersAlternateLinksAndDefaultsRelToAlternate) {
  const FeedDocument doc = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom">
    <entry><link rel="alternate" type="application/pdf" href="/doc.pdf"/><link href="/page"/></entry>
    <entry><link rel="related" href="/related"/></entry>
  </feed>)");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].link, "https://example.com/page");
  EXPECT_EQ(doc.entries[1].link, std::nullopt);
}

TEST(ParseFeed, ResolvesNestedXmlBase) {
  const FeedDocument doc = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/root/">
    <entry xml:base="sub/"><link href="page.html"/></entry>
    <entry xml:base="/other/"><link xml:base="deeper/" href="x"/></entry>
    <entry><link href="top"/></entry>
  </feed>)");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[0].link, "http://example.org/root/sub/page.html");
  EXPECT_EQ(doc.entries[1].link, "http://example.org/other/deeper/x");
  EXPECT_EQ(doc.entries[2].link, "http://example.org/root/top");
}

TEST(ParseFeed, ReadsAtom03) {
  const FeedDocument doc = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <entry>
    <title mode="escaped" type="text/html">Old &lt;i&gt;atom&lt;/i&gt;</title>
    <link rel="alternate" type="text/html" href="http://example.com/03"/>
    <id>tag:example.com,2004:03</id>
    <issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified>
    <summary mode="base64" type="text/html">PGI+YmFzZTY0PC9iPg==</summary>
    <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">inline</div></content>
  </entry>
</feed>)");
  EXPECT_EQ(doc.format, FeedFormat::atom03);
  ASSERT_EQ(doc.entries.size(), 1u);
  const FeedEntry& e = doc.entries[0];
  EXPECT_EQ(e.title, "Old <i>atom</i>");
  EXPECT_TRUE(e.title_is_html);
  EXPECT_EQ(date(e.published), "2004-01-01T00:00:00Z");
  EXPECT_EQ(date(e.updated), "2004-01-02T00:00:00Z");
  EXPECT_EQ(e.summary_html, "<b>base64</b>");
  EXPECT_EQ(e.content_html, "inline");
}

TEST(ParseFeed, ConcatenatesSplitCdataSections) {
  const FeedDocument doc = parse_ok(
      "<rss version=\"2.0\"><channel><item><description><![CDATA[<p>a ]]]]><![CDATA[>b</p>]]> tail</description>"
      "</item></channel></rss>");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].summary_html, "<p>a ]]>b</p> tail");
}

TEST(ParseFeed, KeepsUnescapedMarkupInsideDescriptions) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel><item>
    <description>Text <a href="/x?a=1&amp;b=2">link</a> <br/> end</description></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].summary_html, "Text <a href=\"/x?a=1&amp;b=2\">link</a> <br /> end");
}

TEST(ParseFeed, FlagsRssTitlesThatLookLikeHtml) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel>
    <item><title>&lt;b&gt;Bold&lt;/b&gt; move</title></item>
    <item><title>Use &lt;div&gt; for layout</title></item>
    <item><title>AT&amp;T &amp;amp; friends</title></item>
  </channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_TRUE(doc.entries[0].title_is_html);
  EXPECT_FALSE(doc.entries[1].title_is_html);  // no close tag, no entity: plain text
  EXPECT_TRUE(doc.entries[2].title_is_html);   // "&amp;" left after XML decoding
}

TEST(ParseFeed, EscapesPlainTextSummariesAndFallsBackToMediaDescription) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
      xmlns:media="http://search.yahoo.com/mrss/"><channel>
    <item><title>a</title><itunes:summary>Tom &amp; Jerry &lt;3</itunes:summary></item>
    <item><title>b</title><media:group><media:description>From media</media:description></media:group></item>
    <item><title>c</title><description>Real</description><media:description>Caption</media:description></item>
  </channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 3u);
  EXPECT_EQ(doc.entries[0].summary_html, "Tom &amp; Jerry &lt;3");
  EXPECT_EQ(doc.entries[1].summary_html, "From media");
  EXPECT_EQ(doc.entries[2].summary_html, "Real");
}

TEST(ParseFeed, FallsBackToNestedMediaTitleAndDescription) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
    <item><media:group><media:content url="http://example.com/a.mp4">
      <media:title>Nested title</media:title><media:description>Nested description</media:description>
    </media:content></media:group></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "Nested title");
  EXPECT_EQ(doc.entries[0].summary_html, "Nested description");
}

TEST(ParseFeed, ReadsAtomTextThatLooksLikeEscapedHtmlAsHtml) {
  const FeedDocument doc = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry>
    <title>Don&amp;rsquo;t</title><summary>Tell, &amp;ldquo;Ask&amp;rdquo;</summary></entry></feed>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "Don&rsquo;t");
  EXPECT_TRUE(doc.entries[0].title_is_html);
  EXPECT_EQ(doc.entries[0].summary_html, "Tell, &ldquo;Ask&rdquo;");
}

TEST(ParseFeed, TakesTheFirstDateThatParses) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
    <item><pubDate>sometime soon</pubDate><dc:date>2020-02-02T02:02:02Z</dc:date></item>
    <item><pubDate>garbage</pubDate></item></channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(date(doc.entries[0].published), "none");
  EXPECT_EQ(date(doc.entries[0].updated), "2020-02-02T02:02:02Z");
  EXPECT_EQ(date(doc.entries[1].published), "none");
}

TEST(ParseFeed, ReadsJsonFeed) {
  const FeedDocument doc = parse_ok(R"({
    "version": "https://jsonfeed.org/version/1.1", "title": "JSON", "home_page_url": "https://example.com/",
    "authors": [{"name": "Feed"}],
    "items": [
      {"id": 1, "url": "/one", "title": "One", "content_text": "a < b", "summary": "S & T",
       "date_published": "2024-01-01T00:00:00Z", "authors": [{"name": "Jo"}], "tags": ["x", "y"]},
      {"id": "2", "external_url": "https://other.example/2", "content_html": "<p>two</p>", "author": {"name": "Old"}},
      "not an object"
    ]})");
  EXPECT_EQ(doc.format, FeedFormat::json_feed);
  EXPECT_EQ(doc.title, "JSON");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].guid, "1");
  EXPECT_EQ(doc.entries[0].link, "https://example.com/one");
  EXPECT_EQ(doc.entries[0].content_html, "a &lt; b");
  EXPECT_EQ(doc.entries[0].summary_html, "S &amp; T");
  EXPECT_EQ(doc.entries[0].author, "Jo");
  EXPECT_EQ(date(doc.entries[0].published), "2024-01-01T00:00:00Z");
  EXPECT_EQ(doc.entries[0].categories, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(doc.entries[1].link, "https://other.example/2");
  EXPECT_EQ(doc.entries[1].content_html, "<p>two</p>");
  EXPECT_EQ(doc.entries[1].author, "Old");
}

TEST(ParseFeed, ReadsRssInJson) {
  const FeedDocument doc = parse_ok(R"({"rss": {"version": "2.0", "channel": {"title": "S",
    "item": [{"title": "T", "link": "http://example.com/t", "pubDate": "Mon, 26 Jun 2017 19:40:58 GMT",
              "guid": {"#value": "http://example.com/g", "isPermaLink": "false"}, "description": "<p>d</p>"}]}}})");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "T");
  EXPECT_EQ(doc.entries[0].guid, "http://example.com/g");
  EXPECT_FALSE(doc.entries[0].guid_is_permalink);
  EXPECT_EQ(date(doc.entries[0].published), "2017-06-26T19:40:58Z");
}

TEST(ParseFeed, ReportsEmptyBodies) {
  for (std::string_view body : {std::string_view(""), std::string_view(" \r\n\t "), std::string_view("\xEF\xBB\xBF\n")}) {
    const StageError error = parse_fails(body);
    EXPECT_EQ(error.code, ErrorCode::empty_body);
    EXPECT_EQ(error.stage, Stage::parse);
    EXPECT_EQ(error.feed_url, kInput.feed_url);
  }
}

TEST(ParseFeed, ReportsDocumentsThatAreNotFeeds) {
  EXPECT_EQ(parse_fails("<!DOCTYPE html><html><head><title>Hi</title></head><body><p>page<br></body></html>").code,
            ErrorCode::not_a_feed);
  EXPECT_EQ(parse_fails(R"(<?xml version="1.0"?><opml version="2.0"><body><outline text="x"/></body></opml>)").code,
            ErrorCode::not_a_feed);
  EXPECT_EQ(parse_fails(R"({"hello": "world"})").code, ErrorCode::not_a_feed);
  EXPECT_EQ(parse_fails("just some text").code, ErrorCode::not_a_feed);
}

TEST(ParseFeed, ReportsMalformedDocumentsWithAnOffset) {
  const StageError xml = parse_fails("<rss version=\"2.0\"><channel><title>x</title><item><title>cut");
  EXPECT_EQ(xml.code, ErrorCode::malformed);
  EXPECT_NE(xml.message.find("offset"), std::string::npos) << xml.message;
  const StageError json = parse_fails(R"({"version": "https://jsonfeed.org/version/1", "items": [)");
  EXPECT_EQ(json.code, ErrorCode::malformed);
  EXPECT_NE(json.message.find("offset"), std::string::npos) << json.message;
}

TEST(ParseFeed, DropsJunkBeforeTheDeclaration) {
  const FeedDocument doc = parse_ok("\n\n   <?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>t</title></item></channel></rss>");
  EXPECT_EQ(doc.entries.size(), 1u);
  EXPECT_TRUE(has_repair(doc, "whitespace before the document"));
  const FeedDocument junk = parse_ok("<!-- hacked --><?xml version=\"1.0\"?><rss><channel><item><title>t</title></item></channel></rss>");
  EXPECT_EQ(junk.entries.size(), 1u);
  EXPECT_TRUE(has_repair(junk, "junk before the document"));
}

TEST(ParseFeed, RepairsBareAmpersandsHtmlEntitiesAndControlCharacters) {
  const FeedDocument doc = parse_ok(
      "<rss version=\"2.0\"><channel><item><title>Tom & Jerry&nbsp;&eacute;t&eacute; &hellip; &bogus; 1 < 2\x01\x0B</title>"
      "<link>http://example.com/?a=1&b=2</link><description>&#150; &#0; &#x80;</description></item></channel></rss>");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "Tom & Jerry\xC2\xA0\xC3\xA9t\xC3\xA9 \xE2\x80\xA6 &bogus; 1 < 2");
  EXPECT_EQ(doc.entries[0].link, "http://example.com/?a=1&b=2");
  EXPECT_EQ(doc.entries[0].summary_html, "\xE2\x80\x93  \xE2\x82\xAC");  // C1 refs as windows-1252, &#0; dropped
  EXPECT_TRUE(has_repair(doc, "HTML named entities"));
  EXPECT_TRUE(has_repair(doc, "bare '&'"));
  EXPECT_TRUE(has_repair(doc, "control characters"));
  EXPECT_TRUE(has_repair(doc, "bare '<'"));
}

TEST(ParseFeed, KeepsCompleteEntriesOfATruncatedDocument) {
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel>
    <item><title>one</title></item>
    <item><title>two</title></item>
    <item><title>three, cut off)");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[1].title, "two");
  EXPECT_TRUE(has_repair(doc, "1 incomplete entries"));
  const FeedDocument atom = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>a</title></entry>
    <entry><title>b</title><summary>half a sum)");
  ASSERT_EQ(atom.entries.size(), 1u);
  EXPECT_EQ(atom.entries[0].title, "a");
}

TEST(ParseFeed, RecoversFromMismatchedTags) {
  // An unclosed element before the items, a stray end tag and unclosed HTML inside one of them.
  const FeedDocument doc = parse_ok(R"(<rss version="2.0"><channel><title>c</title>
    <itunes:category text="Technology">
    <item><title>one</title><description>a <b>bold</description></item>
    </stray>
    <item><title>two</title></item>
  </channel></rss>)");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].title, "one");
  EXPECT_EQ(doc.entries[1].title, "two");
  EXPECT_TRUE(has_repair(doc, "not well-formed"));
}

TEST(ParseFeed, NeverExpandsDoctypeEntities) {
  const FeedDocument xxe = parse_ok(R"(<?xml version="1.0"?>
<!DOCTYPE feed [ <!ENTITY secret SYSTEM "file:///etc/passwd"> <!ENTITY word "expanded"> ]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>a &secret; b &word;</title></entry></feed>)");
  ASSERT_EQ(xxe.entries.size(), 1u);
  EXPECT_EQ(xxe.entries[0].title, "a &secret; b &word;");

  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i)
    bomb += "<!ENTITY lol" + std::to_string(i) + " \"" + [&] {
      std::string refs;
      for (int k = 0; k < 10; ++k) refs += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
      return refs;
    }() + "\">";
  bomb += "]><rss><channel><item><title>&lol9;</title></item></channel></rss>";
  const FeedDocument doc = parse_ok(bomb);
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "&lol9;");
}

TEST(ParseFeed, ConvertsLegacyCharsetsAndHonoursHttpCharset) {
  const std::string cp1251 = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss><channel><item><title>\xCF\xF0\xE8\xE2\xE5\xF2</title></item></channel></rss>";
  EXPECT_EQ(parse_ok(cp1251).entries.at(0).title, "Привет");
  const std::string koi8 = "<rss><channel><item><title>\xF0\xD2\xC9\xD7\xC5\xD4</title></item></channel></rss>";
  const ParseInput http{"https://example.com/feed", "https://example.com/feed", "text/xml; charset=KOI8-R"};
  EXPECT_EQ(parse_ok(koi8, http).entries.at(0).title, "Привет");
}

TEST(ParseFeed, RepairsDoubleEncodedUtf8Fields) {
  const FeedDocument doc = parse_ok("<rss><channel><item><title>Caf\xC3\x83\xC2\xA9 don\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2t</title></item></channel></rss>");
  EXPECT_EQ(doc.entries.at(0).title, "Caf\xC3\xA9 don\xE2\x80\x99t");
  EXPECT_TRUE(has_repair(doc, "encoded twice"));
}

TEST(ParseFeed, FindsAFeedWrappedInAnotherDocument) {
  const FeedDocument doc = parse_ok(R"(<html xmlns="http://www.w3.org/1999/xhtml"><body>
    <feed xmlns="http://www.w3.org/2005/Atom"><entry><title>inside</title></entry></feed></body></html>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].title, "inside");
  EXPECT_TRUE(has_repair(doc, "found inside <html>"));
}

TEST(ParseFeed, ReadsAStandaloneAtomEntry) {
  const FeedDocument doc = parse_ok(R"(<entry xmlns="http://www.w3.org/2005/Atom"><title>alone</title><id>x</id></entry>)");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].guid, "x");
}

TEST(ParseFeed, NeverThrowsOnHostileBytes) {
  const std::string inputs[] = {
      std::string("\0\0\0\0", 4), "<", "<?xml", "<![CDATA[", "<!--", "<rss", "<rss><channel><item><title>",
      "\xFF\xFE<\0", "\xFE\xFF\0<", "{", "[1,2", "<rss>&#xFFFFFFFF;&#99999999999;</rss>", std::string(10000, '<'),
      "<a b='<<<&&&'>", "<rss><channel><item>" + std::string(5000, 'x') + "</item></channel></rss>",
  };
  for (const auto& input : inputs) {
    auto outcome = parse_feed(input, kInput);
    if (auto* error = std::get_if<StageError>(&outcome)) {
      EXPECT_EQ(error->stage, Stage::parse);
    }
  }
}

}  // namespace
}  // namespace rssflow

namespace rssflow {
namespace {

TEST(ParseFeed, ResolvesRelativeLinksOfALocalSnapshotAgainstTheFeedsOwnSiteLink) {
  const ParseInput snapshot{"file:///srv/snapshot/qemu.atom", "file:///srv/snapshot/qemu.atom", std::nullopt};
  const FeedDocument atom = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>QEMU</title>
<link rel="self" href="https://www.qemu.org/feed.xml"/>
<entry><title>10.1</title><id>q1</id><link href="/2025/08/26/qemu-10-1-0/"/></entry></feed>)", snapshot);
  ASSERT_EQ(atom.entries.size(), 1u);
  EXPECT_EQ(atom.entries[0].link, "https://www.qemu.org/2025/08/26/qemu-10-1-0/");

  const FeedDocument rss = parse_ok(R"(<rss version="2.0"><channel><title>t</title>
<link> https://blog.example/ </link><item><title>a</title><link>posts/a.html</link></item></channel></rss>)", snapshot);
  ASSERT_EQ(rss.entries.size(), 1u);
  EXPECT_EQ(rss.entries[0].link, "https://blog.example/posts/a.html");

  // Without an absolute site link the file's own URL stays the base, as for any document.
  const FeedDocument bare = parse_ok(R"(<rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>a.html</link></item></channel></rss>)", snapshot);
  EXPECT_EQ(bare.entries[0].link, "file:///srv/snapshot/a.html");
}

}  // namespace
}  // namespace rssflow
