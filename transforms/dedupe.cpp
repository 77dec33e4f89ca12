#include "transforms/dedupe.h"

namespace rssflow {
namespace {

constexpr Hash128 kEmpty{};

// The digests are already uniformly distributed: the low word is a good slot index.
std::size_t slot_of(const Hash128& h, std::size_t mask) { return static_cast<std::size_t>(h.low ^ h.high) & mask; }

}  // namespace

bool Deduper::admit(const Article& article) { return admit(article.url_hash); }

bool Deduper::admit(const Hash128& url_hash) {
  if (url_hash == kEmpty) {
    if (!has_zero_) return has_zero_ = true;
    ++dropped_;
    return false;
  }
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(url_hash, mask);; i = (i + 1) & mask) {
    if (slots_[i] == url_hash) {
      ++dropped_;
      return false;
    }
    if (slots_[i] == kEmpty) {
      slots_[i] = url_hash;
      ++size_;
      return true;
    }
  }
}

void Deduper::grow() {
  std::vector<Hash128> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, kEmpty);
  const std::size_t mask = slots_.size() - 1;
  for (const Hash128& h : old) {
    if (h == kEmpty) continue;
    std::size_t i = slot_of(h, mask);
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = h;
  }
}

}  // namespace rssflow
