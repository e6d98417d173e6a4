"""The Python side of each benchmark scenario, run in a fresh process.

    python bench/workload.py SCENARIO IMPL COUNT     -> one JSON line on stdout
    python bench/workload.py SCENARIO floor COUNT    -> the same, for the floor
    python bench/workload.py server KIND IMPL [DIR]  -> "PORT <n>", then serves
                                  (IMPL "floor": http's floor server, see
                                  FloorHTTPServer)

IMPL is "stdlib" (the socket/socketserver modules of this Python) or
"fastsock".  bench/run.py starts this script once per measurement, already
pinned to a CPU when the scenario asks for it, so the two implementations
never share a process and one cannot warm caches for the other.

A scenario whose fastsock side cannot run yet (a module or function not
written) prints {"na": "<reason>"} and exits 0, so that the runner reports
"n/a (reason)" instead of failing the whole suite.
"""

import io
import json
import os
import random
import sys
import threading
import time


class NotAvailable(Exception):
    """The implementation under test lacks what this scenario needs."""


def load_socket(impl):
    if impl == "stdlib":
        import socket
        return socket
    try:
        import fastsock
    except ImportError as exc:
        raise NotAvailable("fastsock not importable: %s" % exc)
    return fastsock


def load_socketserver(impl):
    if impl == "stdlib":
        import socketserver
        return socketserver
    load_socket(impl)
    try:
        import fastsock.socketserver as ss
    except ImportError as exc:
        raise NotAvailable("fastsock.socketserver not importable: %s" % exc)
    return ss


def need(module, *names):
    """Raise NotAvailable unless the module has every attribute named."""
    missing = [n for n in names if not hasattr(module, n)]
    if missing:
        raise NotAvailable("%s lacks %s" % (module.__name__, ", ".join(missing)))


# ---------------------------------------------------------------------------
# Helpers shared by the scenarios
# ---------------------------------------------------------------------------

def tcp_pair(S, nodelay=True):
    """A connected TCP pair over 127.0.0.1 (client end, server end)."""
    need(S, "socket", "AF_INET", "SOCK_STREAM", "IPPROTO_TCP", "TCP_NODELAY")
    lsock = S.socket(S.AF_INET, S.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    a = S.socket(S.AF_INET, S.SOCK_STREAM)
    a.connect(lsock.getsockname())
    b, _ = lsock.accept()
    lsock.close()
    if nodelay:
        a.setsockopt(S.IPPROTO_TCP, S.TCP_NODELAY, 1)
        b.setsockopt(S.IPPROTO_TCP, S.TCP_NODELAY, 1)
    return a, b


def in_child(other_end, work, *args):
    """Fork; run work(*args) in the child, which never returns to the caller.

    The child first closes its copy of other_end (the parent's socket), so
    that the parent closing it is seen as end of stream by the child."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            other_end.close()
            work(*args)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    return pid


def reap(pid):
    """Wait for the child; returns the CPU time (user + system) it used."""
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("child process failed (status %d)" % status)
    return usage.ru_utime + usage.ru_stime


class Timer:
    """Wall time and this process's CPU time over a timed section.

    On a shared machine the CPU time of two peers pinned to one CPU is what
    their wall time would be if nothing else ran there; the runner reports
    it for the pinned scenarios, and the wall time beside it."""

    def start(self):
        self.cpu0 = time.process_time()
        self.t0 = time.perf_counter()

    def stop(self):
        self.wall = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.cpu0

    def result(self, ops, child_cpu=0.0, **extra):
        return dict(extra, seconds=self.wall, cpu=self.cpu + child_cpu, ops=ops)


def recv_exact(sock, size):
    data = sock.recv(size)
    while 0 < len(data) < size:
        more = sock.recv(size - len(data))
        if not more:
            break
        data += more
    return data


def stream_echo(sock, size):
    recv, sendall = sock.recv, sock.sendall
    while True:
        data = recv(size)
        if not data:
            return
        if len(data) < size:
            data += recv_exact(sock, size - len(data))
        sendall(data)


# ---------------------------------------------------------------------------
# Scenarios: each returns {"seconds": ..., "ops": ...} for the timed part
# ---------------------------------------------------------------------------

def stream_pingpong(S, a, b, rounds, size=64):
    msg = b"x" * size
    pid = in_child(a, stream_echo, b, size)
    b.close()
    sendall, recv = a.sendall, a.recv
    timer = Timer()
    timer.start()
    for _ in range(rounds):
        sendall(msg)
        data = recv(size)
        if len(data) != size:
            data += recv_exact(a, size - len(data))
            if len(data) != size:
                raise RuntimeError("short reply")
    timer.stop()
    a.close()
    return timer.result(rounds, reap(pid))


def pingpong_unix(S, rounds):
    need(S, "socketpair")
    a, b = S.socketpair()
    return stream_pingpong(S, a, b, rounds)


def pingpong_tcp(S, rounds):
    a, b = tcp_pair(S)
    return stream_pingpong(S, a, b, rounds)


def pingpong_timeout(S, rounds):
    a, b = tcp_pair(S)
    a.settimeout(10.0)
    b.settimeout(10.0)
    return stream_pingpong(S, a, b, rounds)


def udp_echo(sock):
    recvfrom, sendto = sock.recvfrom, sock.sendto
    while True:
        data, addr = recvfrom(65536)
        if not data:
            return
        sendto(data, addr)


def pingpong_udp(S, rounds, size=64):
    need(S, "SOCK_DGRAM")
    a = S.socket(S.AF_INET, S.SOCK_DGRAM)
    b = S.socket(S.AF_INET, S.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    baddr = b.getsockname()
    pid = in_child(a, udp_echo, b)
    b.close()
    msg = b"x" * size
    sendto, recvfrom = a.sendto, a.recvfrom
    timer = Timer()
    timer.start()
    for _ in range(rounds):
        sendto(msg, baddr)
        data, addr = recvfrom(65536)
        if len(data) != size:
            raise RuntimeError("short datagram")
    timer.stop()
    a.sendto(b"", baddr)
    a.close()
    return timer.result(rounds, reap(pid))


def recv_small(S, count, batch=64):
    """recv(1 << 20) of 16-byte datagrams; only the receives are timed."""
    need(S, "socketpair", "AF_UNIX", "SOCK_DGRAM")
    a, b = S.socketpair(S.AF_UNIX, S.SOCK_DGRAM)
    msg = b"x" * 16
    send, recv = a.send, b.recv
    big = 1 << 20
    clock, cpu_clock = time.perf_counter, time.process_time
    spent = cpu = 0.0
    done = 0
    rng = range(batch)
    while done < count:
        for _ in rng:
            send(msg)
        c0 = cpu_clock()
        t0 = clock()
        for _ in rng:
            recv(big)
        spent += clock() - t0
        cpu += cpu_clock() - c0
        done += batch
    a.close()
    b.close()
    return {"seconds": spent, "cpu": cpu, "ops": done}


def bulk_sender(sock, chunks, chunk):
    data = b"\0" * chunk
    if sock.recv(1) != b"g":
        raise RuntimeError("no go signal")
    sendall = sock.sendall
    for _ in range(chunks):
        sendall(data)
    sock.close()


def bulk(S, mib, chunk=65536):
    need(S, "socket")
    a, b = tcp_pair(S, nodelay=False)
    total = mib << 20
    pid = in_child(b, bulk_sender, a, total // chunk, chunk)
    a.close()
    buf = memoryview(bytearray(chunk))
    recv_into = b.recv_into
    got = 0
    timer = Timer()
    timer.start()
    b.sendall(b"g")
    while got < total:
        n = recv_into(buf)
        if not n:
            break
        got += n
    timer.stop()
    b.close()
    child_cpu = reap(pid)
    if got != total:
        raise RuntimeError("received %d of %d bytes" % (got, total))
    return timer.result(mib, child_cpu, bytes=got)


def make_lines(count):
    return b"".join(b"%d short line\n" % i for i in range(count))


def line_writer(sock, blob):
    fd = sock.fileno()
    view = memoryview(blob)
    for off in range(0, len(blob), 65536):
        part = view[off:off + 65536]
        while part:
            part = part[os.write(fd, part):]
    sock.close()


def count_lines(readline):
    """The loop the readline scenario times, on every side (stdlib, fastsock
    and the floor): `while readline(): n += 1`."""
    n = 0
    while readline():
        n += 1
    return n


def warm_up(loop, arg):
    """Run `loop` a few times on a tiny input before the timed part, so that
    its bytecode is specialized as in a program that has been running a
    while.  CPython 3.11 specializes a function's code after about eight
    calls, and a `while` loop's backward jump does not count toward them:
    a loop entered once, cold, would run its whole million iterations on
    the generic call and add paths, which no long-lived program pays
    (measured here: about 40 ns a line, on both sides).  3.12 and later
    specialize from the first call, and this costs nothing there."""
    for _ in range(16):
        loop(arg())


def read_lines(S, count, text):
    need(S, "socketpair")
    blob = make_lines(count)
    if not text:
        warm_up(count_lines, lambda: io.BytesIO(b"one\ntwo\n").readline)
    a, b = S.socketpair()
    timer = Timer()
    timer.start()
    pid = in_child(a, line_writer, b, blob)
    b.close()
    n = 0
    if text:
        with a.makefile("r", encoding="utf-8") as f:
            for _ in f:
                n += 1
    else:
        with a.makefile("rb") as f:
            n = count_lines(f.readline)
    timer.stop()
    a.close()
    child_cpu = reap(pid)
    if n != count:
        raise RuntimeError("read %d lines, expected %d" % (n, count))
    return timer.result(n, child_cpu)


def readline_rb(S, count):
    return read_lines(S, count, text=False)


def readline_text(S, count):
    return read_lines(S, count, text=True)


def server_shutdown(S, SS, samples):
    """Latency of shutdown() on a ThreadingTCPServer inside serve_forever()."""
    import socket as client_socket     # the client side is the same for both

    class Echo(SS.StreamRequestHandler):
        def handle(self):
            self.wfile.write(self.rfile.readline())

    spent = 0.0
    worst = 0.0
    for _ in range(samples):
        srv = SS.ThreadingTCPServer(("127.0.0.1", 0), Echo)
        srv.daemon_threads = True
        t = threading.Thread(target=srv.serve_forever)
        t.start()
        with client_socket.create_connection(srv.server_address, timeout=5) as c:
            c.sendall(b"ping\n")
            if c.makefile("rb").readline() != b"ping\n":
                raise RuntimeError("bad echo")
        time.sleep(random.uniform(0.02, 0.12))
        t0 = time.perf_counter()
        srv.shutdown()
        dt = time.perf_counter() - t0
        t.join(10)
        srv.server_close()
        spent += dt
        worst = max(worst, dt)
    return {"seconds": spent, "ops": samples, "worst": worst}


# ---------------------------------------------------------------------------
# Floors: the cheapest Python doing the same work, for the scenarios where a
# target is close to the interpreter's own cost.  No socket module can beat
# these from Python code shaped like the scenario's.
# ---------------------------------------------------------------------------

def os_echo(fd, size):
    read, write = os.read, os.write
    while True:
        data = read(fd, size)
        if not data:
            return
        write(fd, data)


def floor_stream_pingpong(a, b, rounds, size=64):
    """The ping-pong loop with os.write/os.read on the fds: the thinnest
    wrappers of the syscalls Python has (they release the GIL too)."""
    msg = b"x" * size
    pid = in_child(a, os_echo, b.fileno(), size)
    b.close()
    fd = a.fileno()
    read, write = os.read, os.write
    timer = Timer()
    timer.start()
    for _ in range(rounds):
        write(fd, msg)
        if len(read(fd, size)) != size:
            raise RuntimeError("short reply")
    timer.stop()
    a.close()
    return timer.result(rounds, reap(pid))


def floor_pingpong_unix(S, rounds):
    a, b = S.socketpair()
    return floor_stream_pingpong(a, b, rounds)


def floor_pingpong_tcp(S, rounds):
    a, b = tcp_pair(S)
    return floor_stream_pingpong(a, b, rounds)


def floor_pingpong_udp(S, rounds, size=64):
    """Datagram round trips with os.write/os.read on connected UDP sockets:
    less work than sendto/recvfrom (no address to parse or to build), so a
    lower bound for them."""
    a = S.socket(S.AF_INET, S.SOCK_DGRAM)
    b = S.socket(S.AF_INET, S.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    a.connect(b.getsockname())
    b.connect(a.getsockname())
    pid = in_child(a, os_echo, b.fileno(), 65536)
    b.close()
    msg = b"x" * size
    fd = a.fileno()
    read, write = os.read, os.write
    timer = Timer()
    timer.start()
    for _ in range(rounds):
        write(fd, msg)
        if len(read(fd, 65536)) != size:
            raise RuntimeError("short datagram")
    timer.stop()
    write(fd, b"")
    a.close()
    return timer.result(rounds, reap(pid))


def floor_lines(S, count, text):
    """A lower bound for reading the lines from Python: the same bytes moved
    through the kernel (os.read in 64 KiB chunks, then dropped), plus the
    cheapest Python doing the scenario's loop.

    readline: `while readline(): n += 1` with readline an io.BytesIO's
    (over the same bytes, made before the timed part): C code that finds
    the newline with memchr and makes one bytes object per call, which is
    what any readline must do; only the socket buffer's refills are left
    out.  (Until issue 13 this floor was a list iterator's __next__ over
    ready-made objects, which makes no object per line: bench/README.md
    keeps that figure.)

    text iteration: `for line in lines: n += 1` over a list of ready-made
    objects, with no line cut and no str made per line.

    Any socket file does at least this much."""
    blob = make_lines(count)
    if text:
        items = [b"x"] * count + [b""]      # made before the timed part
    else:
        readline = io.BytesIO(blob).readline
        warm_up(count_lines, lambda: io.BytesIO(b"one\ntwo\n").readline)
    a, b = S.socketpair()
    timer = Timer()
    timer.start()
    pid = in_child(a, line_writer, b, blob)
    b.close()
    fd, read = a.fileno(), os.read
    while read(fd, 65536):
        pass
    n = 0
    if text:
        for _ in items[:-1]:
            n += 1
    else:
        n = count_lines(readline)
    timer.stop()
    a.close()
    child_cpu = reap(pid)
    if n != count:
        raise RuntimeError("counted %d lines, expected %d" % (n, count))
    return timer.result(n, child_cpu)


FLOORS = {
    "pingpong_unix": floor_pingpong_unix,
    "pingpong_tcp": floor_pingpong_tcp,
    "pingpong_udp": floor_pingpong_udp,
    "readline": lambda S, n: floor_lines(S, n, text=False),
    "text_iter": lambda S, n: floor_lines(S, n, text=True),
}


SCENARIOS = {
    "pingpong_unix": pingpong_unix,
    "pingpong_tcp": pingpong_tcp,
    "pingpong_udp": pingpong_udp,
    "pingpong_timeout": pingpong_timeout,
    "recv_small": recv_small,
    "bulk": bulk,
    "readline": readline_rb,
    "text_iter": readline_text,
    "shutdown": server_shutdown,
}


# ---------------------------------------------------------------------------
# Servers for the load-generator scenarios
# ---------------------------------------------------------------------------

def timestamp_handlers(SS):
    from time import ctime

    class ShortHandler(SS.StreamRequestHandler):
        """The book's tsTservSS.py: one line in, one timestamped line out."""

        def handle(self):
            data = self.rfile.readline()
            self.wfile.write(("[%s] %s" % (ctime(), data.decode())).encode())

    class PersistentHandler(SS.StreamRequestHandler):
        """The same reply for every line of a long-lived connection."""

        def handle(self):
            write = self.wfile.write
            for data in self.rfile:
                write(("[%s] %s" % (ctime(), data.decode())).encode())

    return ShortHandler, PersistentHandler


class FloorHTTPServer:
    """http_wrk's floor: the same handler, a thread per request, and the
    thinnest socket calls Python has instead of a socket layer.

    The stdlib's C socket type (`_socket.socket`) is used directly, as the
    ping-pong floors use os.read/os.write: accept with `_accept()` (an fd,
    no Python socket object), then in a new daemon threading.Thread, as
    ThreadingMixIn starts one: one `recv` into an io.BytesIO rfile (wrk's
    request arrives in one segment), SimpleHTTPRequestHandler answering
    into a wfile whose `write` is the C `sendall`, and `shutdown` + `close`.
    What is left out is the socket layer of socket.py, socketserver.py and
    selectors.py: the serving loop's poll, Python socket objects, makefile's
    SocketIO and BufferedReader, _SocketWriter, shutdown_request.  Whatever
    the socket layer, a server running this handler with a thread per
    request does this much."""

    def __init__(self, directory):
        import _socket
        import functools
        import http.server

        class Writer:
            __slots__ = ("write",)

            def flush(self):
                pass

        class Handler(http.server.SimpleHTTPRequestHandler):
            def setup(self):
                self.rfile = io.BytesIO(self.request.recv(65536))
                self.wfile = Writer()
                self.wfile.write = self.request.sendall

            def finish(self):
                pass

        self._socket = _socket
        self.handler = functools.partial(Handler, directory=directory)
        self.lsock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        self.lsock.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(128)
        self.server_address = self.lsock.getsockname()

    def process(self, fd, address):
        S = self._socket
        # Family, type and protocol given: no syscalls to find them out.
        sock = S.socket(S.AF_INET, S.SOCK_STREAM, 0, fd)
        try:
            self.handler(sock, address, self)
        finally:
            try:
                sock.shutdown(S.SHUT_WR)
            except OSError:
                pass
            sock.close()

    def handle_request(self):
        """Accept one connection and start its thread; returns the thread."""
        fd, address = self.lsock._accept()
        t = threading.Thread(target=self.process, args=(fd, address))
        t.daemon = True
        t.start()
        return t

    def serve_forever(self):
        while True:
            self.handle_request()

    def server_close(self):
        self.lsock.close()


def make_server(kind, impl, directory):
    if kind.startswith("http") and impl == "floor":
        return FloorHTTPServer(directory)
    if kind.startswith("http"):
        if impl == "fastsock":
            fs = load_socket(impl)
            need(fs, "patch")
            fs.patch()
        import http.server
        import functools

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128
            if kind.endswith("-pool") and impl != "stdlib":
                max_threads = 16    # fastsock's opt-in pool (see below)

        handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                    directory=directory)
        srv = Server(("127.0.0.1", 0), handler)
        used = type(srv.socket).__module__.split(".")[0]
        if used != ("socket" if impl == "stdlib" else "fastsock"):
            raise NotAvailable("http.server runs on %s sockets" % used)
        return srv
    SS = load_socketserver(impl)
    short, persistent = timestamp_handlers(SS)
    if kind.startswith("forking"):
        base = SS.ForkingTCPServer
    elif kind.startswith("tcp"):
        base = SS.TCPServer         # each request in the serving thread
    else:
        base = SS.ThreadingTCPServer
    if kind.endswith("-pool") and impl != "stdlib":
        # fastsock's opt-in bounded pool; the stdlib has none, so its side
        # of this scenario stays ThreadingTCPServer.
        need(SS, "ThreadPoolTCPServer")
        base = SS.ThreadPoolTCPServer

    class Server(base):
        # The default backlog of 5 drops connections at concurrency 16 and
        # turns the figure into a measure of SYN retransmission timers.
        request_queue_size = 128
        allow_reuse_address = True
        daemon_threads = True
        max_threads = 16 if kind.endswith("-pool") else None

    handler = persistent if "persistent" in kind else short
    return Server(("127.0.0.1", 0), handler)


def serve(kind, impl, directory=None):
    try:
        srv = make_server(kind, impl, directory)
    except NotAvailable as exc:
        print("NA %s" % exc, flush=True)
        return 0
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "server":
        return serve(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
    if len(argv) != 3 or argv[0] not in SCENARIOS:
        print("usage: workload.py SCENARIO stdlib|fastsock COUNT\n"
              "       workload.py server KIND stdlib|fastsock [DIR]\n"
              "scenarios: " + " ".join(SCENARIOS), file=sys.stderr)
        return 2
    name, impl, count = argv[0], argv[1], int(argv[2])
    try:
        if impl == "floor":
            import socket
            print(json.dumps(FLOORS[name](socket, count)))
            return 0
        S = load_socket(impl)
        if name == "shutdown":
            result = server_shutdown(S, load_socketserver(impl), count)
        else:
            result = SCENARIOS[name](S, count)
    except NotAvailable as exc:
        print(json.dumps({"na": str(exc)}))
        return 0
    except Exception as exc:
        if impl == "stdlib":
            raise
        # fastsock being incomplete must not stop the suite: report it.
        import traceback
        traceback.print_exc()
        print(json.dumps({"na": "error: %s: %s" % (type(exc).__name__, exc)}))
        return 0
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
