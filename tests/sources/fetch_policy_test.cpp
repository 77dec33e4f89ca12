#include "sources/fetch_policy.h"

#include <gtest/gtest.h>

namespace rssflow {
namespace {

using namespace std::chrono_literals;

const Instant kNow{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h};
const std::string kUrl = "https://example.com/feed.xml";

FetchResult success(int status, ConditionalGetState validators, std::optional<std::string> redirect = std::nullopt,
                    std::string final_url = kUrl) {
  FetchedFeed feed;
  feed.source.url = kUrl;
  feed.final_url = std::move(final_url);
  feed.http_status = status;
  feed.not_modified = status == 304;
  feed.validators = std::move(validators);
  feed.permanent_redirect = std::move(redirect);
  return FetchResult{feed, status, std::nullopt, 0, 0ms};
}

FetchResult failure(ErrorCode code, int status = 0, std::optional<Instant> retry_after = std::nullopt) {
  return FetchResult{StageError{Stage::fetch, kUrl, code, "boom"}, status, retry_after, 0, 0ms};
}

SourceState fresh() {
  SourceState state;
  state.url = kUrl;
  return state;
}

TEST(FetchPolicy, NewSourceIsDue) { EXPECT_TRUE(is_due(fresh(), kNow)); }

TEST(FetchPolicy, SuccessStoresValidatorsAndClearsFailures) {
  SourceState prev = fresh();
  prev.consecutive_failures = 3;
  prev.last_error = "timeout: x";
  prev.next_attempt_at = kNow - 1s;
  const SourceState state = next_state(prev, success(200, {"\"v2\"", "Wed, 01 May 2024 12:00:00 GMT"}), kNow);
  EXPECT_EQ(state.validators.etag, "\"v2\"");
  EXPECT_EQ(state.validators.last_modified, "Wed, 01 May 2024 12:00:00 GMT");
  EXPECT_EQ(state.consecutive_failures, 0);
  EXPECT_TRUE(state.last_error.empty());
  EXPECT_EQ(state.last_success_at, kNow);
  EXPECT_FALSE(state.next_attempt_at.has_value());
  EXPECT_EQ(state.last_status, 200);
  EXPECT_TRUE(is_due(state, kNow));
}

TEST(FetchPolicy, OkResponseWithoutValidatorsForgetsOldOnes) {
  SourceState prev = fresh();
  prev.validators = {"\"old\"", "Tue, 30 Apr 2024 00:00:00 GMT"};
  const SourceState state = next_state(prev, success(200, {}), kNow);
  EXPECT_FALSE(state.validators.etag.has_value());
  EXPECT_FALSE(state.validators.last_modified.has_value());
}

TEST(FetchPolicy, NotModifiedKeepsValidatorsItDoesNotRepeat) {
  SourceState prev = fresh();
  prev.validators = {"\"old\"", "Tue, 30 Apr 2024 00:00:00 GMT"};
  const SourceState state = next_state(prev, success(304, {"\"new\"", std::nullopt}), kNow);
  EXPECT_EQ(state.validators.etag, "\"new\"");
  EXPECT_EQ(state.validators.last_modified, "Tue, 30 Apr 2024 00:00:00 GMT");
  EXPECT_EQ(state.last_status, 304);
}

TEST(FetchPolicy, FailuresBackOffExponentiallyUpToTheCap) {
  const BackoffPolicy policy;
  SourceState state = fresh();
  std::chrono::seconds previous{0};
  for (int i = 1; i <= 12; ++i) {
    state = next_state(state, failure(ErrorCode::timeout), kNow, policy);
    ASSERT_EQ(state.consecutive_failures, i);
    ASSERT_TRUE(state.next_attempt_at.has_value());
    const auto delay = *state.next_attempt_at - kNow;
    const double nominal = std::min(15.0 * 60 * (1 << (i - 1)), 24.0 * 3600);
    EXPECT_GE(delay.count(), nominal * 0.8 - 1) << i;
    EXPECT_LE(delay.count(), std::min(nominal * 1.2, 24.0 * 3600)) << i;
    if (i <= 6) {
      EXPECT_GT(delay, previous) << "delays grow while under the cap";
    }
    previous = std::chrono::duration_cast<std::chrono::seconds>(delay);
    EXPECT_FALSE(is_due(state, kNow));
    EXPECT_TRUE(is_due(state, *state.next_attempt_at));
  }
  EXPECT_EQ(state.last_error, "timeout: boom");
}

TEST(FetchPolicy, JitterIsFixedPerUrlButDiffersBetweenUrls) {
  EXPECT_EQ(backoff_delay(2, "https://a.example/feed"), backoff_delay(2, "https://a.example/feed"));
  int distinct = 0;
  for (int i = 0; i < 10; ++i) {
    if (backoff_delay(2, "https://a.example/" + std::to_string(i)) != backoff_delay(2, "https://a.example/feed")) {
      ++distinct;
    }
  }
  EXPECT_GE(distinct, 8);
}

TEST(FetchPolicy, RetryAfterLaterThanBackoffIsHonoured) {
  const SourceState state = next_state(fresh(), failure(ErrorCode::rate_limited, 429, kNow + 5h), kNow);
  EXPECT_EQ(state.next_attempt_at, kNow + 5h);
  EXPECT_EQ(state.last_status, 429);
}

TEST(FetchPolicy, RetryAfterShorterThanBackoffDoesNotShortenIt) {
  const SourceState state = next_state(fresh(), failure(ErrorCode::rate_limited, 429, kNow + 10s), kNow);
  EXPECT_GE(*state.next_attempt_at, kNow + 12min);
}

TEST(FetchPolicy, AbsurdRetryAfterIsClamped) {
  const SourceState state = next_state(fresh(), failure(ErrorCode::rate_limited, 503, kNow + 24h * 300), kNow);
  EXPECT_EQ(state.next_attempt_at, kNow + BackoffPolicy{}.max_retry_after);
}

TEST(FetchPolicy, GoneIsNeverDueAgain) {
  const SourceState state = next_state(fresh(), failure(ErrorCode::gone, 410), kNow);
  EXPECT_TRUE(state.gone);
  EXPECT_FALSE(is_due(state, kNow));
  EXPECT_FALSE(is_due(state, kNow + 24h * 3650));
}

TEST(FetchPolicy, BackoffSkipLeavesStateUnchanged) {
  SourceState prev = next_state(fresh(), failure(ErrorCode::timeout), kNow);
  const SourceState state = next_state(prev, failure(ErrorCode::backoff), kNow + 1min);
  EXPECT_EQ(state.consecutive_failures, 1);
  EXPECT_EQ(state.next_attempt_at, prev.next_attempt_at);
}

TEST(FetchPolicy, InterruptedTransferLeavesStateUnchanged) {
  SourceState prev = next_state(fresh(), failure(ErrorCode::timeout), kNow);
  const SourceState state = next_state(prev, failure(ErrorCode::interrupted), kNow + 1min);
  EXPECT_EQ(state.consecutive_failures, 1);
  EXPECT_EQ(state.next_attempt_at, prev.next_attempt_at);
  EXPECT_EQ(state.last_error, prev.last_error);
}

TEST(FetchPolicy, PermanentRedirectIsRecordedAndClearedWhenTheUrlAnswersAgain) {
  SourceState state = next_state(fresh(), success(200, {}, "https://new.example/feed", "https://new.example/feed"), kNow);
  EXPECT_EQ(state.permanent_redirect, "https://new.example/feed");
  // Fetched via a temporary redirect elsewhere: nothing learnt, keep the record.
  state = next_state(state, success(200, {}, std::nullopt, "https://cdn.example/feed"), kNow);
  EXPECT_EQ(state.permanent_redirect, "https://new.example/feed");
  state = next_state(state, success(200, {}), kNow);
  EXPECT_FALSE(state.permanent_redirect.has_value());
}

}  // namespace
}  // namespace rssflow
