// The text side of strip_html: character references, UTF-8 repair and whitespace folding.
// Internal to transforms/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rssflow {

// A character reference decoded as a browser does in text content.
struct DecodedReference {
  std::array<char, 8> utf8{};  // replacement text (named references hold up to 2 code points)
  std::uint8_t size = 0;       // 0: not a reference, the '&' is literal text
  std::size_t end = 0;         // index just past the reference (and its ';' if any)
};

// Decodes the reference starting at s[at] == '&': named (full HTML5 table, the legacy names
// also without ';', longest match), decimal and hex. Numeric ones follow HTML5: 0, surrogates
// and values above U+10FFFF become U+FFFD; 0x80-0x9F are read as windows-1252.
DecodedReference decode_reference(std::string_view s, std::size_t at);

// Appends text with references decoded, invalid UTF-8 and NUL replaced by U+FFFD; everything
// else is copied unchanged.
void append_decoded_entities(std::string_view text, std::string& out);

// Pending separator between two pieces of visible text; the strongest request wins.
enum class Break : std::uint8_t { kNone, kSpace, kLine, kParagraph };

// Appends visible text to `out`, folding whitespace: separators are emitted lazily, only
// between visible characters, so the result is trimmed and never holds more than one blank
// line in a row. Not thread-safe; one per conversion.
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) {}

  void request_break(Break b) {
    if (hidden_depth_ == 0 && b > pending_) pending_ = b;
  }
  void hide() { ++hidden_depth_; }
  void unhide() { hidden_depth_ -= hidden_depth_ > 0 ? 1 : 0; }
  void unhide_all() { hidden_depth_ = 0; }
  void enter_preformatted() { ++pre_depth_; }
  void leave_preformatted() { pre_depth_ -= pre_depth_ > 0 ? 1 : 0; }

  // An explicit line break (<br>, a newline inside <pre>): two in a row make a blank line.
  void hard_line_break() { request_break(pending_ >= Break::kLine ? Break::kParagraph : Break::kLine); }

  // Appends bytes already known to be visible, valid UTF-8.
  void append_visible(std::string_view text) {
    if (hidden_depth_ > 0 || text.empty()) return;
    if (pending_ != Break::kNone) flush_pending();
    out_.append(text);
  }

  // Consumes text from s[at] until the end, or until '<' or '&' when stop_at_markup; returns
  // the index where it stopped (always > at).
  std::size_t append_text_run(std::string_view s, std::size_t at, bool stop_at_markup);

  // Decodes the reference at s[at] == '&' (or keeps a literal '&'); returns the index after it.
  std::size_t append_reference(std::string_view s, std::size_t at);

 private:
  void on_newline();
  void flush_pending();

  std::string& out_;
  Break pending_ = Break::kNone;
  int hidden_depth_ = 0;
  int pre_depth_ = 0;
};

}  // namespace rssflow
