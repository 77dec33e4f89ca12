#include "sources/json_events.h"

#include <charconv>
#include <stdexcept>
#include <vector>

namespace rssflow {
namespace {

class Scanner {
 public:
  Scanner(std::string_view text, JsonEvents& events) : text_(text), events_(events) {}

  void run() {
    Want want = Want::value;
    while (true) {
      skip_space();
      switch (want) {
        case Want::value:
          want = value();
          break;
        case Want::first_member_or_end:
          want = Want::value;
          if (close_if('}')) {
            want = after_value();
          } else {
            key();
          }
          break;
        case Want::first_element_or_end:
          want = close_if(']') ? after_value() : Want::value;
          break;
        case Want::comma_or_end: {
          const bool object = open_.back() == '{';
          if (close_if(object ? '}' : ']')) {
            want = after_value();
            break;
          }
          if (next(object ? "',' or '}'" : "',' or ']'") != ',') {
            --pos_;
            fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
          }
          if (object) key();
          want = Want::value;
          break;
        }
        case Want::nothing:
          if (pos_ != text_.size()) fail("content after the end of the document");
          return;
      }
    }
  }

 private:
  enum class Want { value, first_member_or_end, first_element_or_end, comma_or_end, nothing };

  Want after_value() const { return open_.empty() ? Want::nothing : Want::comma_or_end; }

  // Consumes `close` and ends the innermost container if it is next.
  bool close_if(char close) {
    if (pos_ >= text_.size() || text_[pos_] != close) return false;
    ++pos_;
    open_.pop_back();
    close == '}' ? events_.end_object() : events_.end_array();
    return true;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("parse error at byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) ++pos_;
  }

  char next(const char* expected) {
    if (pos_ >= text_.size()) fail(std::string("the document ends where ") + expected + " should follow");
    return text_[pos_++];
  }

  // "key": — a member's name and colon; its value follows.
  void key() {
    skip_space();
    if (next("a key") != '"') {
      --pos_;
      fail("expected a key in double quotes");
    }
    read_string();
    events_.key(buffer_);
    skip_space();
    if (next("':'") != ':') {
      --pos_;
      fail("expected ':' after a key");
    }
  }

  // One value: a scalar is reported whole; a container is opened, and what the loop wants
  // next says how to go on.
  Want value() {
    const char c = next("a value");
    switch (c) {
      case '{':
        open_.push_back('{');
        events_.start_object();
        return Want::first_member_or_end;
      case '[':
        open_.push_back('[');
        events_.start_array();
        return Want::first_element_or_end;
      case '"':
        read_string();
        events_.string(buffer_);
        break;
      case 't':
        literal("rue");
        events_.boolean(true);
        break;
      case 'f':
        literal("alse");
        events_.boolean(false);
        break;
      case 'n':
        literal("ull");
        events_.null();
        break;
      default:
        --pos_;
        if (c != '-' && (c < '0' || c > '9')) fail("expected a value");
        number();
    }
    return after_value();
  }

  void literal(std::string_view rest) {
    if (text_.substr(pos_, rest.size()) != rest) fail("expected true, false or null");
    pos_ += rest.size();
  }

  void number() {
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (text_[pos_] == '-') ++pos_;
    const std::size_t int_start = pos_;
    const std::size_t int_digits = digits();
    if (int_digits == 0 || (int_digits > 1 && text_[int_start] == '0')) fail("malformed number");
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) fail("malformed number");
      integral = false;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) fail("malformed number");
      integral = false;
    }
    long long value = 0;
    const auto [end, error] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
    if (integral && error == std::errc() && end == text_.data() + pos_) {
      events_.integer(value);
    } else {
      events_.other_number();
    }
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  unsigned read_hex4() {
    if (text_.size() - pos_ < 4) fail("\\u needs four hex digits");
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = hex(text_[pos_ + i]);
      if (digit < 0) fail("\\u needs four hex digits");
      value = value * 16 + static_cast<unsigned>(digit);
    }
    pos_ += 4;
    return value;
  }

  void append_utf8(char32_t cp) {
    if (cp < 0x80) {
      buffer_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      buffer_ += static_cast<char>(0xC0 | (cp >> 6));
      buffer_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      buffer_ += static_cast<char>(0xE0 | (cp >> 12));
      buffer_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buffer_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      buffer_ += static_cast<char>(0xF0 | (cp >> 18));
      buffer_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      buffer_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buffer_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // The string whose opening quote was just read, decoded into buffer_.
  void read_string() {
    buffer_.clear();
    while (true) {
      const std::size_t run = pos_;
      while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\' &&
             static_cast<unsigned char>(text_[pos_]) >= 0x20) {
        ++pos_;
      }
      buffer_.append(text_.data() + run, pos_ - run);
      const char c = next("the rest of a string");
      if (c == '"') return;
      if (c != '\\') {
        --pos_;
        fail("control character in a string");
      }
      const char escape = next("an escape");
      switch (escape) {
        case '"': buffer_ += '"'; break;
        case '\\': buffer_ += '\\'; break;
        case '/': buffer_ += '/'; break;
        case 'b': buffer_ += '\b'; break;
        case 'f': buffer_ += '\f'; break;
        case 'n': buffer_ += '\n'; break;
        case 'r': buffer_ += '\r'; break;
        case 't': buffer_ += '\t'; break;
        case 'u': {
          char32_t cp = read_hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate: its low half must follow
            if (text_.substr(pos_, 2) != "\\u") fail("unpaired surrogate in \\u escape");
            pos_ += 2;
            const char32_t low = read_hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate in \\u escape");
          }
          append_utf8(cp);
          break;
        }
        default:
          fail("unknown escape in a string");
      }
    }
  }

  std::string_view text_;
  JsonEvents& events_;
  std::size_t pos_ = 0;
  std::vector<char> open_;  // '{' or '[' per open container: nesting costs no stack frame
  std::string buffer_;
};

}  // namespace

void read_json_events(std::string_view text, JsonEvents& events) { Scanner(text, events).run(); }

}  // namespace rssflow
