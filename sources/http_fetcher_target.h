// Where a source URL points, as far as HttpFetcher cares: a network host (the key of its
// per-host queue) or a local file path (file:// snapshots, read directly, never via curl so a
// network redirect can never reach the file system).
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "core/types.h"

namespace rssflow {

struct NetworkTarget {
  std::string host_key;  // "host:port", lower-case host, default port filled in
  bool https = false;
  std::string host;  // lower-case, as UrlLocation::host
  int port = 0;
};

struct FileTarget {
  std::string path;  // percent-decoded absolute path
};

// Thread-safe. An invalid_source StageError for anything but http(s)://host/... and
// file:///path (or file://localhost/path).
std::variant<NetworkTarget, FileTarget, StageError> classify_source_url(const std::string& url);

// Reads a file:// source: only a regular file, opened without blocking (a FIFO or device
// never stalls the fetch worker). Errors: not_a_regular_file (FIFO, device, directory,
// socket), io (naming the path and the OS reason), too_large past max_body_bytes, empty_body
// for an empty file. Result's http_status is 0.
Outcome<FetchedFeed> read_file_source(const Source& source, const FileTarget& target,
                                      std::size_t max_body_bytes);

}  // namespace rssflow
