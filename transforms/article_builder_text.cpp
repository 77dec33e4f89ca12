#include "transforms/article_builder_text.h"

#include <cstdint>
#include <cstring>

namespace rssflow {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Length of the prefix of text that sanitize_text would copy unchanged.
std::size_t clean_prefix(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  std::size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {  // eight printable ASCII bytes at a time (SWAR)
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      const bool control_or_non_ascii = ((((word - kOnes * 0x20) & ~word) | word) & kHighs) != 0;
      if (!control_or_non_ascii) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80) {
      ++i;
    } else if (c == '\n' || c == '\t') {
      ++i;
    } else if (c < 0x80) {
      break;
    } else {
      const Utf8Step step = decode_utf8(text.substr(i));
      if (!step.well_formed) break;
      i += step.length;
    }
  }
  return i;
}

}  // namespace

Utf8Step decode_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const unsigned char lead = p[0];
  if (lead < 0x80) return {1, lead, true};

  // Table 3-7 of the Unicode Standard: the allowed range of the second byte depends on the lead.
  std::size_t need = 0;
  unsigned char second_min = 0x80, second_max = 0xBF;
  char32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) second_min = 0xA0;  // no overlongs
    if (lead == 0xED) second_max = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) second_min = 0x90;  // no overlongs
    if (lead == 0xF4) second_max = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, 0, false};  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  std::size_t i = 1;
  for (; i <= need; ++i) {
    if (i >= n) return {i, 0, false};
    const unsigned char c = p[i];
    const bool ok = i == 1 ? (c >= second_min && c <= second_max) : is_continuation(c);
    if (!ok) return {i, 0, false};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {i, cp, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string sanitize_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    // Copy the longest run that needs no attention in one append: most text is clean.
    std::size_t run = 0;
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t')) break;
      ++run;
    }
    out.append(text.substr(0, run));
    text.remove_prefix(run);
    if (text.empty()) break;
    const auto c = static_cast<unsigned char>(text.front());
    if (c < 0x80) {
      if (c == '\r' && (text.size() == 1 || text[1] != '\n')) out.push_back('\n');  // old Mac line ends
      text.remove_prefix(1);
      continue;
    }
    const Utf8Step step = decode_utf8(text);
    if (step.well_formed) {
      out.append(text.substr(0, step.length));
    } else {
      out.append("\xEF\xBF\xBD");
    }
    text.remove_prefix(step.length);
  }
  return out;
}

std::string sanitize_owned_text(std::string text) {
  if (clean_prefix(text) == text.size()) return text;
  return sanitize_text(text);
}

std::string fold_whitespace(std::string_view text) {
  std::string sanitized;
  std::string_view clean = text;
  if (clean_prefix(text) != text.size()) {
    sanitized = sanitize_text(text);
    clean = sanitized;
  }
  std::string out;
  out.reserve(clean.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const char c = clean[i];
    const bool nbsp = c == '\xC2' && i + 1 < clean.size() && clean[i + 1] == '\xA0';
    if (is_ascii_space(c) || nbsp) {
      pending_space = !out.empty();
      if (nbsp) ++i;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace rssflow
