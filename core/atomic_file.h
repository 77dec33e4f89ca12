// Whole-file writes that readers never see half-done.
#pragma once

#include <filesystem>
#include <string>

namespace rssflow {

// Writes text to a temporary file beside path, fsyncs it, renames it over path and fsyncs the
// folder (best effort), so a
// reader (node_exporter, a cron wrapper) sees the old or the new file, never a mix. Throws
// std::runtime_error naming the path and errno's text.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace rssflow
