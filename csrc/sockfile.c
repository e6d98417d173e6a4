/*
 * sockfile.c - the buffered socket file behind makefile() and rfile/wfile.
 *
 * The stdlib builds a socket file from three Python-visible layers: a raw
 * SocketIO, a BufferedReader / BufferedWriter / BufferedRWPair over it, and
 * a TextIOWrapper for text modes.  SocketFile folds the first two into one
 * C object: it keeps its own read and write buffers and calls the socket
 * through the raw helpers of the I/O driver (fs_sock_recv_raw and
 * fs_sock_send_raw), so a readline() whose line is already buffered is one
 * memchr and one bytes allocation, and a refill is one recv() with no
 * Python-level call in between.
 *
 * The observable behaviour follows the stdlib layers: how much is read per
 * recv (at most buffer_size), when writes reach the wire, what a timeout or
 * a non-blocking socket does, and which exception each misuse raises.
 *
 * Threads: the GIL makes every operation that does not release it atomic,
 * so those run without a lock.  An operation that may block (a refill, a
 * send) holds the side's lock across the GIL release, like the stdlib's
 * buffered objects; reading and writing have separate locks, as the two
 * halves of a BufferedRWPair do, so one thread may block in readline()
 * while another writes.
 */
#include "fastsock.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <pythread.h>

/* ------------------------------------------------------------------ */
/* The object                                                           */
/* ------------------------------------------------------------------ */

/* A lock for one side (read or write) and the thread holding it.  `owner`
 * is set, under the GIL, for as long as an operation that may release the
 * GIL is in progress; lock-free fast paths run only when it is 0. */
typedef struct {
    PyThread_type_lock lock;
    unsigned long owner;
} fs__side_lock;

typedef struct {
    PyObject_HEAD
    fs_sock *sock;          /* strong reference; NULL once closed */
    Py_ssize_t bufsize;     /* most bytes per recv; write buffer capacity */
    char *rbuf;             /* read buffer: data is rbuf[rpos:rend] */
    Py_ssize_t rpos, rend, rcap;
    char *wbuf;             /* write buffer: pending data is wbuf[0:wlen] */
    Py_ssize_t wlen;
    fs__side_lock rlock, wlock;
    char reading, writing;  /* the mode */
    char raw;               /* buffer_size 0: unbuffered, as SocketIO */
    char closed;
    char timed_out;         /* a recv timed out: the stdlib refuses reads */
    PyObject *dict;
    PyObject *weakreflist;
} fs_sockfile;

/* The kinds of stdlib object a mode maps to; they differ in a few error
 * messages and attributes, which we reproduce. */
#define FS__IS_RW(f)     ((f)->reading && (f)->writing)
/* The stdlib's BufferedRWPair, which lacks a few attributes. */
#define FS__IS_PAIR(f)   (FS__IS_RW(f) && !(f)->raw)

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Raise io.UnsupportedOperation(msg). */
static PyObject *
fs__unsupported(const char *msg)
{
    PyObject *io = PyImport_ImportModule("io");
    if (io == NULL)
        return NULL;
    PyObject *exc = fs_getattr(io, "UnsupportedOperation");
    Py_DECREF(io);
    if (exc == NULL)
        return NULL;
    PyErr_SetString(exc, msg);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *
fs__closed_error(const char *msg)
{
    PyErr_SetString(PyExc_ValueError, msg);
    return NULL;
}

/* The generic message of io objects for an operation on a closed file. */
#define FS__CLOSED_FILE "I/O operation on closed file."

/* Unbuffered files, defined after the buffered operations they reuse. */
static PyObject *fs__raw_read(fs_sockfile *f, Py_ssize_t n);
static PyObject *fs__raw_readinto(fs_sockfile *f, Py_buffer *view);
static PyObject *fs__raw_readline(fs_sockfile *f, Py_ssize_t limit);
static PyObject *fs__raw_write(fs_sockfile *f, Py_buffer *view);

/* ------------------------------------------------------------------ */
/* Locks                                                                */
/* ------------------------------------------------------------------ */

/* Take a side's lock, waiting without the GIL if another thread has it.
 * A thread that already holds it (a signal handler reading the file it
 * interrupted) gets RuntimeError instead of a deadlock, as in the stdlib. */
static int
fs__enter(fs_sockfile *f, fs__side_lock *l)
{
    unsigned long me = PyThread_get_thread_ident();
    if (!PyThread_acquire_lock(l->lock, NOWAIT_LOCK)) {
        if (l->owner == me) {
            PyErr_Format(PyExc_RuntimeError, "reentrant call inside %R",
                         (PyObject *)f);
            return -1;
        }
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(l->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
    l->owner = me;
    return 0;
}

static void
fs__leave(fs__side_lock *l)
{
    l->owner = 0;
    PyThread_release_lock(l->lock);
}

/* ------------------------------------------------------------------ */
/* Small argument helpers                                               */
/* ------------------------------------------------------------------ */

/* A size argument that must be an integer (read1, peek): no None. */
static int
fs__arg_int_size(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t dflt,
                 Py_ssize_t *out)
{
    if (nargs < 1) {
        *out = dflt;
        return 0;
    }
    Py_ssize_t v = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

/* A writable, contiguous buffer argument (readinto). */
static int
fs__arg_wbuffer(const char *name, PyObject *arg, Py_buffer *view)
{
    if (PyObject_GetBuffer(arg, view, PyBUF_WRITABLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s() argument must be read-write "
                     "bytes-like object, not %.50s", name,
                     Py_TYPE(arg)->tp_name);
        return -1;
    }
    if (!PyBuffer_IsContiguous(view, 'C')) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s() argument must be a contiguous "
                     "buffer, not %.50s", name, Py_TYPE(arg)->tp_name);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Raw I/O: what SocketIO.readinto and SocketIO.write do                */
/* ------------------------------------------------------------------ */

/* Result of a raw read that found no data on a non-blocking socket, where
 * SocketIO.readinto returns None. */
#define FS__NO_DATA  (-2)

/* One recv of at most n bytes into buf: the count (0 at EOF), FS__NO_DATA,
 * or -1 with an exception.  A timeout poisons the reading side for good,
 * as it does the stdlib's SocketIO: the stream may have lost data. */
static Py_ssize_t
fs__raw_recv(fs_sockfile *f, char *buf, Py_ssize_t n)
{
    if (f->timed_out) {
        PyErr_SetString(PyExc_OSError, "cannot read from timed out object");
        return -1;
    }
    fs_sock *s = f->sock;
    if (s == NULL) {
        /* An unbuffered file closed by another thread meanwhile. */
        fs_err_errno(EBADF);
        return -1;
    }
    Py_ssize_t got = fs_sock_recv_raw(s, buf, n, 0);
    if (got >= 0)
        return got;
    /* socket.timeout is TimeoutError from 3.10 on, its own class before. */
    if (PyErr_ExceptionMatches(s->st->timeout_error))
        f->timed_out = 1;
    else if (PyErr_ExceptionMatches(PyExc_BlockingIOError)) {
        PyErr_Clear();
        return FS__NO_DATA;
    }
    return -1;
}

/* Send buf[0:len) with one send() per step, as BufferedWriter does over
 * SocketIO.write: each step gets the socket's whole timeout.  *done counts
 * what went out, failure included. */
static int
fs__raw_send_all(fs_sockfile *f, const char *buf, Py_ssize_t len,
                 Py_ssize_t *done)
{
    *done = 0;
    while (*done < len) {
        Py_ssize_t n = fs_sock_send_raw(f->sock, buf + *done, len - *done, 0);
        if (n < 0)
            return -1;
        *done += n;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The read buffer                                                      */
/* ------------------------------------------------------------------ */

/* Bytes buffered and not yet consumed. */
#define FS__AVAIL(f)  ((f)->rend - (f)->rpos)

/* Make room for one recv of `need` bytes after rend: reuse the buffer
 * from the start when it is empty, slide unconsumed data to the front, or
 * grow (a long line being assembled).  Runs under the read lock. */
static int
fs__make_room(fs_sockfile *f, Py_ssize_t need)
{
    if (f->rpos == f->rend)
        f->rpos = f->rend = 0;
    if (f->rcap - f->rend >= need)
        return 0;
    if (f->rpos > 0) {
        memmove(f->rbuf, f->rbuf + f->rpos, (size_t)FS__AVAIL(f));
        f->rend -= f->rpos;
        f->rpos = 0;
        if (f->rcap - f->rend >= need)
            return 0;
    }
    if (need > PY_SSIZE_T_MAX - f->rend) {
        PyErr_NoMemory();       /* an absurd buffer_size */
        return -1;
    }
    Py_ssize_t want = f->rend + need;
    if (f->rcap > 0 && f->rcap <= PY_SSIZE_T_MAX / 2 && want < 2 * f->rcap)
        want = 2 * f->rcap;
    char *nbuf = PyMem_Realloc(f->rbuf, (size_t)want);
    if (nbuf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    f->rbuf = nbuf;
    f->rcap = want;
    return 0;
}

/* Append one recv of at most `size` bytes to the buffer.  Returns what
 * fs__raw_recv returns. */
static Py_ssize_t
fs__fill_n(fs_sockfile *f, Py_ssize_t size)
{
    if (fs__make_room(f, size) < 0)
        return -1;
    Py_ssize_t n = fs__raw_recv(f, f->rbuf + f->rend, size);
    if (n > 0)
        f->rend += n;
    return n;
}

/* Append one recv of at most bufsize bytes, as BufferedReader reads. */
static Py_ssize_t
fs__fill(fs_sockfile *f)
{
    return fs__fill_n(f, f->bufsize);
}


/* A buffer that holds more than a long line once needed goes back to its
 * normal size when it empties, so one huge line does not pin memory. */
static void
fs__maybe_shrink(fs_sockfile *f)
{
    if (f->rpos != f->rend || f->rcap / 4 <= f->bufsize ||
        f->rcap <= 65536)
        return;
    PyMem_Free(f->rbuf);
    f->rbuf = NULL;
    f->rpos = f->rend = f->rcap = 0;
}

/* Consume n buffered bytes into a new bytes object. */
static inline PyObject *
fs__take(fs_sockfile *f, Py_ssize_t n)
{
    if (n == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    PyObject *res = PyBytes_FromStringAndSize(f->rbuf + f->rpos, n);
    if (res != NULL)
        f->rpos += n;
    return res;
}

/* ------------------------------------------------------------------ */
/* Common checks                                                        */
/* ------------------------------------------------------------------ */

/* A read method starts here: a write-only file does not support it at all
 * (even closed), a closed one raises ValueError with `closed_msg`. */
static int
fs__check_read(fs_sockfile *f, const char *closed_msg, const char *unsup)
{
    if (!f->reading && !f->raw && strcmp(unsup, "peek") == 0) {
        /* BufferedWriter has no peek at all. */
        PyErr_SetString(PyExc_AttributeError,
                        "'SocketFile' object has no attribute 'peek'");
        return -1;
    }
    if (f->raw) {
        /* SocketIO checks in the other order, with its own messages. */
        if (f->closed) {
            fs__closed_error(FS__CLOSED_FILE);
            return -1;
        }
        if (!f->reading) {
            fs__unsupported("File or stream is not readable.");
            return -1;
        }
        return 0;
    }
    if (!f->reading) {
        fs__unsupported(unsup);
        return -1;
    }
    if (f->closed) {
        fs__closed_error(closed_msg);
        return -1;
    }
    return 0;
}

/* Take the read lock for an operation that may block; the file may have
 * been closed by the thread we waited for. */
static int
fs__enter_read(fs_sockfile *f, const char *closed_msg)
{
    if (fs__enter(f, &f->rlock) < 0)
        return -1;
    if (f->closed) {
        fs__leave(&f->rlock);
        fs__closed_error(closed_msg);
        return -1;
    }
    return 0;
}

static void
fs__leave_read(fs_sockfile *f)
{
    fs__maybe_shrink(f);
    fs__leave(&f->rlock);
}

/* ------------------------------------------------------------------ */
/* readline                                                             */
/* ------------------------------------------------------------------ */

/* BufferedRWPair reads lines through peek(), and says so when closed. */
#define FS__READLINE_CLOSED(f) \
    (FS__IS_PAIR(f) ? "peek of closed file" : "readline of closed file")

/* readline with the read lock held.  `limit` < 0 means no limit.  Refills
 * one recv at a time, keeping what was already scanned, until a newline,
 * the limit, EOF, or (non-blocking) no data: the last two return what was
 * gathered.  On an error the partial line is dropped, as the stdlib's
 * BufferedReader drops it. */
static PyObject *
fs__readline_locked(fs_sockfile *f, Py_ssize_t limit)
{
    Py_ssize_t scanned = 0;
    for (;;) {
        Py_ssize_t avail = FS__AVAIL(f);
        Py_ssize_t n = (limit >= 0 && limit < avail) ? limit : avail;
        if (n > scanned) {
            const char *start = f->rbuf + f->rpos;
            const char *nl = memchr(start + scanned, '\n',
                                    (size_t)(n - scanned));
            if (nl != NULL)
                return fs__take(f, nl - start + 1);
        }
        if (n == limit)
            return fs__take(f, n);
        scanned = n;
        Py_ssize_t r = fs__fill(f);
        if (r == FS__NO_DATA && FS__IS_PAIR(f)) {
            /* The pair reads lines with IOBase.readline, which cannot
             * take read() returning None. */
            PyErr_SetString(PyExc_OSError, "read() should have returned a "
                            "bytes object, not 'NoneType'");
            r = -1;
        }
        if (r == -1) {
            f->rpos = f->rend;
            return NULL;
        }
        if (r == 0 || r == FS__NO_DATA)
            return fs__take(f, FS__AVAIL(f));
    }
}

/* readline(limit) of a read-write pair, with the read lock held.  The
 * stdlib's pair reads lines with IOBase.readline, peek() then read() in
 * steps, and bounds each step by the whole limit rather than by what is
 * left of it, so a line can come out longer than the limit.  Reproduced,
 * since the results differ. */
static PyObject *
fs__pair_readline_limited(fs_sockfile *f, Py_ssize_t limit)
{
    Py_ssize_t got = 0;
    PyObject *res = PyBytes_FromStringAndSize(NULL, limit);
    while (res != NULL && got < limit) {
        Py_ssize_t r = FS__AVAIL(f) > 0 ? 1 : fs__fill(f);
        if (r == 0)
            break;
        if (r < 0) {
            if (r == FS__NO_DATA)
                PyErr_SetString(PyExc_OSError, "read() should have returned "
                                "a bytes object, not 'NoneType'");
            Py_CLEAR(res);
            break;
        }
        const char *start = f->rbuf + f->rpos;
        Py_ssize_t n = FS__AVAIL(f) < limit ? FS__AVAIL(f) : limit;
        const char *nl = memchr(start, '\n', (size_t)n);
        if (nl != NULL)
            n = nl - start + 1;
        if (got + n > PyBytes_GET_SIZE(res) &&
            _PyBytes_Resize(&res, got + n) < 0)
            break;
        memcpy(PyBytes_AS_STRING(res) + got, start, (size_t)n);
        f->rpos += n;
        got += n;
        if (nl != NULL)
            break;
    }
    if (res != NULL && got != PyBytes_GET_SIZE(res))
        _PyBytes_Resize(&res, got);
    return res;
}

/* The hot path of readline and iteration: a whole line already buffered
 * costs one memchr and one bytes object, with no lock (nothing else can
 * run under our GIL and no other thread is inside a refill). */
static PyObject *
fs__readline_impl(fs_sockfile *f, Py_ssize_t limit)
{
    Py_ssize_t avail = FS__AVAIL(f);
    if (avail > 0 && f->rlock.owner == 0) {
        Py_ssize_t n = (limit >= 0 && limit < avail) ? limit : avail;
        const char *start = f->rbuf + f->rpos;
        const char *nl = memchr(start, '\n', (size_t)n);
        if (nl != NULL)
            return fs__take(f, nl - start + 1);
        if (n == limit)
            return fs__take(f, n);
    }
    if (limit == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    if (fs__enter_read(f, "readline of closed file") < 0)
        return NULL;
    PyObject *res = limit > 0 && FS__IS_PAIR(f)
                    ? fs__pair_readline_limited(f, limit)
                    : fs__readline_locked(f, limit);
    fs__leave_read(f);
    return res;
}

/* The case worth making short: readline() or next() with a whole line
 * already buffered.  Only a readable, open, buffered file ever has bytes
 * buffered, so that is checked too.  NULL without an exception when it
 * does not apply. */
static inline PyObject *
fs__buffered_line(fs_sockfile *f)
{
    Py_ssize_t avail = FS__AVAIL(f);
    if (avail <= 0 || f->rlock.owner != 0)
        return NULL;
    const char *start = f->rbuf + f->rpos;
    const char *nl = memchr(start, '\n', (size_t)avail);
    return nl != NULL ? fs__take(f, nl - start + 1) : NULL;
}

static PyObject *
fs__file_readline(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_ssize_t limit;
    if (nargs == 0) {
        PyObject *line = fs__buffered_line(f);
        if (line != NULL || PyErr_Occurred())
            return line;
    }
    if (fs_check_io_nargs("readline", nargs, 0, 1) < 0 ||
        fs_arg_opt_size(args, nargs, -1, &limit) < 0)
        return NULL;
    /* IOBase.readline(0), which unbuffered, write-only and read-write
     * files use, returns before any check. */
    if ((!f->reading || f->raw || FS__IS_PAIR(f)) && limit == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    if (fs__check_read(f, FS__READLINE_CLOSED(f), "read") < 0)
        return NULL;
    if (f->raw)
        return fs__raw_readline(f, limit < 0 ? -1 : limit);
    return fs__readline_impl(f, limit < 0 ? -1 : limit);
}

static PyObject *
fs__file_iternext(PyObject *self)
{
    fs_sockfile *f = (fs_sockfile *)self;
    PyObject *line = fs__buffered_line(f);
    if (line != NULL || PyErr_Occurred())
        return line;
    if (fs__check_read(f, FS__READLINE_CLOSED(f), "read") < 0)
        return NULL;
    line = f->raw ? fs__raw_readline(f, -1) : fs__readline_impl(f, -1);
    if (line != NULL && PyBytes_GET_SIZE(line) == 0) {
        Py_DECREF(line);
        return NULL;
    }
    return line;
}

static PyObject *
fs__file_iter(PyObject *self)
{
    if (((fs_sockfile *)self)->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    return Py_NewRef(self);
}

/* readlines(hint=-1): lines until EOF, or until their total size passes
 * a positive hint. */
static PyObject *
fs__file_readlines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_ssize_t hint, total = 0;
    if (fs_check_io_nargs("readlines", nargs, 0, 1) < 0 ||
        fs_arg_opt_size(args, nargs, -1, &hint) < 0)
        return NULL;
    if (f->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    for (;;) {
        PyObject *line = fs__file_iternext(self);
        if (line == NULL)
            break;
        Py_ssize_t len = PyBytes_GET_SIZE(line);
        int r = PyList_Append(list, line);
        Py_DECREF(line);
        /* IOBase.readlines stops after the line that takes the total
         * past the hint. */
        if (r < 0 || (hint > 0 && len > hint - total))
            break;
        total += len;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(list);
        return NULL;
    }
    return list;
}

/* ------------------------------------------------------------------ */
/* read, read1, peek                                                    */
/* ------------------------------------------------------------------ */

/* The end of a read that stopped early on `r` (EOF, no data, or an
 * error): the bytes gathered, None when a non-blocking socket had nothing
 * at all, or NULL.  Gathered data is lost on an error, as in the stdlib. */
static PyObject *
fs__read_short(PyObject *res, Py_ssize_t got, Py_ssize_t r)
{
    if (r == -1 || (r == FS__NO_DATA && got == 0)) {
        Py_DECREF(res);
        if (r == -1)
            return NULL;
        Py_RETURN_NONE;
    }
    if (_PyBytes_Resize(&res, got) < 0)
        return NULL;
    return res;
}

/* read(n) with the lock held and more wanted than is buffered.  Whole
 * multiples of the buffer size go straight into the result; the rest
 * passes through the buffer, so at most buffer_size is read ahead, like
 * BufferedReader.  Stops early at EOF or when a non-blocking socket has
 * no more data. */
static PyObject *
fs__read_n(fs_sockfile *f, Py_ssize_t n)
{
    Py_ssize_t got = FS__AVAIL(f), r = 0;
    PyObject *res = PyBytes_FromStringAndSize(NULL, n);
    if (res == NULL)
        return NULL;
    char *out = PyBytes_AS_STRING(res);
    if (got > 0)
        memcpy(out, f->rbuf + f->rpos, (size_t)got);
    f->rpos = f->rend = 0;
    while (n - got >= f->bufsize) {
        r = fs__raw_recv(f, out + got, (n - got) - (n - got) % f->bufsize);
        if (r <= 0)
            return fs__read_short(res, got, r);
        got += r;
    }
    while (got < n) {
        r = fs__fill(f);
        if (r <= 0)
            return fs__read_short(res, got, r);
        Py_ssize_t k = FS__AVAIL(f) < n - got ? FS__AVAIL(f) : n - got;
        memcpy(out + got, f->rbuf + f->rpos, (size_t)k);
        f->rpos += k;
        got += k;
    }
    return res;
}

/* read() / read(-1): everything until EOF, the buffered data first.  On a
 * non-blocking socket it ends when no data is left, giving None if there
 * was none at all (RawIOBase.readall). */
static PyObject *
fs__read_all(fs_sockfile *f)
{
    Py_ssize_t got = FS__AVAIL(f), size = got + 8192, r;
    PyObject *res = PyBytes_FromStringAndSize(NULL, size);
    if (res == NULL)
        return NULL;
    if (got > 0)
        memcpy(PyBytes_AS_STRING(res), f->rbuf + f->rpos, (size_t)got);
    f->rpos = f->rend = 0;
    for (;;) {
        if (size - got < 8192) {
            size = size <= PY_SSIZE_T_MAX / 2 ? 2 * size : PY_SSIZE_T_MAX;
            if (_PyBytes_Resize(&res, size) < 0)
                return NULL;
        }
        r = fs__raw_recv(f, PyBytes_AS_STRING(res) + got, size - got);
        if (r <= 0)
            return fs__read_short(res, got, r);
        got += r;
    }
}

static PyObject *
fs__file_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_ssize_t n;
    /* RawIOBase.read (unbuffered) takes no None. */
    if (fs_check_io_nargs("read", nargs, 0, 1) < 0 ||
        (f->raw ? fs__arg_int_size(args, nargs, -1, &n)
                : fs_arg_opt_size(args, nargs, -1, &n)) < 0)
        return NULL;
    if (fs__check_read(f, "read of closed file", "read") < 0)
        return NULL;
    if (f->raw)
        return fs__raw_read(f, n);
    if (n < -1) {
        PyErr_SetString(PyExc_ValueError,
                        "read length must be non-negative or -1");
        return NULL;
    }
    if (n >= 0 && n <= FS__AVAIL(f) && f->rlock.owner == 0)
        return fs__take(f, n);
    if (fs__enter_read(f, "read of closed file") < 0)
        return NULL;
    PyObject *res;
    if (n < 0)
        res = fs__read_all(f);
    else
        res = n <= FS__AVAIL(f) ? fs__take(f, n) : fs__read_n(f, n);
    fs__leave_read(f);
    return res;
}

/* read1(n): buffered bytes if there are any, else at most one recv. */
static PyObject *
fs__read1_locked(fs_sockfile *f, Py_ssize_t n)
{
    if (FS__AVAIL(f) > 0)
        return fs__take(f, FS__AVAIL(f) < n ? FS__AVAIL(f) : n);
    PyObject *res = PyBytes_FromStringAndSize(NULL, n);
    if (res == NULL)
        return NULL;
    f->rpos = f->rend = 0;
    Py_ssize_t r = fs__raw_recv(f, PyBytes_AS_STRING(res), n);
    if (r == -1) {
        Py_DECREF(res);
        return NULL;
    }
    /* Unlike read(), read1() gives b'' rather than None for no data. */
    if (r == FS__NO_DATA)
        r = 0;
    if (r != n && _PyBytes_Resize(&res, r) < 0)
        return NULL;
    return res;
}

static PyObject *
fs__file_read1(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_ssize_t n;
    if (fs_check_io_nargs("read1", nargs, 0, 1) < 0 ||
        fs__arg_int_size(args, nargs, -1, &n) < 0)
        return NULL;
    if (fs__check_read(f, "read of closed file", "read1") < 0)
        return NULL;
    if (f->raw)     /* SocketIO has no read1(); one recv is its meaning */
        return fs__raw_read(f, n < 0 ? 8192 : n);
    if (n < 0)
        n = f->bufsize;
    if (n == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    if (FS__AVAIL(f) > 0 && f->rlock.owner == 0)
        return fs__take(f, FS__AVAIL(f) < n ? FS__AVAIL(f) : n);
    if (fs__enter_read(f, "read of closed file") < 0)
        return NULL;
    PyObject *res = fs__read1_locked(f, n);
    fs__leave_read(f);
    return res;
}

/* peek(n=0): the buffered bytes without consuming them; one recv first
 * if nothing is buffered.  `n` is ignored, as BufferedReader ignores it. */
static PyObject *
fs__file_peek(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_ssize_t n;
    if (fs_check_io_nargs("peek", nargs, 0, 1) < 0 ||
        fs__arg_int_size(args, nargs, 0, &n) < 0)
        return NULL;
    if (fs__check_read(f, "peek of closed file", "peek") < 0)
        return NULL;
    if (f->raw)
        return fs__unsupported("peek");
    if (fs__enter_read(f, "peek of closed file") < 0)
        return NULL;
    Py_ssize_t r = 0;
    if (FS__AVAIL(f) == 0)
        r = fs__fill(f);
    PyObject *res = NULL;
    if (r != -1)
        res = PyBytes_FromStringAndSize(FS__AVAIL(f) ? f->rbuf + f->rpos
                                                      : NULL, FS__AVAIL(f));
    fs__leave_read(f);
    return res;
}

/* ------------------------------------------------------------------ */
/* readinto, readinto1                                                  */
/* ------------------------------------------------------------------ */

/* readinto(b) with the lock held, after the buffered bytes were copied
 * (`got` of them).  A remainder larger than the buffer is received into
 * b directly; a smaller one through the buffer.  readinto1 stops after
 * one recv, and does none through the buffer when buffered bytes were
 * already copied (a direct one it still does, as BufferedReader). */
static PyObject *
fs__readinto_locked(fs_sockfile *f, char *out, Py_ssize_t len,
                    Py_ssize_t got, int one)
{
    Py_ssize_t r = 0;
    while (got < len) {
        if (len - got <= f->bufsize && one && got > 0)
            break;
        if (len - got > f->bufsize) {
            r = fs__raw_recv(f, out + got, len - got);
            if (r > 0)
                got += r;
        }
        else {
            r = fs__fill(f);
            if (r > 0) {
                Py_ssize_t k = r < len - got ? r : len - got;
                memcpy(out + got, f->rbuf + f->rpos, (size_t)k);
                f->rpos += k;
                got += k;
            }
        }
        if (r == -1)
            return NULL;
        if (r == FS__NO_DATA && got == 0)
            Py_RETURN_NONE;
        if (r <= 0 || one)
            break;
    }
    return PyLong_FromSsize_t(got);
}

static PyObject *
fs__readinto_common(fs_sockfile *f, PyObject *arg, int one)
{
    const char *name = one ? "readinto1" : "readinto";
    const char *closed_msg = "readinto of closed file";
    Py_buffer view;
    if (fs__check_read(f, closed_msg, one ? "read1" : "read") < 0 ||
        fs__arg_wbuffer(name, arg, &view) < 0)
        return NULL;
    PyObject *res = NULL;
    Py_ssize_t len = view.len;
    if (f->raw)
        res = fs__raw_readinto(f, &view);
    else if (f->rlock.owner == 0 && FS__AVAIL(f) >= len) {
        if (len > 0)
            memcpy(view.buf, f->rbuf + f->rpos, (size_t)len);
        f->rpos += len;
        res = PyLong_FromSsize_t(len);
    }
    else if (fs__enter_read(f, closed_msg) == 0) {
        Py_ssize_t got = FS__AVAIL(f) < len ? FS__AVAIL(f) : len;
        if (got > 0)
            memcpy(view.buf, f->rbuf + f->rpos, (size_t)got);
        f->rpos += got;
        if (got == len)
            res = PyLong_FromSsize_t(got);
        else
            res = fs__readinto_locked(f, view.buf, len, got, one);
        fs__leave_read(f);
    }
    PyBuffer_Release(&view);
    return res;
}

static PyObject *
fs__file_readinto(PyObject *self, PyObject *arg)
{
    return fs__readinto_common((fs_sockfile *)self, arg, 0);
}

static PyObject *
fs__file_readinto1(PyObject *self, PyObject *arg)
{
    return fs__readinto_common((fs_sockfile *)self, arg, 1);
}

/* ------------------------------------------------------------------ */
/* Unbuffered files (buffer_size 0): what SocketIO itself does          */
/* ------------------------------------------------------------------ */

/* Unbuffered operations hold no state but the socket, so they take no
 * lock (SocketIO has none): a local reference keeps the socket alive if
 * another thread closes the file meanwhile. */

/* read(n): one recv; None when a non-blocking socket has no data. */
static PyObject *
fs__raw_read(fs_sockfile *f, Py_ssize_t n)
{
    fs_sock *s = (fs_sock *)Py_NewRef((PyObject *)f->sock);
    PyObject *res;
    if (n < 0)
        res = fs__read_all(f);
    else if ((res = PyBytes_FromStringAndSize(NULL, n)) != NULL) {
        Py_ssize_t r = fs__raw_recv(f, PyBytes_AS_STRING(res), n);
        if (r >= 0)
            res = fs__read_short(res, r, 0);    /* all that came */
        else
            res = fs__read_short(res, 0, r);    /* an error, or None */
    }
    Py_DECREF(s);
    return res;
}

static PyObject *
fs__raw_readinto(fs_sockfile *f, Py_buffer *view)
{
    fs_sock *s = (fs_sock *)Py_NewRef((PyObject *)f->sock);
    Py_ssize_t r = fs__raw_recv(f, view->buf, view->len);
    Py_DECREF(s);
    if (r == -1)
        return NULL;
    if (r == FS__NO_DATA)
        Py_RETURN_NONE;
    return PyLong_FromSsize_t(r);
}

/* One step of an unbuffered readline: peek at what is queued, then take
 * exactly up to the first newline, so that nothing after the line is
 * consumed (the stdlib reads one byte per recv for the same effect).
 * Returns the bytes taken, 0 at EOF, or -1. */
static Py_ssize_t
fs__raw_line_step(fs_sockfile *f, char *out, Py_ssize_t want, int *eol)
{
    if (f->timed_out)
        return fs__raw_recv(f, out, 0);
    fs_sock *s = f->sock;
    if (s == NULL)
        return fs__raw_recv(f, out, 0);     /* closed meanwhile: EBADF */
    Py_ssize_t r = fs_sock_recv_raw(s, out, want, MSG_PEEK);
    if (r > 0) {
        const char *nl = memchr(out, '\n', (size_t)r);
        r = fs__raw_recv(f, out, nl ? nl - out + 1 : r);
    }
    else if (r < 0 && PyErr_ExceptionMatches(s->st->timeout_error))
        f->timed_out = 1;
    else if (r < 0 && PyErr_ExceptionMatches(PyExc_BlockingIOError))
        r = FS__NO_DATA;
    if (r == FS__NO_DATA) {
        /* IOBase.readline's complaint about read() returning None. */
        PyErr_Clear();
        PyErr_SetString(PyExc_OSError, "read() should have returned a "
                        "bytes object, not 'NoneType'");
        return -1;
    }
    *eol = r > 0 && out[r - 1] == '\n';
    return r;
}

static PyObject *
fs__raw_readline(fs_sockfile *f, Py_ssize_t limit)
{
    fs_sock *s = (fs_sock *)Py_NewRef((PyObject *)f->sock);
    Py_ssize_t got = 0, size = 256;
    int eol = 0;
    PyObject *res = PyBytes_FromStringAndSize(NULL, size);
    while (res != NULL && !eol && (limit < 0 || got < limit)) {
        Py_ssize_t want = limit < 0 || limit - got > 8192 ? 8192 : limit - got;
        if (size - got < want) {
            size = got + want > 2 * size ? got + want : 2 * size;
            if (_PyBytes_Resize(&res, size) < 0)
                break;
        }
        Py_ssize_t r = fs__raw_line_step(f, PyBytes_AS_STRING(res) + got,
                                         want, &eol);
        if (r < 0)
            Py_CLEAR(res);
        else if (r == 0)
            break;
        got += r;
    }
    Py_DECREF(s);
    if (res != NULL)
        _PyBytes_Resize(&res, got);
    return res;
}

/* write(b): one send; its count, or None when it would block. */
static PyObject *
fs__raw_write(fs_sockfile *f, Py_buffer *view)
{
    fs_sock *s = (fs_sock *)Py_NewRef((PyObject *)f->sock);
    Py_ssize_t n = fs_sock_send_raw(s, view->buf, view->len, 0);
    Py_DECREF(s);
    if (n >= 0)
        return PyLong_FromSsize_t(n);
    if (!PyErr_ExceptionMatches(PyExc_BlockingIOError))
        return NULL;
    PyErr_Clear();
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

/* From 3.13 on, BufferedWriter sends a write of a whole buffer's size or
 * more straight away instead of filling the buffer with it; before, only
 * a write larger than the buffer did.  We follow the running Python. */
#if PY_VERSION_HEX >= 0x030D0000
#define FS__BUFFERS(f, len)  ((len) < (f)->bufsize)
#else
#define FS__BUFFERS(f, len)  ((len) <= (f)->bufsize)
#endif

/* Send the write buffer, with the write lock held.  On failure what was
 * not sent stays buffered, so a later flush() retries only that. */
static int
fs__flush_locked(fs_sockfile *f)
{
    Py_ssize_t done;
    int r = fs__raw_send_all(f, f->wbuf, f->wlen, &done);
    if (done > 0 && done < f->wlen)
        memmove(f->wbuf, f->wbuf + done, (size_t)(f->wlen - done));
    f->wlen -= done;
    return r;
}

/* write() when the data does not fit in the buffer's free space: flush,
 * then send while more than a buffer's worth remains and buffer the tail,
 * as BufferedWriter does.  (On a blocking socket each send() takes all of
 * it, so a large write goes out at once.) */
static int
fs__write_locked(fs_sockfile *f, const char *data, Py_ssize_t len)
{
    if (f->wbuf == NULL) {
        f->wbuf = PyMem_Malloc((size_t)f->bufsize);
        if (f->wbuf == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    if (len > f->bufsize - f->wlen || !FS__BUFFERS(f, len)) {
        if (fs__flush_locked(f) < 0)
            return -1;
        while (!FS__BUFFERS(f, len)) {
            Py_ssize_t n = fs_sock_send_raw(f->sock, data, len, 0);
            if (n < 0)
                return -1;
            data += n;
            len -= n;
        }
    }
    memcpy(f->wbuf + f->wlen, data, (size_t)len);
    f->wlen += len;
    return 0;
}

static int
fs__write_impl(fs_sockfile *f, const char *data, Py_ssize_t len)
{
    if (f->wlock.owner == 0 && f->wbuf != NULL &&
        len <= f->bufsize - f->wlen && FS__BUFFERS(f, len)) {
        memcpy(f->wbuf + f->wlen, data, (size_t)len);
        f->wlen += len;
        return 0;
    }
    if (fs__enter(f, &f->wlock) < 0)
        return -1;
    int r = -1;
    if (f->closed)
        fs__closed_error("write to closed file");
    else
        r = fs__write_locked(f, data, len);
    fs__leave(&f->wlock);
    return r;
}

static PyObject *
fs__file_write(PyObject *self, PyObject *arg)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_buffer view;
    if (f->raw && f->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    if (!f->writing)
        return fs__unsupported(f->raw ? "File or stream is not writable."
                                      : "write");
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "a bytes-like object is required, not '%.100s'",
                         Py_TYPE(arg)->tp_name);
        }
        return NULL;
    }
    if (f->raw) {
        PyObject *res = fs__raw_write(f, &view);
        PyBuffer_Release(&view);
        return res;
    }
    int r = -1;
    if (f->closed)
        fs__closed_error("write to closed file");
    else
        r = fs__write_impl(f, view.buf, view.len);
    Py_ssize_t len = view.len;
    PyBuffer_Release(&view);
    if (r < 0)
        return NULL;
    return PyLong_FromSsize_t(len);
}

static PyObject *
fs__file_writelines(PyObject *self, PyObject *lines)
{
    if (((fs_sockfile *)self)->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    PyObject *it = PyObject_GetIter(lines);
    if (it == NULL)
        return NULL;
    PyObject *item;
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *r = fs__file_write(self, item);
        Py_DECREF(item);
        if (r == NULL)
            break;
        Py_DECREF(r);
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
fs__file_flush(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (!f->writing || f->raw) {
        if (f->closed)
            return fs__closed_error(FS__CLOSED_FILE);
        Py_RETURN_NONE;
    }
    if (f->closed)
        return fs__closed_error("flush of closed file");
    if (fs__enter(f, &f->wlock) < 0)
        return NULL;
    int r = -1;
    if (f->closed)
        fs__closed_error("flush of closed file");
    else
        r = fs__flush_locked(f);
    fs__leave(&f->wlock);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Closing                                                              */
/* ------------------------------------------------------------------ */

/* Mark closed and let go of the socket: its fd goes now if the socket was
 * closed and this was its last file.  Runs with both locks held. */
static int
fs__release(fs_sockfile *f)
{
    f->closed = 1;
    PyMem_Free(f->rbuf);
    PyMem_Free(f->wbuf);
    f->rbuf = f->wbuf = NULL;
    f->rpos = f->rend = f->rcap = f->wlen = 0;
    fs_sock *s = f->sock;
    f->sock = NULL;
    if (s == NULL)
        return 0;
    int r = fs_sock_decref_io(s);
    Py_DECREF(s);
    return r;
}

/* close(): flush, then release the socket even if the flush failed, and
 * raise the flush's error, as BufferedWriter.close does.  Waits for a
 * read or write in progress in another thread, as the stdlib does. */
static PyObject *
fs__file_close(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->closed)
        Py_RETURN_NONE;
    if (fs__enter(f, &f->wlock) < 0)
        return NULL;
    int failed = 0;
    if (!f->closed && f->wlen > 0)
        failed = fs__flush_locked(f) < 0;
    if (fs__enter(f, &f->rlock) < 0) {
        fs__leave(&f->wlock);
        return NULL;
    }
    PyObject *et = NULL, *ev = NULL, *tb = NULL;
    if (failed)
        PyErr_Fetch(&et, &ev, &tb);
    if (!f->closed && fs__release(f) < 0 && failed)
        PyErr_Clear();
    if (failed)
        PyErr_Restore(et, ev, tb);
    fs__leave(&f->rlock);
    fs__leave(&f->wlock);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
fs__file_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (((fs_sockfile *)self)->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    return Py_NewRef(self);
}

static PyObject *
fs__file_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    (void)nargs;
    return fs__file_close(self, NULL);
}

/* ------------------------------------------------------------------ */
/* Queries                                                              */
/* ------------------------------------------------------------------ */

/* readable() / writable(): false for the other direction without any
 * check; for ours, a closed file raises as SocketIO does. */
static PyObject *
fs__file_readable(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (!f->reading && !(f->raw && f->closed))
        Py_RETURN_FALSE;
    if (f->closed)
        return fs__closed_error("I/O operation on closed socket.");
    Py_RETURN_TRUE;
}

static PyObject *
fs__file_writable(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (!f->writing && !(f->raw && f->closed))
        Py_RETURN_FALSE;
    if (f->closed)
        return fs__closed_error("I/O operation on closed socket.");
    Py_RETURN_TRUE;
}

static PyObject *
fs__file_seekable(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->closed && !FS__IS_PAIR(f))
        return fs__closed_error("I/O operation on closed socket.");
    Py_RETURN_FALSE;
}

static PyObject *
fs__file_isatty(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (((fs_sockfile *)self)->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    Py_RETURN_FALSE;
}

/* fileno(): the socket's fd.  The stdlib's read-write pair has none. */
static PyObject *
fs__file_fileno(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (FS__IS_PAIR(f))
        return fs__unsupported("fileno");
    if (f->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    return PyLong_FromLong(f->sock->fd);
}

static PyObject *
fs__file_detach(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->closed && !FS__IS_PAIR(f))
        return fs__closed_error(FS__CLOSED_FILE);
    return fs__unsupported("detach");
}

static PyObject *
fs__file_tell(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return fs__unsupported("seek");
}

static PyObject *
fs__file_seek(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    if (fs_check_io_nargs("seek", nargs, 1, 2) < 0)
        return NULL;
    fs_sockfile *f = (fs_sockfile *)self;
    if (FS__IS_PAIR(f) || f->raw)
        return fs__unsupported("seek");
    return fs__unsupported("File or stream is not seekable.");
}

static PyObject *
fs__file_truncate(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    (void)args;
    if (fs_check_io_nargs("truncate", nargs, 0, 1) < 0)
        return NULL;
    return fs__unsupported("truncate");
}

static PyObject *
fs__file_closed_get(PyObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(((fs_sockfile *)self)->closed);
}

/* name: the fd while open, -1 after, as SocketIO.name; the stdlib's
 * read-write pair has no name (nor mode). */
static PyObject *
fs__file_name_get(PyObject *self, void *closure)
{
    (void)closure;
    fs_sockfile *f = (fs_sockfile *)self;
    if (FS__IS_PAIR(f)) {
        PyErr_SetString(PyExc_AttributeError, "name");
        return NULL;
    }
    return PyLong_FromLong(f->closed ? -1 : f->sock->fd);
}

static PyObject *
fs__file_mode_get(PyObject *self, void *closure)
{
    (void)closure;
    fs_sockfile *f = (fs_sockfile *)self;
    if (FS__IS_PAIR(f)) {
        PyErr_SetString(PyExc_AttributeError, "mode");
        return NULL;
    }
    return PyUnicode_FromString(FS__IS_RW(f) ? "rwb" : f->reading ? "rb" : "wb");
}

/* The socket, while the file is open. */
static PyObject *
fs__file_sock_get(PyObject *self, void *closure)
{
    (void)closure;
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->sock == NULL)
        Py_RETURN_NONE;
    return Py_NewRef((PyObject *)f->sock);
}

/* The repr of the stdlib object this file stands in for, so that programs
 * printing their files show what they show under the stdlib. */
static PyObject *
fs__file_repr(PyObject *self)
{
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->raw)
        return PyUnicode_FromFormat("<socket.SocketIO object at %p>", self);
    if (FS__IS_RW(f))
        return PyUnicode_FromFormat("<_io.BufferedRWPair object at %p>",
                                    self);
    /* BufferedReader/Writer show their raw file's name: the fd, or -1
     * once the file is closed. */
    int fd = (f->closed || f->sock == NULL) ? -1 : f->sock->fd;
    return PyUnicode_FromFormat("<_io.Buffered%s name=%d>",
                                f->reading ? "Reader" : "Writer", fd);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */
/* ------------------------------------------------------------------ */

static int
fs__parse_mode(PyObject *obj, char *reading, char *writing)
{
    static const char *const modes[] = {"r", "w", "rw", "rb", "wb", "rwb"};
    const char *s = PyUnicode_Check(obj) ? PyUnicode_AsUTF8(obj) : NULL;
    if (s == NULL && PyErr_Occurred())
        return -1;
    for (size_t i = 0; s != NULL && i < sizeof(modes) / sizeof(*modes); i++) {
        if (strcmp(s, modes[i]) == 0) {
            *reading = strchr(s, 'r') != NULL;
            *writing = strchr(s, 'w') != NULL;
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError, "invalid mode: %R", obj);
    return -1;
}

/* The locks and, for a buffered file, the buffers: they exist from the
 * start, as the stdlib's do, so an impossible buffer_size fails in
 * makefile() rather than at the first read. */
static int
fs__file_alloc(fs_sockfile *f)
{
    f->rlock.lock = PyThread_allocate_lock();
    f->wlock.lock = PyThread_allocate_lock();
    if (f->rlock.lock == NULL || f->wlock.lock == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (f->raw)
        return 0;
    if (f->reading && fs__make_room(f, f->bufsize) < 0)
        return -1;
    if (f->writing &&
        (f->wbuf = PyMem_Malloc((size_t)f->bufsize)) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* SocketFile(sock, mode='rb', buffer_size=8192) */
static PyObject *
fs__file_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"sock", "mode", "buffer_size", NULL};
    PyObject *sock, *mode = NULL;
    Py_ssize_t bufsize = 8192;
    char reading = 1, writing = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|On:SocketFile", kwlist,
                                     &sock, &mode, &bufsize))
        return NULL;
    PyObject *m = PyType_GetModule(type);
    if (m == NULL)
        return NULL;
    if (!fs_is_socket(fs_get_state(m), sock))
        return PyErr_Format(PyExc_TypeError, "SocketFile() needs a socket, "
                            "not %.100s", Py_TYPE(sock)->tp_name);
    if (mode != NULL && fs__parse_mode(mode, &reading, &writing) < 0)
        return NULL;
    if (bufsize < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "buffer size must be strictly positive");
        return NULL;
    }
    fs_sockfile *f = (fs_sockfile *)type->tp_alloc(type, 0);
    if (f == NULL)
        return NULL;
    f->bufsize = bufsize;
    f->raw = bufsize == 0;
    f->reading = reading;
    f->writing = writing;
    if (fs__file_alloc(f) < 0) {
        f->closed = 1;          /* nothing to release in the finalizer */
        Py_DECREF(f);
        return NULL;
    }
    f->sock = (fs_sock *)Py_NewRef(sock);
    fs_sock_incref_io(f->sock);
    return (PyObject *)f;
}

/* A file dropped without close() is closed here, flushing what it holds,
 * as the stdlib's io objects do in their finalizer. */
static void
fs__file_finalize(PyObject *self)
{
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->closed || f->sock == NULL)
        return;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyObject *r = fs__file_close(self, NULL);
    if (r == NULL)
        PyErr_WriteUnraisable(self);
    Py_XDECREF(r);
    PyErr_Restore(et, ev, tb);
}

static int
fs__file_traverse(PyObject *self, visitproc visit, void *arg)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(f->sock);
    Py_VISIT(f->dict);
    return 0;
}

static int
fs__file_clear(PyObject *self)
{
    fs_sockfile *f = (fs_sockfile *)self;
    Py_CLEAR(f->sock);
    Py_CLEAR(f->dict);
    return 0;
}

static void
fs__file_dealloc(PyObject *self)
{
    fs_sockfile *f = (fs_sockfile *)self;
    PyTypeObject *tp = Py_TYPE(self);
    if (PyObject_CallFinalizerFromDealloc(self) < 0)
        return;     /* resurrected by the finalizer */
    PyObject_GC_UnTrack(self);
    if (f->weakreflist != NULL)
        PyObject_ClearWeakRefs(self);
    fs__file_clear(self);
    PyMem_Free(f->rbuf);
    PyMem_Free(f->wbuf);
    if (f->rlock.lock != NULL)
        PyThread_free_lock(f->rlock.lock);
    if (f->wlock.lock != NULL)
        PyThread_free_lock(f->wlock.lock);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ------------------------------------------------------------------ */
/* Text files: a fast path in front of io.TextIOWrapper                 */
/* ------------------------------------------------------------------ */

/*
 * makefile() in a text mode returns a TextIOWrapper over the binary file.
 * TextIOWrapper decodes 8 KiB chunks and cuts lines out of the decoded
 * text, which costs more per line than the whole binary readline.  A
 * SocketTextFile stands in front of the wrapper: for iteration and
 * readline() with the common encodings (UTF-8, Latin-1, ASCII) and newline
 * modes (None, '', '\n') it cuts the line out of the binary file's buffer
 * with memchr and decodes just that line; everything else goes to the
 * wrapper.  The two never disagree because the wrapper has read nothing
 * while the fast path is in use: the first operation that needs the
 * wrapper's reading machinery (read(n), readline(limit), a decoding error,
 * a non-blocking socket with no data) hands reading over to it for good,
 * and it then finds every unread byte still in the binary buffer.
 */

enum { FS__ENC_NONE, FS__ENC_UTF8, FS__ENC_LATIN1, FS__ENC_ASCII };
enum { FS__NL_OTHER, FS__NL_UNIVERSAL, FS__NL_UNTRANSLATED, FS__NL_LF };
/* Newline kinds seen, as IncrementalNewlineDecoder counts them. */
enum { FS__SEEN_CR = 1, FS__SEEN_LF = 2, FS__SEEN_CRLF = 4 };

typedef struct {
    PyObject_HEAD
    fs_sockfile *bin;       /* the binary file (strong) */
    PyObject *wrapper;      /* the io.TextIOWrapper over it (strong) */
    PyObject *errors;       /* the wrapper's errors, a str */
    const char *errors_c;   /* its UTF-8 form; NULL for "strict" */
    char enc;               /* FS__ENC_*: NONE disables the fast path */
    char nl;                /* FS__NL_*: OTHER disables the fast path */
    char delegated;         /* reading was handed to the wrapper */
    char strict;            /* decoding errors can be raised */
    int seen;               /* FS__SEEN_* of the lines cut here */
    /* With strict errors the wrapper would raise when it decodes the
     * chunk holding a bad byte, before returning the lines in front of
     * it.  So each chunk is checked as it arrives; these count bytes from
     * the read position: how far the data decodes, and where the chunk
     * that does not decode starts (-1: none). */
    Py_ssize_t checked, bad_at;
    PyObject *write, *flush;    /* the wrapper's bound methods, once used */
    PyObject *dict;
    PyObject *weakreflist;
} fs_socktext;

/* May this read go through the fast path? */
static inline int
fs__text_fast(fs_socktext *t)
{
    fs_sockfile *f = t->bin;
    return !t->delegated && f->reading && !f->closed && !f->raw;
}

/* Where the line starting at p (n bytes buffered) ends, for the newline
 * mode: the length including the line ending, or 0 when the buffer holds
 * no complete line yet (`eof` set: the data just ends).  *ending gets the
 * FS__SEEN_* kind, 0 for a line cut by EOF. */
static Py_ssize_t
fs__text_line_end(fs_socktext *t, const char *p, Py_ssize_t n, int eof,
                  int *ending)
{
    *ending = 0;
    if (n == 0)
        return 0;               /* (p may be NULL: nothing buffered yet) */
    const char *nl = memchr(p, '\n', (size_t)n);
    Py_ssize_t upto = nl ? nl - p : n;
    const char *cr = t->nl == FS__NL_LF ? NULL
                                        : memchr(p, '\r', (size_t)upto);
    if (cr != NULL) {
        Py_ssize_t at = cr - p;
        if (at + 1 == n && !eof)
            return 0;           /* is it "\r\n"?  Wait for the next byte. */
        if (at + 1 < n && cr[1] == '\n') {
            *ending = FS__SEEN_CRLF;
            return at + 2;
        }
        *ending = FS__SEEN_CR;
        return at + 1;
    }
    if (nl != NULL) {
        *ending = FS__SEEN_LF;
        return upto + 1;
    }
    return eof ? n : 0;
}

/*
 * The common line: ASCII, ending in "\n", no "\r" in it.  Its length with
 * the "\n", or 0 when something needs fs__text_line_end's closer look
 * first: a "\r", a non-ASCII byte, or the end of the buffered data.  One
 * pass a word at a time instead of two memchr() calls and an ASCII check:
 * a line is a few words long, so the calls' fixed costs dominated.
 */
static inline Py_ssize_t
fs__plain_line(const char *p, Py_ssize_t n)
{
    Py_ssize_t i = 0;
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
    /* Sixteen bytes at a time where SSE2 is there (all of x86-64). */
    const __m128i lf16 = _mm_set1_epi8('\n'), cr16 = _mm_set1_epi8('\r');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i hit16 = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf16),
                                                  _mm_cmpeq_epi8(v, cr16)), v);
        int mask = _mm_movemask_epi8(hit16);
        if (mask != 0) {
            i += __builtin_ctz((unsigned)mask);
            return p[i] == '\n' ? i + 1 : 0;
        }
    }
#endif
#if PY_LITTLE_ENDIAN && (defined(__GNUC__) || defined(__clang__))
    const uint64_t ones = UINT64_C(0x0101010101010101);
    const uint64_t highs = UINT64_C(0x8080808080808080);
    for (; i + 8 <= n; i += 8) {
        uint64_t w, lf, cr, hit;
        memcpy(&w, p + i, 8);
        lf = w ^ (ones * '\n');
        cr = w ^ (ones * '\r');
        /* A byte's high bit: it is 0x80 or more, or (from the "has a zero
         * byte" trick) it was "\n" or "\r".  The trick can also flag a
         * byte above a true hit, never below one, so the lowest flag is
         * exact. */
        hit = (((lf - ones) & ~lf) | ((cr - ones) & ~cr) | w) & highs;
        if (hit != 0) {
            i += __builtin_ctzll(hit) >> 3;
            return p[i] == '\n' ? i + 1 : 0;
        }
    }
#endif
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n')
            return i + 1;
        if (c == '\r' || c >= 0x80)
            return 0;
    }
    return 0;
}

/* Is p[0:n] all ASCII?  A word at a time: lines are short, but many. */
static inline int
fs__is_ascii(const char *p, Py_ssize_t n)
{
    uint64_t acc = 0, w;
    Py_ssize_t i = 0;
#if defined(__SSE2__)
    __m128i acc16 = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16)
        acc16 = _mm_or_si128(acc16, _mm_loadu_si128(
                                 (const __m128i *)(const void *)(p + i)));
    if (_mm_movemask_epi8(acc16) != 0)
        return 0;
#endif
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= (unsigned char)p[i];
    return (acc & UINT64_C(0x8080808080808080)) == 0;
}

/* Every supported codec reads ASCII as itself, so an ASCII line becomes a
 * str by a copy; `to_lf` makes its last character "\n". */
static PyObject *
fs__ascii_str(const char *p, Py_ssize_t n, int to_lf)
{
    PyObject *res = PyUnicode_New(n, 127);
    if (res != NULL) {
        memcpy(PyUnicode_1BYTE_DATA(res), p, (size_t)n);
        if (to_lf)
            PyUnicode_1BYTE_DATA(res)[n - 1] = '\n';
    }
    return res;
}

/* Decode a line of len bytes at p, translating its ending to "\n" in the
 * universal mode.  NULL with no exception set means "let the wrapper do
 * it" (a decoding error, which the wrapper will report its own way). */
static PyObject *
fs__text_decode(fs_socktext *t, const char *p, Py_ssize_t len, int ending,
                int ascii)
{
    const char *errors = t->errors_c;
    Py_ssize_t dlen = len;
    int to_lf = t->nl == FS__NL_UNIVERSAL &&
                (ending & (FS__SEEN_CR | FS__SEEN_CRLF));
    if (t->nl == FS__NL_UNIVERSAL && ending == FS__SEEN_CRLF)
        dlen--;                 /* decode "...\r", then make it "...\n" */
    if (ascii || fs__is_ascii(p, dlen))
        return fs__ascii_str(p, dlen, to_lf);
    PyObject *res;
    if (t->enc == FS__ENC_UTF8)
        res = PyUnicode_DecodeUTF8(p, dlen, errors);
    else if (t->enc == FS__ENC_LATIN1)
        res = PyUnicode_DecodeLatin1(p, dlen, errors);
    else
        res = PyUnicode_DecodeASCII(p, dlen, errors);
    if (res == NULL) {
        if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            PyErr_Clear();
        return NULL;
    }
    if (!to_lf)
        return res;
    if (PyUnicode_GET_LENGTH(res) == 1) {
        /* A lone "\r" may be a shared one-character string. */
        Py_DECREF(res);
        return PyUnicode_FromStringAndSize("\n", 1);
    }
    /* Longer strings are new and ours alone, so they may still change. */
    if (PyUnicode_WriteChar(res, PyUnicode_GET_LENGTH(res) - 1, '\n') < 0) {
        Py_DECREF(res);
        return NULL;
    }
    return res;
}

/* TextIOWrapper reads this much per chunk (its _CHUNK_SIZE); the fast
 * path receives the same chunks, so a bad byte is found at the same time. */
#define FS__TEXT_CHUNK 8192

/* Check the bytes that arrived since the last check, as the wrapper's
 * decoder would decode them (`final` at EOF).  A chunk that does not
 * decode is remembered in bad_at.  -1 only for an unexpected error. */
static int
fs__text_check(fs_socktext *t, int final)
{
    fs_sockfile *f = t->bin;
    Py_ssize_t avail = FS__AVAIL(f);
    if (t->checked > avail)     /* the binary file was read directly */
        t->checked = avail;
    if (t->bad_at >= 0 || (t->checked == avail && !final))
        return 0;
    const char *p = f->rbuf + f->rpos + t->checked;
    Py_ssize_t n = avail - t->checked, consumed = n;
    PyObject *str;
    if (fs__is_ascii(p, n)) {
        /* Every supported codec decodes ASCII: no str to make and drop. */
        t->checked = avail;
        return 0;
    }
    if (t->enc == FS__ENC_UTF8)
        str = PyUnicode_DecodeUTF8Stateful(p, n, "strict",
                                           final ? NULL : &consumed);
    else
        str = PyUnicode_DecodeASCII(p, n, "strict");
    if (str == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            return -1;
        PyErr_Clear();
        t->bad_at = t->checked;
        return 0;
    }
    Py_DECREF(str);
    t->checked += consumed;
    return 0;
}

/* Consume a line of `len` bytes, ending in `ending`, once it is made. */
static inline void
fs__text_consume(fs_socktext *t, Py_ssize_t len, int ending)
{
    t->bin->rpos += len;
    t->seen |= ending;
    t->checked = t->checked > len ? t->checked - len : 0;
    if (t->bad_at >= 0)
        t->bad_at -= len;
}

/* Cut, decode and consume one line of `len` bytes from the buffer (`ascii`:
 * known to be ASCII).  NULL without an exception: the wrapper must take
 * over, to raise the decoding error where the stdlib raises it. */
static PyObject *
fs__text_take(fs_socktext *t, Py_ssize_t len, int ending, int eof, int ascii)
{
    fs_sockfile *f = t->bin;
    if (t->strict) {
        if ((eof || (t->bad_at < 0 && t->checked != FS__AVAIL(f))) &&
            fs__text_check(t, eof) < 0)
            return NULL;
        if (t->bad_at >= 0 && len > t->bad_at)
            return NULL;
    }
    if (len == 0)
        return PyUnicode_New(0, 0);
    PyObject *res = fs__text_decode(t, f->rbuf + f->rpos, len, ending, ascii);
    if (res != NULL)
        fs__text_consume(t, len, ending);
    return res;
}

/* The slow path of a text line, with the binary read lock held: refill
 * until a whole line is buffered.  NULL without an exception means the
 * wrapper should take over (no data on a non-blocking socket). */
static PyObject *
fs__text_line_locked(fs_socktext *t)
{
    fs_sockfile *f = t->bin;
    for (;;) {
        int ending;
        Py_ssize_t len = fs__text_line_end(t, f->rbuf + f->rpos,
                                           FS__AVAIL(f), 0, &ending);
        if (len > 0)
            return fs__text_take(t, len, ending, 0, 0);
        Py_ssize_t r = fs__fill_n(f, FS__TEXT_CHUNK);
        if (r == FS__NO_DATA)
            return NULL;
        if (r == -1) {
            f->rpos = f->rend;      /* the partial line is lost, as in io */
            return NULL;
        }
        if (r == 0) {
            len = fs__text_line_end(t, f->rbuf + f->rpos, FS__AVAIL(f), 1,
                                    &ending);
            return fs__text_take(t, len, ending, 1, 0);
        }
    }
}

/* One line by the fast path, or NULL: with an exception set it is the
 * result; without, reading has been handed to the wrapper. */
static PyObject *
fs__text_line(fs_socktext *t)
{
    fs_sockfile *f = t->bin;
    if (f->rlock.owner == 0 && FS__AVAIL(f) > 0) {
        int ending = FS__SEEN_LF, ascii = 1;
        Py_ssize_t len = fs__plain_line(f->rbuf + f->rpos, FS__AVAIL(f));
        /* The usual case in full: a plain line, all of whose bytes were
         * already checked (or need no check).  fs__text_take's work
         * without its general cases. */
        if (len > 0 && t->bad_at < 0 &&
            (!t->strict || t->checked == FS__AVAIL(f))) {
            PyObject *res = fs__ascii_str(f->rbuf + f->rpos, len, 0);
            if (res != NULL)
                fs__text_consume(t, len, FS__SEEN_LF);
            return res;
        }
        if (len == 0) {
            ascii = 0;
            len = fs__text_line_end(t, f->rbuf + f->rpos, FS__AVAIL(f), 0,
                                    &ending);
        }
        if (len > 0) {
            PyObject *res = fs__text_take(t, len, ending, 0, ascii);
            if (res == NULL && !PyErr_Occurred())
                t->delegated = 1;
            return res;
        }
    }
    if (fs__enter_read(f, FS__CLOSED_FILE) < 0)
        return NULL;
    PyObject *res = fs__text_line_locked(t);
    fs__leave_read(f);
    if (res == NULL && !PyErr_Occurred())
        t->delegated = 1;
    return res;
}

static PyObject *
fs__text_iternext(PyObject *self)
{
    fs_socktext *t = (fs_socktext *)self;
    if (fs__text_fast(t)) {
        PyObject *line = fs__text_line(t);
        if (line != NULL && PyUnicode_GET_LENGTH(line) == 0) {
            Py_DECREF(line);
            return NULL;
        }
        if (line != NULL || PyErr_Occurred())
            return line;
    }
    return Py_TYPE(t->wrapper)->tp_iternext(t->wrapper);
}

static PyObject *
fs__text_iter(PyObject *self)
{
    fs_socktext *t = (fs_socktext *)self;
    if (t->bin->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    return Py_NewRef(self);
}

/* Call the wrapper's method `name` with the same arguments. */
static PyObject *
fs__text_forward(fs_socktext *t, const char *name, PyObject *const *args,
                 Py_ssize_t nargs)
{
    PyObject *meth = fs_getattr(t->wrapper, name);
    if (meth == NULL)
        return NULL;
    PyObject *res = PyObject_Vectorcall(meth, args, (size_t)nargs, NULL);
    Py_DECREF(meth);
    return res;
}

/* write() and flush() are the wrapper's; their bound methods are kept so
 * that a loop of writes costs one call more than the wrapper's own, not
 * an attribute lookup (and a failed one on this type first) per call. */
static PyObject *
fs__text_call_cached(fs_socktext *t, PyObject **slot, const char *name,
                     PyObject *const *args, Py_ssize_t nargs)
{
    if (*slot == NULL && (*slot = fs_getattr(t->wrapper, name)) == NULL)
        return NULL;
    return PyObject_Vectorcall(*slot, args, (size_t)nargs, NULL);
}

static PyObject *
fs__text_write(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_socktext *t = (fs_socktext *)self;
    return fs__text_call_cached(t, &t->write, "write", args, nargs);
}

static PyObject *
fs__text_flush(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_socktext *t = (fs_socktext *)self;
    return fs__text_call_cached(t, &t->flush, "flush", args, nargs);
}

static PyObject *
fs__text_readline(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_socktext *t = (fs_socktext *)self;
    /* Anything but no argument or a negative int (None included, which
     * some versions refuse) is for the wrapper to judge. */
    int no_limit = nargs == 0;
    if (nargs == 1 && PyLong_Check(args[0])) {
        Py_ssize_t v = PyLong_AsSsize_t(args[0]);
        if (v == -1 && PyErr_Occurred())
            PyErr_Clear();
        else
            no_limit = v < 0;
    }
    if (nargs <= 1 && no_limit && fs__text_fast(t)) {
        PyObject *line = fs__text_line(t);
        if (line != NULL || PyErr_Occurred())
            return line;
    }
    /* A limit counts characters, which the wrapper knows how to do. */
    t->delegated = 1;
    return fs__text_forward(t, "readline", args, nargs);
}

static PyObject *
fs__text_readlines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_socktext *t = (fs_socktext *)self;
    Py_ssize_t hint, total = 0;
    if (fs_check_io_nargs("readlines", nargs, 0, 1) < 0 ||
        fs_arg_opt_size(args, nargs, -1, &hint) < 0)
        return NULL;
    if (!fs__text_fast(t))
        return fs__text_forward(t, "readlines", args, nargs);
    PyObject *list = PyList_New(0);
    PyObject *line;
    while (list != NULL && (line = fs__text_iternext(self)) != NULL) {
        Py_ssize_t len = PyUnicode_GET_LENGTH(line);
        int r = PyList_Append(list, line);
        Py_DECREF(line);
        if (r < 0)
            Py_CLEAR(list);
        else if (hint > 0 && len > hint - total)
            break;
        total += len;
    }
    if (PyErr_Occurred())
        Py_CLEAR(list);
    return list;
}

/* Methods that read by count go to the wrapper, which takes over. */
static PyObject *
fs__text_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_socktext *t = (fs_socktext *)self;
    t->delegated = 1;
    return fs__text_forward(t, "read", args, nargs);
}

/* reconfigure() may change the encoding or the newline mode, and detach()
 * leaves the wrapper without a buffer: either way the fast path stops. */
static PyObject *
fs__text_reconfigure(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                     PyObject *kwnames)
{
    fs_socktext *t = (fs_socktext *)self;
    t->delegated = 1;
    PyObject *meth = fs_getattr(t->wrapper, "reconfigure");
    if (meth == NULL)
        return NULL;
    PyObject *res = PyObject_Vectorcall(meth, args, (size_t)nargs, kwnames);
    Py_DECREF(meth);
    return res;
}

static PyObject *
fs__text_detach(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_socktext *t = (fs_socktext *)self;
    t->delegated = 1;
    return fs__text_forward(t, "detach", NULL, 0);
}

static PyObject *
fs__text_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (((fs_socktext *)self)->bin->closed)
        return fs__closed_error(FS__CLOSED_FILE);
    return Py_NewRef(self);
}

static PyObject *
fs__text_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    (void)nargs;
    return fs__text_forward((fs_socktext *)self, "close", NULL, 0);
}

/* The newline kinds, in IncrementalNewlineDecoder's order. */
static const struct {
    const char *s;
    int bit;
} fs__nl_kinds[] = {
    {"\r", FS__SEEN_CR}, {"\n", FS__SEEN_LF}, {"\r\n", FS__SEEN_CRLF}};

/* The FS__SEEN_* bits of a newlines value: None, a str or a tuple. */
static int
fs__seen_bits(PyObject *v)
{
    if (PyTuple_Check(v)) {
        int bits = 0;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(v); i++)
            bits |= fs__seen_bits(PyTuple_GET_ITEM(v, i));
        return bits;
    }
    for (size_t i = 0; PyUnicode_Check(v) && i < 3; i++)
        if (PyUnicode_CompareWithASCIIString(v, fs__nl_kinds[i].s) == 0)
            return fs__nl_kinds[i].bit;
    return 0;
}

/* newlines: the kinds seen by the fast path and by the wrapper, in the
 * form IncrementalNewlineDecoder gives: None, one str, or a tuple. */
static PyObject *
fs__text_newlines_get(PyObject *self, void *closure)
{
    (void)closure;
    fs_socktext *t = (fs_socktext *)self;
    PyObject *w = fs_getattr(t->wrapper, "newlines");
    if (w == NULL || t->nl == FS__NL_LF || t->seen == 0)
        return w;
    int seen = t->seen | fs__seen_bits(w);
    Py_DECREF(w);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list != NULL && i < 3; i++) {
        PyObject *k = (seen & fs__nl_kinds[i].bit)
                      ? PyUnicode_FromString(fs__nl_kinds[i].s) : NULL;
        if (k != NULL && PyList_Append(list, k) < 0)
            Py_CLEAR(list);
        Py_XDECREF(k);
    }
    if (list == NULL || PyErr_Occurred()) {
        Py_XDECREF(list);
        return NULL;
    }
    PyObject *res = PyList_GET_SIZE(list) == 1
                    ? Py_NewRef(PyList_GET_ITEM(list, 0))
                    : PyList_AsTuple(list);
    Py_DECREF(list);
    return res;
}

/* Attributes not defined here are the wrapper's: encoding, errors,
 * buffer, name, closed, write, flush, close, fileno, tell... */
static PyObject *
fs__text_getattro(PyObject *self, PyObject *name)
{
    PyObject *res = PyObject_GenericGetAttr(self, name);
    if (res != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return res;
    PyErr_Clear();
    return PyObject_GetAttr(((fs_socktext *)self)->wrapper, name);
}

static PyObject *
fs__text_repr(PyObject *self)
{
    /* The wrapper's repr, as the stdlib's makefile() returns the wrapper. */
    return PyObject_Repr(((fs_socktext *)self)->wrapper);
}

/* The codec family of an encoding name, by the codec registry's name. */
static int
fs__text_codec(PyObject *encoding)
{
    PyObject *codecs = PyImport_ImportModule("codecs");
    if (codecs == NULL)
        return -1;
    PyObject *lookup = fs_getattr(codecs, "lookup");
    Py_DECREF(codecs);
    if (lookup == NULL)
        return -1;
    PyObject *info = PyObject_CallOneArg(lookup, encoding);
    Py_DECREF(lookup);
    PyObject *name = info ? fs_getattr(info, "name") : NULL;
    Py_XDECREF(info);
    if (name == NULL)
        return -1;
    int enc = FS__ENC_NONE;
    if (PyUnicode_CompareWithASCIIString(name, "utf-8") == 0)
        enc = FS__ENC_UTF8;
    else if (PyUnicode_CompareWithASCIIString(name, "iso8859-1") == 0)
        enc = FS__ENC_LATIN1;
    else if (PyUnicode_CompareWithASCIIString(name, "ascii") == 0)
        enc = FS__ENC_ASCII;
    Py_DECREF(name);
    return enc;
}

static int
fs__text_newline_mode(PyObject *newline)
{
    if (newline == Py_None)
        return FS__NL_UNIVERSAL;
    if (!PyUnicode_Check(newline))
        return FS__NL_OTHER;
    if (PyUnicode_GET_LENGTH(newline) == 0)
        return FS__NL_UNTRANSLATED;
    if (PyUnicode_CompareWithASCIIString(newline, "\n") == 0)
        return FS__NL_LF;
    return FS__NL_OTHER;
}

/* Can decoding with these errors raise?  Only "strict" and handlers we
 * do not know can; Latin-1 decodes every byte anyway. */
static int
fs__text_may_raise(int enc, PyObject *errors)
{
    static const char *const quiet[] = {"replace", "ignore",
                                        "surrogateescape", "backslashreplace"};
    if (enc == FS__ENC_LATIN1)
        return 0;
    for (size_t i = 0; i < sizeof(quiet) / sizeof(*quiet); i++)
        if (PyUnicode_CompareWithASCIIString(errors, quiet[i]) == 0)
            return 0;
    return 1;
}

/* Fill in a new text file from its wrapper's settings.  Steals errors. */
static int
fs__text_init(fs_socktext *t, int enc, PyObject *errors, PyObject *newline)
{
    t->errors = errors;
    t->errors_c = PyUnicode_AsUTF8(errors);
    if (t->errors_c == NULL)
        return -1;
    /* NULL is the C API's spelling of "strict", and the quickest. */
    if (strcmp(t->errors_c, "strict") == 0)
        t->errors_c = NULL;
    t->enc = (char)enc;
    t->nl = (char)fs__text_newline_mode(newline);
    t->bad_at = -1;
    t->strict = (char)fs__text_may_raise(enc, errors);
    t->delegated = t->enc == FS__ENC_NONE || t->nl == FS__NL_OTHER;
    return 0;
}

/* SocketTextFile(binary_file, wrapper, newline): `wrapper` is the
 * io.TextIOWrapper made over `binary_file` (a SocketFile) with `newline`,
 * not yet read from. */
static PyObject *
fs__text_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *bin, *wrapper, *newline;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0)
        return PyErr_Format(PyExc_TypeError,
                            "SocketTextFile() takes no keyword arguments");
    if (!PyArg_UnpackTuple(args, "SocketTextFile", 3, 3, &bin, &wrapper,
                           &newline))
        return NULL;
    PyObject *m = PyType_GetModule(type);
    if (m == NULL)
        return NULL;
    if (!PyObject_TypeCheck(bin, fs_get_state(m)->sockfile_type))
        return PyErr_Format(PyExc_TypeError,
                            "SocketTextFile() needs a SocketFile");
    PyObject *encoding = fs_getattr(wrapper, "encoding");
    PyObject *errors = encoding ? fs_getattr(wrapper, "errors") : NULL;
    int enc = errors ? fs__text_codec(encoding) : -1;
    Py_XDECREF(encoding);
    if (enc >= 0 && !PyUnicode_Check(errors)) {
        PyErr_SetString(PyExc_TypeError, "errors must be a str");
        enc = -1;
    }
    fs_socktext *t = NULL;
    if (enc >= 0)
        t = (fs_socktext *)type->tp_alloc(type, 0);
    if (t == NULL) {
        Py_XDECREF(errors);
        return NULL;
    }
    t->bin = (fs_sockfile *)Py_NewRef(bin);
    t->wrapper = Py_NewRef(wrapper);
    if (fs__text_init(t, enc, errors, newline) < 0) {
        Py_DECREF(t);
        return NULL;
    }
    return (PyObject *)t;
}

static int
fs__text_traverse(PyObject *self, visitproc visit, void *arg)
{
    fs_socktext *t = (fs_socktext *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(t->bin);
    Py_VISIT(t->wrapper);
    Py_VISIT(t->write);
    Py_VISIT(t->flush);
    Py_VISIT(t->dict);
    return 0;
}

static int
fs__text_clear(PyObject *self)
{
    fs_socktext *t = (fs_socktext *)self;
    Py_CLEAR(t->bin);
    Py_CLEAR(t->wrapper);
    Py_CLEAR(t->write);
    Py_CLEAR(t->flush);
    Py_CLEAR(t->errors);
    Py_CLEAR(t->dict);
    return 0;
}

static void
fs__text_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (((fs_socktext *)self)->weakreflist != NULL)
        PyObject_ClearWeakRefs(self);
    fs__text_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

#define FASTCALL(f) ((PyCFunction)(void (*)(void))(f))

static PyMethodDef fs__text_methods[] = {
    {"readline", FASTCALL(fs__text_readline), METH_FASTCALL,
     "readline(size=-1, /) -> str"},
    {"readlines", FASTCALL(fs__text_readlines), METH_FASTCALL,
     "readlines(hint=-1, /) -> list of str"},
    {"read", FASTCALL(fs__text_read), METH_FASTCALL,
     "read(size=-1, /) -> str"},
    {"write", FASTCALL(fs__text_write), METH_FASTCALL,
     "write(text, /) -> int"},
    {"flush", FASTCALL(fs__text_flush), METH_FASTCALL, "flush()"},
    {"reconfigure", FASTCALL(fs__text_reconfigure),
     METH_FASTCALL | METH_KEYWORDS, "reconfigure(*, encoding, errors, "
     "newline, line_buffering, write_through)"},
    {"detach", fs__text_detach, METH_NOARGS,
     "detach() -> the binary file"},
    {"__enter__", fs__text_enter, METH_NOARGS, NULL},
    {"__exit__", FASTCALL(fs__text_exit), METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef fs__text_getset[] = {
    {"newlines", fs__text_newlines_get, NULL, "newline kinds seen", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef fs__text_members[] = {
    {"_wrapper", T_OBJECT, offsetof(fs_socktext, wrapper), READONLY,
     "the io.TextIOWrapper behind this file"},
    {"__dictoffset__", T_PYSSIZET, offsetof(fs_socktext, dict), READONLY,
     NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(fs_socktext, weakreflist),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyType_Slot fs__text_slots[] = {
    {Py_tp_new, fs__text_new},
    {Py_tp_dealloc, fs__text_dealloc},
    {Py_tp_traverse, fs__text_traverse},
    {Py_tp_clear, fs__text_clear},
    {Py_tp_repr, fs__text_repr},
    {Py_tp_getattro, fs__text_getattro},
    {Py_tp_iter, fs__text_iter},
    {Py_tp_iternext, fs__text_iternext},
    {Py_tp_methods, fs__text_methods},
    {Py_tp_getset, fs__text_getset},
    {Py_tp_members, fs__text_members},
    {Py_tp_doc, "SocketTextFile(binary_file, wrapper, newline)\n\n"
                "A text socket file: lines are cut and decoded in C, the "
                "rest is done by the io.TextIOWrapper `wrapper`."},
    {0, NULL}
};

static PyType_Spec fs__socktext_spec = {
    .name = "_fastsock.SocketTextFile",
    .basicsize = sizeof(fs_socktext),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = fs__text_slots,
};

/* SocketFile._text_type() -> a new SocketTextFile type bound to this
 * module.  The Python package calls it once at import and keeps the type;
 * this keeps module.c's table of types unchanged. */
static PyObject *
fs__file_text_type(PyObject *cls, PyObject *unused)
{
    (void)unused;
    PyObject *m = PyType_GetModule((PyTypeObject *)cls);
    if (m == NULL)
        return NULL;
    return PyType_FromModuleAndSpec(m, &fs__socktext_spec, NULL);
}

/* ------------------------------------------------------------------ */
/* Type                                                                 */
/* ------------------------------------------------------------------ */

static PyMethodDef fs__file_methods[] = {
    {"read", FASTCALL(fs__file_read), METH_FASTCALL,
     "read(size=-1, /) -> bytes\n\nRead size bytes, or until EOF."},
    {"read1", FASTCALL(fs__file_read1), METH_FASTCALL,
     "read1(size=-1, /) -> bytes\n\nBuffered bytes, or at most one recv."},
    {"readinto", fs__file_readinto, METH_O, "readinto(buffer, /) -> int"},
    {"readinto1", fs__file_readinto1, METH_O, "readinto1(buffer, /) -> int"},
    {"readline", FASTCALL(fs__file_readline), METH_FASTCALL,
     "readline(size=-1, /) -> bytes\n\nRead one line, newline included."},
    {"readlines", FASTCALL(fs__file_readlines), METH_FASTCALL,
     "readlines(hint=-1, /) -> list of lines"},
    {"peek", FASTCALL(fs__file_peek), METH_FASTCALL,
     "peek(size=0, /) -> bytes\n\nBuffered bytes, without consuming them."},
    {"write", fs__file_write, METH_O,
     "write(buffer, /) -> int\n\nBuffer (or send) the bytes."},
    {"writelines", fs__file_writelines, METH_O, "writelines(lines, /)"},
    {"flush", fs__file_flush, METH_NOARGS, "flush()\n\nSend buffered bytes."},
    {"close", fs__file_close, METH_NOARGS,
     "close()\n\nFlush and release the socket."},
    {"fileno", fs__file_fileno, METH_NOARGS, "fileno() -> int"},
    {"readable", fs__file_readable, METH_NOARGS, "readable() -> bool"},
    {"writable", fs__file_writable, METH_NOARGS, "writable() -> bool"},
    {"seekable", fs__file_seekable, METH_NOARGS, "seekable() -> False"},
    {"isatty", fs__file_isatty, METH_NOARGS, "isatty() -> False"},
    {"detach", fs__file_detach, METH_NOARGS, "Not supported."},
    {"tell", fs__file_tell, METH_NOARGS, "Not supported."},
    {"seek", FASTCALL(fs__file_seek), METH_FASTCALL, "Not supported."},
    {"truncate", FASTCALL(fs__file_truncate), METH_FASTCALL, "Not supported."},
    {"__enter__", fs__file_enter, METH_NOARGS, NULL},
    {"__exit__", FASTCALL(fs__file_exit), METH_FASTCALL, NULL},
    {"_text_type", fs__file_text_type, METH_NOARGS | METH_CLASS,
     "_text_type() -> a SocketTextFile type for this module"},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef fs__file_getset[] = {
    {"closed", fs__file_closed_get, NULL, "True once closed", NULL},
    {"name", fs__file_name_get, NULL, "the fd, or -1 once closed", NULL},
    {"mode", fs__file_mode_get, NULL, "'rb' or 'wb'", NULL},
    {"_sock", fs__file_sock_get, NULL, "the socket, while open", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef fs__file_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(fs_sockfile, dict), READONLY,
     NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(fs_sockfile, weakreflist),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyType_Slot fs__file_slots[] = {
    {Py_tp_new, fs__file_new},
    {Py_tp_dealloc, fs__file_dealloc},
    {Py_tp_finalize, fs__file_finalize},
    {Py_tp_traverse, fs__file_traverse},
    {Py_tp_clear, fs__file_clear},
    {Py_tp_repr, fs__file_repr},
    {Py_tp_iter, fs__file_iter},
    {Py_tp_iternext, fs__file_iternext},
    {Py_tp_methods, fs__file_methods},
    {Py_tp_getset, fs__file_getset},
    {Py_tp_members, fs__file_members},
    {Py_tp_doc, "SocketFile(sock, mode='rb', buffer_size=8192)\n\n"
                "A buffered binary file over a socket, as returned by "
                "socket.makefile(); modes 'rb', 'wb' and 'rwb'."},
    {0, NULL}
};

PyType_Spec fs_sockfile_spec = {
    .name = "_fastsock.SocketFile",
    .basicsize = sizeof(fs_sockfile),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = fs__file_slots,
};
