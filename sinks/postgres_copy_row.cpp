#include "sinks/postgres_copy_row.h"

#include <chrono>
#include <string_view>

#include "core/time.h"
#include "transforms/json_record.h"

namespace rssflow {
namespace {

constexpr std::string_view kNull = "\\N";

void field(std::string& row, std::string_view text, SanitizeStats& stats) {
  row.push_back('\t');
  append_copy_text(text, row, stats);
}

void null_field(std::string& row) {
  row.push_back('\t');
  row.append(kNull);
}

void optional_field(std::string& row, const std::optional<std::string>& text, SanitizeStats& stats) {
  if (text) return field(row, *text, stats);
  null_field(row);
}

// bytea in hex form; in COPY text the backslash of "\x" is itself escaped.
void append_hash(std::string& row, const Hash128& hash) {
  row.append("\\\\x");
  row.append(hash.hex());
}

void hash_field(std::string& row, const Hash128& hash) {
  row.push_back('\t');
  append_hash(row, hash);
}

void array_field(std::string& row, const std::vector<std::string>& elements, SanitizeStats& stats) {
  std::vector<std::string> copy = elements;  // text_array_literal sanitises in place
  field(row, text_array_literal(copy, stats), stats);
}

// PostgreSQL's timestamptz holds these years; anything else is a parser's misreading.
bool storable(Instant instant) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(instant)};
  return day.year() >= std::chrono::year{1} && day.year() <= std::chrono::year{9999};
}

}  // namespace

const std::vector<std::string>& copy_columns() {
  static const std::vector<std::string> columns = {
      "url_hash", "url",          "guid",       "title",     "author",   "published_at",   "summary",
      "content_text", "keywords", "categories", "feed_url",  "content_hash", "fetched_at", "duplicate_of",
      "enclosures", "image_url",  "language",   "record_version", "entry_hash", "feed_id"};
  return columns;
}

void append_copy_columns(const Article& a, std::string& row, SanitizeStats& stats) {
  append_hash(row, a.url_hash);  // the first column: no tab before it
  field(row, a.url, stats);
  field(row, a.guid, stats);
  field(row, a.title, stats);
  optional_field(row, a.author, stats);
  std::optional<std::string> published;
  if (a.published_at) {
    if (storable(*a.published_at)) {
      published = format_rfc3339(*a.published_at);
    } else {
      ++stats.dates_dropped;
    }
  }
  optional_field(row, published, stats);
  field(row, a.summary, stats);
  field(row, a.content_text, stats);
  array_field(row, a.keywords, stats);
  array_field(row, a.categories, stats);
  field(row, a.feed_url, stats);
  hash_field(row, a.content_hash);
  const bool fetched_storable = storable(a.fetched_at);
  if (!fetched_storable) ++stats.dates_dropped;
  field(row, format_rfc3339(fetched_storable ? a.fetched_at : now_seconds()), stats);
  if (a.duplicate_of) {
    hash_field(row, *a.duplicate_of);
  } else {
    null_field(row);
  }
  std::vector<Enclosure> enclosures = a.enclosures;  // sanitised before they become JSON
  for (Enclosure& enclosure : enclosures) {
    sanitize_text(enclosure.url, stats);
    if (enclosure.type) sanitize_text(*enclosure.type, stats);
  }
  std::string json;
  append_enclosures_json(json, enclosures);
  field(row, json, stats);
  optional_field(row, a.image_url, stats);
  optional_field(row, a.language, stats);
  row.push_back('\t');
  row.append(std::to_string(kRecordVersion));
  hash_field(row, a.entry_hash);
}

void end_copy_row(std::string& row, const long long* feed_id) {
  if (feed_id) {
    row.push_back('\t');
    row.append(std::to_string(*feed_id));
  } else {
    null_field(row);
  }
  row.push_back('\n');
}

}  // namespace rssflow
