// An article as a row of PostgreSQL COPY text, the form in which the sink sends rows to
// <schema>.articles and to its staging table. Internal to sinks/.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"
#include "sinks/postgres_text.h"

namespace rssflow {

// The COPY column list of both targets, feed_id last: a feed's id is known only once the
// batch's transaction has upserted its feeds, so a row is made without it and completed then.
const std::vector<std::string>& copy_columns();

// Appends article's columns but feed_id, tab-separated and with no line end: text sanitised
// and escaped by append_copy_text, arrays as text[] literals, hashes as bytea hex, instants as
// RFC 3339 (published_at outside years 1..9999 as NULL, counted in stats.dates_dropped).
// Reads the article only: thread-safe, so rows are made in the graph's parallel format stage.
void append_copy_columns(const Article& article, std::string& row, SanitizeStats& stats);

// Ends a row made by append_copy_columns with its feed_id (NULL when unknown) and a newline.
void end_copy_row(std::string& row, const long long* feed_id);

}  // namespace rssflow
