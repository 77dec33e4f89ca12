// XXH3-128 digests as a value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rssflow {

struct Hash128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  // 32 lower-case hex digits, high word first (the canonical XXH128 representation).
  std::string hex() const;
  friend bool operator==(const Hash128&, const Hash128&) = default;
};

Hash128 xxh3_128(std::string_view bytes);

struct Hash128Hasher {
  std::size_t operator()(const Hash128& h) const noexcept { return static_cast<std::size_t>(h.low ^ (h.high * 0x9E3779B97F4A7C15ull)); }
};

}  // namespace rssflow
