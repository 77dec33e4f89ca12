// Pushes to a real Pushgateway started by the test (prometheus-pushgateway on PATH).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <regex>
#include <string>

#include "sinks/prometheus_metrics.h"
#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A port the kernel just handed out; the gateway binds it right after.
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// GET url; status 0 when nothing answered.
std::pair<long, std::string> http_get(const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return {status, body};
}

class Pushgateway {
 public:
  Pushgateway()
      : port_(free_loopback_port()),
        process_({"sh", "-c", "exec prometheus-pushgateway --web.listen-address=127.0.0.1:" + std::to_string(port_) + " 2>&1"}) {
    // Its log says when the socket is bound; then /-/ready confirms it serves.
    for (std::string line = process_.read_line(); line.find("Listening on") == std::string::npos; line = process_.read_line()) {
      if (line.empty()) throw std::runtime_error("prometheus-pushgateway exited before listening");
    }
    for (int attempt = 0; http_get(url() + "/-/ready").first != 200; ++attempt) {
      if (attempt == 1000) throw std::runtime_error("prometheus-pushgateway never became ready");
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string metrics() const { return http_get(url() + "/metrics").second; }

 private:
  int port_;
  testing::BackgroundProcess process_;
};

// The value of the one sample whose line starts with `series` (name and labels as exposed).
std::optional<std::string> value_of(const std::string& exposition, const std::string& series) {
  std::size_t at = 0;
  while ((at = exposition.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || exposition[at - 1] == '\n') {
      const auto start = at + series.size() + 1;
      return exposition.substr(start, exposition.find('\n', start) - start);
    }
    at += series.size();
  }
  return std::nullopt;
}

RunMetrics run_finishing_at(std::int64_t unix_seconds, int exit_status, std::uint64_t inserted) {
  RunMetrics m;
  m.version = "test";
  m.exit_status = exit_status;
  m.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds - 10));
  m.finished_at = std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
  m.duration_seconds = 10;
  m.rows_inserted = inserted;
  m.count_feed(FeedStatus::ok, std::nullopt, 5);
  m.stage(MetricStage::fetch).duration.observe(0.2);
  return m;
}

class PushToGateway : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  Pushgateway gateway_;
};

TEST_F(PushToGateway, ValuesArriveInTheJobAndShardGroup) {
  const auto error = push_to_gateway(gateway_.url(), "rssflow", {{"shard", "0"}},
                                     render_prometheus_text(run_finishing_at(1'700'000'000, 0, 42)));
  ASSERT_FALSE(error.has_value()) << *error;
  const std::string exposed = gateway_.metrics();
  EXPECT_EQ(value_of(exposed, R"(rssflow_last_success_timestamp_seconds{instance="",job="rssflow",shard="0"})"), "1.7e+09");
  EXPECT_EQ(value_of(exposed, R"(rssflow_load_rows_total{instance="",job="rssflow",result="inserted",shard="0"})"), "42");
  EXPECT_EQ(value_of(exposed, R"(rssflow_feeds_total{instance="",job="rssflow",reason="none",shard="0",status="ok"})"), "5");
  EXPECT_EQ(value_of(exposed,
                     R"(rssflow_stage_duration_seconds_bucket{instance="",job="rssflow",shard="0",stage="fetch",le="0.25"})"),
            "1");
}

TEST_F(PushToGateway, AFailedRunKeepsTheLastSuccessOfTheGroup) {
  ASSERT_FALSE(push_to_gateway(gateway_.url(), "rssflow", {{"shard", "1"}},
                               render_prometheus_text(run_finishing_at(1'700'000'000, 0, 42))));
  ASSERT_FALSE(push_to_gateway(gateway_.url(), "rssflow", {{"shard", "1"}},
                               render_prometheus_text(run_finishing_at(1'700'003'600, 3, 0))));
  const std::string exposed = gateway_.metrics();
  const std::string group = R"({instance="",job="rssflow",shard="1"})";
  EXPECT_EQ(value_of(exposed, "rssflow_last_success_timestamp_seconds" + group), "1.7e+09");
  EXPECT_EQ(value_of(exposed, "rssflow_last_completion_timestamp_seconds" + group), "1.7000036e+09");
  EXPECT_EQ(value_of(exposed, "rssflow_run_exit_status" + group), "3");
  EXPECT_EQ(value_of(exposed, R"(rssflow_load_rows_total{instance="",job="rssflow",result="inserted",shard="1"})"), "0");

  // With PUT the whole group is replaced and the last success is gone: why add is the default.
  ASSERT_FALSE(push_to_gateway(gateway_.url(), "rssflow", {{"shard", "1"}},
                               render_prometheus_text(run_finishing_at(1'700'007'200, 3, 0)), PushMethod::replace));
  EXPECT_EQ(value_of(gateway_.metrics(), "rssflow_last_success_timestamp_seconds" + group), std::nullopt);
}

TEST_F(PushToGateway, GroupingValuesWithSlashesAreEncoded) {
  ASSERT_FALSE(push_to_gateway(gateway_.url() + "/", "rss flow", {{"shard", "2/4"}, {"site", ""}},
                               render_prometheus_text(run_finishing_at(1'700'000'000, 0, 7))));
  EXPECT_EQ(value_of(gateway_.metrics(),
                     R"(rssflow_load_rows_total{instance="",job="rss flow",result="inserted",shard="2/4",site=""})"),
            "7");
}

TEST_F(PushToGateway, ARejectedPushReturnsTheGatewaysReason) {
  const auto error = push_to_gateway(gateway_.url(), "rssflow", {}, "this is { not the text format\n");
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(*error, StartsWith("pushgateway " + gateway_.url() + ": HTTP 400"));
}

TEST(PushToGatewayWithoutServer, ReturnsAnErrorWithoutCredentialsAndNeverThrows) {
  const std::string url = "http://user:secret@127.0.0.1:" + std::to_string(free_loopback_port());
  const auto error = push_to_gateway(url, "rssflow", {{"shard", "0"}}, "", PushMethod::add, std::chrono::seconds(2));
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(*error, StartsWith("pushgateway http://***@127.0.0.1:"));
  EXPECT_THAT(*error, Not(HasSubstr("secret")));
  EXPECT_TRUE(push_to_gateway("ftp://gateway", "rssflow", {}, "").has_value());
  EXPECT_TRUE(push_to_gateway("http://127.0.0.1:1", "", {}, "").has_value());
}

}  // namespace
}  // namespace rssflow
