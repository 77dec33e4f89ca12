// Making article text storable in PostgreSQL text columns (UTF8 database): PostgreSQL
// rejects NUL bytes and invalid UTF-8, and one such value would fail a whole COPY batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rssflow {

// What sanitising changed, summed over a run.
struct SanitizeStats {
  std::uint64_t nul_bytes_removed = 0;
  std::uint64_t invalid_utf8_replaced = 0;  // invalid sequences replaced by U+FFFD
  std::uint64_t dates_dropped = 0;          // instants outside years 1..9999 stored as NULL
  friend bool operator==(const SanitizeStats&, const SanitizeStats&) = default;
  SanitizeStats& operator+=(const SanitizeStats& other) {
    nul_bytes_removed += other.nul_bytes_removed;
    invalid_utf8_replaced += other.invalid_utf8_replaced;
    dates_dropped += other.dates_dropped;
    return *this;
  }
};

// Removes NUL bytes and replaces each maximal invalid UTF-8 subsequence (Unicode's
// "substitution of maximal subparts") with U+FFFD, in place. Valid text is left untouched.
void sanitize_text(std::string& text, SanitizeStats& stats);

// PostgreSQL array literal for text[]: {"a","b \"quoted\""}; elements are sanitised first.
std::string text_array_literal(std::vector<std::string>& elements, SanitizeStats& stats);

// Appends text as one field of PostgreSQL COPY text format: sanitised as by sanitize_text
// (counted in stats), then backslash, tab, newline, carriage return and the other C0 controls
// escaped. UTF-8 goes as it is (libpqxx's COPY escaper sent every non-ASCII byte as an octal
// escape, four bytes each for the server to decode). One pass, no copy of valid text.
void append_copy_text(std::string_view text, std::string& out, SanitizeStats& stats);

}  // namespace rssflow
