#include "sources/opml.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "core/ascii.h"
#include "sources/fetch_schedule.h"
#include "transforms/url.h"

#include <pugixml.hpp>

namespace rssflow {
namespace {


std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// Exporters disagree on attribute case (xmlUrl, xmlurl, XMLURL).
pugi::xml_attribute attribute(const pugi::xml_node& node, std::string_view name) {
  for (const pugi::xml_attribute& a : node.attributes()) {
    if (ascii_iequals(a.name(), name)) return a;
  }
  return {};
}

std::string outline_name(const pugi::xml_node& outline) {
  std::string_view name = ascii_trim(attribute(outline, "text").value());
  if (name.empty()) name = ascii_trim(attribute(outline, "title").value());
  return std::string(name);
}

class LineIndex {
 public:
  explicit LineIndex(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] == '\n') newlines_.push_back(static_cast<std::ptrdiff_t>(i));
    }
  }
  // 1-based line of a byte offset; 0 when pugixml could not tell (offset < 0).
  int line_at(std::ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const auto it = std::lower_bound(newlines_.begin(), newlines_.end(), offset);
    return static_cast<int>(std::distance(newlines_.begin(), it)) + 1;
  }

 private:
  std::vector<std::ptrdiff_t> newlines_;
};

bool has_space_or_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

// RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
std::optional<std::string_view> scheme_of(std::string_view url) {
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view scheme = url.substr(0, colon);
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!is_alpha(scheme.front())) return std::nullopt;
  for (char c : scheme) {
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  return scheme;
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return host.back() == ']' && host.size() > 2;  // IPv6 literal
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '%';
  });
}

struct CheckedUrl {
  std::string url;         // usable URL when why is empty
  std::string why;         // reason for rejection
  std::string identity;    // what duplicates are compared on
  std::string userinfo;    // credentials taken out of url
};

CheckedUrl check_url(std::string_view raw, const std::filesystem::path& base_dir) {
  CheckedUrl out;
  const std::string_view url = ascii_trim(raw);
  if (url.empty()) {
    out.why = "empty xmlUrl";
    return out;
  }
  if (has_space_or_control(url)) {
    out.why = "URL contains whitespace or control characters";
    return out;
  }
  const auto scheme = scheme_of(url);
  if (!scheme) {
    // Not absolute: a path relative to the OPML file (how the offline snapshot is written).
    if (url.starts_with("//")) {
      out.why = "scheme-relative URL; write http:// or https://";
    } else if (url.front() == '|' || url.front() == '~') {
      out.why = "not a URL or relative path (commands and ~ are not supported)";
    } else if (url.find_first_of("?#") != std::string_view::npos) {
      out.why = "relative path with '?' or '#' (write them as %3F and %23)";
    } else if (const auto decoded = percent_decode(url); !decoded) {
      out.why = "relative path with a bad %-escape";
    } else {
      // A relative reference like any other: %-escapes are decoded, then the file URL is
      // encoded again, so "my%20feed.xml" names the file "my feed.xml".
      const auto path = (base_dir / std::filesystem::path(*decoded)).lexically_normal();
      out.url = file_url_for_path(path);
      out.identity = out.url;
    }
    return out;
  }
  const std::string scheme_lower = lower(*scheme);
  if (scheme_lower != "http" && scheme_lower != "https" && scheme_lower != "file") {
    out.why = "unsupported scheme '" + std::string(*scheme) + "' (http, https or file)";
    return out;
  }
  const std::string_view after_scheme = url.substr(scheme->size() + 1);
  if (scheme_lower != "file" && after_scheme.starts_with("//") &&
      (after_scheme.size() == 2 || after_scheme.find_first_of("/?#", 2) == 2)) {
    out.why = "URL has no host";
    return out;
  }
  if (scheme_lower == "file" && after_scheme.starts_with("//")) {
    const std::string_view host = after_scheme.substr(2, after_scheme.find('/', 2) - 2);
    if (!host.empty() && lower(host) != "localhost") {
      out.why = "file URL with a remote host '" + std::string(host) + "'";
      return out;
    }
  }
  const auto location = locate_url(url);
  if (!location || !after_scheme.starts_with("//")) {
    out.why = "not an absolute URL (expected " + scheme_lower + "://...)";
    return out;
  }
  if (scheme_lower == "file") {
    if (location->path.empty() || location->path == "/") {
      out.why = "file URL without a path";
      return out;
    }
  } else if (!valid_host(location->host)) {
    out.why = "invalid host '" + location->host + "'";
    return out;
  }
  // Credentials never travel inside the URL: logs, reports, state and stored rows show it.
  out.url = without_userinfo(url);
  out.userinfo = location->userinfo;
  // Spellings of one URL (case, default or zero-padded port, numeric IPv4 forms, dot segments,
  // fragment, credentials) are one source.
  out.identity = canonical_source_url(*location);
  return out;
}

void append_categories(std::vector<std::string>& categories, std::string_view attribute_value) {
  std::size_t start = 0;
  while (start <= attribute_value.size()) {
    const auto end = attribute_value.find_first_of(",/", start);
    const auto piece = ascii_trim(attribute_value.substr(start, end == std::string_view::npos ? end : end - start));
    if (!piece.empty() && std::find(categories.begin(), categories.end(), piece) == categories.end()) {
      categories.emplace_back(piece);
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
}

// Walks <body> in document order without recursion (hostile files may nest deeply), keeping
// the names of enclosing outlines by depth.
class OutlineWalker : public pugi::xml_tree_walker {
 public:
  OutlineWalker(const LineIndex& lines, const std::filesystem::path& base_dir)
      : lines_(lines), base_dir_(base_dir) {}

  bool for_each(pugi::xml_node& node) override {
    const auto level = static_cast<std::size_t>(depth());
    path_.resize(level);
    if (node.type() != pugi::node_element || !ascii_iequals(node.name(), "outline")) {
      path_.emplace_back();
      return true;
    }
    visit(node);
    path_.push_back(outline_name(node));
    return true;
  }

  SourceList take() { return std::move(result_); }

 private:
  void visit(const pugi::xml_node& outline) {
    const int line = lines_.line_at(outline.offset_debug());
    const std::string_view type = ascii_trim(attribute(outline, "type").value());
    const pugi::xml_attribute xml_url = attribute(outline, "xmlUrl");
    if (ascii_iequals(type, "include")) {
      reject(ascii_trim(attribute(outline, "url").value()), line, "OPML inclusion (type=\"include\") is not supported");
      return;
    }
    if (!xml_url) return;
    const bool feed_type = ascii_iequals(type, "rss") || ascii_iequals(type, "atom") || ascii_iequals(type, "feed");
    if (ascii_trim(xml_url.value()).empty() && !feed_type) return;  // a folder some exporters give xmlUrl=""

    CheckedUrl checked = check_url(xml_url.value(), base_dir_);
    if (!checked.why.empty()) {
      reject(ascii_trim(xml_url.value()), line, checked.why);
      return;
    }
    const auto [seen, inserted] = first_line_by_identity_.emplace(checked.identity, line);
    if (!inserted) {
      reject(checked.url, line, "duplicate of the feed on line " + std::to_string(seen->second));
      return;
    }
    Source source;
    if (const std::string_view interval = ascii_trim(attribute(outline, "minInterval").value()); !interval.empty()) {
      source.min_interval = parse_interval(interval);
      if (!source.min_interval) {
        reject(checked.url, line, "minInterval=\"" + std::string(interval) + "\" is not a duration like 30m, 2h or 1d");
        return;
      }
    }
    source.url = std::move(checked.url);
    source.userinfo = std::move(checked.userinfo);
    source.title = outline_name(outline);
    for (const std::string& name : path_) {
      if (!name.empty() && std::find(source.categories.begin(), source.categories.end(), name) == source.categories.end()) {
        source.categories.push_back(name);
      }
    }
    append_categories(source.categories, attribute(outline, "category").value());
    // The site is stored (feeds.site_url) and is a base for links: http(s) only, no credentials.
    if (const std::string_view site = ascii_trim(attribute(outline, "htmlUrl").value()); is_web_url(site))
      source.html_url = without_userinfo(site);
    source.line = line;
    result_.sources.push_back(std::move(source));
  }

  void reject(std::string_view url, int line, std::string why) {
    result_.errors.push_back(StageError{Stage::sources, without_userinfo(url), ErrorCode::invalid_source,
                                        "line " + std::to_string(line) + ": " + std::move(why)});
  }

  const LineIndex& lines_;
  const std::filesystem::path& base_dir_;
  std::vector<std::string> path_;
  std::unordered_map<std::string, int> first_line_by_identity_;
  SourceList result_;
};

}  // namespace

SourceList read_opml_buffer(std::string_view bytes, const std::filesystem::path& base_dir, std::string_view name) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(bytes.data(), bytes.size(), pugi::parse_default);
  const LineIndex lines(bytes);
  if (!parsed) {
    std::ostringstream message;
    message << name << ": not well-formed XML: " << parsed.description() << " at line "
            << lines.line_at(parsed.offset) << " (offset " << parsed.offset << ")";
    throw std::runtime_error(message.str());
  }
  const pugi::xml_node root = document.document_element();
  if (!ascii_iequals(root.name(), "opml")) {
    throw std::runtime_error(std::string(name) + ": not OPML: the root element is <" + root.name() +
                             ">, expected <opml>");
  }
  pugi::xml_node body;
  for (const pugi::xml_node& child : root.children()) {
    if (child.type() == pugi::node_element && ascii_iequals(child.name(), "body")) {
      body = child;
      break;
    }
  }
  if (!body) throw std::runtime_error(std::string(name) + ": not OPML: <opml> has no <body>");

  OutlineWalker walker(lines, base_dir);
  body.traverse(walker);
  return walker.take();
}

SourceList read_opml(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw std::runtime_error("cannot read " + file.string() + ": is a directory");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
  // Read in chunks up to the cap: /dev/zero or a runaway file must not grow memory without bound.
  std::string bytes;
  std::vector<char> chunk(1 << 16);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    bytes.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > kMaxOpmlBytes)
      throw std::runtime_error("cannot read " + file.string() + ": larger than " + std::to_string(kMaxOpmlBytes >> 20) +
                               " MiB; no source list is that big");
  }
  if (in.bad()) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
  std::filesystem::path absolute = std::filesystem::absolute(file, ec);
  if (ec) absolute = file;
  return read_opml_buffer(bytes, absolute.parent_path(), file.string());
}

std::string file_url_for_path(const std::filesystem::path& path) {
  const std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
  return "file://" + percent_encode(absolute, "/!$&'()*+,;=:@");
}

}  // namespace rssflow
