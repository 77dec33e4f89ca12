// Starts tests/servers/hostile_server.py for one test (suite) and stops it afterwards.
// Header-only so every fetch test can include it without another library.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

extern char** environ;

namespace rssflow::testing {

// Thread-safety: none; construct and use from the test thread.
class HostileServer {
 public:
  HostileServer() {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    posix_spawn_file_actions_addclose(&actions, to_child[1]);
    posix_spawn_file_actions_addclose(&actions, from_child[0]);
    const std::string script = std::string(RSSFLOW_SOURCE_DIR) + "/tests/servers/hostile_server.py";
    char* argv[] = {const_cast<char*>("/usr/bin/python3"), const_cast<char*>(script.c_str()),
                    const_cast<char*>("--exit-on-stdin-eof"), nullptr};
    const int rc = posix_spawn(&pid_, "/usr/bin/python3", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    stdin_fd_ = to_child[1];  // kept open: the server exits when it closes, even if we crash
    if (rc != 0) throw std::runtime_error("cannot start hostile_server.py");
    FILE* out = ::fdopen(from_child[0], "r");
    char line[64] = {};
    char tls_line[64] = {};
    const bool got = out && std::fgets(line, sizeof line, out) != nullptr &&
                     std::fgets(tls_line, sizeof tls_line, out) != nullptr;
    if (out) std::fclose(out);
    port_ = got ? std::atoi(line) : 0;
    tls_port_ = got ? std::atoi(tls_line) : 0;
    if (port_ <= 0 || tls_port_ <= 0) throw std::runtime_error("hostile_server.py did not print its ports");
  }

  ~HostileServer() {
    ::close(stdin_fd_);
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  int port() const { return port_; }
  // The same paths over TLS with a self-signed certificate (verification must fail).
  std::string tls_url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(tls_port_) + path;
  }
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port_) + path;
  }

  // GET of a control path (/_log, /_stats) with a plain curl easy handle.
  std::string get(const std::string& path) const {
    std::string body;
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url(path).c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* user) {
      static_cast<std::string*>(user)->append(data, size * n);
      return size * n;
    });
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(easy);
    curl_easy_cleanup(easy);
    if (rc != CURLE_OK) throw std::runtime_error(std::string("GET ") + path + ": " + curl_easy_strerror(rc));
    return body;
  }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
  int tls_port_ = 0;
};

}  // namespace rssflow::testing
