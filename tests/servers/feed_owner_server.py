#!/usr/bin/python3
"""A loopback "feed owner" for rssflow's schedule tests and scripts/bench/schedule.sh (stdlib only).

Plays a population of feeds on a simulated clock and records every request. Listens on
127.0.0.1 (ephemeral port unless --port) and prints the port as the first line on stdout.

Control paths (not feeds):
  /_now?t=EPOCH   set the simulated clock (the test sets it before each rssflow run)
  /_log           JSON array of every feed request so far (see RECORD below)
  /_log?clear=1   the same, then forget them

Feeds: any other path; the query string configures the feed, so a source list can describe a
whole population (the feed is identified by its full path + query):
  period=S        the body gets a new entry every S seconds (entries dated at multiples of S);
                  0 or absent: the body never changes (entries dated at fixed past instants)
  validators=V    etag | weak | lm | both (default) | none | rotating (ETag and Last-Modified,
                  but a 304 is decided on If-Modified-Since alone and the ETag changes every
                  hour: each 304 carries a new ETag)
  maxage=S        Cache-Control: max-age=S
  expires=S       Expires: Date + S seconds (and no Cache-Control)
  ttl=M           RSS <ttl>M</ttl> (minutes)
  sy=PERIOD:N     sy:updatePeriod PERIOD, sy:updateFrequency N
  skiphours=1,2   <skipHours> with those hours (GMT)
  retry429=S      the first request is answered 429 with Retry-After: S
  ignore_cond=1   validators are sent but conditional requests are ignored (always 200)
  redirect=1      302 to the same URL with redirect=1 replaced by redirected=1
  items=N         entries in the body (default 10);  pad=N  bytes of text per entry (default 200)
  status=S        always answer status S (an empty body)
  broken=1        a 200 whose body is not well-formed XML (a parse failure)
  gzip=1          Content-Encoding: gzip when the request accepts it (the same bytes each time)
Every response sets a cookie, so a client that keeps cookies would send one back.

RECORD: t (simulated epoch seconds), path, status, version (body version served, -1 for none),
if_none_match, if_modified_since, cookie, referer, user_agent, accept, accept_encoding, bytes,
and etag_sent / last_modified_sent when the response carried them.
"""

import argparse
import email.utils
import gzip
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_lock = threading.Lock()
_now = [0]
_log = []
_first_seen = set()
_bodies = {}
# Fixed instant for the entries of bodies that never change: 2025-01-01T00:00:00Z.
STATIC_BASE = 1735689600


def http_date(t):
    return email.utils.formatdate(t, usegmt=True)


def params_of(query):
    return {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}


def body_for(name, params, version, period):
    items = int(params.get("items", "10"))
    pad = int(params.get("pad", "200"))
    entries = []
    for k in range(items):
        if period > 0:
            n = version - k
            when = n * period
        else:
            n = -k
            when = STATIC_BASE - k * 600
        text = (f"Entry {n} of {name}. " * (pad // 16 + 1))[:pad]
        entries.append(
            f"<item><title>{name} entry {n}</title><link>http://owner.example/{name}/{n}</link>"
            f"<guid>{name}-{n}</guid><pubDate>{http_date(when)}</pubDate>"
            f"<description>{text}</description></item>")
    extra = ""
    if "ttl" in params:
        extra += f"<ttl>{params['ttl']}</ttl>"
    if "sy" in params:
        sy_period, frequency = params["sy"].split(":")
        extra += f"<sy:updatePeriod>{sy_period}</sy:updatePeriod><sy:updateFrequency>{frequency}</sy:updateFrequency>"
    if "skiphours" in params:
        extra += "<skipHours>" + "".join(f"<hour>{h}</hour>" for h in params["skiphours"].split(",")) + "</skipHours>"
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>'
            f"<title>{name}</title><link>http://owner.example/{name}/</link><description>feed owner test</description>"
            f"{extra}{''.join(entries)}</channel></rss>\n").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Buffered: the headers and a small body leave in one write, as real servers send them.
    # Unbuffered, a small body waited in Nagle's algorithm for the client's delayed ACK.
    wbufsize = 1 << 16

    def log_message(self, *args):
        pass

    def date_time_string(self, timestamp=None):
        with _lock:
            return http_date(_now[0])

    def send_bytes(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/_now":
            with _lock:
                _now[0] = int(params_of(parsed.query)["t"])
            return self.send_bytes(200, b"ok\n")
        if parsed.path == "/_log":
            with _lock:
                body = json.dumps(_log).encode()
                if "clear" in params_of(parsed.query):
                    _log.clear()
            return self.send_bytes(200, body, [("Content-Type", "application/json")])
        self.serve_feed(parsed)

    def serve_feed(self, parsed):
        params = params_of(parsed.query)
        name = parsed.path.strip("/").replace("/", "-") or "feed"
        with _lock:
            now = _now[0]
            first = self.path not in _first_seen
            _first_seen.add(self.path)
        record = {
            "t": now, "path": self.path, "status": 0, "version": -1,
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "cookie": self.headers.get("Cookie"), "referer": self.headers.get("Referer"),
            "user_agent": self.headers.get("User-Agent"), "accept": self.headers.get("Accept"),
            "accept_encoding": self.headers.get("Accept-Encoding"), "bytes": 0,
        }
        headers = [("Set-Cookie", "session=owner-" + str(now) + "; Path=/")]
        status, body = self.answer(params, name, now, first, headers, record)
        record["status"] = status
        record["bytes"] = len(body)
        with _lock:
            _log.append(record)
        self.send_bytes(status, body, headers)

    def answer(self, params, name, now, first, headers, record):
        if params.get("redirect") == "1":
            target = self.path.replace("redirect=1", "redirected=1")
            headers.append(("Location", target))
            return 302, b""
        if "status" in params:
            return int(params["status"]), b""
        if params.get("broken") == "1":
            headers.append(("ETag", '"broken"'))
            return 200, b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>cut'
        if first and "retry429" in params:
            headers.append(("Retry-After", params["retry429"]))
            return 429, b"slow down\n"
        period = int(params.get("period", "0"))
        version = now // period if period > 0 else 0
        record["version"] = version
        changed_at = version * period if period > 0 else STATIC_BASE
        kind = params.get("validators", "both")
        etag = f'"v{version} a;b=c  {name}"'
        if kind == "weak":
            etag = "W/" + etag
        last_modified = http_date(changed_at)
        if kind == "rotating":
            etag = f'"r{now // 3600}"'
        send_etag = kind in ("etag", "weak", "both", "rotating")
        send_lm = kind in ("lm", "both", "rotating")
        if send_etag:
            headers.append(("ETag", etag))
            record["etag_sent"] = etag
        if send_lm:
            headers.append(("Last-Modified", last_modified))
            record["last_modified_sent"] = last_modified
        if "maxage" in params:
            headers.append(("Cache-Control", "public, max-age=" + params["maxage"]))
        if "expires" in params:
            headers.append(("Expires", http_date(now + int(params["expires"]))))
        if params.get("ignore_cond") != "1":
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            by_etag = kind != "rotating" and send_etag and inm is not None
            if (by_etag and inm == etag) or \
               (not by_etag and send_lm and ims is not None and ims == last_modified):
                return 304, b""
        headers.append(("Content-Type", "application/rss+xml; charset=utf-8"))
        packed = params.get("gzip") == "1" and "gzip" in (self.headers.get("Accept-Encoding") or "")
        if packed:
            headers.append(("Content-Encoding", "gzip"))
        # Built once per feed and version: the benchmark measures the client, not this server.
        key = (self.path, version, packed)
        with _lock:
            body = _bodies.get(key)
        if body is None:
            body = body_for(name, params, version, period)
            if packed:
                body = gzip.compress(body, mtime=0)
            with _lock:
                _bodies[key] = body
        return 200, body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    if args.exit_on_stdin_eof:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        server.shutdown()
    else:
        server.serve_forever()


if __name__ == "__main__":
    main()
