/* resolve.c - name and service resolution, with the GIL released. */
#include "fastsock.h"

int
fs_resolve_host(fs_state *st, const char *host, struct sockaddr *out,
                size_t outsize, int family)
{
    (void)st; (void)host; (void)out; (void)outsize; (void)family;
    PyErr_SetString(PyExc_NotImplementedError, "resolve");
    return -1;
}

PyObject *
fs_err_gai(fs_state *st, int code)
{
    PyObject *v = Py_BuildValue("(is)", code, gai_strerror(code));
    if (v != NULL) {
        PyErr_SetObject(st->gaierror, v);
        Py_DECREF(v);
    }
    return NULL;
}

PyObject *
fs_err_h(fs_state *st, int code)
{
    PyObject *v = Py_BuildValue("(is)", code, hstrerror(code));
    if (v != NULL) {
        PyErr_SetObject(st->herror, v);
        Py_DECREF(v);
    }
    return NULL;
}

PyMethodDef fs_resolve_functions[] = {
    {NULL, NULL, 0, NULL}
};
