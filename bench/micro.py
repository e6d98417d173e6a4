"""Per-call micro benchmarks, run by pyperf (bench/run.py starts this).

    python bench/micro.py [pyperf options] -o OUT.json

Each case is timed for the stdlib's socket module and for fastsock, one
right after the other, under the names "<case> [stdlib]" and
"<case> [fastsock]", with the thread's CPU time as the clock (see
make_time_func).  pyperf spawns its own worker processes and re-runs
this script in them, so the list of cases must come out the same every
time: it depends only on whether fastsock can be imported and has the
function a case calls.
"""

import os

import pyperf

# name -> (setup, statement); "S" is the socket module under test.
CASES = {
    "htons": ("", "S.htons(8080)"),
    "inet_aton": ("", "S.inet_aton('192.168.17.42')"),
    "inet_ntoa": ("", "S.inet_ntoa(b'\\x7f\\x00\\x00\\x01')"),
    "getaddrinfo_numeric": ("", "S.getaddrinfo('127.0.0.1', 80)"),
    "gethostbyname_numeric": ("", "S.gethostbyname('127.0.0.1')"),
    "gethostbyname_localhost": ("", "S.gethostbyname('localhost')"),
    "socket_close": ("", "S.socket(S.AF_INET, S.SOCK_STREAM).close()"),
    "settimeout_gettimeout": (
        "s = S.socket(S.AF_INET, S.SOCK_STREAM)",
        "s.settimeout(1.0); s.gettimeout()"),
    "getsockname": (
        "s = S.socket(S.AF_INET, S.SOCK_STREAM); s.bind(('127.0.0.1', 0))",
        "s.getsockname()"),
}

# The function each case needs, to skip a case fastsock cannot run yet.
NEEDS = {
    "htons": "htons", "inet_aton": "inet_aton", "inet_ntoa": "inet_ntoa",
    "getaddrinfo_numeric": "getaddrinfo",
    "gethostbyname_numeric": "gethostbyname",
    "gethostbyname_localhost": "gethostbyname",
    "socket_close": "socket", "settimeout_gettimeout": "socket",
    "getsockname": "socket",
}


def fastsock_usable(case):
    """Can fastsock run this case?  Checked by running it once."""
    try:
        import fastsock as S
    except ImportError:
        return False
    if not hasattr(S, NEEDS[case]):
        return False
    setup, stmt = CASES[case]
    env = {"S": S}
    try:
        exec(setup, env)
        exec(stmt, env)
    except Exception:
        return False
    return True


def make_time_func(module_name, setup, stmt):
    """A pyperf time function running stmt `loops` times, timed by `clock`.

    The clock is the thread's CPU time (time.thread_time, user + system):
    the machine is shared, and wall time counted every other process that
    ran meanwhile; CPU time counts only this call's own work, the kernel's
    part of it included."""
    src = ("def time_func(loops, clock):\n"
           "    %s\n"
           "    rng = range(loops)\n"
           "    t0 = clock()\n"
           "    for _ in rng:\n"
           "        %s\n"
           "    return clock() - t0\n" % (setup or "pass", stmt))
    env = {"S": __import__(module_name)}
    exec(compile(src, "<micro %s>" % stmt, "exec"), env)
    return env["time_func"]


def main():
    import time
    runner = pyperf.Runner()
    runner.metadata["description"] = "fastsock per-call micro benchmarks"
    runner.metadata["timer"] = "time.thread_time (CPU time of the thread)"
    # bench/run.py runs this script several times, alternating which module
    # goes first (the variable reaches pyperf's workers by --inherit-environ,
    # so that they register the benchmarks in the same order).
    fastsock_first = os.environ.get("FASTSOCK_BENCH_ORDER") == "fastsock-first"
    for case, (setup, stmt) in CASES.items():
        impls = ["socket"]
        if fastsock_usable(case):
            impls.append("fastsock")
        if fastsock_first:
            impls.reverse()
        for module_name in impls:
            impl = "stdlib" if module_name == "socket" else "fastsock"
            func = make_time_func(module_name, setup, stmt)
            runner.bench_time_func("%s [%s]" % (case, impl), func,
                                   time.thread_time)


if __name__ == "__main__":
    main()
