#!/usr/bin/env bash
# Text transforms: strip_html and KeywordMatcher::match on every HTML fragment of
# tests/data/realworld (~7 MB), against the Python baseline the pipeline replaces
# (BeautifulSoup get_text + per-alias `re` search, scripts/bench/text_python.py) on the same
# input. Both sides are timed in CPU seconds in the same run; the script prints the ratios.
#
#   scripts/bench/text.sh
#   RSSFLOW_BUILD_DIR=build-x scripts/bench/text.sh   reuse a configured build dir
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${RSSFLOW_BUILD_DIR:-$repo/build-bench}

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSSFLOW_BENCH=ON >/dev/null
fi
cmake --build "$build" -j2 --target transforms_bench >/dev/null

work=$(mktemp -d /tmp/rssflow-text-bench.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
/usr/bin/python3 "$repo/scripts/bench/text_corpus.py" "$repo/tests/data/realworld" "$work/corpus.bin"
"$build/transforms/transforms_bench" --benchmark_out="$work/cpp.json" --benchmark_out_format=json \
  "$work/corpus.bin" "$repo/config/keywords.tsv"
/usr/bin/python3 "$repo/scripts/bench/text_python.py" "$work/corpus.bin" "$repo/config/keywords.tsv" >"$work/py.json"

/usr/bin/python3 - "$work/cpp.json" "$work/py.json" <<'PY'
import json, sys
cpp = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
py = json.load(open(sys.argv[2]))
def cpu_seconds(name):
    b = cpp[name]
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
    return b["cpu_time"] * scale
strip = cpu_seconds("BM_StripHtml")
match = cpu_seconds("BM_KeywordMatch")
cold = cpu_seconds("BM_KeywordMatchCold/iterations:3")
both = cpu_seconds("BM_StripThenMatch")
print(f"\n{py['fragments']} fragments; CPU seconds per pass, C++ vs Python (same run, same input)")
print(f"  clean    strip_html {strip:.4f}  vs BeautifulSoup get_text {py['strip_cpu_seconds']:.3f}"
      f"  -> {py['strip_cpu_seconds'] / strip:.0f}x")
print(f"  keywords match      {match:.4f}  vs re per alias          {py['match_cpu_seconds']:.3f}"
      f"  -> {py['match_cpu_seconds'] / match:.0f}x  (cold, incl. compile and DFA build: {cold:.4f}"
      f" -> {py['match_cpu_seconds'] / cold:.0f}x)")
total_py = py["strip_cpu_seconds"] + py["match_cpu_seconds"]
print(f"  both     strip+match {both:.4f}  vs Python                {total_py:.3f}  -> {total_py / both:.0f}x")
PY
