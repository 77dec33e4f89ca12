#!/usr/bin/env bash
# PostgreSQL load rate: PostgresSink (COPY into staging + upsert, per batch) vs a plain
# `psql \copy` of the same rows into the same (empty) table, measured in one run on a
# throwaway cluster. Prints rows/s of each and the ratios sink/psql (the sink also reloads the
# rows unchanged, then with every text changed).
#
#   scripts/bench/load.sh [ROWS]        (default 20000; BATCH_ROWS env, default 5000)
#   RSSFLOW_BUILD_DIR=build-x scripts/bench/load.sh   reuse a configured build dir
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-20000}
batch_rows=${BATCH_ROWS:-5000}
build=${RSSFLOW_BUILD_DIR:-$repo/build-bench}

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSSFLOW_BENCH=ON -DRSSFLOW_WERROR=OFF >/dev/null
fi
cmake --build "$build" -j2 --target postgres_load_bench >/dev/null

work=$(mktemp -d /tmp/rssflow-load-bench.XXXXXX)
cleanup() { "$repo/scripts/pg_test_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf -- "$work"; }
trap cleanup EXIT
"$repo/scripts/pg_test_cluster.sh" start "$work/pg" >/dev/null
conninfo=$(cat "$work/pg/conninfo")
chmod a+rx "$work"

"$build/sinks/postgres_load_bench" "$conninfo" bench "$rows" "$batch_rows" "$work/rows.copy" >"$work/sink.txt"
sink_rate=$(awk '$1 == "sink_insert_rows_per_s" {print $2}' "$work/sink.txt")
unchanged_rate=$(awk '$1 == "sink_unchanged_rows_per_s" {print $2}' "$work/sink.txt")
update_rate=$(awk '$1 == "sink_update_rows_per_s" {print $2}' "$work/sink.txt")

psql -q -X "$conninfo" -c "TRUNCATE bench.articles"
columns="url_hash, url, guid, title, author, published_at, summary, content_text, keywords, categories, feed_url, content_hash, fetched_at, duplicate_of"
start=$(date +%s.%N)
psql -q -X -v ON_ERROR_STOP=1 "$conninfo" -c "\\copy bench.articles ($columns) FROM '$work/rows.copy'"
end=$(date +%s.%N)
loaded=$(psql -q -X -At "$conninfo" -c "SELECT count(*) FROM bench.articles")
[[ $loaded == "$rows" ]] || { echo "load.sh: psql loaded $loaded rows, expected $rows" >&2; exit 1; }
psql_rate=$(awk -v n="$rows" -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", n / (e - s)}')

echo "postgres load: $rows rows (~3.5 KB each), batch_rows=$batch_rows"
echo "  PostgresSink insert:     $sink_rate rows/s"
echo "  PostgresSink unchanged:  $unchanged_rate rows/s (rerun of the same rows)"
echo "  PostgresSink update:     $update_rate rows/s (every row's text changed)"
echo "  psql \\copy (baseline):   $psql_rate rows/s"
awk -v a="$sink_rate" -v b="$psql_rate" -v c="$unchanged_rate" -v d="$update_rate" \
  'BEGIN {printf "  ratio sink/psql insert: %.2f\n  ratio sink unchanged/psql: %.2f\n  ratio sink update/psql: %.2f\n", a / b, c / b, d / b}'
