"""Per-call micro benchmarks, run by pyperf (bench/run.py starts this).

    python bench/micro.py [pyperf options] -o OUT.json

Each case is timed for the stdlib's socket module and for fastsock, one
right after the other, under the names "<case> [stdlib]" and
"<case> [fastsock]".  pyperf spawns its own worker processes and re-runs
this script in them, so the list of cases must come out the same every
time: it depends only on whether fastsock can be imported and has the
function a case calls.
"""

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


def main():
    runner = pyperf.Runner()
    runner.metadata["description"] = "fastsock per-call micro benchmarks"
    for case, (setup, stmt) in CASES.items():
        impls = [("stdlib", "import socket as S")]
        if fastsock_usable(case):
            impls.append(("fastsock", "import fastsock as S"))
        for impl, imp in impls:
            runner.timeit("%s [%s]" % (case, impl), stmt=stmt,
                          setup=imp + ("; " + setup if setup else ""))


if __name__ == "__main__":
    main()
