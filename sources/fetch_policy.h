// When to fetch a source again, and what one fetch teaches its stored state: validators for
// conditional GET, exponential backoff after failures, Retry-After, 410 Gone, permanent
// redirects. Pure functions of their arguments (the jitter is derived from the URL), so the
// same history always gives the same schedule.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/fetch_state.h"
#include "core/types.h"
#include "sources/http_fetcher.h"

namespace rssflow {

struct BackoffPolicy {
  std::chrono::seconds base{15 * 60};        // delay after the first failure
  std::chrono::seconds cap{24 * 60 * 60};    // no delay grows past this
  std::chrono::seconds max_retry_after{7 * 24 * 60 * 60};  // a longer Retry-After is clamped
  double jitter = 0.2;                       // delays spread over [1 - jitter, 1 + jitter)
};

// Whether a source should be fetched at `now`: not gone (410 is final until an operator resets
// the state) and not inside a backoff / Retry-After window.
bool is_due(const SourceState& state, Instant now);

// The state after one fetch of `prev.url`. Successes (200 and 304) reset the failure count and
// store the response's validators (a 304 without validators keeps the previous ones); failures
// count up and set next_attempt_at to the later of the backoff and the server's Retry-After;
// 410 marks the source gone; a redirect whose every hop was permanent is recorded. A `backoff`
// error (the fetch was skipped) or an `interrupted` one (a stop signal cut the transfer off)
// leaves the state unchanged.
SourceState next_state(SourceState prev, const FetchResult& result, Instant now,
                       const BackoffPolicy& policy = {});

// The state after a failure of `prev.url` (a fetch failure, or a body that did not parse):
// one more consecutive failure, last_error = "<code>: <message>", 410 marks it gone, else
// next_attempt_at = the later of the backoff delay and `retry_after` (clamped).
SourceState failed_state(SourceState prev, const StageError& error, int http_status,
                         std::optional<Instant> retry_after, Instant now, const BackoffPolicy& policy = {});

// The delay after `consecutive_failures` (>= 1) failures: base doubling per failure up to the
// cap, times a jitter factor fixed by `url`, so many sources failing together spread out.
std::chrono::seconds backoff_delay(int consecutive_failures, std::string_view url,
                                   const BackoffPolicy& policy = {});

}  // namespace rssflow
