"""fastsock: the stdlib ``socket`` API with its work done in C.

``import fastsock as socket`` gives the names, classes, constants and
exceptions of the stdlib's ``socket`` module.  Every socket operation runs in
the ``_fastsock`` extension; this file only shapes the API the way the stdlib
module does (enum-typed constants, the ``socket`` class with context manager,
``makefile`` and ``sendfile``, and the convenience functions).
"""

import array as _array
import errno as _errno
import io as _io
import os as _os
import re as _re
import selectors as _selectors
import weakref as _weakref
from enum import IntEnum as _IntEnum, IntFlag as _IntFlag

# The stdlib module exposes these imports as attributes; some code uses them.
import array, errno, io, os, selectors, sys  # noqa: E401,F401
from enum import IntEnum, IntFlag  # noqa: F401

import _fastsock
from _fastsock import *  # noqa: F401,F403 - constants and functions
from _fastsock import (  # noqa: F401 - names used below
    AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, SOL_SOCKET, SCM_RIGHTS,
    error, has_ipv6, dup, timeout,
)

try:
    # Share the stdlib's sentinel: http.client and friends pass it to
    # create_connection() whichever socket module they imported.
    from socket import _GLOBAL_DEFAULT_TIMEOUT
except ImportError:  # pragma: no cover - the stdlib always has it
    _GLOBAL_DEFAULT_TIMEOUT = object()

__version__ = "0.1.0"

# Private names of the stdlib module that some code reaches for.
_LOCALHOST = "127.0.0.1"
_LOCALHOST_V6 = "::1"

EBADF = _errno.EBADF
EAGAIN = _errno.EAGAIN
EWOULDBLOCK = _errno.EWOULDBLOCK

# Bluetooth's constants come from <bluetooth/bluetooth.h> (Debian's
# libbluetooth-dev), which the machine that built fastsock may lack while
# the running CPython was built with it (Debian's own python3 is): the
# stdlib's _socket then offers them, with this platform's values.  Both
# modules must offer the same names, so fastsock takes the ones it lacks
# from there -- plain numbers and address strings, nothing to run.
_BLUETOOTH_NAME = _re.compile(r"(AF_BLUETOOTH|BTPROTO_\w+|BDADDR_\w+|HCI_\w+"
                              r"|BT_\w+|L2CAP_\w+|RFCOMM_\w+|SCO_\w+"
                              r"|SOL_(?:HCI|BLUETOOTH|L2CAP|RFCOMM|SCO))")


def _bluetooth_constants(stdlib_c_module, have):
    """{name: value} of the Bluetooth constants the stdlib's C module has
    and `have` (our names) lacks."""
    if not hasattr(stdlib_c_module, "AF_BLUETOOTH"):
        return {}
    return {n: getattr(stdlib_c_module, n) for n in dir(stdlib_c_module)
            if _BLUETOOTH_NAME.fullmatch(n) and n not in have
            and isinstance(getattr(stdlib_c_module, n), (int, str))}


try:
    import _socket as _stdlib_c_socket
except ImportError:     # a CPython without it: nothing to match
    _stdlib_c_socket = None
globals().update(_bluetooth_constants(_stdlib_c_socket, globals()))
del _stdlib_c_socket

_PRIVATE = {"SocketFile", "SocketTextFile", "SocketWriter", "ServerCore"}
__all__ = ["fromfd", "getfqdn", "create_connection", "create_server",
           "has_dualstack_ipv6", "AddressFamily", "SocketKind",
           "send_fds", "recv_fds", "socketpair", "getaddrinfo"]
__all__ += [n for n in dir(_fastsock)
            if not n.startswith("_") and n not in _PRIVATE and n not in __all__]
__all__ += sorted(n for n in globals()
                  if _BLUETOOTH_NAME.fullmatch(n) and n not in __all__)


# The stdlib's enums, built from our constants the same way: the module
# globals become enum members, so fastsock.AF_INET prints as AF_INET.
_IntEnum._convert_("AddressFamily", __name__,
                   lambda name: name.isupper() and name.startswith("AF_"))
_IntEnum._convert_("SocketKind", __name__,
                   lambda name: name.isupper() and name.startswith("SOCK_"))
_IntFlag._convert_("MsgFlag", __name__,
                   lambda name: name.isupper() and name.startswith("MSG_"))
_IntFlag._convert_("AddressInfo", __name__,
                   lambda name: name.isupper() and name.startswith("AI_"))


def _as_enum(value, enum_class):
    """The enum member for value, or value itself when it has none."""
    try:
        return enum_class(value)
    except ValueError:
        return value


# The C type's own family/type getters, which the enum properties wrap.
_c_family = _fastsock.socket.family.__get__
_c_type = _fastsock.socket.type.__get__


class _GiveupOnSendfile(Exception):
    """os.sendfile() cannot serve this file: use plain send() instead."""


class socket(_fastsock.socket):
    """A socket object, as the stdlib's socket.socket, implemented in C.

    socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None)
    """

    __slots__ = ()

    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        # The stdlib's signature (positional names and arity errors); the
        # C type does the work, -1 meaning "the default" or "detect".
        _fastsock.socket.__init__(self, family, type, proto, fileno)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if not self._closed:
            self.close()

    def __repr__(self):
        cls = type(self)
        closed = self._closed
        parts = ["<%s.%s%s fd=%i, family=%s, type=%s, proto=%i" % (
            cls.__module__, cls.__qualname__, " [closed]" if closed else "",
            self.fileno(), self.family, self.type, self.proto)]
        if not closed:
            for label, getter in (("laddr", self.getsockname),
                                  ("raddr", self.getpeername)):
                try:
                    addr = getter()
                except OSError:
                    continue
                if addr:
                    parts.append(", %s=%s" % (label, addr))
        return "".join(parts) + ">"

    def __getstate__(self):
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    @property
    def family(self):
        """The address family, as an AddressFamily member when known."""
        return _as_enum(_c_family(self), AddressFamily)

    @property
    def type(self):
        """The socket type, as a SocketKind member when known."""
        return _as_enum(_c_type(self), SocketKind)

    def _decref_socketios(self):
        # Kept for code written against the stdlib's SocketIO protocol.
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()

    def makefile(self, mode="r", buffering=None, *, encoding=None,
                 errors=None, newline=None):
        """makefile(...) -> a file object reading/writing the socket.

        Arguments as for open() after the file name; mode letters are
        limited to 'r', 'w' and 'b'.  Binary files are buffered in C.
        """
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError("invalid mode %r (only r, w, b allowed)" % (mode,))
        writing = "w" in mode
        reading = "r" in mode or not writing
        binary = "b" in mode
        rawmode = ("r" if reading else "") + ("w" if writing else "") + "b"
        if buffering is None or buffering < 0:
            buffering = _io.DEFAULT_BUFFER_SIZE
        if buffering == 0 and not binary:
            raise ValueError("unbuffered streams must be binary")
        f = _fastsock.SocketFile(self, rawmode, buffering)
        if binary:
            return f
        text = _io.TextIOWrapper(f, _io.text_encoding(encoding)
                                 if hasattr(_io, "text_encoding")
                                 else encoding, errors, newline)
        # The C front for text files: whole lines are cut and decoded in C,
        # anything unusual is handed to the TextIOWrapper behind it.
        text.mode = mode
        text = _SocketTextFile(f, text, newline)
        text.mode = mode
        return text

    def _check_sendfile_params(self, file, offset, count):
        if "b" not in getattr(file, "mode", "b"):
            raise ValueError("file should be opened in binary mode")
        if not self.type & SOCK_STREAM:
            raise ValueError("only SOCK_STREAM type sockets are supported")
        if count is not None:
            if not isinstance(count, int):
                raise TypeError(
                    "count must be a positive integer (got {!r})".format(count))
            if count <= 0:
                raise ValueError(
                    "count must be a positive integer (got {!r})".format(count))

    def _sendfile_use_sendfile(self, file, offset=0, count=None):
        """Send with os.sendfile(); _GiveupOnSendfile if it cannot start."""
        self._check_sendfile_params(file, offset, count)
        try:
            infd = file.fileno()
            size = _os.fstat(infd).st_size
        except (AttributeError, _io.UnsupportedOperation, OSError) as exc:
            raise _GiveupOnSendfile(exc)
        if not size:
            return 0
        timeout = self.gettimeout()
        if timeout == 0:
            raise ValueError("non-blocking sockets are not supported")
        # Chunks of at most 1 GiB: os.sendfile() overflows on larger counts.
        chunk = min(count or size, 1 << 30)
        sent_total = 0
        with _selectors.PollSelector() as sel:
            sel.register(self.fileno(), _selectors.EVENT_WRITE)
            try:
                while True:
                    if timeout and not sel.select(timeout):
                        raise _fastsock.timeout("timed out")
                    if count:
                        chunk = min(count - sent_total, chunk)
                        if chunk <= 0:
                            break
                    try:
                        sent = _os.sendfile(self.fileno(), infd, offset, chunk)
                    except BlockingIOError:
                        if not timeout:
                            sel.select()
                        continue
                    except OSError as exc:
                        if sent_total == 0:
                            raise _GiveupOnSendfile(exc)
                        raise exc from None
                    if sent == 0:
                        break
                    offset += sent
                    sent_total += sent
                return sent_total
            finally:
                if sent_total > 0 and hasattr(file, "seek"):
                    file.seek(offset)

    def _sendfile_use_send(self, file, offset=0, count=None):
        """Send by reading the file and calling send(): the fallback."""
        self._check_sendfile_params(file, offset, count)
        if self.gettimeout() == 0:
            raise ValueError("non-blocking sockets are not supported")
        if offset:
            file.seek(offset)
        block = min(count, 8192) if count else 8192
        sent_total = 0
        try:
            while True:
                if count:
                    block = min(count - sent_total, block)
                    if block <= 0:
                        break
                data = memoryview(file.read(block))
                if not data:
                    break
                while data:
                    try:
                        sent = self.send(data)
                    except BlockingIOError:
                        continue
                    sent_total += sent
                    data = data[sent:]
            return sent_total
        finally:
            if sent_total > 0 and hasattr(file, "seek"):
                file.seek(offset + sent_total)

    def sendfile(self, file, offset=0, count=None):
        """sendfile(file[, offset[, count]]) -> bytes sent

        Send a binary file until EOF (or count bytes) with os.sendfile(),
        falling back to send() for files that are not regular files.
        """
        try:
            return self._sendfile_use_sendfile(file, offset, count)
        except _GiveupOnSendfile:
            return self._sendfile_use_send(file, offset, count)


# accept() makes plain fastsock.socket objects, even on a subclass, as the
# stdlib's accept() makes plain socket.socket ones.
socket._accept_class = socket

SocketType = _fastsock.socket


class SocketIO(_io.RawIOBase):
    """Raw I/O over a socket, as the stdlib's socket.SocketIO.

    fastsock's makefile() does not use it (its files are buffered in C);
    it exists for code that builds one directly.
    """

    def __init__(self, sock, mode):
        if mode not in ("r", "w", "rw", "rb", "wb", "rwb"):
            raise ValueError("invalid mode: %r" % mode)
        super().__init__()
        self._sock = sock
        if "b" not in mode:
            mode += "b"
        self._mode = mode
        self._reading = "r" in mode
        self._writing = "w" in mode
        self._timed_out = False

    def readinto(self, b):
        self._checkClosed()
        self._checkReadable()
        if self._timed_out:
            raise OSError("cannot read from timed out object")
        try:
            return self._sock.recv_into(b)
        except timeout:
            self._timed_out = True
            raise
        except BlockingIOError:
            return None

    def write(self, b):
        self._checkClosed()
        self._checkWritable()
        try:
            return self._sock.send(b)
        except BlockingIOError:
            return None

    def readable(self):
        if self.closed:
            raise ValueError("I/O operation on closed socket.")
        return self._reading

    def writable(self):
        if self.closed:
            raise ValueError("I/O operation on closed socket.")
        return self._writing

    def seekable(self):
        if self.closed:
            raise ValueError("I/O operation on closed socket.")
        return super().seekable()

    def fileno(self):
        self._checkClosed()
        return self._sock.fileno()

    @property
    def name(self):
        return self.fileno() if not self.closed else -1

    @property
    def mode(self):
        return self._mode

    def close(self):
        if self.closed:
            return
        super().close()
        self._sock._decref_socketios()
        self._sock = None


class _SocketFileRaw(SocketIO):
    """The ``.raw`` of a binary socket file: the SocketIO under it.

    The stdlib's makefile('rb') is a BufferedReader over a SocketIO, and
    code reaches through ``file.raw._sock`` for the socket.  A fastsock
    file is one C object, so its .raw is made the first time it is asked
    for (SocketFile's ``raw`` getter calls this class) and reads and writes
    the socket directly, behind the file's buffer, as the stdlib's does.
    The file holds the socket's one file reference for both layers: closing
    either closes both, and the socket's deferred close() happens once.
    It refers to the file weakly, so that it cannot keep the file open.
    """

    def __init__(self, f):
        _io.RawIOBase.__init__(self)
        self._file = _weakref.ref(f)
        self._raw_sock = f._sock
        self._mode = f.mode
        self._reading = "r" in self._mode
        self._writing = "w" in self._mode
        self._timed_out = False

    @property
    def _sock(self):
        return None if self.closed else self._raw_sock

    @property
    def closed(self):
        f = self._file()
        return f is None or f.closed or super().closed

    def close(self):
        f = self._file()
        if f is not None:
            f.close()
        self._raw_sock = None
        _io.RawIOBase.close(self)


_io.BufferedIOBase.register(_fastsock.SocketFile)
_SocketTextFile = _fastsock.SocketTextFile
_io.TextIOBase.register(_SocketTextFile)


def fromfd(fd, family, type, proto=0):
    """fromfd(fd, family, type[, proto]) -> socket object

    A socket object from a duplicate of the file descriptor fd.
    """
    return socket(family, type, proto, dup(fd))


def socketpair(family=None, type=SOCK_STREAM, proto=0):
    """socketpair([family[, type[, proto]]]) -> (socket object, socket object)

    Two connected sockets; the family defaults to AF_UNIX.
    """
    if family is None:
        family = AF_UNIX
    return _fastsock._socketpair(socket, family, type, proto)


def _fallback_socketpair(family=AF_INET, type=SOCK_STREAM, proto=0):
    """socketpair() built from a loopback TCP connection.

    The stdlib uses it where the OS has no socketpair() (and tests it
    everywhere).  The accepted connection is checked to be the one we
    made, so a third party racing to the listening port is refused.
    """
    if family == AF_INET:
        host = "127.0.0.1"
    elif family == AF_INET6:
        host = "::1"
    else:
        raise ValueError("Only AF_INET and AF_INET6 socket address families "
                         "are supported")
    if type != SOCK_STREAM:
        raise ValueError("Only SOCK_STREAM socket type is supported")
    if proto != 0:
        raise ValueError("Only protocol zero is supported")
    with socket(family, type, proto) as listener:
        listener.bind((host, 0))
        listener.listen()
        where = listener.getsockname()[:2]
        client = socket(family, type, proto)
        try:
            client.setblocking(False)
            try:
                client.connect(where)
            except (BlockingIOError, InterruptedError):
                pass
            client.setblocking(True)
            server, _ = listener.accept()
        except BaseException:
            client.close()
            raise
    try:
        if (server.getsockname() != client.getpeername()
                or client.getsockname() != server.getpeername()):
            raise ConnectionError("Unexpected peer connection")
    except BaseException:
        server.close()
        client.close()
        raise
    return server, client


def send_fds(sock, buffers, fds, flags=0, address=None):
    """send_fds(sock, buffers, fds[, flags[, address]]) -> integer

    Send the list of file descriptors fds over an AF_UNIX socket.
    """
    # Every stdlib version so far (3.9-3.13) passes neither flags nor
    # address on to sendmsg(); fastsock does the same, so that code behaves
    # identically under both modules.
    anc = [(SOL_SOCKET, SCM_RIGHTS, _array.array("i", fds))]
    return sock.sendmsg(buffers, anc)


def recv_fds(sock, bufsize, maxfds, flags=0):
    """recv_fds(sock, bufsize, maxfds[, flags]) -> (data, list of fds, msg_flags, address)

    Receive up to maxfds file descriptors over an AF_UNIX socket.
    """
    fds = _array.array("i")
    msg, ancdata, msg_flags, addr = sock.recvmsg(
        bufsize, _fastsock.CMSG_LEN(maxfds * fds.itemsize))
    for level, kind, data in ancdata:
        if level == SOL_SOCKET and kind == SCM_RIGHTS:
            whole = len(data) - len(data) % fds.itemsize
            fds.frombytes(data[:whole])
    return msg, list(fds), msg_flags, addr


def getfqdn(name=""):
    """Get a fully qualified domain name for name ('' means this host).

    The first of the host's name and aliases that contains a dot, else
    the name gethostbyaddr() gives, else name itself.
    """
    name = name.strip()
    # '::' joined '' and '0.0.0.0' as "this host" in 3.10.
    if not name or name == "0.0.0.0" or (
            name == "::" and sys.version_info >= (3, 10)):
        name = _fastsock.gethostname()
    try:
        hostname, aliases, _ = _fastsock.gethostbyaddr(name)
    except error:
        return name
    for candidate in [hostname] + aliases:
        if "." in candidate:
            return candidate
    return hostname


# {value: member} maps that let the C side give getaddrinfo() results the
# stdlib's enum members without a Python-level loop over the results.
_AF_MEMBERS = {int(m): m for m in AddressFamily}
_KIND_MEMBERS = {int(m): m for m in SocketKind}


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """getaddrinfo(host, port[, family, type, proto, flags])
        -> list of (family, type, proto, canonname, sockaddr)

    As the stdlib's: family and type come back as enum members.
    """
    return _fastsock._getaddrinfo(host, port, family, type, proto, flags,
                                  _AF_MEMBERS, _KIND_MEMBERS)


def create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT,
                      source_address=None, *, all_errors=False):
    """Connect to address (host, port) and return the socket.

    Each address getaddrinfo() gives is tried in turn.  timeout, when
    given, is set before connecting; source_address (host, port) is bound
    first.  On failure the last error is raised, or with all_errors an
    ExceptionGroup of all of them.
    """
    if all_errors and sys.version_info < (3, 11):
        # The stdlib grew all_errors (and ExceptionGroup) in 3.11.
        raise TypeError("create_connection() got an unexpected keyword "
                        "argument 'all_errors'")
    host, port = address
    errors = []
    for af, kind, proto, _, sa in getaddrinfo(host, port, 0, SOCK_STREAM):
        sock = None
        try:
            sock = socket(af, kind, proto)
            if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sa)
            errors.clear()
            return sock
        except error as exc:
            if not all_errors:
                errors.clear()
            errors.append(exc)
            if sock is not None:
                sock.close()
    if not errors:
        raise error("getaddrinfo returns an empty list")
    try:
        if all_errors:
            raise ExceptionGroup("create_connection failed", errors)
        raise errors[0]
    finally:
        # The traceback refers to the list: break the cycle.
        errors = None


def has_dualstack_ipv6():
    """Can one AF_INET6 stream socket accept both IPv4 and IPv6 clients?"""
    if not has_ipv6 or not hasattr(_fastsock, "IPV6_V6ONLY"):
        return False
    try:
        with socket(AF_INET6, SOCK_STREAM) as probe:
            probe.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)
            return True
    except error:
        return False


def create_server(address, *, family=AF_INET, backlog=None, reuse_port=False,
                  dualstack_ipv6=False):
    """A listening SOCK_STREAM socket bound to address (host, port).

    SO_REUSEADDR is set; reuse_port sets SO_REUSEPORT; dualstack_ipv6 makes
    an AF_INET6 socket that accepts IPv4 clients too.
    """
    if reuse_port and not hasattr(_fastsock, "SO_REUSEPORT"):
        raise ValueError("SO_REUSEPORT not supported on this platform")
    if dualstack_ipv6:
        if not has_dualstack_ipv6():
            raise ValueError("dualstack_ipv6 not supported on this platform")
        if family != AF_INET6:
            raise ValueError("dualstack_ipv6 requires AF_INET6 family")
    sock = socket(family, SOCK_STREAM)
    try:
        try:
            sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
        except error:
            pass  # bind() will report what is wrong
        if reuse_port:
            sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)
        if has_ipv6 and family == AF_INET6:
            sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY,
                            0 if dualstack_ipv6 else 1)
        try:
            sock.bind(address)
        except error as exc:
            raise error(exc.errno, "%s (while attempting to bind on address "
                        "%r)" % (exc.strerror, address)) from None
        if backlog is None:
            sock.listen()
        else:
            sock.listen(backlog)
        return sock
    except error:
        sock.close()
        raise


def patch():
    """Make ``socket``, ``socketserver`` and ``SocketServer`` resolve to
    fastsock for every import from now on (see fastsock._patch)."""
    from ._patch import patch as _do_patch
    return _do_patch()

