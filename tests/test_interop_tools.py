"""Real programs as peers of fastsock: curl, nc (netcat-openbsd) and socat.

The servers run under ``python -m fastsock run`` (the stdlib's
``http.server`` as ``-m http.server``, and the book's examples); the tools
talk to them over loopback.  The other direction too: the book's clients on
fastsock talking to socat servers.  A missing tool skips its tests with the
reason printed (CI installs them: apt-get install curl netcat-openbsd socat).
"""
import re
import shutil
import subprocess

import pytest

from test_examples import (CHILD_ENV, CTIME, LOOPBACK_ADDR, PY, WAIT, example,
                           free_port, procs, wait_bound)  # noqa: F401  (fixture)

import socket as stdsocket

RUN = [PY, "-m", "fastsock", "run"]


def tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip("%s is not installed (Debian package: %s)" % (
            name, {"nc": "netcat-openbsd"}.get(name, name)))
    return path


def peer(argv, stdin=b"", timeout=WAIT):
    """Run a tool to completion, bounded in time; return (status, stdout)."""
    res = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
    return res.returncode, res.stdout, res.stderr


# ---------------------------------------------------------------- curl


@pytest.fixture
def http_server(procs, tmp_path):
    """The stdlib http.server on fastsock, serving a small directory."""
    (tmp_path / "hello.txt").write_text("hello from fastsock\n")
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 4096)   # 1 MiB
    port = free_port()
    server = procs(RUN + ["-m", "http.server", "--bind", "127.0.0.1", str(port)],
                   cwd=tmp_path, stdin=False)
    server.wait_for(r"Serving HTTP on 127\.0\.0\.1 port %d" % port)
    return server, port, tmp_path


def test_curl_against_http_server_on_fastsock(http_server):
    curl = tool("curl")
    server, port, root = http_server
    base = "http://127.0.0.1:%d/" % port
    status, out, err = peer([curl, "-sS", "--max-time", "10", base + "hello.txt"])
    assert status == 0, err
    assert out == b"hello from fastsock\n"
    # A binary file of 1 MiB arrives intact (sendfile/write paths).
    status, out, err = peer([curl, "-sS", "--max-time", "10", base + "big.bin"])
    assert status == 0, err
    assert out == (root / "big.bin").read_bytes()
    # The directory listing, a 404, and the headers of a HEAD request.
    status, out, err = peer([curl, "-sS", "--max-time", "10", base])
    assert b"hello.txt" in out and b"big.bin" in out
    status, out, err = peer([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}",
                             "--max-time", "10", base + "missing"])
    assert out == b"404"
    status, out, err = peer([curl, "-sS", "-I", "--max-time", "10", base + "hello.txt"])
    assert out.startswith(b"HTTP/1.0 200 OK\r\n")
    assert b"Content-Length: 20\r\n" in out
    # The server logged each request with the client's loopback address.
    server.wait_for(r'127\.0\.0\.1 - - \[.*\] "GET /hello\.txt HTTP/1\.1" 200 -', key="err")
    server.wait_for(r'"HEAD /hello\.txt HTTP/1\.1" 200 -', key="err")


def test_urllib_on_fastsock_against_http_server_on_fastsock(http_server):
    """Both ends on fastsock: urllib.request (http.client) as the client."""
    server, port, root = http_server
    code = ("import urllib.request, socket;"
            "r = urllib.request.urlopen('http://127.0.0.1:%d/hello.txt', timeout=10);"
            "print(socket.__name__, r.status, r.read().decode(), end='')" % port)
    res = subprocess.run(RUN + ["-c", code], env=CHILD_ENV, capture_output=True,
                         timeout=WAIT)
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout == b"fastsock 200 hello from fastsock\n"


def test_curl_against_the_http_stand_in(procs):
    curl = tool("curl")
    port = free_port()
    server = procs(example("http_standin.py", "fastsock", port), stdin=False)
    server.wait_for(r"HTTP stand-in on 127\.0\.0\.1:%d\n" % port)
    status, out, err = peer([curl, "-sS", "-i", "--max-time", "10",
                             "http://127.0.0.1:%d/" % port])
    assert status == 0, err
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert "欢迎".encode("utf-8") in body


# ---------------------------------------------------------------- nc, socat: TCP


@pytest.fixture
def ts_server(procs):
    port = free_port()
    server = procs(example("tsTserv.py", "fastsock", port), stdin=False)
    server.wait_for(r"waiting for connection\.\.\.\n")
    return server, port


def test_nc_tcp_to_timestamp_server(ts_server):
    nc = tool("nc")
    server, port = ts_server
    # -N: shut the connection's write side at end of input, so the server
    # sees end of file after the line, answers, and closes.
    status, out, err = peer([nc, "-N", "-w", "10", "127.0.0.1", str(port)],
                            stdin=b"hello from nc")
    assert status == 0, err
    assert re.fullmatch(r"\[%s\] hello from nc" % CTIME, out.decode())
    server.wait_for(r"\.\.\.connected from:  %s\n\['%s'\] : hello from nc\n"
                    r"waiting for connection\.\.\.\n" % (LOOPBACK_ADDR, CTIME))


def test_socat_tcp_to_timestamp_server(ts_server):
    socat = tool("socat")
    server, port = ts_server
    status, out, err = peer([socat, "-t", "5", "-", "TCP:127.0.0.1:%d" % port],
                            stdin="你好, socat".encode("utf-8"))
    assert status == 0, err
    assert re.fullmatch(r"\[%s\] 你好, socat" % CTIME, out.decode("utf-8"))
    server.wait_for(r"\] : 你好, socat\n")


def test_nc_to_basic_server(procs):
    nc = tool("nc")
    port = free_port()
    server = procs(example("basicserver.py", "fastsock", port), stdin=False)
    server.wait_for(r"Server is running on port %d" % port)
    status, out, err = peer([nc, "-N", "-w", "10", "127.0.0.1", str(port)],
                            stdin=b"twelve chars\n")
    assert status == 0, err
    assert re.fullmatch(r"welcome,%s\nPlease enter a string:You entered 12 characters\.\n"
                        % LOOPBACK_ADDR, out.decode())


def test_nc_to_welcome_server(procs):
    nc = tool("nc")
    port = free_port()
    server = procs(example("tcp_server.py", "fastsock", port), stdin=False)
    wait_bound(port, server)
    status, out, err = peer([nc, "-w", "10", "127.0.0.1", str(port)])
    assert status == 0, err
    assert out.decode("utf-8") == "欢迎访问python教程!\r\n"
    server.wait_for(r"连接地址: %s\n" % LOOPBACK_ADDR)


# ---------------------------------------------------------------- nc, socat: UDP


@pytest.fixture
def udp_server(procs):
    port = free_port(stdsocket.SOCK_DGRAM)
    server = procs(example("tsUserv.py", "fastsock", port), stdin=False)
    server.wait_for(r"waiting for message\.\.\.\n")
    wait_bound(port, server, "udp")
    return server, port


def test_socat_udp_to_timestamp_server(udp_server):
    socat = tool("socat")
    server, port = udp_server
    # -t 1: after end of input, wait one second for the answer datagram.
    status, out, err = peer([socat, "-t", "1", "-", "UDP:127.0.0.1:%d" % port],
                            stdin=b"datagram from socat")
    assert status == 0, err
    assert re.fullmatch(r"\[%s\] datagram from socat" % CTIME, out.decode())
    server.wait_for(r"returned to: %s\ndatagram from socat\n" % LOOPBACK_ADDR)


def test_nc_udp_to_timestamp_server(udp_server):
    nc = tool("nc")
    server, port = udp_server
    # -w 1: quit after one idle second (the answer comes at once).  (With
    # -q, this nc quits at end of input before sending the datagram.)
    status, out, err = peer([nc, "-u", "-w", "1", "127.0.0.1", str(port)],
                            stdin=b"datagram from nc")
    assert re.fullmatch(r"\[%s\] datagram from nc" % CTIME, out.decode()), (status, err)
    server.wait_for(r"returned to: %s\ndatagram from nc\n" % LOOPBACK_ADDR)


# ---------------------------------------------------------------- the reverse: tools as servers


def test_book_tcp_client_against_socat_echo_server(procs):
    """tsTclnt.py on fastsock talking to a socat echo server."""
    socat = tool("socat")
    port = free_port()
    server = procs([socat, "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr" % port, "PIPE"],
                   stdin=False)
    wait_bound(port, server)
    client = procs(example("tsTclnt.py", "fastsock", port))
    client.send("echo me\nand me\n\n")
    assert client.finish() == 0, client.describe()
    assert client.out == ">echo me\n>and me\n>"


def test_book_udp_client_against_socat_echo_server(procs):
    """tsUclnt.py on fastsock talking to a socat UDP echo server."""
    socat = tool("socat")
    port = free_port(stdsocket.SOCK_DGRAM)
    server = procs([socat, "UDP-RECVFROM:%d,bind=127.0.0.1,fork" % port, "PIPE"],
                   stdin=False)
    wait_bound(port, server, "udp")
    client = procs(example("tsUclnt.py", "fastsock", port))
    client.send("ping\npong\n\n")
    assert client.finish() == 0, client.describe()
    assert client.out == "> ping\n> pong\n> "


def test_echo_client_against_nc_listener(procs):
    """echo-client.py on fastsock against nc -l, which prints what it gets
    and echoes nothing back; the client's recv then sees end of file once
    nc's input (empty) ends and nc closes."""
    nc = tool("nc")
    port = free_port()
    server = procs([nc, "-l", "-N", "127.0.0.1", str(port)], stdin=False)
    wait_bound(port, server)
    client = procs(example("echo-client.py", "fastsock", port), stdin=False)
    assert client.finish() == 0, client.describe()
    assert client.out == "Received b''\n"
    assert server.finish() == 0
    assert server.out == "Hello, world"
