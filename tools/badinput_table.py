#!/usr/bin/env python3
"""The bad-input table of docs/hardening.md, computed: one representative
call per class of wrong input, run on the stdlib and on fastsock.

    python3 tools/badinput_table.py            # prints the Markdown table
    python3 tools/badinput_table.py --check    # exit 1 if any row differs

tests/test_fuzz_short.py runs the check, so the table in the docs stays true.
"""
import os
import socket as stdsocket
import sys


def _closed(m):
    s = m.socket()
    s.close()
    return s


_KEEP = []


def _pair_end(m, timeout="unset"):
    """One end of a socket pair whose other end stays open (no EOF)."""
    a, b = m.socketpair()
    _KEEP.append(b)
    if timeout != "unset":
        a.settimeout(timeout)
    return a


# (class of wrong input, description of the call, call(module))
ROWS = [
    ("address of the wrong type", "`bind('127.0.0.1')` on AF_INET",
     lambda m: m.socket().bind("127.0.0.1")),
    ("tuple of the wrong length", "`bind(('127.0.0.1',))`",
     lambda m: m.socket().bind(("127.0.0.1",))),
    ("host of the wrong type", "`bind((42, 80))`",
     lambda m: m.socket().bind((42, 80))),
    ("host with a NUL", "`bind(('127.0.0.1\\0', 0))`",
     lambda m: m.socket().bind(("127.0.0.1\0", 0))),
    ("port out of range", "`bind(('127.0.0.1', 70000))`",
     lambda m: m.socket().bind(("127.0.0.1", 70000))),
    ("negative port", "`connect(('127.0.0.1', -1))`",
     lambda m: m.socket().connect(("127.0.0.1", -1))),
    ("port of the wrong type", "`bind(('127.0.0.1', '80'))`",
     lambda m: m.socket().bind(("127.0.0.1", "80"))),
    ("huge port", "`bind(('127.0.0.1', 2**64))`",
     lambda m: m.socket().bind(("127.0.0.1", 2**64))),
    ("IPv6 flowinfo out of range", "`bind(('::1', 0, 1 << 20, 0))`",
     lambda m: m.socket(m.AF_INET6).bind(("::1", 0, 1 << 20, 0))),
    ("IPv6 scope id beyond 32 bits (truncated, as by the stdlib)",
     "`bind(('::1', 0, 0, 2**64))`",
     lambda m: m.socket(m.AF_INET6).bind(("::1", 0, 0, 2**64))),
    ("IPv6 address on an IPv4 socket", "`bind(('::1', 0))` on AF_INET",
     lambda m: m.socket().bind(("::1", 0))),
    ("host name that is not valid IDNA", "`bind(('a' * 64 + 'é', 0))`",
     lambda m: m.socket().bind(("a" * 64 + "\u00e9", 0))),
    ("AF_UNIX path too long", "`bind('p' * 200)`",
     lambda m: m.socket(m.AF_UNIX).bind("p" * 200)),
    ("AF_UNIX path of the wrong type", "`bind(42)` on AF_UNIX",
     lambda m: m.socket(m.AF_UNIX).bind(42)),
    ("connection refused", "`connect(('127.0.0.1', 1))`",
     lambda m: m.socket().connect(("127.0.0.1", 1))),
    ("unknown service name", "`getaddrinfo('127.0.0.1', 'no-such-service')`",
     lambda m: m.getaddrinfo("127.0.0.1", "no-such-service")),
    ("malformed dotted quad", "`inet_aton('1.2.3.4.5')`",
     lambda m: m.inet_aton("1.2.3.4.5")),
    ("malformed IPv6 text", "`inet_pton(AF_INET6, '1::2::3')`",
     lambda m: m.inet_pton(m.AF_INET6, "1::2::3")),
    ("unknown family", "`inet_pton(12345, '1.2.3.4')`",
     lambda m: m.inet_pton(12345, "1.2.3.4")),
    ("packed address of the wrong length", "`inet_ntop(AF_INET, b'123')`",
     lambda m: m.inet_ntop(m.AF_INET, b"123")),
    ("packed address of the wrong length", "`inet_ntoa(b'12345')`",
     lambda m: m.inet_ntoa(b"12345")),
    ("16-bit value out of range", "`htons(70000)`",
     lambda m: m.htons(70000)),
    ("negative 32-bit value", "`htonl(-1)`",
     lambda m: m.htonl(-1)),
    ("negative buffer size", "`recv(-1)`",
     lambda m: _pair_end(m).recv(-1)),
    ("byte count beyond the buffer", "`recv_into(bytearray(10), 100)`",
     lambda m: _pair_end(m).recv_into(bytearray(10), 100)),
    ("data of the wrong type", "`send('text')`",
     lambda m: _pair_end(m).send("text")),
    ("negative timeout", "`settimeout(-1)`",
     lambda m: m.socket().settimeout(-1)),
    ("NaN timeout", "`settimeout(float('nan'))`",
     lambda m: m.socket().settimeout(float("nan"))),
    ("timeout of the wrong type", "`settimeout('1')`",
     lambda m: m.socket().settimeout("1")),
    ("option buffer length out of range", "`getsockopt(SOL_SOCKET, SO_TYPE, 2000)`",
     lambda m: m.socket().getsockopt(m.SOL_SOCKET, m.SO_TYPE, 2000)),
    ("unknown option", "`setsockopt(SOL_SOCKET, 9999, 1)`",
     lambda m: m.socket().setsockopt(m.SOL_SOCKET, 9999, 1)),
    ("option value of the wrong type", "`setsockopt(SOL_SOCKET, SO_LINGER, 'x')`",
     lambda m: m.socket().setsockopt(m.SOL_SOCKET, m.SO_LINGER, "x")),
    ("ancillary item of the wrong shape", "`sendmsg([b'x'], [(1, 2)])`",
     lambda m: _pair_end(m).sendmsg([b"x"], [(1, 2)])),
    ("bad descriptor in SCM_RIGHTS", "`sendmsg([b'x'], [(SOL_SOCKET, SCM_RIGHTS, b'\\xff\\xff\\xff\\x7f')])`",
     lambda m: _pair_end(m).sendmsg(
         [b"x"], [(m.SOL_SOCKET, m.SCM_RIGHTS, b"\xff\xff\xff\x7f")])),
    ("buffer of the wrong type", "`sendmsg(['str'])`",
     lambda m: _pair_end(m).sendmsg(["str"])),
    ("operation on a closed socket", "`recv(10)` after `close()`",
     lambda m: _closed(m).recv(10)),
    ("invalid file mode", "`makefile('rwxb')`",
     lambda m: m.socket().makefile("rwxb")),
    ("nothing to read, non-blocking", "`recv(10)` after `setblocking(False)`",
     lambda m: _pair_end(m, 0.0).recv(10)),
    ("nothing to read before the timeout", "`recv(10)` after `settimeout(0.01)`",
     lambda m: _pair_end(m, 0.01).recv(10)),
]


def outcome(fn, mod):
    try:
        fn(mod)
    except Exception as exc:  # noqa: BLE001 - the exception is the result
        name = type(exc).__name__
        if name in ("gaierror", "herror"):
            name = "socket." + name
        return name, getattr(exc, "errno", None)
    return "no error", None


def table(fast):
    rows = []
    for what, call, fn in ROWS:
        std = outcome(fn, stdsocket)
        got = outcome(fn, fast)
        rows.append((what, call, std, got))
    return rows


def _fmt(res):
    name, err = res
    if err is None:
        return "`%s`" % name
    import errno as errno_mod
    gai = {-2: "EAI_NONAME", -3: "EAI_AGAIN", -8: "EAI_SERVICE",
           -9: "EAI_ADDRFAMILY"}
    sym = errno_mod.errorcode.get(err) if err > 0 else gai.get(err)
    if sym:
        return "`%s` (%s)" % (name, sym)
    return "`%s` (%s)" % (name, err)


def main(argv):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "pysrc"))
    import fastsock
    rows = table(fastsock)
    if "--check" in argv:
        bad = [r for r in rows if r[2] != r[3]]
        for what, call, std, got in bad:
            print("DIFFERS: %s %s: stdlib %r, fastsock %r" % (what, call, std, got))
        print("%d rows, %d differ" % (len(rows), len(bad)))
        return 1 if bad else 0
    print("| wrong input | example | stdlib and fastsock raise |")
    print("|---|---|---|")
    for what, call, std, got in rows:
        cell = _fmt(std) if std == got else "stdlib %s, fastsock %s" % (
            _fmt(std), _fmt(got))
        print("| %s | %s | %s |" % (what, call, cell))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
