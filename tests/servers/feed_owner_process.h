// Starts tests/servers/feed_owner_server.py for one test and stops it afterwards; sets its
// simulated clock and reads its request log. Header-only, like hostile_server_process.h.
#pragma once

#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

#include "tests/support/subprocess.h"

namespace rssflow::testing {

// Thread-safety: none; construct and use from the test thread.
class FeedOwnerServer {
 public:
  FeedOwnerServer()
      : process_({"/usr/bin/python3", "-u", std::string(RSSFLOW_SOURCE_DIR) + "/tests/servers/feed_owner_server.py"}) {
    const std::string line = process_.read_line();
    port_ = std::atoi(line.c_str());
    if (port_ <= 0) throw std::runtime_error("feed_owner_server.py did not print its port: " + line);
  }

  std::string url(const std::string& path_and_query) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path_and_query;
  }

  // The simulated clock the server answers by (Date, Expires, which body version).
  void set_now(long long epoch_seconds) const { get("/_now?t=" + std::to_string(epoch_seconds)); }

  // Every feed request so far, in arrival order (see the server's docstring for the fields).
  nlohmann::json log() const { return nlohmann::json::parse(get("/_log")); }

 private:
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
    if (rc != CURLE_OK) throw std::runtime_error("GET " + path + ": " + curl_easy_strerror(rc));
    return body;
  }

  BackgroundProcess process_;
  int port_ = 0;
};

}  // namespace rssflow::testing
