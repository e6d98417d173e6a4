/*
 * sockaddr.c - Python addresses <-> struct sockaddr, and the inet_*
 * text/binary conversions.
 *
 * The address forms, exception types and messages are the stdlib's.  The
 * common cases (a (str, int) tuple for AF_INET, exact argument types for the
 * inet_* functions) are handled inline; anything unusual goes through
 * PyArg_ParseTuple with the same format the stdlib uses, so that odd inputs
 * get exactly the stdlib's error messages on every Python version.
 */
#include "fastsock.h"

#include <stddef.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/netlink.h>
#include <linux/if_packet.h>
#include <linux/vm_sockets.h>

/* ------------------------------------------------------------------ */
/* Helpers shared with resolve.c                                        */
/* ------------------------------------------------------------------ */

int
fs_idna_ascii_ok(const char *p, Py_ssize_t n)
{
    /* The idna codec passes an ASCII name through unchanged when every
     * label but the last is 1-63 bytes long and the last is under 64. */
    Py_ssize_t label = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] != '.') {
            label++;
            continue;
        }
        if (label == 0 || label >= 64)
            return 0;
        label = 0;
    }
    return label < 64;
}

const char *
fs_str_ascii_view(PyObject *o, Py_ssize_t *len)
{
    /* Compact ASCII strings keep their UTF-8 form inline: no copy, no
     * allocation.  Anything else (subclasses included) is the caller's
     * slow path. */
    if (!PyUnicode_CheckExact(o) || !PyUnicode_IS_COMPACT_ASCII(o))
        return NULL;
    *len = PyUnicode_GET_LENGTH(o);
    return (const char *)PyUnicode_DATA(o);
}

/* ------------------------------------------------------------------ */
/* Host names in socket addresses                                       */
/* ------------------------------------------------------------------ */

/* A host name taken from an address tuple: `buf` is NUL-terminated and
 * stays valid while `owner` (a new reference, or NULL) lives. */
typedef struct {
    PyObject *owner;
    const char *buf;
} fs__host;

static int
fs__host_set(fs__host *h, PyObject *owner, const char *buf, Py_ssize_t len)
{
    if ((Py_ssize_t)strlen(buf) != len) {
        Py_XDECREF(owner);
        PyErr_SetString(PyExc_TypeError,
                        "host name must not contain null character");
        return 0;
    }
    h->owner = owner;
    h->buf = buf;
    return Py_CLEANUP_SUPPORTED;
}

/* "O&" converter for the host of an AF_INET/AF_INET6 address, accepting
 * what the stdlib accepts: ASCII str as is, other str idna-encoded, bytes,
 * and bytearray (copied, since the GIL is released while resolving). */
static int
fs__host_converter(PyObject *o, void *p)
{
    fs__host *h = p;
    Py_ssize_t len;
    const char *s;

    if (o == NULL) {
        Py_CLEAR(h->owner);
        return 1;
    }
    if ((s = fs_str_ascii_view(o, &len)) != NULL)
        return fs__host_set(h, NULL, s, len);
    if (PyBytes_Check(o))
        return fs__host_set(h, NULL, PyBytes_AS_STRING(o),
                            PyBytes_GET_SIZE(o));
    if (PyByteArray_Check(o)) {
        PyObject *b = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(o),
                                                PyByteArray_GET_SIZE(o));
        if (b == NULL)
            return 0;
        return fs__host_set(h, b, PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
    }
    if (PyUnicode_Check(o)) {
        PyObject *b = PyUnicode_AsEncodedString(o, "idna", NULL);
        if (b == NULL) {
            PyErr_SetString(PyExc_TypeError, "encoding of hostname failed");
            return 0;
        }
        return fs__host_set(h, b, PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
    }
    PyErr_Format(PyExc_TypeError, "str, bytes or bytearray expected, not %s",
                 Py_TYPE(o)->tp_name);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Python address -> sockaddr                                           */
/* ------------------------------------------------------------------ */

static int
fs__bad_port(const char *caller)
{
    PyErr_Format(PyExc_OverflowError, "%s: port must be 0-65535.", caller);
    return -1;
}

static int
fs__not_tuple(PyObject *addr, const char *fam, const char *caller)
{
    PyErr_Format(PyExc_TypeError, "%s: %s address must be tuple, not %.500s",
                 caller, fam, Py_TYPE(addr)->tp_name);
    return -1;
}

/* The fields of an (host, port[, flowinfo[, scope_id]]) tuple. */
typedef struct {
    fs__host host;
    int port;
    int port_overflow;      /* the port did not even fit a C int */
    unsigned int flowinfo;
    unsigned int scope_id;
} fs__ipaddr;

/* The "I" format (an exact int here): truncated to 32 bits, no error. */
static int
fs__fast_uint(PyObject *o, unsigned int *out)
{
    if (!PyLong_CheckExact(o))
        return 0;
    *out = (unsigned int)PyLong_AsUnsignedLongMask(o);
    return 1;
}

/* The common forms, (str, int[, int[, int]]) with exact types, without
 * PyArg_ParseTuple.  Returns 1 when done (*err 0 or -1), 0 when the slow
 * path must run. */
static int
fs__ip_fast(PyObject *addr, Py_ssize_t maxn, fs__ipaddr *ip, int *err)
{
    Py_ssize_t n = PyTuple_GET_SIZE(addr), len;
    const char *s;

    if (n < 2 || n > maxn || !PyLong_CheckExact(PyTuple_GET_ITEM(addr, 1)) ||
        (s = fs_str_ascii_view(PyTuple_GET_ITEM(addr, 0), &len)) == NULL ||
        (n > 2 && !fs__fast_uint(PyTuple_GET_ITEM(addr, 2), &ip->flowinfo)) ||
        (n > 3 && !fs__fast_uint(PyTuple_GET_ITEM(addr, 3), &ip->scope_id)))
        return 0;
    /* The host is checked first, as the stdlib converts it first. */
    *err = fs__host_set(&ip->host, NULL, s, len) == 0 ? -1 : 0;
    int overflow;
    long v = PyLong_AsLongAndOverflow(PyTuple_GET_ITEM(addr, 1), &overflow);
    ip->port_overflow = overflow || v < INT_MIN || v > INT_MAX;
    ip->port = (int)v;
    return 1;
}

static int
fs__ip_parse(PyObject *addr, int v6, fs__ipaddr *ip)
{
    int err = 0;
    if (fs__ip_fast(addr, v6 ? 4 : 2, ip, &err))
        return err;
    int ok = v6 ? PyArg_ParseTuple(addr, "O&i|II;AF_INET6 address must be a "
                                   "tuple (host, port[, flowinfo[, scopeid]])",
                                   fs__host_converter, &ip->host, &ip->port,
                                   &ip->flowinfo, &ip->scope_id)
                : PyArg_ParseTuple(addr, "O&i;AF_INET address must be a pair "
                                   "(host, port)", fs__host_converter,
                                   &ip->host, &ip->port);
    /* An int port beyond a C int is reported as out of range. */
    if (!ok && PyErr_ExceptionMatches(PyExc_OverflowError)) {
        PyErr_Clear();
        ip->port_overflow = 1;
        return 0;
    }
    return ok ? 0 : -1;
}

/* AF_INET and AF_INET6: parse, resolve the host, then check the numbers,
 * in the stdlib's order (so a bad name wins over a bad port). */
static int
fs__parse_ip(fs_sock *s, PyObject *addr, fs_addr *out, socklen_t *outlen,
             const char *caller)
{
    int v6 = s->family == AF_INET6;
    fs__ipaddr ip = {{NULL, NULL}, 0, 0, 0, 0};

    if (!PyTuple_Check(addr))
        return fs__not_tuple(addr, v6 ? "AF_INET6" : "AF_INET", caller);
    if (fs__ip_parse(addr, v6, &ip) < 0)
        return -1;
    if (ip.port_overflow) {
        Py_XDECREF(ip.host.owner);
        return fs__bad_port(caller);
    }
    int res = fs_resolve_host(s->st, ip.host.buf, &out->sa,
                              v6 ? sizeof(out->in6) : sizeof(out->in4),
                              s->family);
    Py_XDECREF(ip.host.owner);
    if (res < 0)
        return -1;
    if (ip.port < 0 || ip.port > 0xffff)
        return fs__bad_port(caller);
    if (!v6) {
        out->in4.sin_family = AF_INET;
        out->in4.sin_port = htons((uint16_t)ip.port);
        *outlen = sizeof(out->in4);
        return 0;
    }
    if (ip.flowinfo > 0xfffff) {
        PyErr_Format(PyExc_OverflowError, "%s: flowinfo must be 0-1048575.",
                     caller);
        return -1;
    }
    out->in6.sin6_family = AF_INET6;
    out->in6.sin6_port = htons((uint16_t)ip.port);
    out->in6.sin6_flowinfo = htonl(ip.flowinfo);
    /* The tuple's scope id wins over one given as "addr%scope", as in the
     * stdlib (it stores the tuple's value unconditionally). */
    out->in6.sin6_scope_id = ip.scope_id;
    *outlen = sizeof(out->in6);
    return 0;
}

static int
fs__parse_unix(fs_sock *s, PyObject *addr, fs_addr *out, socklen_t *outlen)
{
    Py_buffer path;
    const size_t max = sizeof(out->un.sun_path);
    int res = -1;

    /* str paths are fs-encoded by hand: PyUnicode_FSConverter would refuse
     * the embedded NUL of a Linux abstract name. */
    if (PyUnicode_Check(addr)) {
        if ((addr = PyUnicode_EncodeFSDefault(addr)) == NULL)
            return -1;
    }
    else
        Py_INCREF(addr);
    if (!PyArg_Parse(addr, "y*", &path)) {
        Py_DECREF(addr);
        return -1;
    }
    /* An empty name (autobind) or one starting with NUL is abstract: its
     * length is exact, with no terminating NUL counted. */
    int abstract = path.len == 0 || ((const char *)path.buf)[0] == '\0';
    if ((size_t)path.len > max || (!abstract && (size_t)path.len == max)) {
        PyErr_SetString(PyExc_OSError, "AF_UNIX path too long");
        goto done;
    }
    out->un.sun_family = (sa_family_t)s->family;
    memcpy(out->un.sun_path, path.buf, (size_t)path.len);
    *outlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
                          (size_t)path.len + (abstract ? 0 : 1));
    res = 0;
done:
    PyBuffer_Release(&path);
    Py_DECREF(addr);
    return res;
}

static int
fs__parse_netlink(PyObject *addr, fs_addr *out, socklen_t *outlen,
                  const char *caller)
{
    unsigned int pid, groups;
    struct sockaddr_nl *nl = (struct sockaddr_nl *)&out->storage;

    if (!PyTuple_Check(addr))
        return fs__not_tuple(addr, "AF_NETLINK", caller);
    if (!PyArg_ParseTuple(addr, "II;AF_NETLINK address must be a pair "
                          "(pid, groups)", &pid, &groups))
        return -1;
    nl->nl_family = AF_NETLINK;
    nl->nl_pid = pid;
    nl->nl_groups = groups;
    *outlen = sizeof(*nl);
    return 0;
}

/* AF_VSOCK: (cid, port).  The stdlib names no caller in these messages. */
static int
fs__parse_vsock(fs_sock *s, PyObject *addr, fs_addr *out, socklen_t *outlen)
{
    unsigned int cid, port;
    struct sockaddr_vm *vm = (struct sockaddr_vm *)&out->storage;

    if (!PyTuple_Check(addr))
        return fs__not_tuple(addr, "AF_VSOCK", "getsockaddrarg");
    if (!PyArg_ParseTuple(addr, "II:getsockaddrarg", &cid, &port))
        return -1;
    vm->svm_family = (sa_family_t)s->family;
    vm->svm_cid = cid;
    vm->svm_port = port;
    *outlen = sizeof(*vm);
    return 0;
}

/* AF_PACKET: (ifname, proto[, pkttype[, hatype[, addr]]]). */
static int
fs__parse_packet(fs_sock *s, PyObject *addr, fs_addr *out, socklen_t *outlen,
                 const char *caller)
{
    struct sockaddr_ll *ll = (struct sockaddr_ll *)&out->storage;
    const char *ifname;
    int proto, pkttype = PACKET_HOST, hatype = 0;
    Py_buffer haddr = {0};
    struct ifreq ifr;
    int res = -1;

    if (!PyTuple_Check(addr))
        return fs__not_tuple(addr, "AF_PACKET", caller);
    if (!PyArg_ParseTuple(addr, "si|iiy*;AF_PACKET address must be a tuple "
                          "of two to five elements", &ifname, &proto,
                          &pkttype, &hatype, &haddr))
        return -1;
    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name) - 1);
    if (ioctl(s->fd, SIOCGIFINDEX, &ifr) < 0) {
        fs_err_errno(errno);
        goto done;
    }
    if (haddr.buf != NULL && haddr.len > (Py_ssize_t)sizeof(ll->sll_addr)) {
        PyErr_SetString(PyExc_ValueError,
                        "Hardware address must be 8 bytes or less");
        goto done;
    }
    if (proto < 0 || proto > 0xffff) {
        PyErr_Format(PyExc_OverflowError, "%s: proto must be 0-65535.",
                     caller);
        goto done;
    }
    ll->sll_family = AF_PACKET;
    ll->sll_protocol = htons((uint16_t)proto);
    ll->sll_ifindex = ifr.ifr_ifindex;
    ll->sll_pkttype = (unsigned char)pkttype;
    ll->sll_hatype = (unsigned short)hatype;
    if (haddr.buf != NULL) {
        memcpy(ll->sll_addr, haddr.buf, (size_t)haddr.len);
        ll->sll_halen = (unsigned char)haddr.len;
    }
    *outlen = sizeof(*ll);
    res = 0;
done:
    if (haddr.buf != NULL)
        PyBuffer_Release(&haddr);
    return res;
}

int
fs_addr_parse(fs_sock *s, PyObject *addr, fs_addr *out, socklen_t *outlen,
              const char *caller)
{
    memset(out, 0, sizeof(*out));
    switch (s->family) {
    case AF_INET:
    case AF_INET6:
        return fs__parse_ip(s, addr, out, outlen, caller);
    case AF_UNIX:
        return fs__parse_unix(s, addr, out, outlen);
    case AF_NETLINK:
        return fs__parse_netlink(addr, out, outlen, caller);
    case AF_PACKET:
        return fs__parse_packet(s, addr, out, outlen, caller);
    case AF_VSOCK:
        return fs__parse_vsock(s, addr, out, outlen);
    default:
        PyErr_Format(PyExc_OSError, "%s: bad family", caller);
        return -1;
    }
}

/* ------------------------------------------------------------------ */
/* sockaddr -> Python address                                           */
/* ------------------------------------------------------------------ */

/* Dotted-quad text of an IPv4 address, written by hand: glibc's inet_ntop
 * goes through sprintf and cost half of getsockname() and recvfrom(). */
static PyObject *
fs__ipv4_str(const struct in_addr *addr)
{
    const unsigned char *b = (const unsigned char *)&addr->s_addr;
    char buf[16], *p = buf;
    for (int i = 0; i < 4; i++) {
        unsigned int v = b[i];
        if (v >= 100) {
            *p++ = (char)('0' + v / 100);
            v %= 100;
            *p++ = (char)('0' + v / 10);
            v %= 10;
        }
        else if (v >= 10) {
            *p++ = (char)('0' + v / 10);
            v %= 10;
        }
        *p++ = (char)('0' + v);
        if (i < 3)
            *p++ = '.';
    }
    PyObject *res = PyUnicode_New(p - buf, 127);
    if (res != NULL)
        memcpy(PyUnicode_1BYTE_DATA(res), buf, (size_t)(p - buf));
    return res;
}

static PyObject *
fs__ip_str(int family, const void *addr)
{
    if (family == AF_INET)
        return fs__ipv4_str(addr);
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(family, addr, buf, sizeof(buf)) == NULL)
        return fs_err_errno(errno);
    return PyUnicode_FromString(buf);
}

PyObject *
fs_ip_object(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return fs__ip_str(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr);
    return fs__ip_str(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr);
}

static PyObject *
fs__make_unix(const struct sockaddr_un *un, socklen_t len)
{
    size_t off = offsetof(struct sockaddr_un, sun_path);
    size_t n = (size_t)len > off ? (size_t)len - off : 0;
    if (n > sizeof(un->sun_path))
        n = sizeof(un->sun_path);
    /* Linux abstract names keep every byte, NULs included, as bytes. */
    if (n > 0 && un->sun_path[0] == '\0')
        return PyBytes_FromStringAndSize(un->sun_path, (Py_ssize_t)n);
    /* A path ends at its NUL; an unnamed socket (n == 0) gives ''. */
    return PyUnicode_DecodeFSDefaultAndSize(
        un->sun_path, (Py_ssize_t)strnlen(un->sun_path, n));
}

static PyObject *
fs__make_packet(const struct sockaddr_ll *ll)
{
    char name[IF_NAMESIZE + 1] = "";
    /* The stdlib asks the socket (SIOCGIFNAME); if_indextoname asks the
     * kernel the same question and leaves "" when the index is gone. */
    if (ll->sll_ifindex == 0 ||
        if_indextoname((unsigned int)ll->sll_ifindex, name) == NULL)
        name[0] = '\0';
    size_t halen = ll->sll_halen;
    if (halen > sizeof(ll->sll_addr))
        halen = sizeof(ll->sll_addr);
    return Py_BuildValue("siiiy#", name, (int)ntohs(ll->sll_protocol),
                         (int)ll->sll_pkttype, (int)ll->sll_hatype,
                         (const char *)ll->sll_addr, (Py_ssize_t)halen);
}

/* (host, port[, flowinfo, scope_id]) for AF_INET/AF_INET6, built by hand:
 * recvfrom() and accept() make one per call. */
static PyObject *
fs__make_ip(const struct sockaddr *sa)
{
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    int v6 = sa->sa_family == AF_INET6;
    PyObject *t = PyTuple_New(v6 ? 4 : 2);
    if (t == NULL)
        return NULL;
    uint16_t port = v6 ? in6->sin6_port
                       : ((const struct sockaddr_in *)sa)->sin_port;
    PyObject *items[4] = {
        fs_ip_object(sa),
        PyLong_FromLong(ntohs(port)),
        v6 ? PyLong_FromUnsignedLong(ntohl(in6->sin6_flowinfo)) : NULL,
        v6 ? PyLong_FromUnsignedLong(in6->sin6_scope_id) : NULL,
    };
    int ok = 1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++) {
        ok = ok && items[i] != NULL;
        PyTuple_SET_ITEM(t, i, items[i]);
    }
    if (!ok)
        Py_CLEAR(t);
    return t;
}

PyObject *
fs_addr_make(fs_state *st, const struct sockaddr *sa, socklen_t len,
             int proto)
{
    (void)st; (void)proto;
    if (len == 0)
        Py_RETURN_NONE;
    switch (sa->sa_family) {
    case AF_INET:
    case AF_INET6:
        return fs__make_ip(sa);
    case AF_UNIX:
        return fs__make_unix((const struct sockaddr_un *)sa, len);
    case AF_NETLINK: {
        const struct sockaddr_nl *nl = (const struct sockaddr_nl *)sa;
        return Py_BuildValue("II", (unsigned int)nl->nl_pid,
                             (unsigned int)nl->nl_groups);
    }
    case AF_PACKET:
        return fs__make_packet((const struct sockaddr_ll *)sa);
    case AF_VSOCK: {
        const struct sockaddr_vm *vm = (const struct sockaddr_vm *)sa;
        return Py_BuildValue("II", vm->svm_cid, vm->svm_port);
    }
    default:
        /* The stdlib's form for a family it does not know. */
        return Py_BuildValue("iy#", (int)sa->sa_family, sa->sa_data,
                             (Py_ssize_t)sizeof(sa->sa_data));
    }
}

/* ------------------------------------------------------------------ */
/* inet_aton, inet_ntoa, inet_pton, inet_ntop                            */
/* ------------------------------------------------------------------ */

/* A str argument as a C string, with the "s" format's rules; NULL with an
 * exception set on error. */
static const char *
fs__str_arg(PyObject *o)
{
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(o, &len);
    if (s != NULL && (Py_ssize_t)strlen(s) != len) {
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return NULL;
    }
    return s;
}

static PyObject *
fs__aton(const char *ip)
{
    struct in_addr a;
    if (inet_aton(ip, &a) == 0) {
        PyErr_SetString(PyExc_OSError,
                        "illegal IP address string passed to inet_aton");
        return NULL;
    }
    return PyBytes_FromStringAndSize((const char *)&a, sizeof(a));
}

#if PY_VERSION_HEX >= 0x030D0000
/* From 3.13 the stdlib's inet_aton takes exactly one positional argument
 * (METH_O), with its own wording for a non-str. */
static PyObject *
fs__inet_aton(PyObject *m, PyObject *arg)
{
    (void)m;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "inet_aton() argument must be str, "
                     "not %.50s", arg == Py_None ? "None" :
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    const char *ip = fs__str_arg(arg);
    return ip == NULL ? NULL : fs__aton(ip);
}
#define FS_INET_ATON_FLAGS (PyCFunction)fs__inet_aton, METH_O
#else
static PyObject *
fs__inet_aton(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    (void)m;
    const char *ip;

    if (fs_reject_kwargs("inet_aton", kwnames) < 0)
        return NULL;
    if (nargs == 1 && PyUnicode_CheckExact(args[0]))
        ip = fs__str_arg(args[0]);
    else {
        PyObject *t = fs_args_tuple(args, nargs);
        if (t == NULL || !PyArg_ParseTuple(t, "s:inet_aton", &ip))
            ip = NULL;
        Py_XDECREF(t);  /* ip points into args[0], which the caller holds */
    }
    return ip == NULL ? NULL : fs__aton(ip);
}
#define FS_INET_ATON_FLAGS FS_FASTCALL(fs__inet_aton), \
    METH_FASTCALL | METH_KEYWORDS
#endif

static PyObject *
fs__ntoa(PyObject *arg)
{
    Py_buffer b;
    struct in_addr a;

    if (PyBytes_CheckExact(arg) &&
        PyBytes_GET_SIZE(arg) == (Py_ssize_t)sizeof(a)) {
        memcpy(&a, PyBytes_AS_STRING(arg), sizeof(a));
        return fs__ip_str(AF_INET, &a);
    }
    if (!PyArg_Parse(arg, "y*", &b))
        return NULL;
    if (b.len != (Py_ssize_t)sizeof(a)) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_OSError, "packed IP wrong length for inet_ntoa");
        return NULL;
    }
    memcpy(&a, b.buf, sizeof(a));
    PyBuffer_Release(&b);
    return fs__ip_str(AF_INET, &a);
}

#if PY_VERSION_HEX >= 0x030D0000
/* From 3.13 the stdlib's inet_ntoa is METH_O too. */
static PyObject *
fs__inet_ntoa(PyObject *m, PyObject *arg)
{
    (void)m;
    return fs__ntoa(arg);
}
#define FS_INET_NTOA_FLAGS (PyCFunction)fs__inet_ntoa, METH_O
#else
static PyObject *
fs__inet_ntoa(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    (void)m;
    PyObject *arg;

    if (fs_reject_kwargs("inet_ntoa", kwnames) < 0)
        return NULL;
    if (nargs == 1)
        return fs__ntoa(args[0]);
    /* Wrong arity: the "y*:inet_ntoa" format words the error. */
    PyObject *t = fs_args_tuple(args, nargs);
    if (t != NULL && PyArg_ParseTuple(t, "O:inet_ntoa", &arg))
        PyErr_SetString(PyExc_SystemError, "inet_ntoa: arity check passed");
    Py_XDECREF(t);
    return NULL;
}
#define FS_INET_NTOA_FLAGS FS_FASTCALL(fs__inet_ntoa), \
    METH_FASTCALL | METH_KEYWORDS
#endif

static PyObject *
fs__inet_pton(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    (void)m;
    int af, overflow = 0;
    const char *ip = NULL;
    unsigned char packed[sizeof(struct in6_addr)];

    if (fs_reject_kwargs("inet_pton", kwnames) < 0)
        return NULL;
    if (nargs == 2 && PyLong_CheckExact(args[0]) &&
        PyUnicode_CheckExact(args[1])) {
        long v = PyLong_AsLongAndOverflow(args[0], &overflow);
        if (!overflow && v >= INT_MIN && v <= INT_MAX) {
            af = (int)v;
            if ((ip = fs__str_arg(args[1])) == NULL)
                return NULL;
        }
    }
    if (ip == NULL) {
        /* Anything unusual: the "i" and "s" formats give the messages. */
        PyObject *t = fs_args_tuple(args, nargs);
        int ok = t != NULL && PyArg_ParseTuple(t, "is:inet_pton", &af, &ip);
        Py_XDECREF(t);
        if (!ok)
            return NULL;
    }
    int r = inet_pton(af, ip, packed);
    if (r < 0)
        return fs_err_errno(errno);
    if (r == 0) {
        PyErr_SetString(PyExc_OSError,
                        "illegal IP address string passed to inet_pton");
        return NULL;
    }
    if (af == AF_INET)
        return PyBytes_FromStringAndSize((char *)packed, 4);
    if (af == AF_INET6)
        return PyBytes_FromStringAndSize((char *)packed, 16);
    PyErr_SetString(PyExc_OSError, "unknown address family");
    return NULL;
}

static PyObject *
fs__inet_ntop(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    (void)m;
    int af;
    Py_buffer b;

    if (fs_reject_kwargs("inet_ntop", kwnames) < 0)
        return NULL;
    if (nargs == 2 && PyLong_CheckExact(args[0]) &&
        PyBytes_CheckExact(args[1])) {
        /* The usual call, with the lengths checked as below. */
        long v = PyLong_AsLong(args[0]);
        Py_ssize_t n = PyBytes_GET_SIZE(args[1]);
        if ((v == AF_INET && n == 4) || (v == AF_INET6 && n == 16))
            return fs__ip_str((int)v, PyBytes_AS_STRING(args[1]));
        PyErr_Clear();      /* an overflowing af: the slow path says so */
    }
    PyObject *t = fs_args_tuple(args, nargs);
    int ok = t != NULL && PyArg_ParseTuple(t, "iy*:inet_ntop", &af, &b);
    Py_XDECREF(t);
    if (!ok)
        return NULL;
    Py_ssize_t want = af == AF_INET ? 4 : af == AF_INET6 ? 16 : -1;
    PyObject *res = NULL;
    if (want < 0)
        PyErr_Format(PyExc_ValueError, "unknown address family %d", af);
    else if (b.len != want)
        PyErr_SetString(PyExc_ValueError,
                        "invalid length of packed IP address string");
    else
        res = fs__ip_str(af, b.buf);
    PyBuffer_Release(&b);
    return res;
}

PyMethodDef fs_sockaddr_functions[] = {
    {"inet_aton", FS_INET_ATON_FLAGS,
     "inet_aton(string) -> bytes\n\n"
     "Pack an IPv4 address written in any form inet_aton(3) reads "
     "('127.0.0.1', '127.1', '0x7f.1') into 4 bytes."},
    {"inet_ntoa", FS_INET_NTOA_FLAGS,
     "inet_ntoa(packed_ip) -> string\n\n"
     "The dotted-quad text of a 4-byte packed IPv4 address."},
    {"inet_pton", FS_FASTCALL(fs__inet_pton), METH_FASTCALL | METH_KEYWORDS,
     "inet_pton(af, ip) -> bytes\n\n"
     "Pack an IPv4 or IPv6 address in its text form into 4 or 16 bytes."},
    {"inet_ntop", FS_FASTCALL(fs__inet_ntop), METH_FASTCALL | METH_KEYWORDS,
     "inet_ntop(af, packed_ip) -> string\n\n"
     "The text form of a packed IPv4 or IPv6 address."},
    {NULL, NULL, 0, NULL}
};
