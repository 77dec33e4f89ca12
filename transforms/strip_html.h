// HTML fragment -> plain text. Pure functions, thread-safe, no allocation beyond the result.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rssflow {

// Tags removed; <script>/<style>/comments dropped with their bodies; named (full HTML5 table)
// and numeric entities decoded; block elements (<p>, <br>, <div>, <li>, headings...) become
// line breaks; runs of spaces folded to one, runs of blank lines to one; invalid UTF-8
// replaced with U+FFFD; leading/trailing whitespace trimmed. Never throws on any input.
std::string strip_html(std::string_view html);

// Decodes character references only (for plain-text fields that arrive entity-escaped).
std::string decode_entities(std::string_view text);

// Cuts plain text to at most max_bytes bytes at a word boundary (never inside a UTF-8
// sequence), appending "…" when it cut. Text that fits is returned unchanged.
std::string truncate_at_word(std::string_view text, std::size_t max_bytes);

}  // namespace rssflow
