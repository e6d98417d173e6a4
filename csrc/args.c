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
fs_arg_clinic_int(PyObject *o, int *out)
{
    int overflow;
    long v = PyLong_AsLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v > INT_MAX || v < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C int");
        return -1;
    }
    *out = (int)v;
    return 0;
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

/* The one argument-count check.  Too few arguments read the same
 * everywhere; too many read as the socket methods say it, or (`io_style`)
 * as the io module's methods, which the socket file stands in for, say it:
 * "readline expected at most 1 argument, got 2". */
static int
fs__check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
                Py_ssize_t max, int io_style)
{
    if (nargs >= min && nargs <= max)
        return 0;
    Py_ssize_t bound = nargs < min ? min : max;
    if (io_style && nargs > max) {
        PyErr_Format(PyExc_TypeError, "%s expected at most %zd argument%s, "
                     "got %zd", name, max, max == 1 ? "" : "s", nargs);
        return -1;
    }
    const char *how = min == max && !io_style ? "exactly" :
                      nargs < min ? "at least" : "at most";
    PyErr_Format(PyExc_TypeError, "%s() takes %s %zd argument%s (%zd given)",
                 name, how, bound, bound == 1 ? "" : "s", nargs);
    return -1;
}

int
fs_check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
               Py_ssize_t max)
{
    return fs__check_nargs(name, nargs, min, max, 0);
}

int
fs_check_io_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
                  Py_ssize_t max)
{
    return fs__check_nargs(name, nargs, min, max, 1);
}

int
fs_arg_opt_size(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t dflt,
                Py_ssize_t *out)
{
    if (nargs < 1 || args[0] == Py_None) {
        *out = dflt;
        return 0;
    }
    if (!PyIndex_Check(args[0])) {
        PyErr_Format(PyExc_TypeError,
                     "argument should be integer or None, not '%.200s'",
                     Py_TYPE(args[0])->tp_name);
        return -1;
    }
    Py_ssize_t v = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
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

int
fs_arg_fd(PyObject *arg, int *fd)
{
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "fd is out of range");
        return -1;
    }
    *fd = (int)v;
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
