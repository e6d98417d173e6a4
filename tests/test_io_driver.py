"""The I/O driver's first attempt, made with the GIL held.

On a ready socket fastsock makes the syscall without releasing the GIL: on a
blocking socket with MSG_DONTWAIT, and on one with a timeout or in
non-blocking mode as is (its fd is O_NONBLOCK).  These tests check that the
results stay those of the stdlib's blocking calls where MSG_DONTWAIT alone
would differ: a stream send() moving only part of a large buffer,
MSG_WAITALL, flags the caller passes, and a send that fails half-way.
"""
import errno
import threading
import time

import pytest

from conftest import MODULES, WAITS, wait_thread_asleep


def _tcp_pair(mod):
    srv = mod.create_server(("127.0.0.1", 0))
    c = mod.create_connection(srv.getsockname())
    a, _ = srv.accept()
    srv.close()
    return c, a


def _drain(sock, total, chunk=65536):
    got = 0
    while got < total:
        data = sock.recv(chunk)
        if not data:
            break
        got += len(data)
    return got


def _sent_while_draining(reader_sock, size, send):
    """send() while another thread reads `size` bytes from reader_sock;
    checks that all of them arrived and returns what send() returned."""
    result = {}
    reader = threading.Thread(
        target=lambda: result.update(n=_drain(reader_sock, size)))
    reader.start()
    sent = send()
    reader.join(60)
    assert result["n"] == size
    return sent


@pytest.fixture(params=sorted(MODULES))
def pair(request):
    mod = MODULES[request.param]
    c, a = _tcp_pair(mod)
    yield mod, c, a
    c.close()
    a.close()


def test_blocking_send_of_more_than_the_buffers_hold_sends_it_all(pair):
    # The first attempt (MSG_DONTWAIT) fills the socket buffers and moves
    # only part; a blocking send() must still return the whole length.
    mod, c, a = pair
    size = 16 << 20
    assert _sent_while_draining(a, size, lambda: c.send(b"x" * size)) == size


def test_blocking_sendall_of_a_large_buffer(pair):
    mod, c, a = pair
    size = 16 << 20
    assert _sent_while_draining(
        a, size, lambda: c.sendall(memoryview(b"y" * size))) is None


def test_send_with_msg_dontwait_from_the_caller_may_be_partial(pair):
    # A flag the caller passes is theirs: no blocking continuation, so the
    # send stops where the buffers are full, on both modules.
    mod, c, a = pair
    n = c.send(b"z" * (64 << 20), mod.MSG_DONTWAIT)
    assert 0 < n < (64 << 20)


def test_msg_waitall_waits_for_the_whole_count(pair):
    mod, c, a = pair

    def late_half():
        time.sleep(0.2)
        a.sendall(b"67890")

    a.sendall(b"12345")
    t = threading.Thread(target=late_half)
    t.start()
    # Half the data is there at once; MSG_DONTWAIT would return it alone.
    assert c.recv(10, mod.MSG_WAITALL) == b"1234567890"
    t.join()


def test_recv_into_with_msg_waitall(pair):
    mod, c, a = pair
    a.sendall(b"abc")
    t = threading.Timer(0.2, a.sendall, (b"def",))
    t.start()
    buf = bytearray(6)
    assert c.recv_into(buf, 6, mod.MSG_WAITALL) == 6
    assert buf == b"abcdef"
    t.join()


def test_blocking_recv_waits_when_nothing_is_there(pair):
    # The attempt under the GIL finds nothing; the call must then block
    # (with the GIL released, or the writer thread could never run).
    mod, c, a = pair
    t = threading.Timer(0.2, a.sendall, (b"late",))
    t.start()
    assert c.recv(100) == b"late"
    t.join()


def test_ready_data_is_returned_at_once(pair):
    mod, c, a = pair
    a.sendall(b"ready")
    time.sleep(0.05)
    assert c.recv(100) == b"ready"
    a.sendall(b"more")
    time.sleep(0.05)
    assert c.recvfrom(100)[0] == b"more"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_send_failing_after_part_went_returns_the_part(name):
    # The peer stops reading, then resets the connection while send() waits
    # for room: Linux returns the count moved so far, and fastsock (whose
    # first part went under MSG_DONTWAIT) must return it as well.
    mod = MODULES[name]
    c, a = _tcp_pair(mod)
    size = 64 << 20
    payload = b"x" * size
    sender = threading.get_native_id()

    def reset():
        # Reset only once send() waits for room: reset earlier (a pause of
        # fixed length may end before the call even starts on a loaded
        # machine), send() would fail with nothing moved.
        wait_thread_asleep(sender, ("sendto",) + WAITS)
        a.setsockopt(mod.SOL_SOCKET, mod.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        a.close()

    t = threading.Thread(target=reset)
    t.start()
    try:
        n = c.send(payload)
    finally:
        t.join()
        c.close()
    assert 0 < n < size


@pytest.mark.parametrize("name", sorted(MODULES))
def test_nonblocking_socket_reports_eagain(name):
    mod = MODULES[name]
    c, a = _tcp_pair(mod)
    with c, a:
        c.setblocking(False)
        with pytest.raises(BlockingIOError) as info:
            c.recv(10)
        assert info.value.errno == errno.EAGAIN
        a.sendall(b"now")
        time.sleep(0.05)
        assert c.recv(10) == b"now"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_timeout_socket_waits_then_times_out(name):
    mod = MODULES[name]
    c, a = _tcp_pair(mod)
    with c, a:
        c.settimeout(0.2)
        # socket.timeout: TimeoutError itself from 3.10 on.
        with pytest.raises(mod.timeout):
            c.recv(10)
        # Then data that comes while it waits: a timeout far longer than
        # the writer's pause, which a loaded machine can stretch past 0.2 s.
        c.settimeout(30)
        t = threading.Timer(0.05, a.sendall, (b"soon",))
        t.start()
        assert c.recv(10) == b"soon"
        t.join()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_udp_blocking_roundtrip(name):
    mod = MODULES[name]
    with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as r, \
            mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as w:
        r.bind(("127.0.0.1", 0))
        t = threading.Timer(0.1, w.sendto, (b"dgram", r.getsockname()))
        t.start()
        data, addr = r.recvfrom(100)
        t.join()
        assert data == b"dgram"
        assert addr == ("127.0.0.1", w.getsockname()[1])
        assert w.sendto(b"x" * 1000, r.getsockname()) == 1000


@pytest.mark.parametrize("name", sorted(MODULES))
def test_unix_seqpacket_sendmsg_recvmsg(name):
    mod = MODULES[name]
    x, y = mod.socketpair(mod.AF_UNIX, mod.SOCK_SEQPACKET)
    with x, y:
        t = threading.Timer(0.1, x.sendmsg, ([b"one", b"two"],))
        t.start()
        data, anc, flags, addr = y.recvmsg(100)
        t.join()
        assert (data, anc) == (b"onetwo", [])
        assert x.sendmsg([b"again"]) == 5
        assert y.recvmsg(100)[0] == b"again"


# ---------------------------------------------------------------------------
# recvfrom()'s address tuple, kept per socket for the next datagram
# ---------------------------------------------------------------------------

def _udp(mod, family, host):
    s = mod.socket(family, mod.SOCK_DGRAM)
    s.bind((host, 0))
    return s


@pytest.mark.parametrize("name", sorted(MODULES))
@pytest.mark.parametrize("family_name,host", [("AF_INET", "127.0.0.1"),
                                              ("AF_INET6", "::1")])
def test_recvfrom_names_each_sender_as_peers_alternate(name, family_name,
                                                       host):
    mod = MODULES[name]
    family = getattr(mod, family_name)
    try:
        r, a, b = (_udp(mod, family, host) for _ in range(3))
    except OSError as exc:
        pytest.skip("no %s loopback here: %s" % (family_name, exc))
    with r, a, b:
        seen = []
        for sender in (a, b, b, a, a, b):
            sender.sendto(sender.getsockname()[1].to_bytes(2, "big"),
                          r.getsockname())
            data, addr = r.recvfrom(10)
            assert int.from_bytes(data, "big") == addr[1]
            assert addr == sender.getsockname()
            seen.append(addr)
        buf = bytearray(10)
        a.sendto(b"into", r.getsockname())
        n, addr = r.recvfrom_into(buf)
        assert (bytes(buf[:n]), addr) == (b"into", a.getsockname())
        assert seen[0] == seen[3] and seen[1] == seen[2] != seen[0]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_sendto_the_tuple_recvfrom_returned_reaches_that_peer(name):
    mod = MODULES[name]
    with _udp(mod, mod.AF_INET, "127.0.0.1") as echo, \
            _udp(mod, mod.AF_INET, "127.0.0.1") as a, \
            _udp(mod, mod.AF_INET, "127.0.0.1") as b:
        for sender, other in ((a, b), (b, a), (a, b)):
            sender.sendto(b"ping", echo.getsockname())
            data, addr = echo.recvfrom(100)
            assert echo.sendto(data + b"!", addr) == 5
            assert sender.recvfrom(100) == (b"ping!", echo.getsockname())
            other.setblocking(False)
            with pytest.raises(BlockingIOError):
                other.recv(100)
            other.setblocking(True)


def test_recvfrom_address_matches_the_stdlib_after_reuse():
    # The same datagram source seen by both modules gives equal tuples,
    # also the second time, when fastsock hands out its kept tuple.
    import socket as std
    import fastsock
    with std.socket(std.AF_INET, std.SOCK_DGRAM) as src, \
            std.socket(std.AF_INET, std.SOCK_DGRAM) as rs, \
            fastsock.socket(fastsock.AF_INET, fastsock.SOCK_DGRAM) as rf:
        rs.bind(("127.0.0.1", 0))
        rf.bind(("127.0.0.1", 0))
        for _ in range(2):
            src.sendto(b"x", rs.getsockname())
            src.sendto(b"x", rf.getsockname())
            assert rf.recvfrom(10) == rs.recvfrom(10)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_getsockname_follows_bind_connect_and_recvfrom(name):
    # getsockname() shares recvfrom()'s kept tuple: whatever was asked in
    # between, each answer is the socket's address at that moment.
    mod = MODULES[name]
    with _udp(mod, mod.AF_INET, "127.0.0.1") as peer, \
            mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
        seen = [s.getsockname(), s.getsockname()]
        s.connect(peer.getsockname())          # binds to a port now
        seen.append(s.getsockname())
        s.send(b"a")
        data, addr = peer.recvfrom(10)
        assert addr == s.getsockname()
        peer.sendto(b"b", addr)
        assert s.recvfrom(10) == (b"b", peer.getsockname())
        seen.append(s.getsockname())
        s.connect(("127.0.0.2", peer.getsockname()[1]))
        seen.append(s.getsockname())    # Linux keeps the address bound
        assert seen[0] == seen[1] == ("0.0.0.0", 0)
        assert seen[2][0] == "127.0.0.1" and seen[2][1] > 0
        assert seen[3] == seen[2]
        assert seen[4] == seen[2]
