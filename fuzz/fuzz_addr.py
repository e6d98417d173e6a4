"""Fuzz target: address parsing for every family, through bind(), connect(),
connect_ex() and sendto() on fastsock sockets, differential against the
stdlib: tuples of any shape and type, hosts with NULs, huge ports and flow
labels, non-ASCII host names, long and abstract AF_UNIX paths, path-like
objects.  In an isolated network namespace (the target re-executes itself
under `unshare -n` when it can) it also fuzzes getaddrinfo()/getnameinfo()
and lets connect()/sendto() aim anywhere; outside one, it only ever sends to
its own loopback sinks and never looks up a name that could reach DNS.

    python3 fuzz/fuzz_addr.py -max_total_time=60      # see fuzz/README.md
"""
import atexit
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

fs = fuzzlib.instrument()
std = fuzzlib.std

FAMILIES = [std.AF_INET, std.AF_INET6, std.AF_UNIX]
TYPES = [std.SOCK_STREAM, std.SOCK_DGRAM]
ISOLATED = None          # decided at the first input (after any re-exec)
LOOPBACK_HOSTS = ["127.0.0.1", "::1", "localhost", ""]


class PathLike:
    """An os.PathLike whose __fspath__ returns whatever it was given."""

    def __init__(self, value):
        self.value = value

    def __fspath__(self):
        return self.value

    def __repr__(self):
        return "PathLike(%r)" % (self.value,)


class Sinks:
    """Per-module peers that a fuzzed connect()/sendto() may reach: a TCP
    listener and a UDP socket on 127.0.0.1 and ::1, and AF_UNIX stream and
    datagram sockets named "sink" and "dsink" in the module's own directory
    (the current directory while that module's operation runs)."""

    def __init__(self, mod, directory):
        self.dir = directory
        self.socks = []
        self.tcp = {}
        self.udp = {}
        for fam, host in ((std.AF_INET, "127.0.0.1"), (std.AF_INET6, "::1")):
            try:
                lst = mod.socket(fam, mod.SOCK_STREAM)
                lst.bind((host, 0))
                lst.listen(64)
                lst.setblocking(False)
                udp = mod.socket(fam, mod.SOCK_DGRAM)
                udp.bind((host, 0))
                udp.setblocking(False)
            except OSError:
                continue
            self.socks += [lst, udp]
            self.tcp[fam] = lst
            self.udp[fam] = udp
        cwd = os.getcwd()
        os.chdir(directory)
        try:
            ust = mod.socket(mod.AF_UNIX, mod.SOCK_STREAM)
            ust.bind("sink")
            ust.listen(64)
            ust.setblocking(False)
            udg = mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM)
            udg.bind("dsink")
            udg.setblocking(False)
        finally:
            os.chdir(cwd)
        self.socks += [ust, udg]
        self.unix = [ust]
        self.unix_dgram = udg

    def drain(self):
        """Accept and drop what the operation connected or sent."""
        for lst in list(self.tcp.values()) + self.unix:
            for _ in range(100):
                try:
                    conn, _ = lst.accept()
                except OSError:
                    break
                conn.close()
        for udp in list(self.udp.values()) + [self.unix_dgram]:
            for _ in range(100):
                try:
                    udp.recv(65536)
                except OSError:
                    break

    def port(self, fam, stype):
        table = self.tcp if stype == std.SOCK_STREAM else self.udp
        sock = table.get(fam) or table.get(std.AF_INET)
        return sock.getsockname()[1] if sock else 9


STATE = {}


def _setup():
    global ISOLATED
    ISOLATED = fuzzlib.isolated_network()
    base = tempfile.mkdtemp(prefix="fuzz-addr-")
    for name, mod in (("std", std), ("fs", fs)):
        d = os.path.join(base, name)
        os.mkdir(d)
        STATE[name] = Sinks(mod, d)
    STATE["base"] = base
    atexit.register(shutil.rmtree, base, True)


def _host(d, fam):
    kind = d.below(8)
    if kind == 0:
        return d.choice(LOOPBACK_HOSTS)
    if kind == 1:
        return "%d.%d.%d.%d" % tuple(d.below(260) for _ in range(4))
    if kind == 2:
        return std.inet_ntop(std.AF_INET6, d.raw(16).ljust(16, b"\0"))
    if kind == 3:
        text = d.text()
        return text.encode("utf-8", "surrogatepass") if d.bool() else text
    if kind == 4:
        return d.value()
    if kind == 5:
        base = d.choice(LOOPBACK_HOSTS)
        cut = d.below(len(base) + 1)
        return base[:cut] + "\0" + base[cut:]
    if kind == 6:
        return d.choice(["<broadcast>", "0.0.0.0", "::", "255.255.255.255",
                         "1.2.3", "0x7f.1", "fe80::1%lo", "fe80::1%1",
                         "::ffff:127.0.0.1", "127.1", "xn--nxasmq6b",
                         "例え.テスト", "a" * 64 + ".invalid", "." * 300])
    return bytearray(d.choice(LOOPBACK_HOSTS).encode())


def _port(d):
    kind = d.below(6)
    if kind < 3:
        return d.below(65536)
    if kind == 3:
        return d.int()
    if kind == 4:
        return d.value()
    return d.choice([0, 65535, 65536, -1, 2**31, 2**63, True, 1.0, "80"])


def _unix_path(d):
    kind = d.below(8)
    if kind == 0:
        return d.choice(["sink", "dsink", "nosuch", ""])
    if kind == 1:
        n = d.choice([1, 50, 106, 107, 108, 109, 110, 200, 5000]) + d.below(3)
        return "p" * n
    if kind == 2:
        n = d.choice([0, 1, 50, 106, 107, 108, 109, 200])
        return b"\0" + b"a" * n
    if kind == 3:
        return "\0" + d.text(20)
    if kind == 4:
        return PathLike(d.choice(["sink", b"sink", "x\0y", 42, None, "q" * 120]))
    if kind == 5:
        return d.text(20)
    if kind == 6:
        return bytearray(d.raw(20))
    return d.value()


def _inet_addr(d, fam):
    shape = d.below(10)
    host, port = _host(d, fam), _port(d)
    if shape < 5:
        addr = (host, port)
    elif shape == 5:
        addr = (host,)
    elif shape == 6:
        addr = (host, port, d.int())
    elif shape == 7:
        addr = (host, port, d.int(), d.int())
    elif shape == 8:
        addr = [host, port]
    else:
        addr = (host, port, d.choice([0, 1, 0xfffff, 0x100000, -1]),
                d.choice([0, 1, 2**32 - 1, 2**32, -1]), d.value())
    if d.below(10) == 0:
        addr = d.value()
    return addr


def _address(d, fam):
    if d.below(12) == 0:
        fam = d.choice(FAMILIES)       # an address of another family
    if fam == std.AF_UNIX:
        return _unix_path(d)
    return _inet_addr(d, fam)


def _safe_path(path):
    """Keep AF_UNIX paths inside the per-module directory."""
    if isinstance(path, str) and not path.startswith("\0"):
        return path.replace("/", "_")
    if isinstance(path, (bytes, bytearray)) and not path.startswith(b"\0"):
        return type(path)(bytes(path).replace(b"/", b"_"))
    if isinstance(path, memoryview):
        return memoryview(_safe_path(path.tobytes()))
    if isinstance(path, PathLike):
        return PathLike(_safe_path(path.value))
    if isinstance(path, (tuple, list)):
        return type(path)(_safe_path(p) for p in path)
    return path


def _path_bytes(path):
    """The bytes the kernel would get for an AF_UNIX address, or None."""
    if isinstance(path, PathLike):
        path = path.value
    if isinstance(path, str):
        try:
            return os.fsencode(path)
        except UnicodeError:
            return None
    try:
        return bytes(memoryview(path))
    except TypeError:
        return None


def _assert_contained(path):
    """The harness must never bind or connect outside its directories."""
    raw = _path_bytes(path)
    if raw and not raw.startswith(b"\0") and b"/" in raw.split(b"\0")[0]:
        raise RuntimeError("fuzz harness bug: unsafe AF_UNIX path %r" % (path,))


def _no_lookup(host):
    """True when resolving `host` cannot query a name server: numeric
    addresses, the special names, and values rejected before any lookup."""
    if isinstance(host, (bytes, bytearray)):
        try:
            host = bytes(host).decode("ascii")
        except UnicodeDecodeError:
            return True
    if not isinstance(host, str):
        return True
    if "\0" in host or host in ("", "<broadcast>", "localhost"):
        return True
    for fam in (std.AF_INET, std.AF_INET6):
        try:
            std.inet_pton(fam, host)
            return True
        except (OSError, ValueError, UnicodeError):
            pass
    try:
        return host.isascii() and bool(std.inet_aton(host))
    except (OSError, ValueError, UnicodeError):
        return False


def _loopback_only(host):
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("latin-1")
    if not isinstance(host, str):
        return True
    return "\0" in host or host in ("127.0.0.1", "::1", "localhost", "")


def _restrict(addr, fam, stype, op):
    """Outside an isolated namespace: make `op` safe for this machine's
    network.  Returns (op, addr) with op possibly downgraded to bind."""
    if fam == std.AF_UNIX or not isinstance(addr, (tuple, list)) or not addr:
        if fam == std.AF_UNIX and op != "bind":
            text = addr
            if isinstance(text, PathLike):
                text = text.value
            if isinstance(text, (str, bytes, bytearray)) and \
                    text[:1] in ("\0", b"\0"):
                return "bind", addr      # abstract names may be others'
        return op, addr
    host = addr[0]
    if not _no_lookup(host):
        return None, addr                # would query DNS: skip entirely
    if op != "bind":
        if not _loopback_only(host):
            return "bind", addr
        port = addr[1] if len(addr) > 1 else None
        if isinstance(port, int) and 0 <= port <= 65535:
            addr = type(addr)([host, STATE["sink_port"]] + list(addr[2:]))
    return op, addr


def _normalize(res, port_was_zero):
    """Ephemeral ports differ between the two runs; hide them."""
    if res[0] == "ok" and isinstance(res[1], tuple) and port_was_zero:
        res = ("ok", res[1][:1] + (0,) + res[1][2:])
    # Binding AF_UNIX to "" autobinds to a random abstract name.
    if res[0] == "ok" and isinstance(res[1], bytes) and len(res[1]) == 6 \
            and res[1][:1] == b"\0":
        res = ("ok", "autobind")
    return res


def _run(mod, sinks, fam, stype, op, addr, payload, flags):
    cwd = os.getcwd()
    os.chdir(sinks.dir)
    sock = None
    try:
        try:
            sock = mod.socket(fam, stype)
        except OSError as exc:
            return ("socket", type(exc).__name__, exc.errno)
        sock.settimeout(0.3)
        if op == "bind":
            res = fuzzlib.outcome(sock.bind, addr)
        elif op == "connect":
            res = fuzzlib.outcome(sock.connect, addr)
        elif op == "connect_ex":
            res = fuzzlib.outcome(sock.connect_ex, addr)
        elif op == "sendto":
            res = fuzzlib.outcome(sock.sendto, payload, addr)
        else:
            res = fuzzlib.outcome(sock.sendto, payload, flags, addr)
        name = fuzzlib.outcome(sock.getsockname)
        return res, name
    finally:
        if sock is not None:
            sock.close()
        os.chdir(cwd)
        sinks.drain()
        for entry in os.listdir(sinks.dir):
            if entry not in ("sink", "dsink"):
                path = os.path.join(sinks.dir, entry)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)


def _lookup(d):
    """getaddrinfo/getnameinfo with fuzzed arguments (isolated only)."""
    host = _host(d, std.AF_INET)
    if d.bool():
        port = d.choice([None, 0, 80, "80", "http", "nosuchservice", b"80",
                         -1, 65536, 2**64, "", "\0"])
        fam = d.choice([0, std.AF_INET, std.AF_INET6, std.AF_UNIX, -1, 2**40])
        typ = d.choice([0, std.SOCK_STREAM, std.SOCK_DGRAM, 999])
        proto = d.choice([0, 6, 17, -1])
        flags = d.choice([0, std.AI_PASSIVE, std.AI_CANONNAME,
                          std.AI_NUMERICHOST, std.AI_NUMERICSERV, -1, 0xffff])
        args = (host, port, fam, typ, proto, flags)
        fuzzlib.same("getaddrinfo%r" % (args,),
                     fuzzlib.outcome(std.getaddrinfo, *args),
                     fuzzlib.outcome(fs.getaddrinfo, *args))
    else:
        sa = _inet_addr(d, d.choice([std.AF_INET, std.AF_INET6]))
        flags = d.choice([0, std.NI_NUMERICHOST | std.NI_NUMERICSERV,
                          std.NI_NAMEREQD, std.NI_DGRAM, -1])
        fuzzlib.same("getnameinfo(%r, %r)" % (sa, flags),
                     fuzzlib.outcome(std.getnameinfo, sa, flags),
                     fuzzlib.outcome(fs.getnameinfo, sa, flags))


def TestOneInput(data):
    if not STATE:
        _setup()
    d = fuzzlib.Data(data)
    if ISOLATED and d.below(8) == 0:
        _lookup(d)
        return
    fam = d.choice(FAMILIES)
    stype = d.choice(TYPES)
    op = d.choice(["bind", "bind", "connect", "connect_ex", "sendto",
                   "sendto_flags"])
    addr = _address(d, fam)
    payload = d.choice([b"x", b"", bytearray(b"yz"), memoryview(b"m"), "str",
                        None, b"p" * 70000])
    flags = d.choice([0, std.MSG_DONTWAIT, -1, 2**31, None, "0"])
    if fam == std.AF_UNIX or not isinstance(addr, (tuple, list)):
        addr = _safe_path(addr)
        _assert_contained(addr)
    results = {}
    for name, mod in (("std", std), ("fs", fs)):
        sinks = STATE[name]
        STATE["sink_port"] = sinks.port(fam, stype)
        this_op, this_addr = op, addr
        if not ISOLATED:
            this_op, this_addr = _restrict(addr, fam, stype, op)
            if this_op is None:
                return
        results[name] = _run(mod, sinks, fam, stype, this_op, this_addr,
                             payload, flags)
    port0 = (isinstance(addr, (tuple, list)) and len(addr) > 1
             and addr[1] in (0, False)) or op != "bind"
    std_res, fs_res = results["std"], results["fs"]
    if op == "sendto":
        what = "sendto(%r, %r)" % (payload, addr)
    elif op == "sendto_flags":
        what = "sendto(%r, %r, %r)" % (payload, flags, addr)
    else:
        what = "%s(%r)" % (op, addr)
    what += " on socket(%d, %d)" % (fam, stype)
    fuzzlib.same(what, std_res[0], fs_res[0])
    if isinstance(std_res, tuple) and len(std_res) == 2:
        fuzzlib.same("getsockname() after " + what,
                     _normalize(std_res[1], port0), _normalize(fs_res[1], port0))


if __name__ == "__main__":
    fuzzlib.main(TestOneInput, isolate=True)
