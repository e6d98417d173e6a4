"""pytest plugin: run a test suite on fastsock, or on both implementations.

Registered through the ``pytest11`` entry point, so installing fastsock makes
it available to every pytest run; it does nothing unless ``--fastsock`` is
given (it only registers the names of its two markers, so that suites using
them pass ``--strict-markers`` either way).

``pytest --fastsock``
    ``socket``, ``socketserver`` and ``SocketServer`` resolve to fastsock
    before any conftest or test module is imported: the substitution of
    ``python -m fastsock run`` (fastsock._patch).  Modules that bound the
    stdlib socket before that moment (imported by pytest itself or by other
    plugins) keep it; a warning names them.
``pytest --fastsock=both``
    runs the selected tests twice, in two pytest processes (the stdlib, then
    fastsock), and ends with a table of the tests whose outcome differs:
    passed on one side, failed or errored on the other, with the last line
    of each traceback.  Exit status 1 when any test differs.
``pytest --fastsock=stdlib``
    the stdlib half of ``both``: no substitution, but the header line,
    markers and fixtures of this plugin.

Markers ``stdlib_only`` and ``fastsock_only`` skip a test on the other
implementation (a run without ``--fastsock`` counts as the stdlib).
Fixtures, with ``--fastsock`` only: ``socket_module``, ``free_port``,
``tcp_server``, ``udp_server`` and ``socketpair`` (see their docstrings).
"""

import json
import os
import subprocess
import sys
import tempfile
import threading as _threading

import pytest

__all__ = ["SubstitutionWarning"]

# --fastsock values.  A bare --fastsock means "fastsock".
_MODES = ("fastsock", "both", "stdlib")
_OPT = "--fastsock"
_RESULTS_OPT = "--fastsock-results"

# What the plugin decided for this process, kept on the config object.
_STATE: "pytest.StashKey[_State]" = pytest.StashKey()

# Seconds a fixture's teardown waits for its serving thread to end.
_JOIN_SECONDS = 10.0


class SubstitutionWarning(pytest.PytestWarning):
    """Modules bound the stdlib socket before --fastsock could substitute it."""


class _State:
    def __init__(self, mode):
        self.mode = mode              # "fastsock", "stdlib" or "both"
        self.patched = False          # did this plugin call patch()?
        self.too_early = []           # modules holding the stdlib socket

    @property
    def implementation(self):
        return "fastsock" if self.mode == "fastsock" else "stdlib"


# ---------------------------------------------------------------- options

def pytest_addoption(parser):
    group = parser.getgroup("fastsock", "fastsock (socket implementation)")
    group.addoption(
        _OPT, action="store", nargs="?", const="fastsock", default=None,
        dest="fastsock", metavar="both",
        help="run the tests with socket, socketserver and SocketServer "
             "resolved to fastsock; --fastsock=both runs them on the stdlib "
             "and on fastsock in two processes and lists the tests whose "
             "outcome differs.")
    group.addoption(
        _RESULTS_OPT, action="store", default=None, dest="fastsock_results",
        metavar="PATH",
        help="(used by --fastsock=both) write each test's outcome as JSON "
             "to PATH.")


def _mode_from_args(early_config, parser, args):
    """The --fastsock mode, repairing ``--fastsock PATH``.

    The option takes an optional value, so argparse reads a path written
    right after a bare ``--fastsock`` as its value.  Such a value is put
    back among the paths (the arguments are rewritten in place, which is the
    list pytest parses again later) and the mode is "fastsock".
    """
    ns = early_config.known_args_namespace
    value = getattr(ns, "fastsock", None)
    if value is None or value in _MODES:
        return value
    for i in range(len(args) - 1):
        if args[i] == _OPT and args[i + 1] == value:
            args[i] = _OPT + "=fastsock"
            parser.parse_known_args(args, namespace=ns)
            return "fastsock"
    raise pytest.UsageError(
        "%s=%s: the value can only be one of %s (or none, for fastsock)"
        % (_OPT, value, ", ".join(_MODES)))


# ---------------------------------------------------------------- substitution

def _stdlib_objects(std, fast):
    """ids of the stdlib module *std* and of its classes and functions that
    fastsock does not share (the exception classes, for instance, are the
    same objects in both, so holding one is harmless)."""
    ids = {id(std)}
    for name, obj in vars(std).items():
        if name.startswith("__") or not callable(obj):
            continue
        if getattr(fast, name, None) is not obj:
            ids.add(id(obj))
    return ids


def _modules_holding(ids):
    """Names of the imported modules whose globals hold one of *ids*."""
    # The stdlib modules themselves, ssl (kept on the stdlib on purpose, see
    # fastsock._patch) and fastsock's own modules are not reported.
    # email.utils is imported by importlib.metadata, so by pytest itself
    # whenever plugins are loaded from entry points; it only calls getfqdn()
    # to make Message-IDs, and naming it in every run would teach users to
    # ignore the warning.
    skip = {"socket", "socketserver", "SocketServer", "ssl", "_socket",
            "_ssl", "email.utils", __name__}
    found = []
    for name, module in list(sys.modules.items()):
        if (module is None or name in skip or name == "fastsock"
                or name.startswith("fastsock.")):
            continue
        try:
            values = list(vars(module).values())
        except TypeError:
            continue
        if any(id(v) in ids for v in values):
            found.append(name)
    return sorted(found)


def _substitute(state):
    """patch(); then find who kept the stdlib socket or socketserver."""
    from fastsock import _patch

    std = {}
    for name in ("socket", "socketserver"):
        mod = sys.modules.get(name)
        if mod is not None and not getattr(mod, "__name__", "").startswith(
                "fastsock"):
            std[name] = mod
    if not _patch.is_patched():
        _patch.patch()
        state.patched = True
    ids = set()
    for name, mod in std.items():
        ids |= _stdlib_objects(mod, sys.modules[name])
    state.too_early = _modules_holding(ids) if ids else []


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # Runs before pytest imports any conftest (and so any test module):
    # the earliest moment at which a plugin knows the options.
    mode = _mode_from_args(early_config, parser, args)
    if mode is None:
        return
    state = _State(mode)
    early_config.stash[_STATE] = state
    if mode == "fastsock":
        _substitute(state)
        if state.too_early:
            early_config.issue_config_time_warning(SubstitutionWarning(
                "--fastsock: these modules were imported before the "
                "substitution and keep the stdlib socket (pytest or a plugin "
                "imported them first): " + ", ".join(state.too_early)),
                stacklevel=2)


def _state(config):
    return config.stash.get(_STATE, None)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "stdlib_only: run this test only on the stdlib socket "
        "module (skipped under --fastsock)")
    config.addinivalue_line(
        "markers", "fastsock_only: run this test only under --fastsock "
        "(skipped on the stdlib socket module)")
    state = _state(config)
    if state is None or state.mode == "both":
        return
    config.pluginmanager.register(_Fixtures(state), "fastsock-fixtures")
    if config.option.fastsock_results and not hasattr(config, "workerinput"):
        # Only the controlling process writes results: with xdist, workers'
        # reports reach it through the same hook.
        config.pluginmanager.register(
            _ResultWriter(config.option.fastsock_results, state.mode),
            "fastsock-results")


def pytest_unconfigure(config):
    state = _state(config)
    if state is not None and state.patched:
        # An in-process run (pytester) must not leave the host patched.
        from fastsock import _patch
        _patch.unpatch()
        state.patched = False


def _header(state):
    python = "python %d.%d.%d" % sys.version_info[:3]
    if state.implementation == "stdlib":
        return "socket: stdlib (CPython _socket), %s" % python
    import fastsock
    import _fastsock
    kind = "C extension" if getattr(_fastsock, "__file__", "").endswith(
        (".so", ".pyd")) else "module %s" % getattr(_fastsock, "__file__", "?")
    return "socket: fastsock %s, %s, %s" % (fastsock.__version__, kind, python)


def pytest_report_header(config):
    state = _state(config)
    if state is None or state.mode == "both":
        return None
    lines = [_header(state)]
    if state.too_early:
        lines.append("socket: %d module(s) imported earlier keep the stdlib "
                     "socket (see the warnings summary)" % len(state.too_early))
    return lines


def pytest_collection_modifyitems(config, items):
    # A skip marker (rather than pytest.skip() in a hook) makes the skip
    # report point at the test, not at this file.
    state = _state(config)
    impl = state.implementation if state is not None else "stdlib"
    other = "stdlib_only" if impl == "fastsock" else "fastsock_only"
    reason = ("stdlib_only: this run uses fastsock" if impl == "fastsock" else
              "fastsock_only: this run uses the stdlib socket module")
    for item in items:
        if item.get_closest_marker(other) is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


# ---------------------------------------------------------------- fixtures

def _call_handler(handler):
    """socketserver calls ``RequestHandlerClass(request, client_address,
    server)``: a request handler class and a plain function with that
    signature both fit, so the handler is used as given."""
    if not callable(handler):
        raise TypeError("handler must be a request handler class or a "
                        "function (request, client_address, server)")
    return handler


class _Servers:
    """Servers started by one fixture instance, stopped at its teardown."""

    def __init__(self, socketserver):
        self.socketserver = socketserver
        self.running = []

    def start(self, cls, handler):
        server = cls(("127.0.0.1", 0), _call_handler(handler))
        try:
            thread = _threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05},
                name="fastsock-fixture-%s" % cls.__name__, daemon=True)
            thread.start()
        except BaseException:
            server.server_close()
            raise
        self.running.append((server, thread))
        return server.server_address

    def starter(self, plain, threaded, threading_default):
        """The function a server fixture hands to the test."""
        def start(handler, threading=threading_default):
            cls = getattr(self.socketserver, threaded if threading else plain)
            return self.start(cls, handler)
        return start

    def stop_all(self):
        stuck = []
        while self.running:
            server, thread = self.running.pop()
            server.shutdown()
            thread.join(_JOIN_SECONDS)
            # With ThreadingMixIn (block_on_close), server_close() also
            # waits for the request threads.
            server.server_close()
            if thread.is_alive():
                stuck.append(thread.name)
        if stuck:
            pytest.fail("server thread(s) still running after shutdown: %s"
                        % ", ".join(stuck), pytrace=False)


def _modules_in_use(state):
    """(socket module, socketserver module) of the implementation in use."""
    if state.implementation == "fastsock":
        import fastsock
        import fastsock.socketserver
        return fastsock, fastsock.socketserver
    from fastsock import _patch
    if _patch.is_patched():
        # --fastsock=stdlib while something else patched: the originals.
        saved = [_patch._saved.get(n) for n in ("socket", "socketserver")]
        if all(m is not None and m is not _patch._ABSENT for m in saved):
            return saved[0], saved[1]
    import socket
    import socketserver
    return socket, socketserver


class _Fixtures:
    """The fixtures, registered only when --fastsock is given."""

    def __init__(self, state):
        self.module, self.socketserver = _modules_in_use(state)

    @pytest.fixture
    def socket_module(self):
        """The socket module in use: fastsock, or the stdlib's socket."""
        return self.module

    @pytest.fixture
    def free_port(self):
        """A TCP port that was free on 127.0.0.1 a moment ago."""
        mod = self.module
        with mod.socket(mod.AF_INET, mod.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    @pytest.fixture
    def tcp_server(self):
        """``tcp_server(handler, threading=True)`` -> (host, port).

        Starts a TCP server of the socketserver module in use on 127.0.0.1
        and a free port, serving in a thread.  *handler* is a request
        handler class or a function ``(request, client_address, server)``;
        ``threading=True`` gives ThreadingTCPServer (a thread per
        connection), False TCPServer.  Shut down and closed at teardown.
        """
        servers = _Servers(self.socketserver)
        yield servers.starter("TCPServer", "ThreadingTCPServer", True)
        servers.stop_all()

    @pytest.fixture
    def udp_server(self):
        """``udp_server(handler, threading=False)`` -> (host, port).

        As tcp_server, with UDPServer (ThreadingUDPServer if threading);
        the handler's request is ``(data, socket)``.
        """
        servers = _Servers(self.socketserver)
        yield servers.starter("UDPServer", "ThreadingUDPServer", False)
        servers.stop_all()

    @pytest.fixture
    def socketpair(self):
        """A connected pair of sockets of the module in use, closed at
        teardown."""
        a, b = self.module.socketpair()
        with a, b:
            yield a, b


# ---------------------------------------------------------------- --fastsock=both

def _last_line(report):
    """The last line of a failure's traceback: the exception and message."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = getattr(crash, "message", None) or report.longreprtext or ""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if crash is not None and lines else (lines[-1] if lines
                                                         else "")


class _ResultWriter:
    """In each child of --fastsock=both: every test's outcome, as JSON."""

    def __init__(self, path, mode):
        self.path = path
        self.mode = mode
        self.tests = {}

    def pytest_runtest_logreport(self, report):
        entry = self.tests.setdefault(report.nodeid,
                                      {"outcome": "passed", "message": ""})
        if report.failed:
            if report.when == "call":
                entry["outcome"], entry["message"] = "failed", _last_line(report)
            elif entry["outcome"] != "failed":
                entry["outcome"], entry["message"] = "error", _last_line(report)
        elif report.skipped and report.when in ("setup", "call"):
            entry["outcome"] = ("xfailed" if hasattr(report, "wasxfail")
                                else "skipped")
        elif report.passed and report.when == "call" and hasattr(report,
                                                                 "wasxfail"):
            entry["outcome"] = "xpassed"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        data = {"mode": self.mode, "exitstatus": int(exitstatus),
                "tests": self.tests}
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, self.path)


def _child_args(args):
    """The invocation's arguments without any --fastsock option."""
    out = []
    i = 0
    while i < len(args):
        a = str(args[i])
        if a == _OPT:
            if i + 1 < len(args) and args[i + 1] in _MODES:
                i += 1
        elif not a.startswith((_OPT + "=", _RESULTS_OPT)):
            out.append(a)
        i += 1
    return out


def _interpreter():
    """How to start pytest again as this process was started.

    ``python -m pytest`` puts the current directory on sys.path and the
    ``pytest`` script does not; the children do as the parent did.
    """
    flags = getattr(subprocess, "_args_from_interpreter_flags", lambda: [])()
    if os.path.basename(sys.argv[0] or "") == "__main__.py":
        return [sys.executable] + flags + ["-m", "pytest"]
    boot = "import sys; del sys.path[0]; import pytest; " \
           "sys.exit(pytest.console_main())"
    return [sys.executable] + flags + ["-c", boot]


def _cache_dirs(config):
    """One pytest cache per side, so that --lf and --sw of one run do not
    decide what the other runs; None when the cache plugin is off."""
    if config.pluginmanager.is_blocked("cacheprovider"):
        return None
    base = os.path.expandvars(os.path.expanduser(config.getini("cache_dir")))
    base = os.path.join(str(config.rootpath), base)
    return {side: os.path.join(base, "fastsock-both", side)
            for side in ("stdlib", "fastsock")}


def _share_lastfailed(caches):
    """After a both-run, each side's "last failed" set becomes the union of
    the two, so that ``--fastsock=both --lf`` reruns the same tests on both
    sides (every test that failed, or differed, on either)."""
    union = {}
    paths = [os.path.join(d, "v", "cache", "lastfailed") for d in caches.values()]
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                union.update(json.load(f))
        except (OSError, ValueError):
            pass
    for path in paths:
        if os.path.isdir(os.path.dirname(path)):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(union, f, indent=2, sort_keys=True)


_BAD = ("failed", "error")

# pytest names a module passed as a parameter by its __name__, so a test
# parametrized with the socket module gets "[socket]" on the stdlib and
# "[fastsock]" under --fastsock: the fastsock side's ids are mapped back.
_PARAM_NAMES = {"fastsock": "socket", "fastsock.socketserver": "socketserver",
                "fastsock.SocketServer": "SocketServer"}


def _stdlib_nodeid(nodeid):
    """*nodeid* of the fastsock run as the stdlib run spells it."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return nodeid
    head, _, params = nodeid[:-1].partition("[")
    parts = [_PARAM_NAMES.get(p, p) for p in params.split("-")]
    return "%s[%s]" % (head, "-".join(parts))


def _differences(std, fast):
    """[(nodeid, stdlib entry, fastsock entry)] passed on one side and
    failed or errored on the other."""
    rows = []
    for nodeid in std:
        if nodeid not in fast:
            continue
        a, b = std[nodeid]["outcome"], fast[nodeid]["outcome"]
        if (a == "passed" and b in _BAD) or (b == "passed" and a in _BAD):
            rows.append((nodeid, std[nodeid], fast[nodeid]))
    return rows


def _write_table(write, rows, width):
    if not rows:
        return
    name_w = min(max(len(r[0]) for r in rows), max(20, width - 24))
    write("%-*s  %-8s  %-8s" % (name_w, "test", "stdlib", "fastsock"))
    for nodeid, a, b in rows:
        write("%-*s  %-8s  %-8s" % (name_w, nodeid, a["outcome"], b["outcome"]))
        for side, entry in (("stdlib", a), ("fastsock", b)):
            if entry["outcome"] in _BAD:
                msg = entry["message"] or "(no traceback)"
                if len(msg) > width - 16:
                    msg = msg[:width - 19] + "..."
                write("    %-9s %s" % (side + ":", msg))


def _run_both(config):
    from _pytest.config import create_terminal_writer

    tw = create_terminal_writer(config, sys.stdout)
    args = _child_args(config.invocation_params.args)
    caches = _cache_dirs(config)
    results = {}
    statuses = {}
    tmp = tempfile.mkdtemp(prefix="fastsock-both-")
    try:
        for n, side in enumerate(("stdlib", "fastsock"), 1):
            out = os.path.join(tmp, side + ".json")
            cmd = _interpreter() + args + [
                "%s=%s" % (_OPT, side), "%s=%s" % (_RESULTS_OPT, out)]
            if caches:
                cmd += ["-o", "cache_dir=" + caches[side]]
            tw.sep("#", "fastsock=both: run %d of 2, on %s" % (
                n, "the stdlib" if side == "stdlib" else "fastsock"),
                bold=True)
            tw.flush()
            sys.stdout.flush()
            statuses[side] = subprocess.call(
                cmd, cwd=str(config.invocation_params.dir))
            try:
                with open(out, encoding="utf-8") as f:
                    results[side] = json.load(f)["tests"]
            except (OSError, ValueError):
                results[side] = None
    finally:
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    if caches:
        _share_lastfailed(caches)

    tw.sep("#", "fastsock=both: outcomes that differ", bold=True)
    missing = [s for s in results if results[s] is None]
    if missing:
        tw.line("fastsock=both: the %s run reported no results (exit status "
                "%s); nothing to compare" % (
                    " and ".join(missing), ", ".join(str(statuses[s])
                                                     for s in missing)),
                red=True)
        worst = max(statuses.values())
        return worst if worst else pytest.ExitCode.INTERNAL_ERROR
    std = results["stdlib"]
    fast = {_stdlib_nodeid(k): v for k, v in results["fastsock"].items()}
    rows = _differences(std, fast)
    _write_table(tw.line, rows, tw.fullwidth)
    common = [t for t in std if t in fast]
    one_side = len(set(std) ^ set(fast))
    both_bad = sum(1 for t in common if std[t]["outcome"] in _BAD
                   and fast[t]["outcome"] in _BAD)
    summary = "%d differ of %d tests run on both" % (len(rows), len(common))
    if both_bad:
        summary += ", %d failed on both" % both_bad
    if one_side:
        summary += ", %d ran on one side only (not compared)" % one_side
    tw.line("fastsock=both: " + summary, red=bool(rows), green=not rows,
            bold=True)
    if rows:
        return pytest.ExitCode.TESTS_FAILED
    # No difference: report what stopped a run abnormally (interrupted,
    # internal or usage error, nothing collected); identical test failures
    # are not a difference.
    worst = max(statuses.values())
    if worst in (pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.OK):
        return pytest.ExitCode.OK
    return worst


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    state = _state(config)
    if state is None or state.mode != "both":
        return None
    if getattr(config.option, "help", False) or getattr(config.option,
                                                          "version", False):
        return None
    return _run_both(config)
