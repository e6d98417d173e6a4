/*
 * sockmsg.c - sendmsg(), recvmsg(), recvmsg_into() and the CMSG_LEN() /
 * CMSG_SPACE() module functions.
 *
 * Ancillary data is where socket modules have historically overflowed
 * buffers (CVE-2014-1912 was recvfrom_into trusting a length).  So every
 * size here is checked against the buffer it describes before a byte is
 * read or written: sizes given by the caller are capped at what a socklen_t
 * may hold (INT_MAX, as the stdlib does), and sizes reported by the kernel
 * are never trusted beyond the buffer we handed it.
 *
 * Argument conversions, error types and messages follow the stdlib, so a
 * program sees the same exceptions whichever module it imported.
 */
#include "fastsock.h"

#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* The largest control buffer or control message we build or accept: the
 * stdlib keeps these sizes within a (signed) socklen_t. */
#define FS__CTL_MAX ((size_t)INT_MAX)

/* Most calls pass a few buffers and a little ancillary data: up to these
 * sizes the bookkeeping lives on the stack and a call allocates nothing. */
#define FS__SMALL_IOV  8        /* buffers */
#define FS__SMALL_ANC  4        /* ancillary items */
#define FS__SMALL_CTL  256      /* bytes of control buffer */

/* A control buffer on the stack, aligned for struct cmsghdr. */
typedef union {
    struct cmsghdr align;
    char buf[FS__SMALL_CTL];
} fs__small_ctl;

static const char fs__bad_anc_warning[] =
    "received malformed or improperly-truncated ancillary data";

/* An immutable snapshot of an iterable argument.  A list is copied to a
 * tuple because acquiring a buffer can run Python code (__buffer__ from
 * 3.12, __index__ of a level), which could shrink a list under our index. */
static PyObject *
fs__snapshot(PyObject *arg, const char *msg)
{
    PyObject *seq = PySequence_Fast(arg, msg);
    if (seq == NULL || PyTuple_CheckExact(seq))
        return seq;
    /* PySequence_Fast gave a list: copying it is a memcpy and increfs. */
    PyObject *t = PyList_AsTuple(seq);
    Py_DECREF(seq);
    return t;
}

/* ------------------------------------------------------------------ */
/* CMSG_LEN / CMSG_SPACE with bounds                                    */
/* ------------------------------------------------------------------ */

/* CMSG_LEN(n) when it stays within FS__CTL_MAX, else -1. */
static int
fs__cmsg_len(size_t n, size_t *out)
{
    if (n > FS__CTL_MAX - CMSG_LEN(0))
        return -1;
    *out = CMSG_LEN(n);
    return 0;
}

/* CMSG_SPACE(n) when it stays within FS__CTL_MAX, else -1.  The bound is
 * taken with CMSG_SPACE(1) so that the padding added for alignment cannot
 * push the result past the limit (the stdlib's limit, to the byte). */
static int
fs__cmsg_space(size_t n, size_t *out)
{
    if (n > FS__CTL_MAX - CMSG_SPACE(1))
        return -1;
    *out = CMSG_SPACE(n);
    return *out <= FS__CTL_MAX ? 0 : -1;
}

/* CMSG_LEN() and CMSG_SPACE() take METH_KEYWORDS only to refuse keywords
 * with the stdlib's wording. */
static PyObject *
fs__cmsg_func(const char *name, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames, int (*fn)(size_t, size_t *))
{
    Py_ssize_t n;
    size_t res;

    if (fs_reject_kwargs(name, kwnames) < 0 ||
        fs_check_nargs(name, nargs, 1, 1) < 0 ||
        fs_arg_ssize(args[0], &n) < 0)
        return NULL;
    if (n < 0 || fn((size_t)n, &res) < 0) {
        PyErr_Format(PyExc_OverflowError, "%s() argument out of range", name);
        return NULL;
    }
    return PyLong_FromSize_t(res);
}

static PyObject *
fs__CMSG_LEN(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
             PyObject *kwnames)
{
    (void)m;
    return fs__cmsg_func("CMSG_LEN", args, nargs, kwnames, fs__cmsg_len);
}

static PyObject *
fs__CMSG_SPACE(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
               PyObject *kwnames)
{
    (void)m;
    return fs__cmsg_func("CMSG_SPACE", args, nargs, kwnames, fs__cmsg_space);
}

/* ------------------------------------------------------------------ */
/* Scatter/gather buffers                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    PyObject *seq;          /* tuple snapshot of the argument */
    Py_buffer *views;       /* one per item, the first `held` acquired */
    struct iovec *iov;
    Py_ssize_t count;
    Py_ssize_t held;
    Py_buffer small_views[FS__SMALL_IOV];
    struct iovec small_iov[FS__SMALL_IOV];
} fs__iovs;

static int
fs__iovs_item(fs__iovs *v, PyObject *item, int writable)
{
    Py_buffer *b = &v->views[v->held];
    if (writable && PyByteArray_CheckExact(item)) {
        /* The common case, whose export cannot fail or run Python code. */
        if (PyObject_GetBuffer(item, b, PyBUF_WRITABLE) < 0)
            return -1;
    }
    else if (writable) {
        if (!PyArg_Parse(item, "w*;recvmsg_into() argument 1 must be an "
                         "iterable of single-segment read-write buffers", b))
            return -1;
    }
    else if (PyObject_GetBuffer(item, b, PyBUF_SIMPLE) < 0)
        return -1;
    v->iov[v->held].iov_base = b->buf;
    v->iov[v->held].iov_len = (size_t)b->len;
    v->held++;
    return 0;
}

/* Fill v from argument 1 of sendmsg (read-only) or recvmsg_into
 * (writable).  On failure v still needs fs__iovs_release(). */
static int
fs__iovs_get(fs__iovs *v, PyObject *arg, int writable)
{
    const char *name = writable ? "recvmsg_into" : "sendmsg";

    v->seq = fs__snapshot(arg, writable ?
                          "recvmsg_into() argument 1 must be an iterable" :
                          "sendmsg() argument 1 must be an iterable");
    if (v->seq == NULL)
        return -1;
    v->count = PyTuple_GET_SIZE(v->seq);
    if (v->count > INT_MAX) {
        PyErr_Format(PyExc_OSError, "%s() argument 1 is too long", name);
        return -1;
    }
    if (v->count <= FS__SMALL_IOV) {
        v->views = v->small_views;
        v->iov = v->small_iov;
    }
    else {
        v->views = PyMem_New(Py_buffer, v->count);
        v->iov = PyMem_New(struct iovec, v->count);
    }
    if (v->views == NULL || v->iov == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    while (v->held < v->count) {
        if (fs__iovs_item(v, PyTuple_GET_ITEM(v->seq, v->held), writable) < 0)
            return -1;
    }
    return 0;
}

static void
fs__iovs_release(fs__iovs *v)
{
    for (Py_ssize_t i = 0; i < v->held; i++)
        PyBuffer_Release(&v->views[i]);
    if (v->views != v->small_views) {
        PyMem_Free(v->views);
        PyMem_Free(v->iov);
    }
    Py_XDECREF(v->seq);
}

/* ------------------------------------------------------------------ */
/* Ancillary data to send                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    int level;
    int type;
    Py_buffer data;
} fs__anc_item;

typedef struct {
    PyObject *seq;          /* tuple snapshot of the argument */
    fs__anc_item *items;    /* the first `held` have their data acquired */
    Py_ssize_t count;
    Py_ssize_t held;
    size_t total;           /* sum of CMSG_SPACE() of the items */
    char *buf;              /* the control buffer built from the items */
    fs__anc_item small_items[FS__SMALL_ANC];
    fs__small_ctl small_buf;
} fs__anc;

/* Parse one (level, type, data) item and add its space to the total. */
static int
fs__anc_item_get(fs__anc *a, PyObject *item)
{
    fs__anc_item *it = &a->items[a->held];
    size_t space;

    if (!PyArg_Parse(item, "(iiy*):[sendmsg() ancillary data items]",
                     &it->level, &it->type, &it->data))
        return -1;
    a->held++;
    if (fs__cmsg_space((size_t)it->data.len, &space) < 0) {
        PyErr_SetString(PyExc_OSError, "ancillary data item too large");
        return -1;
    }
    /* Both terms are at most INT_MAX, so the sum cannot wrap a size_t. */
    a->total += space;
    if (a->total > FS__CTL_MAX) {
        PyErr_SetString(PyExc_OSError, "too much ancillary data");
        return -1;
    }
    return 0;
}

static int
fs__anc_get(fs__anc *a, PyObject *arg)
{
    a->seq = fs__snapshot(arg, "sendmsg() argument 2 must be an iterable");
    if (a->seq == NULL)
        return -1;
    a->count = PyTuple_GET_SIZE(a->seq);
    if (a->count == 0)
        return 0;
    a->items = a->count <= FS__SMALL_ANC ? a->small_items :
               PyMem_New(fs__anc_item, a->count);
    if (a->items == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    while (a->held < a->count) {
        if (fs__anc_item_get(a, PyTuple_GET_ITEM(a->seq, a->held)) < 0)
            return -1;
    }
    return 0;
}

/* Lay the items out in a zeroed control buffer, each header at the
 * CMSG_SPACE() offset the kernel's CMSG_NXTHDR() will look for it.  The
 * buffer was sized as the sum of those spaces; every write is still checked
 * against it. */
static int
fs__anc_build(fs__anc *a, struct msghdr *msg)
{
    size_t off = 0;

    if (a->held == 0)
        return 0;
    if (a->total <= sizeof(a->small_buf)) {
        a->buf = a->small_buf.buf;
        memset(a->buf, 0, a->total);
    }
    else if ((a->buf = PyMem_Calloc(1, a->total)) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < a->held; i++) {
        const fs__anc_item *it = &a->items[i];
        size_t dlen = (size_t)it->data.len, clen, space;
        struct cmsghdr *h = NULL;
        if (fs__cmsg_len(dlen, &clen) == 0 &&
            fs__cmsg_space(dlen, &space) == 0 &&
            off <= a->total && a->total - off >= space)
            h = (struct cmsghdr *)(a->buf + off);
        if (h == NULL ||
            (size_t)((char *)CMSG_DATA(h) - (char *)h) + dlen > clen) {
            PyErr_SetString(PyExc_RuntimeError,
                            "ancillary data does not fit in calculated space");
            return -1;
        }
        h->cmsg_len = clen;
        h->cmsg_level = it->level;
        h->cmsg_type = it->type;
        if (dlen > 0)
            memcpy(CMSG_DATA(h), it->data.buf, dlen);
        off += space;
    }
    msg->msg_control = a->buf;
    msg->msg_controllen = a->total;
    return 0;
}

static void
fs__anc_release(fs__anc *a)
{
    for (Py_ssize_t i = 0; i < a->held; i++)
        PyBuffer_Release(&a->items[i].data);
    if (a->items != a->small_items)
        PyMem_Free(a->items);
    if (a->buf != a->small_buf.buf)
        PyMem_Free(a->buf);
    Py_XDECREF(a->seq);
}

/* ------------------------------------------------------------------ */
/* The syscalls, one attempt each, run by the I/O driver                */
/* ------------------------------------------------------------------ */

typedef struct {
    struct msghdr msg;
    int flags;
    ssize_t result;
    socklen_t namecap;      /* size of addr, restored before each attempt */
    size_t ctlcap;          /* size of ctl, restored before each attempt */
    char *ctl;              /* recvmsg's control buffer */
    fs_addr addr;
    fs__small_ctl small_ctl;
} fs__msgio;

static int
fs__do_sendmsg(int fd, void *p, int dontwait)
{
    fs__msgio *io = p;
    /* Asked for only where a send is all or nothing (see fs__sendmsg_how). */
    /* MSG_NOSIGNAL: a closed peer gives EPIPE, never a SIGPIPE that kills
     * a process which, unlike the stdlib's, may not ignore it. */
    io->result = sendmsg(fd, &io->msg, io->flags | dontwait | MSG_NOSIGNAL);
    return io->result < 0 ? -1 : 0;
}

static int
fs__do_recvmsg(int fd, void *p, int dontwait)
{
    fs__msgio *io = p;
    /* The lengths are in/out: a retried attempt must offer the full
     * buffers again, whatever an earlier attempt left in them. */
    io->msg.msg_namelen = io->namecap;
    io->msg.msg_controllen = io->ctlcap;
    io->msg.msg_flags = 0;
    io->result = recvmsg(fd, &io->msg, io->flags | dontwait);
    return io->result < 0 ? -1 : 0;
}

/* How sendmsg may be tried under the GIL (fastsock.h).  A partial send
 * under MSG_DONTWAIT could not be finished the way a blocking one would be
 * (the ancillary data went with the first part), so only where the kernel
 * sends a message whole or not at all: not on stream sockets. */
static int
fs__sendmsg_how(fs_sock *s)
{
    return s->type == SOCK_STREAM ? FS_IO_WRITE : FS_IO_WRITE | FS_IO_DONTWAIT;
}

/* ------------------------------------------------------------------ */
/* sendmsg                                                              */
/* ------------------------------------------------------------------ */

/* The optional destination (None or absent: the connected peer), then the
 * audit event, in the stdlib's order. */
static int
fs__sendmsg_addr(fs_sock *s, PyObject *addrobj, fs__msgio *io)
{
    if (addrobj != NULL && addrobj != Py_None) {
        socklen_t len = 0;
        if (fs_addr_parse(s, addrobj, &io->addr, &len, "sendmsg()") < 0)
            return -1;
        io->msg.msg_name = &io->addr;
        io->msg.msg_namelen = len;
    }
    return PySys_Audit("socket.sendmsg", "OO", (PyObject *)s,
                       addrobj != NULL ? addrobj : Py_None);
}

PyObject *
fs_sock_sendmsg_kw(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                   PyObject *kwnames)
{
    fs_sock *s = (fs_sock *)self;
    fs__iovs data = {0};
    fs__anc anc = {0};
    fs__msgio io;
    PyObject *res = NULL;

    memset(&io, 0, sizeof(io));
    if (fs_reject_kwargs("sendmsg", kwnames) < 0 ||
        fs_check_nargs("sendmsg", nargs, 1, 4) < 0 ||
        (nargs > 2 && fs_arg_int(args[2], &io.flags) < 0) ||
        fs__sendmsg_addr(s, nargs > 3 ? args[3] : NULL, &io) < 0)
        return NULL;
    if (fs__iovs_get(&data, args[0], 0) < 0 ||
        (nargs > 1 && fs__anc_get(&anc, args[1]) < 0) ||
        fs__anc_build(&anc, &io.msg) < 0)
        goto done;
    io.msg.msg_iov = data.iov;
    io.msg.msg_iovlen = (size_t)data.count;
    if (fs_sock_call(s, fs__sendmsg_how(s), fs__do_sendmsg, &io, NULL) == 0)
        res = PyLong_FromSsize_t(io.result);
done:
    fs__anc_release(&anc);
    fs__iovs_release(&data);
    return res;
}

/* ------------------------------------------------------------------ */
/* Received ancillary data                                              */
/* ------------------------------------------------------------------ */

/*
 * How much data the control message `h` carries inside msg's control
 * buffer.  Returns 0 when all of it is there (*len = its length), 1 when
 * the buffer ends first (*len = what is there), -1 when not even the
 * header is complete or it claims less than a header.
 */
static int
fs__cmsg_data_len(const struct msghdr *msg, const struct cmsghdr *h,
                  size_t *len)
{
    const char *base = msg->msg_control, *hp = (const char *)h;
    size_t total = msg->msg_controllen, hdr = CMSG_LEN(0);

    if (base == NULL || hp < base)
        return -1;
    size_t off = (size_t)(hp - base);
    if (off > total || total - off < hdr || h->cmsg_len < hdr)
        return -1;
    size_t data_off = (size_t)((const char *)CMSG_DATA(h) - hp);
    if (data_off > total - off)
        return -1;
    size_t want = h->cmsg_len - hdr, have = total - off - data_off;
    if (want <= have) {
        *len = want;
        return 0;
    }
    *len = have;
    return 1;
}

/* The control messages as [(level, type, data), ...].  Messages are walked
 * with the platform's CMSG_FIRSTHDR/CMSG_NXTHDR, as the stdlib does, so
 * both see the same messages; a cut-short message is returned as far as it
 * goes, after a RuntimeWarning, and ends the list. */
static PyObject *
fs__anc_list(struct msghdr *msg)
{
    PyObject *list = PyList_New(0);
    if (list == NULL || msg->msg_controllen == 0)
        return list;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(msg); h != NULL;
         h = CMSG_NXTHDR(msg, h)) {
        size_t n = 0;
        int st = fs__cmsg_data_len(msg, h, &n);
        if (st != 0 &&
            PyErr_WarnEx(PyExc_RuntimeWarning, fs__bad_anc_warning, 1) < 0)
            goto fail;
        if (st < 0)
            break;
        PyObject *item = Py_BuildValue("(iiy#)", (int)h->cmsg_level,
                                       (int)h->cmsg_type,
                                       (const char *)CMSG_DATA(h),
                                       (Py_ssize_t)n);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            goto fail;
        }
        Py_DECREF(item);
        if (st > 0)
            break;
    }
    return list;
fail:
    Py_DECREF(list);
    return NULL;
}

/* After a failure past the syscall, close the descriptors that arrived by
 * SCM_RIGHTS: nobody else will ever know about them. */
static void
fs__close_rights(struct msghdr *msg)
{
    if (msg->msg_controllen == 0)
        return;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(msg); h != NULL;
         h = CMSG_NXTHDR(msg, h)) {
        size_t n = 0;
        int st = fs__cmsg_data_len(msg, h, &n);
        if (st < 0)
            break;
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
            const unsigned char *p = CMSG_DATA(h);
            for (size_t i = 0; i + sizeof(int) <= n; i += sizeof(int)) {
                int fd;
                memcpy(&fd, p + i, sizeof(fd));
                close(fd);
            }
        }
        if (st > 0)
            break;
    }
}

/* ------------------------------------------------------------------ */
/* recvmsg and recvmsg_into                                             */
/* ------------------------------------------------------------------ */

static void
fs__msgio_free(fs__msgio *io)
{
    if (io->ctl != io->small_ctl.buf)
        PyMem_Free(io->ctl);
    io->ctl = NULL;
}

/* One recvmsg() into `iov` with a control buffer of `ancsize` bytes.  On
 * success io->ctl must be freed by fs__recvmsg_result(). */
static int
fs__recvmsg_call(fs_sock *s, fs__msgio *io, struct iovec *iov, size_t niov,
                 Py_ssize_t ancsize, int flags)
{
    if (ancsize < 0 || (size_t)ancsize > FS__CTL_MAX) {
        PyErr_SetString(PyExc_ValueError,
                        "invalid ancillary data buffer length");
        return -1;
    }
    memset(&io->msg, 0, sizeof(io->msg));
    io->ctl = NULL;
    if ((size_t)ancsize <= sizeof(io->small_ctl))
        io->ctl = io->small_ctl.buf;
    else if ((io->ctl = PyMem_Malloc((size_t)ancsize)) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    /* A zeroed AF_UNSPEC name, in case the kernel leaves it untouched. */
    memset(&io->addr, 0, sizeof(io->addr));
    io->addr.sa.sa_family = AF_UNSPEC;
    io->namecap = sizeof(io->addr);
    io->ctlcap = (size_t)ancsize;
    io->flags = flags;
    io->msg.msg_name = &io->addr;
    io->msg.msg_iov = iov;
    io->msg.msg_iovlen = niov;
    /* No control buffer at all when none was asked for, as the stdlib. */
    io->msg.msg_control = ancsize > 0 ? io->ctl : NULL;
    int how = flags & MSG_WAITALL ? FS_IO_READ : FS_IO_READ | FS_IO_DONTWAIT;
    if (fs_sock_call(s, how, fs__do_recvmsg, io, NULL) < 0) {
        fs__msgio_free(io);
        return -1;
    }
    /* Never believe lengths past the buffers we gave. */
    if ((size_t)io->msg.msg_controllen > io->ctlcap)
        io->msg.msg_controllen = io->ctlcap;
    if (io->msg.msg_namelen > io->namecap)
        io->msg.msg_namelen = io->namecap;
    return 0;
}

/* (first, ancdata, msg_flags, address).  Steals `first` (NULL: a failure
 * already set); on any failure closes the received descriptors. */
static PyObject *
fs__recvmsg_result(fs_sock *s, fs__msgio *io, PyObject *first)
{
    PyObject *res = NULL, *items[4] = {first, NULL, NULL, NULL};

    if (first != NULL &&
        (items[1] = fs__anc_list(&io->msg)) != NULL &&
        (items[2] = PyLong_FromLong(io->msg.msg_flags)) != NULL &&
        (items[3] = fs_addr_make(s->st, &io->addr.sa, io->msg.msg_namelen,
                                 s->proto)) != NULL &&
        (res = PyTuple_New(4)) != NULL) {
        for (int i = 0; i < 4; i++)
            PyTuple_SET_ITEM(res, i, items[i]);
    }
    else {
        for (int i = 0; i < 4; i++)
            Py_XDECREF(items[i]);
        fs__close_rights(&io->msg);
    }
    fs__msgio_free(io);
    return res;
}

/* Parse the optional (ancbufsize, flags) that follow argument 1. */
static int
fs__parse_recv_tail(PyObject *const *args, Py_ssize_t nargs,
                    Py_ssize_t *ancsize, int *flags)
{
    *ancsize = 0;
    *flags = 0;
    if (nargs > 1 && fs_arg_ssize(args[1], ancsize) < 0)
        return -1;
    if (nargs > 2 && fs_arg_int(args[2], flags) < 0)
        return -1;
    return 0;
}

PyObject *
fs_sock_recvmsg_kw(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                   PyObject *kwnames)
{
    fs_sock *s = (fs_sock *)self;
    Py_ssize_t size, ancsize;
    int flags;
    fs__msgio io;

    if (fs_reject_kwargs("recvmsg", kwnames) < 0 ||
        fs_check_nargs("recvmsg", nargs, 1, 3) < 0 ||
        fs_arg_ssize(args[0], &size) < 0 ||
        fs__parse_recv_tail(args, nargs, &ancsize, &flags) < 0)
        return NULL;
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "negative buffer size in recvmsg()");
        return NULL;
    }
    PyObject *buf = PyBytes_FromStringAndSize(NULL, size);
    if (buf == NULL)
        return NULL;
    struct iovec iov = {PyBytes_AS_STRING(buf), (size_t)size};
    if (fs__recvmsg_call(s, &io, &iov, 1, ancsize, flags) < 0) {
        Py_DECREF(buf);
        return NULL;
    }
    /* Only ever shrink: with MSG_TRUNC the kernel reports the datagram's
     * full length, which may exceed the buffer. */
    if (io.result < size)
        _PyBytes_Resize(&buf, io.result);
    return fs__recvmsg_result(s, &io, buf);
}

PyObject *
fs_sock_recvmsg_into_kw(PyObject *self, PyObject *const *args,
                        Py_ssize_t nargs, PyObject *kwnames)
{
    fs_sock *s = (fs_sock *)self;
    Py_ssize_t ancsize;
    int flags;
    fs__iovs bufs = {0};
    fs__msgio io;
    PyObject *res = NULL;

    if (fs_reject_kwargs("recvmsg_into", kwnames) < 0 ||
        fs_check_nargs("recvmsg_into", nargs, 1, 3) < 0 ||
        fs__parse_recv_tail(args, nargs, &ancsize, &flags) < 0)
        return NULL;
    /* The buffers stay acquired (so cannot be resized or freed) until the
     * call is over and its result built. */
    if (fs__iovs_get(&bufs, args[0], 1) == 0 &&
        fs__recvmsg_call(s, &io, bufs.iov, (size_t)bufs.count, ancsize,
                         flags) == 0)
        res = fs__recvmsg_result(s, &io, PyLong_FromSsize_t(io.result));
    fs__iovs_release(&bufs);
    return res;
}

PyMethodDef fs_sockmsg_functions[] = {
    {"CMSG_LEN", FS_FASTCALL(fs__CMSG_LEN), METH_FASTCALL | METH_KEYWORDS,
     "CMSG_LEN(length) -> control message length\n\n"
     "The total length, without trailing padding, of a control message\n"
     "carrying `length` bytes of data; the cmsg_len to put in its header."},
    {"CMSG_SPACE", FS_FASTCALL(fs__CMSG_SPACE), METH_FASTCALL | METH_KEYWORDS,
     "CMSG_SPACE(length) -> buffer size\n\n"
     "The buffer size recvmsg() needs to receive one control message\n"
     "carrying `length` bytes of data, trailing padding included.  Add\n"
     "the values for several messages to receive them all."},
    {NULL, NULL, 0, NULL}
};
