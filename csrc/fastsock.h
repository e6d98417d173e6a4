/*
 * fastsock.h - the one private header shared by every C file of _fastsock.
 *
 * Each .c file owns one concern; this header is the contract between them.
 * Prefixes: fs_ for what other files may call, fs__ for file-local helpers
 * (declared static in their own file, never here).
 *
 * Data flows one way: the Python wrapper calls a method of the C socket
 * object, which calls the I/O driver (fs_sock_call), which makes the syscall.
 */
#ifndef FASTSOCK_H
#define FASTSOCK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
/* PyMemberDef's type codes and flags: Py_T_* and Py_READONLY in Python.h
 * from 3.12, which deprecates structmember.h's T_* and READONLY.  Older
 * versions get the new names from the old header. */
#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_INT        T_INT
#define Py_T_BOOL       T_BOOL
#define Py_T_PYSSIZET   T_PYSSIZET
#define Py_T_OBJECT_EX  T_OBJECT_EX
#define Py_READONLY     READONLY
#endif

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>

/* Py_NewRef arrived in 3.10; the extension also builds on 3.9. */
#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *
Py_NewRef(PyObject *o)
{
    Py_INCREF(o);
    return o;
}
#endif

/* Private API: none but _PyBytes_Resize, which shrinks a bytes object we
 * have just made to the length a syscall filled (every CPython has it, and
 * the public alternative is a second allocation and copy per recv).
 * tests/test_capi.py fails on any other private symbol. */

/* Take the raised exception (NULL if none), normalized and with its
 * traceback attached, and raise it again (stealing the reference; NULL
 * leaves no exception set).  PyErr_Fetch and PyErr_Restore are deprecated
 * from 3.12, where one object carries the exception. */
static inline PyObject *
fs_err_fetch(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (v != NULL && tb != NULL)
        PyException_SetTraceback(v, tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
#endif
}

static inline void
fs_err_restore(PyObject *exc)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    if (exc == NULL) {
        PyErr_Clear();
        return;
    }
    PyObject *tb = PyException_GetTraceback(exc);
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(exc)), exc, tb);
#endif
}

/* A METH_FASTCALL function (with or without METH_KEYWORDS) as the
 * PyCFunction a PyMethodDef holds; the detour through void (*)(void) tells
 * the compiler the signature mismatch is meant. */
#define FS_FASTCALL(f) ((PyCFunction)(void (*)(void))(f))

/* ------------------------------------------------------------------ */
/* Module state (PEP 573): everything that would otherwise be global.   */
/* ------------------------------------------------------------------ */

typedef struct {
    PyTypeObject *socket_type;      /* _fastsock.socket */
    PyTypeObject *sockfile_type;    /* _fastsock.SocketFile (sockfile.c) */
    PyTypeObject *socktext_type;    /* _fastsock.SocketTextFile (socktext.c) */
    PyTypeObject *server_type;      /* _fastsock.ServerCore (server.c) */
    PyObject *herror;               /* _fastsock.herror, subclass of OSError */
    PyObject *gaierror;             /* _fastsock.gaierror, subclass of OSError */
    int64_t default_timeout_ns;     /* setdefaulttimeout(); -1 means None */
    PyObject *timeout_error;        /* socket.timeout: TimeoutError on 3.10+,
                                     * the stdlib's own class on 3.9 */
} fs_state;

/* The module definition, so heap types can find their module again. */
extern PyModuleDef fs_module_def;

/* Module state of the module object `m`. */
static inline fs_state *
fs_get_state(PyObject *m)
{
    return (fs_state *)PyModule_GetState(m);
}

/* ------------------------------------------------------------------ */
/* Common helpers (common.c): no socket involved                        */
/* ------------------------------------------------------------------ */

/* Set an OSError subclass from errno (like PyErr_SetFromErrno); returns
 * NULL so that a method can `return fs_err_errno(errno);`. */
PyObject *fs_err_errno(int err);

/* getattr(obj, name) with `name` interned (sockfile.c, socktext.c). */
PyObject *fs_getattr(PyObject *obj, const char *name);

/* Monotonic clock in nanoseconds. */
int64_t fs_monotonic_ns(void);

/* Sentinels of a timeout in nanoseconds (fs_sock.timeout_ns). */
#define FS_BLOCKING   ((int64_t)-1)   /* settimeout(None): plain blocking fd */
#define FS_NONBLOCK   ((int64_t)0)    /* settimeout(0): EAGAIN -> BlockingIOError */

/* Convert a timeout in seconds (int, float, or None) to nanoseconds, with
 * FS_BLOCKING for None; ValueError for negative or NaN (module.c uses it for
 * setdefaulttimeout, sockobj.c for settimeout). */
int fs_timeout_from_object(PyObject *obj, int64_t *out);

/* ------------------------------------------------------------------ */
/* The socket object (sockobj.c)                                        */
/* ------------------------------------------------------------------ */

/* Every address family this module can put into a sockaddr. */
typedef union {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    struct sockaddr_storage storage;
} fs_addr;

typedef struct {
    PyObject_HEAD
    int fd;                 /* -1 once closed or detached */
    int family;
    int type;               /* without SOCK_NONBLOCK / SOCK_CLOEXEC bits */
    int proto;
    int64_t timeout_ns;     /* FS_BLOCKING, FS_NONBLOCK or a timeout > 0 */
    fs_state *st;           /* borrowed: our type holds the module alive */
    char *scratch;          /* lazily allocated buffer for huge recv(n) */
    int scratch_busy;       /* set under the GIL while a call uses scratch */
    int io_refs;            /* open socket files (makefile) using this fd */
    char closed;            /* close() was called; fd goes with the last file */
    /* The driver's attempts under the GIL on a blocking socket, per
     * direction (0 read, 1 write): calls left to skip them, and the length
     * of the next skip after a miss (see fs__held_wanted in iodriver.c). */
    unsigned char held_skip[2];
    unsigned char held_backoff[2];
    /* The IP address tuple recvfrom() or getsockname() last returned and
     * the sockaddr it was made from: the same sockaddr gets the same tuple
     * again, and sendto() given that very tuple uses the sockaddr as it is
     * (fs_sock_peer_address; sockobj.c's fs__peer_sockaddr). */
    PyObject *peer_obj;
    socklen_t peer_len;
    fs_addr peer;
    PyObject *weakreflist;
} fs_sock;

/* recvfrom()'s address object for the sockaddr `a` (new reference), from
 * the socket's one-entry cache when it is the address seen last (sockobj.c,
 * server.c's UDP get_request). */
PyObject *fs_sock_peer_address(fs_sock *s, const fs_addr *a, socklen_t len);

/* Socket files call these as they open and close: the fd is really closed
 * when close() has been called and the last file is gone. */
void fs_sock_incref_io(fs_sock *s);
int fs_sock_decref_io(fs_sock *s);

/* Is `o` an instance of our socket type (or a subclass)? */
int fs_is_socket(fs_state *st, PyObject *o);

/* Create an instance of `type` (a subclass of our socket type, or the type
 * itself) adopting `fd` with the given family/type/proto; applies the
 * default timeout as socket() does.  Steals fd even on failure (closes it). */
PyObject *fs_sock_from_fd(PyTypeObject *type, int fd, int family, int stype,
                          int proto);

/* Type spec, used by module.c to create the heap type. */
extern PyType_Spec fs_sock_spec;

/* ------------------------------------------------------------------ */
/* The I/O driver (iodriver.c)                                          */
/* ------------------------------------------------------------------ */

/* A deadline on the monotonic clock, in nanoseconds; 0 when unset. */
typedef int64_t fs_deadline;

/*
 * The I/O driver.  Every syscall on a socket goes through fs_sock_call:
 * `fn` performs ONE attempt of the syscall on `fd` and returns -1 with
 * errno set on failure; it must not touch Python objects, since it may run
 * without the GIL.  `dontwait` is 0 or MSG_DONTWAIT, for `fn` to add to the
 * call's flags.  fs_sock_call owns everything else: releasing the GIL,
 * retrying on EINTR after running signal handlers (PEP 475), and, for a
 * socket with a timeout, polling on EAGAIN up to the deadline.
 *
 * The first attempt runs with the GIL still held whenever it cannot block:
 * on a socket with a timeout or in non-blocking mode (its fd is
 * O_NONBLOCK), or on a blocking socket when `how` has FS_IO_DONTWAIT, with
 * `dontwait` set.  The GIL is released only to wait.  A ready socket thus
 * costs one syscall and no GIL hand-off, which is what keeps a thread that
 * gives up the GIL for a microsecond from queueing behind the others.  On
 * a blocking socket a miss costs a syscall the stdlib does not make, so
 * after misses the attempt is skipped for a growing number of calls.
 *
 * `how` is FS_IO_READ or FS_IO_WRITE (which readiness to poll for), or'ed
 * with FS_IO_DONTWAIT when `fn` honours `dontwait` with the same meaning as
 * the blocking call.  A send on a stream socket that moves only part of the
 * data under MSG_DONTWAIT must keep that part and report EAGAIN, so that the
 * blocking attempt sends the rest, as one blocking send() would have.
 *
 * `deadline`, when not NULL, is shared across several calls so that one
 * timeout covers a whole operation (sendall); it is armed on first use.
 *
 * Returns 0 on success, -1 with a Python exception set (TimeoutError
 * "timed out", BlockingIOError, or the OSError subclass for errno).
 */
#define FS_IO_READ      0
#define FS_IO_WRITE     1
#define FS_IO_DONTWAIT  2
typedef int (*fs_io_fn)(int fd, void *ctx, int dontwait);
int fs_sock_call(fs_sock *s, int how, fs_io_fn fn, void *ctx,
                 fs_deadline *deadline);

/* Raw helpers over the driver (iodriver.c): one call each, with the
 * stdlib's semantics of the method of the same name, but taking and
 * returning C values.  Each returns the byte count, or -1 with an
 * exception set; a closed socket raises OSError(EBADF).  recv and send
 * serve sockobj.c and sockfile.c, recvfrom sockobj.c and server.c. */
Py_ssize_t fs_sock_recv_raw(fs_sock *s, char *buf, Py_ssize_t len, int flags);
Py_ssize_t fs_sock_recvfrom_raw(fs_sock *s, char *buf, Py_ssize_t len,
                                int flags, fs_addr *addr, socklen_t *addrlen);
Py_ssize_t fs_sock_send_raw(fs_sock *s, const char *buf, Py_ssize_t len,
                            int flags);
Py_ssize_t fs_sock_sendto_raw(fs_sock *s, const char *buf, Py_ssize_t len,
                              int flags, const fs_addr *addr,
                              socklen_t addrlen);
/* sendall() in C, for sockobj.c: loops until all of buf is sent or an
 * error, under one deadline for the whole call. */
int fs_sock_sendall_raw(fs_sock *s, const char *buf, Py_ssize_t len,
                        int flags);

/* accept() in C (sockobj.c, server.c): returns the new fd (close-on-exec,
 * inherits nothing) and fills addr/addrlen, or -1 with an exception set. */
int fs_sock_accept_raw(fs_sock *s, fs_addr *addr, socklen_t *addrlen);

/* The rest of a connect() that returned EINTR or, with a timeout,
 * EINPROGRESS (sockobj.c): waits until the fd is writable (up to the
 * timeout, or without limit on a blocking socket) and stores the outcome,
 * an errno value or 0, in *err.  -1 with an exception set on timeout or
 * when a signal handler raised. */
int fs_sock_connect_wait(fs_sock *s, int *err);

/* ------------------------------------------------------------------ */
/* Arguments (args.c): conversions that word their errors as the        */
/* stdlib's parser does, with fast paths for plain ints.                 */
/* ------------------------------------------------------------------ */

/* A C int as the "i" format reads one. */
int fs_arg_int(PyObject *o, int *out);
/* A Py_ssize_t as the "n" format reads one. */
int fs_arg_ssize(PyObject *o, Py_ssize_t *out);
/* TypeError "name() takes at least/at most/exactly N arguments (M given)". */
int fs_check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
                   Py_ssize_t max);
/* The same check, with too many arguments worded as the io module's
 * methods word it ("name expected at most N arguments, got M"), for the
 * socket files. */
int fs_check_io_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
                      Py_ssize_t max);
/* An optional size argument as the io module's methods read one: missing
 * or None gives `dflt`, else an index (TypeError for anything else). */
int fs_arg_opt_size(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t dflt,
                    Py_ssize_t *out);
/* TypeError "fname() takes no keyword arguments" if kwnames is not empty. */
int fs_reject_kwargs(const char *fname, PyObject *kwnames);
/* A file descriptor as the module's close(fd) and dup(fd) read one: any
 * int in C int range, OverflowError "fd is out of range" beyond (module.c;
 * server.c's watch/unwatch). */
int fs_arg_fd(PyObject *arg, int *fd);
/* A tuple of fast-call arguments, for falling back to PyArg_ParseTuple so
 * that unusual arguments get the stdlib's exact messages. */
PyObject *fs_args_tuple(PyObject *const *args, Py_ssize_t nargs);

/* ------------------------------------------------------------------ */
/* Addresses (sockaddr.c)                                               */
/* ------------------------------------------------------------------ */

/*
 * Convert a Python address for socket `s` (its family decides the form)
 * into *out / *outlen.  `caller` names the method for error messages, e.g.
 * "connect()" -> "connect(): AF_INET address must be tuple, not str".
 * Host names are resolved (GIL released).  Returns 0, or -1 with the
 * exception the stdlib would raise (TypeError, OverflowError, OSError,
 * gaierror, ValueError for an embedded NUL...).
 */
int fs_addr_parse(fs_sock *s, PyObject *addr, fs_addr *out, socklen_t *outlen,
                  const char *caller);

/* Python object for a sockaddr, in the stdlib's form for its family:
 * ('1.2.3.4', port), ('::1', port, flowinfo, scope_id), str or bytes for
 * AF_UNIX (abstract names as bytes), None for an empty address. */
PyObject *fs_addr_make(fs_state *st, const struct sockaddr *sa, socklen_t len,
                       int proto);

/* The address of an AF_INET/AF_INET6 sockaddr as text ('127.0.0.1'). */
PyObject *fs_ip_object(const struct sockaddr *sa);

/* Small helpers of sockaddr.c shared with resolve.c. */
/* Would the idna codec return this ASCII host name unchanged? */
int fs_idna_ascii_ok(const char *p, Py_ssize_t n);
/* str -> C: the characters of an exact, compact ASCII str, borrowed (no
 * copy), else NULL.  (socktext.c's fs__str_from_ascii goes the other way.) */
const char *fs_str_ascii_view(PyObject *o, Py_ssize_t *len);

/* ------------------------------------------------------------------ */
/* Name resolution (resolve.c)                                          */
/* ------------------------------------------------------------------ */

/* Resolve `host` (str already encoded, "" and "<broadcast>" included) for
 * `family` (AF_INET, AF_INET6 or AF_UNSPEC) into `out`, for sockaddr.c's
 * address parsing.  Returns the size of the address written, or -1 with
 * gaierror/OSError set. */
int fs_resolve_host(fs_state *st, const char *host, struct sockaddr *out,
                    size_t outsize, int family);

/* ------------------------------------------------------------------ */
/* Module functions, by file.  Each is a PyMethodDef array terminated by  */
/* a NULL entry; module.c concatenates them into the module's table.     */
/* ------------------------------------------------------------------ */

extern PyMethodDef fs_sockaddr_functions[];   /* inet_*: sockaddr.c */
extern PyMethodDef fs_resolve_functions[];    /* get*by*, getaddrinfo...: resolve.c */
extern PyMethodDef fs_server_functions[];     /* server helpers: server.c */
extern PyMethodDef fs_sockmsg_functions[];    /* CMSG_LEN, CMSG_SPACE: sockmsg.c */

/* sendmsg/recvmsg/recvmsg_into (sockmsg.c), installed as methods of the
 * socket type by sockobj.c: METH_FASTCALL | METH_KEYWORDS, with which they
 * refuse keywords in the stdlib's words ("sendmsg() takes no keyword
 * arguments"). */
PyObject *fs_sock_sendmsg_kw(PyObject *self, PyObject *const *args,
                             Py_ssize_t nargs, PyObject *kwnames);
PyObject *fs_sock_recvmsg_kw(PyObject *self, PyObject *const *args,
                             Py_ssize_t nargs, PyObject *kwnames);
PyObject *fs_sock_recvmsg_into_kw(PyObject *self, PyObject *const *args,
                                  Py_ssize_t nargs, PyObject *kwnames);


/* ------------------------------------------------------------------ */
/* The socket file (sockfile.c) and the server core (server.c)          */
/* ------------------------------------------------------------------ */

extern PyType_Spec fs_sockfile_spec;
extern PyType_Spec fs_socktext_spec;
extern PyType_Spec fs_server_spec;

/* Add every socket constant to the module (constants.c, generated list). */
int fs_add_constants(PyObject *m);

#endif /* FASTSOCK_H */
