// Re-nesting of not-well-formed XML before a second parse. Internal to sources/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rssflow {

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
