#include "sources/content_coding.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "core/ascii.h"

namespace rssflow {
namespace {

DecodeFailure over_cap(std::size_t max_bytes) {
  return DecodeFailure{true, "decompressed body larger than " + std::to_string(max_bytes) + " bytes"};
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
        result = over_cap(max_bytes);
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
      s.avail_out = 0;
      if (out.size() <= max_bytes) result = std::move(out);  // else one byte past the cap: below
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
  // A stream that ends, or input that runs out, just past the cap is over the cap, not truncated.
  if (std::holds_alternative<DecodeFailure>(result) && out.size() - s.avail_out > max_bytes) {
    return over_cap(max_bytes);
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
    const std::string_view name = ascii_trim(rest.substr(0, comma));
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    if (name.empty() || ascii_iequals(name, "identity")) continue;
    if (ascii_iequals(name, "gzip") || ascii_iequals(name, "x-gzip")) {
      codings.push_back(ContentCoding::gzip);
    } else if (ascii_iequals(name, "deflate")) {
      codings.push_back(ContentCoding::deflate);
    } else {
      return std::string(name);
    }
  }
  return codings;
}

std::variant<std::string, DecodeFailure> decode_body(std::string_view raw, const std::vector<ContentCoding>& codings,
                                                     std::size_t max_bytes) {
  if (codings.empty()) return std::string(raw);
  if (codings.size() > kMaxStackedCodings) {
    return DecodeFailure{false, "more than " + std::to_string(kMaxStackedCodings) + " stacked content codings (" +
                                    std::to_string(codings.size()) + ")"};
  }
  std::string body;
  for (auto coding = codings.rbegin(); coding != codings.rend(); ++coding) {
    // The outermost layer reads the body where it lies; each inner one the layer before it.
    auto layer = decode_layer(coding == codings.rbegin() ? raw : std::string_view(body), *coding, max_bytes);
    if (auto* failure = std::get_if<DecodeFailure>(&layer)) return std::move(*failure);
    body = std::move(std::get<std::string>(layer));
  }
  return body;
}

}  // namespace rssflow
