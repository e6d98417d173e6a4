#!/usr/bin/env python3
"""Leak checks for fastsock: run something many times in one process and
watch what grows.

What is measured after each round (with a full gc.collect() first):

  objects   live instances of fastsock's own types (_fastsock.socket and
            its subclasses, SocketFile, ServerCore, ...), counted through
            the garbage collector and through the types' reference counts
            (every instance of a heap type holds a reference to its type,
            so a leaked instance shows even when it is not GC-tracked)
  blocks    sys.getallocatedblocks(): every Python object and PyMem buffer
  traced    tracemalloc's current total (when tracing): Python and PyMem
            allocations, including the C code's buffers
  heap      the C heap in use (glibc mallinfo2: uordblks + hblkhd), which
            also sees plain malloc() in the extension
  rss       the resident set size
  fds       open file descriptors (/proc/self/fd)

Used two ways:

  * as a library, by tests/test_leaks.py: check(fn, rounds=..., ...) runs
    fn repeatedly after a warm-up and returns a Report whose .leaks() lists
    what grew beyond noise;
  * as a command, to run whole test modules repeatedly in one process:

      python3 tools/leakcheck.py tests/test_socket_core.py tests/test_makefile.py
      python3 tools/leakcheck.py --rounds 6 --warmup 2 tests/test_x.py -k recv

    Each module (and any extra pytest arguments) runs --warmup + --rounds
    times through pytest.main(); the growth per round is printed, and the
    exit status is 1 when fastsock objects or descriptors grew in every
    measured round, or the C heap / traced memory grew by more than
    --max-kib-per-round in every round.  (pytest itself keeps a little per
    run, which is why only growth that never stops counts.)
"""
import argparse
import ctypes
import gc
import os
import sys
import tracemalloc

FASTSOCK_MODULES = ("_fastsock", "fastsock", "fastsock.socketserver",
                    "fastsock.SocketServer")


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
        "fsmblks", "uordblks", "fordblks", "keepcost")]


def _mallinfo():
    try:
        libc = ctypes.CDLL(None)
        fn = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    fn.restype = _MallInfo2
    return fn


_MALLINFO = _mallinfo()


def c_heap():
    """Bytes of C heap in use (glibc), or 0 where unknown."""
    if _MALLINFO is None:
        return 0
    info = _MALLINFO()
    return info.uordblks + info.hblkhd


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def fd_count():
    return len(os.listdir("/proc/self/fd"))


def fastsock_types():
    """Every type defined by fastsock's modules that is loaded now."""
    types = set()
    for name in FASTSOCK_MODULES:
        mod = sys.modules.get(name)
        if mod is None:
            continue
        for value in vars(mod).values():
            if isinstance(value, type) and \
                    getattr(value, "__module__", "") in FASTSOCK_MODULES:
                types.add(value)
    return types


def live_objects():
    """{type name: live instances} for fastsock's types, via the GC, plus
    the sum of those types' reference counts (see the module docstring)."""
    counts = {}
    types = fastsock_types()
    classes = tuple(types)
    # Whether an object counts depends on its type alone, so the answer is
    # worked out once per type.  Asking isinstance() of every object cost
    # microseconds each (the tuple holds ABCs, whose check runs in Python),
    # which made a snapshot of the full suite's heap take seconds.
    counted = {}
    for obj in gc.get_objects():
        t = type(obj)
        hit = counted.get(t)
        if hit is None:
            hit = counted[t] = t.__module__ in FASTSOCK_MODULES or \
                bool(classes and issubclass(t, classes))
        if hit:
            counts[t.__qualname__] = counts.get(t.__qualname__, 0) + 1
    refs = sum(sys.getrefcount(t) for t in types)
    return counts, refs


def snapshot():
    gc.collect()
    gc.collect()
    objects, type_refs = live_objects()
    traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    return {"objects": sum(objects.values()), "by_type": objects,
            "type_refs": type_refs, "blocks": sys.getallocatedblocks(),
            "traced": traced, "heap": c_heap(), "rss": rss(),
            "fds": fd_count()}


KEYS = ("objects", "type_refs", "blocks", "traced", "heap", "rss", "fds")


class Report:
    """Growth of each measure over the measured rounds."""

    def __init__(self, name, before, after, per_round, iterations):
        self.name = name
        self.before = before
        self.after = after
        self.per_round = per_round          # list of dicts of deltas
        self.iterations = iterations        # calls of fn in each round

    def growth(self, key):
        return self.after[key] - self.before[key]

    def leaks(self, max_bytes_per_call=64, max_blocks_per_call=0.25,
              check_rss=True):
        """What grew beyond noise, as a list of strings (empty: clean).

        Objects, type references and descriptors may not grow at all over
        the measured rounds.  Memory measures may not grow by more than
        the allowance per call, summed over every call made.
        """
        calls = self.iterations * len(self.per_round)
        problems = []
        for key in ("objects", "type_refs", "fds"):
            if self.growth(key) > 0:
                problems.append("%s grew by %d over %d calls (%s)" % (
                    key, self.growth(key), calls, self._trend(key)))
        limits = {"blocks": max_blocks_per_call * calls + 64,
                  "traced": max_bytes_per_call * calls,
                  "heap": max_bytes_per_call * calls + 256 * 1024}
        if check_rss:
            limits["rss"] = max_bytes_per_call * calls + 4 * 1024 * 1024
        for key, limit in limits.items():
            # A leak grows in every round; noise does not.
            steady = all(r[key] > 0 for r in self.per_round)
            if self.growth(key) > limit and steady:
                problems.append("%s grew by %d (> %d) over %d calls (%s)" % (
                    key, self.growth(key), limit, calls, self._trend(key)))
        return problems

    def _trend(self, key):
        return "per round: " + ", ".join(str(r[key]) for r in self.per_round)

    def __str__(self):
        lines = ["%s: %d round(s) of %d call(s)" % (
            self.name, len(self.per_round), self.iterations)]
        for key in KEYS:
            lines.append("  %-9s %+12d   %s" % (key, self.growth(key),
                                                self._trend(key)))
        if self.after["by_type"] != self.before["by_type"]:
            lines.append("  live fastsock objects before %r after %r" % (
                self.before["by_type"], self.after["by_type"]))
        return "\n".join(lines)


def check(fn, name=None, iterations=100, rounds=4, warmup=1, trace=False):
    """Call fn() `iterations` times per round: `warmup` rounds unmeasured
    (caches, interned strings, lazily created buffers), then `rounds`
    measured ones.  With trace=True, tracemalloc runs meanwhile (several
    times slower) and "traced" is measured.  Returns a Report."""
    started = False
    if trace and not tracemalloc.is_tracing():
        tracemalloc.start()
        started = True
    try:
        for _ in range(warmup):
            for _ in range(iterations):
                fn()
        before = prev = snapshot()
        per_round = []
        for _ in range(rounds):
            for _ in range(iterations):
                fn()
            now = snapshot()
            per_round.append({k: now[k] - prev[k] for k in KEYS})
            prev = now
        return Report(name or getattr(fn, "__name__", "fn"), before, prev,
                      per_round, iterations)
    finally:
        if started:
            tracemalloc.stop()


# ---------------------------------------------------------------------
# Command line: whole test modules, repeatedly, in one process
# ---------------------------------------------------------------------

def _run_pytest(args):
    import pytest
    return pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                        "--no-header", "-o", "addopts="] + args)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--max-kib-per-round", type=int, default=512,
                        help="memory growth allowed per round of a module")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="trace Python allocations (slower); prints the "
                             "lines that grew most")
    parser.add_argument("modules", nargs="+",
                        help="test files, then any pytest arguments")
    opts = parser.parse_args(argv)
    files = [m for m in opts.modules if m.endswith(".py")]
    extra = [m for m in opts.modules if not m.endswith(".py")]
    if opts.tracemalloc:
        tracemalloc.start(10)
    failed = False
    for path in files:
        args = [path] + extra
        for _ in range(opts.warmup):
            _run_pytest(args)
        before = prev = snapshot()
        first_trace = tracemalloc.take_snapshot() if opts.tracemalloc else None
        per_round = []
        codes = []
        for _ in range(opts.rounds):
            codes.append(_run_pytest(args))
            now = snapshot()
            per_round.append({k: now[k] - prev[k] for k in KEYS})
            prev = now
        report = Report(path, before, prev, per_round, 1)
        print("\n" + str(report))
        problems = []
        for key in ("objects", "type_refs", "fds"):
            if all(r[key] > 0 for r in per_round):
                problems.append("%s grew in every round" % key)
        limit = opts.max_kib_per_round * 1024
        for key in ("heap", "traced"):
            if all(r[key] > limit for r in per_round):
                problems.append("%s grew by more than %d KiB in every round"
                                % (key, opts.max_kib_per_round))
        if any(c not in (0, 5) for c in codes):
            problems.append("pytest exit codes %r" % codes)
        if first_trace is not None:
            stats = tracemalloc.take_snapshot().compare_to(first_trace,
                                                           "lineno")
            print("  top growth (tracemalloc):")
            for stat in stats[:8]:
                print("   ", stat)
        for p in problems:
            print("  LEAK? " + p)
        failed = failed or bool(problems)
    print("\nleakcheck: %s" % ("FAILED" if failed else "clean"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
