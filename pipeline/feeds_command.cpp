#include "pipeline/feeds_command.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/terminal_text.h"
#include "core/time.h"
#include "pipeline/commands.h"
#include "pipeline/sink_setup.h"
#include "sinks/postgres_state_store.h"
#include "sources/state_file.h"

namespace rssflow {
namespace {

using nlohmann::json;

std::string instant_or(const std::optional<Instant>& t, const char* none) {
  return t ? format_rfc3339(*t) : std::string(none);
}

json instant_json(const std::optional<Instant>& t) { return t ? json(format_rfc3339(*t)) : json(nullptr); }

// What the state says in one word: gone, backoff (failing, still waiting), failing, ok, new.
std::string condition(const SourceState& s, Instant now) {
  if (s.gone) return "gone";
  if (s.consecutive_failures > 0) return s.next_attempt_at && *s.next_attempt_at > now ? "backoff" : "failing";
  if (s.last_success_at) return "ok";
  return "new";
}

// When the next run may contact the source: the later of its schedule and its backoff.
std::optional<Instant> next_contact(const SourceState& s) {
  if (!s.next_attempt_at) return s.next_fetch_at;
  if (!s.next_fetch_at) return s.next_attempt_at;
  return std::max(*s.next_fetch_at, *s.next_attempt_at);
}

std::vector<const SourceState*> selected(const std::unordered_map<std::string, SourceState>& states, bool failing_only) {
  std::vector<const SourceState*> rows;
  for (const auto& [url, state] : states) {
    if (!failing_only || is_failing(state)) rows.push_back(&state);
  }
  std::sort(rows.begin(), rows.end(), [](const SourceState* a, const SourceState* b) { return a->url < b->url; });
  return rows;
}

std::string render_table(const std::vector<const SourceState*>& rows, Instant now) {
  const std::vector<std::string> header = {"URL",   "STATE",      "HTTP",    "LAST SUCCESS", "FAILURES",
                                           "NEXT FETCH", "BACKOFF UNTIL", "ENTRIES", "MOVED TO",     "LAST ERROR"};
  std::vector<std::vector<std::string>> cells = {header};
  for (const SourceState* s : rows) {
    const bool backing_off = !s->gone && s->next_attempt_at && *s->next_attempt_at > now;
    cells.push_back({s->url, condition(*s, now), s->last_status ? std::to_string(s->last_status) : "-",
                     instant_or(s->last_success_at, "never"), std::to_string(s->consecutive_failures),
                     s->gone ? "never" : instant_or(next_contact(*s), "now"),
                     backing_off ? format_rfc3339(*s->next_attempt_at) : "-", std::to_string(s->entries),
                     s->permanent_redirect.value_or("-"), s->last_error.empty() ? "-" : s->last_error});
    // URLs, redirect targets and errors (reason phrases, curl's messages) come from the network.
    for (std::string& cell : cells.back()) cell = escape_for_terminal(cell);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& row : cells) {
    for (std::size_t c = 0; c + 1 < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : cells) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out.append(width[c] - row[c].size() + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string render_json(const std::vector<const SourceState*>& rows, Instant now) {
  json list = json::array();
  for (const SourceState* s : rows) {
    list.push_back({{"url", s->url},
                    {"state", condition(*s, now)},
                    {"last_status", s->last_status},
                    {"last_error", s->last_error},
                    {"consecutive_failures", s->consecutive_failures},
                    {"last_success_at", instant_json(s->last_success_at)},
                    {"next_fetch_at", instant_json(s->next_fetch_at)},
                    {"next_attempt_at", instant_json(s->next_attempt_at)},
                    {"gone", s->gone},
                    {"permanent_redirect", s->permanent_redirect ? json(*s->permanent_redirect) : json(nullptr)},
                    {"entries", s->entries},
                    {"etag", s->validators.etag ? json(*s->validators.etag) : json(nullptr)},
                    {"last_modified", s->validators.last_modified ? json(*s->validators.last_modified) : json(nullptr)}});
  }
  return list.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::unique_ptr<FetchStateStore> open_store(const FeedsCommand& command) {
  if (command.state_file) return std::make_unique<StateFileStore>(*command.state_file);
  migrate_schema(command.postgres, false);  // an older schema gains the schedule columns
  return std::make_unique<PostgresFetchStateStore>(command.postgres);
}

}  // namespace

bool is_failing(const SourceState& state) { return state.gone || state.consecutive_failures > 0; }

std::string render_feeds(const std::unordered_map<std::string, SourceState>& states, bool failing_only, bool table,
                         Instant now) {
  const auto rows = selected(states, failing_only);
  return table ? render_table(rows, now) : render_json(rows, now);
}

SourceState reset_state(SourceState state) {
  state.consecutive_failures = 0;
  state.last_error.clear();
  state.next_attempt_at.reset();
  state.gone = false;
  state.validators = {};
  state.body_hash.reset();
  state.next_fetch_at.reset();
  return state;
}

int feeds_command(const FeedsCommand& command) {
  std::unordered_map<std::string, SourceState> states;
  std::unique_ptr<FetchStateStore> store;
  try {
    store = open_store(command);
    states = store->load_all();
  } catch (const std::exception& e) {
    std::cerr << "rssflow feeds: " << escape_for_terminal(e.what()) << "\n";
    return 3;
  }
  if (!command.reset) {
    const std::string out = render_feeds(states, command.failing_only, command.table, now_seconds());
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::vector<SourceState> updated;
  int status = 0;
  for (const std::string& url : command.urls) {
    const auto it = states.find(url);
    if (it == states.end()) {
      std::cerr << "rssflow feeds reset: " << escape_for_terminal(url) << ": no fetch state for this URL (see `rssflow feeds`)\n";
      status = 1;
      continue;
    }
    updated.push_back(reset_state(it->second));
  }
  try {
    store->save_all(updated);
  } catch (const std::exception& e) {
    std::cerr << "rssflow feeds reset: " << escape_for_terminal(e.what()) << "\n";
    return 3;
  }
  for (const SourceState& s : updated) std::cerr << "rssflow feeds reset: " << escape_for_terminal(s.url) << ": due at the next run\n";
  return status;
}

}  // namespace rssflow
