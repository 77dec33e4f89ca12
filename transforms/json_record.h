// The JSON Lines form of an Article (rssflow parse, the jsonl sink). Pure, thread-safe, no
// iostreams.
#pragma once

#include <string>
#include <string_view>

#include "core/types.h"

namespace rssflow {

// Appends one JSON object and '\n' to out. Field names and order are the articles column
// names of shared/CONTRACT.md:
//   url, guid, title, author, published_at, summary, content_text, keywords, categories,
//   feed_url, url_hash, content_hash, fetched_at, duplicate_of, enclosures, image_url, language
// author, published_at, duplicate_of, image_url and language are null when absent;
// enclosures is an array of {"url", "type", "length"} objects (type/length null when absent); instants are RFC 3339 UTC
// ("2024-05-01T12:34:56Z"); hashes are 32 lower-case hex digits. The line is valid JSON and
// valid UTF-8 whatever the Article holds (see append_json_string).
void append_json_line(std::string& out, const Article& article);

// Appends enclosures as a JSON array of {"url": ..., "type": ... | null, "length": ... | null}.
void append_enclosures_json(std::string& out, const std::vector<Enclosure>& enclosures);

// Appends text as a JSON string literal (with the quotes): '"' and '\' escaped, control
// characters as \b \f \n \r \t or \u00XX, U+2028/U+2029 as \u2028/\u2029 (JavaScript line
// terminators), each ill-formed UTF-8 sequence as U+FFFD. Everything else is copied as is.
void append_json_string(std::string& out, std::string_view text);

}  // namespace rssflow
