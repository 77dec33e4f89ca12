#!/usr/bin/env bash
# End to end over the real-world corpus, in one run on this machine:
#   1. rssflow vs the Python feedparser + BeautifulSoup pipeline it replaces (same files);
#   2. rssflow on 1 core vs 2 cores (taskset), i.e. how well the flow graph scales.
# Prints ratios; absolute times are only context (machines are shared and noisy).
#
#   scripts/bench/pipeline.sh [CORPUS_DIR]     (default tests/data/realworld)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${RSSFLOW_BIN:-build/rssflow}
corpus=${1:-tests/data/realworld}
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -t files < <(find "$(cd "$corpus" && pwd)" -maxdepth 1 -type f ! -name '*.md' | sort)
{
  echo '<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>'
  for f in "${files[@]}"; do printf '<outline type="rss" text="f" xmlUrl="file://%s"/>\n' "$f"; done
  echo '</body></opml>'
} >"$work/corpus.opml"
bytes=$(cat "${files[@]}" | wc -c)

now() { date +%s.%N; }
# best (minimum) wall time of $runs runs of the given command
best_of() {
  local best="" start end t
  for ((i = 0; i < runs; i++)); do
    start=$(now)
    "$@" >/dev/null 2>&1 || true   # exit 1 is expected: the corpus has broken feeds on purpose
    end=$(now)
    t=$(echo "$end - $start" | bc -l)
    if [[ -z $best ]] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  echo "$best"
}
rssflow_run() {
  "$@" "$bin" run --sources "$work/corpus.opml" --sink jsonl --out "$work/rssflow.jsonl" \
    --lock-file "$work/lock" --quiet
}

echo "corpus: ${#files[@]} files, $bytes bytes ($corpus)"
start=$(now)
/usr/bin/python3 scripts/bench/python_baseline.py "$work/python.jsonl" "${files[@]}" 2>/dev/null
python_s=$(echo "$(now) - $start" | bc -l)
two=$(best_of rssflow_run)
one=$(best_of rssflow_run taskset -c 0)
printf 'python feedparser+bs4 pipeline: %8.3f s  (%s records)\n' "$python_s" "$(wc -l <"$work/python.jsonl")"
printf 'rssflow, 2 cores (best of %d):  %8.3f s  (%s records)\n' "$runs" "$two" "$(wc -l <"$work/rssflow.jsonl")"
printf 'rssflow, 1 core  (best of %d):  %8.3f s\n' "$runs" "$one"
printf 'RATIO rssflow vs python: %.0fx faster\n' "$(echo "$python_s / $two" | bc -l)"
printf 'RATIO rssflow 2 cores vs 1 core: %.2fx\n' "$(echo "$one / $two" | bc -l)"
