"""fastsock.socketserver under load and abuse: many clients, threads and
children accounted for after server_close(), clients that reset or vanish,
running out of descriptors, Ctrl-C, and the stdlib servers built on
socketserver (http.server, xmlrpc.server) fetched with urllib and curl."""
import os
import shutil
import signal
import socket as stdsocket
import socketserver as stdss
import struct
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import fastsock.socketserver as fastss
from conftest import WAITS, asleep_in
from test_socketserver_util import (
    IMPLS, TIMEOUT, is_zombie_or_alive, recv_all, serving, stream_roundtrip,
    wait_for)


@pytest.fixture(params=sorted(IMPLS))
def impl(request):
    return IMPLS[request.param]


# ---------------------------------------------------------------------------
# Many concurrent clients, every reply checked; threads back to baseline
# ---------------------------------------------------------------------------

def echo_handler(ssmod, idents):
    class Echo(ssmod.StreamRequestHandler):
        def handle(self):
            idents.add(threading.get_ident())
            line = self.rfile.readline()
            self.wfile.write(b"reply:" + line)
    return Echo


def flood(address, n):
    """n clients at once, each with its own payload; returns the replies
    that were wrong (empty when all are right)."""
    wrong = []
    barrier = threading.Barrier(n)

    def client(i):
        payload = b"client %d %s\n" % (i, b"x" * (i * 37 % 500))
        try:
            barrier.wait(TIMEOUT)
            reply = stream_roundtrip(address, payload)
        except Exception as exc:  # noqa: BLE001 - reported as wrong
            reply = repr(exc).encode()
        if reply != b"reply:" + payload:
            wrong.append((i, reply[:80]))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    return wrong


@pytest.mark.parametrize("kind", ["ThreadingTCPServer", "ThreadPoolTCPServer",
                                  "TCPServer"])
def test_fifty_concurrent_clients(kind):
    baseline = threading.active_count()
    idents = set()

    class S(getattr(fastss, kind)):
        request_queue_size = 64
        max_threads = 4 if kind == "ThreadPoolTCPServer" else None

    with S(("127.0.0.1", 0), echo_handler(fastss, idents)) as server:
        with serving(server):
            assert flood(server.server_address, 50) == []
    if kind == "ThreadPoolTCPServer":
        assert len(idents) <= 4
    assert wait_for(lambda: threading.active_count() == baseline)


def test_stdlib_also_passes_the_flood():
    # The same check against the stdlib, so the test itself is validated.
    class S(stdss.ThreadingTCPServer):
        request_queue_size = 64

    with S(("127.0.0.1", 0), echo_handler(stdss, set())) as server:
        with serving(server):
            assert flood(server.server_address, 20) == []


def test_unix_stream_flood(tmpsock):
    path = tmpsock()
    with fastss.ThreadingUnixStreamServer(path,
                                          echo_handler(fastss, set())) as s:
        with serving(s):
            payloads = [b"unix %d\n" % i for i in range(20)]
            for p in payloads:
                assert stream_roundtrip(path, p, stdsocket.AF_UNIX) == \
                    b"reply:" + p


def test_thread_pool_queue_is_bounded():
    # A flood larger than the pool: at most max_threads handler threads
    # ever run, and every client is still answered.
    idents = set()
    gate = threading.Event()

    class Slow(fastss.StreamRequestHandler):
        def handle(self):
            idents.add(threading.get_ident())
            gate.wait(TIMEOUT)
            self.wfile.write(b"reply:" + self.rfile.readline())

    class S(fastss.ThreadPoolTCPServer):
        max_threads = 3
        request_queue_size = 64

    with S(("127.0.0.1", 0), Slow) as server:
        with serving(server):
            results = []
            t = threading.Thread(target=lambda: results.append(
                flood(server.server_address, 12)))
            t.start()
            core = server._fs_core
            # Three running, three queued, the rest left in the backlog.
            assert wait_for(lambda: core.pool_stats()[2] == 3)
            assert core.pool_stats()[0] == 3
            gate.set()
            t.join(TIMEOUT * 2)
    assert results == [[]]
    assert len(idents) <= 3


def test_thread_pool_queue_bound_holds_for_parked_connections():
    """Connections parked until their client speaks count against the
    queue's bound when they become readable: with every parked one readable
    in the same turn, at most max_threads are queued and the others stay
    parked until there is room; all are answered in the end.  (They were
    all queued at once: the flood test above then saw 9 queued, not 3, when
    the server accepted faster than its clients sent.)"""
    gate = threading.Event()
    accepted = []
    hold, held, release = threading.Event(), threading.Event(), \
        threading.Event()

    class Slow(fastss.StreamRequestHandler):
        def handle(self):
            gate.wait(TIMEOUT)
            self.wfile.write(b"reply:" + self.rfile.readline())

    class S(fastss.ThreadPoolTCPServer):
        max_threads = 2

        def verify_request(self, request, client_address):
            accepted.append(client_address)
            return True

        def service_actions(self):
            if hold.is_set() and not held.is_set():
                held.set()          # the loop stops here, between turns
                release.wait(TIMEOUT)

    clients = []
    with S(("127.0.0.1", 0), Slow) as server:
        with serving(server):
            try:
                for _ in range(6):
                    clients.append(stdsocket.create_connection(
                        server.server_address, timeout=TIMEOUT))
                assert wait_for(lambda: len(accepted) == 6)   # all parked
                hold.set()
                assert held.wait(TIMEOUT)
                for i, c in enumerate(clients):   # all readable at once
                    c.sendall(b"c%d\n" % i)
                release.set()
                core = server._fs_core
                # Two workers busy, two queued, two still parked.
                assert wait_for(lambda: core.pool_stats() == (2, 0, 2)), \
                    core.pool_stats()
                gate.set()
                replies = [c.makefile("rb").readline() for c in clients]
            finally:
                gate.set()
                release.set()
                for c in clients:
                    c.close()
    assert replies == [b"reply:c%d\n" % i for i in range(6)]


# ---------------------------------------------------------------------------
# Idle connections: a bounded pool must not be starved by clients that
# connected and sent nothing
# ---------------------------------------------------------------------------

def idle_then_good(ssmod, cls, idle_count, extra=None):
    """Open idle_count connections that send nothing, wait until the server
    has accepted them, then one client sends a line: what it gets back (its
    socket timeout of TIMEOUT seconds must not fire), and then what each
    idle client gets once it sends its own line."""
    accepted = []

    class Echo(ssmod.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline()
            self.wfile.write(b"reply:" + line)

    class S(cls):
        request_queue_size = 128
        allow_reuse_address = True

        def verify_request(self, request, client_address):
            accepted.append(client_address)
            return True

    for key, value in (extra or {}).items():
        setattr(S, key, value)
    idle = []
    with S(("127.0.0.1", 0), Echo) as server:
        with serving(server):
            try:
                for _ in range(idle_count):
                    idle.append(stdsocket.create_connection(
                        server.server_address, timeout=TIMEOUT))
                # Every idle connection is in the server's hands before
                # the good client comes.
                assert wait_for(lambda: len(accepted) >= idle_count)
                with stdsocket.create_connection(server.server_address,
                                                 timeout=TIMEOUT) as good:
                    good.sendall(b"good\n")
                    first = good.makefile("rb").readline()
                late = []
                for i, c in enumerate(idle):
                    c.sendall(b"idle %d\n" % i)
                for c in idle:
                    late.append(c.makefile("rb").readline())
            finally:
                for c in idle:
                    c.close()
    return first, late


@pytest.mark.parametrize("which, kind, extra", [
    ("stdlib", "ThreadingTCPServer", None),
    ("fastsock", "ThreadingTCPServer", None),
    ("fastsock", "ThreadPoolTCPServer", None),
    ("fastsock", "ThreadingTCPServer", {"max_threads": 2}),
])
def test_idle_connections_do_not_starve_the_pool(which, kind, extra):
    """More idle connections than the pool has workers (ThreadPoolTCPServer's
    default of 32, or 2), then a client that sends a line: it is answered,
    as by the stdlib's thread per connection; so is every idle client once
    it speaks."""
    ssmod = IMPLS[which][0]
    bound = (extra or {}).get("max_threads") or \
        getattr(getattr(ssmod, kind), "max_threads", None) or 32
    idle_count = bound + 8
    first, late = idle_then_good(ssmod, getattr(ssmod, kind), idle_count,
                                 extra)
    assert first == b"reply:good\n"
    assert late == [b"reply:idle %d\n" % i for i in range(idle_count)]


def test_server_close_with_idle_connections_in_the_pool():
    """server_close() while connections that sent nothing wait for their
    first bytes: it returns, each such client sees the connection end
    without a reply (its handler never ran), and no descriptor is left."""
    handled = []

    class Echo(fastss.StreamRequestHandler):
        def handle(self):
            handled.append(self.rfile.readline())

    accepted = []

    class S(fastss.ThreadPoolTCPServer):
        max_threads = 2
        request_queue_size = 64

        def verify_request(self, request, client_address):
            accepted.append(client_address)
            return True

    before = set(os.listdir("/proc/self/fd"))
    server = S(("127.0.0.1", 0), Echo)
    idle = []
    try:
        t = threading.Thread(target=server.serve_forever,
                             kwargs={"poll_interval": 0.05}, daemon=True)
        t.start()
        for _ in range(6):
            idle.append(stdsocket.create_connection(server.server_address,
                                                    timeout=TIMEOUT))
        assert wait_for(lambda: len(accepted) == 6)
        server.shutdown()
        t.join(TIMEOUT)
        assert not t.is_alive()
        closer = threading.Thread(target=server.server_close)
        closer.start()
        closer.join(TIMEOUT)
        assert not closer.is_alive(), "server_close() hung on idle clients"
        client_fds = {str(c.fileno()) for c in idle}
        assert set(os.listdir("/proc/self/fd")) - before == client_fds
        assert [recv_all(c) for c in idle] == [b""] * 6
        assert handled == []
    finally:
        for c in idle:
            c.close()


def test_pool_server_speaking_first_with_wait_for_request_off():
    """A protocol where the server speaks first (a greeting) needs a worker
    before the client sends anything: wait_for_request = False gives it."""
    class Greet(fastss.StreamRequestHandler):
        def handle(self):
            self.wfile.write(b"hello\n")
            self.wfile.write(b"reply:" + self.rfile.readline())

    class S(fastss.ThreadPoolTCPServer):
        max_threads = 2
        wait_for_request = False

    with S(("127.0.0.1", 0), Greet) as server:
        with serving(server):
            with stdsocket.create_connection(server.server_address,
                                             timeout=TIMEOUT) as c:
                f = c.makefile("rb")
                assert f.readline() == b"hello\n"
                c.sendall(b"x\n")
                assert f.readline() == b"reply:x\n"


def test_block_on_close_joins_request_threads(impl):
    ssmod, _ = impl
    finished = []
    started = threading.Event()

    class H(ssmod.BaseRequestHandler):
        def handle(self):
            started.set()
            time.sleep(0.2)
            finished.append(True)

    server = ssmod.ThreadingTCPServer(("127.0.0.1", 0), H)
    with serving(server):
        c = stdsocket.create_connection(server.server_address, TIMEOUT)
        assert started.wait(TIMEOUT)
    # serving() ended with server_close(): the handler must be done.
    assert finished == [True]
    c.close()


def test_daemon_threads_are_not_recorded(impl):
    ssmod, _ = impl

    class S(ssmod.ThreadingTCPServer):
        daemon_threads = True

    with S(("127.0.0.1", 0), echo_handler(ssmod, set())) as server:
        with serving(server):
            assert stream_roundtrip(server.server_address, b"a\n") == \
                b"reply:a\n"
        assert len(getattr(server, "_threads", [])) == 0 or \
            not isinstance(server._threads, list)


def test_finished_threads_are_reaped(impl):
    ssmod, _ = impl
    with ssmod.ThreadingTCPServer(("127.0.0.1", 0),
                                  echo_handler(ssmod, set())) as server:
        with serving(server):
            for i in range(20):
                stream_roundtrip(server.server_address, b"%d\n" % i)
            # Finished threads are dropped as new ones are recorded.
            assert len(server._threads) < 20
    assert len(server._threads) == 0


# ---------------------------------------------------------------------------
# Forking: statuses, max_children, no zombies
# ---------------------------------------------------------------------------

def forking_scenario(ssmod, sockmod):
    pids = []
    statuses = []

    class H(ssmod.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline()
            if line.startswith(b"fail"):
                raise RuntimeError("child handler failed")
            self.wfile.write(b"pid %d\n" % os.getpid())

    class S(ssmod.ForkingTCPServer):
        def process_request(self, request, client_address):
            # The new child is the pid that was not there before (not the
            # highest one: pids wrap around at pid_max, 32768 by default).
            before = set(self.active_children or ())
            super().process_request(request, client_address)
            new = set(self.active_children or ()) - before
            pids.append(new.pop() if new else None)

        def handle_error(self, request, client_address):
            pass  # in the child: quiet

        def collect_children(self, *, blocking=False):
            # Record the exit statuses the base class would discard.
            for pid in list(self.active_children or ()):
                done, status = os.waitpid(pid, 0 if blocking else os.WNOHANG)
                if done:
                    statuses.append((pids.index(done),
                                     os.waitstatus_to_exitcode(status)))
                    self.active_children.discard(done)

    with S(("127.0.0.1", 0), H) as server:
        with serving(server):
            replies = [stream_roundtrip(server.server_address, b"ok\n"),
                       stream_roundtrip(server.server_address, b"fail\n")]
    leftovers = [p for p in pids if is_zombie_or_alive(p) is not None]
    return ([r.startswith(b"pid ") for r in replies], sorted(statuses),
            leftovers)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forking_exit_status_and_reaping():
    std = forking_scenario(stdss, stdsocket)
    fast = forking_scenario(fastss, None)
    assert fast == std
    assert fast == ([True, False], [(0, 0), (1, 1)], [])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forking_no_zombies_and_max_children():
    most = [0]
    pids = []

    class H(fastss.StreamRequestHandler):
        def handle(self):
            time.sleep(0.05)
            self.wfile.write(b"reply:" + self.rfile.readline())

    class S(fastss.ForkingTCPServer):
        max_children = 2
        request_queue_size = 32

        def process_request(self, request, client_address):
            super().process_request(request, client_address)
            pids.extend(self.active_children - set(pids))
            most[0] = max(most[0], len(self.active_children))

    with S(("127.0.0.1", 0), H) as server:
        with serving(server):
            assert flood(server.server_address, 8) == []
    assert 1 <= most[0] <= 2
    assert len(pids) == 8
    assert [p for p in pids if is_zombie_or_alive(p) is not None] == []
    assert not server.active_children


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfd_open")
def test_forking_child_reaped_without_waiting_for_poll_interval():
    # fastsock wakes the loop when a child exits (its pidfd); the stdlib
    # would reap it only at the next request or poll_interval (600 s here).
    class H(fastss.BaseRequestHandler):
        def handle(self):
            self.request.sendall(b"bye")

    with fastss.ForkingTCPServer(("127.0.0.1", 0), H) as server:
        with serving(server, poll_interval=600):
            assert stream_roundtrip(server.server_address, b"") == b"bye"
            assert wait_for(lambda: not server.active_children)
        assert server.__dict__.get("_fs_pidfds", {}) == {}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forking_no_zombie_without_block_on_close():
    pids = []

    class H(fastss.BaseRequestHandler):
        def handle(self):
            self.request.sendall(b"%d" % os.getpid())
            time.sleep(0.3)

    class S(fastss.ForkingTCPServer):
        block_on_close = False

    with S(("127.0.0.1", 0), H) as server:
        with serving(server):
            with stdsocket.create_connection(server.server_address,
                                             TIMEOUT) as c:
                pids.append(int(c.recv(20)))
    # server_close() returned without waiting; the child still gets reaped.
    assert wait_for(lambda: is_zombie_or_alive(pids[0]) is None)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_ctrl_c_right_after_fork_neither_orphans_nor_cuts_the_child():
    # A KeyboardInterrupt in the parent just after fork(): the child is
    # already in active_children, its connection is closed in the parent
    # but not shut down, and serve_forever() waits for it before raising.
    class H(fastss.BaseRequestHandler):
        def handle(self):
            time.sleep(0.1)
            self.request.sendall(b"late reply")

    class S(fastss.ForkingTCPServer):
        def _fs_watch_child(self, pid):
            super()._fs_watch_child(pid)
            raise KeyboardInterrupt

    with S(("127.0.0.1", 0), H) as server:
        c = stdsocket.create_connection(server.server_address, TIMEOUT)
        with pytest.raises(KeyboardInterrupt):
            server.serve_forever(poll_interval=600)
        assert server.active_children == set()
        assert recv_all(c) == b"late reply"
        c.close()


# ---------------------------------------------------------------------------
# Clients that misbehave
# ---------------------------------------------------------------------------

def rst_close(sock):
    """Close with an RST instead of a FIN (SO_LINGER with zero linger)."""
    sock.setsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


@pytest.mark.parametrize("kind", ["TCPServer", "ThreadingTCPServer",
                                  "ThreadPoolTCPServer"])
def test_reset_and_vanishing_clients_do_not_stop_the_server(kind):
    errors = []
    entered = threading.Semaphore(0)

    class H(fastss.StreamRequestHandler):
        def handle(self):
            entered.release()
            line = self.rfile.readline()
            if line == b"big\n":
                for _ in range(200):
                    self.wfile.write(b"y" * 65536)
            else:
                self.wfile.write(b"reply:" + line)

    class S(getattr(fastss, kind)):
        def handle_error(self, request, client_address):
            errors.append(type(sys.exc_info()[1]).__name__)

    with S(("127.0.0.1", 0), H) as server:
        with serving(server):
            addr = server.server_address
            # Reset in the middle of a request line.
            c = stdsocket.create_connection(addr, TIMEOUT)
            c.sendall(b"half a li")
            assert entered.acquire(timeout=TIMEOUT)
            rst_close(c)
            # Ask for a big reply and vanish before reading it.
            c = stdsocket.create_connection(addr, TIMEOUT)
            c.sendall(b"big\n")
            assert entered.acquire(timeout=TIMEOUT)
            rst_close(c)
            # Connect and leave at once.
            stdsocket.create_connection(addr, TIMEOUT).close()
            for i in range(3):
                assert stream_roundtrip(addr, b"%d\n" % i) == b"reply:%d\n" % i
    assert set(errors) <= {"ConnectionResetError", "BrokenPipeError"}
    assert "ConnectionResetError" in errors or "BrokenPipeError" in errors


# ---------------------------------------------------------------------------
# Subprocess scenarios: EMFILE, Ctrl-C, http.server, xmlrpc.server
# ---------------------------------------------------------------------------

def run_script(code, *args, timeout=60):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)]
                          + list(args), capture_output=True, text=True,
                          timeout=timeout)


def readline_within(p, limit=TIMEOUT):
    """p.stdout.readline(), giving up (returning "") after `limit` s."""
    box = []
    t = threading.Thread(target=lambda: box.append(p.stdout.readline()),
                         daemon=True)
    t.start()
    t.join(limit)
    return box[0] if box else ""


def start_script(code, *args):
    """Start a script that prints one line ("ready <port>") when serving."""
    p = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)]
                         + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = readline_within(p)
    if not line.startswith("ready"):
        p.kill()
        out, err = p.communicate(timeout=TIMEOUT)
        pytest.fail("server script did not start: %r %r" % (line, err))
    return p, line.split()[1:]


EMFILE_SCRIPT = """
import os, resource, socket, sys, threading
import fastsock.socketserver as ss

turns = [0]
class H(ss.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"served")
class S(ss.TCPServer):
    def service_actions(self):
        turns[0] += 1

server = S(("127.0.0.1", 0), H)
client = socket.socket()
client.settimeout(10)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
filler = []
try:
    while True:
        filler.append(os.open("/dev/null", os.O_RDONLY))
except OSError:
    pass
t = threading.Thread(target=server.serve_forever, args=(5,))
t.start()
client.connect(server.server_address)     # accept() now fails: EMFILE
threading.Event().wait(0.3)
during = turns[0]
os.close(filler.pop())                    # one descriptor free again
reply = client.recv(100)
server.shutdown()
t.join(10)
print(reply.decode(), during, server.socket.fileno() >= 0)
server.server_close()
"""


def test_emfile_on_accept_backs_off_and_recovers():
    r = run_script(EMFILE_SCRIPT)
    assert r.returncode == 0, r.stderr
    reply, during, still_open = r.stdout.split()
    assert reply == "served"
    assert still_open == "True"
    # A busy loop would turn tens of thousands of times in 0.3 s; the
    # back-off (5 ms doubling to 200 ms) turns a handful of times.
    assert int(during) < 1000


SIGINT_SCRIPT = """
import os, sys, time
sys.path.insert(0, os.getcwd())
if sys.argv[1] == "stdlib":
    import socketserver as ss
else:
    import fastsock.socketserver as ss

class H(ss.StreamRequestHandler):
    def handle(self):
        os.write(1, b"child %d\\n" % os.getpid())   # one write: no mixing
        time.sleep(0.3)
        self.wfile.write(b"late reply")

class S(getattr(ss, sys.argv[2])):
    def process_request(self, request, client_address):
        super().process_request(request, client_address)
        os.write(1, b"parent-done\\n")

with S(("127.0.0.1", 0), H) as server:
    print("ready", server.server_address[1], flush=True)
    server.serve_forever(poll_interval=30)
"""


@pytest.mark.parametrize("which", ["stdlib", "fastsock"])
@pytest.mark.parametrize("kind", ["TCPServer", "ForkingTCPServer"])
def test_sigint_stops_serve_forever_with_keyboardinterrupt(which, kind):
    p, (port,) = start_script(SIGINT_SCRIPT, which, kind)
    try:
        child = None
        if kind == "ForkingTCPServer":
            c = stdsocket.create_connection(("127.0.0.1", int(port)), TIMEOUT)
            lines = sorted([readline_within(p).split(),
                            readline_within(p).split()])
            assert [w[:1] for w in lines] == [["child"], ["parent-done"]]
            child = int(lines[0][1])
        # Ctrl-C once serve_forever() waits (for a connection, or for the
        # child), not while the script is still on its way there.
        assert asleep_in("/proc/%d/" % p.pid, WAITS), "it never waited"
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT * 3)
    finally:
        if p.poll() is None:
            p.kill()
    assert "KeyboardInterrupt" in err
    # An unhandled KeyboardInterrupt ends Python by SIGINT (since 3.8), so
    # the parent sees the signal, as with any Ctrl-C'd program.
    assert p.returncode == -signal.SIGINT
    if child is not None:
        # server_close() waited for the child: it is gone, not orphaned,
        # and it finished its request.
        assert is_zombie_or_alive(child) is None
        assert recv_all(c) == b"late reply"
        c.close()


# The kernel hands a process-wide SIGINT to any thread that does not block
# it, and then the serving thread's poll() is not interrupted: only its
# next look at the pending signals ends the loop.  The stdlib's Python loop
# looks once per poll_interval; the fastsock loop must too, or a Ctrl-C
# that lands in another thread (or between two polls) is never seen.
OTHER_THREAD_SIGINT_SCRIPT = """
import os, signal, socket, sys, threading
sys.path.insert(0, os.getcwd())
if sys.argv[1] == "stdlib":
    import socketserver as ss
else:
    import fastsock.socketserver as ss

def take_the_signal(address):
    sys.stdin.readline()
    # A reply proves the loop runs: the signal does not land while the
    # main thread is still starting it.
    with socket.create_connection(address) as c:
        c.recv(16)
    signal.pthread_kill(threading.get_ident(), signal.SIGINT)
    os.write(1, b"sent\\n")

class H(ss.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"served")

with getattr(ss, sys.argv[2])(("127.0.0.1", 0), H) as server:
    try:
        threading.Thread(target=take_the_signal, args=(server.server_address,),
                         daemon=True).start()
        print("ready", server.server_address[1], flush=True)
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        print("stopped", flush=True)
"""


@pytest.mark.parametrize("which", ["stdlib", "fastsock"])
@pytest.mark.parametrize("kind", ["TCPServer", "ThreadingTCPServer"])
def test_sigint_taken_by_another_thread_stops_serve_forever(which, kind):
    p = subprocess.Popen(
        [sys.executable, "-c", OTHER_THREAD_SIGINT_SCRIPT, which, kind],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        assert readline_within(p).startswith("ready")
        p.stdin.write("go\n")
        p.stdin.flush()
        sent, stopped = readline_within(p), readline_within(p)
        if stopped != "stopped\n":
            p.kill()        # serve_forever went on: show where it was
        out, err = p.communicate(timeout=TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert (sent, stopped) == ("sent\n", "stopped\n"), err
    assert p.returncode == 0, err


HTTP_SCRIPT = """
import sys
import fastsock
fastsock.patch()
import http.server, socketserver, functools
assert http.server.socketserver is socketserver
import fastsock.socketserver
assert socketserver is fastsock.socketserver
handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                            directory=sys.argv[1])
class Quiet(handler.func):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=sys.argv[1])
cls = getattr(http.server, sys.argv[2])
with cls(("127.0.0.1", 0), handler) as httpd:
    assert isinstance(httpd.socket, fastsock.socket)
    print("ready", httpd.server_port, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
"""


@pytest.mark.parametrize("kind", ["HTTPServer", "ThreadingHTTPServer"])
def test_http_server_on_fastsock(kind, tmp_path):
    import urllib.request
    body = b"<html>fastsock served this</html>\n" * 100
    (tmp_path / "index.html").write_bytes(body)
    p, (port,) = start_script(HTTP_SCRIPT, str(tmp_path), kind)
    try:
        url = "http://127.0.0.1:%s/index.html" % port
        for _ in range(3):
            with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
                assert resp.status == 200
                assert resp.read() == body
        try:
            urllib.request.urlopen(url + ".missing", timeout=TIMEOUT)
            raise AssertionError("expected a 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        curl = shutil.which("curl")
        if curl is None:
            pytest.skip("curl is not installed")
        # curl is not ours: run it without a sanitizer runtime preloaded.
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        r = subprocess.run([curl, "-s", "-S", "--max-time", "10", url, url],
                           capture_output=True, timeout=30, env=env)
        assert r.returncode == 0, r.stderr
        assert r.stdout == body * 2
        r = subprocess.run([curl, "-s", "-I", "--max-time", "10", url],
                           capture_output=True, timeout=30, env=env)
        assert r.stdout.startswith(b"HTTP/1.0 200")
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT)
    assert "stopped" in out, err


XMLRPC_SCRIPT = """
import fastsock
fastsock.patch()
from xmlrpc.server import SimpleXMLRPCServer
import fastsock.socketserver, socketserver
assert SimpleXMLRPCServer.__mro__[1] is fastsock.socketserver.TCPServer
with SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False) as server:
    server.register_function(pow)
    server.register_function(lambda s: s[::-1], "reverse")
    print("ready", server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
"""


def test_xmlrpc_server_on_fastsock():
    import xmlrpc.client
    p, (port,) = start_script(XMLRPC_SCRIPT)
    try:
        proxy = xmlrpc.client.ServerProxy("http://127.0.0.1:%s" % port)
        assert proxy.pow(2, 10) == 1024
        assert proxy.reverse("fastsock") == "kcostsaf"
        try:
            proxy.nosuch()
            raise AssertionError("expected a Fault")
        except xmlrpc.client.Fault as exc:
            assert "nosuch" in exc.faultString
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT)
    assert "stopped" in out, err

