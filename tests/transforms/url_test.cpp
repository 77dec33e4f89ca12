#include "transforms/url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rssflow {
namespace {

struct ResolveCase {
  std::string_view ref;
  std::string_view expected;
};

constexpr std::string_view kRfcBase = "http://a/b/c/d;p?q";

// RFC 3986 section 5.4.1.
const std::vector<ResolveCase> kRfcNormal = {
    {"g:h", "g:h"},
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"},
    {"g#s", "http://a/b/c/g#s"},
    {"g?y#s", "http://a/b/c/g?y#s"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"},  // RFC result; our API returns nullopt for empty refs (below)
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
};

// RFC 3986 section 5.4.2 (strict parser).
const std::vector<ResolveCase> kRfcAbnormal = {
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"},
    {"http:g", "http:g"},
};

TEST(ResolveUrl, PassesEveryRfc3986NormalExample) {
  for (const auto& c : kRfcNormal) {
    if (c.ref.empty()) continue;
    EXPECT_EQ(resolve_url(kRfcBase, c.ref).value_or("<nullopt>"), c.expected) << "ref: " << c.ref;
  }
}

TEST(ResolveUrl, PassesEveryRfc3986AbnormalExample) {
  for (const auto& c : kRfcAbnormal) {
    EXPECT_EQ(resolve_url(kRfcBase, c.ref).value_or("<nullopt>"), c.expected) << "ref: " << c.ref;
  }
}

TEST(ResolveUrl, HandlesLinksAsFeedsWriteThem) {
  struct Case {
    std::string_view base, ref, expected;
  };
  const std::vector<Case> cases = {
      // Scheme-relative links keep the document's scheme.
      {"https://blog.example.org/feed.xml", "//cdn.example.org/img.png", "https://cdn.example.org/img.png"},
      // Query-only and fragment-only refs.
      {"https://example.org/news/index.php?page=2", "?page=3", "https://example.org/news/index.php?page=3"},
      {"https://example.org/news/item?id=7", "#comments", "https://example.org/news/item?id=7#comments"},
      // Base with an empty path.
      {"http://example.org", "post/1", "http://example.org/post/1"},
      {"http://example.org?x=1", "?y=2", "http://example.org?y=2"},
      // Wrapped XML text: whitespace and line breaks around and inside the link.
      {"https://example.org/", "\n      /2024/05/01/hello-\nworld/  ", "https://example.org/2024/05/01/hello-world/"},
      // Absolute refs are returned as written (trimmed).
      {"https://example.org/", "  HTTPS://Other.Example/A  ", "HTTPS://Other.Example/A"},
      // Base's fragment never leaks into the result.
      {"https://example.org/a/b#top", "c", "https://example.org/a/c"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(resolve_url(c.base, c.ref).value_or("<nullopt>"), c.expected) << c.base << " + " << c.ref;
  }
}

TEST(ResolveUrl, ReturnsNulloptForBlankRefOrRelativeBase) {
  EXPECT_EQ(resolve_url(kRfcBase, ""), std::nullopt);
  EXPECT_EQ(resolve_url(kRfcBase, " \n\t "), std::nullopt);
  EXPECT_EQ(resolve_url("/relative/base", "g"), std::nullopt);
  EXPECT_EQ(resolve_url("", "g"), std::nullopt);
  // An absolute ref needs no base.
  EXPECT_EQ(resolve_url("", "https://example.org/x").value_or(""), "https://example.org/x");
}

TEST(CanonicalizeUrl, NormalisesSchemeHostPortPathAndFragment) {
  struct Case {
    std::string_view input, expected;
  };
  const std::vector<Case> cases = {
      {"HTTP://Example.COM/Path/To", "http://example.com/Path/To"},
      {"https://example.com", "https://example.com/"},
      {"http://example.com:80/a", "http://example.com/a"},
      {"https://example.com:443/a", "https://example.com/a"},
      {"https://example.com:0443/a", "https://example.com/a"},
      {"http://example.com:/a", "http://example.com/a"},
      {"http://example.com:8080/a", "http://example.com:8080/a"},
      {"https://example.com:80/a", "https://example.com:80/a"},
      {"https://example.com/a#section-2", "https://example.com/a"},
      {"https://example.com/a/./b/../c", "https://example.com/a/c"},
      {"https://example.com/a?", "https://example.com/a"},
      {"https://User@Example.com/", "https://example.com/"},
      {"https://user:secret@Example.com/a", "https://example.com/a"},
      {"http://0x7f000001:8080/a", "http://127.0.0.1:8080/a"},
      {"http://127.1/a", "http://127.0.0.1/a"},
      {"http://017700000001/a", "http://127.0.0.1/a"},
      // A plain dotted quad is taken as written; with a leading zero a part is octal, as curl reads it.
      {"http://10.1.2.3:8080/a", "http://10.1.2.3:8080/a"},
      {"http://127.000.000.010/a", "http://127.0.0.8/a"},
      {"http://1.2.3.4.5/a", "http://1.2.3.4.5/a"},
      {"http://9to5mac.com/a", "http://9to5mac.com/a"},
      {"http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"},
      {"http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"},
      // IDN hosts are left as written (no punycode conversion), ASCII letters lower-cased.
      {"https://BÜCHER.example/", "https://bÜcher.example/"},
      {"https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"},
      {"  https://example.com/trimmed \n", "https://example.com/trimmed"},
  };
  for (const auto& c : cases) EXPECT_EQ(canonicalize_url(c.input), c.expected) << c.input;
}

TEST(CanonicalizeUrl, NormalisesPercentEncoding) {
  struct Case {
    std::string_view input, expected;
  };
  const std::vector<Case> cases = {
      {"https://example.com/a%2fb", "https://example.com/a%2Fb"},        // hex upper-cased, '/' stays escaped
      {"https://example.com/%7Euser/%41%62c", "https://example.com/~user/Abc"},  // unreserved decoded
      {"https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"},
      {"https://example.com/café", "https://example.com/caf%C3%A9"},  // raw UTF-8 encoded
      {"https://example.com/a b", "https://example.com/a%20b"},
      {"https://example.com/100%", "https://example.com/100%25"},  // stray '%'
      {"https://example.com/%2E%2E/x", "https://example.com/x"},   // escaped dots are dot segments
      {"https://example.com/s?q=a%2bb&r=%7e", "https://example.com/s?q=a%2Bb&r=~"},
  };
  for (const auto& c : cases) EXPECT_EQ(canonicalize_url(c.input), c.expected) << c.input;
}

TEST(CanonicalizeUrl, RemovesTrackingParametersAndKeepsTheRestInOrder) {
  struct Case {
    std::string_view input, expected;
  };
  const std::vector<Case> cases = {
      {"https://example.com/story?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.com/story"},
      {"https://example.com/story?id=42&utm_source=rss&page=2", "https://example.com/story?id=42&page=2"},
      {"https://example.com/story?z=1&a=2&fbclid=IwAR0abc", "https://example.com/story?z=1&a=2"},
      {"https://example.com/?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&keep=1", "https://example.com/?keep=1"},
      {"https://example.com/?_hsenc=a&_hsmi=b&igshid=c&yclid=d&ref_src=twsrc", "https://example.com/"},
      {"https://example.com/?UTM_Source=x&Id=1", "https://example.com/?Id=1"},
      {"https://example.com/?utm=1&utm_=2", "https://example.com/?utm=1&utm_=2"},  // not utm_* names
      {"https://example.com/?a=1&&b=2&", "https://example.com/?a=1&b=2"},
      {"https://example.com/?ref=homepage", "https://example.com/?ref=homepage"},  // 'ref' can be real
      {"https://example.com/?a=1#utm_source=x", "https://example.com/?a=1"},
  };
  for (const auto& c : cases) EXPECT_EQ(canonicalize_url(c.input), c.expected) << c.input;
}

TEST(CanonicalizeUrl, LeavesNonHttpUrlsUnchangedExceptTrimming) {
  EXPECT_EQ(canonicalize_url(" urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a "), "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
  EXPECT_EQ(canonicalize_url("tag:example.org,2003:3.2397"), "tag:example.org,2003:3.2397");
  EXPECT_EQ(canonicalize_url("FILE:///tmp/A.xml#x"), "FILE:///tmp/A.xml#x");
  EXPECT_EQ(canonicalize_url("mailto:Someone@Example.com"), "mailto:Someone@Example.com");
  EXPECT_EQ(canonicalize_url("/relative/path?utm_source=x"), "/relative/path?utm_source=x");
  EXPECT_EQ(canonicalize_url(""), "");
}

TEST(CanonicalizeUrlForIdentity, KeepsFragmentsThatNameAnEntryAndDropsNoise) {
  struct Case {
    std::string_view input, expected;
  };
  const std::vector<Case> cases = {
      // Several entries on one page (daily pages, diaries, comment feeds): the fragment is the entry.
      {"http://scripting.com/2017/06/26.html#a080605", "http://scripting.com/2017/06/26.html#a080605"},
      {"http://tdiary.example.net/20060817.html#p01", "http://tdiary.example.net/20060817.html#p01"},
      {"https://blog.example.org/post/#comment-713578640", "https://blog.example.org/post/#comment-713578640"},
      {"http://scriptingnews.example.com/backissues/2002/12/16#When:4:48:41AM",
       "http://scriptingnews.example.com/backissues/2002/12/16#When:4:48:41AM"},
      {"HTTP://Example.com:80/a/../page.html#%7eNote", "http://example.com/page.html#~Note"},
      // A query-like tail appended to an entry fragment is cut.
      {"http://xml.example.com/newspage.html#ni1999-08-27-a?wwwrrr_rss", "http://xml.example.com/newspage.html#ni1999-08-27-a"},
      // Tracking and page sections are dropped like in canonicalize_url.
      {"http://www.spiegel.example/politik/a-1129019.html#ref=rss", "http://www.spiegel.example/politik/a-1129019.html"},
      {"http://www.bento.example/trip/x-1107576/#refsponi#ref=rss", "http://www.bento.example/trip/x-1107576/"},
      {"https://www.lemonde.example/article.html#xtor=RSS-3208", "https://www.lemonde.example/article.html"},
      {"http://blog.example.com/2016/02/early.html#.VtCA1eS6FaQ", "http://blog.example.com/2016/02/early.html"},
      {"https://www.techhive.example/article/3212828/best.html#tk.rss_all", "https://www.techhive.example/article/3212828/best.html"},
      {"https://blog.example.org/post/#comments", "https://blog.example.org/post/"},
      {"https://blog.example.org/post/#respond", "https://blog.example.org/post/"},
      {"https://blog.example.org/post/#more-1234", "https://blog.example.org/post/"},
      {"https://blog.example.org/post/#disqus_thread", "https://blog.example.org/post/"},
      {"https://blog.example.org/post/#", "https://blog.example.org/post/"},
      {"https://blog.example.org/post/?utm_source=x#a1", "https://blog.example.org/post/#a1"},
      // Not http(s): unchanged.
      {"tag:example.org,2024:post#1", "tag:example.org,2024:post#1"},
  };
  for (const auto& c : cases) EXPECT_EQ(canonicalize_url_for_identity(c.input), c.expected) << c.input;
}

TEST(CanonicalizeUrl, IsIdempotent) {
  const std::vector<std::string_view> inputs = {
      "HTTP://Example.COM:80/a/../b/%7efoo?utm_source=x&q=a b#frag",
      "https://example.com/caf%c3%a9?x=%zz",
      "https://example.com",
      "http://scripting.com/2017/06/26.html#a080605?x",
  };
  for (std::string_view input : inputs) {
    const std::string once = canonicalize_url(input);
    EXPECT_EQ(canonicalize_url(once), once) << input;
    const std::string identity = canonicalize_url_for_identity(input);
    EXPECT_EQ(canonicalize_url_for_identity(identity), identity) << input;
  }
}

TEST(LocateUrl, SplitsSchemeHostPortPathAndUserinfo) {
  const auto http = locate_url("HTTPS://user:pw@Blog.Example.COM:8443/a/feed.xml?x=1#top");
  ASSERT_TRUE(http.has_value());
  EXPECT_EQ(http->scheme, "https");
  EXPECT_EQ(http->host, "blog.example.com");
  EXPECT_EQ(http->port, 8443);
  EXPECT_EQ(http->path, "/a/feed.xml");
  EXPECT_EQ(http->query, "x=1");
  EXPECT_EQ(http->userinfo, "user:pw");
  EXPECT_EQ(host_key(*http), "blog.example.com:8443");
  const auto ipv6 = locate_url("http://[::1]:8080/feed");
  ASSERT_TRUE(ipv6.has_value());
  EXPECT_EQ(ipv6->host, "[::1]");
  EXPECT_EQ(host_key(*ipv6), "[::1]:8080");
  EXPECT_EQ(host_key(*locate_url("http://example.com")), "example.com:80");
  const auto file = locate_url("file:///srv/feeds/a.xml");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->host, "");
  EXPECT_EQ(file->port, 0);
  EXPECT_EQ(file->path, "/srv/feeds/a.xml");
  for (const char* rejected : {"ftp://example.com/x", "feeds/a.xml", "javascript:alert(1)", "http://example.com:99999/",
                               "http://ex ample.com/", ""}) {
    EXPECT_FALSE(locate_url(rejected).has_value()) << rejected;
  }
}

TEST(LocateUrl, NormalisesHostAndPortSpellingsAsCurlConnects) {
  for (const char* spelling : {"http://127.0.0.1:18081/f", "http://0x7f000001:18081/f", "http://127.1:018081/f",
                               "http://017700000001:18081/f", "http://0X7F.0.0.1:18081/f"}) {
    const auto location = locate_url(spelling);
    ASSERT_TRUE(location.has_value()) << spelling;
    EXPECT_EQ(host_key(*location), "127.0.0.1:18081") << spelling;
  }
}

TEST(CanonicalSourceUrl, OneFormForEverySpellingOfOneFeed) {
  const std::string expected = "http://127.0.0.1:18081/feeds/a.xml";
  for (const char* spelling : {"http://127.0.0.1:18081/feeds/a.xml", "http://127.0.0.1:18081/feeds/a.xml#frag",
                               "http://127.0.0.1:18081/feeds/./a.xml", "http://127.0.0.1:18081/x/../feeds/a.xml",
                               "http://127.0.0.1:018081/feeds/a.xml", "http://0x7f000001:18081/feeds/a.xml",
                               "HTTP://user:pw@127.0.0.1:18081/feeds/%61.xml", " http://127.1:18081/feeds/a.xml "}) {
    EXPECT_EQ(canonical_source_url(spelling), expected) << spelling;
  }
  EXPECT_EQ(canonical_source_url("https://example.com:443"), "https://example.com/");
  EXPECT_NE(canonical_source_url("https://example.com/a?page=2"), canonical_source_url("https://example.com/a"));
  EXPECT_EQ(canonical_source_url("file:///srv/my%20feed.xml"), "file:///srv/my%20feed.xml");
  EXPECT_EQ(canonical_source_url("file:///srv/./x/../my%20feed.xml"), "file:///srv/my%20feed.xml");
}

TEST(WithoutUserinfo, RemovesCredentialsFromTheAuthorityOnly) {
  const struct {
    const char* input;
    const char* expected;
  } cases[] = {
      {"http://user:secret@example.com/feed", "http://example.com/feed"},
      {"https://user@example.com:8443/f?q=a@b#x@y", "https://example.com:8443/f?q=a@b#x@y"},
      {"http://a:b@c@example.com", "http://example.com"},
      {"//user:pw@example.com/x", "//example.com/x"},
      {"http://example.com/path@x", "http://example.com/path@x"},
      {"mailto:someone@example.com", "mailto:someone@example.com"},
      {"not a url @ all", "not a url @ all"},
      {"http://us er:pw@exa mple/", "http://exa mple/"},
  };
  for (const auto& c : cases) EXPECT_EQ(without_userinfo(c.input), c.expected) << c.input;
}

TEST(IsWebUrl, OnlyAbsoluteHttpAndHttpsWithAHost) {
  for (const char* ok : {"http://example.com/", "HTTPS://Example.com/a?b#c", "https://[2001:db8::1]/x"}) {
    EXPECT_TRUE(is_web_url(ok)) << ok;
  }
  for (const char* bad : {"javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                          "file:///etc/passwd", "vbscript:msgbox", "/relative", "//example.com/x",
                          "ftp://example.com/x", "javascript://example.com/%0aalert(1)", ""}) {
    EXPECT_FALSE(is_web_url(bad)) << bad;
  }
}

TEST(PercentDecode, DecodesEscapesAndRefusesBrokenOnes) {
  EXPECT_EQ(percent_decode("my%20feed%2Fx").value_or("?"), "my feed/x");
  EXPECT_FALSE(percent_decode("bad%2").has_value());
  EXPECT_FALSE(percent_decode("nul%00").has_value());
}

}  // namespace
}  // namespace rssflow
