#include "core/types.h"

namespace rssflow {

const char* to_string(Stage stage) {
  switch (stage) {
    case Stage::sources: return "sources";
    case Stage::fetch: return "fetch";
    case Stage::parse: return "parse";
    case Stage::transform: return "transform";
    case Stage::load: return "load";
  }
  return "unknown";
}

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_source: return "invalid_source";
    case ErrorCode::dns: return "dns";
    case ErrorCode::connect: return "connect";
    case ErrorCode::tls: return "tls";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::http_status: return "http_status";
    case ErrorCode::gone: return "gone";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::redirect_forbidden: return "redirect_forbidden";
    case ErrorCode::too_many_redirects: return "too_many_redirects";
    case ErrorCode::connection_reset: return "connection_reset";
    case ErrorCode::empty_body: return "empty_body";
    case ErrorCode::not_a_feed: return "not_a_feed";
    case ErrorCode::malformed: return "malformed";
    case ErrorCode::io: return "io";
    case ErrorCode::backoff: return "backoff";
    case ErrorCode::internal: return "internal";
    case ErrorCode::too_deep: return "too_deep";
    case ErrorCode::too_many_attributes: return "too_many_attributes";
    case ErrorCode::too_many_elements: return "too_many_elements";
    case ErrorCode::parse_timeout: return "parse_timeout";
    case ErrorCode::crashed_previous_run: return "crashed_previous_run";
    case ErrorCode::interrupted: return "interrupted";
    case ErrorCode::not_a_regular_file: return "not_a_regular_file";
    case ErrorCode::header_too_large: return "header_too_large";
    case ErrorCode::address_forbidden: return "address_forbidden";
  }
  return "unknown";
}

const char* to_string(FeedFormat format) {
  switch (format) {
    case FeedFormat::unknown: return "unknown";
    case FeedFormat::rss090: return "rss090";
    case FeedFormat::rss091: return "rss091";
    case FeedFormat::rss092: return "rss092";
    case FeedFormat::rss093: return "rss093";
    case FeedFormat::rss094: return "rss094";
    case FeedFormat::rss20: return "rss20";
    case FeedFormat::rss10: return "rss10";
    case FeedFormat::atom03: return "atom03";
    case FeedFormat::atom10: return "atom10";
    case FeedFormat::json_feed: return "json";
  }
  return "unknown";
}

std::string StageError::describe() const {
  std::string out = to_string(stage);
  out += ' ';
  out += feed_url;
  out += ": ";
  out += to_string(code);
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

}  // namespace rssflow
