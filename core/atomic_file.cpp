#include "core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace rssflow {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(error));
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

bool process_gone(std::string_view digits) {
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc{} || end != digits.data() + digits.size() || pid <= 0) return false;
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// The pid digits of one of our temporary names for `name`, or "" when it is not one.
std::string_view temp_owner(std::string_view entry, const std::string& name) {
  const std::string current = "." + name + ".tmp-";  // .<name>.tmp-<pid>-XXXXXX (and -<n>)
  const std::string older = name + ".tmp.";          // <name>.tmp.<pid>
  if (entry.starts_with(current)) {
    entry.remove_prefix(current.size());
    return entry.substr(0, entry.find('-'));
  }
  if (entry.starts_with(older)) return entry.substr(older.size());
  return {};
}

}  // namespace

std::size_t remove_stale_temp_files(const std::filesystem::path& target) {
  const std::string name = target.filename().string();
  std::error_code ec;
  std::size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder_of(target), ec)) {
    const std::string entry_name = entry.path().filename().string();
    const std::string_view owner = temp_owner(entry_name, name);
    if (owner.empty() || !process_gone(owner)) continue;
    std::error_code type_ec;
    if (!entry.is_regular_file(type_ec) || entry.is_symlink(type_ec)) continue;
    if (::unlink(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

AtomicFile::AtomicFile(const std::filesystem::path& path, mode_t mode) : path_(path), target_(path) {
  if (path.filename().empty()) throw std::runtime_error("cannot write " + path.string() + ": names a folder");
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);  // follows symlinks
  if (!ec && std::filesystem::is_directory(status)) fail("cannot write", path, EISDIR);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) fail("cannot write", path, errno);
    return;
  }
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
    const auto resolved = std::filesystem::weakly_canonical(path, ec);
    if (!ec && !resolved.empty()) target_ = resolved;
  }
  remove_stale_temp_files(target_);
  std::string pattern =
      (folder_of(target_) / ("." + target_.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-XXXXXX"))
          .string();
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) fail("cannot create a temporary file for", path, errno);
  temp_path_ = pattern;
  if (::fchmod(fd_, mode) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
    fail("cannot set the mode of", path, error);
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("AtomicFile::write after commit");
  const std::filesystem::path& shown = in_place() ? path_ : temp_path_;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", shown, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  written_ += static_cast<off_t>(bytes.size());
  // Best effort: a filesystem without it only leaves all the writeback to commit().
  constexpr off_t kWritebackChunk = off_t{2} << 20;
  if (!in_place() && written_ - writeback_from_ >= kWritebackChunk) {
    ::sync_file_range(fd_, writeback_from_, written_ - writeback_from_, SYNC_FILE_RANGE_WRITE);
    writeback_from_ = written_;
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error("AtomicFile::commit twice");
  const int fd = fd_;
  fd_ = -1;
  if (in_place()) {
    if (::close(fd) != 0) fail("cannot close", path_, errno);
    return;
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot sync", temp_path_, error);
  }
  if (::close(fd) != 0) fail("cannot close", temp_path_, errno);
  if (::rename(temp_path_.c_str(), target_.c_str()) != 0) fail("cannot rename " + temp_path_.string() + " to", target_, errno);
  temp_path_.clear();
  // The rename is durable once the folder's entry is on disk too; failing to sync a folder
  // only weakens durability, so it is not an error.
  if (const int dir_fd = ::open(folder_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text, mode_t mode) {
  AtomicFile file(path, mode);
  file.write(text);
  file.commit();
}

}  // namespace rssflow
