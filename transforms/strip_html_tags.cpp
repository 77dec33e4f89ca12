#include "transforms/strip_html_tags.h"

#include <algorithm>
#include <array>
#include <utility>

namespace rssflow {
namespace {

using Entry = std::pair<std::string_view, TagKind>;

// Sorted by name for binary search. Elements whose content a reader never sees as article
// text (players' "your browser does not support video" fallbacks, icons, form widgets) are
// hidden; images never contribute text, not even alt (tracking pixels and decorative alts).
constexpr std::array kTags{
    Entry{"address", TagKind::kParagraph},     Entry{"article", TagKind::kParagraph},
    Entry{"aside", TagKind::kParagraph},       Entry{"audio", TagKind::kHidden},
    Entry{"blockquote", TagKind::kParagraph},  Entry{"body", TagKind::kBody},
    Entry{"br", TagKind::kLineBreak},               Entry{"canvas", TagKind::kHidden},
    Entry{"caption", TagKind::kLine},          Entry{"center", TagKind::kParagraph},
    Entry{"datalist", TagKind::kHidden},       Entry{"dd", TagKind::kLine},
    Entry{"details", TagKind::kParagraph},     Entry{"dialog", TagKind::kParagraph},
    Entry{"dir", TagKind::kList},              Entry{"div", TagKind::kLine},
    Entry{"dl", TagKind::kParagraph},          Entry{"dt", TagKind::kLine},
    Entry{"fieldset", TagKind::kParagraph},    Entry{"figcaption", TagKind::kLine},
    Entry{"figure", TagKind::kParagraph},      Entry{"footer", TagKind::kParagraph},
    Entry{"form", TagKind::kParagraph},        Entry{"h1", TagKind::kParagraph},
    Entry{"h2", TagKind::kParagraph},          Entry{"h3", TagKind::kParagraph},
    Entry{"h4", TagKind::kParagraph},          Entry{"h5", TagKind::kParagraph},
    Entry{"h6", TagKind::kParagraph},          Entry{"head", TagKind::kHidden},
    Entry{"header", TagKind::kParagraph},      Entry{"hgroup", TagKind::kParagraph},
    Entry{"hr", TagKind::kParagraph},          Entry{"iframe", TagKind::kRawTextDropped},
    Entry{"legend", TagKind::kLine},           Entry{"li", TagKind::kLine},
    Entry{"listing", TagKind::kPreformatted},  Entry{"main", TagKind::kParagraph},
    Entry{"menu", TagKind::kList},             Entry{"nav", TagKind::kParagraph},
    Entry{"noembed", TagKind::kRawTextDropped}, Entry{"noframes", TagKind::kRawTextDropped},
    Entry{"noscript", TagKind::kRawTextDropped}, Entry{"ol", TagKind::kList},
    Entry{"option", TagKind::kLine},           Entry{"p", TagKind::kParagraph},
    Entry{"pre", TagKind::kPreformatted},      Entry{"script", TagKind::kRawTextDropped},
    Entry{"section", TagKind::kParagraph},     Entry{"select", TagKind::kHidden},
    Entry{"style", TagKind::kRawTextDropped},  Entry{"summary", TagKind::kLine},
    Entry{"svg", TagKind::kHidden},            Entry{"table", TagKind::kParagraph},
    Entry{"td", TagKind::kCell},               Entry{"template", TagKind::kHidden},
    Entry{"textarea", TagKind::kRawTextDropped}, Entry{"th", TagKind::kCell},
    Entry{"title", TagKind::kRawTextDropped},  Entry{"tr", TagKind::kLine},
    Entry{"ul", TagKind::kList},               Entry{"video", TagKind::kHidden},
};

constexpr bool sorted_by_name() {
  for (std::size_t k = 1; k < kTags.size(); ++k) {
    if (!(kTags[k - 1].first < kTags[k].first)) return false;
  }
  return true;
}
static_assert(sorted_by_name(), "kTags must stay sorted for binary search");

}  // namespace

TagKind classify_tag(std::string_view name) {
  const auto it = std::lower_bound(kTags.begin(), kTags.end(), name,
                                   [](const Entry& e, std::string_view key) { return e.first < key; });
  return (it != kTags.end() && it->first == name) ? it->second : TagKind::kInline;
}

}  // namespace rssflow
