// One version of a file as the file system identifies it, so that a reader can tell whether
// the file is still the one it read. rssflow replaces files atomically (a rename), so a new
// version is a new inode; size and modification time catch writes in place.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <optional>

namespace rssflow {

struct FileVersion {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  timespec modified{};
  bool operator==(const FileVersion& other) const;
};

// The file's version now; nullopt when it does not exist or cannot be examined.
std::optional<FileVersion> file_version(const std::filesystem::path& path);

}  // namespace rssflow
