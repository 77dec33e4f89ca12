// JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1) and the "RSS in JSON" rendering
// (an {"rss": {"channel": {"item": [...]}}} object). Internal to sources/: use parse_feed.
#pragma once

#include <string_view>

#include "core/types.h"
#include "sources/xml_scope.h"

namespace rssflow {

// text is UTF-8, its nesting already checked against the limits (check_json_shape). base_url
// resolves relative item URLs. Items and tags beyond budget are dropped (and counted there).
// Never throws: a syntax error is `malformed` (with the byte offset), valid JSON of another
// shape is `not_a_feed`.
Outcome<FeedDocument> parse_json_feed(std::string_view text, const std::string& feed_url, const std::string& base_url,
                                      ReadBudget& budget);

}  // namespace rssflow
