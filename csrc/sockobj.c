/*
 * sockobj.c - the socket type: lifecycle, I/O, options and timeouts.
 *
 * Every syscall that can block goes through fs_sock_call(), the one I/O
 * driver (iodriver.c), mostly by way of its raw helpers.  The methods here
 * only parse arguments, pick the call, and shape the result.
 */
#include "fastsock.h"

#include <fcntl.h>
#include <unistd.h>

/* recv(n) with n up to this allocates the result directly; above it the
 * data lands in a per-socket scratch buffer and only what arrived is copied,
 * so recv(1 << 20) on a 16-byte message does not map and fault a megabyte. */
#define FS_RECV_DIRECT_MAX  (64 * 1024)
/* The same for datagram sockets, whose messages are usually far smaller
 * than the buffer offered (recvfrom(65536) for a 64-byte datagram): there
 * the copy out of scratch is cheaper than allocating n and shrinking. */
#define FS_RECV_DIRECT_MAX_DGRAM  2048
/* Largest scratch buffer kept per socket; bigger requests allocate. */
#define FS_RECV_SCRATCH_MAX (4 * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* Small helpers of the socket object                                   */
/* ------------------------------------------------------------------ */

/* Check that s is open; if not, raise OSError(EBADF) and return -1. */
static int
fs__check_open(fs_sock *s)
{
    if (s->fd < 0) {
        fs_err_errno(EBADF);
        return -1;
    }
    return 0;
}

int
fs_is_socket(fs_state *st, PyObject *o)
{
    return PyObject_TypeCheck(o, st->socket_type);
}

/* How the stdlib refuses a float where an int is wanted. */
#if PY_VERSION_HEX < 0x030A0000
#define FS__FLOAT_NOT_INT "integer argument expected, got float"
#else
#define FS__FLOAT_NOT_INT "'float' object cannot be interpreted as an integer"
#endif

/* ------------------------------------------------------------------ */
/* Blocking mode of the fd                                              */
/* ------------------------------------------------------------------ */

static int
fs__set_nonblocking(int fd, int nonblocking)
{
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0)
        return -1;
    int want = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (want != flags && fcntl(fd, F_SETFL, want) < 0)
        return -1;
    return 0;
}

/* Apply a timeout: the fd is non-blocking for every mode but None, since
 * the driver implements timeouts by polling after EAGAIN. */
static int
fs__apply_timeout(fs_sock *s, int64_t timeout)
{
    s->timeout_ns = timeout;
    if (fs__set_nonblocking(s->fd, timeout != FS_BLOCKING) < 0) {
        fs_err_errno(errno);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */
/* ------------------------------------------------------------------ */

static PyObject *fs__sock_new(PyTypeObject *, PyObject *, PyObject *);
static PyMethodDef fs__sock_methods[];
static PyObject *fs__timeout_object(int64_t t);

/* Our module's state, from our socket type or any subclass of it: walk the
 * MRO to the heap type this module created (PyType_GetModuleByDef does the
 * same, but only from 3.11 on). */
static fs_state *
fs__state_of_type(PyTypeObject *type)
{
    PyObject *mro = type->tp_mro;
    Py_ssize_t n = mro ? PyTuple_GET_SIZE(mro) : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        /* Only the type this module made has our method table; Python
         * subclasses have none, and asking them for a module would raise
         * (and cost an exception per socket). */
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE) ||
            t->tp_methods != fs__sock_methods)
            continue;
        PyObject *m = PyType_GetModule(t);
        if (m != NULL && PyModule_GetDef(m) == &fs_module_def)
            return fs_get_state(m);
        PyErr_Clear();
    }
    PyErr_SetString(PyExc_SystemError, "fastsock: module state not found");
    return NULL;
}

/* Does `type` (or a class it derives from) set _fs_str_mode to a true
 * value?  Looked up in the class dicts along the MRO, so that classes
 * without it cost a few dict misses, not an AttributeError.  Returns 1, 0,
 * or -1 with an exception set. */
static int
fs__type_str_mode(fs_state *st, PyTypeObject *type)
{
    PyObject *mro = type->tp_mro;
    if (type == st->socket_type || mro == NULL)
        return 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *base = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        /* Static built-in types (object) have no tp_dict on 3.12+. */
        if (base == st->socket_type || base->tp_dict == NULL)
            continue;
        PyObject *v = PyDict_GetItemWithError(base->tp_dict, st->str_mode_key);
        if (v != NULL)
            return PyObject_IsTrue(v);
        if (PyErr_Occurred())
            return -1;
    }
    return 0;
}

static PyObject *
fs__sock_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    fs_sock *s = (fs_sock *)type->tp_alloc(type, 0);
    if (s == NULL)
        return NULL;
    s->fd = -1;
    s->family = AF_INET;
    s->type = SOCK_STREAM;
    s->timeout_ns = FS_BLOCKING;
    s->st = fs__state_of_type(type);
    int str_mode = s->st == NULL ? -1 : fs__type_str_mode(s->st, type);
    if (str_mode < 0) {
        Py_DECREF(s);
        return NULL;
    }
    s->str_mode = (char)str_mode;
    return (PyObject *)s;
}

/* Record family/type/proto and the initial timeout of a new socket. */
static int
fs__init_fields(fs_sock *s, int fd, int family, int type, int proto)
{
    s->fd = fd;
    s->family = family;
    s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    s->proto = proto;
    s->closed = 0;
    s->io_refs = 0;
    if (type & SOCK_NONBLOCK)
        s->timeout_ns = FS_NONBLOCK;
    else {
        s->timeout_ns = s->st->default_timeout_ns;
        if (s->timeout_ns != FS_BLOCKING &&
            fs__set_nonblocking(fd, 1) < 0) {
            fs_err_errno(errno);
            return -1;
        }
    }
    return 0;
}

/* socket(fileno=fd): check the fd and learn what it is, as the stdlib
 * does.  getsockname() runs whatever the caller gave: a descriptor that is
 * not open (EBADF) or not a socket (ENOTSOCK) is refused even with family,
 * type and proto all given, so that our close() can never close somebody
 * else's file.  Any other failure leaves the family as given, as there. */
static int
fs__detect(int fd, int *family, int *type, int *proto)
{
    socklen_t len;
    fs_addr a;
    len = sizeof(a);
    memset(&a, 0, sizeof(a));
    if (getsockname(fd, &a.sa, &len) == 0) {
        if (*family == -1)
            *family = a.sa.sa_family;
    }
    else if (errno == EBADF || errno == ENOTSOCK)
        return -1;
    if (*type == -1) {
        len = sizeof(*type);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &len) < 0)
            return -1;
    }
    if (*proto == -1) {
        len = sizeof(*proto);
        if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, proto, &len) < 0)
            return -1;
    }
    return 0;
}

static int
fs__sock_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"family", "type", "proto", "fileno", NULL};
    fs_sock *s = (fs_sock *)self;
    int family = -1, type = -1, proto = -1, fd;
    PyObject *fdobj = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|iiiO:socket", kwlist,
                                     &family, &type, &proto, &fdobj))
        return -1;
    if (PySys_Audit("socket.__new__", "Oiii", self, family, type, proto) < 0)
        return -1;

    if (fdobj != NULL && fdobj != Py_None) {
        if (PyFloat_Check(fdobj)) {
            PyErr_SetString(PyExc_TypeError, FS__FLOAT_NOT_INT);
            return -1;
        }
        long v = PyLong_AsLong(fdobj);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < 0) {
            PyErr_SetString(PyExc_ValueError, "negative file descriptor");
            return -1;
        }
        if (v > INT_MAX) {
            PyErr_SetString(PyExc_OverflowError,
                            "signed integer is greater than maximum");
            return -1;
        }
        fd = (int)v;
        if (fs__detect(fd, &family, &type, &proto) < 0) {
            fs_err_errno(errno);
            return -1;
        }
    }
    else {
        if (family == -1)
            family = AF_INET;
        if (type == -1)
            type = SOCK_STREAM;
        if (proto == -1)
            proto = 0;
        Py_BEGIN_ALLOW_THREADS
        fd = socket(family, type | SOCK_CLOEXEC, proto);
        Py_END_ALLOW_THREADS
        if (fd < 0) {
            fs_err_errno(errno);
            return -1;
        }
    }
    /* Re-initialising a live socket would leak its fd: close it first. */
    if (s->fd >= 0 && s->fd != fd)
        close(s->fd);
    return fs__init_fields(s, fd, family, type, proto);
}

PyObject *
fs_sock_from_fd(PyTypeObject *type, int fd, int family, int stype, int proto)
{
    fs_sock *s = (fs_sock *)fs__sock_new(type, NULL, NULL);
    if (s == NULL) {
        close(fd);
        return NULL;
    }
    if (fs__init_fields(s, fd, family, stype, proto) < 0) {
        Py_DECREF(s);       /* dealloc closes the fd */
        return NULL;
    }
    return (PyObject *)s;
}

static int
fs__real_close(fs_sock *s)
{
    int fd = s->fd, res = 0;
    s->fd = -1;
    /* A recv() in another thread may be writing into the scratch buffer
     * right now (without the GIL): it frees the buffer when it ends. */
    if (!s->scratch_busy) {
        PyMem_Free(s->scratch);
        s->scratch = NULL;
    }
    if (fd >= 0) {
        Py_BEGIN_ALLOW_THREADS
        res = close(fd);
        Py_END_ALLOW_THREADS
        /* ECONNRESET reports the peer's state, and a close() interrupted
         * by a signal has released the fd on Linux: neither is an error. */
        if (res < 0 && (errno == ECONNRESET || errno == EINTR))
            res = 0;
    }
    return res;
}

void
fs_sock_incref_io(fs_sock *s)
{
    /* io_refs changes under the GIL only.  Python code may lower it too
     * (_decref_socketios, the stdlib's SocketIO protocol) and may write it
     * as _io_refs, so zero is a floor below, not an invariant to assert. */
    assert(PyGILState_Check());
    assert(s->io_refs < INT_MAX);
    s->io_refs++;
}

int
fs_sock_decref_io(fs_sock *s)
{
    assert(PyGILState_Check());
    if (s->io_refs > 0)
        s->io_refs--;
    if (s->closed && s->io_refs <= 0 && fs__real_close(s) < 0) {
        fs_err_errno(errno);
        return -1;
    }
    return 0;
}

static void
fs__sock_finalize(PyObject *self)
{
    fs_sock *s = (fs_sock *)self;
    if (s->fd < 0)
        return;
    PyObject *exc = fs_err_fetch();
    /* Reaching here with an open fd means nobody called close(): say so,
     * as the stdlib does, then release the fd. */
    if (PyErr_ResourceWarning(self, 1, "unclosed %R", self) < 0) {
        if (PyErr_ExceptionMatches(PyExc_Warning))
            PyErr_WriteUnraisable(self);
        PyErr_Clear();
    }
    int fd = s->fd;
    s->fd = -1;
    close(fd);
    fs_err_restore(exc);
}

static void
fs__sock_dealloc(PyObject *self)
{
    fs_sock *s = (fs_sock *)self;
    PyTypeObject *tp = Py_TYPE(self);
    if (PyObject_CallFinalizerFromDealloc(self) < 0)
        return;
    if (s->weakreflist != NULL)
        PyObject_ClearWeakRefs(self);
    if (s->fd >= 0)
        close(s->fd);
    PyMem_Free(s->scratch);
    Py_CLEAR(s->peer_obj);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
fs__sock_repr(PyObject *self)
{
    fs_sock *s = (fs_sock *)self;
    return PyUnicode_FromFormat("<socket object, fd=%d, family=%d, type=%d, "
                                "proto=%d>", s->fd, s->family, s->type,
                                s->proto);
}

/* ------------------------------------------------------------------ */
/* Methods: lifecycle                                                   */
/* ------------------------------------------------------------------ */

static PyObject *
fs__sock_close(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sock *s = (fs_sock *)self;
    s->closed = 1;
    if (s->io_refs <= 0 && fs__real_close(s) < 0)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

static PyObject *
fs__sock_real_close(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (fs__real_close((fs_sock *)self) < 0)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

static PyObject *
fs__sock_detach(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sock *s = (fs_sock *)self;
    int fd = s->fd;
    s->fd = -1;
    s->closed = 1;
    return PyLong_FromLong(fd);
}

static PyObject *
fs__sock_fileno(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PyLong_FromLong(((fs_sock *)self)->fd);
}

/* dup() on a subclass goes through the class, as the stdlib's
 * self.__class__(family, type, proto, fileno=fd) does, so a subclass's own
 * __init__ and settimeout run on the duplicate.  Steals fd. */
static PyObject *
fs__dup_via_class(fs_sock *s, int fd)
{
    PyObject *args = Py_BuildValue("(iii)", s->family, s->type, s->proto);
    PyObject *kw = Py_BuildValue("{s:i}", "fileno", fd);
    PyObject *n = NULL;
    if (args != NULL && kw != NULL)
        n = PyObject_Call((PyObject *)Py_TYPE(s), args, kw);
    Py_XDECREF(args);
    Py_XDECREF(kw);
    if (n == NULL) {
        close(fd);
        return NULL;
    }
    PyObject *t = fs__timeout_object(s->timeout_ns);
    PyObject *r = t ? PyObject_CallMethod(n, "settimeout", "O", t) : NULL;
    Py_XDECREF(t);
    if (r == NULL) {
        Py_DECREF(n);       /* its dealloc closes the fd */
        return NULL;
    }
    Py_DECREF(r);
    return n;
}

static PyObject *
fs__sock_dup(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sock *s = (fs_sock *)self;
    int fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return fs_err_errno(errno);
    if (Py_TYPE(self) != s->st->socket_type)
        return fs__dup_via_class(s, fd);
    fs_sock *n = (fs_sock *)fs__sock_new(Py_TYPE(self), NULL, NULL);
    if (n == NULL) {
        close(fd);
        return NULL;
    }
    n->fd = fd;
    n->family = s->family;
    n->type = s->type;
    n->proto = s->proto;
    /* The duplicate shares the open file, so its O_NONBLOCK too; keep the
     * same timeout so the two agree on what the fd's mode means. */
    n->timeout_ns = s->timeout_ns;
    return (PyObject *)n;
}

static PyObject *
fs__sock_get_inheritable(PyObject *self, PyObject *unused)
{
    (void)unused;
    int flags = fcntl(((fs_sock *)self)->fd, F_GETFD);
    if (flags < 0)
        return fs_err_errno(errno);
    return PyBool_FromLong(!(flags & FD_CLOEXEC));
}

static PyObject *
fs__sock_set_inheritable(PyObject *self, PyObject *arg)
{
    int fd = ((fs_sock *)self)->fd;
    int inheritable;
#if PY_VERSION_HEX < 0x030A0000
    /* 3.9's PyLong_AsLong still takes floats (with a warning); the "int"
     * converter of os.set_inheritable, which the stdlib uses, does not. */
    if (PyFloat_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, FS__FLOAT_NOT_INT);
        return NULL;
    }
#endif
    if (fs_arg_clinic_int(arg, &inheritable) < 0)
        return NULL;
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
        return fs_err_errno(errno);
    int want = inheritable ? (flags & ~FD_CLOEXEC) : (flags | FD_CLOEXEC);
    if (want != flags && fcntl(fd, F_SETFD, want) < 0)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Methods: timeouts                                                    */
/* ------------------------------------------------------------------ */

static PyObject *
fs__sock_settimeout(PyObject *self, PyObject *arg)
{
    int64_t t;
    if (fs_timeout_from_object(arg, &t) < 0)
        return NULL;
    if (fs__apply_timeout((fs_sock *)self, t) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
fs__timeout_object(int64_t t)
{
    if (t == FS_BLOCKING)
        Py_RETURN_NONE;
    return PyFloat_FromDouble((double)t / 1e9);
}

static PyObject *
fs__sock_gettimeout(PyObject *self, PyObject *unused)
{
    (void)unused;
    return fs__timeout_object(((fs_sock *)self)->timeout_ns);
}

static PyObject *
fs__sock_timeout_get(PyObject *self, void *closure)
{
    (void)closure;
    return fs__timeout_object(((fs_sock *)self)->timeout_ns);
}

static PyObject *
fs__sock_setblocking(PyObject *self, PyObject *arg)
{
    /* Up to 3.11 the stdlib reads the flag as a C long (setblocking(None)
     * is a TypeError there); from 3.12 on, as a truth value. */
#if PY_VERSION_HEX >= 0x030C0000
    int block = PyObject_IsTrue(arg);
    if (block < 0)
        return NULL;
#else
    long block = PyLong_AsLong(arg);
    if (block == -1 && PyErr_Occurred())
        return NULL;
#endif
    if (fs__apply_timeout((fs_sock *)self, block ? FS_BLOCKING : FS_NONBLOCK) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
fs__sock_getblocking(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(((fs_sock *)self)->timeout_ns != FS_NONBLOCK);
}

/* ------------------------------------------------------------------ */
/* Methods: addresses and connection setup                              */
/* ------------------------------------------------------------------ */

static PyObject *
fs__sock_bind(PyObject *self, PyObject *addrobj)
{
    fs_sock *s = (fs_sock *)self;
    fs_addr a;
    socklen_t len;
    int res;

    if (fs_addr_parse(s, addrobj, &a, &len, "bind()") < 0)
        return NULL;
    if (PySys_Audit("socket.bind", "OO", self, addrobj) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    res = bind(s->fd, &a.sa, len);
    Py_END_ALLOW_THREADS
    if (res < 0)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

static PyObject *
fs__sock_listen(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                PyObject *kwnames)
{
    if (fs_reject_kwargs("listen", kwnames) < 0)
        return NULL;
    fs_sock *s = (fs_sock *)self;
    int backlog = SOMAXCONN < 128 ? SOMAXCONN : 128, res;

    if (fs_check_nargs("listen", nargs, 0, 1) < 0)
        return NULL;
    if (nargs == 1 && fs_arg_int(args[0], &backlog) < 0)
        return NULL;
    /* A negative backlog means zero, as in the stdlib. */
    if (backlog < 0)
        backlog = 0;
    Py_BEGIN_ALLOW_THREADS
    res = listen(s->fd, backlog);
    Py_END_ALLOW_THREADS
    if (res < 0)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

/* connect(): returns 0 or the errno of the failure (for connect_ex); -1
 * with an exception set for errors that connect_ex raises too. */
static int
fs__connect(fs_sock *s, PyObject *addrobj, int raise, const char *caller)
{
    fs_addr a;
    socklen_t len;
    int res, err;

    if (fs_addr_parse(s, addrobj, &a, &len, caller) < 0)
        return -1;
    if (PySys_Audit("socket.connect", "OO", (PyObject *)s, addrobj) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    res = connect(s->fd, &a.sa, len);
    Py_END_ALLOW_THREADS
    err = res < 0 ? errno : 0;

    /* connect() runs once: after EINTR or EINPROGRESS the kernel keeps
     * connecting, so we wait for the outcome instead of calling again. */
    int wait = (err == EINTR) ||
               (err == EINPROGRESS && s->timeout_ns > 0);
    if (err == EINTR && PyErr_CheckSignals() < 0)
        return -1;
    if (err == EINTR && s->timeout_ns == FS_NONBLOCK)
        wait = 0, err = EINPROGRESS;
    if (wait && fs_sock_connect_wait(s, &err) < 0) {
        if (!raise && PyErr_ExceptionMatches(s->st->timeout_error)) {
            PyErr_Clear();
            return EWOULDBLOCK;
        }
        return -1;
    }
    if (err != 0 && raise) {
        fs_err_errno(err);
        return -1;
    }
    return err;
}

static PyObject *
fs__sock_connect(PyObject *self, PyObject *addrobj)
{
    if (fs__connect((fs_sock *)self, addrobj, 1, "connect()") != 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
fs__sock_connect_ex(PyObject *self, PyObject *addrobj)
{
    int r = fs__connect((fs_sock *)self, addrobj, 0, "connect_ex()");
    if (r < 0)
        return NULL;
    return PyLong_FromLong(r);
}

static PyObject *
fs__sock_getsockname(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sock *s = (fs_sock *)self;
    fs_addr a;
    socklen_t len = sizeof(a);
    memset(&a, 0, sizeof(a.sa));
    if (getsockname(s->fd, &a.sa, &len) < 0)
        return fs_err_errno(errno);
    /* Through the address cache recvfrom() uses: a socket's own address
     * rarely changes, so asking again returns the tuple made last time. */
    return fs_sock_peer_address(s, &a, len);
}

static PyObject *
fs__sock_getpeername(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sock *s = (fs_sock *)self;
    fs_addr a;
    socklen_t len = sizeof(a);
    memset(&a, 0, sizeof(a.sa));
    if (getpeername(s->fd, &a.sa, &len) < 0)
        return fs_err_errno(errno);
    return fs_addr_make(s->st, &a.sa, len, s->proto);
}

/* accept() -> (socket, address).  The new socket is of the listening
 * socket's own class.  It takes the default timeout, except that a
 * listening socket with a timeout hands out blocking sockets when the
 * default is None, as the stdlib's accept() does. */
/* The class of the sockets accept() makes: the class attribute
 * `_accept_class` when there is one (fastsock.socket names itself, so its
 * subclasses accept plain fastsock.socket objects, as the stdlib's
 * subclasses accept plain socket.socket ones), else the listener's type. */
static PyTypeObject *
fs__accept_class(fs_sock *s)
{
    PyObject *cls = PyObject_GetAttrString((PyObject *)Py_TYPE(s),
                                           "_accept_class");
    if (cls == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return NULL;
        PyErr_Clear();
        Py_INCREF(Py_TYPE(s));
        return Py_TYPE(s);
    }
    if (!PyType_Check(cls) ||
        !PyType_IsSubtype((PyTypeObject *)cls, s->st->socket_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "_accept_class must be a socket class");
        Py_DECREF(cls);
        return NULL;
    }
    return (PyTypeObject *)cls;
}

static PyObject *
fs__sock_accept(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sock *s = (fs_sock *)self;
    fs_addr a;
    socklen_t len;

    PyTypeObject *cls = fs__accept_class(s);
    if (cls == NULL)
        return NULL;
    int fd = fs_sock_accept_raw(s, &a, &len);
    PyObject *addr = NULL, *conn = NULL;
    if (fd >= 0)
        addr = fs_addr_make(s->st, &a.sa, len, s->proto);
    if (addr != NULL)
        conn = fs_sock_from_fd(cls, fd, s->family, s->type, s->proto);
    else if (fd >= 0)
        close(fd);
    Py_DECREF(cls);
    if (conn == NULL) {
        Py_XDECREF(addr);
        return NULL;
    }
    return Py_BuildValue("(NN)", conn, addr);
}

/* _accept() -> (fd, address), the stdlib's low-level form. */
static PyObject *
fs__sock__accept(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sock *s = (fs_sock *)self;
    fs_addr a;
    socklen_t len;

    int fd = fs_sock_accept_raw(s, &a, &len);
    if (fd < 0)
        return NULL;
    PyObject *addr = fs_addr_make(s->st, &a.sa, len, s->proto);
    if (addr == NULL) {
        close(fd);
        return NULL;
    }
    return Py_BuildValue("(iN)", fd, addr);
}

static PyObject *
fs__sock_shutdown(PyObject *self, PyObject *arg)
{
    int how, res;
    if (fs_arg_clinic_int(arg, &how) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    res = shutdown(((fs_sock *)self)->fd, how);
    Py_END_ALLOW_THREADS
    if (res < 0)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Methods: receiving                                                   */
/* ------------------------------------------------------------------ */

/* Receive up to n bytes with `fn` (recv or recvfrom, io->flags and
 * io->addr preset) into a new bytes object of the size that arrived.
 *
 * A large n lands in the socket's scratch buffer and only what arrived is
 * copied out, so recv(1 << 20) on a 16-byte message costs about what
 * recv(1024) costs.  While the call runs without the GIL, scratch_busy
 * keeps other threads (which then allocate their own buffer) and close()
 * (which then leaves the freeing to us) away from the buffer. */
/* With MSG_TRUNC, Linux reports a datagram's whole length even when only
 * `n` bytes were stored.  The stdlib returns that many bytes; we do too, but
 * the part the kernel did not write is zeroed rather than left as whatever
 * the heap (or our scratch buffer) held. */
static PyObject *
fs__bytes_received(const char *src, Py_ssize_t got, Py_ssize_t n)
{
    PyObject *res = PyBytes_FromStringAndSize(NULL, got);
    if (res == NULL)
        return NULL;
    Py_ssize_t stored = got < n ? got : n;
    memcpy(PyBytes_AS_STRING(res), src, (size_t)stored);
    memset(PyBytes_AS_STRING(res) + stored, 0, (size_t)(got - stored));
    return res;
}

/* One receive into buf: recv(), or recvfrom() when `addr` is wanted. */
static Py_ssize_t
fs__recv_some(fs_sock *s, char *buf, Py_ssize_t n, int flags, fs_addr *addr,
              socklen_t *addrlen)
{
    if (addr == NULL)
        return fs_sock_recv_raw(s, buf, n, flags);
    return fs_sock_recvfrom_raw(s, buf, n, flags, addr, addrlen);
}

/* What recv()/recvfrom() hand out for the bytes `buf` (stolen; NULL
 * passes through): the bytes, or in str mode the str standing for them,
 * decoded straight from the bytes' buffer. */
static PyObject *
fs__received(fs_sock *s, PyObject *buf)
{
    if (buf == NULL || !s->str_mode)
        return buf;
    PyObject *text = PyUnicode_DecodeASCII(PyBytes_AS_STRING(buf),
                                           PyBytes_GET_SIZE(buf),
                                           "surrogateescape");
    Py_DECREF(buf);
    return text;
}

static PyObject *
fs__recv_bytes(fs_sock *s, Py_ssize_t n, int flags, fs_addr *addr,
               socklen_t *addrlen)
{
    Py_ssize_t direct_max = s->type == SOCK_STREAM ? FS_RECV_DIRECT_MAX
                                                   : FS_RECV_DIRECT_MAX_DGRAM;
    if (n > direct_max && n <= FS_RECV_SCRATCH_MAX &&
        !s->scratch_busy) {
        if (fs__check_open(s) < 0)
            return NULL;
        if (s->scratch == NULL &&
            (s->scratch = PyMem_Malloc(FS_RECV_SCRATCH_MAX)) == NULL)
            return PyErr_NoMemory();
        /* Set and cleared under the GIL: no other call can be using the
         * buffer now, and none can take it until this one ends. */
        assert(!s->scratch_busy && s->scratch != NULL);
        s->scratch_busy = 1;
        PyObject *res = NULL;
        Py_ssize_t got = fs__recv_some(s, s->scratch, n, flags, addr,
                                       addrlen);
        if (got >= 0)
            res = fs__bytes_received(s->scratch, got, n);
        assert(s->scratch_busy);
        s->scratch_busy = 0;
        if (s->fd < 0) {
            /* Closed meanwhile: the buffer is ours to free. */
            PyMem_Free(s->scratch);
            s->scratch = NULL;
        }
        return res;
    }
    PyObject *buf = PyBytes_FromStringAndSize(NULL, n);
    if (buf == NULL)
        return NULL;
    Py_ssize_t got = fs__recv_some(s, PyBytes_AS_STRING(buf), n, flags, addr,
                                   addrlen);
    if (got < 0) {
        Py_DECREF(buf);
        return NULL;
    }
    if (got > n) {
        /* MSG_TRUNC told us of more than fits: see fs__bytes_received. */
        PyObject *res = fs__bytes_received(PyBytes_AS_STRING(buf), got, n);
        Py_DECREF(buf);
        return res;
    }
    if (got != n && _PyBytes_Resize(&buf, got) < 0)
        return NULL;
    return buf;
}

/* The peer cache (see fs_sock.peer_obj).  Only IP addresses: their tuple
 * is made from the sockaddr alone and parses back to the same bytes, so
 * handing out one tuple twice, or skipping its parse, changes nothing but
 * the work done.  A changed sockaddr replaces the entry. */
PyObject *
fs_sock_peer_address(fs_sock *s, const fs_addr *a, socklen_t len)
{
    if (s->peer_obj != NULL && len == s->peer_len &&
        memcmp(&s->peer, a, (size_t)len) == 0)
        return Py_NewRef(s->peer_obj);
    PyObject *obj = fs_addr_make(s->st, &a->sa, len, s->proto);
    int ip = (len == sizeof(a->in4) && a->sa.sa_family == AF_INET) ||
             (len == sizeof(a->in6) && a->sa.sa_family == AF_INET6);
    if (obj != NULL && ip && (int)a->sa.sa_family == s->family) {
        Py_XSETREF(s->peer_obj, Py_NewRef(obj));
        memcpy(&s->peer, a, (size_t)len);
        s->peer_len = len;
    }
    return obj;
}

/* Is `obj` the address object of the peer cache?  Then its sockaddr is
 * copied out, and sendto() need not parse it. */
static int
fs__peer_sockaddr(fs_sock *s, PyObject *obj, fs_addr *a, socklen_t *len)
{
    if (obj != s->peer_obj || obj == NULL)
        return 0;
    memset(a, 0, sizeof(*a));
    memcpy(a, &s->peer, (size_t)s->peer_len);
    *len = s->peer_len;
    return 1;
}

/* The pair (a, b), taking both references (also on failure): cheaper than
 * Py_BuildValue, which parses its format on every call of a hot method. */
static PyObject *
fs__pair(PyObject *a, PyObject *b)
{
    PyObject *t = PyTuple_New(2);
    if (t == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, a);
    PyTuple_SET_ITEM(t, 1, b);
    return t;
}

/* Parse (bufsize[, flags]) of recv / recvfrom. */
static int
fs__parse_recv(const char *name, PyObject *const *args, Py_ssize_t nargs,
               PyObject *kwnames, Py_ssize_t *n, int *flags)
{
    *flags = 0;
    if (fs_reject_kwargs(name, kwnames) < 0 ||
        fs_check_nargs(name, nargs, 1, 2) < 0 ||
        fs_arg_ssize(args[0], n) < 0 ||
        (nargs == 2 && fs_arg_int(args[1], flags) < 0))
        return -1;
    if (*n < 0) {
        PyErr_Format(PyExc_ValueError, "negative buffersize in %s", name);
        return -1;
    }
    return 0;
}

static PyObject *
fs__sock_recv(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    Py_ssize_t n;
    int flags;

    if (fs__parse_recv("recv", args, nargs, kwnames, &n, &flags) < 0)
        return NULL;
    /* Asking for nothing gets nothing without a syscall, even on a closed
     * socket, exactly as the stdlib's recv(0). */
    if (n == 0)
        return fs__received((fs_sock *)self,
                            PyBytes_FromStringAndSize(NULL, 0));
    return fs__received((fs_sock *)self,
                        fs__recv_bytes((fs_sock *)self, n, flags, NULL, NULL));
}

/* The common call recv_into(buf[, nbytes[, flags]]) with plain ints and a
 * writable buffer, parsed without building a tuple.  Returns -1 with no
 * exception set for anything else: the caller then takes the slow path,
 * which words every error as the stdlib's parser does. */
static int
fs__parse_into_fast(PyObject *const *args, Py_ssize_t nargs,
                    Py_buffer *view, Py_ssize_t *nbytes, int *flags)
{
    for (Py_ssize_t i = 1; i < nargs; i++)
        if (!PyLong_CheckExact(args[i]))
            return -1;
    if (nargs >= 2) {
        *nbytes = PyLong_AsSsize_t(args[1]);
        if (*nbytes == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            return -1;
        }
    }
    if (nargs == 3) {
        int overflow;
        long f = PyLong_AsLongAndOverflow(args[2], &overflow);
        if (overflow || f < INT_MIN || f > INT_MAX)
            return -1;
        *flags = (int)f;
    }
    if (PyObject_GetBuffer(args[0], view, PyBUF_WRITABLE) < 0) {
        PyErr_Clear();
        return -1;
    }
    return 0;
}

/* The stdlib's parser, "w*|ni" with keywords, over fastcall arguments. */
static int
fs__parse_into_slow(const char *name, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames, Py_buffer *view,
                    Py_ssize_t *nbytes, int *flags)
{
    static char *kwlist[] = {"buffer", "nbytes", "flags", NULL};
    char fmt[64];
    PyObject *tuple = PyTuple_New(nargs), *kw = NULL;
    int ok = 0;

    if (tuple == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < nargs; i++)
        PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nkw > 0 && (kw = PyDict_New()) == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < nkw; i++)
        if (PyDict_SetItem(kw, PyTuple_GET_ITEM(kwnames, i),
                           args[nargs + i]) < 0)
            goto done;
    PyOS_snprintf(fmt, sizeof(fmt), "w*|ni:%s", name);
    ok = PyArg_ParseTupleAndKeywords(tuple, kw, fmt, kwlist, view, nbytes,
                                     flags);
done:
    Py_DECREF(tuple);
    Py_XDECREF(kw);
    return ok ? 0 : -1;
}

/* Parse (buffer, nbytes=0, flags=0) of recv_into / recvfrom_into. */
static int
fs__parse_into(const char *name, PyObject *const *args, Py_ssize_t nargs,
               PyObject *kwnames, Py_buffer *view, Py_ssize_t *nbytes,
               int *flags)
{
    *nbytes = 0;
    *flags = 0;
    /* The two methods word this error differently in the stdlib. */
    const char *too_small = strcmp(name, "recv_into") == 0
        ? "buffer too small for requested bytes"
        : "nbytes is greater than the length of the buffer";
    if ((kwnames != NULL || nargs < 1 || nargs > 3 ||
         fs__parse_into_fast(args, nargs, view, nbytes, flags) < 0) &&
        fs__parse_into_slow(name, args, nargs, kwnames, view, nbytes,
                            flags) < 0)
        return -1;
    if (*nbytes < 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "negative buffersize in %s", name);
        return -1;
    }
    if (*nbytes == 0)
        *nbytes = view->len;
    else if (*nbytes > view->len) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, too_small);
        return -1;
    }
    return 0;
}

static PyObject *
fs__sock_recv_into(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                   PyObject *kwnames)
{
    Py_buffer view;
    Py_ssize_t n;
    int flags;

    if (fs__parse_into("recv_into", args, nargs, kwnames, &view, &n,
                       &flags) < 0)
        return NULL;
    /* As recv(0): an empty buffer is filled without a syscall. */
    Py_ssize_t got = n == 0 ? 0 :
        fs_sock_recv_raw((fs_sock *)self, view.buf, n, flags);
    PyBuffer_Release(&view);
    if (got < 0)
        return NULL;
    return PyLong_FromSsize_t(got);
}

static PyObject *
fs__sock_recvfrom(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                  PyObject *kwnames)
{
    fs_sock *s = (fs_sock *)self;
    Py_ssize_t n;
    int flags;
    fs_addr a;
    socklen_t len;

    if (fs__parse_recv("recvfrom", args, nargs, kwnames, &n, &flags) < 0)
        return NULL;
    PyObject *buf = fs__received(s, fs__recv_bytes(s, n, flags, &a, &len));
    if (buf == NULL)
        return NULL;
    PyObject *addr = fs_sock_peer_address(s, &a, len);
    if (addr == NULL) {
        Py_DECREF(buf);
        return NULL;
    }
    return fs__pair(buf, addr);
}

static PyObject *
fs__sock_recvfrom_into(PyObject *self, PyObject *const *args,
                       Py_ssize_t nargs, PyObject *kwnames)
{
    fs_sock *s = (fs_sock *)self;
    Py_buffer view;
    Py_ssize_t n;
    int flags;
    fs_addr a;
    socklen_t len;

    if (fs__parse_into("recvfrom_into", args, nargs, kwnames, &view, &n,
                       &flags) < 0)
        return NULL;
    Py_ssize_t got = fs_sock_recvfrom_raw(s, view.buf, n, flags, &a, &len);
    PyBuffer_Release(&view);
    if (got < 0)
        return NULL;
    PyObject *addr = fs_sock_peer_address(s, &a, len);
    if (addr == NULL)
        return NULL;
    PyObject *count = PyLong_FromSsize_t(got);
    if (count == NULL) {
        Py_DECREF(addr);
        return NULL;
    }
    return fs__pair(count, addr);
}

/* ------------------------------------------------------------------ */
/* Methods: sending                                                     */
/* ------------------------------------------------------------------ */

/* In str mode a str argument stands for bytes (see fs_sock.str_mode): an
 * ASCII str lends its own buffer, anything else is encoded once; text
 * beyond that mapping raises UnicodeEncodeError from the ASCII codec, as
 * Python 2's implicit encoding of unicode did. */
static int
fs__str_data(PyObject *o, Py_buffer *view)
{
    /* PyUnicode_GetLength also readies a legacy str (3.9-3.11), through
     * the public API. */
    Py_ssize_t len = PyUnicode_GetLength(o);
    if (len < 0)
        return -1;
    if (PyUnicode_IS_ASCII(o))
        return PyBuffer_FillInfo(view, o, PyUnicode_DATA(o), len, 1,
                                 PyBUF_SIMPLE);
    PyObject *b = PyUnicode_AsEncodedString(o, "ascii", "surrogateescape");
    if (b == NULL)
        return -1;
    int res = PyObject_GetBuffer(b, view, PyBUF_SIMPLE);
    Py_DECREF(b);       /* the view holds its own reference */
    return res;
}

/* The data argument of send/sendall/sendto, as the "y*" format reads it
 * (the stdlib's parser): bytes take a fast path, anything else goes
 * through PyArg_Parse so the errors are worded as the stdlib words them. */
static int
fs__arg_data(fs_sock *s, PyObject *o, Py_buffer *view)
{
    if (PyBytes_CheckExact(o))
        return PyObject_GetBuffer(o, view, PyBUF_SIMPLE);
    if (s->str_mode && PyUnicode_Check(o))
        return fs__str_data(o, view);
    return PyArg_Parse(o, "y*", view) ? 0 : -1;
}

/* Parse (data[, flags]) of send / sendall: data first, as the stdlib's
 * "y*|i" format does, so a bad pair reports the data's error. */
static int
fs__parse_send(fs_sock *s, const char *name, PyObject *const *args,
               Py_ssize_t nargs, Py_buffer *view, int *flags)
{
    *flags = 0;
    if (fs_check_nargs(name, nargs, 1, 2) < 0 ||
        fs__arg_data(s, args[0], view) < 0)
        return -1;
    if (nargs == 2 && fs_arg_int(args[1], flags) < 0) {
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *
fs__sock_send(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    Py_buffer view;
    int flags;

    if (fs_reject_kwargs("send", kwnames) < 0)
        return NULL;
    if (fs__parse_send((fs_sock *)self, "send", args, nargs, &view, &flags) < 0)
        return NULL;
    Py_ssize_t sent = fs_sock_send_raw((fs_sock *)self, view.buf, view.len,
                                       flags);
    PyBuffer_Release(&view);
    if (sent < 0)
        return NULL;
    return PyLong_FromSsize_t(sent);
}

static PyObject *
fs__sock_sendall(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                 PyObject *kwnames)
{
    Py_buffer view;
    int flags;

    if (fs_reject_kwargs("sendall", kwnames) < 0)
        return NULL;
    if (fs__parse_send((fs_sock *)self, "sendall", args, nargs, &view,
                       &flags) < 0)
        return NULL;
    int r = fs_sock_sendall_raw((fs_sock *)self, view.buf, view.len, flags);
    PyBuffer_Release(&view);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
fs__sock_sendto(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                PyObject *kwnames)
{
    fs_sock *s = (fs_sock *)self;
    Py_buffer view;
    int flags = 0;
    PyObject *addrobj;
    fs_addr a;
    socklen_t len;

    if (fs_reject_kwargs("sendto", kwnames) < 0)
        return NULL;
    if (nargs != 2 && nargs != 3) {
        PyErr_Format(PyExc_TypeError,
                     "sendto() takes 2 or 3 arguments (%zd given)", nargs);
        return NULL;
    }
    /* In the stdlib's order: data, then flags, then the address. */
    if (fs__arg_data(s, args[0], &view) < 0)
        return NULL;
    if (nargs == 3 && fs_arg_int(args[1], &flags) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    addrobj = args[nargs - 1];
    if ((!fs__peer_sockaddr(s, addrobj, &a, &len) &&
         fs_addr_parse(s, addrobj, &a, &len, "sendto()") < 0) ||
        PySys_Audit("socket.sendto", "OO", self, addrobj) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    Py_ssize_t sent = fs_sock_sendto_raw(s, view.buf, view.len, flags, &a,
                                         len);
    PyBuffer_Release(&view);
    if (sent < 0)
        return NULL;
    return PyLong_FromSsize_t(sent);
}

/* ------------------------------------------------------------------ */
/* Methods: options                                                     */
/* ------------------------------------------------------------------ */

static PyObject *
fs__sock_setsockopt(PyObject *self, PyObject *args)
{
    fs_sock *s = (fs_sock *)self;
    int level, optname, ival, res;
    unsigned int optlen;
    Py_buffer view;
    PyObject *none;

#ifdef AF_VSOCK
    /* VSOCK options are 64 bits wide, so an int value is passed as one. */
    unsigned long long vval;
    if (s->family == AF_VSOCK &&
        PyArg_ParseTuple(args, "iiK:setsockopt", &level, &optname, &vval)) {
        uint64_t v64 = vval;
        res = setsockopt(s->fd, level, optname, &v64, sizeof(v64));
        goto done;
    }
    PyErr_Clear();
#endif
    /* setsockopt(level, opt, int) */
    if (PyArg_ParseTuple(args, "iii:setsockopt", &level, &optname, &ival)) {
        res = setsockopt(s->fd, level, optname, &ival, sizeof(ival));
        goto done;
    }
    PyErr_Clear();
    /* setsockopt(level, opt, None, optlen) */
    if (PyArg_ParseTuple(args, "iiO!I:setsockopt", &level, &optname,
                         Py_TYPE(Py_None), &none, &optlen)) {
        res = setsockopt(s->fd, level, optname, NULL, (socklen_t)optlen);
        goto done;
    }
    PyErr_Clear();
    /* setsockopt(level, opt, buffer) */
    if (!PyArg_ParseTuple(args, "iiy*:setsockopt", &level, &optname, &view))
        return NULL;
    res = setsockopt(s->fd, level, optname, view.buf, (socklen_t)view.len);
    PyBuffer_Release(&view);
done:
    if (res < 0)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

static PyObject *
fs__sock_getsockopt(PyObject *self, PyObject *args)
{
    fs_sock *s = (fs_sock *)self;
    int level, optname, buflen = 0;

    if (!PyArg_ParseTuple(args, "ii|i:getsockopt", &level, &optname, &buflen))
        return NULL;
#ifdef AF_VSOCK
    if (buflen == 0 && s->family == AF_VSOCK) {
        /* VSOCK options are 64-bit values (buffer sizes, timeouts). */
        uint64_t v64 = 0;
        socklen_t len = sizeof(v64);
        if (getsockopt(s->fd, level, optname, &v64, &len) < 0)
            return fs_err_errno(errno);
        return PyLong_FromUnsignedLongLong(v64);
    }
#endif
    if (buflen == 0) {
        int v = 0;
        socklen_t len = sizeof(v);
        if (getsockopt(s->fd, level, optname, &v, &len) < 0)
            return fs_err_errno(errno);
        return PyLong_FromLong(v);
    }
    if (buflen < 0 || buflen > 1024) {
        PyErr_SetString(PyExc_OSError, "getsockopt buflen out of range");
        return NULL;
    }
    PyObject *buf = PyBytes_FromStringAndSize(NULL, buflen);
    if (buf == NULL)
        return NULL;
    socklen_t len = (socklen_t)buflen;
    if (getsockopt(s->fd, level, optname, PyBytes_AS_STRING(buf), &len) < 0) {
        Py_DECREF(buf);
        return fs_err_errno(errno);
    }
    if ((Py_ssize_t)len != buflen && _PyBytes_Resize(&buf, len) < 0)
        return NULL;
    return buf;
}

/* ------------------------------------------------------------------ */
/* Type definition                                                      */
/* ------------------------------------------------------------------ */

static PyMethodDef fs__sock_methods[] = {
    {"recv", FS_FASTCALL(fs__sock_recv), METH_FASTCALL | METH_KEYWORDS,
     "recv(bufsize[, flags]) -> data\n\nReceive up to bufsize bytes."},
    {"recv_into", FS_FASTCALL(fs__sock_recv_into), METH_FASTCALL | METH_KEYWORDS,
     "recv_into(buffer, [nbytes[, flags]]) -> nbytes_read"},
    {"recvfrom", FS_FASTCALL(fs__sock_recvfrom), METH_FASTCALL | METH_KEYWORDS,
     "recvfrom(buffersize[, flags]) -> (data, address info)"},
    {"recvfrom_into", FS_FASTCALL(fs__sock_recvfrom_into),
     METH_FASTCALL | METH_KEYWORDS,
     "recvfrom_into(buffer[, nbytes[, flags]]) -> (nbytes, address info)"},
    {"send", FS_FASTCALL(fs__sock_send), METH_FASTCALL | METH_KEYWORDS,
     "send(data[, flags]) -> count"},
    {"sendall", FS_FASTCALL(fs__sock_sendall), METH_FASTCALL | METH_KEYWORDS,
     "sendall(data[, flags])\n\nSend all of data, or raise."},
    {"sendto", FS_FASTCALL(fs__sock_sendto), METH_FASTCALL | METH_KEYWORDS,
     "sendto(data[, flags], address) -> count"},
    {"sendmsg", FS_FASTCALL(fs_sock_sendmsg_kw), METH_FASTCALL | METH_KEYWORDS,
     "sendmsg(buffers[, ancdata[, flags[, address]]]) -> count"},
    {"recvmsg", FS_FASTCALL(fs_sock_recvmsg_kw), METH_FASTCALL | METH_KEYWORDS,
     "recvmsg(bufsize[, ancbufsize[, flags]]) -> (data, ancdata, msg_flags, address)"},
    {"recvmsg_into", FS_FASTCALL(fs_sock_recvmsg_into_kw),
     METH_FASTCALL | METH_KEYWORDS,
     "recvmsg_into(buffers[, ancbufsize[, flags]]) -> (nbytes, ancdata, msg_flags, address)"},
    {"accept", fs__sock_accept, METH_NOARGS,
     "accept() -> (socket object, address info)"},
    {"_accept", fs__sock__accept, METH_NOARGS,
     "_accept() -> (integer file descriptor, address info)"},
    {"bind", fs__sock_bind, METH_O, "bind(address)"},
    {"listen", FS_FASTCALL(fs__sock_listen), METH_FASTCALL | METH_KEYWORDS, "listen([backlog])"},
    {"connect", fs__sock_connect, METH_O, "connect(address)"},
    {"connect_ex", fs__sock_connect_ex, METH_O,
     "connect_ex(address) -> errno"},
    {"close", fs__sock_close, METH_NOARGS,
     "close()\n\nClose the socket; the fd goes once its files are closed."},
    {"_real_close", fs__sock_real_close, METH_NOARGS, "Close the fd now."},
    {"detach", fs__sock_detach, METH_NOARGS,
     "detach() -> fd\n\nRelease the fd without closing it."},
    {"dup", fs__sock_dup, METH_NOARGS, "dup() -> socket object"},
    {"fileno", fs__sock_fileno, METH_NOARGS, "fileno() -> integer"},
    {"getsockname", fs__sock_getsockname, METH_NOARGS,
     "getsockname() -> address info"},
    {"getpeername", fs__sock_getpeername, METH_NOARGS,
     "getpeername() -> address info"},
    {"getsockopt", fs__sock_getsockopt, METH_VARARGS,
     "getsockopt(level, option[, buffersize]) -> value"},
    {"setsockopt", fs__sock_setsockopt, METH_VARARGS,
     "setsockopt(level, option, value: int | buffer)\n"
     "setsockopt(level, option, None, optlen: int)"},
    {"settimeout", fs__sock_settimeout, METH_O, "settimeout(timeout)"},
    {"gettimeout", fs__sock_gettimeout, METH_NOARGS,
     "gettimeout() -> timeout"},
    {"setblocking", fs__sock_setblocking, METH_O, "setblocking(flag)"},
    {"getblocking", fs__sock_getblocking, METH_NOARGS,
     "getblocking() -> bool"},
    {"shutdown", fs__sock_shutdown, METH_O, "shutdown(flag)"},
    {"get_inheritable", fs__sock_get_inheritable, METH_NOARGS,
     "Get the inheritable flag of the socket"},
    {"set_inheritable", fs__sock_set_inheritable, METH_O,
     "Set the inheritable flag of the socket"},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef fs__sock_members[] = {
    {"family", Py_T_INT, offsetof(fs_sock, family), Py_READONLY,
     "the socket family"},
    {"type", Py_T_INT, offsetof(fs_sock, type), Py_READONLY,
     "the socket type"},
    {"proto", Py_T_INT, offsetof(fs_sock, proto), Py_READONLY,
     "the socket protocol"},
    {"_io_refs", Py_T_INT, offsetof(fs_sock, io_refs), 0,
     "open socket files that keep the fd alive"},
    {"_closed", Py_T_BOOL, offsetof(fs_sock, closed), 0,
     "close() has been called"},
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(fs_sock, weakreflist),
     Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyGetSetDef fs__sock_getset[] = {
    {"timeout", fs__sock_timeout_get, NULL,
     "the socket timeout in seconds, or None", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot fs__sock_slots[] = {
    {Py_tp_new, fs__sock_new},
    {Py_tp_init, fs__sock_init},
    {Py_tp_dealloc, fs__sock_dealloc},
    {Py_tp_finalize, fs__sock_finalize},
    {Py_tp_repr, fs__sock_repr},
    {Py_tp_methods, fs__sock_methods},
    {Py_tp_members, fs__sock_members},
    {Py_tp_getset, fs__sock_getset},
    {Py_tp_doc, "socket(family=AF_INET, type=SOCK_STREAM, proto=0, "
                "fileno=None) -> socket object\n\n"
                "A socket whose every operation is done in C."},
    {0, NULL}
};

PyType_Spec fs_sock_spec = {
    .name = "_fastsock.socket",
    .basicsize = sizeof(fs_sock),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = fs__sock_slots,
};
