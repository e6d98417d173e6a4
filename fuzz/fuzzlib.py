"""Shared machinery of the fuzz targets in this directory.

Every target is differential: it turns the fuzz input into one operation
(an address, an option value, a message, a read pattern), runs it on the
stdlib ``socket`` module and on ``fastsock``, and fails when the two
disagree on the result, the exception type or the errno.  A crash of the
C code kills the process, which the fuzzer (or the sanitizer) reports.

A target file defines ``TestOneInput(data: bytes)`` and ends with
``fuzzlib.main(TestOneInput)``.  ``main`` runs the target under atheris
(libFuzzer, coverage-guided) when it is installed, and otherwise under a
plain random driver with the same command line subset (-runs=N,
-max_total_time=S, -seed=N, files to replay), so the targets also run where
atheris cannot be installed.  See fuzz/README.md.
"""
import hashlib
import os
import random
import socket as stdsocket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Integers that sit on the edges C code gets wrong: sign, 16/32/64 bits,
# and beyond any C type.
EDGE_INTS = [
    0, 1, -1, 2, 7, 8, 255, 256, 1023, 1024, 1025, 65535, 65536, 65537,
    2**15 - 1, 2**15, -2**15, 2**16 - 1, 2**16,
    2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32 - 1, 2**32, 2**32 + 1,
    2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64 - 1, 2**64, 10**30, -10**30,
]

# Strings: empty, NULs inside, lone surrogates, non-ASCII, long.
EDGE_STRS = [
    "", "\x00", "a\x00b", "127.0.0.1\x00", "\ud800", "\udcff", "é", "日本",
    "1.2.3", "1.2.3.4.5", "256.1.1.1", "0x7f.1", "::", "::1", "::ffff:1.2.3.4",
    "1::2::3", "fe80::1%lo", "fe80::1%1", "fe80::1%", "%", " 1.2.3.4",
    "1.2.3.4 ", "x" * 300, "1" * 100, "<broadcast>", "localhost", "0", "-1",
]


class Data:
    """Consumes a fuzz input as a stream of decisions.

    The same shape of API as atheris.FuzzedDataProvider, but it works with
    or without atheris and never raises once the input is used up: it then
    keeps answering zeros, so every input is a complete test case.
    """

    def __init__(self, data):
        self.buf = bytes(data)
        self.pos = 0

    def remaining(self):
        return len(self.buf) - self.pos

    def uint(self, nbytes):
        """An unsigned integer from the next nbytes bytes (zeros once empty)."""
        chunk = self.buf[self.pos:self.pos + nbytes]
        self.pos += nbytes
        return int.from_bytes(chunk.ljust(nbytes, b"\0"), "little")

    def below(self, n):
        """An integer in [0, n)."""
        if n <= 1:
            return 0
        nbytes = 1 if n <= 256 else (2 if n <= 65536 else 4)
        return self.uint(nbytes) % n

    def bool(self):
        return bool(self.uint(1) & 1)

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def raw(self, maxlen):
        """Up to maxlen bytes of the input itself."""
        n = self.below(maxlen + 1)
        chunk = self.buf[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def int(self):
        """An edge integer, or a small or arbitrary one."""
        kind = self.below(4)
        if kind == 0:
            return self.choice(EDGE_INTS)
        if kind == 1:
            return self.below(70000)
        if kind == 2:
            return self.uint(8) - 2**63
        return self.choice(EDGE_INTS) + self.below(5) - 2

    def text(self, maxlen=40):
        """An edge string, or one decoded from the input."""
        kind = self.below(3)
        if kind == 0:
            return self.choice(EDGE_STRS)
        if kind == 1:
            return self.raw(maxlen).decode("latin-1")
        return self.raw(maxlen * 2).decode("utf-8", "surrogateescape")

    def value(self, depth=0):
        """Any Python value: the 'wrong type' generator."""
        kind = self.below(14 if depth < 2 else 10)
        if kind == 0:
            return None
        if kind in (1, 2):
            return self.int()
        if kind == 3:
            return self.choice([0.0, -1.5, 1.5, 1e300, float("inf"),
                                float("nan"), 2.0**63])
        if kind in (4, 5):
            return self.text()
        if kind == 6:
            return self.raw(40)
        if kind == 7:
            return bytearray(self.raw(40))
        if kind == 8:
            return self.choice([True, False, object(), 1j, ...])
        if kind == 9:
            return memoryview(self.raw(16))
        if kind in (10, 11):
            return tuple(self.value(depth + 1) for _ in range(self.below(6)))
        if kind == 12:
            return [self.value(depth + 1) for _ in range(self.below(4))]
        return {self.text(): self.value(depth + 1)}


# ---------------------------------------------------------------------
# Outcomes and their comparison
# ---------------------------------------------------------------------

class Mismatch(AssertionError):
    """The stdlib and fastsock disagreed: a finding of the fuzzer.

    `kind` names the disagreement without its values (the operation and
    the two outcomes' shapes), so a long run can report each kind once.
    """

    kind = None


def _shape(res):
    if isinstance(res, tuple) and res[:1] == ("ok",) and len(res) == 2:
        return ("ok", type(res[1]).__name__)
    if isinstance(res, (tuple, list)):
        return tuple(_shape(r) if isinstance(r, tuple) else r for r in res)
    return type(res).__name__


def outcome(fn, *args, **kwargs):
    """('ok', value) or ('raise', exception class name, errno) of a call.

    Exception classes are compared by name, because fastsock's gaierror and
    herror are its own classes (both subclasses of OSError) and not the
    stdlib's objects.  Messages are not compared: the type and errno are
    the contract.
    """
    try:
        return ("ok", fn(*args, **kwargs))
    except RecursionError:
        raise
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001
        if isinstance(exc, KeyboardInterrupt):
            raise
        return ("raise", type(exc).__name__, getattr(exc, "errno", None))


def short(value, limit=400):
    """repr(value), cut in the middle when long."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return "%s ...(%d chars)... %s" % (text[:limit // 2], len(text) - limit,
                                      text[-limit // 2:])


def same(what, std, fast, normalize=None):
    """Raise Mismatch unless the two outcomes agree."""
    if normalize is not None:
        std, fast = normalize(std), normalize(fast)
    if std != fast:
        where = ""
        if isinstance(std, list) and isinstance(fast, list):
            for i, (a, b) in enumerate(zip(std, fast)):
                if a != b:
                    where = " (first difference at step %d)" % i
                    std, fast = a, b
                    break
        exc = Mismatch("%s%s\n  stdlib:   %s\n  fastsock: %s" % (
            short(what, 800), where, short(std), short(fast)))
        exc.kind = (what.split("(")[0], _shape(std), _shape(fast))
        raise exc


def fastsock_module():
    """The fastsock package (from pysrc when it is not installed)."""
    try:
        import fastsock
    except ImportError:
        sys.path.insert(0, os.path.join(ROOT, "pysrc"))
        import fastsock
    return fastsock


def isolated_network():
    """True inside a network namespace whose only interface is loopback.

    There, a fuzzed address can name any host: connect() and sendto() fail
    with ENETUNREACH and name lookups cannot leave the machine.  Outside
    such a namespace the targets only ever send to loopback and never look
    up a name that could reach a DNS server.
    """
    try:
        names = os.listdir("/sys/class/net")
    except OSError:
        return False
    return names == ["lo"]


def reexec_isolated():
    """Re-run this process inside a fresh network namespace, when possible.

    Needs unshare(1) and the right to create namespaces (root, or user
    namespaces).  Returns only if that is impossible; FUZZ_NO_UNSHARE=1
    skips it.
    """
    if isolated_network() or os.environ.get("FUZZ_NO_UNSHARE"):
        return
    import shutil
    unshare = shutil.which("unshare")
    ip = shutil.which("ip")
    if not unshare or not ip:
        return
    probe = os.spawnv(os.P_WAIT, unshare, ["unshare", "-n", "true"])
    if probe != 0:
        return
    os.environ["FUZZ_NO_UNSHARE"] = "1"   # never loop
    script = '%s link set lo up && exec "$@"' % ip
    argv = [unshare, "-n", "sh", "-c", script, "sh", sys.executable] + sys.argv
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(unshare, argv)


# ---------------------------------------------------------------------
# Drivers
# ---------------------------------------------------------------------

def _save_crash(data, name, exc, quiet=False):
    outdir = os.environ.get("FUZZ_ARTIFACTS", os.path.join(HERE, "crashes"))
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "%s-%s" % (
        name, hashlib.sha1(data).hexdigest()[:16]))
    with open(path, "wb") as f:
        f.write(data)
    if not quiet:
        sys.stderr.write("fuzz: %s on input %r\nfuzz: input saved to %s\n"
                         % (type(exc).__name__, data[:200], path))
    return path


def _parse_args(argv):
    opts = {"runs": None, "max_total_time": None, "seed": None,
            "max_len": 512, "keep_going": 0}
    files = []
    for arg in argv:
        if arg.startswith("-") and "=" in arg:
            key, val = arg.lstrip("-").split("=", 1)
            if key in opts:
                opts[key] = int(val)
        elif not arg.startswith("-"):
            files.append(arg)
    return opts, files


def _inputs(files):
    """The files to replay: each file, or each file of a directory."""
    for path in files:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if os.path.isfile(full):
                    yield full
        else:
            yield path


def random_driver(target, argv, name):
    """Random inputs (or replay of files): libFuzzer's options, subset.

    With -keep_going=1 a mismatch is recorded and the run goes on; the
    distinct kinds (the pair of outcomes) are listed at the end, and the
    exit status is 1 when there was any.
    """
    opts, files = _parse_args(argv)
    if files:
        count = 0
        for path in _inputs(files):
            with open(path, "rb") as f:
                data = f.read()
            run_one(target, data, name)
            count += 1
        print("fuzz[%s]: replayed %d input(s), no finding" % (name, count))
        return 0
    seed = opts["seed"] if opts["seed"] is not None else random.randrange(2**32)
    rng = random.Random(seed)
    runs = opts["runs"] if opts["runs"] is not None else -1
    limit = opts["max_total_time"]
    if runs < 0 and limit is None:
        limit = 10
    start = time.monotonic()
    done = 0
    kinds = {}
    while runs < 0 or done < runs:
        if limit is not None and time.monotonic() - start >= limit:
            break
        size = rng.choice([4, 16, 64, 256, opts["max_len"]])
        data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(size + 1)))
        done += 1
        if not opts["keep_going"]:
            run_one(target, data, name)
            continue
        try:
            target(data)
        except Mismatch as exc:
            text = str(exc)
            kind = exc.kind
            if kind not in kinds:
                kinds[kind] = (text, _save_crash(data, name, exc, quiet=True))
    elapsed = time.monotonic() - start
    for text, path in kinds.values():
        print("fuzz[%s]: MISMATCH (input %s)\n%s\n" % (name, path, text))
    print("fuzz[%s]: random driver, seed %d, %d inputs in %.1f s, %s"
          % (name, seed, done, elapsed,
             "%d kind(s) of mismatch" % len(kinds) if kinds else "no finding"))
    return 1 if kinds else 0


def run_one(target, data, name):
    try:
        target(data)
    except Exception as exc:
        _save_crash(data, name, exc)
        raise


def main(target, name=None, isolate=False):
    """Entry point of a target file: atheris when available, else random.

    FUZZ_DRIVER=random forces the plain driver, FUZZ_DRIVER=atheris
    insists on atheris.
    """
    name = name or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    if isolate:
        reexec_isolated()
    driver = os.environ.get("FUZZ_DRIVER", "auto")
    atheris = None
    if driver != "random":
        try:
            import atheris
        except ImportError:
            if driver == "atheris":
                raise
    if atheris is None:
        sys.exit(random_driver(target, sys.argv[1:], name))
    argv = list(sys.argv)
    if not any(a.startswith("-malloc_limit_mb") for a in argv):
        # The stdlib allocates a receive buffer of the requested size up
        # front (recvmsg(2**31) is legal): not an out-of-memory bug.
        argv.append("-malloc_limit_mb=16384")
    atheris.Setup(argv, target)
    atheris.Fuzz()


def instrument():
    """Python coverage of the fastsock package for atheris, when loaded.

    FUZZ_REFERENCE=stdlib puts the stdlib on both sides: a check that a
    target is deterministic (no false findings) before blaming fastsock.
    """
    if os.environ.get("FUZZ_REFERENCE") == "stdlib":
        return stdsocket
    try:
        import atheris
    except ImportError:
        return fastsock_module()
    if os.environ.get("FUZZ_DRIVER") == "random":
        return fastsock_module()
    with atheris.instrument_imports(include=["fastsock"]):
        return fastsock_module()


std = stdsocket
