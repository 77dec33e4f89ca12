#!/usr/bin/python3
"""A fast loopback feed server for fetch benchmarks (stdlib asyncio, one thread).

Every GET is answered with a small RSS feed after --delay-ms milliseconds (default 100), over
HTTP/1.1 keep-alive. Unlike hostile_server.py (http.server, a thread and a full header parse
per request) it costs the server only microseconds per request, so a benchmark measures the
client rather than Python. Prints the port on its first stdout line; exits when stdin closes.
"""

import argparse
import asyncio
import sys

BODY = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Delayed</title>'
        b"<link>http://example.com/</link><description>benchmark feed</description>"
        + b"".join(b"<item><title>Item %d</title><link>http://example.com/%d</link><guid>g%d</guid>"
                   b"<description>Body %d</description></item>" % (i, i, i, i) for i in range(5))
        + b"</channel></rss>\n")
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n"
            b"ETag: \"bench\"\r\n\r\n" % len(BODY)) + BODY


async def serve(reader, writer, delay):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head:
                break
            await asyncio.sleep(delay)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay-ms", type=int, default=100)
    args = parser.parse_args()
    delay = args.delay_ms / 1000.0
    server = await asyncio.start_server(lambda r, w: serve(r, w, delay), "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.buffer.read)
    async with server:
        await asyncio.wait([stdin_closed, asyncio.ensure_future(server.serve_forever())],
                           return_when=asyncio.FIRST_COMPLETED)


if __name__ == "__main__":
    asyncio.run(main())
