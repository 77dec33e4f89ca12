// HttpFetcher against tests/servers/hostile_server.py on loopback: every misbehaviour yields its
// own ErrorCode, good feeds succeed, validators produce 304s (checked from the server's log).
#include "sources/http_fetcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/hash.h"
#include "tests/servers/hostile_server_process.h"

namespace rssflow {
namespace {

using testing::HostileServer;
using namespace std::chrono_literals;

FetchOptions test_options() {
  FetchOptions options;
  options.max_in_flight = 32;
  options.max_per_host = 32;
  options.connect_timeout = 2000ms;
  options.total_timeout = 3000ms;
  options.low_speed_bytes_per_second = 100;
  options.low_speed_window = 1s;
  options.max_body_bytes = 1u << 20;
  options.max_redirects = 5;
  options.max_retries = 1;
  return options;
}

// Submits every request at once and waits (on a condition variable, not a clock) for all results.
std::vector<FetchResult> fetch_all(HttpFetcher& fetcher, const std::vector<FetchRequest>& requests) {
  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::optional<FetchResult>> results(requests.size());
  std::size_t remaining = requests.size();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    fetcher.submit(requests[i], [&, i](FetchResult result) {
      std::lock_guard lock(mutex);
      results[i] = std::move(result);
      if (--remaining == 0) done.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return remaining == 0; });
  std::vector<FetchResult> out;
  for (auto& result : results) out.push_back(std::move(*result));
  return out;
}

FetchResult fetch_one(HttpFetcher& fetcher, FetchRequest request) {
  return std::move(fetch_all(fetcher, {std::move(request)}).front());
}

FetchRequest request_for(const std::string& url, ConditionalGetState validators = {}) {
  return FetchRequest{Source{url, "", {}, 0, {}, std::nullopt}, std::move(validators)};
}

const FetchedFeed& feed_of(const FetchResult& result) {
  if (const auto* error = std::get_if<StageError>(&result.outcome)) {
    ADD_FAILURE() << "unexpected error: " << error->describe();
    static const FetchedFeed empty;
    return empty;
  }
  return std::get<FetchedFeed>(result.outcome);
}

// A loopback port nobody listens on: bound, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::vector<nlohmann::json> log_entries(const HostileServer& server, const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& entry : nlohmann::json::parse(server.get("/_log"))) {
    if (entry["path"] == path) out.push_back(entry);
  }
  return out;
}

class HttpFetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new HostileServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HostileServer* server_;
};
HostileServer* HttpFetcherTest::server_ = nullptr;

TEST_F(HttpFetcherTest, FetchesGoodFeedsPlainAndCompressedWithValidators) {
  HttpFetcher fetcher(test_options());
  const std::vector<std::string> paths = {"/feed/1.xml", "/atom.xml", "/mislabelled-gzip.xml", "/gzip.xml",
                                          "/deflate.xml", "/raw-deflate.xml"};
  std::vector<FetchRequest> requests;
  for (const auto& path : paths) requests.push_back(request_for(server_->url(path)));
  const auto results = fetch_all(fetcher, requests);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    SCOPED_TRACE(paths[i]);
    const FetchedFeed& feed = feed_of(results[i]);
    EXPECT_EQ(feed.http_status, 200);
    EXPECT_FALSE(feed.not_modified);
    EXPECT_EQ(feed.final_url, server_->url(paths[i]));
    EXPECT_NE(feed.body.find("<?xml"), std::string::npos) << "body must arrive decompressed";
    if (i < 3) {  // plain, or plain labelled gzip (read as it is: no stream starts with '<')
      EXPECT_EQ(results[i].bytes_received, feed.body.size());
    } else {
      EXPECT_LT(results[i].bytes_received, feed.body.size()) << "bytes received are the compressed ones";
    }
    EXPECT_TRUE(feed.validators.etag.has_value());
    EXPECT_EQ(feed.validators.last_modified, "Wed, 01 May 2024 12:00:00 GMT");
    EXPECT_TRUE(feed.content_type.has_value());
    EXPECT_FALSE(feed.permanent_redirect.has_value());
    EXPECT_EQ(feed.source.url, server_->url(paths[i]));
  }
  EXPECT_EQ(feed_of(results[0]).validators.etag, "\"feed-1-v1\"");
}

TEST_F(HttpFetcherTest, SendsValidatorsAndReportsNotModified) {
  HttpFetcher fetcher(test_options());
  const std::string url = server_->url("/feed/304.xml");
  const FetchedFeed first = feed_of(fetch_one(fetcher, request_for(url)));
  ASSERT_TRUE(first.validators.etag.has_value());

  const FetchResult second = fetch_one(fetcher, request_for(url, first.validators));
  const FetchedFeed& feed = feed_of(second);
  EXPECT_TRUE(feed.not_modified);
  EXPECT_EQ(feed.http_status, 304);
  EXPECT_TRUE(feed.body.empty());
  EXPECT_EQ(feed.validators.etag, first.validators.etag);
  EXPECT_EQ(feed.validators.last_modified, first.validators.last_modified);

  const auto log = log_entries(*server_, "/feed/304.xml");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(log[0]["if_none_match"].is_null());
  EXPECT_EQ(log[1]["if_none_match"], *first.validators.etag);
  EXPECT_EQ(log[1]["if_modified_since"], *first.validators.last_modified);
  const std::string agent = log[0]["user_agent"];
  EXPECT_EQ(agent.rfind("rssflow/", 0), 0u) << agent;
  EXPECT_NE(agent.find("(+http"), std::string::npos) << agent;
  const std::string encodings = log[0]["accept_encoding"];
  EXPECT_NE(encodings.find("gzip"), std::string::npos);
  EXPECT_NE(encodings.find("deflate"), std::string::npos);
  EXPECT_EQ(encodings.find("br"), std::string::npos) << "only what sources/content_coding decodes is offered";
}

// A server that ignores conditional GET resends the same bytes: the fetcher recognises them by
// the hash of the last body and releases them at once, so they never wait in memory for parse.
// The hash is of the body as it arrived, so a compressed one is recognised without inflating
// it; one that differs is inflated as before.
TEST_F(HttpFetcherTest, ABodyEqualToTheKnownOneIsReleasedAndMarkedUnchangedCompressedOrNot) {
  HttpFetcher fetcher(test_options());
  for (const std::string path : {"/feed/1.xml", "/gzip.xml", "/deflate.xml"}) {
    SCOPED_TRACE(path);
    const bool compressed = path != "/feed/1.xml";
    const std::string url = server_->url(path);
    const FetchResult first_result = fetch_one(fetcher, request_for(url));
    const FetchedFeed first = feed_of(first_result);
    ASSERT_NE(first.body.find("<rss"), std::string::npos);
    EXPECT_FALSE(first.body_unchanged);
    if (compressed) {
      EXPECT_NE(first.body_hash, xxh3_128(first.body).hex()) << "not the hash of the inflated body";
      EXPECT_LT(first_result.bytes_received, first.body.size());
    } else {
      EXPECT_EQ(first.body_hash, xxh3_128(first.body).hex());
      EXPECT_EQ(first_result.bytes_received, first.body.size());
    }

    FetchRequest same = request_for(url);
    same.known_body_hash = first.body_hash;
    const FetchResult again = fetch_one(fetcher, same);
    const FetchedFeed& unchanged = feed_of(again);
    EXPECT_TRUE(unchanged.body_unchanged);
    EXPECT_TRUE(unchanged.body.empty());
    EXPECT_EQ(unchanged.body_hash, first.body_hash);
    EXPECT_EQ(again.bytes_received, first_result.bytes_received) << "the bytes were still received";

    FetchRequest other = request_for(url);
    other.known_body_hash = std::string(32, '0');
    const FetchedFeed changed = feed_of(fetch_one(fetcher, other));
    EXPECT_FALSE(changed.body_unchanged);
    EXPECT_EQ(changed.body, first.body);
  }
}

TEST_F(HttpFetcherTest, ReusesOneConnectionForSequentialFetchesToAHost) {
  HttpFetcher fetcher(test_options());
  for (int i = 0; i < 4; ++i) feed_of(fetch_one(fetcher, request_for(server_->url("/feed/reuse.xml"))));
  const auto log = log_entries(*server_, "/feed/reuse.xml");
  ASSERT_EQ(log.size(), 4u);
  for (const auto& entry : log) EXPECT_EQ(entry["client_port"], log[0]["client_port"]);
}

TEST_F(HttpFetcherTest, LastModifiedAloneAlsoYieldsNotModified) {
  HttpFetcher fetcher(test_options());
  ConditionalGetState validators;
  validators.last_modified = "Wed, 01 May 2024 12:00:00 GMT";
  const FetchResult result = fetch_one(fetcher, request_for(server_->url("/feed/ims.xml"), validators));
  const FetchedFeed& feed = feed_of(result);
  EXPECT_TRUE(feed.not_modified);
  EXPECT_EQ(feed.validators.etag, "\"feed-ims-v1\"") << "validators from the 304 itself";
}

struct HostileCase {
  std::string path;
  ErrorCode code;
  std::string message_part;
};

TEST_F(HttpFetcherTest, EveryHostilePathReportsItsOwnError) {
  const FetchOptions options = test_options();
  HttpFetcher fetcher(options);
  const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port()) + "/feed.xml";
  const std::vector<HostileCase> cases = {
      {server_->url("/endless"), ErrorCode::too_large, "1048576"},
      {server_->url("/big"), ErrorCode::too_large, "Content-Length"},
      {server_->url("/slow"), ErrorCode::timeout, ""},
      {server_->url("/hang"), ErrorCode::timeout, ""},
      {server_->url("/bomb"), ErrorCode::too_large, "decompressed"},
      {server_->url("/brotli.xml"), ErrorCode::malformed, "unsupported Content-Encoding: br"},
      {server_->url("/corrupt-gzip.xml"), ErrorCode::malformed, "corrupt compressed body"},
      {server_->url("/truncated-gzip.xml"), ErrorCode::malformed, "truncated compressed body"},
      {server_->url("/empty-gzip.xml"), ErrorCode::empty_body, "decompresses to nothing"},
      {server_->url("/loop/a"), ErrorCode::too_many_redirects, "more than 5 redirects"},
      {server_->url("/to-file"), ErrorCode::redirect_forbidden, "file:///etc/passwd"},
      {server_->url("/ratelimited"), ErrorCode::rate_limited, "HTTP 429 Too Many Requests"},
      {server_->url("/unavailable"), ErrorCode::rate_limited, "HTTP 503 Service Unavailable"},
      {server_->url("/error500"), ErrorCode::http_status, "HTTP 500 Internal Server Error"},
      {server_->url("/error501"), ErrorCode::http_status, "HTTP 501"},
      {server_->url("/notfound"), ErrorCode::http_status, "HTTP 404 Not Found"},
      {server_->url("/gone"), ErrorCode::gone, "HTTP 410 Gone"},
      {server_->url("/empty"), ErrorCode::empty_body, "empty body"},
      {server_->url("/reset"), ErrorCode::connection_reset, ""},
      {server_->url("/partial"), ErrorCode::connection_reset, ""},
      {"http://nonexistent.invalid/feed.xml", ErrorCode::dns, "nonexistent.invalid"},
      {refused, ErrorCode::connect, ""},
      {"file:///nonexistent/rssflow/feed.xml", ErrorCode::io, "/nonexistent/rssflow/feed.xml"},
      {"ftp://example.com/feed.xml", ErrorCode::invalid_source, "ftp"},
      {server_->tls_url("/feed/1.xml"), ErrorCode::tls, "certificate"},
      {server_->url("/huge-header"), ErrorCode::header_too_large, "header"},
      {server_->url("/many-headers"), ErrorCode::header_too_large, "131072"},
  };
  std::vector<FetchRequest> requests;
  for (const auto& c : cases) requests.push_back(request_for(c.path));
  const Instant before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto results = fetch_all(fetcher, requests);

  // Worst case per source: every attempt runs to the total timeout, plus the retry delays
  // (at most 1.5 x 250 ms, doubling), plus generous scheduling slack: this checks that the
  // timeout is enforced at all, not how fast a loaded machine schedules the curl thread.
  const auto bound = options.total_timeout * (options.max_retries + 1) + 375ms * (options.max_retries + 1) + 5s;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].path);
    const auto* error = std::get_if<StageError>(&results[i].outcome);
    ASSERT_NE(error, nullptr) << "expected " << to_string(cases[i].code);
    EXPECT_EQ(error->code, cases[i].code) << error->describe();
    EXPECT_EQ(error->stage, Stage::fetch);
    EXPECT_EQ(error->feed_url, cases[i].path);
    EXPECT_NE(error->message.find(cases[i].message_part), std::string::npos) << error->message;
    EXPECT_LE(results[i].elapsed, bound);
    std::printf("%-50s -> %s\n", cases[i].path.c_str(), error->describe().c_str());
  }
  auto result_for = [&](const std::string& path) -> const FetchResult& {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (cases[i].path == server_->url(path)) return results[i];
    }
    throw std::logic_error("no case " + path);
  };
  const FetchResult& limited = result_for("/ratelimited");
  EXPECT_EQ(limited.http_status, 429);
  ASSERT_TRUE(limited.retry_after.has_value());
  EXPECT_GE(*limited.retry_after, before + 119s);
  EXPECT_LE(*limited.retry_after, before + 125s);
  ASSERT_TRUE(result_for("/unavailable").retry_after.has_value());
  EXPECT_GE(*result_for("/unavailable").retry_after, before + 3590s);
  EXPECT_EQ(result_for("/gone").http_status, 410);
  EXPECT_EQ(result_for("/to-file").http_status, 302);
}

TEST_F(HttpFetcherTest, DocumentsThatAreNotFeedsStillFetchForTheParserToJudge) {
  HttpFetcher fetcher(test_options());
  const auto results = fetch_all(fetcher, {request_for(server_->url("/html")), request_for(server_->url("/truncated.xml"))});
  EXPECT_NE(feed_of(results[0]).body.find("<html>"), std::string::npos);
  EXPECT_EQ(feed_of(results[0]).content_type, "text/html; charset=utf-8");
  EXPECT_NE(feed_of(results[1]).body.find("<rss"), std::string::npos);
}

TEST_F(HttpFetcherTest, ReportsPermanentRedirectOnlyWhenEveryHopIsPermanent) {
  HttpFetcher fetcher(test_options());
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"/moved", server_->url("/feed/1.xml")},
      {"/moved-308", server_->url("/feed/2.xml")},
      {"/moved-twice", server_->url("/feed/1.xml")},
      {"/temporary", std::nullopt},
      {"/moved-then-temporary", std::nullopt},
  };
  std::vector<FetchRequest> requests;
  for (const auto& c : cases) requests.push_back(request_for(server_->url(c.first)));
  const auto results = fetch_all(fetcher, requests);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first);
    const FetchedFeed& feed = feed_of(results[i]);
    EXPECT_EQ(feed.permanent_redirect, cases[i].second);
    EXPECT_NE(feed.final_url, server_->url(cases[i].first));
    EXPECT_EQ(feed.http_status, 200);
  }
}

TEST_F(HttpFetcherTest, RetriesOnlyTransientErrorsAndOnlyUpToMaxRetries) {
  FetchOptions options = test_options();
  options.max_retries = 2;
  HttpFetcher fetcher(options);
  const std::vector<std::string> paths = {"/error500?retry", "/error501?retry", "/notfound?retry", "/reset?retry",
                                          "/ratelimited?retry"};
  std::vector<FetchRequest> requests;
  for (const auto& path : paths) requests.push_back(request_for(server_->url(path)));
  fetch_all(fetcher, requests);
  EXPECT_EQ(log_entries(*server_, "/error500?retry").size(), 3u);
  EXPECT_EQ(log_entries(*server_, "/error501?retry").size(), 1u);
  EXPECT_EQ(log_entries(*server_, "/notfound?retry").size(), 1u);
  // libcurl itself may resend once when a reused connection dies, so only a floor here.
  EXPECT_GE(log_entries(*server_, "/reset?retry").size(), 3u);
  EXPECT_EQ(log_entries(*server_, "/ratelimited?retry").size(), 1u);
}

TEST_F(HttpFetcherTest, NeverRunsMoreThanMaxPerHostTransfersToOneHost) {
  FetchOptions options = test_options();
  options.max_per_host = 2;
  HttpFetcher fetcher(options);
  server_->get("/_stats?reset=1");
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 12; ++i) requests.push_back(request_for(server_->url("/delay/" + std::to_string(i) + ".xml?ms=150")));
  for (const auto& result : fetch_all(fetcher, requests)) EXPECT_EQ(feed_of(result).http_status, 200);
  EXPECT_EQ(nlohmann::json::parse(server_->get("/_stats"))["delay_active_max"], 2);
}

TEST_F(HttpFetcherTest, SlowHostDoesNotDelayOtherHosts) {
  FetchOptions options = test_options();
  options.max_per_host = 1;
  options.max_retries = 0;
  HttpFetcher fetcher(options);
  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::string> order;
  auto record = [&](const std::string& name) {
    return [&, name](FetchResult) {
      std::lock_guard lock(mutex);
      order.push_back(name);
      done.notify_all();
    };
  };
  // Two hangs on 127.0.0.1 (one in flight, one queued behind it); good feeds on "localhost".
  fetcher.submit(request_for(server_->url("/hang?a")), record("hang"));
  fetcher.submit(request_for(server_->url("/hang?b")), record("hang"));
  for (int i = 0; i < 3; ++i) {
    fetcher.submit(request_for(server_->url("/feed/other" + std::to_string(i) + ".xml", "localhost")), record("good"));
  }
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return order.size() == 5; });
  EXPECT_EQ(std::vector<std::string>(order.begin(), order.begin() + 3), std::vector<std::string>(3, "good"));
}

TEST_F(HttpFetcherTest, ReadsFileSourcesDirectly) {
  HttpFetcher fetcher(test_options());
  const std::string path = std::string(RSSFLOW_TEST_DATA_DIR) + "/realworld/KDE__syndication__autotests_atom_qtblog.xml";
  const auto results = fetch_all(fetcher, {request_for("file://" + path), request_for("file://" + std::string(RSSFLOW_TEST_DATA_DIR))});
  const FetchedFeed& feed = feed_of(results[0]);
  EXPECT_EQ(feed.http_status, 0);
  std::ifstream file(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(feed.body, bytes);
  EXPECT_NE(feed.body.find("<feed"), std::string::npos);
  EXPECT_EQ(feed.body_hash, xxh3_128(bytes).hex());
  FetchRequest same = request_for("file://" + path);
  same.known_body_hash = feed.body_hash;
  const FetchedFeed unchanged = feed_of(fetch_one(fetcher, same));
  EXPECT_TRUE(unchanged.body_unchanged) << "a file equal to the last one is released like a network body";
  EXPECT_TRUE(unchanged.body.empty());
  const auto* error = std::get_if<StageError>(&results[1].outcome);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, ErrorCode::not_a_regular_file);
  EXPECT_NE(error->message.find(RSSFLOW_TEST_DATA_DIR), std::string::npos);
}

// Bodies are handed over as soon as enough of them wait to be worth waking the consumer, not
// after a whole list of file sources has been read: the first callback runs before the last
// file is read, as the change it makes to that file shows. The list is submitted by a callback
// on the worker's own thread (files submitted from another thread are read there, at once),
// so that the worker takes it in one piece.
TEST_F(HttpFetcherTest, FileBodiesAreDeliveredOnceEnoughWaitNotAfterTheWholeList) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("rssflow-delivery-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  constexpr std::size_t kFiles = 12;
  const auto path_of = [&](std::size_t i) { return dir / ("feed" + std::to_string(i) + ".xml"); };
  for (std::size_t i = 0; i < kFiles; ++i) {
    std::ofstream(path_of(i), std::ios::binary) << "<rss>" << std::string(100 << 10, 'x') << "</rss>";
  }
  std::vector<FetchRequest> requests;
  for (std::size_t i = 0; i < kFiles; ++i) requests.push_back(request_for("file://" + path_of(i).string()));
  HttpFetcher fetcher(test_options());
  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::optional<FetchResult>> results(kFiles);
  std::size_t remaining = kFiles;
  bool rewritten = false;
  fetcher.submit(request_for(server_->url("/feed/delivery.xml")), [&](FetchResult) {
    for (std::size_t i = 0; i < kFiles; ++i) {
      fetcher.submit(requests[i], [&, i](FetchResult result) {
        std::lock_guard lock(mutex);
        if (!rewritten) {
          rewritten = true;
          std::ofstream(path_of(kFiles - 1), std::ios::binary | std::ios::trunc) << "<rss>changed</rss>";
        }
        results[i] = std::move(result);
        if (--remaining == 0) done.notify_all();
      });
    }
  });
  {
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return remaining == 0; });
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(feed_of(*results[0]).body.size(), (100u << 10) + 11);
  EXPECT_TRUE(feed_of(*results[kFiles - 1]).body == "<rss>changed</rss>")
      << "the last file was read before the first callback: " << feed_of(*results[kFiles - 1]).body.size()
      << " bytes";
}

// A file source submitted from another thread needs no transfer: it is read on that thread and
// answered before submit() returns (interrupted once a stop was requested, like a queued job).
// Submitted by a callback, on the worker's own thread, it is queued and answered there, so that
// a chain of callbacks that each submit the next source never recurses.
TEST_F(HttpFetcherTest, AFileSourceIsAnsweredOnTheThreadThatSubmitsIt) {
  const std::string path = std::string(RSSFLOW_TEST_DATA_DIR) + "/realworld/KDE__syndication__autotests_atom_qtblog.xml";
  HttpFetcher fetcher(test_options());
  std::optional<FetchResult> direct;
  std::thread::id direct_thread;
  fetcher.submit(request_for("file://" + path), [&](FetchResult result) {
    direct_thread = std::this_thread::get_id();
    direct = std::move(result);
  });
  ASSERT_TRUE(direct) << "answered before submit() returned";
  EXPECT_EQ(direct_thread, std::this_thread::get_id());
  EXPECT_TRUE(feed_of(*direct).has_body());

  std::mutex mutex;
  std::condition_variable done;
  std::optional<FetchResult> nested;
  std::thread::id worker_thread, nested_thread;
  fetcher.submit(request_for(server_->url("/feed/nested.xml")), [&](FetchResult) {
    worker_thread = std::this_thread::get_id();
    fetcher.submit(request_for("file://" + path), [&](FetchResult result) {
      std::lock_guard lock(mutex);
      nested_thread = std::this_thread::get_id();
      nested = std::move(result);
      done.notify_all();
    });
    EXPECT_FALSE(nested) << "queued, not answered inside the callback that submitted it";
  });
  {
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return nested.has_value(); });
  }
  EXPECT_EQ(nested_thread, worker_thread);
  EXPECT_NE(nested_thread, std::this_thread::get_id());
  EXPECT_TRUE(feed_of(*nested).has_body());

  fetcher.stop_starting();
  std::optional<FetchResult> stopped;
  fetcher.submit(request_for("file://" + path), [&](FetchResult result) { stopped = std::move(result); });
  ASSERT_TRUE(stopped);
  const auto* error = std::get_if<StageError>(&stopped->outcome);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, ErrorCode::interrupted);
}

// A FIFO without a writer would block a plain open(2) forever, and /dev/zero never ends: both
// are refused at once, by reason, without reading.
TEST_F(HttpFetcherTest, RefusesFileSourcesThatAreNotRegularFiles) {
  char dir_template[] = "/tmp/rssflow-fifo-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string fifo = std::string(dir_template) + "/feed.xml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  HttpFetcher fetcher(test_options());
  const auto results = fetch_all(fetcher, {request_for("file://" + fifo), request_for("file:///dev/zero")});
  ::unlink(fifo.c_str());
  ::rmdir(dir_template);
  const char* kinds[] = {"a FIFO", "a character device"};
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto* error = std::get_if<StageError>(&results[i].outcome);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, ErrorCode::not_a_regular_file) << error->describe();
    EXPECT_NE(error->message.find(kinds[i]), std::string::npos) << error->message;
  }
}

// Stopping a run: queued jobs never start, in-flight transfers are cut off on request, and
// every job still gets exactly one callback, `interrupted`.
TEST_F(HttpFetcherTest, StopStartingThenAbortInFlightAnswersEveryJobAsInterrupted) {
  FetchOptions options = test_options();
  options.max_in_flight = 1;
  options.total_timeout = 600'000ms;  // only the abort can end the hang
  options.low_speed_window = 600s;
  HttpFetcher fetcher(options);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<FetchResult>> results(3);
  auto record = [&](std::size_t i) {
    return [&, i](FetchResult result) {
      std::lock_guard lock(mutex);
      results[i] = std::move(result);
      changed.notify_all();
    };
  };
  fetcher.submit(request_for(server_->url("/hang?stop")), record(0));
  fetcher.submit(request_for(server_->url("/feed/queued.xml")), record(1));
  // The hang has reached the server: it is in flight, the feed is queued behind it.
  for (;;) {
    if (!log_entries(*server_, "/hang?stop").empty()) break;
    std::this_thread::yield();
  }
  fetcher.stop_starting();
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return results[1].has_value(); });
    EXPECT_FALSE(results[0].has_value()) << "stop_starting must not cut off a transfer in flight";
  }
  fetcher.submit(request_for(server_->url("/feed/late.xml")), record(2));
  fetcher.abort_in_flight();
  std::unique_lock lock(mutex);
  changed.wait(lock, [&] { return results[0] && results[2]; });
  for (const auto& result : results) {
    const auto* error = std::get_if<StageError>(&result->outcome);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, ErrorCode::interrupted) << error->describe();
  }
  EXPECT_TRUE(log_entries(*server_, "/feed/queued.xml").empty());
  EXPECT_TRUE(log_entries(*server_, "/feed/late.xml").empty());
}

// A callback that breaks its contract and throws must not terminate the process through the
// worker thread: the worker survives and serves the next job.
TEST_F(HttpFetcherTest, ThrowingCallbackDoesNotKillTheWorker) {
  HttpFetcher fetcher(test_options());
  fetcher.submit(request_for(server_->url("/feed/throw.xml")), [](FetchResult) { throw std::runtime_error("boom"); });
  fetcher.submit(request_for("file:///nonexistent/rssflow/throw.xml"), [](FetchResult) { throw 42; });
  const FetchResult after = fetch_one(fetcher, request_for(server_->url("/feed/after.xml")));
  EXPECT_EQ(feed_of(after).http_status, 200);
}

TEST_F(HttpFetcherTest, DestructorCancelsInFlightTransfersWithoutCallingBack) {
  bool called = false;
  {
    HttpFetcher fetcher(test_options());
    fetcher.submit(request_for(server_->url("/hang?cancel")), [&](FetchResult) { called = true; });
  }
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace rssflow
