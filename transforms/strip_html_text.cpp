#include "transforms/strip_html_text.h"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "transforms/html_entities.h"

namespace rssflow {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

constexpr bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

// HTML5 "numeric character reference end state": C1 code points name windows-1252 characters.
constexpr std::array<char16_t, 32> kWindows1252{
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::uint8_t encode_utf8(char32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

struct Utf8Step {
  char32_t code_point = 0;
  std::uint8_t length = 1;  // bytes consumed; for invalid input the maximal subpart (>= 1)
  bool valid = false;
};

// Decodes one sequence starting at a byte >= 0x80, with the well-formedness table of
// Unicode 3.9 (no overlongs, no surrogates, nothing above U+10FFFF).
Utf8Step decode_utf8(std::string_view s, std::size_t at) {
  const auto lead = static_cast<unsigned char>(s[at]);
  int need = 0;
  unsigned char low = 0x80, high = 0xBF;
  char32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1, cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2, cp = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3, cp = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return {};
  }
  Utf8Step step;
  for (int k = 1; k <= need; ++k) {
    if (at + k >= s.size()) return step;
    const auto byte = static_cast<unsigned char>(s[at + k]);
    if (byte < low || byte > high) return step;
    low = 0x80, high = 0xBF;
    cp = (cp << 6) | (byte & 0x3F);
    step.length = static_cast<std::uint8_t>(k + 1);
  }
  step.code_point = cp;
  step.valid = true;
  return step;
}

enum class CharRole : std::uint8_t { kVisible, kSpace, kLineSeparator, kParagraphSeparator, kDropped };

// Roles of non-ASCII code points in extracted text. No-break and typographic spaces fold like
// ASCII spaces; soft hyphens, zero-width spaces and BOMs are dropped so that "Kuber&shy;netes"
// stays one word; raw C1 controls are dropped (they are mis-decoded bytes, never text).
CharRole role_of(char32_t cp) {
  if (cp < 0xA0) return CharRole::kDropped;
  if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
      cp == 0x205F || cp == 0x3000) {
    return CharRole::kSpace;
  }
  if (cp == 0xAD || cp == 0x200B || cp == 0xFEFF) return CharRole::kDropped;
  if (cp == 0x2028) return CharRole::kLineSeparator;
  if (cp == 0x2029) return CharRole::kParagraphSeparator;
  return CharRole::kVisible;
}

enum class ByteClass : std::uint8_t { kPlain, kMarkup, kOther };

// kPlain: printable ASCII that is always text; kMarkup: '<' and '&'; kOther: whitespace,
// controls and bytes of multi-byte sequences, which need a closer look.
constexpr std::array<ByteClass, 256> kByteClass = [] {
  std::array<ByteClass, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c > 0x20 && c < 0x7F) ? ByteClass::kPlain : ByteClass::kOther;
  }
  table['<'] = table['&'] = ByteClass::kMarkup;
  return table;
}();

bool is_plain(char c) { return kByteClass[static_cast<unsigned char>(c)] == ByteClass::kPlain; }

// Index of the first byte at or after `at` that append_text_run must look at closely: anything
// but printable ASCII and single spaces followed by printable ASCII. Article text is mostly
// such runs, so SSE2 classifies 16 bytes per step where it is available.
std::size_t skip_plain(const char* bytes, std::size_t at, std::size_t size) {
  std::size_t i = at;
#if defined(__SSE2__)
  const __m128i first_printable = _mm_set1_epi8(0x21);
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i del = _mm_set1_epi8(0x7F);
  const __m128i less_than = _mm_set1_epi8('<');
  const __m128i ampersand = _mm_set1_epi8('&');
  auto not_plain = [&](__m128i chunk) {
    // Signed compare: bytes >= 0x80 are negative, so "< 0x21" also catches them.
    const __m128i low = _mm_or_si128(_mm_cmplt_epi8(chunk, first_printable), _mm_cmpeq_epi8(chunk, del));
    return _mm_or_si128(low, _mm_or_si128(_mm_cmpeq_epi8(chunk, less_than), _mm_cmpeq_epi8(chunk, ampersand)));
  };
  for (; i + 17 <= size; i += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i + 1));
    const __m128i spaces = _mm_cmpeq_epi8(chunk, space);
    // Special: not plain and not a space, or a space whose next byte is not plain.
    const __m128i special =
        _mm_or_si128(_mm_andnot_si128(spaces, not_plain(chunk)), _mm_and_si128(spaces, not_plain(next)));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < size && (is_plain(bytes[i]) || (bytes[i] == ' ' && i + 1 < size && is_plain(bytes[i + 1])))) ++i;
  return i;
}

// Whether s[at] begins a character that append_text_run would copy as visible text.
bool starts_visible(std::string_view s, std::size_t at, bool stop_at_markup) {
  const auto c = static_cast<unsigned char>(s[at]);
  if (kByteClass[c] == ByteClass::kPlain) return true;
  if (kByteClass[c] == ByteClass::kMarkup) return !stop_at_markup;
  if (c < 0x80) return false;
  const Utf8Step step = decode_utf8(s, at);
  return step.valid && role_of(step.code_point) == CharRole::kVisible;
}

DecodedReference decode_numeric(std::string_view s, std::size_t at) {
  DecodedReference ref;
  std::size_t i = at + 2;  // past "&#"
  const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
  if (hex) ++i;
  const std::size_t digits_begin = i;
  char32_t value = 0;
  for (; i < s.size(); ++i) {
    const int digit = hex ? hex_value(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
    if (digit < 0) break;
    // Saturate: any value past U+10FFFF is replaced anyway.
    value = value > 0x10FFFF ? value : value * (hex ? 16 : 10) + static_cast<char32_t>(digit);
  }
  if (i == digits_begin) return ref;  // "&#" or "&#x" with no digits: literal text
  if (i < s.size() && s[i] == ';') ++i;
  ref.end = i;
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    value = 0xFFFD;
  } else if (value >= 0x80 && value <= 0x9F) {
    value = kWindows1252[value - 0x80];
  }
  ref.size = encode_utf8(value, ref.utf8.data());
  return ref;
}

DecodedReference decode_named(std::string_view s, std::size_t at) {
  DecodedReference ref;
  const std::size_t name_begin = at + 1;
  std::size_t i = name_begin;
  while (i < s.size() && i - name_begin < kLongestEntityName && is_ascii_alnum(s[i])) ++i;
  const std::size_t run = i - name_begin;
  if (run == 0) return ref;
  auto accept = [&](std::string_view replacement, std::size_t end) {
    std::copy(replacement.begin(), replacement.end(), ref.utf8.begin());
    ref.size = static_cast<std::uint8_t>(replacement.size());
    ref.end = end;
    return ref;
  };
  if (i < s.size() && s[i] == ';' && run < kLongestEntityName) {
    if (const auto hit = find_named_reference(s.substr(name_begin, run + 1))) {
      return accept(*hit, i + 1);
    }
  }
  // Legacy names (at most 6 letters) also match without ';', longest first: "&copy2024" is
  // "©2024" and "&notit;" is "¬it;", as in browsers.
  for (std::size_t length = std::min<std::size_t>(run, 6); length >= 2; --length) {
    if (const auto hit = find_named_reference(s.substr(name_begin, length))) {
      return accept(*hit, name_begin + length);
    }
  }
  return ref;
}

}  // namespace

DecodedReference decode_reference(std::string_view s, std::size_t at) {
  if (at + 1 < s.size() && s[at + 1] == '#') return decode_numeric(s, at);
  return decode_named(s, at);
}

void append_decoded_entities(std::string_view text, std::string& out) {
  std::size_t run_begin = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '&') {
      const DecodedReference ref = decode_reference(text, i);
      if (ref.size == 0) {
        ++i;
        continue;
      }
      out.append(text.substr(run_begin, i - run_begin));
      out.append(ref.utf8.data(), ref.size);
      i = run_begin = ref.end;
    } else if (c == 0 || c >= 0x80) {
      const Utf8Step step = c == 0 ? Utf8Step{} : decode_utf8(text, i);
      if (!step.valid) {
        out.append(text.substr(run_begin, i - run_begin));
        out.append(kReplacement);
        run_begin = i + step.length;
      }
      i += step.length;
    } else {
      ++i;
    }
  }
  out.append(text.substr(run_begin));
}

void TextWriter::flush_pending() {
  if (!out_.empty()) {
    switch (pending_) {
      case Break::kSpace: out_.push_back(' '); break;
      case Break::kLine: out_.push_back('\n'); break;
      default: out_.append("\n\n"); break;
    }
  }
  pending_ = Break::kNone;
}

void TextWriter::on_newline() {
  if (pre_depth_ == 0) {
    request_break(Break::kSpace);
  } else {
    hard_line_break();
  }
}

std::size_t TextWriter::append_text_run(std::string_view s, std::size_t at, bool stop_at_markup) {
  std::size_t i = at;
  while (i < s.size()) {
    // Longest run of visible characters, appended at once. A single ' ' between two visible
    // characters is exactly what folding would emit, so it stays inside the run: whole
    // sentences are appended at once.
    const std::size_t run_begin = i;
    const char* const bytes = s.data();
    const std::size_t size = s.size();
    while (i < size) {
      // A run never starts with a space: that one is a pending separator.
      if (i > run_begin || bytes[i] != ' ') i = skip_plain(bytes, i, size);
      if (i >= size) break;
      const auto c = static_cast<unsigned char>(bytes[i]);
      if (c >= 0xC3 && c <= 0xEE && i + 2 < size) {
        // Fast path for the common scripts: U+00C0-U+07FF and U+3001-U+CFFF/U+E000-U+EFFF hold
        // no character strip_html treats specially (U+3000 is a space, so it takes the slow path).
        const bool continuation1 = (static_cast<unsigned char>(bytes[i + 1]) & 0xC0) == 0x80;
        const bool continuation2 = (static_cast<unsigned char>(bytes[i + 2]) & 0xC0) == 0x80;
        if (c <= 0xDF && continuation1) {
          i += 2;
          continue;
        }
        if (c >= 0xE3 && c != 0xED && continuation1 && continuation2 &&
            !(c == 0xE3 && bytes[i + 1] == '\x80' && bytes[i + 2] == '\x80')) {
          i += 3;
          continue;
        }
      }
      if (kByteClass[c] == ByteClass::kMarkup) {
        if (stop_at_markup) break;
        ++i;
      } else if (c == ' ' && i > run_begin && i + 1 < s.size() &&
                 starts_visible(s, i + 1, stop_at_markup)) {
        ++i;
      } else if (c >= 0x80) {
        const Utf8Step step = decode_utf8(s, i);
        if (!step.valid || role_of(step.code_point) != CharRole::kVisible) break;
        i += step.length;
      } else {
        break;
      }
    }
    append_visible(s.substr(run_begin, i - run_begin));
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (stop_at_markup && (c == '<' || c == '&')) break;
    if (c == ' ' || c == '\t' || c == '\f') {
      request_break(Break::kSpace);
      ++i;
    } else if (c == '\n') {
      on_newline();
      ++i;
    } else if (c == '\r') {
      on_newline();
      i += (i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
    } else if (c < 0x80) {
      ++i;  // other C0 controls and DEL carry no text
    } else {
      const Utf8Step step = decode_utf8(s, i);
      if (!step.valid) {
        append_visible(kReplacement);
      } else {
        switch (role_of(step.code_point)) {
          case CharRole::kSpace: request_break(Break::kSpace); break;
          case CharRole::kLineSeparator: request_break(Break::kLine); break;
          case CharRole::kParagraphSeparator: request_break(Break::kParagraph); break;
          default: break;
        }
      }
      i += step.length;
    }
  }
  return std::max(i, at + 1);
}

std::size_t TextWriter::append_reference(std::string_view s, std::size_t at) {
  const DecodedReference ref = decode_reference(s, at);
  if (ref.size == 0) {
    append_visible("&");
    return at + 1;
  }
  // The decoded text is never markup: "&lt;b&gt;" is the text "<b>".
  const std::string_view decoded(ref.utf8.data(), ref.size);
  for (std::size_t k = 0; k < decoded.size();) k = append_text_run(decoded, k, false);
  return ref.end;
}

}  // namespace rssflow
