/*
 * sockwriter.c - SocketWriter, the write-through file that
 * StreamRequestHandler gives a handler as wfile when wbufsize is 0 (the
 * default): the C base of fastsock.socketserver._SocketWriter.
 *
 * The stdlib's socketserver._SocketWriter is a small io.BufferedIOBase
 * written in Python: write(b) calls self._sock.sendall(b) and returns
 * memoryview(b).nbytes.  That is a Python frame, two attribute lookups and
 * a memoryview with its context manager on every write of every handler.
 * SocketWriter does the same steps in C.  It derives from the io module's
 * _io._BufferedIOBase, so everything else a handler may call on it (close,
 * closed, flush, writelines, the context manager, the read methods that
 * raise UnsupportedOperation, the finalizer) is the io module's own code,
 * as it is for the stdlib's class; fastsock.socketserver._SocketWriter puts
 * io.BufferedIOBase on top, as the stdlib's class has it.
 *
 * write() and fileno() call the socket's own methods through the same
 * lookup as the stdlib's `self._sock.sendall(b)`, so a socket class that
 * overrides sendall(), or a socket of another module (an ssl socket a
 * server's get_request() made), is served as under the stdlib.
 */
#include "fastsock.h"

/* The object: _io._IOBase's fields, then ours.  The base's layout is not
 * in any public header, so the type is made only after checking that the
 * base's size and offsets are these (fs_sockwriter_base). */
typedef struct {
    PyObject_HEAD
    PyObject *iobase_dict;          /* _io._IOBase's instance dict */
    PyObject *iobase_weakreflist;   /* and its weak references */
    PyObject *sock;                 /* the stdlib's self._sock */
} fs_sockwriter;

static fs_state *
fs__writer_state(PyTypeObject *defining_class)
{
    return (fs_state *)PyType_GetModuleState(defining_class);
}

/* Parse the one argument `name` of a method written in Python as
 * `def method(self, name)`, passed by position or by keyword.  The common
 * call (one positional argument) costs a comparison; any other goes
 * through the argument parser, for its errors. */
static int
fs__writer_arg(const char *method, const char *name, PyObject *const *args,
               Py_ssize_t nargs, PyObject *kwnames, PyObject **out)
{
    if (nargs == 1 && (kwnames == NULL || PyTuple_GET_SIZE(kwnames) == 0)) {
        *out = args[0];
        return 0;
    }
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    PyObject *tuple = fs_args_tuple(args, nargs), *dict = PyDict_New();
    int ok = tuple != NULL && dict != NULL;
    for (Py_ssize_t i = 0; ok && i < nkw; i++)
        ok = PyDict_SetItem(dict, PyTuple_GET_ITEM(kwnames, i),
                            args[nargs + i]) == 0;
    char fmt[32];
    char *kwlist[] = {(char *)name, NULL};
    PyOS_snprintf(fmt, sizeof(fmt), "O:%s", method);
    ok = ok && PyArg_ParseTupleAndKeywords(tuple, dict, fmt, kwlist, out);
    Py_XDECREF(tuple);
    Py_XDECREF(dict);
    /* *out is borrowed from the caller's arguments, which outlive us. */
    return ok ? 0 : -1;
}

/* self._sock, or the AttributeError of an instance without one (a
 * subclass whose __init__ did not call ours, or `del w._sock`). */
static PyObject *
fs__writer_sock(PyObject *self)
{
    PyObject *sock = ((fs_sockwriter *)self)->sock;
    if (sock == NULL)
        PyErr_Format(PyExc_AttributeError,
                     "'%.100s' object has no attribute '_sock'",
                     Py_TYPE(self)->tp_name);
    return sock;
}

/* memoryview(b).nbytes, for a b that sendall() just took. */
static Py_ssize_t
fs__writer_nbytes(PyObject *b)
{
    if (PyBytes_CheckExact(b))
        return PyBytes_GET_SIZE(b);
    if (PyByteArray_CheckExact(b))
        return PyByteArray_GET_SIZE(b);
    PyObject *view = PyMemoryView_FromObject(b);
    if (view == NULL)
        return -1;
    Py_ssize_t n = PyMemoryView_GET_BUFFER(view)->len;
    Py_DECREF(view);
    return n;
}

/* write(b): self._sock.sendall(b), then the size of b in bytes. */
static PyObject *
fs__writer_write(PyObject *self, PyTypeObject *defining_class,
                 PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *b, *sock;
    if (fs__writer_arg("write", "b", args, nargs, kwnames, &b) < 0 ||
        (sock = fs__writer_sock(self)) == NULL)
        return NULL;
    /* The call holds its own reference to the socket: a handler thread may
     * replace _sock while this one waits in sendall(). */
    Py_INCREF(sock);
    PyObject *stack[3] = {NULL, sock, b};
    PyObject *r = PyObject_VectorcallMethod(
        fs__writer_state(defining_class)->sendall_name, stack + 1,
        2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    Py_DECREF(sock);
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    Py_ssize_t n = fs__writer_nbytes(b);
    return n < 0 ? NULL : PyLong_FromSsize_t(n);
}

/* fileno(): the socket's, even once this file is closed, as the stdlib's. */
static PyObject *
fs__writer_fileno(PyObject *self, PyTypeObject *defining_class,
                  PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)args;
    PyObject *sock;
    if (fs_check_nargs("fileno", nargs, 0, 0) < 0 ||
        fs_reject_kwargs("fileno", kwnames) < 0 ||
        (sock = fs__writer_sock(self)) == NULL)
        return NULL;
    Py_INCREF(sock);
    PyObject *r = PyObject_CallMethodNoArgs(
        sock, fs__writer_state(defining_class)->fileno_name);
    Py_DECREF(sock);
    return r;
}

/* writable(): True, closed or not, as the stdlib's. */
static PyObject *
fs__writer_writable(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_RETURN_TRUE;
}

/* __init__(sock) */
static int
fs__writer_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"sock", NULL};
    PyObject *sock;
    if (kwds == NULL && PyTuple_GET_SIZE(args) == 1)
        sock = PyTuple_GET_ITEM(args, 0);
    else if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:__init__", kwlist,
                                          &sock))
        return -1;
    Py_XSETREF(((fs_sockwriter *)self)->sock, Py_NewRef(sock));
    return 0;
}

static int
fs__writer_traverse(PyObject *self, visitproc visit, void *arg)
{
    fs_sockwriter *w = (fs_sockwriter *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(w->iobase_dict);
    Py_VISIT(w->sock);
    return 0;
}

static int
fs__writer_clear(PyObject *self)
{
    fs_sockwriter *w = (fs_sockwriter *)self;
    Py_CLEAR(w->iobase_dict);
    Py_CLEAR(w->sock);
    return 0;
}

/* What _io._IOBase's own dealloc does (run the finalizer, which closes the
 * file, then let go of the weak references and the dict), and our field. */
static void
fs__writer_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (PyObject_CallFinalizerFromDealloc(self) < 0)
        return;     /* resurrected by the finalizer */
    PyObject_GC_UnTrack(self);
    if (((fs_sockwriter *)self)->iobase_weakreflist != NULL)
        PyObject_ClearWeakRefs(self);
    fs__writer_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef fs__writer_methods[] = {
    {"write", (PyCFunction)(void (*)(void))fs__writer_write,
     METH_METHOD | METH_FASTCALL | METH_KEYWORDS,
     "write($self, b)\n--\n\nSend all of b (sendall), and return its size "
     "in bytes."},
    {"fileno", (PyCFunction)(void (*)(void))fs__writer_fileno,
     METH_METHOD | METH_FASTCALL | METH_KEYWORDS,
     "fileno($self)\n--\n\nThe socket's file descriptor."},
    {"writable", fs__writer_writable, METH_NOARGS,
     "writable($self)\n--\n\nTrue."},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef fs__writer_members[] = {
    {"_sock", Py_T_OBJECT_EX, offsetof(fs_sockwriter, sock), 0,
     "the socket written to"},
    {NULL, 0, 0, 0, NULL}
};

static PyType_Slot fs__writer_slots[] = {
    {Py_tp_init, fs__writer_init},
    {Py_tp_dealloc, fs__writer_dealloc},
    {Py_tp_traverse, fs__writer_traverse},
    {Py_tp_clear, fs__writer_clear},
    {Py_tp_methods, fs__writer_methods},
    {Py_tp_members, fs__writer_members},
    {Py_tp_doc, "SocketWriter(sock)\n\n"
                "A write-through binary file on a socket: every write() is "
                "one sendall(), so nothing waits in a buffer for flush()."},
    {0, NULL}
};

PyType_Spec fs_sockwriter_spec = {
    .name = "_fastsock.SocketWriter",
    .basicsize = sizeof(fs_sockwriter),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = fs__writer_slots,
};

/* The base of the type, _io._BufferedIOBase, once its layout is checked
 * to be the one fs_sockwriter starts with (it is on CPython 3.9-3.13). */
PyObject *
fs_sockwriter_base(void)
{
    PyObject *io = PyImport_ImportModule("_io");
    if (io == NULL)
        return NULL;
    PyObject *base = fs_getattr(io, "_BufferedIOBase");
    Py_DECREF(io);
    if (base == NULL)
        return NULL;
    PyTypeObject *bt = (PyTypeObject *)base;
    if (PyType_Check(base) && bt->tp_itemsize == 0 &&
        bt->tp_basicsize == (Py_ssize_t)offsetof(fs_sockwriter, sock) &&
        bt->tp_dictoffset == (Py_ssize_t)offsetof(fs_sockwriter,
                                                  iobase_dict) &&
        bt->tp_weaklistoffset == (Py_ssize_t)offsetof(fs_sockwriter,
                                                      iobase_weakreflist))
        return base;
    Py_DECREF(base);
    PyErr_SetString(PyExc_SystemError, "fastsock: _io._BufferedIOBase has "
                    "a layout this build does not know");
    return NULL;
}
