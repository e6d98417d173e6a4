/*
 * args.c - argument conversions shared by the socket methods, ancillary
 * data and the module functions.
 *
 * Our methods are METH_FASTCALL for speed, but their errors must read as
 * those of the stdlib, whose methods mostly parse with PyArg_ParseTuple.
 * So plain ints take a fast path, and anything else goes through
 * PyArg_Parse with the stdlib's format letter: each Python version then
 * words its errors exactly as its own stdlib does.
 */
#include "fastsock.h"

int
fs_arg_int(PyObject *o, int *out)
{
    if (PyLong_CheckExact(o)) {
        int overflow;
        long v = PyLong_AsLongAndOverflow(o, &overflow);
        if (!overflow && v >= INT_MIN && v <= INT_MAX) {
            *out = (int)v;
            return 0;
        }
    }
    return PyArg_Parse(o, "i", out) ? 0 : -1;
}

int
fs_arg_ssize(PyObject *o, Py_ssize_t *out)
{
    if (PyLong_CheckExact(o)) {
        Py_ssize_t v = PyLong_AsSsize_t(o);
        if (v != -1 || !PyErr_Occurred()) {
            *out = v;
            return 0;
        }
        PyErr_Clear();
    }
    return PyArg_Parse(o, "n", out) ? 0 : -1;
}

int
fs_check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
               Py_ssize_t max)
{
    if (nargs >= min && nargs <= max)
        return 0;
    Py_ssize_t bound = nargs < min ? min : max;
    const char *how = min == max ? "exactly" :
                      nargs < min ? "at least" : "at most";
    PyErr_Format(PyExc_TypeError, "%s() takes %s %zd argument%s (%zd given)",
                 name, how, bound, bound == 1 ? "" : "s", nargs);
    return -1;
}

/* The stdlib's socket methods take positional arguments only and say so
 * with their bare name; METH_FASTCALL alone would prefix the type's name. */
int
fs_reject_kwargs(const char *fname, PyObject *kwnames)
{
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) {
        PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments",
                     fname);
        return -1;
    }
    return 0;
}

PyObject *
fs_args_tuple(PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *t = PyTuple_New(nargs);
    if (t == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < nargs; i++)
        PyTuple_SET_ITEM(t, i, Py_NewRef(args[i]));
    return t;
}
