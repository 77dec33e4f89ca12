#include "sources/state_file_json.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/time.h"
#include "sources/json_events.h"
#include "transforms/json_record.h"

namespace rssflow {
namespace {

// One source's object at depth 2, written directly: building a DOM of std::maps only to print
// it was most of the CPU of a run whose feeds were all unchanged.
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

// Reads the file as JSON events straight into SourceStates: a document of std::maps for 500
// sources cost more than the rest of a run whose feeds were all unchanged. Depth 1 is the file
// object, 2 the "sources" object, 3 one source; anything under an unknown key is skipped.
class StateReader final : public JsonEvents {
 public:
  std::unordered_map<std::string, SourceState> states;
  std::optional<long long> version;
  bool saw_sources = false;

  void null() override { value(Value{}); }
  void boolean(bool b) override { value(Value{Value::boolean, b}); }
  void integer(long long n) override { value(Value{Value::integer, false, n}); }
  void other_number() override { value(Value{Value::other}); }
  void string(std::string& s) override { value(Value{Value::text, false, 0, &s}); }

  void start_object() override {
    if (skipping_ > 0 || (depth_ >= 1 && !wanted_container())) {
      if (skipping_ == 0 && depth_ == 3) field(Value{Value::other});  // a known field must be a scalar
      ++skipping_;
      return;
    }
    if (depth_ == 1) saw_sources = true;
    if (depth_ == 2) {
      current_ = SourceState{};
      current_.url = key_;
    }
    ++depth_;
  }
  void end_object() override {
    if (skipping_ > 0) {
      --skipping_;
      return;
    }
    --depth_;
    if (depth_ == 2) states.insert_or_assign(current_.url, std::move(current_));
  }
  void start_array() override {
    if (depth_ == 1 && skipping_ == 0 && key_ == "sources") fail("\"sources\" is not an object");
    if (depth_ == 2 && skipping_ == 0) fail("entry for " + key_ + " is not an object");
    if (depth_ == 3 && skipping_ == 0) field(Value{Value::other});
    ++skipping_;
  }
  void end_array() override { --skipping_; }
  void key(std::string& k) override {
    if (skipping_ == 0) key_.swap(k);
  }

 private:
  struct Value {
    enum Kind { null, boolean, integer, text, other } kind = null;
    bool flag = false;
    long long number = 0;
    std::string* string = nullptr;
  };

  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(what); }

  // An object where one is expected: the file (depth 0), "sources" (1), a source (2).
  bool wanted_container() const { return depth_ == 2 || (depth_ == 1 && key_ == "sources"); }

  void value(const Value& v) {
    if (skipping_ > 0) return;
    if (depth_ == 0) fail("not an rssflow state file (version " + std::to_string(kStateFileFormatVersion) + ")");
    if (depth_ == 1) {
      if (key_ == "version") version = v.kind == Value::integer ? std::optional<long long>(v.number) : -1;
      if (key_ == "sources") fail("\"sources\" is not an object");
      return;
    }
    if (depth_ == 2) fail("entry for " + key_ + " is not an object");
    field(v);
  }

  std::string text_of(const Value& v) const {
    if (v.kind != Value::text) fail(key_ + " of " + current_.url + " is not a string");
    return std::move(*v.string);
  }
  std::optional<std::string> optional_text(const Value& v) const {
    if (v.kind == Value::null) return std::nullopt;
    return text_of(v);
  }
  long long integer_of(const Value& v, long long min, long long max) const {
    if (v.kind != Value::integer || v.number < min || v.number > max)
      fail(key_ + " of " + current_.url + " is not an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return v.number;
  }
  std::optional<std::chrono::seconds> optional_seconds(const Value& v) const {
    if (v.kind == Value::null) return std::nullopt;
    return std::chrono::seconds(integer_of(v, std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max()));
  }
  std::optional<Instant> instant(const Value& v) const {
    if (v.kind != Value::text) return std::nullopt;
    const auto parsed = parse_rfc3339_utc(*v.string);
    if (!parsed) fail("bad timestamp \"" + *v.string + "\" (want 2024-05-01T12:00:00Z)");
    return parsed;
  }

  void field(const Value& v) {
    constexpr long long kInt = std::numeric_limits<int>::max();
    SourceState& s = current_;
    const std::string& k = key_;
    if (k == "etag") s.validators.etag = optional_text(v);
    else if (k == "last_modified") s.validators.last_modified = optional_text(v);
    else if (k == "last_status") s.last_status = static_cast<int>(integer_of(v, -kInt, kInt));
    else if (k == "last_error") s.last_error = text_of(v);
    else if (k == "consecutive_failures") s.consecutive_failures = static_cast<int>(integer_of(v, -kInt, kInt));
    else if (k == "last_success_at") s.last_success_at = instant(v);
    else if (k == "next_attempt_at") s.next_attempt_at = instant(v);
    else if (k == "permanent_redirect") s.permanent_redirect = optional_text(v);
    else if (k == "gone") {
      if (v.kind != Value::boolean) fail("gone of " + s.url + " is not true or false");
      s.gone = v.flag;
    }
    else if (k == "next_fetch_at") s.next_fetch_at = instant(v);
    else if (k == "body_hash") s.body_hash = optional_text(v);
    else if (k == "entries") s.entries = static_cast<std::size_t>(integer_of(v, 0, std::numeric_limits<long long>::max()));
    else if (k == "ttl_seconds") s.feed_hints.ttl = optional_seconds(v);
    else if (k == "update_period_seconds") s.feed_hints.update_period = optional_seconds(v);
    else if (k == "skip_hours") s.feed_hints.skip_hours = static_cast<std::uint32_t>(integer_of(v, 0, 0xFFFFFFFFll));
    else if (k == "skip_days") s.feed_hints.skip_days = static_cast<std::uint8_t>(integer_of(v, 0, 0xFF));
    else if (k == "publish_interval_seconds") s.publish_interval = optional_seconds(v);
  }

  int depth_ = 0;     // objects entered, up to 3
  int skipping_ = 0;  // containers entered under a key this reader does not use
  std::string key_;
  SourceState current_;
};

}  // namespace

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
  out.append(",\n  \"version\": ").append(std::to_string(kStateFileFormatVersion)).append("\n}\n");
  return out;
}

std::unordered_map<std::string, SourceState> read_state_file_text(std::string_view text) {
  StateReader reader;
  read_json_events(text, reader);
  if (!reader.saw_sources || reader.version != kStateFileFormatVersion)
    throw std::runtime_error("not an rssflow state file (version " + std::to_string(kStateFileFormatVersion) + ")");
  return std::move(reader.states);
}

}  // namespace rssflow
