"""The pytest plugin (fastsock.pytest_plugin), driven through pytester.

Each test writes a small test suite into a temporary directory and runs
pytest on it in a child process, with the plugin loaded by ``-p`` (the
``pytest11`` entry point only exists once fastsock is installed; loading by
the same name works either way).
"""
import os
import re
import sys
import textwrap

import pytest

import fastsock
from fastsock import _patch

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "fastsock.pytest_plugin")
HEADER = re.compile(r"^socket: fastsock \d+\.\d+\S*, C extension, "
                    r"python 3\.\d+\.\d+$", re.M)
STD_HEADER = re.compile(r"^socket: stdlib \(CPython _socket\), "
                        r"python 3\.\d+\.\d+$", re.M)


@pytest.fixture(autouse=True)
def _only_our_plugin(monkeypatch):
    # The children load only the plugins named with -p: faster (hypothesis
    # and friends cost seconds per child) and independent of what else is
    # installed.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


# The plugin is Python: under the sanitizer build (tools/sanitize.sh, 10x
# slower) only the fixture tests run, since they drive fastsock's servers.
plugin_logic = pytest.mark.skipif(
    bool(os.environ.get("FASTSOCK_SANITIZED")),
    reason="plugin logic (pure Python, many pytest child processes) is "
           "tested in the normal run; the sanitizer run keeps the fixture "
           "tests")


def run(pytester, *args):
    """pytest in a child process on pytester's directory, plugin loaded."""
    return pytester.runpytest_subprocess(*PLUGIN, *args, timeout=300)


def outcomes(result):
    return result.parseoutcomes()


WHICH = """
    import socket, socketserver
    def test_which():
        assert socket.__name__ == {0!r}
        assert socketserver.__name__ == {1!r}
"""


@plugin_logic
def test_nothing_happens_without_the_option(pytester):
    pytester.makeconftest("import socket\nSEEN = socket.__name__\n")
    pytester.makepyfile(textwrap.dedent(WHICH.format("socket", "socketserver")) +
                        textwrap.dedent("""
        import conftest
        def test_conftest_saw_the_stdlib():
            assert conftest.SEEN == "socket"
        def test_no_fixture(socket_module):
            pass
    """))
    result = run(pytester)
    assert outcomes(result) == {"passed": 2, "errors": 1}
    result.stdout.fnmatch_lines(["*fixture 'socket_module' not found*"])
    assert not re.search(r"^socket:", result.stdout.str(), re.M)
    # (Installed, pytest lists the plugin on its "plugins:" line.)
    assert not [ln for ln in result.stdout.lines
                if "fastsock" in ln and not ln.startswith("plugins:")]


@plugin_logic
def test_substitution_happens_before_conftest_and_test_modules(pytester):
    pytester.makeconftest("""
        import socket, socketserver
        SEEN = (socket.__name__, socketserver.__name__)
    """)
    pytester.makepyfile(textwrap.dedent(WHICH.format(
        "fastsock", "fastsock.socketserver")) + textwrap.dedent("""
        from socket import socket as bound_early, create_connection
        from SocketServer import TCPServer
        import conftest, fastsock
        def test_conftest_and_module_level_bindings():
            assert conftest.SEEN == ("fastsock", "fastsock.socketserver")
            assert bound_early is fastsock.socket
            assert create_connection is fastsock.create_connection
            assert TCPServer.__module__.startswith("fastsock")
        def test_socket_module_fixture(socket_module):
            assert socket_module is fastsock
    """))
    result = run(pytester, "--fastsock")
    assert outcomes(result) == {"passed": 3}
    assert HEADER.search(result.stdout.str()), result.stdout.str()
    assert "SubstitutionWarning" not in result.stdout.str()


@plugin_logic
def test_modules_imported_too_early_are_named_in_a_warning(pytester):
    # A plugin given with -p is imported before the substitution: it keeps
    # the stdlib socket, and the warning says so by name.
    pytester.makepyfile(early_plugin="import socket\n", test_it="""
        import early_plugin, socket
        def test_it():
            assert early_plugin.socket.__name__ == "socket"
            assert socket.__name__ == "fastsock"
    """)
    result = run(pytester, "-p", "early_plugin", "--fastsock")
    assert outcomes(result)["passed"] == 1
    result.stdout.fnmatch_lines([
        "*SubstitutionWarning: --fastsock: these modules were imported "
        "before the substitution and keep the stdlib socket*early_plugin*"])
    result.stdout.fnmatch_lines(["socket: 1 module(s) imported earlier*"])


PLANTED = """
    import socket, pytest
    @pytest.fixture
    def boom():
        if socket.__name__ == "socket":
            raise RuntimeError("setup fails on the stdlib")
    def test_same():
        assert socket.getaddrinfo("127.0.0.1", 80)[0][4] == ("127.0.0.1", 80)
    def test_planted_difference():
        assert socket.__name__ == "socket", "planted: this is fastsock"
    def test_fails_on_both():
        assert False, "fails everywhere"
    def test_errors_on_stdlib(boom):
        pass
"""


@plugin_logic
def test_both_reports_a_planted_difference_and_exits_nonzero(pytester):
    pytester.makepyfile(test_planted=PLANTED)
    result = run(pytester, "--fastsock=both")
    assert result.ret == 1
    out = result.stdout.str()
    assert "run 1 of 2, on the stdlib" in out and "run 2 of 2, on fastsock" in out
    table = out[out.index("outcomes that differ"):]
    result_lines = table.splitlines()
    row = [ln for ln in result_lines if "test_planted_difference" in ln]
    assert row and row[0].split()[1:] == ["passed", "failed"], table
    assert "fastsock: AssertionError: planted: this is fastsock" in table
    row = [ln for ln in result_lines if "test_errors_on_stdlib" in ln]
    assert row and row[0].split()[1:] == ["error", "passed"], table
    assert "stdlib:   RuntimeError: setup fails on the stdlib" in table
    # A test failing on both sides is not a difference.
    assert "test_fails_on_both" not in table
    assert ("fastsock=both: 2 differ of 4 tests run on both, 1 failed on both"
            in table)


@plugin_logic
def test_both_without_difference_exits_zero(pytester):
    pytester.makepyfile(test_planted=PLANTED)
    result = run(pytester, "--fastsock=both", "-k", "same or fails_on_both")
    assert result.ret == 0
    assert "fastsock=both: 0 differ of 2 tests run on both, 1 failed on both" \
        in result.stdout.str()


@plugin_logic
def test_both_matches_tests_parametrized_with_the_socket_module(pytester):
    # pytest names such parameters after the module: [socket] on one side,
    # [fastsock] on the other; both must still be compared as one test.
    pytester.makepyfile("""
        import socket, socketserver, pytest
        @pytest.mark.parametrize("mod", [socket, socketserver])
        @pytest.mark.parametrize("n", [1, 2])
        def test_param(mod, n):
            assert mod.__name__ in ("socket", "socketserver")
    """)
    result = run(pytester, "--fastsock=both")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["fastsock=both: 4 differ of 4 tests run on both"])
    result.stdout.fnmatch_lines(["*::test_param?*socket*passed*failed*"])


@plugin_logic
def test_both_with_lf_x_and_no_cacheprovider(pytester):
    pytester.makepyfile(test_planted=PLANTED)
    first = run(pytester, "--fastsock=both")
    assert first.ret == 1
    # --lf reruns on both sides every test that failed on either side.
    again = run(pytester, "--fastsock=both", "--lf")
    assert "3 differ" not in again.stdout.str()
    again.stdout.fnmatch_lines(
        ["fastsock=both: 2 differ of 3 tests run on both, 1 failed on both"])
    # -x stops each side at its first failure; only common tests compare.
    stop = run(pytester, "--fastsock=both", "-x", "-p", "no:cacheprovider")
    assert stop.ret == 1
    stop.stdout.fnmatch_lines(["fastsock=both: 1 differ of 2 tests run on both,"
                               " 1 ran on one side only (not compared)"])


@plugin_logic
def test_single_side_with_x_k_lf(pytester):
    pytester.makepyfile(test_planted=PLANTED)
    result = run(pytester, "--fastsock", "-x")
    assert outcomes(result) == {"passed": 1, "failed": 1}
    result = run(pytester, "--fastsock", "--lf")
    assert outcomes(result) == {"failed": 1}
    result.stdout.fnmatch_lines(["run-last-failure: rerun previous 1 failure*"])
    result = run(pytester, "--fastsock", "-k", "same", "-p", "no:cacheprovider")
    assert outcomes(result) == {"passed": 1, "deselected": 3}


@plugin_logic
def test_a_path_after_a_bare_option_is_a_path(pytester):
    pytester.makepyfile(test_one=WHICH.format("fastsock", "fastsock.socketserver"),
                        test_two="def test_not_selected():\n    assert 0\n")
    result = run(pytester, "--fastsock", "test_one.py")
    assert outcomes(result) == {"passed": 1}
    assert HEADER.search(result.stdout.str())


@plugin_logic
def test_a_wrong_value_is_a_usage_error(pytester):
    result = run(pytester, "--fastsock=fast")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--fastsock=fast: the value can only be one "
                                 "of fastsock, both, stdlib*"])


@plugin_logic
def test_markers(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.stdlib_only
        def test_std():
            pass
        @pytest.mark.fastsock_only
        def test_fast():
            pass
    """)
    for args, skipped in ((("--fastsock",), "test_std"),
                          (("--fastsock=stdlib",), "test_fast"),
                          ((), "test_fast")):
        result = run(pytester, "-rs", "--strict-markers", "-v", *args)
        assert outcomes(result) == {"passed": 1, "skipped": 1}, args
        result.stdout.fnmatch_lines(["*::%s SKIPPED*" % skipped])


FIXTURES = """
    import os, threading, socketserver, pytest

    def snapshot():
        fds = sorted(os.listdir("/proc/self/fd"))
        try:
            os.waitpid(-1, os.WNOHANG)
            children = True
        except ChildProcessError:
            children = False
        return threading.active_count(), fds, children

    BASE = []

    def test_0_baseline():
        BASE.append(snapshot())

    def test_1_free_port(free_port, socket_module):
        with socket_module.socket() as s:
            s.bind(("127.0.0.1", free_port))

    def echo(request, client_address, server):
        request.sendall(request.recv(100).upper())

    class Echo(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(self.rfile.readline().upper())

    @pytest.mark.parametrize("threading_", [True, False])
    def test_2_tcp_server(tcp_server, socket_module, threading_):
        for handler, data in ((echo, b"abc"), (Echo, b"abc\\n")):
            host, port = tcp_server(handler, threading=threading_)
            assert host == "127.0.0.1"
            with socket_module.create_connection((host, port), timeout=10) as c:
                c.sendall(data)
                assert c.recv(100) == data.upper()
        # A client that goes away without sending anything.
        socket_module.create_connection((host, port), timeout=10).close()

    def test_3_udp_server(udp_server, socket_module):
        def handler(request, client_address, server):
            data, sock = request
            sock.sendto(data[::-1], client_address)
        addr = udp_server(handler)
        with socket_module.socket(socket_module.AF_INET,
                                  socket_module.SOCK_DGRAM) as c:
            c.settimeout(10)
            c.sendto(b"abc", addr)
            assert c.recvfrom(100) == (b"cba", addr)

    def test_4_socketpair(socketpair, socket_module):
        a, b = socketpair
        assert isinstance(a, socket_module.socket)
        a.sendall(b"x")
        assert b.recv(1) == b"x"

    def test_5_nothing_left_behind():
        assert snapshot() == BASE[0]
"""


@pytest.mark.parametrize("mode", ["--fastsock", "--fastsock=stdlib"])
def test_fixtures_serve_and_leave_nothing_behind(pytester, mode):
    pytester.makepyfile(test_fixtures=FIXTURES)
    result = run(pytester, mode, "-p", "no:randomly", "-v")
    assert outcomes(result) == {"passed": 7}, result.stdout.str()
    out = result.stdout.str()
    assert (HEADER if mode == "--fastsock" else STD_HEADER).search(out)


def test_fixture_modules_match_the_mode(pytester):
    pytester.makepyfile("""
        import socket as stdsocket_or_not
        def test_module(socket_module, socketpair):
            assert socket_module is stdsocket_or_not
            assert type(socketpair[0]).__module__ == socket_module.__name__
    """)
    for mode in ("--fastsock", "--fastsock=stdlib"):
        assert outcomes(run(pytester, mode)) == {"passed": 1}, mode


@plugin_logic
def test_xdist_workers_substitute_before_importing_tests(pytester):
    pytest.importorskip("xdist", reason="pytest-xdist is not installed")
    pytester.makeconftest("import socket\nSEEN = socket.__name__\n")
    pytester.makepyfile(textwrap.dedent(WHICH.format(
        "fastsock", "fastsock.socketserver")) + textwrap.dedent("""
        import os, conftest
        def test_in_a_worker():
            assert os.environ.get("PYTEST_XDIST_WORKER")
            assert conftest.SEEN == "fastsock"
    """))
    result = run(pytester, "-p", "xdist", "--fastsock", "-n", "2",
                 "-p", "no:cacheprovider")
    assert outcomes(result) == {"passed": 2}
    both = run(pytester, "-p", "xdist", "--fastsock=both", "-n", "2")
    assert both.ret == 1
    both.stdout.fnmatch_lines(["fastsock=both: 2 differ of 2 tests run on both"])


@plugin_logic
def test_in_process_run_leaves_the_host_unpatched(pytester):
    import socket
    pytester.makepyfile(WHICH.format("fastsock", "fastsock.socketserver"))
    result = pytester.runpytest_inprocess(*PLUGIN, "--fastsock")
    assert result.ret == 0
    assert not _patch.is_patched()
    assert sys.modules["socket"] is socket and socket is not fastsock


@plugin_logic
def test_the_entry_point_names_the_plugin():
    from importlib import metadata
    try:
        dist = metadata.distribution("fastsock")
    except metadata.PackageNotFoundError:
        pytest.skip("fastsock is not installed (only PYTHONPATH): no entry "
                    "points to check")
    eps = [ep for ep in dist.entry_points if ep.group == "pytest11"]
    assert [(ep.name, ep.value) for ep in eps] == [
        ("fastsock.pytest_plugin", "fastsock.pytest_plugin")]
