"""fastsock sockets where the standard library takes a socket.

select.select, selectors, asyncio (loop.sock_* and streams given sock=),
and ssl (SSLContext.wrap_socket, which detaches our socket and rebuilds a
stdlib SSLSocket from its fd, and SSLObject over memory BIOs with fastsock
doing the I/O).  Everything runs over loopback (127.0.0.1 or AF_UNIX),
every wait is bounded by a socket timeout or asyncio.wait_for.
"""
import asyncio
import datetime
import os
import select
import selectors
import socket as stdsocket
import ssl
import subprocess
import threading

import pytest

import fastsock
from conftest import PY, assert_same, tcp_listener

HOST = "127.0.0.1"
WAIT = 10           # seconds: generous bound on any single wait
MODS = {"stdlib": stdsocket, "fastsock": fastsock}


def fs_pair():
    """A connected fastsock TCP pair (client, server side) over loopback."""
    lst = tcp_listener(fastsock)
    with lst:
        cli = fastsock.create_connection(lst.getsockname(), timeout=WAIT)
        lst.settimeout(WAIT)
        conn, _ = lst.accept()
    conn.settimeout(WAIT)
    return cli, conn


def run_async(coro):
    """Run a coroutine with asyncio's debug checks on (they verify, among
    other things, that sockets given to loop.sock_* are non-blocking) and
    an overall bound."""
    return asyncio.run(asyncio.wait_for(coro, 60), debug=True)


# ---------------------------------------------------------------------------
# select.select and selectors
# ---------------------------------------------------------------------------

def test_select_select_readiness():
    cli, conn = fs_pair()
    std_a, std_b = stdsocket.socketpair()
    with cli, conn, std_a, std_b:
        r, w, x = select.select([conn, std_b], [cli], [], 0)
        assert r == [] and w == [cli] and x == []
        cli.sendall(b"ping")
        std_a.sendall(b"pong")
        r, _, _ = select.select([conn, std_b], [], [], WAIT)
        assert set(r) == {conn, std_b}
        assert conn.recv(10) == b"ping" and std_b.recv(10) == b"pong"
        # The fd number and the object are interchangeable.
        cli.sendall(b"again")
        r, _, _ = select.select([conn.fileno()], [], [], WAIT)
        assert r == [conn.fileno()]
        # EOF makes the socket readable too.
        cli.shutdown(fastsock.SHUT_WR)
        assert conn.recv(10) == b"again"
        r, _, _ = select.select([conn], [], [], WAIT)
        assert r == [conn] and conn.recv(10) == b""


def test_select_listening_socket_readable_on_connect():
    lst = tcp_listener(fastsock)
    with lst:
        assert select.select([lst], [], [], 0)[0] == []
        with stdsocket.create_connection(lst.getsockname(), timeout=WAIT):
            assert select.select([lst], [], [], WAIT)[0] == [lst]
            lst.settimeout(WAIT)
            conn, addr = lst.accept()
            with conn:
                assert isinstance(conn, fastsock.socket)
                assert addr[0] == HOST


def test_select_closed_socket_same_error():
    def run(mod):
        s = mod.socket()
        s.close()
        return select.select([s], [], [], 0)
    res = assert_same(run)
    assert res[0] == "raise" and res[1] is ValueError


@pytest.mark.parametrize("client_mod", ["stdlib", "fastsock"])
def test_selectors_echo_server(client_mod):
    """A non-blocking echo server of fastsock sockets driven by the default
    selector, serving a few clients at once."""
    sel = selectors.DefaultSelector()
    lst = tcp_listener(fastsock)
    lst.setblocking(False)
    sel.register(lst, selectors.EVENT_READ, data=None)
    mod = MODS[client_mod]
    clients = [mod.create_connection(lst.getsockname(), timeout=WAIT)
               for _ in range(4)]
    for i, c in enumerate(clients):
        c.sendall(b"msg%d\n" % i)
    replies = {}
    conns = []
    try:
        for _ in range(200):                  # bounded event loop
            if len(replies) == len(clients):
                break
            for key, events in sel.select(timeout=WAIT):
                if key.data is None:
                    conn, _ = key.fileobj.accept()
                    assert isinstance(conn, fastsock.socket)
                    conn.setblocking(False)
                    conns.append(conn)
                    sel.register(conn, selectors.EVENT_READ, data=b"")
                    continue
                chunk = key.fileobj.recv(100)
                if chunk:
                    key.fileobj.sendall(chunk.upper())
            for i, c in enumerate(clients):
                if i not in replies:
                    c.setblocking(False)
                    try:
                        replies[i] = c.recv(100)
                    except BlockingIOError:
                        pass
                    c.settimeout(WAIT)
        assert replies == {i: b"MSG%d\n" % i for i in range(len(clients))}
        # The selector's bookkeeping works with our objects as keys.
        key = sel.get_key(conns[0])
        assert key.fileobj is conns[0] and key.fd == conns[0].fileno()
        sel.modify(conns[0], selectors.EVENT_WRITE, data=b"w")
        ready = sel.select(timeout=WAIT)
        assert any(k.fileobj is conns[0] and ev & selectors.EVENT_WRITE
                   for k, ev in ready)
        sel.unregister(conns[0])
        with pytest.raises(KeyError):
            sel.get_key(conns[0])
    finally:
        sel.close()
        for s in clients + conns + [lst]:
            s.close()


@pytest.mark.parametrize("name", ["SelectSelector", "PollSelector",
                                  "EpollSelector"])
def test_every_selector_class(name):
    cls = getattr(selectors, name, None)
    if cls is None:
        pytest.skip("selectors.%s is not available on this platform" % name)
    a, b = fastsock.socketpair()
    with a, b, cls() as sel:
        sel.register(b, selectors.EVENT_READ, "b")
        assert sel.select(timeout=0) == []
        a.sendall(b"x")
        (key, events), = sel.select(timeout=WAIT)
        assert key.fileobj is b and key.data == "b"
        assert events == selectors.EVENT_READ


def test_selector_register_closed_socket_same_error():
    def run(mod):
        s = mod.socket()
        s.close()
        with selectors.DefaultSelector() as sel:
            return sel.register(s, selectors.EVENT_READ)
    res = assert_same(run)
    assert res[0] == "raise" and res[1] is ValueError


# ---------------------------------------------------------------------------
# asyncio
# ---------------------------------------------------------------------------

def test_asyncio_loop_sock_methods():
    async def main():
        loop = asyncio.get_running_loop()
        lst = tcp_listener(fastsock)
        lst.setblocking(False)
        cli = fastsock.socket(fastsock.AF_INET, fastsock.SOCK_STREAM)
        cli.setblocking(False)
        with lst, cli:
            accept = asyncio.ensure_future(loop.sock_accept(lst))
            await loop.sock_connect(cli, lst.getsockname())
            conn, addr = await accept
            with conn:
                assert isinstance(conn, fastsock.socket)
                assert addr == cli.getsockname()
                conn.setblocking(False)
                payload = bytes(range(256)) * 4096        # 1 MiB
                send = asyncio.ensure_future(loop.sock_sendall(cli, payload))
                got = bytearray()
                while len(got) < len(payload):
                    chunk = await loop.sock_recv(conn, 65536)
                    assert chunk
                    got += chunk
                await send
                assert got == payload
                buf = bytearray(16)
                await loop.sock_sendall(conn, b"into")
                n = await loop.sock_recv_into(cli, buf)
                assert buf[:n] == b"into"
                cli.shutdown(fastsock.SHUT_WR)
                assert await loop.sock_recv(conn, 10) == b""
    run_async(main())


@pytest.mark.skipif(PY < (3, 11), reason="loop.sock_sendto/sock_recvfrom "
                    "arrived in Python 3.11")
def test_asyncio_loop_udp_methods():
    async def main():
        loop = asyncio.get_running_loop()
        a = fastsock.socket(fastsock.AF_INET, fastsock.SOCK_DGRAM)
        b = fastsock.socket(fastsock.AF_INET, fastsock.SOCK_DGRAM)
        with a, b:
            for s in (a, b):
                s.bind((HOST, 0))
                s.setblocking(False)
            recv = asyncio.ensure_future(loop.sock_recvfrom(b, 100))
            await loop.sock_sendto(a, b"dgram", b.getsockname())
            data, addr = await recv
            assert (data, addr) == (b"dgram", a.getsockname())
            buf = bytearray(8)
            recv = asyncio.ensure_future(loop.sock_recvfrom_into(a, buf))
            await loop.sock_sendto(b, b"back", a.getsockname())
            n, addr = await recv
            assert (buf[:n], addr) == (b"back", b.getsockname())
    run_async(main())


def test_asyncio_sock_connect_resolves_localhost():
    async def main():
        loop = asyncio.get_running_loop()
        lst = tcp_listener(stdsocket)
        with lst:
            cli = fastsock.socket()
            cli.setblocking(False)
            with cli:
                await loop.sock_connect(cli, ("localhost",
                                              lst.getsockname()[1]))
                lst.settimeout(WAIT)
                conn, _ = lst.accept()
                conn.close()
                return cli.getpeername()
    assert run_async(main())[0] == HOST


def test_asyncio_sock_methods_refuse_blocking_socket_in_debug():
    async def main(mod):
        loop = asyncio.get_running_loop()
        a, b = mod.socketpair()
        with a, b:
            try:
                await loop.sock_recv(a, 1)
            except ValueError as e:
                return str(e)
    msgs = [run_async(main(m)) for m in (stdsocket, fastsock)]
    assert msgs[0] == msgs[1] and "non-blocking" in msgs[0]


async def _echo(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line.upper())
            await writer.drain()
    finally:
        writer.close()


@pytest.mark.parametrize("client_mod", ["stdlib", "fastsock"])
def test_asyncio_streams_with_sock(client_mod):
    async def main():
        lst = tcp_listener(fastsock)
        server = await asyncio.start_server(_echo, sock=lst)
        async with server:
            sock = server.sockets[0]
            assert sock.fileno() == lst.fileno()
            assert sock.family == stdsocket.AF_INET
            port = sock.getsockname()[1]
            csock = MODS[client_mod].create_connection((HOST, port),
                                                       timeout=WAIT)
            reader, writer = await asyncio.open_connection(sock=csock)
            tsock = writer.get_extra_info("socket")
            assert tsock.fileno() == csock.fileno()
            assert writer.get_extra_info("peername") == (HOST, port)
            out = []
            for word in (b"alpha\n", b"beta\n", b"x" * 50000 + b"\n"):
                writer.write(word)
                await writer.drain()
                out.append(await reader.readline())
            writer.close()
            await writer.wait_closed()
            return out
    out = run_async(main())
    assert out == [b"ALPHA\n", b"BETA\n", b"X" * 50000 + b"\n"]


def test_asyncio_unix_streams_with_sock(tmpsock):
    async def main():
        path = tmpsock()
        lst = fastsock.socket(fastsock.AF_UNIX, fastsock.SOCK_STREAM)
        lst.bind(path)
        server = await asyncio.start_unix_server(_echo, sock=lst)
        async with server:
            csock = fastsock.socket(fastsock.AF_UNIX, fastsock.SOCK_STREAM)
            csock.settimeout(WAIT)
            csock.connect(path)
            reader, writer = await asyncio.open_unix_connection(sock=csock)
            writer.write(b"unix\n")
            await writer.drain()
            line = await reader.readline()
            writer.close()
            await writer.wait_closed()
        # From 3.13 the server removes its socket file as it closes (it
        # checks the file is still ours via getsockname() and stat()).
        return line, os.path.exists(path)
    line, left = run_async(main())
    assert line == b"UNIX\n"
    assert left == (PY < (3, 13))


def test_asyncio_create_datagram_endpoint_with_sock():
    async def main():
        loop = asyncio.get_running_loop()
        got = loop.create_future()

        class Proto(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr):
                if not got.done():
                    got.set_result((data, addr))

        sock = fastsock.socket(fastsock.AF_INET, fastsock.SOCK_DGRAM)
        sock.bind((HOST, 0))
        transport, _ = await loop.create_datagram_endpoint(Proto, sock=sock)
        try:
            with stdsocket.socket(stdsocket.AF_INET,
                                  stdsocket.SOCK_DGRAM) as tx:
                tx.bind((HOST, 0))
                tx.sendto(b"udp!", sock.getsockname())
                data, addr = await got
                assert addr == tx.getsockname()
                transport.sendto(b"reply", addr)
                tx.settimeout(WAIT)
                return data, tx.recvfrom(10)[0]
        finally:
            transport.close()
    assert run_async(main()) == (b"udp!", b"reply")


def test_asyncio_stream_socket_type_checked_like_stdlib():
    async def main(mod):
        s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
        with s:
            try:
                await asyncio.start_server(_echo, sock=s)
            except ValueError as e:
                return type(e)
    res = [run_async(main(m)) for m in (stdsocket, fastsock)]
    assert res == [ValueError, ValueError]


# ---------------------------------------------------------------------------
# ssl
# ---------------------------------------------------------------------------

def _cert_with_cryptography(certfile, keyfile):
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return False
    import ipaddress
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=True)
            .sign(key, hashes.SHA256()))
    with open(certfile, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(keyfile, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return True


def _cert_with_openssl(certfile, keyfile):
    cmd = ["openssl", "req", "-x509", "-newkey", "ec",
           "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", keyfile, "-out", certfile, "-days", "2",
           "-subj", "/CN=localhost",
           "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """(server_context, client_context) around a fresh self-signed cert."""
    d = tmp_path_factory.mktemp("tls")
    certfile, keyfile = str(d / "cert.pem"), str(d / "key.pem")
    if not (_cert_with_cryptography(certfile, keyfile) or
            _cert_with_openssl(certfile, keyfile)):
        pytest.skip("cannot make a test certificate: neither the "
                    "'cryptography' package nor a working 'openssl' CLI")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(certfile, keyfile)
    client_ctx = ssl.create_default_context(cafile=certfile)
    return server_ctx, client_ctx


def _tls_echo_server(mod, server_ctx, ready, result):
    """Thread body: accept one connection on a `mod` listener, wrap it
    server-side and echo what arrives, upper-cased, until EOF."""
    lst = tcp_listener(mod)
    lst.settimeout(WAIT)
    ready.append(lst.getsockname())
    try:
        with lst:
            raw, _ = lst.accept()
            raw.settimeout(WAIT)
            result["raw_type"] = type(raw)
            with server_ctx.wrap_socket(raw, server_side=True) as tls_conn:
                result["raw_fileno_after_wrap"] = raw.fileno()
                result["version"] = tls_conn.version()
                for _ in range(1000):         # bounded; ends at EOF
                    data = tls_conn.recv(65536)
                    if not data:
                        break
                    tls_conn.sendall(data.upper())
    except Exception as e:  # noqa: BLE001 - reported to the main thread
        result["error"] = e


def _tls_roundtrip(client_mod, server_mod, tls, connect_first=True):
    server_ctx, client_ctx = tls
    ready, result = [], {}
    t = threading.Thread(target=_tls_echo_server,
                         args=(MODS[server_mod], server_ctx, ready, result))
    t.start()
    try:
        for _ in range(1000):                 # bounded wait for the listener
            if ready or not t.is_alive():
                break
            threading.Event().wait(0.01)
        assert ready, result
        mod = MODS[client_mod]
        raw = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
        raw.settimeout(WAIT)
        if connect_first:
            raw.connect(ready[0])
        fd = raw.fileno()
        tls_sock = client_ctx.wrap_socket(raw, server_hostname="localhost")
        with tls_sock:
            # wrap_socket() took over the fd and detached our object.
            assert raw.fileno() == -1
            assert tls_sock.fileno() == fd
            assert isinstance(tls_sock, ssl.SSLSocket)
            assert tls_sock.gettimeout() == WAIT
            if not connect_first:
                tls_sock.connect(ready[0])
            replies = []
            for msg in (b"hello tls", b"x" * 50000, b"bye"):
                tls_sock.sendall(msg)
                got = b""
                while len(got) < len(msg):
                    chunk = tls_sock.recv(65536)
                    assert chunk
                    got += chunk
                replies.append(got)
            cert = tls_sock.getpeercert()
        raw.close()                           # a detached socket: a no-op
    finally:
        t.join(WAIT * 3)
    assert not t.is_alive()
    assert "error" not in result, result["error"]
    assert replies == [b"HELLO TLS", b"X" * 50000, b"BYE"]
    assert dict(x[0] for x in cert["subject"])["commonName"] == "localhost"
    assert result["version"].startswith("TLS")
    assert result["raw_fileno_after_wrap"] == -1
    return result


def test_tls_fastsock_client_stdlib_server(tls):
    res = _tls_roundtrip("fastsock", "stdlib", tls)
    assert res["raw_type"] is stdsocket.socket


def test_tls_stdlib_client_fastsock_server(tls):
    res = _tls_roundtrip("stdlib", "fastsock", tls)
    assert res["raw_type"] is fastsock.socket


def test_tls_fastsock_both_ends(tls):
    res = _tls_roundtrip("fastsock", "fastsock", tls)
    assert res["raw_type"] is fastsock.socket


def test_tls_wrap_unconnected_fastsock_then_connect(tls):
    _tls_roundtrip("fastsock", "stdlib", tls, connect_first=False)


def test_tls_wrap_refuses_datagram_socket_like_stdlib(tls):
    _, client_ctx = tls

    def run(mod):
        with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
            client_ctx.wrap_socket(s, server_hostname="localhost")
    res = assert_same(run)
    assert res[0] == "raise" and res[1] is NotImplementedError


def _bio_drive(sock, inc, out, step):
    """Call step() until it stops asking for input, shipping the TLS
    object's output through `sock` and feeding it what `sock` receives."""
    for _ in range(1000):                     # bounded: each turn does I/O
        try:
            result, done = step(), True
        except ssl.SSLWantReadError:
            result, done = None, False
        pending = out.read()
        if pending:
            sock.sendall(pending)
        if done:
            return result
        chunk = sock.recv(65536)
        assert chunk, "peer closed during the TLS exchange"
        inc.write(chunk)
    raise AssertionError("the TLS exchange made no progress")


def _bio_side(sock, ctx, server, results):
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_side=server,
                       server_hostname=None if server else "localhost")
    try:
        _bio_drive(sock, inc, out, obj.do_handshake)
        if server:
            msg = _bio_drive(sock, inc, out, lambda: obj.read(65536))
            obj.write(msg.upper())
            sock.sendall(out.read())
        else:
            obj.write(b"over memory bio\n")
            sock.sendall(out.read())
            msg = _bio_drive(sock, inc, out, lambda: obj.read(65536))
            results["version"] = obj.version()
        results["server" if server else "client"] = msg
    except Exception as e:  # noqa: BLE001 - reported to the main thread
        results["error"] = e


def test_tls_memory_bio_over_fastsock(tls):
    """ssl.SSLObject with fastsock doing every byte of I/O: the TLS records
    travel through fastsock's send/recv on both ends."""
    server_ctx, client_ctx = tls
    cli, conn = fs_pair()
    results = {}
    with cli, conn:
        t = threading.Thread(target=_bio_side,
                             args=(conn, server_ctx, True, results))
        t.start()
        _bio_side(cli, client_ctx, False, results)
        t.join(WAIT * 3)
        assert not t.is_alive()
    assert "error" not in results, results["error"]
    assert results["server"] == b"over memory bio\n"
    assert results["client"] == b"OVER MEMORY BIO\n"
    assert results["version"].startswith("TLS")


def test_asyncio_tls_streams_over_fastsock(tls):
    server_ctx, client_ctx = tls

    async def main():
        lst = tcp_listener(fastsock)
        server = await asyncio.start_server(_echo, sock=lst, ssl=server_ctx)
        async with server:
            port = lst.getsockname()[1]
            csock = fastsock.create_connection((HOST, port), timeout=WAIT)
            reader, writer = await asyncio.open_connection(
                sock=csock, ssl=client_ctx, server_hostname="localhost")
            writer.write(b"secure asyncio\n")
            await writer.drain()
            line = await reader.readline()
            peer = writer.get_extra_info("peercert")
            writer.close()
            await writer.wait_closed()
            return line, peer
    line, peer = run_async(main())
    assert line == b"SECURE ASYNCIO\n"
    assert dict(x[0] for x in peer["subject"])["commonName"] == "localhost"


# ---------------------------------------------------------------------------
# more places that take a socket
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["poll", "epoll"])
def test_poll_objects_register_socket_objects(kind):
    factory = getattr(select, kind, None)
    if factory is None:
        pytest.skip("select.%s is not available on this platform" % kind)
    a, b = fastsock.socketpair()
    p = factory()
    try:
        with a, b:
            mask = select.POLLIN if kind == "poll" else select.EPOLLIN
            p.register(b, mask)
            assert p.poll(0) == []
            a.sendall(b"x")
            assert p.poll(WAIT) == [(b.fileno(), mask)]
            p.unregister(b)
    finally:
        if kind == "epoll":
            p.close()


def test_asyncio_add_reader_and_connect_accepted_socket():
    async def main():
        loop = asyncio.get_running_loop()
        a, b = fastsock.socketpair()
        a.setblocking(False)
        b.setblocking(False)
        readable = loop.create_future()
        loop.add_reader(b, readable.set_result, "ready")
        try:
            a.send(b"wake")
            assert await readable == "ready"
        finally:
            assert loop.remove_reader(b)
        assert b.recv(10) == b"wake"
        got = loop.create_future()

        class Proto(asyncio.Protocol):
            def connection_made(self, transport):
                self.transport = transport

            def data_received(self, data):
                self.transport.write(data[::-1])
                if not got.done():
                    got.set_result(data)

        transport, _ = await loop.connect_accepted_socket(Proto, sock=b)
        try:
            a.send(b"stressed")
            assert await got == b"stressed"
            for _ in range(100):              # bounded: the reply is queued
                try:
                    return a.recv(10)
                except BlockingIOError:
                    await asyncio.sleep(0.01)
        finally:
            transport.close()
            a.close()
    assert run_async(main()) == b"desserts"


def test_asyncio_sock_sendfile(tmp_path):
    data = os.urandom(300000)
    path = tmp_path / "payload.bin"
    path.write_bytes(data)

    async def main():
        loop = asyncio.get_running_loop()
        cli, conn = fs_pair()
        with cli, conn:
            cli.setblocking(False)
            conn.setblocking(False)
            got = bytearray()

            async def reader():
                while len(got) < len(data):
                    chunk = await loop.sock_recv(conn, 65536)
                    assert chunk
                    got.extend(chunk)
            task = asyncio.ensure_future(reader())
            with open(path, "rb") as f:
                sent = await loop.sock_sendfile(cli, f)
            await task
            return sent, bytes(got)
    sent, got = run_async(main())
    assert sent == len(data) and got == data


def test_stdlib_fd_helpers_on_fastsock_sockets():
    """The stdlib's socket.send_fds/recv_fds/fromfd are written against the
    socket API only; they work on fastsock sockets, and fastsock's on the
    stdlib's."""
    a, b = fastsock.socketpair()
    sa, sb = stdsocket.socketpair()
    fd = os.open(os.devnull, os.O_RDONLY)
    try:
        with a, b, sa, sb:
            assert stdsocket.send_fds(a, [b"fd"], [fd]) == 2
            msg, fds, flags, addr = stdsocket.recv_fds(b, 10, 1)
            assert (msg, len(fds), flags, addr) == (b"fd", 1, 0, None)
            os.close(fds[0])
            assert fastsock.send_fds(sa, [b"fd"], [fd]) == 2
            msg, fds, flags, addr = fastsock.recv_fds(sb, 10, 1)
            assert (msg, len(fds)) == (b"fd", 1)
            os.close(fds[0])
            # A stdlib socket on a dup of a fastsock fd, and the reverse.
            with stdsocket.fromfd(a.fileno(), a.family, a.type) as dup:
                dup.sendall(b"via dup")
                assert b.recv(10) == b"via dup"
            with fastsock.fromfd(sa.fileno(), sa.family, sa.type) as dup:
                assert isinstance(dup, fastsock.socket)
                dup.sendall(b"other way")
                assert sb.recv(10) == b"other way"
    finally:
        os.close(fd)


def _http_server(tmp_text):
    """A stdlib http.server on an ephemeral loopback port, in a thread."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"             # keep-alive

        def do_GET(self):
            body = (tmp_text * (1 + ("big" in self.path) * 999)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers["Content-Length"])
            body = self.rfile.read(n)[::-1]
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 1000):
                part = body[i:i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    t.start()
    return srv, t


def test_http_client_over_fastsock():
    """http.client with a fastsock socket (and so fastsock's makefile for
    the response), against a stdlib http.server: keep-alive requests, a
    large body, a chunked response."""
    import http.client

    made = []

    class FSConnection(http.client.HTTPConnection):
        def connect(self):
            self.sock = fastsock.create_connection((self.host, self.port),
                                                   self.timeout)
            made.append(self.sock)

    srv, t = _http_server("hello ")
    try:
        conn = FSConnection(HOST, srv.server_address[1], timeout=WAIT)
        conn.request("GET", "/small")
        r = conn.getresponse()
        assert (r.status, r.read()) == (200, b"hello ")
        conn.request("GET", "/big")               # same connection
        r = conn.getresponse()
        assert r.read() == b"hello " * 1000
        body = os.urandom(50000)
        conn.request("POST", "/echo", body=body)
        r = conn.getresponse()
        assert r.read() == body[::-1]
        conn.close()
        assert len(made) == 1 and isinstance(made[0], fastsock.socket)
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(WAIT)


def test_stdlib_socketserver_on_fastsock_sockets():
    """The stdlib's socketserver and http.server running on a fastsock
    listening socket (so every accepted connection is a fastsock socket,
    read and written through fastsock's makefile)."""
    import http.client
    import http.server

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            seen.append(type(self.connection))
            body = self.path.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer((HOST, 0), Handler,
                                          bind_and_activate=False)
    srv.socket.close()
    srv.socket = fastsock.socket(srv.address_family, srv.socket_type)
    srv.server_bind()
    srv.server_activate()
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    t.start()
    try:
        conn = http.client.HTTPConnection(HOST, srv.server_address[1],
                                          timeout=WAIT)
        for path in ("/a", "/bb", "/ccc"):            # one keep-alive conn
            conn.request("GET", path)
            r = conn.getresponse()
            assert (r.status, r.read()) == (200, path.encode())
        conn.close()
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(WAIT)
    assert seen and all(issubclass(c, fastsock.socket) for c in seen)
