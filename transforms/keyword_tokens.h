// Word tokens of a text for dictionary lookup (transforms/keyword_matcher.cpp). Internal to
// transforms/.
//
// A token is a maximal run of word characters, or one non-word character that is not
// whitespace. Word characters are those of keyword_matcher_dictionary.h: letters, marks and
// digits of every script and '_' (every code point outside the listed space, punctuation,
// symbol and emoji blocks; an ill-formed byte counts as a word character, as it can never be
// a boundary). Whitespace is RE2's \s (tab, newline, form feed, carriage return, space): it
// separates tokens and is recorded as `space_before` on the next one. So an alias written
// "vanilla JS" is the token sequence [vanilla][JS] with a space between, and it occurs in a
// text exactly where the whole-word RE2 pattern of the alias matches.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace rssflow {

struct KeywordToken {
  std::uint32_t begin = 0;       // byte offsets into the text
  std::uint32_t end = 0;
  bool space_before = false;     // whitespace separates it from the previous token
  bool ascii = true;             // every byte < 0x80
  std::uint64_t exact_hash = 0;  // of the bytes
  std::uint64_t folded_hash = 0; // of the bytes with ASCII letters lower-cased
};

// Appends the tokens of text to out (cleared first). Linear in text; texts over 4 GiB are
// cut (offsets are 32-bit).
void tokenize_keywords(std::string_view text, std::vector<KeywordToken>& out);

// Hash of a token sequence: fold each token's hash with whether whitespace precedes it (the
// first token's space_before is ignored).
inline std::uint64_t extend_token_hash(std::uint64_t sequence, std::uint64_t token, bool space_before) {
  std::uint64_t h = (sequence ^ (token + (space_before ? 0x9E3779B97F4A7C15ull : 0))) * 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 29);
}
inline constexpr std::uint64_t kTokenHashSeed = 0x2545F4914F6CDD1Dull;

}  // namespace rssflow
