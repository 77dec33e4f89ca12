#include "sources/state_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rssflow {
namespace {

using namespace std::chrono_literals;

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "rssflow-state-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

SourceState full_state() {
  SourceState state;
  state.url = "https://example.com/feed.xml";
  state.validators = {"W/\"abc\"", "Wed, 01 May 2024 12:00:00 GMT"};
  state.last_status = 503;
  state.last_error = "rate_limited: HTTP 503 Service Unavailable";
  state.consecutive_failures = 2;
  state.last_success_at = Instant{std::chrono::sys_days{std::chrono::year{2024} / 4 / 30} + 8h};
  state.next_attempt_at = Instant{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 13h + 30min + 5s};
  state.permanent_redirect = "https://example.org/feed.xml";
  state.gone = false;
  state.next_fetch_at = Instant{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 14h};
  state.body_hash = "0123456789abcdef0123456789abcdef";
  state.entries = 25;
  state.feed_hints = FeedScheduleHints{std::chrono::minutes(90), std::chrono::hours(2), 0x00ff0003u, 0x41};
  state.publish_interval = std::chrono::seconds(7200);
  return state;
}

void expect_same(const SourceState& a, const SourceState& b) {
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.validators.etag, b.validators.etag);
  EXPECT_EQ(a.validators.last_modified, b.validators.last_modified);
  EXPECT_EQ(a.last_status, b.last_status);
  EXPECT_EQ(a.last_error, b.last_error);
  EXPECT_EQ(a.consecutive_failures, b.consecutive_failures);
  EXPECT_EQ(a.last_success_at, b.last_success_at);
  EXPECT_EQ(a.next_attempt_at, b.next_attempt_at);
  EXPECT_EQ(a.permanent_redirect, b.permanent_redirect);
  EXPECT_EQ(a.gone, b.gone);
  EXPECT_EQ(a.next_fetch_at, b.next_fetch_at);
  EXPECT_EQ(a.body_hash, b.body_hash);
  EXPECT_EQ(a.entries, b.entries);
  EXPECT_EQ(a.feed_hints, b.feed_hints);
  EXPECT_EQ(a.publish_interval, b.publish_interval);
}

TEST_F(StateFileTest, MissingFileLoadsAsEmpty) {
  StateFileStore store(dir_ / "state.json");
  EXPECT_TRUE(store.load_all().empty());
}

TEST_F(StateFileTest, RoundTripsEveryField) {
  StateFileStore store(dir_ / "state.json");
  SourceState gone;
  gone.url = "http://old.example/rss";
  gone.gone = true;
  gone.last_status = 410;
  store.save_all({full_state(), gone});
  const auto loaded = StateFileStore(dir_ / "state.json").load_all();
  ASSERT_EQ(loaded.size(), 2u);
  expect_same(loaded.at(full_state().url), full_state());
  expect_same(loaded.at(gone.url), gone);
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The file is written directly, not through a JSON library: it must still be JSON, laid out
// as nlohmann's dump(2) lays it out (sorted keys, two-space indent), so that files written
// before and after the change are the same bytes.
TEST_F(StateFileTest, WritesValidJsonInTheLayoutOfEarlierVersions) {
  StateFileStore store(dir_ / "state.json");
  SourceState second = full_state();
  second.url = "https://a.example/feed";
  second.validators = {};
  second.permanent_redirect.reset();
  second.feed_hints = {};
  store.save_all({full_state(), second});
  const std::string text = file_text(dir_ / "state.json");
  EXPECT_EQ(nlohmann::json::parse(text).dump(2) + "\n", text);

  StateFileStore empty(dir_ / "empty.json");
  empty.save_all({});
  const std::string none = file_text(dir_ / "empty.json");
  EXPECT_EQ(nlohmann::json::parse(none).dump(2) + "\n", none);
  EXPECT_TRUE(StateFileStore(dir_ / "empty.json").load_all().empty());
}

// Validators and errors come from servers: quotes, backslashes, control characters and
// non-ASCII round-trip; bytes that are not UTF-8 become U+FFFD instead of failing the save.
TEST_F(StateFileTest, ServerTextIsStoredAsValidJsonWhateverItHolds) {
  SourceState state = full_state();
  state.validators.etag = "W/\"a\\b\tc\x01 caf\xC3\xA9\"";
  state.last_error = "bad \xFF byte";
  StateFileStore store(dir_ / "state.json");
  ASSERT_NO_THROW(store.save_all({state}));
  const auto loaded = StateFileStore(dir_ / "state.json").load_all();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded.at(state.url).validators.etag, state.validators.etag);
  EXPECT_EQ(loaded.at(state.url).last_error, "bad \xEF\xBF\xBD byte");
}

TEST_F(StateFileTest, SaveMergesWithSourcesAlreadyInTheFile) {
  StateFileStore store(dir_ / "state.json");
  SourceState other;
  other.url = "https://other.example/atom";
  other.validators.etag = "\"1\"";
  store.save_all({full_state(), other});
  SourceState updated = full_state();
  updated.consecutive_failures = 0;
  updated.last_error.clear();
  store.save_all({updated});
  const auto loaded = store.load_all();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.at(updated.url).consecutive_failures, 0);
  EXPECT_EQ(loaded.at(other.url).validators.etag, "\"1\"");
}

// The store keeps what it read or wrote and reuses it while the file is that version; a file
// replaced by another writer in between is read again, so its sources are not lost.
TEST_F(StateFileTest, SaveMergesWhatAnotherWriterStoredAfterThisStoreLoaded) {
  StateFileStore mine(dir_ / "state.json");
  mine.save_all({full_state()});
  EXPECT_EQ(mine.load_all().size(), 1u);
  SourceState theirs;
  theirs.url = "https://theirs.example/feed";
  theirs.entries = 7;
  StateFileStore(dir_ / "state.json").save_all({theirs});
  SourceState again = full_state();
  again.entries = 26;
  mine.save_all({again});
  const auto loaded = StateFileStore(dir_ / "state.json").load_all();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.at(theirs.url).entries, 7u);
  EXPECT_EQ(loaded.at(again.url).entries, 26u);
}

TEST_F(StateFileTest, LeavesNoTemporaryFilesBehind) {
  StateFileStore store(dir_ / "state.json");
  store.save_all({full_state()});
  store.save_all({full_state()});
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1);
}

TEST_F(StateFileTest, CorruptFileIsARunLevelErrorNamingTheFile) {
  const auto path = dir_ / "state.json";
  std::ofstream(path) << "{\"version\": 1, \"sources\": {\"x\": {\"next_attempt_at\": \"yesterday\"}}}";
  try {
    StateFileStore(path).load_all();
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("yesterday"), std::string::npos) << e.what();
  }
  std::ofstream(path) << "not json";
  EXPECT_THROW(StateFileStore(path).load_all(), std::runtime_error);
}

// The file is read as a stream of JSON events, not through a document: any layout and key order
// reads the same, keys it does not know (with whatever they hold) are skipped, and a field of
// the wrong type is an error naming the field and the source.
TEST_F(StateFileTest, ReadsAnyLayoutSkipsUnknownKeysAndNamesBadFields) {
  const auto path = dir_ / "state.json";
  std::ofstream(path) << R"({"note": {"a": [1, {"b": 2}]}, "sources": {"u1": {"gone": true, "extra": [{"x": null}],)"
                      << R"( "etag": "\"e\"", "entries": 7, "skip_days": 3, "ttl_seconds": null, "last_error": ""},)"
                      << R"( "u2": {}}, "version": 1})";
  const auto states = StateFileStore(path).load_all();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_TRUE(states.at("u1").gone);
  EXPECT_EQ(states.at("u1").validators.etag, "\"e\"");
  EXPECT_EQ(states.at("u1").entries, 7u);
  EXPECT_EQ(states.at("u1").feed_hints.skip_days, 3);
  EXPECT_EQ(states.at("u2").url, "u2");
  EXPECT_FALSE(states.at("u2").gone);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"version": 1, "sources": {"u": {"entries": "many"}}})", "entries of u"},
      {R"({"version": 1, "sources": {"u": {"etag": 5}}})", "etag of u"},
      {R"({"version": 1, "sources": {"u": {"gone": 1}}})", "gone of u"},
      {R"({"version": 1, "sources": {"u": {"skip_days": 300}}})", "skip_days of u"},
      {R"({"version": 1, "sources": {"u": {"last_status": {"code": 200}}}})", "last_status of u"},
      {R"({"version": 1, "sources": {"u": [1]}})", "entry for u"},
      {R"({"version": 1, "sources": []})", "\"sources\" is not an object"},
      {R"({"version": 2, "sources": {}})", "not an rssflow state file"},
      {R"({"sources": {}})", "not an rssflow state file"},
      {R"([1, 2])", "not an rssflow state file"},
      {R"({"version": 1, "sources": {)", "parse error"},
  };
  for (const auto& [text, expected] : bad) {
    SCOPED_TRACE(text);
    std::ofstream(path, std::ios::trunc) << text;
    try {
      StateFileStore(path).load_all();
      ADD_FAILURE() << "expected an exception";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
  }
}

TEST_F(StateFileTest, UnwritableDirectoryThrows) {
  StateFileStore store(dir_ / "missing-dir" / "state.json");
  EXPECT_THROW(store.save_all({full_state()}), std::runtime_error);
}

}  // namespace
}  // namespace rssflow
