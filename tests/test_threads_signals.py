"""Threads and signals: the GIL is released around blocking calls, one
socket can be used from two threads, close() from another thread never
crashes, EINTR is retried with handlers run (PEP 475), and Ctrl-C ends a
blocked accept/recv/connect with KeyboardInterrupt.
"""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from conftest import (WAITS, asleep_in, assert_same, tcp_listener,
                      tcp_pair, wait_thread_asleep)

HERE = os.path.dirname(os.path.abspath(__file__))


# ------------------------------------------------------- the GIL is released

def _gil_op(m, what, timeout):
    """Block the calling thread in `what`; another thread must run Python
    code meanwhile to unblock it.  If the GIL were held, the helper could
    not run and the call would end in TimeoutError instead."""
    cli, conn, lst = tcp_pair(m)
    with cli, conn, lst:
        for s in (cli, conn, lst):
            s.settimeout(timeout)
        progress = []

        def helper():
            for i in range(20):            # plain Python work first
                progress.append(i)
                time.sleep(0.005)
            if what == "accept":
                m.create_connection(lst.getsockname()).close()
            elif what == "sendall":
                got = 0
                while got < (8 << 20):
                    got += len(conn.recv(1 << 20))
            else:
                conn.sendall(b"wake")
        t = threading.Thread(target=helper)
        t.start()
        try:
            if what == "recv":
                res = cli.recv(10)
            elif what == "recv_big":
                res = cli.recv(1 << 20)
            elif what == "recv_into":
                buf = bytearray(10)
                res = bytes(buf[:cli.recv_into(buf)])
            elif what == "recvfrom":
                res = cli.recvfrom(10)[0]
            elif what == "accept":
                c, _ = lst.accept()
                c.close()
                res = "accepted"
            elif what == "sendall":
                cli.sendall(b"s" * (8 << 20))
                res = "sent"
        finally:
            t.join()
        return res, len(progress)


@pytest.mark.parametrize("what", ["recv", "recv_big", "recv_into",
                                  "recvfrom", "accept", "sendall"])
@pytest.mark.parametrize("timeout", [None, 5.0])
def test_gil_released_while_blocked(mod, what, timeout):
    res, steps = _gil_op(mod, what, timeout)
    assert steps == 20
    assert res in (b"wake", "accepted", "sent")


# ---------------------------------------------- one socket, two threads

def test_concurrent_send_and_recv_on_one_socket(mod):
    a, b = mod.socketpair()
    with a, b:
        a.settimeout(10)
        b.settimeout(10)
        n = 2000
        msg = b"m" * 100

        def echo():        # the peer echoes everything back
            total = 0
            while total < n * len(msg):
                data = b.recv(65536)
                if not data:
                    break
                b.sendall(data)
                total += len(data)

        def sender():      # thread 1 writes on `a` ...
            for _ in range(n):
                a.sendall(msg)
        received = []

        def receiver():    # ... while thread 2 reads on the same `a`
            total = 0
            while total < n * len(msg):
                data = a.recv(65536)
                if not data:
                    break
                received.append(data)
                total += len(data)
        threads = [threading.Thread(target=f) for f in (echo, sender,
                                                        receiver)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not any(t.is_alive() for t in threads)
        assert b"".join(received) == msg * n


def test_many_threads_share_a_listener(mod):
    with tcp_listener(mod) as lst:
        lst.settimeout(10)
        accepted = []

        def acceptor():
            c, _ = lst.accept()
            accepted.append(c.recv(10))
            c.close()
        threads = [threading.Thread(target=acceptor) for _ in range(4)]
        for t in threads:
            t.start()
        for i in range(4):
            with mod.create_connection(lst.getsockname(), timeout=10) as c:
                c.sendall(b"c%d" % i)
        for t in threads:
            t.join(10)
        assert sorted(accepted) == [b"c0", b"c1", b"c2", b"c3"]


# ------------------------------------- close() from another thread

def _close_while_blocked(m, meth, timeout):
    a, b = m.socketpair()
    lst = tcp_listener(m)
    target = lst if meth == "accept" else a
    target.settimeout(timeout)
    out = {}
    ident = []

    def run():
        ident.append(threading.get_native_id())
        try:
            if meth == "accept":
                out["r"] = target.accept()
            elif meth == "recv_big":
                out["r"] = target.recv(1 << 20)
            elif meth == "recv_into":
                buf = bytearray(10)
                out["r"] = bytes(buf[:target.recv_into(buf)])
            else:
                out["r"] = target.recv(10)
        except Exception as exc:  # noqa: BLE001 - compared below
            out["r"] = (type(exc), getattr(exc, "errno", None))
    t = threading.Thread(target=run)
    t.start()
    # Close only once the call is blocked: closed before, it would fail at
    # once with EBADF instead (a race a fixed pause loses on a loaded
    # machine, where the blocking recv() then does not get b"late").
    while not ident:
        time.sleep(0.001)
    calls = (("accept", "accept4") if meth == "accept" else ("recvfrom",)) \
        if timeout is None else WAITS
    assert wait_thread_asleep(ident[0], calls), "the call never blocked"
    target.close()
    # A new fd likely takes the closed number: the blocked call must never
    # read from it (the pipe has data that must still be there after).
    r, w = os.pipe()
    os.write(w, b"pipe data")
    if meth != "accept" and timeout is None:
        # A blocking recv() keeps the old file alive in the kernel: the
        # peer's data still reaches it (same as the stdlib).
        time.sleep(0.1)
        b.sendall(b"late")
    t.join(5)
    alive = t.is_alive()
    pipe = os.read(r, 100)
    os.close(r)
    os.close(w)
    b.close()
    a.close()
    lst.close()
    return out.get("r"), alive, pipe


@pytest.mark.parametrize("meth,timeout", [
    ("recv", 0.6), ("recv", None), ("recv_big", 0.6), ("recv_big", None),
    ("recv_into", 0.6), ("accept", 0.6),
])
def test_close_from_another_thread(meth, timeout):
    res = assert_same(lambda m: _close_while_blocked(m, meth, timeout))
    result, alive, pipe = res[1]
    assert not alive and pipe == b"pipe data"
    if timeout is None:
        assert result == b"late"
    else:
        assert result == (OSError, 9)


def test_close_from_another_thread_stress(mod):
    # Many rounds of recv(1 << 20) racing close(): no crash, no hang, and
    # every round ends in data, EOF, EBADF or a timeout.
    for _ in range(30):
        a, b = mod.socketpair()
        a.settimeout(0.3)
        out = []

        def run():
            try:
                out.append(a.recv(1 << 20))
            except OSError as exc:
                out.append(type(exc))
        t = threading.Thread(target=run)
        t.start()
        b.send(b"x")
        a.close()
        t.join(5)
        b.close()
        assert not t.is_alive()
        assert out[0] in (b"x", OSError, mod.timeout)


# ------------------------------------------------------------- PEP 475

@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signals are delivered to the main thread")
@pytest.mark.parametrize("timeout", [None, 5.0])
def test_eintr_retried_with_handler_run(mod, timeout):
    """A signal whose handler returns normally interrupts the syscall with
    EINTR; the call is retried and still gets the data."""
    a, b = mod.socketpair()
    calls = []
    old = signal.signal(signal.SIGALRM, lambda *args: calls.append(1))
    try:
        a.settimeout(timeout)
        t = threading.Timer(0.4, b.sendall, args=(b"after signals",))
        signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
        t.start()
        data = a.recv(100)
        signal.setitimer(signal.ITIMER_REAL, 0)
        t.join()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        a.close()
        b.close()
    assert data == b"after signals"
    assert len(calls) >= 1


@pytest.mark.parametrize("timeout", [None, 5.0])
def test_signal_handler_exception_propagates(mod, timeout):
    class Boom(Exception):
        pass

    def handler(*args):
        raise Boom()
    a, b = mod.socketpair()
    old = signal.signal(signal.SIGALRM, handler)
    main = threading.main_thread()

    def interrupt():
        # Once recv() blocks: a signal sent after a fixed delay could land
        # before pytest.raises() is entered on a loaded machine.
        wait_thread_asleep(main.native_id, ("recvfrom",) + WAITS)
        signal.pthread_kill(main.ident, signal.SIGALRM)
    t = threading.Thread(target=interrupt)
    try:
        a.settimeout(timeout)
        t.start()
        with pytest.raises(Boom):
            a.recv(100)
    finally:
        t.join(60)
        signal.signal(signal.SIGALRM, old)
        a.close()
        b.close()


# --------------------------------------------------- Ctrl-C in a subprocess

CHILD = textwrap.dedent("""
    import sys, time
    sys.path[:0] = {path!r}
    import {module} as socket
    op, timeout = sys.argv[1], {timeout!r}
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    if op == "connect":
        # A full accept queue: the next connect() gets no answer.
        lst.listen(0)
        fillers = []
        for _ in range(8):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(lst.getsockname())
            fillers.append(c)
        time.sleep(0.1)
    else:
        lst.listen()
    a, b = socket.socketpair()
    s = socket.socket()
    for x in (lst, a, s):
        x.settimeout(timeout)
    # sendall()'s 64 MiB argument is built before "ready": a SIGINT that
    # lands while C code builds it stays pending, and the stdlib's blocking
    # send() then waits for an EINTR that never comes (see PENDING_CHILD).
    payload = b"x" * (64 << 20) if op == "sendall" else None
    print("ready", flush=True)
    if op == "accept":
        lst.accept()
    elif op == "recv":
        a.recv(10)
    elif op == "recv_big":
        a.recv(1 << 20)
    elif op == "connect":
        s.connect(lst.getsockname())
    elif op == "sendall":
        a.sendall(payload)
    print("not interrupted", flush=True)
""")


def _ctrl_c_child(code, args=(), wait_asleep=False):
    """Start `code` in a child, send SIGINT once it prints "ready" (with
    `wait_asleep`, once it is also asleep in its blocking call), and check
    that it ended in a KeyboardInterrupt."""
    proc = subprocess.Popen([sys.executable, "-c", code] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"ready\n"
        if wait_asleep:
            # After "ready" the child's only sleep is its blocking call.
            asleep_in("/proc/%d/" % proc.pid)
        proc.send_signal(signal.SIGINT)
        # A generous bound, not a timing assertion: it must end at all.
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert b"not interrupted" not in out
    assert b"KeyboardInterrupt" in err, err.decode(errors="replace")
    assert proc.returncode != 0


@pytest.mark.parametrize("op", ["accept", "recv", "recv_big", "connect",
                                "sendall"])
@pytest.mark.parametrize("timeout", [None, 60.0])
@pytest.mark.parametrize("module", ["fastsock", "socket"])
def test_sigint_interrupts_blocking_call(op, timeout, module):
    code = CHILD.format(path=sys.path, module=module, timeout=timeout)
    _ctrl_c_child(code, [op], wait_asleep=True)


# A Ctrl-C that lands while the child is still building the argument of
# sendall() (a 256 MiB bytes object: tens of milliseconds in C code, where
# the interpreter does not look at signals) is pending when the call starts.
# fastsock handles it before blocking; the stdlib starts the blocking send()
# and waits for an EINTR that never comes, so this is fastsock-only.
PENDING_CHILD = textwrap.dedent("""
    import sys
    sys.path[:0] = {path!r}
    import fastsock as socket
    a, b = socket.socketpair()
    print("ready", flush=True)
    a.sendall(b"x" * (256 << 20))
    print("not interrupted", flush=True)
""")


def test_sigint_pending_before_a_blocking_call_is_handled():
    code = PENDING_CHILD.format(path=sys.path)
    # No pause: the signal lands while the argument is being built.
    for _ in range(3):
        _ctrl_c_child(code)
