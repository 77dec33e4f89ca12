#include "core/hash_set.h"

namespace rssflow {
namespace {

constexpr Hash128 kEmpty{};

// The digests are already uniformly distributed: their bits are a good slot index.
std::size_t slot_of(const Hash128& h, std::size_t mask) { return static_cast<std::size_t>(h.low ^ h.high) & mask; }

}  // namespace

bool HashSet::insert(const Hash128& hash) {
  if (hash == kEmpty) {
    if (has_zero_) return false;
    return has_zero_ = true;
  }
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(hash, mask);; i = (i + 1) & mask) {
    if (slots_[i] == hash) return false;
    if (slots_[i] == kEmpty) {
      slots_[i] = hash;
      ++size_;
      return true;
    }
  }
}

bool HashSet::contains(const Hash128& hash) const {
  if (hash == kEmpty) return has_zero_;
  if (slots_.empty()) return false;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(hash, mask);; i = (i + 1) & mask) {
    if (slots_[i] == hash) return true;
    if (slots_[i] == kEmpty) return false;
  }
}

void HashSet::grow() {
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
