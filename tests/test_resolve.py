"""Name and service resolution, differentially against the stdlib.

Only names this machine answers without DNS are looked up: numeric
addresses, 'localhost' and gethostname() (both in /etc/hosts), services and
protocols from /etc/services and /etc/protocols.  Error cases are chosen so
that they fail before any resolver query (bad types, idna errors, NUL bytes,
AI_NUMERICHOST) -- a query for an unknown name would go to the configured
DNS server, which is not loopback.
"""
import _socket
import socket as stdsocket
import sys
import threading

import pytest
from hypothesis import given, settings, strategies as st

import _fastsock
import fastsock
from conftest import assert_same, outcome, param_id

HOSTNAME = stdsocket.gethostname()
NUMERIC = stdsocket.AI_NUMERICHOST


def _same_raw(name, *args, **kwargs):
    """_socket.name(...) and _fastsock.name(...) behave the same.  The
    module name in arity messages ('_socket.gethostname() takes...') is the
    only accepted difference."""
    std = outcome(getattr(_socket, name), *args, **kwargs)
    fast = outcome(getattr(_fastsock, name), *args, **kwargs)
    if fast[0] == "raise" and isinstance(fast[3], str):
        fast = fast[:3] + (fast[3].replace("_fastsock.", "_socket."),)
    assert fast == std, "stdlib: %r\nfastsock: %r" % (std, fast)
    return std


# ---------------------------------------------------------------------
# gethostname / sethostname
# ---------------------------------------------------------------------

def test_gethostname():
    assert _same_raw("gethostname")[1] == HOSTNAME
    _same_raw("gethostname", 1)


@pytest.mark.parametrize("args", [(), (1,), (None,), ("a", "b"), (1.5,)],
                         ids=param_id)
def test_sethostname_bad_arguments(args):
    # Never a valid call: as root it would really rename the machine.
    assert _same_raw("sethostname", *args)[0] == "raise"


# ---------------------------------------------------------------------
# gethostbyname / gethostbyname_ex / gethostbyaddr
# ---------------------------------------------------------------------

HOSTS = [
    "127.0.0.1", "localhost", "LOCALHOST", HOSTNAME, b"localhost",
    bytearray(b"localhost"), "", "<broadcast>", "255.255.255.255", "::1",
    "127.1", "0x7f.1", "0.0.0.0", "a\0b", b"a\0b", 1, None, 1.5, "\udcff",
    ".", "a..b", "a" * 64, "a." + "b" * 64, "x" * 64 + ".b", "..",
    "\u00e9" * 70,
]


@pytest.mark.parametrize("host", HOSTS, ids=param_id)
def test_gethostbyname(host):
    _same_raw("gethostbyname", host)


def test_gethostbyname_arity_and_keywords():
    _same_raw("gethostbyname")
    _same_raw("gethostbyname", "a", "b")
    _same_raw("gethostbyname", host="localhost")


def test_gethostbyname_through_the_package():
    assert fastsock.gethostbyname("localhost") == \
        stdsocket.gethostbyname("localhost")
    assert fastsock.gethostbyname(HOSTNAME) == \
        stdsocket.gethostbyname(HOSTNAME)


EX_HOSTS = ["127.0.0.1", "localhost", HOSTNAME, "127.1", b"127.0.0.1",
            bytearray(b"localhost"), 1, None, "a\0b", "a..b", "::1"]


@pytest.mark.parametrize("host", EX_HOSTS, ids=param_id)
def test_gethostbyname_ex(host):
    _same_raw("gethostbyname_ex", host)


ADDR_HOSTS = ["127.0.0.1", "localhost", "", 1, "a\0b", b"127.0.0.1",
              "a..b", None]


@pytest.mark.parametrize("host", ADDR_HOSTS, ids=param_id)
def test_gethostbyaddr(host):
    _same_raw("gethostbyaddr", host)


def test_gethostbyaddr_localhost_shape():
    name, aliases, addrs = fastsock.gethostbyaddr("127.0.0.1")
    assert type(name) is str and type(aliases) is list
    assert addrs == ["127.0.0.1"]


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "  localhost  "])
def test_getfqdn(name):
    assert fastsock.getfqdn(name) == stdsocket.getfqdn(name)


# ---------------------------------------------------------------------
# getaddrinfo
# ---------------------------------------------------------------------

GAI_CALLS = [
    (("127.0.0.1", 80), {}),
    (("127.0.0.1", None), {}),
    (("::1", 80), {}),
    (("localhost", 80), {}),
    (("localhost", "http", stdsocket.AF_INET, stdsocket.SOCK_STREAM), {}),
    ((HOSTNAME, None, stdsocket.AF_INET), {}),
    ((None, 80), {}),
    ((None, 80, 0, stdsocket.SOCK_STREAM, 0, stdsocket.AI_PASSIVE), {}),
    ((None, None), {}),
    (("", 80), {}),
    ((b"127.0.0.1", 80), {}),
    ((bytearray(b"127.0.0.1"), 80), {}),
    (("127.0.0.1\0junk", 80), {}),
    ((b"127.0.0.1\0junk", 80), {}),
    (("127.1", 80), {}),
    (("010.1", 80, 0, 0, 0, NUMERIC), {}),
    (("fe80::1%1", 80), {}),
    (("::ffff:1.2.3.4", 80), {}),
    (("a..b", 80), {}),
    ((".", 80), {}),
    (("\udcff", 80), {}),
    ((1, 80), {}),
    (("1.2.3.4", 80, 1.0), {}),
    (("1.2.3.4", 80, "2"), {}),
    (("1.2.3.4", 80), {"family": 2, "flags": 2**31}),
    (("1.2.3.4", 80), {"family": 2, "type": 1}),
    (("1.2.3.4",), {}),
    ((), {"host": "1.2.3.4"}),
    ((), {"host": "1.2.3.4", "port": 80, "proto": 6}),
    (("1.2.3.4", 80, 0, 0, 0, 0, 0), {}),
    (("1.2.3.4", 80), {"bogus": 1}),
    (("1.2.3.4", 80, 2), {"family": 1}),
    (("1.2.3.4", 80, 99), {}),
    (("1.2.3.4", 80, 0, 1 | getattr(stdsocket, "SOCK_CLOEXEC", 0)), {}),
    (("1.2.3.4", 80, 2**31), {}),
    (("1.2.3.4", 80, 0, 0, 0, -1), {}),
    (("1.2.3.4", 80, stdsocket.AF_INET6), {}),
    (("1.2.3.4", 80, stdsocket.AF_INET6, 0, 0, stdsocket.AI_V4MAPPED), {}),
    (("::1", 80, stdsocket.AF_INET), {}),
    (("127.0.0.1", 80, 0, 1, 0, stdsocket.AI_CANONNAME), {}),
    (("1.2.3.4", "http", 0, 1, 0, stdsocket.AI_NUMERICSERV), {}),
    (("not a number", 80, 0, 0, 0, NUMERIC), {}),
]

PORTS = [0, 80, 65535, 65536, 70000, -1, -65535, 2**40, 2**63, "x", "",
         " 80", "+80", "-1", "0080", "99999999999999999999", "80\0x", b"80",
         True, 1.0, bytearray(b"1"), "\udcff", "http", "65535", "65536",
         "000000", None]


@pytest.mark.parametrize("args,kwargs", GAI_CALLS, ids=param_id)
def test_getaddrinfo_table(args, kwargs):
    _same_raw("getaddrinfo", *args, **kwargs)


@pytest.mark.parametrize("port", PORTS, ids=param_id)
def test_getaddrinfo_ports(port):
    for host in ("127.0.0.1", "::1"):
        for stype in (0, stdsocket.SOCK_STREAM):
            _same_raw("getaddrinfo", host, port, 0, stype)


# Every hint combination for numeric hosts, through the fast path or not:
# the answer must be libc's own.
_HINTS = [(f, t, p, fl)
          for f in (0, stdsocket.AF_INET, stdsocket.AF_INET6)
          for t in (0, 1, 2, 3, 5, 6)
          for p in (0, 6, 17, 132, 136, 255)
          for fl in (0, stdsocket.AI_NUMERICHOST, stdsocket.AI_PASSIVE,
                     stdsocket.AI_NUMERICSERV, stdsocket.AI_CANONNAME,
                     stdsocket.AI_V4MAPPED | stdsocket.AI_ALL)]


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "::ffff:10.0.0.1",
                                  "0.0.0.0", "::", "fe80::1",
                                  "255.255.255.255"])
def test_getaddrinfo_numeric_hint_matrix(host):
    for port in (None, 80, "80"):
        for hints in _HINTS:
            _same_raw("getaddrinfo", host, port, *hints)


def _v6_text(draw_bytes, style):
    text = stdsocket.inet_ntop(stdsocket.AF_INET6, draw_bytes)
    if style == 1:
        text = text.upper()
    elif style == 2:        # every group written out, with leading zeros
        groups = [draw_bytes[i:i + 2].hex() for i in range(0, 16, 2)]
        text = ":".join(groups)
    return text


@st.composite
def numeric_hosts(draw):
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return ".".join(str(b) for b in draw(st.binary(min_size=4,
                                                       max_size=4)))
    if kind == 1:
        return _v6_text(draw(st.binary(min_size=16, max_size=16)),
                        draw(st.integers(0, 2)))
    return "::ffff:" + ".".join(str(b) for b in draw(st.binary(
        min_size=4, max_size=4)))


@settings(max_examples=400, deadline=None)
@given(host=numeric_hosts(),
       port=st.one_of(st.none(), st.integers(-3, 70000),
                      st.integers(0, 99999).map(str),
                      st.text("0123456789", max_size=7)),
       family=st.sampled_from([0, stdsocket.AF_INET, stdsocket.AF_INET6]),
       stype=st.sampled_from([0, 1, 2, 3]),
       proto=st.sampled_from([0, 6, 17]),
       flags=st.sampled_from([0, stdsocket.AI_NUMERICHOST,
                              stdsocket.AI_PASSIVE, stdsocket.AI_NUMERICSERV,
                              stdsocket.AI_CANONNAME]),
       as_bytes=st.booleans())
def test_getaddrinfo_numeric_hypothesis(host, port, family, stype, proto,
                                        flags, as_bytes):
    if as_bytes:
        host = host.encode()
    _same_raw("getaddrinfo", host, port, family, stype, proto, flags)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789abcdefABCDEF.:%x \0lo\u00e9",
               max_size=50))
def test_getaddrinfo_any_text_numerichost(text):
    """Arbitrary text with AI_NUMERICHOST: never a query, always libc's
    verdict (or the idna codec's)."""
    _same_raw("getaddrinfo", text, 80, 0, stdsocket.SOCK_STREAM, 0, NUMERIC)


def test_getaddrinfo_package_enums():
    for args in [("127.0.0.1", 80), ("::1", None), ("localhost", 80),
                 ("127.0.0.1", 80, 0, 0, 0, 0)]:
        std = stdsocket.getaddrinfo(*args)
        fast = fastsock.getaddrinfo(*args)
        assert fast == std
        assert [type(x[0]).__name__ for x in fast] == ["AddressFamily"] * \
            len(fast)
        assert [type(x[1]).__name__ for x in fast] == ["SocketKind"] * \
            len(fast)
        assert [repr(x[:2]) for x in fast] == [repr(x[:2]) for x in std]


@pytest.mark.parametrize("args,kwargs", GAI_CALLS, ids=param_id)
def test_getaddrinfo_through_the_package(args, kwargs):
    """socket.getaddrinfo (enum members, Python signature) vs fastsock's."""
    res = assert_same(lambda m: m.getaddrinfo(*args, **kwargs))
    if res[0] == "ok":
        fast = fastsock.getaddrinfo(*args, **kwargs)
        assert [repr(x[:2]) for x in fast] == \
            [repr(x[:2]) for x in res[1]]


def test_private_getaddrinfo_with_enum_maps():
    af = fastsock.AddressFamily._value2member_map_
    kind = fastsock.SocketKind._value2member_map_
    got = _fastsock._getaddrinfo("127.0.0.1", 80, 0, 0, 0, 0, af, kind)
    want = stdsocket.getaddrinfo("127.0.0.1", 80)
    assert got == want
    assert [x[0] for x in got] == [fastsock.AF_INET] * 3
    assert got[0][1] is fastsock.SocketKind.SOCK_STREAM
    # A value with no member stays an int, like _intenum_converter.
    got = _fastsock._getaddrinfo("127.0.0.1", 80, 0, 0, 0, 0, {}, {})
    assert got == _socket.getaddrinfo("127.0.0.1", 80)
    with pytest.raises(TypeError):
        _fastsock._getaddrinfo("127.0.0.1", 80, 0, 0, 0, 0)
    with pytest.raises(TypeError):
        _fastsock._getaddrinfo("127.0.0.1", 80, 0, 0, 0, 0, [], {})


def test_gaierror_is_the_stdlib_class():
    with pytest.raises(stdsocket.gaierror) as info:
        _fastsock.getaddrinfo("x", 80, 0, 0, 0, NUMERIC)
    assert info.value.errno == stdsocket.EAI_NONAME
    assert info.value.args[0] == stdsocket.EAI_NONAME


# ---------------------------------------------------------------------
# getnameinfo
# ---------------------------------------------------------------------

NI = stdsocket.NI_NUMERICHOST | stdsocket.NI_NUMERICSERV
NAMEINFO = [
    (("127.0.0.1", 80), NI), (("127.0.0.1", 80), 0),
    (("127.0.0.1", 80), stdsocket.NI_NAMEREQD), (("::1", 80, 0, 0), NI),
    (("::1", 80, 2**20, 0), NI), (("::1", 80, -1), NI), (("::1", 80, 0, 7), NI),
    (("127.0.0.1", 80, 0), NI), ("x", 0), (("127.0.0.1",), 0),
    ((b"127.0.0.1", 80), 0), (("127.0.0.1", "80"), 0),
    (("127.0.0.1", 2**40), 0), (("127.0.0.1", 70000), NI),
    (("127.0.0.1", -1), NI), (("a\0", 80), 0), (("localhost", 80), 0),
    (("", 80), 0), (("127.0.0.1", 80), "x"), (("127.0.0.1", 80),),
    (("127.0.0.1", 80), 0, 0), (("127.0.0.1", 80, 1, 2, 3), 0),
    (("fe80::1%1", 80), NI), (("127.0.0.1", 53), stdsocket.NI_DGRAM),
    (("127.0.0.1", 80), -1 & ~stdsocket.NI_NAMEREQD),
]


@pytest.mark.parametrize("args", NAMEINFO, ids=param_id)
def test_getnameinfo(args):
    _same_raw("getnameinfo", *args)


# ---------------------------------------------------------------------
# Services, protocols, interfaces
# ---------------------------------------------------------------------

SERVBYNAME = [("http",), ("http", "tcp"), ("http", "udp"), ("domain",),
              ("nosuch",), ("http", "nosuch"), (b"http",), ("a\0",), (),
              ("http", None), ("http", "tcp", 1), ("ssh", "tcp")]
SERVBYPORT = [(80,), (80, "tcp"), (80, "udp"), (65535,), (65536,), (-1,),
              ("80",), (80, None), (2**40,), (1.0,), (22, "a\0"), (True,),
              (53, "udp"), ()]
PROTOS = [("tcp",), ("udp",), ("icmp",), ("nosuch",), (b"tcp",), ("a\0",),
          (), ("TCP",)]


@pytest.mark.parametrize("args", SERVBYNAME, ids=param_id)
def test_getservbyname(args):
    _same_raw("getservbyname", *args)


@pytest.mark.parametrize("args", SERVBYPORT, ids=param_id)
def test_getservbyport(args):
    _same_raw("getservbyport", *args)


@pytest.mark.parametrize("args", PROTOS, ids=param_id)
def test_getprotobyname(args):
    _same_raw("getprotobyname", *args)


def test_if_nameindex():
    got = _same_raw("if_nameindex")[1]
    assert (1, "lo") in got or any(name == "lo" for _, name in got)
    _same_raw("if_nameindex", 1)


@pytest.mark.parametrize("arg", ["lo", b"lo", "nosuch", 1, "a\0", "",
                                 "x" * 40, None], ids=param_id)
def test_if_nametoindex(arg):
    _same_raw("if_nametoindex", arg)


@pytest.mark.parametrize("arg", [1, 0, -1, 2**32, 2**32 + 1, 2**64, "x",
                                 1.0, 999, True, None], ids=param_id)
def test_if_indextoname(arg):
    _same_raw("if_indextoname", arg)


def test_if_round_trip():
    for index, name in fastsock.if_nameindex():
        assert fastsock.if_nametoindex(name) == index
        assert fastsock.if_indextoname(index) == name


# ---------------------------------------------------------------------
# Audit events, threads
# ---------------------------------------------------------------------

_events = []
_recording = []


def _hook(event, args):
    if _recording and event.startswith("socket."):
        _events.append((event, args))


def test_audit_events():
    sys.addaudithook(_hook)   # hooks cannot be removed; it idles when off

    def record(mod):
        del _events[:]
        _recording.append(1)
        try:
            mod.gethostname()
            mod.gethostbyname("localhost")
            mod.gethostbyname_ex("localhost")
            mod.gethostbyaddr("127.0.0.1")
            mod.getaddrinfo("127.0.0.1", 80, 0, 1)
            mod.getnameinfo(("127.0.0.1", 80), NI)
            mod.getservbyname("http", "tcp")
            mod.getservbyport(80)
            try:
                mod.sethostname(1)
            except TypeError:
                pass
        finally:
            _recording.pop()
        return list(_events)

    std = record(_socket)
    fast = record(_fastsock)
    assert fast == std
    assert [e for e, _ in fast][:3] == ["socket.gethostname",
                                        "socket.gethostbyname",
                                        "socket.gethostbyname"]


def test_lookups_from_many_threads():
    """The reentrant libc calls give the right answers under concurrency
    (bounded: 6 threads x 60 rounds)."""
    want = (stdsocket.gethostbyname_ex("localhost"),
            stdsocket.getservbyname("http", "tcp"),
            stdsocket.getservbyport(22, "tcp"),
            stdsocket.getprotobyname("udp"),
            stdsocket.gethostbyaddr("127.0.0.1"),
            _socket.getaddrinfo("localhost", 80, 0, 1),
            _socket.getaddrinfo("127.0.0.1", 80))
    errors = []

    def work():
        for _ in range(60):
            got = (fastsock.gethostbyname_ex("localhost"),
                   fastsock.getservbyname("http", "tcp"),
                   fastsock.getservbyport(22, "tcp"),
                   fastsock.getprotobyname("udp"),
                   fastsock.gethostbyaddr("127.0.0.1"),
                   _fastsock.getaddrinfo("localhost", 80, 0, 1),
                   _fastsock.getaddrinfo("127.0.0.1", 80))
            if got != want:
                errors.append(got)
                return

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
