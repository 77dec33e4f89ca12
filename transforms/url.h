// The one URL module: resolution and canonicalisation of links (RFC 3986), and where a source
// URL points (libcurl's URL API, the parser curl itself connects with). Every component that
// needs a URL's host, port or canonical form asks here, so the OPML duplicate check, the shard
// key, the per-host politeness queue and the connection check can never disagree.
// Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rssflow {

// Resolves ref against an absolute base URL (RFC 3986 section 5). An absolute ref is returned
// as is (trimmed). Returns nullopt when ref is empty/blank or base is not absolute and ref is
// relative.
std::optional<std::string> resolve_url(std::string_view base, std::string_view ref);

// Canonical form used for identity and hashing: lower-case scheme and host, default port
// dropped, empty path -> "/", fragment dropped, tracking parameters (utm_*, fbclid, gclid,
// mc_cid, mc_eid, ...) removed. Anything that is not an absolute http(s) URL is returned
// trimmed but otherwise unchanged.
std::string canonicalize_url(std::string_view url);

// canonicalize_url, but keeping a fragment that may name one entry of a page holding several
// (daily pages: "/2017/06/26.html#a080605", comment feeds: "#comment-123"), percent-normalised
// and cut at a '?' or '&' appended to it. Dropped as before: fragments that are tracking
// (containing '=', starting with '.' or "tk.") or a page section ("comments", "respond", "more",
// "more-123", "disqus_thread", "top", "content", "main", "read-more", "continue-reading").
// This is the form hashed for url_hash (transforms/IDENTITY.md); anything that is not an
// absolute http(s) URL is returned trimmed but otherwise unchanged.
std::string canonicalize_url_for_identity(std::string_view url);

// Percent-encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and
// those listed in also_keep (e.g. "/" for a path); upper-case hex. NUL is always encoded.
std::string percent_encode(std::string_view text, std::string_view also_keep = {});

// text with %XX escapes decoded. nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

// An absolute http(s) or file URL as libcurl parses it. Host spellings are normalised the way
// curl connects to them: "0x7f000001", "127.1" and "017700000001" are all "127.0.0.1"; port
// "018081" is 18081; "/a/./b/../c" is "/a/c".
struct UrlLocation {
  std::string scheme;         // lower-case: "http", "https" or "file"
  std::string host;           // lower-case, IPv6 in brackets, no zone; "" for file:///path
  int port = 0;               // explicit or the scheme's default (80, 443); 0 for file
  std::string path;           // dot segments removed, escapes as written; http(s): at least "/"
  std::string query;          // without the '?'; "" when absent
  std::string userinfo;       // "user:password" as written (still %-encoded); "" when absent
};

// Parses url (surrounding whitespace trimmed). nullopt for another scheme, a relative
// reference, a malformed URL (bad port, bad host) or http(s) without a host.
std::optional<UrlLocation> locate_url(std::string_view url);

// "host:port" (e.g. "example.com:443", "[::1]:8080"): the per-host politeness key. The shard
// key is the host alone (all ports of one host in one shard).
std::string host_key(const UrlLocation& location);

// The form sources are compared in for duplicates: canonicalize_url of
// scheme://host[:non-default port]/path[?query], so userinfo, fragment, dot segments, default
// port, tracking parameters and IPv4/port spellings do not matter. file URLs: "file://" + the
// %-decoded path encoded again as file_url_for_path does. Anything locate_url rejects is
// returned trimmed.
std::string canonical_source_url(std::string_view url);
// The same for a URL already located (`location` is locate_url(url)): one parse instead of two.
std::string canonical_source_url(const UrlLocation& location);

// url with any "user[:password]@" of its authority removed: the form every URL takes when it
// leaves the process (logs, reports, state files, stored rows, metric labels). Works on text
// curl would reject too; a URL without an authority is returned unchanged.
std::string without_userinfo(std::string_view url);

// True for an absolute http:// or https:// URL with a host that locate_url accepts: the only
// URLs an article may link to (javascript:, data:, file: and the like are dropped).
bool is_web_url(std::string_view url);

}  // namespace rssflow
