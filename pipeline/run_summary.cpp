#include "pipeline/run_summary.h"

#include "core/terminal_text.h"
#include "transforms/url.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace rssflow {

void accumulate(RunTotals& totals, const SourceOutcome& outcome) {
  ++totals.sources;
  switch (outcome.status) {
    case SourceStatus::ok: ++totals.ok; break;
    case SourceStatus::not_modified: ++totals.not_modified; break;
    case SourceStatus::failed: ++totals.failed; break;
    case SourceStatus::skipped: ++totals.skipped; break;
    case SourceStatus::unchanged: ++totals.unchanged; break;
    case SourceStatus::not_due: ++totals.not_due; break;
  }
  totals.entries += outcome.entries;
  totals.duplicates += outcome.duplicates;
  totals.unchanged_entries += outcome.unchanged;
  totals.near_duplicates += outcome.near_duplicates;
  totals.records += outcome.records;
  totals.bytes += outcome.bytes;
}

int exit_status_for(const RunTotals& totals) {
  if (totals.fatal_error) return 3;
  if (totals.failed > 0 || totals.skipped > 0 || totals.interrupted) return 1;
  return 0;
}

std::string render_summary(const RunTotals& t, const std::vector<SourceOutcome>& outcomes) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "rssflow run: %zu sources: %zu ok, %zu not modified, %zu unchanged, %zu failed, %zu skipped, "
                "%zu not due (%.2f s)\n",
                t.sources, t.ok, t.not_modified, t.unchanged, t.failed, t.skipped, t.not_due, t.elapsed.count());
  out += line;
  std::snprintf(line, sizeof line,
                "  %zu entries parsed, %zu duplicates dropped, %zu near-duplicates linked, %zu records formatted\n",
                t.entries, t.duplicates, t.near_duplicates, t.records);
  out += line;
  if (t.unchanged_entries > 0) {
    std::snprintf(line, sizeof line, "  %zu unchanged entries skipped before cleaning\n", t.unchanged_entries);
    out += line;
  }
  if (!t.sink_is_postgres) {
    std::snprintf(line, sizeof line, "  jsonl: %llu written, %llu unchanged since an earlier run (not written again)\n",
                  static_cast<unsigned long long>(t.load.written), static_cast<unsigned long long>(t.load.unchanged));
    out += line;
  }
  if (t.sink_is_postgres) {
    std::snprintf(line, sizeof line, "  postgres: %llu inserted, %llu updated, %llu unchanged in %llu batches\n",
                  static_cast<unsigned long long>(t.load.inserted), static_cast<unsigned long long>(t.load.updated),
                  static_cast<unsigned long long>(t.load.unchanged), static_cast<unsigned long long>(t.load.batches));
    out += line;
  }
  for (const SourceOutcome& o : outcomes) {
    if (o.permanent_redirect) {
      out += "  moved permanently: " + escape_for_terminal(o.source.url) + " -> " +
             escape_for_terminal(without_userinfo(*o.permanent_redirect)) + " (update the source list)\n";
    }
  }
  std::size_t shown = 0;
  for (const SourceOutcome& o : outcomes) {
    if (!o.error) continue;
    if (++shown > 40) {
      out += "  ... see --report for the rest\n";
      break;
    }
    out += "  ";
    out += to_string(o.status);
    out += ": ";
    out += escape_for_terminal(o.error->describe());  // reason phrases and URLs come from the network
    out += '\n';
  }
  if (t.interrupted) out += "  interrupted: sources not yet started were left for the next run\n";
  if (t.fatal_error) {
    std::snprintf(line, sizeof line, "  committed before the failure: %llu rows\n",
                  static_cast<unsigned long long>(t.load.written));
    out += line;
    out += "  FATAL: " + *t.fatal_error + "\n";
  }
  return out;
}

std::string render_report_json(const RunTotals& t, const std::vector<SourceOutcome>& outcomes) {
  using nlohmann::json;
  json sources = json::array();
  for (const SourceOutcome& o : outcomes) {
    json s{{"url", o.source.url},
           {"title", o.source.title},
           {"status", to_string(o.status)},
           {"http_status", o.http_status},
           {"bytes", o.bytes},
           {"fetch_ms", o.fetch_elapsed.count()},
           {"format", to_string(o.format)},
           {"entries", o.entries},
           {"duplicates", o.duplicates},
           {"unchanged_entries", o.unchanged},
           {"near_duplicates", o.near_duplicates},
           {"records", o.records},
           {"repairs", o.repairs}};
    if (o.error) {
      s["error"] = {{"stage", to_string(o.error->stage)}, {"code", to_string(o.error->code)}, {"message", o.error->message}};
    } else {
      s["error"] = nullptr;
    }
    s["permanent_redirect"] = o.permanent_redirect ? json(*o.permanent_redirect) : json(nullptr);
    s["next_fetch_at"] = o.state.next_fetch_at ? json(format_rfc3339(*o.state.next_fetch_at)) : json(nullptr);
    sources.push_back(std::move(s));
  }
  json report{{"started_at", format_rfc3339(t.started_at)},
              {"duration_seconds", t.elapsed.count()},
              {"exit_status", t.exit_status},
              {"interrupted", t.interrupted},
              {"fatal_error", t.fatal_error ? json(*t.fatal_error) : json(nullptr)},
              {"totals",
               {{"sources", t.sources}, {"ok", t.ok}, {"not_modified", t.not_modified}, {"failed", t.failed},
                {"skipped", t.skipped}, {"unchanged", t.unchanged}, {"not_due", t.not_due}, {"entries", t.entries}, {"duplicates", t.duplicates},
                {"unchanged_entries", t.unchanged_entries}, {"near_duplicates", t.near_duplicates}, {"records", t.records}, {"bytes", t.bytes},
                // Rows, not sources: "unchanged" above counts sources whose 200 repeated the last body.
                {"inserted", t.load.inserted}, {"updated", t.load.updated}, {"rows_unchanged", t.load.unchanged}}},
              {"sources", std::move(sources)}};
  // Invalid UTF-8 in a message must not make the report unwritable.
  return report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace rssflow
