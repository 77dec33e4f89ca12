// HTML fragment -> plain text. Pure functions, thread-safe, no allocation beyond the result.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rssflow {

// Tags removed; <script>/<style>/comments dropped with their bodies; named (full HTML5 table)
// and numeric entities decoded; block elements (<p>, <br>, <div>, <li>, headings...) become
// line breaks; runs of spaces folded to one, runs of blank lines to one; invalid UTF-8
// replaced with U+FFFD; leading/trailing whitespace trimmed. Never throws on any input.
//
// Decisions, as a browser's rendered text would have them:
// - One pass, HTML5 tokenizer rules: quoted attribute values may hold '>', "<" not followed by
//   a letter is text, an unterminated tag or comment at the end is dropped.
// - Dropped with their bodies: <script>, <style>, <noscript>, <iframe>, <textarea>, <title>,
//   <noembed>, <noframes>, comments, CDATA sections, processing instructions, doctypes. Parsed
//   but not shown: <template>, <svg>, <video>, <audio>, <canvas>, <select>, <head>.
// - Images contribute nothing, not even alt text: in feeds, alt is mostly tracking pixels,
//   logos and decorative descriptions, and it would feed noise to keyword matching.
// - Character references are decoded exactly once, as a browser does: "&amp;amp;" is "&amp;"
//   (the feed's XML layer already removed its own level). Legacy names also without ';'
//   ("&copy 2024"), numeric references per HTML5 (0, surrogates and > U+10FFFF -> U+FFFD,
//   0x80-0x9F read as windows-1252). Decoded text is never markup: "&lt;b&gt;" is "<b>".
// - Paragraph-like blocks (<p>, headings, <blockquote>, <pre>, <table>, <figure>, <hr>, the
//   outermost <ul>/<ol>...) are separated by one blank line; <li>, <div>, <tr>, <dt>/<dd>,
//   <figcaption> and <br> end a line (two <br> make a blank line); table cells are spaced.
//   Inside <pre>, line breaks are kept (spaces still fold).
// - No-break and other Unicode spaces fold like ASCII spaces; soft hyphens, zero-width spaces,
//   BOMs, C0/C1 controls and DEL are removed (so "Kuber&shy;netes" is one word for keywords).
std::string strip_html(std::string_view html);

// Decodes character references only (for plain-text fields that arrive entity-escaped), with
// the same rules as strip_html; also replaces invalid UTF-8 and NUL with U+FFFD so that the
// result is always valid UTF-8 text. Tags and whitespace are left as they are.
std::string decode_entities(std::string_view text);

// Cuts plain text to at most max_bytes bytes at a word boundary (never inside a UTF-8
// sequence), appending "…" when it cut. Text that fits is returned unchanged.
// The ellipsis (3 bytes) counts toward max_bytes; below 3 bytes the result is empty. The cut
// falls at the last whitespace before the limit, unless that would drop more than half of the
// allowed text (CJK without spaces, one long URL): then at the last code point boundary.
std::string truncate_at_word(std::string_view text, std::size_t max_bytes);

}  // namespace rssflow
