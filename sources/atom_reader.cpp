// Atom 1.0 (RFC 4287) and Atom 0.3, plus the Dublin Core and Media RSS elements found in them.
#include <algorithm>
#include <string>

#include "sources/feed_dates.h"
#include "sources/feed_media.h"
#include "sources/feed_readers.h"

namespace rssflow {
namespace {

std::string lowered(std::string_view s) {
  std::string out(trim(s));
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void set_once(std::optional<std::string>& field, std::string_view value) {
  value = trim(value);
  if (!field && !value.empty()) field = std::string(value);
}

std::string decode_base64(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

bool has_element_child(pugi::xml_node node) {
  for (pugi::xml_node child : node.children())
    if (child.type() == pugi::node_element) return true;
  return false;
}

// Inline XHTML: the wrapping <div> (RFC 4287 3.1.1.3) is dropped, its children kept.
std::string inline_xhtml(pugi::xml_node element) {
  pugi::xml_node only;
  int elements = 0;
  for (pugi::xml_node child : element.children()) {
    if (child.type() == pugi::node_element) {
      only = child;
      ++elements;
    } else if (child.type() == pugi::node_pcdata && !trim(child.value()).empty()) {
      elements = 2;  // text beside the div: keep everything
    }
  }
  std::string_view name = only.name();
  if (const auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
  if (elements == 1 && name == "div") return xhtml_children_of(only);
  return xhtml_children_of(element);
}

// rel defaults to alternate; an html type (or none) is preferred among the alternates.
std::optional<std::string> entry_link(pugi::xml_node entry, Ns atom, XmlScope& scope) {
  std::optional<std::string> any_alternate;
  for (pugi::xml_node child : entry.children()) {
    if (child.type() != pugi::node_element || !scope.name_of(child).is(atom, "link")) continue;
    const std::string rel = lowered(child.attribute("rel").value());
    if (!rel.empty() && rel != "alternate") continue;
    const std::string type = lowered(child.attribute("type").value());
    auto href = atom_link_target(child, scope);
    if (!href) continue;
    if (type.empty() || type == "text/html" || type == "application/xhtml+xml") return href;
    if (!any_alternate) any_alternate = std::move(href);
  }
  return any_alternate;
}

std::optional<std::string> person_name(pugi::xml_node person, Ns atom, XmlScope& scope) {
  XmlScope::Guard guard(scope, person);
  std::optional<std::string> name;
  for (pugi::xml_node part : person.children())
    if (part.type() == pugi::node_element && scope.name_of(part).is(atom, "name")) set_once(name, text_of(part));
  if (!name && !has_element_child(person)) set_once(name, text_of(person));  // <author>Name</author>
  return name;
}

std::string category_name(pugi::xml_node category) {
  const std::string_view term = trim(category.attribute("term").value());
  const std::string_view label = trim(category.attribute("label").value());
  if (!term.empty() && !term.starts_with("http://") && !term.starts_with("https://")) return std::string(term);
  if (!label.empty()) return std::string(label);
  if (!term.empty()) return std::string(term);
  return std::string(trim(text_of(category)));
}

FeedEntry read_entry(pugi::xml_node element, Ns atom, const std::optional<std::string>& feed_author, XmlScope& scope) {
  XmlScope::Guard guard(scope, element);
  FeedEntry entry;
  std::string published, issued, created, updated, modified, dc_date;
  std::optional<std::string> summary;
  MediaText media;
  for (pugi::xml_node child : element.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    const std::string_view l = q.local;
    if (q.ns == atom) {
      if (l == "title" && !entry.title) {
        TextConstruct title = read_text_construct(child);
        set_once(entry.title, title.value);
        entry.title_is_html = title.is_html;
      } else if (l == "id") {
        set_once(entry.guid, text_of(child));
      } else if (l == "published" && published.empty()) {
        published = text_of(child);
      } else if (l == "issued" && issued.empty()) {
        issued = text_of(child);
      } else if (l == "created" && created.empty()) {
        created = text_of(child);
      } else if (l == "updated" && updated.empty()) {
        updated = text_of(child);
      } else if (l == "modified" && modified.empty()) {
        modified = text_of(child);
      } else if ((l == "author" || l == "contributor") && !entry.author) {
        if (l == "author" || !entry.author) entry.author = person_name(child, atom, scope);
      } else if (l == "summary" && !summary) {
        TextConstruct text = read_text_construct(child);
        if (!trim(text.value).empty()) summary = text.is_html ? text.value : escape_html(text.value);
      } else if (l == "content" && !entry.content_html) {
        TextConstruct text = read_text_construct(child);
        set_once(entry.content_html, text.is_html ? text.value : escape_html(text.value));
      } else if (l == "link" && lowered(child.attribute("rel").value()) == "enclosure") {
        if (auto url = atom_link_target(child, scope))
          add_enclosure(entry, scope, *url, child.attribute("type").value(), child.attribute("length").value());
      } else if (l == "category") {
        // Linear overall: the duplicate scan is bounded by the category budget.
        if (!scope.admit_category(entry.categories.size())) continue;
        std::string name = category_name(child);
        if (!name.empty() && std::find(entry.categories.begin(), entry.categories.end(), name) == entry.categories.end())
          entry.categories.push_back(std::move(name));
      }
    } else if (q.ns == Ns::dc) {
      if (l == "creator" || l == "author") set_once(entry.author, text_of(child));
      else if (l == "date" && dc_date.empty()) dc_date = text_of(child);
      else if (l == "subject") {
        const std::string subject_text = text_of(child);
        const std::string_view subject = trim(subject_text);
        if (!subject.empty() && scope.admit_category(entry.categories.size())) entry.categories.emplace_back(subject);
      }
    } else if (q.ns == Ns::media) {
      read_media_element(child, l, scope, entry, media);
    } else if (q.ns == Ns::itunes) {
      read_itunes_element(child, l, scope, entry);
    }
  }
  entry.link = entry_link(element, atom, scope);
  // An entry with no usable link but an http(s) id: the id is the article's address.
  if (!entry.link && entry.guid && is_web_url(*entry.guid)) entry.link = entry.guid;
  if (const std::string_view lang = xml_lang_of(element); !lang.empty()) entry.language = std::string(lang);
  if (!entry.author) entry.author = feed_author;
  entry.published = first_date({published, issued, created});
  entry.updated = first_date({updated, modified, dc_date});
  if (summary) entry.summary_html = std::move(summary);
  else if (media.description_html) entry.summary_html = std::move(media.description_html);
  return entry;
}

}  // namespace

std::optional<std::string> atom_link_target(pugi::xml_node link, const XmlScope& scope) {
  if (pugi::xml_attribute href = link.attribute("href")) return scope.resolve(href.value(), link);
  return scope.resolve(text_of(link), link);
}

std::optional<std::string> atom_alternate_link(pugi::xml_node link, const XmlScope& scope) {
  const std::string rel = lowered(link.attribute("rel").value());
  const std::string type = lowered(link.attribute("type").value());
  if (!rel.empty() && rel != "alternate") return std::nullopt;
  if (!type.empty() && type != "text/html" && type != "application/xhtml+xml") return std::nullopt;
  return atom_link_target(link, scope);
}

TextConstruct read_text_construct(pugi::xml_node element) {
  const std::string type = lowered(element.attribute("type").value());
  const std::string mode = lowered(element.attribute("mode").value());
  TextConstruct out;
  // Atom 1.0 (RFC 4287 4.1.3.3): content of any other media type than text/*, HTML or XML
  // is base64; Atom 0.3 says so with mode="base64".
  const bool xml_type = type.ends_with("+xml") || type.ends_with("/xml");
  const bool binary_type = type.find('/') != std::string::npos && !type.starts_with("text/") && !xml_type &&
                           type != "application/xhtml+xml";
  if (mode == "base64" || (mode.empty() && binary_type && !has_element_child(element))) {
    out.value = decode_base64(text_of(element));
    out.is_html = type.find("html") != std::string::npos;
    return out;
  }
  const bool xhtml = type == "xhtml" || type == "application/xhtml+xml" ||
                     ((type.ends_with("+xml") || type.ends_with("/xml")) && mode != "escaped");
  if (xhtml || (mode != "escaped" && has_element_child(element))) {
    out.value = inline_xhtml(element);
    out.is_html = true;
  } else if (type == "html" || type == "text/html") {
    out.value = html_source_of(element);
    out.is_html = true;
  } else {
    // Plain text in name, but escaped HTML in practice ("&amp;ldquo;", "&lt;p&gt;...&lt;/p&gt;"):
    // read as HTML when it looks like it, the rule feedparser applies to RSS.
    out.value = text_of(element);
    out.is_html = looks_like_html(out.value);
  }
  return out;
}

std::optional<Instant> first_date(std::initializer_list<std::string_view> candidates) {
  for (std::string_view text : candidates)
    if (auto instant = parse_feed_date(text)) return instant;
  return std::nullopt;
}

std::string as_html_fragment(std::string_view text_or_html, bool known_html) {
  if (known_html || looks_like_html(text_or_html)) return std::string(text_or_html);
  return escape_html(text_or_html);
}

void read_atom(pugi::xml_node root, XmlScope& scope, FeedDocument& doc, std::vector<pugi::xml_node>& entry_elements) {
  const QName root_name = scope.name_of(root);
  const Ns atom = root_name.ns;
  doc.format = atom == Ns::atom03 ? FeedFormat::atom03 : FeedFormat::atom10;
  if (root_name.local == "entry") {
    doc.entries.push_back(read_entry(root, atom, std::nullopt, scope));
    entry_elements.push_back(root);
    return;
  }
  XmlScope::Guard guard(scope, root);
  std::optional<std::string> feed_author;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    if (q.ns != atom) continue;
    if (q.local == "title" && !doc.title) set_once(doc.title, read_text_construct(child).value);
    else if (q.local == "author" && !feed_author) feed_author = person_name(child, atom, scope);
    else if ((q.local == "subtitle" || q.local == "tagline") && !doc.description) set_once(doc.description, text_of(child));
    else if ((q.local == "logo" || q.local == "icon") && !doc.image_url) {
      auto url = scope.resolve(text_of(child), child);
      if (url && is_web_url(*url)) doc.image_url = std::move(url);
    }
  }
  if (const std::string_view lang = xml_lang_of(root); !lang.empty()) doc.language = std::string(lang);
  doc.link = entry_link(root, atom, scope);
  doc.schedule = read_schedule_hints(root, atom, scope);  // sy:* (WordPress puts them in Atom too)
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element || !scope.name_of(child).is(atom, "entry")) continue;
    if (scope.out_of_time() || !scope.admit_entry(doc.entries.size())) continue;
    doc.entries.push_back(read_entry(child, atom, feed_author, scope));
    entry_elements.push_back(child);
  }
}

}  // namespace rssflow
