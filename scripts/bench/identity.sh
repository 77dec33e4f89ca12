#!/usr/bin/env bash
# Identity and format transforms on the real-world corpus (bench/identity_bench.cpp). Prints the
# ratios that matter, each measured within this one run:
#  - format stage (build_articles: strip HTML, keywords, canonical URL, identity) vs parse_feed
#  - append_json_line vs building and dumping an nlohmann::json per record
#  - Deduper vs std::unordered_set, banded near-duplicate index vs a linear scan (20,000 texts)
#
#   scripts/bench/identity.sh                 Release build in build-bench (or RSSFLOW_BUILD_DIR)
#   scripts/bench/identity.sh --benchmark_filter=Json   extra flags go to Google Benchmark
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${RSSFLOW_BUILD_DIR:-$repo/build-bench}

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSSFLOW_BENCH=ON >/dev/null
fi
cmake --build "$build" -j2 --target identity_bench >/dev/null

out=$(mktemp /tmp/rssflow-identity-bench.XXXXXX.json)
trap 'rm -f -- "$out"' EXIT
"$build/transforms/identity_bench" --benchmark_out="$out" --benchmark_out_format=json "$@" \
  "$repo/tests/data/realworld" "$repo/config/keywords.tsv"

/usr/bin/python3 - "$out" <<'PY'
import json, sys
runs = {b["name"].split("/")[0]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
def t(name):
    b = runs.get(name)
    return b and b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[b["time_unit"]]
def ratio(label, a, b, what):
    if t(a) and t(b):
        print(f"{label}: {t(a) / t(b):.2f}x {what}")
print()
ratio("format stage / parse", "BM_BuildArticles", "BM_ParseFeed", "the time of parse_feed over the same corpus")
ratio("JSON Lines writer", "BM_NlohmannJsonLine", "BM_AppendJsonLine", "faster than nlohmann::json build+dump")
ratio("Deduper", "BM_UnorderedSetDedupe", "BM_Deduper", "faster than std::unordered_set (100,000 digests)")
ratio("near-duplicate index", "BM_NearDuplicateLinearScan", "BM_NearDuplicateBanded", "faster than a linear scan (20,000 texts)")
for name in ("BM_BuildArticles", "BM_CanonicalizeUrl", "BM_Fingerprint"):
    b = runs.get(name)
    if b:
        print(f"{name}: {b['items_per_second']:,.0f} items/s")
PY
