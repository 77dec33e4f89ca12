// What HttpFetcher learns from one transfer's response headers, and how curl results and
// HTTP statuses become StageErrors. Pure functions, unit-tested without a network.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace rssflow {

// The headers of one HTTP response (curl delivers one block per response, redirects included).
struct ResponseHead {
  int status = 0;
  std::string reason;  // reason phrase from the status line, may be empty (HTTP/2)
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> content_type;
  std::optional<std::string> content_encoding;  // repeated headers joined with ", "
  std::optional<std::string> location;
  std::optional<std::string> retry_after;
  std::optional<std::string> cache_control;  // repeated headers joined with ", "
  std::optional<std::string> expires;
  std::optional<std::string> date;
};

// Every final (non-1xx) response of one transfer, in order: redirect hops, then the last one.
struct ResponseChain {
  std::vector<ResponseHead> responses;

  // Feeds one header line as curl's CURLOPT_HEADERFUNCTION delivers it (with CRLF).
  void consume_header_line(std::string_view line);

  const ResponseHead* last() const { return responses.empty() ? nullptr : &responses.back(); }
  // True when there was at least one redirect and every hop was 301/308.
  bool every_hop_permanent() const;
  int redirect_hops() const;

 private:
  bool in_informational_ = false;  // inside a 1xx block, whose headers are ignored
};

// "Not Found" for 404; "" for unknown codes.
const char* reason_phrase(int status);

// Retry-After as delay-seconds or an HTTP-date; nothing when unparseable or absurd.
std::optional<Instant> parse_retry_after(std::string_view value, Instant now);

// How long a response stays fresh for a private cache (RFC 9111 4.2.1): Cache-Control
// max-age, else Expires minus Date (or minus `now` without a Date). Nothing for no-store,
// no-cache, an unparseable or past Expires, or when the response says nothing.
std::optional<std::chrono::seconds> freshness_lifetime(const ResponseHead& head, Instant now);

// Facts about a finished transfer that the error mapping needs beyond the CURLcode.
struct TransferFacts {
  std::string source_url;
  const char* curl_message = "";   // CURLOPT_ERRORBUFFER, may be empty
  bool body_over_cap = false;      // the write callback aborted at the cap
  std::size_t max_body_bytes = 0;
  long max_redirects = 0;
  const ResponseChain* chain = nullptr;
  bool header_over_cap = false;     // the header callback aborted at the header cap
  std::size_t max_header_bytes = 0;
  const char* callback_error = "";  // an exception a callback caught, "" when none
  bool inside_header_block = false;  // a response's headers had begun and not yet ended
};

// Maps a failed transfer (code != CURLE_OK) to the error a source reports.
StageError transfer_error(CURLcode code, const TransferFacts& facts);

// Maps a completed transfer's final HTTP status to an error, or nothing when it is a success
// (2xx with a body, or 304).
std::optional<StageError> status_error(int status, std::string_view reason, std::size_t body_bytes,
                                       const std::string& source_url);

// Whether another attempt within this run may succeed: resets, timeouts before a connection
// was made, 5xx except 501 (not implemented) and 503 (the server asked us to go away).
bool is_transient(const StageError& error, int http_status, bool connected);

}  // namespace rssflow
