// RSS 0.90-0.94, 2.0 and 1.0 (RDF), with the Dublin Core, content, iTunes, Media RSS and Atom
// elements that real RSS feeds mix in.
#include <string>

#include "sources/feed_media.h"
#include "core/ascii.h"
#include "sources/feed_readers.h"

namespace rssflow {
namespace {

// A link whose text was escaped twice ("?a=1&amp;amp;b=2") still means "&": browsers and
// feedparser undo the second escape, and "&amp;" is never meant literally inside a URL.
// One pass (erasing in place would be quadratic in a link made of "&amp;").
std::string unescape_amp(std::string text) {
  std::size_t pos = text.find("&amp;");
  if (pos == std::string::npos) return text;
  std::size_t write = pos;
  while (pos < text.size()) {
    if (text.compare(pos, 5, "&amp;") == 0) {
      text[write++] = '&';
      pos += 5;
    } else {
      text[write++] = text[pos++];
    }
  }
  text.resize(write);
  return text;
}

void set_once(std::optional<std::string>& field, std::string_view value) {
  value = trim(value);
  if (!field && !value.empty()) field = std::string(value);
}

struct ItemDates {
  std::string pub_date, dcterms_issued, dcterms_created, atom_published;
  std::string dc_date, dcterms_modified, atom_updated;
};

void set_date(std::string& slot, pugi::xml_node element) {
  if (slot.empty()) slot = text_of(element);
}

// What one <item> said so far; the element handlers fill it, finish() turns it into an entry.
struct ItemState {
  XmlScope& scope;
  FeedEntry entry;
  std::optional<std::string> rss_link, atom_link, atom_id, summary;
  MediaText media;
  ItemDates dates;
  bool guid_permalink = false;
};

// Which namespaces an element handler applies to: the RSS core one (the document's own RSS
// namespace, or none) or a module.
enum class NsGroup { core, dc, dcterms, content, itunes, media, atom, xhtml };

using ElementHandler = void (*)(pugi::xml_node element, std::string_view local, ItemState& item);

struct ElementRule {
  NsGroup group;
  std::string_view local;  // "" = any element of the group
  ElementHandler handle;
};

void on_title(pugi::xml_node e, std::string_view, ItemState& s) { set_once(s.entry.title, text_of(e)); }
void on_link(pugi::xml_node e, std::string_view, ItemState& s) {
  if (!s.rss_link) s.rss_link = s.scope.resolve(unescape_amp(text_of(e)), e);
}
void on_guid(pugi::xml_node e, std::string_view, ItemState& s) {
  if (s.entry.guid) return;
  set_once(s.entry.guid, text_of(e));
  s.guid_permalink = !ascii_iequals(trim(e.attribute("isPermaLink").value()), "false");
}
void on_pub_date(pugi::xml_node e, std::string_view, ItemState& s) { set_date(s.dates.pub_date, e); }
void on_description(pugi::xml_node e, std::string_view, ItemState& s) {
  if (!s.summary) s.summary = html_source_of(e);
}
void on_author(pugi::xml_node e, std::string_view, ItemState& s) { set_once(s.entry.author, text_of(e)); }
void on_category(pugi::xml_node e, std::string_view, ItemState& s) { add_category(s.entry, text_of(e), s.scope); }
void on_enclosure(pugi::xml_node e, std::string_view, ItemState& s) {
  const auto url = s.scope.resolve(e.attribute("url").value(), e);
  if (url) add_enclosure(s.entry, s.scope, *url, e.attribute("type").value(), e.attribute("length").value());
}
void on_language(pugi::xml_node e, std::string_view, ItemState& s) { set_once(s.entry.language, text_of(e)); }
void on_dc_date(pugi::xml_node e, std::string_view, ItemState& s) { set_date(s.dates.dc_date, e); }
void on_dcterms_issued(pugi::xml_node e, std::string_view, ItemState& s) { set_date(s.dates.dcterms_issued, e); }
void on_dcterms_created(pugi::xml_node e, std::string_view, ItemState& s) { set_date(s.dates.dcterms_created, e); }
void on_dcterms_modified(pugi::xml_node e, std::string_view, ItemState& s) { set_date(s.dates.dcterms_modified, e); }
void on_content_encoded(pugi::xml_node e, std::string_view, ItemState& s) {
  if (!s.entry.content_html) set_once(s.entry.content_html, html_source_of(e));
}
void on_itunes_summary(pugi::xml_node e, std::string_view, ItemState& s) {
  if (!s.summary) s.summary = as_html_fragment(text_of(e), false);
}
void on_itunes_other(pugi::xml_node e, std::string_view local, ItemState& s) {
  read_itunes_element(e, local, s.scope, s.entry);
}
void on_media(pugi::xml_node e, std::string_view local, ItemState& s) {
  read_media_element(e, local, s.scope, s.entry, s.media);
}
// A media:description straight inside an RSS item is HTML unless it says type="plain".
void on_media_description(pugi::xml_node e, std::string_view, ItemState& s) {
  if (s.media.description_html) return;
  const std::string text = text_of(e);
  if (!trim(text).empty())
    s.media.description_html = as_html_fragment(text, std::string_view(e.attribute("type").value()) != "plain");
}
void on_atom_link(pugi::xml_node e, std::string_view, ItemState& s) {
  const std::string_view rel = trim(e.attribute("rel").value());
  if (rel == "enclosure") {
    if (auto url = atom_link_target(e, s.scope))
      add_enclosure(s.entry, s.scope, *url, e.attribute("type").value(), e.attribute("length").value());
  } else if (!s.atom_link) {
    s.atom_link = atom_alternate_link(e, s.scope);
  }
}
void on_atom_id(pugi::xml_node e, std::string_view, ItemState& s) { set_once(s.atom_id, text_of(e)); }
void on_atom_published(pugi::xml_node e, std::string_view, ItemState& s) { set_date(s.dates.atom_published, e); }
void on_atom_updated(pugi::xml_node e, std::string_view, ItemState& s) { set_date(s.dates.atom_updated, e); }
void on_atom_summary(pugi::xml_node e, std::string_view, ItemState& s) {
  if (s.summary) return;
  TextConstruct text = read_text_construct(e);
  s.summary = text.is_html ? text.value : escape_html(text.value);
}
void on_atom_content(pugi::xml_node e, std::string_view, ItemState& s) {
  if (s.entry.content_html) return;
  TextConstruct text = read_text_construct(e);
  set_once(s.entry.content_html, text.is_html ? text.value : escape_html(text.value));
}
void on_atom_author(pugi::xml_node e, std::string_view, ItemState& s) {
  XmlScope::Guard guard(s.scope, e);
  for (pugi::xml_node part : e.children())
    if (part.type() == pugi::node_element && s.scope.name_of(part).local == "name") set_once(s.entry.author, text_of(part));
}
void on_xhtml_body(pugi::xml_node e, std::string_view, ItemState& s) {
  if (!s.entry.content_html) set_once(s.entry.content_html, xhtml_children_of(e));
}

// The elements an <item> may hold and what each means. The first matching rule handles an
// element; elements without a rule are ignored.
constexpr ElementRule kItemRules[] = {
    {NsGroup::core, "title", on_title},
    {NsGroup::core, "link", on_link},
    {NsGroup::core, "guid", on_guid},
    {NsGroup::core, "pubDate", on_pub_date},
    {NsGroup::core, "description", on_description},
    {NsGroup::core, "author", on_author},
    {NsGroup::core, "category", on_category},
    {NsGroup::core, "enclosure", on_enclosure},
    {NsGroup::dc, "title", on_title},
    {NsGroup::dc, "creator", on_author},
    {NsGroup::dc, "author", on_author},
    {NsGroup::dc, "date", on_dc_date},
    {NsGroup::dc, "description", on_description},
    {NsGroup::dc, "subject", on_category},
    {NsGroup::dc, "language", on_language},
    {NsGroup::dcterms, "issued", on_dcterms_issued},
    {NsGroup::dcterms, "created", on_dcterms_created},
    {NsGroup::dcterms, "modified", on_dcterms_modified},
    {NsGroup::content, "encoded", on_content_encoded},
    {NsGroup::itunes, "author", on_author},
    {NsGroup::itunes, "summary", on_itunes_summary},
    {NsGroup::itunes, "", on_itunes_other},
    {NsGroup::media, "description", on_media_description},
    {NsGroup::media, "", on_media},
    {NsGroup::atom, "link", on_atom_link},
    {NsGroup::atom, "id", on_atom_id},
    {NsGroup::atom, "published", on_atom_published},
    {NsGroup::atom, "updated", on_atom_updated},
    {NsGroup::atom, "summary", on_atom_summary},
    {NsGroup::atom, "content", on_atom_content},
    {NsGroup::atom, "author", on_atom_author},
    {NsGroup::xhtml, "body", on_xhtml_body},
    {NsGroup::xhtml, "div", on_xhtml_body},
};

std::optional<NsGroup> group_of(Ns ns, Ns core) {
  if (ns == core || ns == Ns::none) return NsGroup::core;
  switch (ns) {
    case Ns::dc: return NsGroup::dc;
    case Ns::dcterms: return NsGroup::dcterms;
    case Ns::content: return NsGroup::content;
    case Ns::itunes: return NsGroup::itunes;
    case Ns::media: return NsGroup::media;
    case Ns::atom10:
    case Ns::atom03: return NsGroup::atom;
    case Ns::xhtml: return NsGroup::xhtml;
    default: return std::nullopt;
  }
}

const ElementRule* rule_for(NsGroup group, std::string_view local) {
  for (const ElementRule& rule : kItemRules)
    if (rule.group == group && (rule.local.empty() || rule.local == local)) return &rule;
  return nullptr;
}

// Fallbacks between the fields once every child has been seen.
FeedEntry finish(ItemState& s, pugi::xml_node item) {
  FeedEntry& entry = s.entry;
  if (!entry.title) entry.title = std::move(s.media.title);
  if (entry.title) entry.title_is_html = looks_like_html(*entry.title);
  if (!entry.guid) {
    if (s.atom_id) entry.guid = s.atom_id;
    else set_once(entry.guid, s.scope.attribute(item, Ns::rdf, "about"));
  } else {
    entry.guid_is_permalink = s.guid_permalink;
  }
  if (s.rss_link) entry.link = s.rss_link;
  else if (s.atom_link) entry.link = s.atom_link;
  else if (entry.guid && entry.guid_is_permalink && (is_web_url(*entry.guid) || entry.guid->starts_with('/'))) {
    // A permalink guid stands in for the link; a relative one ("/blog/post") resolves like a link.
    entry.link = s.scope.resolve(*entry.guid, item);
  } else if (s.atom_id && is_web_url(trim(*s.atom_id))) {
    entry.link = std::string(trim(*s.atom_id));  // an http(s) atom:id is the best URL left
  }
  entry.published = first_date({s.dates.pub_date, s.dates.dcterms_issued, s.dates.atom_published, s.dates.dcterms_created});
  entry.updated = first_date({s.dates.dc_date, s.dates.dcterms_modified, s.dates.atom_updated});
  if (s.summary && !trim(*s.summary).empty()) entry.summary_html = std::move(s.summary);
  else if (s.media.description_html) entry.summary_html = std::move(s.media.description_html);
  if (!entry.language) {
    if (const std::string_view lang = xml_lang_of(item); !lang.empty()) entry.language = std::string(lang);
  }
  return std::move(entry);
}

FeedEntry read_item(pugi::xml_node item, Ns core, XmlScope& scope) {
  XmlScope::Guard guard(scope, item);
  ItemState state{scope, {}, {}, {}, {}, {}, {}, {}, false};
  for (pugi::xml_node child : item.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    const auto group = group_of(q.ns, core);
    if (!group) continue;
    if (const ElementRule* rule = rule_for(*group, q.local)) rule->handle(child, q.local, state);
  }
  return finish(state, item);
}

// Items are wherever the document put them: under the channel (RSS 0.9x/2.0), beside it (RSS
// 1.0), or inside an element someone forgot to close. An item inside an item is not an entry.
void collect_items(pugi::xml_node container, Ns core, int depth, XmlScope& scope, FeedDocument& doc,
                   std::vector<pugi::xml_node>& entry_elements) {
  if (depth > 8) return;
  for (pugi::xml_node child : container.children()) {
    if (child.type() != pugi::node_element || !child.first_child()) continue;
    const QName q = scope.name_of(child);
    if (q.local == "item" && (q.ns == core || q.ns == Ns::none)) {
      if (scope.out_of_time() || !scope.admit_entry(doc.entries.size())) continue;
      doc.entries.push_back(read_item(child, core, scope));
      entry_elements.push_back(child);
    } else if (q.ns == core || q.ns == Ns::none || q.ns == Ns::itunes || q.ns == Ns::rdf) {
      XmlScope::Guard guard(scope, child);
      collect_items(child, core, depth + 1, scope, doc, entry_elements);
    }
  }
}

// The channel's own elements: title, home page, description, language and image.
void read_channel(pugi::xml_node channel, Ns core, XmlScope& scope, FeedDocument& doc) {
  XmlScope::Guard channel_guard(scope, channel);
  FeedEntry images;  // collects itunes:image / media:thumbnail like an entry would
  MediaText unused;
  for (pugi::xml_node child : channel.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    const std::string_view l = q.local;
    if (q.ns == Ns::itunes && l == "image") read_itunes_element(child, l, scope, images);
    if (q.ns == Ns::media && l == "thumbnail") read_media_element(child, l, scope, images, unused);
    if (q.ns != core && q.ns != Ns::none && q.ns != Ns::dc) continue;
    if (l == "title") set_once(doc.title, text_of(child));
    else if (l == "link" && !doc.link) doc.link = scope.resolve(text_of(child), child);
    else if (l == "description" && !doc.description) set_once(doc.description, text_of(child));
    else if (l == "language") set_once(doc.language, text_of(child));
    else if (l == "image" && !doc.image_url) {
      XmlScope::Guard image_guard(scope, child);
      for (pugi::xml_node part : child.children())
        if (part.type() == pugi::node_element && scope.name_of(part).local == "url") {
          auto url = scope.resolve(text_of(part), part);
          if (url && is_web_url(*url)) doc.image_url = std::move(url);
        }
    }
  }
  if (!doc.image_url) doc.image_url = std::move(images.image_url);
}

FeedFormat rss_version(std::string_view version) {
  version = trim(version);
  if (version == "0.91") return FeedFormat::rss091;
  if (version == "0.92") return FeedFormat::rss092;
  if (version == "0.93") return FeedFormat::rss093;
  if (version == "0.94") return FeedFormat::rss094;
  if (version == "0.90" || version == "0.9") return FeedFormat::rss090;
  return FeedFormat::rss20;
}

}  // namespace

void read_rss(pugi::xml_node root, XmlScope& scope, FeedDocument& doc, std::vector<pugi::xml_node>& entry_elements) {
  XmlScope::Guard guard(scope, root);
  const QName root_name = scope.name_of(root);
  Ns core = root_name.ns;
  pugi::xml_node channel;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    if ((q.local == "channel" || q.local == "item") && q.ns != Ns::rdf) {
      if (root_name.local == "RDF" && core == Ns::rdf) core = q.ns;
      if (q.local == "channel" && !channel) channel = child;
    }
  }
  if (root_name.local == "RDF") doc.format = core == Ns::rss090 ? FeedFormat::rss090 : FeedFormat::rss10;
  else doc.format = rss_version(root.attribute("version").value());

  if (channel) {
    read_channel(channel, core, scope, doc);
    XmlScope::Guard channel_guard(scope, channel);
    doc.schedule = read_schedule_hints(channel, core, scope);
  }
  if (!doc.language) {
    if (const std::string_view lang = xml_lang_of(channel ? channel : root); !lang.empty()) doc.language = std::string(lang);
  }
  collect_items(root, core, 0, scope, doc, entry_elements);
}

}  // namespace rssflow
