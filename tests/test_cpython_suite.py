"""CPython's own test suites, run against fastsock.

CPython's test_socket and test_socketserver define what "compatible" means.
Each runs here under ``python -m fastsock run -m unittest``, so its
``import socket`` / ``import socketserver`` get fastsock.  A test that fails
must either be one of the known, documented differences below, or also fail
on the plain stdlib on this machine (an environment limit, such as a VSOCK
port already taken); anything else fails this test.
"""
import os
import re
import subprocess
import sys

import pytest

# test id -> why it cannot pass against fastsock (README, "Differences").
KNOWN_DIFFERENCES = {
    "test.test_socket.GeneralModuleTests.test_SocketType_is_socketobject":
        "asserts socket.SocketType is _socket.socket, the stdlib's C type",
    "test.test_socketserver.MiscTestCase.test_all":
        "counts names whose __module__ is the literal 'socketserver'; ours "
        "live in fastsock.socketserver, and __all__ has the pool classes",
}

SUITES = ["test.test_socket", "test.test_socketserver"]

# "FAIL: name (test.mod.Class.name)" on 3.11+, "(test.mod.Class)" before.
_FAILED = re.compile(r"^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)", re.M)


def _failed_ids(output):
    ids = set()
    for name, where in _FAILED.findall(output):
        ids.add(where if where.endswith("." + name) else where + "." + name)
    return ids


def _run(args, timeout):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable] + args, capture_output=True,
                          text=True, timeout=timeout, env=env)
    return proc.returncode, proc.stdout + proc.stderr


# What faulthandler prints when the runner's watchdog fires.
_WATCHDOG = re.compile(r"Timeout \(\d+:\d\d:\d\d(?:\.\d+)?\)!$", re.M)

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "cpython_runner.py")

# Test classes that depend on what the machine offers rather than on the
# socket module: each is tried on the plain stdlib first and left out of the
# fastsock run when the stdlib cannot pass it here.  (VSOCK: under gVisor a
# loopback VSOCK connect never completes, and the suite would hang on it.)
ENVIRONMENT_PROBES = {
    "test.test_socket": ["test.test_socket.ThreadedVSOCKSocketStreamTest",
                         "test.test_socket.BasicVSOCKTest"],
}


def _run_watched(suite, on_fastsock, tmp_path, exclude=(), only=None,
                 per_test=120, overall=420):
    """Run ``suite`` (or the tests in ``only``) through cpython_runner.

    Returns (rc, output, hung): ``hung`` is the id of the test the watchdog
    stopped, or None.
    """
    current = tmp_path / "current-test"
    if current.exists():
        current.unlink()
    args = [RUNNER, suite, "--per-test-timeout", str(per_test),
            "--current-file", str(current)]
    for prefix in exclude:
        args += ["--exclude", prefix]
    if only is not None:
        # Everything but ``only`` is excluded by running it as the module.
        args[1] = only
    if on_fastsock:
        args = ["-m", "fastsock", "run"] + args
    rc, out = _run(args, overall)
    hung = None
    if rc != 0 and _WATCHDOG.search(out) and current.exists():
        hung = current.read_text().strip()
    return rc, out, hung


def _stdlib_passes(test_id, tmp_path):
    rc, out, hung = _run_watched(test_id, False, tmp_path, per_test=30,
                                 overall=120)
    return rc == 0 and hung is None and re.search(r"^OK\b", out, re.M)


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("suite", SUITES)
def test_cpython_suite_passes_on_fastsock(suite, tmp_path):
    rc, _ = _run(["-c", "import " + suite], 60)
    if rc != 0:
        pytest.skip("CPython's %s is not installed with this interpreter"
                    % suite)
    exclude = []
    for test_id in ENVIRONMENT_PROBES.get(suite, []):
        if not _stdlib_passes(test_id, tmp_path):
            print("left out: %s does not pass on the stdlib here either"
                  % test_id)
            exclude.append(test_id)
    # A test that hangs on fastsock is left out only if it also cannot pass
    # on the stdlib here; the suite is then run again without it.
    for _ in range(3):
        rc, out, hung = _run_watched(suite, True, tmp_path, exclude)
        if hung is None:
            break
        assert not _stdlib_passes(hung, tmp_path), (
            "%s hangs on fastsock but passes on the stdlib:\n%s"
            % (hung, out[-6000:]))
        print("left out: %s hangs here on the stdlib as well" % hung)
        exclude.append(hung)
    assert hung is None, "tests keep hanging: %s\n%s" % (exclude,
                                                          out[-6000:])
    ran = re.search(r"^Ran (\d+) tests?", out, re.M)
    assert ran and int(ran.group(1)) > 0, out[-3000:]
    failed = _failed_ids(out)
    if rc != 0:
        assert failed, "the suite failed without naming a test:\n" + out[-3000:]
    unexplained = sorted(failed - set(KNOWN_DIFFERENCES))
    if unexplained:
        # Tests that fail on the plain stdlib too are this machine's limits.
        still = [t for t in unexplained if not _stdlib_passes(t, tmp_path)]
        for test_id in still:
            print("fails on the stdlib here too (environment):", test_id)
        unexplained = sorted(set(unexplained) - set(still))
    assert unexplained == [], out[-6000:]
    print("%s: %s tests, failing only where expected: %s"
          % (suite, ran.group(1), sorted(failed) or "none"))
