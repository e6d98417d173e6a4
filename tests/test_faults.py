"""Fault handling: what happens when the network or the process misbehaves.

A peer that resets mid-read and mid-write; half-close; EMFILE on accept
(RLIMIT_NOFILE lowered in a subprocess) and recovery once descriptors free
up, for a bare accept loop and for a threading server; signals arriving
during every blocking call (PEP 475: a handler that returns means the call
goes on); shutdown() from another thread waking blocked calls; fork() while
other threads are blocked in socket calls; servers stopped by SIGINT and
SIGTERM closing their sockets.

Every test runs on the stdlib too (the `mod` fixture), which shows that the
test itself is right, and most compare the two outcomes directly.
(test_threads_signals.py has the close()-from-another-thread races, the
basic EINTR retry and Ctrl-C during blocking calls.)
"""
import errno
import json
import os
import signal
import socket as stdsocket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pytest

import fastsock
from conftest import WAITS, tcp_pair, wait_thread_asleep

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIG = 16 << 20


def _kind(exc):
    return (type(exc).__name__, getattr(exc, "errno", None))


def _rst_close(sock, mod):
    """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
    sock.setsockopt(mod.SOL_SOCKET, mod.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _in_thread(fn):
    """Run fn in a thread; returns (thread, box) where box gets
    ("ok", result) or ("raise", type name, errno)."""
    box = []

    def run():
        try:
            box.append(("ok", fn()))
        except Exception as exc:  # noqa: BLE001 - the exception is the result
            box.append(("raise",) + _kind(exc))
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, box


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


# ---------------------------------------------------------- peer reset

def _reset_mid_read(mod, use_file):
    cli, conn, lst = tcp_pair(mod)
    with cli, lst:
        conn.sendall(b"first line\npartial")
        reader = cli.makefile("rb") if use_file else None
        if use_file:
            first = reader.readline()
            blocked = reader.readline
        else:
            first = _recv_exact(cli, 11)
            _recv_exact(cli, 7)

            def blocked():
                return cli.recv(100)
        t, box = _in_thread(blocked)
        time.sleep(0.2)              # let it block (no timing asserted)
        _rst_close(conn, mod)
        t.join(15)
        assert not t.is_alive()
        after = None
        if use_file:
            try:
                after = ("ok", reader.read())
            except OSError as exc:
                after = ("raise",) + _kind(exc)
            reader.close()
        return first, box[0], after


@pytest.mark.parametrize("use_file", [False, True], ids=["recv", "readline"])
def test_peer_reset_mid_read(mod, use_file):
    first, res, after = _reset_mid_read(mod, use_file)
    assert first == b"first line\n"
    assert res == ("raise", "ConnectionResetError", errno.ECONNRESET), res
    if use_file:
        # After the error the file keeps working on what it has: EOF now.
        assert after in (("ok", b""),
                         ("raise", "ConnectionResetError", errno.ECONNRESET))


def test_peer_reset_mid_read_same_as_stdlib():
    std = _reset_mid_read(stdsocket, True)
    fast = _reset_mid_read(fastsock, True)
    assert fast == std


@pytest.mark.parametrize("how", ["sendall", "file"])
def test_peer_reset_mid_write(mod, how):
    cli, conn, lst = tcp_pair(mod)
    with conn, lst:
        conn.settimeout(20)
        payload = b"w" * BIG         # far more than the socket buffers hold
        if how == "sendall":
            def write():
                conn.sendall(payload)
        else:
            wfile = conn.makefile("wb")

            def write():
                wfile.write(payload)
                wfile.flush()
        t, box = _in_thread(write)
        got = cli.recv(65536)        # some bytes did arrive...
        time.sleep(0.2)
        _rst_close(cli, mod)         # ...then the reader resets
        t.join(30)
        assert not t.is_alive()
    assert got
    assert box[0][0] == "raise", box
    # Linux reports either, depending on when the RST lands: the stdlib
    # gives the same two.
    assert box[0][1:] in (("ConnectionResetError", errno.ECONNRESET),
                          ("BrokenPipeError", errno.EPIPE)), box


def test_send_after_reset_raises_not_sigpipe(mod):
    """Writing to a reset connection raises; the process is not killed by
    SIGPIPE (the stdlib ignores it; so must fastsock's C code)."""
    cli, conn, lst = tcp_pair(mod)
    with conn, lst:
        _rst_close(cli, mod)
        time.sleep(0.1)
        kinds = set()
        for _ in range(3):
            try:
                conn.send(b"x" * 1000)
            except OSError as exc:
                kinds.add(_kind(exc))
    assert kinds <= {("ConnectionResetError", errno.ECONNRESET),
                     ("BrokenPipeError", errno.EPIPE)} and kinds


# ---------------------------------------------------------- half-close

def _half_close(mod):
    cli, conn, lst = tcp_pair(mod)
    with cli, conn, lst:
        cli.sendall(b"request line 1\nrequest line 2\n")
        cli.shutdown(mod.SHUT_WR)
        steps = []
        with conn.makefile("rb") as rfile:
            steps.append(rfile.read())           # reads to EOF
        steps.append(conn.recv(10))              # still EOF
        conn.sendall(b"reply after EOF")         # the other half still works
        conn.shutdown(mod.SHUT_WR)
        chunks = []
        while True:
            data = cli.recv(4)
            if not data:
                break
            chunks.append(data)
        steps.append(b"".join(chunks))
        try:
            cli.send(b"late")
            steps.append("sent")
        except OSError as exc:
            steps.append(_kind(exc))
        try:                                     # both halves are closed now
            conn.shutdown(mod.SHUT_RD)
            steps.append("shut")
        except OSError as exc:
            steps.append(_kind(exc))
    a, b = mod.socketpair()
    with a, b:
        b.sendall(b"unread")
        a.shutdown(mod.SHUT_RD)
        steps.append(a.recv(10))                 # SHUT_RD: no more reads
        a.sendall(b"write half open")
        steps.append(b.recv(100))
    return steps


def test_half_close(mod):
    steps = _half_close(mod)
    assert steps[:4] == [b"request line 1\nrequest line 2\n", b"",
                         b"reply after EOF", ("BrokenPipeError", errno.EPIPE)]
    assert steps[4] in ("shut", ("OSError", errno.ENOTCONN))
    assert steps[6] == b"write half open"


def test_half_close_same_as_stdlib():
    assert _half_close(fastsock) == _half_close(stdsocket)


def test_shutdown_unconnected(mod):
    with mod.socket() as s:
        with pytest.raises(OSError) as info:
            s.shutdown(mod.SHUT_RDWR)
    assert info.value.errno == errno.ENOTCONN


# ---------------------------------------------------------- EMFILE

EMFILE_CHILD = textwrap.dedent("""
    import json, os, resource, sys
    import {module} as socket
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(64)
    lst.settimeout(10)
    print(lst.getsockname()[1], flush=True)
    sys.stdin.readline()                    # the parent has connected
    used = len(os.listdir("/proc/self/fd")) + 1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (used + 3, hard))
    accepted, error = [], None
    while True:
        try:
            accepted.append(lst.accept()[0])
        except OSError as exc:
            error = [type(exc).__name__, exc.errno]
            break
    first = len(accepted)
    served = 0
    def serve(conn):
        conn.settimeout(10)
        line = conn.recv(100)
        conn.sendall(b"echo:" + line)
        conn.close()
    # Free the descriptors and go on accepting: the queued ones get in.
    for conn in accepted:
        serve(conn)
        served += 1
    while served < {count}:
        serve(lst.accept()[0])
        served += 1
    print(json.dumps({{"first": first, "error": error, "served": served}}),
          flush=True)
""")


@pytest.mark.parametrize("module", ["fastsock", "socket"])
def test_emfile_on_accept_then_recovery(module):
    count = 8
    code = EMFILE_CHILD.format(module=module, count=count)
    proc = subprocess.Popen([sys.executable, "-c", code], env=_child_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    clients = []
    try:
        port = int(proc.stdout.readline())
        for i in range(count):
            c = stdsocket.create_connection(("127.0.0.1", port), timeout=10)
            c.sendall(b"client %d\n" % i)
            clients.append(c)
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        replies = [c.recv(100) for c in clients]
        out, err = proc.communicate(timeout=60)
    finally:
        for c in clients:
            c.close()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err.decode(errors="replace")
    report = json.loads(out.decode().strip().splitlines()[-1])
    assert report["error"] == ["OSError", errno.EMFILE]
    assert 0 < report["first"] < count
    assert report["served"] == count
    assert replies == [b"echo:client %d\n" % i for i in range(count)]


SERVER_EMFILE_CHILD = textwrap.dedent("""
    import os, resource, sys, threading
    if {module!r} == "fastsock":
        import fastsock.socketserver as socketserver
    else:
        import socketserver

    class Handler(socketserver.StreamRequestHandler):
        timeout = 30
        def handle(self):
            line = self.rfile.readline()
            self.wfile.write(b"echo:" + line)
            self.wfile.flush()
            self.rfile.read()          # hold the connection until EOF

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        request_queue_size = 64
        def handle_error(self, request, client_address):
            pass                       # EMFILE in a handler is expected

    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    sys.stdin.readline()
    used = len(os.listdir("/proc/self/fd"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (used + 4, hard))
    t = threading.Thread(target=srv.serve_forever, kwargs={{"poll_interval": 0.05}})
    t.start()
    sys.stdin.readline()               # the parent got every reply
    srv.shutdown()
    t.join()
    srv.server_close()
    print("stopped", flush=True)
""")


@pytest.mark.parametrize("module", ["fastsock", "socket"])
def test_server_emfile_recovers(module):
    """A threading server out of descriptors keeps running and serves the
    queued clients as soon as earlier connections close."""
    if module == "fastsock":
        pytest.importorskip("fastsock.socketserver",
                            reason="fastsock.socketserver is not there yet")
    import selectors
    count = 10
    code = SERVER_EMFILE_CHILD.format(module=module)
    proc = subprocess.Popen([sys.executable, "-c", code], env=_child_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    clients = {}
    replies = {}
    try:
        port = int(proc.stdout.readline())
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        sel = selectors.DefaultSelector()
        for i in range(count):
            c = stdsocket.create_connection(("127.0.0.1", port), timeout=10)
            c.sendall(b"client %d\n" % i)
            c.setblocking(False)
            clients[i] = c
            sel.register(c, selectors.EVENT_READ, i)
        deadline = time.monotonic() + 60          # a bound, not an assertion
        while len(replies) < count and time.monotonic() < deadline:
            for key, _ in sel.select(0.5):
                i = key.data
                data = clients[i].recv(100)
                replies[i] = data
                sel.unregister(clients[i])
                clients[i].close()             # frees a descriptor there
        sel.close()
        proc.stdin.write(b"done\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        for c in clients.values():
            c.close()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert replies == {i: b"echo:client %d\n" % i for i in range(count)}
    assert proc.returncode == 0 and out.endswith(b"stopped\n"), \
        err.decode(errors="replace")


# ---------------------------------------------------------- EINTR everywhere

def _blocking_op(mod, op, timeout):
    """(call, unblock, check): `call` blocks until `unblock` runs."""
    res = {}
    if op in ("accept",):
        lst = mod.socket()
        lst.bind(("127.0.0.1", 0))
        lst.listen()
        lst.settimeout(timeout)
        res["close"] = [lst]

        def call():
            conn, _ = lst.accept()
            conn.close()
            return "accepted"

        def unblock():
            stdsocket.create_connection(lst.getsockname(), timeout=10).close()
        return call, unblock, "accepted", res
    if op == "connect":
        lst = stdsocket.socket()
        lst.bind(("127.0.0.1", 0))
        lst.listen(0)
        fillers = []
        for _ in range(4):               # fill the accept queue
            f = stdsocket.socket()
            f.setblocking(False)
            f.connect_ex(lst.getsockname())
            fillers.append(f)
        time.sleep(0.1)
        s = mod.socket()
        s.settimeout(timeout)
        res["close"] = [lst, s] + fillers

        def call():
            s.connect(lst.getsockname())
            return "connected"

        stop = threading.Event()
        res["stop"] = stop

        def acceptor():
            # Keep the queue moving until the test is over: the blocked
            # connect() completes at its next SYN retransmission.
            lst.settimeout(0.2)
            while not stop.is_set():
                try:
                    lst.accept()[0].close()
                except OSError:
                    pass

        def unblock():
            res["drainer"] = threading.Thread(target=acceptor, daemon=True)
            res["drainer"].start()
        return call, unblock, "connected", res
    stype = mod.SOCK_DGRAM if op == "send_dgram" else mod.SOCK_STREAM
    a, b = mod.socketpair(mod.AF_UNIX, stype)
    res["close"] = [a, b]
    a.settimeout(timeout)
    msg = b"after the signals\n"
    if op in ("sendall", "send", "send_file"):
        a.setblocking(False)
        try:
            while True:                  # fill both socket buffers
                a.send(b"f" * 65536)
        except BlockingIOError:
            pass
        a.settimeout(timeout)
        total = {"n": 0}

        def drain():
            b.settimeout(10)
            try:
                while True:
                    data = b.recv(1 << 20)
                    if not data:
                        return
                    total["n"] += len(data)
            except OSError:
                return               # closed by the test's cleanup

        def unblock():
            res["drainer"] = threading.Thread(target=drain, daemon=True)
            res["drainer"].start()

        if op == "sendall":
            def call():
                a.sendall(b"s" * (1 << 20))
                return "sent"
        elif op == "send_file":
            def call():
                with a.makefile("wb") as w:
                    w.write(b"s" * (1 << 20))
                return "sent"
        else:
            def call():
                return "sent" if a.send(b"s" * 1000) > 0 else "nothing"
        return call, unblock, "sent", res
    if op == "send_dgram":
        a.setblocking(False)
        try:
            while True:                  # fill the peer's queue
                a.send(b"d" * 100)
        except BlockingIOError:
            pass
        a.settimeout(timeout)

        def call():
            return "sent" if a.send(b"x") == 1 else "short"

        def unblock():
            b.setblocking(False)
            try:
                while True:
                    b.recv(200)
            except BlockingIOError:
                pass
        return call, unblock, "sent", res

    def unblock():
        b.sendall(msg)
    if op == "recv":
        def call():
            return a.recv(100)
    elif op == "recv_into":
        def call():
            buf = bytearray(100)
            return bytes(buf[:a.recv_into(buf)])
    elif op == "recvfrom":
        def call():
            return a.recvfrom(100)[0]
    elif op == "recvfrom_into":
        def call():
            buf = bytearray(100)
            return bytes(buf[:a.recvfrom_into(buf)[0]])
    elif op == "recvmsg":
        def call():
            return a.recvmsg(100)[0]
    elif op == "recvmsg_into":
        def call():
            buf = bytearray(100)
            return bytes(buf[:a.recvmsg_into([buf])[0]])
    elif op == "readline":
        def call():
            with a.makefile("rb") as f:
                return f.readline()
    elif op == "read":
        def call():
            with a.makefile("rb") as f:
                return f.read(len(msg))
    elif op == "text_readline":
        def call():
            with a.makefile("r", encoding="ascii") as f:
                return f.readline().encode("ascii")
    return call, unblock, msg, res


def _cleanup(res):
    if "stop" in res:
        res["stop"].set()
    socks = res["close"]
    socks[0].close()                 # EOF for a drainer first
    if "drainer" in res:
        res["drainer"].join(30)
    for s in socks[1:]:
        s.close()


# Where the main thread sleeps in any of the blocking calls above.
BLOCKING_CALLS = ("read", "recvfrom", "recvmsg", "accept", "accept4",
                  "connect", "sendto", "sendmsg") + WAITS

EINTR_OPS = ["recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg",
             "recvmsg_into", "accept", "connect", "sendall", "send",
             "send_dgram", "send_file", "readline", "read", "text_readline"]


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals are delivered to the main thread")
@pytest.mark.parametrize("timeout", [None, 30.0], ids=["blocking", "timeout"])
@pytest.mark.parametrize("op", EINTR_OPS)
def test_signal_during_blocking_call_resumes(mod, op, timeout):
    """SIGUSR1 several times while the main thread is blocked; the handler
    returns, so the call must go on (PEP 475) and finish normally once the
    other side acts."""
    if op in ("recvmsg", "recvmsg_into") and not hasattr(mod.socket, op):
        pytest.skip("%s is not available here" % op)
    call, unblock, expected, res = _blocking_op(mod, op, timeout)
    handled = []
    main = threading.main_thread().ident
    old = signal.signal(signal.SIGUSR1, lambda *a: handled.append(1))

    def pester():
        # The signals are meant for the blocked call, not for the Python
        # code before it: wait until the main thread sleeps in it.
        wait_thread_asleep(threading.main_thread().native_id, BLOCKING_CALLS)
        for _ in range(4):
            signal.pthread_kill(main, signal.SIGUSR1)
            time.sleep(0.02)
        unblock()
    helper = threading.Thread(target=pester, daemon=True)
    helper.start()
    try:
        result = call()
    finally:
        helper.join(30)
        signal.signal(signal.SIGUSR1, old)
        _cleanup(res)
    assert result == expected
    assert len(handled) >= 1


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals are delivered to the main thread")
@pytest.mark.parametrize("op", ["recv", "accept", "sendall", "readline",
                                "connect"])
def test_signal_handler_raising_ends_blocking_call(mod, op):
    """A handler that raises: the exception comes out of the blocked call
    (and the socket is still usable afterwards)."""
    class Stop(Exception):
        pass
    call, unblock, expected, res = _blocking_op(mod, op, None)
    main = threading.main_thread().ident

    def handler(*args):
        raise Stop()
    old = signal.signal(signal.SIGUSR1, handler)

    def interrupt():
        # Once the call blocks: a signal that landed before it (a fixed
        # pause can end that early on a loaded machine) would raise Stop
        # outside pytest.raises().
        wait_thread_asleep(threading.main_thread().native_id, BLOCKING_CALLS)
        signal.pthread_kill(main, signal.SIGUSR1)
    timer = threading.Thread(target=interrupt)
    timer.start()
    try:
        with pytest.raises(Stop):
            call()
    finally:
        timer.join()
        signal.signal(signal.SIGUSR1, old)
        _cleanup(res)


# ---------------------------------------------------------- shutdown wakes

def _shutdown_wakes(mod, what):
    if what == "accept":
        s = mod.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        target = s.accept
        other = None
    else:
        s, other = mod.socketpair()
        if what == "recv":
            target = lambda: s.recv(100)          # noqa: E731
        else:
            f = s.makefile("rb")
            target = f.readline
    t, box = _in_thread(target)
    time.sleep(0.2)
    s.shutdown(mod.SHUT_RDWR)
    t.join(15)
    alive = t.is_alive()
    s.close()
    if other is not None:
        other.close()
    return alive, box[0] if box else None


@pytest.mark.parametrize("what", ["recv", "readline", "accept"])
def test_shutdown_from_another_thread_wakes_blocked_call(what):
    std = _shutdown_wakes(stdsocket, what)
    fast = _shutdown_wakes(fastsock, what)
    assert std[0] is False and fast == std


# ---------------------------------------------------------- fork

def _fork_with_threads(mod):
    lst = mod.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen()
    lst.settimeout(20)
    a, b = mod.socketpair()
    a.settimeout(20)
    c, d = mod.socketpair()
    t_recv, box_recv = _in_thread(lambda: a.recv(100))
    t_acc, box_acc = _in_thread(lambda: lst.accept()[0].recv(100))

    def writer():
        total = 0
        for _ in range(200):
            total += c.send(b"w" * 1000)
            d.recv(1000)
        return total
    t_wr, box_wr = _in_thread(writer)
    time.sleep(0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:                     # the child: only this thread exists
        status = 1
        try:
            signal.alarm(20)
            x, y = mod.socketpair()
            x.sendall(b"child ok")
            ok = y.recv(100) == b"child ok"
            conn = mod.create_connection(lst.getsockname(), timeout=10)
            conn.sendall(b"from the child")
            conn.close()
            for s in (x, y, lst, a, b, c, d):
                s.close()
            status = 0 if ok else 2
        finally:
            os._exit(status)
    deadline = time.monotonic() + 30
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if not done:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    b.sendall(b"parent thread ok")
    for t in (t_recv, t_acc, t_wr):
        t.join(30)
    for s in (lst, a, b, c, d):
        s.close()
    return (done != 0 and os.WIFEXITED(status) and os.WEXITSTATUS(status),
            box_recv, box_acc, box_wr)


def test_fork_with_sockets_blocked_in_threads(mod):
    exit_code, recv, acc, wr = _fork_with_threads(mod)
    assert exit_code == 0
    assert recv == [("ok", b"parent thread ok")]
    assert acc == [("ok", b"from the child")]
    assert wr == [("ok", 200 * 1000)]


# ---------------------------------------------------------- killed servers

KILLED_SERVER = textwrap.dedent("""
    import json, os, signal, sys, threading
    if {module!r} == "fastsock":
        import fastsock.socketserver as socketserver
    else:
        import socketserver

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                self.wfile.write(b"echo:" + line)
                self.wfile.flush()

    class Server(socketserver.{server}):
        daemon_threads = True
        allow_reuse_address = True

    if {sigterm_raises!r}:
        def on_term(signum, frame):
            raise SystemExit(3)
        signal.signal(signal.SIGTERM, on_term)
    def sockets():
        # Socket descriptors only: the server may also own an eventfd or
        # similar until it is deallocated.
        out = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                out += os.readlink("/proc/self/fd/" + fd).startswith("socket:")
            except OSError:
                pass
        return out
    before = sockets()
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    try:
        with srv:
            srv.serve_forever()
    finally:
        # What is still open once the server is closed: only what the
        # handler threads hold (their connection), nothing of the server.
        print(json.dumps({{"listening_fd": srv.socket.fileno(),
                          "extra_fds": sockets() - before}}),
              flush=True)
""")


@pytest.mark.parametrize("server", ["ThreadingTCPServer", "TCPServer"])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("module", ["fastsock", "socket"])
def test_server_killed_closes_its_sockets(module, sig, server):
    if module == "fastsock":
        pytest.importorskip("fastsock.socketserver",
                            reason="fastsock.socketserver is not there yet")
    code = KILLED_SERVER.format(module=module, server=server,
                                sigterm_raises=(sig == "SIGTERM"))
    proc = subprocess.Popen([sys.executable, "-c", code], env=_child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    client = None
    try:
        port = int(proc.stdout.readline())
        client = stdsocket.create_connection(("127.0.0.1", port), timeout=10)
        client.sendall(b"hello\n")
        assert client.recv(100) == b"echo:hello\n"
        if server == "ThreadingTCPServer":
            live = client            # a connection still open in a thread
        else:
            client.close()           # TCPServer: one at a time
            live = None
        time.sleep(0.2)
        proc.send_signal(getattr(signal, sig))
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    report = json.loads(out.decode().strip().splitlines()[-1])
    assert report["listening_fd"] == -1
    # A threading server's live connection belongs to its daemon thread.
    assert report["extra_fds"] == (1 if live is not None else 0), report
    if sig == "SIGINT":
        assert b"KeyboardInterrupt" in err, err.decode(errors="replace")
    else:
        assert proc.returncode == 3, err.decode(errors="replace")
    if live is not None:
        live.settimeout(10)
        try:
            assert live.recv(100) == b""     # the process is gone: EOF
        except ConnectionResetError:
            pass
        live.close()
    with pytest.raises(ConnectionRefusedError):
        stdsocket.create_connection(("127.0.0.1", port), timeout=10)
