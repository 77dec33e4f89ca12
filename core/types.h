// Value types that travel between pipeline stages. Plain movable aggregates: no behaviour
// beyond small helpers, no ownership of external resources, safe to copy across threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/hash.h"

namespace rssflow {

// An instant with one-second resolution, always UTC.
using Instant = std::chrono::sys_seconds;

// Which stage produced a per-source failure.
enum class Stage { sources, fetch, parse, transform, load };

// Why a source failed. Stable names (see to_string) are used in logs, metrics labels and
// the run report, so only append.
enum class ErrorCode {
  invalid_source,      // bad URL or scheme in the source list
  dns,                 // host name did not resolve
  connect,             // connection refused / unreachable
  tls,                 // certificate or handshake failure
  timeout,             // connect, total or low-speed timeout
  too_large,           // body over the cap, as received or once decompressed
  http_status,         // non-success HTTP status (message says which)
  gone,                // HTTP 410
  rate_limited,        // HTTP 429/503 with or without Retry-After
  redirect_forbidden,  // redirect to a forbidden scheme (e.g. file://)
  too_many_redirects,
  connection_reset,    // peer closed or reset mid-transfer
  empty_body,
  not_a_feed,          // well-formed document that is not RSS/Atom/JSON Feed (e.g. HTML)
  malformed,           // XML/JSON that could not be parsed (message has offset)
  io,                  // local file errors (file://)
  backoff,             // skipped: source is backing off after failures
  internal,            // a bug: an unexpected exception caught at a stage boundary
  too_deep,            // elements or JSON values nested beyond the parse budget (ParseLimits)
  too_many_attributes, // one element with more attributes/namespace declarations than the budget
  too_many_elements,   // JSON Feed with more values than the budget; XML with no entry complete before the cut
  parse_timeout,       // parse + clean of one source ran past its deadline
  crashed_previous_run,  // quarantined: the process died while parsing this source last run
  interrupted,         // SIGTERM/SIGINT: the transfer was aborted or never started
  not_a_regular_file,  // file:// names a FIFO, device, directory or socket
  header_too_large,    // response headers over the cap (a header flood)
  address_forbidden,   // a connection would reach an address the connect policy forbids (SSRF)
};

const char* to_string(Stage stage);
const char* to_string(ErrorCode code);

// A per-source failure as a value: where, which source, why.
struct StageError {
  Stage stage = Stage::fetch;
  std::string feed_url;
  ErrorCode code = ErrorCode::internal;
  std::string message;  // specific cause, e.g. "HTTP 404 Not Found" or "unexpected end at offset 1234"

  // "fetch https://example.com/feed.xml: http_status: HTTP 404 Not Found"
  std::string describe() const;
};

// One configured feed, from the OPML source list.
struct Source {
  std::string url;                      // absolute http(s):// or file:// URL
  std::string title;                    // OPML text/title, may be empty
  std::vector<std::string> categories;  // outline path and category attribute, outermost first
  int line = 0;                         // line in the OPML file, for error messages
  // "user:password" (%-encoded) taken out of the OPML URL: sent to url's host only, never
  // logged or stored (url itself never carries userinfo).
  std::string userinfo{};
  std::optional<std::string> html_url{};  // OPML htmlUrl: the feed's site, when an http(s) URL, no credentials
  // OPML minInterval: replaces --min-interval and the no-validators floor for this source.
  std::optional<std::chrono::seconds> min_interval{};
};

// HTTP validators carried from one run to the next.
struct ConditionalGetState {
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
};

// A successful fetch: either a body (2xx) or "not modified" (304, empty body).
struct FetchedFeed {
  Source source;
  std::string final_url;             // after redirects; base for relative links
  int http_status = 200;             // 0 for file://
  bool not_modified = false;         // 304: nothing to parse
  std::string body;                  // decompressed bytes, as served (empty when body_unchanged)
  // Lower-case hex XXH3-128 of the body as it arrived (before any Content-Encoding is undone)
  // when the fetcher hashed it, else "".
  std::string body_hash;
  // The body hashed to FetchRequest::known_body_hash (a server that ignores conditional GET
  // resent the last body): the fetcher released it at once instead of queueing it for parse.
  bool body_unchanged = false;
  std::optional<std::string> content_type;  // HTTP Content-Type header, verbatim
  ConditionalGetState validators;    // from this response, to store for next time
  std::optional<std::string> permanent_redirect;  // new URL when every hop was 301/308
  Instant fetched_at{};
  // How long the response says it stays fresh: Cache-Control max-age, else Expires - Date.
  // Absent when the response says nothing (or no-cache / no-store).
  std::optional<std::chrono::seconds> fresh_for{};

  // A body to decode and parse: neither a 304 nor the last body again.
  bool has_body() const { return !not_modified && !body_unchanged; }
};

// What a feed document says about how often to poll it. Hours and weekdays are GMT, as RSS
// defines skipHours/skipDays.
struct FeedScheduleHints {
  std::optional<std::chrono::seconds> ttl;            // RSS <ttl> (minutes in the document)
  std::optional<std::chrono::seconds> update_period;  // sy:updatePeriod / sy:updateFrequency
  std::uint32_t skip_hours = 0;  // bit h set: do not fetch during hour h (0-23)
  std::uint8_t skip_days = 0;    // bit d set: do not fetch on weekday d (0 = Sunday)
  friend bool operator==(const FeedScheduleHints&, const FeedScheduleHints&) = default;
};

// A media file attached to an entry (RSS <enclosure>, Atom link rel="enclosure").
struct Enclosure {
  std::string url;                   // absolute http(s) URL
  std::optional<std::string> type;   // MIME type as declared ("audio/mpeg")
  std::optional<long long> length;   // bytes as declared; absent when missing, zero or not a number
};

enum class FeedFormat { unknown, rss090, rss091, rss092, rss093, rss094, rss20, rss10, atom03, atom10, json_feed };
const char* to_string(FeedFormat format);

// One entry as the parser found it: text fields decoded from XML but still possibly HTML
// (summary/content are HTML fragments; title is plain text unless title_is_html).
// Links are already resolved to absolute URLs (xml:base, then document URL).
struct FeedEntry {
  std::optional<std::string> title;
  bool title_is_html = false;
  std::optional<std::string> link;
  std::optional<std::string> guid;
  bool guid_is_permalink = false;
  std::optional<std::string> author;
  std::optional<Instant> published;
  std::optional<Instant> updated;
  std::optional<std::string> summary_html;  // description / summary / dc:description
  std::optional<std::string> content_html;  // content:encoded / atom:content
  std::vector<std::string> categories;     // entry categories, media:/itunes: categories and keywords
  std::vector<Enclosure> enclosures;       // http(s) only, document order, each URL once
  std::optional<std::string> image_url;    // media:thumbnail/content, image enclosure, itunes:image (http(s))
  std::optional<std::string> language;     // xml:lang or dc:language of the entry, as declared
};

struct FeedDocument {
  std::string feed_url;       // the configured source URL
  std::string document_url;   // final URL the bytes came from
  FeedFormat format = FeedFormat::unknown;
  std::optional<std::string> title;
  std::optional<std::string> link;
  std::optional<std::string> description;  // channel description / Atom subtitle, plain text
  std::optional<std::string> language;     // channel language, dc:language or root xml:lang, as declared
  std::optional<std::string> image_url;    // channel image / itunes:image / Atom logo or icon (http(s))
  std::vector<FeedEntry> entries;       // document order
  std::vector<std::string> repairs;     // what the parser had to fix (encoding, junk, entities...)
  FeedScheduleHints schedule{};         // <ttl>, sy:*, skipHours/skipDays
};

// The record format version (articles.record_version, V5): raised when records gain fields
// that stored rows must be rebuilt to fill. Part of every entry_hash (the record derivation),
// so a rerun does not skip the entries of rows written in an older format.
inline constexpr int kRecordVersion = 2;

// The record of shared/CONTRACT.md: one per article, JSON field names = column names.
struct Article {
  std::string url;  // canonical link
  std::string guid;
  std::string title;  // plain text
  std::optional<std::string> author;
  std::optional<Instant> published_at;
  std::string summary;       // plain text, cut at a word boundary
  std::string content_text;  // plain text of the full content
  std::vector<std::string> keywords;    // keyword slugs from the dictionary ("rust", "cpp")
  std::vector<std::string> categories;  // the source's OPML category path, then the entry's own
  std::string feed_url;
  Hash128 url_hash;      // XXH3-128 of the identity (canonical url, else guid, else fallback)
  Hash128 content_hash;  // XXH3-128 of title + content text
  Instant fetched_at{};
  std::optional<Hash128> duplicate_of;  // url_hash of the first copy of a near-duplicate
  // Not part of the record: XXH3-128 of the raw entry and what shapes its record (see
  // EntryIdentity in transforms/article_builder.h); stored so a rerun skips unchanged entries.
  Hash128 entry_hash;
  std::vector<Enclosure> enclosures;        // http(s) media files (podcast audio, images...)
  std::optional<std::string> image_url;     // http(s) image for the article, see article_builder.h
  std::optional<std::string> language;      // BCP 47 tag ("en", "pt-BR"), or absent when unsure
};

// What a run learnt about one configured feed (the feeds table): from the source list and the
// parsed document.
struct FeedRecord {
  std::string url;                          // configured URL, credentials removed
  std::string articles_feed_url;            // Article::feed_url of this feed's articles
  std::optional<std::string> title;         // document title, else the OPML title
  std::optional<std::string> site_url;      // the feed's home page (channel/Atom alternate link)
  std::optional<std::string> description;
  std::optional<std::string> language;      // BCP 47 as declared by the feed
  std::optional<std::string> image_url;
  std::vector<std::string> categories;      // OPML category path, outermost first
  Instant fetched_at{};
};

// One keyword of the dictionary (config/keywords.tsv), as the keywords table holds it.
struct KeywordDescription {
  std::string slug;   // what Article::keywords holds: "rust", "cpp", "machine-learning"
  std::string name;   // display name: "Rust", "C++", "Machine Learning"
  std::string group;  // "languages", "frameworks", "databases", "design-tools"...
};

// A per-source stage result: the value or the reason it failed.
template <class T>
using Outcome = std::variant<T, StageError>;

}  // namespace rssflow
