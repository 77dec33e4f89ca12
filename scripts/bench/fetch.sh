#!/usr/bin/env bash
# Fetch concurrency: COUNT feeds from a loopback server that answers each after DELAY_MS,
# fetched with CONCURRENCY transfers at once. Prints wall time against the ideal
# COUNT x DELAY_MS / CONCURRENCY as a ratio (target <= 1.2), and peak RSS, for
#   rssflow   `rssflow run --sink jsonl` over an OPML of the COUNT feeds (whole pipeline)
#   fetcher   bench/fetch.cpp, HttpFetcher alone
#
#   scripts/bench/fetch.sh [COUNT=1000] [CONCURRENCY=32] [DELAY_MS=100]
#   RSSFLOW_BUILD_DIR=build-x scripts/bench/fetch.sh   reuse a configured build dir
#   FETCH_BENCH_DRIVER=rssflow|fetcher                 only one of the two (default: both)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
count=${1:-1000}
concurrency=${2:-32}
delay_ms=${3:-100}
build=${RSSFLOW_BUILD_DIR:-$repo/build-bench}
drivers=${FETCH_BENCH_DRIVER:-rssflow fetcher}

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSSFLOW_BENCH=ON >/dev/null
fi
targets=()
for d in $drivers; do [[ $d == rssflow ]] && targets+=(rssflow) || targets+=(fetch_bench); done
cmake --build "$build" -j2 --target "${targets[@]}" >/dev/null

work=$(mktemp -d /tmp/rssflow-fetch-bench.XXXXXX)
mkfifo "$work/port"
# The server reads fd 3's pipe as stdin and exits when this script closes it (or dies).
exec 3> >(exec /usr/bin/python3 "$repo/tests/servers/delay_server.py" --delay-ms "$delay_ms" >"$work/port")
cleanup() { exec 3>&-; rm -rf -- "$work"; }
trap cleanup EXIT
read -r port <"$work/port"
base="http://127.0.0.1:$port"
ideal=$(awk -v n="$count" -v d="$delay_ms" -v c="$concurrency" 'BEGIN {printf "%.3f", n * d / 1000 / c}')
echo "fetch: $count feeds, ${delay_ms} ms each, concurrency $concurrency; ideal ${ideal} s (count x delay / concurrency)"

run_rssflow() {
  {
    echo '<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>'
    for ((i = 0; i < count; i++)); do echo "<outline type=\"rss\" text=\"f$i\" xmlUrl=\"$base/f$i.xml\"/>"; done
    echo '</body></opml>'
  } >"$work/sources.opml"
  local start end ok
  start=$(date +%s.%N)
  /usr/bin/time -f "maxrss_kb %M" -o "$work/time.txt" "$build/rssflow" run --sources "$work/sources.opml" \
    --sink jsonl --out "$work/out.jsonl" --concurrency "$concurrency" --per-host "$count" \
    --report "$work/report.json" --lock-file "$work/lock" --quiet || true
  end=$(date +%s.%N)
  ok=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["ok"])' "$work/report.json")
  [[ $ok == "$count" ]] || { echo "fetch.sh: only $ok of $count feeds fetched and parsed" >&2; exit 1; }
  wall=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.3f", e - s}')
}

run_fetcher() {
  /usr/bin/time -f "maxrss_kb %M" -o "$work/time.txt" \
    "$build/sources/fetch_bench" "$base" "$count" "$concurrency" "$count" "$delay_ms" >"$work/out.txt"
  wall=$(awk '$1 == "wall_seconds" {print $2}' "$work/out.txt")
}

for driver in $drivers; do
  "run_$driver"
  rss=$(awk '$1 == "maxrss_kb" {print $2}' "$work/time.txt")
  awk -v d="$driver" -v w="$wall" -v i="$ideal" -v r="$rss" \
    'BEGIN {printf "  %-8s wall %6.3f s  ratio wall/ideal %.2f (target <= 1.2)  peak RSS %d kB\n", d, w, w / i, r}'
done
