#include "sources/state_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/time.h"

namespace rssflow {
namespace {

using nlohmann::json;
constexpr int kFormatVersion = 1;

std::optional<Instant> parse_instant(const json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  const auto parsed = parse_rfc3339_utc(text);
  if (!parsed) throw std::runtime_error("bad timestamp \"" + text + "\" (want 2024-05-01T12:00:00Z)");
  return parsed;
}

std::optional<std::chrono::seconds> optional_seconds(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return std::chrono::seconds(it->get<long long>());
}

json instant_json(const std::optional<Instant>& t) { return t ? json(format_rfc3339(*t)) : json(nullptr); }

template <class T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

std::optional<std::string> optional_string(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

json seconds_json(const std::optional<std::chrono::seconds>& value) {
  return value ? json(value->count()) : json(nullptr);
}

json to_json(const SourceState& state) {
  return json{{"etag", optional_json(state.validators.etag)},
              {"last_modified", optional_json(state.validators.last_modified)},
              {"last_status", state.last_status},
              {"last_error", state.last_error},
              {"consecutive_failures", state.consecutive_failures},
              {"last_success_at", instant_json(state.last_success_at)},
              {"next_attempt_at", instant_json(state.next_attempt_at)},
              {"permanent_redirect", optional_json(state.permanent_redirect)},
              {"gone", state.gone},
              {"next_fetch_at", instant_json(state.next_fetch_at)},
              {"body_hash", optional_json(state.body_hash)},
              {"entries", state.entries},
              {"ttl_seconds", seconds_json(state.feed_hints.ttl)},
              {"update_period_seconds", seconds_json(state.feed_hints.update_period)},
              {"skip_hours", state.feed_hints.skip_hours},
              {"skip_days", state.feed_hints.skip_days},
              {"publish_interval_seconds", seconds_json(state.publish_interval)}};
}

SourceState from_json(const std::string& url, const json& object) {
  if (!object.is_object()) throw std::runtime_error("entry for " + url + " is not an object");
  SourceState state;
  state.url = url;
  state.validators.etag = optional_string(object, "etag");
  state.validators.last_modified = optional_string(object, "last_modified");
  state.last_status = object.value("last_status", 0);
  state.last_error = object.value("last_error", std::string());
  state.consecutive_failures = object.value("consecutive_failures", 0);
  if (const auto it = object.find("last_success_at"); it != object.end()) state.last_success_at = parse_instant(*it);
  if (const auto it = object.find("next_attempt_at"); it != object.end()) state.next_attempt_at = parse_instant(*it);
  state.permanent_redirect = optional_string(object, "permanent_redirect");
  state.gone = object.value("gone", false);
  // Added with the schedule; older files lack them (first run: due now, body parsed).
  if (const auto it = object.find("next_fetch_at"); it != object.end()) state.next_fetch_at = parse_instant(*it);
  state.body_hash = optional_string(object, "body_hash");
  state.entries = object.value("entries", std::size_t{0});
  state.feed_hints.ttl = optional_seconds(object, "ttl_seconds");
  state.feed_hints.update_period = optional_seconds(object, "update_period_seconds");
  state.feed_hints.skip_hours = object.value("skip_hours", std::uint32_t{0});
  state.feed_hints.skip_days = object.value("skip_days", std::uint8_t{0});
  state.publish_interval = optional_seconds(object, "publish_interval_seconds");
  return state;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

StateFileStore::StateFileStore(std::filesystem::path path) : path_(std::move(path)) {}

std::unordered_map<std::string, SourceState> StateFileStore::load_all() {
  const std::optional<FileVersion> version = file_version(path_);
  if (version && cached_version_ && *version == *cached_version_) return cached_;
  std::unordered_map<std::string, SourceState> states;
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path_)) return states;  // first run
    throw std::runtime_error("cannot read state file " + path_.string() + ": " + errno_text());
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    const json document = json::parse(buffer.str());
    if (!document.is_object() || document.value("version", 0) != kFormatVersion || !document.contains("sources") ||
        !document["sources"].is_object()) {
      throw std::runtime_error("not an rssflow state file (version " + std::to_string(kFormatVersion) + ")");
    }
    for (const auto& [url, entry] : document["sources"].items()) states.emplace(url, from_json(url, entry));
  } catch (const std::exception& e) {
    throw std::runtime_error("state file " + path_.string() + ": " + e.what());
  }
  if (version) {
    cached_version_ = version;
    cached_ = states;
  }
  return states;
}

void StateFileStore::save_all(const std::vector<SourceState>& states) {
  std::unordered_map<std::string, SourceState> merged = load_all();
  for (const SourceState& state : states) merged.insert_or_assign(state.url, state);
  json sources = json::object();  // nlohmann's object is a std::map: stable, sorted output
  for (const auto& [url, state] : merged) sources[url] = to_json(state);
  const std::string bytes = json{{"version", kFormatVersion}, {"sources", sources}}.dump(2) + "\n";

  try {
    write_file_atomically(path_, bytes, 0600);  // validators and failure history: the owner's only
  } catch (const std::exception& e) {
    cached_version_.reset();
    throw std::runtime_error(std::string("state file: ") + e.what());
  }
  cached_version_ = file_version(path_);
  cached_ = std::move(merged);
}

}  // namespace rssflow
