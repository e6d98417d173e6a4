#!/usr/bin/env python3
"""Where a request's time goes in the timestamp servers of bench/peers.py.

    python bench/profile_servers.py [--servers NAME ...] [--conns N ...]
                                    [--seconds S] [--no-strace] [--no-perf]

For each server and each count of persistent connections, three load runs
of bench/c/loadgen against a fresh server process (loopback only, each
bounded by --seconds):

1. plain: requests/s, the server's CPU time per request and its context
   switches per request (voluntary: a thread blocked and was woken again
   - a GIL hand-off or an I/O wait; involuntary: preempted), summed over
   the server's threads from /proc/PID/task/*/status;
2. `strace -c -f` attached to the server: system calls per request, by
   name (strace slows the server down; the counts per request hold);
3. `perf record -e cpu-clock` attached to the server (software sampling:
   this VM has no hardware counters): the share of the server's CPU time
   in the kernel, in the GIL's functions (take_gil / drop_gil and the
   futex waits under them), in the interpreter, in _fastsock and in libc.

Prints one table per measure, as markdown, for bench/README.md.  Needs
strace and perf (each part is skipped with a reason when missing).
"""

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the server process and loadgen)


def task_switches(pid):
    """(voluntary, involuntary) context switches summed over the process's
    live threads (/proc/PID/status alone has the main thread's)."""
    vol = invol = 0
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for tid in tasks:
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                text = f.read()
        except OSError:
            continue
        vol += int(re.search(r"\nvoluntary_ctxt_switches:\s*(\d+)",
                             text).group(1))
        invol += int(re.search(r"nonvoluntary_ctxt_switches:\s*(\d+)",
                               text).group(1))
    return vol, invol


class Sampler(threading.Thread):
    """Samples task_switches(pid) every 100 ms while the load runs: the
    handler threads of persistent connections end with the load, taking
    their counts with them, so the rate is taken inside the run."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()

    def run(self):
        while not self.stop.wait(0.1):
            sw = task_switches(self.pid)
            if sw:
                self.samples.append((time.monotonic(), sw))

    def rates(self, start, end):
        """Switches per second (voluntary, involuntary) in [start, end]."""
        got = [s for s in self.samples if start <= s[0] <= end]
        if len(got) < 2:
            return None
        (t0, a), (t1, b) = got[0], got[-1]
        return (b[0] - a[0]) / (t1 - t0), (b[1] - a[1]) / (t1 - t0)


class Ctx:
    def __init__(self, seconds):
        self.server_seconds = seconds
        self.built = run.build_c(print)
        self.notes = []

    def note(self, text):
        print("  note: " + text)


def start(name, conns):
    server = run.ServerProcess([sys.executable, run.PEERS_PY, name,
                                "persistent", str(conns)])
    return server, server.port()


def load(ctx, port, conns):
    return run.run_loadgen(ctx, port, "persistent", conns,
                           warmup_ms=300 if conns <= 128 else 600)


def plain(ctx, name, conns):
    server, port = start(name, conns)
    sampler = Sampler(server.proc.pid)
    warm = 0.3 if conns <= 128 else 0.6
    try:
        cpu0 = server.cpu_seconds()
        sampler.start()
        t0 = time.monotonic()
        rate, info = load(ctx, port, conns)
        cpu1 = server.cpu_seconds()
    finally:
        sampler.stop.set()
        server.stop()
    n = info["all_requests"]
    # The measured part of the load run, less its last 150 ms.
    sw = sampler.rates(t0 + warm, t0 + warm + ctx.server_seconds - 0.15)
    vol, invol = (sw[0] / rate, sw[1] / rate) if sw else (None, None)
    return {"rate": rate, "cpu_us": (cpu1 - cpu0) / n * 1e6,
            "vol": vol, "invol": invol,
            "p50_us": info.get("p50_us"), "p99_us": info.get("p99_us")}


def strace_counts(ctx, name, conns):
    """{syscall: calls per request} under strace -c -f."""
    server, port = start(name, conns)
    out = "/tmp/fastsock-strace-%d.txt" % os.getpid()
    tracer = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p",
                               str(server.proc.pid)],
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)     # attached to every thread
        _, info = load(ctx, port, conns)
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(30)
        server.stop()
    counts = {}
    with open(out) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
                try:
                    counts[parts[-1]] = int(parts[3])
                except ValueError:
                    continue
    os.unlink(out)
    n = info["all_requests"]
    return {k: v / n for k, v in counts.items()}, n


CATEGORIES = [
    ("GIL", re.compile(r"take_gil|drop_gil|PyCOND|_PyMUTEX|pthread_cond|"
                       r"__futex|futex|PyThread_acquire|PyEval_(Save|Restore)"
                       r"Thread|_PyEval_(Take|Release)GIL|ceval_gil|"
                       r"eval_breaker|_PyThreadState_Swap|new_threadstate")),
]


def perf_profile(ctx, name, conns):
    """{category: share of samples} from perf record -e cpu-clock."""
    server, port = start(name, conns)
    data = "/tmp/fastsock-perf-%d.data" % os.getpid()
    rec = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock",
                            "-F", "4000", "-g", "-o", data, "-p",
                            str(server.proc.pid)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        load(ctx, port, conns)
    finally:
        rec.send_signal(signal.SIGINT)
        rec.wait(30)
        server.stop()
    rep = subprocess.run(["perf", "report", "-i", data, "--no-children",
                          "--sort", "dso,sym", "--stdio", "-g", "none",
                          "--percent-limit", "0"],
                         capture_output=True, text=True, timeout=300)
    os.unlink(data)
    shares = collections.Counter()
    top = []
    for line in rep.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)", line)
        if not m:
            continue
        pct, dso, where, sym = float(m.group(1)), m.group(2), m.group(3), \
            m.group(4).strip()
        if where == "k" or dso.startswith("[kernel"):
            cat = "kernel"
        elif CATEGORIES[0][1].search(sym):
            cat = "GIL"
        elif "_fastsock" in dso:
            cat = "_fastsock"
        elif "libpython" in dso or dso.startswith("python"):
            cat = "interpreter"
        elif "libc" in dso:
            cat = "libc"
        elif "uvloop" in dso or "loop.cpython" in dso:
            cat = "uvloop"
        else:
            cat = "other"
        shares[cat] += pct
        if len(top) < 12:
            top.append("%5.1f%% %s %s" % (pct, dso, sym[:60]))
    return dict(shares), top


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--servers", nargs="+",
                   default=["stdlib", "fastsock", "fastsock-pool",
                            "uvloop-protocol"])
    p.add_argument("--conns", nargs="+", type=int, default=[128, 512])
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--no-strace", action="store_true")
    p.add_argument("--no-perf", action="store_true")
    args = p.parse_args(argv)
    ctx = Ctx(args.seconds)
    use_strace = not args.no_strace and shutil.which("strace")
    use_perf = not args.no_perf and shutil.which("perf")
    rows = []
    for conns in args.conns:
        for name in args.servers:
            print("%s x %d ..." % (name, conns), flush=True)
            row = {"name": name, "conns": conns}
            try:
                row["plain"] = plain(ctx, name, conns)
                if use_strace:
                    row["strace"], row["strace_n"] = strace_counts(ctx, name, conns)
                if use_perf:
                    row["perf"], row["top"] = perf_profile(ctx, name, conns)
            except run.NA as exc:
                print("  skipped: %s" % exc)
                continue
            print("  %r" % row["plain"])
            for line in row.get("top", []):
                print("    " + line)
            rows.append(row)
    print()
    print("| server | conns | req/s | CPU us/req | vol. switches/req | "
          "invol./req | p50 / p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        q = r["plain"]
        print("| %s | %d | %.0f | %.1f | %s | %s | %.2f / %.1f |" % (
            r["name"], r["conns"], q["rate"], q["cpu_us"],
            "-" if q["vol"] is None else "%.2f" % q["vol"],
            "-" if q["invol"] is None else "%.2f" % q["invol"],
            q["p50_us"] / 1e3, q["p99_us"] / 1e3))
    if use_strace:
        names = collections.Counter()
        for r in rows:
            for k, v in r.get("strace", {}).items():
                names[k] += v
        cols = [k for k, _ in names.most_common(8)]
        print()
        print("| server | conns | syscalls/req | " + " | ".join(cols) + " |")
        print("|---|---|---|" + "---|" * len(cols))
        for r in rows:
            s = r.get("strace", {})
            print("| %s | %d | %.2f | %s |" % (
                r["name"], r["conns"], sum(s.values()),
                " | ".join("%.2f" % s.get(k, 0) for k in cols)))
    if use_perf:
        cats = ["kernel", "GIL", "interpreter", "_fastsock", "libc", "uvloop",
                "other"]
        print()
        print("| server | conns | " + " | ".join(cats) + " |")
        print("|---|---|" + "---|" * len(cats))
        for r in rows:
            s = r.get("perf", {})
            print("| %s | %d | %s |" % (r["name"], r["conns"], " | ".join(
                "%.0f%%" % s.get(c, 0) for c in cats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
