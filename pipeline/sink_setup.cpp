#include "pipeline/sink_setup.h"

#include <unistd.h>

#include <cstdlib>

#include "core/hash.h"
#include "pipeline/run_lock.h"
#include "sinks/jsonl_sink.h"
#include "sinks/postgres_migrate.h"
#include "sinks/postgres_run_lock.h"
#include "sinks/postgres_sink.h"
#include "sinks/postgres_state_store.h"
#include "sources/state_file.h"

namespace rssflow {

OpenedSinks::OpenedSinks() = default;
OpenedSinks::OpenedSinks(OpenedSinks&&) noexcept = default;
OpenedSinks& OpenedSinks::operator=(OpenedSinks&&) noexcept = default;
OpenedSinks::~OpenedSinks() = default;

namespace {

std::string shard_suffix(const RunConfig& config) {
  if (!config.shard) return "";
  return "shard-" + std::to_string(config.shard->index) + "-of-" + std::to_string(config.shard->count);
}

// Paths are keyed in canonical form (symlinks and ".." resolved, as realpath does; a missing
// last part kept), so two spellings of one file are one lock.
std::string canonical_path_key(const std::filesystem::path& path) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return ec ? std::filesystem::absolute(path).lexically_normal().string() : canonical.string();
}

}  // namespace

// Two runs collide when they would write the same destination for the same shard of the same
// source list; the key is a hash so that no path or secret ends up in a file name.
std::filesystem::path default_lock_path(const RunConfig& config) {
  std::string key = canonical_path_key(config.sources_file);
  key += '\n';
  key += config.sink == SinkKind::postgres ? config.postgres.conninfo + "\n" + config.postgres.schema
         : config.out == "-"                ? config.out
                                            : canonical_path_key(config.out);
  key += '\n';
  key += shard_suffix(config);
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  const std::filesystem::path dir = runtime_dir && *runtime_dir ? runtime_dir : "/tmp";
  return dir / ("rssflow-" + xxh3_128(key).hex().substr(0, 16) + ".lock");
}

MigrateResult migrate_schema(const PostgresOptions& target, bool repair) {
  return migrate(target, repair ? MigrateMode::repair : MigrateMode::apply);
}

RunIdentity make_run_identity(Instant started_at) {
  std::string compact;
  for (const char c : format_rfc3339(started_at)) {
    if (c != '-' && c != ':') compact += c;  // 2025-01-02T03:04:05Z -> 20250102T030405Z
  }
  return RunIdentity{compact + "-" + std::to_string(::getpid()), compact};
}

std::string expand_output_path(const std::string& out, const RunIdentity& run) {
  std::string expanded;
  expanded.reserve(out.size() + 32);
  for (std::size_t i = 0; i < out.size();) {
    if (out.compare(i, 8, "{run_id}") == 0) {
      expanded += run.run_id;
      i += 8;
    } else if (out.compare(i, 11, "{timestamp}") == 0) {
      expanded += run.timestamp;
      i += 11;
    } else {
      expanded += out[i++];
    }
  }
  return expanded;
}

std::optional<std::filesystem::path> written_index_path(const RunConfig& config) {
  if (config.sink != SinkKind::jsonl || !config.state_file) return std::nullopt;
  std::filesystem::path path = *config.state_file;
  path += ".written";
  return path;
}

OpenedSinks open_sinks(const RunConfig& config, const RunIdentity& run) {
  OpenedSinks opened;
  const std::filesystem::path lock_path =
      config.lock_file ? std::filesystem::path(canonical_path_key(*config.lock_file)) : default_lock_path(config);
  auto file_lock = RunLock::try_acquire(lock_path);
  if (!file_lock) {
    const std::optional<pid_t> holder = RunLock::holder_pid(lock_path);
    throw LockHeldError("another rssflow run" + (holder ? " (pid " + std::to_string(*holder) + ")" : std::string()) +
                        " holds the lock " + lock_path.string());
  }
  opened.file_lock = std::make_unique<RunLock>(std::move(*file_lock));
  opened.lock_description = lock_path.string();

  if (config.sink == SinkKind::postgres) {
    // The advisory lock makes runs on different machines against one database exclusive
    // (per schema and shard); shards of one run use distinct names and proceed together.
    const std::string lock_name = shard_suffix(config).empty() ? "run" : "run-" + shard_suffix(config);
    const SharedPostgresConnection connection = connect_shared_postgres(config.postgres);
    opened.database_lock = PostgresRunLock::try_acquire(config.postgres, lock_name, connection);
    if (!opened.database_lock)
      throw LockHeldError("another rssflow run holds the database lock '" + lock_name + "' in schema " +
                          config.postgres.schema);
    opened.lock_description += " + database advisory lock " + lock_name;
    migrate(config.postgres, MigrateMode::apply, connection);
    opened.articles = std::make_unique<PostgresSink>(config.postgres, connection);
    opened.state = std::make_unique<PostgresFetchStateStore>(config.postgres, connection);
  } else {
    auto jsonl = std::make_unique<JsonlSink>(expand_output_path(config.out, run));
    if (const auto index = written_index_path(config)) {
      jsonl->track_delivered(std::make_unique<WrittenIndex>(*index), config.write_all);
    }
    opened.articles = std::move(jsonl);
    if (config.state_file) opened.state = std::make_unique<StateFileStore>(*config.state_file);
  }
  return opened;
}

}  // namespace rssflow
