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
template <class Hashes>
std::array<std::uint64_t, 64> count_set_bits(const Hashes& hashes) {
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

// The distinct values among the shingle hashes, in no particular order: an open-addressing set
// (the hashes are already mixed, so their low bits index it directly). Replaces sort + unique,
// which cost more than hashing the words. The storage is reused across calls on one thread.
class DistinctHashes {
 public:
  // Empties the set in O(size), not O(capacity): one long text must not make every later
  // call pay for its table.
  void clear() {
    for (const std::size_t slot : used_) slots_[slot] = 0;
    used_.clear();
    size_ = 0;
    has_zero_ = false;
    values_.clear();
  }

  void insert(std::uint64_t h) {
    if (h == 0) {  // 0 marks an empty slot, so it is tracked apart
      if (!has_zero_) values_.push_back(0);
      has_zero_ = true;
      return;
    }
    if (2 * (size_ + 1) > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return;
      if (slots_[i] == 0) {
        slots_[i] = h;
        used_.push_back(i);
        ++size_;
        values_.push_back(h);
        return;
      }
    }
  }

  const std::vector<std::uint64_t>& values() const { return values_; }

 private:
  void grow() {
    std::vector<std::uint64_t> old;
    old.swap(slots_);
    slots_.assign(std::max<std::size_t>(64, old.size() * 2), 0);
    const std::size_t mask = slots_.size() - 1;
    used_.clear();
    for (const std::uint64_t h : old) {
      if (h == 0) continue;
      std::size_t i = h & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = h;
      used_.push_back(i);
    }
  }

  std::vector<std::uint64_t> slots_;
  std::vector<std::size_t> used_;      // occupied slots, for clear()
  std::vector<std::uint64_t> values_;  // insertion order; what the vote counts
  std::size_t size_ = 0;               // non-zero values in slots_
  bool has_zero_ = false;
};

// Collects the distinct 3-shingles of a stream of words. Distinct, because a shingle repeated
// hundreds of times (a hex dump's "00 00 00", a table of zeros) would otherwise outvote the
// rest of the text and make unrelated documents collide.
class Shingles {
 public:
  explicit Shingles(DistinctHashes& hashes) : hashes_(hashes) { hashes_.clear(); }

  void add_word(std::string_view word) {
    window_[0] = window_[1];
    window_[1] = window_[2];
    window_[2] = XXH3_64bits(word.data(), word.size());
    ++words_;
    if (words_ >= 3) hashes_.insert(mix64(window_[0] * 0x9E3779B97F4A7C15ull + window_[1] * 0xC2B2AE3D27D4EB4Full + window_[2]));
  }

  TextFingerprint finish() {
    if (words_ > 0 && words_ < 3) {
      for (std::size_t i = 3 - words_; i < 3; ++i) hashes_.insert(mix64(window_[i]));  // too short to shingle
    }
    const std::vector<std::uint64_t>& distinct = hashes_.values();
    TextFingerprint print;
    print.words = words_;
    const std::array<std::uint64_t, 64> ones = count_set_bits(distinct);
    for (int bit = 0; bit < 64; ++bit) {
      if (2 * ones[bit] > distinct.size()) print.simhash |= std::uint64_t{1} << bit;  // majority vote
    }
    return print;
  }

 private:
  std::uint64_t window_[3] = {0, 0, 0};
  std::size_t words_ = 0;
  DistinctHashes& hashes_;
};

bool is_ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A word is a maximal run of non-separator characters, so it is contiguous in the text: it is
// hashed where it lies, and copied (lower-cased) only when it holds an ASCII capital.
void add_word(const char* begin, const char* end, bool has_capital, std::string& lowered, Shingles& votes) {
  if (begin == end) return;
  if (!has_capital) {
    votes.add_word(std::string_view(begin, static_cast<std::size_t>(end - begin)));
    return;
  }
  lowered.assign(begin, end);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  votes.add_word(lowered);
}

void add_words(std::string_view text, std::string& lowered, Shingles& votes) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const char* word = p;
  bool has_capital = false;
  while (p != end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c < 0x80) {
      if (is_ascii_alnum(c)) {
        has_capital = has_capital || (c >= 'A' && c <= 'Z');
      } else {
        add_word(word, p, has_capital, lowered, votes);
        word = p + 1;
        has_capital = false;
      }
      ++p;
      continue;
    }
    const Utf8Step step = decode_utf8(std::string_view(p, static_cast<std::size_t>(end - p)));
    const char32_t cp = step.well_formed ? step.code_point : 0xFFFD;
    if (is_separator(cp)) {
      add_word(word, p, has_capital, lowered, votes);
      word = p + step.length;
      has_capital = false;
    }
    p += step.length;
  }
  add_word(word, p, has_capital, lowered, votes);
}

}  // namespace

TextFingerprint fingerprint(std::string_view title, std::string_view content_text) {
  thread_local DistinctHashes hashes;
  thread_local std::string lowered;
  Shingles votes(hashes);
  add_words(title, lowered, votes);  // the title's last word ends at the end of the title
  add_words(content_text, lowered, votes);
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
