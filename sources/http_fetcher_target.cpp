#include "sources/http_fetcher_target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/time.h"
#include "core/terminal_text.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

StageError invalid(const std::string& url, std::string message) {
  return StageError{Stage::fetch, url, ErrorCode::invalid_source, std::move(message)};
}

StageError io_error(const Source& source, const std::string& path, const std::string& what, int err) {
  return StageError{Stage::fetch, source.url, ErrorCode::io, what + " " + path + ": " + std::strerror(err)};
}

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

std::variant<NetworkTarget, FileTarget, StageError> classify_source_url(const std::string& url) {
  const auto location = locate_url(url);
  if (!location) {
    const std::string_view text(url);
    const auto colon = text.find(':');
    const std::string_view scheme = colon == std::string_view::npos ? std::string_view() : text.substr(0, colon);
    const bool named_scheme = !scheme.empty() && std::all_of(scheme.begin(), scheme.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
    std::string lower(scheme);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (named_scheme && lower != "http" && lower != "https" && lower != "file") {
      return invalid(url, "unsupported scheme \"" + escape_for_terminal(scheme) + "\" (http, https or file only)");
    }
    return invalid(url, "malformed URL (an absolute http, https or file URL with a valid host and port)");
  }
  if (location->scheme == "file") {
    if (!location->host.empty() && location->host != "localhost") {
      return invalid(url, "file:// URL names a remote host: " + location->host);
    }
    const auto path = percent_decode(location->path);
    if (!path || !path->starts_with('/')) return invalid(url, "file:// URL without an absolute path");
    return FileTarget{*path};
  }
  return NetworkTarget{host_key(*location), location->scheme == "https", location->host, location->port};
}

Outcome<FetchedFeed> read_file_source(const Source& source, const FileTarget& target,
                                      std::size_t max_body_bytes) {
  // O_NONBLOCK: opening a FIFO without a writer (or a device) must not block the fetch
  // worker; fstat on the open descriptor then refuses everything but a regular file, with
  // no window between the check and the read.
  const int fd = ::open(target.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return io_error(source, target.path, "cannot open", errno);
  FdCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return io_error(source, target.path, "cannot stat", errno);
  if (!S_ISREG(info.st_mode)) {
    return StageError{Stage::fetch, source.url, ErrorCode::not_a_regular_file,
                      target.path + " is " + file_kind(info.st_mode) + ", not a regular file"};
  }
  if (static_cast<std::size_t>(info.st_size) > max_body_bytes) {
    return StageError{Stage::fetch, source.url, ErrorCode::too_large,
                      target.path + " is " + std::to_string(info.st_size) + " bytes, over the " +
                          std::to_string(max_body_bytes) + "-byte cap"};
  }
  FetchedFeed feed;
  feed.source = source;
  feed.final_url = source.url;
  feed.http_status = 0;
  // Read straight into the body (no bounce buffer): st_size bytes, then whatever a growing file
  // added, up to the cap.
  std::size_t size = 0;
  feed.body.resize(std::min(static_cast<std::size_t>(info.st_size), max_body_bytes) + 1);
  for (;;) {
    if (size == feed.body.size()) {
      if (size > max_body_bytes) break;  // one byte over the cap is enough to know
      feed.body.resize(std::min(size * 2, max_body_bytes + 1));
    }
    const ssize_t n = ::read(fd, feed.body.data() + size, feed.body.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(source, target.path, "cannot read", errno);
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  if (size > max_body_bytes) {
    return StageError{Stage::fetch, source.url, ErrorCode::too_large,
                      target.path + " is over the " + std::to_string(max_body_bytes) + "-byte cap"};
  }
  feed.body.resize(size);
  if (feed.body.empty()) {
    return StageError{Stage::fetch, source.url, ErrorCode::empty_body, target.path + " is empty"};
  }
  feed.fetched_at = now_seconds();
  return feed;
}

}  // namespace rssflow
