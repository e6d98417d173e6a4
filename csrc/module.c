/*
 * module.c - the _fastsock module: multi-phase init (PEP 489), module state,
 * exceptions, constants, and the small module functions that belong to no
 * other concern (byte order, the default timeout, close/dup, socketpair).
 */
#include "fastsock.h"

#include <fcntl.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Byte order                                                            */
/* ------------------------------------------------------------------ */

/* The 16-bit argument of htons/ntohs, read as the stdlib reads it: the
 * "i" format (so each version words its type and range errors its own way),
 * then the 16-bit range.  3.9 still truncated big values with a warning. */
static int
fs__arg_u16(PyObject *arg, const char *name, uint16_t *out)
{
    int x;
#if PY_VERSION_HEX >= 0x030D0000
    /* 3.13 reads it with the argument-clinic int converter instead. */
    int overflow;
    long v = PyLong_AsLongAndOverflow(arg, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C int");
        return -1;
    }
    x = (int)v;
#else
    if (!PyArg_Parse(arg, "i", &x))
        return -1;
#endif
    if (x < 0) {
        PyErr_Format(PyExc_OverflowError, "%s: can't convert negative "
                     "Python int to C 16-bit unsigned integer", name);
        return -1;
    }
    if (x > 0xffff) {
#if PY_VERSION_HEX < 0x030A0000
        if (PyErr_WarnFormat(PyExc_DeprecationWarning, 1, "%s: Python int "
                             "too large to convert to C 16-bit unsigned "
                             "integer (The silent truncation is deprecated)",
                             name) < 0)
            return -1;
#else
        PyErr_Format(PyExc_OverflowError, "%s: Python int too large to "
                     "convert to C 16-bit unsigned integer", name);
        return -1;
#endif
    }
    *out = (uint16_t)x;
    return 0;
}

/* The 32-bit argument of htonl/ntohl: an int (no __index__), unsigned,
 * at most 32 bits, with the stdlib's messages. */
static int
fs__arg_u32(PyObject *arg, uint32_t *out)
{
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "expected int, %s found",
                     Py_TYPE(arg)->tp_name);
        return -1;
    }
    unsigned long v = PyLong_AsUnsignedLong(arg);
    if (v == (unsigned long)-1 && PyErr_Occurred())
        return -1;
    if (v > 0xffffffffUL) {
        PyErr_SetString(PyExc_OverflowError, "int larger than 32 bits");
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static PyObject *
fs__htons(PyObject *m, PyObject *arg)
{
    (void)m;
    uint16_t v;
    if (fs__arg_u16(arg, "htons", &v) < 0)
        return NULL;
    return PyLong_FromUnsignedLong(htons(v));
}

static PyObject *
fs__ntohs(PyObject *m, PyObject *arg)
{
    (void)m;
    uint16_t v;
    if (fs__arg_u16(arg, "ntohs", &v) < 0)
        return NULL;
    return PyLong_FromUnsignedLong(ntohs(v));
}

static PyObject *
fs__htonl(PyObject *m, PyObject *arg)
{
    (void)m;
    uint32_t v;
    if (fs__arg_u32(arg, &v) < 0)
        return NULL;
    return PyLong_FromUnsignedLong(htonl(v));
}

static PyObject *
fs__ntohl(PyObject *m, PyObject *arg)
{
    (void)m;
    uint32_t v;
    if (fs__arg_u32(arg, &v) < 0)
        return NULL;
    return PyLong_FromUnsignedLong(ntohl(v));
}

/* ------------------------------------------------------------------ */
/* Default timeout                                                       */
/* ------------------------------------------------------------------ */

static PyObject *
fs__getdefaulttimeout(PyObject *m, PyObject *unused)
{
    (void)unused;
    int64_t t = fs_get_state(m)->default_timeout_ns;
    if (t < 0)
        Py_RETURN_NONE;
    return PyFloat_FromDouble((double)t / 1e9);
}

static PyObject *
fs__setdefaulttimeout(PyObject *m, PyObject *arg)
{
    int64_t t;
    if (fs_timeout_from_object(arg, &t) < 0)
        return NULL;
    fs_get_state(m)->default_timeout_ns = t;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* fd-level helpers: close(fd), dup(fd), socketpair()                    */
/* ------------------------------------------------------------------ */

static PyObject *
fs__close(PyObject *m, PyObject *arg)
{
    (void)m;
    int fd, res;
    if (fs_arg_fd(arg, &fd) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    res = close(fd);
    Py_END_ALLOW_THREADS
    /* A close() interrupted by a signal has still released the fd on
     * Linux, and ECONNRESET only reports the peer's state: neither is an
     * error for the caller. */
    if (res < 0 && errno != ECONNRESET && errno != EINTR)
        return fs_err_errno(errno);
    Py_RETURN_NONE;
}

static PyObject *
fs__dup(PyObject *m, PyObject *arg)
{
    (void)m;
    int fd, nfd;
    if (fs_arg_fd(arg, &fd) < 0)
        return NULL;
    nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (nfd < 0)
        return fs_err_errno(errno);
    return PyLong_FromLong(nfd);
}

/* _socketpair(cls, family, type, proto) -> (a, b), both of class cls (the
 * Python-level socket class, a subclass of ours). */
static PyObject *
fs__socketpair(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    fs_state *st = fs_get_state(m);
    int vals[3];
    int fds[2];

    if (nargs != 4) {
        PyErr_Format(PyExc_TypeError,
                     "_socketpair expected 4 arguments, got %zd", nargs);
        return NULL;
    }
    if (!PyType_Check(args[0]) ||
        !PyType_IsSubtype((PyTypeObject *)args[0], st->socket_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "_socketpair: cls must be a socket class");
        return NULL;
    }
    for (Py_ssize_t i = 1; i < 4; i++) {
        long v = PyLong_AsLong(args[i]);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (v < INT_MIN || v > INT_MAX) {
            PyErr_SetString(PyExc_OverflowError,
                            "signed integer is out of range");
            return NULL;
        }
        vals[i - 1] = (int)v;
    }
    PyTypeObject *cls = (PyTypeObject *)args[0];
    if (socketpair(vals[0], vals[1] | SOCK_CLOEXEC, vals[2], fds) < 0)
        return fs_err_errno(errno);
    PyObject *a = fs_sock_from_fd(cls, fds[0], vals[0], vals[1], vals[2]);
    if (a == NULL) {
        close(fds[1]);
        return NULL;
    }
    PyObject *b = fs_sock_from_fd(cls, fds[1], vals[0], vals[1], vals[2]);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    return Py_BuildValue("(NN)", a, b);
}

static PyMethodDef fs__module_functions[] = {
    {"htons", fs__htons, METH_O, "Convert a 16-bit integer from host to network byte order."},
    {"ntohs", fs__ntohs, METH_O, "Convert a 16-bit integer from network to host byte order."},
    {"htonl", fs__htonl, METH_O, "Convert a 32-bit integer from host to network byte order."},
    {"ntohl", fs__ntohl, METH_O, "Convert a 32-bit integer from network to host byte order."},
    {"getdefaulttimeout", fs__getdefaulttimeout, METH_NOARGS,
     "Return the default timeout in seconds (float) for new sockets, or None."},
    {"setdefaulttimeout", fs__setdefaulttimeout, METH_O,
     "Set the default timeout in seconds (float or None) for new sockets."},
    {"close", fs__close, METH_O, "Close an integer socket file descriptor."},
    {"dup", fs__dup, METH_O,
     "Duplicate an integer socket file descriptor (non-inheritable)."},
    {"_socketpair", FS_FASTCALL(fs__socketpair), METH_FASTCALL,
     "_socketpair(cls, family, type, proto) -> (sock, sock)"},
    {NULL, NULL, 0, NULL}
};

/* ------------------------------------------------------------------ */
/* Module init                                                          */
/* ------------------------------------------------------------------ */

/* PyModule_AddObjectRef (3.10+) for every version: add a new reference
 * to `o` under `name`, leaking nothing when adding fails. */
static int
fs__add_ref(PyObject *m, const char *name, PyObject *o)
{
    Py_INCREF(o);
    if (PyModule_AddObject(m, name, o) < 0) {
        Py_DECREF(o);
        return -1;
    }
    return 0;
}

/* herror and gaierror are the stdlib's own classes when _socket can be
 * imported: code that catches socket.gaierror then catches ours too, even
 * in modules that imported the stdlib before fastsock was patched in. */
static int
fs__init_exceptions(PyObject *m, fs_state *st)
{
    PyObject *std = PyImport_ImportModule("_socket");
    if (std != NULL) {
        st->herror = PyObject_GetAttrString(std, "herror");
        st->gaierror = PyObject_GetAttrString(std, "gaierror");
#if PY_VERSION_HEX < 0x030A0000
        /* Before 3.10 socket.timeout was a class of its own, not
         * TimeoutError: share the stdlib's, as for herror and gaierror. */
        st->timeout_error = PyObject_GetAttrString(std, "timeout");
#endif
        Py_DECREF(std);
    }
    PyErr_Clear();
#if PY_VERSION_HEX < 0x030A0000
    if (st->timeout_error == NULL)
        st->timeout_error = PyErr_NewException("fastsock.timeout",
                                               PyExc_OSError, NULL);
#else
    st->timeout_error = Py_NewRef(PyExc_TimeoutError);
#endif
    if (st->herror == NULL)
        st->herror = PyErr_NewException("fastsock.herror", PyExc_OSError, NULL);
    if (st->gaierror == NULL)
        st->gaierror = PyErr_NewException("fastsock.gaierror", PyExc_OSError,
                                          NULL);
    if (st->herror == NULL || st->gaierror == NULL ||
        st->timeout_error == NULL)
        return -1;
    st->str_mode_key = PyUnicode_InternFromString("_fs_str_mode");
    st->sendall_name = PyUnicode_InternFromString("sendall");
    st->fileno_name = PyUnicode_InternFromString("fileno");
    if (st->str_mode_key == NULL || st->sendall_name == NULL ||
        st->fileno_name == NULL)
        return -1;
    if (fs__add_ref(m, "error", PyExc_OSError) < 0)
        return -1;
    if (fs__add_ref(m, "timeout", st->timeout_error) < 0)
        return -1;
    if (fs__add_ref(m, "herror", st->herror) < 0)
        return -1;
    if (fs__add_ref(m, "gaierror", st->gaierror) < 0)
        return -1;
    return 0;
}

static int
fs__add_type(PyObject *m, PyType_Spec *spec, PyObject *base,
             PyTypeObject **slot, const char *name)
{
    PyObject *t = PyType_FromModuleAndSpec(m, spec, base);
    if (t == NULL)
        return -1;
    *slot = (PyTypeObject *)t;
    return fs__add_ref(m, name, t);
}

static int
fs__exec(PyObject *m)
{
    fs_state *st = fs_get_state(m);
    st->default_timeout_ns = FS_BLOCKING;

    if (fs__init_exceptions(m, st) < 0)
        return -1;
    if (fs__add_type(m, &fs_sock_spec, NULL, &st->socket_type, "socket") < 0)
        return -1;
    if (fs__add_ref(m, "SocketType", (PyObject *)st->socket_type) < 0)
        return -1;
    if (fs__add_type(m, &fs_sockfile_spec, NULL, &st->sockfile_type,
                     "SocketFile") < 0)
        return -1;
    if (fs__add_type(m, &fs_socktext_spec, NULL, &st->socktext_type,
                     "SocketTextFile") < 0)
        return -1;
    /* A tuple of bases: CPython 3.9 takes no single type there. */
    PyObject *wbase = fs_sockwriter_base();
    PyObject *wbases = wbase ? PyTuple_Pack(1, wbase) : NULL;
    Py_XDECREF(wbase);
    if (wbases == NULL)
        return -1;
    int r = fs__add_type(m, &fs_sockwriter_spec, wbases,
                         &st->sockwriter_type, "SocketWriter");
    Py_DECREF(wbases);
    if (r < 0)
        return -1;
    if (fs__add_type(m, &fs_server_spec, NULL, &st->server_type,
                     "ServerCore") < 0)
        return -1;
    if (PyModule_AddFunctions(m, fs_sockaddr_functions) < 0 ||
        PyModule_AddFunctions(m, fs_resolve_functions) < 0 ||
        PyModule_AddFunctions(m, fs_sockmsg_functions) < 0 ||
        PyModule_AddFunctions(m, fs_server_functions) < 0)
        return -1;
    if (fs__add_ref(m, "has_ipv6", Py_True) < 0)
        return -1;
    return fs_add_constants(m);
}

static int
fs__traverse(PyObject *m, visitproc visit, void *arg)
{
    fs_state *st = fs_get_state(m);
    Py_VISIT(st->socket_type);
    Py_VISIT(st->sockfile_type);
    Py_VISIT(st->socktext_type);
    Py_VISIT(st->sockwriter_type);
    Py_VISIT(st->server_type);
    Py_VISIT(st->herror);
    Py_VISIT(st->gaierror);
    Py_VISIT(st->timeout_error);
    Py_VISIT(st->str_mode_key);
    Py_VISIT(st->sendall_name);
    Py_VISIT(st->fileno_name);
    return 0;
}

static int
fs__clear(PyObject *m)
{
    fs_state *st = fs_get_state(m);
    Py_CLEAR(st->socket_type);
    Py_CLEAR(st->sockfile_type);
    Py_CLEAR(st->socktext_type);
    Py_CLEAR(st->sockwriter_type);
    Py_CLEAR(st->server_type);
    Py_CLEAR(st->herror);
    Py_CLEAR(st->gaierror);
    Py_CLEAR(st->timeout_error);
    Py_CLEAR(st->str_mode_key);
    Py_CLEAR(st->sendall_name);
    Py_CLEAR(st->fileno_name);
    return 0;
}

static void
fs__free(void *m)
{
    fs__clear((PyObject *)m);
}

static PyModuleDef_Slot fs__slots[] = {
    {Py_mod_exec, fs__exec},
    {0, NULL}
};

PyModuleDef fs_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_fastsock",
    .m_doc = "The C core of fastsock: sockets, addresses, resolution, "
             "socket files and the server loop.",
    .m_size = sizeof(fs_state),
    .m_methods = fs__module_functions,
    .m_slots = fs__slots,
    .m_traverse = fs__traverse,
    .m_clear = fs__clear,
    .m_free = fs__free,
};

PyMODINIT_FUNC
PyInit__fastsock(void)
{
    return PyModuleDef_Init(&fs_module_def);
}
