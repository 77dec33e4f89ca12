// Text hygiene for record fields. Every string the builder puts in an Article is valid UTF-8
// without NUL or other C0 controls (PostgreSQL text rejects NUL; JSON needs valid UTF-8), so
// sinks never meet bytes they cannot store. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rssflow {

// One step of UTF-8 decoding at the start of a non-empty text.
struct Utf8Step {
  std::size_t length = 1;     // bytes consumed: the whole sequence, or the maximal ill-formed prefix
  char32_t code_point = 0;    // valid only when well_formed
  bool well_formed = false;
};

// Decodes the sequence at text[0] per the Unicode Standard (no overlongs, surrogates or values
// above U+10FFFF). An ill-formed sequence consumes its maximal subpart, so replacing each
// ill-formed step with U+FFFD follows the W3C/WHATWG "replacement" practice.
// Precondition: !text.empty().
Utf8Step decode_utf8(std::string_view text) noexcept;

// Appends code point cp (<= U+10FFFF, not a surrogate) as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// Ill-formed sequences become U+FFFD; CR LF and a lone CR become LF; NUL and the other C0
// controls except tab and newline are dropped; DEL and C1 controls stay (valid UTF-8).
std::string sanitize_text(std::string_view text);

// sanitize_text for a string the caller gives up: when it is already clean (the common case)
// it is returned as is, without a copy.
std::string sanitize_owned_text(std::string text);

// sanitize_text, then every run of whitespace (ASCII whitespace and U+00A0) becomes one space
// and the ends are trimmed: for one-line fields (title, author, category, guid).
std::string fold_whitespace(std::string_view text);

}  // namespace rssflow
