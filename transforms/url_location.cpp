// The libcurl half of transforms/url.h: where a URL points, parsed by curl's URL API.
#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "core/ascii.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

struct UrlHandleDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlHandleDeleter>;

struct CurlTextDeleter {
  void operator()(char* text) const { curl_free(text); }
};


std::string ascii_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// nullopt when the part is absent (curl reports CURLUE_NO_*).
std::optional<std::string> part(CURLU* handle, CURLUPart which, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(handle, which, &text, flags) != CURLUE_OK || text == nullptr) return std::nullopt;
  const std::unique_ptr<char, CurlTextDeleter> owned(text);
  return std::string(text);
}

UrlHandle parse(std::string_view url) {
  UrlHandle handle(curl_url());
  if (!handle) return nullptr;
  const std::string text(ascii_trim(url));
  // No CURLU_NON_SUPPORT_SCHEME and no scheme guessing: only absolute URLs of schemes this
  // libcurl speaks get through, and the checks below narrow that to http, https and file.
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return nullptr;
  return handle;
}

int default_port(std::string_view scheme) { return scheme == "https" ? 443 : scheme == "http" ? 80 : 0; }

}  // namespace

std::optional<UrlLocation> locate_url(std::string_view url) {
  const UrlHandle handle = parse(url);
  if (!handle) return std::nullopt;
  UrlLocation out;
  out.scheme = ascii_lower(part(handle.get(), CURLUPART_SCHEME).value_or(""));
  if (out.scheme != "http" && out.scheme != "https" && out.scheme != "file") return std::nullopt;
  out.host = ascii_lower(part(handle.get(), CURLUPART_HOST).value_or(""));
  out.path = part(handle.get(), CURLUPART_PATH).value_or("");
  out.query = part(handle.get(), CURLUPART_QUERY).value_or("");
  if (const auto user = part(handle.get(), CURLUPART_USER)) {
    out.userinfo = *user;
    if (const auto password = part(handle.get(), CURLUPART_PASSWORD)) out.userinfo += ":" + *password;
  } else if (const auto password = part(handle.get(), CURLUPART_PASSWORD)) {
    out.userinfo = ":" + *password;
  }
  if (out.scheme == "file") return out;
  if (out.host.empty()) return std::nullopt;
  if (out.path.empty()) out.path = "/";
  out.port = default_port(out.scheme);
  if (const auto port = part(handle.get(), CURLUPART_PORT)) {
    int value = 0;
    for (char c : *port) value = value * 10 + (c - '0');  // curl checked: decimal, 0-65535
    out.port = value;
  }
  return out;
}

std::string host_key(const UrlLocation& location) { return location.host + ":" + std::to_string(location.port); }

std::string canonical_source_url(std::string_view url) {
  const auto location = locate_url(url);
  return location ? canonical_source_url(*location) : std::string(ascii_trim(url));
}

std::string canonical_source_url(const UrlLocation& location) {
  if (location.scheme == "file") {
    return "file://" + percent_encode(percent_decode(location.path).value_or(location.path), "/!$&'()*+,;=:@");
  }
  std::string text = location.scheme + "://" + location.host;
  if (location.port != default_port(location.scheme)) text += ":" + std::to_string(location.port);
  text += location.path;
  if (!location.query.empty()) text += "?" + location.query;
  return canonicalize_url(text);
}

std::string without_userinfo(std::string_view url) {
  std::size_t authority = std::string_view::npos;
  if (url.starts_with("//")) {
    authority = 2;
  } else if (const auto colon = url.find(':'); colon != std::string_view::npos &&
                                               url.find_first_of("/?#") > colon &&
                                               url.substr(colon + 1).starts_with("//")) {
    authority = colon + 3;
  }
  if (authority == std::string_view::npos) return std::string(url);
  const auto end = std::min(url.find_first_of("/?#", authority), url.size());
  const auto at = url.substr(authority, end - authority).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority));
  out.append(url.substr(authority + at + 1));
  return out;
}

std::optional<std::string> percent_decode(std::string_view text) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 1 < text.size() ? hex(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex(text[i + 2]) : -1;
    if (high < 0 || low < 0 || (high == 0 && low == 0)) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

bool is_web_url(std::string_view url) {
  const auto location = locate_url(url);
  return location && location->scheme != "file";
}

}  // namespace rssflow
