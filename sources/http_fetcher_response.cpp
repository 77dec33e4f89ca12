#include "sources/http_fetcher_response.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/ascii.h"
#include "core/terminal_text.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

// A header that may repeat: its values joined with ", " (RFC 9110's list syntax).
void append_list_value(std::optional<std::string>& field, std::string value) {
  if (field) *field += ", " + value;
  else field = std::move(value);
}

std::string with_detail(std::string summary, const TransferFacts& facts, CURLcode code) {
  std::string_view detail = facts.curl_message ? facts.curl_message : "";
  detail = ascii_trim(detail);
  summary += " (";
  summary += detail.empty() ? std::string(curl_easy_strerror(code)) : escape_for_terminal(detail);
  summary += ')';
  return summary;
}

StageError make_error(const std::string& url, ErrorCode code, std::string message) {
  return StageError{Stage::fetch, url, code, std::move(message)};
}

// A Location header as an error message may quote it: without credentials, escaped.
std::string shown_location(const std::optional<std::string>& location) {
  return location ? escape_for_terminal(without_userinfo(*location)) : std::string("?");
}

}  // namespace

void ResponseChain::consume_header_line(std::string_view line) {
  line = ascii_trim(line);
  if (line.empty()) return;  // end of one response's header block
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return;
    std::string_view rest = line.substr(space + 1);
    int status = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), status);
    if (ec != std::errc{}) return;
    in_informational_ = status >= 100 && status < 200;
    if (in_informational_) return;
    ResponseHead head;
    head.status = status;
    head.reason = std::string(ascii_trim(std::string_view(end, rest.data() + rest.size() - end)));
    responses.push_back(std::move(head));
    return;
  }
  if (in_informational_ || responses.empty()) return;
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = ascii_trim(line.substr(0, colon));
  std::string value(ascii_trim(line.substr(colon + 1)));
  ResponseHead& head = responses.back();
  if (ascii_iequals(name, "etag")) head.etag = std::move(value);
  else if (ascii_iequals(name, "last-modified")) head.last_modified = std::move(value);
  else if (ascii_iequals(name, "content-type")) head.content_type = std::move(value);
  else if (ascii_iequals(name, "location")) head.location = std::move(value);
  else if (ascii_iequals(name, "retry-after")) head.retry_after = std::move(value);
  else if (ascii_iequals(name, "expires")) head.expires = std::move(value);
  else if (ascii_iequals(name, "date")) head.date = std::move(value);
  else if (ascii_iequals(name, "cache-control")) append_list_value(head.cache_control, std::move(value));
  else if (ascii_iequals(name, "content-encoding")) append_list_value(head.content_encoding, std::move(value));
}

std::optional<std::chrono::seconds> freshness_lifetime(const ResponseHead& head, Instant now) {
  std::optional<long long> max_age;
  if (head.cache_control) {
    std::string_view rest = *head.cache_control;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view directive = ascii_trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      const auto equals = directive.find('=');
      const std::string_view name = ascii_trim(directive.substr(0, equals));
      if (ascii_iequals(name, "no-store") || ascii_iequals(name, "no-cache")) return std::nullopt;
      if (!ascii_iequals(name, "max-age") || equals == std::string_view::npos) continue;
      std::string_view value = ascii_trim(directive.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      long long seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc{} && end == value.data() + value.size() && seconds >= 0) max_age = seconds;
    }
  }
  if (max_age) {
    if (*max_age == 0) return std::nullopt;
    return std::chrono::seconds(*max_age);
  }
  if (!head.expires) return std::nullopt;
  const time_t expires = curl_getdate(head.expires->c_str(), nullptr);
  if (expires == -1) return std::nullopt;  // "0", "-1" and junk mean "already expired"
  Instant origin = now;
  if (head.date) {
    if (const time_t date = curl_getdate(head.date->c_str(), nullptr); date != -1) {
      origin = Instant{std::chrono::seconds(date)};
    }
  }
  const Instant until{std::chrono::seconds(expires)};
  if (until <= origin) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(until - origin);
}

int ResponseChain::redirect_hops() const {
  return responses.empty() ? 0 : static_cast<int>(responses.size()) - 1;
}

bool ResponseChain::every_hop_permanent() const {
  if (redirect_hops() == 0) return false;
  return std::all_of(responses.begin(), responses.end() - 1,
                     [](const ResponseHead& head) { return head.status == 301 || head.status == 308; });
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::optional<Instant> parse_retry_after(std::string_view value, Instant now) {
  value = ascii_trim(value);
  if (value.empty()) return std::nullopt;
  // A year is far beyond any sane request; a larger value is a broken server, not a plan.
  constexpr long long kMaxSeconds = 366LL * 24 * 3600;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || end != value.data() + value.size() || seconds > kMaxSeconds) return std::nullopt;
    return now + std::chrono::seconds(seconds);
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const Instant at{std::chrono::seconds(when)};
  if (at <= now) return now;
  if (at - now > std::chrono::seconds(kMaxSeconds)) return std::nullopt;
  return at;
}

StageError transfer_error(CURLcode code, const TransferFacts& facts) {
  const std::string& url = facts.source_url;
  const ResponseHead* last = facts.chain ? facts.chain->last() : nullptr;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return make_error(url, ErrorCode::dns, with_detail("host name did not resolve", facts, code));
    case CURLE_COULDNT_CONNECT:
      return make_error(url, ErrorCode::connect, with_detail("could not connect", facts, code));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return make_error(url, ErrorCode::tls, with_detail("TLS failure", facts, code));
    case CURLE_OPERATION_TIMEDOUT:
      return make_error(url, ErrorCode::timeout, with_detail("timed out", facts, code));
    case CURLE_FILESIZE_EXCEEDED:
      return make_error(url, ErrorCode::too_large,
                        "body larger than " + std::to_string(facts.max_body_bytes) + " bytes (Content-Length)");
#if LIBCURL_VERSION_NUM >= 0x080600
    case CURLE_TOO_LARGE:
      return make_error(url, ErrorCode::header_too_large, with_detail("response headers too large", facts, code));
#endif
    case CURLE_OUT_OF_MEMORY:
      // curl (before 8.6) reports a header line over its own 100 KiB limit as out of memory
      // ("Avoided giant realloc for header"): inside a header block that is the server's
      // flood, not our memory.
      if (facts.inside_header_block) {
        return make_error(url, ErrorCode::header_too_large, "a response header line is over curl's 100 KiB limit");
      }
      return make_error(url, ErrorCode::internal, with_detail("out of memory", facts, code));
    case CURLE_WRITE_ERROR:
      if (facts.callback_error && *facts.callback_error) {
        return make_error(url, ErrorCode::internal, std::string("transfer aborted: ") + facts.callback_error);
      }
      if (facts.header_over_cap) {
        return make_error(url, ErrorCode::header_too_large,
                          "response headers larger than " + std::to_string(facts.max_header_bytes) + " bytes");
      }
      if (facts.body_over_cap) {
        return make_error(url, ErrorCode::too_large,
                          "decompressed body larger than " + std::to_string(facts.max_body_bytes) + " bytes");
      }
      return make_error(url, ErrorCode::internal, with_detail("write failed", facts, code));
    case CURLE_TOO_MANY_REDIRECTS:
      return make_error(url, ErrorCode::too_many_redirects,
                        "more than " + std::to_string(facts.max_redirects) + " redirects" +
                            (last && last->location ? ", last to " + shown_location(last->location) : std::string()));
    case CURLE_UNSUPPORTED_PROTOCOL:
      if (last && last->status >= 300 && last->status < 400) {
        return make_error(url, ErrorCode::redirect_forbidden,
                          "HTTP " + std::to_string(last->status) + " redirect to " +
                              shown_location(last->location) +
                              " refused: only http and https may be followed");
      }
      return make_error(url, ErrorCode::invalid_source, with_detail("unsupported scheme", facts, code));
    case CURLE_URL_MALFORMAT:
      return make_error(url, ErrorCode::invalid_source, with_detail("malformed URL", facts, code));
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return make_error(url, ErrorCode::connection_reset, with_detail("connection closed or reset", facts, code));
    case CURLE_BAD_CONTENT_ENCODING:
      return make_error(url, ErrorCode::malformed, with_detail("bad Content-Encoding", facts, code));
    case CURLE_WEIRD_SERVER_REPLY:
      return make_error(url, ErrorCode::malformed, with_detail("not an HTTP response", facts, code));
    default:
      return make_error(url, ErrorCode::connect, with_detail("transfer failed", facts, code));
  }
}

std::optional<StageError> status_error(int status, std::string_view reason, std::size_t body_bytes,
                                       const std::string& source_url) {
  if (status == 304) return std::nullopt;
  std::string line = "HTTP " + std::to_string(status);
  const std::string_view phrase = reason.empty() ? std::string_view(reason_phrase(status)) : reason;
  if (!phrase.empty()) {
    line += ' ';
    line += escape_for_terminal(phrase);  // the server's own words: may carry escape sequences
  }
  if (status >= 200 && status < 300) {
    if (body_bytes > 0) return std::nullopt;
    return make_error(source_url, ErrorCode::empty_body, line + " with an empty body");
  }
  if (status == 410) return make_error(source_url, ErrorCode::gone, line);
  if (status == 429 || status == 503) return make_error(source_url, ErrorCode::rate_limited, line);
  return make_error(source_url, ErrorCode::http_status, line);
}

bool is_transient(const StageError& error, int http_status, bool connected) {
  switch (error.code) {
    case ErrorCode::connection_reset: return true;
    case ErrorCode::timeout: return !connected;
    case ErrorCode::http_status: return http_status >= 500 && http_status != 501;
    default: return false;
  }
}

}  // namespace rssflow
