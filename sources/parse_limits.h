// The per-source budget of parse_feed: how much structure and time one document may cost.
// Every limit is checked in a linear pass; none of the parser's walks recurses with the input.
#pragma once

#include <chrono>
#include <cstddef>

namespace rssflow {

// Defaults keep every real feed of the corpus (tests/data/realworld) parsing exactly as without
// limits, with a wide margin; see README "Budgets per source" for what happens past each one.
struct ParseLimits {
  // Elements (XML) or arrays/objects (JSON) nested deeper: the source fails with too_deep.
  std::size_t max_depth = 512;
  // Nodes of the XML tree (elements, attributes, text runs): the document is read as if it
  // ended at the start tag that goes over, so the entries complete before it are kept (a
  // repair line says so). JSON values: the source fails with too_many_elements. Bounds the
  // parse tree to ~32 MB per source; the largest feed of the corpus has ~41,000.
  std::size_t max_nodes = 500'000;
  // Attributes (namespace declarations included) on one element: too_many_attributes.
  std::size_t max_attributes = 256;
  // Entries per feed: later ones (in document order) are dropped, with a repair line.
  std::size_t max_entries = 10'000;
  // Categories per entry: later ones are dropped, with a repair line.
  std::size_t max_categories = 100;
  // Enclosures per entry (RSS <enclosure>, Atom rel="enclosure"): later ones are dropped, with a
  // repair line.
  std::size_t max_enclosures = 100;
  // Bytes of one text field (title, summary, content, author, link, category): cut at a UTF-8
  // character boundary, with a repair line.
  std::size_t max_field_bytes = 1u << 20;
  // Wall time for parse + clean of one source: parse_timeout. Checked inside the loops.
  std::chrono::milliseconds deadline{10'000};
};

}  // namespace rssflow
