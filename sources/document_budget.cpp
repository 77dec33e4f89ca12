#include "sources/document_budget.h"

namespace rssflow {
namespace {

constexpr auto npos = std::string_view::npos;

std::size_t skip_past(std::string_view text, std::size_t from, std::string_view terminator) {
  const std::size_t at = text.find(terminator, from);
  return at == npos ? text.size() : at + terminator.size();
}

std::string_view tag_name(std::string_view text, std::size_t lt) {
  std::size_t end = lt + 1;
  while (end < text.size() && end - lt < 64 && text[end] != ' ' && text[end] != '\t' && text[end] != '\n' &&
         text[end] != '\r' && text[end] != '>' && text[end] != '/')
    ++end;
  return text.substr(lt + 1, end - lt - 1);
}

void cut(std::string& field, std::size_t max_bytes, std::size_t& count) {
  if (field.size() <= max_bytes) return;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(field[end]) & 0xC0) == 0x80) --end;  // not mid-character
  field.resize(end);
  ++count;
}

void cut(std::optional<std::string>& field, std::size_t max_bytes, std::size_t& count) {
  if (field) cut(*field, max_bytes, count);
}

}  // namespace

std::size_t find_markup_end(std::string_view text, std::size_t pos, bool brackets) {
  int bracket = 0;
  char quote = 0;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (brackets && c == '[') {
      ++bracket;
    } else if (brackets && c == ']') {
      --bracket;
    } else if (c == '>' && bracket <= 0) {
      return pos;
    }
  }
  return std::string_view::npos;
}

std::size_t skip_doctype(std::string_view text, std::size_t pos) {
  const std::size_t end = find_markup_end(text, pos, true);
  return end == std::string_view::npos ? text.size() : end + 1;
}


MarkupScan scan_markup(std::string_view text, const ParseLimits& limits) {
  MarkupScan out;
  std::size_t pos = 0;
  while ((pos = text.find('<', pos)) != npos) {
    // Text before the markup is a node of its own (whitespace too: the parser keeps it).
    if (pos > 0 && text[pos - 1] != '>') ++out.nodes;
    const std::string_view rest = text.substr(pos);
    if (rest.starts_with("<!--")) {
      pos = skip_past(text, pos + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      pos = skip_past(text, pos + 9, "]]>");
      ++out.nodes;
    } else if (rest.starts_with("<?")) {
      pos = skip_past(text, pos + 2, "?>");
    } else if (rest.starts_with("<!")) {
      pos = skip_doctype(text, pos + 2);
    } else if (rest.starts_with("</")) {
      pos = skip_past(text, pos + 2, ">");
    } else {
      const std::size_t start = pos;
      std::size_t attributes = 0;
      char quote = 0;
      for (++pos; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
          ++attributes;
        } else if (c == '>') {
          ++pos;
          break;
        } else if (c == '<') {
          break;  // unterminated tag: the parser reports it
        }
      }
      if (attributes > limits.max_attributes) {
        out.too_many_attributes = "element <" + std::string(tag_name(text, start)) + "> at offset " +
                                  std::to_string(start) + " has " + std::to_string(attributes) +
                                  " attributes (max_attributes " + std::to_string(limits.max_attributes) + ")";
        return out;
      }
      if (out.nodes + 1 + attributes > limits.max_nodes) {
        out.cut = start;
        return out;
      }
      out.nodes += 1 + attributes;
    }
  }
  return out;
}

std::size_t element_depth(pugi::xml_node root, std::size_t max_depth, Deadline& deadline) {
  std::size_t depth = 1, deepest = 0;
  pugi::xml_node node = root.first_child();
  while (node) {
    if (depth > deepest) deepest = depth;
    if (deepest > max_depth || deadline.expired()) return deepest;
    if (node.first_child()) {
      node = node.first_child();
      ++depth;
      continue;
    }
    while (!node.next_sibling()) {
      node = node.parent();
      --depth;
      if (!node || node == root) return deepest;
    }
    node = node.next_sibling();
  }
  return deepest;
}

std::optional<JsonShapeError> check_json_shape(std::string_view text, const ParseLimits& limits) {
  std::size_t depth = 0, values = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    switch (text[i]) {
      case '"':
        for (++i; i < text.size() && text[i] != '"'; ++i)
          if (text[i] == '\\') ++i;
        break;
      case '[':
      case '{':
        if (++depth > limits.max_depth)
          return JsonShapeError{ErrorCode::too_deep, "JSON nested deeper than " + std::to_string(limits.max_depth) +
                                                         " levels at offset " + std::to_string(i) + " (max_depth)"};
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case ',':
        if (++values > limits.max_nodes)
          return JsonShapeError{ErrorCode::too_many_elements, "JSON has more than " + std::to_string(limits.max_nodes) +
                                                                  " values (max_nodes), the last at offset " +
                                                                  std::to_string(i)};
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

std::size_t cut_long_fields(FeedDocument& doc, std::size_t max_bytes) {
  std::size_t count = 0;
  cut(doc.title, max_bytes, count);
  cut(doc.link, max_bytes, count);
  cut(doc.description, max_bytes, count);
  cut(doc.language, max_bytes, count);
  cut(doc.image_url, max_bytes, count);
  for (FeedEntry& entry : doc.entries) {
    cut(entry.title, max_bytes, count);
    cut(entry.link, max_bytes, count);
    cut(entry.guid, max_bytes, count);
    cut(entry.author, max_bytes, count);
    cut(entry.summary_html, max_bytes, count);
    cut(entry.content_html, max_bytes, count);
    for (std::string& category : entry.categories) cut(category, max_bytes, count);
    cut(entry.image_url, max_bytes, count);
    cut(entry.language, max_bytes, count);
    for (Enclosure& enclosure : entry.enclosures) {
      cut(enclosure.url, max_bytes, count);
      cut(enclosure.type, max_bytes, count);
    }
  }
  return count;
}

}  // namespace rssflow
