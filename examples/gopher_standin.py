#!/usr/bin/env python3
"""A tiny local Gopher server standing in for quux.org, for gopherclient.py.

Not from the seeds: the book's client talks to an internet Gopher server,
which these machines cannot reach.  This one listens on 127.0.0.1 only and
serves a fixed menu ("" or "/") and one text document ("/about").

Usage: gopher_standin.py [PORT]      (default 7070; the real protocol uses 70)
Written on socketserver, so under "python -m fastsock run" it runs on
fastsock.socketserver.
"""
import socketserver
import sys

MENU = (
    "iWelcome to the fastsock Gopher stand-in\tfake\t(NULL)\t0\r\n"
    "0About this server\t/about\t{host}\t{port}\r\n"
    "1The menu again\t/\t{host}\t{port}\r\n"
    ".\r\n"
)
ABOUT = (
    "This text is served by examples/gopher_standin.py on loopback.\r\n"
    "It stands in for the book's internet Gopher server.\r\n"
    ".\r\n"
)


class GopherHandler(socketserver.StreamRequestHandler):
    def handle(self):
        selector = self.rfile.readline(1024).decode("utf-8", "replace").strip()
        host, port = self.server.server_address[:2]
        if selector in ("", "/"):
            reply = MENU.format(host=host, port=port)
        elif selector == "/about":
            reply = ABOUT
        else:
            reply = "3'%s' does not exist\tfake\t(NULL)\t0\r\n.\r\n" % selector
        self.wfile.write(reply.encode("utf-8"))
        print("served %r to %s" % (selector, self.client_address[0]), flush=True)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 7070
    with Server(("127.0.0.1", port), GopherHandler) as server:
        print("Gopher stand-in on 127.0.0.1:%d" % server.server_address[1],
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
