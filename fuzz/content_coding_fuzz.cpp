// libFuzzer target for decode_body (sources/content_coding.h): the first byte picks the codings
// (gzip, deflate, or two stacked), the rest is the body as a server sent it. Checks the cap and
// that a success is never larger than it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>
#include <vector>

#include "sources/content_coding.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using rssflow::ContentCoding;
  static const std::vector<ContentCoding> kChoices[] = {
      {ContentCoding::gzip}, {ContentCoding::deflate}, {ContentCoding::deflate, ContentCoding::gzip}};
  const auto& codings = kChoices[data[0] % 3];
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::size_t kCap = 1 << 20;
  const auto result = rssflow::decode_body(raw, codings, kCap);
  if (const auto* body = std::get_if<std::string>(&result); body && body->size() > kCap) std::abort();
  return 0;
}
