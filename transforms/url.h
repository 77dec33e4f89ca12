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

}  // namespace rssflow
