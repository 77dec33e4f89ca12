#include "sources/feed_parser.h"

#include <cctype>

#include <pugixml.hpp>

#include <exception>
#include <unordered_set>
#include <vector>

#include "sources/document_budget.h"
#include "sources/encoding.h"
#include "sources/feed_readers.h"
#include "sources/json_feed.h"
#include "transforms/url.h"
#include "sources/tag_balance.h"
#include "sources/xml_repair.h"
#include "sources/xml_scope.h"

namespace rssflow {
namespace {

// Whitespace-only text nodes are kept: they separate words in inline XHTML and mixed content.
constexpr unsigned kParseFlags = pugi::parse_default | pugi::parse_ws_pcdata;

StageError parse_error(const ParseInput& input, ErrorCode code, std::string message) {
  return StageError{Stage::parse, input.feed_url, code, std::move(message)};
}

bool is_blank(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  for (char c : bytes)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\0') return false;
  return true;
}

char first_significant(std::string_view text) {
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  return '\0';
}

bool looks_like_html_page(std::string_view text) {
  std::string head(text.substr(0, 2048));
  for (char& c : head)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return head.find("<!doctype html") != std::string::npos || head.find("<html") != std::string::npos;
}

enum class Kind { none, rss, atom };

Kind kind_of(const QName& name) {
  if (name.local == "rss" || (name.local == "RDF" && (name.ns == Ns::rdf || name.ns == Ns::unknown))) return Kind::rss;
  if ((name.local == "feed" || name.local == "entry") &&
      (name.ns == Ns::atom10 || name.ns == Ns::atom03 || name.ns == Ns::none || name.ns == Ns::unknown))
    return Kind::atom;
  return Kind::none;
}

// A feed element wrapped in another document (an XHTML page around an Atom feed, a SOAP
// envelope...): the first rss/RDF/feed element within a few levels.
pugi::xml_node find_nested_feed(pugi::xml_node node, const XmlScope& scope, int depth) {
  if (depth > 4) return {};
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    const QName q = scope.name_of(child);
    if (kind_of(q) != Kind::none && q.local != "entry") return child;
    if (auto found = find_nested_feed(child, scope, depth + 1)) return found;
  }
  return {};
}

void read_document(pugi::xml_node feed, Kind kind, XmlScope& scope, FeedDocument& doc, std::vector<pugi::xml_node>& entry_elements) {
  if (kind == Kind::rss) read_rss(feed, scope, doc, entry_elements);
  else read_atom(feed, scope, doc, entry_elements);
}

// The offsets (of the element name, after '<') of the elements the end of input closed: an entry
// among them was cut off. A hash set, as a broken feed may leave 800,000 tags open.
std::unordered_set<std::ptrdiff_t> cut_off_names(const BalancedXml& balanced) {
  std::unordered_set<std::ptrdiff_t> out;
  out.reserve(balanced.closed_by_end.size());
  for (std::size_t lt : balanced.closed_by_end) out.insert(static_cast<std::ptrdiff_t>(lt) + 1);
  return out;
}

// The budget of one parse_feed call.
struct Budget {
  const ParseLimits& limits;
  Deadline& deadline;
  ReadBudget read;
};

StageError timeout_error(const ParseInput& input, const Budget& budget) {
  return parse_error(input, ErrorCode::parse_timeout,
                     "parse and clean ran past the deadline of " + std::to_string(budget.limits.deadline.count()) + " ms");
}

// The checks of a built tree, before any reader walks it.
std::optional<StageError> check_tree(const pugi::xml_document& xml, const ParseInput& input, Budget& budget) {
  const std::size_t depth = element_depth(xml, budget.limits.max_depth, budget.deadline);
  if (depth > budget.limits.max_depth)
    return parse_error(input, ErrorCode::too_deep,
                       "elements nested deeper than " + std::to_string(budget.limits.max_depth) + " levels (max_depth)");
  if (budget.deadline.expired_now()) return timeout_error(input, budget);
  return std::nullopt;
}

// What the budget dropped or cut from a document that was read, as repair lines.
void note_budget(FeedDocument& doc, const Budget& budget, std::vector<std::string>& repairs) {
  const ParseLimits& limits = budget.limits;
  if (budget.read.entries_dropped > 0)
    repairs.push_back("budget: dropped " + std::to_string(budget.read.entries_dropped) + " entries after the first " +
                      std::to_string(limits.max_entries) + " (max_entries)");
  if (budget.read.categories_dropped > 0)
    repairs.push_back("budget: dropped " + std::to_string(budget.read.categories_dropped) +
                      " categories beyond " + std::to_string(limits.max_categories) + " per entry (max_categories)");
  if (budget.read.enclosures_dropped > 0)
    repairs.push_back("budget: dropped " + std::to_string(budget.read.enclosures_dropped) +
                      " enclosures beyond " + std::to_string(limits.max_enclosures) + " per entry (max_enclosures)");
  if (const std::size_t cut = cut_long_fields(doc, limits.max_field_bytes); cut > 0)
    repairs.push_back("budget: cut " + std::to_string(cut) + " fields to " + std::to_string(limits.max_field_bytes) +
                      " bytes (max_field_bytes)");
}

std::string cut_note(const MarkupScan& scan, const ParseLimits& limits) {
  return "budget: document read up to offset " + std::to_string(scan.cut) + ", where it reaches " +
         std::to_string(limits.max_nodes) + " elements and attributes (max_nodes); the rest is dropped";
}

// Reads whichever feed the tree holds. nullopt error means doc is filled in.
std::optional<StageError> read_tree(const pugi::xml_document& xml, const ParseInput& input, const std::string& base,
                                    FeedDocument& doc, std::vector<pugi::xml_node>& entry_elements,
                                    std::vector<std::string>& repairs, Budget& budget) {
  const pugi::xml_node root = xml.document_element();
  if (!root) return parse_error(input, ErrorCode::not_a_feed, "no document element");
  XmlScope scope(base, &budget.read);
  if (Kind kind = kind_of(scope.name_of(root)); kind != Kind::none) {
    read_document(root, kind, scope, doc, entry_elements);
    return std::nullopt;
  }
  if (pugi::xml_node nested = find_nested_feed(root, scope, 0)) {
    std::vector<pugi::xml_node> ancestors;
    for (pugi::xml_node p = nested.parent(); p && p.type() == pugi::node_element; p = p.parent()) ancestors.push_back(p);
    for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) scope.enter(*it);
    read_document(nested, kind_of(scope.name_of(nested)), scope, doc, entry_elements);
    for (std::size_t i = 0; i < ancestors.size(); ++i) scope.leave();
    repairs.push_back(std::string("xml: feed element <") + nested.name() + "> found inside <" + root.name() + ">");
    return std::nullopt;
  }
  return parse_error(input, ErrorCode::not_a_feed,
                     std::string("document element <") + root.name() + "> is not RSS, RDF, Atom or JSON Feed");
}

// feedparser's per-field fix for UTF-8 that was encoded twice; only for UTF-8 documents.
void repair_double_encoding(FeedDocument& doc, std::vector<std::string>& repairs) {
  int fixed = 0;
  auto fix = [&](std::optional<std::string>& field) {
    if (field && repair_double_encoded_utf8(*field)) ++fixed;
  };
  fix(doc.title);
  for (FeedEntry& entry : doc.entries) {
    fix(entry.title);
    fix(entry.author);
    fix(entry.summary_html);
    fix(entry.content_html);
    for (std::string& category : entry.categories)
      if (repair_double_encoded_utf8(category)) ++fixed;
  }
  if (fixed) repairs.push_back("charset: " + std::to_string(fixed) + " fields were UTF-8 encoded twice; decoded once more");
}

// The slow path for a document that is not well-formed: re-nest its tags and read again,
// keeping only the entries that were complete in the input.
// A local snapshot (file://) says nothing about where its relative links point: resolving
// them against the file would make file:///2025/08/post links. The feed's own absolute self or
// site link (channel <link>, atom:link rel=self/alternate) is where a reader would have
// fetched it from, so it becomes the base; an xml:base in the document still wins.
std::string base_for_snapshot(const pugi::xml_document& xml, const std::string& base, const ParseInput& input) {
  if (!base.starts_with("file://")) return base;
  const auto local_name = [](std::string_view name) {
    const auto colon = name.rfind(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
  };
  const pugi::xml_node root = xml.document_element();
  for (const pugi::xml_node scope : {root, root.child("channel")}) {
    for (const pugi::xml_node child : scope.children()) {
      if (local_name(child.name()) != "link") continue;
      const pugi::xml_attribute href = child.attribute("href");
      const std::string_view rel = child.attribute("rel").value();
      std::string_view url = href ? std::string_view(href.value()) : std::string_view(child.child_value());
      while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front()))) url.remove_prefix(1);
      while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.remove_suffix(1);
      if ((rel.empty() || rel == "self" || rel == "alternate") && is_web_url(url)) return std::string(url);
    }
  }
  // Only relative links in the document: the site the source list names, else the file.
  if (input.site_url && is_web_url(*input.site_url)) return *input.site_url;
  return base;
}

Outcome<FeedDocument> recover(std::string_view bytes, const ParseInput& input, const std::string& base,
                              const pugi::xml_parse_result& first_error, std::vector<std::string> repairs,
                              Budget& budget, std::size_t cut) {
  const std::string error_text =
      "XML error at offset " + std::to_string(first_error.offset) + ": " + first_error.description();
  std::vector<std::string> scratch;  // the in-place parse overwrote the repaired text: rebuild it
  Utf8Document decoded = decode_document(bytes, input.content_type);
  const std::string charset = decoded.charset;
  std::string repaired = repair_xml(std::move(decoded.text), scratch);
  if (cut != std::string::npos) repaired.resize(cut);  // the same cut as the first attempt
  const BalancedXml balanced = balance_tags(repaired);
  std::string().swap(repaired);
  if (budget.deadline.expired_now()) return timeout_error(input, budget);
  pugi::xml_document xml;
  const pugi::xml_parse_result result = xml.load_buffer(balanced.text.data(), balanced.text.size(), kParseFlags, pugi::encoding_utf8);
  if (auto error = check_tree(xml, input, budget)) return *error;
  FeedDocument doc;
  std::vector<pugi::xml_node> entry_elements;
  if (auto error = read_tree(xml, input, base_for_snapshot(xml, base, input), doc, entry_elements, repairs, budget)) {
    if (looks_like_html_page(balanced.text)) return parse_error(input, ErrorCode::not_a_feed, "HTML page (" + error_text + ")");
    if (xml.document_element() && error->code == ErrorCode::not_a_feed) return *error;
    return parse_error(input, ErrorCode::malformed, error_text);
  }
  if (budget.deadline.expired_now()) return timeout_error(input, budget);
  const std::unordered_set<std::ptrdiff_t> cut_off = cut_off_names(balanced);
  std::vector<FeedEntry> complete;
  for (std::size_t i = 0; i < doc.entries.size(); ++i) {
    const bool cut_by_second_error = !result && i + 1 == doc.entries.size();
    if (!cut_off.count(entry_elements[i].offset_debug()) && !cut_by_second_error) complete.push_back(std::move(doc.entries[i]));
  }
  const std::size_t dropped = doc.entries.size() - complete.size();
  doc.entries = std::move(complete);
  if (doc.entries.empty() && cut != std::string::npos)
    return parse_error(input, ErrorCode::too_many_elements,
                       "no entry is complete within the first " + std::to_string(budget.limits.max_nodes) +
                           " nodes (max_nodes)");
  // A feed with no items whose end tags were cut off is still a feed (its channel was read):
  // the same damage is repaired when there are items.
  const bool channel_read = doc.title || doc.link;
  if (doc.entries.empty() && (dropped > 0 || !channel_read)) return parse_error(input, ErrorCode::malformed, error_text);
  repairs.push_back("xml: not well-formed (" + error_text + "); re-nested " + std::to_string(balanced.elements_closed) +
                    " elements, dropped " + std::to_string(balanced.end_tags_dropped) + " stray end tags and " +
                    std::to_string(dropped) + " incomplete entries");
  if (charset == "utf-8" || charset == "windows-1252") repair_double_encoding(doc, repairs);
  note_budget(doc, budget, repairs);
  doc.feed_url = input.feed_url;
  doc.document_url = input.document_url;
  doc.repairs = std::move(repairs);
  return doc;
}

Outcome<FeedDocument> parse_xml(std::string_view bytes, Utf8Document decoded, const ParseInput& input, const std::string& base,
                                Budget& budget) {
  std::vector<std::string> repairs = std::move(decoded.repairs);
  // Mixed-up documents (UTF-8 fields inside a Latin-1 one, UTF-8 encoded twice) come as these.
  const bool utf8 = decoded.charset == "utf-8" || decoded.charset == "windows-1252";
  std::string text = repair_xml(std::move(decoded.text), repairs);
  const MarkupScan scan = scan_markup(text, budget.limits);
  if (scan.too_many_attributes) return parse_error(input, ErrorCode::too_many_attributes, *scan.too_many_attributes);
  if (scan.cut != std::string::npos) {
    text.resize(scan.cut);
    repairs.push_back(cut_note(scan, budget.limits));
  }
  if (budget.deadline.expired_now()) return timeout_error(input, budget);

  pugi::xml_document xml;
  const pugi::xml_parse_result result = xml.load_buffer_inplace(text.data(), text.size(), kParseFlags, pugi::encoding_utf8);
  if (!result) {
    // Free the partial tree and the text first: recovery builds its own (peak memory).
    xml.reset();
    std::string().swap(text);
    return recover(bytes, input, base, result, std::move(repairs), budget, scan.cut);
  }
  if (auto error = check_tree(xml, input, budget)) return *error;

  FeedDocument doc;
  std::vector<pugi::xml_node> entry_elements;
  if (auto error = read_tree(xml, input, base_for_snapshot(xml, base, input), doc, entry_elements, repairs, budget)) return *error;
  if (budget.deadline.expired_now()) return timeout_error(input, budget);
  if (utf8) repair_double_encoding(doc, repairs);
  note_budget(doc, budget, repairs);
  doc.feed_url = input.feed_url;
  doc.document_url = input.document_url;
  doc.repairs = std::move(repairs);
  return doc;
}

Outcome<FeedDocument> parse_any(std::string_view bytes, const ParseInput& input, Budget& budget) {
  if (is_blank(bytes)) return parse_error(input, ErrorCode::empty_body, "document is empty");
  const std::string base = input.document_url.empty() ? input.feed_url : input.document_url;
  std::optional<std::string_view> content_type;
  if (input.content_type) content_type = *input.content_type;
  Utf8Document decoded = decode_document(bytes, content_type);
  const char first = first_significant(decoded.text);
  if (first == '{' || first == '[') {
    if (auto shape = check_json_shape(decoded.text, budget.limits)) return parse_error(input, shape->code, shape->message);
    auto outcome = parse_json_feed(decoded.text, input.feed_url, base, budget.read);
    if (budget.deadline.expired_now()) return timeout_error(input, budget);
    if (auto* doc = std::get_if<FeedDocument>(&outcome)) {
      doc->document_url = input.document_url;
      doc->repairs.insert(doc->repairs.begin(), decoded.repairs.begin(), decoded.repairs.end());
      note_budget(*doc, budget, doc->repairs);
    }
    return outcome;
  }
  if (decoded.text.find('<') == std::string::npos)
    return parse_error(input, ErrorCode::not_a_feed, "neither XML nor JSON (no markup)");
  return parse_xml(bytes, std::move(decoded), input, base, budget);
}

}  // namespace

Outcome<FeedDocument> parse_feed(std::string_view bytes, const ParseInput& input, const ParseLimits& limits,
                                 Deadline* deadline) {
  try {
    std::optional<Deadline> own_deadline;
    if (!deadline) deadline = &own_deadline.emplace(limits.deadline);
    Budget budget{limits, *deadline, ReadBudget{limits.max_entries, limits.max_categories, deadline, 0, 0, limits.max_enclosures, 0}};
    return parse_any(bytes, input, budget);
  } catch (const std::exception& e) {
    // Only resource exhaustion or a bug gets here; the stage contract is "never throws".
    return parse_error(input, ErrorCode::internal, std::string("parser failure: ") + e.what());
  }
}

}  // namespace rssflow
