"""The socket object and the module-level functions of fastsock, each
compared with the stdlib: same results, same exception types and errno.

Interop runs both ways (fastsock client with a stdlib server and the
reverse) over TCP, UDP and AF_UNIX, on IPv4 and IPv6 loopback.
"""
import errno
import gc
import io
import os
import socket as stdsocket
import sys
import threading
import warnings

import pytest

import fastsock
from conftest import PY, assert_same, param_id, tcp_listener, tcp_pair

PAIRS = [(stdsocket, fastsock), (fastsock, stdsocket), (fastsock, fastsock)]
PAIR_IDS = ["std-server/fs-client", "fs-server/std-client", "fs-fs"]


# ---------------------------------------------------------------- lifecycle

def test_new_socket_attributes(mod):
    with mod.socket() as s:
        assert s.family == mod.AF_INET and s.type == mod.SOCK_STREAM
        assert s.proto == 0 and s.timeout is None
        assert isinstance(s.family, mod.AddressFamily)
        assert isinstance(s.type, mod.SocketKind)
        assert not s.get_inheritable()
        assert s.getblocking()
        assert s.fileno() >= 0


def test_attributes_read_only(mod):
    with mod.socket() as s:
        for name in ("family", "type", "proto", "timeout"):
            with pytest.raises(AttributeError):
                setattr(s, name, 1)


def test_attribute_types_match():
    def op(m):
        with m.socket(m.AF_UNIX, m.SOCK_DGRAM) as s:
            return [type(getattr(s, n)).__name__ for n in
                    ("family", "type", "proto", "timeout")]
    assert_same(op)


def test_context_manager_closes(mod):
    with mod.socket() as s:
        assert s.fileno() >= 0
    assert s.fileno() == -1
    assert s._closed
    # Leaving a second time, or closing inside the block, is harmless.
    with s:
        s.close()
    assert s.fileno() == -1


def test_close_idempotent(mod):
    s = mod.socket()
    s.close()
    s.close()
    assert s.fileno() == -1


def test_detach_returns_fd_and_leaves_it_open(mod):
    s = mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM)
    fd = s.detach()
    assert s.fileno() == -1
    assert os.fstat(fd) is not None
    s.close()                        # must not close the detached fd
    assert os.fstat(fd) is not None
    os.close(fd)
    assert s.detach() == -1


def test_subclass_and_isinstance():
    with fastsock.socket() as s:
        assert isinstance(s, fastsock.SocketType)
        assert type(s).__name__ == "socket"
        assert type(s).__module__ == "fastsock"


def test_unclosed_socket_resource_warning(mod):
    s = mod.socket()
    fd = s.fileno()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del s
        gc.collect()
    msgs = [str(w.message) for w in caught
            if issubclass(w.category, ResourceWarning)]
    assert len(msgs) == 1 and msgs[0].startswith("unclosed <")
    with pytest.raises(OSError):
        os.fstat(fd)                 # the fd went with the object


def test_closed_socket_no_warning(mod):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = mod.socket()
        s.close()
        del s
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_repr_unconnected():
    def op(m):
        with m.socket(m.AF_INET, m.SOCK_DGRAM) as s:
            r = repr(s).replace(str(s.fileno()), "N")
        return r.replace("fastsock.", "socket."), repr(s).replace(
            "fastsock.", "socket.")
    assert_same(op)


def test_repr_connected_tcp():
    def op(m):
        cli, conn, lst = tcp_pair(m)
        with cli, conn, lst:
            port = str(lst.getsockname()[1])
            cport = str(cli.getsockname()[1])
            return [repr(x).replace("fastsock.", "socket.").replace(
                port, "P").replace(cport, "C").replace(
                str(x.fileno()), "N") for x in (cli, conn, lst)]
    assert_same(op)


def test_repr_subclass():
    def op(m):
        class MySock(m.socket):
            pass
        with MySock(m.AF_UNIX) as s:
            return repr(s).replace(str(s.fileno()), "N")
    res = assert_same(op)
    assert res[1].startswith("<%s.test_repr_subclass.<locals>.op.<locals>."
                             "MySock fd=N" % __name__)


def test_getstate_refused(mod):
    import pickle
    import copy
    with mod.socket() as s:
        with pytest.raises(TypeError):
            pickle.dumps(s)
        with pytest.raises(TypeError):
            copy.copy(s)


# ---------------------------------------------------- fileno / dup / fromfd

@pytest.mark.parametrize("family,kind", [
    ("AF_INET", "SOCK_STREAM"), ("AF_INET", "SOCK_DGRAM"),
    ("AF_INET6", "SOCK_STREAM"), ("AF_UNIX", "SOCK_STREAM"),
    ("AF_UNIX", "SOCK_DGRAM"), ("AF_UNIX", "SOCK_SEQPACKET"),
])
@pytest.mark.parametrize("nonblocking", [False, True])
def test_fileno_detects_family_type_proto(family, kind, nonblocking):
    def op(m):
        src = stdsocket.socket(getattr(stdsocket, family),
                               getattr(stdsocket, kind))
        src.setblocking(not nonblocking)
        fd = src.detach()
        with m.socket(fileno=fd) as s:
            return (s.family, s.type, s.proto, s.timeout, s.getblocking(),
                    repr(s.family), repr(s.type))
    res = assert_same(op)
    assert res[1][0] == getattr(stdsocket, family)


def test_fileno_with_explicit_values():
    def op(m):
        fd = stdsocket.socket(stdsocket.AF_UNIX, stdsocket.SOCK_DGRAM).detach()
        with m.socket(m.AF_UNIX, m.SOCK_DGRAM, 0, fd) as s:
            return (s.family, s.type, s.proto)
    assert_same(op)


# What socket(family, type, proto, fileno) is given: (kwargs, descriptor kind).
_GIVEN = [
    {}, {"family": "AF_INET"}, {"type": "SOCK_STREAM"},
    {"family": "AF_INET", "type": "SOCK_STREAM"},
    {"family": "AF_INET", "type": "SOCK_STREAM", "proto": 0},
    {"family": "AF_UNIX", "type": "SOCK_DGRAM", "proto": 0},
    {"family": "AF_INET6", "type": "SOCK_RAW", "proto": 5},
    {"family": "AF_INET", "proto": 0}, {"type": "SOCK_DGRAM", "proto": 0},
]


@pytest.mark.parametrize("fdkind", ["closed", "regular file", "pipe",
                                    "udp socket", "negative"])
@pytest.mark.parametrize("given", _GIVEN, ids=lambda g: ",".join(
    "%s=%s" % kv for kv in g.items()) or "nothing")
def test_fileno_is_validated_whatever_is_given(given, fdkind, tmp_path):
    # The stdlib asks getsockname() of the descriptor whatever family and
    # type are given, and refuses a descriptor that is not open (EBADF) or
    # not a socket (ENOTSOCK); it never adopts one, so a later close()
    # cannot close somebody else's file.
    keep = []

    def descriptor():
        if fdkind == "closed":
            return 65536
        if fdkind == "negative":
            return -7
        if fdkind == "regular file":
            f = open(tmp_path / "plain", "wb")
            keep.append(f)
            return f.fileno()
        if fdkind == "pipe":
            r, w = os.pipe()
            keep.extend([r, w])
            return r
        s = stdsocket.socket(stdsocket.AF_INET, stdsocket.SOCK_DGRAM)
        keep.append(s)
        return s.fileno()

    def op(m):
        fd = descriptor()
        kw = {k: getattr(m, v) if isinstance(v, str) else v
              for k, v in given.items()}
        s = m.socket(fileno=fd, **kw)
        try:
            return (int(s.family), int(s.type), s.proto, s.fileno() == fd)
        finally:
            s.detach()

    try:
        res = assert_same(op)
    finally:
        for k in keep:
            k.close() if hasattr(k, "close") else os.close(k)
    if fdkind not in ("udp socket",):
        assert res[0] == "raise"


def test_fileno_of_listening_socket_accepts(mod):
    lst = tcp_listener(stdsocket)
    s = mod.socket(fileno=lst.detach())
    with s, mod.create_connection(s.getsockname(), timeout=5) as c:
        conn, addr = s.accept()
        with conn:
            assert addr == c.getsockname()
            assert type(conn) is mod.socket


def test_dup_method(mod):
    a, b = mod.socketpair()
    with a, b:
        a.settimeout(2.5)
        d = a.dup()
        with d:
            assert type(d) is mod.socket
            assert d.fileno() != a.fileno()
            assert (d.family, d.type, d.proto) == (a.family, a.type, a.proto)
            assert d.gettimeout() == 2.5
            assert not d.get_inheritable()
            d.sendall(b"via dup")
            assert b.recv(100) == b"via dup"


def test_module_dup_and_close(mod):
    a, b = mod.socketpair()
    with a, b:
        fd = mod.dup(a.fileno())
        assert fd != a.fileno() and not os.get_inheritable(fd)
        mod.close(fd)
        with pytest.raises(OSError) as info:
            os.fstat(fd)
        assert info.value.errno == errno.EBADF


@pytest.mark.parametrize("arg", [-1, 99999, "x", 1.5, None, 2**70])
def test_module_dup_close_bad_input(arg):
    def op(m):
        fd = m.dup(arg)
        os.close(fd)
        return "duplicated"
    assert_same(op)

    if isinstance(arg, float) and PY < (3, 10):
        return      # 3.9 truncates the float: close(1.5) would close stdout
    assert_same(lambda m: m.close(arg))


def test_fromfd(mod):
    a, b = mod.socketpair()
    with a, b:
        c = mod.fromfd(a.fileno(), mod.AF_UNIX, mod.SOCK_STREAM)
        with c:
            assert type(c) is mod.socket
            assert c.fileno() != a.fileno()
            assert not c.get_inheritable()
            c.sendall(b"hi")
            assert b.recv(10) == b"hi"


def test_fromfd_bad_input():
    assert_same(lambda m: m.fromfd(99999, m.AF_UNIX, m.SOCK_STREAM))
    assert_same(lambda m: m.fromfd("x", m.AF_UNIX, m.SOCK_STREAM))


# ------------------------------------------------------------ socketpair

@pytest.mark.parametrize("args", [(), ("AF_UNIX", "SOCK_DGRAM"),
                                  ("AF_UNIX", "SOCK_SEQPACKET")])
def test_socketpair(args):
    def op(m):
        a, b = m.socketpair(*[getattr(m, n) for n in args])
        with a, b:
            a.sendall(b"ping")
            got = b.recv(10)
            return (type(a) is m.socket, got, a.family, a.type, a.proto,
                    b.family, b.type, a.get_inheritable(), a.timeout)
    res = assert_same(op)
    assert res[1][0] is True and res[1][1] == b"ping"


def test_socketpair_bad_input():
    assert_same(lambda m: m.socketpair(12345))
    assert_same(lambda m: m.socketpair(m.AF_UNIX, 12345))
    assert_same(lambda m: m.socketpair("x"))
    assert_same(lambda m: m.socketpair(m.AF_INET), compare_message=False)


# ------------------------------------------------------- default timeout

@pytest.mark.parametrize("value", [None, 0, 0.0, 1, 2.5, -1, float("nan"),
                                   "1", 2**70, True])
def test_setdefaulttimeout_applies_to_new_sockets(value):
    def op(m):
        m.setdefaulttimeout(value)
        try:
            out = [m.getdefaulttimeout()]
            with m.socket() as s:
                out.append((s.timeout, s.getblocking()))
            a, b = m.socketpair()
            with a, b:
                out.append((a.timeout, b.timeout))
            fd = stdsocket.socket().detach()
            with m.socket(fileno=fd) as s:
                out.append(s.timeout)
            lst = tcp_listener(m)
            with lst, m.create_connection(lst.getsockname()) as c:
                conn, _ = lst.accept()
                with conn:
                    out.append((c.timeout, conn.timeout, lst.timeout))
            return out
        finally:
            m.setdefaulttimeout(None)
    assert_same(op)


def test_default_timeout_is_per_module():
    fastsock.setdefaulttimeout(3)
    try:
        assert stdsocket.getdefaulttimeout() is None
    finally:
        fastsock.setdefaulttimeout(None)


def test_accept_timeout_inheritance():
    # A listening socket with a timeout hands out blocking sockets when the
    # default timeout is None (the stdlib's rule), and the default otherwise.
    def op(m):
        lst = tcp_listener(m)
        lst.settimeout(5)
        with lst:
            c = m.create_connection(lst.getsockname())
            conn, _ = lst.accept()
            with c, conn:
                return (conn.timeout, conn.getblocking(), c.timeout)
    assert assert_same(op)[1] == (None, True, None)


# --------------------------------------------------------- inheritability

def test_sockets_non_inheritable(mod):
    lst = tcp_listener(mod)
    c = mod.create_connection(lst.getsockname())
    conn, _ = lst.accept()
    a, b = mod.socketpair()
    d = c.dup()
    socks = [lst, c, conn, a, b, d, mod.socket(mod.AF_INET6)]
    try:
        for s in socks:
            assert not s.get_inheritable(), s
            assert not os.get_inheritable(s.fileno()), s
        c.set_inheritable(True)
        assert c.get_inheritable() and os.get_inheritable(c.fileno())
        c.set_inheritable(False)
        assert not c.get_inheritable()
    finally:
        for s in socks:
            s.close()


# ---------------------------------------------------------- bind / names

@pytest.mark.parametrize("family,host", [("AF_INET", "127.0.0.1"),
                                         ("AF_INET", ""),
                                         ("AF_INET", "localhost"),
                                         ("AF_INET6", "::1")])
def test_bind_getsockname(family, host, request):
    if family == "AF_INET6":
        request.getfixturevalue("need_ipv6")

    def op(m):
        with m.socket(getattr(m, family), m.SOCK_DGRAM) as s:
            s.bind((host, 0))
            name = s.getsockname()
            return (name[0], len(name), type(name[1]), name[1] > 0)
    assert_same(op)


def test_bind_twice_and_in_use():
    def op(m):
        with m.socket() as s, m.socket() as t:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.listen()
            res = []
            for sock, addr in ((s, ("127.0.0.1", 0)),
                               (t, ("127.0.0.1", port))):
                try:
                    sock.bind(addr)
                except OSError as exc:
                    res.append((type(exc), exc.errno))
            return res
    res = assert_same(op)
    assert res[1] == [(OSError, errno.EINVAL), (OSError, errno.EADDRINUSE)]


def test_getpeername_unconnected():
    def op(m):
        with m.socket() as s:
            return s.getpeername()
    assert assert_same(op)[1] is OSError


def test_unix_names(tmpsock):
    def op(m):
        path = tmpsock()
        with m.socket(m.AF_UNIX) as s:
            before = s.getsockname()
            s.bind(path)
            s.listen()
            with m.socket(m.AF_UNIX) as c:
                c.connect(path)
                conn, addr = s.accept()
                with conn:
                    return (before, s.getsockname() == path,
                            c.getpeername() == path, addr,
                            conn.getsockname() == path, c.getsockname())
    assert_same(op)


def test_unix_abstract_and_bytes_path(tmpsock):
    def op(m):
        path = tmpsock().encode()
        res = []
        with m.socket(m.AF_UNIX, m.SOCK_DGRAM) as s:
            s.bind(path)
            res.append(s.getsockname() == path.decode())
        name = b"\0fastsock-test-%d-%s" % (os.getpid(), m.__name__.encode())
        with m.socket(m.AF_UNIX, m.SOCK_DGRAM) as s:
            s.bind(name)
            res.append(s.getsockname() == name)
        return res
    assert assert_same(op)[1] == [True, True]


# ----------------------------------------------------- TCP data transfer

@pytest.mark.parametrize("server_mod,client_mod", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_tcp_interop(server_mod, client_mod, host, request):
    if host == "::1":
        request.getfixturevalue("need_ipv6")
    cli, conn, lst = tcp_pair(client_mod, server_mod, host)
    with cli, conn, lst:
        assert type(conn) is server_mod.socket
        assert cli.getpeername()[:2] == lst.getsockname()[:2]
        assert conn.getpeername() == cli.getsockname()
        if host == "::1":
            assert len(cli.getsockname()) == 4 and len(conn.getpeername()) == 4
        payload = os.urandom(300000)
        t = threading.Thread(target=cli.sendall, args=(payload,))
        t.start()
        got = bytearray()
        while len(got) < len(payload):
            chunk = conn.recv(65536)
            assert chunk
            got += chunk
        t.join()
        assert bytes(got) == payload
        # recv_into, with and without nbytes.
        cli.sendall(b"0123456789")
        buf = bytearray(20)
        n = 0
        while n < 4:
            n += conn.recv_into(memoryview(buf)[n:], 4 - n)
        assert bytes(buf[:4]) == b"0123"
        while n < 10:
            n += conn.recv_into(memoryview(buf)[n:])
        assert bytes(buf[:10]) == b"0123456789"
        # Peek, then shut down the write side: the peer sees EOF.
        conn.sendall(b"peek")
        assert cli.recv(4, client_mod.MSG_PEEK) == b"peek"
        assert cli.recv(4) == b"peek"
        cli.shutdown(client_mod.SHUT_WR)
        assert conn.recv(10) == b""
        assert conn.send(b"after") == 5
        assert cli.recv(10) == b"after"


def test_recv_big_bufsize_returns_what_arrived(mod):
    a, b = mod.socketpair()
    with a, b:
        for size in (16, 70000, 1 << 20, 5 << 20):
            a.sendall(b"x" * 16)
            got = b.recv(size)
            assert got == b"x" * 16
            assert type(got) is bytes
        # Many calls in a row reuse the scratch path without leaking.
        for _ in range(200):
            a.sendall(b"abc")
            assert b.recv(1 << 20) == b"abc"


def test_recvfrom_on_stream(mod):
    cli, conn, lst = tcp_pair(mod)
    with cli, conn, lst:
        cli.sendall(b"abc")
        data, addr = conn.recvfrom(100)
        assert data == b"abc"
        # The stdlib reports no address for a connected TCP recvfrom on
        # Linux; compare with it rather than assuming.
        assert addr is None or addr == cli.getsockname()
    std_cli, std_conn, std_lst = tcp_pair(stdsocket)
    with std_cli, std_conn, std_lst:
        std_cli.sendall(b"abc")
        assert (std_conn.recvfrom(100)[1] is None) == (addr is None)


def test_accept_on_subclass_returns_base_class():
    # The stdlib's accept() builds a plain socket.socket, whatever the
    # listener's class.
    def op(m):
        class MySock(m.socket):
            pass
        with MySock() as lst:
            lst.bind(("127.0.0.1", 0))
            lst.listen()
            with m.create_connection(lst.getsockname()):
                conn, addr = lst.accept()
                with conn:
                    return type(conn) is m.socket, isinstance(conn, MySock)
    assert assert_same(op)[1] == (True, False)


def test_low_level_accept():
    # The low-level _accept() gives a bare fd and the address.
    with fastsock.create_server(("127.0.0.1", 0)) as lst:
        with fastsock.create_connection(lst.getsockname()) as c:
            fd, addr = lst._accept()
            assert isinstance(fd, int) and addr == c.getsockname()
            assert not os.get_inheritable(fd)
            os.close(fd)


# -------------------------------------------------------------------- UDP

@pytest.mark.parametrize("server_mod,client_mod", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_udp_interop(server_mod, client_mod, host, request):
    if host == "::1":
        request.getfixturevalue("need_ipv6")
    fam = stdsocket.AF_INET6 if ":" in host else stdsocket.AF_INET
    srv = server_mod.socket(fam, server_mod.SOCK_DGRAM)
    cli = client_mod.socket(fam, client_mod.SOCK_DGRAM)
    with srv, cli:
        srv.settimeout(5)
        cli.settimeout(5)
        srv.bind((host, 0))
        cli.sendto(b"hello", srv.getsockname())
        data, addr = srv.recvfrom(100)
        # The client was bound implicitly, to the wildcard address.
        assert data == b"hello" and addr[0] == host
        assert addr[1:] == cli.getsockname()[1:]
        assert srv.sendto(b"back", 0, addr) == 4
        buf = bytearray(10)
        n, addr2 = cli.recvfrom_into(buf)
        assert bytes(buf[:n]) == b"back" and addr2 == srv.getsockname()
        # A connected UDP socket uses send/recv.
        cli.connect(srv.getsockname())
        cli.send(b"conn")
        assert srv.recvfrom(100) == (b"conn", addr)
        # A datagram longer than the buffer is truncated.
        cli.send(b"0123456789")
        assert srv.recv(4) == b"0123"


def test_udp_empty_datagram_and_broadcast_form():
    def op(m):
        with m.socket(m.AF_INET, m.SOCK_DGRAM) as a, \
                m.socket(m.AF_INET, m.SOCK_DGRAM) as b:
            a.bind(("127.0.0.1", 0))
            b.settimeout(5)
            a.settimeout(5)
            b.sendto(b"", a.getsockname())
            data, addr = a.recvfrom(10)
            return data, addr[1] == b.getsockname()[1]
    assert assert_same(op)[1] == (b"", True)


# ---------------------------------------------------------------- AF_UNIX

@pytest.mark.parametrize("server_mod,client_mod", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("kind", ["SOCK_STREAM", "SOCK_SEQPACKET"])
def test_unix_stream_interop(server_mod, client_mod, kind, tmpsock):
    path = tmpsock()
    srv = server_mod.socket(server_mod.AF_UNIX, getattr(server_mod, kind))
    with srv:
        srv.bind(path)
        srv.listen()
        srv.settimeout(5)
        with client_mod.socket(client_mod.AF_UNIX,
                               getattr(client_mod, kind)) as cli:
            cli.settimeout(5)
            cli.connect(path)
            conn, addr = srv.accept()
            with conn:
                assert addr == ""          # unbound client
                cli.sendall(b"one")
                cli.sendall(b"two")
                if kind == "SOCK_SEQPACKET":   # message boundaries kept
                    assert conn.recv(100) == b"one"
                    assert conn.recv(100) == b"two"
                else:
                    got = b""
                    while len(got) < 6:
                        got += conn.recv(100)
                    assert got == b"onetwo"
                conn.sendall(b"reply")
                assert cli.recv(100) == b"reply"


@pytest.mark.parametrize("server_mod,client_mod", PAIRS, ids=PAIR_IDS)
def test_unix_dgram_interop(server_mod, client_mod, tmpsock):
    spath, cpath = tmpsock(), tmpsock()
    srv = server_mod.socket(server_mod.AF_UNIX, server_mod.SOCK_DGRAM)
    cli = client_mod.socket(client_mod.AF_UNIX, client_mod.SOCK_DGRAM)
    with srv, cli:
        srv.settimeout(5)
        cli.settimeout(5)
        srv.bind(spath)
        cli.bind(cpath)
        cli.sendto(b"hello", spath)
        assert srv.recvfrom(100) == (b"hello", cpath)
        srv.sendto(b"back", cpath)
        assert cli.recvfrom(100) == (b"back", spath)


# ---------------------------------------------------------- socket options

def test_sockopt_roundtrips():
    def op(m):
        import struct
        with m.socket() as s:
            out = []
            s.setsockopt(m.SOL_SOCKET, m.SO_REUSEADDR, 1)
            out.append(s.getsockopt(m.SOL_SOCKET, m.SO_REUSEADDR) != 0)
            s.setsockopt(m.SOL_SOCKET, m.SO_LINGER, struct.pack("ii", 1, 7))
            out.append(struct.unpack("ii", s.getsockopt(
                m.SOL_SOCKET, m.SO_LINGER, 8)))
            s.setsockopt(m.IPPROTO_TCP, m.TCP_NODELAY, True)
            out.append(s.getsockopt(m.IPPROTO_TCP, m.TCP_NODELAY))
            out.append(s.getsockopt(m.SOL_SOCKET, m.SO_TYPE))
            out.append(s.getsockopt(m.SOL_SOCKET, m.SO_ERROR))
            out.append(s.getsockopt(m.SOL_SOCKET, m.SO_TYPE, 100))
            return out
    res = assert_same(op)
    assert res[1][1] == (1, 7)


def test_setsockopt_none_optlen():
    # setsockopt(level, opt, None, optlen): a NULL value of optlen bytes,
    # here refused by the kernel the same way on both sides.
    def op(m):
        with m.socket() as s:
            return s.setsockopt(m.SOL_SOCKET, m.SO_REUSEADDR, None, 4)
    assert_same(op)


# ----------------------------------------------------------------- listen

def test_listen_backlog_forms():
    def op(m):
        out = []
        for args in ((), (0,), (5,), (-3,)):
            with m.socket() as s:
                s.bind(("127.0.0.1", 0))
                out.append(s.listen(*args))
                with m.create_connection(s.getsockname(), timeout=5):
                    conn, _ = s.accept()
                    conn.close()
        return out
    assert assert_same(op)[1] == [None] * 4


# ---------------------------------------------------------------- connect

def test_connect_ex_refused():
    def op(m):
        with m.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with m.socket() as s:
            return s.connect_ex(("127.0.0.1", port))
    assert assert_same(op)[1] == errno.ECONNREFUSED


def test_connect_refused_raises():
    def op(m):
        with m.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with m.socket() as s:
            s.connect(("127.0.0.1", port))
    res = assert_same(op, compare_message=False)
    assert res[1] is ConnectionRefusedError


def test_connect_ex_success_and_twice():
    def op(m):
        with tcp_listener(m) as lst, m.socket() as s:
            r1 = s.connect_ex(lst.getsockname())
            r2 = s.connect_ex(lst.getsockname())
            return r1, r2
    res = assert_same(op)
    assert res[1] == (0, errno.EISCONN)


# ------------------------------------------------------------------ sendfile

@pytest.fixture
def datafile(tmp_path):
    path = tmp_path / "data.bin"
    data = os.urandom(200000)
    path.write_bytes(data)
    return path, data


def _drain(sock, n):
    got = bytearray()
    while len(got) < n:
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    return bytes(got)


@pytest.mark.parametrize("offset,count", [(0, None), (1000, None),
                                          (0, 5000), (123, 70000)])
@pytest.mark.parametrize("source", ["file", "bytesio"])
def test_sendfile(mod, datafile, offset, count, source):
    path, data = datafile
    expect = data[offset:offset + count if count else None]
    cli, conn, lst = tcp_pair(mod)
    with cli, conn, lst:
        if source == "file":
            f = open(path, "rb")
        else:
            f = io.BytesIO(data)    # no fileno(): the send() fallback
        with f:
            out = {}
            t = threading.Thread(target=lambda: out.update(
                n=cli.sendfile(f, offset, count)))
            t.start()
            got = _drain(conn, len(expect))
            t.join()
            assert out["n"] == len(expect) and got == expect
            assert f.tell() == offset + len(expect)


def test_sendfile_empty_file(mod, tmp_path):
    p = tmp_path / "empty"
    p.write_bytes(b"")
    cli, conn, lst = tcp_pair(mod)
    with cli, conn, lst, open(p, "rb") as f:
        assert cli.sendfile(f) == 0


@pytest.mark.parametrize("case", ["text", "dgram", "count0", "countneg",
                                  "countfloat", "nonblocking"])
def test_sendfile_argument_checks(case, datafile):
    path, _ = datafile

    def op(m):
        kind = m.SOCK_DGRAM if case == "dgram" else m.SOCK_STREAM
        a, b = m.socketpair(m.AF_UNIX, kind)
        with a, b, open(path, "r" if case == "text" else "rb") as f:
            if case == "nonblocking":
                a.setblocking(False)
            count = {"count0": 0, "countneg": -1, "countfloat": 1.5}.get(case)
            return a.sendfile(f, 0, count)
    res = assert_same(op)
    assert res[0] == "raise"


def test_sendfile_nonblocking_bytesio():
    # The fallback refuses a non-blocking socket as well.
    def op(m):
        a, b = m.socketpair()
        with a, b:
            a.setblocking(False)
            return a.sendfile(io.BytesIO(b"abc"))
    assert assert_same(op)[1] is ValueError


# --------------------------------------------------------- create_connection

def test_create_connection_basic(mod):
    with tcp_listener(mod) as lst:
        with mod.create_connection(lst.getsockname()) as c:
            assert type(c) is mod.socket
            assert c.timeout is None
            conn, addr = lst.accept()
            conn.close()
            assert addr == c.getsockname()
        host, port = lst.getsockname()
        with mod.create_connection(("localhost", port), timeout=3) as c:
            assert c.timeout == 3
            lst.accept()[0].close()


def test_create_connection_source_address(mod):
    with tcp_listener(mod) as lst, mod.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        src = probe.getsockname()
        probe.close()
        with mod.create_connection(lst.getsockname(), 5,
                                   source_address=src) as c:
            assert c.getsockname() == src
            lst.accept()[0].close()


def test_create_connection_refused():
    def op(m):
        with m.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return m.create_connection(("127.0.0.1", port))
    res = assert_same(op, compare_message=False)
    assert res[1] is ConnectionRefusedError


@pytest.mark.skipif(PY < (3, 11), reason="all_errors is new in Python 3.11")
def test_create_connection_all_errors():
    def op(m):
        with m.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            m.create_connection(("127.0.0.1", port), all_errors=True)
        except ExceptionGroup as eg:   # noqa: F821 - 3.11+
            return [(type(e), e.errno) for e in eg.exceptions], str(eg)
    res = assert_same(op)
    assert res[1][0] == [(ConnectionRefusedError, errno.ECONNREFUSED)]


def test_create_connection_bad_input():
    assert_same(lambda m: m.create_connection("127.0.0.1"))
    assert_same(lambda m: m.create_connection(("127.0.0.1",)))


# ----------------------------------------------------------- create_server

def test_create_server_basic():
    def op(m):
        with m.create_server(("127.0.0.1", 0)) as s:
            return (s.family, s.type, s.timeout,
                    s.getsockopt(m.SOL_SOCKET, m.SO_REUSEADDR) != 0,
                    s.getsockopt(m.SOL_SOCKET, m.SO_ACCEPTCONN),
                    type(s) is m.socket)
    assert assert_same(op)[1][-1] is True


def test_create_server_reuse_port_and_backlog(mod):
    with mod.create_server(("127.0.0.1", 0), reuse_port=True,
                           backlog=3) as s:
        assert s.getsockopt(mod.SOL_SOCKET, mod.SO_REUSEPORT)
        with mod.create_server(s.getsockname(), reuse_port=True) as s2:
            assert s2.getsockname() == s.getsockname()


def test_create_server_in_use():
    def op(m):
        with m.create_server(("127.0.0.1", 0)) as s:
            m.create_server(s.getsockname())
    res = assert_same(op, compare_message=False)
    assert res[1] is OSError and res[2] == errno.EADDRINUSE


@pytest.mark.parametrize("addr", [("127.0.0.1", 70000), ("256.0.0.1", 0),
                                  ("127.0.0.1", "x"), "127.0.0.1"])
def test_create_server_bad_address(addr):
    assert assert_same(lambda m: m.create_server(addr))[0] == "raise"


def test_create_server_in_use_message():
    def op(m):
        with m.create_server(("127.0.0.1", 0)) as s:
            port = s.getsockname()[1]
            try:
                m.create_server(s.getsockname())
            except OSError as exc:
                return str(exc).replace(str(port), "P")
    assert "while attempting to bind on address" in assert_same(op)[1]


def test_has_dualstack_ipv6():
    assert fastsock.has_dualstack_ipv6() == stdsocket.has_dualstack_ipv6()


def test_create_server_dualstack(need_ipv6):
    if not stdsocket.has_dualstack_ipv6():
        pytest.skip("no dual-stack IPv6 on this machine")
    with fastsock.create_server(("", 0), family=fastsock.AF_INET6,
                                dualstack_ipv6=True) as s:
        assert s.getsockopt(fastsock.IPPROTO_IPV6, fastsock.IPV6_V6ONLY) == 0
        port = s.getsockname()[1]
        for host in ("127.0.0.1", "::1"):
            with stdsocket.create_connection((host, port), timeout=5):
                conn, addr = s.accept()
                conn.close()


def test_create_server_dualstack_errors():
    assert_same(lambda m: m.create_server(("", 0), dualstack_ipv6=True))


def test_create_server_v6only(need_ipv6):
    with fastsock.create_server(("::1", 0), family=fastsock.AF_INET6) as s:
        assert s.getsockopt(fastsock.IPPROTO_IPV6, fastsock.IPV6_V6ONLY) == 1


# ------------------------------------------------------------ misc / audit

def test_audit_hooks_fire():
    events = []
    recording = [True]

    def hook(name, args):
        # An audit hook stays for the life of the process: record only
        # during this test, or later tests (the leak checks among them)
        # would see the list grow on every socket call.
        if recording[0] and name.startswith("socket."):
            events.append(name)
    sys.addaudithook(hook)
    try:
        with fastsock.socket(fastsock.AF_INET, fastsock.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.sendto(b"x", s.getsockname())
            s.connect(s.getsockname())
    finally:
        recording[0] = False
    for name in ("socket.__new__", "socket.bind", "socket.sendto",
                 "socket.connect"):
        assert name in events


def test_sendall_large_then_close(mod):
    a, b = mod.socketpair()
    payload = b"z" * (1 << 21)
    t = threading.Thread(target=lambda: a.sendall(payload))
    t.start()
    got = _drain(b, len(payload))
    t.join()
    a.close()
    assert got == payload
    assert b.recv(10) == b""
    b.close()


def test_dup_on_subclass_runs_its_init():
    # The stdlib's dup() is self.__class__(family, type, proto, fileno=fd)
    # followed by settimeout(): a subclass's __init__ runs on the copy.
    def op(m):
        class Tagged(m.socket):
            __slots__ = ("tag",)

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.tag = "init ran"
        s = Tagged(m.AF_UNIX)
        s.settimeout(2.5)
        d = s.dup()
        try:
            return type(d) is Tagged, d.tag, d.timeout, d.family, d.type
        finally:
            s.close()
            d.close()
    assert assert_same(op)[1][:3] == (True, "init ran", 2.5)


def test_sendfile_timeout(tmp_path):
    # Nobody reads: the zero-copy loop times out, as the stdlib's does.
    path = tmp_path / "big"
    path.write_bytes(b"\0" * (8 << 20))

    def op(m):
        a, b = m.socketpair()
        with a, b, open(path, "rb") as f:
            a.settimeout(0.2)
            return a.sendfile(f)
    res = assert_same(op)
    assert res[1] is stdsocket.timeout and res[3] == "timed out"


def test_recv_big_bufsize_does_not_allocate_bufsize():
    # recv(1 << 20) on a 16-byte message must not allocate a megabyte per
    # call (issue point 6): after the first call the peak stays small.
    import tracemalloc
    a, b = fastsock.socketpair()
    with a, b:
        a.sendall(b"warm")
        b.recv(1 << 20)             # the scratch buffer is made once
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            for _ in range(50):
                a.sendall(b"s" * 16)
                assert b.recv(1 << 20) == b"s" * 16
                a.sendall(b"t" * 16)
                assert b.recvfrom(1 << 20)[0] == b"t" * 16
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak - base < 64 * 1024


# ---------------------------------------------------------- byte order

BYTE_ORDER_VALUES = [0, 1, 0x1234, 65535, 65536, 2**31, 2**32 - 1, 2**32, -1,
                     -2**40, 2**64, 2**100, 1.5, "1", None, True]


@pytest.mark.parametrize("func", ["htons", "ntohs", "htonl", "ntohl"])
@pytest.mark.parametrize("value", BYTE_ORDER_VALUES, ids=param_id)
def test_byte_order_functions(func, value):
    def op(m):
        with warnings.catch_warnings():
            warnings.simplefilter("error")      # 3.9's truncation warning
            return getattr(m, func)(value)
    assert_same(op)


def test_byte_order_roundtrip(mod):
    for v in (0, 1, 0x1234, 0xFFFF):
        assert mod.ntohs(mod.htons(v)) == v
    for v in (0, 1, 0x12345678, 0xFFFFFFFF):
        assert mod.ntohl(mod.htonl(v)) == v
    assert mod.htons(1) == (256 if sys.byteorder == "little" else 1)


def test_send_fds_ignores_flags_like_the_stdlib():
    # The stdlib's send_fds() drops flags and address (every version up to
    # 3.13): MSG_DONTWAIT on a full socket still blocks there, so here a
    # bad flag value must not reach sendmsg() either.
    def op(m):
        a, b = m.socketpair()
        with a, b:
            r, w = os.pipe()
            try:
                n = m.send_fds(a, [b"x"], [r], 0x7fffffff)
                msg, fds, flags, addr = m.recv_fds(b, 10, 1)
                for fd in fds:
                    os.close(fd)
                return n, msg, len(fds)
            finally:
                os.close(r)
                os.close(w)
    assert assert_same(op)[1] == (1, b"x", 1)


def test_msg_trunc_tail_is_zeroed_not_heap():
    """recv(n, MSG_TRUNC) on a longer datagram returns the datagram's length,
    as the stdlib does; the bytes the kernel did not store are zeros."""
    for n in (4, 70000):           # the direct and the scratch-buffer paths
        a, b = fastsock.socketpair(fastsock.AF_UNIX, fastsock.SOCK_DGRAM)
        with a, b:
            a.send(b"abcdefghij" * 10000)
            got = b.recv(n, fastsock.MSG_TRUNC)
            assert len(got) == 100000
            assert got[:min(n, 100000)] == (b"abcdefghij" * 10000)[:n]
            assert got[n:] == bytes(100000 - n)


def _icmp_echo(ident):
    """An ICMP echo request with a valid checksum."""
    import struct
    body = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"fastsock"
    total = sum(struct.unpack("!%dH" % (len(body) // 2), body))
    total = (total >> 16) + (total & 0xFFFF)
    check = ~(total + (total >> 16)) & 0xFFFF
    return body[:2] + struct.pack("!H", check) + body[4:]


@pytest.mark.parametrize("mod", [stdsocket, fastsock], ids=["stdlib", "fastsock"])
def test_raw_icmp_socket_on_loopback(mod):
    """SOCK_RAW where permitted: an ICMP echo to 127.0.0.1 and its reply,
    with the same family/type/proto and address forms on both modules."""
    try:
        s = mod.socket(mod.AF_INET, mod.SOCK_RAW, mod.IPPROTO_ICMP)
    except PermissionError as exc:
        pytest.skip("raw sockets need CAP_NET_RAW here: %s" % exc)
    with s:
        assert (s.family, s.type, s.proto) == (
            stdsocket.AF_INET, stdsocket.SOCK_RAW, stdsocket.IPPROTO_ICMP)
        s.settimeout(5)
        ident = os.getpid() & 0xFFFF
        assert s.sendto(_icmp_echo(ident), ("127.0.0.1", 0)) == 16
        for _ in range(10):   # our own request may be seen before the reply
            data, addr = s.recvfrom(1024)
            assert addr == ("127.0.0.1", 0)
            icmp = data[(data[0] & 0x0F) * 4:]
            if icmp[0] == 0 and icmp[4:6] == ident.to_bytes(2, "big"):
                assert icmp[8:] == b"fastsock"
                return
        pytest.fail("no ICMP echo reply among 10 packets")
