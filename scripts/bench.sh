#!/usr/bin/env bash
# Every benchmark, each measuring ratios within one run on this machine:
#   pipeline.sh  rssflow vs the Python feedparser pipeline; 1 vs 2 cores
#   memory.sh    peak RSS with 100 vs 10,000 sources
#   parser.sh    parse_feed vs feedparser.parse (Google Benchmark)
#   text.sh      strip_html / KeywordMatcher (Google Benchmark)
#   identity.sh  url canonicalisation, dedupe, near-duplicates (Google Benchmark)
#   fetch.sh     1,000 slow loopback feeds vs the network ideal
#   load.sh      PostgreSQL sink vs a plain psql \copy
#   schedule.sh  500 feeds on their own schedules: requests saved; an all-unchanged run's CPU
#   hostile.sh   a run with hostile sources among good ones; worst parse time per MiB
#
#   scripts/bench.sh [NAME...]    (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
names=("$@")
((${#names[@]})) || names=(pipeline memory parser text identity fetch load schedule hostile)
status=0
for name in "${names[@]}"; do
  echo "== $name"
  scripts/bench/"$name".sh || { echo "bench $name failed" >&2; status=1; }
  echo
done
exit "$status"
