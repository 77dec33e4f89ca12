// Whole-file writes that readers never see half-done: the one writer of every output file
// (JSON Lines, state file, report, metrics textfile).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace rssflow {

// A file written under a unique temporary name in the target's folder and renamed over the
// target by commit(), so a reader (node_exporter, a cron wrapper, a loader) sees the old or the
// new file, never a mix.
// - The temporary is ".<name>.tmp-<pid>-XXXXXX", created by mkostemp (O_CREAT|O_EXCL: a name
//   planted in advance, symlink or not, is never opened) with `mode` (not widened by the umask).
// - Temporaries of this target left by earlier runs that died (their pid is gone; also the
//   older "<name>.tmp.<pid>" form) are removed when a new one is created.
// - A symlink at path is kept: the file it points to is replaced. A device, FIFO or /dev/stdout
//   is written in place (renaming over it would replace the node with a regular file).
// Errors throw std::runtime_error naming the path and errno's text. The destructor removes the
// temporary unless commit() succeeded. Not thread-safe; one writer per object.
class AtomicFile {
 public:
  AtomicFile(const std::filesystem::path& path, mode_t mode);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends bytes. Every 2 MiB written to a temporary, the kernel is asked to start writing
  // them back (sync_file_range, not waiting), so commit()'s fsync has only the tail to wait for.
  void write(std::string_view bytes);
  // fsync, rename over the target, fsync the folder (best effort). Once only.
  void commit();

  bool in_place() const { return temp_path_.empty(); }
  const std::filesystem::path& temp_path() const { return temp_path_; }

 private:
  std::filesystem::path path_;    // as given, for messages
  std::filesystem::path target_;  // what the rename replaces
  std::filesystem::path temp_path_;
  int fd_ = -1;
  off_t written_ = 0;        // bytes written so far
  off_t writeback_from_ = 0;  // start of what no writeback has been asked for yet
};

// AtomicFile(path, mode), write(text), commit().
void write_file_atomically(const std::filesystem::path& path, std::string_view text, mode_t mode = 0640);

// Removes the temporaries AtomicFile would leave for path if killed (pid no longer running);
// returns how many. Called by AtomicFile itself; exposed for tests.
std::size_t remove_stale_temp_files(const std::filesystem::path& target);

}  // namespace rssflow
