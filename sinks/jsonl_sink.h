// JSON Lines output: one record per line (transforms/json_record.h), to a file or stdout.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "sinks/article_sink.h"

namespace rssflow {

// Writes to path, or to stdout when path is "-".
// A file path is written through core/atomic_file.h's AtomicFile (mode 0644): a unique
// temporary in the same folder renamed over path by finish(), after fsync; readers see the old
// file or the complete new one, a failed run leaves path untouched, and temporaries of killed
// runs are removed. A symlink is followed: its target is replaced, the link stays. stdout and
// anything that is not a regular file (a FIFO, /dev/null, /dev/stdout) are streamed as
// records come.
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
  static void write_to_stdout(std::string_view bytes);

  std::filesystem::path path_;       // as given, for messages
  std::unique_ptr<AtomicFile> file_;  // null for stdout
  std::size_t flush_bytes_;
  std::string buffer_;
  LoadStats stats_;
  bool streaming_ = false;
  bool finished_ = false;
};

}  // namespace rssflow
