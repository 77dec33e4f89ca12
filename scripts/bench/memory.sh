#!/usr/bin/env bash
# Memory as the source list grows: peak RSS of `rssflow run` over 100 vs 10,000 sources (the
# real-world corpus repeated through symlinks, so every source is a distinct file:// URL with
# real content). The flow graph's limiter bounds the sources in flight, so the ratio should
# stay near 1; what grows is only the per-run dedupe index (16-43 bytes per unique article)
# and one outcome record per source.
#
#   scripts/bench/memory.sh [SMALL=100] [LARGE=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${RSSFLOW_BIN:-build/rssflow}
small=${1:-100}
large=${2:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t corpus < <(find "$PWD/tests/data/realworld" -maxdepth 1 -type f ! -name '*.md' | sort)

make_list() {  # make_list N -> OPML of N distinct symlinks cycling through the corpus
  local n=$1 dir="$work/feeds-$1"
  mkdir -p "$dir"
  {
    echo '<opml version="2.0"><body>'
    for ((i = 0; i < n; i++)); do
      ln -s "${corpus[i % ${#corpus[@]}]}" "$dir/$i.xml"
      printf '<outline xmlUrl="file://%s/%d.xml"/>\n' "$dir" "$i"
    done
    echo '</body></opml>'
  } >"$work/$n.opml"
}

peak_kb() {  # peak RSS in KiB of one run over the given OPML
  /usr/bin/time -f '%M' -o "$work/rss" "$bin" run --sources "$1" --sink jsonl --out "$work/out.jsonl" \
    --lock-file "$work/lock" --quiet >/dev/null 2>&1 || true
  tail -n 1 "$work/rss"  # time(1) prefixes "Command exited with non-zero status" lines
}

make_list "$small"
make_list "$large"
a=$(peak_kb "$work/$small.opml")
b=$(peak_kb "$work/$large.opml")
printf 'peak RSS, %6d sources: %8d KiB\n' "$small" "$a"
printf 'peak RSS, %6d sources: %8d KiB\n' "$large" "$b"
printf 'RATIO memory %d vs %d sources: %.2fx\n' "$large" "$small" "$(echo "$b / $a" | bc -l)"
