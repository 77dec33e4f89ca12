// What one run tells Prometheus: a typed model the pipeline fills, its text exposition, and
// the two ways out of a batch job (node_exporter's textfile collector, a Pushgateway).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"

namespace rssflow {

// The stages of the pipeline as they appear in the `stage` label.
enum class MetricStage : std::size_t { sources, fetch, parse, dedupe, clean, keywords, format, load, count_ };
inline constexpr std::size_t kMetricStageCount = static_cast<std::size_t>(MetricStage::count_);
const char* to_string(MetricStage stage);

// The `status` label of rssflow_feeds_total (same words as the run summary).
// unchanged: a 200 with the same body as last time (not parsed); not_due: its schedule said
// not yet (not contacted).
enum class FeedStatus { ok, not_modified, failed, skipped, unchanged, not_due };
const char* to_string(FeedStatus status);

// A Prometheus histogram in seconds. Upper bounds strictly increasing and finite (+Inf is
// implicit); cumulative_counts[i] counts observations <= upper_bounds[i], so it never
// decreases and never exceeds count. Not thread-safe: fill from one thread, or keep one per
// thread and merge(), or copy the counts from your own atomics.
struct DurationHistogram {
  // 0.5 ms .. 60 s: covers parsing a small feed as well as a slow fetch.
  static std::vector<double> default_bounds();

  std::vector<double> upper_bounds = default_bounds();
  std::vector<std::uint64_t> cumulative_counts = std::vector<std::uint64_t>(upper_bounds.size(), 0);
  std::uint64_t count = 0;
  double sum_seconds = 0;

  void observe(double seconds);
  // Precondition: same upper_bounds.
  void merge(const DurationHistogram& other);
};

struct StageMetrics {
  std::uint64_t items_received = 0;  // units that entered the stage (sources, feeds, entries, articles)
  std::uint64_t items_emitted = 0;   // units that left it
  DurationHistogram duration;        // time per unit of work (one feed, one article, one batch)
  std::uint64_t queue_depth_max = 0; // largest backlog seen in front of the stage
};

// Which words a run's rssflow_load_rows_total uses: the sink's own. PostgreSQL knows whether a
// row was new, changed or already there; JSON Lines only knows what it wrote.
enum class LoadResultKind { postgres, jsonl };

// Everything a run reports. Counts are for this run only: every run writes (or pushes) a new
// set, so counters start from zero each time (Prometheus treats that as a counter reset).
struct RunMetrics {
  std::string version;  // rssflow version, as the build_info label
  int exit_status = 0;  // shared/CONTRACT.md: 0 ok, 1 partial, 3 sink fatal (2 and 4 do no run)
  std::chrono::system_clock::time_point started_at{};
  std::chrono::system_clock::time_point finished_at{};
  double duration_seconds = 0;  // wall time of the run (steady clock)

  std::uint64_t sources_configured = 0;  // outlines with a URL in the OPML file
  std::uint64_t sources_invalid = 0;     // rejected by validation
  std::uint64_t sources_selected = 0;    // valid and in this shard

  std::array<StageMetrics, kMetricStageCount> stages{};

  // rssflow_feeds_total{status, reason}: reason is the ErrorCode name, "none" for nullopt.
  std::map<std::pair<FeedStatus, std::optional<ErrorCode>>, std::uint64_t> feeds;
  std::uint64_t bytes_fetched = 0;       // body bytes as received (compressed when the server compressed)
  std::uint64_t duplicates_dropped = 0;  // exact duplicates (same url_hash) dropped
  std::uint64_t near_duplicates = 0;     // near-duplicates (loaded, marked duplicate_of)

  LoadResultKind load_kind = LoadResultKind::postgres;
  std::uint64_t rows_inserted = 0;   // postgres: new articles
  std::uint64_t rows_updated = 0;    // postgres: content changed
  std::uint64_t rows_unchanged = 0;  // postgres: already present, same content; jsonl: delivered before
  std::uint64_t records_written = 0; // jsonl: records written
  std::uint64_t load_errors = 0;     // sink failures (a fatal one ends the run with exit 3)

  std::uint64_t fetch_in_flight_max = 0;  // most transfers at once

  // The last success before this run (read back from the previous textfile): a failed run
  // repeats it, so that a textfile that a failure replaced still says when the job last
  // worked (RssflowStale). Ignored by a successful run.
  std::optional<std::chrono::system_clock::time_point> previous_success;

  StageMetrics& stage(MetricStage s) { return stages[static_cast<std::size_t>(s)]; }
  const StageMetrics& stage(MetricStage s) const { return stages[static_cast<std::size_t>(s)]; }
  void count_feed(FeedStatus status, std::optional<ErrorCode> reason = std::nullopt, std::uint64_t n = 1) {
    feeds[{status, reason}] += n;
  }
  // A run that did its job: everything loaded (0) or some sources failed but the rest loaded
  // (1). Only such a run may move rssflow_last_success_timestamp_seconds.
  bool succeeded() const { return exit_status == 0 || exit_status == 1; }
};

// Extra labels put on every sample (e.g. {"shard", "0"} for a textfile per shard), in order.
// Names must match [a-zA-Z_][a-zA-Z0-9_]*, not start with "__", and not be a label rssflow
// uses itself (stage, status, reason, kind, result, state, version, le, table).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// The text exposition format (version 0.0.4), one HELP and TYPE per family, families in a
// fixed order, every family always present (zero when nothing happened, so a Pushgateway POST
// replaces last run's values). rssflow_last_success_timestamp_seconds is this run's end when
// metrics.succeeded(), else metrics.previous_success, else absent: a failed run never claims
// a success of its own. `promtool check metrics`
// passes on the result. Throws std::invalid_argument for a bad label name or a histogram
// that breaks its invariants (programming errors). Names:
//   rssflow_build_info{version}                          gauge, always 1
//   rssflow_run_exit_status                              gauge
//   rssflow_run_duration_seconds                         gauge
//   rssflow_run_start_timestamp_seconds                  gauge
//   rssflow_last_completion_timestamp_seconds            gauge (every run that got this far)
//   rssflow_last_success_timestamp_seconds               gauge (successful runs only)
//   rssflow_sources{state="configured|invalid|selected"} gauge
//   rssflow_items_received_total{stage}                  counter
//   rssflow_items_total{stage}                           counter (items each stage emitted)
//   rssflow_stage_duration_seconds{stage}                histogram
//   rssflow_queue_depth_max{stage}                       gauge
//   rssflow_fetch_in_flight_max                          gauge
//   rssflow_feeds_total{status,reason}                   counter
//   rssflow_fetched_bytes_total                          counter
//   rssflow_duplicates_total{kind="exact|near"}          counter
//   rssflow_load_rows_total{result="inserted|updated|unchanged"} counter (postgres sink)
//   rssflow_load_rows_total{result="written|unchanged"}  counter (jsonl sink: records written,
//                                                        and those delivered by an earlier run)
//   rssflow_load_errors_total                            counter
std::string render_prometheus_text(const RunMetrics& metrics, const MetricLabels& labels = {});

// What one `rssflow prune` did, for its own textfile or Pushgateway group (job rssflow_prune):
//   rssflow_prune_exit_status, rssflow_prune_duration_seconds, rssflow_prune_dry_run (1/0),
//   rssflow_prune_cutoff_timestamp_seconds, rssflow_prune_last_success_timestamp_seconds
//   (exit 0 only), rssflow_prune_rows_total{table="articles|source_state"} (deleted, or that
//   would be in a dry run). `promtool check metrics` passes on the result.
struct PruneMetrics {
  int exit_status = 0;
  bool dry_run = false;
  double duration_seconds = 0;
  std::chrono::system_clock::time_point cutoff{};
  std::chrono::system_clock::time_point finished_at{};
  std::uint64_t articles = 0;
  std::uint64_t source_states = 0;
};
std::string render_prune_metrics(const PruneMetrics& metrics, const MetricLabels& labels = {});

// Writes text for node_exporter's textfile collector: a temporary file in the same folder,
// fsync, rename over path, fsync of the folder; readers see the old file or the new one.
// path should end in ".prom" (the collector reads only those; the temporary name does not).
// Throws std::runtime_error naming the path.
void write_textfile_atomically(const std::filesystem::path& path, const std::string& text);

enum class PushMethod {
  add,      // POST: replaces only the metric families in this push; the group keeps the rest
  replace,  // PUT: replaces the whole group
};

// Pushes text to <gateway_url>/metrics/job/<job>{/<label>/<value>} with libcurl. Use the
// default `add` with render_prometheus_text: a failed run's push omits
// rssflow_last_success_timestamp_seconds, so the group keeps the last success's value (with
// `replace` it would vanish and look like "never succeeded"). Grouping label values containing
// '/' or empty ones are sent base64url-encoded (label@base64), the others percent-encoded.
// Do not repeat the grouping labels inside text. Returns nullopt on HTTP 2xx, else a
// message naming the gateway (credentials removed) and the cause. Never throws; a failed push
// must not fail a run. Blocks for at most `timeout`. Call curl_global_init once beforehand
// in a multi-threaded program.
std::optional<std::string> push_to_gateway(const std::string& gateway_url, const std::string& job,
                                           const MetricLabels& grouping, const std::string& text,
                                           PushMethod method = PushMethod::add,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace rssflow
