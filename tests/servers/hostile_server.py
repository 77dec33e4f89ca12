#!/usr/bin/python3
"""A misbehaving loopback HTTP server for rssflow's fetch tests and benchmarks (stdlib only).

Listens on 127.0.0.1, an ephemeral port unless --port is given, and prints the port as the
first line on stdout; the same paths over TLS (self-signed certificate for 127.0.0.1, which a
verifying client must refuse) on a second ephemeral port, printed as the second line. One thread per connection, HTTP/1.1 keep-alive. Paths:

  /feed/<n>.xml        good RSS 2.0 feed; ETag + Last-Modified; 304 on a matching validator
  /atom.xml            good Atom feed (same validators and 304 support)
  /gzip.xml            good feed, Content-Encoding: gzip
  /deflate.xml         good feed, Content-Encoding: deflate
  /raw-deflate.xml     good feed, Content-Encoding: deflate as raw deflate (no zlib header)
  /brotli.xml          Content-Encoding: br (not offered by the client)
  /corrupt-gzip.xml    Content-Encoding: gzip over bytes that are not gzip
  /truncated-gzip.xml  Content-Encoding: gzip, the stream cut off half way
  /empty-gzip.xml      Content-Encoding: gzip of nothing (a 200 whose body decompresses to nothing)
  /mislabelled-gzip.xml  good feed, not compressed, labelled Content-Encoding: gzip
  /delay/<n>.xml       good feed answered after ?ms= milliseconds (default 100), for benchmarks
  /endless             chunked body that never ends
  /big                 declares and sends a 4 MiB body (Content-Length over a 1 MiB cap)
  /slow                declares 10000 bytes, then sends one byte every 2 seconds
  /hang                reads the request and never answers
  /bomb                small gzip body that inflates to 32 MiB of zeros
  /loop/a, /loop/b     302 to each other forever
  /to-file             302 to file:///etc/passwd
  /moved               301 to /feed/1.xml;   /moved-308: 308 to /feed/2.xml
  /moved-twice         301 to /moved (two permanent hops)
  /temporary           302 to /feed/1.xml;   /moved-then-temporary: 301 to /temporary
  /ratelimited         429 with Retry-After: 120
  /unavailable         503 with Retry-After as an HTTP-date one hour ahead
  /error500, /error501 500 / 501
  /notfound, /gone     404 / 410
  /html                an HTML page (200)
  /truncated.xml       200 with XML cut off mid-element
  /partial             Content-Length 5000, 100 bytes, then close
  /empty               200 with an empty body
  /reset               resets the TCP connection (RST) without answering
  /huge-header         200 with one 200 KB response header line
  /many-headers        200 with 2,000 response headers of 100 bytes (200 KB in all)
  /_stats              {"delay_active_max": most /delay/ requests ever served at once};
                       /_stats?reset=1 zeroes it
  /_log                JSON array of every request so far: path, if_none_match,
                       if_modified_since, user_agent, accept_encoding, client_port (one per
                       connection, so reuse is visible), in arrival order
"""

import argparse
import base64
import email.utils
import gzip
import json
import select
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Wed, 01 May 2024 12:00:00 GMT"

_log_lock = threading.Lock()
_log = []
_stats_lock = threading.Lock()
_delay_active = 0
_delay_active_max = 0
_bomb_lock = threading.Lock()
_bomb = None


# Path -> (feed title, how conditional() encodes the body): see the docstring for each.
ENCODED_FEEDS = {
    "/gzip.xml": ("Gzip", "gzip"),
    "/deflate.xml": ("Deflate", "deflate"),
    "/raw-deflate.xml": ("Raw deflate", "raw-deflate"),
    "/brotli.xml": ("Brotli", "br"),
    "/corrupt-gzip.xml": ("Corrupt", "corrupt-gzip"),
    "/truncated-gzip.xml": ("Truncated", "truncated-gzip"),
    "/mislabelled-gzip.xml": ("Mislabelled", "mislabelled-gzip"),
}


def rss(title, items=3):
    entries = "".join(
        f"<item><title>{title} item {i}</title><link>http://example.com/{title.replace(' ', '-')}/{i}</link>"
        f"<guid>{title}-{i}</guid><pubDate>Wed, 01 May 2024 1{i}:00:00 GMT</pubDate>"
        f"<description>Body of &lt;b&gt;{title}&lt;/b&gt; number {i}</description></item>"
        for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.com/</link><description>test feed</description>{entries}"
            "</channel></rss>\n").encode()


ATOM = (b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>Atom test</title><id>urn:test:atom</id><updated>2024-05-01T12:00:00Z</updated>"
        b'<entry><title>Atom entry</title><id>urn:test:atom:1</id><link href="http://example.com/a1"/>'
        b"<updated>2024-05-01T12:00:00Z</updated><summary>hello</summary></entry></feed>\n")
HTML = b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>\n"
TRUNCATED = rss("Truncated")[:180]


# Every link form a hostile feed may use to get a non-http(s) URL stored (issue 10).
DANGEROUS_LINKS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Dangerous links</title><link>https://example.org/</link>
<item><title>js</title><link>javascript:alert(1)</link><guid isPermaLink="false">d1</guid></item>
<item><title>mixed case</title><link>JaVaScRiPt:alert(2)</link><guid isPermaLink="false">d2</guid></item>
<item><title>data</title><link>data:text/html,&lt;script&gt;alert(3)&lt;/script&gt;</link><guid isPermaLink="false">d3</guid></item>
<item><title>file</title><link>file:///etc/passwd</link><guid isPermaLink="false">d4</guid></item>
<item xml:base="javascript:alert(5)//"><title>base</title><link>x</link><guid isPermaLink="false">d5</guid></item>
<item><title>permalink guid</title><guid isPermaLink="true">javascript:alert(6)</guid></item>
<item><title>spaced</title><link> &#x09;javascript:alert(7)</link><guid isPermaLink="false">d7</guid></item>
<item><title>vbscript</title><link>vbscript:msgbox(8)</link><guid isPermaLink="false">d8</guid></item>
<item><title>good</title><link>/ok/9</link><guid isPermaLink="false">d9</guid></item>
</channel></rss>
"""


def bomb():
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            _bomb = gzip.compress(b"\0" * (32 << 20), compresslevel=9)
        return _bomb


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def log_message(self, *args):  # quiet: the test reads /_log instead
        pass

    def send_body(self, status, body, content_type="application/rss+xml", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status, location):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def conditional(self, body, etag, content_type="application/rss+xml", encoding=None):
        validators = [("ETag", etag), ("Last-Modified", LAST_MODIFIED)]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm == etag) or (inm is None and ims == LAST_MODIFIED):
            self.send_response(304)
            for name, value in validators:
                self.send_header(name, value)
            self.end_headers()
            return
        headers = list(validators)
        if encoding == "gzip":
            body = gzip.compress(body, mtime=0)  # mtime 0: the same bytes every time, as nginx sends
            headers.append(("Content-Encoding", "gzip"))
        elif encoding == "deflate":
            body = zlib.compress(body)
            headers.append(("Content-Encoding", "deflate"))
        elif encoding == "raw-deflate":
            packer = zlib.compressobj(wbits=-15)
            body = packer.compress(body) + packer.flush()
            headers.append(("Content-Encoding", "deflate"))
        elif encoding == "br":
            body = b"\x0b\x02\x80not really brotli"
            headers.append(("Content-Encoding", "br"))
        elif encoding == "corrupt-gzip":
            body = b"\x1f\x8b\x08\x00" + b"\xff" * 64
            headers.append(("Content-Encoding", "gzip"))
        elif encoding == "mislabelled-gzip":
            headers.append(("Content-Encoding", "gzip"))
        elif encoding == "truncated-gzip":
            body = gzip.compress(body, mtime=0)[: len(gzip.compress(body, mtime=0)) // 2]
            headers.append(("Content-Encoding", "gzip"))
        self.send_body(200, body, content_type, headers)

    def record(self):
        entry = {
            "path": self.path,
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "user_agent": self.headers.get("User-Agent"),
            "accept_encoding": self.headers.get("Accept-Encoding"),
            "client_port": self.client_address[1],
        }
        with _log_lock:
            _log.append(entry)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/_log":
            with _log_lock:
                body = json.dumps(_log).encode()
            self.send_body(200, body, "application/json")
            return
        if path == "/_stats":
            self.stats(query)
            return
        self.record()
        try:
            self.route(path, query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def route(self, path, query):
        if path == "/redirect-to":  # /redirect-to?url=<%-encoded Location>
            self.redirect(302, urllib.parse.unquote(query.partition("url=")[2]))
        elif path == "/private/feed.xml":  # Basic auth user "reader", password "s3cret-pw"
            expected = "Basic " + base64.b64encode(b"reader:s3cret-pw").decode()
            if self.headers.get("Authorization") == expected:
                self.conditional(rss("Private"), '"private-v1"')
            else:
                self.send_body(401, b"", "text/plain", [("WWW-Authenticate", 'Basic realm="feeds"')])
        elif path == "/escape-reason":  # a reason phrase that would retitle and clear a terminal
            self.send_response(404, "Not \x1b]0;pwned\x07Found\x1b[2J")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/dangerous-links.xml":
            self.send_body(200, DANGEROUS_LINKS)
        elif path.startswith("/feed/") and path.endswith(".xml"):
            name = path[len("/feed/"):-len(".xml")]
            self.conditional(rss(f"Feed {name}"), f'"feed-{name}-v1"')
        elif path == "/atom.xml":
            self.conditional(ATOM, '"atom-v1"', "application/atom+xml")
        elif path in ENCODED_FEEDS:  # a good feed under a Content-Encoding, right or wrong
            title, encoding = ENCODED_FEEDS[path]
            self.conditional(rss(title), f'"{path[1:-len(".xml")]}-v1"', encoding=encoding)
        elif path == "/empty-gzip.xml":
            self.send_body(200, gzip.compress(b"", mtime=0), "application/rss+xml", [("Content-Encoding", "gzip")])
        elif path.startswith("/delay/"):
            ms = 100
            for part in query.split("&"):
                if part.startswith("ms="):
                    ms = int(part[3:])
            self.delay(ms, path[len("/delay/"):])
        elif path == "/big":
            self.send_body(200, b"<rss>" + b" " * (4 << 20) + b"</rss>")
        elif path == "/endless":
            self.endless()
        elif path == "/slow":
            self.slow()
        elif path == "/hang":
            self.hang()
        elif path == "/bomb":
            self.send_body(200, bomb(), headers=[("Content-Encoding", "gzip")])
        elif path == "/loop/a":
            self.redirect(302, "/loop/b")
        elif path == "/loop/b":
            self.redirect(302, "/loop/a")
        elif path == "/to-file":
            self.redirect(302, "file:///etc/passwd")
        elif path == "/moved":
            self.redirect(301, "/feed/1.xml")
        elif path == "/moved-308":
            self.redirect(308, "/feed/2.xml")
        elif path == "/moved-twice":
            self.redirect(301, "/moved")
        elif path == "/temporary":
            self.redirect(302, "/feed/1.xml")
        elif path == "/moved-then-temporary":
            self.redirect(301, "/temporary")
        elif path == "/ratelimited":
            self.send_body(429, b"slow down\n", "text/plain", [("Retry-After", "120")])
        elif path == "/unavailable":
            when = email.utils.formatdate(time.time() + 3600, usegmt=True)
            self.send_body(503, b"maintenance\n", "text/plain", [("Retry-After", when)])
        elif path == "/error500":
            self.send_body(500, b"oops\n", "text/plain")
        elif path == "/error501":
            self.send_body(501, b"no\n", "text/plain")
        elif path == "/gone":
            self.send_body(410, b"gone\n", "text/plain")
        elif path == "/html":
            self.send_body(200, HTML, "text/html; charset=utf-8")
        elif path == "/truncated.xml":
            self.send_body(200, TRUNCATED)
        elif path == "/partial":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(rss("Partial")[:100])
            self.wfile.flush()
            self.close_connection = True
        elif path == "/empty":
            self.send_body(200, b"")
        elif path == "/huge-header":
            self.send_body(200, rss("Huge header"), headers=[("X-Flood", "a" * 200_000)])
        elif path == "/many-headers":
            self.send_body(200, rss("Many headers"), headers=[(f"X-Flood-{i}", "b" * 80) for i in range(2000)])
        elif path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        else:
            self.send_body(404, b"not found\n", "text/plain")

    def stats(self, query):
        global _delay_active_max
        with _stats_lock:
            if "reset=1" in query:
                _delay_active_max = 0
            body = json.dumps({"delay_active_max": _delay_active_max}).encode()
        self.send_body(200, body, "application/json")

    def delay(self, ms, name):
        global _delay_active, _delay_active_max
        with _stats_lock:
            _delay_active += 1
            _delay_active_max = max(_delay_active_max, _delay_active)
        try:
            time.sleep(ms / 1000.0)
        finally:
            with _stats_lock:
                _delay_active -= 1
        self.send_body(200, rss("Delayed " + name))

    def endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<item>" + b"x" * 65536 + b"</item>"
        frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        while True:
            self.wfile.write(frame)

    def slow(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "10000")
        self.end_headers()
        self.wfile.flush()
        for _ in range(10000):
            self.wfile.write(b"<")
            self.wfile.flush()
            if self.peer_closed(2.0):
                break
        self.close_connection = True

    def hang(self):
        self.peer_closed(600.0)
        self.close_connection = True

    def peer_closed(self, seconds):
        """Waits up to `seconds`; True once the client has closed its end."""
        readable, _, _ = select.select([self.connection], [], [], seconds)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):  # resets and aborts are the point here
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="stop when stdin closes (the parent test died or is done)")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    tls_server = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    here = os.path.dirname(os.path.abspath(__file__))
    context.load_cert_chain(os.path.join(here, "selfsigned.crt"), os.path.join(here, "selfsigned.key"))
    tls_server.socket = context.wrap_socket(tls_server.socket, server_side=True)
    threading.Thread(target=tls_server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    print(tls_server.server_address[1], flush=True)
    if args.exit_on_stdin_eof:
        def watch():
            sys.stdin.buffer.read()
            server.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
