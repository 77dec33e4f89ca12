// Fetch state in a small JSON file (`rssflow run --state-file FILE`), for runs whose sink has no
// database to keep it in (jsonl). One object per source URL:
//   {"version": 1, "sources": {"<url>": {"etag": ..., "last_modified": ..., "last_status": 200,
//    "last_error": "", "consecutive_failures": 0, "last_success_at": "2024-05-01T12:00:00Z",
//    "next_attempt_at": null, "permanent_redirect": null, "gone": false,
//    "next_fetch_at": "2024-05-01T13:00:00Z", "body_hash": "<xxh3-128 hex>", "entries": 20,
//    "ttl_seconds": null, "update_period_seconds": 3600, "skip_hours": 0, "skip_days": 0,
//    "publish_interval_seconds": 7200}}}
// Fields added later are optional when read, so older files stay readable.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/fetch_state.h"
#include "core/file_version.h"

namespace rssflow {

// Thread-safety: none (FetchStateStore's contract: one thread, load_all before, save_all after).
// Concurrent processes must be serialised by the run lock; writes are atomic (temp file in the
// same directory, fsync, rename) so a crash leaves either the old or the new file, never half.
class StateFileStore : public FetchStateStore {
 public:
  explicit StateFileStore(std::filesystem::path path);

  // A missing file is an empty state (first run). Throws std::runtime_error naming the file when
  // it cannot be read or is not a state file.
  std::unordered_map<std::string, SourceState> load_all() override;

  // Merges `states` into the file's current content (sources not in `states`, e.g. other
  // shards', are kept) and replaces the file atomically. Throws std::runtime_error on failure.
  // The content is what this store last read or wrote when the file is still that one (same
  // inode, size and modification time), so a run reads its state file once, not at every save.
  void save_all(const std::vector<SourceState>& states) override;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::optional<FileVersion> cached_version_;  // the version `cached_` holds
  std::unordered_map<std::string, SourceState> cached_;
};

}  // namespace rssflow
