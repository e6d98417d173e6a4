#!/usr/bin/env python3
"""Run third-party packages' own test suites with ``pytest --fastsock=both``.

For each suite: download the package's source distribution from PyPI with
pip (``pip download --no-binary :all: --no-deps``), create a private venv
with the suite's test dependencies, start the servers it needs on loopback
(memcached on 127.0.0.1 and a free port), and run its tests on the stdlib
and on fastsock (the pytest plugin, fastsock/pytest_plugin.py), bounded in
time.  The fastsock under test is the one this interpreter imports (a
devbuild on PYTHONPATH or an installed one): the venvs see it through a
directory of two symbolic links, so nothing is rebuilt.

    python3 tools/interop_suites.py                 # every suite
    python3 tools/interop_suites.py --suite h11     # one (repeatable)
    python3 tools/interop_suites.py --list

Prints each run's summary and a Markdown table (the one in
docs/interop.md).  Exit status 1 when a suite has a test whose outcome
differs between the implementations or a suite could not be run; 0 else.
Suites whose server is not installed are skipped with the reason printed.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import socket as _socket  # a free-port probe and a readiness check only
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> what the run needs.  Versions are pinned so that the figures in
# docs/interop.md can be reproduced; "deps" are the suite's test
# dependencies (its own pins are for older pytest versions than the
# plugin's >= 7, so only names are kept where that matters).
SUITES = {
    "h11": {
        "version": "0.16.0",
        "deps": ["pytest"],
        "args": ["h11/tests"],
        "about": "HTTP/1.1 state machine; test_against_stdlib_http drives "
                 "socketserver/http.server and urllib over loopback",
    },
    "waitress": {
        "version": "3.0.2",
        "deps": ["pytest"],
        # setup.cfg's addopts asks for pytest-cov: coverage is not needed.
        "args": ["-o", "addopts=", "tests"],
        "about": "WSGI server on its own asyncore loop; functional tests "
                 "fork a server and talk HTTP to it over loopback and AF_UNIX",
    },
    "httplib2": {
        "version": "0.32.1",
        "deps": ["pytest", "pytest-timeout", "pytest-forked", "pysocks", "cryptography",
                 "pyparsing"],
        # setup.cfg's addopts less its pytest-cov options.
        "args": ["-o", "addopts=--ignore=tests/_TODO_legacy/ --noconftest --timeout=30 "
                 "--strict-markers", "tests"],
        "about": "HTTP client; its tests start threaded socket servers "
                 "(HTTP, HTTPS, a SOCKS5 proxy) on loopback",
    },
    "pymemcache": {
        "version": "4.0.0",
        "deps": ["pytest", "faker"],
        # setup.cfg's addopts less pytest-cov and its "-m unit" (the
        # integration tests are the ones that talk to memcached); the
        # compression and benchmark modules need zstd and pylibmc, and
        # use no socket.
        "args": ["-o", "addopts=--tb=short -rfEsxX",
                 "--ignore=pymemcache/test/test_compression.py",
                 "--ignore=pymemcache/test/test_benchmark.py", "-m",
                 "unit or integration", "pymemcache/test",
                 "--server", "127.0.0.1", "--port", "{memcached_port}"],
        "service": "memcached",
        "about": "memcached client, unit tests and integration tests "
                 "against memcached on 127.0.0.1",
    },
}

SUMMARY = re.compile(r"^fastsock=both: (\d+) differ of (\d+) tests run on "
                     r"both(?:, (\d+) failed on both)?(?:, (\d+) ran on one "
                     r"side only)?", re.M)
COUNTS = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s", re.M)


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def run(cmd, timeout, **kw):
    """Run *cmd*; (status, output).  Output is stdout and stderr together."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, **kw)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode("utf-8", "replace")
        return None, out + "\n[timed out after %ss]" % timeout


def fastsock_dir(workdir):
    """A directory holding only fastsock and _fastsock, for PYTHONPATH."""
    import fastsock
    import _fastsock
    d = os.path.join(workdir, "fastsock-path")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    os.symlink(os.path.dirname(os.path.abspath(fastsock.__file__)),
               os.path.join(d, "fastsock"))
    so = os.path.abspath(_fastsock.__file__)
    os.symlink(so, os.path.join(d, os.path.basename(so)))
    return d


def free_port():
    with _socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_memcached():
    """memcached on 127.0.0.1 and a free port: (process, port) or a reason."""
    exe = shutil.which("memcached")
    if exe is None:
        return None, "memcached is not installed (apt-get install memcached)"
    port = free_port()
    proc = subprocess.Popen([exe, "-l", "127.0.0.1", "-p", str(port), "-U", "0",
                             "-m", "64", "-u", "root"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with _socket.create_connection(("127.0.0.1", port), timeout=1):
                return (proc, port), None
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    return None, "memcached did not start listening on 127.0.0.1:%d" % port


def download(name, version, workdir, timeout):
    """The suite's sdist, extracted: its directory, or raise RuntimeError."""
    sdists = os.path.join(workdir, "sdists")
    os.makedirs(sdists, exist_ok=True)
    status, out = run([sys.executable, "-m", "pip", "download", "-q",
                       "--no-binary", ":all:", "--no-deps", "-d", sdists,
                       "%s==%s" % (name, version)], timeout)
    if status != 0:
        raise RuntimeError("pip download %s==%s failed: %s"
                           % (name, version, out.strip()[-500:]))
    found = [p for p in glob.glob(os.path.join(sdists, "*.tar.gz"))
             if os.path.basename(p).lower().replace("_", "-").startswith(
                 "%s-%s" % (name.lower(), version))]
    if not found:
        raise RuntimeError("no sdist of %s %s in %s" % (name, version, sdists))
    src = os.path.join(workdir, "src")
    target = os.path.join(src, os.path.basename(found[0])[:-len(".tar.gz")])
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(src, exist_ok=True)
    with tarfile.open(found[0]) as tar:
        tar.extractall(src)
    return target


def make_venv(name, spec, srcdir, workdir, timeout):
    venv = os.path.join(workdir, "venv-" + name)
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        status, out = run([sys.executable, "-m", "venv", venv], timeout)
        if status != 0:
            raise RuntimeError("venv: " + out[-500:])
    status, out = run([py, "-m", "pip", "install", "-q", srcdir] + spec["deps"],
                      timeout)
    if status != 0:
        raise RuntimeError("pip install of %s's test dependencies failed: %s"
                           % (name, out.strip()[-800:]))
    return py


def counts(text):
    """{'passed': n, ...} from pytest's last summary line in *text*."""
    found = COUNTS.findall(text)
    if not found:
        return {}
    out = {}
    for part in found[-1].split(", "):
        n, word = part.split(" ", 1)
        out[word] = int(n)
    return out


def run_suite(name, spec, workdir, fsdir, timeout):
    """Run one suite; a result dict (also written as JSON in workdir)."""
    result = {"suite": name, "version": spec["version"]}
    srcdir = download(name, spec["version"], workdir, timeout)
    py = make_venv(name, spec, srcdir, workdir, timeout)
    service = None
    fmt = {}
    try:
        if spec.get("service") == "memcached":
            service, reason = start_memcached()
            if service is None:
                result["skipped"] = reason
                return result
            fmt["memcached_port"] = service[1]
        args = [a.format(**fmt) for a in spec["args"]]
        cmd = [py, "-m", "pytest", "-p", "fastsock.pytest_plugin",
               "--fastsock=both", "-p", "no:cacheprovider"] + args
        shown = ["pytest", "-p", "fastsock.pytest_plugin", "--fastsock=both"] + [
            a.replace("{memcached_port}", "PORT") for a in spec["args"]]
        result["command"] = shlex.join(shown)
        env = dict(os.environ, PYTHONPATH=fsdir, PYTEST_ADDOPTS="")
        env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        started = time.monotonic()
        status, out = run(cmd, timeout, cwd=srcdir, env=env)
        result["seconds"] = round(time.monotonic() - started, 1)
        result["status"] = status
        with open(os.path.join(workdir, name + ".log"), "w") as f:
            f.write(out)
        halves = out.split("fastsock=both: run 2 of 2, on fastsock")
        if len(halves) == 2:
            result["stdlib"] = counts(halves[0])
            result["fastsock"] = counts(halves[1].split(
                "fastsock=both: outcomes that differ")[0])
            # Each half's session header says which socket it ran on.
            result["headers_ok"] = (
                "\nsocket: stdlib" in halves[0]
                and "\nsocket: fastsock" in halves[1])
            result["kept_stdlib"] = "SubstitutionWarning" in halves[1]
        m = SUMMARY.search(out)
        if m:
            result["differ"] = int(m.group(1))
            result["compared"] = int(m.group(2))
            table = out[out.index("fastsock=both: outcomes that differ"):]
            result["table"] = table.split("\n", 1)[1].rstrip()
        return result
    finally:
        if service is not None:
            service[0].terminate()
            service[0].wait(10)


def describe(c):
    return ", ".join("%d %s" % (n, w) for w, n in sorted(
        c.items(), key=lambda kv: ("passed failed errors error skipped "
                                   "deselected xfailed xpassed".split()
                                   .index(kv[0]) if kv[0] in
                                   "passed failed errors error skipped "
                                   "deselected xfailed xpassed".split()
                                   else 99))) or "?"


def markdown(results):
    lines = ["| package | version | command (in the unpacked sdist) | tests "
             "compared | stdlib | fastsock | differ |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        if "skipped" in r or "error" in r:
            lines.append("| %s | %s | | | | | not run: %s |" % (
                r["suite"], r["version"], r.get("skipped") or r.get("error")))
            continue
        lines.append("| %s | %s | `%s` | %s | %s | %s | %s |" % (
            r["suite"], r["version"], r.get("command", ""),
            r.get("compared", "?"), describe(r.get("stdlib", {})),
            describe(r.get("fastsock", {})), r.get("differ", "?")))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", action="append", choices=sorted(SUITES),
                    help="run only this suite (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the suites")
    ap.add_argument("--workdir", default=os.path.join(
        os.environ.get("TMPDIR", "/tmp"), "fastsock-interop"),
        help="downloads, venvs and logs (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=900,
                    help="seconds for each step of each suite "
                         "(default: %(default)s)")
    ap.add_argument("--json", help="also write the results to this file")
    opts = ap.parse_args(argv)
    if opts.list:
        for name, spec in SUITES.items():
            log("%-11s %-8s %s" % (name, spec["version"], spec["about"]))
        return 0
    os.makedirs(opts.workdir, exist_ok=True)
    fsdir = fastsock_dir(opts.workdir)
    results = []
    for name in opts.suite or list(SUITES):
        log("== %s %s" % (name, SUITES[name]["version"]))
        try:
            r = run_suite(name, SUITES[name], opts.workdir, fsdir, opts.timeout)
        except (RuntimeError, OSError) as e:
            r = {"suite": name, "version": SUITES[name]["version"],
                 "error": str(e)}
        results.append(r)
        if "skipped" in r or "error" in r:
            log("   not run: %s" % (r.get("skipped") or r.get("error")))
            continue
        if not r.get("headers_ok"):
            log("   the session headers do not show the two implementations")
        if r.get("kept_stdlib"):
            log("   SubstitutionWarning: some modules kept the stdlib socket")
        log("   stdlib:   %s" % describe(r.get("stdlib", {})))
        log("   fastsock: %s" % describe(r.get("fastsock", {})))
        log("   %s differ of %s compared; exit status %s; %ss (log: %s)" % (
            r.get("differ", "?"), r.get("compared", "?"), r.get("status"),
            r.get("seconds"), os.path.join(opts.workdir, name + ".log")))
        if r.get("table"):
            log(r["table"])
    log("")
    log(markdown(results))
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=1)
    bad = [r for r in results if "error" in r or (
        "skipped" not in r and (not r.get("headers_ok") or r.get("differ") != 0
                                or not r.get("compared")))]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
