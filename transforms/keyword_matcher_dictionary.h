// Parsing of the keyword dictionary file (config/keywords.tsv) into RE2 patterns. Internal to
// transforms/; KeywordMatcher compiles what this produces.
//
// File format (UTF-8, '#' starts a comment line, blank lines ignored):
//
//   [group]
//   Canonical<TAB>alias, alias, ...
//   <TAB>slug=cpp
//   <TAB>case=sensitive
//   <TAB>match=RE2
//   <TAB>not=RE2
//
// A line starting at column 0 opens an entry: its canonical name (what match() returns) and
// its literal aliases, comma-separated (the canonical name is not implied: list it if it is
// itself an alias). Aliases match as whole words, in any case unless the entry says
// case=sensitive; a space inside an alias matches any run of whitespace. Whole word means the
// neighbour is the start/end of the text, ASCII punctuation or space, or a Unicode space,
// punctuation, symbol or emoji (so letters, marks and digits of every script are word
// characters, unlike RE2's ASCII-only \b); it applies only at an alias edge that is itself a
// word character, so "C++", "C#" and ".NET" work.
// A line "[group]" at column 0 puts the entries below it in that group (a lower-case slug:
// "languages", "design-tools"); entries before any group line are in group "other".
// Every entry has a slug, the stable lower-case tag stored with articles: by default the
// canonical name lower-cased, '.' dropped and every other run of non-alphanumeric ASCII
// characters made one '-' ("Machine Learning" -> machine-learning, "Node.js" -> nodejs);
// slug= sets it where that would be wrong or clash ("C++" -> cpp). Slugs are unique.
// Indented lines add options to the entry above:
//   slug=SLUG        the stored tag ([a-z0-9] and inner '-').
//   case=sensitive   aliases match with exact case.
//   match=RE2        extra pattern (RE2 syntax, case-sensitive unless it says (?i)); the hit is
//                    capture group 1 when the pattern has one, else the whole match.
//   not=RE2          guard: a hit lying entirely inside a match of this pattern is ignored.
// In match= and not= patterns, \< and \> expand to the same Unicode word boundaries
// (consuming the neighbouring character, or matching at the start/end of the text).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace rssflow {

struct KeywordPattern {
  std::string trigger;   // the pattern without its word boundaries (pattern_trigger); "" for a literal alias
  std::size_t line = 0;  // where it came from, for error messages
  std::string source;    // the alias or pattern as written in the file
  bool literal = false;  // `source` is a literal alias (not match=/not=): a dictionary term
  bool case_sensitive = false;  // literal alias of a case=sensitive entry
};

struct KeywordEntry {
  std::string canonical;                 // display name
  std::string slug;                      // stored tag
  std::string group;                     // group slug
  std::vector<KeywordPattern> patterns;  // any of these finds the keyword...
  std::vector<KeywordPattern> guards;    // ...unless every hit lies inside a guard match
};

// Reads and parses the file. Throws std::runtime_error "<file>:<line>: <what>" on unreadable
// files, malformed lines, unknown options, duplicate or alias-less entries. Patterns are not
// compiled here.
std::vector<KeywordEntry> parse_keyword_dictionary(const std::filesystem::path& path);

// The file's bytes. Throws std::runtime_error "<file>: cannot read keyword dictionary" (also
// for a file over 16 MiB: no dictionary is that big, and /dev/zero must not fill memory).
std::string read_keyword_dictionary(const std::filesystem::path& path);

// Same as parse_keyword_dictionary, from text already in memory; `origin` names it in error
// messages.
std::vector<KeywordEntry> parse_keyword_dictionary_text(const std::string& text,
                                                        const std::string& origin);

// The complete RE2 pattern of `pattern`, built here from its source (its word boundaries make it
// long, and most patterns are never compiled in a run), and the same without its word
// boundaries: matches wherever the pattern does.
std::string pattern_regex(const KeywordPattern& pattern);
std::string pattern_trigger(const KeywordPattern& pattern);

}  // namespace rssflow
