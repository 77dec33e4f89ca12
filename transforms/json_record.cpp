#include "transforms/json_record.h"

#include <cstdint>
#include <cstring>

#include "core/time.h"
#include "transforms/article_builder_text.h"

namespace rssflow {
namespace {

// Bytes that can be copied to a JSON string without a look: printable ASCII except '"', '\'.
bool is_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Length of the prefix of text made of plain bytes, looked at eight bytes at a time (SWAR):
// a word is plain when none of its bytes is a control, non-ASCII, '"' or '\\'.
std::size_t plain_prefix(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  const auto has_zero_byte = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    const bool control = ((word - kOnes * 0x20) & ~word & kHighs) != 0;  // some byte < 0x20
    if (control || (word & kHighs) != 0 || has_zero_byte(word ^ (kOnes * '"')) || has_zero_byte(word ^ (kOnes * '\\'))) break;
  }
  while (i < text.size() && is_plain(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

void append_escaped_control(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '\b': out.append("\\b"); return;
    case '\f': out.append("\\f"); return;
    case '\n': out.append("\\n"); return;
    case '\r': out.append("\\r"); return;
    case '\t': out.append("\\t"); return;
    default: break;
  }
  const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out.append(escape, sizeof escape);
}

void append_key(std::string& out, std::string_view key) {
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

void append_string_field(std::string& out, std::string_view key, std::string_view value) {
  append_key(out, key);
  append_json_string(out, value);
  out.push_back(',');
}

void append_optional_field(std::string& out, std::string_view key, const std::optional<std::string>& value) {
  append_key(out, key);
  if (value) {
    append_json_string(out, *value);
  } else {
    out.append("null");
  }
  out.push_back(',');
}

void append_array_field(std::string& out, std::string_view key, const std::vector<std::string>& values) {
  append_key(out, key);
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, values[i]);
  }
  out.append("],");
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = i + plain_prefix(text.substr(i));
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (is_plain(c)) {
        ++run;
        continue;
      }
      if (c < 0x80) break;
      // Well-formed multi-byte characters are copied as they are, in the same run (most
      // non-English text), except the two that JavaScript does not allow in a string.
      const Utf8Step step = decode_utf8(text.substr(run));
      if (!step.well_formed || step.code_point == 0x2028 || step.code_point == 0x2029) break;
      run += step.length;
    }
    out.append(text.data() + i, run - i);
    i = run;
    if (i >= text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      append_escaped_control(out, c);
      ++i;
    } else {
      const Utf8Step step = decode_utf8(text.substr(i));
      if (!step.well_formed) {
        out.append("\xEF\xBF\xBD");
      } else if (step.code_point == 0x2028) {
        out.append("\\u2028");
      } else if (step.code_point == 0x2029) {
        out.append("\\u2029");
      } else {
        out.append(text.data() + i, step.length);
      }
      i += step.length;
    }
  }
  out.push_back('"');
}

void append_enclosures_json(std::string& out, const std::vector<Enclosure>& enclosures) {
  out.push_back('[');
  for (std::size_t i = 0; i < enclosures.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"url\":");
    append_json_string(out, enclosures[i].url);
    out.append(",\"type\":");
    if (enclosures[i].type) append_json_string(out, *enclosures[i].type);
    else out.append("null");
    out.append(",\"length\":");
    out.append(enclosures[i].length ? std::to_string(*enclosures[i].length) : std::string("null"));
    out.push_back('}');
  }
  out.push_back(']');
}

void append_json_line(std::string& out, const Article& article) {
  // One allocation for the record in the common case: the texts plus the keys, hashes and dates.
  std::size_t estimate = 512 + article.url.size() + article.guid.size() + article.title.size() +
                         article.summary.size() + article.content_text.size() + article.feed_url.size() +
                         (article.author ? article.author->size() : 0);
  for (const std::string& k : article.keywords) estimate += k.size() + 3;
  for (const std::string& c : article.categories) estimate += c.size() + 3;
  out.reserve(out.size() + estimate + estimate / 16);
  out.push_back('{');
  append_string_field(out, "url", article.url);
  append_string_field(out, "guid", article.guid);
  append_string_field(out, "title", article.title);
  append_optional_field(out, "author", article.author);
  append_key(out, "published_at");
  if (article.published_at) {
    out.push_back('"');
    out.append(format_rfc3339(*article.published_at));
    out.append("\",");
  } else {
    out.append("null,");
  }
  append_string_field(out, "summary", article.summary);
  append_string_field(out, "content_text", article.content_text);
  append_array_field(out, "keywords", article.keywords);
  append_array_field(out, "categories", article.categories);
  append_string_field(out, "feed_url", article.feed_url);
  append_string_field(out, "url_hash", article.url_hash.hex());
  append_string_field(out, "content_hash", article.content_hash.hex());
  append_string_field(out, "fetched_at", format_rfc3339(article.fetched_at));
  append_key(out, "duplicate_of");
  if (article.duplicate_of) {
    append_json_string(out, article.duplicate_of->hex());
  } else {
    out.append("null");
  }
  out.push_back(',');
  append_key(out, "enclosures");
  append_enclosures_json(out, article.enclosures);
  out.push_back(',');
  append_optional_field(out, "image_url", article.image_url);
  append_key(out, "language");
  if (article.language) append_json_string(out, *article.language);
  else out.append("null");
  out.append("}\n");
}

}  // namespace rssflow
