// HttpFetcher's connection safety (issue 10) against two hostile_server.py instances on
// loopback: "public" plays a public feed host (its port counts as public, the test-only
// setting), "internal" is an ordinary loopback server, i.e. an internal address.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "sources/http_fetcher.h"
#include "tests/servers/hostile_server_process.h"
#include "transforms/url.h"

namespace rssflow {
namespace {

using testing::HostileServer;
using namespace std::chrono_literals;

FetchResult fetch_one(HttpFetcher& fetcher, const std::string& url, std::string userinfo = {}) {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<FetchResult> result;
  Source source{url, "", {}, 0, std::move(userinfo)};
  fetcher.submit(FetchRequest{std::move(source), {}}, [&](FetchResult r) {
    std::lock_guard lock(mutex);
    result = std::move(r);
    done.notify_all();
  });
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return result.has_value(); });
  return std::move(*result);
}

const StageError* error_of(const FetchResult& result) { return std::get_if<StageError>(&result.outcome); }

class ConnectSafetyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    public_ = new HostileServer();
    internal_ = new HostileServer();
  }
  static void TearDownTestSuite() {
    delete public_;
    delete internal_;
  }

  static FetchOptions options(bool allow_private_networks) {
    FetchOptions o;
    o.connect_timeout = 2000ms;
    o.total_timeout = 5000ms;
    o.max_retries = 0;
    o.connect_policy.allow_private_networks = allow_private_networks;
    o.connect_policy.public_loopback_ports = {public_->port()};
    o.resolve_overrides = {"feeds.example.test:" + std::to_string(internal_->port()) + ":127.0.0.1"};
    return o;
  }

  static std::string redirect_to(const std::string& location) {
    return public_->url("/redirect-to?url=" + percent_encode(location));
  }

  static HostileServer* public_;
  static HostileServer* internal_;
};
HostileServer* ConnectSafetyTest::public_ = nullptr;
HostileServer* ConnectSafetyTest::internal_ = nullptr;

TEST_F(ConnectSafetyTest, PublicSourceMayNotReachLoopbackPrivateOrMetadataThroughARedirect) {
  HttpFetcher fetcher(options(false));
  const struct {
    std::string location;
    std::string says;
  } cases[] = {
      {"http://169.254.169.254/latest/meta-data/", "cloud metadata"},
      {"http://169.254.10.20/", "link-local"},
      {"http://[fe80::1]/", "link-local"},
      {"http://10.255.255.1/feed.xml", "private"},
      {"http://192.168.1.1/feed.xml", "private"},
      {internal_->url("/feed/1.xml"), "loopback"},
      {internal_->url("/feed/1.xml", "0x7f000001"), "loopback"},
      {"http://0.0.0.0:" + std::to_string(internal_->port()) + "/feed/1.xml", "unspecified"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.location);
    const FetchResult result = fetch_one(fetcher, redirect_to(c.location));
    const StageError* error = error_of(result);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, ErrorCode::address_forbidden) << error->describe();
    EXPECT_NE(error->message.find(c.says), std::string::npos) << error->message;
    EXPECT_STREQ(to_string(error->code), "address_forbidden");
  }
}

TEST_F(ConnectSafetyTest, ADnsAnswerThatTurnsIntoLoopbackIsRefused) {
  HttpFetcher fetcher(options(false));
  const std::string url = "http://feeds.example.test:" + std::to_string(internal_->port()) + "/feed/1.xml";
  const FetchResult result = fetch_one(fetcher, url);
  ASSERT_NE(error_of(result), nullptr);
  EXPECT_EQ(error_of(result)->code, ErrorCode::address_forbidden) << error_of(result)->describe();
}

TEST_F(ConnectSafetyTest, AllowPrivateNetworksLetsThePrivateCasesThroughButNeverMetadata) {
  HttpFetcher fetcher(options(true));
  for (const std::string& url : {redirect_to(internal_->url("/feed/1.xml")),
                                 "http://feeds.example.test:" + std::to_string(internal_->port()) + "/feed/2.xml"}) {
    SCOPED_TRACE(url);
    const FetchResult result = fetch_one(fetcher, url);
    ASSERT_EQ(error_of(result), nullptr) << error_of(result)->describe();
    EXPECT_EQ(result.http_status, 200);
  }
  const FetchResult metadata = fetch_one(fetcher, redirect_to("http://169.254.169.254/latest/meta-data/"));
  ASSERT_NE(error_of(metadata), nullptr);
  EXPECT_EQ(error_of(metadata)->code, ErrorCode::address_forbidden);
}

TEST_F(ConnectSafetyTest, ConfiguredLoopbackSourcesKeepWorkingAndDoNotLendTheirConnection) {
  HttpFetcher fetcher(options(false));
  const FetchResult internal = fetch_one(fetcher, internal_->url("/feed/3.xml"));
  ASSERT_EQ(error_of(internal), nullptr) << error_of(internal)->describe();
  // The connection to the internal server is idle in curl's pool now; a public source's
  // redirect to it must not reuse it (checked before every request, not only at connect).
  const FetchResult redirected = fetch_one(fetcher, redirect_to(internal_->url("/feed/3.xml")));
  ASSERT_NE(error_of(redirected), nullptr);
  EXPECT_EQ(error_of(redirected)->code, ErrorCode::address_forbidden);
}

TEST_F(ConnectSafetyTest, NetworkTextInErrorsIsEscapedAndCredentialsAreNotEchoed) {
  HttpFetcher fetcher(options(true));
  const FetchResult reason = fetch_one(fetcher, public_->url("/escape-reason"));
  ASSERT_NE(error_of(reason), nullptr);
  EXPECT_EQ(error_of(reason)->message.find('\x1b'), std::string::npos) << error_of(reason)->message;
  EXPECT_NE(error_of(reason)->message.find("\\x1b]0;pwned\\x07"), std::string::npos) << error_of(reason)->message;

  const FetchResult moved = fetch_one(fetcher, redirect_to(internal_->url("/feed/4.xml", "user:hunter2@127.0.0.1")));
  ASSERT_EQ(error_of(moved), nullptr) << error_of(moved)->describe();
  const auto& feed = std::get<FetchedFeed>(moved.outcome);
  EXPECT_EQ(feed.final_url, internal_->url("/feed/4.xml"));
}

TEST_F(ConnectSafetyTest, CredentialsTakenOutOfTheUrlAreSentToItsHost) {
  HttpFetcher fetcher(options(false));
  const FetchResult denied = fetch_one(fetcher, public_->url("/private/feed.xml"));
  ASSERT_NE(error_of(denied), nullptr);
  EXPECT_EQ(denied.http_status, 401);
  const FetchResult allowed = fetch_one(fetcher, public_->url("/private/feed.xml"), "reader:s3cret-pw");
  ASSERT_EQ(error_of(allowed), nullptr) << error_of(allowed)->describe();
  EXPECT_EQ(allowed.http_status, 200);
}

}  // namespace
}  // namespace rssflow
