// RSS 0.90-0.94, 2.0 and 1.0 (RDF), with the Dublin Core, content, iTunes, Media RSS and Atom
// elements that real RSS feeds mix in.
#include <string>

#include "sources/feed_readers.h"

namespace rssflow {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool is_http_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("HTTP://") || s.starts_with("HTTPS://");
}

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

// Linear overall: the duplicate scan is bounded by the category budget.
void add_category(FeedEntry& entry, std::string_view value, const XmlScope& scope) {
  value = trim(value);
  if (value.empty()) return;
  if (!scope.admit_category(entry.categories.size())) return;
  for (const auto& existing : entry.categories)
    if (existing == value) return;
  entry.categories.emplace_back(value);
}

// The alternate link of an <atom:link> (rel defaults to alternate; html types or none).
std::optional<std::string> atom_alternate(pugi::xml_node link, const XmlScope& scope) {
  const std::string_view rel = link.attribute("rel").value();
  const std::string_view type = link.attribute("type").value();
  if (!rel.empty() && rel != "alternate") return std::nullopt;
  if (!type.empty() && type != "text/html" && type != "application/xhtml+xml") return std::nullopt;
  return scope.resolve(link.attribute("href").value(), link);
}

// media:description (or media:title) inside media:group / media:content, however nested: the
// last-resort summary (title).
std::optional<std::string> nested_media(pugi::xml_node container, std::string_view local, XmlScope& scope, int depth = 0) {
  if (depth > 3) return std::nullopt;
  XmlScope::Guard guard(scope, container);
  for (pugi::xml_node child : container.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    if (q.ns != Ns::media) continue;
    if (q.local == local) {
      const std::string text = text_of(child);
      if (trim(text).empty()) continue;
      if (local == "title") return std::string(trim(text));
      return as_html_fragment(text, std::string_view(child.attribute("type").value()) == "html");
    }
    if (q.local == "group" || q.local == "content")
      if (auto found = nested_media(child, local, scope, depth + 1)) return found;
  }
  return std::nullopt;
}

struct ItemDates {
  std::string pub_date, dcterms_issued, dcterms_created, atom_published;
  std::string dc_date, dcterms_modified, atom_updated;
};

FeedEntry read_item(pugi::xml_node item, Ns core, XmlScope& scope) {
  XmlScope::Guard guard(scope, item);
  FeedEntry entry;
  std::optional<std::string> rss_link, atom_link, atom_id, summary, media_description, media_title;
  ItemDates dates;
  bool guid_permalink = false;

  for (pugi::xml_node child : item.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    const bool core_element = q.ns == core || q.ns == Ns::none;
    const std::string_view l = q.local;
    if (core_element) {
      if (l == "title") {
        set_once(entry.title, text_of(child));
      } else if (l == "link") {
        if (!rss_link) rss_link = scope.resolve(unescape_amp(text_of(child)), child);
      } else if (l == "guid") {
        if (!entry.guid) {
          set_once(entry.guid, text_of(child));
          guid_permalink = !iequals(trim(child.attribute("isPermaLink").value()), "false");
        }
      } else if (l == "pubDate") {
        if (dates.pub_date.empty()) dates.pub_date = text_of(child);
      } else if (l == "description") {
        if (!summary) summary = html_source_of(child);
      } else if (l == "author") {
        set_once(entry.author, text_of(child));
      } else if (l == "category") {
        add_category(entry, text_of(child), scope);
      }
      continue;
    }
    switch (q.ns) {
      case Ns::dc:
        if (l == "title") set_once(entry.title, text_of(child));
        else if (l == "creator" || l == "author") set_once(entry.author, text_of(child));
        else if (l == "date" && dates.dc_date.empty()) dates.dc_date = text_of(child);
        else if (l == "description" && !summary) summary = html_source_of(child);
        else if (l == "subject") add_category(entry, text_of(child), scope);
        break;
      case Ns::dcterms:
        if (l == "issued" && dates.dcterms_issued.empty()) dates.dcterms_issued = text_of(child);
        else if (l == "created" && dates.dcterms_created.empty()) dates.dcterms_created = text_of(child);
        else if (l == "modified" && dates.dcterms_modified.empty()) dates.dcterms_modified = text_of(child);
        break;
      case Ns::content:
        if (l == "encoded" && !entry.content_html) set_once(entry.content_html, html_source_of(child));
        break;
      case Ns::itunes:
        if (l == "author") set_once(entry.author, text_of(child));
        else if (l == "summary" && !summary) summary = as_html_fragment(text_of(child), false);
        break;
      case Ns::media:
        if (l == "title") set_once(entry.title, text_of(child));
        else if (l == "description" && !media_description)
          media_description = as_html_fragment(text_of(child), std::string_view(child.attribute("type").value()) != "plain");
        else if (l == "group" || l == "content") {
          if (!media_description) media_description = nested_media(child, "description", scope);
          if (!media_title) media_title = nested_media(child, "title", scope);
        }
        break;
      case Ns::atom10:
      case Ns::atom03:
        if (l == "link" && !atom_link) atom_link = atom_alternate(child, scope);
        else if (l == "id") set_once(atom_id, text_of(child));
        else if (l == "published" && dates.atom_published.empty()) dates.atom_published = text_of(child);
        else if (l == "updated" && dates.atom_updated.empty()) dates.atom_updated = text_of(child);
        else if (l == "summary" && !summary) {
          auto text = read_text_construct(child);
          summary = text.is_html ? text.value : escape_html(text.value);
        } else if (l == "content" && !entry.content_html) {
          auto text = read_text_construct(child);
          set_once(entry.content_html, text.is_html ? text.value : escape_html(text.value));
        } else if (l == "author") {
          XmlScope::Guard author_guard(scope, child);
          for (pugi::xml_node part : child.children())
            if (part.type() == pugi::node_element && scope.name_of(part).local == "name") set_once(entry.author, text_of(part));
        }
        break;
      case Ns::xhtml:
        if ((l == "body" || l == "div") && !entry.content_html) set_once(entry.content_html, xhtml_children_of(child));
        break;
      default:
        break;
    }
  }

  if (!entry.title) entry.title = std::move(media_title);
  if (entry.title) entry.title_is_html = looks_like_html(*entry.title);
  if (!entry.guid) {
    if (atom_id) entry.guid = atom_id;
    else set_once(entry.guid, scope.attribute(item, Ns::rdf, "about"));
  } else {
    entry.guid_is_permalink = guid_permalink;
  }
  if (rss_link) entry.link = rss_link;
  else if (atom_link) entry.link = atom_link;
  else if (entry.guid && entry.guid_is_permalink && (is_http_url(*entry.guid) || entry.guid->starts_with('/'))) {
    // A permalink guid stands in for the link; a relative one ("/blog/post") resolves like a link.
    entry.link = scope.resolve(*entry.guid, item);
  }
  entry.published = first_date({dates.pub_date, dates.dcterms_issued, dates.atom_published, dates.dcterms_created});
  entry.updated = first_date({dates.dc_date, dates.dcterms_modified, dates.atom_updated});
  if (summary && !trim(*summary).empty()) entry.summary_html = std::move(summary);
  else if (media_description && !trim(*media_description).empty()) entry.summary_html = std::move(media_description);
  return entry;
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
    XmlScope::Guard channel_guard(scope, channel);
    for (pugi::xml_node child : channel.children()) {
      if (child.type() != pugi::node_element) continue;
      const QName q = scope.name_of(child);
      if (q.ns != core && q.ns != Ns::none && q.ns != Ns::dc) continue;
      if (q.local == "title") set_once(doc.title, text_of(child));
      else if (q.local == "link" && !doc.link) doc.link = scope.resolve(text_of(child), child);
    }
    doc.schedule = read_schedule_hints(channel, core, scope);
  }
  collect_items(root, core, 0, scope, doc, entry_elements);
}

}  // namespace rssflow
