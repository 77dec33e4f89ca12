// Character encodings of fetched documents: detection (RFC 3023 / feedparser rules) and
// conversion to UTF-8. Pure functions, thread-safe (iconv descriptors are per call).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rssflow {

// A document converted to UTF-8 (BOM removed), with how it was decoded.
struct Utf8Document {
  std::string text;
  std::string charset;                 // the charset actually used, lower-case ("utf-8", "windows-1251")
  std::vector<std::string> repairs;    // disagreements and fallbacks, for FeedDocument::repairs
};

// The charset parameter of a Content-Type header value, lower-case and unquoted
// ("text/xml; charset=\"ISO-8859-1\"" -> "iso-8859-1"); nullopt when there is none.
std::optional<std::string> charset_from_content_type(std::string_view content_type);

// The encoding pseudo-attribute of an XML declaration at the start of an ASCII-compatible
// document (whitespace or junk before "<?xml" within the first KiB is tolerated), lower-case.
std::optional<std::string> declared_xml_encoding(std::string_view bytes);

// True when bytes are well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

// Converts bytes in charset (any name or alias iconv or the WHATWG list knows; gb2312 is read as
// gb18030, shift_jis and big5 fall back to their Microsoft supersets cp932 and cp950, euc-kr as cp949, iso-8859-1 and us-ascii as windows-1252) to
// UTF-8. nullopt when the charset is unknown or the bytes are not valid in it.
std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset);

// Repairs text that was UTF-8, was misread as windows-1252/Latin-1 and encoded to UTF-8 again
// ("CafÃ©" -> "Café", "donâ€™t" -> "don’t"), as feedparser does per field. Only text made
// entirely of ASCII and U+0080..U+00FF / windows-1252 characters whose bytes form valid
// multi-byte UTF-8 is touched. Returns whether it changed text.
bool repair_double_encoded_utf8(std::string& text);

// Decodes a whole XML (or JSON) document to UTF-8. Order of evidence:
//  1. a byte-order mark (UTF-8/16/32) wins over everything;
//  2. UTF-16/32 without a BOM, sniffed from the first four bytes ("<\0?\0"...);
//  3. the HTTP charset (content_type) when the media type is XML or text;
//  4. the XML declaration's encoding;
//  5. UTF-8, then windows-1252 (which always succeeds) for bytes that are not what they claim.
// A declared single-byte Latin charset whose bytes are valid multi-byte UTF-8 is read as UTF-8.
// The XML declaration is left in place: callers parse the result as UTF-8 and ignore it.
Utf8Document decode_document(std::string_view bytes, std::optional<std::string_view> content_type);

}  // namespace rssflow
