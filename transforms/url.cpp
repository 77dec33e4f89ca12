#include "transforms/url.h"

#include "core/ascii.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace rssflow {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Feeds carry links with surrounding whitespace and line breaks inside (wrapped XML text);
// like WHATWG URL parsing, trim the ends and drop embedded tab/CR/LF.
std::string clean_input(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

// RFC 3986 Appendix B split. Views point into the parsed string.
struct UrlParts {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

UrlParts split_url(std::string_view s) {
  UrlParts parts;
  // A scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':' before any of "/?#".
  if (!s.empty() && is_alpha(s[0])) {
    std::size_t i = 1;
    while (i < s.size() && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
    if (i < s.size() && s[i] == ':') {
      parts.scheme = s.substr(0, i);
      s.remove_prefix(i + 1);
    }
  }
  if (s.size() >= 2 && s[0] == '/' && s[1] == '/') {
    const std::size_t end = s.find_first_of("/?#", 2);
    parts.authority = s.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  }
  const std::size_t hash = s.find('#');
  if (hash != std::string_view::npos) {
    parts.fragment = s.substr(hash + 1);
    s = s.substr(0, hash);
  }
  const std::size_t question = s.find('?');
  if (question != std::string_view::npos) {
    parts.query = s.substr(question + 1);
    s = s.substr(0, question);
  }
  parts.path = s;
  return parts;
}

// Removes the last segment of out and its preceding "/" (RFC 3986 5.2.4, step 2C).
void pop_last_segment(std::string& out) {
  const std::size_t slash = out.rfind('/');
  out.erase(slash == std::string::npos ? 0 : slash);
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  static constexpr std::string_view kSlash = "/";
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = kSlash;
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      pop_last_segment(out);
    } else if (in == "/..") {
      in = kSlash;
      pop_last_segment(out);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t next = in.find('/', 1);
      const std::size_t len = next == std::string_view::npos ? in.size() : next;
      out.append(in.substr(0, len));
      in.remove_prefix(len);
    }
  }
  return out;
}

// RFC 3986 section 5.2.3.
std::string merge_paths(const UrlParts& base, std::string_view ref_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(ref_path);
  const std::size_t slash = base.path.rfind('/');
  if (slash == std::string_view::npos) return std::string(ref_path);
  std::string merged(base.path.substr(0, slash + 1));
  merged.append(ref_path);
  return merged;
}

// RFC 3986 section 5.3.
std::string recompose(std::optional<std::string_view> scheme, std::optional<std::string_view> authority,
                      std::string_view path, std::optional<std::string_view> query,
                      std::optional<std::string_view> fragment) {
  std::string out;
  out.reserve(path.size() + 64);
  if (scheme) out.append(*scheme).push_back(':');
  if (authority) out.append("//").append(*authority);
  out.append(path);
  if (query) out.append("?").append(*query);
  if (fragment) out.append("#").append(*fragment);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return is_alpha(static_cast<char>(c)) || is_digit(static_cast<char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Bytes that may not appear literally in a path or query: controls, space, non-ASCII and the
// characters RFC 3986 excludes. Encoding them (and decoding only unreserved escapes) makes
// "a b", "a%20b" and "a%20b" with lower-case hex all map to one form.
bool needs_encoding(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return true;
  switch (c) {
    case '"': case '<': case '>': case '\\': case '^': case '`': case '{': case '|': case '}':
      return true;
    default:
      return false;
  }
}

// RFC 3986 6.2.2.1-2: upper-case hex in escapes, unreserved characters decoded.
void append_normalised_escapes(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        out.append("%25");  // a stray '%' is a literal percent sign
        continue;
      }
      const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
      if (is_unreserved(decoded)) {
        out.push_back(static_cast<char>(decoded));
      } else {
        out.push_back('%');
        out.push_back(kHex[hi]);
        out.push_back(kHex[lo]);
      }
      i += 2;
    } else if (needs_encoding(c)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

// Click identifiers and campaign tags that analytics tools append to shared links. They never
// select a different document, so two links differing only in them are the same article.
bool is_tracking_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 30> kExact = {
      "fbclid",   "gclid",    "dclid",         "gbraid",     "wbraid",   "msclkid",    "mc_cid",   "mc_eid",
      "_hsenc",   "_hsmi",    "__hstc",        "__hssc",     "__hsfp",   "hsctatracking", "igshid", "yclid",
      "ref_src",  "ref_url",  "_ga",           "_gl",        "mkt_tok",  "oly_anon_id", "oly_enc_id", "rb_clickid",
      "s_cid",    "vero_conv", "vero_id",      "twclid",     "ttclid",   "li_fat_id"};
  if (name.size() > 4 && ascii_iequals(name.substr(0, 4), "utm_")) return true;
  for (std::string_view tracked : kExact) {
    if (ascii_iequals(name, tracked)) return true;
  }
  return false;
}

// Drops tracking parameters and empty pairs, keeps the order of the rest.
std::string canonical_query(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    std::string name;
    append_normalised_escapes(name, pair.substr(0, pair.find('=')));
    if (is_tracking_parameter(name)) continue;
    if (!out.empty()) out.push_back('&');
    append_normalised_escapes(out, pair);
  }
  return out;
}

// Four decimal parts of 0-255 without leading zeros: already how libcurl writes the address.
bool is_dotted_quad(std::string_view host) {
  int parts = 0;
  while (true) {
    const std::size_t dot = std::min(host.find('.'), host.size());
    const std::string_view part = host.substr(0, dot);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) return false;
    int value = 0;
    for (char c : part) {
      if (!is_digit(c)) return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255 || ++parts > 4) return false;
    if (dot == host.size()) return parts == 4;
    host.remove_prefix(dot + 1);
  }
}

// A host that curl may read as a number ("0x7f000001", "127.1", "017700000001") rather than a
// name; only these pay for a libcurl parse.
bool may_be_numeric_host(std::string_view host) {
  if (host.empty() || !is_digit(host.front()) || is_dotted_quad(host)) return false;
  for (char c : host) {
    const char l = ascii_lower(c);
    if (!is_digit(l) && l != '.' && l != 'x' && !(l >= 'a' && l <= 'f')) return false;
  }
  return true;
}

// host:port with host lower-cased (ASCII only: IDN labels stay as written), IPv4 spellings
// normalised as libcurl connects to them (locate_url), the scheme's default port (or an empty
// port) dropped. Userinfo is dropped: credentials never name a different document and must
// not be stored.
std::string canonical_authority(std::string_view authority, bool https) {
  std::string out;
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  // The port follows the last ':' unless that ':' is inside an IPv6 literal.
  std::string_view host = authority;
  std::string_view port;
  const std::size_t colon = authority.rfind(':');
  const std::size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  const auto numeric = may_be_numeric_host(host) ? locate_url("http://" + std::string(host) + "/") : std::nullopt;
  for (char c : numeric ? std::string_view(numeric->host) : host) out.push_back(ascii_lower(c));
  bool all_digits = true;
  for (char c : port) all_digits = all_digits && is_digit(c);
  if (all_digits) {
    while (port.size() > 1 && port.front() == '0') port.remove_prefix(1);
    if (port.empty() || port == (https ? "443" : "80")) return out;
  }
  out.push_back(':');
  out.append(port);
  return out;
}

// Fragments that select a section of any page, or carry tracking, rather than name an entry.
bool is_noise_fragment(std::string_view fragment) {
  static constexpr std::array<std::string_view, 10> kSections = {
      "comments", "respond", "more", "disqus_thread", "top", "content", "main", "read-more", "continue-reading", "comment-form"};
  if (fragment.empty() || fragment.find('=') != std::string_view::npos) return true;
  if (fragment.front() == '.' || fragment.starts_with("tk.")) return true;  // AddThis "#.Vt1x", IDG "#tk.rss_all"
  for (std::string_view section : kSections) {
    if (ascii_iequals(fragment, section)) return true;
  }
  if (fragment.size() > 5 && ascii_iequals(fragment.substr(0, 5), "more-")) {
    bool digits = true;
    for (char c : fragment.substr(5)) digits = digits && is_digit(c);
    if (digits) return true;  // WordPress "read more" anchor
  }
  return false;
}

}  // namespace

std::optional<std::string> resolve_url(std::string_view base_text, std::string_view ref_text) {
  const std::string ref_clean = clean_input(ref_text);
  if (ref_clean.empty()) return std::nullopt;
  const UrlParts ref = split_url(ref_clean);
  if (ref.scheme) return ref_clean;

  const std::string base_clean = clean_input(base_text);
  const UrlParts base = split_url(base_clean);
  if (!base.scheme) return std::nullopt;

  // RFC 3986 section 5.2.2 (strict: a ref with a scheme was handled above).
  std::optional<std::string_view> authority;
  std::string path;
  std::optional<std::string_view> query;
  if (ref.authority) {
    authority = ref.authority;
    path = remove_dot_segments(ref.path);
    query = ref.query;
  } else {
    authority = base.authority;
    if (ref.path.empty()) {
      path = std::string(base.path);
      query = ref.query ? ref.query : base.query;
    } else {
      path = ref.path.front() == '/' ? remove_dot_segments(ref.path) : remove_dot_segments(merge_paths(base, ref.path));
      query = ref.query;
    }
  }
  return recompose(base.scheme, authority, path, query, ref.fragment);
}

namespace {

std::string canonicalize(std::string_view url_text, bool keep_entry_fragment) {
  const std::string url = clean_input(url_text);
  const UrlParts parts = split_url(url);
  if (!parts.scheme || !parts.authority) return url;
  const bool https = ascii_iequals(*parts.scheme, "https");
  if (!https && !ascii_iequals(*parts.scheme, "http")) return url;

  std::string out = https ? "https://" : "http://";
  out.append(canonical_authority(*parts.authority, https));
  std::string path;
  append_normalised_escapes(path, parts.path);
  path = remove_dot_segments(path);
  out.append(path.empty() ? "/" : path);
  if (parts.query) {
    const std::string query = canonical_query(*parts.query);
    if (!query.empty()) out.append("?").append(query);
  }
  if (keep_entry_fragment && parts.fragment) {
    std::string_view fragment = *parts.fragment;
    fragment = fragment.substr(0, fragment.find_first_of("?&"));
    std::string normalised;
    append_normalised_escapes(normalised, fragment);
    if (!is_noise_fragment(normalised)) out.append("#").append(normalised);
  }
  return out;
}

}  // namespace

std::string canonicalize_url(std::string_view url_text) { return canonicalize(url_text, false); }

std::string canonicalize_url_for_identity(std::string_view url_text) { return canonicalize(url_text, true); }

std::string percent_encode(std::string_view text, std::string_view also_keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (u != 0 && (unreserved || also_keep.find(c) != std::string_view::npos)) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

}  // namespace rssflow
