// HTTP content codings of a feed body, decoded by rssflow rather than by libcurl: the fetcher
// hashes the body as it arrived, so an unchanged compressed body is recognised without being
// inflated (a 200 that repeats the last body costs the transfer and a hash, no more).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rssflow {

enum class ContentCoding { gzip, deflate };

// What the request offers in Accept-Encoding: the codings decode_body() reads.
inline constexpr const char* kAcceptedContentCodings = "gzip, deflate";

// The codings of a Content-Encoding header value, in the order the server applied them
// ("identity" and an absent or empty header: none; "x-gzip" is gzip). A coding this cannot
// decode (br, zstd, compress...) is returned by name as the error.
std::variant<std::vector<ContentCoding>, std::string> parse_content_encoding(std::optional<std::string_view> header);

struct DecodeFailure {
  bool too_large = false;  // the decoded body would exceed max_bytes (a decompression bomb)
  std::string message;
};

// More stacked codings than this are refused (as libcurl refuses them): each layer may inflate
// up to the cap, so a header listing thousands would multiply one body's cost by thousands.
inline constexpr std::size_t kMaxStackedCodings = 5;

// Undoes `codings` on `raw`, last applied first, producing at most max_bytes. gzip accepts
// several concatenated members and a zlib stream; deflate accepts a zlib stream or raw deflate
// (servers send both). Truncated or corrupt data is a failure, never a partial body. Time and
// memory are linear in the output, which max_bytes bounds.
std::variant<std::string, DecodeFailure> decode_body(std::string_view raw, const std::vector<ContentCoding>& codings,
                                                     std::size_t max_bytes);

}  // namespace rssflow
