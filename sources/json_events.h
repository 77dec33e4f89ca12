// The events of one JSON text, for readers that build their own values (the state file):
// nlohmann's SAX lexer cost a run whose feeds were all unchanged ~5 % of its CPU.
#pragma once

#include <string>
#include <string_view>

namespace rssflow {

class JsonEvents {
 public:
  virtual ~JsonEvents() = default;
  virtual void null() = 0;
  virtual void boolean(bool value) = 0;
  virtual void integer(long long value) = 0;  // an integer that fits a long long
  virtual void other_number() = 0;            // a fraction, an exponent, or out of range
  virtual void string(std::string& value) = 0;  // decoded UTF-8; the callee may move from it
  virtual void key(std::string& name) = 0;
  virtual void start_object() = 0;
  virtual void end_object() = 0;
  virtual void start_array() = 0;
  virtual void end_array() = 0;
};

// Reads `text` (RFC 8259: one value, no comments, no trailing commas) and reports its events
// in order. Iterative: nesting costs a byte per level, never a stack frame. A syntax error
// throws std::runtime_error("parse error at byte N: ..."); an exception from a callee passes.
void read_json_events(std::string_view text, JsonEvents& events);

}  // namespace rssflow
