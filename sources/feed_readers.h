// The format readers behind parse_feed. Internal to sources/.
#pragma once

#include <pugixml.hpp>

#include <string_view>
#include <vector>

#include "core/types.h"
#include "sources/xml_scope.h"

namespace rssflow {

// Each reader fills doc (format, title, link, entries in document order) from a document
// element it recognises, and appends the element each entry came from to entry_elements (same
// order), so that the caller can drop an entry a truncated document left incomplete.

// <rss> (0.90-0.94, 2.0) and <rdf:RDF> (RSS 0.90 and 1.0).
void read_rss(pugi::xml_node root, XmlScope& scope, FeedDocument& doc, std::vector<pugi::xml_node>& entry_elements);

// <feed> (Atom 1.0 and 0.3, or no namespace) and a standalone Atom <entry>.
void read_atom(pugi::xml_node root, XmlScope& scope, FeedDocument& doc, std::vector<pugi::xml_node>& entry_elements);

// An Atom <link>'s target: href resolved, else (no href attribute) the URL written as its text.
std::optional<std::string> atom_link_target(pugi::xml_node link, const XmlScope& scope);

// The target of an alternate Atom <link> (rel absent or "alternate", type absent or HTML);
// nullopt for any other link.
std::optional<std::string> atom_alternate_link(pugi::xml_node link, const XmlScope& scope);

// The polling hints among a channel's (or Atom feed's) children: RSS <ttl>, <skipHours>,
// <skipDays> (in namespace `core`) and sy:updatePeriod / sy:updateFrequency. Values that do not
// parse are ignored; the first of each element wins.
FeedScheduleHints read_schedule_hints(pugi::xml_node container, Ns core, XmlScope& scope);

// An Atom (1.0 or 0.3) text construct: its content as HTML or as plain text.
struct TextConstruct {
  std::string value;
  bool is_html = false;
};
TextConstruct read_text_construct(pugi::xml_node element);

// The first date among candidates that parses (candidates are element texts).
std::optional<Instant> first_date(std::initializer_list<std::string_view> candidates);

// Text treated as HTML when feedparser would (looks_like_html), else escaped to HTML.
std::string as_html_fragment(std::string_view text_or_html, bool known_html);

}  // namespace rssflow
