// The lock that keeps two overlapping runs (cron firing while the last run still works) from
// running at once: flock(2) on a lock file, released by the kernel however the holder dies
// (exit, crash, kill -9), so a stale lock never needs cleaning up.
#pragma once

#include <filesystem>
#include <optional>

#include <sys/types.h>

namespace rssflow {

// Owns one exclusive flock. Movable, not copyable; the destructor releases it. flock locks
// belong to an open file description, so a second try_acquire on the same path fails even in
// the same process. Not for NFS (flock there is emulated or local-only); use a local path.
class RunLock {
 public:
  // Takes the lock without waiting; creates the file (0644) if missing. nullopt: another
  // process (or another open file description in this one) holds it. Throws
  // std::runtime_error naming the path when the file cannot be created or opened (missing or
  // unwritable folder), is a symlink or not a regular file (a lock under /tmp must not follow
  // a planted link), or flock fails for another reason. Writes the holder's pid into the file
  // for humans (see holder_pid); the lock itself is the flock, not the content or existence.
  static std::optional<RunLock> try_acquire(const std::filesystem::path& path);

  // The pid the current (or last) holder wrote, for a "locked by pid N" message. nullopt
  // when the file is missing, unreadable or holds no number. Advisory only: the holder may
  // have exited since (then the lock is free again).
  static std::optional<pid_t> holder_pid(const std::filesystem::path& path);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();  // releases the lock; the file stays (removing it would race a new holder)

  const std::filesystem::path& path() const { return path_; }

 private:
  RunLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace rssflow
