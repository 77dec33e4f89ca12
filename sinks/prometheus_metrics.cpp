#include "sinks/prometheus_metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

namespace rssflow {
namespace {

constexpr std::array<std::string_view, 9> kReservedLabels = {"stage", "status", "reason", "kind", "result",
                                                             "state", "version", "le",    "table"};

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

// Go's strconv 'g' with shortest digits switches to exponent form at 1e6; the official clients
// format bucket bounds that way, so le="0.0005" here matches le="0.0005" elsewhere. Sample
// values keep fixed notation further (to 1e21) so timestamps stay readable.
std::string format_double(double value, int max_fixed_exponent = 21) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return "0";
  char buffer[64];
  const auto scientific = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<std::size_t>(scientific.ptr - buffer));
  const int exponent = std::stoi(std::string(text.substr(text.find('e') + 1)));
  if (exponent < -4 || exponent >= max_fixed_exponent) return std::string(text);
  const auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return std::string(buffer, fixed.ptr);
}

std::string format_bucket_bound(double value) { return format_double(value, 6); }

double unix_seconds(std::chrono::system_clock::time_point t) {
  // Whole milliseconds, so the decimal form is short and exact to what an operator needs.
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return static_cast<double>(ms) / 1000.0;
}

using Pairs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Writes families in the text format; `common` labels go first on every sample.
class Exposition {
 public:
  explicit Exposition(const MetricLabels& common) {
    for (const auto& [name, value] : common) {
      if (!valid_label_name(name)) throw std::invalid_argument("invalid Prometheus label name '" + name + "'");
      if (std::find(kReservedLabels.begin(), kReservedLabels.end(), name) != kReservedLabels.end()) {
        throw std::invalid_argument("label '" + name + "' is used by rssflow's own metrics");
      }
      if (!common_.empty()) common_ += ',';
      common_ += name;
      common_ += "=\"";
      append_escaped(common_, value);
      common_ += '"';
    }
  }

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(std::string_view name, Pairs labels, std::string_view value) {
    out_ += name;
    if (!common_.empty() || labels.size() > 0) {
      out_ += '{';
      out_ += common_;
      bool first = common_.empty();
      for (const auto& [label, label_value] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += label;
        out_ += "=\"";
        append_escaped(out_, label_value);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  void sample(std::string_view name, Pairs labels, std::uint64_t value) { sample(name, labels, std::to_string(value)); }
  void sample(std::string_view name, Pairs labels, double value) { sample(name, labels, format_double(value)); }

  void histogram(std::string_view name, Pairs labels, const DurationHistogram& h) {
    if (h.upper_bounds.size() != h.cumulative_counts.size()) throw std::invalid_argument("histogram: bounds and counts differ in size");
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < h.upper_bounds.size(); ++i) {
      if (!std::isfinite(h.upper_bounds[i]) || (i > 0 && h.upper_bounds[i] <= h.upper_bounds[i - 1])) {
        throw std::invalid_argument("histogram: upper bounds must be finite and increasing");
      }
      if (h.cumulative_counts[i] < previous || h.cumulative_counts[i] > h.count) {
        throw std::invalid_argument("histogram: cumulative counts must not decrease or exceed count");
      }
      previous = h.cumulative_counts[i];
      const std::string le = format_bucket_bound(h.upper_bounds[i]);
      with_le(bucket, labels, le, h.cumulative_counts[i]);
    }
    with_le(bucket, labels, "+Inf", h.count);
    sample(std::string(name) + "_sum", labels, h.sum_seconds);
    sample(std::string(name) + "_count", labels, h.count);
  }

  std::string take() { return std::move(out_); }

 private:
  void with_le(const std::string& bucket, Pairs labels, std::string_view le, std::uint64_t value) {
    switch (labels.size()) {
      case 0: sample(bucket, {{"le", le}}, value); break;
      case 1: sample(bucket, {*labels.begin(), {"le", le}}, value); break;
      default: throw std::invalid_argument("histogram: at most one label besides le");
    }
  }

  std::string common_;
  std::string out_;
};

constexpr std::array<MetricStage, kMetricStageCount> kAllStages = {
    MetricStage::sources, MetricStage::fetch,    MetricStage::parse,  MetricStage::dedupe,
    MetricStage::clean,   MetricStage::keywords, MetricStage::format, MetricStage::load};

}  // namespace

const char* to_string(MetricStage stage) {
  switch (stage) {
    case MetricStage::sources: return "sources";
    case MetricStage::fetch: return "fetch";
    case MetricStage::parse: return "parse";
    case MetricStage::dedupe: return "dedupe";
    case MetricStage::clean: return "clean";
    case MetricStage::keywords: return "keywords";
    case MetricStage::format: return "format";
    case MetricStage::load: return "load";
    case MetricStage::count_: break;
  }
  return "unknown";
}

const char* to_string(FeedStatus status) {
  switch (status) {
    case FeedStatus::ok: return "ok";
    case FeedStatus::not_modified: return "not_modified";
    case FeedStatus::failed: return "failed";
    case FeedStatus::skipped: return "skipped";
    case FeedStatus::unchanged: return "unchanged";
    case FeedStatus::not_due: return "not_due";
  }
  return "unknown";
}

std::vector<double> DurationHistogram::default_bounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

void DurationHistogram::observe(double seconds) {
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    if (seconds <= upper_bounds[i]) ++cumulative_counts[i];
  }
  ++count;
  sum_seconds += seconds;
}

void DurationHistogram::merge(const DurationHistogram& other) {
  if (other.upper_bounds != upper_bounds) throw std::invalid_argument("histogram merge: different buckets");
  for (std::size_t i = 0; i < cumulative_counts.size(); ++i) cumulative_counts[i] += other.cumulative_counts[i];
  count += other.count;
  sum_seconds += other.sum_seconds;
}

std::string render_prometheus_text(const RunMetrics& m, const MetricLabels& labels) {
  Exposition x(labels);

  x.family("rssflow_build_info", "gauge", "Always 1; the version label says which rssflow wrote these metrics.");
  x.sample("rssflow_build_info", {{"version", m.version}}, std::uint64_t{1});

  x.family("rssflow_run_exit_status", "gauge",
           "Exit status of the run: 0 ok, 1 some sources failed, 3 the sink failed.");
  x.sample("rssflow_run_exit_status", {}, std::to_string(m.exit_status));

  x.family("rssflow_run_duration_seconds", "gauge", "Wall-clock duration of the run.");
  x.sample("rssflow_run_duration_seconds", {}, m.duration_seconds);

  x.family("rssflow_run_start_timestamp_seconds", "gauge", "When the run started, in Unix time.");
  x.sample("rssflow_run_start_timestamp_seconds", {}, unix_seconds(m.started_at));

  x.family("rssflow_last_completion_timestamp_seconds", "gauge",
           "When the last run finished, successfully or not, in Unix time.");
  x.sample("rssflow_last_completion_timestamp_seconds", {}, unix_seconds(m.finished_at));

  if (m.succeeded() || m.previous_success) {
    x.family("rssflow_last_success_timestamp_seconds", "gauge",
             "When the last successful run (exit status 0 or 1) finished, in Unix time.");
    x.sample("rssflow_last_success_timestamp_seconds", {},
             unix_seconds(m.succeeded() ? m.finished_at : *m.previous_success));
  }

  x.family("rssflow_sources", "gauge", "Sources in the source list: configured, rejected as invalid, selected for this shard.");
  x.sample("rssflow_sources", {{"state", "configured"}}, m.sources_configured);
  x.sample("rssflow_sources", {{"state", "invalid"}}, m.sources_invalid);
  x.sample("rssflow_sources", {{"state", "selected"}}, m.sources_selected);

  x.family("rssflow_items_received_total", "counter", "Items that entered each pipeline stage in this run.");
  for (MetricStage s : kAllStages) x.sample("rssflow_items_received_total", {{"stage", to_string(s)}}, m.stage(s).items_received);

  x.family("rssflow_items_total", "counter",
           "Items each pipeline stage emitted in this run (sources, feeds, entries, then articles).");
  for (MetricStage s : kAllStages) x.sample("rssflow_items_total", {{"stage", to_string(s)}}, m.stage(s).items_emitted);

  x.family("rssflow_stage_duration_seconds", "histogram",
           "Time a pipeline stage spent on one unit of work (a feed, an article, a batch).");
  for (MetricStage s : kAllStages) x.histogram("rssflow_stage_duration_seconds", {{"stage", to_string(s)}}, m.stage(s).duration);

  x.family("rssflow_queue_depth_max", "gauge", "Largest number of items seen waiting in front of each stage.");
  for (MetricStage s : kAllStages) x.sample("rssflow_queue_depth_max", {{"stage", to_string(s)}}, m.stage(s).queue_depth_max);

  x.family("rssflow_fetch_in_flight_max", "gauge", "Largest number of concurrent fetches during the run.");
  x.sample("rssflow_fetch_in_flight_max", {}, m.fetch_in_flight_max);

  x.family("rssflow_feeds_total", "counter", "Sources by fetch result in this run; reason is the error code, none on success.");
  if (m.feeds.empty()) x.sample("rssflow_feeds_total", {{"status", "ok"}, {"reason", "none"}}, std::uint64_t{0});
  for (const auto& [key, count] : m.feeds) {
    x.sample("rssflow_feeds_total", {{"status", to_string(key.first)}, {"reason", key.second ? to_string(*key.second) : "none"}},
             count);
  }

  x.family("rssflow_fetched_bytes_total", "counter", "Bytes of feed bodies received in this run, as sent (compressed when the server compressed them).");
  x.sample("rssflow_fetched_bytes_total", {}, m.bytes_fetched);

  x.family("rssflow_duplicates_total", "counter",
           "Duplicate articles in this run: exact ones were dropped, near ones loaded and marked duplicate_of.");
  x.sample("rssflow_duplicates_total", {{"kind", "exact"}}, m.duplicates_dropped);
  x.sample("rssflow_duplicates_total", {{"kind", "near"}}, m.near_duplicates);

  x.family("rssflow_load_rows_total", "counter",
           "Articles the sink took in this run: inserted, updated, unchanged (postgres) or written (jsonl).");
  // Each sink reports only its own words: a PostgreSQL run that inserted nothing must not
  // look like one that "wrote" every record (RssflowNoNewArticles reads inserted|written).
  if (m.load_kind == LoadResultKind::postgres) {
    x.sample("rssflow_load_rows_total", {{"result", "inserted"}}, m.rows_inserted);
    x.sample("rssflow_load_rows_total", {{"result", "updated"}}, m.rows_updated);
    x.sample("rssflow_load_rows_total", {{"result", "unchanged"}}, m.rows_unchanged);
  } else {
    x.sample("rssflow_load_rows_total", {{"result", "written"}}, m.records_written);
    x.sample("rssflow_load_rows_total", {{"result", "unchanged"}}, m.rows_unchanged);
  }

  x.family("rssflow_load_errors_total", "counter", "Sink failures in this run (a fatal one ends the run with exit status 3).");
  x.sample("rssflow_load_errors_total", {}, m.load_errors);

  return x.take();
}

std::string render_prune_metrics(const PruneMetrics& m, const MetricLabels& labels) {
  Exposition x(labels);
  x.family("rssflow_prune_exit_status", "gauge", "Exit status of the last prune: 0 ok, 3 the database failed.");
  x.sample("rssflow_prune_exit_status", {}, std::to_string(m.exit_status));
  x.family("rssflow_prune_duration_seconds", "gauge", "Wall-clock duration of the last prune.");
  x.sample("rssflow_prune_duration_seconds", {}, m.duration_seconds);
  x.family("rssflow_prune_dry_run", "gauge", "1 when the last prune only counted (--dry-run).");
  x.sample("rssflow_prune_dry_run", {}, std::uint64_t{m.dry_run ? 1u : 0u});
  x.family("rssflow_prune_cutoff_timestamp_seconds", "gauge", "Articles dated before this Unix time were pruned.");
  x.sample("rssflow_prune_cutoff_timestamp_seconds", {}, unix_seconds(m.cutoff));
  if (m.exit_status == 0) {
    x.family("rssflow_prune_last_success_timestamp_seconds", "gauge", "When the last successful prune finished, in Unix time.");
    x.sample("rssflow_prune_last_success_timestamp_seconds", {}, unix_seconds(m.finished_at));
  }
  x.family("rssflow_prune_rows_total", "counter",
           "Rows the last prune deleted (or, in a dry run, would have): old articles, state of unlisted sources.");
  x.sample("rssflow_prune_rows_total", {{"table", "articles"}}, m.articles);
  x.sample("rssflow_prune_rows_total", {{"table", "source_state"}}, m.source_states);
  return x.take();
}

}  // namespace rssflow
