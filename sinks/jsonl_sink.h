// JSON Lines output: one record per line (transforms/json_record.h), to a file or stdout.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sinks/article_sink.h"

namespace rssflow {

// Writes to path, or to stdout when path is "-".
// A file is written as a temporary file in the same directory (".<name>.tmp-<pid>-<n>") and
// renamed over path by finish(), after fsync: readers see the old file or the complete new one,
// and a failed run (exception, destructor without finish()) removes the temporary file and
// leaves path untouched. stdout is streamed as records come.
// Errors: SinkError naming the path and the errno text ("cannot create ...: Permission
// denied"). Used from one thread (ArticleSink); write() after finish() is a programming error.
class JsonlSink final : public ArticleSink {
 public:
  // Creates the temporary file now, so an unwritable directory fails before any work is done.
  explicit JsonlSink(std::filesystem::path path, std::size_t flush_bytes = 1u << 20);
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  void write(std::vector<Article>& articles) override;
  LoadStats finish() override;

 private:
  void flush();
  [[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error);

  std::filesystem::path path_;
  std::filesystem::path temp_path_;  // empty for stdout
  int fd_ = -1;
  std::size_t flush_bytes_;
  std::string buffer_;
  LoadStats stats_;
  bool finished_ = false;
};

}  // namespace rssflow
