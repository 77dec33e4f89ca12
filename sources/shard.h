// Splitting the source list across parallel runs (cron jobs, a Kubernetes Indexed Job).
#pragma once

#include <optional>
#include <string_view>

#include "core/types.h"

namespace rssflow {

// Shard `index` of `count`. index is 0-based (0 <= index < count), matching Kubernetes'
// JOB_COMPLETION_INDEX, so `--shard $(JOB_COMPLETION_INDEX)/$(JOB_COMPLETIONS)` works as is.
struct ShardSpec {
  int index = 0;
  int count = 1;
  friend bool operator==(const ShardSpec&, const ShardSpec&) = default;
};

// The largest count accepted; more shards than this is a typo, not a deployment.
inline constexpr int kMaxShards = 10'000;

// Parses "K/N": decimal digits only, no spaces or signs, 1 <= N <= kMaxShards, 0 <= K < N.
// nullopt for anything else (the CLI reports it as a usage error).
std::optional<ShardSpec> parse_shard(std::string_view text);

// Which shard (0..count-1) a source belongs to: XXH3-64 of its host as locate_url gives it
// (lower-case, IPv4 spellings normalised: the host the politeness queue keys on) for http(s)
// (so every feed of one host lands in the same shard and per-host politeness holds across
// shards), of its path for file://, of the whole URL otherwise. Stable across runs, machines
// and builds. Precondition: count >= 1.
int shard_of(const Source& source, int count);

// shard_of(source, shard.count) == shard.index.
bool in_shard(const Source& source, ShardSpec shard);

}  // namespace rssflow
