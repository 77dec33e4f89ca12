// JSON Lines output: one record per line (transforms/json_record.h), to a file or stdout.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "sinks/article_sink.h"
#include "sinks/written_index.h"

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

  // Delta mode: from now on write() skips records the index says were delivered with the same
  // content (counted as unchanged), and finish() records what it wrote in the index and saves
  // it after the output is in place, so a failure in between delivers those records again
  // next run (at least once, never lost). write_all (--all) writes every record but still
  // records them. Without an index every record is written.
  void track_delivered(std::unique_ptr<WrittenIndex> index, bool write_all = false) {
    index_ = std::move(index);
    write_all_ = write_all;
  }

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
  std::unique_ptr<WrittenIndex> index_;
  bool write_all_ = false;
  bool streaming_ = false;
  bool finished_ = false;
};

}  // namespace rssflow
