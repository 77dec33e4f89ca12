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
//   feed_url, url_hash, content_hash, fetched_at, duplicate_of
// author, published_at and duplicate_of are null when absent; instants are RFC 3339 UTC
// ("2024-05-01T12:34:56Z"); hashes are 32 lower-case hex digits. The line is valid JSON and
// valid UTF-8 whatever the Article holds (see append_json_string).
void append_json_line(std::string& out, const Article& article);

// Appends text as a JSON string literal (with the quotes): '"' and '\' escaped, control
// characters as \b \f \n \r \t or \u00XX, U+2028/U+2029 as \u2028/\u2029 (JavaScript line
// terminators), each ill-formed UTF-8 sequence as U+FFFD. Everything else is copied as is.
void append_json_string(std::string& out, std::string_view text);

}  // namespace rssflow
