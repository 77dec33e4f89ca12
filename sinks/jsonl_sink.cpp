#include "sinks/jsonl_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "transforms/json_record.h"

namespace rssflow {
namespace {

bool is_stdout(const std::filesystem::path& path) { return path == "-"; }

std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  std::string name = "." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter.fetch_add(1));
  return path.parent_path() / name;
}

std::string errno_text(int error) { return std::generic_category().message(error); }

}  // namespace

JsonlSink::JsonlSink(std::filesystem::path path, std::size_t flush_bytes)
    : path_(std::move(path)), flush_bytes_(flush_bytes) {
  buffer_.reserve(flush_bytes_ + (64u << 10));
  if (is_stdout(path_)) {
    fd_ = STDOUT_FILENO;
    streaming_ = true;
    return;
  }
  if (path_.filename().empty()) throw SinkError("jsonl sink: output path " + path_.string() + " names a directory");
  std::error_code ec;
  const auto status = std::filesystem::status(path_, ec);  // follows symlinks
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    if (std::filesystem::is_directory(status)) throw SinkError("jsonl sink: output path " + path_.string() + " is a directory");
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) fail("cannot open", path_, errno);
    streaming_ = true;
    return;
  }
  target_ = std::filesystem::is_symlink(std::filesystem::symlink_status(path_, ec)) ? std::filesystem::weakly_canonical(path_, ec) : path_;
  if (ec || target_.empty()) target_ = path_;
  temp_path_ = temp_path_for(target_);
  // O_EXCL: never follow or clobber something already there; 0666 lets the umask decide.
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    const int error = errno;
    temp_path_.clear();
    throw SinkError("jsonl sink: cannot create a file next to " + path_.string() + ": " + errno_text(error));
  }
}

JsonlSink::~JsonlSink() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void JsonlSink::fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw SinkError("jsonl sink: " + what + " " + path.string() + ": " + errno_text(error));
}

void JsonlSink::format(const Article& article, std::string& row) const { append_json_line(row, article); }

void JsonlSink::write(ArticleBatch&& batch) {
  if (finished_) throw std::logic_error("JsonlSink::write after finish");
  if (!batch.row_ends.empty()) {
    buffer_.append(batch.rows);
    if (buffer_.size() >= flush_bytes_) flush();
  } else {
    for (const Article& article : batch.articles) {
      append_json_line(buffer_, article);
      if (buffer_.size() >= flush_bytes_) flush();
    }
  }
  stats_.written += batch.articles.size();
  if (streaming_) flush();  // a reader of the stream sees each source's records promptly
}

void JsonlSink::flush() {
  const std::filesystem::path& shown = temp_path_.empty() ? path_ : temp_path_;
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", shown, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (!buffer_.empty()) ++stats_.batches;
  buffer_.clear();
}

LoadStats JsonlSink::finish() {
  if (finished_) return stats_;
  flush();
  if (!temp_path_.empty()) {
    if (::fsync(fd_) != 0) fail("cannot sync", temp_path_, errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close", temp_path_, errno);
    if (::rename(temp_path_.c_str(), target_.c_str()) != 0) fail("cannot rename " + temp_path_.string() + " to", target_, errno);
    temp_path_.clear();
    // Make the rename itself durable; failing to sync a directory is not worth failing the run.
    const std::filesystem::path dir = target_.parent_path().empty() ? "." : target_.parent_path();
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  } else if (fd_ >= 0 && fd_ != STDOUT_FILENO) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close", path_, errno);
  }
  finished_ = true;
  return stats_;
}

}  // namespace rssflow
