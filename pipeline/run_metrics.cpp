#include "pipeline/run_metrics.h"

#include <fstream>
#include <string_view>

#include "core/version.h"

namespace rssflow {
namespace {

FeedStatus feed_status(SourceStatus status) {
  switch (status) {
    case SourceStatus::ok: return FeedStatus::ok;
    case SourceStatus::not_modified: return FeedStatus::not_modified;
    case SourceStatus::failed: return FeedStatus::failed;
    case SourceStatus::skipped: return FeedStatus::skipped;
    case SourceStatus::unchanged: return FeedStatus::unchanged;
    case SourceStatus::not_due: return FeedStatus::not_due;
  }
  return FeedStatus::failed;
}

RunMetrics collect(const RunConfig& config, const RunTotals& totals, const std::vector<SourceOutcome>& outcomes,
                   const StageClock& clock) {
  RunMetrics m;
  m.version = kVersion;
  m.exit_status = totals.exit_status;
  m.started_at = totals.started_at;
  m.finished_at = std::chrono::system_clock::now();
  m.duration_seconds = totals.elapsed.count();
  std::uint64_t invalid = 0;
  for (const SourceOutcome& o : outcomes) {
    m.count_feed(feed_status(o.status), o.error ? std::optional<ErrorCode>(o.error->code) : std::nullopt);
    if (o.error && o.error->stage == Stage::sources) ++invalid;
  }
  m.sources_configured = outcomes.size();
  m.sources_invalid = invalid;
  m.sources_selected = outcomes.size() - invalid;
  m.bytes_fetched = totals.bytes;
  m.duplicates_dropped = totals.duplicates;
  m.near_duplicates = totals.near_duplicates;
  m.rows_inserted = totals.load.inserted;
  m.rows_updated = totals.load.updated;
  m.rows_unchanged = totals.load.unchanged;
  m.load_kind = config.sink == SinkKind::jsonl ? LoadResultKind::jsonl : LoadResultKind::postgres;
  m.records_written = totals.load.written;
  m.fetch_in_flight_max = totals.fetch_in_flight_max;
  m.load_errors = totals.fatal_error ? 1 : 0;
  // Sources inside the graph at once (fetching, parsing or waiting to load): the depth of the
  // queue in front of the fetcher, bounded by the limiter.
  m.stage(MetricStage::fetch).queue_depth_max = static_cast<std::uint64_t>(clock.max_in_flight());

  // Planning (sources) counts outcomes; every other stage is what its node's timing wrapper
  // recorded (pipeline/stage_timing.h): items in and out, one duration per batch.
  m.stage(MetricStage::sources).items_received = outcomes.size();
  m.stage(MetricStage::sources).items_emitted = m.sources_selected;
  for (std::size_t s = 0; s < kMetricStageCount; ++s) {
    const auto stage = static_cast<MetricStage>(s);
    m.stage(stage).duration = clock.histogram(stage);
    if (stage == MetricStage::sources) continue;
    m.stage(stage).items_received = clock.received(stage);
    m.stage(stage).items_emitted = clock.emitted(stage);
  }
  // After a sink failure, what the sink committed before it (not zero: earlier batches stay).
  if (totals.fatal_error) m.stage(MetricStage::load).items_emitted = totals.load.written;
  return m;
}

// rssflow_last_success_timestamp_seconds of a textfile an earlier run wrote, if any.
std::optional<std::chrono::system_clock::time_point> last_success_in(const std::filesystem::path& textfile) {
  std::ifstream in(textfile);
  constexpr std::string_view kName = "rssflow_last_success_timestamp_seconds";
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(kName) || (line.size() > kName.size() && line[kName.size()] != ' ' && line[kName.size()] != '{'))
      continue;
    const std::size_t space = line.rfind(' ');
    try {
      const double seconds = std::stod(line.substr(space + 1));
      return std::chrono::system_clock::time_point(
          std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5)));
    } catch (const std::exception&) {
      return std::nullopt;  // not ours: ignore rather than fail the run's metrics
    }
  }
  return std::nullopt;
}

}  // namespace

void publish_run_metrics(const RunConfig& config, const RunTotals& totals, const std::vector<SourceOutcome>& outcomes,
                         const StageClock& clock, EventLog& log) {
  if (!config.metrics_file && !config.pushgateway_url) return;
  MetricLabels grouping;
  if (config.shard) grouping.emplace_back("shard", std::to_string(config.shard->index));
  const RunMetrics metrics = collect(config, totals, outcomes, clock);
  if (config.metrics_file) {
    try {
      RunMetrics textfile = metrics;
      if (!metrics.succeeded()) textfile.previous_success = last_success_in(*config.metrics_file);
      write_textfile_atomically(*config.metrics_file, render_prometheus_text(textfile, grouping));
    } catch (const std::exception& e) {
      log.emit(LogLevel::error, "metrics_write_failed", {{"message", e.what()}});
    }
  }
  if (config.pushgateway_url) {
    // Grouping labels go in the URL, not in the samples.
    if (auto error = push_to_gateway(*config.pushgateway_url, "rssflow", grouping, render_prometheus_text(metrics))) {
      log.emit(LogLevel::error, "metrics_push_failed", {{"message", *error}});
    }
  }
}

}  // namespace rssflow
