"""StreamRequestHandler's write-through wfile (wbufsize 0, the default):
fastsock.socketserver._SocketWriter, whose write() is C, against the
stdlib's socketserver._SocketWriter.  Every scenario runs on each
implementation (its writer over its own socket module's socket) and the
observations must be equal: results, the bytes the peer receives, and the
exceptions (type, errno, message)."""
import array
import gc
import io
import socket as stdsocket
import socketserver as stdss
import threading
import weakref

import _fastsock
import pytest

import fastsock
import fastsock.socketserver as fastss
from conftest import outcome
from test_socketserver_util import IMPLS, recv_all, serving, stream_roundtrip


def run_both(scenario, *args):
    std = scenario(stdss, stdsocket, *args)
    fast = scenario(fastss, fastsock, *args)
    assert fast == std, "stdlib: %r\nfastsock: %r" % (std, fast)
    return std


def drain(sock):
    """Read `sock` to EOF in a thread; join() returns the bytes."""
    got = []
    t = threading.Thread(target=lambda: got.append(recv_all(sock)))
    t.start()

    def join():
        t.join(10)
        assert not t.is_alive()
        return got[0]
    return join


def writer_pair(ssmod, sockmod):
    a, b = sockmod.socketpair()
    return ssmod._SocketWriter(a), a, b


def test_writer_is_fastsocks_c_writer():
    w, a, b = writer_pair(fastss, fastsock)
    with a, b:
        # The methods of the hot path are the C type's, not Python code.
        assert type(w).write is _fastsock.SocketWriter.write
        assert isinstance(w, _fastsock.SocketWriter)
        assert type(w).__mro__[2:] == stdss._SocketWriter.__mro__[1:]


def test_what_a_handler_sees():
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        with a, b:
            return (isinstance(w, io.BufferedIOBase), isinstance(w, io.IOBase),
                    w.writable(), w.readable(), w.seekable(), w.closed,
                    w.fileno() == a.fileno(), w._sock is a,
                    outcome(w.flush), outcome(w.isatty))
    assert run_both(scenario) == (True, True, True, False, False, False,
                                  True, True, ("ok", None), ("ok", False))


WRITES = [
    ("bytes", lambda: b"hello\n"),
    ("empty", lambda: b""),
    ("bytearray", lambda: bytearray(b"xyz")),
    ("memoryview", lambda: memoryview(b"abcdef")[1:4]),
    ("array of ints", lambda: array.array("i", [1, 2, 3])),
    ("memoryview of ints", lambda: memoryview(array.array("d", [0.5, 2.0]))),
    ("cast memoryview", lambda: memoryview(b"abcdefgh").cast("I")),
    ("non-contiguous", lambda: memoryview(b"abcdef")[::2]),
    ("str", lambda: "text"),
    ("int", lambda: 5),
    ("None", lambda: None),
]


@pytest.mark.parametrize("name,make", WRITES, ids=[w[0] for w in WRITES])
def test_write_result_and_bytes_sent(name, make):
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        join = drain(b)
        with a:
            res = outcome(w.write, make())
            a.shutdown(stdsocket.SHUT_WR)
        with b:
            return res, join()
    run_both(scenario)


def test_write_argument_forms():
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        join = drain(b)
        with a:
            res = [outcome(w.write, b=b"kw"),
                   outcome(lambda: w.write()),
                   outcome(lambda: w.write(b"1", b"2")),
                   outcome(lambda: w.write(c=b"x")),
                   outcome(type(w).write, w, b"unbound")]
            a.shutdown(stdsocket.SHUT_WR)
        with b:
            # Only the type of a bad call's error is compared: Python words
            # its own argument errors, C's parser words them its way.
            res = [r if r[0] == "ok" else r[:2] for r in res]
            return res, join()
    assert run_both(scenario)[1] == b"kwunbound"


def test_large_write_sends_everything():
    # sendall semantics: one write() of more than the socket buffers hold
    # returns only once all of it is sent.
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        data = bytes(range(256)) * 20000
        join = drain(b)
        with a:
            n = w.write(data)
            a.shutdown(stdsocket.SHUT_WR)
        with b:
            return n, join() == data
    assert run_both(scenario) == (5120000, True)


def test_write_timeout_and_errors():
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        with a, b:
            a.settimeout(0.05)
            timed_out = outcome(w.write, b"x" * (8 << 20))[:2]
            b.close()
            broken = outcome(w.write, b"x" * 300000)[:3]
        closed_sock = outcome(w.write, b"x")
        return timed_out, broken, closed_sock
    std = run_both(scenario)
    assert std[0] == ("raise", stdsocket.timeout)
    assert std[2][:3] == ("raise", OSError, 9)


def test_closed_writer():
    # Closing the writer does not close the socket, and the stdlib's write()
    # does not check: it still sends.  flush() and the context manager
    # refuse, as io's classes do.
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        join = drain(b)
        with a:
            w.close()
            w.close()
            res = [w.closed, outcome(w.write, b"after close"),
                   outcome(w.fileno)[0], outcome(w.writable),
                   outcome(w.flush), outcome(w.writelines, [b"x"]),
                   outcome(w.isatty), outcome(w.readable),
                   outcome(w.__enter__), outcome(iter, w)]
            a.shutdown(stdsocket.SHUT_WR)
        with b:
            return res, join()
    assert run_both(scenario)[1] == b"after close"


def test_unsupported_operations():
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        with a, b:
            return [outcome(getattr(w, name), *args) for name, args in [
                ("read", ()), ("read1", ()), ("readinto", (bytearray(2),)),
                ("readline", ()), ("readlines", ()), ("seek", (0,)),
                ("tell", ()), ("truncate", ()), ("detach", ())]]
    run_both(scenario)


def test_writelines_and_context_manager():
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        join = drain(b)
        with a:
            with w as entered:
                res = [entered is w, w.writelines([b"a", bytearray(b"b"),
                                                   memoryview(b"c")])]
            res.append(w.closed)
            a.shutdown(stdsocket.SHUT_WR)
        with b:
            return res, join()
    assert run_both(scenario) == ([True, None, True], b"abc")


def test_socket_replaced_or_missing():
    def scenario(ssmod, sockmod):
        w, a, b = writer_pair(ssmod, sockmod)
        c, d = sockmod.socketpair()
        with a, b, c, d:
            w._sock = c
            res = [outcome(w.write, b"to c"), d.recv(10), w.fileno() == c.fileno()]
            del w._sock
            res += [outcome(w.write, b"x"), outcome(w.fileno)]
            w._sock = None
            res.append(outcome(w.write, b"x"))
            return res
    run_both(scenario)


def test_sendall_override_and_foreign_socket():
    # write() calls whatever sendall() the socket has, as `self._sock.
    # sendall(b)` does: an override, or a socket of another module.
    def scenario(ssmod, sockmod):
        calls = []

        class Logged(sockmod.socket):
            def sendall(self, data, *args):
                calls.append(bytes(data))
                return super().sendall(data, *args)

        a, b = sockmod.socketpair()
        with a, b:
            la = Logged(fileno=a.detach())
            with la:
                w = ssmod._SocketWriter(la)
                n = w.write(b"logged")
                got = b.recv(10)
            c, d = stdsocket.socketpair()
            with c, d:
                n2 = ssmod._SocketWriter(c).write(b"std")
                got2 = d.recv(10)
        return n, got, calls, n2, got2
    assert run_both(scenario) == (6, b"logged", [b"logged"], 3, b"std")


def test_subclass_and_lifetime():
    def scenario(ssmod, sockmod):
        class Counting(ssmod._SocketWriter):
            def __init__(self, sock):
                super().__init__(sock)
                self.count = 0

            def write(self, b):
                self.count += 1
                return super().write(b)

        a, b = sockmod.socketpair()
        with a, b:
            w = Counting(a)
            res = [w.write(b"one"), w.writelines([b"two", b"three"]), w.count,
                   b.recv(20)]
            ref = weakref.ref(w)
            del w
            gc.collect()
            res.append(ref() is None)
            # A writer dropped without close() does not close the socket.
            ssmod._SocketWriter(a).write(b"!")
            gc.collect()
            res.append(b.recv(5))
        return res
    assert run_both(scenario) == [3, None, 3, b"onetwothree", True, b"!"]


@pytest.mark.parametrize("impl", sorted(IMPLS))
def test_handler_wfile(impl):
    ssmod, sockmod = IMPLS[impl]
    seen = []

    class H(ssmod.StreamRequestHandler):
        def handle(self):
            seen.append((type(self.wfile) is ssmod._SocketWriter,
                         self.wfile._sock is self.connection))
            for line in self.rfile:
                self.wfile.write(line.upper())

    with ssmod.ThreadingTCPServer(("127.0.0.1", 0), H) as server:
        with serving(server):
            reply = stream_roundtrip(server.server_address, b"a\nbc\n")
    assert (reply, seen) == (b"A\nBC\n", [(True, True)])
