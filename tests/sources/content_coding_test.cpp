#include "sources/content_coding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace rssflow {
namespace {

// window_bits as deflateInit2 takes them: 15 zlib, 15 + 16 gzip, -15 raw deflate.
std::string compress(const std::string& text, int window_bits) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, text.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = static_cast<uInt>(text.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}
std::string gzip(const std::string& text) { return compress(text, 15 + 16); }

std::string feed_text() {
  std::string text = "<?xml version=\"1.0\"?><rss><channel>";
  for (int i = 0; i < 500; ++i) text += "<item><title>Entry " + std::to_string(i) + "</title></item>";
  return text + "</channel></rss>";
}

std::string decoded(const std::string& raw, const std::vector<ContentCoding>& codings, std::size_t cap = 1 << 20) {
  auto result = decode_body(raw, codings, cap);
  if (const auto* failure = std::get_if<DecodeFailure>(&result)) {
    ADD_FAILURE() << failure->message;
    return "";
  }
  return std::get<std::string>(result);
}

DecodeFailure failure_of(const std::string& raw, const std::vector<ContentCoding>& codings, std::size_t cap = 1 << 20) {
  auto result = decode_body(raw, codings, cap);
  if (!std::holds_alternative<DecodeFailure>(result)) {
    ADD_FAILURE() << "decoded " << std::get<std::string>(result).size() << " bytes";
    return {};
  }
  return std::get<DecodeFailure>(result);
}

TEST(ContentCoding, ParsesTheHeaderIntoCodingsInTheOrderApplied) {
  using List = std::vector<ContentCoding>;
  const auto list = [](std::optional<std::string_view> header) { return std::get<List>(parse_content_encoding(header)); };
  EXPECT_TRUE(list(std::nullopt).empty());
  EXPECT_TRUE(list("").empty());
  EXPECT_TRUE(list(" identity ").empty());
  EXPECT_EQ(list("gzip"), List{ContentCoding::gzip});
  EXPECT_EQ(list("X-GZip"), List{ContentCoding::gzip});
  EXPECT_EQ(list("Deflate"), List{ContentCoding::deflate});
  EXPECT_EQ(list("deflate, gzip"), (List{ContentCoding::deflate, ContentCoding::gzip}));
  EXPECT_EQ(std::get<std::string>(parse_content_encoding("br")), "br");
  EXPECT_EQ(std::get<std::string>(parse_content_encoding("gzip, zstd")), "zstd");
}

TEST(ContentCoding, DecodesGzipZlibAndRawDeflate) {
  const std::string text = feed_text();
  EXPECT_EQ(decoded(gzip(text), {ContentCoding::gzip}), text);
  EXPECT_EQ(decoded(compress(text, 15), {ContentCoding::gzip}), text) << "a zlib stream labelled gzip";
  EXPECT_EQ(decoded(compress(text, 15), {ContentCoding::deflate}), text);
  EXPECT_EQ(decoded(compress(text, -15), {ContentCoding::deflate}), text) << "raw deflate labelled deflate";
  EXPECT_EQ(decoded(text, {}), text);
}

TEST(ContentCoding, ReadsConcatenatedGzipMembersAndIgnoresTrailingBytes) {
  EXPECT_EQ(decoded(gzip("first half, ") + gzip("second half"), {ContentCoding::gzip}), "first half, second half");
  EXPECT_EQ(decoded(gzip("whole") + std::string(7, '\0'), {ContentCoding::gzip}), "whole");
}

TEST(ContentCoding, UndoesStackedCodingsLastAppliedFirst) {
  const std::string text = feed_text();
  EXPECT_EQ(decoded(gzip(compress(text, 15)), {ContentCoding::deflate, ContentCoding::gzip}), text);
}

// Each layer may inflate up to the cap: a header that stacks thousands of codings must not
// multiply the work, so more than kMaxStackedCodings is refused before any is undone.
TEST(ContentCoding, MoreStackedCodingsThanTheLimitAreRefused) {
  std::string packed = "<rss/>";
  std::vector<ContentCoding> codings;
  for (std::size_t i = 0; i < kMaxStackedCodings; ++i) {
    packed = gzip(packed);
    codings.push_back(ContentCoding::gzip);
  }
  EXPECT_EQ(decoded(packed, codings), "<rss/>");
  const std::vector<ContentCoding> thousands(20000, ContentCoding::gzip);
  const DecodeFailure refused = failure_of(gzip(packed), thousands);
  EXPECT_FALSE(refused.too_large);
  EXPECT_NE(refused.message.find("more than 5 stacked content codings (20000)"), std::string::npos) << refused.message;
}

TEST(ContentCoding, TruncatedOrCorruptDataIsAFailureNeverAPartialBody) {
  const std::string packed = gzip(feed_text());
  const DecodeFailure truncated = failure_of(packed.substr(0, packed.size() / 2), {ContentCoding::gzip});
  EXPECT_FALSE(truncated.too_large);
  EXPECT_NE(truncated.message.find("truncated"), std::string::npos) << truncated.message;

  std::string corrupt = packed;
  for (std::size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
  const DecodeFailure broken = failure_of(corrupt, {ContentCoding::gzip});
  EXPECT_FALSE(broken.too_large);
  EXPECT_NE(broken.message.find("corrupt"), std::string::npos) << broken.message;

  EXPECT_FALSE(failure_of("not deflate at all, not even raw", {ContentCoding::deflate}).too_large);
  EXPECT_FALSE(failure_of("", {ContentCoding::gzip}).too_large);
}

// A 32 MiB body of zeros packs into ~32 KB: decoding stops at the cap, having produced at most
// the cap and one growth step, whatever the packed body claims.
TEST(ContentCoding, ABombStopsAtTheCapAndABodyOfExactlyTheCapPasses) {
  const std::string zeros(32 << 20, '\0');
  const std::string bomb = gzip(zeros);
  ASSERT_LT(bomb.size(), 64u << 10);
  const DecodeFailure failure = failure_of(bomb, {ContentCoding::gzip}, 1 << 20);
  EXPECT_TRUE(failure.too_large);
  EXPECT_NE(failure.message.find("1048576"), std::string::npos) << failure.message;

  const std::string exact(1000, 'x');
  EXPECT_EQ(decoded(gzip(exact), {ContentCoding::gzip}, 1000), exact);
  EXPECT_TRUE(failure_of(gzip(exact), {ContentCoding::gzip}, 999).too_large);
  EXPECT_TRUE(failure_of(gzip(gzip(zeros)), {ContentCoding::gzip, ContentCoding::gzip}, 1 << 20).too_large)
      << "each layer is capped";
}

}  // namespace
}  // namespace rssflow
