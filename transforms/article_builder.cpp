#include "transforms/article_builder.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "core/ascii.h"
#include "core/time.h"
#include "transforms/article_builder_text.h"
#include "transforms/language.h"
#include "transforms/strip_html.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

std::string_view trimmed(const std::optional<std::string>& value) {
  if (!value) return {};
  std::string_view s = *value;
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_http_url(std::string_view s) { return ascii_starts_with_ci(s, "http://") || ascii_starts_with_ci(s, "https://"); }

// Schemes whose identifiers are unique across publishers by construction. Any other guid
// ("42", "post-1234", a bare UUID) is only unique within its feed.
bool is_global_identifier(std::string_view guid) {
  return is_http_url(guid) || ascii_starts_with_ci(guid, "tag:") || ascii_starts_with_ci(guid, "urn:");
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

Repetition scan_one(const FeedEntry& entry, const FeedDocument& document) {
  Repetition rep;
  const std::string_view link = trimmed(entry.link);
  const std::string_view guid = trimmed(entry.guid);
  for (const FeedEntry& other : document.entries) {
    if (&other == &entry) continue;
    if (!rep.link && !link.empty() && trimmed(other.link) == link && !same_article(entry, other)) rep.link = true;
    if (!rep.guid && !guid.empty() && trimmed(other.guid) == guid && !same_article(entry, other)) rep.guid = true;
  }
  return rep;
}

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

// The src of the first <img> in an HTML fragment when it is an absolute http(s) URL.
std::optional<std::string> first_image_src(std::string_view html) {
  for (std::size_t at = 0; at + 4 < html.size(); ++at) {
    at = html.find('<', at);
    if (at == std::string_view::npos || at + 4 >= html.size()) return std::nullopt;
    if (!ascii_starts_with_ci(html.substr(at + 1), "img") || (html[at + 4] != ' ' && html[at + 4] != '\n' && html[at + 4] != '\t'))
      continue;
    const std::size_t end = html.find('>', at);
    const std::string_view tag = html.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    std::string lower_tag(tag);  // attribute names are case-insensitive
    for (char& c : lower_tag)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    for (std::size_t src = lower_tag.find("src"); src != std::string::npos; src = lower_tag.find("src", src + 3)) {
      std::size_t v = src + 3;
      if (src == 0 || (tag[src - 1] != ' ' && tag[src - 1] != '\n' && tag[src - 1] != '\t')) continue;
      while (v < tag.size() && tag[v] == ' ') ++v;
      if (v >= tag.size() || tag[v] != '=') continue;
      ++v;
      while (v < tag.size() && tag[v] == ' ') ++v;
      if (v >= tag.size()) return std::nullopt;
      const char quote = tag[v] == '"' || tag[v] == '\'' ? tag[v] : ' ';
      if (quote != ' ') ++v;
      const std::size_t close = tag.find(quote, v);
      std::string_view url = tag.substr(v, close == std::string_view::npos ? std::string_view::npos : close - v);
      if (!is_http_url(url)) return std::nullopt;
      return sanitize_owned_text(std::string(url));
    }
    return std::nullopt;  // the first image has no usable src
  }
  return std::nullopt;
}

// Declared language (entry, then feed) when it is a valid tag, else CLD2's guess from the text.
std::optional<std::string> article_language(const FeedEntry& entry, const FeedDocument& document, const Article& article) {
  if (entry.language)
    if (auto tag = normalize_language_tag(*entry.language)) return tag;
  if (document.language)
    if (auto tag = normalize_language_tag(*document.language)) return tag;
  std::string text;
  text.reserve(article.title.size() + 1 + std::min(article.content_text.size(), kLanguageSampleBytes));
  text.append(article.title).push_back('\n');
  text.append(article.content_text, 0, kLanguageSampleBytes);
  return detect_language(text);
}

std::string plain_text(const std::optional<std::string>& html) {
  if (!html || html->empty()) return {};
  return sanitize_owned_text(strip_html(*html));
}

// The identity rule documented in article_builder.h and transforms/IDENTITY.md: the key
// hashed into url_hash from the fields it depends on. content_text is needed
// only when there is neither an identifying link nor guid nor a date (see needs_content).
Hash128 identity_key_hash(std::string_view link, const std::string& guid, const FeedDocument& document,
                          const EntryIdentity& id, bool link_identifies, bool guid_identifies,
                          const std::optional<Instant>& published_at, std::string_view content_text) {
  std::string key;
  if (link_identifies) {
    key = sanitize_owned_text(canonicalize_url_for_identity(link));  // url plus an entry fragment
  } else if (guid_identifies) {
    key = is_global_identifier(guid) ? canonicalize_url_for_identity(guid) : document.feed_url + "\n" + guid;
  } else {
    key = document.feed_url + "\n" + id.url + "\n" + id.title + "\n" +
          (published_at ? format_rfc3339(*published_at) : std::string());
    if (!published_at) {
      key += "\n";
      key += content_text;
    }
  }
  return xxh3_128(key);
}

// Appends a length-prefixed field, so that field boundaries are part of the hashed bytes.
void append_text(std::string& out, std::string_view value) {
  const auto size = static_cast<std::uint32_t>(value.size());
  out.append(reinterpret_cast<const char*>(&size), sizeof size);
  out.append(value);
}
void append_field(std::string& out, const std::optional<std::string>& value) {
  out.push_back(value ? '1' : '0');
  if (value) append_text(out, *value);
}
void append_field(std::string& out, const std::optional<Instant>& value) {
  const std::int64_t seconds = value ? value->time_since_epoch().count() : 0;
  out.push_back(value ? '1' : '0');
  out.append(reinterpret_cast<const char*>(&seconds), sizeof seconds);
}

// Everything the entry's record is derived from, apart from fetched_at: the derivation key
// (dictionary, options, version), the document's URLs, the repetition flags and the entry.
Hash128 raw_entry_hash(const FeedEntry& entry, const FeedDocument& document, Repetition rep, const Hash128& derivation) {
  thread_local std::string bytes;
  bytes.clear();
  bytes.append(reinterpret_cast<const char*>(&derivation), sizeof derivation);
  append_text(bytes, document.feed_url);
  append_text(bytes, document.document_url);
  append_field(bytes, document.link);
  bytes.push_back(static_cast<char>((rep.link ? 1 : 0) | (rep.guid ? 2 : 0) | (entry.title_is_html ? 4 : 0) |
                                    (entry.guid_is_permalink ? 8 : 0)));
  append_field(bytes, entry.title);
  append_field(bytes, entry.link);
  append_field(bytes, entry.guid);
  append_field(bytes, entry.author);
  append_field(bytes, entry.published);
  append_field(bytes, entry.updated);
  append_field(bytes, entry.summary_html);
  append_field(bytes, entry.content_html);
  for (const std::string& category : entry.categories) append_text(bytes, category);
  // Media and language (record format 2): the entry's, and the feed's declared language.
  for (const Enclosure& enclosure : entry.enclosures) {
    append_text(bytes, enclosure.url);
    append_field(bytes, enclosure.type);
    const long long length = enclosure.length.value_or(-1);
    bytes.append(reinterpret_cast<const char*>(&length), sizeof length);
  }
  append_field(bytes, entry.image_url);
  append_field(bytes, entry.language);
  append_field(bytes, document.language);
  return xxh3_128(bytes);
}

EntryIdentity identify_one(const FeedEntry& entry, const FeedDocument& document, const FeedUrls& feed_urls,
                           Repetition rep, const Hash128& derivation) {
  EntryIdentity id;
  if (entry.title) id.title = entry.title_is_html ? fold_whitespace(strip_html(*entry.title)) : fold_whitespace(*entry.title);
  std::string_view link = trimmed(entry.link);
  // Only http(s) links are stored (a web page renders articles.url as a link): javascript:,
  // data:, file: and the like, however spelled, count as no link, and identity falls back.
  if (!is_http_url(link)) link = {};
  bool link_from_guid = false;
  if (link.empty() && entry.guid_is_permalink && is_http_url(trimmed(entry.guid))) {
    link = trimmed(entry.guid);  // RSS 2.0: a permalink guid is the item's URL
    link_from_guid = true;
  }
  if (!link.empty()) id.url = sanitize_owned_text(canonicalize_url(link));

  const std::string guid = fold_whitespace(trimmed(entry.guid));
  const bool link_repeated = link_from_guid ? rep.guid : rep.link;
  const bool link_identifies = !id.url.empty() && !link_repeated && !feed_urls.names_the_feed(id.url);
  const bool guid_identifies = !guid.empty() && !rep.guid && !feed_urls.names_the_feed(canonicalize_url(guid));
  const std::optional<Instant> published_at = entry.published ? entry.published : entry.updated;
  std::string content_text;
  if (!link_identifies && !guid_identifies && !published_at) {
    // The rare entry identified by its text: clean it now (the clean stage does it again).
    std::string content = plain_text(entry.content_html);
    content_text = content.empty() ? plain_text(entry.summary_html) : std::move(content);
  }
  id.url_hash = identity_key_hash(link, guid, document, id, link_identifies, guid_identifies, published_at, content_text);
  id.guid = guid_identifies ? guid : !id.url.empty() ? id.url : guid;
  id.entry_hash = raw_entry_hash(entry, document, rep, derivation);
  return id;
}

}  // namespace

std::vector<EntryIdentity> identify_entries(const FeedDocument& document, const Hash128& derivation) {
  const FeedUrls feed_urls(document);
  const std::vector<Repetition> reps = scan_all(document);
  std::vector<EntryIdentity> ids;
  ids.reserve(document.entries.size());
  for (std::size_t i = 0; i < document.entries.size(); ++i) {
    ids.push_back(identify_one(document.entries[i], document, feed_urls, reps[i], derivation));
  }
  return ids;
}

EntryIdentity identify_entry(const FeedEntry& entry, const FeedDocument& document, const Hash128& derivation) {
  return identify_one(entry, document, FeedUrls(document), scan_one(entry, document), derivation);
}

Article clean_entry(const FeedEntry& entry, EntryIdentity&& identity, const FeedDocument& document,
                    Instant fetched_at, const ArticleOptions& options, std::string& keyword_extra) {
  Article article;
  article.title = std::move(identity.title);
  article.url = std::move(identity.url);
  article.guid = std::move(identity.guid);
  article.url_hash = identity.url_hash;
  article.entry_hash = identity.entry_hash;

  std::string summary_plain = plain_text(entry.summary_html);
  std::string content_plain = plain_text(entry.content_html);
  // Many feeds repeat the content as the description, or start the content with the teaser:
  // matching keywords in it again would only double the cost.
  const bool distinct_texts = !summary_plain.empty() && !content_plain.empty() &&
                              !std::string_view(content_plain).starts_with(summary_plain);
  article.summary = truncate_at_word(summary_plain.empty() ? content_plain : summary_plain, options.summary_max_bytes);
  keyword_extra.clear();
  if (distinct_texts) keyword_extra = std::move(summary_plain);
  article.content_text = content_plain.empty() ? std::move(summary_plain) : std::move(content_plain);

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
  article.enclosures = entry.enclosures;
  for (Enclosure& enclosure : article.enclosures) {
    enclosure.url = sanitize_owned_text(std::move(enclosure.url));
    if (enclosure.type) enclosure.type = sanitize_owned_text(std::move(*enclosure.type));
  }
  if (entry.image_url) article.image_url = sanitize_owned_text(std::string(*entry.image_url));
  else if (entry.content_html) article.image_url = first_image_src(*entry.content_html);
  if (!article.image_url && entry.summary_html) article.image_url = first_image_src(*entry.summary_html);
  article.language = article_language(entry, document, article);
  article.feed_url = sanitize_text(document.feed_url);
  article.fetched_at = fetched_at;

  thread_local std::string hashed;
  hashed.clear();
  hashed.append(article.title).push_back('\n');
  hashed.append(article.content_text);
  article.content_hash = xxh3_128(hashed);
  return article;
}

void match_keywords(Article& article, std::string_view keyword_extra, const KeywordMatcher& keywords) {
  thread_local std::string searchable;
  searchable.clear();
  searchable.append(article.title).push_back('\n');
  if (!keyword_extra.empty()) searchable.append(keyword_extra).push_back('\n');
  searchable.append(article.content_text);
  article.keywords = keywords.match(searchable);
}

Article build_article(const FeedEntry& entry, const FeedDocument& document, const KeywordMatcher& keywords,
                      Instant fetched_at, const ArticleOptions& options) {
  std::string extra;
  Article article = clean_entry(entry, identify_entry(entry, document, Hash128{}), document, fetched_at, options, extra);
  match_keywords(article, extra, keywords);
  return article;
}

void add_source_categories(std::vector<Article>& articles, const std::vector<std::string>& source_categories) {
  if (source_categories.empty()) return;
  for (Article& article : articles) {
    std::vector<std::string> merged;
    merged.reserve(source_categories.size() + article.categories.size());
    const std::vector<std::string>& own = article.categories;
    for (const std::vector<std::string>* list : {&source_categories, &own}) {
      for (const std::string& raw : *list) {
        std::string category = fold_whitespace(raw);
        if (category.empty() || std::find(merged.begin(), merged.end(), category) != merged.end()) continue;
        merged.push_back(std::move(category));
      }
    }
    article.categories = std::move(merged);
  }
}

std::vector<Article> build_articles(const FeedDocument& document, const KeywordMatcher& keywords, Instant fetched_at,
                                    const ArticleOptions& options, Deadline* deadline) {
  std::vector<EntryIdentity> ids = identify_entries(document, Hash128{});
  std::vector<Article> articles;
  articles.reserve(document.entries.size());
  std::string extra;
  for (std::size_t i = 0; i < document.entries.size(); ++i) {
    if (deadline && deadline->expired_now()) break;  // one clock read per entry: each may be 1 MiB of HTML
    articles.push_back(clean_entry(document.entries[i], std::move(ids[i]), document, fetched_at, options, extra));
    match_keywords(articles.back(), extra, keywords);
  }
  return articles;
}

}  // namespace rssflow
