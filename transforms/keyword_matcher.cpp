#include "transforms/keyword_matcher.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "transforms/keyword_matcher_dictionary.h"
#include "transforms/keyword_tokens.h"

namespace rssflow {
namespace {

// Matching runs in two parts.
// 1. Literal aliases (the dictionary terms, nearly every entry) are looked up: the text is
//    tokenised once (transforms/keyword_tokens.h) and each run of up to max_terms tokens is
//    hashed and looked up in one open-addressing table of alias hashes, extended only while
//    the run is a prefix of some alias. Case-insensitive aliases with non-ASCII letters stay
//    on RE2 (Unicode case folding), as do match= patterns.
// 2. The RE2 part keeps the old two-step scheme for what is left: one RE2::Set over the
//    patterns' triggers (the pattern without its word boundaries), then each candidate
//    verified with its own RE2. Guards (not=) run only for a keyword that has a hit.
constexpr int64_t kSetMemoryBudget = 64 << 20;
constexpr std::uint64_t kCaseSensitiveSeed = 0x9FB21C651E98DF25ull;

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

// Adds `regex` (pattern's own, or its trigger) to `set`, which parses it without compiling.
void add_to_set(RE2::Set& set, const std::string& regex, const KeywordPattern& pattern, const std::string& origin) {
  std::string error;
  if (set.Add(regex, &error) < 0) {
    throw std::runtime_error(origin + ":" + std::to_string(pattern.line) + ": invalid pattern '" + pattern.source +
                             "': " + error);
  }
}

// Parses `pattern`'s trigger and forgets it: a syntax error is reported when the dictionary is
// loaded, naming the pattern's line, though nothing is compiled before the first match(). The
// trigger parses exactly when the pattern does (expand_boundaries) and costs a fraction of it.
// One throwaway set per pattern keeps the parse trees from piling up.
void check_syntax(const KeywordPattern& pattern, const std::string& origin) {
  RE2::Options options;  // compile()'s options: the same parse
  options.set_log_errors(false);
  RE2::Set syntax(options, RE2::UNANCHORED);
  add_to_set(syntax, pattern_trigger(pattern), pattern, origin);
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

// An RE2 compiled the first time it is needed, once, thread-safely: most patterns and guards
// never meet a candidate in a run, and compiling all of them on the first match() took one
// thread ~25 ms while the others waited for it. A compile that fails (over RE2's memory
// budget: syntax was checked at load) throws from get() and is tried again next time.
class LazyRE2 {
 public:
  LazyRE2(KeywordPattern source, const std::string& origin) : source_(std::move(source)), origin_(origin) {}
  const KeywordPattern& source() const { return source_; }
  const RE2& get() const {
    std::call_once(once_, [this] { re_ = compile(source_, origin_); });
    return *re_;
  }

 private:
  KeywordPattern source_;
  const std::string& origin_;  // KeywordMatcher::Impl::origin, which outlives this
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
};

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool equal_folded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x | 0x20);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y | 0x20);
    if (x != y) return false;
  }
  return true;
}

// One literal alias as a token sequence.
struct Term {
  std::uint32_t keyword = 0;
  bool case_sensitive = false;
  std::string text;                    // the alias as written
  std::vector<KeywordToken> tokens;    // of `text`
  std::uint32_t next_same_hash = ~0u;  // chain of terms whose full hash collides
};

// Open addressing over 64-bit sequence hashes: for each, whether it is a prefix of a longer
// term and the first term whose full sequence it is. Built once, read-only afterwards.
class TermTable {
 public:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t first_term = ~0u;
    bool used = false;
    bool prefix = false;
  };

  void build(std::vector<Term>& terms) {
    std::size_t capacity = 64;
    while (capacity < terms.size() * 4) capacity *= 2;  // every term and its prefixes: load under 1/2
    slots_.assign(capacity, Slot{});
    for (std::uint32_t t = 0; t < terms.size(); ++t) {
      Term& term = terms[t];
      std::uint64_t h = term.case_sensitive ? kCaseSensitiveSeed : kTokenHashSeed;
      for (std::size_t k = 0; k < term.tokens.size(); ++k) {
        const KeywordToken& token = term.tokens[k];
        h = extend_token_hash(h, term.case_sensitive ? token.exact_hash : token.folded_hash, k > 0 && token.space_before);
        Slot& slot = insert(h);
        if (k + 1 < term.tokens.size()) {
          slot.prefix = true;
        } else {
          term.next_same_hash = slot.first_term;
          slot.first_term = t;
        }
      }
      max_tokens_ = std::max(max_tokens_, term.tokens.size());
    }
  }

  const Slot* find(std::uint64_t key) const {
    // Most tokens of a text start no term: one bit in a filter that stays in L1 cache says so
    // before a probe of the table, which does not.
    if (!(filter_[key >> 54] >> ((key >> 48) & 63) & 1)) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = key & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (!slot.used) return nullptr;
      if (slot.key == key) return &slot;
    }
  }

  std::size_t max_tokens() const { return max_tokens_; }

 private:
  Slot& insert(std::uint64_t key) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = key & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.used = true;
        slot.key = key;
        filter_[key >> 54] |= std::uint64_t{1} << ((key >> 48) & 63);
        return slot;
      }
      if (slot.key == key) return slot;
    }
  }

  std::vector<Slot> slots_;
  std::array<std::uint64_t, 1024> filter_{};  // 8 KiB: bit (key >> 48) is set for every key in the table
  std::size_t max_tokens_ = 0;
};

}  // namespace

struct KeywordMatcher::Impl {
  Hash128 dictionary_hash;
  std::string origin;  // the dictionary file, for error messages
  struct Compiled {
    std::string canonical;  // the slug match() reports
    std::vector<std::unique_ptr<LazyRE2>> guards;
  };

  std::vector<Compiled> keywords;
  std::vector<KeywordDescription> descriptions;  // same order as keywords
  // What compile_once() builds, on the first match(): a run whose sources are all unchanged
  // matches nothing and skips it (tokenizing ~1000 aliases and filling the table was most of
  // the dictionary's load time). Until then, the aliases and patterns wait in `pending`.
  mutable std::vector<std::vector<KeywordPattern>> pending;  // per keyword
  mutable std::vector<Term> terms;
  mutable TermTable table;
  mutable std::vector<std::unique_ptr<LazyRE2>> patterns;  // RE2-path patterns, by RE2::Set index
  mutable std::vector<std::size_t> keyword_of_pattern;     // RE2::Set index -> keyword index
  mutable std::unique_ptr<RE2::Set> triggers;              // null when every pattern is a term
  mutable std::once_flag compiled;

  // Builds the terms, their table and the trigger set. Syntax was checked at load; what can
  // still fail here is a program over RE2's memory budget, reported as an exception from
  // match() (and tried again by the next one). Thread-safe.
  void compile_once() const {
    std::call_once(compiled, [this] {
      std::vector<Term> built_terms;
      std::vector<std::unique_ptr<LazyRE2>> built_patterns;
      std::vector<std::size_t> built_keyword_of_pattern;
      for (std::size_t k = 0; k < pending.size(); ++k) {
        for (const KeywordPattern& pattern : pending[k]) {
          // A literal alias is escaped into its pattern, so it always compiles: terms need no
          // RE2 (compiling the ~1000 alias patterns was most of the dictionary's cost).
          if (pattern.literal && (pattern.case_sensitive || is_ascii(pattern.source))) {
            Term term{static_cast<std::uint32_t>(k), pattern.case_sensitive, pattern.source, {}, ~0u};
            tokenize_keywords(term.text, term.tokens);
            if (!term.tokens.empty()) {
              built_terms.push_back(std::move(term));
              continue;
            }
          }
          built_patterns.push_back(std::make_unique<LazyRE2>(pattern, origin));
          built_keyword_of_pattern.push_back(k);
        }
      }
      std::unique_ptr<RE2::Set> set;
      if (!built_patterns.empty()) {
        RE2::Options set_options;
        set_options.set_log_errors(false);
        set_options.set_max_mem(kSetMemoryBudget);
        set = std::make_unique<RE2::Set>(set_options, RE2::UNANCHORED);
        for (const auto& pattern : built_patterns)
          add_to_set(*set, pattern_trigger(pattern->source()), pattern->source(), origin);
        if (!set->Compile()) throw std::runtime_error(origin + ": keyword patterns do not fit in RE2's memory budget");
      }
      terms = std::move(built_terms);
      table.build(terms);
      patterns = std::move(built_patterns);
      keyword_of_pattern = std::move(built_keyword_of_pattern);
      triggers = std::move(set);
      pending.clear();
      pending.shrink_to_fit();
    });
  }

  // Does the token run starting at tokens[first] spell term exactly (hash collisions aside)?
  static bool spells(const Term& term, std::string_view text, const std::vector<KeywordToken>& tokens, std::size_t first) {
    for (std::size_t k = 0; k < term.tokens.size(); ++k) {
      const KeywordToken& want = term.tokens[k];
      const KeywordToken& got = tokens[first + k];
      if (k > 0 && want.space_before != got.space_before) return false;
      const std::string_view a = std::string_view(term.text).substr(want.begin, want.end - want.begin);
      const std::string_view b = text.substr(got.begin, got.end - got.begin);
      if (term.case_sensitive ? a != b : !equal_folded(a, b)) return false;
    }
    return true;
  }

  // Calls visit(term, span) for every occurrence of every term in text.
  template <typename Visit>
  void for_each_term_hit(std::string_view text, const std::vector<KeywordToken>& tokens, Visit&& visit) const {
    const std::size_t max = table.max_tokens();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      std::uint64_t folded = kTokenHashSeed, exact = kCaseSensitiveSeed;
      bool folded_alive = true, exact_alive = true;
      for (std::size_t n = 0; n < max && i + n < tokens.size() && (folded_alive || exact_alive); ++n) {
        const KeywordToken& token = tokens[i + n];
        const bool space = n > 0 && token.space_before;
        for (int pass = 0; pass < 2; ++pass) {
          bool& alive = pass == 0 ? folded_alive : exact_alive;
          if (!alive) continue;
          std::uint64_t& h = pass == 0 ? folded : exact;
          h = extend_token_hash(h, pass == 0 ? token.folded_hash : token.exact_hash, space);
          const TermTable::Slot* slot = table.find(h);
          if (!slot) {
            alive = false;
            continue;
          }
          for (std::uint32_t t = slot->first_term; t != ~0u; t = terms[t].next_same_hash) {
            const Term& term = terms[t];
            if (term.tokens.size() == n + 1 && spells(term, text, tokens, i)) {
              visit(term, Span{tokens[i].begin, token.end});
            }
          }
          alive = slot->prefix;
        }
      }
    }
  }

  // True when some hit lies outside every match of the keyword's guards.
  static bool survives_guards(const Compiled& keyword, const std::vector<Span>& hits, std::string_view text) {
    std::vector<Span> vetoes;
    for (const auto& guard : keyword.guards) {
      for_each_hit(guard->get(), text, [&](Span span) {
        vetoes.push_back(span);
        return true;
      });
    }
    return std::any_of(hits.begin(), hits.end(), [&](const Span& hit) {
      return std::none_of(vetoes.begin(), vetoes.end(),
                          [&](const Span& veto) { return veto.begin <= hit.begin && hit.end <= veto.end; });
    });
  }

  // Set indices of the RE2-path patterns whose trigger occurs in text: a superset of the matches.
  std::vector<int> candidates(std::string_view text) const {
    std::vector<int> found;
    if (!triggers) return found;
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

KeywordMatcher KeywordMatcher::from_file(const std::filesystem::path& path) {
  const std::string origin = path.string();
  const std::string text = read_keyword_dictionary(path);  // read once: parsed, and hashed for record derivation
  std::vector<KeywordEntry> entries = parse_keyword_dictionary_text(text, origin);
  if (entries.empty()) throw std::runtime_error(origin + ": keyword dictionary has no keywords");
  auto impl = std::make_unique<Impl>();
  impl->dictionary_hash = xxh3_128(text);
  impl->origin = origin;
  for (KeywordEntry& entry : entries) {
    Impl::Compiled compiled;
    compiled.canonical = entry.slug;  // the slug match() reports
    impl->descriptions.push_back(KeywordDescription{entry.slug, entry.canonical, entry.group});
    for (const KeywordPattern& pattern : entry.patterns) {
      if (!pattern.literal) check_syntax(pattern, origin);  // a literal alias always compiles
    }
    for (const KeywordPattern& guard : entry.guards) {
      check_syntax(guard, origin);
      compiled.guards.push_back(std::make_unique<LazyRE2>(guard, impl->origin));
    }
    impl->keywords.push_back(std::move(compiled));
    impl->pending.push_back(std::move(entry.patterns));
  }
  return KeywordMatcher(std::move(impl));
}

KeywordMatcher::KeywordMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeywordMatcher::KeywordMatcher(KeywordMatcher&&) noexcept = default;
KeywordMatcher& KeywordMatcher::operator=(KeywordMatcher&&) noexcept = default;
KeywordMatcher::~KeywordMatcher() = default;

std::size_t KeywordMatcher::size() const { return impl_->keywords.size(); }
const Hash128& KeywordMatcher::dictionary_hash() const { return impl_->dictionary_hash; }

const std::vector<KeywordDescription>& KeywordMatcher::keywords() const { return impl_->descriptions; }

void KeywordMatcher::prepare() const noexcept {
  try {
    impl_->compile_once();
  } catch (...) {  // over RE2's memory budget: the next match() tries again and throws
  }
}

std::vector<std::string> KeywordMatcher::match(std::string_view text) const {
  const Impl& impl = *impl_;
  impl.compile_once();
  thread_local std::vector<KeywordToken> tokens;
  tokenize_keywords(text, tokens);
  // Per keyword: accepted, or the term hits still to check against its guards.
  std::vector<char> accepted(impl.keywords.size(), 0);
  std::vector<std::pair<std::uint32_t, Span>> guarded_hits;
  impl.for_each_term_hit(text, tokens, [&](const Term& term, Span span) {
    if (impl.keywords[term.keyword].guards.empty()) {
      accepted[term.keyword] = 1;
    } else if (!accepted[term.keyword]) {
      guarded_hits.emplace_back(term.keyword, span);
    }
  });
  std::sort(guarded_hits.begin(), guarded_hits.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < guarded_hits.size();) {
    const std::uint32_t k = guarded_hits[i].first;
    std::vector<Span> hits;
    for (; i < guarded_hits.size() && guarded_hits[i].first == k; ++i) hits.push_back(guarded_hits[i].second);
    if (Impl::survives_guards(impl.keywords[k], hits, text)) accepted[k] = 1;
  }
  for (const int id : impl.candidates(text)) {
    const auto pattern = static_cast<std::size_t>(id);
    const std::size_t k = impl.keyword_of_pattern[pattern];
    if (accepted[k]) continue;
    const RE2& re = impl.patterns[pattern]->get();
    const Impl::Compiled& keyword = impl.keywords[k];
    std::vector<Span> hits;
    if (keyword.guards.empty()) {
      if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re)) accepted[k] = 1;
      continue;
    }
    for_each_hit(re, text, [&](Span span) {
      hits.push_back(span);
      return true;
    });
    if (Impl::survives_guards(keyword, hits, text)) accepted[k] = 1;
  }
  std::vector<std::string> found;
  for (std::size_t k = 0; k < impl.keywords.size(); ++k) {
    if (accepted[k]) found.push_back(impl.keywords[k].canonical);
  }
  return found;
}

}  // namespace rssflow
