// The two ways metrics leave a batch job: a textfile for node_exporter, a Pushgateway push.
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

#include <curl/curl.h>

#include "core/atomic_file.h"
#include "sinks/prometheus_metrics.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

// The gateway URL as it may appear in a message: without user:password@.
std::string redacted(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto authority_start = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority_start);
  const auto at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_start) return std::string(url);
  return std::string(url.substr(0, authority_start)) + "***@" + std::string(url.substr(at + 1));
}


std::string base64url(std::string_view value) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < value.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(value[i]) << 16) | (static_cast<unsigned char>(value[i + 1]) << 8) |
                       static_cast<unsigned char>(value[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < value.size()) {
    unsigned n = static_cast<unsigned char>(value[i]) << 16;
    if (i + 1 < value.size()) n |= static_cast<unsigned char>(value[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < value.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// One path segment pair; the Pushgateway cannot take '/' or "" literally in a path segment.
std::string grouping_segment(std::string_view name, std::string_view value) {
  if (value.empty() || value.find('/') != std::string_view::npos) {
    return "/" + std::string(name) + "@base64/" + (value.empty() ? std::string("=") : base64url(value));
  }
  return "/" + std::string(name) + "/" + percent_encode(value);
}

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() < 512) body->append(data, std::min<size_t>(size * count, 512 - body->size()));
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::string trim_message(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

void write_textfile_atomically(const std::filesystem::path& path, const std::string& text) {
  write_file_atomically(path, text);
}

std::optional<std::string> push_to_gateway(const std::string& gateway_url, const std::string& job,
                                           const MetricLabels& grouping, const std::string& text, PushMethod method,
                                           std::chrono::milliseconds timeout) {
  const std::string shown = redacted(gateway_url);
  try {
    if (job.empty()) return "pushgateway " + shown + ": empty job name";
    if (!(gateway_url.starts_with("http://") || gateway_url.starts_with("https://"))) {
      return "pushgateway " + shown + ": URL must start with http:// or https://";
    }
    std::string url = gateway_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/metrics" + grouping_segment("job", job);
    for (const auto& [name, value] : grouping) url += grouping_segment(name, value);

    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return "pushgateway " + shown + ": curl_easy_init failed";
    std::unique_ptr<curl_slist, SlistDeleter> headers(
        curl_slist_append(nullptr, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
    std::string response;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, text.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(text.size()));
    if (method == PushMethod::replace) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);

    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      return "pushgateway " + shown + ": " + (error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(rc));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
      return "pushgateway " + shown + ": HTTP " + std::to_string(status) +
             (response.empty() ? std::string() : ": " + trim_message(response));
    }
    return std::nullopt;
  } catch (const std::exception& error) {
    return "pushgateway " + shown + ": " + error.what();
  }
}

}  // namespace rssflow
