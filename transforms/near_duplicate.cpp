#include "transforms/near_duplicate.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "transforms/article_builder_text.h"

namespace rssflow {
namespace {

// Punctuation, symbols, spaces and emoji separate words; everything else is part of one.
bool is_separator(char32_t cp) {
  if (cp < 0x80) {
    const bool alnum = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    return !alnum;
  }
  return cp <= 0xBF || cp == 0xD7 || cp == 0xF7 ||  // C1 controls, Latin-1 punctuation, × ÷
         (cp >= 0x2000 && cp <= 0x2BFF) ||         // general punctuation ... arrows, dingbats
         (cp >= 0x2E00 && cp <= 0x2E7F) ||         // supplemental punctuation
         (cp >= 0x3000 && cp <= 0x303F) ||         // CJK punctuation
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
         (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xFFFD ||
         cp >= 0x1F000;  // emoji and pictographs
}

std::uint64_t mix64(std::uint64_t x) {
  // MurmurHash3's fmix64: spreads the combined word hashes over all 64 bits.
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  x ^= x >> 33;
  return x;
}

// How many of the hashes have each bit set. Four bits at a time: kSpread[n] puts bit k of
// nibble n into 16-bit lane k of a word, so one addition counts four bits (16 adds per hash
// instead of 64). Lanes are emptied before they can overflow.
std::array<std::uint64_t, 64> count_set_bits(const std::vector<std::uint64_t>& hashes) {
  static constexpr std::array<std::uint64_t, 16> kSpread = [] {
    std::array<std::uint64_t, 16> table{};
    for (unsigned n = 0; n < 16; ++n) {
      for (unsigned k = 0; k < 4; ++k) {
        if ((n >> k) & 1) table[n] |= std::uint64_t{1} << (16 * k);
      }
    }
    return table;
  }();
  std::array<std::uint64_t, 64> ones{};
  std::array<std::uint64_t, 16> lanes{};
  const auto drain = [&] {
    for (unsigned j = 0; j < 16; ++j) {
      for (unsigned k = 0; k < 4; ++k) ones[4 * j + k] += (lanes[j] >> (16 * k)) & 0xFFFF;
      lanes[j] = 0;
    }
  };
  std::size_t pending = 0;
  for (std::uint64_t h : hashes) {
    for (unsigned j = 0; j < 16; ++j) lanes[j] += kSpread[(h >> (4 * j)) & 0xF];
    if (++pending == 0xFFFF) {
      drain();
      pending = 0;
    }
  }
  drain();
  return ones;
}

// Collects the distinct 3-shingles of a stream of words. Distinct, because a shingle repeated
// hundreds of times (a hex dump's "00 00 00", a table of zeros) would otherwise outvote the
// rest of the text and make unrelated documents collide.
class Shingles {
 public:
  void add_word(std::string_view word) {
    window_[0] = window_[1];
    window_[1] = window_[2];
    window_[2] = XXH3_64bits(word.data(), word.size());
    ++words_;
    if (words_ >= 3) hashes_.push_back(mix64(window_[0] * 0x9E3779B97F4A7C15ull + window_[1] * 0xC2B2AE3D27D4EB4Full + window_[2]));
  }

  TextFingerprint finish() {
    if (words_ > 0 && words_ < 3) {
      for (std::size_t i = 3 - words_; i < 3; ++i) hashes_.push_back(mix64(window_[i]));  // too short to shingle
    }
    std::sort(hashes_.begin(), hashes_.end());
    hashes_.erase(std::unique(hashes_.begin(), hashes_.end()), hashes_.end());
    TextFingerprint print;
    print.words = words_;
    const std::array<std::uint64_t, 64> ones = count_set_bits(hashes_);
    for (int bit = 0; bit < 64; ++bit) {
      if (2 * ones[bit] > hashes_.size()) print.simhash |= std::uint64_t{1} << bit;  // majority vote
    }
    return print;
  }

 private:
  std::uint64_t window_[3] = {0, 0, 0};
  std::size_t words_ = 0;
  std::vector<std::uint64_t> hashes_;
};

void add_words(std::string_view text, std::string& word, Shingles& votes) {
  while (!text.empty()) {
    const auto c = static_cast<unsigned char>(text.front());
    std::size_t length = 1;
    char32_t cp = c;
    if (c >= 0x80) {
      const Utf8Step step = decode_utf8(text);
      length = step.length;
      cp = step.well_formed ? step.code_point : 0xFFFD;
    }
    if (is_separator(cp)) {
      if (!word.empty()) votes.add_word(word);
      word.clear();
    } else if (c < 0x80) {
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else {
      word.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
}

}  // namespace

TextFingerprint fingerprint(std::string_view title, std::string_view content_text) {
  Shingles votes;
  std::string word;
  add_words(title, word, votes);
  if (!word.empty()) votes.add_word(word);
  word.clear();
  add_words(content_text, word, votes);
  if (!word.empty()) votes.add_word(word);
  return votes.finish();
}

int hamming_distance(std::uint64_t a, std::uint64_t b) { return std::popcount(a ^ b); }

NearDuplicateIndex::NearDuplicateIndex(NearDuplicateOptions options) : options_(options) {
  const int bands = std::max(1, std::min(options_.max_distance + 1, 64));
  int shift = 0;
  for (int band = 0; band < bands; ++band) {
    const int width = 64 / bands + (band < 64 % bands ? 1 : 0);
    band_shift_.push_back(shift);
    band_mask_.push_back(width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1);
    shift += width;
  }
}

std::uint64_t NearDuplicateIndex::band_key(std::size_t band, std::uint64_t simhash) const {
  // Keys of different bands may collide: that only adds a candidate, which the distance check rejects.
  return ((simhash >> band_shift_[band]) & band_mask_[band]) ^ ((band + 1) * 0x9E3779B97F4A7C15ull);
}

std::uint64_t NearDuplicateIndex::feed_id_of(std::string_view feed_url) { return XXH3_64bits(feed_url.data(), feed_url.size()); }

std::optional<Hash128> NearDuplicateIndex::link_or_add(const Article& article) {
  return link_or_add(fingerprint(article.title, article.content_text), feed_id_of(article.feed_url), article.url_hash);
}

std::optional<Hash128> NearDuplicateIndex::link_or_add(const TextFingerprint& print, std::uint64_t feed_id,
                                                       const Hash128& url_hash) {
  if (print.words < options_.min_words) return std::nullopt;
  std::uint32_t first = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t band = 0; band < band_shift_.size(); ++band) {
    const auto bucket = buckets_.find(band_key(band, print.simhash));
    if (bucket == buckets_.end()) continue;
    for (std::uint32_t i : bucket->second) {
      const Entry& e = entries_[i];
      if (i < first && e.feed_id != feed_id && hamming_distance(e.simhash, print.simhash) <= options_.max_distance) first = i;
    }
  }
  if (first != std::numeric_limits<std::uint32_t>::max()) return entries_[first].url_hash;

  const auto index = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back(Entry{print.simhash, feed_id, url_hash});
  for (std::size_t band = 0; band < band_shift_.size(); ++band) buckets_[band_key(band, print.simhash)].push_back(index);
  return std::nullopt;
}

}  // namespace rssflow
