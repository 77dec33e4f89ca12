// Linear checks of one document against ParseLimits, run before and after the parse tree is
// built. Internal to sources/: parse_feed applies them.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/types.h"
#include "sources/parse_limits.h"

namespace rssflow {

// What a scan of the markup found, without building anything.
struct MarkupScan {
  std::size_t nodes = 0;  // elements, attributes, text runs and CDATA sections, up to the cut
  // Offset of the '<' of the start tag that took nodes over max_nodes (the document is to be
  // read as if it ended there), or npos.
  std::size_t cut = std::string_view::npos;
  // Set when one element carries more than max_attributes attributes: which, and where.
  std::optional<std::string> too_many_attributes;
};

// One pass over UTF-8 XML text, counting the nodes the parser would build: comments, processing
// instructions and the DOCTYPE count nothing; attribute values are the quoted strings inside
// a start tag.
MarkupScan scan_markup(std::string_view text, const ParseLimits& limits);

// The deepest nesting of elements below root, by parent links (no recursion, no stack);
// stops counting once past max_depth. Polls deadline.
std::size_t element_depth(pugi::xml_node root, std::size_t max_depth, Deadline& deadline);

// One pass over JSON text (strings skipped): nesting of arrays/objects and the number of
// values. nullopt when within limits, else the failure (too_deep or too_many_elements).
struct JsonShapeError {
  ErrorCode code;
  std::string message;
};
std::optional<JsonShapeError> check_json_shape(std::string_view text, const ParseLimits& limits);

// Cuts every text field of doc longer than max_bytes at a UTF-8 character boundary; returns
// how many were cut.
std::size_t cut_long_fields(FeedDocument& doc, std::size_t max_bytes);

// The '>' that ends markup starting before pos (a tag, a declaration), quoted strings skipped
// and, with `brackets`, a DOCTYPE's internal subset in [...]; npos when it never ends. Linear.
std::size_t find_markup_end(std::string_view text, std::size_t pos, bool brackets);

// Past the '>' that ends a DOCTYPE starting before pos (its internal subset in brackets and
// quoted strings skipped); text.size() when it never ends. Linear.
std::size_t skip_doctype(std::string_view text, std::size_t pos);

}  // namespace rssflow
