// Near-duplicates across sources: the same story syndicated by several feeds under different
// URLs (wire copy, cross-posts, planet aggregators), found by SimHash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.h"

namespace rssflow {

// A 64-bit SimHash (Charikar) of a text's word 3-shingles. Words are maximal runs of letters
// and digits (ASCII lower-cased; any non-ASCII character that is not punctuation or a space
// counts as a letter), so markup remnants, punctuation, case and whitespace do not matter.
struct TextFingerprint {
  std::uint64_t simhash = 0;
  std::size_t words = 0;
};

// Fingerprint of title + " " + content_text, the text the index compares.
TextFingerprint fingerprint(std::string_view title, std::string_view content_text);

int hamming_distance(std::uint64_t a, std::uint64_t b);

struct NearDuplicateOptions {
  // Two fingerprints at most this many bits apart are the same story. Measured on
  // tests/data/realworld (transforms/IDENTITY.md): the closest pair of different stories from
  // different feeds is 13 bits apart, the corpus's own syndicated copies are 0-10, and unrelated
  // texts behave like random 64-bit values (P(d <= 8) = 2.8e-10 per pair: about 0.06 false
  // links in a 20,000-article run). Copies with a different byline, footer or source note are
  // within 8 bits for 95% of 300+-word articles, 66% of 150-299-word ones.
  int max_distance = 8;
  // Shorter texts are never linked: a title and a one-line teaser have too few shingles for
  // SimHash to tell two different stories apart.
  std::size_t min_words = 40;
};

// Remembers one fingerprint per article and links later near-copies to the first one.
// Not thread-safe: owned by the serial load step, after exact dedupe. Lookups use max_distance+1
// bit bands (pigeonhole: two fingerprints within max_distance bits agree on at least one band),
// so a lookup costs the size of a few buckets, not the size of the index.
// Memory: 32 bytes per indexed article plus max_distance+1 bucket entries (4 bytes each, in
// hash-map buckets keyed by band value).
class NearDuplicateIndex {
 public:
  explicit NearDuplicateIndex(NearDuplicateOptions options = {});

  // When article is a near-copy of an indexed article from another feed, returns that
  // article's url_hash (the first copy) and does not index article. Otherwise indexes it
  // (unless it is shorter than min_words) and returns nullopt. Copies within one feed are
  // left alone: a feed's own template-like posts (release notes, advisories) are distinct.
  std::optional<Hash128> link_or_add(const Article& article);
  // The same, with the fingerprint computed elsewhere (e.g. in the parallel build stage: it
  // costs about as much as the lookup) and feed_id = feed_id_of(article.feed_url).
  std::optional<Hash128> link_or_add(const TextFingerprint& print, std::uint64_t feed_id, const Hash128& url_hash);
  static std::uint64_t feed_id_of(std::string_view feed_url);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t simhash;
    std::uint64_t feed_id;
    Hash128 url_hash;
  };
  std::uint64_t band_key(std::size_t band, std::uint64_t simhash) const;

  NearDuplicateOptions options_;
  std::vector<int> band_shift_;
  std::vector<std::uint64_t> band_mask_;
  std::vector<Entry> entries_;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets_;
};

}  // namespace rssflow
