"""Leak checks: representative operations, success and error paths, run
many times in one process; fastsock's live objects and open descriptors may
not grow at all, and Python memory (allocated blocks, tracemalloc), the C
heap and the RSS only within noise.  See tools/leakcheck.py, which also runs
whole test modules repeatedly (.ci/sanitize-step.sh does).

Every check runs on the stdlib too (the `mod` fixture): the same allowance
must hold there, which shows the check is not flaky by construction.
"""
import array
import errno
import os
import socket as stdsocket
import sys
import threading

import pytest

import fastsock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "tools"))
import leakcheck  # noqa: E402

SANITIZED = bool(os.environ.get("FASTSOCK_SANITIZED"))
# RSS and the C heap mean nothing under ASan (its own allocator and
# quarantine); objects, descriptors and traced memory still do.
CHECK_RSS = not SANITIZED
ITER = 60 if SANITIZED else 150


def _assert_clean(fn, iterations=ITER, rounds=3, trace=False, **limits):
    """fn leaks nothing measurable.  trace=True adds tracemalloc's view
    (slower: used where the C code allocates Python-managed buffers)."""
    # Under the sanitizer run PYTHONMALLOC=malloc changes what tracemalloc
    # sees (the stdlib's own makefile "grows" there too): traced memory is
    # checked in the normal build only.
    report = leakcheck.check(fn, iterations=iterations, rounds=rounds,
                             trace=trace and not SANITIZED)
    problems = report.leaks(check_rss=CHECK_RSS, **limits)
    assert not problems, "%s\n%s" % ("\n".join(problems), report)


def _swallow(fn, *args, **kwargs):
    """Call fn, expecting an exception; return its type (for asserts)."""
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the exception is the point
        return type(exc)
    return None


@pytest.fixture
def listener(mod):
    s = mod.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    s.settimeout(10)
    yield s
    s.close()


# ------------------------------------------------------------ lifecycle

def test_socket_lifecycle(mod, tmpsock):
    path = tmpsock()

    def op():
        for fam in (mod.AF_INET, mod.AF_INET6, mod.AF_UNIX):
            with mod.socket(fam, mod.SOCK_STREAM) as s:
                s.setsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR, 1)
                s.getsockopt(mod.SOL_SOCKET, mod.SO_TYPE)
                s.settimeout(1.5)
                s.gettimeout()
                repr(s)
        u = mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM)
        u.bind(path)
        u.getsockname()
        u.close()
        os.unlink(path)
        s = mod.socket()
        d = s.dup()
        fd = s.detach()
        f = mod.fromfd(fd, mod.AF_INET, mod.SOCK_STREAM)
        os.close(fd)
        f.close()
        d.close()
        s.close()
        a, b = mod.socketpair()
        a.close()
        b.close()
    _assert_clean(op)


# ------------------------------------------------------------ data paths

def test_tcp_roundtrip(mod, listener):
    payload = b"p" * 10000

    def op():
        c = mod.create_connection(listener.getsockname(), timeout=10)
        conn, addr = listener.accept()
        c.sendall(payload)
        got = 0
        while got < len(payload):
            got += len(conn.recv(65536))
        buf = bytearray(100)
        conn.sendall(b"back")
        c.recv_into(buf)
        conn.close()
        assert c.recv(10) == b""
        c.close()
    _assert_clean(op)


def test_udp_roundtrip(mod):
    a = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    b = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    b.settimeout(10)
    buf = bytearray(2000)

    def op():
        a.sendto(b"d" * 1000, b.getsockname())
        b.recvfrom(4096)
        a.sendto(b"e" * 100, b.getsockname())
        b.recvfrom_into(buf)
        a.sendto(b"f", b.getsockname())
        b.recv_into(buf, 10)
    try:
        _assert_clean(op)
    finally:
        a.close()
        b.close()


def test_big_receive_buffers(mod):
    """recv(n) with n far above what arrives: the big buffer (or the C
    scratch buffer) is shrunk or freed every time."""
    a, b = mod.socketpair()
    a.settimeout(10)
    chunk = b"z" * 100000

    def op():
        b.sendall(chunk)
        got = 0
        while got < len(chunk):
            got += len(a.recv(1 << 20))
        b.sendall(b"tiny")
        assert a.recv(64 << 20) == b"tiny"
    try:
        _assert_clean(op, iterations=ITER // 2, trace=True)
    finally:
        a.close()
        b.close()


def test_error_paths_of_io(mod):
    a, b = mod.socketpair()
    closed = mod.socket()
    closed.close()
    buf = bytearray(10)

    def op():
        a.setblocking(False)
        assert _swallow(a.recv, 1 << 20) is BlockingIOError
        assert _swallow(a.recv_into, buf) is BlockingIOError
        assert _swallow(a.recvfrom, 100) is BlockingIOError
        a.settimeout(0.0001)
        assert _swallow(a.recv, 100) is TimeoutError
        a.setblocking(True)
        assert _swallow(a.recv, -1) is ValueError
        assert _swallow(a.recv_into, buf, 100) is ValueError
        assert _swallow(a.recv, "x") is TypeError
        assert _swallow(closed.recv, 10) is OSError
        assert _swallow(closed.send, b"x") is OSError
        assert _swallow(a.send, "text") is TypeError
        assert _swallow(a.sendall, 5) is TypeError
    try:
        _assert_clean(op)
    finally:
        a.close()
        b.close()


# ------------------------------------------------------------ addresses

def test_address_errors(mod, tmpsock):
    long_path = "p" * 200

    def op():
        s = mod.socket()
        assert _swallow(s.bind, ("127.0.0.1", 70000)) is OverflowError
        assert _swallow(s.bind, ("a\0b", 0)) in (TypeError, ValueError)
        assert _swallow(s.bind, "127.0.0.1") is TypeError
        assert _swallow(s.bind, ("127.0.0.1",)) is TypeError
        assert _swallow(s.bind, (b"\xff\xfe", 0)) is not None
        assert _swallow(s.bind, ("é" * 100, 0)) is not None
        assert _swallow(s.connect, ("127.0.0.1", 1)) is ConnectionRefusedError
        s.close()
        u = mod.socket(mod.AF_UNIX)
        assert _swallow(u.bind, long_path) is OSError
        assert _swallow(u.connect, tmpsock("nosuch")) is FileNotFoundError
        assert _swallow(u.bind, 42) is TypeError
        u.close()
        s6 = mod.socket(mod.AF_INET6)
        assert _swallow(s6.bind, ("::1", 0, 1 << 20, 0)) is OverflowError
        s6.close()
    _assert_clean(op)


def test_inet_functions(mod):
    def op():
        mod.inet_pton(mod.AF_INET6, "2001:db8::1")
        mod.inet_ntop(mod.AF_INET6, b"\x20\x01" + b"\0" * 14)
        mod.inet_aton("127.1")
        mod.inet_ntoa(b"\x7f\0\0\1")
        assert _swallow(mod.inet_pton, mod.AF_INET, "1.2.3") is OSError
        assert _swallow(mod.inet_pton, mod.AF_INET6, "x" * 100) is OSError
        assert _swallow(mod.inet_ntop, mod.AF_INET, b"123") is ValueError
        assert _swallow(mod.inet_aton, "1.2.3.4.5") is OSError
        assert _swallow(mod.inet_ntoa, b"12345") is OSError
        assert _swallow(mod.inet_pton, 12345, "1.2.3.4") is OSError
        mod.htons(80)
        assert _swallow(mod.htons, -1) is OverflowError
    _assert_clean(op, iterations=ITER * 4)


def test_resolution(mod):
    def op():
        mod.getaddrinfo("127.0.0.1", 80, type=mod.SOCK_STREAM)
        mod.getaddrinfo("localhost", "http")
        mod.getaddrinfo(None, 0, flags=mod.AI_PASSIVE)
        mod.gethostbyname("127.0.0.1")
        mod.gethostbyname("localhost")
        mod.getnameinfo(("127.0.0.1", 80),
                        mod.NI_NUMERICHOST | mod.NI_NUMERICSERV)
        mod.getservbyname("http", "tcp")
        mod.getservbyport(80)
        mod.getprotobyname("tcp")
        err = _swallow(mod.getaddrinfo, "127.0.0.1", "no-such-service")
        assert err is not None and issubclass(err, OSError)
        assert _swallow(mod.getservbyname, "no-such-service") is OSError
        assert _swallow(mod.getaddrinfo, "127.0.0.1", 2**70) is not None
    _assert_clean(op)


# ------------------------------------------------------------ options

def test_socket_options(mod):
    s = mod.socket()

    def op():
        s.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 65536)
        s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF)
        s.getsockopt(mod.SOL_SOCKET, mod.SO_LINGER, 8)
        s.setsockopt(mod.SOL_SOCKET, mod.SO_LINGER, b"\0" * 8)
        s.getsockopt(mod.IPPROTO_TCP, mod.TCP_INFO, 256)
        assert _swallow(s.getsockopt, mod.SOL_SOCKET, mod.SO_TYPE, 2000) is OSError
        assert _swallow(s.getsockopt, mod.SOL_SOCKET, mod.SO_TYPE, -1) is OSError
        assert _swallow(s.setsockopt, mod.SOL_SOCKET, 9999, 1) is OSError
        assert _swallow(s.setsockopt, mod.SOL_SOCKET, mod.SO_LINGER, "x") is TypeError
        assert _swallow(s.setsockopt, mod.SOL_SOCKET, mod.SO_REUSEADDR,
                        None, 4) is OSError
    try:
        _assert_clean(op)
    finally:
        s.close()


# ------------------------------------------------------------ socket files

def test_socket_files(mod):
    lines = b"".join(b"line %d\n" % i for i in range(50))

    def op():
        a, b = mod.socketpair()
        w = a.makefile("wb")
        w.write(lines)
        w.flush()
        w.close()
        a.shutdown(mod.SHUT_WR)
        r = b.makefile("rb")
        r.readline()
        r.read(10)
        buf = bytearray(20)
        r.readinto(buf)
        for _ in r:
            pass
        r.close()
        t = a.makefile("w", encoding="utf-8")
        t.close()
        b.close()
        tr = a.makefile("r", encoding="utf-8", newline="")
        a.close()                 # the file keeps the descriptor alive
        tr.read()
        tr.close()
    _assert_clean(op, trace=True)


def test_socket_file_error_paths(mod):
    def op():
        a, b = mod.socketpair()
        r = b.makefile("rb")
        b.settimeout(0.0001)
        assert _swallow(r.readline) is TimeoutError
        r.close()
        assert _swallow(r.read) is ValueError
        assert _swallow(b.makefile, "rwxb") is ValueError
        a.close()
        b.close()
    _assert_clean(op)


# ------------------------------------------------------------ ancillary data

def test_sendmsg_recvmsg_with_fds(mod):
    if not hasattr(mod.socket, "sendmsg"):
        pytest.skip("no sendmsg here")
    a, b = mod.socketpair(mod.AF_UNIX, mod.SOCK_STREAM)
    fds = [os.open(os.devnull, os.O_RDONLY) for _ in range(2)]
    anc = [(mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", fds))]
    space = mod.CMSG_SPACE(4 * len(fds))

    def op():
        a.sendmsg([b"with fds", b"!"], anc)
        data, got, flags, addr = b.recvmsg(100, space)
        received = array.array("i")
        for level, typ, payload in got:
            received.frombytes(payload[:len(payload) - len(payload) % 4])
        for fd in received:
            os.close(fd)
        a.sendmsg([b"no anc"])
        buf = bytearray(10)
        b.recvmsg_into([buf], 0)
        a.sendmsg([b"truncated"], anc)
        data, got, flags, addr = b.recvmsg(100, mod.CMSG_LEN(4))  # CTRUNC
        for level, typ, payload in got:
            for fd in array.array("i", payload[:4 * (len(payload) // 4)]):
                os.close(fd)
        assert _swallow(a.sendmsg, [b"x"], [(1, 2)]) is TypeError
        assert _swallow(a.sendmsg, [b"x"], [(mod.SOL_SOCKET, mod.SCM_RIGHTS,
                                             b"\xff\xff\xff\x7f")]) is OSError
        assert _swallow(a.sendmsg, ["str"]) is TypeError
        assert _swallow(b.recvmsg, -1) is ValueError
        mod.send_fds(a, [b"f"], fds)
        msg, rfds, flags, addr = mod.recv_fds(b, 10, 4)
        for fd in rfds:
            os.close(fd)
    try:
        _assert_clean(op, trace=True)
    finally:
        a.close()
        b.close()
        for fd in fds:
            os.close(fd)


# ------------------------------------------------------------ helpers, sendfile

def test_create_connection_server_sendfile(mod, tmp_path):
    path = tmp_path / "data"
    path.write_bytes(b"s" * 50000)

    def op():
        srv = mod.create_server(("127.0.0.1", 0))
        c = mod.create_connection(srv.getsockname(), timeout=10)
        conn, _ = srv.accept()
        with open(path, "rb") as f:
            c.sendfile(f)
        c.close()
        got = 0
        while True:
            data = conn.recv(1 << 16)
            if not data:
                break
            got += len(data)
        assert got == 50000
        conn.close()
        srv.close()
        err = _swallow(mod.create_connection, ("127.0.0.1", 1), timeout=5)
        assert err is ConnectionRefusedError
    _assert_clean(op, iterations=ITER // 2)


# ------------------------------------------------------------ servers

def _socketserver(mod):
    if mod is stdsocket:
        import socketserver
        return socketserver
    try:
        import fastsock.socketserver as socketserver
    except ImportError:
        pytest.skip("fastsock.socketserver is missing")
    return socketserver


def test_server_create_and_close(mod):
    ss = _socketserver(mod)

    def op():
        for cls in (ss.TCPServer, ss.ThreadingTCPServer, ss.UDPServer):
            srv = cls(("127.0.0.1", 0), ss.BaseRequestHandler)
            srv.server_close()
        srv = ss.TCPServer(("127.0.0.1", 0), ss.BaseRequestHandler,
                           bind_and_activate=False)
        srv.server_close()
    _assert_clean(op, iterations=ITER // 2)


def test_server_requests(mod):
    ss = _socketserver(mod)

    class Echo(ss.StreamRequestHandler):
        def handle(self):
            self.wfile.write(self.rfile.readline())

    srv = ss.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    srv.daemon_threads = False
    loop = threading.Thread(target=srv.serve_forever,
                            kwargs={"poll_interval": 0.05})
    loop.start()

    def op():
        c = stdsocket.create_connection(srv.server_address, timeout=10)
        c.sendall(b"echo me\n")
        assert c.recv(100) == b"echo me\n"
        c.close()
        srv._threads.reap() if hasattr(srv._threads, "reap") else None
    try:
        _assert_clean(op, iterations=ITER // 2)
    finally:
        srv.shutdown()
        loop.join()
        srv.server_close()


def test_socket_writer(mod):
    # StreamRequestHandler's write-through wfile: its writes, the size of
    # each kind of buffer, and its error paths.
    ss = _socketserver(mod)

    def op():
        a, b = mod.socketpair()
        w = ss._SocketWriter(a)
        for data in (b"bytes", bytearray(b"ba"), memoryview(b"mv"),
                     array.array("i", [1, 2])):
            w.write(data)
        w.write(b=b"kw")
        w.writelines([b"x", b"y"])
        ints = bytes(array.array("i", [1, 2]))
        assert b.recv(100) == b"bytesbamv" + ints + b"kwxy"
        assert _swallow(w.write, "str") is TypeError
        assert _swallow(w.write) is TypeError
        assert w.fileno() == a.fileno() and w.writable()
        w.close()
        a.close()
        assert _swallow(w.write, b"closed socket") is OSError
        del w._sock
        assert _swallow(w.write, b"x") is AttributeError
        b.close()
    _assert_clean(op, trace=True)


def test_forking_server_requests(mod):
    ss = _socketserver(mod)

    class Echo(ss.StreamRequestHandler):
        def handle(self):
            self.wfile.write(self.rfile.readline())

    srv = ss.ForkingTCPServer(("127.0.0.1", 0), Echo)

    def op():
        c = stdsocket.create_connection(srv.server_address, timeout=10)
        c.sendall(b"fork me\n")
        srv.handle_request()
        assert c.recv(100) == b"fork me\n"
        c.close()
        srv.collect_children(blocking=True)
    try:
        _assert_clean(op, iterations=15, rounds=3)
    finally:
        srv.server_close()


# ------------------------------------------------------------ long haul RSS

@pytest.mark.skipif(SANITIZED, reason="RSS is meaningless under ASan")
def test_rss_stable_over_many_large_transfers(mod):
    """Two thousand 100 KiB transfers through recv(1 MiB) and recv_into:
    the resident size settles (a leaked buffer per call would add at least
    200 MiB).  100 KiB fits in a socket pair's buffer, so one thread can
    send and then receive."""
    a, b = mod.socketpair()
    a.settimeout(10)
    chunk = b"r" * (100 << 10)
    buf = bytearray(1 << 20)

    def op():
        b.sendall(chunk)
        got = 0
        while got < len(chunk):
            got += len(a.recv(1 << 20))
        b.sendall(chunk)
        got = 0
        while got < len(chunk):
            got += a.recv_into(buf)
    try:
        report = leakcheck.check(op, iterations=250, rounds=4)
        assert report.growth("rss") < 16 << 20, str(report)
        assert not report.leaks(max_bytes_per_call=1024), str(report)
    finally:
        a.close()
        b.close()


def test_leakcheck_detects_a_leak():
    """The checker itself: a deliberate leak of one socket per call."""
    kept = []

    def leaky():
        kept.append(fastsock.socket())
    try:
        report = leakcheck.check(leaky, iterations=20, rounds=3)
        problems = report.leaks()
    finally:
        for s in kept:
            s.close()
    assert any(p.startswith("objects") for p in problems)
    assert any(p.startswith("fds") for p in problems)


def test_leakcheck_counts_instances_of_subclasses():
    """Instances of a class defined elsewhere that derives from a fastsock
    type count as fastsock objects (the census decides once per type)."""
    class Mine(fastsock.socket):
        pass

    before, _ = leakcheck.live_objects()
    kept = [Mine() for _ in range(3)]
    try:
        after, _ = leakcheck.live_objects()
    finally:
        for s in kept:
            s.close()
    assert after.get(Mine.__qualname__, 0) - before.get(Mine.__qualname__, 0) == 3


def test_errno_values_used_here():
    # The error paths above rely on these being errors on this system.
    assert errno.ECONNREFUSED and errno.EMFILE
