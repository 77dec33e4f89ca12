// The "format" stage: one parsed FeedEntry -> the record of shared/CONTRACT.md. Pure, const and
// thread-safe (the KeywordMatcher is only read).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/types.h"
#include "transforms/keyword_matcher.h"

namespace rssflow {

struct ArticleOptions {
  std::size_t summary_max_bytes = 600;  // summary cut at a word boundary, "…" appended
};

// The stages of building a record, in pipeline order (pipeline/flow_graph.cpp):
//   identify_entries (no HTML cleaning) -> clean_entry -> match_keywords.
// build_article(s) compose them; the pipeline runs them as separate flow-graph nodes so that
// duplicates and unchanged entries are dropped before any cleaning.

// What identifies an entry, computed from the raw entry before cleaning.
struct EntryIdentity {
  std::string url;     // Article::url
  std::string guid;    // Article::guid
  std::string title;   // Article::title
  Hash128 url_hash;    // Article::url_hash
  // XXH3-128 of everything the record is derived from except fetched_at: `derivation` (what
  // the caller says shapes records: dictionary, options, version), the document's URLs and
  // site link, whether the entry's link/guid repeat in the document, and every field of the
  // raw entry. Equal entry_hash: equal record (fetched_at aside), so an entry whose
  // entry_hash is already stored needs no cleaning.
  Hash128 entry_hash;
};

// identify_one for every entry, in document order (O(entries) repetition check).
std::vector<EntryIdentity> identify_entries(const FeedDocument& document, const Hash128& derivation);
EntryIdentity identify_entry(const FeedEntry& entry, const FeedDocument& document, const Hash128& derivation);

// The clean stage: the entry's text fields as plain text and the rest of the record except
// keywords (content_hash included). keyword_extra receives the plain summary when it is not
// a prefix of the content (else it is cleared): match_keywords needs it.
Article clean_entry(const FeedEntry& entry, EntryIdentity&& identity, const FeedDocument& document,
                    Instant fetched_at, const ArticleOptions& options, std::string& keyword_extra);

// The keywords stage: article.keywords = the matcher over title, keyword_extra and content_text.
void match_keywords(Article& article, std::string_view keyword_extra, const KeywordMatcher& keywords);

// Fields:
//  - title: plain text (HTML stripped when title_is_html), whitespace folded to one line.
//  - summary: plain text of summary_html, else of content_html, cut to summary_max_bytes.
//  - content_text: plain text of content_html, else of summary_html (not cut).
//  - keywords: the matcher over title, summary and content_text.
//  - url: canonicalize_url(link) (a permalink guid stands in for a missing link); may be "".
//    Only http(s) links are used: any other scheme (javascript:, data:, file:, ...) counts as
//    no link.
//  - published_at: published, else updated. feed_url: document.feed_url.
//  - content_hash: XXH3-128 of title + "\n" + content_text.
//  - duplicate_of: left empty (only the near-duplicate index fills it).
//  - enclosures: the entry's (http(s) only). image_url: the entry's media image (media:thumbnail/
//    content, image enclosure, itunes:image), else the first <img> of content, else of summary,
//    when its src is an absolute http(s) URL.
//  - language: the entry's declared language, else the feed's, as a BCP 47 tag when it is one;
//    else detect_language(title + content_text) (transforms/language.h), absent when unsure.
//  - url_hash and guid: the identity rule of transforms/IDENTITY.md, in short:
//      1. the canonical link, when it identifies the entry, with a fragment that names one
//         entry of a multi-entry page kept (canonicalize_url_for_identity: "day.html#a0806");
//      2. else the guid, when it identifies the entry (canonicalised likewise if it is a URL; a guid
//         that is not an absolute URI is prefixed with feed_url + "\n": "42" is only unique
//         within its feed);
//      3. else feed_url + "\n" + url + "\n" + title + "\n" + published_at (RFC 3339 or ""),
//         + "\n" + content_text when there is no date.
//    A link or guid does not identify an entry when it is blank, equals the feed's own URL,
//    document URL or site link, or is carried by another entry of the same document with a
//    different title, summary or content (a repeated or placeholder value).
//    url_hash = XXH3-128 of the chosen key; guid = the identifying guid, else url, else the
//    raw guid, else "".
// Every string is valid UTF-8 without NUL or C0 controls other than tab/newline.
// Cost: O(entries of document) for the repetition check; use build_articles for a whole document.
Article build_article(const FeedEntry& entry, const FeedDocument& document, const KeywordMatcher& keywords,
                      Instant fetched_at, const ArticleOptions& options);

// Puts the source's OPML category path (outermost first) before each article's own categories,
// each category once.
void add_source_categories(std::vector<Article>& articles, const std::vector<std::string>& source_categories);

// build_article for every entry of document, in document order, with the repetition check
// done once per document (O(entries) in total instead of O(entries^2)).
// With a deadline, stops early (returning the articles built so far) once it has passed: the
// caller checks deadline->expired_now() and fails the source.
std::vector<Article> build_articles(const FeedDocument& document, const KeywordMatcher& keywords,
                                    Instant fetched_at, const ArticleOptions& options, Deadline* deadline = nullptr);

}  // namespace rssflow
