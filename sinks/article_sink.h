// Where articles go. A sink is used from one thread (the serial load node of the graph).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "core/types.h"

namespace rssflow {

// Run-level failure of a sink (unreachable database, rejected data, unwritable file): the run
// stops with exit status 3. what() names the cause (SQLSTATE, path...) and never a secret.
class SinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadStats {
  std::uint64_t written = 0;    // jsonl: records written
  std::uint64_t inserted = 0;   // postgres: new rows
  std::uint64_t updated = 0;    // postgres: rows whose content_hash changed
  std::uint64_t unchanged = 0;  // postgres: rows already present with the same content
  std::uint64_t batches = 0;    // committed batches / flushes
};

class ArticleSink {
 public:
  virtual ~ArticleSink() = default;
  // Takes one source's articles (already deduplicated). May buffer; throws SinkError.
  virtual void write(std::vector<Article>& articles) = 0;
  // Flushes and commits what is buffered; throws SinkError. Called once, after the last write.
  virtual LoadStats finish() = 0;
};

}  // namespace rssflow
