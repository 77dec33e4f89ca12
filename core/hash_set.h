// A set of XXH3-128 digests: open addressing over the 16-byte digests themselves, no
// allocation per element, kept between 3/8 and 3/4 full (21-43 bytes per element; 100,000
// digests: about 4 MiB). Not thread-safe for insert; contains() may run concurrently with
// other contains() calls.
#pragma once

#include <cstddef>
#include <vector>

#include "core/hash.h"

namespace rssflow {

class HashSet {
 public:
  // True when `hash` was not in the set (and now is).
  bool insert(const Hash128& hash);
  bool contains(const Hash128& hash) const;
  std::size_t size() const { return size_ + (has_zero_ ? 1 : 0); }

 private:
  void grow();

  std::vector<Hash128> slots_;  // {0, 0} marks an empty slot; the zero digest is tracked apart
  std::size_t size_ = 0;        // non-zero digests stored
  bool has_zero_ = false;
};

}  // namespace rssflow
