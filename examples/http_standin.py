#!/usr/bin/env python3
"""A tiny local web server standing in for www.baidu.com, for tcp_client.py.

Not from the seeds: the tutorial's client fetches a page from the internet,
which these machines cannot reach.  This one listens on 127.0.0.1 only and
answers every GET with the same small HTML page.

Usage: http_standin.py [PORT]        (default 8080)
Written on http.server (itself built on socketserver and socket), so under
"python -m fastsock run" the whole stack runs on fastsock.
"""
import http.server
import sys

PAGE = (
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<title>fastsock stand-in</title></head>\n"
    "<body><p>欢迎: served by examples/http_standin.py</p></body></html>\n"
).encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("HTTP stand-in on 127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
