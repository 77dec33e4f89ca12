#include "sources/content_coding.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace rssflow {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

bool starts_gzip_member(const z_stream& s) {
  return s.avail_in >= 2 && s.next_in[0] == 0x1f && s.next_in[1] == 0x8b;
}

// One zlib stream (window_bits as inflateInit2 takes them) into at most max_bytes. With
// `members`, a gzip member followed by another is read on into the next.
std::variant<std::string, DecodeFailure> inflate_stream(std::string_view in, int window_bits, bool members,
                                                        std::size_t max_bytes) {
  z_stream s{};
  if (inflateInit2(&s, window_bits) != Z_OK) return DecodeFailure{false, "cannot start zlib"};
  std::string out;
  std::size_t fed = 0;
  const auto feed = [&] {
    if (s.avail_in > 0 || fed == in.size()) return;
    const std::size_t piece = std::min<std::size_t>(in.size() - fed, UINT_MAX);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + fed));
    s.avail_in = static_cast<uInt>(piece);
    fed += piece;
  };
  std::variant<std::string, DecodeFailure> result = DecodeFailure{false, "truncated compressed body"};
  for (;;) {
    feed();
    // Room for one byte past the cap, so that a body over it is told from one that fills it.
    const std::size_t produced = out.size() - s.avail_out;
    if (s.avail_out == 0) {
      if (produced > max_bytes) {
        result = DecodeFailure{true, "decompressed body larger than " + std::to_string(max_bytes) + " bytes"};
        break;
      }
      const std::size_t grow = std::min<std::size_t>({std::max<std::size_t>(produced, 64u << 10), max_bytes + 1 - produced,
                                                      UINT_MAX});
      out.resize(produced + grow);
      s.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
      s.avail_out = static_cast<uInt>(grow);
    }
    const int status = inflate(&s, Z_NO_FLUSH);
    if (status == Z_STREAM_END) {
      feed();
      if (members && starts_gzip_member(s) && inflateReset(&s) == Z_OK) continue;
      out.resize(out.size() - s.avail_out);  // bytes after the last stream are ignored, as curl does
      result = std::move(out);
      break;
    }
    if (status == Z_OK) continue;
    if (status == Z_BUF_ERROR) {
      if (s.avail_in == 0 && fed == in.size()) break;  // the input ended inside the stream: truncated
      continue;
    }
    result = DecodeFailure{false, std::string("corrupt compressed body: ") + (s.msg ? s.msg : "zlib error " + std::to_string(status))};
    break;
  }
  inflateEnd(&s);
  if (const auto* failure = std::get_if<DecodeFailure>(&result); failure && !failure->too_large) {
    // A cap reached exactly at the end of the input still reads as truncation: report the cap.
    if (out.size() - s.avail_out > max_bytes) {
      return DecodeFailure{true, "decompressed body larger than " + std::to_string(max_bytes) + " bytes"};
    }
  }
  return result;
}

std::variant<std::string, DecodeFailure> decode_layer(std::string_view in, ContentCoding coding, std::size_t max_bytes) {
  if (coding == ContentCoding::gzip) return inflate_stream(in, 15 + 32, true, max_bytes);  // gzip or zlib header
  // "deflate" is a zlib stream by RFC 9110, raw deflate from many servers: try one, then the other.
  auto zlib = inflate_stream(in, 15, false, max_bytes);
  if (std::holds_alternative<std::string>(zlib) || std::get<DecodeFailure>(zlib).too_large) return zlib;
  auto raw = inflate_stream(in, -15, false, max_bytes);
  return std::holds_alternative<std::string>(raw) ? raw : zlib;
}

}  // namespace

std::variant<std::vector<ContentCoding>, std::string> parse_content_encoding(std::optional<std::string_view> header) {
  std::vector<ContentCoding> codings;
  if (!header) return codings;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view name = trim(rest.substr(0, comma));
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    if (name.empty() || iequals(name, "identity")) continue;
    if (iequals(name, "gzip") || iequals(name, "x-gzip")) {
      codings.push_back(ContentCoding::gzip);
    } else if (iequals(name, "deflate")) {
      codings.push_back(ContentCoding::deflate);
    } else {
      return std::string(name);
    }
  }
  return codings;
}

std::variant<std::string, DecodeFailure> decode_body(std::string_view raw, const std::vector<ContentCoding>& codings,
                                                     std::size_t max_bytes) {
  std::string body(raw);
  for (auto coding = codings.rbegin(); coding != codings.rend(); ++coding) {
    auto layer = decode_layer(body, *coding, max_bytes);
    if (auto* failure = std::get_if<DecodeFailure>(&layer)) return std::move(*failure);
    body = std::move(std::get<std::string>(layer));
  }
  if (body.size() > max_bytes) {
    return DecodeFailure{true, "decompressed body larger than " + std::to_string(max_bytes) + " bytes"};
  }
  return body;
}

}  // namespace rssflow
