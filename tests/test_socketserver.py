"""fastsock.socketserver against the stdlib's socketserver: the same classes,
defaults and hooks, and the same observable behaviour for every server
class (TCP, UDP, Unix stream and datagram; plain, threading, forking)."""
import io
import os
import socket as stdsocket
import socketserver as stdss
import sys
import threading

import pytest

import fastsock
import fastsock.socketserver as fastss
from test_socketserver_util import (
    IMPLS, POLL, TIMEOUT, describe_address, dgram_roundtrip, serving,
    stream_roundtrip)


@pytest.fixture(params=sorted(IMPLS))
def impl(request):
    return IMPLS[request.param]


def run_both(scenario, *args):
    """Run scenario(ssmod, sockmod, *args) on each implementation and
    assert the observations are equal; return the stdlib's."""
    std = scenario(stdss, stdsocket, *args)
    fast = scenario(fastss, fastsock, *args)
    assert fast == std, "stdlib: %r\nfastsock: %r" % (std, fast)
    return std


# ---------------------------------------------------------------------------
# The module's surface
# ---------------------------------------------------------------------------


def test_all_names_present():
    missing = [n for n in stdss.__all__ if not hasattr(fastss, n)]
    assert missing == []
    assert set(stdss.__all__) <= set(fastss.__all__)
    for extra in ("ForkingUnixStreamServer", "ForkingUnixDatagramServer",
                  "BaseRequestHandler", "StreamRequestHandler",
                  "DatagramRequestHandler", "UnixStreamServer",
                  "UnixDatagramServer"):
        assert hasattr(fastss, extra), extra


def test_py2_name_is_the_same_module():
    import fastsock.SocketServer as py2
    assert py2 is fastss
    assert py2.ThreadingTCPServer is fastss.ThreadingTCPServer


ATTRS = ["address_family", "socket_type", "request_queue_size",
         "allow_reuse_address", "allow_reuse_port", "timeout",
         "daemon_threads", "block_on_close", "max_children",
         "active_children", "max_packet_size", "rbufsize", "wbufsize",
         "disable_nagle_algorithm"]


@pytest.mark.parametrize("name", [n for n in dir(stdss)
                                  if isinstance(getattr(stdss, n), type)
                                  and getattr(stdss, n).__module__
                                  == "socketserver"])
def test_class_defaults_and_shape(name):
    std, fast = getattr(stdss, name), getattr(fastss, name)
    for attr in ATTRS:
        # allow_reuse_port (3.11) is offered on older Pythons too.
        if attr != "allow_reuse_port" or hasattr(std, attr):
            assert hasattr(fast, attr) == hasattr(std, attr), attr
        if hasattr(std, attr):
            assert getattr(fast, attr) == getattr(std, attr), attr
    # The same bases by name, in the same order.  fastsock adds none but
    # _SocketWriter's C base (_fastsock.SocketWriter), which does its writes.
    std_mro = [c.__name__ for c in std.__mro__]
    fast_mro = [c.__name__ for c in fast.__mro__
                if c.__module__ != "_fastsock"]
    assert fast_mro == std_mro
    # Every public method of the stdlib class exists with the same arguments.
    import inspect
    for meth, fn in inspect.getmembers(std, inspect.isfunction):
        if meth.startswith("__") and meth not in ("__init__", "__enter__",
                                                   "__exit__"):
            continue
        if meth.startswith("_") and not meth.startswith("__"):
            continue
        assert hasattr(fast, meth), meth
        assert (_signature(getattr(fast, meth))
                == inspect.signature(fn)), meth


def _signature(fn):
    """fn's signature, with `self` as a Python method has it: the methods
    of _SocketWriter's C base take self by position only (as every C
    method does), which no caller of a bound method sees."""
    import inspect
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    if params and params[0].name == "self":
        params[0] = params[0].replace(
            kind=inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sig.replace(parameters=params)


def test_server_uses_fastsock_sockets():
    with fastss.TCPServer(("127.0.0.1", 0), fastss.BaseRequestHandler) as s:
        assert isinstance(s.socket, fastsock.socket)
        assert s.fileno() == s.socket.fileno()
        assert s.server_address[0] == "127.0.0.1"
    assert s.socket.fileno() == -1


# ---------------------------------------------------------------------------
# Stream servers (TCP and Unix), every flavour
# ---------------------------------------------------------------------------

def make_echo_handler(ssmod, sockmod, seen):
    class Echo(ssmod.StreamRequestHandler):
        def handle(self):
            seen.append((
                describe_address(self.client_address),
                isinstance(self.request, sockmod.socket),
                self.rfile.readable(), self.wfile.writable(),
                isinstance(self.wfile, io.BufferedIOBase),
                self.server.RequestHandlerClass is Echo,
            ))
            for line in self.rfile:
                self.wfile.write(b"%d:%s" % (len(line), line.upper()))
    return Echo


STREAM_KINDS = ["TCPServer", "ThreadingTCPServer", "ForkingTCPServer",
                "UnixStreamServer", "ThreadingUnixStreamServer",
                "ForkingUnixStreamServer"]


def server_class(ssmod, kind):
    """The class `kind` of ssmod; the Forking Unix classes are composed for
    stdlib versions older than 3.12, which lack them."""
    cls = getattr(ssmod, kind, None)
    if cls is None:
        mixin, base = kind.split("Unix")
        cls = type(kind, (getattr(ssmod, mixin + "MixIn"),
                          getattr(ssmod, "Unix" + base)), {})
    return cls


def stream_scenario(ssmod, sockmod, kind, path):
    seen = []
    cls = server_class(ssmod, kind)
    unix = "Unix" in kind
    addr = path if unix else ("127.0.0.1", 0)
    if unix and os.path.exists(path):
        os.unlink(path)
    replies = []
    with cls(addr, make_echo_handler(ssmod, sockmod, seen)) as server:
        fam = stdsocket.AF_UNIX if unix else stdsocket.AF_INET
        shape = describe_address(server.server_address)
        with serving(server):
            for i in range(3):
                replies.append(stream_roundtrip(
                    server.server_address, b"hello %d\nsecond line\n" % i,
                    fam))
    if unix:
        os.unlink(path)
    if "Forking" in kind:
        seen = []       # a forked child's notes stay in the child
    return replies, shape, seen


@pytest.mark.parametrize("kind", STREAM_KINDS)
def test_stream_servers_differential(kind, tmpsock):
    replies, _, _ = run_both(stream_scenario, kind, tmpsock())
    assert replies[0] == b"8:HELLO 0\n12:SECOND LINE\n"
    assert len(replies) == 3


# ---------------------------------------------------------------------------
# Datagram servers (UDP and Unix), every flavour
# ---------------------------------------------------------------------------

DGRAM_KINDS = ["UDPServer", "ThreadingUDPServer", "ForkingUDPServer",
               "UnixDatagramServer", "ThreadingUnixDatagramServer",
               "ForkingUnixDatagramServer"]


def dgram_scenario(ssmod, sockmod, kind, path, cpath):
    seen = []

    class Upper(ssmod.DatagramRequestHandler):
        def handle(self):
            seen.append((describe_address(self.client_address)[:3],
                         isinstance(self.socket, sockmod.socket),
                         self.socket is self.server.socket,
                         self.packet))
            self.wfile.write(self.rfile.read().upper())

    cls = server_class(ssmod, kind)
    unix = "Unix" in kind
    addr = path if unix else ("127.0.0.1", 0)
    replies = []
    with cls(addr, Upper) as server:
        fam = stdsocket.AF_UNIX if unix else stdsocket.AF_INET
        with serving(server):
            for i in range(3):
                replies.append(dgram_roundtrip(
                    server.server_address, b"ping %d" % i, fam,
                    bind_to=cpath if unix else None))
    if unix:
        os.unlink(path)
    return replies, ([] if "Forking" in kind else seen)


@pytest.mark.parametrize("kind", DGRAM_KINDS)
def test_dgram_servers_differential(kind, tmpsock):
    replies, _ = run_both(dgram_scenario, kind, tmpsock(), tmpsock())
    assert replies == [b"PING 0", b"PING 1", b"PING 2"]


def test_udp_max_packet_size_truncates_like_stdlib():
    def scenario(ssmod, sockmod):
        class Size(ssmod.DatagramRequestHandler):
            def handle(self):
                self.wfile.write(b"%d" % len(self.packet))

        class Small(ssmod.UDPServer):
            max_packet_size = 10

        with Small(("127.0.0.1", 0), Size) as server:
            with serving(server):
                return [dgram_roundtrip(server.server_address, b"x" * n)
                        for n in (1, 10, 100)]
    assert run_both(scenario) == [b"1", b"10", b"10"]


# ---------------------------------------------------------------------------
# Hooks: subclasses that override them see the stdlib's calls
# ---------------------------------------------------------------------------

def hooks_scenario(ssmod, sockmod, base):
    log = []

    class H(ssmod.StreamRequestHandler):
        def handle(self):
            data = self.rfile.readline()
            log.append(("handle", data))
            if data.startswith(b"boom"):
                raise ValueError("boom from the handler")
            self.wfile.write(b"ok " + data)

    # fastsock's ThreadPoolTCPServer is compared with the stdlib's
    # ThreadingTCPServer: the hooks must see the same calls.
    base_cls = getattr(ssmod, base, None) or ssmod.ThreadingTCPServer

    class S(base_cls):
        counter = 0

        def get_request(self):
            req, addr = super().get_request()
            log.append(("get_request", type(req) is type(self.socket)))
            return req, addr

        def verify_request(self, request, client_address):
            S.counter += 1
            ok = S.counter != 2            # refuse the second client
            log.append(("verify_request", ok))
            return ok

        def process_request(self, request, client_address):
            log.append(("process_request",))
            super().process_request(request, client_address)

        def finish_request(self, request, client_address):
            log.append(("finish_request",))
            super().finish_request(request, client_address)

        def shutdown_request(self, request):
            log.append(("shutdown_request",))
            super().shutdown_request(request)

        def close_request(self, request):
            log.append(("close_request",))
            super().close_request(request)

        def handle_error(self, request, client_address):
            exc = sys.exc_info()[1]
            log.append(("handle_error", type(exc).__name__, str(exc),
                        request.fileno() >= 0))

        def service_actions(self):
            if not any(e[0] == "service_actions" for e in log):
                log.append(("service_actions",))

    with S(("127.0.0.1", 0), H) as server:
        with serving(server):
            replies = [stream_roundtrip(server.server_address, b"a\n"),
                       stream_roundtrip(server.server_address, b"refused\n"),
                       stream_roundtrip(server.server_address, b"boom\n"),
                       stream_roundtrip(server.server_address, b"b\n")]
    # Thread scheduling may interleave two requests' entries: compare the
    # entries of each kind, in order.
    if base.startswith("Thread"):
        log = sorted(log, key=repr)
    else:
        log = [e for e in log if e[0] != "service_actions"] + \
            [e for e in log if e[0] == "service_actions"]
    return replies, log


@pytest.mark.parametrize("base", ["TCPServer", "ThreadingTCPServer",
                                  "ThreadPoolTCPServer"])
def test_overridden_hooks_differential(base):
    replies, log = run_both(hooks_scenario, base)
    assert replies == [b"ok a\n", b"", b"", b"ok b\n"]
    assert ("handle_error", "ValueError", "boom from the handler",
            True) in log
    assert ("service_actions",) in log


def test_handle_request_timeout_and_return_value():
    def scenario(ssmod, sockmod):
        calls = []

        class S(ssmod.TCPServer):
            timeout = 0.01

            def handle_timeout(self):
                calls.append("timeout")
                return "timed-out"

        with S(("127.0.0.1", 0), ssmod.BaseRequestHandler) as server:
            first = server.handle_request()
            c = stdsocket.create_connection(server.server_address, TIMEOUT)
            second = server.handle_request()
            c.close()
        return first, second, calls
    assert run_both(scenario) == ("timed-out", None, ["timeout"])


def test_handle_request_udp():
    def scenario(ssmod, sockmod):
        class H(ssmod.DatagramRequestHandler):
            def handle(self):
                self.wfile.write(self.packet[::-1])

        with ssmod.UDPServer(("127.0.0.1", 0), H) as server:
            with stdsocket.socket(stdsocket.AF_INET,
                                  stdsocket.SOCK_DGRAM) as c:
                c.settimeout(TIMEOUT)
                c.sendto(b"abc", server.server_address)
                r = server.handle_request()
                return r, c.recv(10)
    assert run_both(scenario) == (None, b"cba")


def test_server_with_a_foreign_socket_object():
    # A subclass may put any socket object in self.socket (here a stdlib
    # one): the C core then goes through the Python methods.
    class S(fastss.TCPServer):
        def __init__(self, address, handler):
            fastss.BaseServer.__init__(self, address, handler)
            self.socket = stdsocket.socket()
            self.server_bind()
            self.server_activate()

    class H(fastss.StreamRequestHandler):
        def handle(self):
            self.wfile.write(type(self.request).__module__.encode() +
                             b" " + self.rfile.readline())

    with S(("127.0.0.1", 0), H) as server:
        with serving(server):
            assert stream_roundtrip(server.server_address, b"hi\n") == \
                b"socket hi\n"


def test_handle_request_serves_one_request(impl):
    ssmod, _ = impl

    class H(ssmod.BaseRequestHandler):
        def handle(self):
            self.request.sendall(self.request.recv(100)[::-1])

    with ssmod.TCPServer(("127.0.0.1", 0), H) as server:
        results = []
        t = threading.Thread(target=lambda: results.append(
            stream_roundtrip(server.server_address, b"abc")))
        t.start()
        assert server.handle_request() is None
        t.join(TIMEOUT)
    assert results == [b"cba"]


def test_default_handle_error_prints_traceback(capsys):
    def scenario(ssmod, sockmod):
        class Bad(ssmod.BaseRequestHandler):
            def handle(self):
                self.request.recv(10)
                raise KeyError("bad handler")

        with ssmod.TCPServer(("127.0.0.1", 0), Bad) as server:
            with serving(server):
                r1 = stream_roundtrip(server.server_address, b"x")
                r2 = stream_roundtrip(server.server_address, b"y")
        err = capsys.readouterr().err
        return (r1, r2, err.count("-" * 40),
                "Exception occurred during processing of request from" in err,
                "KeyError: 'bad handler'" in err, "Traceback" in err)
    assert run_both(scenario) == (b"", b"", 4, True, True, True)


def test_keyboard_interrupt_from_handler_leaves_serve_forever():
    def scenario(ssmod, sockmod):
        closed = []

        class H(ssmod.BaseRequestHandler):
            def handle(self):
                raise KeyboardInterrupt

        class S(ssmod.TCPServer):
            def shutdown_request(self, request):
                closed.append(True)
                super().shutdown_request(request)

        with S(("127.0.0.1", 0), H) as server:
            c = stdsocket.create_connection(server.server_address, TIMEOUT)
            try:
                server.serve_forever(poll_interval=POLL)
                outcome = "returned"
            except KeyboardInterrupt:
                outcome = "KeyboardInterrupt"
            c.close()
        return outcome, closed
    assert run_both(scenario) == ("KeyboardInterrupt", [True])


def test_instance_attribute_hook_is_honoured(impl):
    ssmod, _ = impl
    with ssmod.TCPServer(("127.0.0.1", 0), ssmod.BaseRequestHandler) as s:
        refused = []
        s.verify_request = lambda req, addr: refused.append(addr) or False
        with serving(s):
            assert stream_roundtrip(s.server_address, b"x") == b""
    assert len(refused) == 1


def test_get_request_oserror_is_ignored(impl):
    ssmod, _ = impl
    failures = [3]

    class S(ssmod.TCPServer):
        def get_request(self):
            if failures[0]:
                failures[0] -= 1
                raise OSError(24, "Too many open files")
            return super().get_request()

    class H(ssmod.BaseRequestHandler):
        def handle(self):
            self.request.sendall(b"served")

    with S(("127.0.0.1", 0), H) as server:
        with serving(server):
            assert stream_roundtrip(server.server_address, b"") == b"served"
    assert failures == [0]


# ---------------------------------------------------------------------------
# serve_forever / shutdown
# ---------------------------------------------------------------------------

def test_shutdown_before_serve_forever_returns(impl):
    ssmod, _ = impl
    with ssmod.TCPServer(("127.0.0.1", 0), ssmod.BaseRequestHandler) as s:
        done = threading.Event()

        def stopper():
            s.shutdown()
            done.set()
        t = threading.Thread(target=stopper)
        t.start()
        s.serve_forever(poll_interval=POLL)     # returns at once
        t.join(TIMEOUT)
        assert done.is_set()
        # The server can serve again afterwards.
        with serving(s):
            pass


def test_shutdown_returns_with_long_poll_interval():
    # With fastsock, shutdown() wakes the loop: a long poll_interval does
    # not delay it (this only asserts that it returns).
    with fastss.TCPServer(("127.0.0.1", 0), fastss.BaseRequestHandler) as s:
        with serving(s, poll_interval=600):
            pass


def test_service_actions_called_each_poll_interval(impl):
    ssmod, _ = impl
    count = [0]

    class S(ssmod.TCPServer):
        def service_actions(self):
            count[0] += 1
            if count[0] == 3:
                threading.Thread(target=self.shutdown).start()

    with S(("127.0.0.1", 0), ssmod.BaseRequestHandler) as s:
        s.serve_forever(poll_interval=0.001)
    assert count[0] >= 3


def _open_fds():
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"),
                    reason="needs /proc/self/fd to list descriptors")
@pytest.mark.parametrize("name, extra", [
    ("TCPServer", {}), ("ThreadingTCPServer", {}),
    ("ThreadingTCPServer", {"max_threads": 2}), ("ForkingTCPServer", {}),
    ("UDPServer", {})])
def test_server_close_leaves_no_descriptor(name, extra):
    """After serving and server_close(), the server holds no descriptor,
    while the object is still referenced: the stdlib's count, 0 (the C
    core's wake-up eventfd goes with the listening socket)."""
    def scenario(ssmod, sockmod):
        if not hasattr(ssmod, name):
            pytest.skip("%s needs os.fork" % name)

        class H(ssmod.BaseRequestHandler):
            def handle(self):
                pass
        if extra and ssmod is stdss:
            extra_now = {}      # the stdlib has no pool: same class, plain
        else:
            extra_now = extra
        cls = type("S", (getattr(ssmod, name),), dict(extra_now))
        before = _open_fds()
        server = cls(("127.0.0.1", 0), H)
        with serving(server):
            if "UDP" in name:
                with sockmod.socket(sockmod.AF_INET, sockmod.SOCK_DGRAM) as c:
                    c.sendto(b"x", server.server_address)
            else:
                sockmod.create_connection(server.server_address).close()
        left = _open_fds() - before
        return server.socket.fileno(), sorted(left)
    run_both(scenario)


def test_context_manager_closes_socket(impl):
    ssmod, _ = impl
    with ssmod.UDPServer(("127.0.0.1", 0), ssmod.BaseRequestHandler) as s:
        assert s.fileno() >= 0
    assert s.socket.fileno() == -1


def test_bind_failure_closes_socket_and_raises_same():
    def scenario(ssmod, sockmod):
        with stdsocket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            try:
                ssmod.TCPServer(taken.getsockname(), ssmod.BaseRequestHandler)
            except OSError as exc:
                return type(exc).__name__, exc.errno
    assert run_both(scenario)[0] == "OSError"


def test_bind_and_activate_false(impl):
    ssmod, _ = impl
    s = ssmod.TCPServer(("127.0.0.1", 0), ssmod.BaseRequestHandler,
                        bind_and_activate=False)
    try:
        s.allow_reuse_address = True
        s.server_bind()
        s.server_activate()
        assert s.server_address[1] != 0
    finally:
        s.server_close()


def test_stream_handler_buffered_wfile_and_timeout():
    def scenario(ssmod, sockmod):
        out = []

        class H(ssmod.StreamRequestHandler):
            wbufsize = 4096
            timeout = 5
            disable_nagle_algorithm = True

            def handle(self):
                out.append((self.connection.gettimeout(),
                            self.connection.getsockopt(
                                stdsocket.IPPROTO_TCP,
                                stdsocket.TCP_NODELAY) != 0))
                self.wfile.write(self.rfile.read(5))

        with ssmod.TCPServer(("127.0.0.1", 0), H) as server:
            with serving(server):
                r = stream_roundtrip(server.server_address, b"12345xyz")
        return r, out
    assert run_both(scenario) == (b"12345", [(5.0, True)])


@pytest.mark.parametrize("call", ["serve_forever", "handle_request"])
def test_serving_after_server_close(call):
    # Both wait through a selector, which refuses the closed socket's
    # fileno() of -1 with its own wording.
    def scenario(ssmod, sockmod):
        server = ssmod.TCPServer(("127.0.0.1", 0), ssmod.BaseRequestHandler)
        server.server_close()
        try:
            getattr(server, call)()
        except Exception as exc:
            return type(exc), str(exc)
        return "no error"
    assert run_both(scenario) == (ValueError, "Invalid file descriptor: -1")


def test_serving_a_server_whose_fileno_is_not_an_int():
    def scenario(ssmod, sockmod):
        class Odd(ssmod.TCPServer):
            def fileno(self):
                return "three"
        with Odd(("127.0.0.1", 0), ssmod.BaseRequestHandler) as server:
            try:
                server.handle_request()
            except Exception as exc:
                return type(exc), str(exc).replace(repr(server), "SERVER")
        return "no error"
    assert run_both(scenario) == (ValueError, "Invalid file object: SERVER")
