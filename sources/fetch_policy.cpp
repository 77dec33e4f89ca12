#include "sources/fetch_policy.h"

#include <algorithm>
#include <cmath>

#include "core/hash.h"
#include "core/time.h"

namespace rssflow {

bool is_due(const SourceState& state, Instant now) {
  if (state.gone) return false;
  return !state.next_attempt_at || *state.next_attempt_at <= now;
}

std::chrono::seconds backoff_delay(int consecutive_failures, std::string_view url, const BackoffPolicy& policy) {
  const int doublings = std::clamp(consecutive_failures - 1, 0, 30);
  const double raw = static_cast<double>(policy.base.count()) * std::ldexp(1.0, doublings);
  const double capped = std::min(raw, static_cast<double>(policy.cap.count()));
  // Jitter from the URL and the failure count: deterministic (testable, repeatable across
  // runs) yet different for each source, so a shared outage does not synchronise retries.
  const Hash128 digest = xxh3_128(std::string(url) + '#' + std::to_string(consecutive_failures));
  const double unit = static_cast<double>(digest.low >> 11) / static_cast<double>(1ULL << 53);  // [0, 1)
  const double factor = 1.0 - policy.jitter + 2.0 * policy.jitter * unit;
  const double jittered = std::min(capped * factor, static_cast<double>(policy.cap.count()));
  return std::chrono::seconds(static_cast<long long>(std::max(1.0, jittered)));
}

SourceState next_state(SourceState prev, const FetchResult& result, Instant now, const BackoffPolicy& policy) {
  SourceState state = std::move(prev);
  if (const auto* feed = std::get_if<FetchedFeed>(&result.outcome)) {
    state.last_status = feed->http_status;
    state.last_error.clear();
    state.consecutive_failures = 0;
    state.last_success_at = now;
    state.next_attempt_at.reset();
    state.gone = false;
    if (feed->not_modified) {
      if (feed->validators.etag) state.validators.etag = feed->validators.etag;
      if (feed->validators.last_modified) state.validators.last_modified = feed->validators.last_modified;
    } else {
      // A 200 replaces both: a validator the server stopped sending must not be sent back.
      state.validators = feed->validators;
    }
    if (feed->permanent_redirect) {
      state.permanent_redirect = feed->permanent_redirect;
    } else if (feed->final_url == state.url) {
      state.permanent_redirect.reset();  // the configured URL answers directly again
    }
    return state;
  }

  const StageError& error = std::get<StageError>(result.outcome);
  // Nothing was learnt about the source: skipped (backoff), or cut off by a stop signal.
  if (error.code == ErrorCode::backoff || error.code == ErrorCode::interrupted) return state;
  return failed_state(std::move(state), error, result.http_status, result.retry_after, now, policy);
}

SourceState failed_state(SourceState prev, const StageError& error, int http_status,
                         std::optional<Instant> retry_after, Instant now, const BackoffPolicy& policy) {
  SourceState state = std::move(prev);
  state.last_status = http_status;
  state.last_error = to_string(error.code);
  state.last_error += ": ";
  state.last_error += error.message;
  ++state.consecutive_failures;
  if (error.code == ErrorCode::gone) {
    state.gone = true;
    state.next_attempt_at.reset();  // never due again; is_due checks `gone`
    return state;
  }
  Instant next = now + backoff_delay(state.consecutive_failures, state.url, policy);
  if (retry_after) {
    const Instant latest_honoured = now + policy.max_retry_after;
    next = std::max(next, std::min(*retry_after, latest_honoured));
  }
  state.next_attempt_at = next;
  return state;
}

}  // namespace rssflow
