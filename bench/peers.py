"""The timestamp server on each peer fastsock is measured against.

    python bench/peers.py SERVER short|persistent CONNECTIONS

prints "PORT <n>" once it listens on 127.0.0.1 (or "NA <reason>" when the
server's package is not installed) and serves until it is killed.  Every
server gives the reply of the book's timestamp server (bench/workload.py):
one line in, b"[<ctime()>] <line>" out; with "short" it closes the
connection after the first reply, with "persistent" it answers every line
of a long-lived connection.  bench/run.py starts one process per
measurement and drives it with bench/c/loadgen.

The "x2 processes" servers are informative: the same servers run from
two processes on one SO_REUSEPORT port (fastsock's `processes = 2`; for
uvloop, two processes each creating its own server with reuse_port=True),
so they may use both CPUs where the others have one GIL or one loop.  They
print PORT only once both processes listen.

SERVER is one of SERVERS below.  The peers come from PyPI (the `bench`
extra of pyproject.toml: uvloop, gevent, twisted); asyncio is the
stdlib's.  Each is written the way its documentation shows a line server:
asyncio streams with readline/write/drain, an asyncio.Protocol splitting
lines in data_received (the same class on uvloop's loop), a gevent
StreamServer handler reading the socket's makefile(), and a Twisted
LineReceiver.  The listen backlog is 1024 for all of them, so that 512
connections opened at once are not measured as SYN retransmissions.
"""

import os
import sys
from time import ctime

BACKLOG = 1024

# name -> (label for the tables, package it needs or None)
SERVERS = {
    "stdlib": ("stdlib ThreadingTCPServer", None),
    "fastsock": ("fastsock ThreadingTCPServer", None),
    "fastsock-pool": ("fastsock ThreadPoolTCPServer", None),
    "asyncio-streams": ("asyncio streams", None),
    "asyncio-protocol": ("asyncio protocol", None),
    "uvloop-protocol": ("uvloop protocol", "uvloop"),
    "gevent": ("gevent StreamServer", "gevent"),
    "twisted": ("Twisted LineReceiver", "twisted"),
    "fastsock-x2": ("fastsock ThreadingTCPServer x2 processes", None),
    "fastsock-pool-x2": ("fastsock ThreadPoolTCPServer x2 processes", None),
    "uvloop-protocol-x2": ("uvloop protocol x2 processes", "uvloop"),
}
# Shown beside the others, judged by no target.
INFORMATIVE = ("fastsock-x2", "fastsock-pool-x2", "uvloop-protocol-x2")


class NotAvailable(Exception):
    """The server's package is not installed (or cannot be used)."""


def reply(line):
    return ("[%s] %s" % (ctime(), line.decode())).encode()


def listening(port):
    print("PORT %d" % port, flush=True)


# ---------------------------------------------------------------------------
# socketserver: the stdlib's and fastsock's
# ---------------------------------------------------------------------------

def threaded(impl, short, conns):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import workload
    try:
        SS = workload.load_socketserver("stdlib" if impl == "stdlib"
                                        else "fastsock")
    except workload.NotAvailable as exc:
        raise NotAvailable(str(exc))
    short_h, persistent_h = workload.timestamp_handlers(SS)
    pool = impl.startswith("fastsock-pool")
    base = SS.ThreadPoolTCPServer if pool else SS.ThreadingTCPServer
    parent = os.getpid()
    said = []

    class Server(base):
        request_queue_size = BACKLOG
        allow_reuse_address = True
        daemon_threads = True
        if pool and not short:
            # A persistent handler holds its worker for the connection's
            # whole life, so the pool must have a worker per connection;
            # short connections use the class's default bound.
            max_threads = max(conns, SS.ThreadPoolTCPServer.max_threads)
        if impl.endswith("-x2"):
            processes = 2

            def service_actions(self):
                # The parent's loop starts once the child listens: only
                # then may the load generator connect, or every persistent
                # connection would go to the parent.
                if not said and os.getpid() == parent:
                    said.append(True)
                    listening(self.server_address[1])

    srv = Server(("127.0.0.1", 0), short_h if short else persistent_h)
    if not impl.endswith("-x2"):
        listening(srv.server_address[1])
    srv.serve_forever()


# ---------------------------------------------------------------------------
# asyncio (and uvloop)
# ---------------------------------------------------------------------------

def asyncio_streams(short):
    import asyncio

    async def handle(reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                writer.write(reply(line))
                await writer.drain()
                if short:
                    break
        except ConnectionError:
            pass
        writer.close()

    async def main():
        srv = await asyncio.start_server(handle, "127.0.0.1", 0,
                                         backlog=BACKLOG)
        listening(srv.sockets[0].getsockname()[1])
        await srv.serve_forever()

    asyncio.run(main())


def line_protocol(asyncio, short):
    class Timestamp(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport
            self.buf = b""

        def data_received(self, data):
            buf = self.buf + data if self.buf else data
            start = 0
            while True:
                end = buf.find(b"\n", start) + 1
                if not end:
                    break
                self.transport.write(reply(buf[start:end]))
                start = end
                if short:
                    self.transport.close()
                    return
            self.buf = buf[start:]

    return Timestamp


def asyncio_protocol(short, loop_factory=None, port=0, started=listening):
    import asyncio
    loop = loop_factory() if loop_factory else asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(loop.create_server(
        line_protocol(asyncio, short), "127.0.0.1", port, backlog=BACKLOG,
        reuse_port=True if port else None))
    started(srv.sockets[0].getsockname()[1])
    loop.run_forever()


def uvloop_protocol(short, processes=1):
    try:
        import uvloop
    except ImportError:
        raise NotAvailable("uvloop not installed (pip install fastsock[bench])")
    if processes == 1:
        asyncio_protocol(short, uvloop.new_event_loop)
    else:
        two_processes(lambda port, started: asyncio_protocol(
            short, uvloop.new_event_loop, port, started))


def two_processes(serve):
    """serve(port, started) in this process and in a forked one, both on
    one port with SO_REUSEPORT; PORT is printed once both listen.  The
    child goes with the process group (bench/run.py kills the group)."""
    import socket
    # The port is chosen by a socket bound with SO_REUSEPORT and never
    # listening (it receives no connection), then closed once both listen.
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready_r)
            serve(port, lambda _: os.write(ready_w, b"."))
        finally:
            os._exit(0)
    os.close(ready_w)

    def started(_):
        ok = os.read(ready_r, 1)
        probe.close()
        if not ok:
            raise NotAvailable("the second process did not start")
        listening(port)

    serve(port, started)


# ---------------------------------------------------------------------------
# gevent and Twisted
# ---------------------------------------------------------------------------

def gevent_server(short):
    try:
        from gevent.server import StreamServer
    except ImportError:
        raise NotAvailable("gevent not installed (pip install fastsock[bench])")

    def handle(sock, address):
        rfile = sock.makefile("rb")
        try:
            for line in rfile:
                sock.sendall(reply(line))
                if short:
                    break
        except ConnectionError:
            pass
        rfile.close()
        sock.close()

    srv = StreamServer(("127.0.0.1", 0), handle, backlog=BACKLOG)
    srv.start()
    listening(srv.server_port)
    srv.serve_forever()


def twisted_server(short):
    try:
        from twisted.internet import protocol, reactor
        from twisted.protocols.basic import LineReceiver
    except ImportError:
        raise NotAvailable("twisted not installed (pip install fastsock[bench])")

    class Timestamp(LineReceiver):
        delimiter = b"\n"

        def lineReceived(self, line):
            # LineReceiver strips the delimiter; the reply puts it back.
            self.transport.write(reply(line + b"\n"))
            if short:
                self.transport.loseConnection()

    factory = protocol.Factory.forProtocol(Timestamp)
    port = reactor.listenTCP(0, factory, backlog=BACKLOG, interface="127.0.0.1")
    listening(port.getHost().port)
    reactor.run()


def serve(name, short, conns):
    if name in ("stdlib", "fastsock", "fastsock-pool", "fastsock-x2",
                "fastsock-pool-x2"):
        threaded(name, short, conns)
    elif name == "asyncio-streams":
        asyncio_streams(short)
    elif name == "asyncio-protocol":
        asyncio_protocol(short)
    elif name == "uvloop-protocol":
        uvloop_protocol(short)
    elif name == "uvloop-protocol-x2":
        uvloop_protocol(short, processes=2)
    elif name == "gevent":
        gevent_server(short)
    elif name == "twisted":
        twisted_server(short)
    else:
        raise NotAvailable("unknown server %r" % name)


def main(argv):
    if len(argv) != 3 or argv[0] not in SERVERS or \
            argv[1] not in ("short", "persistent"):
        print("usage: peers.py SERVER short|persistent CONNECTIONS\n"
              "servers: " + " ".join(SERVERS), file=sys.stderr)
        return 2
    try:
        serve(argv[0], argv[1] == "short", int(argv[2]))
    except NotAvailable as exc:
        print("NA %s" % exc, flush=True)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
