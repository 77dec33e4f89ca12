#include "transforms/keyword_tokens.h"

#include <algorithm>
#include <limits>

namespace rssflow {
namespace {

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool is_ascii_word(unsigned char c) {
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

constexpr std::uint64_t kByteMultiplier = 0x100000001B3ull;

struct TokenHasher {
  std::uint64_t exact = 0xCBF29CE484222325ull;
  std::uint64_t folded = 0xCBF29CE484222325ull;
  void add(unsigned char c) {
    exact = (exact ^ c) * kByteMultiplier;
    const unsigned char lower = (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c | 0x20) : c;
    folded = (folded ^ lower) * kByteMultiplier;
  }
};

}  // namespace

void tokenize_keywords(std::string_view text, std::vector<KeywordToken>& out) {
  out.clear();
  text = text.substr(0, std::min<std::size_t>(text.size(), std::numeric_limits<std::uint32_t>::max()));
  bool space = false;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_space(c)) {
      space = true;
      ++i;
      continue;
    }
    KeywordToken token;
    token.begin = static_cast<std::uint32_t>(i);
    token.space_before = space;
    space = false;
    TokenHasher hasher;
    if (c < 0x80 && !is_ascii_word(c)) {  // ASCII punctuation: a token of its own
      hasher.add(c);
      ++i;
    } else {
      char32_t cp = 0;
      const std::size_t first = c < 0x80 ? 1 : decode(text, i, cp);
      if (c >= 0x80 && is_non_word_code_point(cp)) {  // Unicode punctuation, symbol, emoji
        token.ascii = false;
        for (std::size_t k = 0; k < first; ++k) hasher.add(static_cast<unsigned char>(text[i + k]));
        i += first;
      } else {
        // A run of word characters.
        while (i < n) {
          const auto b = static_cast<unsigned char>(text[i]);
          if (b < 0x80) {
            if (!is_ascii_word(b)) break;
            hasher.add(b);
            ++i;
            continue;
          }
          const std::size_t len = decode(text, i, cp);
          if (is_non_word_code_point(cp)) break;
          token.ascii = false;
          for (std::size_t k = 0; k < len; ++k) hasher.add(static_cast<unsigned char>(text[i + k]));
          i += len;
        }
      }
    }
    token.end = static_cast<std::uint32_t>(i);
    token.exact_hash = hasher.exact;
    token.folded_hash = hasher.folded;
    out.push_back(token);
  }
}

}  // namespace rssflow
