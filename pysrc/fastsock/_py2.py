"""Python 2 mode: the runtime behind ``python -m fastsock run --py2``.

A Python 2 program, translated by fastsock._py2translate, runs with Python
2's ``str`` semantics where the book's programs depend on them.  A Python 2
byte string is represented by a native ``str`` holding one character per
byte (ASCII as itself, bytes 0x80-0xFF as U+DC80-U+DCFF: see ENC), so
``'[%s] %s' % (ctime(), data)`` formats received bytes as Python 2 did.
That representation is used consistently by:

* sockets (the ``socket`` class below: fastsock's C socket in its str mode,
  where ``send``, ``sendall``, ``sendto`` take such a str, or bytes-like
  objects, and ``recv``, ``recvfrom`` return one, converted in C);
* socket files (``makefile``: fastsock's C text file with that mapping and
  no newline translation, reading and writing as Python 2's did);
* ``sys.stdin``, ``sys.stdout``, ``sys.stderr`` (no newline translation)
  and ``sys.argv`` (the bytes of each argument);
* byte-string literals (fix_py2str), and ``open()``, ``ord()`` and
  ``chr()`` of the translated code.

``u'...'`` literals stay text, distinct from bytes beyond ASCII.  Sent on
a socket, such text raises UnicodeEncodeError (codec 'ascii'), as Python 2's
implicit encoding did; written to stdout/stderr it is encoded with
PYTHONIOENCODING's encoding if set, else with the terminal's when the
stream is a terminal, and raises that error otherwise, as Python 2 did.

The socket API the translated code sees (``import socket``, ``import
SocketServer``/``socketserver``) is a Python 2 flavour of fastsock, given
only to translated modules through their own ``__import__``: the Python 3
modules the program uses (``http.client``, ``logging``...) keep the normal
fastsock.  ``socket.error`` is OSError, ``socket.timeout``, ``gaierror`` and
``herror`` fastsock's subclasses of it; constants are plain ints.
Uncaught exceptions are printed in Python 2's format (``socket.error:
[Errno 9] Bad file descriptor``) and end the program with status 1,
KeyboardInterrupt included.
"""
import builtins
import codecs
import enum
import functools
import importlib.machinery
import importlib.util
import io
import os
import re
import sys
import types

import _fastsock
import fastsock
from fastsock import _py2translate

# How a Python 2 byte string is held in a native str: ASCII bytes as
# themselves, bytes 0x80-0xFF as the lone surrogates U+DC80-U+DCFF (Python
# 3's own convention for undecodable bytes, os.fsdecode's).  One to one like
# Latin-1, but the high bytes, as in Python 2's str in the C locale, are no
# letters, digits or whitespace: strip(), split(), upper() and isspace()
# leave them alone.  With Latin-1, byte 0xA0 (the last of UTF-8's
# "\u4f60") would be whitespace and strip() would cut it off.
ENC, ERRORS = "ascii", "surrogateescape"


def to_str(data):
    """The Python 2 mode str of bytes *data*."""
    return data.decode(ENC, ERRORS)


def to_bytes(text):
    """The bytes of Python 2 mode str *text* (UnicodeEncodeError, codec
    'ascii', for text beyond ASCII: Python 2's error for such unicode)."""
    return text.encode(ENC, ERRORS)

# ---------------------------------------------------------------- errors

# Python 2's socket errors are fastsock's own, raised by the C methods
# themselves: socket.error is OSError (Python 2's was a subclass of IOError,
# which Python 3 merged into OSError), and timeout, herror and gaierror are
# OSError subclasses as there.  Uncaught, they print under Python 2's names
# (see _py2_name): socket.error: [Errno 9] Bad file descriptor.
error = OSError
timeout = fastsock.timeout
herror = fastsock.herror
gaierror = fastsock.gaierror


# ---------------------------------------------------------------- sockets

_c = _fastsock.socket
_c_family = _c.family.__get__
_c_type = _c.type.__get__


class socket(fastsock.socket):
    """A fastsock socket with Python 2's str semantics (see module doc).

    The data methods are the C type's own: the class attribute
    _fs_str_mode puts the sockets of this class into the C type's str mode,
    where send/sendall/sendto take such a str (and bytes-like objects) and
    recv/recvfrom return one, converted in C straight from and into the
    socket's buffers."""

    __slots__ = ()
    _fs_str_mode = True

    # Python 2 shows plain numbers here, not enum members.
    @property
    def family(self):
        """The socket family (an int)."""
        return _c_family(self)

    @property
    def type(self):
        """The socket type (an int)."""
        return _c_type(self)

    def makefile(self, mode="r", bufsize=-1):
        """makefile([mode[, bufsize]]) -> a file of str, as Python 2's.

        Python 2's socket file reads and writes whatever its mode says, does
        no newline translation, and with bufsize 0 sends every write at
        once (the file here is built on fastsock's C socket file)."""
        if self._closed:
            raise error(9, "Bad file descriptor")
        if bufsize is None or bufsize < 0:
            bufsize = io.DEFAULT_BUFFER_SIZE
        raw = _fastsock.SocketFile(self, "rwb", max(bufsize, 2))
        wrapper = io.TextIOWrapper(raw, ENC, ERRORS, "\n",
                                   line_buffering=bufsize == 1,
                                   write_through=bufsize == 0)
        text = fastsock._SocketTextFile(raw, wrapper, "\n")
        text.mode = mode
        return text


# accept() (in C, also in the server core) makes sockets of this class.
socket._accept_class = socket
SocketType = socket


def _reclass(sock):
    """The Python 2 socket for fastsock socket *sock* (its fd moves over:
    str mode is the class's, fixed when a socket is made)."""
    timeout = sock.gettimeout()
    new = socket(_c_family(sock), _c_type(sock), sock.proto, sock.detach())
    new.settimeout(timeout)
    return new


def _adopt(func):
    """*func* returns fastsock sockets: return Python 2 ones."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        if isinstance(result, tuple):
            return tuple(_reclass(s) for s in result)
        return _reclass(result)
    return wrapper


def _as_bytes(data):
    return data.encode(ENC, ERRORS) if type(data) is str else data


def _bytes_result(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return to_str(func(*args, **kwargs))
    return wrapper


def _bytes_argument(func, index):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        args = list(args)
        if len(args) > index:
            args[index] = _as_bytes(args[index])
        return func(*args, **kwargs)
    return wrapper


def _build_socket_module():
    """The ``socket`` module translated code imports."""
    mod = types.ModuleType("socket", fastsock.__doc__)
    for name in dir(fastsock):
        if name.startswith("__") or name in ("patch",):
            continue
        value = getattr(fastsock, name)
        if isinstance(value, enum.Enum):
            value = int(value)          # Python 2's constants are ints
        setattr(mod, name, value)
    mod.__file__ = fastsock.__file__
    mod.__all__ = [n for n in fastsock.__all__ if hasattr(mod, n)]
    mod.socket = mod.SocketType = socket
    mod.error, mod.herror, mod.gaierror, mod.timeout = (
        error, herror, gaierror, timeout)
    mod.create_connection = _adopt(fastsock.create_connection)
    mod.socketpair = _adopt(fastsock.socketpair)
    mod.fromfd = _adopt(fastsock.fromfd)
    for name in ("inet_aton", "inet_pton"):
        setattr(mod, name, _bytes_result(getattr(fastsock, name)))
    mod.inet_ntoa = _bytes_argument(fastsock.inet_ntoa, 0)
    mod.inet_ntop = _bytes_argument(fastsock.inet_ntop, 1)
    return mod


def _py2_write(self, data):
    """SocketServer's unbuffered wfile in Python 2 (``makefile('wb', 0)``):
    one sendall() per write, returning None."""
    self._sock.sendall(data)


def _datagram_setup(self):
    """DatagramRequestHandler.setup as in Python 2: rfile and wfile hold
    str (the server core receives the packet as bytes, in C)."""
    self.packet, self.socket = self.request
    if not isinstance(self.packet, str):
        self.packet = to_str(self.packet)
    self.rfile = io.StringIO(self.packet, newline="\n")
    self.wfile = io.StringIO(newline="\n")


def _build_server_module(socket_module):
    """``SocketServer`` for translated code: fastsock's server module, loaded
    afresh with the Python 2 socket module as its ``socket``."""
    import fastsock.socketserver as base

    spec = importlib.util.spec_from_file_location("SocketServer", base.__file__)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.socket = socket_module
    mod._SocketWriter.write = _py2_write
    mod.DatagramRequestHandler.setup = _datagram_setup
    return mod


# ---------------------------------------------------------------- builtins

def open(name, mode="r", buffering=-1):   # noqa: A001 - Python 2's open
    """Python 2's open(): files of str (bytes one to one), no newline
    translation ('U' asks for universal newlines)."""
    universal = "U" in mode
    mode = mode.replace("U", "").replace("b", "").replace("t", "") or "r"
    if mode[0] not in "rwa":
        mode = "r" + mode
    f = io.open(name, mode, -1 if buffering == 0 else buffering,
                encoding=ENC, errors=ERRORS,
                newline=None if universal else "\n")
    if buffering == 0 and f.writable():
        f.reconfigure(write_through=True)
    return f


def cmp(a, b):
    """Python 2's cmp()."""
    return (a > b) - (a < b)


_ord, _chr = builtins.ord, builtins.chr


def ord(c):  # noqa: A001 - Python 2's ord
    """Python 2's ord(): a byte's value for a byte (see ENC)."""
    n = _ord(c)
    return n - 0xDC00 if 0xDC80 <= n <= 0xDCFF else n


def chr(i):  # noqa: A001 - Python 2's chr
    """Python 2's chr(): a one-byte str."""
    if not 0 <= i < 256:
        raise ValueError("chr() arg not in range(256)")
    return _chr(i + 0xDC00 if i >= 0x80 else i)


def _fastsock_py2_div(a, b):
    """Python 2's ``a / b`` (see fastsock._py2fixes.fix_py2div)."""
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    return a / b


# What Python 2's print statement took for whitespace at the end of an
# item (C isspace() but the space itself): no softspace after it.
_NO_SOFTSPACE_AFTER = "\t\n\v\f\r"


def _softspace(f):
    return getattr(f, "softspace", 0)


def _set_softspace(f, value):
    try:
        f.softspace = value
    except (AttributeError, TypeError):
        pass                # a file without a __dict__: no softspace


def _fastsock_py2_print(*args, sep=" ", end="\n", file=None):
    """The print statement, with Python 2's softspace: each item is
    preceded by a space if the file's softspace is set, and sets it unless
    it is a str ending in whitespace other than ' '; the newline clears it.
    (fix_py2print makes ``print a, b,`` call this with end=' '.)"""
    f = sys.stdout if file is None else file
    if f is None:
        return
    out = []
    soft = _softspace(f)
    for item in args:
        if soft:
            out.append(" ")
        text = item if isinstance(item, str) else str(item)
        out.append(text)
        soft = not (isinstance(item, str) and text
                    and text[-1] in _NO_SOFTSPACE_AFTER)
    if end != " ":              # not a trailing comma: the newline
        out.append("\n")
        soft = 0
    f.write("".join(out))
    _set_softspace(f, 1 if soft else 0)


def flush_line():
    """Python 2's Py_FlushLine: a line left open by ``print x,`` gets its
    newline at exit and before a traceback."""
    out = sys.stdout
    if out is not None and _softspace(out):
        _set_softspace(out, 0)
        try:
            out.write("\n")
        except (OSError, ValueError):
            pass


def _input(prompt=""):
    """raw_input(): the pending softspace of stdout is written first."""
    if _softspace(sys.stdout):
        sys.stdout.write(" ")
        _set_softspace(sys.stdout, 0)
    return builtins.input(prompt)


def make_builtins(redirect):
    """The builtins of translated modules: Python 3's, with an __import__
    that gives them the Python 2 flavour of socket and SocketServer."""
    py2 = dict(builtins.__dict__)
    real_import = builtins.__import__

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name in redirect:
            return redirect[name]
        return real_import(name, globals, locals, fromlist, level)

    py2["__import__"] = __import__
    py2["open"] = py2["file"] = open
    py2["cmp"] = cmp
    py2["_fastsock_py2_div"] = _fastsock_py2_div
    py2["_fastsock_py2_print"] = _fastsock_py2_print
    py2["input"] = _input        # fissix's name for raw_input
    # fix_py2str keeps unichr (text) apart from chr (bytes).
    py2["ord"], py2["chr"], py2["unichr"] = ord, chr, _chr
    return py2


# ---------------------------------------------------------------- import hook

class _Loader(importlib.machinery.SourceFileLoader):
    """Loads a Python 2 module: translated (cached), never as bytecode."""

    builtins = None

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        return _py2translate.load(path, beside_ok=True,
                                  source=self.get_data(path))

    def exec_module(self, module):
        module.__dict__["__builtins__"] = self.builtins
        super().exec_module(module)


class Finder:
    """Finds the modules of one directory (the script's) and its packages,
    and has them translated."""

    def __init__(self, directory, py2_builtins):
        self.directory = os.path.realpath(directory)
        loader = type("Py2Loader", (_Loader,), {"builtins": py2_builtins})
        self.details = (loader, importlib.machinery.SOURCE_SUFFIXES)

    def _ours(self, entry):
        entry = os.path.realpath(entry or os.curdir)
        return entry == self.directory or entry.startswith(
            self.directory + os.sep)

    def find_spec(self, fullname, path=None, target=None):
        entries = [self.directory] if path is None else [
            p for p in path if self._ours(p)]
        for entry in entries:
            finder = importlib.machinery.FileFinder(entry, self.details)
            spec = finder.find_spec(fullname)
            if spec is not None and spec.origin and spec.origin != "namespace":
                return spec
        return None

    def invalidate_caches(self):
        pass


# ---------------------------------------------------------------- stdio

def _encode_error(text_encoding):
    """An error handler for the ASCII codec of the standard streams: bytes
    (surrogates U+DC80-U+DCFF) go out as themselves, text as Python 2
    printed unicode: in *text_encoding*, or UnicodeEncodeError if None."""
    def handler(exc):
        if not isinstance(exc, UnicodeEncodeError):
            raise exc
        text, start, end = exc.object, exc.start, exc.end
        is_byte = "\udc80" <= text[start] <= "\udcff"
        stop = start
        while stop < end and ("\udc80" <= text[stop] <= "\udcff") == is_byte:
            stop += 1
        if is_byte:
            return text[start:stop].encode(ENC, ERRORS), stop
        if text_encoding is None:
            raise UnicodeEncodeError("ascii", text, start, stop,
                                     "ordinal not in range(128)")
        return text[start:stop].encode(text_encoding, "replace"), stop
    return handler


def _text_encodings():
    """(for a terminal, for a pipe or file): how Python 2 encoded text
    (unicode) printed there; None: it raised UnicodeEncodeError."""
    import locale

    forced = os.environ.get("PYTHONIOENCODING", "").split(":")[0]
    if forced:
        return forced, forced
    return locale.getpreferredencoding(False) or "utf-8", None


_TTY, _PIPE = _text_encodings()
codecs.register_error("fastsock-py2-tty", _encode_error(_TTY))
codecs.register_error("fastsock-py2-pipe", _encode_error(_PIPE))


def _reconfigure(stream, errors):  # noqa: D401
    if stream is None or not hasattr(stream, "reconfigure"):
        return
    try:
        tty = stream.isatty()
    except (OSError, ValueError):
        tty = False
    if errors is None:
        errors = "fastsock-py2-tty" if tty else "fastsock-py2-pipe"
    stream.reconfigure(encoding=ENC, errors=errors, newline="\n")


def setup_stdio():
    _reconfigure(sys.stdin, ERRORS)
    _reconfigure(sys.stdout, None)
    _reconfigure(sys.stderr, None)


def argv_bytes(args):
    """Command line arguments as Python 2 saw them: their bytes."""
    return [to_str(os.fsencode(a)) for a in args]


# ---------------------------------------------------------------- tracebacks

_OUR_MODULES = {__name__, "fastsock._py2translate", "fastsock._patch"}

# Exceptions Python 2 did not have, by the name Python 2 gave the error.
_PY2_NAMES = {
    ConnectionError: "socket.error", BrokenPipeError: "socket.error",
    ConnectionAbortedError: "socket.error",
    ConnectionRefusedError: "socket.error",
    ConnectionResetError: "socket.error", BlockingIOError: "socket.error",
    InterruptedError: "socket.error",
    FileNotFoundError: "IOError", PermissionError: "IOError",
    IsADirectoryError: "IOError", NotADirectoryError: "IOError",
    FileExistsError: "OSError", ModuleNotFoundError: "ImportError",
    TimeoutError: "socket.timeout",
    RecursionError: "RuntimeError",
}


def _py2_name(etype, value=None):
    if etype.__module__ == "builtins" and issubclass(etype, OSError) and not (
            issubclass(etype, TimeoutError)):
        # Python 2's sockets raised socket.error (the C methods raise
        # OSError and its errno subclasses); a file name marks open()'s or
        # os's errors, IOError and OSError there.
        if getattr(value, "filename", None) is None:
            return "socket.error"
        return _PY2_NAMES.get(etype, "IOError" if etype is OSError
                              else etype.__qualname__)
    for cls in etype.__mro__:
        if cls in _PY2_NAMES and cls.__module__ == "builtins":
            if etype.__module__ == "builtins":
                return _PY2_NAMES[cls]
            break
    if etype is fastsock.timeout or (
            isinstance(etype, type) and issubclass(etype, TimeoutError)
            and etype.__module__ in ("builtins", "socket")):
        return "socket.timeout"
    if etype.__module__ == "builtins":
        return etype.__qualname__
    return "%s.%s" % (etype.__module__, etype.__qualname__)


def _source_line(filename, lineno):
    """The line as Python 2 shows it: the file's bytes, stripped."""
    try:
        with io.open(filename, "rb") as f:
            for n, line in enumerate(f, 1):
                if n == lineno:
                    return to_str(line.strip())
    except OSError:
        pass
    return None


def format_exception(etype, value, tb, is_ours):
    """Python 2's text for an uncaught exception (frames for which
    is_ours(frame) is true are left out)."""
    import traceback

    out = []
    entries = []
    while tb is not None:
        if not is_ours(tb.tb_frame):
            entries.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno,
                            tb.tb_frame.f_code.co_name))
        tb = tb.tb_next
    if entries:
        out.append("Traceback (most recent call last):\n")
    for filename, lineno, name in entries:
        out.append('  File "%s", line %d, in %s\n' % (filename, lineno, name))
        line = _source_line(filename, lineno)
        if line:
            out.append("    %s\n" % line)
    if isinstance(value, SyntaxError):
        lines = traceback.format_exception_only(etype, value)
        name = _py2_name(etype, value)
        lines[-1] = lines[-1].replace(etype.__qualname__, name, 1)
        out.extend(lines)
        return "".join(out)
    name = _py2_name(etype, value)
    try:
        msg = str(value)
    except Exception:
        msg = "<unprintable %s object>" % etype.__name__
    out.append("%s: %s\n" % (name, msg) if msg else "%s\n" % name)
    return "".join(out)


def is_our_frame(frame):
    return frame.f_globals.get("__name__") in _OUR_MODULES


def print_exception(etype, value, tb, is_ours=is_our_frame):
    flush_line()
    text = format_exception(etype, value, tb, is_ours)
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.flush()
        stream.write(text)
        stream.flush()
    except (OSError, ValueError, UnicodeError):
        pass


def _thread_hook(args):
    """Python 2's report of an exception that ends a thread: the thread's
    name (without the " (target)" Python 3.10+ adds), the traceback, and
    an empty line."""
    if args.exc_type is SystemExit:
        return
    import threading
    thread = args.thread
    name = thread.name if thread is not None else str(threading.get_ident())
    # Only the generated names: run() has dropped the target by now.
    m = re.match(r"(Thread-\d+) \(.*\)$", name)
    if m:
        name = m.group(1)
    try:
        sys.stderr.write("Exception in thread %s:\n" % name)
        print_exception(args.exc_type, args.exc_value, args.exc_traceback)
        sys.stderr.write("\n")
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------- setup

class Mode:
    """Everything ``run --py2`` installs, made once per process."""

    def __init__(self, directory):
        self.socket = _build_socket_module()
        self.server = _build_server_module(self.socket)
        self.builtins = make_builtins({"socket": self.socket,
                                       "SocketServer": self.server,
                                       "socketserver": self.server})
        self.finder = Finder(directory, self.builtins)

    def install(self):
        import threading

        import atexit

        sys.meta_path.insert(0, self.finder)
        setup_stdio()
        atexit.register(flush_line)
        sys.excepthook = print_exception
        threading.excepthook = _thread_hook

    def load_main(self, filename, source):
        return _py2translate.load(filename, beside_ok=False, source=source)
