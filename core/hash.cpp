#include "core/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace rssflow {

std::string Hash128::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = kDigits[(high >> (4 * i)) & 0xF];
    out[31 - i] = kDigits[(low >> (4 * i)) & 0xF];
  }
  return out;
}

Hash128 xxh3_128(std::string_view bytes) {
  // Canonical form is big-endian high64 then low64, which is what hex() prints.
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Hash128{h.high64, h.low64};
}

}  // namespace rssflow
