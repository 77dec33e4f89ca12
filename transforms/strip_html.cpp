#include "transforms/strip_html.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "transforms/html_entities.h"
#include "transforms/strip_html_text.h"
#include "transforms/strip_html_tags.h"

namespace rssflow {
namespace {

constexpr bool is_ascii_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_tag_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

bool starts_with_ci(std::string_view s, std::size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    if (ascii_lower(s[at + k]) != prefix[k]) return false;
  }
  return true;
}

// Index just past the first occurrence of `terminator` at or after `from`, or s.size().
std::size_t skip_past(std::string_view s, std::size_t from, std::string_view terminator) {
  const std::size_t found = s.find(terminator, from);
  return found == std::string_view::npos ? s.size() : found + terminator.size();
}

// <!-- ... -->, including HTML5's abrupt "<!-->" / "<!--->" and the "--!>" closer.
std::size_t skip_comment(std::string_view s, std::size_t body) {
  if (s.substr(body, 1) == ">") return body + 1;
  if (s.substr(body, 2) == "->") return body + 2;
  for (std::size_t k = s.find("--", body); k != std::string_view::npos; k = s.find("--", k + 1)) {
    if (s.substr(k + 2, 1) == ">") return k + 3;
    if (s.substr(k + 2, 2) == "!>") return k + 4;
  }
  return s.size();
}

// Raw-text elements end only at "</name" followed by space, '/' or '>' (any case).
std::size_t skip_raw_text(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t k = s.find("</", from); k != std::string_view::npos; k = s.find("</", k + 2)) {
    const std::size_t after = k + 2 + name.size();
    if (starts_with_ci(s, k + 2, name) &&
        (after == s.size() || is_tag_space(s[after]) || s[after] == '/' || s[after] == '>')) {
      return skip_past(s, after, ">");
    }
  }
  return s.size();
}

struct ParsedTag {
  std::string_view name;  // lower-cased into the caller's buffer; empty when too long to matter
  bool self_closing = false;
  std::size_t end = 0;  // index just past '>' (or s.size() when unterminated)
};

// Reads a start or end tag beginning at the first name character. Attribute values may hold
// '>' inside quotes, so they are tokenized as HTML5 does rather than searched for '>'.
ParsedTag parse_tag(std::string_view s, std::size_t at, std::array<char, 16>& name_buffer) {
  ParsedTag tag;
  std::size_t i = at;
  std::size_t length = 0;
  while (i < s.size() && !is_tag_space(s[i]) && s[i] != '/' && s[i] != '>') {
    if (length < name_buffer.size()) name_buffer[length] = ascii_lower(s[i]);
    ++length;
    ++i;
  }
  if (length <= name_buffer.size()) tag.name = std::string_view(name_buffer.data(), length);
  while (i < s.size()) {
    const char c = s[i];
    if (c == '>') {
      tag.end = i + 1;
      return tag;
    }
    if (c == '/') {
      tag.self_closing = (i + 1 < s.size() && s[i + 1] == '>');
      ++i;
      continue;
    }
    if (is_tag_space(c)) {
      ++i;
      continue;
    }
    // Attribute name, then optional "= value".
    while (i < s.size() && !is_tag_space(s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=') ++i;
    while (i < s.size() && is_tag_space(s[i])) ++i;
    if (i < s.size() && s[i] == '=') {
      ++i;
      while (i < s.size() && is_tag_space(s[i])) ++i;
      if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
        const std::size_t close = s.find(s[i], i + 1);
        i = (close == std::string_view::npos) ? s.size() : close + 1;
      } else {
        while (i < s.size() && !is_tag_space(s[i]) && s[i] != '>') ++i;
      }
    }
  }
  tag.end = s.size();  // EOF inside a tag: the browser drops the tag
  return tag;
}

class HtmlToText {
 public:
  HtmlToText(std::string_view html, std::string& out) : html_(html), writer_(out) {}

  void run() {
    std::size_t i = 0;
    while (i < html_.size()) {
      const char c = html_[i];
      if (c == '<') {
        i = on_markup(i);
      } else if (c == '&') {
        i = writer_.append_reference(html_, i);
      } else {
        i = writer_.append_text_run(html_, i, /*stop_at_markup=*/true);
      }
    }
  }

 private:
  std::size_t on_markup(std::size_t at) {
    const std::string_view s = html_;
    if (at + 1 >= s.size()) return append_literal(at);
    const char next = s[at + 1];
    if (next == '!') {
      if (s.substr(at + 2, 2) == "--") return skip_comment(s, at + 4);
      if (s.substr(at + 2, 7) == "[CDATA[") return skip_past(s, at + 9, "]]>");
      return skip_past(s, at + 2, ">");  // doctype or bogus comment
    }
    if (next == '?') return skip_past(s, at + 2, ">");  // processing instruction
    if (next == '/') {
      if (at + 2 < s.size() && is_ascii_alpha(s[at + 2])) {
        const ParsedTag tag = parse_tag(s, at + 2, name_buffer_);
        on_end_tag(tag.name);
        return tag.end;
      }
      return skip_past(s, at + 2, ">");  // "</>" and "</3": bogus comment
    }
    if (is_ascii_alpha(next)) {
      const ParsedTag tag = parse_tag(s, at + 1, name_buffer_);
      return on_start_tag(tag);
    }
    return append_literal(at);  // "a < b", "<3"
  }

  std::size_t append_literal(std::size_t at) {
    writer_.append_visible(html_.substr(at, 1));
    return at + 1;
  }

  std::size_t on_start_tag(const ParsedTag& tag) {
    const TagKind kind = classify_tag(tag.name);
    switch (kind) {
      case TagKind::kRawTextDropped:
        return tag.self_closing ? tag.end : skip_raw_text(html_, tag.end, tag.name);
      case TagKind::kHidden:
        if (!tag.self_closing) writer_.hide();
        break;
      case TagKind::kBody:
        writer_.unhide_all();
        break;
      case TagKind::kPreformatted:
        writer_.request_break(Break::kParagraph);
        writer_.enter_preformatted();
        break;
      case TagKind::kList:
        writer_.request_break(list_depth_ == 0 ? Break::kParagraph : Break::kLine);
        ++list_depth_;
        break;
      default:
        apply_break(kind);
    }
    return tag.end;
  }

  void on_end_tag(std::string_view name) {
    const TagKind kind = classify_tag(name);
    switch (kind) {
      case TagKind::kHidden:
        writer_.unhide();
        break;
      case TagKind::kPreformatted:
        writer_.leave_preformatted();
        writer_.request_break(Break::kParagraph);
        break;
      case TagKind::kList:
        if (list_depth_ > 0) --list_depth_;
        writer_.request_break(list_depth_ == 0 ? Break::kParagraph : Break::kLine);
        break;
      default:
        apply_break(kind);
    }
  }

  void apply_break(TagKind kind) {
    switch (kind) {
      case TagKind::kParagraph: writer_.request_break(Break::kParagraph); break;
      case TagKind::kLine: writer_.request_break(Break::kLine); break;
      case TagKind::kLineBreak: writer_.hard_line_break(); break;
      case TagKind::kCell: writer_.request_break(Break::kSpace); break;
      default: break;
    }
  }

  std::string_view html_;
  TextWriter writer_;
  std::array<char, 16> name_buffer_{};
  int list_depth_ = 0;
};

}  // namespace

std::string strip_html(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  HtmlToText(html, out).run();
  return out;
}

std::string truncate_at_word(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
  if (max_bytes < kEllipsis.size()) return std::string();
  const std::size_t budget = max_bytes - kEllipsis.size();
  auto is_continuation = [&](std::size_t k) {
    return (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80;
  };
  // Longest prefix that ends on a code point boundary.
  std::size_t cut = budget;
  while (cut > 0 && is_continuation(cut)) --cut;
  // Prefer ending at a space; a word is kept whole when the cut falls just after it. Without a
  // space in the second half (CJK text, one long URL) the code point boundary is kept, so the
  // result never shrinks to a stub.
  auto is_space = [&](std::size_t k) {
    return text[k] == ' ' || text[k] == '\n' || text[k] == '\t' || text[k] == '\r';
  };
  if (!is_space(cut)) {
    std::size_t space = cut;
    while (space > 0 && !is_space(space - 1)) --space;
    if (space > budget / 2) cut = space;
  }
  while (cut > 0 && is_space(cut - 1)) --cut;
  std::string out;
  out.reserve(cut + kEllipsis.size());
  out.append(text.substr(0, cut));
  out.append(kEllipsis);
  return out;
}

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_decoded_entities(text, out);
  return out;
}

}  // namespace rssflow
