#include "sources/xml_scope.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "sources/xml_named_entities.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

struct KnownNs {
  std::string_view uri;
  Ns ns;
};

constexpr KnownNs kKnown[] = {
    {"http://my.netscape.com/rdf/simple/0.9/", Ns::rss090},
    {"http://purl.org/rss/1.0/", Ns::rss10},
    {"http://backend.userland.com/rss2", Ns::rss_userland},
    {"http://backend.userland.com/rss", Ns::rss_userland},
    {"http://www.w3.org/2005/Atom", Ns::atom10},
    {"http://purl.org/atom/ns#", Ns::atom03},
    {"http://purl.org/dc/elements/1.1/", Ns::dc},
    {"http://purl.org/dc/terms/", Ns::dcterms},
    {"http://purl.org/rss/1.0/modules/content/", Ns::content},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", Ns::itunes},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd/", Ns::itunes},
    {"http://search.yahoo.com/mrss/", Ns::media},
    {"http://search.yahoo.com/mrss", Ns::media},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::rdf},
    {"http://www.w3.org/1999/xhtml", Ns::xhtml},
    {"http://purl.org/rss/1.0/modules/syndication/", Ns::sy},
};

// Conventional prefixes, used only when a document forgets to declare them.
constexpr std::pair<std::string_view, std::string_view> kConventional[] = {
    {"dc", "http://purl.org/dc/elements/1.1/"},
    {"dcterms", "http://purl.org/dc/terms/"},
    {"content", "http://purl.org/rss/1.0/modules/content/"},
    {"itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"},
    {"media", "http://search.yahoo.com/mrss/"},
    {"atom", "http://www.w3.org/2005/Atom"},
    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
    {"xhtml", "http://www.w3.org/1999/xhtml"},
    {"sy", "http://purl.org/rss/1.0/modules/syndication/"},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void serialize_attributes(pugi::xml_node element, std::string& out) {
  for (pugi::xml_attribute attr : element.attributes()) {
    const std::string_view name = attr.name();
    if (name == "xmlns" || name.starts_with("xmlns:")) continue;
    const auto colon = name.find(':');
    out += ' ';
    out += colon == std::string_view::npos || name.starts_with("xml:") ? name : name.substr(colon + 1);
    out += "=\"";
    for (char c : std::string_view(attr.value())) {
      if (c == '"') out += "&quot;";
      else if (c == '&') out += "&amp;";
      else if (c == '<') out += "&lt;";
      else out += c;
    }
    out += '"';
  }
}

bool is_void_element(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kVoid = {"area", "base", "br", "col", "embed", "hr", "img",
                                                             "input", "link", "meta", "param", "source", "track", "wbr"};
  return std::find(kVoid.begin(), kVoid.end(), name) != kVoid.end();
}

// own_text_is_html: whether this element's direct text is HTML source (kept) or text (escaped).
// An explicit stack of open elements, not recursion: a hostile feed nests a million levels.
void serialize_children(pugi::xml_node element, bool own_text_is_html, std::string& out) {
  struct Open {
    pugi::xml_node element;
    std::string_view name;
  };
  std::vector<Open> open;
  pugi::xml_node child = element.first_child();
  for (;;) {
    if (!child) {
      if (open.empty()) return;
      out += "</";
      out += open.back().name;
      out += '>';
      child = open.back().element.next_sibling();
      open.pop_back();
      continue;
    }
    switch (child.type()) {
      case pugi::node_pcdata:
      case pugi::node_cdata:
        if (own_text_is_html && open.empty()) out += child.value();
        else out += escape_html(child.value());
        break;
      case pugi::node_element: {
        std::string_view name = child.name();
        if (const auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
        out += '<';
        out += name;
        serialize_attributes(child, out);
        if (!child.first_child() && is_void_element(name)) {
          out += " />";
          break;
        }
        out += '>';
        open.push_back({child, name});
        child = child.first_child();
        continue;
      }
      default:
        break;
    }
    child = child.next_sibling();
  }
}

// Pre-order walk by parent links: no stack at all, whatever the depth.
void collect_text(pugi::xml_node element, std::string& out) {
  pugi::xml_node node = element.first_child();
  while (node) {
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) out += node.value();
    if (node.type() == pugi::node_element && node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (!node.next_sibling()) {
      node = node.parent();
      if (!node || node == element) return;
    }
    node = node.next_sibling();
  }
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool acceptable_html_element(std::string name) {
  static constexpr std::string_view kAcceptable[] = {
      "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "big", "blockquote", "br",
      "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "command", "datagrid",
      "datalist", "dd", "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt", "em", "event-source",
      "fieldset", "figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
      "hr", "i", "img", "input", "ins", "kbd", "keygen", "label", "legend", "li", "m", "map", "menu", "meter",
      "multicol", "nav", "nextid", "noscript", "ol", "optgroup", "option", "output", "p", "pre", "progress", "q",
      "s", "samp", "section", "select", "small", "sound", "source", "spacer", "span", "strike", "strong", "sub",
      "sup", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var",
      "video"};
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (name.empty()) return false;
  return std::find(std::begin(kAcceptable), std::end(kAcceptable), name) != std::end(kAcceptable);
}

}  // namespace

// Case-insensitive: feeds copy the URIs with any capitalisation ("http://www.itunes.com/DTDs/
// Podcast-1.0.dtd" is the one Apple's own examples used), and feedparser accepts them all.
Ns ns_from_uri(std::string_view uri) {
  if (uri.empty()) return Ns::none;
  const auto same = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  };
  for (const auto& known : kKnown)
    if (same(known.uri, uri)) return known.ns;
  return Ns::unknown;
}

XmlScope::XmlScope(std::string document_url, ReadBudget* budget) : budget_(budget) {
  bases_.push_back(std::move(document_url));
}

void XmlScope::enter(pugi::xml_node element) {
  Frame frame;
  frame.element = element;
  frame.bindings = pushed_prefixes_.size();
  for (pugi::xml_attribute attr : element.attributes()) {
    const std::string_view name = attr.name();
    if (name == "xmlns" || name.starts_with("xmlns:")) {
      const std::string_view prefix = name == "xmlns" ? std::string_view() : name.substr(6);
      bindings_[prefix].push_back(attr.value());
      pushed_prefixes_.push_back(prefix);
    } else if (name == "xml:base" && !frame.pushed_base) {
      // A base longer than any real URL is ignored: nested relative bases would otherwise grow
      // (and be stored) once per level, quadratic in memory.
      auto resolved = resolve_url(bases_.back(), attr.value());
      std::string base = resolved ? std::move(*resolved) : std::string(trim(attr.value()));
      if (base.size() <= kMaxBaseBytes) {
        bases_.push_back(std::move(base));
        frame.pushed_base = true;
      }
    }
  }
  frames_.push_back(frame);
}

void XmlScope::leave() {
  if (frames_.empty()) return;
  const Frame frame = frames_.back();
  frames_.pop_back();
  while (pushed_prefixes_.size() > frame.bindings) {
    auto it = bindings_.find(pushed_prefixes_.back());
    it->second.pop_back();
    if (it->second.empty()) bindings_.erase(it);
    pushed_prefixes_.pop_back();
  }
  if (frame.pushed_base) bases_.pop_back();
}

bool XmlScope::out_of_time() const { return budget_ && budget_->deadline && budget_->deadline->expired(); }

bool XmlScope::admit_entry(std::size_t entries) const {
  if (!budget_ || entries < budget_->max_entries) return true;
  ++budget_->entries_dropped;
  return false;
}

bool XmlScope::admit_category(std::size_t categories) const {
  if (!budget_ || categories < budget_->max_categories) return true;
  ++budget_->categories_dropped;
  return false;
}

bool XmlScope::admit_enclosure(std::size_t enclosures) const {
  if (!budget_ || enclosures < budget_->max_enclosures) return true;
  ++budget_->enclosures_dropped;
  return false;
}

std::optional<std::string_view> XmlScope::lookup(std::string_view prefix, pugi::xml_node own) const {
  // The current element's declarations are in bindings_ already; another element's (a child
  // not entered yet) are read from its attributes, linear in that element's size.
  if (frames_.empty() || frames_.back().element != own) {
    for (pugi::xml_attribute attr : own.attributes()) {
      const std::string_view name = attr.name();
      if (prefix.empty() ? name == "xmlns" : (name.starts_with("xmlns:") && name.substr(6) == prefix))
        return std::string_view(attr.value());
    }
  }
  if (auto it = bindings_.find(prefix); it != bindings_.end()) return it->second.back();
  return std::nullopt;
}

QName XmlScope::name_of(pugi::xml_node element) const {
  const std::string_view name = element.name();
  const auto colon = name.find(':');
  const std::string_view prefix = colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
  QName q;
  q.local = colon == std::string_view::npos ? name : name.substr(colon + 1);
  if (auto uri = lookup(prefix, element)) {
    q.ns = ns_from_uri(*uri);
    return q;
  }
  if (prefix.empty()) {
    q.ns = Ns::none;
    return q;
  }
  q.ns = Ns::unknown;
  for (const auto& [conventional, uri] : kConventional)
    if (conventional == prefix) q.ns = ns_from_uri(uri);
  return q;
}

std::string_view XmlScope::attribute(pugi::xml_node element, Ns ns, std::string_view local) const {
  for (pugi::xml_attribute attr : element.attributes()) {
    const std::string_view name = attr.name();
    const auto colon = name.find(':');
    if (colon == std::string_view::npos) {
      if (ns == Ns::none && name == local) return attr.value();
      continue;
    }
    if (name.substr(colon + 1) != local) continue;
    const auto uri = lookup(name.substr(0, colon), element);
    if (uri ? ns_from_uri(*uri) == ns : ns == Ns::rdf && name.substr(0, colon) == "rdf") return attr.value();
  }
  return {};
}

std::optional<std::string> XmlScope::resolve(std::string_view ref, pugi::xml_node element) const {
  ref = trim(ref);
  if (ref.empty()) return std::nullopt;
  const std::string* base = &bases_.back();
  std::string own_base;
  if (element) {
    if (pugi::xml_attribute attr = element.attribute("xml:base")) {
      own_base = resolve_url(*base, attr.value()).value_or(std::string(trim(attr.value())));
      base = &own_base;
    }
  }
  if (auto resolved = resolve_url(*base, ref)) return resolved;
  return std::string(ref);
}

std::string text_of(pugi::xml_node element) {
  const pugi::xml_node first = element.first_child();
  if (first && !first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata))
    return first.value();
  std::string out;
  collect_text(element, out);
  return out;
}

std::string html_source_of(pugi::xml_node element) {
  const pugi::xml_node first = element.first_child();
  if (first && !first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata))
    return first.value();
  std::string out;
  serialize_children(element, true, out);
  return out;
}

std::string xhtml_children_of(pugi::xml_node element) {
  std::string out;
  serialize_children(element, false, out);
  return out;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

bool looks_like_html(std::string_view s) {
  bool close_tag = false, entity = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      std::size_t j = i + 1;
      const bool closing = j < s.size() && s[j] == '/';
      if (closing) ++j;
      std::size_t k = j;
      while (k < s.size() && is_word_char(s[k])) ++k;
      if (k == j) continue;
      if (!acceptable_html_element(std::string(s.substr(j, k - j)))) return false;
      if (closing && k < s.size() && s[k] == '>') close_tag = true;
    } else if (s[i] == '&') {
      std::size_t j = i + 1;
      const bool numeric = j < s.size() && s[j] == '#';
      if (numeric) ++j;
      std::size_t k = j;
      while (k < s.size() && is_word_char(s[k])) ++k;
      if (k == j || k >= s.size() || s[k] != ';') continue;
      entity = true;
      const std::string_view name = s.substr(j, k - j);
      if (!numeric && !html_named_entity(name) && name != "amp" && name != "lt" && name != "gt" && name != "quot")
        return false;
    }
  }
  return close_tag || entity;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace rssflow
