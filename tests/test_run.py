"""python -m fastsock run|demo|bench, and fastsock.patch().

The backbone is differential: the same script under ``python SCRIPT`` and
under ``python -m fastsock run SCRIPT`` must print the same things, exit
with the same status and show the same tracebacks -- except that
``socket`` and friends are fastsock's under ``run``.
"""
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fastsock
from fastsock import __main__ as fsmain

from test_examples import (CHILD_ENV, CTIME, EXAMPLES, IN_ACCEPT, PY, WAIT, Proc, free_port,
                           procs)  # noqa: F401  (procs is a fixture)

RUN = [PY, "-m", "fastsock", "run"]


def run(argv, cwd=None, stdin_text=None, timeout=WAIT):
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=CHILD_ENV,
                          input=(stdin_text or "").encode(), capture_output=True,
                          timeout=timeout)


def both(script_args, cwd=None):
    """(plain python, fastsock run) results for the same script and args."""
    return (run([PY] + script_args, cwd=cwd),
            run(RUN + script_args, cwd=cwd))


def write(path, text):
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


PROBE = """\
import sys, os
import helper_mod
print("argv", sys.argv)
print("name", __name__, sys.modules["__main__"] is sys.modules[__name__])
print("file", __file__)
print("path0", sys.path[0])
print("spec", __spec__, "package", __package__, "cached", __cached__)
print("loader", type(__loader__).__name__)
print("helper", helper_mod.where)
print("socket", helper_mod.socket_name, helper_mod.server_name)
"""

HELPER = """\
import socket, socketserver
where = __file__
socket_name = socket.__name__
server_name = socketserver.__name__
"""


def test_run_is_python_with_socket_substituted(tmp_path):
    d = tmp_path / "prog"
    d.mkdir()
    write(d / "probe.py", PROBE)
    write(d / "helper_mod.py", HELPER)
    plain, fast = both(["prog/probe.py", "a", "b c"], cwd=tmp_path)
    assert plain.returncode == fast.returncode == 0, fast.stderr.decode()
    assert plain.stderr == fast.stderr == b""
    p, f = plain.stdout.decode().splitlines(), fast.stdout.decode().splitlines()
    # Everything the interpreter sets up is the same...
    assert p[:-1] == f[:-1]
    assert p[0] == "argv ['prog/probe.py', 'a', 'b c']"
    assert p[3] == "path0 %s" % d
    # ...except where socket and socketserver come from, for the script's
    # own imports too.
    assert p[-1] == "socket socket socketserver"
    assert f[-1] == "socket fastsock fastsock.socketserver"


def test_run_from_socket_import_star_and_py2_name(tmp_path):
    script = write(tmp_path / "s.py", """\
        from socket import *
        from SocketServer import (TCPServer as TCP, StreamRequestHandler as SRH)
        import fastsock, fastsock.socketserver
        s = socket(AF_INET, SOCK_STREAM)
        print(type(s) is fastsock.socket, TCP is fastsock.socketserver.TCPServer,
              SRH is fastsock.socketserver.StreamRequestHandler)
        s.close()
        """)
    res = run(RUN + [script])
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"True True True\n"


def test_run_stdlib_modules_imported_later_use_fastsock(tmp_path):
    script = write(tmp_path / "s.py", """\
        import http.server, http.client, urllib.request, ftplib, smtplib, ssl, sys
        import fastsock
        print(http.server.socket is fastsock, http.server.socketserver.__name__,
              http.client.socket is fastsock, urllib.request.socket is fastsock,
              ftplib.socket is fastsock, smtplib.socket is fastsock)
        # ssl keeps the stdlib socket: _ssl only wraps real _socket.socket objects
        print(ssl.socket.__module__, issubclass(ssl.SSLSocket, fastsock.socket))
        """)
    res = run(RUN + [script])
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode().splitlines() == [
        "True fastsock.socketserver True True True True", "socket False"]


def test_run_twisted_uses_fastsock(tmp_path):
    pytest.importorskip("twisted", reason="Twisted is not installed")
    script = write(tmp_path / "s.py", """\
        from twisted.internet import tcp, reactor, protocol
        import fastsock
        factory = protocol.Factory()
        factory.protocol = protocol.Protocol
        port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        print(tcp.socket.__name__, type(port.socket) is fastsock.socket)
        port.stopListening()
        """)
    res = run(RUN + [script], timeout=30)
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"fastsock True\n"


@pytest.mark.parametrize("body,status", [
    ("import sys\nsys.exit(3)\n", 3),
    ("import sys\nsys.exit('bye')\n", 1),
    ("raise SystemExit\n", 0),
    ("def f():\n    return 1 / 0\nf()\n", 1),
    ("x = = 1\n", 1),
])
def test_run_exit_status_and_traceback_as_python(tmp_path, body, status):
    script = write(tmp_path / "s.py", body)
    plain, fast = both([script])
    assert plain.returncode == fast.returncode == status
    assert fast.stdout == plain.stdout
    # The same traceback, our own frames trimmed away.
    assert fast.stderr.decode() == plain.stderr.decode()


def test_run_keyboard_interrupt_exits_like_python(tmp_path):
    script = write(tmp_path / "s.py", "raise KeyboardInterrupt\n")
    plain, fast = both([script])
    assert plain.returncode == fast.returncode == -signal.SIGINT
    assert fast.stderr == plain.stderr
    assert fast.stderr.decode().endswith("KeyboardInterrupt\n")


@pytest.mark.parametrize("mode", ["stdlib", "fastsock"])
def test_ctrl_c_in_blocking_accept(procs, mode):
    """Ctrl-C while the book's server blocks in accept(): a KeyboardInterrupt
    traceback ending in the accept line, and death by SIGINT, as python."""
    port = free_port()
    argv = (RUN if mode == "fastsock" else [PY]) + [EXAMPLES / "tsTserv.py", port]
    server = procs(argv, stdin=False)
    server.wait_for(r"waiting for connection\.\.\.\n")
    server.wait_asleep(calls=IN_ACCEPT)   # in accept(), not still printing
    server.signal(signal.SIGINT)
    assert server.finish() == -signal.SIGINT
    err = server.err.splitlines()
    assert err[0] == "Traceback (most recent call last):"
    assert re.fullmatch(r'  File ".*tsTserv\.py", line \d+, in <module>', err[1])
    assert "accept()" in server.err
    assert err[-1] == "KeyboardInterrupt"
    assert "__main__.py" not in server.err and "runpy" not in server.err


def test_run_missing_script():
    plain, fast = both(["/nonexistent/dir/s.py"])
    assert plain.returncode == fast.returncode == 2
    msg = "can't open file '/nonexistent/dir/s.py': [Errno 2] No such file or directory\n"
    assert plain.stderr.decode().endswith(msg)
    assert fast.stderr.decode().endswith(msg)


def test_run_module(tmp_path):
    write(tmp_path / "mymod.py", """\
        import sys, socket
        print(__name__, sys.argv[1:], socket.__name__)
        print(sys.argv[0] == __file__, sys.path[0] == %r)
        """ % str(tmp_path))
    plain = run([PY, "-m", "mymod", "x", "-y"], cwd=tmp_path)
    fast = run(RUN + ["-m", "mymod", "x", "-y"], cwd=tmp_path)
    assert plain.returncode == fast.returncode == 0, fast.stderr.decode()
    assert plain.stdout.decode() == "__main__ ['x', '-y'] socket\nTrue True\n"
    assert fast.stdout.decode() == "__main__ ['x', '-y'] fastsock\nTrue True\n"


def test_run_module_missing():
    plain = run([PY, "-m", "no_such_module_here"])
    fast = run(RUN + ["-m", "no_such_module_here"])
    assert plain.returncode == fast.returncode == 1
    assert fast.stderr == plain.stderr


def test_run_code_and_stdin_and_directory(tmp_path):
    res = run(RUN + ["-c", "import socket, sys; print(socket.__name__, sys.argv)", "z"])
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"fastsock ['-c', 'z']\n"
    # The script reads stdin like any program.
    script = write(tmp_path / "echo.py", "print(input('? ').upper())\n")
    res = run(RUN + [script], stdin_text="shout\n")
    assert res.stdout == b"? SHOUT\n"
    # A directory runs its __main__.py.
    (tmp_path / "app").mkdir()
    write(tmp_path / "app" / "__main__.py", "import socket\nprint('app', socket.__name__)\n")
    res = run(RUN + [tmp_path / "app"])
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"app fastsock\n"


def test_run_verbose_and_usage():
    res = run(RUN + ["-v", "-c", "pass"])
    assert res.returncode == 0
    assert re.match(r"fastsock run: socket, socketserver, SocketServer -> fastsock",
                    res.stderr.decode())
    res = run([PY, "-m", "fastsock"])
    assert res.returncode == 2 and b"usage:" in res.stdout
    res = run([PY, "-m", "fastsock", "run"])
    assert res.returncode == 2 and b"usage: python -m fastsock run" in res.stderr
    res = run([PY, "-m", "fastsock", "frobnicate"])
    assert res.returncode == 2 and b"unknown command" in res.stderr


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_run_help_describes_run(flag):
    # The help of run itself: its options and what it substitutes, not the
    # general usage of every command.
    res = run(RUN + [flag])
    out = res.stdout.decode()
    assert res.returncode == 0 and res.stderr == b""
    assert out.startswith("usage: python -m fastsock run")
    assert "fastsock demo" not in out
    for option in ("-v, --verbose", "-m MODULE", "-c CODE"):
        assert option in out
    for name in ("socket ", "socketserver ", "SocketServer "):
        assert "\n  " + name in out
    assert "not substituted" in out
    # After the program, --help is the program's argument.
    res = run(RUN + ["-c", "import sys; print(sys.argv)", "--help"])
    assert res.returncode == 0 and res.stdout == b"['-c', '--help']\n"


def test_demo_help():
    res = run([PY, "-m", "fastsock", "demo", "--help"])
    assert res.returncode == 0
    assert res.stdout.startswith(b"usage: python -m fastsock demo [--py2] [--port N]")


def test_patch_and_unpatch_in_a_program():
    code = textwrap.dedent("""\
        import sys, fastsock
        fastsock.patch()
        fastsock.patch()                      # idempotent
        import socket, socketserver, SocketServer
        assert socket is fastsock, socket
        assert socketserver is SocketServer is sys.modules["fastsock.socketserver"]
        from fastsock import _patch
        _patch.unpatch()
        assert "SocketServer" not in sys.modules
        import socket as again
        assert again is not fastsock and again.__name__ == "socket", again
        print("ok")
        """)
    res = run([PY, "-c", code])
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"ok\n"


# ---------------------------------------------------------------- demo

def test_demo_transcript():
    res = run([PY, "-m", "fastsock", "demo"], timeout=60)
    out = res.stdout.decode()
    assert res.returncode == 0, out + res.stderr.decode()
    port = int(re.search(r"on loopback port (\d+)\.", out).group(1))
    lines = out.splitlines()
    said = ["send test data", "hi", "how are you?"]
    i = lines.index(next(l for l in lines if l.startswith("$ python -m fastsock run")
                         and "tsTclnt.py" in l))
    assert lines[i - 1].startswith("  (fastsock run: socket")
    client = lines[i + 1:i + 8]
    for k, s in enumerate(said):
        assert client[2 * k] == ">" + s
        assert re.fullmatch(r"\[%s\] %s" % (CTIME, re.escape(s)), client[2 * k + 1])
    assert client[6] == ">"
    j = lines.index("--- what the server printed ---")
    server = lines[j + 1:]
    assert server[0] == "waiting for connection..."
    assert re.fullmatch(r"\.\.\.connected from:  \('127\.0\.0\.1', \d+\)", server[1])
    for k, s in enumerate(said):
        assert re.fullmatch(r"\['%s'\] : %s" % (CTIME, re.escape(s)), server[2 + k])
    assert server[5] == "waiting for connection..."
    assert server[6].startswith("--- server stopped")
    assert port > 0


def test_demo_falls_back_when_the_book_port_is_busy():
    import socket as stdsocket

    blocker = stdsocket.socket()
    try:
        try:
            blocker.bind(("", fsmain.BOOK_PORT))
        except OSError:
            pass            # already busy: the demo must fall back all the same
        blocker.listen(1)
        res = run([PY, "-m", "fastsock", "demo"], timeout=60)
    finally:
        blocker.close()
    out = res.stdout.decode()
    assert res.returncode == 0, out + res.stderr.decode()
    port = int(re.search(r"on loopback port (\d+)\.", out).group(1))
    assert port != fsmain.BOOK_PORT


def test_demo_outside_the_source_tree(monkeypatch, tmp_path):
    """Installed without examples/: the demo uses its embedded copies,
    which must be the files of examples/."""
    for name, text in fsmain._BOOK.items():
        assert text == (EXAMPLES / name).read_text(encoding="utf-8"), name
    monkeypatch.setattr(fsmain, "__file__", str(tmp_path / "a" / "b" / "__main__.py"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", CHILD_ENV["PYTHONPATH"])
    out = io.StringIO()
    assert fsmain._demo(free_port(), out) == 0, out.getvalue()
    text = out.getvalue()
    assert "fastsock-demo-" in text          # the temporary copy ran
    assert re.search(r"\n>hi\n\[%s\] hi\n" % CTIME, text)


# ---------------------------------------------------------------- bench

def _bench_module(name="run"):
    """bench/NAME.py, imported from its file (bench/ is not a package)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / (name + ".py")
    if not path.is_file():
        pytest.skip("bench/%s.py is not in this tree" % name)
    spec = importlib.util.spec_from_file_location("fastsock_bench_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _bench_rows(br):
    """Rows as run_scenario() makes them: long names, spreads, n/a cells."""
    rows = []
    cases = [("a_rather_long_scenario_name", 1000.0, 999.0, 1.0, None, {}),
             ("pingpong_timeout", 18.62, 16.52, 15.5, 14.0, {}),
             ("threading_persistent", 50516.0, 47349.0, None, None,
              {"c": "C program bench/c/tsserver did not build: cc: command "
                    "not found, and more text than any column holds",
               "floor": "no floor for this scenario"})]
    for name, std, fast, c, floor, na in cases:
        row = {"name": name, "title": name, "unit": "ns/call", "better": "lower",
               "what": "", "na": na, "count": 1}
        for impl, v in (("stdlib", std), ("fastsock", fast), ("c", c),
                        ("floor", floor)):
            row[impl] = br.summarize([v, v * 1.3333, v * 0.9111]) if v else None
        br.add_ratios(row, "lower")
        br.judge(row, br.Target("speedup", 1.1), "ns/call")
        rows.append(row)
    return rows


def test_bench_table_fits_120_columns():
    br = _bench_module()
    lines = []
    br.print_table(_bench_rows(br), lines.append)
    lines = "\n".join(lines).splitlines()
    assert max(map(len, lines)) <= 120, "\n".join(lines)
    header = lines[0].split()
    assert header[-1] == "n/a" and "[min-max]" not in lines[0]
    # Every ratio reads alike: two decimals.
    ratios = re.findall(r"\b\d+\.\d+x", "\n".join(lines))
    assert ratios and all(re.fullmatch(r"\d+\.\d\dx", r) for r in ratios), ratios
    # The n/a reasons share the last column; one too long for it is
    # printed in full below the table.
    row = next(line for line in lines if line.startswith("threading_persistent"))
    assert " n/a " in row and row.split("  ")[-1].startswith("c: ")
    assert "more text than any column holds" in " ".join(l.strip() for l in lines)
    # --wide: every column.
    wide = []
    br.print_table(_bench_rows(br), wide.append, wide=True)
    assert "py floor" in wide[0] and "[min-max]" in wide[0]
    assert br.parse_args(["--wide"]).wide and not br.parse_args([]).wide


def test_bench_floor_target():
    # readline's target is a distance from its Python floor: the status
    # gives that distance, in the narrow table too.
    br = _bench_module()
    rows = []
    for fast in (165.0, 180.0):
        row = {"name": "readline", "title": "", "unit": "ns/line",
               "better": "lower", "what": "", "na": {}, "count": 1}
        for impl, v in (("stdlib", 330.0), ("fastsock", fast), ("c", 40.0),
                        ("floor", 160.0)):
            row[impl] = br.summarize([v])
        br.add_ratios(row, "lower")
        br.judge(row, br.Target("vs_floor", 1.10), "ns/line")
        rows.append(row)
    assert [br.status(r) for r in rows] == [
        ("<= 1.10x floor", "met: 1.03x floor"),
        ("<= 1.10x floor", "MISSED: 1.12x floor")]
    lines = []
    br.print_table(rows, lines.append)
    assert "MISSED: 1.12x floor" in lines[-1] and max(map(len, lines)) <= 120


def test_bench_server_floor_status():
    # A server scenario's floor is a server too (req/s, higher is better):
    # a missed target says what the floor allows, with the server's CPU
    # per request beside it.
    br = _bench_module()
    row = {"name": "http_wrk", "title": "", "unit": "req/s", "better": "higher",
           "what": "", "na": {}, "count": None, "cpu_speedup": 1.1}
    for impl, v in (("stdlib", 900.0), ("fastsock", 990.0), ("c", 6000.0),
                    ("floor", 1080.0)):
        row[impl] = br.summarize([v])
    br.add_ratios(row, "higher")
    br.judge(row, br.Target("speedup", 1.3), "req/s")
    assert br.status(row) == (">= 1.30x stdlib",
                              "MISSED (floor allows 1.20x; server CPU/req: 1.10x)")
    assert row["floor_speedup"] == pytest.approx(1.2)
    assert row["floor_vs_c"] == pytest.approx(6000.0 / 1080.0)
    http = next(sc for sc in br.SCENARIOS if sc.name == "http_wrk")
    assert http.floor and http.kind == "server"


def test_bench_http_floor_server_answers_as_http_server(tmp_path):
    # http_wrk's floor must do the handler's whole work: the same reply as
    # http.server's, file and headers, over real loopback connections.
    import http.client

    wl = _bench_module("workload")
    body = b"fastsock benchmark page\n" * 43
    (tmp_path / "index.txt").write_bytes(body)
    srv = wl.FloorHTTPServer(str(tmp_path))
    host, port = srv.server_address
    assert host == "127.0.0.1"
    for name, status, want in (("index.txt", 200, body), ("missing", 404, None)):
        conn = http.client.HTTPConnection(host, port, timeout=WAIT)
        conn.request("GET", "/" + name)     # waits in the listen backlog
        thread = srv.handle_request()
        reply = conn.getresponse()
        got = reply.read()
        conn.close()
        thread.join(WAIT)
        assert not thread.is_alive()
        assert (reply.status, reply.version) == (status, 10)
        assert reply.getheader("Server").startswith("SimpleHTTP/")
        if want is not None:
            assert got == want
            assert reply.getheader("Content-Length") == str(len(body))
    srv.server_close()


def test_bench_missing(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(fsmain, "__file__", str(tmp_path / "a" / "b" / "__main__.py"))
    monkeypatch.chdir(tmp_path)
    assert fsmain.main(["bench"]) == 2
    assert "bench/run.py not found" in capsys.readouterr().err


def test_bench_runs_bench_run_py(monkeypatch, tmp_path):
    (tmp_path / "bench").mkdir()
    write(tmp_path / "bench" / "run.py", "import sys\nsys.exit(len(sys.argv) + 40)\n")
    monkeypatch.setattr(fsmain, "__file__", str(tmp_path / "a" / "b" / "__main__.py"))
    monkeypatch.chdir(tmp_path)
    assert fsmain.main(["bench", "x", "y"]) == 43


TLS_SCRIPT = """\
import socket, ssl, sys, threading
import fastsock
cert, key = sys.argv[1], sys.argv[2]
srv_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
srv_ctx.load_cert_chain(cert, key)
cli_ctx = ssl.create_default_context(cafile=cert)
listener = socket.create_server(("127.0.0.1", 0))
assert type(listener) is fastsock.socket
port = listener.getsockname()[1]

def serve():
    conn, _ = listener.accept()
    with srv_ctx.wrap_socket(conn, server_side=True) as tls:
        tls.sendall(tls.recv(100).upper())

t = threading.Thread(target=serve)
t.start()
raw = socket.create_connection(("127.0.0.1", port), timeout=10)
with cli_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
    tls.sendall(b"over tls")
    print(tls.recv(100).decode(), type(tls).__name__, raw.fileno())
t.join(10)
listener.close()
"""


def test_ssl_wraps_fastsock_sockets(tmp_path):
    """ssl keeps the stdlib socket (see fastsock._patch); wrap_socket() on a
    fastsock socket takes its descriptor over, on both ends."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed; it makes the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "2",
                           "-subj", "/CN=localhost", "-addext",
                           "subjectAltName=DNS:localhost"],
                          capture_output=True, timeout=60)
    if made.returncode != 0:
        pytest.skip("openssl could not make a certificate: %s" % made.stderr[-200:])
    script = write(tmp_path / "tls.py", TLS_SCRIPT)
    res = run(RUN + [script, cert, key], timeout=30)
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"OVER TLS SSLSocket -1\n"


def test_asyncio_streams_on_fastsock(tmp_path):
    script = write(tmp_path / "aio.py", """\
        import asyncio, socket
        import fastsock

        async def main():
            async def shout(reader, writer):
                writer.write((await reader.readline()).upper())
                await writer.drain()
                writer.close()
            srv = await asyncio.start_server(shout, "127.0.0.1", 0)
            port = srv.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"hi async\\n")
            await writer.drain()
            print((await reader.readline()).decode(), end="")
            print(type(srv.sockets[0]._sock) is fastsock.socket)
            writer.close()
            srv.close()
            await srv.wait_closed()

        asyncio.run(asyncio.wait_for(main(), 10))
        """)
    res = run(RUN + [script], timeout=30)
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"HI ASYNC\nTrue\n"


def test_only_ssl_holds_the_stdlib_socket_when_the_script_starts():
    """What the documentation promises about modules imported before the
    script: none of them holds the stdlib socket module except ssl, which
    is imported with it on purpose (see fastsock._patch)."""
    code = ("import sys, fastsock._patch as p\n"
            "std = p._saved['socket']\n"
            "print(std.__name__, std is not sys.modules['socket'])\n"
            "print(sorted(n for n, m in list(sys.modules.items()) if n != '__main__'\n"
            "             and any(v is std for v in getattr(m, '__dict__', {}).values())))\n")
    res = run(RUN + ["-c", code])
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"socket True\n['ssl']\n"
