// Running programs from tests: the rssflow binary, loopback servers, promtool.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace rssflow::testing {

struct CommandResult {
  int exit_status = -1;  // 128+N when killed by signal N
  std::string out;       // stdout
  std::string err;       // stderr
};

// Runs argv to completion, capturing stdout and stderr. extra_env entries are "NAME=value".
CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});

// A background process whose stdout (or stderr) is a pipe the test reads; killed on destruction
// unless wait() has reaped it.
class BackgroundProcess {
 public:
  enum class Pipe { out, err };
  explicit BackgroundProcess(const std::vector<std::string>& argv, Pipe pipe = Pipe::out);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // Blocks until the process writes a full line to stdout; "" at EOF.
  std::string read_line();
  pid_t pid() const { return pid_; }
  // Blocks until the process exits; returns its status like CommandResult::exit_status.
  int wait();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

// A static file server on 127.0.0.1 (Python's http.server) serving root; port() is known once
// the server has printed that it listens, so no test needs to sleep.
class LoopbackFileServer {
 public:
  explicit LoopbackFileServer(const std::string& root);
  int port() const { return port_; }
  std::string url(const std::string& path) const;

 private:
  BackgroundProcess process_;
  int port_ = 0;
};

// A fresh empty directory under $TMPDIR, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// An OPML 2.0 source list of the given xmlUrl values (XML-escaped), one outline each.
std::string opml_for(const std::vector<std::string>& urls);

// Absolute paths of the real-world corpus files (tests/data/realworld, sorted, at most `max`).
std::vector<std::string> corpus_files(std::size_t max = static_cast<std::size_t>(-1));

// file:// URLs of the given absolute paths.
std::vector<std::string> file_urls(const std::vector<std::string>& paths);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace rssflow::testing
