// HTML named character references that feeds use inside XML, where they are undefined.
#pragma once

#include <optional>
#include <string_view>

namespace rssflow {

// Code point of an HTML 4 named entity ("eacute" -> U+00E9; case-sensitive),
// nullopt for unknown names and for the XML predefined amp, lt, gt, quot and apos.
std::optional<char32_t> html_named_entity(std::string_view name);

}  // namespace rssflow
