#!/usr/bin/env bash
# End to end over the real-world corpus, every figure from this one run on this machine:
#   Python feedparser + BeautifulSoup pipeline (1 core)      scripts/bench/python_baseline.py
#   newsboat `-x reload` into its SQLite cache (Debian's newsboat package)
#   rssflow -> JSON Lines on 1 core (taskset -c 0) and on 2 cores
#   rssflow -> PostgreSQL (throwaway cluster), then the same corpus again (nothing changed:
#     bodies re-read and re-parsed, every entry skipped by its stored entry_hash)
#   pugixml alone parsing the same bytes in memory (the parser floor)
# and the ratios the issue targets, then where the time goes (process start, an empty run, the
# stage sums of a 1-core run, the PostgreSQL server's own CPU for one load). Each figure is the best of RUNS runs (default 3); wall and
# CPU (user + sys) seconds. Absolute times are context only: the machine is shared, so read
# the ratios, and run when `uptime` shows the lowest load.
#
#   scripts/bench/pipeline.sh [CORPUS_DIR]     (default tests/data/realworld)
#   RSSFLOW_BUILD_DIR=build-x RUNS=5 scripts/bench/pipeline.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${RSSFLOW_BUILD_DIR:-$repo/build-bench}
corpus=$(cd "${1:-$repo/tests/data/realworld}" && pwd)
runs=${RUNS:-3}
command -v newsboat >/dev/null || { echo "pipeline.sh: needs newsboat (apt-get install newsboat)" >&2; exit 2; }

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSSFLOW_BENCH=ON -DRSSFLOW_WERROR=OFF >/dev/null
fi
cmake --build "$build" -j2 --target rssflow pugixml_floor >/dev/null
bin=$build/rssflow

work=$(mktemp -d /tmp/rssflow-pipeline-bench.XXXXXX)
cleanup() { "$repo/scripts/pg_test_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf -- "$work"; }
trap cleanup EXIT
chmod a+rx "$work"

mapfile -t files < <(find "$corpus" -maxdepth 1 -type f ! -name '*.md' | sort)
{
  echo '<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>'
  for f in "${files[@]}"; do printf '<outline type="rss" text="f" xmlUrl="file://%s"/>\n' "$f"; done
  echo '</body></opml>'
} >"$work/corpus.opml"
for f in "${files[@]}"; do printf 'file://%s\n' "$f"; done >"$work/newsboat.urls"
: >"$work/newsboat.conf"
bytes=$(cat "${files[@]}" | wc -c)

# timed ERRFILE COMMAND...: "wall cpu" seconds of one run, to the tenth of a millisecond
# (/usr/bin/time's %e has 10 ms steps: a 0.30 s run could read as 0.30 or 0.31, a 3 % swing
# in the 2-core ratio). The exit status is ignored: the corpus has broken feeds on purpose.
timed() {
  /usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys, time
with open(sys.argv[1], "w") as err:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.4f} {after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime:.4f}")
PY
}

# measure NAME SETUP COMMAND...: best wall and CPU of $runs runs ("wall cpu" into $work/NAME).
# SETUP (a shell function, or true) runs before each run, untimed.
measure() {
  local name=$1 setup=$2
  shift 2
  local best_wall="" best_cpu=""
  for ((i = 0; i < runs; i++)); do
    "$setup"
    local wall cpu
    read -r wall cpu < <(timed "$work/$name.err" "$@")
    if [[ -z $best_wall ]] || (( $(echo "$wall < $best_wall" | bc -l) )); then best_wall=$wall; fi
    if [[ -z $best_cpu ]] || (( $(echo "$cpu < $best_cpu" | bc -l) )); then best_cpu=$cpu; fi
  done
  echo "$best_wall $best_cpu" >"$work/result.$name"
}

"$repo/scripts/pg_test_cluster.sh" start "$work/pg" >/dev/null
conninfo=$(cat "$work/pg/conninfo")
# Commands as scripts, so that each timed run execs one and each PostgreSQL run reads the schema
# chosen by its setup step.
cat >"$work/jsonl.sh" <<SH
exec "$bin" run --sources "$work/corpus.opml" --sink jsonl --out "$work/rssflow.jsonl" --lock-file "$work/lock" --quiet
SH
cat >"$work/postgres.sh" <<SH
exec "$bin" run --sources "$work/corpus.opml" --sink postgres --database-url "$conninfo" --schema "\$(cat "$work/schema")" --lock-file "$work/lock" --quiet
SH
schema_n=0
fresh_schema() {  # a new, migrated, empty schema for a first run
  schema_n=$((schema_n + 1))
  echo "bench$schema_n" >"$work/schema"
  "$bin" migrate --database-url "$conninfo" --schema "bench$schema_n" >/dev/null 2>&1
}
fresh_newsboat() { rm -f "$work/newsboat.db"; }
nothing() { :; }   # a rerun uses the schema the last first run filled

echo "corpus: ${#files[@]} files, $bytes bytes ($corpus); best of $runs runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure python nothing taskset -c 0 /usr/bin/python3 "$repo/scripts/bench/python_baseline.py" "$work/python.jsonl" "${files[@]}"
measure newsboat fresh_newsboat taskset -c 0 newsboat -x reload -u "$work/newsboat.urls" -c "$work/newsboat.db" -C "$work/newsboat.conf"
measure one nothing taskset -c 0 /bin/sh "$work/jsonl.sh"
measure two nothing /bin/sh "$work/jsonl.sh"
measure pg fresh_schema /bin/sh "$work/postgres.sh"
measure rerun nothing /bin/sh "$work/postgres.sh"
floor=$("$build/sources/pugixml_floor" "$runs" "${files[@]}" | cut -d' ' -f1)

row() { read -r w c <"$work/result.$2"; printf '| %-52s | %7.3f s | %7.3f s |\n' "$1" "$w" "$c"; }
echo
printf '| %-52s | %9s | %9s |\n' "" "wall" "CPU"
echo "|------------------------------------------------------|-----------|-----------|"
row "Python feedparser + BeautifulSoup pipeline (1 core)" python
row "newsboat $(newsboat -v 2>/dev/null | head -1 | awk '{print $2}') -x reload into SQLite (1 core)" newsboat
row "rssflow -> JSON Lines, 1 core (taskset -c 0)" one
row "rssflow -> JSON Lines, 2 cores" two
row "rssflow -> PostgreSQL, 2 cores" pg
row "rssflow -> PostgreSQL, same corpus again (unchanged)" rerun
printf '| %-52s |           | %7.3f s |\n' "pugixml parse-only of the same bytes in memory" "$floor"
echo
echo "records: python $(wc -l <"$work/python.jsonl"), rssflow $(wc -l <"$work/rssflow.jsonl")"
cpu() { cut -d' ' -f2 "$work/result.$1"; }
wall() { cut -d' ' -f1 "$work/result.$1"; }
ratio() { echo "$1 / $2" | bc -l; }
printf 'RATIO python CPU / rssflow 1-core CPU:           %6.1fx  (target >= 200x)\n' "$(ratio "$(cpu python)" "$(cpu one)")"
printf 'RATIO rssflow 1-core wall / 2-core wall:          %6.2fx  (target >= 1.8x)\n' "$(ratio "$(wall one)" "$(wall two)")"
printf 'RATIO newsboat wall / rssflow PostgreSQL wall:    %6.1fx  (target >= 10x)\n' "$(ratio "$(wall newsboat)" "$(wall pg)")"
printf 'RATIO rerun CPU / first PostgreSQL run CPU:       %6.0f%%  (target <= 20%%)\n' "$(echo "100 * $(cpu rerun) / $(cpu pg)" | bc -l)"
printf 'RATIO pugixml floor / rssflow 1-core CPU:         %6.0f%%\n' "$(echo "100 * $floor / $(cpu one)" | bc -l)"

# Where the time goes, for the note on any missed target (measured here, not estimated):
# the process start every run pays, an empty run, the stage sums of one 1-core run from its
# metrics file, and the PostgreSQL server's own CPU for one first load (the postmaster's reaped
# children: its backend, whose CPU the rssflow figures above do not include).
mean_cpu_ms() {  # mean CPU (ms) of N runs of a command
  /usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys
n = int(sys.argv[1]); cmd = sys.argv[2:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(n):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000 / n:.1f}")
PY
}
echo '<?xml version="1.0"?><opml version="2.0"><head><title>empty</title></head><body></body></opml>' >"$work/empty.opml"
echo
echo "Where the time goes (this machine, this run):"
printf '  process start (`rssflow --version`), CPU:      %7s ms\n' "$(mean_cpu_ms 20 "$bin" --version)"
printf '  empty run (no sources, JSON Lines), CPU:       %7s ms\n' \
  "$(mean_cpu_ms 20 "$bin" run --sources "$work/empty.opml" --sink jsonl --out /dev/null --lock-file "$work/lock" --quiet)"
taskset -c 0 "$bin" run --sources "$work/corpus.opml" --sink jsonl --out /dev/null --lock-file "$work/lock" --quiet \
  --metrics-file "$work/one.prom" >/dev/null 2>&1 || true
printf '  1-core stage sums (rssflow_stage_duration_seconds_sum), ms:'
awk -F'[{}" ]+' '/^rssflow_stage_duration_seconds_sum/ {printf " %s %.0f", $3, $4 * 1000}' "$work/one.prom"
echo
postmaster=$(head -n 1 "$(cat "$work/pg/pgroot")/data/postmaster.pid")
server_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"; }
children() { pgrep -c -P "$postmaster" || true; }
fresh_schema
idle_children=$(children)
ticks_before=$(server_ticks)
read -r pg_wall pg_cpu < <(timed /dev/null /bin/sh "$work/postgres.sh")
for ((i = 0; i < 100 && $(children) > idle_children; i++)); do sleep 0.05; done  # the backend exits after the client
ticks_after=$(server_ticks)
printf '  one first PostgreSQL load: wall %.2f s, rssflow CPU %.2f s, server CPU %.2f s\n' "$pg_wall" \
  "$pg_cpu" "$(echo "($ticks_after - $ticks_before) / $(getconf CLK_TCK)" | bc -l)"
