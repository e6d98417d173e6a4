/*
 * iodriver.c - the one I/O driver, fs_sock_call (its contract is in
 * fastsock.h), and the raw helpers over it that the socket methods, the
 * socket file and the server core call: one syscall each, with timeouts,
 * EINTR and the GIL handled here and nowhere else.
 *
 * The driver reads and updates a few fields of the socket (fd, timeout_ns,
 * held_skip/held_backoff) and nothing else of it: the socket type itself
 * lives in sockobj.c.
 */
#include "fastsock.h"

#include <poll.h>

/* ------------------------------------------------------------------ */
/* The I/O driver                                                       */
/* ------------------------------------------------------------------ */

/* Wait for readiness until the deadline (or forever when deadline is 0 and
 * `forever` is set).  Runs without the GIL.  Returns 1 ready, 0 timed out,
 * -1 with errno set. */
static int
fs__wait_ready(int fd, int writing, fs_deadline deadline, int forever)
{
    struct pollfd p = {fd, writing ? POLLOUT : POLLIN, 0};
    int ms = -1;

    if (!forever) {
        int64_t left = deadline - fs_monotonic_ns();
        if (left <= 0)
            return 0;
        /* Round up: a poll that returns early would only spin. */
        int64_t lms = left / 1000000 + (left % 1000000 != 0);
        ms = lms > INT_MAX ? INT_MAX : (int)lms;
    }
    int n = poll(&p, 1, ms);
    if (n < 0)
        return -1;
    /* A poll that ran out may still be a hair early for our clock: the
     * caller tries the syscall once more and then checks the deadline. */
    return 1;
}

/* The deadline `timeout` ns from now, saturating instead of overflowing
 * for huge timeouts (settimeout(2**33) is allowed and means "ages"). */
static fs_deadline
fs__deadline_after(int64_t timeout)
{
    int64_t now = fs_monotonic_ns();
    return timeout > INT64_MAX - now ? INT64_MAX : now + timeout;
}

/* Has s->fd changed from `fd` (closed by another thread)?  Read without
 * the GIL: a volatile read so the compiler cannot reuse a stale value.  The
 * window between this check and the next syscall is the same one the
 * stdlib has; closing the fd under a running call is the caller's race. */
static int
fs__fd_changed(fs_sock *s, int fd)
{
    return *(volatile int *)&s->fd != fd;
}

/* FS_WAIT_FOREVER, as a timeout for fs__call: poll without limit on EAGAIN
 * (the second half of a blocking connect() interrupted by a signal). */
#define FS_WAIT_FOREVER ((int64_t)-2)

/* What fs__attempt returns when the deadline passed (errno values are
 * positive, so it cannot be mistaken for one). */
#define FS__TIMED_OUT (-1)
/* What fs__attempt_held returns when it made no attempt. */
#define FS__NOT_TRIED (-2)

/* One round of a call, WITHOUT the GIL: the syscall (unless `wait_first`,
 * when an attempt under the GIL just found the socket not ready), and on
 * EAGAIN a wait for readiness and a retry, until success, an error or the
 * deadline.  Returns 0, an errno value, or FS__TIMED_OUT. */
static int
fs__attempt(fs_sock *s, int fd, int writing, fs_io_fn fn, void *ctx,
            fs_deadline *deadline, int64_t timeout, int wait_first)
{
    int forever = timeout == FS_WAIT_FOREVER;
    for (;;) {
        if (!wait_first) {
            if (fn(fd, ctx, 0) >= 0)
                return 0;
            int err = errno;
            if ((err != EAGAIN && err != EWOULDBLOCK) ||
                (timeout <= 0 && !forever))
                return err;
        }
        wait_first = 0;
        if (!forever && *deadline == 0)
            *deadline = fs__deadline_after(timeout);
        int r = fs__wait_ready(fd, writing, *deadline, forever);
        if (r < 0)
            return errno;
        if (r == 0)
            return FS__TIMED_OUT;
        /* Another thread may have closed the socket while we waited, and
         * the fd number may already name a new file: retry only on the fd
         * the socket still holds (the stdlib re-reads it too).  A wait cut
         * short that way reports EBADF even if it also ran out, as the
         * stdlib does (it retries on the dead fd). */
        if (fs__fd_changed(s, fd))
            return EBADF;
    }
}

/* The attempt made with the GIL held, when one cannot block (see
 * fastsock.h): returns 0 done, an errno value, or FS__NOT_TRIED when there
 * is no such attempt for this call.  An fd with a timeout or in non-blocking
 * mode is O_NONBLOCK; a blocking one needs MSG_DONTWAIT, which `fn` must
 * honour. */
static int
fs__attempt_held(int fd, int how, fs_io_fn fn, void *ctx, int64_t timeout)
{
    int dontwait;
    if (timeout >= 0 || timeout == FS_WAIT_FOREVER)
        dontwait = 0;
    else if (how & FS_IO_DONTWAIT)
        dontwait = MSG_DONTWAIT;
    else
        return FS__NOT_TRIED;
    return fn(fd, ctx, dontwait) >= 0 ? 0 : errno;
}

/* Longest run of calls that skip the attempt under the GIL. */
#define FS__HELD_BACKOFF_MAX 128

/* On a blocking socket, is the attempt under the GIL worth making?  A
 * ping-pong peer usually finds nothing to read yet, and a bulk sender a
 * full buffer: there each miss would add a syscall.  After a miss the next
 * calls go straight to the blocking syscall, for a run that doubles with
 * each further miss (up to FS__HELD_BACKOFF_MAX) and resets on a hit. */
static int
fs__held_wanted(fs_sock *s, int how, int64_t timeout)
{
    if (timeout != FS_BLOCKING)
        return 1;       /* O_NONBLOCK fd: the attempt is the one we'd make */
    int dir = how & FS_IO_WRITE;
    if (s->held_skip[dir] > 0) {
        s->held_skip[dir]--;
        return 0;
    }
    return 1;
}

static void
fs__held_outcome(fs_sock *s, int how, int64_t timeout, int missed)
{
    if (timeout != FS_BLOCKING)
        return;
    int dir = how & FS_IO_WRITE;
    if (!missed) {
        s->held_backoff[dir] = 0;
        return;
    }
    unsigned next = s->held_backoff[dir] ? 2u * s->held_backoff[dir] : 1u;
    if (next > FS__HELD_BACKOFF_MAX)
        next = FS__HELD_BACKOFF_MAX;
    s->held_backoff[dir] = (unsigned char)next;
    s->held_skip[dir] = (unsigned char)next;
}

static int
fs__call(fs_sock *s, int how, fs_io_fn fn, void *ctx,
         fs_deadline *deadline, int64_t timeout)
{
    fs_deadline local = 0;
    int writing = how & FS_IO_WRITE;
    int held = 1;
    /* The driver reads the socket and may raise: its caller holds the
     * GIL, and the driver alone lets go of it, around the wait. */
    assert(PyGILState_Check());
    if (deadline == NULL)
        deadline = &local;
    /* A signal that arrived since the interpreter last looked (while the
     * caller built its arguments, say) is handled now, before a call that
     * may block: otherwise a Ctrl-C sent just before a blocking recv() or
     * sendall() would wait for the next EINTR that never comes.  The check
     * is one atomic load when nothing is pending. */
    if (timeout != FS_NONBLOCK && PyErr_CheckSignals() < 0)
        return -1;

    for (;;) {
        int fd = s->fd, err = FS__NOT_TRIED, wait_first = 0;
        if (fd < 0) {
            fs_err_errno(EBADF);
            return -1;
        }
        /* Only in the first round: after EINTR the retry waits as usual. */
        if (held) {
            held = 0;
            if (fs__held_wanted(s, how, timeout))
                err = fs__attempt_held(fd, how, fn, ctx, timeout);
            if (err != FS__NOT_TRIED)
                fs__held_outcome(s, how, timeout,
                                 err == EAGAIN || err == EWOULDBLOCK);
            if (err == EAGAIN || err == EWOULDBLOCK) {
                /* Not ready.  A non-blocking socket reports it; others
                 * wait, without repeating the syscall that just failed
                 * when the fd itself is non-blocking. */
                if (timeout == FS_NONBLOCK)
                    return fs_err_errno(err), -1;
                wait_first = timeout > 0 || timeout == FS_WAIT_FOREVER;
                err = FS__NOT_TRIED;
            }
        }
        if (err == FS__NOT_TRIED) {
            Py_BEGIN_ALLOW_THREADS
            err = fs__attempt(s, fd, writing, fn, ctx, deadline, timeout,
                              wait_first);
            Py_END_ALLOW_THREADS
        }
        if (err == 0)
            return 0;
        if (err == FS__TIMED_OUT) {
            PyErr_SetString(s->st->timeout_error, "timed out");
            return -1;
        }
        if (err == EINTR) {
            /* PEP 475: run the signal handlers; retry unless one raised. */
            if (PyErr_CheckSignals() < 0)
                return -1;
            continue;
        }
        fs_err_errno(err);
        return -1;
    }
}

int
fs_sock_call(fs_sock *s, int how, fs_io_fn fn, void *ctx,
             fs_deadline *deadline)
{
    return fs__call(s, how, fn, ctx, deadline, s->timeout_ns);
}

/* ------------------------------------------------------------------ */
/* Syscall wrappers: one attempt each, and the raw helpers over them    */
/* ------------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len;
    int flags;
    ssize_t result;
    fs_addr *addr;          /* recvfrom / sendto / accept */
    socklen_t addrlen;
    ssize_t early;          /* sent by a MSG_DONTWAIT attempt (fs__sent) */
} fs__io;

/* How a receive may be tried under the GIL: MSG_DONTWAIT returns what a
 * blocking call would, except with MSG_WAITALL, which waits for more. */
static int
fs__recv_how(int flags)
{
    return flags & MSG_WAITALL ? FS_IO_READ : FS_IO_READ | FS_IO_DONTWAIT;
}

static int
fs__do_recv(int fd, void *p, int dontwait)
{
    fs__io *io = p;
    io->result = recv(fd, io->buf, io->len, io->flags | dontwait);
    return io->result < 0 ? -1 : 0;
}

static int
fs__do_recvfrom(int fd, void *p, int dontwait)
{
    fs__io *io = p;
    io->addrlen = sizeof(*io->addr);
    memset(io->addr, 0, sizeof(io->addr->sa));
    io->result = recvfrom(fd, io->buf, io->len, io->flags | dontwait,
                          &io->addr->sa, &io->addrlen);
    return io->result < 0 ? -1 : 0;
}

/* The outcome `n` of one send attempt.  A blocking send() on a stream
 * returns only once all of the data is queued; when the attempt under the
 * GIL (MSG_DONTWAIT, not asked for by the caller) moved just part of it,
 * keep that part and report EAGAIN so that the driver's blocking attempt
 * sends the rest.  io->result is then the total. */
static int
fs__sent(fs__io *io, ssize_t n, int dontwait)
{
    if (n < 0)
        return -1;
    if (dontwait && !(io->flags & MSG_DONTWAIT) && (size_t)n < io->len) {
        io->buf += n;
        io->len -= (size_t)n;
        io->early += n;
        errno = EAGAIN;
        return -1;
    }
    io->result = io->early + n;
    return 0;
}

static int
fs__do_send(int fd, void *p, int dontwait)
{
    fs__io *io = p;
    ssize_t n = send(fd, io->buf, io->len, io->flags | dontwait | MSG_NOSIGNAL);
    return fs__sent(io, n, dontwait);
}

static int
fs__do_sendto(int fd, void *p, int dontwait)
{
    fs__io *io = p;
    ssize_t n = sendto(fd, io->buf, io->len,
                       io->flags | dontwait | MSG_NOSIGNAL,
                       &io->addr->sa, io->addrlen);
    return fs__sent(io, n, dontwait);
}

/* A send that failed after part of its data went (fs__sent): a blocking
 * send() would have returned that part, the error coming on the next call.
 * Errors from signal handlers still propagate. */
static int
fs__send_done(fs__io *io, int rc)
{
    if (rc < 0 && io->early > 0 && PyErr_ExceptionMatches(PyExc_OSError) &&
        !PyErr_ExceptionMatches(PyExc_TimeoutError)) {
        PyErr_Clear();
        io->result = io->early;
        return 0;
    }
    return rc;
}

static int
fs__do_accept(int fd, void *p, int dontwait)
{
    fs__io *io = p;
    (void)dontwait;     /* accept() has no flag for it: never asked */
    io->addrlen = sizeof(*io->addr);
    io->result = accept4(fd, &io->addr->sa, &io->addrlen, SOCK_CLOEXEC);
    return io->result < 0 ? -1 : 0;
}

Py_ssize_t
fs_sock_recv_raw(fs_sock *s, char *buf, Py_ssize_t len, int flags)
{
    fs__io io = {.buf = buf, .len = (size_t)len, .flags = flags};
    if (fs_sock_call(s, fs__recv_how(flags), fs__do_recv, &io, NULL) < 0)
        return -1;
    return io.result;
}

/* One send() or sendto() (`fn`) through the driver: the count sent. */
static Py_ssize_t
fs__send_call(fs_sock *s, fs__io *io, fs_io_fn fn)
{
    int rc = fs_sock_call(s, FS_IO_WRITE | FS_IO_DONTWAIT, fn, io, NULL);
    if (fs__send_done(io, rc) < 0)
        return -1;
    return io->result;
}

Py_ssize_t
fs_sock_send_raw(fs_sock *s, const char *buf, Py_ssize_t len, int flags)
{
    fs__io io = {.buf = (char *)buf, .len = (size_t)len, .flags = flags};
    return fs__send_call(s, &io, fs__do_send);
}

Py_ssize_t
fs_sock_recvfrom_raw(fs_sock *s, char *buf, Py_ssize_t len, int flags,
                     fs_addr *addr, socklen_t *addrlen)
{
    fs__io io = {.buf = buf, .len = (size_t)len, .flags = flags,
                 .addr = addr};
    if (fs_sock_call(s, fs__recv_how(flags), fs__do_recvfrom, &io, NULL) < 0)
        return -1;
    *addrlen = io.addrlen;
    return io.result;
}

Py_ssize_t
fs_sock_sendto_raw(fs_sock *s, const char *buf, Py_ssize_t len, int flags,
                   const fs_addr *addr, socklen_t addrlen)
{
    fs__io io = {.buf = (char *)buf, .len = (size_t)len, .flags = flags,
                 .addr = (fs_addr *)addr, .addrlen = addrlen};
    return fs__send_call(s, &io, fs__do_sendto);
}

int
fs_sock_sendall_raw(fs_sock *s, const char *buf, Py_ssize_t len, int flags)
{
    /* One deadline for the whole call, armed at its start as the stdlib
     * does: a slow reader cannot stretch sendall() past the timeout. */
    fs_deadline deadline = 0;
    if (s->timeout_ns > 0)
        deadline = fs__deadline_after(s->timeout_ns);
    /* At least one send(), even of nothing: sendall(b'') on a closed or
     * broken socket raises, as in the stdlib. */
    do {
        fs__io io = {.buf = (char *)buf, .len = (size_t)len, .flags = flags};
        if (fs_sock_call(s, FS_IO_WRITE | FS_IO_DONTWAIT, fs__do_send, &io,
                         &deadline) < 0)
            return -1;
        buf += io.result;
        len -= io.result;
        /* Signal handlers run between chunks, as in the stdlib. */
        if (len > 0 && PyErr_CheckSignals() < 0)
            return -1;
    } while (len > 0);
    return 0;
}

int
fs_sock_accept_raw(fs_sock *s, fs_addr *addr, socklen_t *addrlen)
{
    fs__io io = {.addr = addr};
    if (fs_sock_call(s, FS_IO_READ, fs__do_accept, &io, NULL) < 0)
        return -1;
    *addrlen = io.addrlen;
    return (int)io.result;
}

/* ------------------------------------------------------------------ */
/* The second half of a connect()                                       */
/* ------------------------------------------------------------------ */

typedef struct {
    int err;
} fs__conn;

/* Is the pending connect() finished?  EAGAIN until the fd is writable,
 * then the outcome (SO_ERROR) in ctx->err. */
static int
fs__do_connect_check(int fd, void *p, int dontwait)
{
    fs__conn *c = p;
    (void)dontwait;     /* polls with no wait: it never blocks */
    struct pollfd pfd = {fd, POLLOUT, 0};
    int n = poll(&pfd, 1, 0);
    if (n < 0)
        return -1;
    if (n == 0) {
        errno = EAGAIN;
        return -1;
    }
    socklen_t len = sizeof(c->err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &c->err, &len) < 0)
        return -1;
    return 0;
}

int
fs_sock_connect_wait(fs_sock *s, int *err)
{
    fs__conn c = {0};
    int64_t timeout = s->timeout_ns > 0 ? s->timeout_ns : FS_WAIT_FOREVER;
    if (fs__call(s, FS_IO_WRITE, fs__do_connect_check, &c, NULL, timeout) < 0)
        return -1;
    *err = c.err;
    return 0;
}
