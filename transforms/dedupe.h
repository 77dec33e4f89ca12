// Exact duplicates within one run: the same article (same url_hash) from several sources or
// repeated in one source.
#pragma once

#include <cstdint>

#include "core/hash_set.h"
#include "core/types.h"

namespace rssflow {

// Admits an article the first time its url_hash is seen in the run and counts the rest.
// Not thread-safe: used from one serial node of the flow graph (the dedupe step), which also
// makes "first" well defined (the order in which that node receives batches).
// Memory: that of a HashSet (core/hash_set.h): 21-43 bytes per unique article.
class Deduper {
 public:
  // True the first time article.url_hash is seen; false (and counted) afterwards.
  bool admit(const Article& article) { return admit(article.url_hash); }
  bool admit(const Hash128& url_hash);

  std::uint64_t admitted() const { return seen_.size(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  HashSet seen_;
  std::uint64_t dropped_ = 0;
};

}  // namespace rssflow
