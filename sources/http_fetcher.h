// Fetches feeds over http(s) and file:// with libcurl's multi interface on one worker thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "sources/connect_policy.h"

namespace rssflow {

// libcurl's receive buffer per transfer (CURLOPT_BUFFERSIZE; libcurl's default is 16 KiB):
// a feed of a few hundred KB arrives in a few recv(2) calls and write callbacks, not dozens.
inline constexpr long kReceiveBufferBytes = 128L << 10;

struct FetchOptions {
  int max_in_flight = 32;                  // --concurrency: transfers at once
  int max_per_host = 2;                    // transfers at once to one host
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  long low_speed_bytes_per_second = 64;    // below this for low_speed_window: cut off
  std::chrono::seconds low_speed_window{15};
  std::size_t max_body_bytes = 16u << 20;  // cap on the decompressed body
  int max_redirects = 5;
  int max_retries = 1;                     // extra attempts for transient errors, per run
  std::string user_agent;                  // empty: "rssflow/<version> (+<project url>)"
  ConnectPolicy connect_policy;            // which addresses connections may reach
  // --netrc: credentials for private feeds (libcurl's netrc, matched by host). Checked at
  // startup to be readable by its owner only.
  std::optional<std::string> netrc_file;
  // Test-only (RSSFLOW_TEST_RESOLVE, undocumented): CURLOPT_RESOLVE entries "host:port:address",
  // so a test can make a host name resolve to a loopback address.
  std::vector<std::string> resolve_overrides;
};

// Adds the test-only environment settings (RSSFLOW_TEST_PUBLIC_LOOPBACK_PORTS,
// RSSFLOW_TEST_RESOLVE="host:port:address,...") to options; not part of the user interface.
void apply_test_environment(FetchOptions& options);

struct FetchRequest {
  Source source;
  ConditionalGetState validators;  // sent as If-None-Match / If-Modified-Since
  // Hex XXH3-128 of the body parsed last time: a body (a 200's or a file's) with the same bytes
  // comes back with FetchedFeed::body_unchanged and no body, its memory reused at once.
  std::optional<std::string> known_body_hash = std::nullopt;
};

// What one fetch produced, success or not, with what the state store needs to learn.
struct FetchResult {
  Outcome<FetchedFeed> outcome;
  int http_status = 0;                  // last status seen (0: none, or file://)
  std::optional<Instant> retry_after;   // from a 429/503 Retry-After
  std::uint64_t bytes_received = 0;     // body bytes as they arrived (compressed if the server compressed)
  std::chrono::milliseconds elapsed{0}; // from the first attempt's start to the callback
                                        // (retries included, time queued before it excluded)
};

using FetchCallback = std::function<void(FetchResult)>;

// Thread-safety: submit() may be called from any thread. Callbacks run on the fetcher's own
// worker thread, one at a time, in batches: a finished result waits up to 20 ms for others to
// be delivered with it (the last one in flight, and every one while stopping, goes at once).
// The exception is a file:// source submitted from another thread: it needs no transfer, so it
// is read on that thread and its callback runs there, before submit() returns. Callbacks must
// be quick, must not throw (the worker only prints such an exception to stderr) and must not
// call submit() re-entrantly while holding locks the caller needs. No exception escapes the worker: one thrown inside curl's callbacks fails that
// transfer (`internal`, with the cause); one thrown elsewhere fails the jobs then in flight.
// Every connection's address is checked before it is made (and again before each request on
// a reused connection) against options.connect_policy; a refused one fails the source with
// ErrorCode::address_forbidden. URLs in results and errors carry no userinfo; network text in
// error messages (reason phrases, Location headers) is escaped for terminals.
// A permanent redirect is reported (FetchedFeed::permanent_redirect), not followed on later
// runs: the source list stays the operator's to change. The destructor cancels queued and in-flight transfers
// (their callbacks are not invoked) and joins the worker.
class HttpFetcher {
 public:
  explicit HttpFetcher(FetchOptions options);
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  void submit(FetchRequest request, FetchCallback on_done);

  // Stopping a run (SIGTERM). Both are thread-safe, idempotent and return at once; the
  // callbacks they cause run on the worker thread as usual, each job getting exactly one.
  // stop_starting: queued jobs, pending retries and later submits complete with `interrupted`
  // without being started; transfers in flight go on.
  void stop_starting();
  // abort_in_flight: stop_starting, and every transfer in flight is cut off and completes
  // with `interrupted` (what it received so far is discarded).
  void abort_in_flight();
  // Most network transfers that were in flight at once so far (file:// reads are not
  // transfers). Any thread; for rssflow_fetch_in_flight_max.
  std::size_t peak_in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rssflow
