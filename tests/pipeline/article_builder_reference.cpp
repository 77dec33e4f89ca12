// The record builder as it was before the pipeline became a chain of stages (identify, clean,
// keywords), kept verbatim (test-only) so that the golden test can compare the two paths.
#include "tests/pipeline/article_builder_reference.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "core/time.h"
#include "transforms/article_builder_text.h"
#include "transforms/strip_html.h"
#include "transforms/url.h"

namespace rssflow::reference {
namespace {

std::string_view trimmed(const std::optional<std::string>& value) {
  if (!value) return {};
  std::string_view s = *value;
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool is_http_url(std::string_view s) { return starts_with_ci(s, "http://") || starts_with_ci(s, "https://"); }

// Schemes whose identifiers are unique across publishers by construction. Any other guid
// ("42", "post-1234", a bare UUID) is only unique within its feed.
bool is_global_identifier(std::string_view guid) {
  return is_http_url(guid) || starts_with_ci(guid, "tag:") || starts_with_ci(guid, "urn:");
}

// Two entries that carry the same link or guid are copies of one article only if what they
// say is the same too; otherwise the value is a placeholder shared by different articles.
bool same_article(const FeedEntry& a, const FeedEntry& b) {
  return a.title == b.title && a.summary_html == b.summary_html && a.content_html == b.content_html;
}

// URLs that name the feed or its site rather than one article.
struct FeedUrls {
  explicit FeedUrls(const FeedDocument& document)
      : feed(canonicalize_url(document.feed_url)),
        document(canonicalize_url(document.document_url)),
        site(document.link ? canonicalize_url(*document.link) : std::string()) {}

  bool names_the_feed(std::string_view canonical) const {
    return canonical == feed || canonical == document || (!site.empty() && canonical == site);
  }

  std::string feed;
  std::string document;
  std::string site;
};

struct Repetition {
  bool link = false;  // another entry with a different article carries the same link
  bool guid = false;  // ... the same guid
};


// Marks every member of a group of entries sharing one value when the group holds more than
// one distinct article.
template <class Get>
void mark_repeated(const FeedDocument& document, Get value_of, std::vector<Repetition>& reps, bool Repetition::*flag) {
  std::unordered_map<std::string_view, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < document.entries.size(); ++i) {
    const std::string_view v = value_of(document.entries[i]);
    if (!v.empty()) groups[v].push_back(i);
  }
  for (const auto& [value, members] : groups) {
    if (members.size() < 2) continue;
    const FeedEntry& first = document.entries[members.front()];
    const bool mixed = std::any_of(members.begin() + 1, members.end(),
                                   [&](std::size_t i) { return !same_article(first, document.entries[i]); });
    if (!mixed) continue;
    for (std::size_t i : members) reps[i].*flag = true;
  }
}

std::vector<Repetition> scan_all(const FeedDocument& document) {
  std::vector<Repetition> reps(document.entries.size());
  mark_repeated(document, [](const FeedEntry& e) { return trimmed(e.link); }, reps, &Repetition::link);
  mark_repeated(document, [](const FeedEntry& e) { return trimmed(e.guid); }, reps, &Repetition::guid);
  return reps;
}

std::string plain_text(const std::optional<std::string>& html) {
  if (!html || html->empty()) return {};
  return sanitize_owned_text(strip_html(*html));
}

// The identity rule documented in article_builder.h and transforms/IDENTITY.md.
void assign_identity(Article& article, std::string_view link, const FeedEntry& entry, const FeedDocument& document,
                     const FeedUrls& feed_urls, Repetition rep, bool link_from_guid) {
  const std::string guid = fold_whitespace(trimmed(entry.guid));
  const bool link_repeated = link_from_guid ? rep.guid : rep.link;
  const bool link_identifies = !article.url.empty() && !link_repeated && !feed_urls.names_the_feed(article.url);
  const bool guid_identifies = !guid.empty() && !rep.guid && !feed_urls.names_the_feed(canonicalize_url(guid));

  std::string key;
  if (link_identifies) {
    key = sanitize_owned_text(canonicalize_url_for_identity(link));  // article.url plus an entry fragment
  } else if (guid_identifies) {
    key = is_global_identifier(guid) ? canonicalize_url_for_identity(guid) : document.feed_url + "\n" + guid;
  } else {
    key = document.feed_url + "\n" + article.url + "\n" + article.title + "\n" +
          (article.published_at ? format_rfc3339(*article.published_at) : std::string());
    if (!article.published_at) key += "\n" + article.content_text;
  }
  article.url_hash = xxh3_128(key);
  article.guid = guid_identifies ? guid : !article.url.empty() ? article.url : guid;
}

Article build_one(const FeedEntry& entry, const FeedDocument& document, const FeedUrls& feed_urls, Repetition rep,
                  const ReferenceKeywordMatcher& keywords, Instant fetched_at, const ArticleOptions& options) {
  Article article;
  if (entry.title) article.title = entry.title_is_html ? fold_whitespace(strip_html(*entry.title)) : fold_whitespace(*entry.title);

  std::string_view link = trimmed(entry.link);
  // Named fix (issue 10, h10): the builder stores only http(s) links (javascript:, data:,
  // file:, ... count as no link); the reference follows the same rule so the comparison
  // checks the chain, not this intended change.
  if (!is_http_url(link)) link = {};
  bool link_from_guid = false;
  if (link.empty() && entry.guid_is_permalink && is_http_url(trimmed(entry.guid))) {
    link = trimmed(entry.guid);  // RSS 2.0: a permalink guid is the item's URL
    link_from_guid = true;
  }
  if (!link.empty()) article.url = sanitize_owned_text(canonicalize_url(link));

  std::string summary_plain = plain_text(entry.summary_html);
  std::string content_plain = plain_text(entry.content_html);
  // Many feeds repeat the content as the description, or start the content with the teaser:
  // matching keywords in it again would only double the cost.
  const bool distinct_texts = !summary_plain.empty() && !content_plain.empty() &&
                              !std::string_view(content_plain).starts_with(summary_plain);
  article.summary = truncate_at_word(summary_plain.empty() ? content_plain : summary_plain, options.summary_max_bytes);
  article.content_text = content_plain.empty() ? std::move(summary_plain) : std::move(content_plain);

  std::string searchable;
  searchable.reserve(article.title.size() + article.content_text.size() + (distinct_texts ? summary_plain.size() : 0) + 2);
  searchable.append(article.title).push_back('\n');
  if (distinct_texts) searchable.append(summary_plain).push_back('\n');
  searchable.append(article.content_text);
  article.keywords = keywords.match(searchable);

  if (entry.author) {
    std::string author = fold_whitespace(*entry.author);
    if (!author.empty()) article.author = std::move(author);
  }
  for (const std::string& raw : entry.categories) {
    std::string category = fold_whitespace(raw);
    if (category.empty()) continue;
    if (std::find(article.categories.begin(), article.categories.end(), category) != article.categories.end()) continue;
    article.categories.push_back(std::move(category));
  }
  article.published_at = entry.published ? entry.published : entry.updated;
  article.feed_url = sanitize_text(document.feed_url);
  article.fetched_at = fetched_at;

  std::string hashed;
  hashed.reserve(article.title.size() + 1 + article.content_text.size());
  hashed.append(article.title).push_back('\n');
  hashed.append(article.content_text);
  article.content_hash = xxh3_128(hashed);

  assign_identity(article, link, entry, document, feed_urls, rep, link_from_guid);
  return article;
}

}  // namespace

std::vector<Article> build_articles(const FeedDocument& document, const ReferenceKeywordMatcher& keywords, Instant fetched_at,
                                    const ArticleOptions& options) {
  const FeedUrls feed_urls(document);
  const std::vector<Repetition> reps = scan_all(document);
  std::vector<Article> articles;
  articles.reserve(document.entries.size());
  for (std::size_t i = 0; i < document.entries.size(); ++i) {
    articles.push_back(build_one(document.entries[i], document, feed_urls, reps[i], keywords, fetched_at, options));
  }
  return articles;
}

}  // namespace rssflow::reference
