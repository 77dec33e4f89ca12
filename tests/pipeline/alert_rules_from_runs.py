#!/usr/bin/python3
"""The alert rules and the dashboard, checked against what the binary really writes.

Runs `rssflow run` for both sinks against a loopback HTTP server: a first run that loads,
a second that loads nothing new, a run where most sources fail, one where they are then
skipped (backing off), and a run whose sink fails. Each run's --metrics-file becomes promtool
test series (hourly runs, the textfile collector showing the last run's file), and
`promtool test rules` checks that RssflowNoNewArticles, RssflowManySourcesFailing,
RssflowLoadFailing and RssflowStale fire when they should and stay silent otherwise. Then
every metric name (and label value) a rule or a dashboard query uses must appear in a file
the binary wrote.

usage: alert_rules_from_runs.py RSSFLOW_BINARY SOURCE_DIR PG_CONNINFO_FILE
"""
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

BINARY, SOURCE_DIR, CONNINFO_FILE = sys.argv[1:4]
RULES = os.path.join(SOURCE_DIR, "config", "prometheus", "rssflow.rules.yml")
DASHBOARD = os.path.join(SOURCE_DIR, "config", "grafana", "rssflow.json")
KEYWORDS = os.path.join(SOURCE_DIR, "config", "keywords.tsv")
LABELS = {"job": "rssflow", "instance": "host-1"}
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


# --- loopback feeds ----------------------------------------------------------------------
# /feed/N.xml: three items, the same every time. /fail/N: 404. The first two feeds wait for
# each other (a barrier) on the first run, so two transfers are provably in flight at once.
barrier = threading.Barrier(2)
barrier_armed = threading.Event()


def feed(n):
    items = "".join(
        f"<item><title>Feed {n} item {i}</title><link>https://example.org/{n}/{i}</link>"
        f"<guid>https://example.org/{n}/{i}</guid><pubDate>Mon, 01 Dec 2025 10:0{i}:00 GMT</pubDate>"
        f"<description>Item {i} of feed {n} about PostgreSQL and Rust.</description></item>"
        for i in range(3))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        m = re.fullmatch(r"/feed/(\d+)\.xml", self.path)
        if not m:
            self.send_error(404)
            return
        if barrier_armed.is_set() and m.group(1) in ("1", "2"):
            try:
                barrier.wait(timeout=20)
            except threading.BrokenBarrierError:
                self.send_error(500, "the other transfer never came")
                return
        body = feed(m.group(1)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = f"http://127.0.0.1:{server.server_address[1]}"


def opml(urls):
    outlines = "".join(f'<outline text="s{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
    return f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>\n'


# --- the runs ----------------------------------------------------------------------------
def run(workdir, name, sink_args, sources, expected_status):
    opml_path = os.path.join(workdir, name + ".opml")
    with open(opml_path, "w") as f:
        f.write(opml(sources))
    prom = os.path.join(workdir, "rssflow.prom")  # one textfile, replaced by each run, as in production
    argv = [BINARY, "run", "--sources", opml_path, "--keywords", KEYWORDS, "--metrics-file", prom,
            "--lock-file", os.path.join(workdir, "lock"), "--concurrency", "4", "--per-host", "2", "--quiet"] + sink_args
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    check(result.returncode == expected_status,
          f"{name}: exit {result.returncode}, expected {expected_status}; stderr:\n{result.stderr}")
    check(os.path.exists(prom), f"{name}: no metrics file written")
    with open(prom) as f:
        return f.read()


def sample_value(text, name, labels=""):
    m = re.search(r"^" + re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def runs_for(sink, workdir):
    good = [f"{BASE}/feed/1.xml", f"{BASE}/feed/2.xml"]
    failing = [f"{BASE}/feed/1.xml"] + [f"{BASE}/fail/{i}" for i in range(6)]
    if sink == "postgres":
        with open(CONNINFO_FILE) as f:
            conninfo = f.read().strip()
        schema = f"alerts_{os.getpid()}_{int(time.time())}"
        args = ["--sink", "postgres", "--database-url", conninfo, "--schema", schema]
        broken = ["--sink", "postgres", "--database-url", re.sub(r"^(postgresql://[^/]*/)[^?]*", r"\1rssflow_no_such_db", conninfo),
                  "--schema", schema]
    else:
        args = ["--out", os.path.join(workdir, "out-{run_id}.jsonl"), "--state-file", os.path.join(workdir, "state.json")]
        # --all: every record is written, so writing fails (ENOSPC) even though none is new.
        broken = ["--out", "/dev/full", "--all", "--state-file", os.path.join(workdir, "state.json")]
    files = {}
    barrier_armed.set()
    files["first"] = run(workdir, "first", args, good, 0)
    barrier_armed.clear()
    # The runs stand for hourly cron runs made back to back: --force fetches the sources their
    # schedule (issue 12) would make due an hour later; the backing-off run keeps the schedule,
    # so its failed sources are skipped by their backoff.
    files["second"] = run(workdir, "second", args + ["--force"], good, 0)
    files["failing"] = run(workdir, "failing", args + ["--force"], failing, 1)
    files["backing_off"] = run(workdir, "backing_off", args, failing, 1)
    files["sink_failure"] = run(workdir, "sink_failure", broken + ["--force"], good, 3)

    first, second = files["first"], files["second"]
    if sink == "postgres":
        check(sample_value(first, "rssflow_load_rows_total", 'result="inserted"') == 6, f"{sink}: first run inserted 6\n{first}")
        check(sample_value(second, "rssflow_load_rows_total", 'result="inserted"') == 0, f"{sink}: second run inserted 0")
        check(sample_value(second, "rssflow_feeds_total", 'status="unchanged",reason="none"') == 2,
              f"{sink}: second run: both bodies unchanged, not parsed\n{second}")
        check(sample_value(second, "rssflow_load_rows_total", 'result="written"') is None,
              f"{sink}: the postgres sink reports no 'written'")
    else:
        check(sample_value(first, "rssflow_load_rows_total", 'result="written"') == 6, f"{sink}: first run wrote 6\n{first}")
        check(sample_value(second, "rssflow_load_rows_total", 'result="written"') == 0, f"{sink}: second run wrote 0\n{second}")
        check(sample_value(second, "rssflow_load_rows_total", 'result="inserted"') is None,
              f"{sink}: the jsonl sink reports no 'inserted'")
    check(sample_value(first, "rssflow_fetch_in_flight_max") == 2,
          f"{sink}: two transfers were in flight at once in the first run\n{first}")
    check(sample_value(files["sink_failure"], "rssflow_load_errors_total") == 1, f"{sink}: sink failure counted")
    return files


# --- textfiles -> promtool series --------------------------------------------------------
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_samples(text):
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        labels = dict(LABEL.findall(m.group(2) or ""))
        samples[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return samples


def series_for(timeline, files):
    """timeline: file names, one per hourly run. Timestamps (*_timestamp_seconds) move to the
    simulated hour of the run: its own start and end, and for a failed run's carried-forward
    last success, the end of the last simulated run that succeeded."""
    parsed = {name: parse_samples(text) for name, text in files.items()}
    keys = sorted({k for name in timeline for k in parsed[name]})
    values = {k: [] for k in keys}
    last_success_at = None
    for hour, name in enumerate(timeline):
        samples = parsed[name]
        start = samples.get(("rssflow_run_start_timestamp_seconds", ()))
        end = samples.get(("rssflow_last_completion_timestamp_seconds", ()))
        if samples.get(("rssflow_last_success_timestamp_seconds", ())) == end:
            last_success_at = hour * 3600 + 60
        for k in keys:
            v = samples.get(k)
            if v is not None and k[0].endswith("_timestamp_seconds"):
                if v == start:
                    v = hour * 3600
                elif v == end:
                    v = hour * 3600 + 60
                else:
                    check(last_success_at is not None, f"{name}: {k[0]} = {v} but no earlier run succeeded")
                    v = last_success_at
            values[k].extend([v] * 60)
    out = []
    for (name, labels), vals in values.items():
        all_labels = dict(labels, **LABELS)
        selector = name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(all_labels.items())) + "}"
        segments, i = [], 0
        while i < len(vals):
            j = i
            while j < len(vals) and vals[j] == vals[i]:
                j += 1
            text = "_" if vals[i] is None else repr(vals[i])
            segments.append(f"{text}x{j - i - 1}" if j - i > 1 else text)
            i = j
        out.append({"series": selector, "values": " ".join(segments)})
    return out


def alert(name, labels, description, summary):
    return {"exp_labels": dict(labels, **LABELS), "exp_annotations": {"summary": summary, "description": description}}


def rules_tests(sink, files):
    tests = []
    quiet = lambda t, *names: [{"eval_time": t, "alertname": n, "exp_alerts": []} for n in names]
    # A first run that loads, then a day and more of runs that load nothing new.
    timeline = ["first"] + ["second"] * 27
    tests.append({"interval": "1m", "input_series": series_for(timeline, files), "alert_rule_test":
                  quiet("12h", "RssflowNoNewArticles") +
                  quiet("26h", "RssflowLoadFailing", "RssflowStale", "RssflowManySourcesFailing", "RssflowMetricsAbsent") +
                  [{"eval_time": "26h", "alertname": "RssflowNoNewArticles", "exp_alerts": [
                      alert("RssflowNoNewArticles", {"severity": "warning"},
                            "rssflow inserted no article in the last 24h.",
                            "rssflow has loaded no new articles for a day")]}]})
    # Most sources fail, then back off (skipped sources are not counted as contacted).
    tests.append({"interval": "1m", "input_series": series_for(["first", "failing", "failing", "failing"], files),
                  "alert_rule_test": quiet("50m", "RssflowManySourcesFailing") +
                  [{"eval_time": "3h", "alertname": "RssflowManySourcesFailing", "exp_alerts": [
                      alert("RssflowManySourcesFailing", {"severity": "warning"},
                            "85.71% of the sources of rssflow failed in the last run.",
                            "Many rssflow sources are failing")]}] + quiet("3h", "RssflowLoadFailing")})
    tests.append({"interval": "1m", "input_series": series_for(["first", "failing"] + ["backing_off"] * 3, files),
                  "alert_rule_test": quiet("4h30m", "RssflowManySourcesFailing")})
    # The sink fails on every run after the first: LoadFailing at once, Stale after two hours.
    tests.append({"interval": "1m", "input_series": series_for(["first"] + ["sink_failure"] * 4, files),
                  "alert_rule_test": quiet("50m", "RssflowLoadFailing", "RssflowStale") +
                  [{"eval_time": "1h30m", "alertname": "RssflowLoadFailing", "exp_alerts": [
                      alert("RssflowLoadFailing", {"severity": "critical"},
                            "The last run of rssflow failed to load (exit status 3); see its log for the SQLSTATE.",
                            "rssflow could not load articles")]},
                   {"eval_time": "4h", "alertname": "RssflowStale", "exp_alerts": [
                       alert("RssflowStale", {"severity": "critical"},
                             "Last successful run of rssflow finished 3h 59m 0s ago.",
                             "rssflow has not succeeded for more than two intervals")]}]})
    return {"rule_files": [RULES], "evaluation_interval": "1m", "tests": tests}


# --- every name a rule or query uses was written -----------------------------------------
def used_selectors():
    with open(RULES) as f:
        texts = [f.read()]
    with open(DASHBOARD) as f:
        for panel in json.load(f)["panels"]:
            texts += [t["expr"] for t in panel.get("targets", [])]
    used = []
    for text in texts:
        for m in re.finditer(r"\b(rssflow_[a-z_]+)(?:\{([^}]*)\})?", text):
            used.append((m.group(1), m.group(2) or ""))
    return used


def check_names(all_files):
    written = {}
    for text in all_files:
        for (name, labels), _ in parse_samples(text).items():
            written.setdefault(name, set()).update(labels)
    used = used_selectors()
    check(len({n for n, _ in used}) >= 12, f"too few metric names found in rules and dashboard: {used}")
    for name, matchers in used:
        check(name in written, f"{name} is used by a rule or dashboard query but no run wrote it")
        for label, op, value in re.findall(r'(\w+)\s*(=~|!=|=)\s*"([^"]*)"', matchers):
            if op == "!=" or "$" in value:
                continue
            for alternative in value.split("|") if op == "=~" else [value]:
                check((label, alternative) in written.get(name, set()),
                      f'{name}{{{label}="{alternative}"}} is used by a rule or dashboard query but no run wrote it')


def main():
    all_files = []
    with tempfile.TemporaryDirectory() as workdir:
        for sink in ("postgres", "jsonl"):
            sink_dir = os.path.join(workdir, sink)
            os.mkdir(sink_dir)
            files = runs_for(sink, sink_dir)
            all_files += files.values()
            test_file = os.path.join(sink_dir, "rules.test.json")
            with open(test_file, "w") as f:
                json.dump(rules_tests(sink, files), f, indent=1)
            result = subprocess.run(["promtool", "test", "rules", test_file], capture_output=True, text=True)
            check(result.returncode == 0, f"{sink}: promtool test rules failed:\n{result.stdout}{result.stderr}")
            print(f"{sink}: promtool test rules on series from real runs: exit {result.returncode}", flush=True)
    check_names(all_files)
    server.shutdown()
    print(f"{0 if failures else 1} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
