#include "sources/xml_repair.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "sources/document_budget.h"
#include "sources/xml_named_entities.h"

namespace rssflow {
namespace {

constexpr std::array<std::uint16_t, 32> kCp1252C1 = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

bool is_forbidden_control(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

bool is_xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == ':';
}

bool starts_markup(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c == '/' || c == '!' ||
         c == '?' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_special(unsigned char c) { return c == '<' || c == '&' || is_forbidden_control(c); }

// The first byte at or after pos that markup repair must look at ('<', '&' or a forbidden
// control character), or text.size(). Eight bytes at a time: most of a feed is plain text.
std::size_t next_special(const std::string& text, std::size_t pos) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  const std::size_t n = text.size();
  while (pos + 8 <= n) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + pos, 8);
    const std::uint64_t lt = w ^ (kOnes * '<'), amp = w ^ (kOnes * '&');
    const std::uint64_t hits = ((lt - kOnes) & ~lt) | ((amp - kOnes) & ~amp) | ((w - kOnes * 0x20) & ~w);
    if ((hits & kHighs) == 0) {
      pos += 8;
      continue;
    }
    for (std::size_t end = pos + 8; pos < end; ++pos)
      if (is_special(static_cast<unsigned char>(text[pos]))) return pos;
  }
  while (pos < n && !is_special(static_cast<unsigned char>(text[pos]))) ++pos;
  return pos;
}

// Builds the output lazily: nothing is copied until the first change.
class Rewriter {
 public:
  explicit Rewriter(std::string& text) : text_(text) {}

  void replace(std::size_t pos, std::size_t len, std::string_view with) {
    if (!copying_) {
      out_.reserve(text_.size() + text_.size() / 16);
      copying_ = true;
    }
    out_.append(text_, flushed_, pos - flushed_);
    out_.append(with);
    flushed_ = pos + len;
  }

  std::string finish() {
    if (!copying_) return std::move(text_);
    out_.append(text_, flushed_, std::string::npos);
    return std::move(out_);
  }

 private:
  std::string& text_;
  std::string out_;
  std::size_t flushed_ = 0;
  bool copying_ = false;
};

struct Counts {
  int entities = 0, ampersands = 0, bad_refs = 0, controls = 0, less_thans = 0;
};

class Repairer {
 public:
  Repairer(std::string& text, std::size_t start) : text_(text), out_(text), pos_(start) {
    if (start > 0) out_.replace(0, start, "");
  }

  std::string run(Counts& counts) {
    const std::size_t n = text_.size();
    while (pos_ < n) {
      pos_ = next_special(text_, pos_);
      if (pos_ >= n) break;
      const char c = text_[pos_];
      if (c == '<') {
        markup();
      } else if (c == '&') {
        ampersand();
      } else if (is_forbidden_control(static_cast<unsigned char>(c))) {
        drop_control();
      } else {
        ++pos_;
      }
    }
    counts = counts_;
    return out_.finish();
  }

 private:
  bool at(std::string_view s) const { return std::string_view(text_).substr(pos_, s.size()) == s; }

  void drop_control() {
    out_.replace(pos_, 1, "");
    ++counts_.controls;
    ++pos_;
  }

  // Copies up to and including terminator (or to the end), removing forbidden controls.
  void copy_through(std::string_view terminator) {
    const auto end = text_.find(terminator, pos_);
    const std::size_t stop = end == std::string::npos ? text_.size() : end + terminator.size();
    for (; pos_ < stop; ++pos_)
      if (is_forbidden_control(static_cast<unsigned char>(text_[pos_]))) {
        out_.replace(pos_, 1, "");
        ++counts_.controls;
      }
  }

  void markup() {
    if (at("<![CDATA[")) return copy_through("]]>");
    if (at("<!--")) return copy_through("-->");
    if (at("<?")) return copy_through("?>");
    if (at("<!")) return doctype();
    if (pos_ + 1 >= text_.size() || !starts_markup(text_[pos_ + 1])) {
      out_.replace(pos_, 1, "&lt;");
      ++counts_.less_thans;
      ++pos_;
      return;
    }
    tag();
  }

  // <!DOCTYPE ...[ internal subset ]> : copied, never interpreted here.
  void doctype() { pos_ = skip_doctype(text_, pos_ + 1); }

  // A start or end tag: attribute values get the same '&' and '<' repairs as text.
  void tag() {
    char quote = 0;
    for (++pos_; pos_ < text_.size();) {
      const char c = text_[pos_];
      if (is_forbidden_control(static_cast<unsigned char>(c))) {
        drop_control();
      } else if (quote) {
        if (c == quote) {
          quote = 0;
          ++pos_;
        } else if (c == '&') {
          ampersand();
        } else if (c == '<') {
          out_.replace(pos_, 1, "&lt;");
          ++counts_.less_thans;
          ++pos_;
        } else {
          ++pos_;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        ++pos_;
      } else if (c == '>') {
        ++pos_;
        return;
      } else if (c == '<') {
        return;  // unterminated tag: leave it to the parser to report
      } else {
        ++pos_;
      }
    }
  }

  void ampersand() {
    const std::string_view rest = std::string_view(text_).substr(pos_ + 1);
    if (!rest.empty() && rest[0] == '#') return char_reference(rest);
    std::size_t len = 0;
    while (len < rest.size() && len < 40 && is_name_char(rest[len])) ++len;
    if (len > 0 && len < rest.size() && rest[len] == ';') {
      const std::string_view name = rest.substr(0, len);
      if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") {
        pos_ += len + 2;
        return;
      }
      if (const auto cp = html_named_entity(name)) {
        out_.replace(pos_, len + 2, "&#" + std::to_string(static_cast<std::uint32_t>(*cp)) + ";");
        ++counts_.entities;
        pos_ += len + 2;
        return;
      }
    }
    out_.replace(pos_, 1, "&amp;");
    ++counts_.ampersands;
    ++pos_;
  }

  void char_reference(std::string_view rest) {  // rest starts at '#'
    const bool hex = rest.size() > 1 && (rest[1] == 'x' || rest[1] == 'X');
    const std::size_t digits_start = hex ? 2 : 1;
    std::size_t len = 0;
    while (digits_start + len < rest.size() && len < 10) {
      const char c = rest[digits_start + len];
      const bool ok = hex ? std::isxdigit(static_cast<unsigned char>(c)) : (c >= '0' && c <= '9');
      if (!ok) break;
      ++len;
    }
    const std::size_t end = digits_start + len;
    if (len == 0 || end >= rest.size() || rest[end] != ';') {
      out_.replace(pos_, 1, "&amp;");
      ++counts_.ampersands;
      ++pos_;
      return;
    }
    std::uint64_t cp = 0;
    std::from_chars(rest.data() + digits_start, rest.data() + end, cp, hex ? 16 : 10);
    const std::size_t total = end + 2;  // '&' + rest up to and including ';'
    if (cp >= 0x80 && cp <= 0x9F) {
      out_.replace(pos_, total, "&#" + std::to_string(kCp1252C1[cp - 0x80]) + ";");
      ++counts_.bad_refs;
    } else if (!is_xml_char(static_cast<std::uint32_t>(cp > 0x10FFFF ? 0 : cp))) {
      out_.replace(pos_, total, "");
      ++counts_.bad_refs;
    } else if (rest[1] == 'X') {
      out_.replace(pos_ + 2, 1, "x");  // "&#X41;": HTML allows the capital, the XML parser does not
    }
    pos_ += total;
  }

  std::string& text_;
  Rewriter out_;
  std::size_t pos_;
  Counts counts_;
};

// Where the document really starts: the first '<', or a late "<?xml" after junk.
std::size_t document_start(const std::string& text) {
  const auto decl = text.find("<?xml");
  if (decl != std::string::npos && decl > 0 && decl < 4096) return decl;
  const auto first = text.find('<');
  return first == std::string::npos ? 0 : first;
}

void note(std::vector<std::string>& repairs, int count, const char* what) {
  if (count > 0) repairs.push_back("xml: " + std::to_string(count) + " " + what);
}

}  // namespace

std::string repair_xml(std::string text, std::vector<std::string>& repairs) {
  const std::size_t start = document_start(text);
  if (start > 0) {
    bool blank = true;
    for (std::size_t i = 0; i < start; ++i)
      if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n') blank = false;
    repairs.push_back("xml: dropped " + std::to_string(start) + (blank ? " bytes of whitespace" : " bytes of junk") +
                      " before the document");
  }
  Counts counts;
  Repairer repairer(text, start);
  std::string out = repairer.run(counts);
  note(repairs, counts.entities, "HTML named entities replaced by numeric references");
  note(repairs, counts.ampersands, "bare '&' or undefined entities escaped");
  note(repairs, counts.bad_refs, "character references to forbidden or C1 code points fixed");
  note(repairs, counts.controls, "forbidden control characters removed");
  note(repairs, counts.less_thans, "bare '<' escaped");
  return out;
}

}  // namespace rssflow
