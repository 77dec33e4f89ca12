// Pre-parse repair of almost-XML feeds, where the author's intent is clear. Internal to sources/.
#pragma once

#include <string>
#include <vector>

namespace rssflow {

// Rewrites UTF-8 text so that pugixml accepts what browsers and feedparser accept:
//  - whitespace or junk before the document (or before a late "<?xml") is dropped;
//  - HTML named entities (&nbsp; &eacute; ...) become numeric references;
//  - a bare '&' or an unknown entity (including ones a DOCTYPE declares) becomes "&amp;...",
//    so nothing is ever expanded from a DOCTYPE;
//  - numeric references to windows-1252 C1 code points map to the intended character, other
//    references to characters XML forbids are dropped;
//  - control characters XML forbids are removed; a '<' that cannot start markup becomes "&lt;".
// CDATA sections, comments, processing instructions and the DOCTYPE are copied as they are
// (control characters aside). Returns the input itself when nothing needed fixing; appends one
// line per kind of fix to repairs.
std::string repair_xml(std::string text, std::vector<std::string>& repairs);

// A not-well-formed document re-nested the way an HTML parser would: an end tag closes the
// innermost open element of that name (and the elements left open inside it); an end tag with
// no open element is dropped; the end of the input closes whatever is still open. Unterminated
// comments/CDATA are closed and a tag cut off by the end of the input is dropped.
struct BalancedXml {
  std::string text;
  std::vector<std::size_t> closed_by_end;  // offsets in text of the '<' of elements the end of input closed
  int end_tags_dropped = 0;
  int elements_closed = 0;  // closed implicitly, by an outer end tag or the end of input
};
BalancedXml balance_tags(std::string_view text);

}  // namespace rssflow
