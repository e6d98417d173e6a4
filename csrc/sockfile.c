/* sockfile.c - the buffered socket file behind makefile() and rfile/wfile. */
#include "fastsock.h"

typedef struct {
    PyObject_HEAD
} fs_sockfile;

static PyType_Slot fs__sockfile_slots[] = {
    {0, NULL}
};

PyType_Spec fs_sockfile_spec = {
    .name = "_fastsock.SocketFile",
    .basicsize = sizeof(fs_sockfile),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = fs__sockfile_slots,
};
