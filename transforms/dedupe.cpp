#include "transforms/dedupe.h"

namespace rssflow {

bool Deduper::admit(const Hash128& url_hash) {
  if (seen_.insert(url_hash)) return true;
  ++dropped_;
  return false;
}

}  // namespace rssflow
