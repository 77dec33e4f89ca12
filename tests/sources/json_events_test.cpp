#include "sources/json_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace rssflow {
namespace {

using testing::HasSubstr;

// Writes the events back as compact JSON, so a document read is compared with nlohmann's dump.
class Echo final : public JsonEvents {
 public:
  std::string out;
  void null() override { item("null"); }
  void boolean(bool value) override { item(value ? "true" : "false"); }
  void integer(long long value) override { item(std::to_string(value)); }
  void other_number() override { item("#"); }
  void string(std::string& value) override { item(nlohmann::json(value).dump()); }
  void key(std::string& name) override {
    comma();
    out += nlohmann::json(name).dump() + ":";
    after_key_ = true;
  }
  void start_object() override { open("{"); }
  void end_object() override { close("}"); }
  void start_array() override { open("["); }
  void end_array() override { close("]"); }

 private:
  void comma() {
    if (need_comma_ && !after_key_) out += ",";
  }
  void item(const std::string& text) {
    comma();
    out += text;
    need_comma_ = true;
    after_key_ = false;
  }
  void open(const char* bracket) {
    comma();
    out += bracket;
    need_comma_ = false;
    after_key_ = false;
  }
  void close(const char* bracket) {
    out += bracket;
    need_comma_ = true;
  }
  bool need_comma_ = false;
  bool after_key_ = false;
};

std::string echo(const std::string& text) {
  Echo events;
  read_json_events(text, events);
  return events.out;
}

std::string error_of(const std::string& text) {
  try {
    echo(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(JsonEvents, ReadsWhatNlohmannReads) {
  for (const std::string text : {
           R"({"a": [1, -2, {"b": null}, [], {}], "c": true, "d": false, "e": "x"})",
           R"( [ "\" \\ \/ \b \f \n \r \t", "\u00e9\u20ac\ud83d\ude00", "plain ütf-8" ] )",
           R"({"n": 9223372036854775807, "m": -9223372036854775808})",
           "\"top\"",
           "0",
       }) {
    SCOPED_TRACE(text);
    EXPECT_EQ(echo(text), nlohmann::ordered_json::parse(text).dump());
  }
  // Fractions, exponents and integers out of range are reported as other numbers.
  EXPECT_EQ(echo("[1.5, 2e3, -0.0, 9223372036854775808]"), "[#,#,#,#]");
}

TEST(JsonEvents, NamesTheByteWhereTheSyntaxBreaks) {
  EXPECT_THAT(error_of(R"({"version": 1, "sources": {)"), HasSubstr("parse error at byte 27"));
  EXPECT_THAT(error_of(R"({"a": 1,})"), HasSubstr("parse error at byte 8: expected a key"));
  EXPECT_THAT(error_of("[1 2]"), HasSubstr("at byte 3: expected ',' or ']'"));
  EXPECT_THAT(error_of("{} x"), HasSubstr("at byte 3: content after the end"));
  EXPECT_THAT(error_of("[01]"), HasSubstr("malformed number"));
  EXPECT_THAT(error_of("[tru]"), HasSubstr("expected true, false or null"));
  EXPECT_THAT(error_of("\"a\nb\""), HasSubstr("control character"));
  EXPECT_THAT(error_of(R"("\ud83d")"), HasSubstr("unpaired surrogate"));
  EXPECT_THAT(error_of(R"("\q")"), HasSubstr("unknown escape"));
  EXPECT_THAT(error_of(""), HasSubstr("the document ends where a value should follow"));
}

// Nesting is a stack of bytes, not of frames: a million open arrays or objects is a syntax
// error at the end, not a crash.
TEST(JsonEvents, DeepNestingCostsNoStack) {
  const std::size_t depth = 1'000'000;
  EXPECT_THAT(error_of(std::string(depth, '[')), HasSubstr("at byte 1000000"));
  std::string objects;
  for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
  EXPECT_THAT(error_of(objects), HasSubstr("should follow"));
  const std::string closed = std::string(depth, '[') + std::string(depth, ']');
  Echo events;
  read_json_events(closed, events);
  EXPECT_EQ(events.out, closed);
}

}  // namespace
}  // namespace rssflow
