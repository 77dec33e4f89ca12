// What the JSON Lines sink has already delivered: url_hash -> content_hash of every record it
// wrote, kept in a small file between runs, so that each run writes only the records that are
// new or changed since the last one (the set the PostgreSQL sink inserts or updates).
#pragma once

#include <filesystem>
#include <optional>
#include <unordered_map>

#include "core/file_version.h"
#include "core/hash.h"

namespace rssflow {

// File format: a first line "rssflow-written-index 1", then one line per record,
// "<url_hash hex> <content_hash hex>" (32 lower-case hex digits each). Not thread-safe; one
// run at a time per file (the run lock).
class WrittenIndex {
 public:
  // A missing file is an empty index (first run). Throws std::runtime_error naming the file
  // when it exists but cannot be read or is not an index (its first line is checked here; the
  // records are read on the first unchanged(), so a run that delivers nothing, all of its
  // sources unchanged, never reads them).
  explicit WrittenIndex(std::filesystem::path path);

  // True when the record was delivered before with this same content. Throws
  // std::runtime_error naming the file and line when a record line is malformed.
  bool unchanged(const Hash128& url_hash, const Hash128& content_hash);

  // Notes a record this run delivered (kept in memory until save()).
  void record(const Hash128& url_hash, const Hash128& content_hash);

  // Merges this run's records into the file as it is now (another shard's run may have added
  // its own since) and replaces it atomically; leaves the file alone when this run recorded
  // nothing. Throws std::runtime_error naming the file.
  void save();

  std::size_t size();  // records known (delivered before or in this run)
  const std::filesystem::path& path() const { return path_; }

 private:
  void ensure_loaded();

  std::filesystem::path path_;
  bool loaded_ = false;
  std::optional<FileVersion> known_version_;  // of the file `known_` was read from
  std::unordered_map<Hash128, Hash128, Hash128Hasher> known_;
  std::unordered_map<Hash128, Hash128, Hash128Hasher> delivered_;  // this run
};

}  // namespace rssflow
