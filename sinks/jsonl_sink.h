// JSON Lines output: one record per line (transforms/json_record.h), to a file or stdout.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sinks/article_sink.h"

namespace rssflow {

// Writes to path, or to stdout when path is "-".
// A regular file (or a path that does not exist yet) is written as a temporary file in the same
// directory (".<name>.tmp-<pid>-<n>") and renamed over path by finish(), after fsync: readers see
// the old file or the complete new one, and a failed run (exception, destructor without
// finish()) removes the temporary file and leaves path untouched. A symlink is followed: its
// target is replaced, the link stays. stdout and anything that is not a regular file (a FIFO,
// /dev/null, /dev/stdout) are streamed as records come: renaming over them would replace the
// device or pipe with a file.
// Errors: SinkError naming the path and the errno text ("cannot create ...: Permission
// denied"). Used from one thread (ArticleSink); write() after finish() is a programming error.
class JsonlSink final : public ArticleSink {
 public:
  // Creates the temporary file now, so an unwritable directory fails before any work is done.
  explicit JsonlSink(std::filesystem::path path, std::size_t flush_bytes = 1u << 20);
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  // The JSON Lines record (transforms/json_record.h); write() copies these rows as they are.
  bool formats_rows() const override { return true; }
  void format(const Article& article, std::string& row) const override;
  void write(ArticleBatch&& batch) override;
  using ArticleSink::write;
  LoadStats finish() override;

 private:
  void flush();
  [[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error);

  std::filesystem::path path_;       // as given, for messages
  std::filesystem::path target_;     // what finish() renames onto (symlinks resolved)
  std::filesystem::path temp_path_;  // empty when streaming
  int fd_ = -1;
  std::size_t flush_bytes_;
  std::string buffer_;
  LoadStats stats_;
  bool streaming_ = false;
  bool finished_ = false;
};

}  // namespace rssflow
