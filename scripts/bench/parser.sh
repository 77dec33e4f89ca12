#!/usr/bin/env bash
# Parser: rssflow's parse_feed vs Python feedparser.parse over every document of
# tests/data/realworld (393 files, 16.5 MB), both timed in CPU seconds per pass in the same run;
# prints the ratio.
#
#   scripts/bench/parser.sh
#   RSSFLOW_BUILD_DIR=build-x scripts/bench/parser.sh   reuse a configured build dir
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${RSSFLOW_BUILD_DIR:-$repo/build-bench}
corpus=$repo/tests/data/realworld

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSSFLOW_BENCH=ON >/dev/null
fi
cmake --build "$build" -j2 --target parser_bench >/dev/null

work=$(mktemp -d /tmp/rssflow-parser-bench.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
"$build/sources/parser_bench" --benchmark_out="$work/cpp.json" --benchmark_out_format=json "$corpus"

/usr/bin/python3 - "$corpus" "$work/cpp.json" <<'PY'
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import feedparser
folder = sys.argv[1]
docs = [open(os.path.join(folder, n), "rb").read() for n in sorted(os.listdir(folder)) if not n.endswith(".md")]
start = time.process_time()
entries = sum(len(feedparser.parse(d).entries) for d in docs)
py = time.process_time() - start
b = json.load(open(sys.argv[2]))["benchmarks"][0]
scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
cpp = b["cpu_time"] * scale
print(f"\n{len(docs)} documents, {sum(map(len, docs)) / 1e6:.1f} MB; CPU seconds per pass (same run)")
print(f"  parse_feed {cpp:.3f} ({int(b['entries'])} entries)  vs feedparser.parse {py:.2f} ({entries} entries)"
      f"  -> {py / cpp:.0f}x")
PY
