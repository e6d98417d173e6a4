"""fastsock.socketserver's opt-in ``processes = N``: serve_forever() serves
from the calling process and N - 1 children, each on its own SO_REUSEPORT
socket.  Connections and datagrams reach both processes, shutdown() and
server_close() reap every child, a killed parent takes its children with
it, Ctrl-C ends them all, wrong values and AF_UNIX are refused, and
processes = 1 forks nothing.  fastsock only: the stdlib has no such
attribute."""
import contextlib
import errno
import os
import signal
import socket as stdsocket
import subprocess
import sys
import textwrap
import threading

import pytest

import fastsock
import fastsock.socketserver as fastss
from test_socketserver_util import (
    TIMEOUT, is_zombie_or_alive, serving, wait_for)

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork")
                       or not hasattr(stdsocket, "SO_REUSEPORT"),
                       reason="processes > 1 needs os.fork and SO_REUSEPORT"),
    # These tests fork from a process with threads (pytest's, the
    # server's); Python 3.12+ warns about that.  The children only serve.
    pytest.mark.filterwarnings(
        "ignore:This process .*is multi-threaded:DeprecationWarning"),
]

PARENT = os.getpid()


def children_of(pid):
    """The processes whose parent is pid, from /proc (this kernel may lack
    /proc/PID/task/TID/children)."""
    found = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(") ", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.add(int(name))
    return found


def forking(server):
    return isinstance(server, getattr(fastss, "ForkingMixIn", ()))


class PidHandler(fastss.StreamRequestHandler):
    """Replies with the pid of the serving process, then waits for the
    client to close first (its side keeps the TIME_WAIT, so the port can be
    bound again plainly once the server is gone)."""

    def handle(self):
        self.rfile.readline()
        if forking(self.server):
            # The handler runs in a child of the serving process.  Forked
            # from this test's process, it holds copies of the clients'
            # sockets open at the time: a client's close would not end the
            # other children's reads, so this one does not wait for it.
            self.wfile.write(b"%d\n" % os.getppid())
            return
        self.wfile.write(b"%d\n" % os.getpid())
        self.rfile.read()


class PidDatagramHandler(fastss.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(b"%d" % os.getpid())


def make_server(kind, handler, processes=2, mixin=None, **attrs):
    """A server of class kind (after mixin) with processes set, and an
    event set by the parent's first service_actions(): its loop runs, and
    serve_forever() enters it only once every child listens."""
    ready = threading.Event()
    bases = (getattr(fastss, kind),)
    if mixin is not None:
        bases = (mixin,) + bases

    class S(*bases):
        request_queue_size = 128

        def service_actions(self):
            super().service_actions()
            ready.set()

    S.processes = processes
    for name, value in attrs.items():
        setattr(S, name, value)
    return S(("127.0.0.1", 0), handler), ready


def ask_pid(address):
    with stdsocket.create_connection(address, TIMEOUT) as c:
        c.sendall(b"pid?\n")
        with c.makefile("rb") as f:
            return int(f.readline())


def ask_pid_udp(address):
    with stdsocket.socket(stdsocket.AF_INET, stdsocket.SOCK_DGRAM) as c:
        c.settimeout(TIMEOUT)
        c.sendto(b"pid?", address)
        return int(c.recvfrom(100)[0])


def assert_gone(pids, port, kind=stdsocket.SOCK_STREAM, time_wait=False):
    """Every child reaped (no zombie either), and nothing holds the port: a
    plain bind, without SO_REUSEPORT, succeeds.  time_wait: the server
    closed its connections first, so their TIME_WAIT needs SO_REUSEADDR on
    both sides (it still fails while any socket listens on the port)."""
    for pid in pids:
        assert is_zombie_or_alive(pid) is None, pid
    assert not (children_of(PARENT) & set(pids))
    with stdsocket.socket(stdsocket.AF_INET, kind) as s:
        if time_wait:
            s.setsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        if kind == stdsocket.SOCK_STREAM:
            s.listen()


# ---------------------------------------------------------------------------
# Serving from two processes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["TCPServer", "ThreadingTCPServer",
                                  "ThreadPoolTCPServer", "ForkingTCPServer"])
def test_tcp_connections_are_served_by_both_processes(kind):
    # A forking server closes its connections first (see PidHandler):
    # SO_REUSEADDR, in every process, lets the port be bound again over
    # their TIME_WAIT.
    server, ready = make_server(kind, PidHandler,
                                allow_reuse_address=kind.startswith("Fork"))
    address = server.server_address
    assert address[1] != 0          # bound to port 0: the kernel chose
    with server:
        with serving(server):
            assert ready.wait(TIMEOUT)
            # 64 connections, each from its own source port: the kernel's
            # hash sends each to one of the two listening sockets.
            pids = [ask_pid(address) for _ in range(64)]
    # serving() asserted that serve_forever() returned after shutdown().
    served = set(pids)
    assert PARENT in served         # the parent serves too
    assert len(served) == 2
    assert_gone(served - {PARENT}, address[1], time_wait=forking(server))


@pytest.mark.parametrize("kind", ["UDPServer", "ThreadingUDPServer",
                                  "ThreadPoolUDPServer"])
def test_udp_datagrams_are_served_by_both_processes(kind):
    server, ready = make_server(kind, PidDatagramHandler)
    address = server.server_address
    with server:
        with serving(server):
            assert ready.wait(TIMEOUT)
            # Each datagram from a new client socket (its own source port).
            pids = [ask_pid_udp(address) for _ in range(64)]
    served = set(pids)
    assert PARENT in served
    assert len(served) == 2
    assert_gone(served - {PARENT}, address[1], stdsocket.SOCK_DGRAM)


@contextlib.contextmanager
def running(server, ready, children):
    """serve_forever() in a thread for the with-block, which gets the pids
    of the children it forked (there must be `children`); then shutdown()
    from this thread, and serve_forever() must return."""
    before = children_of(PARENT)
    t = threading.Thread(target=server.serve_forever, args=(0.05,))
    t.start()
    try:
        assert ready.wait(TIMEOUT)
        forked = children_of(PARENT) - before
        assert len(forked) == children
        yield forked
    finally:
        server.shutdown()       # returns once the parent's loop has ended
        t.join(TIMEOUT)
    assert not t.is_alive()


def test_three_processes_and_shutdown_from_another_thread():
    server, ready = make_server("ThreadingTCPServer", PidHandler, 3)
    with running(server, ready, 2) as forked:
        served = {ask_pid(server.server_address) for _ in range(96)}
        assert served == forked | {PARENT}
    # serve_forever() returned: every child is reaped already.
    for pid in forked:
        assert is_zombie_or_alive(pid) is None
    server.server_close()
    assert_gone(forked, server.server_address[1])


def test_server_close_stops_the_children_of_a_running_loop():
    server, ready = make_server("ThreadingTCPServer", PidHandler)
    with running(server, ready, 1) as forked:
        server.server_close()       # without shutdown() first
        for pid in forked:
            assert is_zombie_or_alive(pid) is None
    assert_gone(forked, server.server_address[1])


# ---------------------------------------------------------------------------
# A parent that dies, Ctrl-C
# ---------------------------------------------------------------------------

SCRIPT = """
import os, sys
import fastsock.socketserver as ss

def children():
    # The processes whose parent is this one.
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    ppid = int(f.read().rsplit(") ", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == os.getpid():
                found.append(int(name))
    return sorted(found)

class H(ss.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"%d\\n" % os.getpid())

parent = os.getpid()
said = []

class S(ss.ThreadingTCPServer):
    processes = int(sys.argv[1])
    def service_actions(self):
        if os.getpid() == parent and not said:
            said.append(1)
            print("ready", self.server_address[1],
                  " ".join(map(str, children())), flush=True)

with S(("127.0.0.1", 0), H) as server:
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        print("left", len(children()), flush=True)
        raise
"""


def start(processes, **kwargs):
    p = subprocess.Popen([sys.executable, "-c", textwrap.dedent(SCRIPT),
                          str(processes)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, **kwargs)
    box = []
    reader = threading.Thread(target=lambda: box.append(p.stdout.readline()),
                              daemon=True)
    reader.start()
    reader.join(TIMEOUT * 3)
    words = box[0].split() if box else []
    if words[:1] != ["ready"]:
        p.kill()
        pytest.fail("the server did not start: %r %r"
                    % (box, p.communicate(timeout=TIMEOUT)[1]))
    return p, int(words[1]), [int(w) for w in words[2:]]


def test_children_exit_when_the_parent_is_killed():
    p, port, kids = start(3)
    try:
        assert len(kids) == 2
        assert all(is_zombie_or_alive(pid) not in (None, "Z")
                   for pid in kids)
        p.kill()                # SIGKILL: no finally, no atexit
        p.communicate(timeout=TIMEOUT)
        # Each sees the end of the stop pipe and stops; reparented, it may
        # stay a zombie if the new parent does not reap.
        assert wait_for(lambda: all(is_zombie_or_alive(pid) in (None, "Z")
                                    for pid in kids))
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate(timeout=TIMEOUT)
    with pytest.raises(ConnectionRefusedError):
        stdsocket.create_connection(("127.0.0.1", port), TIMEOUT).close()


@pytest.mark.parametrize("to", ["group", "parent"])
def test_ctrl_c_ends_every_process(to):
    # "group": Ctrl-C in a terminal reaches every process of the group; the
    # children leave quietly.  "parent": only the parent gets it; its
    # serve_forever() closes the stop pipe.  Either way serve_forever()
    # reaps the children before it re-raises KeyboardInterrupt.
    p, port, kids = start(2, start_new_session=True)
    try:
        assert len(kids) == 1
        if to == "group":
            os.killpg(p.pid, signal.SIGINT)
        else:
            p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT * 3)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate(timeout=TIMEOUT)
    assert out.split() == ["left", "0"]
    assert err.count("Traceback") == 1 and "KeyboardInterrupt" in err, err
    assert p.returncode == -signal.SIGINT
    assert is_zombie_or_alive(kids[0]) is None


# ---------------------------------------------------------------------------
# Refusals, and processes = 1
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, exc, text", [
    (0, ValueError, "processes must be >= 1, not 0"),
    (-3, ValueError, "processes must be >= 1, not -3"),
    ("2", TypeError, "processes must be an int, not str"),
    (2.0, TypeError, "processes must be an int, not float"),
    (True, TypeError, "processes must be an int, not bool"),
    (None, TypeError, "processes must be an int, not NoneType"),
])
def test_wrong_processes_refused_at_construction(value, exc, text):
    class S(fastss.TCPServer):
        processes = value
    with pytest.raises(exc) as info:
        S(("127.0.0.1", 0), fastss.BaseRequestHandler)
    assert str(info.value) == text


@pytest.mark.skipif(not hasattr(stdsocket, "AF_UNIX"), reason="needs AF_UNIX")
@pytest.mark.parametrize("kind", ["UnixStreamServer", "UnixDatagramServer",
                                  "ThreadingUnixStreamServer"])
def test_af_unix_refused_at_construction(kind, tmp_path):
    class S(getattr(fastss, kind)):
        processes = 2
    path = str(tmp_path / "sock")
    with pytest.raises(ValueError) as info:
        S(path, fastss.BaseRequestHandler)
    assert str(info.value) == ("processes > 1 needs an AF_INET or AF_INET6 "
                               "server: SO_REUSEPORT does not spread AF_UNIX "
                               "sockets")
    assert not os.path.exists(path)     # refused before bind()


def test_processes_set_after_bind_refused_by_serve_forever():
    before = children_of(PARENT)
    with fastss.TCPServer(("127.0.0.1", 0), fastss.BaseRequestHandler) as s:
        s.processes = 2         # too late: the socket has no SO_REUSEPORT
        with pytest.raises(ValueError, match="without SO_REUSEPORT"):
            s.serve_forever()
        s.processes = "2"
        with pytest.raises(TypeError):
            s.serve_forever()
    assert children_of(PARENT) == before


@pytest.mark.parametrize("err", [errno.EACCES, 0])
def test_a_child_that_cannot_serve_makes_serve_forever_raise(err):
    class S(fastss.ThreadingTCPServer):
        processes = 3

        def server_bind(self):
            if os.getpid() != PARENT:
                if err:
                    raise OSError(err, "no\nbind here")
                raise LookupError("no bind here")
            super().server_bind()

    before = children_of(PARENT)
    with S(("127.0.0.1", 0), fastss.BaseRequestHandler) as server:
        with pytest.raises(PermissionError if err else RuntimeError) as info:
            server.serve_forever(poll_interval=0.05)
        assert "a serving process could not start: " in str(info.value)
        assert ("no bind here" if err else "LookupError: no bind here") \
            in str(info.value)
        # Every child was reaped before the error came out.
        assert children_of(PARENT) == before


@pytest.mark.parametrize("kind", ["TCPServer", "ThreadingTCPServer",
                                  "ThreadPoolTCPServer", "UDPServer"])
def test_one_process_forks_nothing(kind, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("processes = 1 must not fork or make a pipe")

    for name in ("fork", "pipe", "register_at_fork"):
        monkeypatch.setattr(os, name, refuse)
    stream = "UDP" not in kind
    server, ready = make_server(
        kind, PidHandler if stream else PidDatagramHandler, processes=1)
    assert server.socket.getsockopt(stdsocket.SOL_SOCKET,
                                    stdsocket.SO_REUSEPORT) == 0
    with server:
        with serving(server):
            assert ready.wait(TIMEOUT)
            ask = ask_pid if stream else ask_pid_udp
            assert {ask(server.server_address) for _ in range(8)} == {PARENT}
    assert "_fs_group" not in server.__dict__


class MarkedSocket(fastsock.socket):
    """Stands for a socket a program puts in place of the server's (an
    ssl.SSLSocket from context.wrap_socket(), for instance)."""


def test_a_socket_replaced_after_construction_is_refused():
    # The children could not make the parent's kind of socket: serving
    # without it (without the parent's TLS...) would be wrong.
    before = children_of(PARENT)

    class S(fastss.TCPServer):
        processes = 2

    with S(("127.0.0.1", 0), fastss.BaseRequestHandler) as server:
        server.socket = MarkedSocket(fileno=server.socket.detach())
        with pytest.raises(RuntimeError) as info:
            server.serve_forever(poll_interval=0.05)
        assert "in server_activate()" in str(info.value)
        assert "MarkedSocket" in str(info.value)
    assert children_of(PARENT) == before


class MarkInActivate:
    def server_activate(self):
        super().server_activate()
        self.socket = MarkedSocket(fileno=self.socket.detach())


class PidKindHandler(PidHandler):
    """The pid, and the kind of socket the serving process listens on."""

    def handle(self):
        self.rfile.readline()
        self.wfile.write(b"%d %s\n" % (os.getpid(), type(
            self.server.socket).__name__.encode()))
        self.rfile.read()


def test_a_socket_replaced_in_server_activate_is_replaced_in_every_process():
    server, ready = make_server("ThreadingTCPServer", PidKindHandler,
                                mixin=MarkInActivate)
    assert type(server.socket) is MarkedSocket
    with server:
        with serving(server):
            assert ready.wait(TIMEOUT)
            replies = set()
            for _ in range(64):
                with stdsocket.create_connection(server.server_address,
                                                 TIMEOUT) as c:
                    c.sendall(b"pid?\n")
                    with c.makefile("rb") as f:
                        pid, kind = f.readline().split()
                replies.add((int(pid), kind))
    assert len(replies) == 2
    assert {kind for _, kind in replies} == {b"MarkedSocket"}
    assert PARENT in {pid for pid, _ in replies}
