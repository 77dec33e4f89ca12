// Namespace and xml:base resolution over a pugixml tree, and the text of feed elements.
// Internal to sources/: the feed readers walk the tree top-down through an XmlScope.
#pragma once

#include <pugixml.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "sources/parse_limits.h"

namespace rssflow {

// The namespaces the readers understand, identified by URI (never by the prefix a document uses).
enum class Ns { none, unknown, rss090, rss10, rss_userland, atom10, atom03, dc, dcterms, content, itunes, media, rdf, xhtml, sy };

Ns ns_from_uri(std::string_view uri);

struct QName {
  Ns ns = Ns::none;
  std::string_view local;
  bool is(Ns n, std::string_view l) const { return ns == n && local == l; }
};

// What the readers may take from one document (ParseLimits) and what they dropped to stay
// within it. Owned by the caller of the readers; outlives the XmlScope that points to it.
struct ReadBudget {
  std::size_t max_entries = static_cast<std::size_t>(-1);
  std::size_t max_categories = static_cast<std::size_t>(-1);
  Deadline* deadline = nullptr;  // optional
  std::size_t entries_dropped = 0;
  std::size_t categories_dropped = 0;
  std::size_t max_enclosures = static_cast<std::size_t>(-1);
  std::size_t enclosures_dropped = 0;
};

// Stack of in-scope namespace bindings and base URLs as the readers descend. Not thread-safe;
// one per parse. Every enter() must be matched by leave() (use XmlScope::Guard). Lookups are
// O(1) in the number of bindings in scope (a hostile root declares 200,000 prefixes).
class XmlScope {
 public:
  // budget (optional) is what admit_entry(), admit_category(), admit_enclosure() and
  // out_of_time() consult.
  explicit XmlScope(std::string document_url, ReadBudget* budget = nullptr);

  void enter(pugi::xml_node element);
  void leave();

  // The expanded name of element, which is the current element or one of its children (the
  // element's own xmlns attributes count). Unbound prefixes fall back to the conventional ones
  // (dc, content, itunes, media, atom...), as sloppy feeds rely on them.
  QName name_of(pugi::xml_node element) const;

  // Value of element's attribute in namespace ns with that local name ("" when absent); element
  // is the current element or one of its children.
  std::string_view attribute(pugi::xml_node element, Ns ns, std::string_view local) const;

  // ref resolved against the current base (xml:base of the ancestors, then the document URL),
  // after element's own xml:base if it has one. nullopt for a blank ref.
  std::optional<std::string> resolve(std::string_view ref, pugi::xml_node element = {}) const;

  // Whether the parse deadline has passed: readers poll it once per entry and stop early (the
  // caller turns it into parse_timeout). Cheap: reads the clock once every few thousand calls.
  bool out_of_time() const;
  // Whether one more entry (the document has `entries` so far) / one more category or
  // enclosure (the entry has `categories` / `enclosures`) is within the budget; false counts it
  // as dropped.
  bool admit_entry(std::size_t entries) const;
  bool admit_category(std::size_t categories) const;
  bool admit_enclosure(std::size_t enclosures) const;

  // xml:base values that resolve to more bytes than this are ignored (no real URL is as long).
  static constexpr std::size_t kMaxBaseBytes = 8192;

  class Guard {
   public:
    Guard(XmlScope& scope, pugi::xml_node element) : scope_(scope) { scope_.enter(element); }
    ~Guard() { scope_.leave(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    XmlScope& scope_;
  };

 private:
  struct Frame {
    pugi::xml_node element;
    std::size_t bindings = 0;  // pushed_prefixes_.size() on entry
    bool pushed_base = false;
  };
  std::optional<std::string_view> lookup(std::string_view prefix, pugi::xml_node own) const;

  std::unordered_map<std::string_view, std::vector<std::string_view>> bindings_;  // prefix -> URIs, innermost last
  std::vector<std::string_view> pushed_prefixes_;  // in order of enter(), to undo on leave()
  std::vector<std::string> bases_;
  std::vector<Frame> frames_;
  ReadBudget* budget_ = nullptr;
};

// All text below element (character data and CDATA sections, split sections concatenated), in
// document order, untrimmed.
std::string text_of(pugi::xml_node element);

// element's content as HTML source: its own text is HTML already (escaped markup or CDATA);
// child elements (unescaped markup inside RSS descriptions) are serialized back as tags.
std::string html_source_of(pugi::xml_node element);

// element's children serialized as HTML, their text escaped (Atom/XHTML inline content).
// Element prefixes and xmlns attributes are dropped.
std::string xhtml_children_of(pugi::xml_node element);

// Plain text escaped so that it reads the same as HTML.
std::string escape_html(std::string_view text);

// feedparser's looks_like_html: a close tag or an entity, and only known HTML elements/entities.
bool looks_like_html(std::string_view text);

std::string_view trim(std::string_view text);

}  // namespace rssflow
