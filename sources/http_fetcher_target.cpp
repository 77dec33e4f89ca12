#include "sources/http_fetcher_target.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/time.h"

namespace rssflow {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK) return nullptr;
  return CurlString(text);
}

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

}  // namespace

std::variant<NetworkTarget, FileTarget, StageError> classify_source_url(const std::string& url) {
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed) return invalid(url, "out of memory parsing URL");
  // CURLU_NON_SUPPORT_SCHEME: parse any scheme so the error names it instead of failing vaguely.
  if (const CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
      rc != CURLUE_OK) {
    return invalid(url, std::string("malformed URL: ") + curl_url_strerror(rc));
  }
  const CurlString scheme = url_part(parsed.get(), CURLUPART_SCHEME);
  std::string scheme_text = scheme ? scheme.get() : "";
  std::transform(scheme_text.begin(), scheme_text.end(), scheme_text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme_text == "file") {
    const CurlString host = url_part(parsed.get(), CURLUPART_HOST);
    if (host && *host.get() != '\0' && std::strcmp(host.get(), "localhost") != 0) {
      return invalid(url, std::string("file:// URL names a remote host: ") + host.get());
    }
    const CurlString path = url_part(parsed.get(), CURLUPART_PATH, CURLU_URLDECODE);
    if (!path || *path.get() != '/') return invalid(url, "file:// URL without an absolute path");
    return FileTarget{path.get()};
  }
  if (scheme_text != "http" && scheme_text != "https") {
    return invalid(url, "unsupported scheme \"" + scheme_text + "\" (http, https or file only)");
  }
  const CurlString host = url_part(parsed.get(), CURLUPART_HOST);
  if (!host || *host.get() == '\0') return invalid(url, "URL without a host");
  const CurlString port = url_part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  std::string key = host.get();
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  key += ':';
  key += port ? port.get() : "";
  return NetworkTarget{std::move(key), scheme_text == "https"};
}

Outcome<FetchedFeed> read_file_source(const Source& source, const FileTarget& target,
                                      std::size_t max_body_bytes) {
  const int fd = ::open(target.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(source, target.path, "cannot open", errno);
  FdCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return io_error(source, target.path, "cannot stat", errno);
  if (S_ISDIR(info.st_mode)) return io_error(source, target.path, "cannot read", EISDIR);
  if (S_ISREG(info.st_mode) && static_cast<std::size_t>(info.st_size) > max_body_bytes) {
    return StageError{Stage::fetch, source.url, ErrorCode::too_large,
                      target.path + " is " + std::to_string(info.st_size) + " bytes, over the " +
                          std::to_string(max_body_bytes) + "-byte cap"};
  }
  FetchedFeed feed;
  feed.source = source;
  feed.final_url = source.url;
  feed.http_status = 0;
  if (S_ISREG(info.st_mode)) feed.body.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(source, target.path, "cannot read", errno);
    }
    if (n == 0) break;
    if (feed.body.size() + static_cast<std::size_t>(n) > max_body_bytes) {
      return StageError{Stage::fetch, source.url, ErrorCode::too_large,
                        target.path + " is over the " + std::to_string(max_body_bytes) + "-byte cap"};
    }
    feed.body.append(buffer, static_cast<std::size_t>(n));
  }
  if (feed.body.empty()) {
    return StageError{Stage::fetch, source.url, ErrorCode::empty_body, target.path + " is empty"};
  }
  feed.fetched_at = now_seconds();
  return feed;
}

}  // namespace rssflow
