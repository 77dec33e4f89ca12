// The RE2-only keyword matcher rssflow used before the dictionary lookup (one RE2::Set of
// triggers, then one RE2 per candidate pattern), kept as the reference the new engine is
// compared against. Test-only.
#include "tests/transforms/keyword_matcher_reference.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "transforms/keyword_matcher_dictionary.h"

namespace rssflow {
namespace {

// Matching runs in two steps. One RE2::Set over the complete patterns is correct, but its DFA
// thrashes: ~300 unanchored patterns each carrying its own copy of a Unicode word-boundary
// class make every DFA state huge, and the first megabytes of text took seconds. So the set
// holds each pattern's trigger (the pattern without its boundaries, mostly plain literals: an
// Aho-Corasick-sized DFA), and only patterns whose trigger matched are verified, each with its
// own small RE2.
constexpr int64_t kSetMemoryBudget = 64 << 20;

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

std::unique_ptr<RE2> compile(const KeywordPattern& pattern, const std::string& origin) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern_regex(pattern), options);
  if (!re->ok()) {
    throw std::runtime_error(origin + ":" + std::to_string(pattern.line) + ": invalid pattern '" +
                             pattern.source + "': " + re->error());
  }
  return re;
}

// Every hit of `re` in text: capture group 1 when the pattern has one, else the whole match.
template <typename Visit>
void for_each_hit(const RE2& re, std::string_view text, Visit&& visit) {
  const re2::StringPiece input(text.data(), text.size());
  const int groups = re.NumberOfCapturingGroups() >= 1 ? 2 : 1;
  re2::StringPiece found[2];
  std::size_t pos = 0;
  while (pos <= text.size() && re.Match(input, pos, text.size(), RE2::UNANCHORED, found, groups)) {
    const re2::StringPiece hit = (groups == 2 && found[1].data() != nullptr) ? found[1] : found[0];
    const auto begin = static_cast<std::size_t>(hit.data() - text.data());
    const Span span{begin, begin + hit.size()};
    if (!visit(span)) return;
    // Hits may share a boundary character ("JS/JS"), so resume just past this hit's start.
    const auto match_begin = static_cast<std::size_t>(found[0].data() - text.data());
    pos = std::max(match_begin, begin) + 1;
  }
}

}  // namespace

struct ReferenceKeywordMatcher::Impl {
  struct Compiled {
    std::string canonical;
    std::vector<std::unique_ptr<RE2>> guards;
  };

  std::vector<Compiled> keywords;
  std::vector<std::unique_ptr<RE2>> patterns;   // complete patterns, by RE2::Set index
  std::vector<std::size_t> keyword_of_pattern;  // RE2::Set index -> keyword index
  std::unique_ptr<RE2::Set> triggers;

  // True when some hit of `pattern` lies outside every match of the keyword's guards.
  bool unguarded_hit(const Compiled& keyword, const RE2& pattern, std::string_view text) const {
    std::vector<Span> vetoes;
    for (const auto& guard : keyword.guards) {
      for_each_hit(*guard, text, [&](Span span) {
        vetoes.push_back(span);
        return true;
      });
    }
    bool survives = false;
    for_each_hit(pattern, text, [&](Span hit) {
      bool vetoed = false;
      for (const Span& veto : vetoes) vetoed = vetoed || (veto.begin <= hit.begin && hit.end <= veto.end);
      survives = !vetoed;
      return !survives;  // keep looking while every hit so far was vetoed
    });
    return survives;
  }

  // Set indices of the patterns whose trigger occurs in text: a superset of the matches.
  std::vector<int> candidates(std::string_view text) const {
    std::vector<int> found;
    RE2::Set::ErrorInfo error{};
    if (!triggers->Match(re2::StringPiece(text.data(), text.size()), &found, &error) &&
        error.kind != RE2::Set::kNoError) {
      // Out of DFA memory on a pathological text: verify every pattern instead.
      found.resize(patterns.size());
      for (std::size_t k = 0; k < found.size(); ++k) found[k] = static_cast<int>(k);
    }
    std::sort(found.begin(), found.end());
    return found;
  }
};

ReferenceKeywordMatcher ReferenceKeywordMatcher::from_file(const std::filesystem::path& path) {
  const std::string origin = path.string();
  std::vector<KeywordEntry> entries = parse_keyword_dictionary(path);
  if (entries.empty()) throw std::runtime_error(origin + ": keyword dictionary has no keywords");
  auto impl = std::make_unique<Impl>();
  RE2::Options set_options;
  set_options.set_log_errors(false);
  set_options.set_max_mem(kSetMemoryBudget);
  impl->triggers = std::make_unique<RE2::Set>(set_options, RE2::UNANCHORED);
  for (const KeywordEntry& entry : entries) {
    Impl::Compiled compiled;
    compiled.canonical = entry.slug;  // the slug KeywordMatcher::match() reports
    for (const KeywordPattern& pattern : entry.patterns) {
      impl->patterns.push_back(compile(pattern, origin));  // reports errors with their line
      std::string error;
      if (impl->triggers->Add(pattern_trigger(pattern), &error) < 0) {
        throw std::runtime_error(origin + ":" + std::to_string(pattern.line) + ": invalid pattern '" +
                                 pattern.source + "': " + error);
      }
      impl->keyword_of_pattern.push_back(impl->keywords.size());
    }
    for (const KeywordPattern& guard : entry.guards) compiled.guards.push_back(compile(guard, origin));
    impl->keywords.push_back(std::move(compiled));
  }
  if (!impl->triggers->Compile()) {
    throw std::runtime_error(origin + ": keyword patterns do not fit in RE2's memory budget");
  }
  return ReferenceKeywordMatcher(std::move(impl));
}

ReferenceKeywordMatcher::ReferenceKeywordMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReferenceKeywordMatcher::ReferenceKeywordMatcher(ReferenceKeywordMatcher&&) noexcept = default;
ReferenceKeywordMatcher::~ReferenceKeywordMatcher() = default;

std::vector<std::string> ReferenceKeywordMatcher::match(std::string_view text) const {
  const Impl& impl = *impl_;
  const re2::StringPiece input(text.data(), text.size());
  std::vector<std::string> found;
  std::size_t last_accepted = impl.keywords.size();  // candidates come sorted by keyword
  for (const int id : impl.candidates(text)) {
    const auto pattern = static_cast<std::size_t>(id);
    const std::size_t k = impl.keyword_of_pattern[pattern];
    if (k == last_accepted) continue;
    const Impl::Compiled& keyword = impl.keywords[k];
    const bool accepted = keyword.guards.empty() ? RE2::PartialMatch(input, *impl.patterns[pattern])
                                                 : impl.unguarded_hit(keyword, *impl.patterns[pattern], text);
    if (accepted) {
      found.push_back(keyword.canonical);
      last_accepted = k;
    }
  }
  return found;
}

}  // namespace rssflow
