#include "pipeline/inflight_journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <unordered_set>

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

std::string InflightJournal::entry(char kind, std::string_view url) {
  std::string line;
  line.reserve(url.size() + 2);
  line += kind;
  line += ' ';
  line += escaped(url);
  return line;
}

std::vector<std::string> InflightJournal::suspects(const std::filesystem::path& path) {
  std::error_code missing;
  if (!std::filesystem::exists(path, missing) && !missing) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read in-flight journal " + path.string() + ": " + std::strerror(errno));
  }
  // url -> open; a "D" closes, an "X" closes everything (and forgets culprits: not a crash).
  std::unordered_set<std::string> open;
  std::unordered_set<std::string> culprits;
  std::vector<std::string> order;
  std::string line;
  while (std::getline(in, line)) {
    if (line == "X") {
      open.clear();
      culprits.clear();
      continue;
    }
    if (line.size() < 3 || line[1] != ' ') continue;  // a torn last line from a dying process
    std::string url = line.substr(2);
    switch (line[0]) {
      case 'S':
        if (open.insert(url).second) order.push_back(std::move(url));
        break;
      case 'D': open.erase(url); break;
      case 'C': culprits.insert(std::move(url)); break;
      default: break;
    }
  }
  // A culprit line can be cut (a URL longer than the handler's buffer): then it names nothing
  // open, and every open source stays a suspect.
  const bool blamed = std::any_of(culprits.begin(), culprits.end(), [&](const std::string& url) { return open.contains(url); });
  std::vector<std::string> result;
  for (std::string& url : order) {
    if (!open.erase(url)) continue;  // once, though parse and clean both journal
    if (blamed && !culprits.contains(url)) continue;
    result.push_back(std::move(url));
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

void InflightJournal::append(char kind, std::string_view url, bool sync) const {
  std::string line = entry(kind, url);
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
    : journal_(journal), url_(url), mark_(url, InflightJournal::entry('C', url)) {
  if (journal_) journal_->started(url_);
}

ParsingScope::~ParsingScope() {
  if (journal_) journal_->finished(url_);
}

}  // namespace rssflow
