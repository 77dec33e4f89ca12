#!/usr/bin/env bash
# The per-feed schedule on a simulated clock (RSSFLOW_TEST_NOW), against the loopback feed owner
# (tests/servers/feed_owner_server.py) playing 500 feeds of mixed behaviour:
#   1. 50 cron runs 5 minutes apart: requests and bytes with the schedule vs fetching every
#      source every run (the same 50 runs with --force: conditional GET, no schedule);
#   2. CPU (user + system) of a run where every feed answers 200 with the body it sent last
#      time (all `unchanged`) vs the first run that parsed them all.
#   3. three floors for that run, over the same bodies: curl(1) downloading them, and libcurl
#      alone receiving them into nothing (bench/libcurl_floor.cpp, as many in flight as
#      rssflow's --per-host default), with libcurl's default options and with the receive
#      options rssflow sets: what any fetcher built on libcurl pays before it does anything.
# Prints ratios; absolute numbers are only context (machines are shared and noisy).
#
#   scripts/bench/schedule.sh            FEEDS=500 RUNS=50 RSSFLOW_BIN=build/rssflow PART=all|cpu
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${RSSFLOW_BIN:-build/rssflow}
floor_bin=$(dirname "$bin")/sources/libcurl_floor  # a build with RSSFLOW_BENCH=ON
cmake --build "$(dirname "$bin")" --target libcurl_floor >/dev/null
feeds=${FEEDS:-500}
runs=${RUNS:-50}
start=1767571200   # Monday 2026-01-05 00:00:00 UTC
work=$(mktemp -d)
server_pid=""
cleanup() { [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_server() {
  mkfifo "$work/port.fifo"
  /usr/bin/python3 -u tests/servers/feed_owner_server.py >"$work/port.fifo" &
  server_pid=$!
  read -r port <"$work/port.fifo"
  base="http://127.0.0.1:$port"
}
control() { curl -fsS "$base$1"; }

# A population like a real subscription list: most feeds send validators and change every few
# hours to once a day; some never change; some send no validators; some ignore conditional GET.
write_opml() {  # write_opml FILE QUERY_SUFFIX_FOR_ALL
  local periods=(3600 7200 21600 43200 86400 0)
  {
    echo '<?xml version="1.0"?><opml version="2.0"><head><title>schedule bench</title></head><body>'
    for ((i = 0; i < feeds; i++)); do
      local period=${periods[i % ${#periods[@]}]} q
      case $((i % 10)) in
        0|1|2|3) q="validators=both" ;;
        4) q="validators=etag&amp;maxage=7200" ;;
        5) q="validators=lm" ;;
        6) q="validators=none" ;;
        7) q="validators=etag&amp;ttl=120" ;;
        8) q="validators=etag&amp;ignore_cond=1" ;;
        9) q="validators=weak&amp;sy=hourly:1" ;;
      esac
      printf '<outline type="rss" text="f%d" xmlUrl="%s/feed/f%d.xml?%s&amp;period=%d&amp;items=20&amp;pad=600%s"/>\n' \
        "$i" "$base" "$i" "$q" "$period" "$2"
    done
    echo '</body></opml>'
  } >"$1"
}

cron_runs() {  # cron_runs OPML STATE [extra flags...]: $runs runs 5 minutes apart
  local opml=$1 state=$2
  shift 2
  for ((r = 0; r < runs; r++)); do
    local now=$((start + r * 300))
    control "/_now?t=$now" >/dev/null
    RSSFLOW_TEST_NOW=$now "$bin" run --sources "$opml" --sink jsonl --out /dev/null --state-file "$state" \
      --lock-file "$work/lock" --quiet "$@" >/dev/null 2>&1 || true
  done
}

# requests and body bytes the server sent since the last call (the log is cleared)
traffic() {
  control "/_log?clear=1" | /usr/bin/python3 -c 'import json,sys; log=json.load(sys.stdin); print(len(log), sum(r["bytes"] for r in log))'
}

cpu_of() {  # user+system seconds of one command
  /usr/bin/python3 -c 'import resource,subprocess,sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r=resource.getrusage(resource.RUSAGE_CHILDREN); print(f"{r.ru_utime + r.ru_stime:.3f}")' "$@"
}

start_server
if [[ ${PART:-all} != cpu ]]; then
  write_opml "$work/feeds.opml" ""
  cron_runs "$work/feeds.opml" "$work/scheduled.json"
  read -r sched_requests sched_bytes < <(traffic)
  cron_runs "$work/feeds.opml" "$work/everything.json" --force
  read -r all_requests all_bytes < <(traffic)
fi

# Every feed ignores conditional GET and never changes: after a first run that parses them all,
# a run gets 500 identical bodies. Bodies are full-content sized (50 entries of 2 KB, about
# 110 KB), like the feeds of blogs and news sites. Best of 3; also the CPU of spawning a
# process here (/bin/true through the same wrapper), which both runs pay.
write_opml "$work/same.opml" "&amp;ignore_cond=1"
sed -i 's/&amp;period=[0-9]*//; s/items=20&amp;pad=600/items=50\&amp;pad=2000/' "$work/same.opml"
control "/_now?t=$start" >/dev/null
same_run() {  # same_run NAME: CPU of one forced run over $work/NAME.opml with state $work/NAME.json
  cpu_of "$bin" run --sources "$work/$1.opml" --sink jsonl --out /dev/null --state-file "$work/$1.json" \
    --lock-file "$work/lock" --quiet --force
}
min() { printf '%s\n' "$@" | sort -g | head -1; }
# The floor of a run that must receive every body: curl's own command line downloading the
# same 500 bodies into /dev/null, 16 transfers at a time, in one process.
grep -o 'xmlUrl="[^"]*"' "$work/same.opml" | sed 's/^xmlUrl="//; s/"$//; s/&amp;/\&/g' |
  while read -r url; do printf 'url = "%s"\noutput = /dev/null\n' "$url"; done >"$work/curl.config"
sed -n 's/^url = "\(.*\)"$/\1/p' "$work/curl.config" >"$work/urls.txt"
per_host=$("$bin" run --help | sed -n 's/.*--per-host INT:INT in \[[0-9 -]*\]=\([0-9]*\).*/\1/p')
[[ $per_host =~ ^[0-9]+$ ]] || { echo "schedule.sh: cannot read the --per-host default from '$bin run --help'" >&2; exit 1; }
# The floor must have received every body for its CPU to mean anything: one checked pass.
"$floor_bin" "$per_host" "$work/urls.txt" || { echo "schedule.sh: libcurl_floor failed" >&2; exit 1; }
"$floor_bin" "$per_host" "$work/urls.txt" --as-rssflow || { echo "schedule.sh: libcurl_floor --as-rssflow failed" >&2; exit 1; }
firsts=() unchangeds=() spawns=() curls=() floors=() tuned_floors=()
for ((k = 0; k < 3; k++)); do
  rm -f "$work/same.json"
  firsts+=("$(same_run same)")
  unchangeds+=("$(same_run same)")
  spawns+=("$(cpu_of /bin/true)")
  curls+=("$(cpu_of curl -s --parallel --parallel-max 16 -K "$work/curl.config")")
  floors+=("$(cpu_of "$floor_bin" "$per_host" "$work/urls.txt")")
  tuned_floors+=("$(cpu_of "$floor_bin" "$per_host" "$work/urls.txt" --as-rssflow)")
done
first_cpu=$(min "${firsts[@]}")
unchanged_cpu=$(min "${unchangeds[@]}")
spawn_cpu=$(min "${spawns[@]}")
curl_cpu=$(min "${curls[@]}")
floor_cpu=$(min "${floors[@]}")
tuned_floor_cpu=$(min "${tuned_floors[@]}")
unchanged_statuses=$("$bin" run --sources "$work/same.opml" --sink jsonl --out /dev/null \
  --state-file "$work/same.json" --lock-file "$work/lock" --force 2>&1 | grep '^rssflow run:')
# Every pass over same.opml fetched the same bodies: the two checked floor passes, 3 x (first,
# unchanged, curl(1), both libcurl floors) and the run that printed the statuses.
same_bytes=$(traffic | cut -d' ' -f2)
same_passes=18

# The same feeds served gzip-compressed (Content-Encoding: gzip, as most feed servers do): the
# body is hashed as it arrives, so an unchanged one is never inflated.
sed 's/ignore_cond=1/ignore_cond=1\&amp;gzip=1/' "$work/same.opml" >"$work/gzip.opml"
gzip_firsts=() gzip_unchangeds=()
for ((k = 0; k < 3; k++)); do
  rm -f "$work/gzip.json"
  gzip_firsts+=("$(same_run gzip)")
  gzip_unchangeds+=("$(same_run gzip)")
done
gzip_first_cpu=$(min "${gzip_firsts[@]}")
gzip_unchanged_cpu=$(min "${gzip_unchangeds[@]}")
gzip_bytes=$(traffic | cut -d' ' -f2)


if [[ ${PART:-all} != cpu ]]; then
  echo "feeds: $feeds, cron runs: $runs, 5 minutes apart (simulated $((runs * 5)) minutes)"
  printf 'fetch everything every run: %6d requests %12d body bytes\n' "$all_requests" "$all_bytes"
  printf 'per-feed schedule:          %6d requests %12d body bytes\n' "$sched_requests" "$sched_bytes"
  printf 'RATIO requests: %.1fx fewer\n' "$(echo "$all_requests / $sched_requests" | bc -l)"
  printf 'RATIO bytes: %.1fx fewer\n' "$(echo "$all_bytes / $sched_bytes" | bc -l)"
fi
echo "all-unchanged run: $unchanged_statuses"
printf 'CPU (best of 3): first run (parse all) %.3f s, all-unchanged run %.3f s, process spawn %.3f s (%d MB served per run)\n' \
  "$first_cpu" "$unchanged_cpu" "$spawn_cpu" "$((same_bytes / same_passes / 1000000))"
printf 'RATIO CPU all-unchanged / first: %.1f%%\n' "$(echo "100 * $unchanged_cpu / $first_cpu" | bc -l)"
printf 'RATIO CPU all-unchanged / first, both net of the process spawn: %.1f%%\n' \
  "$(echo "100 * ($unchanged_cpu - $spawn_cpu) / ($first_cpu - $spawn_cpu)" | bc -l)"
printf 'floor: curl(1) downloading the same bodies %.3f s = %.1f%% of the first run\n' \
  "$curl_cpu" "$(echo "100 * $curl_cpu / $first_cpu" | bc -l)"
printf 'RATIO CPU all-unchanged / curl(1) downloading the same bodies: %.2fx\n' "$(echo "$unchanged_cpu / $curl_cpu" | bc -l)"
printf 'floor: libcurl alone receiving the same bodies, %s in flight, %.3f s = %.1f%% of the first run\n' \
  "$per_host" "$floor_cpu" "$(echo "100 * $floor_cpu / $first_cpu" | bc -l)"
printf 'RATIO CPU all-unchanged / libcurl alone: %.2fx\n' "$(echo "$unchanged_cpu / $floor_cpu" | bc -l)"
printf 'floor: libcurl alone with the receive options rssflow sets (no signals, its buffer size) %.3f s = %.1f%% of the first run\n' \
  "$tuned_floor_cpu" "$(echo "100 * $tuned_floor_cpu / $first_cpu" | bc -l)"
printf 'RATIO CPU all-unchanged / libcurl alone with rssflow'"'"'s receive options: %.2fx\n' \
  "$(echo "$unchanged_cpu / $tuned_floor_cpu" | bc -l)"
printf 'gzip-served (CPU, best of 3): first run %.3f s, all-unchanged run %.3f s (%d KB served per run)\n' \
  "$gzip_first_cpu" "$gzip_unchanged_cpu" "$((gzip_bytes / 6 / 1000))"
printf 'RATIO CPU all-unchanged / first, gzip-served: %.1f%%\n' "$(echo "100 * $gzip_unchanged_cpu / $gzip_first_cpu" | bc -l)"
