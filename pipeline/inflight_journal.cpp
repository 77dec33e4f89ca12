#include "pipeline/inflight_journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

namespace rssflow {
namespace {

// A URL never holds a raw line break in practice, but the journal must stay one entry a line
// whatever the source list says.
std::string escaped(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  for (const char c : url) {
    if (c == '\n') out += "%0A";
    else if (c == '\r') out += "%0D";
    else out += c;
  }
  return out;
}

}  // namespace

std::filesystem::path InflightJournal::path_for_lock(const std::filesystem::path& lock_path) {
  std::filesystem::path path = lock_path;
  path += ".inflight";
  return path;
}

std::vector<std::string> InflightJournal::unfinished(const std::filesystem::path& path) {
  std::error_code missing;
  if (!std::filesystem::exists(path, missing) && !missing) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read in-flight journal " + path.string() + ": " + std::strerror(errno));
  }
  // url -> position among the open entries; a "D" closes, an "X" closes everything.
  std::unordered_map<std::string, std::size_t> open;
  std::vector<std::string> order;
  std::string line;
  while (std::getline(in, line)) {
    if (line == "X") {
      open.clear();
      continue;
    }
    if (line.size() < 3 || line[1] != ' ') continue;  // a torn last line from a dying process
    std::string url = line.substr(2);
    if (line[0] == 'S') {
      if (open.emplace(url, order.size()).second) order.push_back(std::move(url));
    } else if (line[0] == 'D') {
      open.erase(url);
    }
  }
  std::vector<std::string> result;
  for (std::string& url : order) {
    if (open.erase(url) != 0) result.push_back(std::move(url));  // once, though parse and clean both journal
  }
  return result;
}

InflightJournal::InflightJournal(std::filesystem::path path, Options options)
    : path_(std::move(path)), options_(std::move(options)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open in-flight journal " + path_.string() + ": " + std::strerror(errno));
  }
  signals::set_journal_fd(fd_);
  if (!options_.crash_while_parsing.empty()) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // the test hook's crash needs no core dump
  }
}

InflightJournal::~InflightJournal() {
  signals::set_journal_fd(-1);
  ::close(fd_);
}

void InflightJournal::clear() {
  if (::ftruncate(fd_, 0) == 0 && options_.sync) ::fdatasync(fd_);
}

void InflightJournal::append(char kind, std::string_view url, bool sync) {
  std::string line;
  line.reserve(url.size() + 3);
  line += kind;
  line += ' ';
  line += escaped(url);
  line += '\n';
  // O_APPEND: one write(2) per line is one atomic append, whichever thread writes.
  [[maybe_unused]] const ssize_t written = ::write(fd_, line.data(), line.size());
  if (sync) ::fdatasync(fd_);
}

void InflightJournal::started(std::string_view url) {
  append('S', url, options_.sync);
  if (!options_.crash_while_parsing.empty() && url.find(options_.crash_while_parsing) != std::string_view::npos) {
    ::raise(SIGSEGV);
  }
}

void InflightJournal::finished(std::string_view url) { append('D', url, false); }

ParsingScope::ParsingScope(InflightJournal* journal, const std::string& url)
    : journal_(journal), url_(url), mark_(url) {
  if (journal_) journal_->started(url_);
}

ParsingScope::~ParsingScope() {
  if (journal_) journal_->finished(url_);
}

}  // namespace rssflow
