#include "pipeline/quarantine.h"

#include "core/time.h"
#include "sources/fetch_policy.h"

namespace rssflow {
namespace {

constexpr const char* kWhy = "the previous run died while parsing this source";

}  // namespace

Quarantine quarantine_suspects(const std::vector<std::string>& suspects, const std::vector<Source>& sources,
                               std::unordered_map<std::string, SourceState>& states, Instant now) {
  Quarantine quarantine;
  if (suspects.empty()) return quarantine;
  std::unordered_set<std::string> listed;
  for (const Source& source : sources) listed.insert(source.url);
  for (const std::string& url : suspects) {
    if (listed.count(url) == 0 || !quarantine.urls.insert(url).second) continue;
    SourceState& state = states[url];
    state.url = url;
    // A failure like any other (so backoff doubles while the source keeps killing runs),
    // with the last status kept: nothing was fetched in this run.
    FetchResult crashed;
    crashed.outcome = StageError{Stage::parse, url, ErrorCode::crashed_previous_run, kWhy};
    crashed.http_status = state.last_status;
    state = next_state(std::move(state), crashed, now);
    quarantine.states.push_back(state);
  }
  return quarantine;
}

StageError quarantine_error(const SourceState& state) {
  std::string message = std::string(kWhy) + "; quarantined";
  if (state.next_attempt_at) message += " until " + format_rfc3339(*state.next_attempt_at);
  message += " (" + std::to_string(state.consecutive_failures) + " consecutive failure" +
             (state.consecutive_failures == 1 ? ")" : "s)");
  return StageError{Stage::parse, state.url, ErrorCode::crashed_previous_run, std::move(message)};
}

}  // namespace rssflow
