#!/usr/bin/env bash
# Hostile corpus (issue 9): the wall time and peak RSS of a default `rssflow run` over the
# feeds of scripts/hostile_corpus.py served on loopback among the 50 real feeds of
# hostile_corpus_run_test, then the worst parse + clean time per MiB over the hostile set
# (`rssflow parse FILE`, minus the time of `rssflow parse` on a tiny feed, divided by the
# file's size in MiB, at least 1).
#
#   scripts/bench/hostile.sh
#   RSSFLOW_BUILD_DIR=build-x scripts/bench/hostile.sh   another configured build dir
#   RSSFLOW_SKIP_BUILD=1 scripts/bench/hostile.sh        use the binary as it is
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${RSSFLOW_BUILD_DIR:-$repo/build}
rssflow=$build/pipeline/rssflow
[[ -x $rssflow ]] || rssflow=$build/rssflow
[[ -n ${RSSFLOW_SKIP_BUILD:-} ]] || cmake --build "$build" -j2 --target rssflow >/dev/null

work=$(mktemp -d /tmp/rssflow-hostile-bench.XXXXXX)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null
  rm -rf -- "$work"
}
trap cleanup EXIT

/usr/bin/python3 "$repo/scripts/hostile_corpus.py" "$work/hostile" >/dev/null
mkdir "$work/good"
sed -n 's/^ *"\(.*\)",$/\1/p' "$repo/tests/pipeline/hostile_corpus_good_feeds.inc" |
  while read -r name; do cp "$repo/tests/data/realworld/$name" "$work/good/"; done

/usr/bin/python3 -u -m http.server --bind 127.0.0.1 --directory "$work" 0 >"$work/server.log" 2>&1 &
server=$!
until grep -q "port" "$work/server.log" 2>/dev/null; do sleep 0.1; done
port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$work/server.log" | head -1)
{
  echo '<?xml version="1.0"?><opml version="2.0"><head><title>hostile</title></head><body>'
  for f in "$work"/good/* "$work"/hostile/*; do
    [[ $f == */manifest.json ]] && continue
    echo "<outline type=\"rss\" text=\"x\" xmlUrl=\"http://127.0.0.1:$port/${f#"$work"/}\"/>"
  done
  echo '</body></opml>'
} >"$work/sources.opml"

set +e
/usr/bin/time -v "$rssflow" run --sources "$work/sources.opml" --sink jsonl --out /dev/null \
  --report "$work/report.json" --per-host 8 --lock-file "$work/lock" --quiet 2>"$work/run.err"
status=$?
set -e
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/run.err")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/run.err")
echo "run: exit $status, wall $wall, peak RSS $((rss_kb / 1024)) MiB ($(ls "$work"/good | wc -l) good + $(($(ls "$work"/hostile | wc -l) - 1)) hostile sources)"

printf '<rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>' >"$work/tiny.xml"
timed() {  # prints "seconds peak_kB" of `rssflow parse FILE`
  /usr/bin/time -f "%e %M" -o "$work/time" "$rssflow" parse "$1" >/dev/null 2>&1 || true
  tail -1 "$work/time"
}
base=$(timed "$work/tiny.xml" | cut -d' ' -f1)
echo "per file (parse + clean, minus ${base}s of start-up):"
for f in "$work"/hostile/*; do
  [[ $f == */manifest.json ]] && continue
  echo "$(basename "$f") $(stat -c %s "$f") $(timed "$f") $base"
done | awk '{ mib = $2 / 1048576; if (mib < 1) mib = 1; s = $3 - $5; if (s < 0) s = 0; r = s / mib;
              printf "  %-32s %7.1f MiB %6.2f s %6.3f s/MiB %5d MiB RSS\n", $1, $2 / 1048576, $3, r, $4 / 1024;
              if (r > worst) { worst = r; name = $1 } }
            END { printf "worst: %.3f s per MiB (%s)\n", worst, name }'
