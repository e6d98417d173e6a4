"""Load, with every byte checked, against fastsock's ThreadingTCPServer and
ForkingTCPServer.

The server runs in its own process (with a raised descriptor limit) and
answers each request line with a reply derived from it; clients run in
another process and check every reply byte for byte, that each request got
exactly one reply (a reply is followed by EOF or by the next reply, never by
stray bytes), and that nothing was lost.  Afterwards the server's threads,
children and descriptors must be back to their counts before the load.

Default sizes keep the file within about a minute on two cores:
  short connections   10,000 to the threading server, 2,000 to the forking
                      one (a fork each: ~5 ms); FASTSOCK_LOAD=full: 10,000
  persistent          500 at once, 4 round trips each (full: 20)
  slow clients        20 that connect and send nothing, while 200 others
                      are served (the handler sets a timeout)
Under the sanitizer build (FASTSOCK_SANITIZED=1) the counts are divided by
five.  FASTSOCK_LOAD_MODULE=stdlib runs the same load against the stdlib's
socketserver, which checks the test itself.

This file is also the server and client program:
  python tests/test_load.py serve MODULE KIND [TIMEOUT]
  python tests/test_load.py short PORT COUNT CONCURRENCY
  python tests/test_load.py persistent PORT COUNT ROUNDS
"""
import json
import os
import resource
import subprocess
import sys
import threading
import time

HERE = os.path.abspath(__file__)
FULL = os.environ.get("FASTSOCK_LOAD") == "full"
SCALE = 5 if os.environ.get("FASTSOCK_SANITIZED") else 1
SHORT_THREADING = 10000 // SCALE
SHORT_FORKING = (10000 if FULL else 2000) // SCALE
PERSISTENT = 500 // SCALE
ROUNDS = 20 if FULL else 4
MODULE = os.environ.get("FASTSOCK_LOAD_MODULE", "fastsock")


def reply_for(line):
    """The server's answer to one request line (the clients recompute it)."""
    body = line.rstrip(b"\n")
    return b"%d:%s:%s\n" % (len(body), body[::-1], body.upper())


def raise_fd_limit(want=8192):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# ---------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------

def count_children():
    """Live and zombie children of this process."""
    me = str(os.getpid())
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            n += 1
    return n


def serve(module, kind, timeout=None):
    raise_fd_limit()
    if module == "fastsock":
        import fastsock.socketserver as socketserver
    else:
        import socketserver
    handled = [0]
    lock = threading.Lock()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                self.wfile.write(reply_for(line))
                with lock:
                    handled[0] += 1

        def setup(self):
            self.timeout = timeout
            super().setup()

    base = {"threading": socketserver.ThreadingTCPServer,
            "forking": socketserver.ForkingTCPServer,
            "tcp": socketserver.TCPServer}[kind]

    class Server(base):
        allow_reuse_address = True
        request_queue_size = 1024
        max_children = 2000          # forking: room for every connection
        daemon_threads = False       # server_close() joins them all

        def handle_error(self, request, client_address):
            # A slow client timing out is expected; anything else is shown.
            exc = sys.exc_info()[1]
            if not isinstance(exc, (TimeoutError, ConnectionError)):
                super().handle_error(request, client_address)

    srv = Server(("127.0.0.1", 0), Handler)
    loop = threading.Thread(target=srv.serve_forever,
                            kwargs={"poll_interval": 0.1})
    loop.start()

    def stats():
        return {"threads": threading.active_count(),
                "fds": len(os.listdir("/proc/self/fd")),
                "children": count_children(),
                "handled": handled[0]}
    print(json.dumps({"port": srv.server_address[1]}), flush=True)
    for command in sys.stdin:
        command = command.strip()
        if command == "stats":
            print(json.dumps(stats()), flush=True)
        elif command == "quit":
            break
    srv.shutdown()
    loop.join()
    srv.server_close()
    print(json.dumps(stats()), flush=True)


# ---------------------------------------------------------------------
# The client programs (stdlib sockets: an independent check)
# ---------------------------------------------------------------------

def _read_line(sock, pending):
    """One line from sock; pending is a bytearray of bytes already read."""
    while b"\n" not in pending:
        data = sock.recv(65536)
        if not data:
            break
        pending += data
    cut = pending.find(b"\n") + 1 or len(pending)
    line = bytes(pending[:cut])
    del pending[:cut]
    return line


def _request(tag):
    return b"req %s %s\n" % (tag, b"x" * (len(tag) % 7))


def short_clients(port, count, concurrency):
    import socket
    raise_fd_limit()
    results = {"ok": 0, "bad": [], "errors": []}
    lock = threading.Lock()
    counter = iter(range(count))

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            req = _request(b"short-%d" % i)
            try:
                with socket.create_connection(("127.0.0.1", port),
                                              timeout=30) as s:
                    s.sendall(req)
                    s.shutdown(socket.SHUT_WR)
                    got = bytearray()
                    while True:          # everything until EOF
                        data = s.recv(65536)
                        if not data:
                            break
                        got += data
            except OSError as exc:
                with lock:
                    results["errors"].append("%d: %r" % (i, exc))
                continue
            with lock:
                if bytes(got) == reply_for(req):
                    results["ok"] += 1
                else:
                    results["bad"].append("%d: %r" % (i, bytes(got[:200])))
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results["bad"] = results["bad"][:10]
    results["errors"] = results["errors"][:10]
    print(json.dumps(results), flush=True)


def persistent_clients(port, count, rounds):
    import socket
    raise_fd_limit()
    results = {"ok": 0, "bad": [], "errors": [], "connected": 0}
    conns = []
    try:
        for i in range(count):       # all of them open at once
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            conns.append((i, s, bytearray()))
        results["connected"] = len(conns)
        for r in range(rounds):
            reqs = {}
            for i, s, _ in conns:
                reqs[i] = _request(b"conn-%d-round-%d" % (i, r))
                s.sendall(reqs[i])
            for i, s, pending in conns:
                line = _read_line(s, pending)
                if line == reply_for(reqs[i]):
                    results["ok"] += 1
                else:
                    results["bad"].append("%d/%d: %r" % (i, r, line[:200]))
        for i, s, pending in conns:  # nothing more may come: no duplicate
            s.shutdown(socket.SHUT_WR)
            rest = bytes(pending)
            while True:
                data = s.recv(65536)
                if not data:
                    break
                rest += data
            if rest:
                results["bad"].append("%d: extra %r" % (i, rest[:200]))
    except OSError as exc:
        results["errors"].append(repr(exc))
    finally:
        for _, s, _ in conns:
            s.close()
    results["bad"] = results["bad"][:10]
    print(json.dumps(results), flush=True)


# ---------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------

class Server:
    """The server subprocess, driven over its stdin/stdout."""

    def __init__(self, kind, timeout=None):
        args = [sys.executable, HERE, "serve", MODULE, kind]
        if timeout is not None:
            args.append(str(timeout))
        self.proc = subprocess.Popen(args, env=_env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.port = json.loads(self.proc.stdout.readline())["port"]

    def stats(self):
        self.proc.stdin.write(b"stats\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def settle(self, baseline, bound=30.0):
        """Poll until threads/children/fds are back to the baseline (or the
        bound passes); returns the last stats."""
        deadline = time.monotonic() + bound
        while True:
            now = self.stats()
            back = all(now[k] == baseline[k]
                       for k in ("threads", "children", "fds"))
            if back or time.monotonic() > deadline:
                return now
            time.sleep(0.1)

    def stop(self):
        try:
            out, err = self.proc.communicate(b"quit\n", timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return self.proc.returncode, out, err.decode("utf-8", "replace")


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


def _client(*args, timeout=300):
    proc = subprocess.run([sys.executable, HERE] + [str(a) for a in args],
                          env=_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def _need_server_module():
    import pytest
    if MODULE != "fastsock":
        return
    try:
        import fastsock.socketserver  # noqa: F401
    except ImportError as exc:
        pytest.skip("fastsock.socketserver is missing (%s)" % exc)


def _check_settled(server, baseline):
    after = server.settle(baseline)
    for key in ("threads", "children", "fds"):
        assert after[key] == baseline[key], (key, baseline, after)
    return after


def _run_load(kind, client_args, expect_ok):
    _need_server_module()
    server = Server(kind)
    try:
        baseline = server.stats()
        result = _client(client_args[0], server.port, *client_args[1:])
        after = _check_settled(server, baseline)
    finally:
        rc, _, err = server.stop()
    assert rc == 0, err
    assert result["errors"] == [] and result["bad"] == [], result
    assert result["ok"] == expect_ok, result
    if kind == "threading":
        # Each request line was handled once in the server, no more.
        assert after["handled"] - baseline["handled"] == expect_ok
    assert "Traceback" not in err, err


def test_threading_short_connections():
    _run_load("threading", ["short", SHORT_THREADING, 8], SHORT_THREADING)


def test_forking_short_connections():
    _run_load("forking", ["short", SHORT_FORKING, 8], SHORT_FORKING)


def test_threading_persistent_connections():
    _run_load("threading", ["persistent", PERSISTENT, ROUNDS],
              PERSISTENT * ROUNDS)


def test_forking_persistent_connections():
    _run_load("forking", ["persistent", PERSISTENT, ROUNDS],
              PERSISTENT * ROUNDS)


def _slow_clients(kind, slow, normal, timeout):
    import socket
    _need_server_module()
    server = Server(kind, timeout=timeout)
    sleepers = []
    try:
        baseline = server.stats()
        for _ in range(slow):        # connect and say nothing
            sleepers.append(socket.create_connection(
                ("127.0.0.1", server.port), timeout=60))
        result = _client("short", server.port, normal, 4)
        # The slow ones are dropped by the handler's timeout: EOF for them.
        ends = []
        for s in sleepers:
            try:
                ends.append(s.recv(100))
            except ConnectionResetError:
                ends.append(b"")
        after = _check_settled(server, baseline)
    finally:
        for s in sleepers:
            s.close()
        rc, _, err = server.stop()
    assert rc == 0, err
    assert result["errors"] == [] and result["bad"] == [], result
    assert result["ok"] == normal, result
    assert ends == [b""] * slow
    return after


def test_slow_clients_do_not_stop_others_threading():
    # Served while 20 connections sit idle; the idle ones are timed out.
    _slow_clients("threading", 20, 200 // SCALE, timeout=3)


def test_slow_clients_do_not_stop_others_forking():
    _slow_clients("forking", 10, 100 // SCALE, timeout=3)


def test_slow_clients_sync_server_with_timeout():
    # A one-at-a-time server: each idle client holds it for the handler's
    # timeout only, then the others are served.
    _slow_clients("tcp", 2, 50 // SCALE, timeout=1)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "serve":
        serve(sys.argv[2], sys.argv[3],
              float(sys.argv[4]) if len(sys.argv) > 4 else None)
    elif mode == "short":
        short_clients(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "persistent":
        persistent_clients(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("unknown mode %r" % mode)
