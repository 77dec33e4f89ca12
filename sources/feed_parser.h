// Fetched bytes -> FeedDocument: RSS 0.90-0.94/2.0, RSS 1.0 (RDF), Atom 0.3/1.0, JSON Feed 1.0/1.1.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/types.h"
#include "sources/parse_limits.h"

namespace rssflow {

struct ParseInput {
  std::string feed_url;                      // the configured source URL (for errors, FeedDocument)
  std::string document_url;                  // final URL of the bytes: base for relative links
  std::optional<std::string> content_type;   // HTTP Content-Type, verbatim (charset, RFC 3023)
  // The feed's site (OPML htmlUrl): base for the relative links of a file:// snapshot whose
  // document has no absolute self or site link of its own.
  std::optional<std::string> site_url = std::nullopt;
};

// Parses one fetched document. Pure and thread-safe; never throws on any input.
//
// The charset is detected and converted to UTF-8 (sources/encoding.h); almost-XML is repaired
// where the intent is clear (sources/xml_repair.h); a truncated or broken document keeps the
// entries that were complete before the error (tags are re-nested as an HTML parser would);
// UTF-8 text encoded twice ("CafÃ©") is decoded once more, per field. Every such fix is listed
// in FeedDocument::repairs. DOCTYPE entities are never expanded, external ones never fetched.
//
// Entries follow FeedEntry's contract: links absolute (xml:base, then document_url, then
// feed_url), summary_html/content_html HTML fragments (plain-text sources escaped), title plain
// text unless title_is_html, dates UTC.
//
// Failures come back as StageError{Stage::parse, input.feed_url, code, message}:
//  - empty_body: no bytes, or only whitespace;
//  - not_a_feed: a well-formed document that is not RSS, RDF, Atom or JSON Feed (HTML, OPML...);
//  - malformed: XML or JSON that could not be parsed and yielded no entry; the message has the
//    byte offset (into the UTF-8 text) and the parser's description;
//  - too_deep, too_many_attributes, too_many_elements (JSON), parse_timeout: over the budget
//    of limits (sources/parse_limits.h); entries, categories and fields over their budget are
//    dropped or cut instead, each listed in FeedDocument::repairs.
// Time and memory are linear in the size of bytes whatever they hold; no walk recurses with
// the input. deadline, when given, is shared with the caller (who goes on to clean the entries
// under the same budget); otherwise one of limits.deadline starts here.
Outcome<FeedDocument> parse_feed(std::string_view bytes, const ParseInput& input, const ParseLimits& limits = {},
                                 Deadline* deadline = nullptr);

}  // namespace rssflow
