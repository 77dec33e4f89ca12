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

namespace rssflow {
namespace {

// Pieces of any size, across XXH3's internal 256-byte stripes and 1 KiB blocks, hash as the
// whole; reset() starts over.
TEST(Xxh3Stream, PiecesHashAsTheWhole) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>('a' + (i * 7) % 26);
  for (const std::size_t piece : {std::size_t{1}, std::size_t{17}, std::size_t{256}, std::size_t{1000}, text.size()}) {
    Xxh3Stream stream;
    stream.update("stale bytes of an earlier response");
    stream.reset();
    for (std::size_t at = 0; at < text.size(); at += piece) stream.update(std::string_view(text).substr(at, piece));
    EXPECT_EQ(stream.digest(), xxh3_128(text)) << piece;
  }
  EXPECT_EQ(Xxh3Stream().digest(), xxh3_128(""));
}

}  // namespace
}  // namespace rssflow
