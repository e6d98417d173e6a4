"""Shared fixtures and helpers for the differential tests.

The backbone of the suite is running one operation on the stdlib ``socket``
module and on ``fastsock`` and comparing what happens.  ``outcome()`` turns
a call into a comparable value (the result, or the exception's type, errno
and message); ``both()`` runs an operation on each module and returns the
two outcomes.  Fixtures stay small and generic: other test files use them.
"""
import os
import re
import socket as stdsocket
import sys
import tempfile
import time

import pytest

import fastsock

MODULES = {"stdlib": stdsocket, "fastsock": fastsock}


# "<memory at 0x7f...>": the part of a repr() that changes from run to run.
_ADDRESS = re.compile(r" (object )?at 0x[0-9a-fA-F]+")


def without_addresses(text):
    """A test id without object addresses, so that every run (and each
    pytest-xdist worker, which must collect the same ids) names a
    parametrized test the same way."""
    return _ADDRESS.sub("", text)


def param_id(value):
    """ids= for parametrize: repr(value) without object addresses."""
    return without_addresses(repr(value))


@pytest.fixture(params=sorted(MODULES))
def mod(request):
    """Each socket module in turn: the test runs once per implementation."""
    return MODULES[request.param]


def _exc_info(exc):
    return (type(exc), getattr(exc, "errno", None), str(exc))


def outcome(fn, *args, **kwargs):
    """('ok', result) or ('raise', type, errno, message) of fn(...)."""
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the exception is the result
        return ("raise",) + _exc_info(exc)


def both(op, compare_message=True):
    """Run op(module) on the stdlib and on fastsock; return both outcomes.

    With compare_message=False the exception messages are dropped, for
    calls whose type and errno are the contract but whose wording is not.
    """
    results = []
    for module in (stdsocket, fastsock):
        res = outcome(op, module)
        if res[0] == "raise" and not compare_message:
            res = res[:3]
        results.append(res)
    return results


def assert_same(op, compare_message=True):
    """Assert that op(module) behaves the same on both modules."""
    std, fast = both(op, compare_message)
    assert fast == std, "stdlib: %r\nfastsock: %r" % (std, fast)
    return std


def has_ipv6_loopback():
    """Can we bind and connect on ::1 here?"""
    if not stdsocket.has_ipv6:
        return False
    try:
        with stdsocket.socket(stdsocket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def need_ipv6():
    if not has_ipv6_loopback():
        pytest.skip("IPv6 loopback (::1) is not usable on this machine")


@pytest.fixture
def tmpsock(tmp_path_factory):
    """A short AF_UNIX path in a fresh directory (sun_path is ~108 bytes, so
    pytest's long tmp_path is not used directly)."""
    d = tempfile.mkdtemp(prefix="fs-")
    counter = [0]

    def make(name=None):
        counter[0] += 1
        return os.path.join(d, name or "s%d" % counter[0])

    yield make
    for name in os.listdir(d):
        os.unlink(os.path.join(d, name))
    os.rmdir(d)


@pytest.fixture
def closing():
    """closing(sock) registers a socket to close at the end of the test."""
    socks = []

    def reg(*s):
        socks.extend(s)
        return s[0] if len(s) == 1 else s

    yield reg
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def tcp_listener(module, host="127.0.0.1", family=None):
    """A listening TCP socket of `module` on an ephemeral loopback port."""
    if family is None:
        family = module.AF_INET6 if ":" in host else module.AF_INET
    s = module.socket(family, module.SOCK_STREAM)
    s.setsockopt(module.SOL_SOCKET, module.SO_REUSEADDR, 1)
    s.bind((host, 0))
    s.listen()
    return s


def tcp_pair(module, server_module=None, host="127.0.0.1"):
    """(client, server_side, listener): a connected TCP pair over loopback,
    the client from `module`, the listener and accepted side from
    `server_module` (default: the same module)."""
    server_module = server_module or module
    lst = tcp_listener(server_module, host)
    fam = module.AF_INET6 if ":" in host else module.AF_INET
    cli = module.socket(fam, module.SOCK_STREAM)
    cli.settimeout(10)
    cli.connect(lst.getsockname()[:2])
    lst.settimeout(10)
    conn, _ = lst.accept()
    conn.settimeout(10)
    return cli, conn, lst


PY = sys.version_info[:2]


# Linux system call numbers of the calls a test may wait for a program or a
# thread to block in, by machine; elsewhere the waits below check less.
SYSCALLS = {
    "x86_64": {"read": 0, "poll": 7, "select": 23, "connect": 42,
               "accept": 43, "sendto": 44, "recvfrom": 45, "sendmsg": 46,
               "recvmsg": 47, "epoll_wait": 232, "pselect6": 270,
               "ppoll": 271, "epoll_pwait": 281, "accept4": 288},
    "aarch64": {"read": 63, "pselect6": 72, "ppoll": 73, "epoll_pwait": 22,
                "accept": 202, "connect": 203, "sendto": 206,
                "recvfrom": 207, "sendmsg": 211, "recvmsg": 212,
                "accept4": 242},
}
# A readiness wait, which a call with a timeout makes before its I/O.
WAITS = ("poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait")


def syscall_numbers(calls):
    """The /proc/PID/syscall numbers (as text) of *calls*, or None when
    none were asked for or this machine's numbers are not known (or
    /proc/PID/syscall cannot be read: some kernels leave it out)."""
    table = SYSCALLS.get(os.uname().machine)
    if not calls or table is None or not os.path.exists("/proc/self/syscall"):
        return None
    return {str(table[c]) for c in calls if c in table}


def asleep_in(task, calls=None, limit=30.0):
    """Wait (bounded by `limit` seconds) until a task sleeps in a system
    call (state S in /proc), and with *calls* (names such as "accept") in
    one of those calls when this machine's numbers are known.  `task` is
    "/proc/PID/" for a process (its main thread) or "/proc/self/task/TID/"
    for a thread of this process.  A test that must act while a program or
    thread is blocked in a call (close the socket under it, send it a
    signal) waits for that, not for a pause of fixed length, which a
    loaded machine can outlast.  Returns whether the task got there
    (False: it ended, or the limit passed)."""
    numbers = syscall_numbers(calls)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with open(task + "stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "S" and numbers is not None:
                with open(task + "syscall") as f:
                    if f.read().split()[0] not in numbers:
                        state = "elsewhere"
        except PermissionError:
            # Another process's syscall file is under ptrace rules (Yama,
            # a container without CAP_SYS_PTRACE): the state alone, then.
            numbers = None
            continue
        except OSError:
            return False            # it has ended
        if state == "S":
            return True
        if state in ("Z", "X"):
            return False
        time.sleep(0.002)
    return False


def wait_thread_asleep(native_id, calls, limit=30.0):
    """asleep_in() for the thread `native_id` of this process
    (threading.get_native_id()), e.g. blocked in recv() before another
    thread closes the socket under it.  The state alone cannot tell that
    here: a thread also sleeps while it waits for the GIL; so where the
    numbers of *calls* are not known, a pause of 0.2 s stands in."""
    if syscall_numbers(calls) is None:
        time.sleep(0.2)
        return True
    return asleep_in("/proc/self/task/%d/" % native_id, calls, limit)
