// Exact duplicates within one run: the same article (same url_hash) from several sources or
// repeated in one source.
#pragma once

#include <cstdint>
#include <vector>

#include "core/types.h"

namespace rssflow {

// Admits an article the first time its url_hash is seen in the run and counts the rest.
// Not thread-safe: used from one serial node of the flow graph (the load step), which also
// makes "first" well defined (the order in which that node receives batches).
// Memory: an open-addressing table of the 16-byte digests themselves, no per-article
// allocation, kept between 3/8 and 3/4 full: 16 bytes per slot, 21-43 bytes per unique
// article (100,000 articles: about 4 MiB).
class Deduper {
 public:
  // True the first time article.url_hash is seen; false (and counted) afterwards.
  bool admit(const Article& article);
  bool admit(const Hash128& url_hash);

  std::uint64_t admitted() const { return size_ + (has_zero_ ? 1 : 0); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  void grow();

  std::vector<Hash128> slots_;  // {0, 0} marks an empty slot; the zero digest is tracked apart
  std::uint64_t size_ = 0;      // non-zero digests stored
  bool has_zero_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace rssflow
