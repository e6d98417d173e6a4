#!/usr/bin/env python3
"""Python 2 mode (``run --py2``) against plain Python 3 use of fastsock.

    python bench/py2_mode.py [--quick] [--json OUT]

The hot paths of the book's programs, each timed on fastsock as a Python 3
program uses it and as a Python 2 program does under ``run --py2`` (the
socket subclass of fastsock._py2 and its socket files), in the same run,
interleaved, repeated; the figure is the median time per operation and the
ratio py2 mode / Python 3 (target of issue 10: at most 1.10).

ping-pong    send 64 bytes one way, recv them, send them back, recv again
             (4 calls and 4 syscalls per round trip; one thread, loopback
             TCP, so no scheduler noise)
udp          sendto + recvfrom of 64 bytes, both ways
readline     read lines of 64 bytes through makefile(): Python 3 with a
             text file ('r', UTF-8) and a binary one ('rb'), py2 mode with
             its file (str lines, as Python 2's)
readline-zh  the same with UTF-8 Chinese text in the lines

One thread does both ends: the writer fills the socket buffer with a block
of lines and the reader consumes them, so the loop measures the calls, not
the scheduler.  The clock is the thread's CPU time (user + system, so the
syscalls count), which a busy machine's preemptions do not inflate.
Loopback only; bounded in count and time.
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "pysrc"))

import fastsock  # noqa: E402
from fastsock import _py2  # noqa: E402

P2 = _py2._build_socket_module()


def tcp_pair(mod):
    srv = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    c.connect(srv.getsockname())
    s, _ = srv.accept()
    srv.close()
    for x in (c, s):
        x.setsockopt(mod.IPPROTO_TCP, mod.TCP_NODELAY, 1)
    return c, s


def ping_pong(mod, msg):
    c, s = tcp_pair(mod)

    def run(n):
        send_c, recv_c, send_s, recv_s = c.send, c.recv, s.send, s.recv
        t0 = time.thread_time()
        for _ in range(n):
            send_c(msg)
            data = recv_s(1024)
            send_s(data)
            recv_c(1024)
        return time.thread_time() - t0
    return run, (c, s)


def udp(mod, msg):
    a = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    b = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    addr_a, addr_b = a.getsockname(), b.getsockname()

    def run(n):
        t0 = time.thread_time()
        for _ in range(n):
            a.sendto(msg, addr_b)
            data, addr = b.recvfrom(1024)
            b.sendto(data, addr)
            a.recvfrom(1024)
        return time.thread_time() - t0
    return run, (a, b)


def readline(mod, line_bytes, mode):
    c, s = tcp_pair(mod)
    if mod is P2:
        f = s.makefile(mode)
    elif "b" in mode:
        f = s.makefile(mode)
    else:
        f = s.makefile(mode, encoding="utf-8", newline="")
    per_block = 32768 // len(line_bytes)
    block = line_bytes * per_block
    sendall = fastsock.socket.sendall        # the writer is the same for all

    def run(n):
        rl = f.readline
        blocks = max(1, n // per_block)
        t0 = time.thread_time()
        for _ in range(blocks):
            sendall(c, block)
            for _ in range(per_block):
                rl()
        return (time.thread_time() - t0) * n / (blocks * per_block)
    return run, (f, c, s)


def cases():
    ascii_line = (b"x" * 63) + b"\n"
    zh = "\u4f60\u597d\uff0c\u4e16\u754c\uff01".encode("utf-8")    # 18 bytes
    zh_line = zh * 3 + b"abcdefghi\n"                              # 64 bytes
    msg3, msg2 = b"m" * 64, "m" * 64
    return [
        ("ping-pong", [("py3", lambda: ping_pong(fastsock, msg3)),
                       ("py2 mode", lambda: ping_pong(P2, msg2))]),
        ("udp", [("py3", lambda: udp(fastsock, msg3)),
                 ("py2 mode", lambda: udp(P2, msg2))]),
        ("readline", [("py3 'r'", lambda: readline(fastsock, ascii_line, "r")),
                      ("py3 'rb'", lambda: readline(fastsock, ascii_line, "rb")),
                      ("py2 mode", lambda: readline(P2, ascii_line, "r"))]),
        ("readline-zh", [("py3 'r'", lambda: readline(fastsock, zh_line, "r")),
                         ("py3 'rb'", lambda: readline(fastsock, zh_line, "rb")),
                         ("py2 mode", lambda: readline(P2, zh_line, "r"))]),
    ]


def measure(quick):
    n_ops = {"ping-pong": 4000, "udp": 4000, "readline": 100000,
             "readline-zh": 100000}
    rounds = 5 if quick else 15
    results = {}
    for name, variants in cases():
        runs = {}
        for label, make in variants:
            runs[label] = make()
        n = n_ops[name] // (4 if quick else 1)
        for _, (run, _keep) in runs.items():
            run(n // 10)                      # warm up
        times = {label: [] for label in runs}
        for r in range(rounds):
            order = list(runs)
            order = order[r % len(order):] + order[:r % len(order)]
            for label in order:
                times[label].append(runs[label][0](n) / n * 1e9)
        for _, keep in runs.values():
            for obj in keep:
                obj.close()
        results[name] = {label: statistics.median(v) for label, v in times.items()}
    return results


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", metavar="OUT")
    args = p.parse_args(argv)
    results = measure(args.quick)
    print("Python 2 mode vs Python 3 on fastsock (ns per operation, median; "
          "Python %s)" % sys.version.split()[0])
    print("%-12s %-10s %10s %9s" % ("case", "variant", "ns/op", "py2/py3"))
    for name, row in results.items():
        base = row.get("py3") or row.get("py3 'r'")
        for label, ns in row.items():
            print("%-12s %-10s %10.0f %9s" % (
                name, label, ns, "%.3f" % (ns / base) if label == "py2 mode" else ""))
        if "py3 'rb'" in row:
            print("%-12s %-10s %10s %9.3f  (py2 mode / py3 'rb')" % (
                "", "", "", row["py2 mode"] / row["py3 'rb'"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
