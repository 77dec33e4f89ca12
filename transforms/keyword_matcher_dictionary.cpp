#include "transforms/keyword_matcher_dictionary.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

namespace rssflow {
namespace {

// The characters that end a word: ASCII other than letters, digits and '_', and the Unicode
// blocks of spaces, punctuation and symbols (Latin-1 punctuation, General Punctuation, currency,
// letterlike symbols, arrows to dingbats, CJK and fullwidth punctuation, emoji). Every other
// code point (letters, marks and digits of any script) is a word character. Listing the
// non-word blocks instead of writing [^\p{L}\p{M}\p{N}_] keeps each pattern a few dozen
// instructions instead of thousands: compiling the dictionary took 0.7 s of CPU with the
// property classes.
constexpr std::string_view kNonWord =
    R"([\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F\x{A0}-\x{BF}\x{D7}\x{F7})"
    R"(\x{2000}-\x{206F}\x{20A0}-\x{20CF}\x{2100}-\x{214F}\x{2190}-\x{2BFF}\x{3000}-\x{303F})"
    R"(\x{FE30}-\x{FE4F}\x{FF00}-\x{FF0F}\x{FF1A}-\x{FF20}\x{FF3B}-\x{FF40}\x{FF5B}-\x{FF65})"
    R"(\x{1F000}-\x{1FAFF}])";
// Always compared with exact case: under (?i) RE2 folds the class, and the Kelvin sign U+212A
// and Angstrom sign U+212B (letterlike symbols) would bring in "k", "K" and "å", so that
// "OOP" matched inside "verkoop".
const std::string kNonWordExactCase = "(?-i:" + std::string(kNonWord) + ")";
const std::string kLeftBoundary = "(?:^|" + kNonWordExactCase + ")";
const std::string kRightBoundary = "(?:" + kNonWordExactCase + "|$)";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || u == '_' || (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z');
}

[[noreturn]] void fail(const std::string& origin, std::size_t line, const std::string& what) {
  throw std::runtime_error(origin + ":" + std::to_string(line) + ": " + what);
}

// The regex core of a literal alias: escaped, each run of spaces as \s+.
std::string alias_core(std::string_view alias) {
  std::string core;
  bool in_space = false;
  for (const char c : alias) {
    if (c == ' ') {
      if (!in_space) core += R"(\s+)";
      in_space = true;
      continue;
    }
    in_space = false;
    if (!is_word_byte(c)) core += '\\';
    core += c;
  }
  return core;
}

// Literal alias -> a pattern whose regex is built on demand (pattern_regex): most aliases are
// looked up as terms and never need the ~900-byte boundary classes.
KeywordPattern alias_pattern(std::string_view alias, bool case_sensitive, std::size_t line) {
  return {std::string(), line, std::string(alias), true, case_sensitive};
}

// Which form of a match=/not= pattern expand_boundaries() writes.
enum class Boundaries { expanded, dropped };

// "\<" and "\>" (GNU regex spelling; RE2 itself rejects them) become the Unicode-aware
// boundaries (Boundaries::expanded: the regex) or nothing at all (Boundaries::dropped: the
// trigger). Escapes are consumed in pairs so that "\\<" stays a literal backslash and '<'.
// Outside a character class each boundary is a whole group either way, so the trigger parses
// exactly when the regex does and the load checks only the trigger (parsing the boundary
// classes of every pattern cost ~5 ms on every start). Inside a class a boundary means
// nothing: nullopt. One pass, linear in the pattern.
std::optional<std::string> expand_boundaries(std::string_view pattern, Boundaries boundaries) {
  std::string out;
  const auto copy = [&](std::string_view bytes) { out.append(bytes); };
  const std::size_t last_posix_close = pattern.rfind(":]");
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == '<' || next == '>') {
        if (in_class) return std::nullopt;
        if (boundaries == Boundaries::dropped) {
          out += "(?:)";
        } else {
          out += next == '<' ? kLeftBoundary : kRightBoundary;
        }
      } else {
        copy(pattern.substr(i - 1, 2));
      }
      continue;
    }
    copy(pattern.substr(i, 1));
    if (!in_class && c == '[') {
      in_class = true;
      // A ']' first in the class (after an optional '^') is a literal member.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') copy(pattern.substr(++i, 1));
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') copy(pattern.substr(++i, 1));
    } else if (in_class && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':' &&
               last_posix_close != std::string_view::npos && last_posix_close >= i + 2) {
      const std::size_t close = pattern.find(":]", i + 2);  // [:alpha:] inside a class
      copy(pattern.substr(i + 1, close + 1 - i));
      i = close + 1;
    } else if (in_class && c == ']') {
      in_class = false;
    }
  }
  return out;
}

struct PendingEntry {
  KeywordEntry entry;
  std::size_t line = 0;
  std::vector<std::pair<std::string, std::size_t>> aliases;  // alias, line
  bool case_sensitive = false;
};

bool valid_slug(std::string_view slug) {
  if (slug.empty() || slug.front() == '-' || slug.back() == '-') return false;
  for (char c : slug)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

std::string default_slug(std::string_view canonical) {
  std::string slug;
  bool gap = false;
  for (char c : canonical) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && !slug.empty()) slug.push_back('-');
      gap = false;
      slug.push_back(c);
    } else if (c != '.') {
      gap = true;
    }
  }
  return slug;
}

void finish(PendingEntry& pending, std::vector<KeywordEntry>& out, const std::string& origin) {
  for (const auto& [alias, line] : pending.aliases) {
    pending.entry.patterns.push_back(alias_pattern(alias, pending.case_sensitive, line));
  }
  if (pending.entry.patterns.empty()) {
    fail(origin, pending.line, "keyword '" + pending.entry.canonical + "' has no alias or match=");
  }
  out.push_back(std::move(pending.entry));
}

}  // namespace

std::vector<KeywordEntry> parse_keyword_dictionary_text(const std::string& text,
                                                        const std::string& origin) {
  std::vector<KeywordEntry> entries;
  std::unordered_set<std::string> canonicals;
  std::unordered_set<std::string> slugs;
  std::string group = "other";
  std::optional<PendingEntry> pending;
  const auto check_slug = [&](const PendingEntry& entry) {
    if (!valid_slug(entry.entry.slug))
      fail(origin, entry.line, "keyword '" + entry.entry.canonical + "' needs a slug= of [a-z0-9-] (got '" +
                                   entry.entry.slug + "')");
    if (!slugs.insert(entry.entry.slug).second)
      fail(origin, entry.line, "duplicate slug '" + entry.entry.slug + "' (set slug= on one of them)");
  };
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t newline = std::min(text.find('\n', start), text.size());
    const std::string_view line(text.data() + start, newline - start);
    start = newline + 1;
    ++line_number;
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (line.front() == '\t' || line.front() == ' ') {
      if (!pending) fail(origin, line_number, "option line before any keyword: '" + std::string(content) + "'");
      const std::size_t eq = content.find('=');
      const std::string_view key = eq == std::string_view::npos ? content : trim(content.substr(0, eq));
      const std::string_view value = eq == std::string_view::npos ? "" : trim(content.substr(eq + 1));
      if (key == "case") {
        if (value != "sensitive" && value != "insensitive") {
          fail(origin, line_number, "case= takes sensitive or insensitive, not '" + std::string(value) + "'");
        }
        pending->case_sensitive = (value == "sensitive");
      } else if (key == "slug") {
        pending->entry.slug = std::string(value);
      } else if (key == "match" || key == "not") {
        if (value.empty()) fail(origin, line_number, std::string(key) + "= needs a pattern");
        std::optional<std::string> trigger = expand_boundaries(value, Boundaries::dropped);
        if (!trigger) fail(origin, line_number, "\\< and \\> are word boundaries; inside [...] they mean nothing");
        KeywordPattern pattern{std::move(*trigger), line_number, std::string(value)};
        (key == "match" ? pending->entry.patterns : pending->entry.guards).push_back(std::move(pattern));
      } else {
        fail(origin, line_number, "unknown option '" + std::string(key) + "' (slug=, case=, match=, not=)");
      }
      continue;
    }
    if (content.front() == '[' && content.back() == ']' && content.find('\t') == std::string_view::npos) {
      group = std::string(trim(content.substr(1, content.size() - 2)));
      if (!valid_slug(group)) fail(origin, line_number, "group '" + group + "' is not a lower-case slug");
      continue;
    }
    if (pending) {
      check_slug(*pending);
      finish(*pending, entries, origin);
    }
    pending.emplace();
    pending->line = line_number;
    const std::size_t tab = content.find('\t');
    const std::string_view canonical = trim(content.substr(0, tab));
    if (canonical.empty()) fail(origin, line_number, "empty keyword name");
    if (!canonicals.insert(std::string(canonical)).second) {
      fail(origin, line_number, "duplicate keyword '" + std::string(canonical) + "'");
    }
    pending->entry.canonical = std::string(canonical);
    pending->entry.slug = default_slug(canonical);
    pending->entry.group = group;
    if (tab == std::string_view::npos) continue;
    std::string_view aliases = content.substr(tab + 1);
    while (!aliases.empty()) {
      const std::size_t comma = aliases.find(',');
      const std::string_view alias = trim(aliases.substr(0, comma));
      if (alias.empty()) fail(origin, line_number, "empty alias in '" + std::string(content) + "'");
      pending->aliases.emplace_back(std::string(alias), line_number);
      aliases = comma == std::string_view::npos ? std::string_view() : aliases.substr(comma + 1);
    }
  }
  if (pending) {
    check_slug(*pending);
    finish(*pending, entries, origin);
  }
  return entries;
}

std::string pattern_regex(const KeywordPattern& pattern) {
  if (!pattern.literal) return *expand_boundaries(pattern.source, Boundaries::expanded);  // parsed at load
  const std::string_view alias = pattern.source;
  std::string regex = pattern.case_sensitive ? "" : "(?i)";
  if (is_word_byte(alias.front())) regex += kLeftBoundary;
  regex += "(" + alias_core(alias) + ")";
  if (is_word_byte(alias.back())) regex += kRightBoundary;
  return regex;
}

std::string pattern_trigger(const KeywordPattern& pattern) {
  if (!pattern.literal) return pattern.trigger;
  return (pattern.case_sensitive ? "" : "(?i)") + alias_core(pattern.source);
}

std::string read_keyword_dictionary(const std::filesystem::path& path) {
  constexpr std::size_t kMaxDictionaryBytes = 16 << 20;
  const auto fail_read = [&] { throw std::runtime_error(path.string() + ": cannot read keyword dictionary"); };
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) fail_read();
  std::string text;
  char chunk[1 << 14];
  std::size_t got = 0;
  while (text.size() <= kMaxDictionaryBytes && (got = std::fread(chunk, 1, sizeof chunk, file)) > 0) {
    text.append(chunk, got);
  }
  const bool failed = std::ferror(file) != 0 || text.size() > kMaxDictionaryBytes;
  std::fclose(file);
  if (failed) fail_read();
  return text;
}

std::vector<KeywordEntry> parse_keyword_dictionary(const std::filesystem::path& path) {
  return parse_keyword_dictionary_text(read_keyword_dictionary(path), path.string());
}

}  // namespace rssflow
