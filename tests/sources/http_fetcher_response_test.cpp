// Unit tests for HttpFetcher's pure parts: header parsing, error mapping, Retry-After, the
// per-host scheduler and source URL classification.
#include <gtest/gtest.h>

#include "sources/http_fetcher_response.h"
#include "sources/http_fetcher_scheduler.h"
#include "sources/http_fetcher_target.h"

namespace rssflow {
namespace {

using namespace std::chrono_literals;

ResponseChain chain_of(std::initializer_list<const char*> lines) {
  ResponseChain chain;
  for (const char* line : lines) chain.consume_header_line(line);
  return chain;
}

TEST(ResponseChain, KeepsHeadersOfEachResponseAndSkipsInformationalOnes) {
  const ResponseChain chain = chain_of({"HTTP/1.1 301 Moved Permanently\r\n", "Location: /b\r\n", "\r\n",
                                        "HTTP/1.1 100 Continue\r\n", "ETag: \"ignored\"\r\n", "\r\n",
                                        "HTTP/2 200\r\n", "etag: \"v1\"\r\n", "LAST-MODIFIED:  Wed, 01 May 2024 12:00:00 GMT \r\n",
                                        "Content-Type: application/rss+xml\r\n", "\r\n"});
  ASSERT_EQ(chain.responses.size(), 2u);
  EXPECT_EQ(chain.responses[0].status, 301);
  EXPECT_EQ(chain.responses[0].reason, "Moved Permanently");
  EXPECT_EQ(chain.responses[0].location, "/b");
  EXPECT_EQ(chain.last()->status, 200);
  EXPECT_EQ(chain.last()->reason, "");
  EXPECT_EQ(chain.last()->etag, "\"v1\"");
  EXPECT_EQ(chain.last()->last_modified, "Wed, 01 May 2024 12:00:00 GMT");
  EXPECT_EQ(chain.last()->content_type, "application/rss+xml");
  EXPECT_EQ(chain.redirect_hops(), 1);
  EXPECT_TRUE(chain.every_hop_permanent());
}

TEST(ResponseChain, AnyTemporaryHopMakesTheRedirectTemporary) {
  EXPECT_FALSE(chain_of({"HTTP/1.1 301 X\r\n", "HTTP/1.1 302 X\r\n", "HTTP/1.1 200 OK\r\n"}).every_hop_permanent());
  EXPECT_TRUE(chain_of({"HTTP/1.1 308 X\r\n", "HTTP/1.1 301 X\r\n", "HTTP/1.1 200 OK\r\n"}).every_hop_permanent());
  EXPECT_FALSE(chain_of({"HTTP/1.1 200 OK\r\n"}).every_hop_permanent());
}

TEST(RetryAfter, AcceptsSecondsAndHttpDates) {
  const Instant now{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h};
  EXPECT_EQ(parse_retry_after("120", now), now + 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", now), now);
  EXPECT_EQ(parse_retry_after("Wed, 01 May 2024 13:00:00 GMT", now), now + 1h);
  EXPECT_EQ(parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now), now) << "a past date means now";
  EXPECT_FALSE(parse_retry_after("soon", now).has_value());
  EXPECT_FALSE(parse_retry_after("-5", now).has_value());
  EXPECT_FALSE(parse_retry_after("99999999999", now).has_value());
  EXPECT_FALSE(parse_retry_after("", now).has_value());
}

TEST(Freshness, MaxAgeWinsOverExpiresAndNoCacheMeansNothing) {
  const Instant now{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h};
  auto lifetime = [&](std::initializer_list<const char*> lines) {
    const ResponseChain chain = chain_of(lines);
    return freshness_lifetime(*chain.last(), now);
  };
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Cache-Control: public, max-age=3600\r\n",
                      "Expires: Wed, 01 May 2024 20:00:00 GMT\r\n"}),
            3600s);
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Cache-Control: public\r\n", "cache-control: max-age=\"60\"\r\n"}), 60s)
      << "repeated Cache-Control headers are one list";
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Date: Wed, 01 May 2024 10:00:00 GMT\r\n",
                      "Expires: Wed, 01 May 2024 12:30:00 GMT\r\n"}),
            9000s)
      << "Expires counts from the server's Date, not from our clock";
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Expires: Wed, 01 May 2024 13:00:00 GMT\r\n"}), 3600s);
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Expires: 0\r\n"}), std::nullopt);
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Expires: Wed, 01 May 2024 11:00:00 GMT\r\n"}), std::nullopt);
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Cache-Control: no-cache, max-age=600\r\n"}), std::nullopt);
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Cache-Control: max-age=0\r\n"}), std::nullopt);
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n", "Cache-Control: max-age=abc\r\n"}), std::nullopt);
  EXPECT_EQ(lifetime({"HTTP/1.1 200 OK\r\n"}), std::nullopt);
}

TEST(StatusError, MapsStatusesToCodesWithReasonPhrases) {
  const std::string url = "http://x/feed";
  EXPECT_FALSE(status_error(200, "OK", 10, url).has_value());
  EXPECT_FALSE(status_error(304, "Not Modified", 0, url).has_value());
  EXPECT_EQ(status_error(200, "OK", 0, url)->code, ErrorCode::empty_body);
  EXPECT_EQ(status_error(410, "", 0, url)->code, ErrorCode::gone);
  EXPECT_EQ(status_error(429, "", 0, url)->code, ErrorCode::rate_limited);
  EXPECT_EQ(status_error(503, "", 0, url)->code, ErrorCode::rate_limited);
  const auto not_found = status_error(404, "", 5, url);
  EXPECT_EQ(not_found->code, ErrorCode::http_status);
  EXPECT_EQ(not_found->message, "HTTP 404 Not Found");
  EXPECT_EQ(not_found->feed_url, url);
  EXPECT_EQ(status_error(418, "I'm a teapot", 5, url)->message, "HTTP 418 I'm a teapot");
}

TEST(TransferError, MapsCurlCodesToSpecificErrors) {
  TransferFacts facts;
  facts.source_url = "http://x/feed";
  facts.max_body_bytes = 100;
  facts.max_redirects = 5;
  EXPECT_EQ(transfer_error(CURLE_COULDNT_RESOLVE_HOST, facts).code, ErrorCode::dns);
  EXPECT_EQ(transfer_error(CURLE_COULDNT_CONNECT, facts).code, ErrorCode::connect);
  EXPECT_EQ(transfer_error(CURLE_PEER_FAILED_VERIFICATION, facts).code, ErrorCode::tls);
  EXPECT_EQ(transfer_error(CURLE_OPERATION_TIMEDOUT, facts).code, ErrorCode::timeout);
  EXPECT_EQ(transfer_error(CURLE_FILESIZE_EXCEEDED, facts).code, ErrorCode::too_large);
  EXPECT_EQ(transfer_error(CURLE_TOO_MANY_REDIRECTS, facts).code, ErrorCode::too_many_redirects);
  EXPECT_EQ(transfer_error(CURLE_RECV_ERROR, facts).code, ErrorCode::connection_reset);
  EXPECT_EQ(transfer_error(CURLE_GOT_NOTHING, facts).code, ErrorCode::connection_reset);
  EXPECT_EQ(transfer_error(CURLE_WRITE_ERROR, facts).code, ErrorCode::internal);
  facts.body_over_cap = true;
  EXPECT_EQ(transfer_error(CURLE_WRITE_ERROR, facts).code, ErrorCode::too_large);
  EXPECT_EQ(transfer_error(CURLE_UNSUPPORTED_PROTOCOL, facts).code, ErrorCode::invalid_source);
  const ResponseChain redirect = chain_of({"HTTP/1.1 302 Found\r\n", "Location: file:///etc/passwd\r\n"});
  facts.chain = &redirect;
  const StageError refused = transfer_error(CURLE_UNSUPPORTED_PROTOCOL, facts);
  EXPECT_EQ(refused.code, ErrorCode::redirect_forbidden);
  EXPECT_NE(refused.message.find("file:///etc/passwd"), std::string::npos);
  facts.curl_message = "Could not resolve host: nowhere.invalid";
  EXPECT_NE(transfer_error(CURLE_COULDNT_RESOLVE_HOST, facts).message.find("nowhere.invalid"), std::string::npos);
}

TEST(TransferError, HeaderFloodsAndCallbackFailuresHaveTheirOwnReasons) {
  TransferFacts facts;
  facts.source_url = "http://x/feed";
  facts.max_header_bytes = 4096;
  EXPECT_EQ(transfer_error(CURLE_OUT_OF_MEMORY, facts).code, ErrorCode::internal);
  facts.inside_header_block = true;  // curl < 8.6: a header line over 100 KiB is "out of memory"
  EXPECT_EQ(transfer_error(CURLE_OUT_OF_MEMORY, facts).code, ErrorCode::header_too_large);
  facts.header_over_cap = true;
  const StageError flood = transfer_error(CURLE_WRITE_ERROR, facts);
  EXPECT_EQ(flood.code, ErrorCode::header_too_large);
  EXPECT_NE(flood.message.find("4096"), std::string::npos) << flood.message;
  facts.callback_error = "storing the body: std::bad_alloc";
  const StageError thrown = transfer_error(CURLE_WRITE_ERROR, facts);
  EXPECT_EQ(thrown.code, ErrorCode::internal);
  EXPECT_NE(thrown.message.find("std::bad_alloc"), std::string::npos) << thrown.message;
}

TEST(IsTransient, RetriesResetsAndServerErrorsButNotClientErrors) {
  const StageError reset{Stage::fetch, "u", ErrorCode::connection_reset, ""};
  const StageError status{Stage::fetch, "u", ErrorCode::http_status, ""};
  const StageError timeout{Stage::fetch, "u", ErrorCode::timeout, ""};
  EXPECT_TRUE(is_transient(reset, 0, false));
  EXPECT_TRUE(is_transient(status, 500, true));
  EXPECT_TRUE(is_transient(status, 502, true));
  EXPECT_FALSE(is_transient(status, 501, true));
  EXPECT_FALSE(is_transient(status, 404, true));
  EXPECT_TRUE(is_transient(timeout, 0, false));
  EXPECT_FALSE(is_transient(timeout, 200, true)) << "a body that dribbles will dribble again";
  EXPECT_FALSE(is_transient(StageError{Stage::fetch, "u", ErrorCode::rate_limited, ""}, 503, true));
}

TEST(HostScheduler, LimitsPerHostAndTakesHostsInTurn) {
  HostScheduler<int> scheduler(3, 2);
  for (int i = 0; i < 4; ++i) scheduler.enqueue("a:80", i);
  scheduler.enqueue("b:80", 100);
  std::vector<std::pair<std::string, int>> started;
  while (auto next = scheduler.next()) started.push_back(*next);
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(started[0], (std::pair<std::string, int>{"a:80", 0}));
  EXPECT_EQ(started[1], (std::pair<std::string, int>{"b:80", 100})) << "b's turn before a's second job";
  EXPECT_EQ(started[2], (std::pair<std::string, int>{"a:80", 1}));
  scheduler.finished("b:80");
  EXPECT_FALSE(scheduler.next().has_value()) << "a is at its per-host limit";
  scheduler.finished("a:80");
  EXPECT_EQ(scheduler.next()->second, 2);
  EXPECT_EQ(scheduler.in_flight(), 2);
  EXPECT_EQ(scheduler.waiting(), 1u);
}

TEST(ClassifySourceUrl, SeparatesNetworkFileAndInvalidSources) {
  EXPECT_EQ(std::get<NetworkTarget>(classify_source_url("https://Example.COM/feed")).host_key, "example.com:443");
  EXPECT_EQ(std::get<NetworkTarget>(classify_source_url("http://example.com:8080/f")).host_key, "example.com:8080");
  EXPECT_TRUE(std::get<NetworkTarget>(classify_source_url("HTTPS://example.com/f")).https);
  EXPECT_FALSE(std::get<NetworkTarget>(classify_source_url("http://example.com/f")).https);
  EXPECT_EQ(std::get<FileTarget>(classify_source_url("file:///tmp/a%20b.xml")).path, "/tmp/a b.xml");
  EXPECT_EQ(std::get<FileTarget>(classify_source_url("file://localhost/tmp/x.xml")).path, "/tmp/x.xml");
  for (const char* bad : {"ftp://example.com/f", "file://remote.example/etc/passwd", "not a url", "gopher://x/"}) {
    SCOPED_TRACE(bad);
    const auto target = classify_source_url(bad);
    const auto* error = std::get_if<StageError>(&target);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, ErrorCode::invalid_source);
    EXPECT_EQ(error->feed_url, bad);
  }
}

}  // namespace
}  // namespace rssflow
