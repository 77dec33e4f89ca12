#include "sources/encoding.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace rssflow {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string normalized_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '"' || c == '\'' || c == ' ' || c == '\t') continue;
    out.push_back(lower(c));
  }
  return out;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (name == n) return true;
  return false;
}

// Charsets read as windows-1252, as browsers (WHATWG) do: its C1 range holds the punctuation
// that "Latin-1" feeds actually mean.
bool is_latin1_family(std::string_view name) {
  return one_of(name, {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                       "ansi_x3.4-1968", "cp1252", "windows-1252", "x-cp1252", "cp819", "ibm819", "iso-ir-100"});
}

// The iconv names to try for a charset label; empty when only the built-in decoders apply.
std::vector<std::string> iconv_names(std::string_view name) {
  if (one_of(name, {"gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "gb_2312-80", "csgb2312", "gb18030"}))
    return {"GB18030"};
  if (one_of(name, {"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932"}))
    return {"SHIFT_JIS", "CP932"};  // strict JIS mapping first (as Python), Microsoft's for its extensions
  if (one_of(name, {"euc-kr", "ks_c_5601-1987", "ksc5601", "cp949", "uhc", "windows-949", "cseuckr"})) return {"CP949"};
  if (one_of(name, {"big5", "big-5", "cn-big5", "x-x-big5", "csbig5", "cp950", "big5-hkscs"}))
    return {"BIG5", "CP950", "BIG5-HKSCS"};
  if (one_of(name, {"tis-620", "tis620", "iso-8859-11", "windows-874", "cp874"})) return {"CP874", "TIS-620"};
  if (one_of(name, {"euc-jp", "x-euc-jp", "cseucpkdfmtjapanese"})) return {"EUC-JP"};
  std::string upper(name);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return {upper};
}

// windows-1252 0x80..0x9F; the five undefined bytes map to the C1 control of the same value.
constexpr std::array<std::uint16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string decode_windows_1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (unsigned char c : bytes) {
    if (c < 0x80) out.push_back(static_cast<char>(c));
    else if (c < 0xA0) append_utf8(out, kCp1252High[c - 0x80]);
    else append_utf8(out, c);
  }
  return out;
}

std::optional<std::string> iconv_to_utf8(std::string_view bytes, const std::string& from) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write through it
  std::size_t in_left = bytes.size();
  std::size_t used = 0;
  bool ok = true;
  while (true) {
    char* dst = out.data() + used;
    std::size_t dst_left = out.size() - used;
    const std::size_t r = in_left ? iconv(cd, &in, &in_left, &dst, &dst_left) : iconv(cd, nullptr, nullptr, &dst, &dst_left);
    used = static_cast<std::size_t>(dst - out.data());
    if (r != static_cast<std::size_t>(-1)) {
      if (in_left == 0) break;
      continue;
    }
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    ok = false;  // EILSEQ / EINVAL: not valid in this charset
    break;
  }
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(used);
  return out;
}

bool has_non_ascii(std::string_view bytes) {
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    if (word & 0x8080808080808080ull) return true;
  }
  for (; i < bytes.size(); ++i)
    if (static_cast<unsigned char>(bytes[i]) >= 0x80) return true;
  return false;
}

bool is_utf16_or_32_label(std::string_view name) {
  return name.starts_with("utf-16") || name.starts_with("utf16") || name.starts_with("utf-32") ||
         name.starts_with("utf32") || name.starts_with("ucs-") || name == "iso-10646-ucs-2";
}

// UTF-16/32 by byte-order mark or by the shape of "<?" / "<r" in the first four bytes.
struct WideGuess {
  const char* iconv_name = nullptr;
  std::size_t bom_size = 0;
};

WideGuess guess_wide(std::string_view b) {
  auto at = [&](std::size_t i) { return i < b.size() ? static_cast<unsigned char>(b[i]) : 0xFFu; };
  if (b.size() >= 4 && at(0) == 0xFF && at(1) == 0xFE && at(2) == 0 && at(3) == 0) return {"UTF-32LE", 4};
  if (b.size() >= 4 && at(0) == 0 && at(1) == 0 && at(2) == 0xFE && at(3) == 0xFF) return {"UTF-32BE", 4};
  if (at(0) == 0xFF && at(1) == 0xFE) return {"UTF-16LE", 2};
  if (at(0) == 0xFE && at(1) == 0xFF) return {"UTF-16BE", 2};
  if (b.size() < 4) return {};
  if (at(0) != 0 && at(0) < 0x80 && at(1) == 0 && at(2) == 0 && at(3) == 0) return {"UTF-32LE", 0};
  if (at(0) == 0 && at(1) == 0 && at(2) == 0 && at(3) != 0 && at(3) < 0x80) return {"UTF-32BE", 0};
  if (at(0) != 0 && at(0) < 0x80 && at(1) == 0 && at(2) != 0 && at(2) < 0x80 && at(3) == 0) return {"UTF-16LE", 0};
  if (at(0) == 0 && at(1) != 0 && at(1) < 0x80 && at(2) == 0 && at(3) != 0 && at(3) < 0x80) return {"UTF-16BE", 0};
  return {};
}

bool xml_or_text_media_type(std::string_view content_type) {
  std::string type = normalized_name(content_type.substr(0, content_type.find(';')));
  return type.find("xml") != std::string::npos || type.starts_with("text/") || type.find("json") != std::string::npos;
}

}  // namespace

std::optional<std::string> charset_from_content_type(std::string_view content_type) {
  std::string lowered;
  for (char c : content_type) lowered.push_back(lower(c));
  const auto pos = lowered.find("charset=");
  if (pos == std::string::npos) return std::nullopt;
  std::string_view value = std::string_view(lowered).substr(pos + 8);
  value = value.substr(0, value.find(';'));
  std::string name = normalized_name(value);
  if (name.empty()) return std::nullopt;
  return name;
}

std::optional<std::string> declared_xml_encoding(std::string_view bytes) {
  const auto start = bytes.substr(0, 1024).find("<?xml");
  if (start == std::string_view::npos) return std::nullopt;
  const auto end = bytes.find("?>", start);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view decl = bytes.substr(start, end - start);
  auto pos = decl.find("encoding");
  if (pos == std::string_view::npos) return std::nullopt;
  pos += 8;
  while (pos < decl.size() && (decl[pos] == ' ' || decl[pos] == '=' || decl[pos] == '\t')) ++pos;
  if (pos >= decl.size() || (decl[pos] != '"' && decl[pos] != '\'')) return std::nullopt;
  const char quote = decl[pos];
  const auto close = decl.find(quote, pos + 1);
  if (close == std::string_view::npos) return std::nullopt;
  std::string name = normalized_name(decl.substr(pos + 1, close - pos - 1));
  if (name.empty()) return std::nullopt;
  return name;
}

bool is_valid_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    // Fast path: eight ASCII bytes at a time.
    if (end - p >= 8) {
      std::uint64_t word;
      __builtin_memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) extra = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) extra = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) extra = 3, cp = c & 0x07;
    else return false;
    if (end - p <= extra) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((p[k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    p += extra + 1;
  }
  return true;
}

std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset) {
  const std::string name = normalized_name(charset);
  if (name == "utf-8" || name == "utf8") {
    if (!is_valid_utf8(bytes)) return std::nullopt;
    return std::string(bytes);
  }
  if (is_latin1_family(name)) return decode_windows_1252(bytes);
  if (name.empty()) return std::nullopt;
  for (const auto& iconv_name : iconv_names(name))
    if (auto out = iconv_to_utf8(bytes, iconv_name)) return out;
  return std::nullopt;
}

bool repair_double_encoded_utf8(std::string& text) {
  if (!has_non_ascii(text)) return false;  // the common case, one pass
  std::string bytes;
  bool multibyte = false;
  int continuations = 0;  // still expected after a lead byte: bail out at the first misfit
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (continuations) return false;
      if (multibyte) bytes.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence (text is valid UTF-8) and map it back to a single byte.
    std::uint32_t cp;
    int len;
    if (c < 0xE0) cp = c & 0x1F, len = 2;
    else if (c < 0xF0) cp = c & 0x0F, len = 3;
    else cp = c & 0x07, len = 4;
    if (i + len > text.size()) return false;
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    int byte = -1;
    if (cp >= 0x80 && cp <= 0xFF) byte = static_cast<int>(cp);
    else
      for (int b = 0; b < 32; ++b)
        if (kCp1252High[b] == cp) byte = 0x80 + b;
    if (byte < 0) return false;
    if (continuations) {
      if (byte > 0xBF) return false;
      --continuations;
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      continuations = 1;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      continuations = 2;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      continuations = 3;
    } else {
      return false;
    }
    if (!multibyte) {
      bytes.assign(text, 0, i);
      multibyte = true;
    }
    bytes.push_back(static_cast<char>(byte));
    i += len;
  }
  if (!multibyte || continuations || !is_valid_utf8(bytes)) return false;
  text = std::move(bytes);
  return true;
}

namespace {

Utf8Document decode_bytes(std::string_view bytes, std::optional<std::string_view> content_type) {
  Utf8Document doc;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
    if (is_valid_utf8(bytes)) {
      doc.text.assign(bytes);
      doc.charset = "utf-8";
    } else {
      doc.text = decode_windows_1252(bytes);
      doc.charset = "windows-1252";
      doc.repairs.push_back("charset: UTF-8 byte-order mark but bytes are not UTF-8; decoded as windows-1252");
    }
    return doc;
  }
  if (const WideGuess wide = guess_wide(bytes); wide.iconv_name) {
    if (auto text = iconv_to_utf8(bytes.substr(wide.bom_size), wide.iconv_name)) {
      doc.text = std::move(*text);
      doc.charset = normalized_name(wide.iconv_name);
      if (!wide.bom_size) doc.repairs.push_back("charset: " + doc.charset + " without byte-order mark, detected from content");
      return doc;
    }
  }

  std::vector<std::pair<std::string, const char*>> candidates;  // charset, where it came from
  if (content_type && xml_or_text_media_type(*content_type))
    if (auto http = charset_from_content_type(*content_type)) candidates.emplace_back(*http, "HTTP charset");
  if (auto declared = declared_xml_encoding(bytes)) {
    // A UTF-16/32 label on bytes that are ASCII-compatible is wrong; the bytes tell.
    if (!is_utf16_or_32_label(*declared)) candidates.emplace_back(*declared, "XML declaration");
  }
  const bool claimed = !candidates.empty();
  candidates.emplace_back("utf-8", "default");

  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& [charset, origin] = candidates[i];
    if (is_latin1_family(charset) && has_non_ascii(bytes) && is_valid_utf8(bytes)) {
      doc.text.assign(bytes);
      doc.charset = "utf-8";
      doc.repairs.push_back(std::string("charset: ") + origin + " says " + charset + " but bytes are UTF-8; decoded as utf-8");
      return doc;
    }
    if (auto text = convert_to_utf8(bytes, charset)) {
      doc.text = std::move(*text);
      doc.charset = is_latin1_family(charset) ? std::string("windows-1252") : charset;
      if (i > 0 && claimed)
        doc.repairs.push_back(std::string("charset: ") + candidates[0].second + " says " + candidates[0].first +
                              " but bytes are not valid in it; decoded as " + charset);
      return doc;
    }
  }
  doc.text = decode_windows_1252(bytes);
  doc.charset = "windows-1252";
  doc.repairs.push_back(std::string("charset: bytes are not valid ") + candidates[0].first +
                        (claimed ? std::string(" (") + candidates[0].second + ")" : std::string()) +
                        "; decoded as windows-1252");
  return doc;
}

// U+0080..U+009F in decoded text are C1 controls nobody types: they come from windows-1252
// bytes (0x92 = ’) that an encoder took for Latin-1. Read them as windows-1252, as browsers do.
std::size_t map_c1_controls(std::string& text) {
  std::size_t mapped = 0;
  std::size_t pos = text.find('\xC2');
  if (pos == std::string::npos) return 0;
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t copied = 0;
  for (; pos != std::string::npos; pos = text.find('\xC2', pos + 1)) {
    if (pos + 1 >= text.size()) break;
    const auto next = static_cast<unsigned char>(text[pos + 1]);
    if (next < 0x80 || next > 0x9F) continue;
    const std::uint16_t cp = kCp1252High[next - 0x80];
    if (cp == next) continue;  // one of the five bytes windows-1252 leaves undefined
    out.append(text, copied, pos - copied);
    append_utf8(out, cp);
    copied = pos + 2;
    ++mapped;
  }
  if (mapped == 0) return 0;
  out.append(text, copied, std::string::npos);
  text = std::move(out);
  return mapped;
}

}  // namespace

Utf8Document decode_document(std::string_view bytes, std::optional<std::string_view> content_type) {
  Utf8Document doc = decode_bytes(bytes, content_type);
  if (const std::size_t mapped = map_c1_controls(doc.text))
    doc.repairs.push_back("charset: " + std::to_string(mapped) + " C1 control characters read as windows-1252");
  return doc;
}

}  // namespace rssflow
