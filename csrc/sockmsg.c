/* sockmsg.c - sendmsg(), recvmsg(), recvmsg_into() and ancillary data. */
#include "fastsock.h"

PyObject *
fs_sock_sendmsg(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self; (void)args; (void)nargs;
    PyErr_SetString(PyExc_NotImplementedError, "sendmsg");
    return NULL;
}

PyObject *
fs_sock_recvmsg(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self; (void)args; (void)nargs;
    PyErr_SetString(PyExc_NotImplementedError, "recvmsg");
    return NULL;
}

PyObject *
fs_sock_recvmsg_into(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self; (void)args; (void)nargs;
    PyErr_SetString(PyExc_NotImplementedError, "recvmsg_into");
    return NULL;
}

PyMethodDef fs_sockmsg_functions[] = {
    {NULL, NULL, 0, NULL}
};
