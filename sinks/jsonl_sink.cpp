#include "sinks/jsonl_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "transforms/json_record.h"

namespace rssflow {

JsonlSink::JsonlSink(std::filesystem::path path, std::size_t flush_bytes)
    : path_(std::move(path)), flush_bytes_(flush_bytes) {
  buffer_.reserve(flush_bytes_ + (64u << 10));
  if (path_ == "-") {
    streaming_ = true;
    return;
  }
  try {
    file_ = std::make_unique<AtomicFile>(path_, 0644);
  } catch (const std::runtime_error& e) {
    throw SinkError(std::string("jsonl sink: ") + e.what());
  }
  streaming_ = file_->in_place();
}

JsonlSink::~JsonlSink() = default;

void JsonlSink::format(const Article& article, std::string& row) const { append_json_line(row, article); }

void JsonlSink::write(ArticleBatch&& batch) {
  if (finished_) throw std::logic_error("JsonlSink::write after finish");
  const bool have_rows = batch.row_ends.size() == batch.articles.size() && !batch.row_ends.empty();
  std::size_t row_start = 0;
  for (std::size_t i = 0; i < batch.articles.size(); ++i) {
    const Article& article = batch.articles[i];
    const std::size_t row_end = have_rows ? batch.row_ends[i] : 0;
    const std::size_t this_start = row_start;
    row_start = row_end;
    if (index_) {
      if (!write_all_ && index_->unchanged(article.url_hash, article.content_hash)) {
        ++stats_.unchanged;
        continue;
      }
      index_->record(article.url_hash, article.content_hash);
    }
    if (have_rows) {
      buffer_.append(batch.rows, this_start, row_end - this_start);
    } else {
      append_json_line(buffer_, article);
    }
    ++stats_.written;
    if (buffer_.size() >= flush_bytes_) flush();
  }
  if (streaming_) flush();  // a reader of the stream sees each source's records promptly
}

void JsonlSink::flush() {
  if (!buffer_.empty()) {
    try {
      if (file_) {
        file_->write(buffer_);
      } else {
        write_to_stdout(buffer_);
      }
    } catch (const std::runtime_error& e) {
      throw SinkError(std::string("jsonl sink: ") + e.what());
    }
    ++stats_.batches;
  }
  buffer_.clear();
}

void JsonlSink::write_to_stdout(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write -: " + std::generic_category().message(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

LoadStats JsonlSink::finish() {
  if (finished_) return stats_;
  flush();
  if (file_) {
    try {
      file_->commit();
    } catch (const std::runtime_error& e) {
      throw SinkError(std::string("jsonl sink: ") + e.what());
    }
  }
  finished_ = true;
  if (index_) {
    try {
      index_->save();
    } catch (const std::exception& e) {
      throw SinkError(std::string("jsonl sink: records written, but the index of delivered records was not saved "
                                  "(they will be written again next run): ") + e.what());
    }
  }
  return stats_;
}

}  // namespace rssflow
