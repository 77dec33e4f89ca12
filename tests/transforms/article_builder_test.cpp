#include "transforms/article_builder.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/time.h"
#include "transforms/article_builder_text.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

constexpr std::string_view kDictionary =
    "# test dictionary\n"
    "PHP\tPHP\n"
    "PostgreSQL\tPostgreSQL, Postgres\n"
    "Security\tsecurity update, vulnerability\n";

// The matcher reads a file: write a small, fixed dictionary once per test binary.
const KeywordMatcher& matcher() {
  static const KeywordMatcher instance = [] {
    const auto path = std::filesystem::path(::testing::TempDir()) / ("article_builder_test_keywords." + std::to_string(::getpid()) + ".tsv");  // ctest runs tests in parallel processes
    std::ofstream(path) << kDictionary;
    return KeywordMatcher::from_file(path);
  }();
  return instance;
}

const Instant kFetched = Instant{std::chrono::sys_days{std::chrono::year{2024} / 5 / 2}} + 6h;
const Instant kPublished = Instant{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1}} + 12h + 34min + 56s;

FeedDocument wordpress_document() {
  FeedDocument doc;
  doc.feed_url = "https://blog.example.org/feed/";
  doc.document_url = "https://blog.example.org/feed/";
  doc.format = FeedFormat::rss20;
  doc.title = "Example Blog";
  doc.link = "https://blog.example.org/";
  FeedEntry e;
  e.title = "PHP 8.3 &amp; PostgreSQL: what’s new";  // plain text: the '&amp;' is literal
  e.link = "https://Blog.Example.org/2024/05/php-83/?utm_source=rss&utm_medium=rss&utm_campaign=php-83";
  e.guid = "https://blog.example.org/?p=1234";
  e.guid_is_permalink = false;
  e.author = "  Jane\n  Doe ";
  e.published = kPublished;
  e.summary_html = "<p>PHP 8.3 brings typed class constants&#8230;</p><p>The post <a href=\"https://blog.example.org/2024/05/php-83/\">PHP 8.3</a> appeared first on Example Blog.</p>";
  e.content_html = "<p>PHP 8.3 brings <strong>typed class constants</strong> and a security update for Postgres users.</p>\n<script>track()</script>";
  e.categories = {"PHP", " Releases ", "PHP", ""};
  doc.entries.push_back(e);
  return doc;
}

Article build_first(const FeedDocument& doc, ArticleOptions options = {}) {
  return build_article(doc.entries.front(), doc, matcher(), kFetched, options);
}

TEST(ArticleBuilder, FormatsAWordPressItemIntoTheContractRecord) {
  const FeedDocument doc = wordpress_document();
  const Article a = build_first(doc);
  EXPECT_EQ(a.url, "https://blog.example.org/2024/05/php-83/");
  EXPECT_EQ(a.guid, "https://blog.example.org/?p=1234");
  EXPECT_EQ(a.title, "PHP 8.3 &amp; PostgreSQL: what’s new");
  EXPECT_EQ(a.author, "Jane Doe");
  EXPECT_EQ(a.published_at, kPublished);
  EXPECT_EQ(a.summary, "PHP 8.3 brings typed class constants…\n\nThe post PHP 8.3 appeared first on Example Blog.");
  EXPECT_EQ(a.content_text, "PHP 8.3 brings typed class constants and a security update for Postgres users.");
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"php", "postgresql", "security"}));
  EXPECT_EQ(a.categories, (std::vector<std::string>{"PHP", "Releases"}));
  EXPECT_EQ(a.feed_url, "https://blog.example.org/feed/");
  EXPECT_EQ(a.fetched_at, kFetched);
  EXPECT_EQ(a.url_hash, xxh3_128("https://blog.example.org/2024/05/php-83/"));
  EXPECT_EQ(a.content_hash, xxh3_128(a.title + "\n" + a.content_text));
  EXPECT_FALSE(a.duplicate_of.has_value());
}

TEST(ArticleBuilder, CarriesMediaAndTheDeclaredLanguage) {
  FeedDocument doc = wordpress_document();
  doc.language = "en-us";
  FeedEntry& e = doc.entries.front();
  e.enclosures = {Enclosure{"https://cdn.example.org/ep.mp3", "audio/mpeg", 42}};
  Article a = build_first(doc);
  ASSERT_EQ(a.enclosures.size(), 1u);
  EXPECT_EQ(a.enclosures[0].url, "https://cdn.example.org/ep.mp3");
  EXPECT_EQ(a.language, "en-US");
  EXPECT_FALSE(a.image_url);  // no media image and no <img> in the content

  e.content_html = "<p>Intro</p><IMG alt=x SRC='https://cdn.example.org/a.png'><img src=\"https://cdn.example.org/b.png\">";
  EXPECT_EQ(build_first(doc).image_url, "https://cdn.example.org/a.png");
  e.content_html = "<p><img src=\"/relative.png\"> text</p>";
  EXPECT_FALSE(build_first(doc).image_url);  // relative or data: URLs are not stored
  e.image_url = "https://cdn.example.org/thumb.jpg";
  EXPECT_EQ(build_first(doc).image_url, "https://cdn.example.org/thumb.jpg");
  e.language = "pl";
  EXPECT_EQ(build_first(doc).language, "pl");
}

TEST(ArticleBuilder, DetectsTheLanguageWhenNoneIsDeclared) {
  FeedDocument doc = wordpress_document();
  doc.entries.front().content_html =
      "<p>Nowa wersja przeglądarki przynosi szybsze ładowanie stron i lepszą ochronę prywatności użytkowników.</p>";
  doc.entries.front().title = "Nowa wersja przeglądarki";
  EXPECT_EQ(build_first(doc).language, "pl");
  doc.entries.front().content_html = "<p>ok</p>";
  doc.entries.front().title = "v2";
  EXPECT_FALSE(build_first(doc).language);  // too little text to tell
}

TEST(ArticleBuilder, PutsTheSourceCategoryPathFirst) {
  std::vector<Article> articles = build_articles(wordpress_document(), matcher(), kFetched, {});
  add_source_categories(articles, {"Development", " PHP "});
  EXPECT_EQ(articles.front().categories, (std::vector<std::string>{"Development", "PHP", "Releases"}));
}

TEST(ArticleBuilder, StripsHtmlTitlesAndFoldsPlainOnes) {
  struct Case {
    std::string title;
    bool is_html;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"<b>Bold</b> &amp; <i>more</i>", true, "Bold & more"},
      {"Line one<br/>line two", true, "Line one line two"},
      {"\n    Wrapped\n    title\t ", false, "Wrapped title"},
      {"AT&T <rocks>", false, "AT&T <rocks>"},
      {"nbsp\xC2\xA0\xC2\xA0here", false, "nbsp here"},
      {"nul\0in title"s, false, "nulin title"},
      {"latin-1 caf\xE9", false, "latin-1 caf\xEF\xBF\xBD"},
  };
  for (const auto& c : cases) {
    FeedDocument doc = wordpress_document();
    doc.entries[0].title = c.title;
    doc.entries[0].title_is_html = c.is_html;
    EXPECT_EQ(build_first(doc).title, c.expected) << c.title;
  }
}

TEST(ArticleBuilder, FallsBackBetweenSummaryAndContent) {
  FeedDocument doc = wordpress_document();
  doc.entries[0].content_html.reset();
  Article a = build_first(doc);
  EXPECT_EQ(a.content_text, "PHP 8.3 brings typed class constants…\n\nThe post PHP 8.3 appeared first on Example Blog.");
  EXPECT_EQ(a.summary, a.content_text);

  doc = wordpress_document();
  doc.entries[0].summary_html = "   ";  // blank summaries count as absent
  a = build_first(doc, ArticleOptions{.summary_max_bytes = 40});
  EXPECT_EQ(a.summary, "PHP 8.3 brings typed class constants…");
  EXPECT_LE(a.summary.size(), 40u);
  EXPECT_EQ(a.content_text, "PHP 8.3 brings typed class constants and a security update for Postgres users.");

  doc = wordpress_document();
  doc.entries[0].summary_html.reset();
  doc.entries[0].content_html.reset();
  a = build_first(doc);
  EXPECT_EQ(a.summary, "");
  EXPECT_EQ(a.content_text, "");
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"php", "postgresql"}));  // from the title alone
}

TEST(ArticleBuilder, UsesUpdatedWhenThereIsNoPublishedDate) {
  FeedDocument doc = wordpress_document();
  doc.entries[0].published.reset();
  doc.entries[0].updated = kFetched - 1h;
  EXPECT_EQ(build_first(doc).published_at, kFetched - 1h);
  doc.entries[0].updated.reset();
  EXPECT_EQ(build_first(doc).published_at, std::nullopt);
}

TEST(ArticleBuilder, DropsBlankAuthor) {
  FeedDocument doc = wordpress_document();
  doc.entries[0].author = " \n ";
  EXPECT_EQ(build_first(doc).author, std::nullopt);
}

// One row per identity case: what the entry carries -> url, guid and the hashed key.
struct IdentityCase {
  const char* name;
  std::optional<std::string> link;
  std::optional<std::string> guid;
  bool guid_is_permalink;
  std::string expected_url;
  std::string expected_guid;
  std::string expected_key;  // url_hash == xxh3_128(expected_key)
};

TEST(ArticleBuilder, ChoosesTheIdentityByTheDocumentedRule) {
  const std::string feed = "https://news.example.com/rss";
  const std::vector<IdentityCase> cases = {
      {"canonical link wins over guid", "https://news.example.com/a?id=1&fbclid=x#top", "tag:news.example.com,2024:1", false,
       "https://news.example.com/a?id=1", "tag:news.example.com,2024:1", "https://news.example.com/a?id=1"},
      {"no link: a URL guid, canonicalised", std::nullopt, "HTTPS://News.Example.com/a?id=2", false, "",
       "HTTPS://News.Example.com/a?id=2", "https://news.example.com/a?id=2"},
      {"no link: permalink guid becomes the url", std::nullopt, "https://news.example.com/a?id=3", true,
       "https://news.example.com/a?id=3", "https://news.example.com/a?id=3", "https://news.example.com/a?id=3"},
      {"no link: tag: guid is global", std::nullopt, "tag:news.example.com,2024:4", false, "", "tag:news.example.com,2024:4",
       "tag:news.example.com,2024:4"},
      {"no link: bare guid is namespaced by the feed", std::nullopt, " 42 ", false, "", "42", feed + "\n42"},
      {"guid equal to the feed URL is not an identity", "https://news.example.com/a?id=6", "https://news.example.com/rss", false,
       "https://news.example.com/a?id=6", "https://news.example.com/a?id=6", "https://news.example.com/a?id=6"},
      {"link to the site home page is not an identity", "https://news.example.com/", "urn:uuid:7", false,
       "https://news.example.com/", "urn:uuid:7", "urn:uuid:7"},
      {"neither: feed, url, title and date", "https://news.example.com", "https://news.example.com/rss", true,
       "https://news.example.com/", "https://news.example.com/", feed + "\nhttps://news.example.com/\nTitle\n2024-05-01T12:34:56Z"},
  };
  for (const auto& c : cases) {
    FeedDocument doc;
    doc.feed_url = feed;
    doc.document_url = feed;
    doc.link = "https://news.example.com/";
    FeedEntry e;
    e.title = "Title";
    e.link = c.link;
    e.guid = c.guid;
    e.guid_is_permalink = c.guid_is_permalink;
    e.published = kPublished;
    doc.entries.push_back(e);
    const Article a = build_first(doc);
    EXPECT_EQ(a.url, c.expected_url) << c.name;
    EXPECT_EQ(a.guid, c.expected_guid) << c.name;
    EXPECT_EQ(a.url_hash, xxh3_128(c.expected_key)) << c.name;
  }
}

TEST(ArticleBuilder, EntriesOnOnePageKeepTheirFragmentInTheIdentity) {
  // Scripting News style: every post is an anchor on the day's page.
  FeedDocument doc;
  doc.feed_url = "http://scripting.com/rss.xml";
  doc.link = "http://scripting.com/";
  for (const char* anchor : {"a080605", "a091012", "a120000"}) {
    FeedEntry e;
    e.link = std::string("http://scripting.com/2017/06/26.html#") + anchor;
    e.guid = e.link;
    e.guid_is_permalink = true;
    e.summary_html = std::string("<p>Post ") + anchor + "</p>";
    doc.entries.push_back(e);
  }
  const std::vector<Article> articles = build_articles(doc, matcher(), kFetched, {});
  ASSERT_EQ(articles.size(), 3u);
  for (const Article& a : articles) EXPECT_EQ(a.url, "http://scripting.com/2017/06/26.html");
  EXPECT_EQ(articles[0].url_hash, xxh3_128("http://scripting.com/2017/06/26.html#a080605"));
  EXPECT_NE(articles[0].url_hash, articles[1].url_hash);
  EXPECT_NE(articles[1].url_hash, articles[2].url_hash);

  // A tracking fragment is not part of the identity: the same story from two feeds is one row.
  FeedDocument spiegel = wordpress_document();
  spiegel.entries[0].link = "https://blog.example.org/2024/05/php-83/#ref=rss";
  EXPECT_EQ(build_first(spiegel).url_hash, build_first(wordpress_document()).url_hash);
}

TEST(ArticleBuilder, WithoutLinkGuidOrDateTheContentIsPartOfTheKey) {
  FeedDocument doc;
  doc.feed_url = "https://status.example.net/feed";
  FeedEntry e;
  e.title = "Maintenance";
  e.summary_html = "<p>Database failover at 02:00.</p>";
  doc.entries.push_back(e);
  const Article a = build_first(doc);
  EXPECT_EQ(a.url, "");
  EXPECT_EQ(a.guid, "");
  EXPECT_EQ(a.url_hash, xxh3_128("https://status.example.net/feed\n\nMaintenance\n\nDatabase failover at 02:00."));
}

// A feed whose generator puts one placeholder in every <guid> (here: the feed URL itself, as
// some podcast hosts and static-site templates do) and whose links are real.
FeedDocument placeholder_guid_document(bool with_links) {
  FeedDocument doc;
  doc.feed_url = "https://podcast.example.fm/feed.xml";
  doc.document_url = "https://cdn.example.fm/feed.xml";
  for (int i = 1; i <= 3; ++i) {
    FeedEntry e;
    e.title = "Episode " + std::to_string(i);
    if (with_links) e.link = "https://podcast.example.fm/episodes/" + std::to_string(i);
    e.guid = "episode";  // repeated: not an identity
    e.published = kPublished + std::chrono::hours(24 * i);
    doc.entries.push_back(e);
  }
  return doc;
}

TEST(ArticleBuilder, RepeatedGuidsAreNotAnIdentity) {
  const FeedDocument linked = placeholder_guid_document(true);
  const std::vector<Article> with_links = build_articles(linked, matcher(), kFetched, {});
  ASSERT_EQ(with_links.size(), 3u);
  for (const Article& a : with_links) {
    EXPECT_EQ(a.guid, a.url) << "the link stands in for the placeholder guid";
    EXPECT_EQ(a.url_hash, xxh3_128(a.url));
  }

  const FeedDocument unlinked = placeholder_guid_document(false);
  const std::vector<Article> without_links = build_articles(unlinked, matcher(), kFetched, {});
  ASSERT_EQ(without_links.size(), 3u);
  EXPECT_NE(without_links[0].url_hash, without_links[1].url_hash);
  EXPECT_NE(without_links[1].url_hash, without_links[2].url_hash);
  EXPECT_EQ(without_links[0].url_hash,
            xxh3_128("https://podcast.example.fm/feed.xml\n\nEpisode 1\n" + format_rfc3339(kPublished + 24h)));
  // Stable from run to run: the same document gives the same identities.
  EXPECT_EQ(build_articles(unlinked, matcher(), kFetched + 1h, {})[2].url_hash, without_links[2].url_hash);
}

TEST(ArticleBuilder, RepeatedLinksToOnePageAreNotAnIdentity) {
  // A comic/changelog feed whose items all link to the same page but carry distinct guids.
  FeedDocument doc;
  doc.feed_url = "https://comic.example.org/rss";
  for (int i = 1; i <= 2; ++i) {
    FeedEntry e;
    e.title = "Strip #" + std::to_string(i);
    e.link = "https://comic.example.org/latest";
    e.guid = "strip-" + std::to_string(i);
    doc.entries.push_back(e);
  }
  const std::vector<Article> articles = build_articles(doc, matcher(), kFetched, {});
  EXPECT_EQ(articles[0].url, "https://comic.example.org/latest");
  EXPECT_EQ(articles[0].url_hash, xxh3_128("https://comic.example.org/rss\nstrip-1"));
  EXPECT_EQ(articles[1].url_hash, xxh3_128("https://comic.example.org/rss\nstrip-2"));
}

TEST(ArticleBuilder, AnEntryListedTwiceKeepsOneIdentity) {
  FeedDocument doc = wordpress_document();
  doc.entries.push_back(doc.entries.front());  // the same item twice: dedupe drops the copy
  const std::vector<Article> articles = build_articles(doc, matcher(), kFetched, {});
  EXPECT_EQ(articles[0].url_hash, articles[1].url_hash);
  EXPECT_EQ(articles[0].url_hash, xxh3_128("https://blog.example.org/2024/05/php-83/"));
}

TEST(ArticleBuilder, PerEntryAndWholeDocumentBuildsAgree) {
  std::vector<FeedDocument> docs = {wordpress_document(), placeholder_guid_document(true),
                                    placeholder_guid_document(false)};
  for (const FeedDocument& doc : docs) {
    const std::vector<Article> all = build_articles(doc, matcher(), kFetched, {});
    ASSERT_EQ(all.size(), doc.entries.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      const Article one = build_article(doc.entries[i], doc, matcher(), kFetched, {});
      EXPECT_EQ(one.url_hash, all[i].url_hash) << doc.feed_url << " #" << i;
      EXPECT_EQ(one.guid, all[i].guid);
      EXPECT_EQ(one.content_hash, all[i].content_hash);
    }
  }
}

TEST(ArticleBuilder, EveryTextFieldIsCleanUtf8WithoutControls) {
  FeedDocument doc = wordpress_document();
  FeedEntry& e = doc.entries[0];
  e.title = "a\0b\x01" "c\xFF"s;
  e.author = "x\x02y"s;
  e.categories = {"tag\0one"s, "\xC0\xAF"};
  e.content_html = "<p>body\0with nul</p>"s;
  e.link = "https://blog.example.org/\xFFpath";
  const Article a = build_first(doc);
  for (const std::string* s : {&a.title, &*a.author, &a.categories[0], &a.categories[1], &a.content_text, &a.summary, &a.url, &a.guid}) {
    EXPECT_EQ(s->find('\0'), std::string::npos) << *s;
    EXPECT_EQ(s->find('\x01'), std::string::npos) << *s;
    EXPECT_EQ(s->find('\xFF'), std::string::npos) << *s;
  }
  EXPECT_EQ(a.title, "abc\xEF\xBF\xBD");
  EXPECT_EQ(a.url, "https://blog.example.org/%FFpath");
}

TEST(ArticleBuilderText, SanitizesControlsLineEndsAndBrokenUtf8) {
  struct Case {
    std::string input, sanitized, folded;
  };
  const std::vector<Case> cases = {
      {"plain", "plain", "plain"},
      {"a\r\nb\rc\nd", "a\nb\nc\nd", "a b c d"},
      {"tab\there\0nul\x1b"s, "tab\therenul", "tab herenul"},
      {"\xE2\x82", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
      {"  \xC2\xA0 lead and trail \xC2\xA0 ", "  \xC2\xA0 lead and trail \xC2\xA0 ", "lead and trail"},
      {"\xF0\x9F\x93\xB0 ok \xED\xA0\x80", "\xF0\x9F\x93\xB0 ok \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
       "\xF0\x9F\x93\xB0 ok \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sanitize_text(c.input), c.sanitized) << c.input;
    EXPECT_EQ(fold_whitespace(c.input), c.folded) << c.input;
  }
}

}  // namespace
}  // namespace rssflow
