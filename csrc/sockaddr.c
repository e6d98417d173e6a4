/* sockaddr.c - Python addresses <-> struct sockaddr; inet_* conversions. */
#include "fastsock.h"

int
fs_addr_parse(fs_sock *s, PyObject *addr, fs_addr *out, socklen_t *outlen,
              const char *caller)
{
    (void)s; (void)addr; (void)out; (void)outlen;
    PyErr_Format(PyExc_NotImplementedError, "%s: address parsing", caller);
    return -1;
}

PyObject *
fs_addr_make(fs_state *st, const struct sockaddr *sa, socklen_t len, int proto)
{
    (void)st; (void)sa; (void)len; (void)proto;
    Py_RETURN_NONE;
}

PyMethodDef fs_sockaddr_functions[] = {
    {NULL, NULL, 0, NULL}
};
