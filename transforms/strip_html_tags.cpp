#include "transforms/strip_html_tags.h"

#include <array>
#include <cstdint>
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
static_assert(sorted_by_name(), "kTags must stay sorted: lookups scan one first letter's range");

// Where each first letter's names start in kTags: a lookup scans only its letter's few names.
constexpr std::array<std::uint8_t, 27> kLetterStart = [] {
  std::array<std::uint8_t, 27> start{};
  std::size_t k = 0;
  for (int letter = 0; letter <= 26; ++letter) {
    while (k < kTags.size() && kTags[k].first[0] - 'a' < letter) ++k;
    start[static_cast<std::size_t>(letter)] = static_cast<std::uint8_t>(k);
  }
  return start;
}();

}  // namespace

TagKind classify_tag(std::string_view name) {
  if (name.empty() || name[0] < 'a' || name[0] > 'z') return TagKind::kInline;
  const auto letter = static_cast<std::size_t>(name[0] - 'a');
  for (std::size_t k = kLetterStart[letter]; k < kLetterStart[letter + 1]; ++k) {
    if (kTags[k].first == name) return kTags[k].second;
  }
  return TagKind::kInline;
}

}  // namespace rssflow
