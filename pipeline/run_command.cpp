// `rssflow run`: open (config, lock, sinks) -> plan (which sources are due) -> execute (the
// flow graph) -> finish (commit, state, metrics, report, summary).
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <thread>
#include <variant>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/time.h"
#include "core/version.h"
#include "pipeline/commands.h"
#include "pipeline/flow_graph.h"
#include "pipeline/inflight_journal.h"
#include "pipeline/log.h"
#include "pipeline/quarantine.h"
#include "pipeline/run_events.h"
#include "pipeline/run_lock.h"
#include "pipeline/run_metrics.h"
#include "pipeline/run_plan.h"
#include "pipeline/run_summary.h"
#include "pipeline/sink_setup.h"
#include "pipeline/signals.h"
#include "pipeline/stage_clock.h"
#include "pipeline/stop_watcher.h"
#include "sources/opml.h"

namespace rssflow {
namespace {

void log_outcome(EventLog& log, const SourceOutcome& o) {
  if (o.error) {
    log.emit(o.status == SourceStatus::skipped ? LogLevel::info : LogLevel::warn,
             o.status == SourceStatus::skipped ? "source_skipped" : "source_failed",
             {{"feed", o.source.url}, {"stage", to_string(o.error->stage)}, {"reason", to_string(o.error->code)},
              {"message", o.error->message}});
  } else if (log.enabled(LogLevel::debug)) {
    log.emit(LogLevel::debug, "source_done",
             {{"feed", o.source.url}, {"status", to_string(o.status)}, {"entries", o.entries}, {"records", o.records}});
  }
  if (o.permanent_redirect) {
    log.emit(LogLevel::warn, "source_moved_permanently", {{"feed", o.source.url}, {"location", *o.permanent_redirect}});
  }
}

// What a run opened before fetching anything: the typed inputs, the sinks and the stored state.
struct OpenedRun {
  SourceList sources;
  std::optional<KeywordMatcher> keywords;
  OpenedSinks sinks;
  std::unordered_map<std::string, SourceState> states;
  HashSet stored_entries;  // entry hashes of the records the sink already holds
  std::unique_ptr<InflightJournal> journal;  // null when it cannot be opened (logged)
  Quarantine quarantine;
};

// Crash-loop protection: the sources the last run was parsing when it died are quarantined,
// and their state is stored before anything else can crash; only then is the journal emptied
// for this run. Journal trouble is logged and never fails the run.
void open_journal_and_quarantine(OpenedRun& run, Instant now, EventLog& log) {
  if (!run.sinks.file_lock) return;
  const std::filesystem::path path = InflightJournal::path_for_lock(run.sinks.file_lock->path());
  InflightJournal::Options options;
  if (const char* crash = std::getenv("RSSFLOW_TEST_CRASH_WHILE_PARSING"); crash && *crash) {
    options.crash_while_parsing = crash;
  }
  std::vector<std::string> suspects;
  try {
    suspects = InflightJournal::suspects(path);
    run.journal = std::make_unique<InflightJournal>(path, std::move(options));
  } catch (const std::exception& e) {
    log.emit(LogLevel::error, "inflight_journal_failed", {{"message", e.what()}});
    return;
  }
  run.quarantine = quarantine_suspects(suspects, run.sources.sources, run.states, now);
  bool stored = true;
  if (run.sinks.state && !run.quarantine.states.empty()) {
    try {
      run.sinks.state->save_all(run.quarantine.states);
    } catch (const std::exception& e) {
      stored = false;  // keep the journal: the next run quarantines them again
      log.emit(LogLevel::error, "fetch_state_save_failed", {{"message", e.what()}});
    }
  }
  if (stored) run.journal->clear();
}

// What shapes a record besides its entry: the program, the record format, the dictionary and
// the options. Part of every entry_hash, so that changing any of them rebuilds every record.
Hash128 record_derivation(const KeywordMatcher& keywords, const ArticleOptions& options) {
  return xxh3_128(std::string(kVersion) + "\n" + std::to_string(kRecordVersion) + "\n" +
                  keywords.dictionary_hash().hex() + "\n" + std::to_string(options.summary_max_bytes));
}

// Startup: configuration (exit 2), lock (exit 4), sink (exit 3). Nothing is fetched yet; on
// failure the exit status is returned, and a sink failure still reaches the metrics (the
// load-error alert).
std::variant<OpenedRun, int> open_run(const RunConfig& config, RunTotals& totals, const RunIdentity& identity,
                                      std::chrono::steady_clock::time_point started, EventLog& log) {
  OpenedRun run;
  try {
    run.sources = read_opml(config.sources_file);
    run.keywords.emplace(KeywordMatcher::from_file(config.keywords_file));
    if (const auto unknown = unknown_only_urls(run.sources, config); !unknown.empty()) {
      throw std::runtime_error("--only " + unknown.front() + ": not a source of " + config.sources_file.string());
    }
  } catch (const std::exception& e) {
    log.emit(LogLevel::error, "run_config_invalid", {{"message", e.what()}});
    return 2;
  }
  try {
    run.sinks = open_sinks(config, identity);
    run.sinks.articles->write_keywords(run.keywords->keywords());
    if (run.sinks.state) run.states = run.sinks.state->load_all();
    run.stored_entries = run.sinks.articles->stored_entry_hashes();
  } catch (const LockHeldError& e) {
    log.emit(LogLevel::error, "run_lock_held", {{"message", e.what()}});
    return 4;
  } catch (const std::exception& e) {
    log.emit(LogLevel::error, "sink_open_failed", {{"message", e.what()}});
    totals.fatal_error = e.what();
    totals.elapsed = std::chrono::steady_clock::now() - started;
    totals.exit_status = exit_status_for(totals);
    publish_run_metrics(config, totals, {}, StageClock{}, log);
    emit_run_finished(log, totals, identity.run_id);
    return totals.exit_status;
  }
  open_journal_and_quarantine(run, totals.started_at, log);
  return run;
}

// Runs the due sources through the flow graph; every outcome lands at its source-list index.
GraphResult execute_plan(const RunConfig& config, PlannedRun& plan, OpenedRun& run, StageClock& clock,
                         std::vector<std::optional<SourceOutcome>>& outcomes, RunTotals& totals, EventLog& log,
                         const std::atomic<bool>& stop_requested) {
  ProgressReporter progress(log, ::isatty(STDERR_FILENO) == 1, config.log.quiet, config.log.progress_interval,
                            plan.due.size());
  GraphResult graph;
  {
    HttpFetcher fetcher(config.fetch);
    const StopWatcher stop_watcher(fetcher, config.stop_grace, log);  // destroyed before the fetcher
    const std::size_t in_flight =
        static_cast<std::size_t>(config.fetch.max_in_flight) + 2 * std::max(1u, std::thread::hardware_concurrency());
    SubmitFetch submit = [&fetcher](FetchRequest request, std::function<void(FetchResult)> on_done) {
      fetcher.submit(std::move(request), std::move(on_done));
    };
    graph = run_flow_graph(GraphInputs{
        std::move(plan.due), std::move(submit), *run.keywords, config.article, run.stored_entries,
        record_derivation(*run.keywords, config.article), *run.sinks.articles, in_flight, stop_requested,
        [&](std::size_t index, SourceOutcome&& outcome) {
          log_outcome(log, outcome);
          progress.source_done(outcome.status == SourceStatus::failed);
          outcomes[index] = std::move(outcome);
        },
        &clock, &config.parse, run.journal.get()});
    totals.fetch_in_flight_max = fetcher.peak_in_flight();
  }
  if (run.journal) run.journal->clear();  // every parse has ended: nothing was in flight
  progress.finish();
  return graph;
}

// After the graph: commit the sink, store the fetch state, then publish metrics, the report
// and the summary. Returns the exit status.
int finish_run(const RunConfig& config, RunTotals& totals, const RunIdentity& identity,
               std::chrono::steady_clock::time_point started, OpenedRun& run,
               std::vector<std::optional<SourceOutcome>>& outcomes, const StageClock& clock, EventLog& log) {
  if (!totals.fatal_error) {
    try {
      totals.load = run.sinks.articles->finish();
    } catch (const std::exception& e) {
      totals.fatal_error = e.what();
    }
  }
  // After a sink failure the batches committed before it are still there: report them.
  if (totals.fatal_error) totals.load = run.sinks.articles->committed();

  std::vector<SourceOutcome> ordered;
  ordered.reserve(outcomes.size());
  for (auto& o : outcomes) {
    if (o) ordered.push_back(std::move(*o));  // unset: never started (interrupted or fatal)
  }
  for (const SourceOutcome& o : ordered) accumulate(totals, o);
  // Entries skipped as unchanged are rows the sink would have found unchanged.
  if (totals.sink_is_postgres) totals.load.unchanged += totals.unchanged_entries;
  // A sink that keeps the fetch state has committed each source's state with its rows.
  if (run.sinks.state && !run.sinks.articles->keeps_fetch_state() && !totals.fatal_error) {
    std::vector<SourceState> updated;
    updated.reserve(ordered.size());
    for (const SourceOutcome& o : ordered) {
      if (!o.state.url.empty() && o.status != SourceStatus::skipped && o.status != SourceStatus::not_due)
        updated.push_back(o.state);
    }
    try {
      run.sinks.state->save_all(updated);
    } catch (const std::exception& e) {
      log.emit(LogLevel::error, "fetch_state_save_failed", {{"message", e.what()}});
      totals.fatal_error = std::string("fetch state not saved: ") + e.what();
    }
  }
  totals.elapsed = std::chrono::steady_clock::now() - started;
  totals.exit_status = exit_status_for(totals);

  publish_run_metrics(config, totals, ordered, clock, log);
  if (config.report_file) {
    try {
      write_file_atomically(*config.report_file, render_report_json(totals, ordered));
    } catch (const std::exception& e) {
      log.emit(LogLevel::error, "run_report_write_failed", {{"message", e.what()}});
    }
  }
  if (totals.fatal_error) log.emit(LogLevel::error, "run_failed", {{"message", *totals.fatal_error}});
  // Every line of --log-format json is an event: the summary's counts are in run_finished, and
  // each failed source already has its source_failed event.
  if (config.log.format == LogFormat::logfmt && (!config.log.quiet || totals.exit_status != 0)) {
    const std::string summary = render_summary(totals, ordered);
    std::fwrite(summary.data(), 1, summary.size(), stderr);
  }
  emit_run_finished(log, totals, identity.run_id);
  return totals.exit_status;
}

}  // namespace

// open -> plan -> execute -> finish.
int run_command(const RunConfig& config, const std::atomic<bool>& stop_requested) {
  EventLog log(config.log);
  signals::install_fatal_handlers(config.log.format);
  const auto started = std::chrono::steady_clock::now();
  RunTotals totals;
  totals.started_at = now_seconds();
  totals.sink_is_postgres = config.sink == SinkKind::postgres;

  const RunIdentity identity = make_run_identity(totals.started_at);
  std::variant<OpenedRun, int> opened = open_run(config, totals, identity, started, log);
  if (const int* exit_status = std::get_if<int>(&opened)) return *exit_status;
  OpenedRun& run = std::get<OpenedRun>(opened);

  StageClock clock;
  const auto planning = std::chrono::steady_clock::now();
  PlannedRun plan = plan_sources(std::move(run.sources), config, run.states, run.quarantine, totals.started_at);
  clock.record(MetricStage::sources,
               std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - planning),
               plan.total, plan.due.size());
  std::vector<std::optional<SourceOutcome>> outcomes(plan.total);
  const auto not_due = std::count_if(plan.early.begin(), plan.early.end(),
                                     [](const SourceOutcome& o) { return o.status == SourceStatus::not_due; });
  for (std::size_t i = 0; i < plan.early.size(); ++i) {
    log_outcome(log, plan.early[i]);
    outcomes[plan.early_index[i]] = std::move(plan.early[i]);
  }
  log.emit(LogLevel::info, "run_started",
           {{"run_id", identity.run_id}, {"sources", plan.total}, {"due", plan.due.size()},
            {"not_due", static_cast<std::size_t>(not_due)}, {"lock", run.sinks.lock_description}});

  const GraphResult graph = execute_plan(config, plan, run, clock, outcomes, totals, log, stop_requested);
  totals.fatal_error = graph.fatal_error;
  totals.interrupted = stop_requested.load();
  return finish_run(config, totals, identity, started, run, outcomes, clock, log);
}

}  // namespace rssflow
