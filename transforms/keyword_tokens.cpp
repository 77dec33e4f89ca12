#include "transforms/keyword_tokens.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

namespace rssflow {
namespace {

constexpr bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

constexpr bool is_ascii_word(unsigned char c) {
  return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

// The non-ASCII blocks of keyword_matcher_dictionary.cpp's kNonWord.
bool is_non_word_code_point(char32_t cp) {
  return (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) ||
         (cp >= 0x20A0 && cp <= 0x20CF) || (cp >= 0x2100 && cp <= 0x214F) || (cp >= 0x2190 && cp <= 0x2BFF) ||
         (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
         (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
         (cp >= 0x1F000 && cp <= 0x1FAFF);
}

// Length of the well-formed UTF-8 sequence at text[i] and its code point; 1 and an
// impossible code point for an ill-formed byte.
std::size_t decode(std::string_view text, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  const std::size_t left = text.size() - i;
  auto cont = [&](std::size_t k) { return k < left && (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80; };
  auto byte = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(text[i + k]) & 0x3F); };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    cp = (static_cast<char32_t>(b0 & 0x1F) << 6) | byte(1);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    cp = (static_cast<char32_t>(b0 & 0x0F) << 12) | (byte(1) << 6) | byte(2);
    if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) return 3;
  } else if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    cp = (static_cast<char32_t>(b0 & 0x07) << 18) | (byte(1) << 12) | (byte(2) << 6) | byte(3);
    if (cp >= 0x10000 && cp <= 0x10FFFF) return 4;
  }
  cp = 0x110000;  // ill-formed: a word character
  return 1;
}

// Byte classes: ASCII whitespace, word characters and punctuation; a byte >= 0x80 is decoded
// to decide.
enum ByteClass : unsigned char { kSpace, kWord, kPunctuation, kHigh };

constexpr std::array<ByteClass, 256> kByteClass = [] {
  std::array<ByteClass, 256> table{};
  for (int b = 0; b < 256; ++b) {
    const auto c = static_cast<unsigned char>(b);
    table[b] = c >= 0x80 ? kHigh : is_space(c) ? kSpace : is_ascii_word(c) ? kWord : kPunctuation;
  }
  return table;
}();

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
static_assert(std::endian::native == std::endian::little, "hash_token masks the first bytes of a loaded word");

// ASCII letters of eight bytes lower-cased at once; every byte must be < 0x80.
std::uint64_t lower_ascii_word(std::uint64_t w) {
  const std::uint64_t at_least_a = w + (0x80 - 'A') * kOnes;
  const std::uint64_t beyond_z = w + (0x80 - 'Z' - 1) * kOnes;
  return w | (((at_least_a & ~beyond_z) & (0x80 * kOnes)) >> 2);
}

std::uint64_t lower_any_word(std::uint64_t w) {
  std::uint64_t out = 0;
  for (int k = 0; k < 8; ++k) {
    auto b = static_cast<unsigned char>(w >> (8 * k));
    if (b >= 'A' && b <= 'Z') b |= 0x20;
    out |= static_cast<std::uint64_t>(b) << (8 * k);
  }
  return out;
}

std::uint64_t mix(std::uint64_t h) {
  h *= 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 32);
}

// Hashes of text[begin, end), exact and with ASCII letters lower-cased, eight bytes at a time:
// a whole word is loaded where the text has eight bytes left and masked to the token.
void hash_token(std::string_view text, std::size_t begin, std::size_t end, bool ascii, KeywordToken& token) {
  const std::size_t length = end - begin;
  std::uint64_t exact = 0xCBF29CE484222325ull ^ (length * 0xFF51AFD7ED558CCDull);
  std::uint64_t folded = exact;
  for (std::size_t at = begin; at < end; at += 8) {
    const std::size_t take = std::min<std::size_t>(8, end - at);
    std::uint64_t w = 0;
    if (at + 8 <= text.size()) {
      std::memcpy(&w, text.data() + at, 8);
      if (take < 8) w &= (std::uint64_t{1} << (8 * take)) - 1;  // little-endian: the first bytes
    } else {
      for (std::size_t k = 0; k < take; ++k) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(text[at + k])) << (8 * k);
    }
    exact = mix(exact ^ w);
    folded = mix(folded ^ (ascii ? lower_ascii_word(w) : lower_any_word(w)));
  }
  token.exact_hash = exact;
  token.folded_hash = folded;
}

}  // namespace

void tokenize_keywords(std::string_view text, std::vector<KeywordToken>& out) {
  out.clear();
  text = text.substr(0, std::min<std::size_t>(text.size(), std::numeric_limits<std::uint32_t>::max()));
  bool space = false;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    const ByteClass first_class = kByteClass[c];
    if (first_class == kSpace) {
      space = true;
      ++i;
      continue;
    }
    KeywordToken token;
    token.begin = static_cast<std::uint32_t>(i);
    token.space_before = space;
    space = false;
    char32_t cp = 0;
    if (first_class == kPunctuation) {  // ASCII punctuation: a token of its own
      ++i;
    } else if (const std::size_t first = first_class == kHigh ? decode(text, i, cp) : 1;
               first_class == kHigh && is_non_word_code_point(cp)) {  // Unicode punctuation, symbol, emoji
      token.ascii = false;
      i += first;
    } else {
      // A run of word characters, its first one already classified.
      if (first_class == kHigh) token.ascii = false;
      i += first;
      while (i < n) {
        const ByteClass cls = kByteClass[static_cast<unsigned char>(text[i])];
        if (cls == kWord) {
          ++i;
          continue;
        }
        if (cls != kHigh) break;
        const std::size_t len = decode(text, i, cp);
        if (is_non_word_code_point(cp)) break;
        token.ascii = false;
        i += len;
      }
    }
    token.end = static_cast<std::uint32_t>(i);
    hash_token(text, token.begin, token.end, token.ascii, token);
    out.push_back(token);
  }
}

}  // namespace rssflow
