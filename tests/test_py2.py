"""Python 2 mode, part 2: ``python -m fastsock run --py2`` against Python 2.7.

* Unit tests of the str semantics (in this process): sockets, socket files
  and errors of the Python 2 flavour of fastsock.
* Differential tests: every program of examples/py2/ runs under a real
  Python 2.7 (the stdlib's socket) and under ``run --py2``, with the same
  scripted input; stdout, stderr (less the frames of the interpreters' own
  modules) and exit status are compared, and so are the bytes on the wire,
  recorded by a relay between client and server.  Pairs run both ways
  mixed too (a Python 2 server with a py2-mode client and the reverse).

The book's programs name their ports (21567, 33333...): each test runs
copies in a temporary directory where that number is a free port (the
only change), so tests run in parallel and beside other users of the
machine.  Everything is on loopback, and every wait is bounded.
"""
import os
import re
import select
import shutil
import signal
import socket as stdsocket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import fastsock

from test_examples import (CHILD_ENV, CTIME, EXAMPLES, IN_ACCEPT, IN_READ,  # noqa: F401
                           IN_RECVFROM, PY, WAIT, Proc, free_port, procs,
                           wait_bound)

pytest.importorskip("fissix", reason="fissix (the Python 2 translator, a "
                    "dependency of fastsock) is not installed")

from fastsock import _py2  # noqa: E402

EX2 = EXAMPLES / "py2"
MODE = [PY, "-m", "fastsock", "run", "--py2"]


def _find_python2():
    """A Python 2.7 interpreter: $FASTSOCK_PYTHON2, python2.7 on PATH, or
    pyenv's 2.7.18."""
    candidates = [os.environ.get("FASTSOCK_PYTHON2"),
                  shutil.which("python2.7"), shutil.which("python2")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            prefix = subprocess.run([pyenv, "prefix", "2.7.18"],
                                    capture_output=True, text=True,
                                    timeout=10).stdout.strip()
            candidates.append(os.path.join(prefix, "bin", "python"))
        except (OSError, subprocess.SubprocessError):
            pass
    for exe in candidates:
        if exe and os.path.isfile(exe):
            try:
                out = subprocess.run([exe, "-c", "import sys; print(sys.version_info[:2])"],
                                     capture_output=True, text=True, timeout=10).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            if out.strip() == "(2, 7)":
                return exe
    return None


PY2 = _find_python2()
needs_py2 = pytest.mark.skipif(
    PY2 is None, reason="no Python 2.7 here (set FASTSOCK_PYTHON2, or put "
    "python2.7 on PATH): the differential tests need the real Python 2")
RUNNERS = {"py2": [PY2], "mode": MODE}
PAIRS = [("py2", "py2"), ("mode", "mode"), ("py2", "mode"), ("mode", "py2")]
PAIR_IDS = ["%s-server-%s-client" % p for p in PAIRS]


# ---------------------------------------------------------------- str semantics

M = _py2._build_socket_module()


@pytest.fixture
def pair():
    a, b = M.socketpair()
    a.settimeout(WAIT)
    b.settimeout(WAIT)
    yield a, b
    a.close()
    b.close()


B = _py2.to_str      # the Python 2 mode str of some bytes


def _raw_recv(sock, n=1024):
    """The bytes themselves (recv_into is not converted)."""
    buf = bytearray(n)
    return bytes(buf[:sock.recv_into(buf)])


def test_send_and_recv_carry_bytes_one_to_one(pair):
    a, b = pair
    assert a.send(B(b"h\xe9\xff\x00")) == 4
    assert _raw_recv(b) == b"h\xe9\xff\x00"
    a.sendall(bytes(range(256)))             # bytes-like objects pass as they are
    got = ""
    while len(got) < 256:
        got += b.recv(1024)
    assert type(got) is str and got == B(bytes(range(256)))
    # Python 2's str methods see no letters or spaces among bytes >= 0x80:
    # UTF-8 "\u4f60" ends with byte 0xA0, which strip() must keep.
    a.send("\u4f60\u597d \r\n".encode("utf-8"))
    line = b.recv(100)
    assert line.strip() == B("\u4f60\u597d".encode("utf-8"))
    assert line.upper() == line and len(line.split()) == 1


def test_text_beyond_ascii_is_refused_as_in_python2(pair):
    a, _ = pair
    with pytest.raises(UnicodeEncodeError) as info:
        a.send("caf\xe9")             # u'caf\xe9' in Python 2
    assert info.value.encoding == "ascii"


def test_percent_formatting_of_received_data(pair):
    a, b = pair
    a.send("hi")
    data = b.recv(1024)
    # Python 3's bytes would give "[T] b'hi'".
    assert "[%s] %s" % ("T", data) == "[T] hi"
    b.send("[%s] %s" % ("T", data))
    assert _raw_recv(a) == b"[T] hi"


def test_sendto_recvfrom():
    s = M.socket(M.AF_INET, M.SOCK_DGRAM)
    c = M.socket(M.AF_INET, M.SOCK_DGRAM)
    try:
        s.settimeout(WAIT)
        c.settimeout(WAIT)
        s.bind(("127.0.0.1", 0))
        c.bind(("127.0.0.1", 0))
        assert c.sendto(B(b"x\xe4"), s.getsockname()) == 2
        data, addr = s.recvfrom(100)
        assert (data, addr) == (B(b"x\xe4"), c.getsockname())
        assert s.sendto("[%s]" % data, 0, addr) == 4       # with flags
        buf = bytearray(100)
        n, addr = c.recvfrom_into(buf)
        assert (bytes(buf[:n]), addr) == (b"[x\xe4]", s.getsockname())
    finally:
        s.close()
        c.close()


def test_makefile_rw_unbuffered(pair):
    a, b = pair
    f = b.makefile("rw", 0)
    f.write("welcome,\n")
    f.write("Please enter a string:")
    # Unbuffered: both writes are on the wire without a flush.
    got = b""
    while len(got) < 31:
        got += _raw_recv(a)
    assert got == b"welcome,\nPlease enter a string:"
    a.sendall(b"h\xe9llo\r\nrest\n")
    # No newline translation: "\r\n" stays, as in Python 2.
    assert f.readline() == B(b"h\xe9llo\r\n")
    assert f.readline().strip() == "rest"
    f.close()
    b.send("still open")                     # closing the file keeps the socket
    assert _raw_recv(a) == b"still open"


def test_makefile_modes_read_and_write_as_python2(pair):
    a, b = pair
    r = b.makefile("r")
    r.write("x\n")                           # Python 2 wrote in any mode
    r.flush()
    assert _raw_recv(a) == b"x\n"
    a.sendall(b"one\ntwo\n")
    a.shutdown(stdsocket.SHUT_WR)
    assert list(r) == ["one\n", "two\n"]
    w = b.makefile("wb", 1)                  # bufsize 1: line buffered
    w.write("line\n")
    assert _raw_recv(a) == b"line\n"


def _py2_last_line(exc):
    return _py2.format_exception(type(exc), exc, None, lambda f: False)


def test_errors_are_python2s(pair):
    a, b = pair
    b.settimeout(0.01)
    with pytest.raises(M.timeout) as info:
        b.recv(1)
    assert isinstance(info.value, M.error) and str(info.value) == "timed out"
    assert _py2_last_line(info.value) == "socket.timeout: timed out\n"
    a.close()
    for call in (lambda: a.recv(1), lambda: a.send("x"), lambda: a.accept()):
        with pytest.raises(M.error) as info:
            call()
        e = info.value
        assert isinstance(e, IOError) and e.errno == 9
        assert _py2_last_line(e) == "socket.error: [Errno 9] Bad file descriptor\n"
    with pytest.raises(M.error) as info:
        b.sendall("x" * 1000000)      # the peer is gone
    assert _py2_last_line(info.value) == "socket.error: [Errno 32] Broken pipe\n"
    with pytest.raises(IOError) as info:
        open("/nonexistent/x")
    assert _py2_last_line(info.value) == (
        "IOError: [Errno 2] No such file or directory: '/nonexistent/x'\n")


def test_str_mode_is_the_classs():
    """Plain fastsock sockets keep bytes; Python 2 mode's give str, also
    those accept(), dup() and the helpers make."""
    a, b = fastsock.socketpair()
    try:
        a.send(b"x")
        assert b.recv(10) == b"x"
        with pytest.raises(TypeError):
            a.send("x")
    finally:
        a.close()
        b.close()
    c, d = M.socketpair()
    try:
        assert c.recv(0) == ""
        e = d.dup()
        c.send("y")
        assert e.recv(10) == "y"
        e.close()
    finally:
        c.close()
        d.close()


def test_accept_and_helpers_give_python2_sockets():
    srv = M.socket(M.AF_INET, M.SOCK_STREAM)
    try:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        c = M.create_connection(srv.getsockname(), WAIT)
        conn, addr = srv.accept()
        assert type(c) is M.socket and type(conn) is M.socket
        assert type(conn.dup()) is M.socket
        assert conn.family == 2 and type(conn.family) is int
        c.send("ping")
        assert conn.recv(10) == "ping"
        c.close()
        conn.close()
    finally:
        srv.close()
    assert type(M.AF_INET) is int and M.SOCK_DGRAM == 2
    assert M.inet_aton("1.2.3.4") == "\x01\x02\x03\x04"
    assert M.inet_ntoa(B(b"\x7f\x00\x00\x01")) == "127.0.0.1"
    assert M.inet_aton("1.2.3.200") == B(b"\x01\x02\x03\xc8")
    with pytest.raises(M.gaierror):
        M.getaddrinfo("no-such-host.invalid", 80)


# ---------------------------------------------------------------- processes

def _start(procs, kind, script, *args, cwd):
    return procs(RUNNERS[kind] + [script] + [str(a) for a in args], cwd=cwd)


def run_py2_script(kind, script, args=(), stdin=b"", cwd=None):
    return subprocess.run(RUNNERS[kind] + [str(script)] + [str(a) for a in args],
                          cwd=str(cwd), env=CHILD_ENV, input=stdin,
                          capture_output=True, timeout=WAIT)


def norm(text):
    """Times and ephemeral ports made comparable."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    text = re.sub(CTIME, "CTIME", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", text)
    return re.sub(r"\('127\.0\.0\.1', \d+\)", "('127.0.0.1', PORT)", text)


def norm_err(text, workdir):
    """stderr without the traceback frames of files outside *workdir* (the
    interpreters' own modules: socket.py, SocketServer.py, fastsock's)."""
    out, skip = [], False
    for line in norm(text).splitlines(True):
        m = re.match(r'  File "(.*?)", line \d+, in ', line)
        if m:
            path = os.path.normpath(os.path.join(str(workdir), m.group(1)))
            skip = not path.startswith(str(workdir) + os.sep)
            if skip:
                continue
        elif skip and line.startswith("    "):
            continue
        else:
            skip = False
        out.append(line)
    return "".join(out)


def copy(name, workdir, *subs):
    """examples/py2/NAME into *workdir*, each (old, new) replaced once."""
    text = (EX2 / name).read_text(encoding="utf-8")
    for old, new in subs:
        assert old in text, (name, old)
        text = text.replace(old, new, 1)
    (workdir / name).write_text(text, encoding="utf-8")
    return name


class TcpRelay:
    """A loopback TCP relay to *port* that records, per connection, the
    bytes each way."""

    def __init__(self, port):
        self.target = port
        self.lsock = stdsocket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.lsock.settimeout(0.2)
        self.port = self.lsock.getsockname()[1]
        self.conns = []
        self.stop = False
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while not self.stop:
            try:
                down, _ = self.lsock.accept()
            except stdsocket.timeout:
                continue
            except OSError:
                return
            up = stdsocket.create_connection(("127.0.0.1", self.target), WAIT)
            rec = {"c2s": bytearray(), "s2c": bytearray()}
            self.conns.append(rec)
            for src, dst, key in ((down, up, "c2s"), (up, down, "s2c")):
                t = threading.Thread(target=self._pump, args=(src, dst, rec[key]),
                                     daemon=True)
                t.start()
                self.threads.append(t)

    @staticmethod
    def _pump(src, dst, record):
        src.settimeout(WAIT * 2)
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                record += data
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(stdsocket.SHUT_WR)
        except OSError:
            pass

    def wire(self):
        return [(norm(bytes(r["c2s"])), norm(bytes(r["s2c"]))) for r in self.conns]

    def close(self):
        self.stop = True
        for t in self.threads:
            t.join(1)
        self.lsock.close()


class UdpRelay:
    """A loopback UDP relay to *port*, recording the datagrams each way."""

    def __init__(self, port):
        self.down = stdsocket.socket(stdsocket.AF_INET, stdsocket.SOCK_DGRAM)
        self.down.bind(("127.0.0.1", 0))
        self.port = self.down.getsockname()[1]
        self.up = stdsocket.socket(stdsocket.AF_INET, stdsocket.SOCK_DGRAM)
        self.up.connect(("127.0.0.1", port))
        self.log = []
        self.client = None
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            ready, _, _ = select.select([self.down, self.up], [], [], 0.1)
            for s in ready:
                try:
                    if s is self.down:
                        data, self.client = s.recvfrom(65536)
                        self.log.append(("c2s", norm(data)))
                        self.up.send(data)
                    else:
                        data = s.recv(65536)
                        self.log.append(("s2c", norm(data)))
                        self.down.sendto(data, self.client)
                except OSError:
                    pass            # e.g. ECONNREFUSED: the server is gone

    def wire(self):
        return list(self.log)

    def close(self):
        self.stop = True
        self.thread.join(1)
        self.down.close()
        self.up.close()


def _finish_server(server, sigint=True, calls=IN_ACCEPT):
    """Ctrl-C the server (if asked) once it waits in one of *calls*, and
    return (rc, stdout, stderr)."""
    if sigint:
        server.wait_asleep(calls=calls)
        server.signal(signal.SIGINT)
    rc = server.finish()
    return rc, server.out, server.err


def transcript(workdir, client, server_rc_out_err, wire):
    rc, out, err = server_rc_out_err
    return {
        "client rc": client.p.returncode, "client out": norm(client.out),
        "client err": norm_err(client.err, workdir),
        "server rc": rc, "server out": norm(out), "server err": norm_err(err, workdir),
        "wire": wire,
    }


def _compare(results):
    ref = results[("py2", "py2")]
    for key, got in results.items():
        for field in ref:
            assert got[field] == ref[field], (
                "%s differs for %s-server %s-client:\nPython 2: %r\ngot:      %r"
                % (field, key[0], key[1], ref[field], got[field]))
    return ref


# ---------------------------------------------------------------- the pairs

def _tcp_session(procs, tmp, skind, ckind, server, client, server_port,
                 lines, client_subs=(), end_input=True, sigint=True):
    port = free_port()
    work = tmp / ("%s-%s" % (skind, ckind))
    work.mkdir()
    sname = copy(server, work, (str(server_port), str(port)))
    srv = _start(procs, skind, sname, cwd=work)
    wait_bound(port, srv)
    relay = TcpRelay(port)
    try:
        subs = [(str(server_port), str(relay.port))] + list(client_subs)
        cname = copy(client, work, *subs)
        cli = _start(procs, ckind, cname, cwd=work)
        cli.send("".join(line + "\n" for line in lines))
        if end_input:
            cli.close_stdin()
        cli.finish()
        time.sleep(0.2)      # the server's last lines after the client left
        result = transcript(work, cli, _finish_server(srv, sigint), relay.wire())
    finally:
        relay.close()
    return result


@needs_py2
def test_tcp_timestamp_pair(procs, tmp_path):
    results = {}
    for skind, ckind in PAIRS:
        results[skind, ckind] = _tcp_session(
            procs, tmp_path, skind, ckind, "tsTserv.py", "tsTclnt.py", 21567,
            ["send test data", "hi", "how are you?", ""])
    ref = _compare(results)
    # And it is the book's transcript.
    assert ref["client out"] == (">[CTIME] send test data\n>[CTIME] hi\n"
                                 ">[CTIME] how are you?\n>")
    assert ref["server out"] == (
        "waiting for connection...\n...connected from:  ('127.0.0.1', PORT)\n"
        "['CTIME'] : send test data\n['CTIME'] : hi\n['CTIME'] : how are you?\n"
        "waiting for connection...\n")
    assert ref["wire"] == [("send test datahihow are you?",
                            "[CTIME] send test data[CTIME] hi[CTIME] how are you?")]
    # Ctrl-C ends the server with Python 2's traceback and status 1.
    assert ref["server rc"] == 1
    assert ref["server err"].endswith("\nKeyboardInterrupt\n")
    assert "tcpCliSock,addr = tcpSerSock.accept()" in ref["server err"]


@needs_py2
def test_tcp_timestamp_friendly_exit(procs, tmp_path):
    """The core tip's pair: end of input is caught (EOFError) and the
    client exits quietly; Ctrl-C is not (the book's except clause binds the
    name KeyboardInterrupt instead), in Python 2 as under run --py2."""
    results = {}
    for skind, ckind in PAIRS:
        results[skind, ckind] = _tcp_session(
            procs, tmp_path, skind, ckind, "tsTserv_friendly.py",
            "tsTclnt_friendly.py", 21567, ["hi"])
    ref = _compare(results)
    assert ref["client rc"] == 0 and ref["client err"] == ""
    assert ref["client out"] == ">[CTIME] hi\n>"
    assert ref["server rc"] == 1
    assert ref["server err"].endswith("\nKeyboardInterrupt\n")


@needs_py2
@pytest.mark.parametrize("kind", ["py2", "mode"])
def test_friendly_client_ctrl_c(procs, tmp_path, kind):
    port = free_port()
    srv = stdsocket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    try:
        name = copy("tsTclnt_friendly.py", tmp_path, ("21567", str(port)))
        cli = _start(procs, kind, name, cwd=tmp_path)
        cli.wait_for(">")
        cli.wait_asleep(calls=IN_READ)
        cli.signal(signal.SIGINT)
        rc = cli.finish()
    finally:
        srv.close()
    assert rc == 1
    assert norm_err(cli.err, tmp_path) == (
        'Traceback (most recent call last):\n'
        '  File "tsTclnt_friendly.py", line 15, in <module>\n'
        "    data = raw_input('>')\n"
        'KeyboardInterrupt\n')


def _udp_session(procs, tmp, skind, ckind, server, server_port, lines,
                 server_ends=False):
    port = free_port(stdsocket.SOCK_DGRAM)
    work = tmp / ("%s-%s" % (skind, ckind))
    work.mkdir()
    sname = copy(server, work, (str(server_port), str(port)))
    srv = _start(procs, skind, sname, cwd=work)
    wait_bound(port, srv, "udp")
    relay = UdpRelay(port)
    try:
        cname = copy("tsUclnt.py", work, ("21568", str(relay.port)))
        cli = _start(procs, ckind, cname, cwd=work)
        for line in lines:
            cli.wait_for(r"> ")
            if server_ends and not line:
                srv.finish()       # wait for the server to die first
            cli.send(line + "\n")
            if line:
                cli.wait_for(r"\n")
        cli.finish()
        result = transcript(work, cli,
                            _finish_server(srv, not server_ends, IN_RECVFROM),
                            relay.wire())
    finally:
        relay.close()
    return result


@needs_py2
def test_udp_timestamp_pair(procs, tmp_path):
    results = {}
    for skind, ckind in PAIRS:
        results[skind, ckind] = _udp_session(
            procs, tmp_path, skind, ckind, "tsUserv.py", 21568,
            ["hi", "test1", "test2", ""])
    ref = _compare(results)
    assert ref["client out"] == ("> [CTIME] hi\n> [CTIME] test1\n"
                                 "> [CTIME] test2\n> ")
    assert ref["wire"] == [("c2s", "hi"), ("s2c", "[CTIME] hi"),
                           ("c2s", "test1"), ("s2c", "[CTIME] test1"),
                           ("c2s", "test2"), ("s2c", "[CTIME] test2")]


@needs_py2
def test_udp_server_closing_in_its_loop_dies_with_ebadf(procs, tmp_path):
    results = {}
    for skind, ckind in PAIRS:
        results[skind, ckind] = _udp_session(
            procs, tmp_path, skind, ckind, "tsUserv_first.py", 21567,
            ["hi", ""], server_ends=True)
    ref = _compare(results)
    assert ref["server rc"] == 1
    assert ref["server out"] == (
        "waiting for message...\n...received from and returned to: "
        "('127.0.0.1', PORT)\nwaiting for message...\n")
    assert ref["server err"] == (
        'Traceback (most recent call last):\n'
        '  File "tsUserv_first.py", line 16, in <module>\n'
        '    data, addr = udpSerSock.recvfrom(BUFSIZ)\n'
        'socket.error: [Errno 9] Bad file descriptor\n')
    assert ref["wire"] == [("c2s", "hi"), ("s2c", "[CTIME] [hi]")]


@needs_py2
def test_socketserver_timestamp_pair(procs, tmp_path):
    results = {}
    for skind, ckind in PAIRS:
        results[skind, ckind] = _tcp_session(
            procs, tmp_path, skind, ckind, "tsTservSS.py", "tsTclntSS.py",
            21567, ["test1", "test2", "test3", ""],
            client_subs=[("'localhost'", "'127.0.0.1'")])
    ref = _compare(results)
    assert ref["client out"] == "> [CTIME] test1\n> [CTIME] test2\n> [CTIME] test3\n> "
    # One connection per line, and the one the empty line never uses.
    assert ref["server out"].count("...connected from:") == 4
    assert [w[0] for w in ref["wire"]] == ["test1\r\n", "test2\r\n", "test3\r\n", ""]
    # The handler of that last connection reads '' and answers all the same.
    assert [w[1] for w in ref["wire"]] == ["[CTIME] test1\r\n", "[CTIME] test2\r\n",
                                           "[CTIME] test3\r\n", "[CTIME] "]


@needs_py2
def test_simple_server_client(procs, tmp_path):
    results = {}
    for skind, ckind in PAIRS:
        results[skind, ckind] = _tcp_session(
            procs, tmp_path, skind, ckind, "server.py", "client.py", 33333,
            ["hello"])
    ref = _compare(results)
    assert ref["client out"] == ("Please input message: server receive your "
                                 "messages, good bye.\n")
    assert ref["wire"] == [("hello", "server receive your messages, good bye.")]


@needs_py2
def test_select_chat(procs, tmp_path):
    results = {}
    for skind, ckind in PAIRS:
        port = free_port()
        work = tmp_path / ("%s-%s" % (skind, ckind))
        work.mkdir()
        sname = copy("chat_server.py", work, ("33333", str(port)))
        srv = _start(procs, skind, sname, cwd=work)
        wait_bound(port, srv)
        relay = TcpRelay(port)
        try:
            cname = copy("chat_client.py", work, ("33333", str(relay.port)))
            clients = []
            for _ in range(2):
                clients.append(_start(procs, ckind, cname, cwd=work))
                srv.wait_for(r"connect\.\n")
            clients[0].send("hello from one\n")
            clients[1].wait_for(r"say: hello from one\n\n")
            clients[1].send("\u4e2d\u6587\n")
            clients[0].wait_for(r"say: \u4e2d\u6587\n\n")
            for c in clients:
                c.send("exit\n")
                c.finish()
                srv.wait_for(r"Close\.\n")
            results[skind, ckind] = {
                "clients out": [norm(c.out) for c in clients],
                "clients rc": [c.p.returncode for c in clients],
                "clients err": [norm_err(c.err, work) for c in clients],
                "server out": norm(srv.out),
                "wire": relay.wire(),
            }
        finally:
            relay.close()
    ref = _compare(results)
    assert ref["clients rc"] == [0, 0]
    assert ref["clients out"][1] == ("TIME ('127.0.0.1', PORT) say: hello from "
                                     "one\n\nByeBye~~\n")
    said = norm("\u4e2d\u6587".encode("utf-8"))
    assert ref["wire"][1][0] == said


@needs_py2
def test_gopher_client(procs, tmp_path):
    stand_in_port = free_port()
    server = procs([PY, str(EXAMPLES / "gopher_standin.py"), stand_in_port])
    server.wait_for(r"Gopher stand-in on")
    results = {}
    for kind in ("py2", "mode"):
        work = tmp_path / kind
        work.mkdir()
        relay = TcpRelay(stand_in_port)
        try:
            name = copy("gopherclient.py", work, ("port =70", "port =%d" % relay.port))
            out = []
            for selector in ("/", "/about"):
                r = run_py2_script(kind, name, ["127.0.0.1", selector], cwd=work)
                out.append((r.returncode, r.stdout, norm_err(r.stderr, work)))
            # The blogger's run: one argument, and sys.argv[2] fails.
            r = run_py2_script(kind, name, ["127.0.0.1"], cwd=work)
            out.append((r.returncode, r.stdout, norm_err(r.stderr, work)))
            results[kind] = (out, relay.wire())
        finally:
            relay.close()
    assert results["mode"] == results["py2"]
    out, wire = results["py2"]
    assert out[0][0] == 0 and out[0][1].startswith(b"iWelcome")
    assert out[2][0] == 1 and out[2][2].endswith(
        "    filename=sys.argv[2]\nIndexError: list index out of range\n")
    assert [w[0] for w in wire] == ["/\r\n", "/about\r\n"]


@needs_py2
def test_basic_server_makefile_unbuffered(procs, tmp_path):
    results = {}
    for kind in ("py2", "mode"):
        work = tmp_path / kind
        work.mkdir()
        port = free_port()
        name = copy("basicserver.py", work, ("51423", str(port)))
        srv = _start(procs, kind, name, cwd=work)
        srv.wait_for(r"press Ctrl-C to terminate\.\n")
        talks = []
        for typed in (b"hello world\r\n", "h\u00e9llo \u4e2d\n".encode("utf-8")):
            with stdsocket.create_connection(("127.0.0.1", port), WAIT) as c:
                got = b""
                # The greeting and the prompt come before any input:
                # the file is unbuffered (makefile('rw', 0)).
                while not got.endswith(b"Please enter a string:"):
                    chunk = c.recv(1024)
                    assert chunk, got
                    got += chunk
                c.sendall(typed)
                while True:
                    chunk = c.recv(1024)
                    if not chunk:
                        break
                    got += chunk
            talks.append(norm(got))
        results[kind] = (talks, _finish_server(srv)[0],
                         norm(srv.out).replace(str(port), "PORT"),
                         norm_err(srv.err, work))
    assert results["mode"] == results["py2"]
    talks = results["py2"][0]
    assert talks[0] == ("welcome,('127.0.0.1', PORT)\nPlease enter a string:"
                        "You entered 11 characters.\n")
    assert talks[1].endswith("You entered 10 characters.\n")   # bytes, not chars


UTF8_PROGRAM = """\
# -*- coding: utf-8 -*-
import socket, sys
msg = '欢迎访问菜鸟教程！'
a, b = socket.socketpair()
a.sendall(msg + sys.argv[1] + '\\r\\n')
data = b.recv(1024)
print data
print '%s|%d|%d' % (data.strip(), len(data), len(msg))
print [len(x) for x in data.split()], msg[:3], u'text'
line = raw_input('> ')
print line, len(line), line.upper()
sys.stdout.write(data)
b.sendall(line)
print a.recv(100) == line, type(data) is str
print ord(data[0]), ord('\\xff'), chr(0xe4) + chr(0xb8) + chr(0xad), unichr(65)
"""


@needs_py2
def test_utf8_byte_strings_stdio_and_argv(tmp_path):
    (tmp_path / "utf8.py").write_text(UTF8_PROGRAM, encoding="utf-8")
    arg = "\u00e9\u4e2d"
    stdin = "h\u00e9llo \u4e2d\u6587\n".encode("utf-8")
    py2 = run_py2_script("py2", "utf8.py", [arg], stdin, tmp_path)
    mode = run_py2_script("mode", "utf8.py", [arg], stdin, tmp_path)
    assert (mode.returncode, mode.stdout, mode.stderr) == \
        (py2.returncode, py2.stdout, py2.stderr)
    assert "欢迎访问菜鸟教程！".encode("utf-8") in py2.stdout
    assert py2.returncode == 0


PRINT_PROGRAM = """\
import sys
print 'a',
print 'b'
print 'line\\n',
print 'next', 1, [2], None
for i in range(3):
    print i,
print
print 'tab\\t', 'x'
print >>sys.stderr, 'err', 2
print 'x',
y = raw_input('> ')
print y
sys.stdout.write('w')
print 'end',
"""


@needs_py2
def test_print_statement_softspace(tmp_path):
    (tmp_path / "pr.py").write_text(PRINT_PROGRAM)
    py2 = run_py2_script("py2", "pr.py", stdin=b"hello\n", cwd=tmp_path)
    mode = run_py2_script("mode", "pr.py", stdin=b"hello\n", cwd=tmp_path)
    assert (mode.returncode, mode.stdout, mode.stderr) == \
        (py2.returncode, py2.stdout, py2.stderr)
    assert py2.stdout.startswith(b"a b\nline\nnext 1 [2] None\n0 1 2\ntab\tx\nx > hello\n")


@needs_py2
def test_uncaught_errors_print_as_python2(tmp_path):
    (tmp_path / "err.py").write_text(
        "import socket\nclass MyError(Exception): pass\n"
        "def f():\n    raise MyError('m %%s' %% 1)\n"
        "s = socket.socket()\ntry:\n    s.connect(('127.0.0.1', %d))\n"
        "except socket.error, e:\n    print 'caught', e.errno, e\n"
        "f()\n" % free_port())
    py2 = run_py2_script("py2", "err.py", cwd=tmp_path)
    mode = run_py2_script("mode", "err.py", cwd=tmp_path)
    assert (mode.returncode, mode.stdout, mode.stderr) == \
        (py2.returncode, py2.stdout, py2.stderr)
    assert py2.stderr.endswith(b"__main__.MyError: m 1\n")


@needs_py2
def test_exception_in_a_thread_prints_as_python2(tmp_path):
    (tmp_path / "th.py").write_text(
        "import threading\ndef work():\n    raise ValueError('boom %d' % 1)\n"
        "t = threading.Thread(target=work)\nt.start()\nt.join()\nprint 'after'\n")
    py2 = run_py2_script("py2", "th.py", cwd=tmp_path)
    mode = run_py2_script("mode", "th.py", cwd=tmp_path)
    assert (mode.returncode, mode.stdout) == (py2.returncode, py2.stdout) == (0, b"after\n")
    assert norm_err(mode.stderr, tmp_path) == norm_err(py2.stderr, tmp_path)
    assert norm_err(py2.stderr, tmp_path).startswith("Exception in thread Thread-1:\n")


def test_python3_modules_keep_the_plain_fastsock(tmp_path):
    (tmp_path / "p.py").write_text(
        "import socket, SocketServer, http.client\n"
        "print socket.__name__, http.client.socket is socket\n"
        "print http.client.socket.socket is socket.socket, "
        "issubclass(socket.socket, http.client.socket.socket)\n"
        "print SocketServer.TCPServer.__module__\n")
    r = subprocess.run(MODE + ["p.py"], cwd=str(tmp_path), env=CHILD_ENV,
                       capture_output=True, timeout=WAIT)
    assert r.stdout == b"socket False\nFalse True\nSocketServer\n", r.stderr


def test_demo_py2_embedded_copies_match_examples():
    from fastsock import __main__ as fsmain

    for name, text in fsmain._BOOK_PY2.items():
        assert text == (EX2 / name).read_text(encoding="utf-8"), name


def test_demo_py2_transcript():
    res = subprocess.run([PY, "-m", "fastsock", "demo", "--py2", "--port",
                          str(free_port())], env=CHILD_ENV, capture_output=True,
                         timeout=60)
    out = res.stdout.decode()
    assert res.returncode == 0, out + res.stderr.decode()
    assert "run --py2" in out and "Python 2 flavour" in out
    for said in ("send test data", "hi", "how are you?"):
        assert re.search(r"\n>%s\n\[%s\] %s\n" % (re.escape(said), CTIME,
                                                  re.escape(said)), out)
        assert re.search(r"\n\['%s'\] : %s\n" % (CTIME, re.escape(said)), out)
