/*
 * server.c - the server core: wait, accept, dispatch, shut down.
 *
 * fastsock/socketserver.py keeps the stdlib's classes and hooks in Python;
 * each server holds one ServerCore, which runs the loops of serve_forever()
 * and handle_request() here in C.  The core never holds the server: the
 * server is passed to every call, so there is no reference cycle to collect.
 *
 * Python computes a "plan" (a bit mask, see fs__server_plan_bits) that says
 * which hooks still are the library's own; for those the core does the work
 * in C (accept, make the socket, call the handler class, close the request),
 * and for every overridden hook it calls the override, so stdlib-style
 * subclasses behave as they would under the stdlib.
 *
 * The wait polls the listening fd and an eventfd with the GIL released;
 * shutdown() writes the eventfd, so it does not wait for poll_interval.
 * The same wait covers the pidfds of ForkingMixIn's children (one-shot), so
 * an exiting child is reaped at once.  ThreadingMixIn's opt-in bounded pool
 * (max_threads) is in pool.c; the wait here also polls the connections the
 * pool keeps parked until their client has sent something.
 */
#include "fastsock.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "server.h"

static const char *const fs__name_strings[N_COUNT] = {
    "socket", "RequestHandlerClass", "get_request", "verify_request",
    "process_request", "finish_request", "shutdown_request",
    "close_request", "handle_error", "service_actions", "handle_timeout",
    "fileno", "close", "shutdown", "max_packet_size", "block_on_close",
    "daemon_threads", "_threads", "append", "start", "daemon", "target",
    "args", "process_request_thread", "_handle_request_noblock",
    "_fs_spawn_worker", "errno", "active_children",
};


/* ------------------------------------------------------------------ */
/* Exceptions: the stdlib's "except Exception: self.handle_error(...)"  */
/* ------------------------------------------------------------------ */

/* Is the raised exception an Exception (not a BaseException only)? */
static int
fs__is_plain_exception(void)
{
    return PyErr_ExceptionMatches(PyExc_Exception);
}

/* Call server.handle_error(request, address) with the raised exception as
 * the one being handled, so sys.exc_info() and traceback.print_exc() see
 * it as in the stdlib's except block.  Consumes the raised exception.
 * Returns 0, or -1 if handle_error itself raised. */
static int
fs__handle_error(fs_server *core, PyObject *server, PyObject *request,
                 PyObject *address)
{
    PyObject *exc = fs_err_fetch();
    PyObject *ot, *ov, *otb;
    PyErr_GetExcInfo(&ot, &ov, &otb);
    if (exc != NULL)
        PyErr_SetExcInfo(Py_NewRef((PyObject *)Py_TYPE(exc)), Py_NewRef(exc),
                         PyException_GetTraceback(exc));
    PyObject *r = PyObject_CallMethodObjArgs(server, NAME(core, N_handle_error),
                                             request, address, NULL);
    PyErr_SetExcInfo(ot, ov, otb);
    Py_XDECREF(exc);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The hooks, each with its C fast path                                 */
/* ------------------------------------------------------------------ */

/* Split the result of an overridden get_request() into (request, address)
 * as the stdlib's tuple unpacking does. */
static int
fs__unpack2(PyObject *res, PyObject **a, PyObject **b)
{
    PyObject *t = PySequence_Tuple(res);
    if (t == NULL)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(t);
    if (n != 2) {
        if (n < 2)
            PyErr_Format(PyExc_ValueError, "not enough values to unpack "
                         "(expected 2, got %zd)", n);
        else
            PyErr_SetString(PyExc_ValueError,
                            "too many values to unpack (expected 2)");
        Py_DECREF(t);
        return -1;
    }
    *a = Py_NewRef(PyTuple_GET_ITEM(t, 0));
    *b = Py_NewRef(PyTuple_GET_ITEM(t, 1));
    Py_DECREF(t);
    return 0;
}

/* accept() on the server's own socket, entirely in C. */
static int
fs__accept(fs_sock *ls, PyObject **request, PyObject **address)
{
    fs_addr a;
    socklen_t len = sizeof(a);
    memset(&a, 0, sizeof(a.sa));
    int fd = fs_sock_accept_raw(ls, &a, &len);
    if (fd < 0)
        return -1;
    *address = fs_addr_make(ls->st, &a.sa, len, ls->proto);
    if (*address == NULL) {
        close(fd);
        return -1;
    }
    /* The connection gets the listening socket's own class, as accept()
     * gives it. */
    *request = fs_sock_from_fd(Py_TYPE(ls), fd, ls->family, ls->type,
                               ls->proto);
    if (*request == NULL) {
        Py_CLEAR(*address);
        return -1;
    }
    return 0;
}

/* UDPServer.get_request in C: ((data, socket), address). */
static int
fs__recvfrom(fs_server *core, PyObject *server, PyObject *sock,
             PyObject **request, PyObject **address)
{
    fs_sock *ls = (fs_sock *)sock;
    PyObject *sizeobj = PyObject_GetAttr(server, NAME(core, N_max_packet_size));
    if (sizeobj == NULL)
        return -1;
    Py_ssize_t size = PyNumber_AsSsize_t(sizeobj, PyExc_OverflowError);
    Py_DECREF(sizeobj);
    if (size == -1 && PyErr_Occurred())
        return -1;
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "negative buffersize in recvfrom");
        return -1;
    }
    PyObject *data = PyBytes_FromStringAndSize(NULL, size);
    if (data == NULL)
        return -1;
    fs_addr a;
    socklen_t len;
    Py_ssize_t n = fs_sock_recvfrom_raw(ls, PyBytes_AS_STRING(data), size, 0,
                                        &a, &len);
    if (n < 0)
        goto fail;
    if (n != size && _PyBytes_Resize(&data, n) < 0)
        return -1;
    *address = fs_sock_peer_address(ls, &a, len);
    if (*address == NULL)
        goto fail;
    *request = PyTuple_Pack(2, data, sock);
    Py_DECREF(data);
    if (*request == NULL) {
        Py_CLEAR(*address);
        return -1;
    }
    return 0;
fail:
    Py_DECREF(data);
    return -1;
}

/* get_request(): C accept/recvfrom when the hook is the default and the
 * server's socket is ours, else the Python method. */
static int
fs__get_request(fs_server *core, PyObject *server, int plan,
                PyObject **request, PyObject **address)
{
    if (plan & (FS_PLAN_GET_ACCEPT | FS_PLAN_GET_RECVFROM)) {
        PyObject *sock = PyObject_GetAttr(server, NAME(core, N_socket));
        if (sock == NULL)
            return -1;
        if (fs_is_socket(fs_server_state(core), sock)) {
            int r = (plan & FS_PLAN_GET_ACCEPT)
                ? fs__accept((fs_sock *)sock, request, address)
                : fs__recvfrom(core, server, sock, request, address);
            Py_DECREF(sock);
            return r;
        }
        Py_DECREF(sock);
    }
    PyObject *res = PyObject_CallMethodNoArgs(server, NAME(core, N_get_request));
    if (res == NULL)
        return -1;
    int r = fs__unpack2(res, request, address);
    Py_DECREF(res);
    return r;
}

/* Call server.<name>(request, address) and drop the result; 0 or -1. */
int
fs_server_call2(fs_server *core, PyObject *server, int name, PyObject *request,
          PyObject *address)
{
    PyObject *r = PyObject_CallMethodObjArgs(server, NAME(core, name),
                                             request, address, NULL);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* finish_request(): RequestHandlerClass(request, address, server). */
static int
fs__finish_request(fs_server *core, PyObject *server, int plan,
                   PyObject *request, PyObject *address)
{
    if (!(plan & FS_PLAN_FINISH))
        return fs_server_call2(core, server, N_finish_request, request, address);
    PyObject *cls = PyObject_GetAttr(server, NAME(core, N_RequestHandlerClass));
    if (cls == NULL)
        return -1;
    PyObject *args[3] = {request, address, server};
    PyObject *h = PyObject_Vectorcall(cls, args, 3, NULL);
    Py_DECREF(cls);
    if (h == NULL)
        return -1;
    Py_DECREF(h);
    return 0;
}

/* TCPServer.shutdown_request in C: shutdown(SHUT_WR), errors ignored as
 * some platforms raise ENOTCONN, then request.close(). */
static int
fs__shutdown_tcp(fs_server *core, PyObject *request)
{
    if (fs_is_socket(fs_server_state(core), request)) {
        int fd = ((fs_sock *)request)->fd;
        if (fd >= 0)
            (void)shutdown(fd, SHUT_WR);
    }
    else {
        PyObject *how = PyLong_FromLong(SHUT_WR);
        if (how == NULL)
            return -1;
        PyObject *r = PyObject_CallMethodOneArg(request, NAME(core, N_shutdown),
                                                how);
        Py_DECREF(how);
        if (r == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_OSError))
                return -1;
            PyErr_Clear();
        }
        Py_XDECREF(r);
    }
    PyObject *r = PyObject_CallMethodNoArgs(request, NAME(core, N_close));
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* shutdown_request(request), with the stream and datagram defaults in C. */
int
fs_server_shutdown_request(fs_server *core, PyObject *server, int plan,
                     PyObject *request)
{
    if (plan & FS_PLAN_SHUT_NONE)
        return 0;
    if (plan & FS_PLAN_SHUT_TCP)
        return fs__shutdown_tcp(core, request);
    PyObject *r = PyObject_CallMethodOneArg(server,
                                            NAME(core, N_shutdown_request),
                                            request);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* shutdown_request() while an exception is propagating: the exception
 * wins, as in a Python finally block only if the cleanup succeeds. */
static int
fs__shutdown_keeping_exc(fs_server *core, PyObject *server, int plan,
                         PyObject *request)
{
    PyObject *exc = fs_err_fetch();
    if (fs_server_shutdown_request(core, server, plan, request) < 0) {
        Py_XDECREF(exc);
        return -1;
    }
    if (exc != NULL)
        fs_err_restore(exc);
    return -1;
}

/* The body of ThreadingMixIn.process_request_thread: finish the request,
 * errors to handle_error, and always shut the request down. */
int
fs_server_run_request(fs_server *core, PyObject *server, int plan,
                PyObject *request, PyObject *address)
{
    if (fs__finish_request(core, server, plan, request, address) < 0) {
        if (!fs__is_plain_exception())
            return fs__shutdown_keeping_exc(core, server, plan, request);
        if (fs__handle_error(core, server, request, address) < 0)
            return fs__shutdown_keeping_exc(core, server, plan, request);
    }
    return fs_server_shutdown_request(core, server, plan, request);
}

/* ------------------------------------------------------------------ */
/* Threads                                                              */
/* ------------------------------------------------------------------ */


/* server._threads after vars(server).setdefault('_threads', _Threads()),
 * which ThreadingMixIn.process_request does when block_on_close is set. */
static PyObject *
fs__thread_list(fs_server *core, PyObject *server)
{
    PyObject *flag = PyObject_GetAttr(server, NAME(core, N_block_on_close));
    if (flag == NULL)
        return NULL;
    int block = PyObject_IsTrue(flag);
    Py_DECREF(flag);
    if (block < 0)
        return NULL;
    if (block) {
        PyObject *d = PyObject_GenericGetDict(server, NULL);
        if (d == NULL)
            return NULL;
        int r = 0;
        PyObject *cur = PyDict_GetItemWithError(d, NAME(core, N__threads));
        if (cur == NULL && !PyErr_Occurred()) {
            PyObject *fresh = PyObject_CallNoArgs(core->threads_cls);
            r = fresh ? PyDict_SetItem(d, NAME(core, N__threads), fresh) : -1;
            Py_XDECREF(fresh);
        }
        Py_DECREF(d);
        if (r < 0 || PyErr_Occurred())
            return NULL;
    }
    return PyObject_GetAttr(server, NAME(core, N__threads));
}

/* The thread's target and args: the C request body, or the server's own
 * process_request_thread when a subclass overrides it. */
static int
fs__thread_target(fs_server *core, PyObject *server, int plan,
                  PyObject *request, PyObject *address,
                  PyObject **target, PyObject **args)
{
    if (plan & FS_PLAN_THREAD_BODY) {
        /* Named as the stdlib's target, so the thread's default name is
         * "Thread-N (process_request_thread)" there and here. */
        *target = PyObject_GetAttr((PyObject *)core,
                                   NAME(core, N_process_request_thread));
        *args = Py_BuildValue("(OOOi)", server, request, address, plan);
    }
    else {
        *target = PyObject_GetAttr(server,
                                   NAME(core, N_process_request_thread));
        *args = PyTuple_Pack(2, request, address);
    }
    if (*target == NULL || *args == NULL) {
        Py_CLEAR(*target);
        Py_CLEAR(*args);
        return -1;
    }
    return 0;
}

/* Call obj.<name>(arg) (no arg when NULL) and drop the result. */
int
fs_call_method(PyObject *obj, PyObject *name, PyObject *arg)
{
    PyObject *r = arg ? PyObject_CallMethodOneArg(obj, name, arg)
                      : PyObject_CallMethodNoArgs(obj, name);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* Make threading.Thread(target=..., args=...) with daemon=daemon_threads. */
static PyObject *
fs__new_thread(fs_server *core, PyObject *server, PyObject *target,
               PyObject *args)
{
    PyObject *kw = PyDict_New();
    if (kw == NULL)
        return NULL;
    PyObject *t = NULL;
    if (PyDict_SetItem(kw, NAME(core, N_target), target) == 0 &&
        PyDict_SetItem(kw, NAME(core, N_args), args) == 0) {
        PyObject *empty = PyTuple_New(0);
        if (empty != NULL)
            t = PyObject_Call(core->thread_cls, empty, kw);
        Py_XDECREF(empty);
    }
    Py_DECREF(kw);
    if (t == NULL)
        return NULL;
    PyObject *daemon = PyObject_GetAttr(server, NAME(core, N_daemon_threads));
    if (daemon == NULL ||
        PyObject_SetAttr(t, NAME(core, N_daemon), daemon) < 0) {
        Py_XDECREF(daemon);
        Py_DECREF(t);
        return NULL;
    }
    Py_DECREF(daemon);
    return t;
}

/* ThreadingMixIn.process_request: a threading.Thread per request, daemon
 * as daemon_threads says, recorded in _threads, then started. */
static int
fs__start_thread(fs_server *core, PyObject *server, int plan,
                 PyObject *request, PyObject *address)
{
    PyObject *target, *args, *t = NULL;
    int rc = -1;
    PyObject *threads = fs__thread_list(core, server);
    if (threads == NULL)
        return -1;
    if (fs__thread_target(core, server, plan, request, address,
                          &target, &args) < 0)
        goto done;
    t = fs__new_thread(core, server, target, args);
    Py_DECREF(target);
    Py_DECREF(args);
    if (t == NULL)
        goto done;
    if (fs_call_method(threads, NAME(core, N_append), t) < 0 ||
        fs_call_method(t, NAME(core, N_start), NULL) < 0)
        goto done;
    rc = 0;
done:
    Py_XDECREF(t);
    Py_DECREF(threads);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Dispatch: BaseServer._handle_request_noblock                         */
/* ------------------------------------------------------------------ */

/* process_request(): inline, a thread, the pool, or the override. */
static int
fs__process_request(fs_server *core, PyObject *server, int plan,
                    PyObject *request, PyObject *address)
{
    if (plan & FS_PLAN_PROC_BASE) {
        if (fs__finish_request(core, server, plan, request, address) < 0)
            return -1;
        return fs_server_shutdown_request(core, server, plan, request);
    }
    if (plan & FS_PLAN_PROC_THREAD)
        return fs__start_thread(core, server, plan, request, address);
    if (plan & FS_PLAN_PROC_POOL)
        return fs_pool_submit(core, server, plan, request, address);
    return fs_server_call2(core, server, N_process_request, request, address);
}

/* Back off from accepting for a while: doubles up to FS_BACKOFF_MAX_MS. */
static void
fs__backoff(fs_server *core)
{
    int ms = core->backoff_ms ? core->backoff_ms * 2 : FS_BACKOFF_MIN_MS;
    if (ms > FS_BACKOFF_MAX_MS)
        ms = FS_BACKOFF_MAX_MS;
    core->backoff_ms = ms;
    core->backoff_until = fs_monotonic_ns() + (int64_t)ms * 1000000;
}

/* get_request() raised.  OSError is dropped as the stdlib does; running
 * out of descriptors or memory also starts a back-off, so the loop does
 * not spin on a listening socket that stays readable. */
static int
fs__get_request_failed(fs_server *core)
{
    if (!PyErr_ExceptionMatches(PyExc_OSError))
        return -1;
    PyObject *exc = fs_err_fetch();
    PyObject *e = exc ? PyObject_GetAttr(exc, NAME(core, N_errno)) : NULL;
    long err = (e != NULL && PyLong_Check(e)) ? PyLong_AsLong(e) : 0;
    Py_XDECREF(e);
    Py_XDECREF(exc);
    PyErr_Clear();
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)
        fs__backoff(core);
    return 0;
}

/* verify_request(): 1 proceed, 0 refuse, -1 error. */
static int
fs__verify(fs_server *core, PyObject *server, int plan, PyObject *request,
           PyObject *address)
{
    if (plan & FS_PLAN_VERIFY)
        return 1;
    PyObject *r = PyObject_CallMethodObjArgs(server,
                                             NAME(core, N_verify_request),
                                             request, address, NULL);
    if (r == NULL)
        return -1;
    int ok = PyObject_IsTrue(r);
    Py_DECREF(r);
    return ok;
}

/* Close a request a child now owns, keeping any raised exception: the
 * parent must not shut the connection down under the child's feet. */
static int
fs__close_handed_off(fs_server *core, PyObject *request)
{
    PyObject *exc = fs_err_fetch();
    int rc = fs_call_method(request, NAME(core, N_close), NULL);
    if (rc < 0) {
        Py_XDECREF(exc);
        return -1;
    }
    if (exc != NULL) {
        fs_err_restore(exc);
        return -1;
    }
    return 0;
}

/* process_request() raised: the stdlib's "except Exception:
 * handle_error(); shutdown_request()", and "except: shutdown_request();
 * raise" - or only a close when a forked child already has the request. */
int
fs_server_process_failed(fs_server *core, PyObject *server, int plan,
                   PyObject *request, PyObject *address, int forked)
{
    if (!fs__is_plain_exception())
        return forked ? fs__close_handed_off(core, request)
                      : fs__shutdown_keeping_exc(core, server, plan, request);
    if (fs__handle_error(core, server, request, address) < 0)
        return -1;
    return forked ? fs__close_handed_off(core, request)
                  : fs_server_shutdown_request(core, server, plan, request);
}

/* Verify and process one request; errors from processing go to
 * handle_error, and the request is always shut down - or only closed when
 * a forked child already has it (a Ctrl-C right after the fork). */
static int
fs__dispatch(fs_server *core, PyObject *server, int plan, PyObject *request,
             PyObject *address)
{
    core->handed_off = NULL;
    int ok = fs__verify(core, server, plan, request, address);
    if (ok < 0)
        return -1;
    if (ok == 0)
        return fs_server_shutdown_request(core, server, plan, request);
    if (fs__process_request(core, server, plan, request, address) == 0)
        return 0;
    int forked = core->handed_off == request;
    core->handed_off = NULL;
    return fs_server_process_failed(core, server, plan, request, address, forked);
}

/* The rest of _handle_request_noblock once a request came: the accept
 * back-off resets, and the request is dispatched.  Takes both references. */
static int
fs__dispatch_got(fs_server *core, PyObject *server, int plan,
                 PyObject *request, PyObject *address)
{
    core->backoff_ms = 0;
    int rc = fs__dispatch(core, server, plan, request, address);
    Py_DECREF(request);
    Py_DECREF(address);
    return rc;
}

/* One request, the socket being readable.  0, or -1 when an exception must
 * leave the loop (as it would leave the stdlib's). */
static int
fs__handle_noblock(fs_server *core, PyObject *server, int plan)
{
    if (!(plan & FS_PLAN_NOBLOCK))
        return fs_call_method(server, NAME(core, N__handle_request_noblock),
                               NULL);
    PyObject *request, *address;
    if (fs__get_request(core, server, plan, &request, &address) < 0)
        return fs__get_request_failed(core);
    return fs__dispatch_got(core, server, plan, request, address);
}

/* ------------------------------------------------------------------ */
/* Waiting                                                              */
/* ------------------------------------------------------------------ */

/* Without a wake fd no loop runs, so there is nobody to wake. */
void
fs_server_wake(fs_server *core)
{
    uint64_t one = 1;
    if (core->wake_fd < 0)
        return;
    ssize_t r = write(core->wake_fd, &one, sizeof(one));
    (void)r;    /* a full counter already means "wake up" */
}

void
fs_server_drain(fs_server *core)
{
    uint64_t v;
    ssize_t r = read(core->wake_fd, &v, sizeof(v));
    (void)r;    /* EAGAIN: nothing was pending */
}

#define FS_READY    1   /* the server's fd is readable */
#define FS_WOKEN    2   /* the wake fd or a watched fd fired */
#define FS_INVALID  4   /* the server's fd is not open */
#define FS_PARKED   8   /* a parked connection is readable (marked ready) */

/* Fill p[] with the server's fd (when `watch`), the wake fd and the
 * watched fds (when `wake`); returns the count. */
static int
fs__poll_set(fs_server *core, struct pollfd *p, int fd, int watch, int wake)
{
    int n = 0;
    if (watch)
        p[n++] = (struct pollfd){fd, POLLIN, 0};
    if (wake) {
        p[n++] = (struct pollfd){core->wake_fd, POLLIN, 0};
        for (int i = 0; i < core->nwatch; i++)
            p[n++] = (struct pollfd){core->watch[i], POLLIN, 0};
    }
    return n;
}

/* Watched fds are one-shot: one that fired leaves the set, so a pidfd
 * whose child nobody reaps cannot make the loop spin. */
static int
fs__fired_watches(fs_server *core, struct pollfd *p, int first, int n)
{
    int fired = 0;
    for (int i = first; i < n; i++) {
        if (!p[i].revents)
            continue;
        fired = 1;
        for (int j = 0; j < core->nwatch; j++) {
            if (core->watch[j] == p[i].fd) {
                core->watch[j] = core->watch[--core->nwatch];
                break;
            }
        }
    }
    return fired;
}

/* A connection accepted right after the wait, in the same stretch without
 * the GIL (fs__server_poll): taking the GIL back once instead of twice per
 * connection matters when handler threads are queueing for it. */
typedef struct {
    int fd;                 /* the listening fd to accept on; -1: don't */
    int conn;               /* the accepted fd, or -1 */
    int err;                /* accept()'s errno when conn is -1 */
    fs_addr addr;
    socklen_t addrlen;
} fs__preaccept;

/* poll() the server's fd (when `watch`), the wake fds (when `wake`) and
 * the parked connections (when `parked`) for up to `ms` (-1: no limit)
 * without the GIL.  When `pre` asks for it and the server's fd alone
 * fired, also accept() there.  Returns FS_* bits, 0 on timeout or after a
 * signal whose handlers ran, -1 with an exception. */
static int
fs__server_poll(fs_server *core, int fd, int watch, int wake, int parked,
                int ms, fs__preaccept *pre)
{
    struct pollfd local[FS_MAX_WATCH + 2 + 32], *p = local;
    size_t np = parked ? core->nparked : 0;
    unsigned long gen = core->parked_gen;
    /* A signal can be pending without having interrupted a poll(): it
     * came while this thread was running C between two waits, or the
     * kernel gave it to another thread.  The stdlib's loop, being Python,
     * runs the handlers once a turn; a turn here that runs no Python code
     * (a timeout with the default service_actions) must look as well, or
     * a Ctrl-C is never seen.  In other threads this returns 0 at once. */
    if (PyErr_CheckSignals() < 0)
        return -1;
    if (np > 32) {
        p = PyMem_Malloc((FS_MAX_WATCH + 2 + np) * sizeof(*p));
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    int n = fs__poll_set(core, p, fd, watch, wake), r, err, res = 0;
    int first_parked = n;
    for (size_t i = 0; i < np; i++)
        p[n++] = (struct pollfd){core->parked[i].fd, POLLIN, 0};
    Py_BEGIN_ALLOW_THREADS
    r = poll(p, (nfds_t)n, ms);
    err = errno;
    /* Not when woken: a shutdown() leaves the connection in the backlog,
     * as the stdlib's loop does when it sees the request to stop. */
    if (r > 0 && pre != NULL && pre->fd >= 0 && watch &&
        (p[0].revents & POLLIN) && !(wake && p[1].revents)) {
        pre->addrlen = sizeof(pre->addr);
        memset(&pre->addr, 0, sizeof(pre->addr.sa));
        pre->conn = accept4(pre->fd, &pre->addr.sa, &pre->addrlen,
                            SOCK_CLOEXEC);
        pre->err = pre->conn < 0 ? errno : 0;
    }
    Py_END_ALLOW_THREADS
    if (r < 0) {
        if (p != local)
            PyMem_Free(p);
        if (err == EINTR)
            return PyErr_CheckSignals() < 0 ? -1 : 0;
        fs_err_errno(err);
        return -1;
    }
    if (watch && (p[0].revents & POLLNVAL))
        res |= FS_INVALID;
    else if (watch && p[0].revents)
        res |= FS_READY;
    if (wake && p[watch].revents) {
        res |= FS_WOKEN;
        fs_server_drain(core);
    }
    if (wake && fs__fired_watches(core, p, watch + 1, first_parked))
        res |= FS_WOKEN;
    /* Parked connections are only appended by this thread, so index i is
     * still entry i unless server_close() took some away meanwhile. */
    if (np > 0 && gen == core->parked_gen) {
        for (size_t i = 0; i < np; i++) {
            if (p[first_parked + i].revents) {
                core->parked[i].ready = 1;
                res |= FS_PARKED;
            }
        }
    }
    if (p != local)
        PyMem_Free(p);
    return res;
}

/* poll_interval / timeout (seconds or None) -> poll() milliseconds, with
 * the selectors module's rounding: up, and never below zero. */
static int
fs__ms_from_seconds(PyObject *obj, int *ms)
{
    if (obj == Py_None) {
        *ms = -1;
        return 0;
    }
    double d = PyFloat_AsDouble(obj);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    if (!(d > 0))
        d = 0;
    double v = ceil(d * 1e3);
    *ms = v > INT_MAX ? INT_MAX : (int)v;
    return 0;
}

/* ms until the deadline (ns, monotonic), capped by `cap` (-1: none). */
static int
fs__ms_until(int64_t deadline, int cap)
{
    int64_t left = deadline - fs_monotonic_ns();
    if (left <= 0)
        return 0;
    int64_t ms = (left + 999999) / 1000000;
    if (ms > INT_MAX)
        ms = INT_MAX;
    return (cap >= 0 && cap < ms) ? cap : (int)ms;
}

/* ------------------------------------------------------------------ */
/* Methods                                                              */
/* ------------------------------------------------------------------ */

int
fs_server_parse_plan(PyObject *obj, int *plan)
{
    long v = PyLong_AsLong(obj);
    if (v == -1 && PyErr_Occurred())
        return -1;
    *plan = (int)v;
    return 0;
}

/* What one turn of serve_forever watches: not the server's fd during an
 * EMFILE back-off, nor while the pool's queue is full. */
static int
fs__turn_wait(fs_server *core, int fd, int plan, int ms, fs__preaccept *pre)
{
    int watch = 1;
    if (core->backoff_until != 0) {
        if (fs_monotonic_ns() < core->backoff_until) {
            watch = 0;
            ms = fs__ms_until(core->backoff_until, ms);
        }
        else
            core->backoff_until = 0;
    }
    /* While the queue is full the parked connections wait too. */
    int parked = core->nparked > 0;
    if ((plan & FS_PLAN_PROC_POOL) && fs_pool_full(&core->pool))
        watch = parked = 0;
    return fs__server_poll(core, fd, watch, 1, parked, ms, pre);
}

/* The server's socket, when serve_forever may accept for it during the
 * wait: the stdlib's own _handle_request_noblock and get_request, and a
 * fastsock socket whose fd is the one polled.  New reference or NULL
 * (no exception). */
static fs_sock *
fs__preaccept_socket(fs_server *core, PyObject *server, int plan, int fd)
{
    if ((plan & (FS_PLAN_NOBLOCK | FS_PLAN_GET_ACCEPT)) !=
        (FS_PLAN_NOBLOCK | FS_PLAN_GET_ACCEPT))
        return NULL;
    PyObject *sock = PyObject_GetAttr(server, NAME(core, N_socket));
    if (sock == NULL) {
        PyErr_Clear();      /* the normal path will raise it */
        return NULL;
    }
    if (!fs_is_socket(fs_server_state(core), sock) ||
        ((fs_sock *)sock)->fd != fd) {
        Py_DECREF(sock);
        return NULL;
    }
    return (fs_sock *)sock;
}

/* Handle a connection accepted during the wait: what
 * _handle_request_noblock does after get_request().  0 or -1. */
static int
fs__handle_preaccepted(fs_server *core, PyObject *server, int plan,
                       fs_sock *ls, fs__preaccept *pre)
{
    if (pre->conn < 0) {
        if (pre->err == EAGAIN || pre->err == EWOULDBLOCK)
            return 0;       /* taken by another acceptor: nothing came */
        if (pre->err == EINTR)
            return PyErr_CheckSignals();
        fs_err_errno(pre->err);
        return fs__get_request_failed(core);
    }
    PyObject *request = NULL;
    PyObject *address = fs_addr_make(ls->st, &pre->addr.sa, pre->addrlen,
                                     ls->proto);
    if (address != NULL)
        request = fs_sock_from_fd(Py_TYPE(ls), pre->conn, ls->family,
                                  ls->type, ls->proto);
    else
        close(pre->conn);
    if (request == NULL) {
        Py_XDECREF(address);
        return fs__get_request_failed(core);
    }
    return fs__dispatch_got(core, server, plan, request, address);
}

/* One turn of serve_forever after the wait: 0 or -1. */
static int
fs__turn(fs_server *core, PyObject *server, int plan, int r, fs_sock *ls,
         fs__preaccept *pre)
{
    if (r & FS_INVALID)
        fs__backoff(core);
    /* Connections that became readable first: they came before the one
     * accepted now. */
    if ((r & FS_PARKED) && fs_pool_unpark(core, server, 0) < 0)
        return -1;
    if (ls != NULL) {
        /* An accept was tried during the wait (ls is NULL otherwise). */
        if (fs__handle_preaccepted(core, server, plan, ls, pre) < 0)
            return -1;
    }
    else if ((r & FS_READY) && fs__handle_noblock(core, server, plan) < 0)
        return -1;
    if (!(plan & FS_PLAN_SERVICE) &&
        fs_call_method(server, NAME(core, N_service_actions), NULL) < 0)
        return -1;
    return 0;
}

/* serve_forever(server, poll_interval, plan): the stdlib's loop, woken at
 * once by shutdown(). */
/* The descriptor serve_forever() and handle_request() wait on: the
 * stdlib registers the server with a selector, which takes
 * int(server.fileno()) and words its refusals its own way -- a closed
 * server's -1 is "Invalid file descriptor: -1", not the message
 * PyObject_AsFileDescriptor would give.  -1 with the error set. */
static int
fs__server_fd(PyObject *server)
{
    PyObject *res = PyObject_CallMethod(server, "fileno", NULL);
    PyObject *num = res == NULL ? NULL : PyNumber_Long(res);
    Py_XDECREF(res);
    if (num == NULL) {
        if (PyErr_ExceptionMatches(PyExc_AttributeError) ||
            PyErr_ExceptionMatches(PyExc_TypeError) ||
            PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "Invalid file object: %R", server);
        }
        return -1;
    }
    int overflow;
    long fd = PyLong_AsLongAndOverflow(num, &overflow);
    if (overflow < 0 || (!overflow && fd < 0))
        PyErr_Format(PyExc_ValueError, "Invalid file descriptor: %S", num);
    else if (overflow || fd > INT_MAX)
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C int");
    Py_DECREF(num);
    return PyErr_Occurred() ? -1 : (int)fd;
}

static PyObject *
fs__core_serve_forever(PyObject *self, PyObject *const *args,
                       Py_ssize_t nargs)
{
    fs_server *core = (fs_server *)self;
    int ms, plan, fd, r = 0;
    if (fs_check_nargs("serve_forever", nargs, 3, 3) < 0 ||
        fs__ms_from_seconds(args[1], &ms) < 0 ||
        fs_server_parse_plan(args[2], &plan) < 0)
        return NULL;
    PyObject *server = args[0];
    fd = fs__server_fd(server);
    if (fd >= 0 && core->wake_fd < 0) {
        core->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (core->wake_fd < 0)
            fs_err_errno(errno);
    }
    if (fd < 0 || core->wake_fd < 0) {
        core->shutdown_flag = 0;    /* as the loop's end below */
        return NULL;
    }
    core->serving++;
    /* This thread polls the parked connections (see fs__should_park). */
    unsigned long outer_loop = core->loop_thread;
    core->loop_thread = PyThread_get_thread_ident();
    while (r == 0 && !core->shutdown_flag) {
        /* -2: no accept was tried during this wait. */
        fs__preaccept pre = {.fd = -1, .conn = -2};
        fs_sock *ls = fs__preaccept_socket(core, server, plan, fd);
        if (ls != NULL)
            pre.fd = fd;
        r = fs__turn_wait(core, fd, plan, ms, &pre);
        if (r >= 0 && pre.conn == -2)
            Py_CLEAR(ls);       /* no accept was tried: the usual path */
        if (r < 0 || (core->shutdown_flag && ls == NULL)) {
            if (ls != NULL && pre.conn >= 0)
                close(pre.conn);
            Py_XDECREF(ls);
            break;
        }
        /* A connection accepted before shutdown() was seen is handled,
         * as the stdlib handles one whose select() returned first. */
        r = fs__turn(core, server, plan, r, ls, &pre);
        Py_XDECREF(ls);
    }
    core->serving--;
    core->loop_thread = outer_loop;
    core->shutdown_flag = 0;
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* handle_request(server, timeout, plan): wait up to timeout (None: no
 * limit) for one request; handle_timeout() when none came. */
static PyObject *
fs__core_handle_request(PyObject *self, PyObject *const *args,
                        Py_ssize_t nargs)
{
    fs_server *core = (fs_server *)self;
    int ms, plan;
    if (fs_check_nargs("handle_request", nargs, 3, 3) < 0 ||
        fs__ms_from_seconds(args[1], &ms) < 0 ||
        fs_server_parse_plan(args[2], &plan) < 0)
        return NULL;
    PyObject *server = args[0];
    int fd = fs__server_fd(server);
    if (fd < 0)
        return NULL;
    int64_t deadline = ms < 0 ? 0 : fs_monotonic_ns() + (int64_t)ms * 1000000;
    for (;;) {
        int r = fs__server_poll(core, fd, 1, 0, 0,
                         ms < 0 ? -1 : fs__ms_until(deadline, -1), NULL);
        if (r < 0)
            return NULL;
        if (r & FS_READY) {
            if (fs__handle_noblock(core, server, plan) < 0)
                return NULL;
            Py_RETURN_NONE;
        }
        /* A closed socket: the stdlib's accept() would fail and return. */
        if (r & FS_INVALID)
            Py_RETURN_NONE;
        if (ms >= 0 && fs_monotonic_ns() >= deadline)
            return PyObject_CallMethodNoArgs(server,
                                             NAME(core, N_handle_timeout));
    }
}

/* handle_noblock(server, plan): BaseServer._handle_request_noblock. */
static PyObject *
fs__core_handle_noblock(PyObject *self, PyObject *const *args,
                        Py_ssize_t nargs)
{
    fs_server *core = (fs_server *)self;
    int plan;
    if (fs_check_nargs("handle_noblock", nargs, 2, 2) < 0 ||
        fs_server_parse_plan(args[1], &plan) < 0)
        return NULL;
    if (fs__handle_noblock(core, args[0], plan | FS_PLAN_NOBLOCK) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* process_request_thread(server, request, address, plan): the body of a
 * request thread, ThreadingMixIn.process_request_thread in C. */
static PyObject *
fs__core_run_request(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_server *core = (fs_server *)self;
    int plan;
    if (fs_check_nargs("process_request_thread", nargs, 4, 4) < 0 ||
        fs_server_parse_plan(args[3], &plan) < 0)
        return NULL;
    if (fs_server_run_request(core, args[0], plan, args[1], args[2]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* pool_submit(server, request, address, plan): hand a request to the
 * bounded pool. */
/* release(): close the wake fd, for server_close(), unless a loop or a
 * pool worker may still use it (then it goes when the core is freed).  A
 * later serve_forever() makes a new one. */
static PyObject *
fs__core_release(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_server *core = (fs_server *)self;
    pthread_mutex_lock(&core->pool.mu);
    int busy = core->pool.nworkers > 0;
    pthread_mutex_unlock(&core->pool.mu);
    if (!busy && core->serving == 0 && core->wake_fd >= 0) {
        close(core->wake_fd);
        core->wake_fd = -1;
    }
    Py_RETURN_NONE;
}

/* shutdown(): ask serve_forever to stop, and wake it now. */
static PyObject *
fs__core_shutdown(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_server *core = (fs_server *)self;
    core->shutdown_flag = 1;
    fs_server_wake(core);
    Py_RETURN_NONE;
}

/* Add pid to server.active_children (made a set if None) - in C, so that
 * no signal handler can run between the fork and the record. */
static int
fs__record_child(fs_server *core, PyObject *server, PyObject *pid)
{
    PyObject *children = PyObject_GetAttr(server, NAME(core, N_active_children));
    if (children == Py_None) {
        Py_DECREF(children);
        children = PySet_New(NULL);
        if (children != NULL &&
            PyObject_SetAttr(server, NAME(core, N_active_children),
                             children) < 0)
            Py_CLEAR(children);
    }
    if (children == NULL)
        return -1;
    int rc;
    if (PySet_Check(children))
        rc = PySet_Add(children, pid);
    else {
        PyObject *r = PyObject_CallMethod(children, "add", "O", pid);
        rc = r ? 0 : -1;
        Py_XDECREF(r);
    }
    Py_DECREF(children);
    return rc;
}

/* fork(server, request) -> pid: os.fork() for ForkingMixIn.process_request.
 * In the parent the child's pid is in server.active_children, and request
 * is marked as the child's, before any Python code (and so any signal
 * handler) runs: a Ctrl-C now can neither orphan the child nor shut its
 * connection down. */
static PyObject *
fs__core_fork(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_server *core = (fs_server *)self;
    if (fs_check_nargs("fork", nargs, 2, 2) < 0)
        return NULL;
    if (PySys_Audit("os.fork", NULL) < 0)
        return NULL;
    PyOS_BeforeFork();
    pid_t pid = fork();
    int err = errno;
    if (pid == 0) {
        PyOS_AfterFork_Child();
        return PyLong_FromLong(0);
    }
    PyOS_AfterFork_Parent();
    if (pid < 0)
        return fs_err_errno(err);
    PyObject *pidobj = PyLong_FromLong((long)pid);
    if (pidobj == NULL || fs__record_child(core, args[0], pidobj) < 0) {
        Py_XDECREF(pidobj);
        return NULL;
    }
    core->handed_off = args[1];
    return pidobj;
}

/* watch(fd) -> bool: serve_forever also wakes (once) when fd becomes
 * readable, e.g. a child's pidfd; False when the set is full. */
static PyObject *
fs__core_watch(PyObject *self, PyObject *arg)
{
    fs_server *core = (fs_server *)self;
    int fd;
    if (fs_arg_fd(arg, &fd) < 0)
        return NULL;
    for (int i = 0; i < core->nwatch; i++)
        if (core->watch[i] == fd)
            Py_RETURN_TRUE;
    if (core->nwatch >= FS_MAX_WATCH)
        Py_RETURN_FALSE;
    /* The set is read when a wait starts: ForkingMixIn adds its children
     * from the serving thread, between waits. */
    core->watch[core->nwatch++] = fd;
    Py_RETURN_TRUE;
}

/* unwatch(fd): forget fd (before closing it); no error if not watched. */
static PyObject *
fs__core_unwatch(PyObject *self, PyObject *arg)
{
    fs_server *core = (fs_server *)self;
    int fd;
    if (fs_arg_fd(arg, &fd) < 0)
        return NULL;
    for (int i = 0; i < core->nwatch; i++) {
        if (core->watch[i] == fd) {
            core->watch[i] = core->watch[--core->nwatch];
            break;
        }
    }
    Py_RETURN_NONE;
}

static PyMethodDef fs__core_methods[] = {
    {"fork", FS_FASTCALL(fs__core_fork), METH_FASTCALL,
     "fork(server, request) -> pid (0 in the child)"},
    {"watch", fs__core_watch, METH_O, "watch(fd) -> bool"},
    {"unwatch", fs__core_unwatch, METH_O, "unwatch(fd)"},
    {"serve_forever", FS_FASTCALL(fs__core_serve_forever),
     METH_FASTCALL, "serve_forever(server, poll_interval, plan)"},
    {"handle_request", FS_FASTCALL(fs__core_handle_request),
     METH_FASTCALL, "handle_request(server, timeout, plan)"},
    {"handle_noblock", FS_FASTCALL(fs__core_handle_noblock),
     METH_FASTCALL, "handle_noblock(server, plan)"},
    {"process_request_thread",
     FS_FASTCALL(fs__core_run_request), METH_FASTCALL,
     "process_request_thread(server, request, address, plan): the body of "
     "a request thread"},
    {"pool_submit", FS_FASTCALL(fs_pool_meth_submit),
     METH_FASTCALL, "pool_submit(server, request, address, plan)"},
    {"pool_worker", fs_pool_meth_worker, METH_O, "pool_worker(server)"},
    {"pool_config", FS_FASTCALL(fs_pool_meth_config),
     METH_FASTCALL, "pool_config(max_threads, wait_for_request)"},
    {"pool_unpark", fs_pool_meth_unpark, METH_O,
     "pool_unpark(server): queue or shut down the parked connections"},
    {"pool_stop", fs_pool_meth_stop, METH_NOARGS, "pool_stop()"},
    {"pool_stats", fs_pool_meth_stats, METH_NOARGS,
     "pool_stats() -> (workers, idle, queued)"},
    {"shutdown", fs__core_shutdown, METH_NOARGS, "shutdown()"},
    {"release", fs__core_release, METH_NOARGS,
     "release(): close the wake fd unless it is in use"},
    {NULL, NULL, 0, NULL}
};

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */
/* ------------------------------------------------------------------ */

static PyObject *
fs__make_names(void)
{
    PyObject *t = PyTuple_New(N_COUNT);
    if (t == NULL)
        return NULL;
    for (int i = 0; i < N_COUNT; i++) {
        PyObject *s = PyUnicode_InternFromString(fs__name_strings[i]);
        if (s == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, s);
    }
    return t;
}

/* ServerCore(thread_class, threads_list_class) */
static PyObject *
fs__core_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"thread_class", "threads_class", NULL};
    PyObject *thread_cls, *threads_cls;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:ServerCore", kwlist,
                                     &thread_cls, &threads_cls))
        return NULL;
    fs_server *core = (fs_server *)type->tp_alloc(type, 0);
    if (core == NULL)
        return NULL;
    core->wake_fd = -1;
    core->pool.max_threads = 1;
    core->pool.wait_readable = 1;
    pthread_mutex_init(&core->pool.mu, NULL);
    pthread_cond_init(&core->pool.cv, NULL);
    core->thread_cls = Py_NewRef(thread_cls);
    core->threads_cls = Py_NewRef(threads_cls);
    core->names = fs__make_names();
    if (core->names == NULL) {
        Py_DECREF(core);
        return NULL;
    }
    /* Made now rather than when serve_forever() starts, so that a server
     * created while descriptors remain can serve when they run out. */
    core->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (core->wake_fd < 0) {
        fs_err_errno(errno);
        Py_DECREF(core);
        return NULL;
    }
    return (PyObject *)core;
}

static void
fs__core_dealloc(PyObject *self)
{
    fs_server *core = (fs_server *)self;
    PyTypeObject *tp = Py_TYPE(self);
    fs_pool_state *p = &core->pool;
    /* Workers hold the core alive, so none runs now: what is still queued
     * was never served, and its sockets are released here. */
    while (p->len > 0) {
        fs_pool_item it = fs_pool_pop(p);
        Py_DECREF(it.request);
        Py_DECREF(it.address);
    }
    PyMem_RawFree(p->q);
    /* Parked connections never reached a handler; their sockets close
     * as the last references go. */
    for (size_t i = 0; i < core->nparked; i++) {
        Py_DECREF(core->parked[i].it.request);
        Py_DECREF(core->parked[i].it.address);
    }
    PyMem_Free(core->parked);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    if (core->wake_fd >= 0)
        close(core->wake_fd);
    Py_XDECREF(core->thread_cls);
    Py_XDECREF(core->threads_cls);
    Py_XDECREF(core->names);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyType_Slot fs__server_slots[] = {
    {Py_tp_new, fs__core_new},
    {Py_tp_dealloc, fs__core_dealloc},
    {Py_tp_methods, fs__core_methods},
    {Py_tp_doc, "ServerCore(thread_class, threads_class): the C serving "
                "loop behind fastsock.socketserver (one per server)."},
    {0, NULL}
};

PyType_Spec fs_server_spec = {
    .name = "_fastsock.ServerCore",
    .basicsize = sizeof(fs_server),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = fs__server_slots,
};

/* _server_plan_bits() -> {name: bit}: the plan's bits, for socketserver.py,
 * so the two sides cannot drift apart. */
static PyObject *
fs__server_plan_bits(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return Py_BuildValue(
        "{sisisisisisisisisisisisi}",
        "GET_ACCEPT", FS_PLAN_GET_ACCEPT, "GET_RECVFROM", FS_PLAN_GET_RECVFROM,
        "VERIFY", FS_PLAN_VERIFY, "PROC_BASE", FS_PLAN_PROC_BASE,
        "PROC_THREAD", FS_PLAN_PROC_THREAD, "PROC_POOL", FS_PLAN_PROC_POOL,
        "FINISH", FS_PLAN_FINISH, "SHUT_TCP", FS_PLAN_SHUT_TCP,
        "SHUT_NONE", FS_PLAN_SHUT_NONE, "SERVICE", FS_PLAN_SERVICE,
        "THREAD_BODY", FS_PLAN_THREAD_BODY, "NOBLOCK", FS_PLAN_NOBLOCK);
}

PyMethodDef fs_server_functions[] = {
    {"_server_plan_bits", fs__server_plan_bits, METH_NOARGS,
     "The bits of a ServerCore plan (internal to fastsock.socketserver)."},
    {NULL, NULL, 0, NULL}
};
