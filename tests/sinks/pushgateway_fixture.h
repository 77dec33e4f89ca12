// A real Pushgateway for tests: prometheus-pushgateway (on PATH) on a free loopback port,
// started and awaited without sleeping, stopped on destruction. Header-only so tests in any
// folder can include it; link rssflow_test_support and PkgConfig::CURL.
#pragma once

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "tests/support/subprocess.h"

namespace rssflow::testing {

// A port the kernel just handed out; the gateway binds it right after.
inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

inline size_t append_to_string(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// GET url: {status, body}; status 0 when nothing answered.
inline std::pair<long, std::string> http_get(const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return {status, body};
}

class Pushgateway {
 public:
  Pushgateway()
      : port_(free_loopback_port()),
        process_({"sh", "-c",
                  "exec prometheus-pushgateway --web.listen-address=127.0.0.1:" + std::to_string(port_) + " 2>&1"}) {
    // Its log says when the socket is bound; then /-/ready confirms it serves.
    for (std::string line = process_.read_line(); line.find("Listening on") == std::string::npos;
         line = process_.read_line()) {
      if (line.empty()) throw std::runtime_error("prometheus-pushgateway exited before listening");
    }
    for (int attempt = 0; http_get(url() + "/-/ready").first != 200; ++attempt) {
      if (attempt == 1000) throw std::runtime_error("prometheus-pushgateway never became ready");
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string metrics() const { return http_get(url() + "/metrics").second; }

 private:
  int port_;
  BackgroundProcess process_;
};

// The value of the sample whose line starts with `series` (name and labels as exposed).
inline std::optional<std::string> sample_value(const std::string& exposition, const std::string& series) {
  std::size_t at = 0;
  while ((at = exposition.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || exposition[at - 1] == '\n') {
      const auto start = at + series.size() + 1;
      return exposition.substr(start, exposition.find('\n', start) - start);
    }
    at += series.size();
  }
  return std::nullopt;
}

}  // namespace rssflow::testing
