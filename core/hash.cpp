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

struct Xxh3Stream::State {
  XXH3_state_t xxh;  // 64-byte aligned: allocated by new, which honours it
};

Xxh3Stream::Xxh3Stream() : state_(std::make_unique<State>()) { reset(); }
Xxh3Stream::~Xxh3Stream() = default;
void Xxh3Stream::reset() { XXH3_128bits_reset(&state_->xxh); }
void Xxh3Stream::update(std::string_view bytes) { XXH3_128bits_update(&state_->xxh, bytes.data(), bytes.size()); }
Hash128 Xxh3Stream::digest() const {
  const XXH128_hash_t h = XXH3_128bits_digest(&state_->xxh);
  return Hash128{h.high64, h.low64};
}

Hash128 xxh3_128(std::string_view bytes) {
  // Canonical form is big-endian high64 then low64, which is what hex() prints.
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Hash128{h.high64, h.low64};
}

}  // namespace rssflow
