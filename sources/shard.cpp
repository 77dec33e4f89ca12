#include "sources/shard.h"

#include <charconv>
#include <string>

#include <xxhash.h>

#include "transforms/url.h"

namespace rssflow {
namespace {

std::optional<int> parse_decimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;  // from_chars would accept a leading '-'
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<ShardSpec> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto index = parse_decimal(text.substr(0, slash));
  const auto count = parse_decimal(text.substr(slash + 1));
  if (!index || !count || *count < 1 || *count > kMaxShards || *index >= *count) return std::nullopt;
  return ShardSpec{*index, *count};
}

int shard_of(const Source& source, int count) {
  std::string key;
  if (const auto location = locate_url(source.url)) {
    key = location->scheme == "file" ? location->path : location->host;
  } else {
    key = source.url;
  }
  const XXH64_hash_t hash = XXH3_64bits(key.data(), key.size());
  return static_cast<int>(hash % static_cast<XXH64_hash_t>(count));
}

bool in_shard(const Source& source, ShardSpec shard) { return shard_of(source, shard.count) == shard.index; }

}  // namespace rssflow
