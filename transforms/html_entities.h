// The HTML5 named character reference table (WHATWG), generated into html_entities.cpp by
// scripts/gen_html_entities.py from Python's html.entities.html5. Internal to transforms/.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace rssflow {

// Longest name in the table, including its ';' ("CounterClockwiseContourIntegral;").
inline constexpr std::size_t kLongestEntityName = 32;

// Looks up a reference name written without the leading '&'. Names that HTML5 requires to end
// with ';' are found only with it ("amp;"); the legacy ones are also found without ("amp").
// Returns the replacement as UTF-8 (one or two code points), or nullopt.
std::optional<std::string_view> find_named_reference(std::string_view name);

// Number of names in the table (2231 for the current WHATWG list).
std::size_t named_reference_count();

}  // namespace rssflow
