#include "sinks/postgres_text.h"

namespace rssflow {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at text[at], or 0 with `skip` set to the length of its
// maximal invalid subpart (at least 1).
std::size_t valid_sequence(std::string_view text, std::size_t at, std::size_t& skip) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlongs
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlongs
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    skip = 1;
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const bool ok = at + i < text.size() &&
                    (i == 1 ? byte(at + i) >= low && byte(at + i) <= high : (byte(at + i) & 0xC0) == 0x80);
    if (!ok) {
      skip = i;
      return 0;
    }
  }
  return length;
}

}  // namespace

void sanitize_text(std::string& text, SanitizeStats& stats) {
  // Valid text (the common case) is only scanned; the copy starts at the first bad byte.
  std::size_t at = 0;
  while (at < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    if (c >= 0x01 && c < 0x80) {
      ++at;
      continue;
    }
    std::size_t skip = 0;
    const std::size_t length = c == 0 ? 0 : valid_sequence(text, at, skip);
    if (length == 0) break;
    at += length;
  }
  if (at == text.size()) return;

  std::string clean = text.substr(0, at);
  clean.reserve(text.size());
  while (at < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    if (c == 0) {
      ++stats.nul_bytes_removed;
      ++at;
    } else if (c < 0x80) {
      clean.push_back(static_cast<char>(c));
      ++at;
    } else {
      std::size_t skip = 0;
      if (const std::size_t length = valid_sequence(text, at, skip); length != 0) {
        clean.append(text, at, length);
        at += length;
      } else {
        clean.append(kReplacement);
        ++stats.invalid_utf8_replaced;
        at += skip;
      }
    }
  }
  text = std::move(clean);
}

std::string text_array_literal(std::vector<std::string>& elements, SanitizeStats& stats) {
  std::string literal = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    sanitize_text(elements[i], stats);
    if (i != 0) literal.push_back(',');
    literal.push_back('"');
    for (char c : elements[i]) {
      if (c == '"' || c == '\\') literal.push_back('\\');
      literal.push_back(c);
    }
    literal.push_back('"');
  }
  literal.push_back('}');
  return literal;
}

void append_copy_text(std::string_view text, std::string& out, SanitizeStats& stats) {
  std::size_t run = 0;  // start of the bytes not yet appended, all of them to go as they are
  std::size_t at = 0;
  const auto flush = [&] { out.append(text, run, at - run); };
  while (at < text.size()) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      ++at;
      continue;
    }
    if (c >= 0x80) {
      std::size_t skip = 0;
      if (const std::size_t length = valid_sequence(text, at, skip); length != 0) {
        at += length;
        continue;
      }
      flush();
      out.append(kReplacement);
      ++stats.invalid_utf8_replaced;
      at += skip;
      run = at;
      continue;
    }
    flush();
    switch (c) {
      case 0: ++stats.nul_bytes_removed; break;
      case '\\': out.append("\\\\"); break;
      case '\t': out.append("\\t"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      default: {  // other C0 controls and DEL: octal, as COPY reads them back
        const char octal[4] = {'\\', static_cast<char>('0' + (c >> 6)), static_cast<char>('0' + ((c >> 3) & 7)),
                               static_cast<char>('0' + (c & 7))};
        out.append(octal, 4);
      }
    }
    ++at;
    run = at;
  }
  flush();
}

}  // namespace rssflow
