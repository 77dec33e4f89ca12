// libFuzzer target for strip_html, decode_entities and truncate_at_word. Besides memory and UB
// errors (ASan/UBSan), it checks the output contract: valid UTF-8, whitespace folded and
// trimmed, truncation within its byte budget on a code point boundary.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "transforms/strip_html.h"

namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (c < 0x80) length = 1;
    else if (c >= 0xC2 && c <= 0xDF) length = 2;
    else if (c >= 0xE0 && c <= 0xEF) length = 3, low = c == 0xE0 ? 0xA0 : 0x80, high = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) length = 4, low = c == 0xF0 ? 0x90 : 0x80, high = c == 0xF4 ? 0x8F : 0xBF;
    else return false;
    if (i + length > s.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < low || b > high) return false;
      low = 0x80, high = 0xBF;
    }
    i += length;
  }
  return true;
}

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const std::string text = rssflow::strip_html(input);
  require(valid_utf8(text));
  require(text.find("  ") == std::string::npos && text.find("\n\n\n") == std::string::npos);
  require(text.find(" \n") == std::string::npos && text.find("\n ") == std::string::npos);
  if (!text.empty()) {
    require(text.front() != ' ' && text.front() != '\n' && text.back() != ' ' && text.back() != '\n');
  }

  require(valid_utf8(rssflow::decode_entities(input)));

  const std::size_t budget = size == 0 ? 0 : data[0];
  const std::string cut = rssflow::truncate_at_word(text, budget);
  require(cut.size() <= budget || cut == text);
  require(valid_utf8(cut));
  return 0;
}
