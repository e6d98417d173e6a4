"""Command line of fastsock: ``python -m fastsock run|demo|bench``.

run [-v] SCRIPT [ARGS...]      run SCRIPT as ``python SCRIPT`` would, with
run [-v] -m MODULE [ARGS...]   ``socket``, ``socketserver`` and ``SocketServer``
run [-v] -c CODE [ARGS...]     importing fastsock (see fastsock._patch)
run --py2 [-v] SCRIPT|-m MOD   a Python 2 program, as ``python2`` would run it
                               (see fastsock._py2translate and fastsock._py2)
demo [--py2] [--port N]        the book's TCP timestamp server and client
bench [ARGS...]                bench/run.py of the source tree
"""

import os
import sys

USAGE = """\
usage: python -m fastsock run [--py2] [-v] SCRIPT [ARGS...]
       python -m fastsock run [--py2] [-v] -m MODULE [ARGS...]
       python -m fastsock run [-v] -c CODE [ARGS...]
       python -m fastsock demo [--py2] [--port N]
       python -m fastsock bench [ARGS...]

run    runs a Python program exactly as "python SCRIPT" (or "python -m
       MODULE", "python -c CODE") would, except that the modules socket,
       socketserver and SocketServer are fastsock's for the program and for
       every module it imports.  -v reports the substitution on stderr.
       --py2 runs a Python 2 program (the book's text as printed) as
       "python2 SCRIPT" would: its syntax is translated (cached like
       bytecode), and its sockets, socket files, standard streams and byte
       strings carry Python 2's str (examples/README.md, "Python 2 mode").
demo   starts the book's TCP timestamp server (examples/tsTserv.py) on
       fastsock, drives the book's client (tsTclnt.py) with a few lines and
       prints the transcript.  Loopback only; port 21567, or a free one if
       that is taken.  --py2: the book's Python 2 text of the two programs
       (examples/py2/), run with "run --py2".
bench  runs bench/run.py from the source tree (or the current directory).

"python -m fastsock COMMAND --help" describes one command.
"""

RUN_HELP = """\
usage: python -m fastsock run [--py2] [-v] SCRIPT [ARGS...]
       python -m fastsock run [--py2] [-v] -m MODULE [ARGS...]
       python -m fastsock run [-v] -c CODE [ARGS...]

Run a Python program as "python SCRIPT ARGS" ("python -m MODULE ARGS",
"python -c CODE ARGS") would -- same sys.argv, __main__, sys.path[0], exit
status, tracebacks and Ctrl-C -- with the socket modules replaced by
fastsock's for the program and for every module it imports later.

options:
  -h, --help     show this help and exit (after SCRIPT, -m MODULE or -c CODE
                 every argument, --help included, goes to the program)
  -v, --verbose  report the substitution on stderr before the program starts
  -m MODULE      run a module, as "python -m MODULE"
  -c CODE        run a string of code, as "python -c CODE"
  --py2          run a Python 2 program as "python2 SCRIPT" would: its syntax
                 is translated (cached like bytecode) and its sockets, files,
                 standard streams and byte strings carry Python 2's str
                 (examples/README.md, "Python 2 mode")

substituted (fastsock.patch(), run before the program starts):
  socket        -> fastsock
  socketserver  -> fastsock.socketserver
  SocketServer  -> fastsock.socketserver (the Python 2 name)
not substituted: modules imported before the program starts; ssl (it keeps
the stdlib socket; wrap_socket() takes over a fastsock socket's descriptor);
_socket; new interpreters (subprocess, multiprocessing's spawn) -- forked
children keep the substitution.  Details: examples/README.md, "What is
substituted under python -m fastsock run".
"""

DEMO_USAGE = "usage: python -m fastsock demo [--py2] [--port N]\n"


# ---------------------------------------------------------------- run

def _is_our_frame(frame):
    """True for frames of this module or of fastsock._patch.

    They are dropped from tracebacks so that an error in the program looks
    as it does under plain python.  Frames are recognised by their globals,
    not by __name__, because this module itself runs as __main__.
    """
    g = frame.f_globals
    return g is globals() or g.get("__name__") in (
        "fastsock._patch", "fastsock._py2", "fastsock._py2translate")


def _report_and_reraise(exc):
    """Print *exc* like the interpreter would, then re-raise it silently.

    The interpreter prints uncaught exceptions with sys.excepthook and exits
    with status 1, or for KeyboardInterrupt kills itself with SIGINT after
    finalising.  Printing here lets us trim our own frames; re-raising (with
    a hook that skips this one exception) keeps the interpreter's exit path,
    including the SIGINT death, atexit handlers and thread joins.
    """
    tb = exc.__traceback__
    while tb is not None and _is_our_frame(tb.tb_frame):
        tb = tb.tb_next
    # The default hook prints exc.__traceback__ when there is one, whatever
    # its third argument says, so the trimmed traceback goes on exc itself.
    exc.__traceback__ = tb
    hook = sys.excepthook
    hook(type(exc), exc, tb)
    hint = _python2_hint(exc)
    if hint:
        sys.stderr.write(hint)

    def quiet_hook(etype, value, etb, _hook=hook, _done=exc):
        if value is not _done:
            _hook(etype, value, etb)

    sys.excepthook = quiet_hook
    raise exc


def _python2_hint(exc):
    """For a SyntaxError in a file that is valid Python 2: a line saying so
    and how to run it (the error itself is printed as usual)."""
    if _py2_mode is not None or not isinstance(exc, SyntaxError):
        return None
    filename = getattr(exc, "filename", None)
    try:
        with open(filename, "rb") as f:
            source = f.read()
        from fastsock import _py2translate
        if not _py2translate.looks_like_python2(source, filename):
            return None
    except Exception:    # no file, or no translator: no hint, the error stands
        return None
    if sys.argv and sys.argv[0] == "-m":
        how = "run --py2 -m MODULE"
    else:
        how = "run --py2 %s" % (sys.argv[0] if sys.argv else filename)
    return ("fastsock run: %s is a Python 2 program; run it with "
            "\"python -m fastsock %s\"\n" % (filename, how))


def _new_main_module(filename, loader):
    """A fresh ``__main__`` module, attributes as the interpreter sets them."""
    import builtins
    import types

    module = types.ModuleType("__main__")
    module.__file__ = filename
    module.__cached__ = None
    module.__loader__ = loader
    module.__spec__ = None
    module.__package__ = None
    module.__builtins__ = builtins
    module.__annotations__ = {}
    sys.modules["__main__"] = module
    return module


def _set_path0(entry):
    """Replace sys.path[0] (our own entry) unless python runs with -P."""
    if getattr(sys.flags, "safe_path", False):
        return
    if sys.path:
        sys.path[0] = entry
    else:
        sys.path.insert(0, entry)


def _run_file(script, args):
    """Run the program in file *script* as ``python script args`` does."""
    import importlib.machinery
    import runpy
    import zipfile

    sys.argv = [script] + list(args)
    if os.path.isdir(script) or zipfile.is_zipfile(script):
        # A directory or zip file runs its __main__.py, found on sys.path.
        _set_path0(script)
        runpy._run_module_as_main("__main__", False)
        return
    filename = os.path.abspath(script)
    try:
        with open(filename, "rb") as f:
            source = f.read()
    except OSError as e:
        prog = os.path.basename(sys.executable) or "python"
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                         % (prog, filename, e.errno, e.strerror))
        sys.exit(2)
    _set_path0(os.path.dirname(os.path.realpath(filename)))
    loader = importlib.machinery.SourceFileLoader("__main__", filename)
    module = _new_main_module(filename, loader)
    if _py2_mode is not None:
        # Python 2 names the script as given on the command line, in
        # __file__ and in tracebacks (Python 3 makes it absolute).
        module.__file__ = script
        code = _py2_mode.load_main(script, source)
        module.__builtins__ = _py2_mode.builtins
    else:
        code = compile(source, filename, "exec", dont_inherit=True)
    exec(code, module.__dict__)


def _run_module(modname, args):
    """Run *modname* as ``python -m modname args`` does."""
    import runpy

    sys.argv = ["-m"] + list(args)
    _set_path0(os.getcwd())
    if _py2_mode is not None:
        sys.modules["__main__"].__dict__["__builtins__"] = _py2_mode.builtins
    # _run_module_as_main is what "python -m" itself calls; it sets argv[0]
    # and makes the module the real __main__, unlike the public run_module.
    runpy._run_module_as_main(modname, True)


def _run_code(code, args):
    """Run *code* as ``python -c code args`` does."""
    import importlib.machinery

    sys.argv = ["-c"] + list(args)
    _set_path0("")
    module = _new_main_module(None, importlib.machinery.BuiltinImporter)
    del module.__file__, module.__cached__
    exec(compile(code, "<string>", "exec", dont_inherit=True), module.__dict__)


def _substitution_report():
    """One line for -v: where socket now comes from."""
    import fastsock

    names = ", ".join(n for n in ("socket", "socketserver", "SocketServer")
                      if n in sys.modules)
    where = getattr(sys.modules.get("_fastsock"), "__file__", "?")
    mode = ("; the program's socket and SocketServer: fastsock's Python 2 "
            "flavour" if _py2_mode is not None else "")
    return ("fastsock run: %s -> fastsock %s (C core %s)%s\n"
            % (names, getattr(fastsock, "__version__", ""), where, mode))


_RUNNERS = {"-m": _run_module, "-c": _run_code}


# The Python 2 mode of this run (a fastsock._py2.Mode), or None.
_py2_mode = None


def _start_py2(runner, target, args):
    """Set up Python 2 mode for *target*; returns the arguments for it."""
    global _py2_mode
    from fastsock import _py2

    if runner is _run_file:
        directory = os.path.dirname(os.path.realpath(os.path.abspath(target)))
    else:
        directory = os.getcwd()
    _py2_mode = _py2.Mode(directory)
    _py2_mode.install()
    return _py2.argv_bytes(args)


def _py2_report_and_exit(exc):
    """Python 2 prints an uncaught exception, KeyboardInterrupt included,
    and exits with status 1."""
    from fastsock import _py2

    _py2.print_exception(type(exc), exc, exc.__traceback__,
                         lambda f: _is_our_frame(f) or _py2.is_our_frame(f))
    sys.exit(1)


def cmd_run(argv):
    """``run [--py2] [-v] (SCRIPT | -m MODULE | -c CODE) [ARGS...]``."""
    verbose = py2 = False
    while argv and argv[0] in ("-v", "--verbose", "--py2"):
        if argv[0] == "--py2":
            py2 = True
        else:
            verbose = True
        argv = argv[1:]
    if not argv:
        sys.stderr.write(RUN_HELP)
        return 2
    if argv[0] in ("-h", "--help"):
        sys.stdout.write(RUN_HELP)
        return 0
    runner = _RUNNERS.get(argv[0])
    if runner is None:
        runner, target, args = _run_file, argv[0], argv[1:]
    elif len(argv) < 2:
        sys.stderr.write("Argument expected for the %s option\n" % argv[0])
        return 2
    else:
        target, args = argv[1], argv[2:]

    if py2 and runner is _run_code:
        sys.stderr.write("fastsock run: --py2 runs a SCRIPT or -m MODULE, "
                         "not -c CODE\n")
        return 2

    from fastsock._patch import patch
    patch()
    if py2:
        args = _start_py2(runner, target, args)
    if verbose:
        sys.stderr.write(_substitution_report())
        sys.stderr.flush()
    try:
        runner(target, args)
    except SystemExit:
        raise
    except BaseException as exc:
        if _py2_mode is not None:
            _py2_report_and_exit(exc)
        _report_and_reraise(exc)
    return None


# ---------------------------------------------------------------- demo

# The book's two programs as shipped in examples/, used when the demo runs
# outside a source tree (the tests check that they match the files).
_BOOK = {}
_BOOK["tsTserv.py"] = r"""#!/usr/bin/env python3
#coding: UTF-8
# Core Python Programming, ch. 16.3.3: the TCP timestamp server (seed 000).
# Python 3 rendering: see examples/README.md for every change and why.

from socket import *
from time import ctime
import sys              # added: for the optional port argument

HOST = ''               #绑定IP
PORT = 21567            #端口号
BUFSIZ = 1024           #缓冲1K
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST,PORT)

tcpSerSock = socket(AF_INET, SOCK_STREAM)
tcpSerSock.bind(ADDR)   #套接字
tcpSerSock.listen(5)    #最大连接数

while True:
    print('waiting for connection...')
    tcpCliSock,addr = tcpSerSock.accept()
    print('...connected from: ', addr)

    while True:
        data = tcpCliSock.recv(BUFSIZ)
        if not data:
            break
        data = data.decode('utf-8')     # added: bytes on the wire in Python 3
        tcpCliSock.send(('[%s] %s'%(ctime(),data)).encode('utf-8'))
        print([ctime()],':',data)

    tcpCliSock.close()
tcpSerSock.close()
"""
_BOOK["tsTclnt.py"] = r"""#!/usr/bin/env python3
# Core Python Programming, ch. 16.3.4: the TCP timestamp client (seed 000).
# Python 3 rendering: see examples/README.md for every change and why.

from socket import *
import sys              # added: for the optional port argument

HOST = '127.0.0.1'      # the book: '192.168.8.18' (a LAN address)
PORT = 21567
BUFSIZ = 1024
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST, PORT)

tcpCliSock = socket(AF_INET, SOCK_STREAM)
tcpCliSock.connect(ADDR)

while True:
    data = input('>')
    if not data:
        break
    tcpCliSock.send(data.encode('utf-8'))
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print(data.decode('utf-8'))

tcpCliSock.close()
"""

# The book's Python 2 text of the same two programs (examples/py2/), for
# "demo --py2".
_BOOK_PY2 = {}
_BOOK_PY2["tsTserv.py"] = r"""#!/usr/bin/env python
#coding: UTF-8
# Seed 000, Core Python Programming ch. 16.3.3: the TCP timestamp server (Python 2, as printed).
from socket import *
from time import ctime

HOST = ''               #绑定IP
PORT = 21567            #端口号
BUFSIZ = 1024           #缓冲1K
ADDR = (HOST,PORT)

tcpSerSock = socket(AF_INET, SOCK_STREAM)
tcpSerSock.bind(ADDR)   #套接字
tcpSerSock.listen(5)    #最大连接数

while True:
    print 'waiting for connection...'
    tcpCliSock,addr = tcpSerSock.accept()
    print '...connected from: ', addr

    while True:
        data = tcpCliSock.recv(BUFSIZ)
        if not data:
            break
        tcpCliSock.send('[%s] %s'%(ctime(),data))
        print [ctime()],':',data

tcpCliSock.close()
tcpSerSock.close()
"""
_BOOK_PY2["tsTclnt.py"] = r"""#!/usr/bin/env python
# Seed 000, Core Python Programming ch. 16.3.4: the TCP timestamp client (Python 2, as printed).
from socket import *

HOST = '127.0.0.1'      # the book: '192.168.8.18' (a LAN address)
PORT = 21567
BUFSIZ = 1024
ADDR = (HOST, PORT)

tcpCliSock = socket(AF_INET, SOCK_STREAM)
tcpCliSock.connect(ADDR)

while True:
    data = raw_input('>')
    if not data:
        break
    tcpCliSock.send(data)
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print data

tcpCliSock.close()
"""

# What the book's transcript types into the client.
DEMO_LINES = ("send test data", "hi", "how are you?")
BOOK_PORT = 21567
DEMO_SECONDS = 30.0


class DemoError(Exception):
    pass


class _Reader:
    """Incremental, deadline-bounded reads from a child's output pipe."""

    def __init__(self, pipe, deadline):
        self.fd = pipe.fileno()
        self.deadline = deadline
        self.buf = b""
        self.eof = False

    def _fill(self):
        import select
        import time

        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DemoError("timed out; output so far: %r" % self.buf)
        ready, _, _ = select.select([self.fd], [], [], left)
        if ready:
            chunk = os.read(self.fd, 65536)
            self.buf += chunk
            self.eof = not chunk

    def until(self, marker):
        """Return the output up to and including *marker* (bytes)."""
        while marker not in self.buf:
            if self.eof:
                raise DemoError("the program ended early; output: %r" % self.buf)
            self._fill()
        head, _, self.buf = self.buf.partition(marker)
        return head + marker

    def rest(self):
        """Everything until end of file."""
        while not self.eof:
            self._fill()
        data, self.buf = self.buf, b""
        return data


def _book_files(py2=False, port=None):
    """Directory holding tsTserv.py and tsTclnt.py, and a cleanup callable.

    The Python 2 programs have the book's port written in them: for
    another *port* they run from copies where that number is replaced."""
    book = _BOOK_PY2 if py2 else _BOOK
    sub = ("examples", "py2") if py2 else ("examples",)
    here = os.path.dirname(os.path.abspath(__file__))
    texts = None
    if not (py2 and port != BOOK_PORT):
        for d in (os.path.join(here, os.pardir, os.pardir, *sub),
                  os.path.join(os.getcwd(), *sub)):
            d = os.path.normpath(d)
            if all(os.path.isfile(os.path.join(d, f)) for f in book):
                return d, lambda: None
    import shutil
    import tempfile

    texts = dict(book)
    if py2 and port != BOOK_PORT:
        texts = {name: text.replace("PORT = %d" % BOOK_PORT, "PORT = %d" % port)
                 for name, text in texts.items()}
    d = tempfile.mkdtemp(prefix="fastsock-demo-")
    for name, text in texts.items():
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
    return d, lambda: shutil.rmtree(d, ignore_errors=True)


def _shown(path):
    """*path* relative to the current directory when it lies below it."""
    rel = os.path.relpath(path)
    if rel.startswith(os.pardir) or os.getcwd() == os.sep:
        return path
    return rel


def _port_is_free(port):
    """Can a TCP server bind *port* on all interfaces right now?"""
    import socket as probe_mod   # whichever socket module is loaded; a probe only

    s = probe_mod.socket(probe_mod.AF_INET, probe_mod.SOCK_STREAM)
    try:
        s.bind(("", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _free_port():
    import socket as probe_mod

    with probe_mod.socket(probe_mod.AF_INET, probe_mod.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(script, args, stdin, py2=False):
    import subprocess

    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    mode = ["--py2"] if py2 else []
    return subprocess.Popen(
        [sys.executable, "-m", "fastsock", "run", "-v"] + mode + [script] + args,
        stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _stop(proc):
    """Terminate *proc* if needed and reap it, bounded in time."""
    import subprocess

    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def _drive_client(client, deadline, out):
    """Type DEMO_LINES into the book's client; echo the session to *out*."""
    reader = _Reader(client.stdout, deadline)
    prompt = b">"
    for line in DEMO_LINES + ("",):
        # The client prints its prompt, then we "type" the line; a terminal
        # would echo it after the prompt, so the transcript shows it there.
        reader.until(prompt)
        out.write(prompt.decode() + line + "\n")
        client.stdin.write((line + "\n").encode("utf-8"))
        client.stdin.flush()
        if line:
            out.write(reader.until(b"\n").decode("utf-8"))
        out.flush()
    client.stdin.close()
    reader.rest()


def _demo(port, out, py2=False):
    import subprocess
    import time

    deadline = time.monotonic() + DEMO_SECONDS
    if port is None:
        port = BOOK_PORT if _port_is_free(BOOK_PORT) else _free_port()
    where, cleanup = _book_files(py2, port)
    server = client = None
    try:
        serv_py = os.path.join(where, "tsTserv.py")
        clnt_py = os.path.join(where, "tsTclnt.py")
        out.write("fastsock demo: the TCP timestamp server and client of Core "
                  "Python Programming, ch. 16,\n%son loopback port %d.\n\n"
                  % ("the book's Python 2 text (run --py2), " if py2 else "",
                     port))
        if py2 and port != BOOK_PORT:
            out.write("(The programs name port %d; they run from copies that "
                      "name port %d instead.)\n\n" % (BOOK_PORT, port))
        # The Python 3 renditions take the port as an argument.
        args, shown_args = ([], "") if py2 else ([str(port)], " %d" % port)
        run = "run --py2" if py2 else "run"
        server = _spawn(serv_py, args, subprocess.DEVNULL, py2)
        serv_out = _Reader(server.stdout, deadline)
        first = serv_out.until(b"waiting for connection...\n")
        banner = _Reader(server.stderr, deadline).until(b"\n").decode().strip()
        out.write("$ python -m fastsock %s %s%s &\n" % (run, _shown(serv_py), shown_args))
        out.write("  (%s)\n" % banner)
        out.write("$ python -m fastsock %s %s%s\n" % (run, _shown(clnt_py), shown_args))
        client = _spawn(clnt_py, args, subprocess.PIPE, py2)
        _drive_client(client, deadline, out)
        status = client.wait(max(0.1, deadline - time.monotonic()))
        if status != 0:
            raise DemoError("the client exited with status %d: %s"
                            % (status, client.stderr.read().decode()))
        # The server prints "waiting for connection..." again once the client
        # has gone; then its transcript is complete and it can be stopped.
        rest = serv_out.until(b"waiting for connection...\n")
        out.write("\n--- what the server printed ---\n")
        out.write((first + rest).decode("utf-8"))
        _stop(server)
        out.write("--- server stopped (it serves forever; the demo ends it) ---\n")
        return 0
    except BrokenPipeError:
        raise
    except (DemoError, subprocess.TimeoutExpired, OSError) as e:
        out.write("\nfastsock demo failed: %s\n" % e)
        return 1
    finally:
        for proc in (client, server):
            if proc is not None:
                _stop(proc)
        cleanup()


_DEMO_HELP = """
Start the book's TCP timestamp server (examples/tsTserv.py) under
"python -m fastsock run", drive the book's client (tsTclnt.py) with a few
lines and print the transcript.  Loopback only.

options:
  -h, --help  show this help and exit
  --py2       the book's Python 2 text of the two programs (examples/py2/),
              run with "run --py2"
  --port N    the server's port (default 21567, or a free one if taken)
"""


def cmd_demo(argv):
    port = None
    if argv[:1] in (["-h"], ["--help"]):
        sys.stdout.write(DEMO_USAGE + _DEMO_HELP)
        return 0
    py2 = argv[:1] == ["--py2"]
    if py2:
        argv = argv[1:]
    if argv[:1] == ["--port"] and len(argv) == 2 and argv[1].isdigit():
        port = int(argv[1])
    elif argv:
        sys.stderr.write(DEMO_USAGE)
        return 2
    try:
        return _demo(port, sys.stdout, py2)
    except BrokenPipeError:
        # The reader of our output went away (e.g. "| head"): nothing more
        # to show.  Point stdout at /dev/null so the exit flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 1


# ---------------------------------------------------------------- bench

def cmd_bench(argv):
    import subprocess

    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, os.pardir, os.pardir, "bench", "run.py"),
                  os.path.join(os.getcwd(), "bench", "run.py")]
    for path in candidates:
        path = os.path.normpath(path)
        if os.path.isfile(path):
            return subprocess.call([sys.executable, path] + list(argv))
    sys.stderr.write("fastsock bench: bench/run.py not found (looked in %s).\n"
                     "The benchmarks live in the source tree: run this from a "
                     "clone of fastsock.\n" % ", ".join(map(os.path.normpath,
                                                            candidates)))
    return 2


# ---------------------------------------------------------------- main

COMMANDS = {"run": cmd_run, "demo": cmd_demo, "bench": cmd_bench}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    command = COMMANDS.get(argv[0])
    if command is None:
        sys.stderr.write("fastsock: unknown command %r\n\n%s" % (argv[0], USAGE))
        return 2
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
