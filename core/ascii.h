// ASCII-only case folding for protocol and markup names (HTTP header names, XML/OPML element
// and attribute values, URL schemes and parameters): independent of the locale, and bytes
// outside A-Z (UTF-8 included) compare as they are.
#pragma once

#include <cstddef>
#include <string_view>

namespace rssflow {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// s without the ASCII whitespace (space, \t, \n, \v, \f, \r: isspace in the C locale) around it.
constexpr std::string_view ascii_trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// Whether s starts with lower_prefix, ignoring the case of s (lower_prefix is lower case).
constexpr bool ascii_starts_with_ci(std::string_view s, std::string_view lower_prefix) {
  return s.size() >= lower_prefix.size() && ascii_iequals(s.substr(0, lower_prefix.size()), lower_prefix);
}

}  // namespace rssflow
