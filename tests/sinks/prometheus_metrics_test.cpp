#include "sinks/prometheus_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/support/subprocess.h"

namespace rssflow {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::chrono::system_clock::time_point at_ms(std::int64_t unix_milliseconds) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(unix_milliseconds));
}

RunMetrics populated_run(int exit_status) {
  RunMetrics m;
  m.version = "0.1.0";
  m.exit_status = exit_status;
  m.started_at = at_ms(1'763'900'000'250);
  m.finished_at = at_ms(1'763'900'012'750);
  m.duration_seconds = 12.5;
  m.sources_configured = 58;
  m.sources_invalid = 1;
  m.sources_selected = 57;
  m.stage(MetricStage::sources).items_received = 58;
  m.stage(MetricStage::sources).items_emitted = 57;
  m.stage(MetricStage::fetch).items_received = 57;
  m.stage(MetricStage::fetch).items_emitted = 53;
  m.stage(MetricStage::load).items_received = 1200;
  m.stage(MetricStage::load).items_emitted = 1190;
  for (double seconds : {0.0002, 0.03, 0.2, 0.7, 1.5, 45.0, 120.0}) m.stage(MetricStage::fetch).duration.observe(seconds);
  m.stage(MetricStage::parse).duration.observe(0.004);
  m.stage(MetricStage::load).queue_depth_max = 7;
  m.count_feed(FeedStatus::ok, std::nullopt, 50);
  m.count_feed(FeedStatus::not_modified, std::nullopt, 3);
  m.count_feed(FeedStatus::failed, ErrorCode::timeout, 2);
  m.count_feed(FeedStatus::failed, ErrorCode::http_status);
  m.count_feed(FeedStatus::skipped, ErrorCode::backoff);
  m.bytes_fetched = 12'345'678;
  m.duplicates_dropped = 10;
  m.near_duplicates = 4;
  m.rows_inserted = 900;
  m.rows_updated = 40;
  m.rows_unchanged = 250;
  m.fetch_in_flight_max = 32;
  return m;
}

testing::CommandResult promtool_check(const std::string& file) {
  return testing::run_command({"sh", "-c", "promtool check metrics < \"$0\"", file});
}

TEST(PrometheusMetrics, RendersTheContractNamesWithHelpAndType) {
  const std::string text = render_prometheus_text(populated_run(0));
  for (const char* family : {"rssflow_last_success_timestamp_seconds", "rssflow_run_duration_seconds", "rssflow_items_total",
                             "rssflow_feeds_total", "rssflow_last_completion_timestamp_seconds"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + family + " ")) << family;
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + family + " ")) << family;
  }
  EXPECT_THAT(text, HasSubstr("rssflow_last_success_timestamp_seconds 1763900012.75\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_run_start_timestamp_seconds 1763900000.25\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_run_duration_seconds 12.5\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_items_total{stage=\"fetch\"} 53\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_items_received_total{stage=\"sources\"} 58\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_items_total{stage=\"keywords\"} 0\n"));  // every stage, even idle ones
  EXPECT_THAT(text, HasSubstr("rssflow_feeds_total{status=\"ok\",reason=\"none\"} 50\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_feeds_total{status=\"failed\",reason=\"timeout\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_feeds_total{status=\"skipped\",reason=\"backoff\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_load_rows_total{result=\"inserted\"} 900\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_duplicates_total{kind=\"near\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_fetched_bytes_total 12345678\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_queue_depth_max{stage=\"load\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_build_info{version=\"0.1.0\"} 1\n"));
  // Histogram: cumulative buckets, +Inf equals count, sum in seconds.
  EXPECT_THAT(text, HasSubstr("rssflow_stage_duration_seconds_bucket{stage=\"fetch\",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_stage_duration_seconds_bucket{stage=\"fetch\",le=\"1\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_stage_duration_seconds_bucket{stage=\"fetch\",le=\"60\"} 6\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_stage_duration_seconds_bucket{stage=\"fetch\",le=\"+Inf\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_stage_duration_seconds_count{stage=\"fetch\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("{stage=\"parse\",le=\"0.0025\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_stage_duration_seconds_sum{stage=\"fetch\"} 167.4302\n"));
}

TEST(PrometheusMetrics, FailedRunDoesNotClaimASuccess) {
  const std::string failed = render_prometheus_text(populated_run(3));
  EXPECT_THAT(failed, Not(HasSubstr("rssflow_last_success_timestamp_seconds")));
  EXPECT_THAT(failed, HasSubstr("rssflow_last_completion_timestamp_seconds 1763900012.75\n"));
  EXPECT_THAT(failed, HasSubstr("rssflow_run_exit_status 3\n"));
  // Partial runs (some sources failed, the rest loaded) count as successes.
  EXPECT_THAT(render_prometheus_text(populated_run(1)), HasSubstr("rssflow_last_success_timestamp_seconds 1763900012.75\n"));
}

TEST(PrometheusMetrics, CommonLabelsGoOnEverySampleEscaped) {
  const std::string text = render_prometheus_text(populated_run(0), {{"shard", "2"}, {"site", "a \"b\" \\ c\nd"}});
  EXPECT_THAT(text, HasSubstr("rssflow_run_duration_seconds{shard=\"2\",site=\"a \\\"b\\\" \\\\ c\\nd\"} 12.5\n"));
  EXPECT_THAT(text, HasSubstr("rssflow_items_total{shard=\"2\",site=\"a \\\"b\\\" \\\\ c\\nd\",stage=\"fetch\"} 53\n"));
  EXPECT_THAT(text, HasSubstr(",stage=\"fetch\",le=\"+Inf\"} 7\n"));
}

TEST(PrometheusMetrics, RejectsBadOrReservedLabelNames) {
  for (const char* bad : {"", "1shard", "__name", "sh-ard", "stage", "le"}) {
    EXPECT_THROW(render_prometheus_text(RunMetrics{}, {{bad, "x"}}), std::invalid_argument) << bad;
  }
}

TEST(PrometheusMetrics, RejectsAHistogramThatBreaksItsInvariants) {
  RunMetrics m;
  m.stage(MetricStage::parse).duration.cumulative_counts[0] = 5;  // more than count (0)
  EXPECT_THROW(render_prometheus_text(m), std::invalid_argument);
  RunMetrics unsorted;
  unsorted.stage(MetricStage::parse).duration.upper_bounds[1] = 0.0001;
  EXPECT_THROW(render_prometheus_text(unsorted), std::invalid_argument);
}

TEST(DurationHistogram, MergeAddsCountsBucketBySucket) {
  DurationHistogram a, b;
  a.observe(0.002);
  b.observe(0.002);
  b.observe(100);
  a.merge(b);
  EXPECT_EQ(a.count, 3u);
  EXPECT_DOUBLE_EQ(a.sum_seconds, 100.004);
  EXPECT_EQ(a.cumulative_counts[2], 2u);       // le=0.0025
  EXPECT_EQ(a.cumulative_counts.back(), 2u);  // le=60: the 100 s one is only in +Inf
  DurationHistogram other;
  other.upper_bounds = {1, 2};
  other.cumulative_counts = {0, 0};
  EXPECT_THROW(a.merge(other), std::invalid_argument);
}

TEST(PrometheusTextfile, PromtoolAcceptsWhatWeWrite) {
  testing::TempDir dir;
  const std::string file = dir.file("rssflow.prom");
  for (int exit_status : {0, 1, 3}) {
    write_textfile_atomically(file, render_prometheus_text(populated_run(exit_status), {{"shard", "0"}, {"odd", "q\"\\\n"}}));
    const testing::CommandResult check = promtool_check(file);
    EXPECT_EQ(check.exit_status, 0) << "exit " << exit_status << ":\n" << check.out << check.err;
    EXPECT_EQ(check.out + check.err, "") << "promtool lint findings for exit " << exit_status;
  }
  write_textfile_atomically(file, render_prometheus_text(RunMetrics{}));  // an empty run too
  EXPECT_EQ(promtool_check(file).exit_status, 0);
}

TEST(PrometheusTextfile, PromtoolWouldCatchABrokenFile) {
  // Guards the check above: promtool must fail on a counter without _total and on bad syntax.
  testing::TempDir dir;
  const std::string file = dir.file("bad.prom");
  testing::write_file(file, "# HELP rssflow_x things\n# TYPE rssflow_x counter\nrssflow_x 1\n");
  const testing::CommandResult lint = promtool_check(file);
  EXPECT_NE(lint.exit_status, 0);
  EXPECT_THAT(lint.out + lint.err, HasSubstr("_total"));
  testing::write_file(file, "rssflow_x{ 1\n");
  EXPECT_NE(promtool_check(file).exit_status, 0);
}

TEST(PrometheusTextfile, ReplacesTheFileAndLeavesNoTemporary) {
  testing::TempDir dir;
  const std::string file = dir.file("rssflow.prom");
  write_textfile_atomically(file, "first\n");
  write_textfile_atomically(file, "second\n");
  EXPECT_EQ(testing::read_file(file), "second\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(PrometheusTextfile, ThrowsNamingThePathWhenTheFolderIsMissing) {
  try {
    write_textfile_atomically("/nonexistent/rssflow/metrics.prom", "x\n");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("/nonexistent/rssflow/metrics.prom"));
  }
}

}  // namespace
}  // namespace rssflow
