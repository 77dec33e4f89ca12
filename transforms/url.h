// URL resolution and canonicalisation (RFC 3986), pure and thread-safe.
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

}  // namespace rssflow
