/* server.c - the server core: wait, accept, dispatch, shut down. */
#include "fastsock.h"

typedef struct {
    PyObject_HEAD
} fs_server;

static PyType_Slot fs__server_slots[] = {
    {0, NULL}
};

PyType_Spec fs_server_spec = {
    .name = "_fastsock.ServerCore",
    .basicsize = sizeof(fs_server),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = fs__server_slots,
};

PyMethodDef fs_server_functions[] = {
    {NULL, NULL, 0, NULL}
};
