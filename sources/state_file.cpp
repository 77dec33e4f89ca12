#include "sources/state_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/time.h"
#include "transforms/json_record.h"

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

std::optional<std::string> optional_string(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

// One source's object, as nlohmann's dump(2) printed it (keys sorted, two-space indent, nested
// at depth 2), written directly: building a DOM of std::maps only to print it was most of the
// CPU of a run whose feeds were all unchanged. Text goes through append_json_string, so the
// file is valid UTF-8 whatever a server sent.
class StateWriter {
 public:
  explicit StateWriter(std::string& out) : out_(out) {}

  void source(const std::string& url, const SourceState& state) {
    out_.append("    ");
    append_json_string(out_, url);
    out_.append(": {\n");
    first_ = true;
    text("body_hash", state.body_hash);
    number("consecutive_failures", state.consecutive_failures);
    number("entries", state.entries);
    text("etag", state.validators.etag);
    literal("gone", state.gone ? "true" : "false");
    text("last_error", state.last_error);
    text("last_modified", state.validators.last_modified);
    number("last_status", state.last_status);
    instant("last_success_at", state.last_success_at);
    instant("next_attempt_at", state.next_attempt_at);
    instant("next_fetch_at", state.next_fetch_at);
    text("permanent_redirect", state.permanent_redirect);
    seconds("publish_interval_seconds", state.publish_interval);
    number("skip_days", static_cast<unsigned>(state.feed_hints.skip_days));
    number("skip_hours", state.feed_hints.skip_hours);
    seconds("ttl_seconds", state.feed_hints.ttl);
    seconds("update_period_seconds", state.feed_hints.update_period);
    out_.append("\n    }");
  }

 private:
  void key(const char* name) {
    if (!first_) out_.append(",\n");
    first_ = false;
    out_.append("      \"").append(name).append("\": ");
  }
  void literal(const char* name, std::string_view value) {
    key(name);
    out_.append(value);
  }
  template <class T>
  void number(const char* name, T value) {
    key(name);
    out_.append(std::to_string(value));
  }
  void text(const char* name, const std::string& value) {
    key(name);
    append_json_string(out_, value);
  }
  void text(const char* name, const std::optional<std::string>& value) {
    if (value) return text(name, *value);
    literal(name, "null");
  }
  void instant(const char* name, const std::optional<Instant>& value) {
    if (value) return text(name, format_rfc3339(*value));
    literal(name, "null");
  }
  void seconds(const char* name, const std::optional<std::chrono::seconds>& value) {
    if (value) return number(name, static_cast<long long>(value->count()));
    literal(name, "null");
  }

  std::string& out_;
  bool first_ = true;
};

std::string state_file_text(const std::unordered_map<std::string, SourceState>& states) {
  std::vector<const std::pair<const std::string, SourceState>*> sorted;  // by URL: stable output
  sorted.reserve(states.size());
  for (const auto& entry : states) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string out;
  out.reserve(states.size() * 700 + 64);
  out.append(sorted.empty() ? "{\n  \"sources\": {}" : "{\n  \"sources\": {\n");
  StateWriter writer(out);
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) out.append(",\n");
    writer.source(sorted[i]->first, sorted[i]->second);
  }
  if (!sorted.empty()) out.append("\n  }");
  out.append(",\n  \"version\": ").append(std::to_string(kFormatVersion)).append("\n}\n");
  return out;
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
  const std::string bytes = state_file_text(merged);

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
