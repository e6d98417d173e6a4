"""Helpers shared by the socketserver tests (stdlib vs fastsock); no tests
here, the name only keeps it among the socketserver test files."""
import contextlib
import os
import socket as stdsocket
import socketserver as stdss
import threading
import time

import fastsock
import fastsock.socketserver as fastss

# Each implementation: (socketserver module, socket module).  The stdlib's
# serve_forever polls every poll_interval, so tests pass a short one.
IMPLS = {"stdlib": (stdss, stdsocket), "fastsock": (fastss, fastsock)}

POLL = 0.05
TIMEOUT = 10


@contextlib.contextmanager
def serving(server, poll_interval=POLL):
    """Run server.serve_forever() in a thread for the with-block; then
    shutdown(), join and server_close()."""
    t = threading.Thread(target=server.serve_forever,
                         kwargs={"poll_interval": poll_interval}, daemon=True)
    t.start()
    try:
        yield server
    finally:
        server.shutdown()
        t.join(TIMEOUT)
        server.server_close()
    assert not t.is_alive(), "serve_forever() did not return after shutdown()"


def recv_all(sock):
    """Read to EOF; a reset by the server (it refused or failed the
    request) ends the reply too."""
    chunks = []
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def stream_roundtrip(address, payload, family=stdsocket.AF_INET):
    """Send payload on a new stream connection, half-close, read to EOF."""
    with stdsocket.socket(family, stdsocket.SOCK_STREAM) as c:
        c.settimeout(TIMEOUT)
        c.connect(address)
        try:
            c.sendall(payload)
            c.shutdown(stdsocket.SHUT_WR)
        except OSError:
            pass    # the server closed first (refused, or handler failed)
        return recv_all(c)


def dgram_roundtrip(address, payload, family=stdsocket.AF_INET,
                    bind_to=None):
    """Send one datagram and return the one reply."""
    with stdsocket.socket(family, stdsocket.SOCK_DGRAM) as c:
        c.settimeout(TIMEOUT)
        if bind_to is not None:
            c.bind(bind_to)
        c.sendto(payload, address)
        data, _ = c.recvfrom(65536)
        if bind_to is not None and family == stdsocket.AF_UNIX:
            os.unlink(bind_to)
        return data


def describe_address(addr):
    """A comparable shape of a client address (ports vary)."""
    if isinstance(addr, tuple):
        return ("tuple", len(addr), type(addr[0]).__name__, addr[0])
    return (type(addr).__name__, addr)


def wait_for(predicate, limit=TIMEOUT):
    """Poll predicate() until true or `limit` seconds; returns its value."""
    end = time.monotonic() + limit
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.005)


def is_zombie_or_alive(pid):
    """A process's state letter ("Z": a zombie), None once it is reaped."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(") ", 1)[1][0]
    except OSError:
        # Gone (FileNotFoundError), or reaped between open() and read()
        # (ProcessLookupError): either way not a zombie.
        return None
