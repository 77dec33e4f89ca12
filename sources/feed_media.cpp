#include "sources/feed_media.h"

#include "core/ascii.h"
#include "sources/feed_readers.h"

#include <algorithm>
#include <charconv>

namespace rssflow {
namespace {

bool is_image_media(pugi::xml_node content) {
  const std::string_view medium = trim(content.attribute("medium").value());
  const std::string_view type = trim(content.attribute("type").value());
  return medium == "image" || ascii_starts_with_ci(type, "image/");
}

void set_image(FeedEntry& entry, XmlScope& scope, pugi::xml_node element, std::string_view attribute) {
  if (entry.image_url) return;
  auto url = scope.resolve(element.attribute(attribute.data()).value(), element);
  if (url && is_web_url(*url)) entry.image_url = std::move(url);
}

// media:thumbnail, media:title, media:description, media:category, media:keywords directly
// inside element (an entry, a media:group or a media:content).
void read_media_leaf(pugi::xml_node child, std::string_view local, XmlScope& scope, FeedEntry& entry, MediaText& text) {
  if (local == "thumbnail") {
    set_image(entry, scope, child, "url");
  } else if (local == "title") {
    const std::string value = text_of(child);
    if (!text.title && !trim(value).empty()) text.title = std::string(trim(value));
  } else if (local == "description") {
    const std::string value = text_of(child);
    if (!text.description_html && !trim(value).empty())
      text.description_html = as_html_fragment(value, std::string_view(child.attribute("type").value()) == "html");
  } else if (local == "category") {
    // A scheme URL or path ("http://.../genre", "Arts/Movies") is not a category name: keep the label or last step.
    std::string_view label = trim(child.attribute("label").value());
    const std::string value = text_of(child);
    std::string_view name = label.empty() ? trim(value) : label;
    if (label.empty()) {
      if (const auto slash = name.rfind('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
    }
    add_category(entry, name, scope);
  } else if (local == "keywords") {
    add_category(entry, text_of(child), scope, true);
  }
}

void read_media_content(pugi::xml_node content, XmlScope& scope, FeedEntry& entry, MediaText& text) {
  if (is_image_media(content)) set_image(entry, scope, content, "url");
  XmlScope::Guard guard(scope, content);
  for (pugi::xml_node part : content.children()) {
    if (part.type() != pugi::node_element) continue;
    const QName q = scope.name_of(part);
    if (q.ns == Ns::media && q.local != "content" && q.local != "group") read_media_leaf(part, q.local, scope, entry, text);
  }
}

}  // namespace

void add_enclosure(FeedEntry& entry, const XmlScope& scope, std::string_view url, std::string_view type,
                   std::string_view length) {
  url = trim(url);
  if (!is_web_url(url)) return;
  // Linear overall: the duplicate scan is bounded by the enclosure budget.
  if (!scope.admit_enclosure(entry.enclosures.size())) return;
  for (const Enclosure& existing : entry.enclosures)
    if (existing.url == url) return;
  Enclosure enclosure;
  enclosure.url = std::string(url);
  type = trim(type);
  if (!type.empty()) enclosure.type = std::string(type);
  length = trim(length);
  long long bytes = 0;
  const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), bytes);
  if (error == std::errc() && end == length.data() + length.size() && bytes > 0) enclosure.length = bytes;
  if (!entry.image_url && enclosure.type && ascii_starts_with_ci(*enclosure.type, "image/")) entry.image_url = enclosure.url;
  entry.enclosures.push_back(std::move(enclosure));
}

void add_category(FeedEntry& entry, std::string_view value, const XmlScope& scope, bool split_commas) {
  while (true) {
    std::string_view part = value;
    std::size_t comma = std::string_view::npos;
    if (split_commas) {
      comma = value.find(',');
      part = value.substr(0, comma);
    }
    part = trim(part);
    // Linear overall: the duplicate scan is bounded by the category budget.
    if (!part.empty() && scope.admit_category(entry.categories.size()) &&
        std::find(entry.categories.begin(), entry.categories.end(), part) == entry.categories.end())
      entry.categories.emplace_back(part);
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

void read_media_element(pugi::xml_node element, std::string_view local, XmlScope& scope, FeedEntry& entry,
                        MediaText& text) {
  if (local == "content") {
    read_media_content(element, scope, entry, text);
  } else if (local == "group") {
    XmlScope::Guard guard(scope, element);
    for (pugi::xml_node part : element.children()) {
      if (part.type() != pugi::node_element) continue;
      const QName q = scope.name_of(part);
      if (q.ns != Ns::media) continue;
      if (q.local == "content") read_media_content(part, scope, entry, text);
      else if (q.local != "group") read_media_leaf(part, q.local, scope, entry, text);
    }
  } else {
    read_media_leaf(element, local, scope, entry, text);
  }
}

void read_itunes_element(pugi::xml_node element, std::string_view local, XmlScope& scope, FeedEntry& entry) {
  if (local == "image") {
    set_image(entry, scope, element, "href");
  } else if (local == "category") {
    add_category(entry, element.attribute("text").value(), scope);
    // <itunes:category text="Technology"><itunes:category text="Tech News"/></itunes:category>
    for (pugi::xml_node sub : element.children())
      if (sub.type() == pugi::node_element) add_category(entry, sub.attribute("text").value(), scope);
  } else if (local == "keywords") {
    add_category(entry, text_of(element), scope, true);
  }
}

std::string_view xml_lang_of(pugi::xml_node element) {
  for (pugi::xml_node node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (pugi::xml_attribute lang = node.attribute("xml:lang")) return trim(lang.value());
  }
  return {};
}

}  // namespace rssflow
