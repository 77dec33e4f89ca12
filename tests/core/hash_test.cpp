#include "core/hash.h"

#include <gtest/gtest.h>

namespace rssflow {
namespace {

TEST(Hash128, HexIsCanonicalXxh3OfEmptyInput) {
  // Reference value from `xxhsum -H2` of an empty file.
  EXPECT_EQ(xxh3_128("").hex(), "99aa06d3014798d86001c324468d497f");
}

TEST(Hash128, DifferentInputsGiveDifferentDigests) {
  EXPECT_NE(xxh3_128("https://a.example/1"), xxh3_128("https://a.example/2"));
  EXPECT_EQ(xxh3_128("same"), xxh3_128("same"));
}

}  // namespace
}  // namespace rssflow
