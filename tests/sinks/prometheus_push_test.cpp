// Pushes to a real Pushgateway started by the test (prometheus-pushgateway on PATH).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <curl/curl.h>

#include <optional>
#include <string>

#include "sinks/prometheus_metrics.h"
#include "tests/sinks/pushgateway_fixture.h"

namespace rssflow {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using testing::Pushgateway;

std::optional<std::string> value_of(const std::string& exposition, const std::string& series) {
  return testing::sample_value(exposition, series);
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
  const std::string url = "http://user:secret@127.0.0.1:" + std::to_string(testing::free_loopback_port());
  const auto error = push_to_gateway(url, "rssflow", {{"shard", "0"}}, "", PushMethod::add, std::chrono::seconds(2));
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(*error, StartsWith("pushgateway http://***@127.0.0.1:"));
  EXPECT_THAT(*error, Not(HasSubstr("secret")));
  EXPECT_TRUE(push_to_gateway("ftp://gateway", "rssflow", {}, "").has_value());
  EXPECT_TRUE(push_to_gateway("http://127.0.0.1:1", "", {}, "").has_value());
}

}  // namespace
}  // namespace rssflow
