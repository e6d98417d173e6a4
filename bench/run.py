#!/usr/bin/env python3
"""fastsock benchmark suite: the stdlib, fastsock and plain C, side by side.

    python bench/run.py [--quick] [--only NAME ...] [--list] [--out DIR]
                        [--cpu N] [--update-readme] [--no-plots]

Every scenario is measured for the stdlib's socket/socketserver modules and
for fastsock in the same run, interleaved (the order rotates with each
repetition) and repeated; beside them a C program from bench/c/ doing the
same work is the physical limit.  Results: a table on the terminal, and
results.json, summary.md and PNG plots in the output directory
(bench/results/ for a full run, bench/results/quick/ for --quick).

fastsock is whatever `import fastsock` finds (installed, or PYTHONPATH).
A scenario whose fastsock side cannot run yet is reported as "n/a (reason)".
Only loopback and AF_UNIX sockets are used; every run is bounded in count
and in time.
"""

import argparse
import datetime
import json
import os
import platform
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
C_DIR = os.path.join(HERE, "c")
BUILD_DIR = os.path.join(HERE, "build")
WORKLOAD = os.path.join(HERE, "workload.py")
MICRO = os.path.join(HERE, "micro.py")
IMPLS = ("stdlib", "fastsock", "c", "floor")
# Measured beside them for some scenarios, not a column of the table: C
# doing the py floor's syscalls where those differ from the scenario's
# (Scenario.floor_c), so that the floor's distance from C is taken over the
# same kernel work.
ALL_IMPLS = IMPLS + ("cfloor",)

# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------


class Target:
    """A goal for fastsock: a bound on one of its figures.

    kind "vs_c":     fastsock's cost / C's cost must be <= value;
    kind "vs_floor": fastsock's cost / the Python floor's cost (the py floor
                     column, FLOORS in workload.py) must be <= value;
    kind "speedup":  fastsock must be >= value times faster than the stdlib;
    kind "max":      fastsock's median must be <= value (in the unit shown).
    """

    def __init__(self, kind, value):
        self.kind, self.value = kind, value

    def text(self, unit):
        if self.kind == "vs_c":
            return "<= %.2fx C" % self.value
        if self.kind == "vs_floor":
            return "<= %.2fx floor" % self.value
        if self.kind == "speedup":
            return ">= %.2fx stdlib" % self.value
        return "< %g %s" % (self.value, unit)

    def check(self, row):
        """(measured figure, met?) or (None, None) when it cannot be judged."""
        if self.kind in ("vs_c", "vs_floor"):
            got = row.get("fastsock_" + self.kind)
            return got, (None if got is None else got <= self.value)
        if self.kind == "speedup":
            got = row.get("speedup")
            return got, (None if got is None else got >= self.value)
        got = row["fastsock"]["median"] if row.get("fastsock") else None
        return got, (None if got is None else got < self.value)

    def as_dict(self):
        return {"kind": self.kind, "value": self.value}


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


class Scenario:
    """One workload measured for each implementation.

    kind "proc":   bench/workload.py (or a C program) runs the work and
                   prints {"seconds", "ops"}; value = seconds/ops * scale.
    kind "server": a server (workload.py server ..., or bench/c/tsserver)
                   under bench/c/loadgen or wrk; value = requests per second.
    """

    def __init__(self, name, title, what, kind, unit, scale=1.0, full=0,
                 quick=0, c=None, target=None, pinned=True, better="lower",
                 load=None, server=None, timeout=120, reps=None, floor=False,
                 floor_c=None):
        self.name, self.title, self.what, self.kind = name, title, what, kind
        self.unit, self.scale, self.full, self.quick = unit, scale, full, quick
        self.c, self.target, self.pinned = c, target, pinned
        self.better, self.load, self.server = better, load, server
        self.timeout = timeout
        self.reps = reps    # repetitions of a full run, when not the default
        self.floor = floor  # workload.py has a "floor" variant (see FLOORS)
        self.floor_c = floor_c  # C argv doing that floor's syscalls

    def count(self, quick):
        return self.quick if quick else self.full


def _pp(mode):
    return lambda n: ["pingpong", mode, str(n)]


SCENARIOS = [
    Scenario("pingpong_unix", "ping-pong AF_UNIX socketpair",
             "64-byte round trips over an AF_UNIX stream socketpair between "
             "two processes pinned to one CPU (sendall + recv).",
             "proc", "us/rt", 1e6, 12000, 5000, _pp("unix"), Target("vs_c", 1.04),
             floor=True),
    Scenario("pingpong_tcp", "ping-pong TCP loopback",
             "64-byte round trips over TCP on 127.0.0.1 with TCP_NODELAY, "
             "both processes pinned to one CPU.",
             "proc", "us/rt", 1e6, 12000, 5000, _pp("tcp"), Target("vs_c", 1.04),
             floor=True),
    Scenario("pingpong_udp", "ping-pong UDP loopback",
             "64-byte datagram round trips on 127.0.0.1 with sendto/recvfrom "
             "(an address tuple per datagram), pinned to one CPU.",
             "proc", "us/rt", 1e6, 12000, 5000, _pp("udp"), Target("vs_c", 1.10),
             floor=True, floor_c=_pp("udp-connected")),
    Scenario("pingpong_timeout", "ping-pong TCP, settimeout(10)",
             "The TCP ping-pong with a timeout set on both sockets: the cost "
             "of the readiness waits a timeout needs. C: non-blocking fds, "
             "poll() only on EAGAIN.",
             "proc", "us/rt", 1e6, 12000, 5000, _pp("tcp-timeout"),
             Target("speedup", 1.1)),
    Scenario("recv_small", "recv(1 << 20) of 16-byte messages",
             "recv(1 << 20) on an AF_UNIX SOCK_DGRAM socketpair holding "
             "16-byte datagrams; only the receives are timed. Measures the "
             "cost of sizing a result for a huge request.",
             "proc", "us/call", 1e6, 30000, 8000,
             lambda n: ["recvsmall", str(n)], Target("vs_c", 1.5)),
    Scenario("bulk", "bulk stream sendall -> recv_into",
             "A stream of 1 GiB (256 MiB with --quick) over TCP loopback: "
             "sendall() of 64 KiB chunks into recv_into() a 64 KiB buffer, "
             "both processes pinned to one CPU.",
             "proc", "s/GiB", 1024.0, 1024, 256, lambda n: ["bulk", str(n)],
             Target("vs_c", 1.05), reps=5),
    Scenario("readline", "makefile('rb').readline()",
             "1M short lines (200k with --quick) written into a socketpair "
             "and read back with makefile('rb').readline(). C: fdopen + "
             "getline.",
             "proc", "ns/line", 1e9, 1000000, 200000,
             lambda n: ["readline", str(n)], Target("vs_floor", 1.10), floor=True,
             reps=15),
    Scenario("text_iter", "makefile('r') text iteration",
             "The same lines read by iterating over makefile('r', "
             "encoding='utf-8'). C: fdopen + getline.",
             "proc", "ns/line", 1e9, 1000000, 200000,
             lambda n: ["readline", str(n)], Target("speedup", 2.5), floor=True),
    Scenario("threading_short", "ThreadingTCPServer, short connections",
             "The book's timestamp server (StreamRequestHandler, reply "
             "'[%s] %s' % (ctime(), data)): connect, one line, reply, close, "
             "16 connections at once from bench/c/loadgen. C: a thread per "
             "connection.",
             "server", "req/s", better="higher", load="short", server="threading-short",
             c=["tsserver", "thread", "short"], target=Target("speedup", 3.0),
             pinned=False),
    Scenario("threading_persistent", "ThreadingTCPServer, persistent connections",
             "The same server with 16 long-lived connections, each sending "
             "line after line and waiting for every reply.",
             "server", "req/s", better="higher", load="persistent",
             server="threading-persistent",
             c=["tsserver", "thread", "persistent"], target=Target("speedup", 2.5),
             pinned=False),
    Scenario("threading_short_pool", "short connections, fastsock thread pool",
             "Informative, no target: threading_short again, but fastsock's "
             "side is its opt-in ThreadPoolTCPServer (max_threads=16) instead "
             "of a new thread per request; the stdlib side stays "
             "ThreadingTCPServer. Shows what thread creation costs.",
             "server", "req/s", better="higher", load="short",
             server="threading-short-pool", c=["tsserver", "thread", "short"],
             pinned=False),
    Scenario("tcp_short", "TCPServer, short connections, no thread",
             "Informative, no target: threading_short's load and handler on "
             "a plain TCPServer, which handles each request in the serving "
             "thread, on both sides. Against threading_short it shows what "
             "starting a thread per request costs; against the C server "
             "(a thread per connection) what the Python handler costs.",
             "server", "req/s", better="higher", load="short",
             server="tcp-short", c=["tsserver", "thread", "short"],
             pinned=False),
    Scenario("forking_short", "ForkingTCPServer, short connections",
             "The timestamp server with a process per connection, short "
             "connections at concurrency 16. C: fork per connection.",
             "server", "req/s", better="higher", load="short", server="forking-short",
             c=["tsserver", "fork", "short"], target=Target("speedup", 1.5),
             pinned=False),
    Scenario("http_wrk", "http.server.ThreadingHTTPServer under wrk",
             "SimpleHTTPRequestHandler serving a 1 KiB file to wrk -t1 -c16 "
             "(HTTP/1.0: one request per connection). fastsock side: "
             "fastsock.patch() before importing http.server. C: a minimal "
             "thread-per-connection HTTP/1.0 file server. py floor: the same "
             "handler and thread per request on the thinnest socket calls "
             "Python has (FloorHTTPServer in workload.py).",
             "server", "req/s", better="higher", load="wrk", server="http",
             c=["tsserver", "http"], target=Target("speedup", 1.3), pinned=False,
             floor=True),
    Scenario("http_wrk_pool", "http.server under wrk, fastsock thread pool",
             "Informative, no target: http_wrk again, with max_threads=16 "
             "set on fastsock's side (its opt-in pool of ThreadingMixIn) "
             "instead of a new thread per request; the stdlib's side is "
             "unchanged.",
             "server", "req/s", better="higher", load="wrk", server="http-pool",
             c=["tsserver", "http"], pinned=False),
    Scenario("shutdown", "shutdown() of a serving server",
             "Time for ThreadingTCPServer.shutdown() to return while another "
             "thread is inside serve_forever(), called at a random moment "
             "(4 samples per run). No C counterpart.",
             "proc", "ms", 1e3, 4, 2, None, Target("max", 5.0), pinned=False,
             reps=4),
]

MICRO_TARGETS = {
    "getaddrinfo_numeric": 4.0,
    "gethostbyname_numeric": 3.0,
    "gethostbyname_localhost": 3.0,
    "getsockname": 1.5,
}
MICRO_WHAT = {
    "htons": "htons(8080)",
    "inet_aton": "inet_aton('192.168.17.42')",
    "inet_ntoa": "inet_ntoa(b'\\x7f\\0\\0\\1')",
    "getaddrinfo_numeric": "getaddrinfo('127.0.0.1', 80)",
    "gethostbyname_numeric": "gethostbyname('127.0.0.1')",
    "gethostbyname_localhost": "gethostbyname('localhost')",
    "socket_close": "socket(AF_INET, SOCK_STREAM).close()",
    "settimeout_gettimeout": "s.settimeout(1.0); s.gettimeout()",
    "getsockname": "s.getsockname() of a bound TCP socket",
}


# ---------------------------------------------------------------------------
# Building the C programs
# ---------------------------------------------------------------------------


def build_c(log):
    """Compile bench/c/*.c with the system cc; returns {program: path or None}."""
    os.makedirs(BUILD_DIR, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    header = os.path.join(C_DIR, "common.h")
    built = {}
    for src in sorted(os.listdir(C_DIR)):
        if not src.endswith(".c"):
            continue
        name = src[:-2]
        path, exe = os.path.join(C_DIR, src), os.path.join(BUILD_DIR, name)
        newest = max(os.path.getmtime(path), os.path.getmtime(header))
        if os.path.exists(exe) and os.path.getmtime(exe) >= newest:
            built[name] = exe
            continue
        cmd = [cc, "-O2", "-Wall", "-Wextra", "-pthread", "-o", exe, path]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            log("build of %s failed:\n%s" % (src, proc.stderr.strip()))
            built[name] = None
        else:
            built[name] = exe
    return built


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


class NA(Exception):
    """This implementation cannot run the scenario; the text says why."""


def pinner(cpu):
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON result in output")


def run_proc(argv, timeout, cpu):
    try:
        proc = subprocess.run(argv, capture_output=True, text=True,
                              timeout=timeout, preexec_fn=pinner(cpu))
    except subprocess.TimeoutExpired:
        raise NA("timed out after %ds" % timeout)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["exit %d" % proc.returncode])[-1]
        raise NA("failed: %s" % tail[:120])
    try:
        result = last_json(proc.stdout)
    except ValueError:
        raise NA("no result: %s" % proc.stderr.strip()[-120:])
    if "na" in result:
        raise NA(result["na"])
    return result


def measure_proc(sc, impl, ctx):
    count = sc.count(ctx.quick)
    if impl in ("c", "cfloor"):
        prog = sc.c(count) if impl == "c" else sc.floor_c(count)
        exe = ctx.built.get(prog[0])
        if exe is None:
            raise NA("C program %s did not build" % prog[0])
        argv = [exe] + prog[1:]
    else:
        argv = [sys.executable, WORKLOAD, sc.name, impl, str(count)]
    result = run_proc(argv, sc.timeout, ctx.cpu if sc.pinned else None)
    spent = result["seconds"]
    if sc.pinned and not ctx.wall and "cpu" in result:
        spent = result["cpu"]
    return spent / result["ops"] * sc.scale, result


class ServerProcess:
    """A server started for one measurement; killed with its process group."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True,
                                     start_new_session=True)

    def port(self, timeout=15.0):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        ready = sel.select(timeout)
        sel.close()
        if not ready:
            raise NA("server did not start within %ds" % timeout)
        line = self.proc.stdout.readline().strip()
        if line.startswith("NA "):
            raise NA(line[3:])
        if not line.startswith("PORT "):
            raise NA("server failed to start (%r)" % line[:80])
        return int(line.split()[1])

    def cpu_seconds(self):
        """CPU time of the server so far, from /proc: its threads, the
        children it has reaped (a forking server's handlers), and the
        processes of its group still running (a server serving from
        several processes)."""
        ticks = 0
        found = False
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % name) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # pgrp is field 5 of proc(5); utime, stime, cutime, cstime are
            # fields 14-17.  The server leads its own group.
            if int(fields[2]) == self.proc.pid:
                ticks += sum(int(v) for v in fields[11:15])
                found = True
        return ticks / os.sysconf("SC_CLK_TCK") if found else None

    def stop(self):
        # The group holds the server and any children it forked.
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(5)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)   # stray forked children
        except ProcessLookupError:
            pass
        self.proc.stdout.close()


def run_loadgen(ctx, port, mode, conns=16, warmup_ms=300):
    exe = ctx.built.get("loadgen")
    if exe is None:
        raise NA("bench/c/loadgen.c did not build")
    dur_ms = int(ctx.server_seconds * 1000)
    argv = [exe, str(port), mode, str(conns), str(dur_ms), str(warmup_ms),
            "10000000"]
    res = run_proc(argv, ctx.server_seconds + 30, None)
    if res["requests"] == 0:
        raise NA("no request completed (%d errors)" % res["errors"])
    if res["errors"]:
        ctx.note("%d client errors (refused, reset or bad replies) beside "
                 "%d requests" % (res["errors"], res["requests"]))
    return res["requests"] / res["seconds"], res


def run_wrk(ctx, port):
    wrk = shutil.which("wrk")
    if wrk is None:
        raise NA("wrk not installed (apt-get install wrk)")
    secs = max(1, int(round(ctx.server_seconds)))
    argv = [wrk, "-t1", "-c16", "-d%ds" % secs, "--timeout", "5s",
            "http://127.0.0.1:%d/index.txt" % port]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=secs + 30)
    except subprocess.TimeoutExpired:
        raise NA("wrk timed out")
    m = re.search(r"Requests/sec:\s*([\d.]+)", proc.stdout)
    if proc.returncode != 0 or not m:
        raise NA("wrk failed: %s" % (proc.stderr.strip() or proc.stdout.strip())[-120:])
    errs = re.search(r"Socket errors:(.*)", proc.stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", proc.stdout)
    total = re.search(r"(\d+) requests in", proc.stdout)
    extra = {"errors": errs.group(1).strip() if errs else "",
             "non2xx": int(non2xx.group(1)) if non2xx else 0,
             "requests": int(total.group(1)) if total else None}
    if extra["errors"] or extra["non2xx"]:
        ctx.note("wrk: socket errors %s, non-2xx %d"
                 % (extra["errors"] or "none", extra["non2xx"]))
    return float(m.group(1)), extra


def measure_server(sc, impl, ctx):
    if impl == "c":
        exe = ctx.built.get(sc.c[0])
        if exe is None:
            raise NA("C program %s did not build" % sc.c[0])
        argv = [exe] + sc.c[1:]
        if sc.load == "wrk":
            argv.append(ctx.docroot)
    else:
        argv = [sys.executable, WORKLOAD, "server", sc.server, impl, ctx.docroot]
    server = ServerProcess(argv)
    try:
        port = server.port()
        cpu0 = server.cpu_seconds()
        if sc.load == "wrk":
            rate, info = run_wrk(ctx, port)
            requests = info["requests"]
        else:
            rate, info = run_loadgen(ctx, port, sc.load)
            requests = info.get("all_requests")
        cpu1 = server.cpu_seconds()
    finally:
        server.stop()
    if cpu0 is not None and cpu1 is not None and requests:
        # CPU the server spent per request over the whole load run.
        info["cpu_us_per_req"] = (cpu1 - cpu0) / requests * 1e6
    return rate, info


def summarize(values):
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values), "values": values}


def add_ratios(row, better, pairs=None):
    """stdlib/C and fastsock/C cost ratios, and fastsock's speedup.

    With `pairs` (one {impl: value} per repetition) each ratio is the median
    of the ratios within a repetition: the two figures of a pair were taken
    seconds apart, so a change in the machine's background load between
    repetitions cancels out.  Without, it is the ratio of the medians."""
    med = {i: row[i]["median"] for i in ALL_IMPLS if row.get(i)}

    def cost(a, b, va, vb):     # how many times a costs what b costs
        if not va or not vb:
            return None
        return va / vb if better == "lower" else vb / va

    def ratio(a, b):
        if pairs:
            got = [cost(a, b, p[a], p[b]) for p in pairs if a in p and b in p]
            got = [g for g in got if g is not None]
            if got:
                return statistics.median(got)
        if a not in med or b not in med:
            return None
        return cost(a, b, med[a], med[b])

    row["stdlib_vs_c"] = ratio("stdlib", "c")
    row["fastsock_vs_c"] = ratio("fastsock", "c")
    row["fastsock_vs_floor"] = ratio("fastsock", "floor")
    row["speedup"] = ratio("stdlib", "fastsock")
    # The floor against C making the same syscalls, when they differ.
    row["floor_vs_c"] = ratio("floor", "cfloor" if "cfloor" in med else "c")
    row["floor_speedup"] = ratio("stdlib", "floor")     # the most possible


def run_scenario(sc, ctx):
    impls = ["stdlib", "fastsock"] + (["c"] if sc.c else []) \
        + (["floor"] if sc.floor else []) + (["cfloor"] if sc.floor_c else [])
    reps = ctx.server_reps if sc.kind == "server" else ctx.reps
    if sc.reps and not ctx.quick and not ctx.fixed_reps:
        reps = sc.reps
    samples = {i: [] for i in impls}
    extra = {i: [] for i in impls}
    pairs = []
    cpu_pairs = {}
    na = {}
    measure = measure_server if sc.kind == "server" else measure_proc
    for rep in range(reps):
        if rep > 0 and ctx.over_budget():
            ctx.log("  time budget reached: %s stops after %d repetitions"
                    % (sc.name, rep))
            break
        k = rep % len(impls)
        pairs.append({})
        for impl in impls[k:] + impls[:k]:      # rotate who goes first
            if impl in na:
                continue
            ctx.current = (sc.name, impl)
            try:
                value, info = measure(sc, impl, ctx)
            except NA as exc:
                na[impl] = str(exc)
                continue
            samples[impl].append(value)
            extra[impl].append(info)
            pairs[-1][impl] = value
            if isinstance(info, dict) and info.get("cpu_us_per_req"):
                cpu_pairs.setdefault(rep, {})[impl] = info["cpu_us_per_req"]
    row = {"name": sc.name, "title": sc.title, "unit": sc.unit,
           "better": sc.better, "what": sc.what, "na": na,
           "count": sc.count(ctx.quick) if sc.kind == "proc" else None}
    for impl in impls:
        row[impl] = summarize(samples[impl]) if samples[impl] else None
        if extra[impl]:
            row[impl]["runs"] = extra[impl]
    add_ratios(row, sc.better, pairs)
    if cpu_pairs:
        # The server's CPU per request, and how many times less of it
        # fastsock needs: a figure the machine's other load hardly moves.
        row["cpu_us_per_req"] = {
            i: statistics.median([p[i] for p in cpu_pairs.values() if i in p])
            for i in impls if any(i in p for p in cpu_pairs.values())}
        got = [p["stdlib"] / p["fastsock"] for p in cpu_pairs.values()
               if p.get("stdlib") and p.get("fastsock")]
        row["cpu_speedup"] = statistics.median(got) if got else None
    judge(row, sc.target, sc.unit)
    return row


def judge(row, target, unit):
    if target is None:
        row["target"] = None
        return
    got, met = target.check(row)
    row["target"] = dict(target.as_dict(), text=target.text(unit),
                         measured=got, met=met)


# ---------------------------------------------------------------------------
# Micro benchmarks (pyperf)
# ---------------------------------------------------------------------------


def run_micro(ctx):
    """pyperf runs of every case, for both modules; plus bench/c/micro.

    bench/micro.py runs several times (rounds), alternating which module
    goes first: within a round the two figures of a case are taken seconds
    apart, and the ratio is the median of the per-round ratios, as for the
    other scenarios (the machine's load drifts over a minute-long run)."""
    try:
        import pyperf
    except ImportError:
        ctx.log("pyperf not installed (pip install pyperf): micro benchmarks skipped")
        return []
    if ctx.quick:
        rounds, opts = 2, ["-p", "1", "-n", "3", "-w", "1", "--min-time", "0.02"]
    else:
        rounds, opts = 3, ["-p", "2", "-n", "3", "-w", "1", "--min-time", "0.05"]
    per_round = []      # one {case: {impl: [ns values]}} per round
    for r in range(rounds):
        out = os.path.join(ctx.tmp, "micro-%d.json" % r)
        env = dict(os.environ, FASTSOCK_BENCH_ORDER="fastsock-first" if r % 2
                   else "stdlib-first")
        argv = [sys.executable, MICRO, "--quiet", "-o", out,
                "--inherit-environ", "FASTSOCK_BENCH_ORDER"] + opts
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                              preexec_fn=pinner(ctx.cpu), env=env)
        if proc.returncode != 0:
            ctx.log("pyperf run failed: %s" % proc.stderr.strip()[-300:])
            continue
        got = {}
        for bench in pyperf.BenchmarkSuite.load(out).get_benchmarks():
            m = re.match(r"(.*) \[(\w+)\]$", bench.get_name())
            if m:
                got.setdefault(m.group(1), {})[m.group(2)] = \
                    [v * 1e9 for v in bench.get_values()]
        per_round.append(got)
    per_case = {}
    for got in per_round:
        for case, impls in got.items():
            for impl, values in impls.items():
                per_case.setdefault(case, {}).setdefault(impl, []).extend(values)
    per_case = {case: {impl: summarize(v) for impl, v in impls.items()}
                for case, impls in per_case.items()}
    c_ns = {}
    exe = ctx.built.get("micro")
    if exe:
        try:
            c_ns = run_proc([exe, "5" if ctx.quick else "2"], 120, ctx.cpu)
        except NA as exc:
            ctx.log("C micro benchmarks failed: %s" % exc)
    rows = []
    for case in MICRO_WHAT:
        impls = per_case.get(case, {})
        row = {"name": case, "title": MICRO_WHAT[case], "unit": "ns/call",
               "better": "lower", "what": MICRO_WHAT[case], "na": {},
               "stdlib": impls.get("stdlib"), "fastsock": impls.get("fastsock"),
               "c": ({"median": c_ns[case], "min": c_ns[case], "max": c_ns[case],
                      "values": [c_ns[case]]} if case in c_ns else None)}
        if row["fastsock"] is None:
            row["na"]["fastsock"] = "fastsock lacks it or fails on it"
        pairs = [{i: statistics.median(v) for i, v in got.get(case, {}).items()}
                 for got in per_round]
        if row["c"]:
            for p in pairs:
                p["c"] = row["c"]["median"]
        add_ratios(row, "lower", pairs)
        target = Target("speedup", MICRO_TARGETS.get(case, 1.0))
        judge(row, target, "ns/call")
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Peers: fastsock's servers beside asyncio, uvloop, gevent and Twisted
# ---------------------------------------------------------------------------

PEERS_PY = os.path.join(HERE, "peers.py")
# (load generator mode, connections); each is a row of the peer tables.
PEER_LOADS = [("persistent", 16), ("persistent", 128), ("persistent", 512),
              ("short", 16), ("short", 128)]
THREADED = ("fastsock", "fastsock-pool")
EVENT_PEERS = ("asyncio-streams", "gevent", "twisted")


def peer_servers():
    """{name: label} of bench/peers.py, in the tables' order."""
    import peers
    return {name: label for name, (label, _) in peers.SERVERS.items()}


def informative_peers():
    """The servers shown but judged by no target (two processes)."""
    import peers
    return list(peers.INFORMATIVE)


def measure_peer(ctx, name, mode, conns):
    """One load run against a fresh server process: a dict of figures."""
    server = ServerProcess([sys.executable, PEERS_PY, name, mode, str(conns)])
    try:
        port = server.port()
        cpu0 = server.cpu_seconds()
        # 512 connections opened at once take a while to be accepted.
        rate, info = run_loadgen(ctx, port, mode, conns,
                                 warmup_ms=300 if conns <= 128 else 600)
        cpu1 = server.cpu_seconds()
    finally:
        server.stop()
    got = {"rate": rate, "p50_us": info.get("p50_us"),
           "p99_us": info.get("p99_us"), "errors": info.get("errors", 0)}
    if cpu0 is not None and cpu1 is not None and info.get("all_requests"):
        got["cpu_us_per_req"] = (cpu1 - cpu0) / info["all_requests"] * 1e6
    return got


def peer_ratio(rounds, num, den):
    """Median over the rounds of num's req/s over den's (den may be a tuple:
    the best of those servers in that round)."""
    got = []
    for r in rounds:
        dens = [r[d]["rate"] for d in (den if isinstance(den, tuple) else (den,))
                if d in r]
        if num in r and dens:
            got.append(r[num]["rate"] / max(dens))
    return statistics.median(got) if got else None


def peer_targets(rows):
    """Issue 13's targets, judged on paired ratios within each round."""
    out = []
    by = {(r["mode"], r["conns"]): r for r in rows}

    def add(row, name, against, bound, text):
        if row is None:
            return
        got = peer_ratio(row["rounds"], name, against)
        out.append({"load": "%s %d" % (row["mode"], row["conns"]),
                    "server": name, "text": text, "bound": bound,
                    "measured": got,
                    "met": None if got is None else got >= bound})

    for conns in (128, 512):
        row = by.get(("persistent", conns))
        for name in THREADED:
            add(row, name, EVENT_PEERS, 1.0,
                ">= best of asyncio streams, gevent, Twisted")
            add(row, name, "uvloop-protocol", 0.75, ">= 0.75x uvloop protocol")
    for name in THREADED:
        add(by.get(("persistent", 16)), name, "stdlib", 1.0, ">= stdlib")
    for conns in (16, 128):
        add(by.get(("short", conns)), "fastsock-pool", "asyncio-streams", 1.0,
            ">= asyncio streams")
    return out


def run_peers(ctx):
    """Every peer server under every load of PEER_LOADS, interleaved: in each
    round every server runs once, in an order that rotates with the round."""
    names = list(peer_servers())
    reps = ctx.server_reps if ctx.fixed_reps else (1 if ctx.quick else 3)
    na = {}
    rows = []
    for mode, conns in PEER_LOADS:
        ctx.log("peers: %s connections x %d ..." % (mode, conns))
        start = time.monotonic()
        rounds = []
        for rep in range(reps):
            if rep > 0 and time.monotonic() - start > ctx.peer_budget:
                ctx.log("  time budget reached: %d rounds" % rep)
                break
            k = (rep * 3) % len(names)
            rounds.append({})
            for name in names[k:] + names[:k]:
                if name in na:
                    continue
                ctx.current = ("peers %s %d" % (mode, conns), name)
                try:
                    got = measure_peer(ctx, name, mode, conns)
                except NA as exc:
                    na[name] = str(exc)
                    ctx.log("  %s skipped: %s" % (name, exc))
                    continue
                rounds[-1][name] = got
                ctx.log("  %-17s %8.0f req/s  p50 %s us  p99 %s us"
                        % (name, got["rate"], got["p50_us"], got["p99_us"]))
        row = {"mode": mode, "conns": conns, "rounds": rounds, "servers": {}}
        for name in names:
            got = [r[name] for r in rounds if name in r]
            if not got:
                continue
            med = lambda key: statistics.median(  # noqa: E731
                [g[key] for g in got if g.get(key) is not None] or [0])
            row["servers"][name] = {
                "rate": summarize([g["rate"] for g in got]),
                "p50_us": med("p50_us"), "p99_us": med("p99_us"),
                "cpu_us_per_req": med("cpu_us_per_req"),
                "errors": sum(g["errors"] for g in got),
                "vs_stdlib": peer_ratio(rounds, name, "stdlib")}
        rows.append(row)
    return {"rows": rows, "na": na, "labels": peer_servers(),
            "informative": informative_peers(),
            "targets": peer_targets(rows), "rounds": reps,
            "seconds_per_run": ctx.server_seconds}


def peers_markdown(peers):
    labels = peers["labels"]
    names = [n for n in labels if n not in peers["na"]]
    extra = peers.get("informative", [])
    head = "| load | " + " | ".join(
        labels[n] + (" (informative)" if n in extra else "")
        for n in names) + " |"
    sep = "|---|" + "---|" * len(names)
    rate = [head, sep]
    lat = [head, sep]
    for row in peers["rows"]:
        load = "%s x %d" % (row["mode"], row["conns"])
        cells_r, cells_l = [], []
        for n in names:
            s = row["servers"].get(n)
            if s is None:
                cells_r.append("-")
                cells_l.append("-")
                continue
            ratio = s["vs_stdlib"]
            cells_r.append("%s (%s)" % (fmt_num(s["rate"]["median"]),
                                        fmt_ratio(ratio)))
            cells_l.append("%.2f / %.1f / %.0f" % (
                s["p50_us"] / 1e3, s["p99_us"] / 1e3, s["cpu_us_per_req"]))
        rate.append("| %s | %s |" % (load, " | ".join(cells_r)))
        lat.append("| %s | %s |" % (load, " | ".join(cells_l)))
    tg = ["| load | server | target | measured | status |", "|---|---|---|---|---|"]
    for t in peers["targets"]:
        tg.append("| %s | %s | %s | %s | %s |" % (
            t["load"], labels[t["server"]], t["text"], fmt_ratio(t["measured"]),
            "n/a" if t["met"] is None else "met" if t["met"] else "MISSED"))
    parts = ["Requests per second, median of %d interleaved rounds of %g s "
             "(in brackets: the median of the per-round ratios to the "
             "stdlib's ThreadingTCPServer):\n" % (peers["rounds"],
                                                   peers["seconds_per_run"]),
             "\n".join(rate),
             "\nLatency p50 / p99 (ms, over all requests of a run, medians "
             "of the rounds) and server CPU per request (us, from "
             "/proc/PID/stat):\n", "\n".join(lat),
             "\nTargets (issue 13), each the median of the per-round ratios:\n",
             "\n".join(tg)]
    if any(n in names for n in extra):
        parts.append(
            "\nThe columns marked informative serve from two processes on "
            "one SO_REUSEPORT port (fastsock's `processes = 2`; two uvloop "
            "processes with `reuse_port=True`): they may use both CPUs, "
            "which the load generator also needs, and no target judges "
            "them. CPU per request counts both processes.")
    if peers["na"]:
        parts.append("\nSkipped: " + "; ".join(
            "%s (%s)" % (labels[n], why) for n, why in peers["na"].items()))
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def fmt_num(v):
    if v is None:
        return "-"
    if v >= 1000:
        return "%.0f" % v
    if v >= 100:
        return "%.1f" % v
    if v >= 10:
        return "%.2f" % v
    return "%.3f" % v


def fmt_impl(row, impl, spread=True):
    s = row.get(impl)
    if s is None:
        reason = row["na"].get(impl)
        return "n/a (%s)" % reason if reason else "-"
    if not spread or s["min"] == s["max"]:
        return fmt_num(s["median"])
    return "%s [%s-%s]" % (fmt_num(s["median"]), fmt_num(s["min"]), fmt_num(s["max"]))


def fmt_ratio(v):
    # Every ratio with two decimals, so that a column reads alike; whether a
    # target was met is the status column's verdict on the exact figure.
    return "-" if v is None else "%.2fx" % v


def status(row):
    t = row.get("target")
    cpu = ""
    if row.get("cpu_speedup"):
        cpu = " (server CPU/req: %.2fx)" % row["cpu_speedup"]
    if not t:
        return "", ("informative" + cpu if cpu else "")
    if t["met"] is None:
        return t["text"], "n/a"
    if t["kind"] == "vs_floor":
        # The figure is the point: say it in the narrow table too.
        return t["text"], "%s: %.2fx floor" % ("met" if t["met"] else "MISSED",
                                               t["measured"])
    if t["met"]:
        return t["text"], "met" + cpu
    # Say what the Python floor allows, when there is one.
    if t["kind"] == "vs_c" and row.get("floor_vs_c"):
        same = " on the same syscalls" if row.get("cfloor") else ""
        return t["text"], "MISSED (floor %.2fx C%s)" % (row["floor_vs_c"], same)
    if t["kind"] == "speedup" and row.get("floor_speedup"):
        # A server's CPU per request goes beside it, as for a met target.
        cpu = cpu.replace(" (", "; ").rstrip(")")
        return t["text"], "MISSED (floor allows %.2fx%s)" % (row["floor_speedup"], cpu)
    return t["text"], "MISSED" + cpu


def table_rows(rows, spread=True, na_width=40):
    out = []
    for row in rows:
        target, st = status(row)
        cells = [row["name"], row["unit"]]
        for impl in IMPLS:
            cell = fmt_impl(row, impl, spread and impl in ("stdlib", "fastsock"))
            if cell.startswith("n/a (") and len(cell) > na_width:
                cell = cell[:na_width - 4] + "...)"
            cells.append(cell)
        cells += [fmt_ratio(row["stdlib_vs_c"]), fmt_ratio(row["fastsock_vs_c"]),
                  fmt_ratio(row["speedup"]), target, st]
        out.append(cells)
    return out


HEADER = ["scenario", "unit", "stdlib median [min-max]", "fastsock median [min-max]",
          "C", "py floor", "stdlib/C", "fastsock/C", "fs speedup", "target", "status"]


# The default table: medians, the two ratios the targets are about, and
# the verdict in a word; the reasons for "n/a" cells share the last column.
# --wide (and summary.md) has every column.
NARROW_HEADER = ["scenario", "unit", "stdlib", "fastsock", "C", "fastsock/C",
                 "speedup", "target", "status", "n/a"]
TABLE_WIDTH = 120


def _na_reasons(row):
    return "; ".join("%s: %s" % (impl, row["na"][impl])
                     for impl in IMPLS if row.get("na", {}).get(impl))


def narrow_rows(rows):
    out = []
    for row in rows:
        target, st = status(row)
        cells = [row["name"], row["unit"]]
        for impl in ("stdlib", "fastsock", "c"):
            s = row.get(impl)
            cells.append(fmt_num(s["median"]) if s
                         else "n/a" if row["na"].get(impl) else "-")
        cells += [fmt_ratio(row["fastsock_vs_c"]), fmt_ratio(row["speedup"]),
                  target, st.split(" (")[0].replace("informative", "info"),
                  _na_reasons(row)]
        out.append(cells)
    return out


def print_table(rows, log, wide=False):
    header = HEADER if wide else NARROW_HEADER
    data = [header] + (table_rows(rows) if wide else narrow_rows(rows))
    widths = [max(len(r[i]) for r in data) for i in range(len(header))]
    if not wide:
        # The last column (n/a reasons) gets what is left of the width.
        room = TABLE_WIDTH - sum(widths[:-1]) - 2 * (len(widths) - 1)
        room = max(room, len(header[-1]))
        widths[-1] = min(widths[-1], room)
        cut = [r for r in data[1:] if len(r[-1]) > room]
        data = [r[:-1] + [r[-1] if len(r[-1]) <= room else
                          r[-1][:room - 3] + "..."] for r in data]
    for n, r in enumerate(data):
        log("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            log("  ".join("-" * w for w in widths))
    if not wide and cut:
        # Reasons too long for their column, in full under the table.
        log("n/a in full:")
        for r in cut:
            log(textwrap.fill("%s: %s" % (r[0], r[-1]), TABLE_WIDTH,
                              initial_indent="  ", subsequent_indent="    "))


def markdown_table(rows):
    lines = ["| " + " | ".join(HEADER) + " |",
             "|" + "---|" * len(HEADER)]
    for r in table_rows(rows, na_width=60):
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(lines)


def machine_info():
    info = {"python": platform.python_version(), "kernel": platform.release(),
            "nproc": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            key, _, val = line.partition(":")
            if key.strip() in ("Model name", "Hypervisor vendor", "CPU(s)"):
                info[key.strip()] = val.strip()
    except OSError:
        pass
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True,
                                           text=True).stdout)
    except (OSError, ValueError):
        pass
    try:
        info["git"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True,
                                     cwd=HERE).stdout.strip()
    except OSError:
        pass
    return info


def fastsock_info():
    code = ("import fastsock, _fastsock; print(fastsock.__file__); "
            "print(_fastsock.__file__)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()
        return {"importable": False, "error": tail[-1] if tail else "?"}
    paths = proc.stdout.split()
    return {"importable": True, "package": paths[0], "extension": paths[1]}


def summary_markdown(doc):
    m = doc["machine"]
    head = ("Measured %s on %s (`nproc` %s, %s; kernel %s), Python %s, git %s, "
            "%s run in %.0f s. Pinned scenarios ran on CPU %s and report %s "
            "time; see *How it measures*.\n\n"
            % (doc["date"], m.get("Model name", "?"), m.get("nproc", "?"),
               m.get("Hypervisor vendor", "bare metal") + " VM"
               if m.get("Hypervisor vendor") else "bare metal",
               m.get("kernel"), m.get("python"), m.get("git", "?"),
               doc["mode"], doc["elapsed_seconds"], doc["cpu"],
               "CPU" if doc.get("pinned_metric") == "cpu" else "wall"))
    parts = [head, "Scenarios (lower is better except req/s):\n",
             markdown_table(doc["scenarios"]), ""]
    if doc["micro"]:
        parts += ["\nPer-call micro benchmarks (pyperf, ns per call):\n",
                  markdown_table(doc["micro"]), ""]
    if doc.get("notes"):
        parts += ["\nNotes from the run:\n"]
        parts += ["- " + n for n in doc["notes"]] + [""]
    return "\n".join(parts)


def update_readme(text, log, section="results"):
    path = os.path.join(HERE, "README.md")
    start, end = "<!-- %s:start -->" % section, "<!-- %s:end -->" % section
    try:
        with open(path) as f:
            readme = f.read()
    except OSError:
        log("bench/README.md not found; not updated")
        return
    if start not in readme or end not in readme:
        log("bench/README.md has no results markers; not updated")
        return
    before, rest = readme.split(start, 1)
    after = rest.split(end, 1)[1]
    with open(path, "w") as f:
        f.write(before + start + "\n" + text.strip() + "\n" + end + after)
    log("bench/README.md updated")


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


class Context:
    def __init__(self, args):
        self.quick = args.quick
        self.cpu = args.cpu
        self.reps = args.repeat or (3 if args.quick else 9)
        self.server_reps = args.repeat or (2 if args.quick else 4)
        self.fixed_reps = bool(args.repeat)
        self.wall = args.wall
        self.server_seconds = 1.0 if args.quick else 2.0
        self.budget = 150.0 if args.quick else 540.0
        # Per load of the peers (PEER_LOADS), so each gets its rounds.
        self.peer_budget = 30.0 if args.quick else 180.0
        self.start = time.monotonic()
        self.built = {}
        self.notes = []
        self.current = ("", "")
        self.tmp = tempfile.mkdtemp(prefix="fastsock-bench-")
        self.docroot = os.path.join(self.tmp, "www")
        os.makedirs(self.docroot)
        with open(os.path.join(self.docroot, "index.txt"), "w") as f:
            f.write(("fastsock benchmark page\n" * 43)[:1024])

    def note(self, text):
        """Record something the figures alone would hide (client errors)."""
        name, impl = self.current
        line = "%s [%s]: %s" % (name, impl, text)
        self.notes.append(line)
        self.log("  note: " + line)

    def over_budget(self):
        return time.monotonic() - self.start > self.budget

    def log(self, text=""):
        print(text, flush=True)


def parse_args(argv):
    names = [s.name for s in SCENARIOS] + ["micro", "peers"]
    p = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smaller counts and fewer repetitions (about 1-2 minutes)")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=names,
                   help="run only these scenarios (%s)" % ", ".join(names))
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--out", help="output directory (default bench/results, "
                                 "or bench/results/quick with --quick)")
    p.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)),
                   help="CPU that pinned scenarios run on (default: the last)")
    p.add_argument("--repeat", type=int, help="repetitions per scenario")
    p.add_argument("--wall", action="store_true",
                   help="report wall time for the pinned scenarios, not CPU time")
    p.add_argument("--wide", action="store_true",
                   help="print every column (min-max spreads, the Python "
                        "floor, stdlib/C, status details); the default "
                        "table fits %d columns" % TABLE_WIDTH)
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--update-readme", action="store_true",
                   help="write the figures into bench/README.md")
    return p.parse_args(argv)


def main(argv=None):
    if HERE not in sys.path:
        sys.path.insert(0, HERE)    # for bench/plots.py
    args = parse_args(argv)
    if args.list:
        for s in SCENARIOS:
            print("%-22s %s" % (s.name, s.what))
        print("%-22s %s" % ("micro", "per-call costs under pyperf: "
                            + ", ".join(MICRO_WHAT)))
        print("%-22s %s" % ("peers", "the timestamp server on fastsock, "
                            "the stdlib, asyncio, uvloop, gevent and Twisted "
                            "(bench/peers.py), persistent x 16/128/512 and "
                            "short x 16/128 connections; fastsock and uvloop "
                            "also from 2 processes (informative)"))
        return 0
    ctx = Context(args)
    out = args.out or os.path.join(HERE, "results", "quick" if args.quick else "")
    os.makedirs(out, exist_ok=True)
    try:
        return run_all(args, ctx, out)
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)


def write_peers(args, ctx, out, peers):
    """peers.json, peers.md and peers.png in the output directory."""
    doc = {"date": datetime.datetime.now(datetime.timezone.utc)
           .strftime("%Y-%m-%d %H:%M UTC"),
           "mode": "quick" if ctx.quick else "full",
           "machine": machine_info(), "peers": peers,
           "load": os.getloadavg()}
    m = doc["machine"]
    text = ("Measured %s on %s (`nproc` %s; kernel %s), Python %s, git %s; "
            "load average %.1f when the run ended (the machine is shared: "
            "see *How it measures*). Server and load generator "
            "(bench/c/loadgen, one thread, epoll) share the CPUs; loopback "
            "only.\n\n" % (doc["date"], m.get("Model name", "?"),
                            m.get("nproc", "?"), m.get("kernel"),
                            m.get("python"), m.get("git", "?"),
                            doc["load"][0])) + peers_markdown(peers)
    ctx.log("")
    if args.wide:
        ctx.log(text)
    else:
        # Its markdown tables have a column per server: wider than the
        # terminal table's 120 columns.
        ctx.log("peers: tables in %s (--wide prints them here)"
                % os.path.relpath(os.path.join(out, "peers.md")))
    with open(os.path.join(out, "peers.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(out, "peers.md"), "w") as f:
        f.write(text)
    if not args.no_plots:
        try:
            import plots
            path = plots.plot_peers(doc, os.path.join(out, "peers.png"))
            if path:
                ctx.log("plot: %s" % os.path.relpath(path))
        except ImportError as exc:
            ctx.log("plots skipped (%s; pip install matplotlib)" % exc)
    if args.update_readme:
        update_readme(text, ctx.log, "peers")


def run_all(args, ctx, out):
    only = set(args.only or [])
    fs = fastsock_info()
    if fs["importable"]:
        ctx.log("fastsock: %s (%s)" % (fs["package"], fs["extension"]))
    else:
        ctx.log("fastsock is not importable (%s): its columns will be n/a. "
                "Install it, or set PYTHONPATH (tools/devbuild prints one)."
                % fs["error"])
    ctx.built = build_c(ctx.log)
    rows = []
    for sc in SCENARIOS:
        if only and sc.name not in only:
            continue
        if ctx.quick and not only and sc.target is None:
            continue    # the informative variants only in full runs
        ctx.log("%s: %s ..." % (sc.name, sc.title))
        t0 = time.monotonic()
        rows.append(run_scenario(sc, ctx))
        ctx.log("  done in %.1fs" % (time.monotonic() - t0))
    micro = []
    if not only or "micro" in only:
        ctx.log("micro: per-call costs under pyperf ...")
        t0 = time.monotonic()
        micro = run_micro(ctx)
        ctx.log("  done in %.1fs" % (time.monotonic() - t0))
    if (not only and not ctx.quick) or "peers" in only:
        t0 = time.monotonic()
        write_peers(args, ctx, out, run_peers(ctx))
        ctx.log("  peers done in %.1fs" % (time.monotonic() - t0))
    if only and not rows and not micro:
        return 0    # only the peers ran: keep the last full run's files
    doc = {"date": datetime.datetime.now(datetime.timezone.utc)
           .strftime("%Y-%m-%d %H:%M UTC"),
           "mode": "quick" if ctx.quick else "full", "cpu": ctx.cpu,
           "pinned_metric": "wall" if ctx.wall else "cpu",
           "machine": machine_info(), "fastsock": fs,
           "elapsed_seconds": round(time.monotonic() - ctx.start, 1),
           "scenarios": rows, "micro": micro, "notes": ctx.notes}
    ctx.log("")
    print_table(rows, ctx.log, args.wide)
    if micro:
        ctx.log("")
        print_table(micro, ctx.log, args.wide)
    for line in ctx.notes:
        ctx.log("note: " + line)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    summary = summary_markdown(doc)
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(summary)
    if not args.no_plots:
        try:
            import plots
            for path in plots.make_all(doc, out):
                ctx.log("plot: %s" % os.path.relpath(path))
        except ImportError as exc:
            ctx.log("plots skipped (%s; pip install matplotlib)" % exc)
    if args.update_readme:
        update_readme(summary, ctx.log)
    ctx.log("results: %s (%.0fs)" % (os.path.relpath(out), doc["elapsed_seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
