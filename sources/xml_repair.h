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

}  // namespace rssflow
