#include "transforms/keyword_matcher.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <stdexcept>
#include <utility>

#include "transforms/keyword_matcher_dictionary.h"

namespace rssflow {
namespace {

// The set's DFA holds states for ~300 unanchored Unicode-class patterns at once; the default
// 8 MiB budget can run out on long articles, and each failure would cost a slow fallback.
constexpr int64_t kSetMemoryBudget = 64 << 20;

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

std::unique_ptr<RE2> compile(const KeywordPattern& pattern, const std::string& origin) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern.regex, options);
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

struct KeywordMatcher::Impl {
  struct Compiled {
    std::string canonical;
    std::vector<std::unique_ptr<RE2>> patterns;  // used to locate hits when guards exist
    std::vector<std::unique_ptr<RE2>> guards;
  };

  std::vector<Compiled> keywords;
  std::vector<std::size_t> keyword_of_pattern;  // RE2::Set index -> keyword index
  std::vector<std::size_t> pattern_slot;        // RE2::Set index -> index in Compiled::patterns
  std::unique_ptr<RE2::Set> set;

  bool guarded_hit_survives(const Compiled& keyword, std::size_t slot, std::string_view text) const {
    std::vector<Span> vetoes;
    for (const auto& guard : keyword.guards) {
      for_each_hit(*guard, text, [&](Span span) {
        vetoes.push_back(span);
        return true;
      });
    }
    bool survives = false;
    for_each_hit(*keyword.patterns[slot], text, [&](Span hit) {
      bool vetoed = false;
      for (const Span& veto : vetoes) vetoed = vetoed || (veto.begin <= hit.begin && hit.end <= veto.end);
      survives = !vetoed;
      return !survives;  // keep looking while every hit so far was vetoed
    });
    return survives;
  }
};

KeywordMatcher KeywordMatcher::from_file(const std::filesystem::path& path) {
  const std::string origin = path.string();
  std::vector<KeywordEntry> entries = parse_keyword_dictionary(path);
  auto impl = std::make_unique<Impl>();
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kSetMemoryBudget);
  impl->set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  for (const KeywordEntry& entry : entries) {
    Impl::Compiled compiled;
    compiled.canonical = entry.canonical;
    for (const KeywordPattern& pattern : entry.patterns) {
      compiled.patterns.push_back(compile(pattern, origin));  // reports errors with their line
      std::string error;
      if (impl->set->Add(pattern.regex, &error) < 0) {
        throw std::runtime_error(origin + ":" + std::to_string(pattern.line) + ": invalid pattern '" +
                                 pattern.source + "': " + error);
      }
      impl->keyword_of_pattern.push_back(impl->keywords.size());
      impl->pattern_slot.push_back(compiled.patterns.size() - 1);
    }
    for (const KeywordPattern& guard : entry.guards) compiled.guards.push_back(compile(guard, origin));
    impl->keywords.push_back(std::move(compiled));
  }
  if (!impl->set->Compile()) {
    throw std::runtime_error(origin + ": keyword patterns do not fit in RE2's memory budget");
  }
  return KeywordMatcher(std::move(impl));
}

KeywordMatcher::KeywordMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeywordMatcher::KeywordMatcher(KeywordMatcher&&) noexcept = default;
KeywordMatcher& KeywordMatcher::operator=(KeywordMatcher&&) noexcept = default;
KeywordMatcher::~KeywordMatcher() = default;

std::size_t KeywordMatcher::size() const { return impl_->keywords.size(); }

std::vector<std::string> KeywordMatcher::match(std::string_view text) const {
  const Impl& impl = *impl_;
  std::vector<int> matched;
  RE2::Set::ErrorInfo error{};
  std::vector<bool> candidate(impl.keywords.size(), false);
  std::vector<std::vector<std::size_t>> slots(impl.keywords.size());
  if (impl.set->Match(re2::StringPiece(text.data(), text.size()), &matched, &error)) {
    for (const int id : matched) {
      const std::size_t keyword = impl.keyword_of_pattern[static_cast<std::size_t>(id)];
      candidate[keyword] = true;
      slots[keyword].push_back(impl.pattern_slot[static_cast<std::size_t>(id)]);
    }
  } else if (error.kind != RE2::Set::kNoError) {
    // The DFA ran out of memory on this text: fall back to the individual patterns, which
    // RE2 runs with its NFA when needed. Slow, but the answer is the same.
    for (std::size_t k = 0; k < impl.keywords.size(); ++k) {
      const auto& patterns = impl.keywords[k].patterns;
      for (std::size_t slot = 0; slot < patterns.size(); ++slot) {
        if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *patterns[slot])) {
          candidate[k] = true;
          slots[k].push_back(slot);
        }
      }
    }
  }
  std::vector<std::string> found;
  for (std::size_t k = 0; k < impl.keywords.size(); ++k) {
    if (!candidate[k]) continue;
    const Impl::Compiled& keyword = impl.keywords[k];
    bool accepted = keyword.guards.empty();
    for (std::size_t i = 0; !accepted && i < slots[k].size(); ++i) {
      accepted = impl.guarded_hit_survives(keyword, slots[k][i], text);
    }
    if (accepted) found.push_back(keyword.canonical);
  }
  return found;
}

}  // namespace rssflow
