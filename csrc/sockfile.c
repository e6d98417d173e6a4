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
#include "sockfile.h"

/* ------------------------------------------------------------------ */
/* The object                                                           */
/* ------------------------------------------------------------------ */

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
fs__enter(fs_sockfile *f, fs_side_lock *l)
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
fs__leave(fs_side_lock *l)
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

/* One recv of at most n bytes into buf: the count (0 at EOF), FS_NO_DATA,
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
        return FS_NO_DATA;
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

/* Make room for one recv of `need` bytes after rend: reuse the buffer
 * from the start when it is empty, slide unconsumed data to the front, or
 * grow (a long line being assembled).  Runs under the read lock. */
static int
fs__make_room(fs_sockfile *f, Py_ssize_t need)
{
    FS_ASSERT_BUFFERS(f);
    if (f->rpos == f->rend)
        f->rpos = f->rend = 0;
    if (f->rcap - f->rend >= need)
        return 0;
    if (f->rpos > 0) {
        memmove(f->rbuf, f->rbuf + f->rpos, (size_t)FS_AVAIL(f));
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
Py_ssize_t
fs_file_fill_n(fs_sockfile *f, Py_ssize_t size)
{
    if (fs__make_room(f, size) < 0)
        return -1;
    assert(f->rcap - f->rend >= size);
    Py_ssize_t n = fs__raw_recv(f, f->rbuf + f->rend, size);
    if (n > 0)
        f->rend += n;
    FS_ASSERT_BUFFERS(f);
    return n;
}

/* Append one recv of at most bufsize bytes, as BufferedReader reads. */
static Py_ssize_t
fs__fill(fs_sockfile *f)
{
    return fs_file_fill_n(f, f->bufsize);
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
    assert(0 <= n && n <= FS_AVAIL(f));
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
            fs_closed_error(FS_CLOSED_FILE);
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
        fs_closed_error(closed_msg);
        return -1;
    }
    return 0;
}

/* Take the read lock for an operation that may block; the file may have
 * been closed by the thread we waited for. */
int
fs_file_enter_read(fs_sockfile *f, const char *closed_msg)
{
    if (fs__enter(f, &f->rlock) < 0)
        return -1;
    if (f->closed) {
        fs__leave(&f->rlock);
        fs_closed_error(closed_msg);
        return -1;
    }
    return 0;
}

void
fs_file_leave_read(fs_sockfile *f)
{
    FS_ASSERT_BUFFERS(f);
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
        Py_ssize_t avail = FS_AVAIL(f);
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
        if (r == FS_NO_DATA && FS__IS_PAIR(f)) {
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
        if (r == 0 || r == FS_NO_DATA)
            return fs__take(f, FS_AVAIL(f));
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
        Py_ssize_t r = FS_AVAIL(f) > 0 ? 1 : fs__fill(f);
        if (r == 0)
            break;
        if (r < 0) {
            if (r == FS_NO_DATA)
                PyErr_SetString(PyExc_OSError, "read() should have returned "
                                "a bytes object, not 'NoneType'");
            Py_CLEAR(res);
            break;
        }
        const char *start = f->rbuf + f->rpos;
        Py_ssize_t n = FS_AVAIL(f) < limit ? FS_AVAIL(f) : limit;
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
    Py_ssize_t avail = FS_AVAIL(f);
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
    if (fs_file_enter_read(f, "readline of closed file") < 0)
        return NULL;
    PyObject *res = limit > 0 && FS__IS_PAIR(f)
                    ? fs__pair_readline_limited(f, limit)
                    : fs__readline_locked(f, limit);
    fs_file_leave_read(f);
    return res;
}

/* The case worth making short: readline() or next() with a whole line
 * already buffered.  Only a readable, open, buffered file ever has bytes
 * buffered, so that is checked too.  NULL without an exception when it
 * does not apply. */
static inline PyObject *
fs__buffered_line(fs_sockfile *f)
{
    Py_ssize_t avail = FS_AVAIL(f);
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
        return fs_closed_error(FS_CLOSED_FILE);
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
        return fs_closed_error(FS_CLOSED_FILE);
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
    if (r == -1 || (r == FS_NO_DATA && got == 0)) {
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
    Py_ssize_t got = FS_AVAIL(f), r = 0;
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
        Py_ssize_t k = FS_AVAIL(f) < n - got ? FS_AVAIL(f) : n - got;
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
    Py_ssize_t got = FS_AVAIL(f), size = got + 8192, r;
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
    if (n >= 0 && n <= FS_AVAIL(f) && f->rlock.owner == 0)
        return fs__take(f, n);
    if (fs_file_enter_read(f, "read of closed file") < 0)
        return NULL;
    PyObject *res;
    if (n < 0)
        res = fs__read_all(f);
    else
        res = n <= FS_AVAIL(f) ? fs__take(f, n) : fs__read_n(f, n);
    fs_file_leave_read(f);
    return res;
}

/* read1(n): buffered bytes if there are any, else at most one recv. */
static PyObject *
fs__read1_locked(fs_sockfile *f, Py_ssize_t n)
{
    if (FS_AVAIL(f) > 0)
        return fs__take(f, FS_AVAIL(f) < n ? FS_AVAIL(f) : n);
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
    if (r == FS_NO_DATA)
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
    if (FS_AVAIL(f) > 0 && f->rlock.owner == 0)
        return fs__take(f, FS_AVAIL(f) < n ? FS_AVAIL(f) : n);
    if (fs_file_enter_read(f, "read of closed file") < 0)
        return NULL;
    PyObject *res = fs__read1_locked(f, n);
    fs_file_leave_read(f);
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
    if (fs_file_enter_read(f, "peek of closed file") < 0)
        return NULL;
    Py_ssize_t r = 0;
    if (FS_AVAIL(f) == 0)
        r = fs__fill(f);
    PyObject *res = NULL;
    if (r != -1)
        res = PyBytes_FromStringAndSize(FS_AVAIL(f) ? f->rbuf + f->rpos
                                                      : NULL, FS_AVAIL(f));
    fs_file_leave_read(f);
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
        if (r == FS_NO_DATA && got == 0)
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
    else if (f->rlock.owner == 0 && FS_AVAIL(f) >= len) {
        if (len > 0)
            memcpy(view.buf, f->rbuf + f->rpos, (size_t)len);
        f->rpos += len;
        res = PyLong_FromSsize_t(len);
    }
    else if (fs_file_enter_read(f, closed_msg) == 0) {
        Py_ssize_t got = FS_AVAIL(f) < len ? FS_AVAIL(f) : len;
        if (got > 0)
            memcpy(view.buf, f->rbuf + f->rpos, (size_t)got);
        f->rpos += got;
        if (got == len)
            res = PyLong_FromSsize_t(got);
        else
            res = fs__readinto_locked(f, view.buf, len, got, one);
        fs_file_leave_read(f);
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
    if (r == FS_NO_DATA)
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
        r = FS_NO_DATA;
    if (r == FS_NO_DATA) {
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
    FS_ASSERT_BUFFERS(f);
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
    FS_ASSERT_BUFFERS(f);
    return 0;
}

static int
fs__write_impl(fs_sockfile *f, const char *data, Py_ssize_t len)
{
    if (f->wlock.owner == 0 && f->wbuf != NULL &&
        len <= f->bufsize - f->wlen && FS__BUFFERS(f, len)) {
        memcpy(f->wbuf + f->wlen, data, (size_t)len);
        f->wlen += len;
        FS_ASSERT_BUFFERS(f);
        return 0;
    }
    if (fs__enter(f, &f->wlock) < 0)
        return -1;
    int r = -1;
    if (f->closed)
        fs_closed_error("write to closed file");
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
        return fs_closed_error(FS_CLOSED_FILE);
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
        fs_closed_error("write to closed file");
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
        return fs_closed_error(FS_CLOSED_FILE);
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
            return fs_closed_error(FS_CLOSED_FILE);
        Py_RETURN_NONE;
    }
    if (f->closed)
        return fs_closed_error("flush of closed file");
    if (fs__enter(f, &f->wlock) < 0)
        return NULL;
    int r = -1;
    if (f->closed)
        fs_closed_error("flush of closed file");
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
    PyObject *exc = failed ? fs_err_fetch() : NULL;
    if (!f->closed && fs__release(f) < 0 && failed)
        PyErr_Clear();
    if (failed)
        fs_err_restore(exc);
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
        return fs_closed_error(FS_CLOSED_FILE);
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
        return fs_closed_error("I/O operation on closed socket.");
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
        return fs_closed_error("I/O operation on closed socket.");
    Py_RETURN_TRUE;
}

static PyObject *
fs__file_seekable(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->closed && !FS__IS_PAIR(f))
        return fs_closed_error("I/O operation on closed socket.");
    Py_RETURN_FALSE;
}

static PyObject *
fs__file_isatty(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (((fs_sockfile *)self)->closed)
        return fs_closed_error(FS_CLOSED_FILE);
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
        return fs_closed_error(FS_CLOSED_FILE);
    return PyLong_FromLong(f->sock->fd);
}

static PyObject *
fs__file_detach(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_sockfile *f = (fs_sockfile *)self;
    if (f->closed && !FS__IS_PAIR(f))
        return fs_closed_error(FS_CLOSED_FILE);
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

/* file.raw: the SocketIO that the stdlib's BufferedReader or BufferedWriter
 * wraps, which code reaches through for the socket (file.raw._sock).  It
 * is made by fastsock._SocketFileRaw the first time it is asked for and
 * kept in the instance dict, so the read and write paths never pay for
 * it.  Like the stdlib's BufferedRWPair and unbuffered SocketIO, read-write
 * and unbuffered files have none. */
static PyObject *
fs__file_raw_get(PyObject *self, void *closure)
{
    (void)closure;
    fs_sockfile *f = (fs_sockfile *)self;
    if (FS__IS_RW(f) || f->raw) {
        PyErr_SetString(PyExc_AttributeError,
                        "'SocketFile' object has no attribute 'raw'");
        return NULL;
    }
    PyObject *dict = PyObject_GenericGetDict(self, NULL);
    if (dict == NULL)
        return NULL;
    PyObject *raw = NULL;
    PyObject *key = PyUnicode_InternFromString("_raw");
    if (key == NULL)
        goto done;
    raw = PyDict_GetItemWithError(dict, key);
    if (raw != NULL || PyErr_Occurred()) {
        Py_XINCREF(raw);
        goto done;
    }
    PyObject *mod = PyImport_ImportModule("fastsock");
    if (mod != NULL) {
        raw = PyObject_CallMethod(mod, "_SocketFileRaw", "O", self);
        Py_DECREF(mod);
    }
    if (raw != NULL && PyDict_SetItem(dict, key, raw) < 0)
        Py_CLEAR(raw);
done:
    Py_XDECREF(key);
    Py_DECREF(dict);
    return raw;
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
    PyObject *exc = fs_err_fetch();
    PyObject *r = fs__file_close(self, NULL);
    if (r == NULL)
        PyErr_WriteUnraisable(self);
    Py_XDECREF(r);
    fs_err_restore(exc);
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
/* Type                                                                 */
/* ------------------------------------------------------------------ */

static PyMethodDef fs__file_methods[] = {
    {"read", FS_FASTCALL(fs__file_read), METH_FASTCALL,
     "read(size=-1, /) -> bytes\n\nRead size bytes, or until EOF."},
    {"read1", FS_FASTCALL(fs__file_read1), METH_FASTCALL,
     "read1(size=-1, /) -> bytes\n\nBuffered bytes, or at most one recv."},
    {"readinto", fs__file_readinto, METH_O, "readinto(buffer, /) -> int"},
    {"readinto1", fs__file_readinto1, METH_O, "readinto1(buffer, /) -> int"},
    {"readline", FS_FASTCALL(fs__file_readline), METH_FASTCALL,
     "readline(size=-1, /) -> bytes\n\nRead one line, newline included."},
    {"readlines", FS_FASTCALL(fs__file_readlines), METH_FASTCALL,
     "readlines(hint=-1, /) -> list of lines"},
    {"peek", FS_FASTCALL(fs__file_peek), METH_FASTCALL,
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
    {"seek", FS_FASTCALL(fs__file_seek), METH_FASTCALL, "Not supported."},
    {"truncate", FS_FASTCALL(fs__file_truncate), METH_FASTCALL, "Not supported."},
    {"__enter__", fs__file_enter, METH_NOARGS, NULL},
    {"__exit__", FS_FASTCALL(fs__file_exit), METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef fs__file_getset[] = {
    {"closed", fs__file_closed_get, NULL, "True once closed", NULL},
    {"name", fs__file_name_get, NULL, "the fd, or -1 once closed", NULL},
    {"mode", fs__file_mode_get, NULL, "'rb' or 'wb'", NULL},
    {"_sock", fs__file_sock_get, NULL, "the socket, while open", NULL},
    {"raw", fs__file_raw_get, NULL,
     "the SocketIO under a read-only or write-only buffered file", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef fs__file_members[] = {
    {"__dictoffset__", Py_T_PYSSIZET, offsetof(fs_sockfile, dict),
     Py_READONLY, NULL},
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(fs_sockfile, weakreflist),
     Py_READONLY, NULL},
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
