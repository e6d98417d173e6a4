"""Short, bounded runs of the fuzz targets in fuzz/, and their regressions.

Each target runs in a subprocess (so a crash in the C code fails one test,
not the whole session) with the plain random driver, a fixed seed and a
bound on both the input count and the time, then every saved input under
fuzz/regressions/<target>/ is replayed.  When atheris is installed, one
target also runs briefly under it, so the coverage-guided path stays
working.  Long runs: fuzz/README.md.
"""
import os
import subprocess
import sys

import pytest

import socket as stdsocket

import fastsock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")
TARGETS = ["fuzz_inet", "fuzz_addr", "fuzz_sockopt", "fuzz_msg",
           "fuzz_makefile"]
# Per-target budget: the sanitizer build is ~10x slower, so it gets fewer
# inputs in the same time.
SANITIZED = bool(os.environ.get("FASTSOCK_SANITIZED"))
RUNS = int(os.environ.get("FUZZ_SHORT_RUNS", "20000" if not SANITIZED else "2000"))
SECONDS = int(os.environ.get("FUZZ_SHORT_SECONDS", "5"))


def _env(tmp_path):
    env = dict(os.environ)
    env["FUZZ_ARTIFACTS"] = str(tmp_path)
    paths = [p for p in sys.path if p and os.path.isdir(p)]
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(fastsock.__file__))] + paths)
    return env


def _run(args, tmp_path, driver="random", timeout=120):
    env = _env(tmp_path)
    env["FUZZ_DRIVER"] = driver
    proc = subprocess.run([sys.executable] + args, cwd=str(tmp_path), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)
    out = proc.stdout.decode("utf-8", "replace")
    return proc.returncode, out


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target_short_run(target, tmp_path):
    rc, out = _run([os.path.join(FUZZ, target + ".py"), "-runs=%d" % RUNS,
                    "-max_total_time=%d" % SECONDS, "-seed=20261122",
                    "-keep_going=1"], tmp_path)
    assert rc == 0 and "no finding" in out, out[-6000:]


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_regressions_replay(target, tmp_path):
    corpus = os.path.join(FUZZ, "regressions", target)
    if not os.path.isdir(corpus) or not os.listdir(corpus):
        pytest.skip("no saved regression input for %s yet" % target)
    rc, out = _run([os.path.join(FUZZ, target + ".py"), corpus], tmp_path)
    assert rc == 0 and "no finding" in out, out[-6000:]


def test_fuzz_atheris_driver(tmp_path):
    """The coverage-guided driver runs (inet target, a few thousand inputs)."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        pytest.skip("atheris is not installed (pip install atheris)")
    if os.environ.get("LD_PRELOAD"):
        pytest.skip("sanitizer runtime preloaded: atheris needs its own "
                    "(fuzz/build_native.sh); covered by the plain run")
    rc, out = _run([os.path.join(FUZZ, "fuzz_inet.py"), "-runs=3000",
                    "-max_total_time=10", "-seed=1",
                    "-artifact_prefix=%s/" % tmp_path], tmp_path,
                   driver="atheris")
    assert rc == 0 and "Done 3000 runs" in out, out[-6000:]


# ---------------------------------------------------------------------
# Findings of the fuzzers, as readable regression tests
# ---------------------------------------------------------------------

def _kind(fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001 - the exception is the result
        return (type(exc).__name__, getattr(exc, "errno", None))
    return ("ok", None)


@pytest.mark.parametrize("args", [
    ("str", 2**31, ("127.0.0.1", 9)),       # data checked before flags
    (None, 2**31, ("127.0.0.1", 9)),
    (b"x", "0", ("127.0.0.1", 9)),
    (b"x", 2**31, ("127.0.0.1", 9)),
])
def test_sendto_argument_check_order(args):
    """fuzz_addr: sendto(data, flags, address) checks its arguments in the
    stdlib's order, so a call wrong in two ways raises the same error."""
    results = []
    for mod in (stdsocket, fastsock):
        with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
            results.append(_kind(s.sendto, *args))
    assert results[1] == results[0]


def test_bad_input_table_holds():
    """docs/hardening.md's bad-input table: every row raises the same
    exception (type and errno) on fastsock as on the stdlib."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    try:
        import badinput_table
    finally:
        sys.path.pop(0)
    rows = badinput_table.table(fastsock)
    differ = [(what, call, std, got) for what, call, std, got in rows
              if std != got]
    assert len(rows) >= 30 and differ == []


def test_readme_bad_input_table_is_the_computed_one():
    """The README's bad-input table is exactly what the tool computes."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    start = readme.index("<!-- badinput:start -->\n") + len("<!-- badinput:start -->\n")
    shown = readme[start:readme.index("<!-- badinput:end -->")]
    computed = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "badinput_table.py")],
        capture_output=True, text=True, timeout=120, check=True).stdout
    assert shown == computed
