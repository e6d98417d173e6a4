"""Blocking, non-blocking and timeout modes, compared with the stdlib.

No test asserts a duration: each checks which exception ends an operation,
with short timeouts so the whole file stays fast.
"""
import errno
import socket as stdsocket
import threading
import time

import pytest

import fastsock
from conftest import assert_same, tcp_listener, tcp_pair

T = 0.2     # a short timeout for operations that are meant to expire


# --------------------------------------------------------------- the modes

def test_mode_getters():
    def op(m):
        out = []
        with m.socket() as s:
            for setter, val in (("settimeout", None), ("settimeout", 0),
                                ("settimeout", 1.5), ("setblocking", True),
                                ("setblocking", False), ("settimeout", 3),
                                ("setblocking", 1)):
                getattr(s, setter)(val)
                out.append((s.gettimeout(), s.timeout, s.getblocking()))
        return out
    res = assert_same(op)
    assert res[1][2] == (1.5, 1.5, True)


@pytest.mark.parametrize("timeout", [None, 0.0, 2.0])
def test_fd_flag_follows_mode(mod, timeout):
    # The fd is O_NONBLOCK for every mode but blocking, in both modules.
    import fcntl
    import os
    with mod.socket() as s:
        s.settimeout(timeout)
        nonblock = bool(fcntl.fcntl(s.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK)
        assert nonblock == (timeout is not None)


# ----------------------------------------------------------- non-blocking

def _nb_op(m, what):
    cli, conn, lst = tcp_pair(m)
    with cli, conn, lst:
        cli.setblocking(False)
        lst.setblocking(False)
        if what == "recv":
            return cli.recv(10)
        if what == "recv_into":
            return cli.recv_into(bytearray(10))
        if what == "recvfrom":
            return cli.recvfrom(10)
        if what == "accept":
            return lst.accept()
        if what == "send_full":
            total = 0
            for _ in range(10000):     # bounded: the buffers fill long before
                total += cli.send(b"x" * 65536)
            return "never filled"
        if what == "sendall_full":
            cli.sendall(b"x" * (64 << 20))
            return "never filled"


@pytest.mark.parametrize("what", ["recv", "recv_into", "recvfrom", "accept",
                                  "send_full", "sendall_full"])
def test_nonblocking_raises_blockingioerror(what):
    res = assert_same(lambda m: _nb_op(m, what))
    assert res[1] is BlockingIOError and res[2] == errno.EAGAIN


def test_nonblocking_connect_in_progress_or_done():
    def op(m):
        with tcp_listener(m) as lst, m.socket() as c:
            c.setblocking(False)
            try:
                c.connect(lst.getsockname())
                first = "connected"
            except BlockingIOError as exc:
                first = exc.errno
            # Either way the connection completes.
            import select
            select.select([], [c], [], 5)
            return first in ("connected", errno.EINPROGRESS), \
                c.getsockopt(m.SOL_SOCKET, m.SO_ERROR)
    assert assert_same(op)[1] == (True, 0)


def test_nonblocking_connect_ex():
    def op(m):
        with tcp_listener(m) as lst, m.socket() as c:
            c.setblocking(False)
            r = c.connect_ex(lst.getsockname())
            return r in (0, errno.EINPROGRESS)
    assert assert_same(op)[1] is True


def test_socket_nonblock_type_flag():
    def op(m):
        with m.socket(m.AF_INET, m.SOCK_STREAM | m.SOCK_NONBLOCK) as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            return (s.gettimeout(), s.type, s.accept())
    res = assert_same(op)
    assert res[1] is BlockingIOError


# ---------------------------------------------------------------- timeouts

def _to_op(m, what):
    cli, conn, lst = tcp_pair(m)
    with cli, conn, lst:
        for s in (cli, lst):
            s.settimeout(T)
        if what == "recv":
            return cli.recv(10)
        if what == "recv_big":
            return cli.recv(1 << 20)
        if what == "recv_into":
            return cli.recv_into(bytearray(10))
        if what == "recvfrom":
            return cli.recvfrom(10)
        if what == "recvfrom_into":
            return cli.recvfrom_into(bytearray(10))
        if what == "accept":
            return lst.accept()
        if what == "send_full":
            for _ in range(10000):
                cli.send(b"x" * 65536)
            return "never filled"
        if what == "sendall_full":
            cli.sendall(b"x" * (64 << 20))
            return "never filled"


@pytest.mark.parametrize("what", ["recv", "recv_big", "recv_into",
                                  "recvfrom", "recvfrom_into", "accept",
                                  "send_full", "sendall_full"])
def test_timeout_raises_timeouterror(what):
    res = assert_same(lambda m: _to_op(m, what))
    assert res[1] is stdsocket.timeout and res[3] == "timed out"
    assert issubclass(res[1], OSError) and res[1] is fastsock.timeout


def test_udp_recvfrom_timeout():
    def op(m):
        with m.socket(m.AF_INET, m.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(T)
            return s.recvfrom(10)
    assert assert_same(op)[1] is stdsocket.timeout


def test_timeout_is_per_operation(mod):
    # Data that arrives within each call's timeout is received, however
    # long the whole exchange takes.
    a, b = mod.socketpair()
    with a, b:
        b.settimeout(1.0)

        def writer():
            for i in range(4):
                time.sleep(0.05)
                a.sendall(b"%d" % i)
        t = threading.Thread(target=writer)
        t.start()
        got = b""
        while len(got) < 4:
            got += b.recv(10)
        t.join()
        assert got == b"0123"


def test_timeout_then_data_still_works(mod):
    a, b = mod.socketpair()
    with a, b:
        b.settimeout(T)
        with pytest.raises(stdsocket.timeout):
            b.recv(10)
        a.sendall(b"late")
        assert b.recv(10) == b"late"


def _slow_reader_sendall(m):
    """sendall() of a lot of data to a peer that keeps reading a little at
    a time: each send() makes progress, but one deadline covers the whole
    call, so it must time out while the reader is still reading."""
    a, b = m.socketpair()
    a.setsockopt(m.SOL_SOCKET, m.SO_SNDBUF, 4096)
    b.setsockopt(m.SOL_SOCKET, m.SO_RCVBUF, 4096)
    reading = threading.Event()
    stop = threading.Event()

    def reader():
        reading.set()
        for _ in range(300):            # at most ~6 s
            if stop.is_set():
                break
            try:
                b.recv(2048)
            except OSError:
                break
            time.sleep(0.02)
        reading.clear()
    t = threading.Thread(target=reader)
    t.start()
    # The reader must be reading when the deadline passes: started late
    # on a loaded machine, it would not have set `reading` yet.
    reading.wait(30)
    try:
        a.settimeout(0.5)
        a.sendall(b"y" * (16 << 20))
        result = "completed"
    except m.timeout:
        result = ("timeout", reading.is_set())
    finally:
        stop.set()
        t.join()
        a.close()
        b.close()
    return result


def test_sendall_one_deadline():
    res = assert_same(_slow_reader_sendall)
    assert res[1] == ("timeout", True)


def _backlogged_listener(m):
    """A listener whose accept queue is full, so a further connect() gets no
    answer (the SYN is dropped) -- a loopback way to make connect() wait."""
    lst = m.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    fillers = []
    for _ in range(8):
        c = m.socket()
        c.setblocking(False)
        c.connect_ex(lst.getsockname())
        fillers.append(c)
    time.sleep(0.1)
    return lst, fillers


def test_connect_with_timeout_times_out():
    def op(m):
        lst, fillers = _backlogged_listener(m)
        try:
            with m.socket() as c:
                c.settimeout(T)
                c.connect(lst.getsockname())
                return "connected"
        finally:
            for f in fillers:
                f.close()
            lst.close()
    res = assert_same(op)
    assert res[1] is stdsocket.timeout


def test_connect_ex_with_timeout():
    def op(m):
        lst, fillers = _backlogged_listener(m)
        try:
            with m.socket() as c:
                c.settimeout(T)
                return c.connect_ex(lst.getsockname())
        finally:
            for f in fillers:
                f.close()
            lst.close()
    assert assert_same(op)[1] == errno.EAGAIN


def test_connect_with_timeout_succeeds():
    def op(m):
        with tcp_listener(m) as lst, m.socket() as c:
            c.settimeout(5)
            c.connect(lst.getsockname())
            return c.getpeername() == lst.getsockname(), c.gettimeout()
    assert assert_same(op)[1] == (True, 5.0)


def test_connect_ex_refused_with_timeout():
    def op(m):
        with m.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with m.socket() as c:
            c.settimeout(5)
            return c.connect_ex(("127.0.0.1", port))
    assert assert_same(op)[1] == errno.ECONNREFUSED


def test_create_connection_timeout():
    def op(m):
        lst, fillers = _backlogged_listener(m)
        try:
            m.create_connection(lst.getsockname(), timeout=T)
        finally:
            for f in fillers:
                f.close()
            lst.close()
    assert assert_same(op)[1] is stdsocket.timeout


def test_default_timeout_expires():
    def op(m):
        m.setdefaulttimeout(T)
        try:
            a, b = m.socketpair()
        finally:
            m.setdefaulttimeout(None)
        with a, b:
            return a.recv(1)
    assert assert_same(op)[1] is stdsocket.timeout


def test_zero_timeout_is_nonblocking():
    def op(m):
        a, b = m.socketpair()
        with a, b:
            a.settimeout(0)
            return a.getblocking(), a.recv(1)
    assert assert_same(op)[1] is BlockingIOError


def test_tiny_positive_timeout_is_a_timeout():
    # A very small positive timeout must not turn into "non-blocking".
    def op(m):
        a, b = m.socketpair()
        with a, b:
            a.settimeout(1e-9)
            return a.getblocking(), a.recv(1)
    assert assert_same(op)[1] is stdsocket.timeout


@pytest.mark.parametrize("value", [2**63 // 10**9, 9.2e9, 1e9])
def test_huge_timeouts_work(mod, value):
    # The largest timeouts the stdlib accepts: a deadline that far away must
    # neither overflow nor turn into "expired".
    a, b = mod.socketpair()
    with a, b:
        a.settimeout(value)
        b.settimeout(value)
        t = threading.Timer(0.1, b.sendall, args=(b"eventually",))
        t.start()
        assert a.recv(100) == b"eventually"
        t.join()
        a.sendall(b"x" * 100000)
        got = 0
        while got < 100000:
            got += len(b.recv(65536))
        assert a.gettimeout() == b.gettimeout() > 1e8


@pytest.mark.parametrize("value", [9.2e9, 9.223372036854775e9, 9.3e9,
                                   -9.2e9, -9.3e9, 2**63 // 10**9,
                                   2**63 // 10**9 + 1, -(2**63 // 10**9),
                                   -2**70, 1e-12, float("-inf")])
def test_settimeout_range_edges(value):
    def op(m):
        with m.socket() as s:
            s.settimeout(value)
            return s.gettimeout()
    assert_same(op)
