// libFuzzer target for parse_feed: any bytes, with and without an HTTP charset, must come back
// as a FeedDocument or a StageError (never a crash, hang, leak or sanitizer report).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/feed_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static const rssflow::ParseInput plain{"https://example.com/feed", "https://example.com/dir/feed.xml", std::nullopt};
  static const rssflow::ParseInput with_charset{"https://example.com/feed", "https://example.com/feed",
                                                "text/xml; charset=shift_jis"};
  auto outcome = rssflow::parse_feed(bytes, (size & 1) ? with_charset : plain);
  if (auto* doc = std::get_if<rssflow::FeedDocument>(&outcome)) {
    for (const auto& entry : doc->entries)
      if (entry.link && entry.link->empty()) __builtin_trap();  // links are absent or non-empty
  }
  return 0;
}
