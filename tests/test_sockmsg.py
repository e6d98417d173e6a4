"""sendmsg()/recvmsg()/recvmsg_into(), ancillary data and CMSG_LEN/SPACE.

Differential: each operation runs on the stdlib ``socket`` and on
``fastsock`` and the results (or exception type, errno and message) must
match.  Descriptor passing is also checked across implementations (a
fastsock sender with a stdlib receiver and the reverse), since both talk
to the same kernel.  Loopback and AF_UNIX only.
"""
import array
import errno
import os
import signal
import socket as stdsocket
import struct
import subprocess
import sys
import textwrap
import threading
import warnings

import pytest

import fastsock
from conftest import MODULES, PY, assert_same, outcome, param_id

SOL_SOCKET = stdsocket.SOL_SOCKET
SCM_RIGHTS = stdsocket.SCM_RIGHTS
SCM_CREDENTIALS = getattr(stdsocket, "SCM_CREDENTIALS", None)
IP_PKTINFO = getattr(stdsocket, "IP_PKTINFO", 8)   # Linux value; 3.12+ names it
INT = array.array("i").itemsize
MODS = sorted(MODULES)          # ["fastsock", "stdlib"]
PAIRS = [(a, b) for a in MODS for b in MODS]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux ancillary-data semantics")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def adopt(mod_name, sock):
    """The same kernel socket as an object of module `mod_name`."""
    mod = MODULES[mod_name]
    if isinstance(sock, mod.socket):
        return sock
    fam, typ, proto = sock.family, sock.type, sock.proto
    return mod.socket(fam, typ, proto, fileno=sock.detach())


def unix_pair(sender, receiver, kind=stdsocket.SOCK_STREAM, timeout=10):
    """An AF_UNIX socket pair: the first end a `sender`-module socket, the
    second a `receiver`-module socket."""
    a, b = stdsocket.socketpair(stdsocket.AF_UNIX, kind)
    a, b = adopt(sender, a), adopt(receiver, b)
    a.settimeout(timeout)
    b.settimeout(timeout)
    return a, b


@pytest.fixture
def pairs():
    """pairs(sender, receiver[, kind]) -> (a, b), closed at the end."""
    made = []

    def make(sender, receiver, kind=stdsocket.SOCK_STREAM):
        a, b = unix_pair(sender, receiver, kind)
        made.extend((a, b))
        return a, b

    yield make
    for s in made:
        s.close()


def open_devnull(n):
    return [os.open(os.devnull, os.O_RDONLY) for _ in range(n)]


def closeall(fds):
    for fd in fds:
        os.close(fd)


def fds_of(ancdata):
    """The descriptors carried by SCM_RIGHTS items (whole ints only)."""
    out = []
    for level, kind, data in ancdata:
        if level == SOL_SOCKET and kind == SCM_RIGHTS:
            whole = len(data) - len(data) % INT
            out.extend(array.array("i", data[:whole]))
    return out


def same_file(fd1, fd2):
    s1, s2 = os.fstat(fd1), os.fstat(fd2)
    return (s1.st_dev, s1.st_ino) == (s2.st_dev, s2.st_ino)


def shape(result):
    """A recvmsg result with descriptor numbers replaced by their count,
    so results of two receivers (which get different numbers) compare."""
    first, ancdata, flags, addr = result
    anc = []
    for level, kind, data in ancdata:
        if level == SOL_SOCKET and kind == SCM_RIGHTS:
            anc.append((level, kind, "%d bytes of fds" % len(data)))
        else:
            anc.append((level, kind, data))
    return first, anc, flags, addr


def open_fd_count():
    return len(os.listdir("/proc/self/fd"))


# ---------------------------------------------------------------------------
# CMSG_LEN / CMSG_SPACE
# ---------------------------------------------------------------------------

class Idx:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


LIMIT = 2**31 - 1
CMSG_ARGS = [0, 1, 2, 3, 4, 7, 8, 9, 12, 15, 16, 17, 100, 4096,
             LIMIT - 40, LIMIT - 32, LIMIT - 31, LIMIT - 24, LIMIT - 23,
             LIMIT - 17, LIMIT - 16, LIMIT - 15, LIMIT, LIMIT + 1,
             2**32, 2**62, 2**63 - 1, 2**63, 2**64, -1, -2**31, -2**63,
             -2**63 - 1, True, Idx(5), Idx(-1), 1.0, 1.5, "1", b"1", None,
             [1]]


@pytest.mark.parametrize("fname", ["CMSG_LEN", "CMSG_SPACE"])
@pytest.mark.parametrize("arg", CMSG_ARGS, ids=param_id)
def test_cmsg_len_space_values_and_errors(fname, arg):
    res = assert_same(lambda m: getattr(m, fname)(arg))
    if isinstance(arg, int) and 0 <= arg <= 16:
        assert res[0] == "ok" and res[1] >= arg


@pytest.mark.parametrize("fname", ["CMSG_LEN", "CMSG_SPACE"])
def test_cmsg_arity_and_keywords(fname):
    assert_same(lambda m: getattr(m, fname)())
    assert_same(lambda m: getattr(m, fname)(1, 2))
    res = assert_same(lambda m: getattr(m, fname)(length=1))
    assert res[0] == "raise"


def test_cmsg_len_space_relation():
    for n in range(0, 300):
        assert fastsock.CMSG_LEN(n) == stdsocket.CMSG_LEN(n)
        assert fastsock.CMSG_SPACE(n) == stdsocket.CMSG_SPACE(n)
        assert fastsock.CMSG_LEN(n) <= fastsock.CMSG_SPACE(n)


# ---------------------------------------------------------------------------
# plain data
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sender,receiver", PAIRS)
@pytest.mark.parametrize("kind", ["stream", "dgram", "seqpacket"])
def test_plain_data_unix(pairs, sender, receiver, kind):
    typ = {"stream": stdsocket.SOCK_STREAM, "dgram": stdsocket.SOCK_DGRAM,
           "seqpacket": stdsocket.SOCK_SEQPACKET}[kind]
    a, b = pairs(sender, receiver, typ)
    assert a.sendmsg([b"hello"]) == 5
    assert b.recvmsg(100) == (b"hello", [], 0, None)
    assert a.sendmsg([b"ab", bytearray(b"cd"), memoryview(b"ef"),
                      array.array("b", [103, 104])], []) == 8
    assert b.recvmsg(100, 0) == (b"abcdefgh", [], 0, None)
    # Empty buffer list and empty buffers.
    if kind != "stream":
        assert a.sendmsg([]) == 0
        assert b.recvmsg(10) == (b"", [], 0, None)
    assert a.sendmsg([b"", b"z", b""], [], 0) == 1
    assert b.recvmsg(10, 0, 0) == (b"z", [], 0, None)


@pytest.mark.parametrize("sender,receiver", PAIRS)
def test_recvmsg_into_scatter(pairs, sender, receiver):
    a, b = pairs(sender, receiver)
    a.sendmsg([b"0123456789"])
    bufs = [bytearray(3), bytearray(0), memoryview(bytearray(4)),
            bytearray(10)]
    res = b.recvmsg_into(bufs)
    assert res == (10, [], 0, None)
    assert bytes(bufs[0]) == b"012"
    assert bytes(bufs[2]) == b"3456"
    assert bytes(bufs[3][:3]) == b"789"
    # An iterator of buffers, and a generator, work as the stdlib's do.
    a.sendmsg(iter([b"xy"]))
    buf = bytearray(5)
    assert b.recvmsg_into(x for x in [buf]) == (2, [], 0, None)
    assert buf[:2] == b"xy"


@pytest.mark.parametrize("mod_name", MODS)
def test_recvmsg_peek_and_zero_size(pairs, mod_name):
    a, b = pairs(mod_name, mod_name, stdsocket.SOCK_DGRAM)
    a.sendmsg([b"peekaboo"])
    assert b.recvmsg(4, 0, stdsocket.MSG_PEEK)[0] == b"peek"
    assert b.recvmsg(0)[0] == b""          # a datagram read with 0 bytes
    a.sendmsg([b"more"])
    assert b.recvmsg(100) == (b"more", [], 0, None)


def dgram_trunc(mod_name, flags):
    a, b = unix_pair(mod_name, mod_name, stdsocket.SOCK_DGRAM)
    with a, b:
        a.sendmsg([b"0123456789"])
        r1 = b.recvmsg(4, 0, flags)
        a.sendmsg([b"abcdefghij"])
        buf = bytearray(3)
        r2 = b.recvmsg_into([buf], 0, flags)
        return r1, r2, bytes(buf)


def test_msg_trunc_datagrams():
    # Without MSG_TRUNC: the tail is dropped and MSG_TRUNC is reported.
    res = assert_same(lambda m: dgram_trunc(
        "stdlib" if m is stdsocket else "fastsock", 0))
    assert res[1][0][0] == b"0123" and res[1][0][2] & stdsocket.MSG_TRUNC
    # With MSG_TRUNC in flags, Linux reports the datagram's real length,
    # larger than the buffer: nothing may be read or written beyond it.
    a, b = unix_pair("fastsock", "fastsock", stdsocket.SOCK_DGRAM)
    with a, b:
        a.sendmsg([b"0123456789"])
        data = b.recvmsg(4, 0, stdsocket.MSG_TRUNC)[0]
        assert len(data) == 4 and data[:4] == b"0123"
        a.sendmsg([b"abcdefghij"])
        buf = bytearray(3)
        nbytes = b.recvmsg_into([buf], 0, stdsocket.MSG_TRUNC)[0]
        assert nbytes == 10 and buf == b"abc"


# ---------------------------------------------------------------------------
# UDP over loopback
# ---------------------------------------------------------------------------

def udp_exchange(mod, host, family):
    rx = mod.socket(family, mod.SOCK_DGRAM)
    tx = mod.socket(family, mod.SOCK_DGRAM)
    with rx, tx:
        rx.settimeout(10)
        rx.bind((host, 0))
        tx.bind((host, 0))
        dest = rx.getsockname()
        sent = tx.sendmsg([b"one", b"-", b"two"], [], 0, dest)
        data, anc, flags, addr = rx.recvmsg(100)
        # Unconnected sender, address given positionally after flags.
        tx.sendmsg([b"x" * 10], (), 0, dest)
        short = rx.recvmsg(4)
        return (sent, data, anc, flags, addr == tx.getsockname(),
                short[0], short[2] & mod.MSG_TRUNC, short[3] == tx.getsockname())


def test_udp_loopback_ipv4():
    res = assert_same(lambda m: udp_exchange(m, "127.0.0.1", m.AF_INET))
    assert res[1][:2] == (7, b"one-two") and res[1][4]


def test_udp_loopback_ipv6(need_ipv6):
    res = assert_same(lambda m: udp_exchange(m, "::1", m.AF_INET6))
    assert res[1][:2] == (7, b"one-two") and res[1][4]


@linux_only
def test_udp_pktinfo_ancillary():
    def run(mod):
        rx = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
        tx = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
        with rx, tx:
            rx.settimeout(10)
            rx.setsockopt(mod.IPPROTO_IP, IP_PKTINFO, 1)
            rx.bind(("127.0.0.1", 0))
            tx.sendto(b"pkt", rx.getsockname())
            data, anc, flags, _ = rx.recvmsg(10, mod.CMSG_SPACE(12))
            # Too small a buffer: the item is cut and MSG_CTRUNC set.
            tx.sendto(b"pkt", rx.getsockname())
            cut = rx.recvmsg(10, mod.CMSG_LEN(4))
            return data, anc, flags, cut[1], cut[2]
    res = assert_same(run)
    data, anc, flags, cut_anc, cut_flags = res[1]
    assert anc and anc[0][:2] == (stdsocket.IPPROTO_IP, IP_PKTINFO)
    assert len(anc[0][2]) == 12 and flags == 0
    assert cut_flags & stdsocket.MSG_CTRUNC and len(cut_anc[0][2]) == 4


@linux_only
def test_udp6_pktinfo_and_hoplimit(need_ipv6):
    def run(mod):
        rx = mod.socket(mod.AF_INET6, mod.SOCK_DGRAM)
        tx = mod.socket(mod.AF_INET6, mod.SOCK_DGRAM)
        with rx, tx:
            rx.settimeout(10)
            rx.setsockopt(mod.IPPROTO_IPV6, mod.IPV6_RECVPKTINFO, 1)
            rx.setsockopt(mod.IPPROTO_IPV6, mod.IPV6_RECVHOPLIMIT, 1)
            rx.bind(("::1", 0))
            tx.bind(("::1", 0))
            # An explicit hop limit sent as ancillary data comes back.
            tx.sendmsg([b"six"], [(mod.IPPROTO_IPV6, mod.IPV6_HOPLIMIT,
                                   struct.pack("i", 7))], 0, rx.getsockname())
            data, anc, flags, addr = rx.recvmsg(10, 256)
            # Room for the first item only: the second is dropped.
            tx.sendto(b"six", rx.getsockname())
            cut = rx.recvmsg(10, mod.CMSG_SPACE(20))
            return (data, sorted(anc), flags, addr == tx.getsockname(),
                    cut[1], cut[2])
    res = assert_same(run)
    data, anc, flags, same_addr, cut_anc, cut_flags = res[1]
    kinds = {kind: payload for _, kind, payload in anc}
    assert data == b"six" and flags == 0 and same_addr
    assert kinds[stdsocket.IPV6_HOPLIMIT] == struct.pack("i", 7)
    assert len(kinds[stdsocket.IPV6_PKTINFO]) == 20
    assert len(cut_anc) == 1 and cut_flags & stdsocket.MSG_CTRUNC


def test_udp_sendmsg_address_errors():
    def run(mod, addr):
        with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
            return s.sendmsg([b"x"], [], 0, addr)
    for addr in ["x", ("x",), ("127.0.0.1", 2**20), ("127.0.0.1", -1),
                 ("127.0.0.1", "80"), (1, 2), 5, b"\0abc", ("127.0.0.1",)]:
        res = assert_same(lambda m: run(m, addr))
        assert res[0] == "raise"


def test_sendmsg_address_on_connected_unix(pairs):
    for mod_name in MODS:
        a, _ = pairs(mod_name, mod_name)
        for addr in ["/nonexistent/x", b"\0abstract"]:
            res = outcome(a.sendmsg, [b"x"], [], 0, addr)
            assert res[0] == "raise" and res[2] == errno.EISCONN


def test_unix_dgram_unconnected_addresses(tmpsock):
    def run(mod):
        path = tmpsock()
        rx = mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM)
        tx = mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM)
        with rx, tx:
            rx.settimeout(10)
            rx.bind(path)
            sent1 = tx.sendmsg([b"anon"], [], 0, path)
            r1 = rx.recvmsg(10)
            tx.bind(b"\0fastsock-test-%d" % os.getpid())
            sent2 = tx.sendmsg([b"named"], [], 0, path)
            r2 = rx.recvmsg(10)
            os.unlink(path)
            return sent1, r1, sent2, r2
    res = assert_same(run)
    assert res[1][3][3] == b"\0fastsock-test-%d" % os.getpid()


# ---------------------------------------------------------------------------
# SCM_RIGHTS
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sender,receiver", PAIRS)
@pytest.mark.parametrize("nfds", [1, 2, 3, 7, 16, 64])
def test_scm_rights_pass_fds(pairs, sender, receiver, nfds):
    a, b = pairs(sender, receiver)
    fds = open_devnull(nfds)
    try:
        sent = a.sendmsg([b"fds"], [(SOL_SOCKET, SCM_RIGHTS,
                                     array.array("i", fds))])
        assert sent == 3
        space = MODULES[receiver].CMSG_SPACE(nfds * INT)
        data, anc, flags, addr = b.recvmsg(10, space)
        got = fds_of(anc)
        try:
            assert (data, flags, addr) == (b"fds", 0, None)
            assert len(anc) == 1 and len(got) == nfds
            assert all(same_file(x, y) for x, y in zip(fds, got))
            assert not set(got) & set(fds)
        finally:
            closeall(got)
    finally:
        closeall(fds)


@pytest.mark.parametrize("sender,receiver", PAIRS)
def test_scm_rights_several_items_and_into(pairs, sender, receiver):
    a, b = pairs(sender, receiver)
    r1, r2 = open_devnull(2)
    w = os.open(os.devnull, os.O_WRONLY)
    try:
        # Two SCM_RIGHTS items in one message; Linux merges them.
        anc = [(SOL_SOCKET, SCM_RIGHTS, array.array("i", [r1, r2])),
               (SOL_SOCKET, SCM_RIGHTS, struct.pack("i", w))]
        assert a.sendmsg([b"a", b"b"], anc) == 2
        buf = bytearray(8)
        mod = MODULES[receiver]
        nbytes, ranc, flags, addr = b.recvmsg_into([buf], mod.CMSG_SPACE(64))
        got = fds_of(ranc)
        try:
            assert (nbytes, buf[:2], flags) == (2, b"ab", 0)
            assert len(got) == 3
            assert os.fstat(got[2]).st_ino == os.fstat(w).st_ino
        finally:
            closeall(got)
    finally:
        closeall([r1, r2, w])


@pytest.mark.parametrize("sender,receiver", PAIRS)
@pytest.mark.parametrize("nbufs,nitems", [(8, 4), (9, 5), (40, 12)])
def test_many_buffers_and_items(pairs, sender, receiver, nbufs, nitems):
    """Around the sizes up to which fastsock keeps its bookkeeping on the
    stack, and well past them."""
    a, b = pairs(sender, receiver)
    fds = open_devnull(nitems)
    try:
        bufs = [bytes([65 + i]) * (i + 1) for i in range(nbufs)]
        anc = [(SOL_SOCKET, SCM_RIGHTS, struct.pack("i", fd)) for fd in fds]
        total = sum(map(len, bufs))
        assert a.sendmsg(bufs, anc) == total
        into = [bytearray(i + 1) for i in range(nbufs)]
        nbytes, ranc, flags, _ = b.recvmsg_into(into, 4096)
        got = fds_of(ranc)
        try:
            assert (nbytes, flags, len(got)) == (total, 0, nitems)
            assert [bytes(x) for x in into] == bufs
            assert all(same_file(x, y) for x, y in zip(fds, got))
        finally:
            closeall(got)
    finally:
        closeall(fds)


@linux_only
@pytest.mark.parametrize("sender", MODS)
def test_scm_rights_limits_and_bad_fds(sender):
    """SCM_MAX_FD (253) per message, bad descriptors, ragged lengths: the
    kernel's errors come back the same."""
    def run(mod, data):
        a, b = unix_pair(sender, "stdlib" if mod is stdsocket else "fastsock")
        with a, b:
            return outcome(a.sendmsg, [b"x"], [(SOL_SOCKET, SCM_RIGHTS, data)])
    fds = open_devnull(254)
    try:
        cases = [array.array("i", fds[:253]), array.array("i", fds),
                 struct.pack("i", -1), struct.pack("i", 2**31 - 1),
                 struct.pack("i", fds[0])[:3], b""]
        results = []
        for data in cases:
            std = run(stdsocket, data)
            fast = run(fastsock, data)
            assert fast == std, (data[:8], std, fast)
            results.append(std)
        assert results[0] == ("ok", 1)
        assert results[1][0] == "raise" and results[1][2] == errno.EINVAL
        assert results[2][2] == errno.EBADF
    finally:
        closeall(fds)


def _recv_with(sock, how, size):
    """recvmsg or recvmsg_into with a control buffer of `size` bytes, as
    a comparable (data, ancdata, flags, address)."""
    if how == "recvmsg":
        return sock.recvmsg(10, size)
    buf = bytearray(10)
    n, anc, flags, addr = sock.recvmsg_into([buf], size)
    return bytes(buf[:n]), anc, flags, addr


@pytest.mark.parametrize("sender", MODS)
@pytest.mark.parametrize("nfds", [1, 4, 9])
@pytest.mark.parametrize("how", ["recvmsg", "recvmsg_into"])
def test_truncated_control_data(sender, nfds, how):
    """Every control-buffer size from 0 to past what the fds need: the
    same items, lengths, MSG_CTRUNC and warnings as the stdlib, and every
    fd that arrives is one we can close (none leak, none overflow)."""
    mod = fastsock
    before = open_fd_count()
    fds = open_devnull(nfds)
    try:
        for size in list(range(0, mod.CMSG_SPACE(nfds * INT) + 9)) + [4096]:
            results = {}
            for rmod in MODS:
                a, b = unix_pair(sender, rmod, stdsocket.SOCK_DGRAM)
                with a, b:
                    a.sendmsg([b"x"], [(SOL_SOCKET, SCM_RIGHTS,
                                        array.array("i", fds))])
                    with warnings.catch_warnings(record=True) as w:
                        warnings.simplefilter("always")
                        res = _recv_with(b, how, size)
                    closeall(fds_of(res[1]))
                    results[rmod] = (shape(res), [str(x.message) for x in w])
            assert results["fastsock"] == results["stdlib"], size
            (data, anc, flags, _), _ = results["stdlib"]
            assert data == b"x"
            if size < mod.CMSG_LEN(nfds * INT):
                assert flags & stdsocket.MSG_CTRUNC
            else:
                assert not flags & stdsocket.MSG_CTRUNC
                assert anc == [(SOL_SOCKET, SCM_RIGHTS,
                                "%d bytes of fds" % (nfds * INT))]
    finally:
        closeall(fds)
    assert open_fd_count() == before


@pytest.mark.skipif(SCM_CREDENTIALS is None, reason="no SCM_CREDENTIALS")
@pytest.mark.parametrize("how", ["recvmsg", "recvmsg_into"])
def test_truncated_credentials(how):
    """Credentials (12 bytes) and descriptors in one message, every
    control-buffer size: two items, either of which may be cut."""
    fd, = open_devnull(1)
    try:
        for size in range(0, 2 * fastsock.CMSG_SPACE(12) + 9):
            results = {}
            for rmod in MODS:
                a, b = unix_pair(rmod, rmod, stdsocket.SOCK_DGRAM)
                with a, b:
                    b.setsockopt(SOL_SOCKET, stdsocket.SO_PASSCRED, 1)
                    a.sendmsg([b"x"], [(SOL_SOCKET, SCM_RIGHTS,
                                        struct.pack("i", fd))])
                    with warnings.catch_warnings(record=True) as w:
                        warnings.simplefilter("always")
                        res = _recv_with(b, how, size)
                    closeall(fds_of(res[1]))
                    results[rmod] = (shape(res), [str(x.message) for x in w])
            assert results["fastsock"] == results["stdlib"], size
        # The largest size got both items whole.
        anc = results["stdlib"][0][1]
        assert sorted(kind for _, kind, _ in anc) == sorted(
            [SCM_RIGHTS, SCM_CREDENTIALS])
    finally:
        os.close(fd)


@pytest.mark.parametrize("mod_name", MODS)
def test_cmsg_cloexec_flag(pairs, mod_name):
    a, b = pairs(mod_name, mod_name)
    fd, = open_devnull(1)
    try:
        a.sendmsg([b"x"], [(SOL_SOCKET, SCM_RIGHTS, struct.pack("i", fd))])
        res = b.recvmsg(1, 64, stdsocket.MSG_CMSG_CLOEXEC)
        got = fds_of(res[1])
        try:
            assert len(got) == 1 and not os.get_inheritable(got[0])
        finally:
            closeall(got)
    finally:
        os.close(fd)


@pytest.mark.parametrize("sender,receiver", PAIRS)
def test_send_fds_recv_fds(pairs, sender, receiver):
    a, b = pairs(sender, receiver)
    fds = open_devnull(3)
    try:
        assert MODULES[sender].send_fds(a, [b"hi", b"!"], fds) == 3
        msg, got, flags, addr = MODULES[receiver].recv_fds(b, 10, 5)
        try:
            assert (msg, len(got), flags, addr) == (b"hi!", 3, 0, None)
            assert all(same_file(x, y) for x, y in zip(fds, got))
        finally:
            closeall(got)
        # Fewer slots than descriptors: MSG_CTRUNC, the rest dropped.
        MODULES[sender].send_fds(a, [b"x"], fds)
        msg, got, flags, _ = MODULES[receiver].recv_fds(b, 10, 1)
        closeall(got)
        assert len(got) == 1 and flags & stdsocket.MSG_CTRUNC
    finally:
        closeall(fds)


def test_fd_passing_no_leak():
    before = open_fd_count()
    a, b = unix_pair("fastsock", "fastsock")
    fds = open_devnull(3)
    with a, b:
        for i in range(200):
            a.sendmsg([b"%d" % i], [(SOL_SOCKET, SCM_RIGHTS,
                                     array.array("i", fds))])
            data, anc, _, _ = b.recvmsg(10, fastsock.CMSG_SPACE(3 * INT))
            assert data == b"%d" % i
            closeall(fds_of(anc))
    closeall(fds)
    assert open_fd_count() == before


# ---------------------------------------------------------------------------
# SCM_CREDENTIALS
# ---------------------------------------------------------------------------

@pytest.mark.skipif(SCM_CREDENTIALS is None, reason="no SCM_CREDENTIALS")
@pytest.mark.parametrize("kind", [stdsocket.SOCK_STREAM, stdsocket.SOCK_DGRAM])
def test_scm_credentials(kind):
    creds = struct.pack("iII", os.getpid(), os.getuid(), os.getgid())

    def run(mod):
        name = "stdlib" if mod is stdsocket else "fastsock"
        a, b = unix_pair(name, name, kind)
        with a, b:
            b.setsockopt(mod.SOL_SOCKET, mod.SO_PASSCRED, 1)
            out = []
            # Explicit credentials, then none (the kernel adds them).
            a.sendmsg([b"c"], [(mod.SOL_SOCKET, mod.SCM_CREDENTIALS, creds)])
            out.append(b.recvmsg(10, mod.CMSG_SPACE(12)))
            a.sendmsg([b"d"])
            out.append(b.recvmsg(10, mod.CMSG_SPACE(12)))
            # A buffer too small for the whole item: cut short.
            a.sendmsg([b"e"])
            out.append(b.recvmsg(10, mod.CMSG_LEN(4)))
            # Someone else's pid is refused by the kernel (unless root).
            out.append(outcome(a.sendmsg, [b"f"], [
                (mod.SOL_SOCKET, mod.SCM_CREDENTIALS,
                 struct.pack("iII", 1, os.getuid(), os.getgid()))]))
            return out
    res = assert_same(run)
    full = res[1][0]
    assert full[1] == [(SOL_SOCKET, SCM_CREDENTIALS, creds)]
    assert res[1][1][1] == [(SOL_SOCKET, SCM_CREDENTIALS, creds)]
    assert res[1][2][2] & stdsocket.MSG_CTRUNC and len(res[1][2][1][0][2]) == 4


# ---------------------------------------------------------------------------
# bad input table
# ---------------------------------------------------------------------------

class Boom:
    """An iterable whose iteration fails."""

    def __iter__(self):
        raise RuntimeError("boom")


def _big_view(n):
    """A read-only bytes-like object of n bytes that is never touched, so
    its pages are never allocated."""
    import mmap
    try:
        m = mmap.mmap(-1, n, prot=mmap.PROT_READ)
    except (OSError, OverflowError, ValueError) as e:
        pytest.skip("cannot map %d bytes here: %s" % (n, e))
    return memoryview(m)


BAD_SENDMSG = [
    (), (1,), (None,), ("abc",), (b"abc",), ([1],), (["x"],), ([None],),
    ([b"x", 2],), ([memoryview(b"abcd")[::2]],), (Boom(),),
    ([b"x"], None), ([b"x"], 1), ([b"x"], Boom()), ([b"x"], [1]),
    ([b"x"], [()]), ([b"x"], [(1, 2)]), ([b"x"], [(1, 2, 3)]),
    ([b"x"], [("1", 2, b"")]), ([b"x"], [(1, "2", b"")]),
    ([b"x"], [(1.0, 2, b"")]), ([b"x"], [(1, 2, b"", 4)]),
    ([b"x"], [(2**31, 2, b"")]), ([b"x"], [(1, -2**31 - 1, b"")]),
    ([b"x"], [(1, 2, "text")]), ([b"x"], [(1, 2, None)]),
    ([b"x"], [[SOL_SOCKET, SCM_RIGHTS, b""]]), ([b"x"], "abc"),
    ([b"x"], [(SOL_SOCKET, 99, b"\xff\xff")]),
    ([b"x"], [(SOL_SOCKET, SCM_RIGHTS, b"\xff\xff\xff\x7f")]),
    ([b"x"], [(SOL_SOCKET, SCM_RIGHTS, b"\xff\xff")]),
    ([b"x"], [], "x"), ([b"x"], [], 1.0), ([b"x"], [], 2**31),
    ([b"x"], [], -2**31 - 1), ([b"x"], [], None), ([b"x"], [], 0, None),
    ([b"x"], [], 0, 1), ([b"x"], [], 0, "/nonexistent/x"),
    ([b"x"], [], 0, None, 5), (1, [], "x"), (1, 1, 0, 5),
    ([b"x"] * 2000,),
]

BAD_RECVMSG = [
    (), (-1,), (1.0,), ("1",), (None,), (2**63,), (10, -1), (10, 2**31),
    (10, 2**63), (10, 1.0), (10, 0, "x"), (10, 0, 2**31), (10, 0, 0, 1),
    (-1, -1), (10, None), (10, 2**31 - 1), (10, 100), (0,),
]

BAD_RECVMSG_INTO = [
    (), (1,), (None,), ([b"x"],), ([1],), (["x"],), (Boom(),),
    ([memoryview(bytearray(4))[::2]],), ([bytearray(2)], -1),
    ([bytearray(2)], 2**31), ([bytearray(2)], 0, 0, 1), (1, -1),
    ([bytearray(2)], "1"), ([bytearray(2)], 0, 1.0), ([],),
    ([bytearray(2)], 64), ((bytearray(2), memoryview(bytearray(3))),),
]


def _call_fresh(mod, method, args):
    """Call method(*args) on a fresh non-blocking socketpair end (so a
    valid receive gets EAGAIN instead of blocking)."""
    a, b = mod.socketpair()
    with a, b:
        a.setblocking(False)
        return getattr(a, method)(*args)


@pytest.mark.parametrize("args", BAD_SENDMSG, ids=lambda a: param_id(a)[:60])
def test_bad_input_sendmsg(args):
    assert_same(lambda m: _call_fresh(m, "sendmsg", args))


@pytest.mark.parametrize("args", BAD_RECVMSG, ids=param_id)
def test_bad_input_recvmsg(args):
    assert_same(lambda m: _call_fresh(m, "recvmsg", args))


@pytest.mark.parametrize("args", BAD_RECVMSG_INTO, ids=lambda a: param_id(a)[:60])
def test_bad_input_recvmsg_into(args):
    assert_same(lambda m: _call_fresh(m, "recvmsg_into", args))


@pytest.mark.parametrize("method", ["sendmsg", "recvmsg", "recvmsg_into"])
def test_keyword_arguments_refused(method):
    arg = {"sendmsg": [b"x"], "recvmsg": 1,
           "recvmsg_into": [bytearray(1)]}[method]
    def run(mod):
        a, b = mod.socketpair()
        with a, b:
            return getattr(a, method)(arg, flags=0)
    res = assert_same(run)
    assert res[0] == "raise" and res[1] is TypeError


def test_huge_ancillary_items_refused():
    """Items whose CMSG_SPACE (or whose total) exceeds the socklen_t limit
    are refused before any control buffer is allocated."""
    view = _big_view(2**31)
    too_large = view[:LIMIT - 23]              # CMSG_SPACE() out of range
    half = view[:2**30]
    for anc in ([(1, 1, too_large)], [(1, 1, half), (1, 1, half)],
                [(1, 1, b"x"), (1, 1, half), (1, 1, half), (1, "bad", b"")]):
        res = assert_same(lambda m: _call_fresh(m, "sendmsg", ([b"x"], anc)))
        assert res[0] == "raise" and res[1] is OSError


@pytest.mark.parametrize("method,args", [
    ("sendmsg", ([b"x"],)), ("sendmsg", (1,)), ("recvmsg", (10,)),
    ("recvmsg", (-1,)), ("recvmsg_into", ([bytearray(1)],)),
    ("recvmsg_into", (1,))])
def test_closed_socket(method, args):
    def run(mod):
        a, b = mod.socketpair()
        b.close()
        a.close()
        return getattr(a, method)(*args)
    assert_same(run)


# ---------------------------------------------------------------------------
# timeouts, blocking, threads, signals
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method,args", [
    ("recvmsg", (10,)), ("recvmsg", (10, 64)),
    ("recvmsg_into", ([bytearray(4)],))])
def test_timeout_and_nonblocking(method, args):
    def run(mod, timeout):
        a, b = mod.socketpair()
        with a, b:
            b.settimeout(timeout)
            return getattr(b, method)(*args)
    res = assert_same(lambda m: run(m, 0.05))
    assert res[1] is stdsocket.timeout
    res = assert_same(lambda m: run(m, 0.0))
    assert res[1] is BlockingIOError and res[2] == errno.EAGAIN


def test_sendmsg_full_buffer_times_out():
    def run(mod):
        a, b = mod.socketpair()
        with a, b:
            a.settimeout(0.05)
            chunk = b"x" * 65536
            for _ in range(1000):        # bounded: the buffer fills first
                a.sendmsg([chunk])
            return "never filled"
    res = assert_same(run)
    assert res[1] is stdsocket.timeout


@pytest.mark.parametrize("method", ["recvmsg", "recvmsg_into"])
def test_blocking_recvmsg_releases_gil(method):
    a, b = unix_pair("fastsock", "fastsock", timeout=10)
    got = []
    with a, b:
        def reader():
            if method == "recvmsg":
                got.append(b.recvmsg(100)[0])
            else:
                buf = bytearray(100)
                n = b.recvmsg_into([buf])[0]
                got.append(bytes(buf[:n]))
        t = threading.Thread(target=reader)
        t.start()
        # If recvmsg held the GIL, this thread could not run to send.
        a.sendmsg([b"from main"])
        t.join(20)
        assert not t.is_alive()
    assert got == [b"from main"]


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no setitimer")
def test_recvmsg_retries_after_signal():
    """PEP 475: a signal whose handler returns does not interrupt recvmsg."""
    hits = []
    old = signal.signal(signal.SIGALRM, lambda *a: hits.append(1))
    a, b = unix_pair("fastsock", "fastsock", timeout=None)
    try:
        sender = threading.Timer(0.3, a.sendmsg, ([b"late"],))
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        sender.start()
        data = b.recvmsg(100)[0]
        sender.join(10)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        a.close()
        b.close()
    assert data == b"late"
    assert hits


def test_sendmsg_no_sigpipe():
    """A closed peer gives BrokenPipeError, not a SIGPIPE death, even in a
    process that restored SIGPIPE's default action."""
    code = textwrap.dedent("""
        import signal, sys
        sys.path[:0] = %r
        import fastsock
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        a, b = fastsock.socketpair()
        b.close()
        try:
            a.sendmsg([b"x"])
        except BrokenPipeError as e:
            print("EPIPE", e.errno)
    """) % (sys.path[:3],)
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["EPIPE", str(errno.EPIPE)]


# ---------------------------------------------------------------------------
# audit events and robustness
# ---------------------------------------------------------------------------

_AUDIT = {"on": False, "events": []}


def _audit_hook(event, args):
    if _AUDIT["on"] and event == "socket.sendmsg":
        _AUDIT["events"].append(args[1:])


sys.addaudithook(_audit_hook)


def test_audit_event_sendmsg(tmpsock):
    def run(mod):
        _AUDIT["events"] = []
        _AUDIT["on"] = True
        try:
            a, b = mod.socketpair()
            with a, b:
                a.sendmsg([b"x"])
                a.sendmsg([b"x"], [], 0, None)
                outcome(a.sendmsg, 1, [], 0, "/x")     # audited, then fails
                outcome(a.sendmsg, [b"x"], [], 0, 5)   # bad address: not
            return list(_AUDIT["events"])
        finally:
            _AUDIT["on"] = False
    res = assert_same(run)
    assert res[1] == [(None,), (None,), ("/x",)]


def test_buffer_list_mutated_during_conversion():
    """Buffers and ancillary items are taken from a snapshot: a level whose
    __index__ empties the caller's list cannot make us read freed items.
    (The stdlib indexes the live list here, so this runs on fastsock only.)"""
    a, b = unix_pair("fastsock", "fastsock")
    with a, b:
        anc = []

        class Level:
            def __index__(self):
                anc.clear()
                return SOL_SOCKET

        fd, = open_devnull(1)
        try:
            anc.extend([(Level(), SCM_RIGHTS, struct.pack("i", fd)),
                        (SOL_SOCKET, SCM_RIGHTS, struct.pack("i", fd))])
            assert a.sendmsg([b"m"], anc) == 1
            res = b.recvmsg(10, 256)
            got = fds_of(res[1])
            closeall(got)
            assert res[0] == b"m" and len(got) == 2
        finally:
            os.close(fd)


def test_receive_buffers_locked_during_call():
    """While recvmsg_into holds a bytearray, it cannot be resized: the
    kernel writes into memory that stays put."""
    a, b = unix_pair("fastsock", "fastsock", timeout=10)
    buf = bytearray(16)
    errors = []
    with a, b:
        def reader():
            b.recvmsg_into([buf])

        t = threading.Thread(target=reader)
        t.start()
        for _ in range(200):             # bounded wait for the reader to block
            try:
                buf.extend(b"x")
                del buf[16:]
            except BufferError as e:
                errors.append(e)
                break
            threading.Event().wait(0.005)
        a.sendmsg([b"done"])
        t.join(20)
        assert not t.is_alive()
    assert errors, "the buffer was never seen exported"
    assert buf[:4] == b"done"


@pytest.mark.skipif(PY < (3, 12), reason="__buffer__ needs Python 3.12+")
def test_buffer_protocol_in_python_mutating_list():
    a, b = unix_pair("fastsock", "fastsock")
    with a, b:
        bufs = []

        class Sneaky:
            def __buffer__(self, flags):
                bufs.clear()
                return memoryview(b"sneaky")

        bufs.extend([Sneaky(), b"-tail"])
        assert a.sendmsg(bufs) == 11
        assert b.recvmsg(100)[0] == b"sneaky-tail"


def test_many_calls_refcounts_stable():
    a, b = unix_pair("fastsock", "fastsock")
    payload = [b"abc", bytearray(b"def")]
    with a, b:
        before = [sys.getrefcount(x) for x in payload]
        for _ in range(300):
            a.sendmsg(payload, [])
            b.recvmsg(10)
            outcome(a.sendmsg, payload, [(1, 2)])
            buf = bytearray(6)
            a.sendmsg(payload)
            b.recvmsg_into([buf])
        after = [sys.getrefcount(x) for x in payload]
    assert before == after
