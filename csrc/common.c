/*
 * common.c - the small helpers every other file may call, and that depend
 * on nothing but Python and libc: errno to OSError, attribute lookup by a
 * C string, the monotonic clock, and the reading of a timeout in seconds.
 *
 * They used to live in sockobj.c, which made the address, resolver and
 * ancillary-data files depend on the socket object for no reason of their
 * concern.  Nothing here knows about sockets.
 */
#include "fastsock.h"

#include <math.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

PyObject *
fs_err_errno(int err)
{
    errno = err;
    return PyErr_SetFromErrno(PyExc_OSError);
}

/* ------------------------------------------------------------------ */
/* Attributes                                                           */
/* ------------------------------------------------------------------ */

/* getattr(obj, name) with the name interned.  PyObject_GetAttrString
 * makes a new name string per call, and the type attribute cache keeps
 * such strings alive: repeated calls would pile them up. */
PyObject *
fs_getattr(PyObject *obj, const char *name)
{
    PyObject *key = PyUnicode_InternFromString(name);
    if (key == NULL)
        return NULL;
    PyObject *res = PyObject_GetAttr(obj, key);
    Py_DECREF(key);
    return res;
}

/* ------------------------------------------------------------------ */
/* Time and timeouts                                                    */
/* ------------------------------------------------------------------ */

int64_t
fs_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The stdlib's overflow messages for a timeout, which changed over time:
 * ints say "too large to convert" (the type lost its underscore in 3.13),
 * floats say "out of range for platform time_t" from 3.11.3 on (the fix of
 * gh-97786 reached 3.11 in a bugfix release: Debian 12's 3.11.2 still
 * words a float like an int).  Versions after 3.13 get the newest. */
#if PY_VERSION_HEX >= 0x030D0000
#define FS__TIME_INT_OVERFLOW "timestamp too large to convert to C PyTime_t"
#else
#define FS__TIME_INT_OVERFLOW "timestamp too large to convert to C _PyTime_t"
#endif
#if PY_VERSION_HEX >= 0x030B0300
#define FS__TIME_FLOAT_OVERFLOW "timestamp out of range for platform time_t"
#else
#define FS__TIME_FLOAT_OVERFLOW FS__TIME_INT_OVERFLOW
#endif

/* Float seconds -> nanoseconds, rounded up so that a tiny positive timeout
 * never becomes "non-blocking".  Overflow is checked before the sign, as
 * the stdlib does (settimeout(-1e300) is an OverflowError there). */
static int
fs__timeout_from_double(double d, int64_t *out)
{
    if (isnan(d)) {
        PyErr_SetString(PyExc_ValueError, "Invalid value NaN (not a number)");
        return -1;
    }
    double ns = ceil(d * 1e9);
    /* The int64 range, [-2**63, 2**63), exactly representable as doubles. */
    if (!(ns < 9223372036854775808.0 && ns >= -9223372036854775808.0)) {
        PyErr_SetString(PyExc_OverflowError, FS__TIME_FLOAT_OVERFLOW);
        return -1;
    }
    if (d < 0) {
        PyErr_SetString(PyExc_ValueError, "Timeout value out of range");
        return -1;
    }
    *out = (int64_t)ns;
    return 0;
}

/* Seconds (int or float, or None) -> nanoseconds, with FS_BLOCKING for
 * None.  Integers are read with PyLong_AsLongLongAndOverflow, which accepts
 * on each Python version what that version's stdlib accepts. */
int
fs_timeout_from_object(PyObject *obj, int64_t *out)
{
    if (obj == Py_None) {
        *out = FS_BLOCKING;
        return 0;
    }
    if (PyFloat_Check(obj))
        return fs__timeout_from_double(PyFloat_AS_DOUBLE(obj), out);
    int overflow;
    long long secs = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (secs == -1 && PyErr_Occurred())
        return -1;
    if (overflow || secs > INT64_MAX / 1000000000 ||
        secs < -(INT64_MAX / 1000000000)) {
        PyErr_SetString(PyExc_OverflowError, FS__TIME_INT_OVERFLOW);
        return -1;
    }
    if (secs < 0) {
        PyErr_SetString(PyExc_ValueError, "Timeout value out of range");
        return -1;
    }
    *out = (int64_t)secs * 1000000000;
    return 0;
}
