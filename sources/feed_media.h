// Media, language and extra categories that RSS and Atom entries share (Media RSS, iTunes,
// enclosures, xml:lang). Internal to sources/: the readers call these from their element
// handlers.
#pragma once

#include <pugixml.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"
#include "sources/xml_scope.h"
#include "transforms/url.h"  // is_web_url

namespace rssflow {

// What the Media RSS elements of one entry say besides media files: the last-resort title and
// summary (an entry's own <title>/<description> always win).
struct MediaText {
  std::optional<std::string> title;
  std::optional<std::string> description_html;
};

// Adds an enclosure when url is http(s) and not already listed; type and length as declared
// (length kept when it is a positive integer). Within scope's budget (max_enclosures): one
// more is dropped and counted.
void add_enclosure(FeedEntry& entry, const XmlScope& scope, std::string_view url, std::string_view type,
                   std::string_view length);

// Adds a category once (trimmed, non-empty); "a, b" keyword lists split at commas when
// split_commas. Within scope's budget (max_categories): one more is dropped and counted.
void add_category(FeedEntry& entry, std::string_view value, const XmlScope& scope, bool split_commas = false);

// One media:* element of an entry (title, description, thumbnail, content, group, category,
// keywords): fills image_url, categories and text. media:group and media:content are read two
// levels deep (group > content > thumbnail/title...), without recursion.
void read_media_element(pugi::xml_node element, std::string_view local, XmlScope& scope, FeedEntry& entry,
                        MediaText& text);

// One itunes:* element of an entry or channel: image (href) into image_url, category (text
// attribute, nested subcategories too) and keywords into categories. author/summary are left
// to the caller.
void read_itunes_element(pugi::xml_node element, std::string_view local, XmlScope& scope, FeedEntry& entry);

// The xml:lang in force at element (its own, else the nearest ancestor's), trimmed; "" if none.
std::string_view xml_lang_of(pugi::xml_node element);

}  // namespace rssflow
