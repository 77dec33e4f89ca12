#include "sources/json_feed.h"

#include <nlohmann/json.hpp>

#include "core/terminal_text.h"
#include "sources/feed_dates.h"
#include "sources/xml_scope.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

using nlohmann::json;

// The string (or number, rendered) at key, trimmed; nullopt when absent, empty or another type.
std::optional<std::string> string_at(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  std::string value;
  if (it->is_string()) value = it->get_ref<const std::string&>();
  else if (it->is_number_integer()) value = std::to_string(it->get<long long>());
  else if (it->is_number()) value = it->dump();
  else return std::nullopt;
  const std::string_view trimmed = trim(value);
  if (trimmed.empty()) return std::nullopt;
  return std::string(trimmed);
}

std::optional<std::string> resolved(const std::string& base, const std::optional<std::string>& ref) {
  if (!ref) return std::nullopt;
  return resolve_url(base, *ref).value_or(*ref);
}

std::optional<std::string> author_name(const json& item) {
  if (auto it = item.find("authors"); it != item.end() && it->is_array())
    for (const json& author : *it)
      if (auto name = string_at(author, "name")) return name;
  if (auto it = item.find("author"); it != item.end()) {
    if (it->is_object()) return string_at(*it, "name");
    if (it->is_string()) return string_at(item, "author");
  }
  return std::nullopt;
}

bool admit(std::size_t count, std::size_t max, std::size_t& dropped) {
  if (count < max) return true;
  ++dropped;
  return false;
}

FeedEntry json_feed_item(const json& item, const std::string& base, ReadBudget& budget) {
  FeedEntry entry;
  entry.guid = string_at(item, "id");
  entry.link = resolved(base, string_at(item, "url"));
  if (!entry.link) entry.link = resolved(base, string_at(item, "external_url"));
  entry.title = string_at(item, "title");
  entry.author = author_name(item);
  if (auto d = string_at(item, "date_published")) entry.published = parse_feed_date(*d);
  if (auto d = string_at(item, "date_modified")) entry.updated = parse_feed_date(*d);
  if (auto summary = string_at(item, "summary")) entry.summary_html = escape_html(*summary);
  entry.content_html = string_at(item, "content_html");
  if (!entry.content_html)
    if (auto text = string_at(item, "content_text")) entry.content_html = escape_html(*text);
  if (auto tags = item.find("tags"); tags != item.end() && tags->is_array())
    for (const json& tag : *tags)
      if (tag.is_string() && !trim(tag.get_ref<const std::string&>()).empty() &&
          admit(entry.categories.size(), budget.max_categories, budget.categories_dropped))
        entry.categories.emplace_back(trim(tag.get_ref<const std::string&>()));
  return entry;
}

// "RSS in JSON": the RSS 2.0 element names as keys, one object per item.
FeedEntry rss_in_json_item(const json& item, const std::string& base) {
  FeedEntry entry;
  entry.title = string_at(item, "title");
  if (entry.title) entry.title_is_html = looks_like_html(*entry.title);
  entry.link = resolved(base, string_at(item, "link"));
  if (auto guid = item.find("guid"); guid != item.end()) {
    entry.guid = guid->is_object() ? string_at(*guid, "#value") : string_at(item, "guid");
    entry.guid_is_permalink = !(guid->is_object() && string_at(*guid, "isPermaLink") == "false");
  }
  if (!entry.link && entry.guid && entry.guid_is_permalink && entry.guid->starts_with("http")) entry.link = entry.guid;
  if (auto d = string_at(item, "pubDate")) entry.published = parse_feed_date(*d);
  entry.summary_html = string_at(item, "description");
  entry.author = string_at(item, "author");
  return entry;
}

}  // namespace

Outcome<FeedDocument> parse_json_feed(std::string_view text, const std::string& feed_url, const std::string& base_url,
                                      ReadBudget& budget) {
  // One entry more, unless over budget or out of time (the caller reports the timeout).
  const auto admit_entry = [&](const FeedDocument& doc) {
    if (budget.deadline && budget.deadline->expired()) return false;
    return admit(doc.entries.size(), budget.max_entries, budget.entries_dropped);
  };
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // nlohmann's text ends with "; last read: '<bytes of the response>'": cut, so no byte the
    // server chose reaches the log, the report or source_state.last_error.
    std::string_view what = e.what();
    what = what.substr(0, what.find("; last read"));
    if (const auto bracket = what.find("] "); what.starts_with("[json.exception") && bracket != std::string_view::npos) {
      what.remove_prefix(bracket + 2);
    }
    return StageError{Stage::parse, feed_url, ErrorCode::malformed,
                      "JSON syntax error at offset " + std::to_string(e.byte) + ": " + escape_for_terminal(what)};
  }
  FeedDocument doc;
  doc.feed_url = feed_url;
  doc.document_url = base_url;
  const auto version = string_at(root, "version");
  if (root.is_object() && version && version->find("jsonfeed.org/version/") != std::string::npos) {
    doc.format = FeedFormat::json_feed;
    doc.title = string_at(root, "title");
    doc.link = resolved(base_url, string_at(root, "home_page_url"));
    if (auto items = root.find("items"); items != root.end() && items->is_array())
      for (const json& item : *items)
        if (item.is_object() && admit_entry(doc)) doc.entries.push_back(json_feed_item(item, base_url, budget));
    return doc;
  }
  if (root.is_object() && root.contains("rss") && root["rss"].is_object() && root["rss"].contains("channel")) {
    const json& channel = root["rss"]["channel"];
    doc.format = FeedFormat::rss20;
    doc.title = string_at(channel, "title");
    doc.link = resolved(base_url, string_at(channel, "link"));
    doc.repairs.push_back("json: RSS-in-JSON document read as RSS 2.0");
    if (auto items = channel.find("item"); channel.is_object() && items != channel.end()) {
      if (items->is_array()) {
        for (const json& item : *items)
          if (item.is_object() && admit_entry(doc)) doc.entries.push_back(rss_in_json_item(item, base_url));
      } else if (items->is_object()) {
        doc.entries.push_back(rss_in_json_item(*items, base_url));
      }
    }
    return doc;
  }
  return StageError{Stage::parse, feed_url, ErrorCode::not_a_feed, "JSON document is not a JSON Feed (no jsonfeed.org version)"};
}

}  // namespace rssflow
