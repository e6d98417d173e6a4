"""fastsock.socketserver: the stdlib's ``socketserver`` over fastsock sockets.

The classes, hooks, attributes and defaults are those of the stdlib module,
so ``import fastsock.socketserver as socketserver`` is a drop-in change.
The serving loop (wait, accept, dispatch, shut down) runs in C, in the
``_fastsock.ServerCore`` object each server holds:

* the wait polls the server's socket and a wake-up descriptor with the GIL
  released, so ``shutdown()`` returns at once instead of after up to
  ``poll_interval``;
* where a server does not override a hook, the C core does that step itself
  (accept, make the connection socket, call the handler class, close); where
  a subclass overrides one, the core calls the override, so stdlib-style
  subclasses (``http.server``, ``xmlrpc.server``...) work unchanged;
* ``ThreadingMixIn`` keeps one thread per request, and takes an opt-in bound:
  set ``max_threads`` (or use ``ThreadPoolMixIn``) to serve from a pool of
  at most that many worker threads;
* running out of descriptors on accept backs off instead of spinning;
* opt-in, ``processes = N`` on a TCP or UDP server: ``serve_forever()``
  forks N - 1 more processes, each with its own socket bound to the same
  address with ``SO_REUSEPORT``, and the kernel spreads the clients over
  the N of them (Linux; see ``TCPServer.processes``).

Which hooks are overridden is looked up when ``serve_forever()`` or
``handle_request()`` starts, on the class and on the instance: replacing a
hook while ``serve_forever()`` runs takes effect at its next call.
"""

import os
import sys
import threading
from io import BufferedIOBase
from time import monotonic as time  # noqa: F401 - as the stdlib module has it

import _fastsock
import fastsock as socket   # the package is the stdlib-compatible socket API

__all__ = ["BaseServer", "TCPServer", "UDPServer",
           "ThreadingUDPServer", "ThreadingTCPServer",
           "BaseRequestHandler", "StreamRequestHandler",
           "DatagramRequestHandler", "ThreadingMixIn"]
if hasattr(os, "fork"):
    __all__.extend(["ForkingUDPServer", "ForkingTCPServer", "ForkingMixIn"])
if hasattr(socket, "AF_UNIX"):
    __all__.extend(["UnixStreamServer", "UnixDatagramServer",
                    "ThreadingUnixStreamServer",
                    "ThreadingUnixDatagramServer"])
    if hasattr(os, "fork"):
        __all__.extend(["ForkingUnixStreamServer",
                        "ForkingUnixDatagramServer"])
# fastsock's own additions: the bounded thread pool.
__all__.extend(["ThreadPoolMixIn", "ThreadPoolTCPServer",
                "ThreadPoolUDPServer"])
if hasattr(socket, "AF_UNIX"):
    __all__.extend(["ThreadPoolUnixStreamServer",
                    "ThreadPoolUnixDatagramServer"])

_BITS = _fastsock._server_plan_bits()


class _Threads(list):
    """The non-daemon request threads, joinable by server_close().

    Finished threads are dropped whenever a new one is added, so a long
    running server does not accumulate them.
    """

    def append(self, thread):
        self.reap()
        if not thread.daemon:
            super().append(thread)

    def pop_all(self):
        taken = self[:]
        del self[:]
        return taken

    def join(self):
        for thread in self.pop_all():
            thread.join()

    def reap(self):
        self[:] = [thread for thread in self if thread.is_alive()]


class _NoThreads:
    """Stands in for _Threads when nothing is to be joined."""

    def append(self, thread):
        pass

    def join(self):
        pass


def _new_core():
    return _fastsock.ServerCore(threading.Thread, _Threads)


# -- serving from several processes (TCPServer.processes > 1) ---------------

def _processes(server):
    """server.processes, checked: an int >= 1; above 1, only where the
    platform and the server's socket allow several processes."""
    n = server.processes
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("processes must be an int, not %s"
                        % type(n).__name__)
    if n < 1:
        raise ValueError("processes must be >= 1, not %d" % n)
    if n > 1:
        sock = server.__dict__.get("socket")
        family = server.address_family if sock is None else sock.family
        kind = server.socket_type if sock is None else sock.type
        if not hasattr(os, "fork"):
            raise ValueError("processes > 1 needs os.fork(), which this "
                             "platform lacks")
        if not hasattr(socket, "SO_REUSEPORT"):
            raise ValueError("processes > 1 needs SO_REUSEPORT, which this "
                             "platform lacks")
        if family not in (socket.AF_INET, socket.AF_INET6):
            raise ValueError(
                "processes > 1 needs an AF_INET or AF_INET6 server: "
                "SO_REUSEPORT does not spread %s sockets"
                % getattr(family, "name", family))
        if kind not in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            raise ValueError("processes > 1 needs a SOCK_STREAM or "
                             "SOCK_DGRAM server, not %s"
                             % getattr(kind, "name", kind))
    return n


# The write ends of the stop pipes this process holds.  A process forked
# from it (a serving child, a ForkingMixIn child, a handler's own fork)
# closes its copies at once: the children see the end of the pipe when
# the parent closes its own copy or dies, whoever else it forked.
_STOP_PIPES = set()  # type: set[int]
_AT_FORK = []  # type: list[bool]


def _close_stop_pipes():
    for fd in _STOP_PIPES:
        try:
            os.close(fd)
        except OSError:
            pass
    _STOP_PIPES.clear()


def _flush_std():
    # Before a fork, so that a child does not write the parent's pending
    # output again; before os._exit, so that the child's own is not lost.
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except (AttributeError, ValueError, OSError):
            pass


class _Processes:
    """The processes a server with processes > 1 forked, and the pipe that
    keeps them serving: the parent holds its write end; each child watches
    the read end and stops at its end, when the parent closes it (stop())
    or dies."""

    def __init__(self):
        self.pids = []
        self.stop_w = -1
        self.lock = threading.Lock()

    def start(self, server, poll_interval):
        """Fork processes - 1 children serving on their own sockets; return
        once each listens (or raise, if one could not)."""
        sock = server.socket
        if not sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT):
            raise ValueError("processes > 1: the server's socket was bound "
                             "without SO_REUSEPORT (set processes before "
                             "server_bind() runs)")
        if not _AT_FORK:
            os.register_at_fork(after_in_child=_close_stop_pipes)
            _AT_FORK.append(True)
        count = server.processes - 1
        # Ctrl-C stops the children only where it stops the parent's loop:
        # when that runs in the main thread.
        sigint_stops = threading.current_thread() is threading.main_thread()
        stop_r, self.stop_w = os.pipe()
        _STOP_PIPES.add(self.stop_w)
        try:
            ready_r, ready_w = os.pipe()
        except BaseException:
            os.close(stop_r)
            raise
        try:
            try:
                for _ in range(count):
                    self._fork(server, poll_interval, sigint_stops,
                               (stop_r, ready_r, ready_w))
            finally:
                os.close(stop_r)
                os.close(ready_w)
            # Each child writes one line: "ok", or why it could not serve.
            # The read ends early if children died without a word.
            got = b""
            while got.count(b"\n") < count:
                data = os.read(ready_r, 4096)
                if not data:
                    break
                got += data
        finally:
            os.close(ready_r)
        lines = got.splitlines()
        for line in lines:
            if line != b"ok":
                err, _, why = line.partition(b" ")
                why = "a serving process could not start: " + why.decode(
                    "utf-8", "replace")
                if int(err):
                    raise OSError(int(err), why)
                raise RuntimeError(why)
        if len(lines) < count:
            raise RuntimeError("a serving process exited before it could "
                               "serve")

    def _fork(self, server, poll_interval, sigint_stops, fds):
        # Signals wait while the fork is done: a handler's exception (a
        # Ctrl-C) can then neither lose a child's pid here nor send a child
        # back into the parent's code before _serve_child's try.
        import signal
        _flush_std()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK,
                                      signal.valid_signals())
        try:
            pid = os.fork()
            if pid == 0:
                _serve_child(server, poll_interval, sigint_stops, fds, mask)
            self.pids.append(pid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def stop(self):
        """Close the pipe, so that every child stops, and reap them all."""
        with self.lock:
            if self.stop_w >= 0:
                _STOP_PIPES.discard(self.stop_w)
                os.close(self.stop_w)
                self.stop_w = -1
            while self.pids:
                try:
                    os.waitpid(self.pids[-1], 0)
                except ChildProcessError:
                    pass    # reaped already (a ForkingMixIn's waitpid(-1))
                self.pids.pop()


def _serve_child(server, poll_interval, sigint_stops, fds, mask):
    """The body of a forked serving process: its own socket on the parent's
    address, the same loop, until the stop pipe ends.  Never returns."""
    status = 1
    try:
        import signal
        stop_r, ready_r, ready_w = fds
        os.close(ready_r)
        if not sigint_stops:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            # The parent's loop state, threads and children are not ours.
            # The parent's core is kept (never freed): a lock of it may
            # have been held by one of the parent's threads at the fork.
            parent_core = server._fs_get_core()     # noqa: F841
            server._fs_forked()
            # Our copy of the parent's listening socket is closed, never
            # shut down: the parent's socket must keep serving.
            parent_kind = type(server.socket)
            server.socket.close()
            server.socket = socket.socket(server.address_family,
                                          server.socket_type)
            # server_address is the parent's bound address by now (a port
            # 0 resolved); server_bind() sets SO_REUSEPORT.
            server.server_bind()
            server.server_activate()
            if type(server.socket) is not parent_kind:
                # Say so rather than serve, e.g., without the parent's TLS.
                raise TypeError(
                    "the server's socket is a %s, but server_bind() and "
                    "server_activate() make a %s: replace the socket (wrap "
                    "it in TLS...) in server_activate(), so that every "
                    "process does" % (parent_kind.__name__,
                                      type(server.socket).__name__))
        except BaseException as exc:
            if isinstance(exc, OSError) and exc.errno:
                err, why = exc.errno, exc.strerror or str(exc)
            else:
                err, why = 0, "%s: %s" % (type(exc).__name__, exc)
            why = " ".join(str(why).split())
            os.write(ready_w, b"%d %s\n" % (err, why.encode("utf-8")))
            raise
        os.write(ready_w, b"ok\n")
        os.close(ready_w)
        threading.Thread(target=_stop_at_eof, args=(server, stop_r),
                         daemon=True, name="fastsock-processes").start()
        try:
            super(TCPServer, server).serve_forever(poll_interval)
            status = 0
        except KeyboardInterrupt:
            status = 0      # Ctrl-C reached the whole group: leave quietly
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            server.server_close()
    finally:
        _flush_std()
        os._exit(status)


def _stop_at_eof(server, fd):
    # Nothing is ever written: the read returns at the pipe's end.
    try:
        while os.read(fd, 64):
            pass
    except OSError:
        pass
    server.shutdown()


class BaseServer:
    """Base class for server classes (see the stdlib's socketserver).

    Methods for the caller: __init__(server_address, RequestHandlerClass),
    serve_forever(poll_interval=0.5), shutdown(), handle_request(),
    fileno().  Hooks that may be overridden: server_bind, server_activate,
    get_request, handle_timeout, verify_request, server_close,
    process_request, shutdown_request, close_request, service_actions,
    handle_error; finish_request for derived classes.
    """

    timeout = None  # type: float | None

    def __init__(self, server_address, RequestHandlerClass):
        """Constructor.  May be extended, do not override."""
        self.server_address = server_address
        self.RequestHandlerClass = RequestHandlerClass
        self.__is_shut_down = threading.Event()
        self._fs_core = _new_core()

    # -- the C core and the plan ------------------------------------------

    def _fs_get_core(self):
        core = self.__dict__.get("_fs_core")
        if core is None:
            # A subclass whose __init__ skipped ours still gets a core.
            core = self._fs_core = _new_core()
        return core

    def _fs_is_shut_down(self):
        event = self.__dict__.get("_BaseServer__is_shut_down")
        if event is None:
            event = self.__is_shut_down = threading.Event()
        return event

    def _fs_forked(self):
        """In a serving process forked by serve_forever() (processes > 1):
        a new C core and event; the parent's children are not ours."""
        self._fs_core = _new_core()
        self.__is_shut_down = threading.Event()
        self.__dict__.pop("_fs_group", None)

    def _fs_plan(self):
        """Which hooks are still fastsock's own, as ServerCore plan bits."""
        cls = type(self)
        inst = self.__dict__

        def same(name, func):
            return name not in inst and getattr(cls, name, None) is func

        plan = 0
        if same("get_request", TCPServer.get_request):
            plan |= _BITS["GET_ACCEPT"]
        elif same("get_request", UDPServer.get_request):
            plan |= _BITS["GET_RECVFROM"]
        if same("verify_request", BaseServer.verify_request):
            plan |= _BITS["VERIFY"]
        if same("process_request", BaseServer.process_request):
            plan |= _BITS["PROC_BASE"]
        elif same("process_request", ThreadingMixIn.process_request):
            if getattr(self, "max_threads", None) is None:
                plan |= _BITS["PROC_THREAD"]
            else:
                self._fs_pool_setup()
                plan |= _BITS["PROC_POOL"]
        if same("finish_request", BaseServer.finish_request):
            plan |= _BITS["FINISH"]
        if (same("shutdown_request", TCPServer.shutdown_request)
                and same("close_request", TCPServer.close_request)):
            plan |= _BITS["SHUT_TCP"]
        elif (same("shutdown_request", UDPServer.shutdown_request)
                and same("close_request", UDPServer.close_request)):
            plan |= _BITS["SHUT_NONE"]
        if same("service_actions", BaseServer.service_actions):
            plan |= _BITS["SERVICE"]
        if same("process_request_thread",
                ThreadingMixIn.process_request_thread):
            plan |= _BITS["THREAD_BODY"]
        if same("_handle_request_noblock",
                BaseServer._handle_request_noblock):
            plan |= _BITS["NOBLOCK"]
        return plan

    # -- the caller's API ---------------------------------------------------

    def server_activate(self):
        """Called by constructor to activate the server.  May be overridden."""

    def serve_forever(self, poll_interval=0.5):
        """Handle one request at a time until shutdown().

        service_actions() runs every poll_interval seconds (and after each
        request); shutdown() interrupts the wait at once.
        """
        event = self._fs_is_shut_down()
        event.clear()
        try:
            self._fs_get_core().serve_forever(self, poll_interval,
                                              self._fs_plan())
        finally:
            event.set()

    def shutdown(self):
        """Stop the serve_forever() loop and wait until it has stopped.

        Must be called from another thread than serve_forever()'s, or it
        deadlocks, as in the stdlib.
        """
        self._fs_get_core().shutdown()
        self._fs_is_shut_down().wait()

    def service_actions(self):
        """Called by the serve_forever() loop.  May be overridden."""

    def handle_request(self):
        """Handle one request, possibly blocking.  Respects self.timeout."""
        timeout = self.socket.gettimeout()
        if timeout is None:
            timeout = self.timeout
        elif self.timeout is not None:
            timeout = min(timeout, self.timeout)
        return self._fs_get_core().handle_request(self, timeout,
                                                  self._fs_plan())

    def _handle_request_noblock(self):
        """Handle one request; the socket is known to be readable."""
        self._fs_get_core().handle_noblock(self, self._fs_plan())

    def handle_timeout(self):
        """Called if no new request arrives within self.timeout."""

    def verify_request(self, request, client_address):
        """Return True to proceed with the request.  May be overridden."""
        return True

    def process_request(self, request, client_address):
        """Call finish_request.  Overridden by the mix-in classes."""
        self.finish_request(request, client_address)
        self.shutdown_request(request)

    def server_close(self):
        """Called to clean up the server.  May be overridden."""
        self._fs_release()

    def _fs_release(self):
        # The C core's wake-up descriptor goes with the server's own (it
        # stays while a loop or a pool worker still runs).
        core = self.__dict__.get("_fs_core")
        if core is not None:
            core.release()

    def finish_request(self, request, client_address):
        """Finish one request by instantiating RequestHandlerClass."""
        self.RequestHandlerClass(request, client_address, self)

    def shutdown_request(self, request):
        """Called to shut down and close an individual request."""
        self.close_request(request)

    def close_request(self, request):
        """Called to clean up an individual request."""

    def handle_error(self, request, client_address):
        """Handle an error gracefully: print a traceback and continue."""
        print("-" * 40, file=sys.stderr)
        print("Exception occurred during processing of request from",
              client_address, file=sys.stderr)
        import traceback
        traceback.print_exc()
        print("-" * 40, file=sys.stderr)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.server_close()


class TCPServer(BaseServer):
    """A server on a stream socket (TCP by default).

    Class attributes: address_family, socket_type, request_queue_size,
    allow_reuse_address, allow_reuse_port, timeout; and fastsock's
    processes (below).
    """

    address_family = socket.AF_INET
    socket_type = socket.SOCK_STREAM
    request_queue_size = 5
    allow_reuse_address = False
    allow_reuse_port = False
    # fastsock: serve_forever() serves from this many processes, the caller
    # and processes - 1 children it forks, each on its own socket bound to
    # server_address with SO_REUSEPORT, so that the kernel spreads the
    # connections (UDP: the datagrams, by source address) over them.
    # AF_INET/AF_INET6 on a platform with SO_REUSEPORT and os.fork only:
    # server_bind() (so the constructor) raises ValueError elsewhere.
    processes = 1

    def __init__(self, server_address, RequestHandlerClass,
                 bind_and_activate=True):
        """Constructor.  May be extended, do not override."""
        BaseServer.__init__(self, server_address, RequestHandlerClass)
        self.socket = socket.socket(self.address_family, self.socket_type)
        if bind_and_activate:
            try:
                self.server_bind()
                self.server_activate()
            except BaseException:
                self.server_close()
                raise

    def server_bind(self):
        """Bind the socket (with the reuse options asked for; processes > 1
        asks for SO_REUSEPORT)."""
        reuse_port = self.allow_reuse_port or _processes(self) > 1
        if self.allow_reuse_address and hasattr(socket, "SO_REUSEADDR"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port and hasattr(socket, "SO_REUSEPORT"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()

    def server_activate(self):
        """Listen, with request_queue_size as the backlog."""
        self.socket.listen(self.request_queue_size)

    def serve_forever(self, poll_interval=0.5):
        """As BaseServer.serve_forever(); with processes > 1, first fork
        the other serving processes, and enter the loop once each of them
        listens.  When the loop ends (shutdown(), an exception), stop the
        children and wait for them before returning."""
        if _processes(self) == 1:
            return super().serve_forever(poll_interval)
        group = self._fs_group = _Processes()
        try:
            group.start(self, poll_interval)
            super().serve_forever(poll_interval)
        finally:
            group.stop()

    def server_close(self):
        """Close the listening socket (and with processes > 1, stop the
        other serving processes and wait for them)."""
        self.socket.close()
        group = self.__dict__.get("_fs_group")
        if group is not None:
            group.stop()
        self._fs_release()

    def fileno(self):
        """The socket's file descriptor (for selectors)."""
        return self.socket.fileno()

    def get_request(self):
        """Accept a connection: (socket, client address)."""
        return self.socket.accept()

    def shutdown_request(self, request):
        """Shut the connection down for writing, then close it."""
        try:
            request.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # some platforms raise ENOTCONN here
        self.close_request(request)

    def close_request(self, request):
        """Close the connection."""
        request.close()


class UDPServer(TCPServer):
    """A server on a datagram socket (UDP by default)."""

    allow_reuse_address = False
    allow_reuse_port = False
    socket_type = socket.SOCK_DGRAM
    max_packet_size = 8192

    def get_request(self):
        data, client_addr = self.socket.recvfrom(self.max_packet_size)
        return (data, self.socket), client_addr

    def server_activate(self):
        pass

    def shutdown_request(self, request):
        self.close_request(request)

    def close_request(self, request):
        pass


if hasattr(os, "fork"):
    class ForkingMixIn:
        """Mix-in class to handle each request in a new process."""

        timeout = 300  # type: float | None
        active_children = None
        max_children = 40
        block_on_close = True

        def collect_children(self, *, blocking=False):
            """Reap the children that have exited (all of them, waiting,
            when blocking); first wait while max_children are running."""
            if self.active_children is None:
                return
            while len(self.active_children) >= self.max_children:
                try:
                    pid, _ = os.waitpid(-1, 0)
                    self.active_children.discard(pid)
                except ChildProcessError:
                    self.active_children.clear()
                except OSError:
                    break
            for pid in list(self.active_children):
                try:
                    done, _ = os.waitpid(pid, 0 if blocking else os.WNOHANG)
                    self.active_children.discard(done)
                except ChildProcessError:
                    self.active_children.discard(pid)
                except OSError:
                    pass
            self._fs_forget_children()

        def handle_timeout(self):
            """Reap children after self.timeout seconds without requests."""
            self.collect_children()
            self._fs_forget_children()

        def service_actions(self):
            """Reap children on every turn of serve_forever() (which also
            wakes as soon as a child exits)."""
            self.collect_children()
            self._fs_forget_children()

        def serve_forever(self, poll_interval=0.5):
            """As BaseServer.serve_forever; when it ends by an exception
            (Ctrl-C), it first waits for the children if block_on_close,
            so they are not left orphaned."""
            try:
                super().serve_forever(poll_interval)
            except BaseException:
                if self.block_on_close:
                    self.collect_children(blocking=True)
                raise

        # fastsock: serve_forever() waits on a pidfd per child too, so an
        # exiting child is reaped at once rather than at the next
        # poll_interval.

        def _fs_watch_child(self, pid):
            if not hasattr(os, "pidfd_open"):
                return
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                return      # an old kernel: reaped every poll_interval
            if self._fs_get_core().watch(fd):
                self.__dict__.setdefault("_fs_pidfds", {})[pid] = fd
            else:
                os.close(fd)

        def _fs_forget_children(self):
            pidfds = self.__dict__.get("_fs_pidfds")
            if not pidfds:
                return
            alive = self.active_children or ()
            for pid in [p for p in pidfds if p not in alive]:
                fd = pidfds.pop(pid)
                self._fs_get_core().unwatch(fd)
                os.close(fd)

        def _fs_forked(self):
            super()._fs_forked()
            for fd in self.__dict__.pop("_fs_pidfds", {}).values():
                os.close(fd)
            self.__dict__.pop("active_children", None)

        def process_request(self, request, client_address):
            """Fork a child to handle the request."""
            # The C fork records the child in active_children before any
            # signal handler can run (see ServerCore.fork).
            pid = self._fs_get_core().fork(self, request)
            if pid:
                try:
                    self._fs_watch_child(pid)
                finally:
                    self.close_request(request)
                return
            # The child: serve the request, then leave without running the
            # parent's cleanup (atexit, finalizers) - status 0 or 1.
            status = 1
            try:
                self.finish_request(request, client_address)
                status = 0
            except Exception:
                self.handle_error(request, client_address)
            finally:
                try:
                    self.shutdown_request(request)
                finally:
                    os._exit(status)

        def server_close(self):
            super().server_close()
            self.collect_children(blocking=self.block_on_close)
            self._fs_forget_children()
            left = set(self.active_children or ())
            if left:
                # block_on_close is off: do not wait, but do not leave
                # zombies either - a daemon thread reaps them as they end.
                threading.Thread(target=_reap, args=(left,), daemon=True,
                                 name="fastsock-reaper").start()
                for pid in list(self.__dict__.get("_fs_pidfds", ())):
                    fd = self._fs_pidfds.pop(pid)
                    self._fs_get_core().unwatch(fd)
                    os.close(fd)

    def _reap(pids):
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass


class ThreadingMixIn:
    """Mix-in class to handle each request in a new thread.

    fastsock addition: set ``max_threads`` to an int to serve requests from
    a pool of at most that many threads instead (at most as many accepted
    requests then wait in a queue; further connections wait in the
    kernel's backlog).  The pool's threads are daemon threads;
    server_close() stops them and, with block_on_close, joins them.
    With the pool, a stream connection goes to a worker only once the
    client has sent something (or closed it), so clients that connect and
    stay silent cannot take every worker; set ``wait_for_request = False``
    for protocols where the server speaks first.
    """

    daemon_threads = False
    block_on_close = True
    max_threads = None  # type: int | None
    wait_for_request = True
    _threads = _NoThreads()

    def process_request_thread(self, request, client_address):
        """Same as BaseServer.process_request, in a thread, with errors
        handled here."""
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def process_request(self, request, client_address):
        """Start a new thread (or use the pool) to process the request."""
        if self.max_threads is not None:
            self._fs_pool_setup()
            self._fs_get_core().pool_submit(self, request, client_address,
                                            self._fs_plan())
            return
        if self.block_on_close:
            vars(self).setdefault("_threads", _Threads())
        t = threading.Thread(target=self.process_request_thread,
                             args=(request, client_address))
        t.daemon = self.daemon_threads
        self._threads.append(t)
        t.start()

    def _fs_forked(self):
        super()._fs_forked()
        self.__dict__.pop("_threads", None)
        self.__dict__.pop("_fs_workers", None)

    def _fs_pool_setup(self):
        self._fs_get_core().pool_config(self.max_threads,
                                        bool(self.wait_for_request))
        if "_fs_workers" not in self.__dict__:
            self._fs_workers = []

    def _fs_spawn_worker(self):
        # Called by the C core when the pool needs one more thread.
        workers = [t for t in self._fs_workers if t.is_alive()]
        t = threading.Thread(target=self._fs_get_core().pool_worker,
                             args=(self,), daemon=True,
                             name="fastsock-worker-%d" % (len(workers) + 1))
        workers.append(t)
        self._fs_workers = workers
        t.start()

    def server_close(self):
        super().server_close()
        workers = self.__dict__.get("_fs_workers")
        if workers is not None:
            # Connections still waiting for their first bytes: served if
            # those came, else shut down without a handler.
            self._fs_get_core().pool_unpark(self)
            self._fs_get_core().pool_stop()
            if self.block_on_close:
                for t in self._fs_workers:  # unpark may have added one
                    t.join()
        self._threads.join()
        self._fs_release()     # now that the pool's workers are gone


class ThreadPoolMixIn(ThreadingMixIn):
    """ThreadingMixIn on a bounded pool of worker threads (fastsock)."""

    max_threads = 32


if hasattr(os, "fork"):
    class ForkingUDPServer(ForkingMixIn, UDPServer):
        pass

    class ForkingTCPServer(ForkingMixIn, TCPServer):
        pass


class ThreadingUDPServer(ThreadingMixIn, UDPServer):
    pass


class ThreadingTCPServer(ThreadingMixIn, TCPServer):
    pass


class ThreadPoolUDPServer(ThreadPoolMixIn, UDPServer):
    pass


class ThreadPoolTCPServer(ThreadPoolMixIn, TCPServer):
    pass


if hasattr(socket, "AF_UNIX"):
    class UnixStreamServer(TCPServer):
        address_family = socket.AF_UNIX

    class UnixDatagramServer(UDPServer):
        address_family = socket.AF_UNIX

    class ThreadingUnixStreamServer(ThreadingMixIn, UnixStreamServer):
        pass

    class ThreadingUnixDatagramServer(ThreadingMixIn, UnixDatagramServer):
        pass

    class ThreadPoolUnixStreamServer(ThreadPoolMixIn, UnixStreamServer):
        pass

    class ThreadPoolUnixDatagramServer(ThreadPoolMixIn, UnixDatagramServer):
        pass

    if hasattr(os, "fork"):
        class ForkingUnixStreamServer(ForkingMixIn, UnixStreamServer):
            pass

        class ForkingUnixDatagramServer(ForkingMixIn, UnixDatagramServer):
            pass


class BaseRequestHandler:
    """Base class for request handlers: one instance per request.

    The constructor stores request, client_address and server, then calls
    setup(), handle() and (always) finish().
    """

    def __init__(self, request, client_address, server):
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        try:
            self.handle()
        finally:
            self.finish()

    def setup(self):
        pass

    def handle(self):
        pass

    def finish(self):
        pass


class StreamRequestHandler(BaseRequestHandler):
    """A handler with rfile/wfile file objects on a stream connection."""

    rbufsize = -1
    wbufsize = 0
    timeout = None
    disable_nagle_algorithm = False

    def setup(self):
        self.connection = self.request
        if self.timeout is not None:
            self.connection.settimeout(self.timeout)
        if self.disable_nagle_algorithm:
            self.connection.setsockopt(socket.IPPROTO_TCP,
                                       socket.TCP_NODELAY, True)
        self.rfile = self.connection.makefile("rb", self.rbufsize)
        if self.wbufsize == 0:
            self.wfile = _SocketWriter(self.connection)
        else:
            self.wfile = self.connection.makefile("wb", self.wbufsize)

    def finish(self):
        if not self.wfile.closed:
            try:
                self.wfile.flush()
            except OSError:
                # The client is gone: what is left unsent cannot matter.
                pass
        self.wfile.close()
        self.rfile.close()


class _SocketWriter(_fastsock.SocketWriter, BufferedIOBase):
    """A write-through binary file on a socket: every write() is one
    sendall(), so nothing waits in a buffer for flush().

    write(), writable() and fileno() are C (_fastsock.SocketWriter, over
    the io module's _BufferedIOBase), so a handler's write costs no Python
    frame; the rest is io's own code, as for the stdlib's class."""

    def __init__(self, sock):
        self._sock = sock


class DatagramRequestHandler(BaseRequestHandler):
    """A handler with rfile/wfile over one datagram: rfile reads the
    packet, and what is written to wfile is sent back as the reply."""

    def setup(self):
        from io import BytesIO
        self.packet, self.socket = self.request
        self.rfile = BytesIO(self.packet)
        self.wfile = BytesIO()

    def finish(self):
        self.socket.sendto(self.wfile.getvalue(), self.client_address)
