// The source list: feeds configured in an OPML file (OPML 1.0, 1.1, 2.0, or no version).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace rssflow {

// What an OPML file yields: the usable sources in document order, and one StageError per
// outline that was rejected (Stage::sources, ErrorCode::invalid_source, message "line N: why").
struct SourceList {
  std::vector<Source> sources;
  std::vector<StageError> errors;
};

// Reads every outline with an xmlUrl attribute (matched case-insensitively, as some exporters
// write "xmlurl") at any depth of <body>.
// - Source::title is the outline's `text`, else its `title` (trimmed).
// - Source::categories is the path of enclosing outlines (each one's `text`, else `title`),
//   outermost first, followed by the outline's `category` attribute split on ',' and '/'.
//   Blank and repeated names are dropped.
// - Source::line is the outline's line in the file (1-based).
// - Source::min_interval is the outline's `minInterval` attribute (parse_interval: "30m",
//   "2h", "1d", a bare number is minutes); an outline with an unparseable one is rejected.
// - xmlUrl must be an absolute http://, https:// or file:// URL with no whitespace (http(s)
//   needs a host), or a relative reference (a path: %-escapes decoded, no '?' or '#'), which
//   is resolved against the OPML file's folder into a file:// URL (percent-encoded). A URL seen before (compared in
//   canonical_source_url form, transforms/url.h) is rejected as a duplicate naming the first line. Rejected outlines
//   become errors; the rest go on.
// - Outlines of type "include" (OPML 2.0 inclusion) are rejected as unsupported; outlines
//   without xmlUrl (folders, type="link") only contribute their name to the category path.
// Throws std::runtime_error naming the file when it cannot be read, is not well-formed XML
// (pugixml's description and the line), or is not OPML (no <opml> root or no <body>).
// Thread-safe: no shared state.
// A file over kMaxOpmlBytes is refused (std::runtime_error) before it is all read.
SourceList read_opml(const std::filesystem::path& file);
inline constexpr std::size_t kMaxOpmlBytes = std::size_t{32} << 20;

// The same from bytes in memory; `base_dir` resolves relative paths and `name` labels errors.
SourceList read_opml_buffer(std::string_view bytes, const std::filesystem::path& base_dir,
                            std::string_view name);

// The file:// URL of a local path (made absolute, normalised, percent-encoded), as a relative
// xmlUrl and `rssflow parse FILE` name it.
std::string file_url_for_path(const std::filesystem::path& path);

}  // namespace rssflow
