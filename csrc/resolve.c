/*
 * resolve.c - name and service resolution, with the GIL released.
 *
 * Everything here uses the reentrant libc interfaces (getaddrinfo,
 * getnameinfo, get*by*_r), because other threads run Python while a lookup
 * waits.  Results, exception types and messages are the stdlib's.
 *
 * Two fast paths avoid work the stdlib does on every call without changing
 * any result: ASCII host names skip the Python-level idna codec when the
 * codec would return them unchanged, and getaddrinfo() on a numeric host
 * with a numeric port builds its answer from inet_pton() in the cases where
 * glibc's getaddrinfo is known to give exactly that answer.
 */
#include "fastsock.h"

#include <string.h>
#include <unistd.h>
#include <net/if.h>

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

static PyObject *
fs__err_gai(fs_state *st, int code)
{
    /* EAI_SYSTEM means "look at errno": the stdlib raises that OSError. */
    if (code == EAI_SYSTEM)
        return fs_err_errno(errno);
    PyObject *v = Py_BuildValue("(is)", code, gai_strerror(code));
    if (v != NULL) {
        PyErr_SetObject(st->gaierror, v);
        Py_DECREF(v);
    }
    return NULL;
}

static PyObject *
fs__err_h(fs_state *st, int code)
{
    PyObject *v = Py_BuildValue("(is)", code, hstrerror(code));
    if (v != NULL) {
        PyErr_SetObject(st->herror, v);
        Py_DECREF(v);
    }
    return NULL;
}

/* getaddrinfo() without the GIL; errno travels with the result so that an
 * EAI_SYSTEM failure reports the right one. */
static int
fs__getaddrinfo(const char *host, const char *serv,
                const struct addrinfo *hints, struct addrinfo **res,
                int *err)
{
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = getaddrinfo(host, serv, hints, res);
    *err = errno;
    Py_END_ALLOW_THREADS
    return rc;
}

static PyObject *
fs__gai_fail(fs_state *st, int rc, int err)
{
    errno = err;
    return fs__err_gai(st, rc);
}

/* ------------------------------------------------------------------ */
/* Host name -> one address (the stdlib's setipaddr)                     */
/* ------------------------------------------------------------------ */

static int
fs__copy_first(struct addrinfo *res, struct sockaddr *out, size_t outsize)
{
    size_t n = res->ai_addrlen < outsize ? res->ai_addrlen : outsize;
    memcpy(out, res->ai_addr, n);
    int family = res->ai_family;
    freeaddrinfo(res);
    if (family == AF_INET)
        return sizeof(struct sockaddr_in);
    if (family == AF_INET6)
        return sizeof(struct sockaddr_in6);
    return -1;
}

/* "" means the wildcard address of `family`, which must be unique. */
static int
fs__resolve_wildcard(fs_state *st, struct sockaddr *out, size_t outsize,
                     int family)
{
    struct addrinfo hints, *res = NULL;
    int err;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = fs__getaddrinfo(NULL, "0", &hints, &res, &err);
    if (rc != 0) {
        fs__gai_fail(st, rc, err);
        return -1;
    }
    if (res->ai_family != AF_INET && res->ai_family != AF_INET6) {
        freeaddrinfo(res);
        PyErr_SetString(PyExc_OSError, "unsupported address family");
        return -1;
    }
    if (res->ai_next != NULL) {
        freeaddrinfo(res);
        PyErr_SetString(PyExc_OSError,
                        "wildcard resolved to multiple address");
        return -1;
    }
    return fs__copy_first(res, out, outsize);
}

/* Numeric addresses need no resolver call.  Returns the sockaddr size, or
 * 0 when `host` is not a numeric address of an acceptable family. */
static int
fs__resolve_numeric(const char *host, struct sockaddr *out, size_t outsize,
                    int family)
{
    if ((family == AF_UNSPEC || family == AF_INET) &&
        outsize >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        if (inet_pton(AF_INET, host, &in->sin_addr) > 0) {
            in->sin_family = AF_INET;
            return sizeof(*in);
        }
    }
    /* A scope ("fe80::1%eth0") needs getaddrinfo to map the name. */
    if ((family == AF_UNSPEC || family == AF_INET6) &&
        outsize >= sizeof(struct sockaddr_in6) && strchr(host, '%') == NULL) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) > 0) {
            in6->sin6_family = AF_INET6;
            return sizeof(*in6);
        }
    }
    return 0;
}

int
fs_resolve_host(fs_state *st, const char *host, struct sockaddr *out,
                size_t outsize, int family)
{
    struct addrinfo hints, *res = NULL;
    int n, err;

    memset(out, 0, outsize);
    if (host[0] == '\0')
        return fs__resolve_wildcard(st, out, outsize, family);
    if (strcmp(host, "255.255.255.255") == 0 ||
        strcmp(host, "<broadcast>") == 0) {
        if ((family != AF_INET && family != AF_UNSPEC) ||
            outsize < sizeof(struct sockaddr_in)) {
            PyErr_SetString(PyExc_OSError, "address family mismatched");
            return -1;
        }
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_BROADCAST);
        return sizeof(*in);
    }
    if ((n = fs__resolve_numeric(host, out, outsize, family)) > 0)
        return n;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    int rc = fs__getaddrinfo(host, NULL, &hints, &res, &err);
    if (rc != 0) {
        fs__gai_fail(st, rc, err);
        return -1;
    }
    if ((n = fs__copy_first(res, out, outsize)) < 0)
        PyErr_SetString(PyExc_OSError, "unknown address family");
    return n;
}

/* ------------------------------------------------------------------ */
/* Host-name arguments ("et" with the idna codec)                        */
/* ------------------------------------------------------------------ */

/* The host name the "et"/idna format would produce, when that is the
 * argument's own bytes: an exact str the codec leaves unchanged, or exact
 * bytes, in both cases without NUL.  NULL means "use the slow path". */
static const char *
fs__host_fast(PyObject *o)
{
    Py_ssize_t len;
    const char *s = fs_str_ascii_view(o, &len);
    if (s != NULL) {
        if (!fs_idna_ascii_ok(s, len))
            return NULL;
    }
    else if (PyBytes_CheckExact(o)) {
        s = PyBytes_AS_STRING(o);
        len = PyBytes_GET_SIZE(o);
    }
    else
        return NULL;
    return (Py_ssize_t)strlen(s) == len ? s : NULL;
}

/* The single host argument of gethostbyname & co.  *alloc receives memory
 * to release with PyMem_Free (NULL when none was needed). */
static const char *
fs__host_arg(PyObject *const *args, Py_ssize_t nargs, const char *fmt,
             char **alloc)
{
    const char *s;
    *alloc = NULL;
    if (nargs == 1 && (s = fs__host_fast(args[0])) != NULL)
        return s;
    PyObject *t = fs_args_tuple(args, nargs);
    if (t == NULL)
        return NULL;
    int ok = PyArg_ParseTuple(t, fmt, "idna", alloc);
    Py_DECREF(t);
    return ok ? *alloc : NULL;
}

/* ------------------------------------------------------------------ */
/* Reentrant NSS lookups with a growing buffer                          */
/* ------------------------------------------------------------------ */

/* One attempt of a *_r lookup; returns 0 or an errno value (ERANGE asks
 * for a bigger buffer).  Runs without the GIL. */
typedef int (*fs__nss_fn)(void *ctx, char *buf, size_t len);

/* Run `fn` with the GIL released.  Returns fn's result, or -1 with
 * MemoryError set.  *bufp is the buffer the result points into; the
 * caller frees it with PyMem_Free once the result has been read. */
static int
fs__nss_call(fs__nss_fn fn, void *ctx, char **bufp)
{
    size_t len = 2048;
    char *buf = NULL;
    int rc;

    for (;;) {
        char *nb = PyMem_Realloc(buf, len);
        if (nb == NULL) {
            PyMem_Free(buf);
            *bufp = NULL;
            PyErr_NoMemory();
            return -1;
        }
        buf = nb;
        Py_BEGIN_ALLOW_THREADS
        rc = fn(ctx, buf, len);
        Py_END_ALLOW_THREADS
        if (rc != ERANGE || len >= ((size_t)1 << 24))
            break;
        len *= 4;
    }
    *bufp = buf;
    return rc;
}

typedef struct {
    const char *name;       /* by name */
    const void *addr;       /* by address */
    socklen_t addrlen;
    int af;
    struct hostent he;
    struct hostent *res;
    int herr;
} fs__hostq;

static int
fs__do_hostbyname(void *p, char *buf, size_t len)
{
    fs__hostq *q = p;
    return gethostbyname_r(q->name, &q->he, buf, len, &q->res, &q->herr);
}

static int
fs__do_hostbyaddr(void *p, char *buf, size_t len)
{
    fs__hostq *q = p;
    return gethostbyaddr_r(q->addr, q->addrlen, q->af, &q->he, buf, len,
                           &q->res, &q->herr);
}

static PyObject *
fs__addr_list(struct hostent *h, int af)
{
    PyObject *list = PyList_New(0);
    for (char **p = h->h_addr_list; list != NULL && *p != NULL; p++) {
        char text[INET6_ADDRSTRLEN];
        PyObject *s = NULL;
        if (inet_ntop(af, *p, text, sizeof(text)) != NULL)
            s = PyUnicode_FromString(text);
        else
            fs_err_errno(errno);
        if (s == NULL || PyList_Append(list, s) < 0)
            Py_CLEAR(list);
        Py_XDECREF(s);
    }
    return list;
}

/* (name, aliases, addresses) from a hostent, as the stdlib builds it. */
static PyObject *
fs__hostent_tuple(fs_state *st, fs__hostq *q, int af)
{
    struct hostent *h = q->res;
    if (h == NULL)
        return fs__err_h(st, q->herr);
    if (h->h_addrtype != af)
        return fs_err_errno(EAFNOSUPPORT);
    PyObject *aliases = PyList_New(0);
    for (char **p = h->h_aliases; aliases != NULL && p && *p; p++) {
        PyObject *s = PyUnicode_FromString(*p);
        if (s == NULL || PyList_Append(aliases, s) < 0)
            Py_CLEAR(aliases);
        Py_XDECREF(s);
    }
    if (aliases == NULL)
        return NULL;
    PyObject *addrs = fs__addr_list(h, af);
    if (addrs == NULL) {
        Py_DECREF(aliases);
        return NULL;
    }
    return Py_BuildValue("(sNN)", h->h_name, aliases, addrs);
}

/* ------------------------------------------------------------------ */
/* gethostname, sethostname                                             */
/* ------------------------------------------------------------------ */

static PyObject *
fs__gethostname(PyObject *m, PyObject *unused)
{
    (void)m; (void)unused;
    char buf[1024];
    int rc;

    if (PySys_Audit("socket.gethostname", NULL) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = gethostname(buf, sizeof(buf) - 1);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return fs_err_errno(errno);
    buf[sizeof(buf) - 1] = '\0';
    return PyUnicode_DecodeFSDefault(buf);
}

static PyObject *
fs__sethostname(PyObject *m, PyObject *args)
{
    (void)m;
    PyObject *name;
    Py_buffer b;
    int owned = 0, rc;

    /* bytes as is; anything else through the filesystem encoding. */
    if (!PyArg_ParseTuple(args, "S:sethostname", &name)) {
        PyErr_Clear();
        if (!PyArg_ParseTuple(args, "O&:sethostname", PyUnicode_FSConverter,
                              &name))
            return NULL;
        owned = 1;
    }
    rc = PySys_Audit("socket.sethostname", "(O)", name);
    if (rc == 0 && (rc = PyObject_GetBuffer(name, &b, PyBUF_SIMPLE)) == 0) {
        rc = sethostname(b.buf, (size_t)b.len);
        if (rc < 0)
            fs_err_errno(errno);
        PyBuffer_Release(&b);
    }
    if (owned)
        Py_DECREF(name);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* gethostbyname, gethostbyname_ex, gethostbyaddr                       */
/* ------------------------------------------------------------------ */

static PyObject *
fs__gethostbyname(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                  PyObject *kwnames)
{
    fs_addr a;
    char *alloc;

    if (fs_reject_kwargs("gethostbyname", kwnames) < 0)
        return NULL;
    const char *name = fs__host_arg(args, nargs, "et:gethostbyname", &alloc);
    if (name == NULL)
        return NULL;
    PyObject *res = NULL;
    if (PySys_Audit("socket.gethostbyname", "(O)", args[0]) == 0 &&
        fs_resolve_host(fs_get_state(m), name, &a.sa, sizeof(a.in4),
                        AF_INET) >= 0)
        res = fs_ip_object(&a.sa);
    PyMem_Free(alloc);
    return res;
}

/* gethostbyname_ex() and gethostbyaddr(): the host name argument (`fmt`,
 * IDNA-encoded), the audit event, the name resolved for `family`, then the
 * NSS lookup by that name or (`by_addr`) by the address it resolved to. */
static PyObject *
fs__hostent_lookup(PyObject *m, PyObject *args, const char *fmt,
                   const char *event, int family, int by_addr)
{
    fs_state *st = fs_get_state(m);
    char *name = NULL, *buf = NULL;
    fs_addr a;
    fs__hostq q;
    PyObject *res = NULL;

    if (!PyArg_ParseTuple(args, fmt, "idna", &name))
        return NULL;
    if (PySys_Audit(event, "O", args) < 0 ||
        fs_resolve_host(st, name, &a.sa, sizeof(a), family) < 0)
        goto done;
    memset(&q, 0, sizeof(q));
    q.name = name;
    q.af = a.sa.sa_family;
    if (q.af == AF_INET) {
        q.addr = &a.in4.sin_addr;
        q.addrlen = sizeof(a.in4.sin_addr);
    }
    else {
        q.addr = &a.in6.sin6_addr;
        q.addrlen = sizeof(a.in6.sin6_addr);
    }
    if (fs__nss_call(by_addr ? fs__do_hostbyaddr : fs__do_hostbyname, &q,
                     &buf) >= 0)
        res = fs__hostent_tuple(st, &q, q.af);
done:
    PyMem_Free(buf);
    PyMem_Free(name);
    return res;
}

static PyObject *
fs__gethostbyname_ex(PyObject *m, PyObject *args)
{
    return fs__hostent_lookup(m, args, "et:gethostbyname_ex",
                              "socket.gethostbyname", AF_INET, 0);
}

static PyObject *
fs__gethostbyaddr(PyObject *m, PyObject *args)
{
    return fs__hostent_lookup(m, args, "et:gethostbyaddr",
                              "socket.gethostbyaddr", AF_UNSPEC, 1);
}

/* ------------------------------------------------------------------ */
/* getaddrinfo                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    PyObject *hobj, *pobj;      /* borrowed */
    int family, socktype, proto, flags;
    PyObject *af_map, *kind_map;    /* borrowed dicts, or NULL */
} fs__gai_args;

/* The int, or the enum member a {value: member} map gives for it. */
static PyObject *
fs__enum_or_int(PyObject *map, int v)
{
    PyObject *i = PyLong_FromLong(v);
    if (i == NULL || map == NULL)
        return i;
    PyObject *e = PyDict_GetItemWithError(map, i);
    if (e == NULL)
        return PyErr_Occurred() ? (Py_DECREF(i), NULL) : i;
    Py_DECREF(i);
    return Py_NewRef(e);
}

/* Append (family, type, proto, canonname, sockaddr) to `list`.  Built by
 * hand rather than with Py_BuildValue: this is the hot loop of a call
 * that is often made once per connection. */
static int
fs__gai_append(PyObject *list, const fs__gai_args *g, int family,
               int socktype, int proto, const char *canon, PyObject *addr)
{
    PyObject *t = PyTuple_New(5);
    if (t == NULL)
        return -1;
    PyObject *items[5] = {
        fs__enum_or_int(g->af_map, family),
        fs__enum_or_int(g->kind_map, socktype),
        PyLong_FromLong(proto),
        PyUnicode_FromString(canon ? canon : ""),
        Py_NewRef(addr),
    };
    int rc = 0;
    for (int i = 0; i < 5; i++) {
        if (items[i] == NULL)
            rc = -1;
        PyTuple_SET_ITEM(t, i, items[i]);
    }
    if (rc == 0)
        rc = PyList_Append(list, t);
    Py_DECREF(t);
    return rc;
}

/* The (socktype, proto) pairs glibc answers with for a numeric host and a
 * numeric (or no) service, for the hints we have verified.  Returns their
 * count, or 0 for hints left to libc. */
static int
fs__gai_fast_kinds(int socktype, int proto, int kinds[3][2])
{
    static const int all[3][2] = {{SOCK_STREAM, IPPROTO_TCP},
                                  {SOCK_DGRAM, IPPROTO_UDP},
                                  {SOCK_RAW, 0}};
    int first, n = 1;
    if (socktype == 0 && proto == 0) {
        first = 0;
        n = 3;
    }
    else if ((socktype == 0 || socktype == SOCK_STREAM) &&
             (proto == 0 || proto == IPPROTO_TCP))
        first = 0;
    else if ((socktype == 0 || socktype == SOCK_DGRAM) &&
             (proto == 0 || proto == IPPROTO_UDP))
        first = 1;
    else
        return 0;
    memcpy(kinds, all[first], sizeof(all[0]) * (size_t)n);
    return n;
}

/* A service string glibc reads as this port number: 1-5 digits, at most
 * 65535.  -1 for anything else (left to libc). */
static long
fs__gai_fast_port(const char *serv)
{
    if (serv == NULL)
        return 0;
    long v = 0;
    size_t i;
    for (i = 0; serv[i] >= '0' && serv[i] <= '9' && i < 5; i++)
        v = v * 10 + (serv[i] - '0');
    if (i == 0 || serv[i] != '\0' || v > 0xffff)
        return -1;
    return v;
}

/* getaddrinfo's answer for a numeric host, built without libc.  Returns 1
 * with *out set (NULL on error), or 0 when libc must answer. */
static int
fs__gai_fast(fs_state *st, const fs__gai_args *g, const char *host,
             const char *serv, PyObject **out)
{
#ifdef __GLIBC__
    int kinds[3][2];
    fs_addr a;
    const int ok_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;

    if (host == NULL || (g->flags & ~ok_flags) != 0)
        return 0;
    int n = fs__gai_fast_kinds(g->socktype, g->proto, kinds);
    long port = fs__gai_fast_port(serv);
    if (n == 0 || port < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    int len = fs__resolve_numeric(host, &a.sa, sizeof(a), g->family);
    if (len == 0)
        return 0;
    if (a.sa.sa_family == AF_INET)
        a.in4.sin_port = htons((uint16_t)port);
    else
        a.in6.sin6_port = htons((uint16_t)port);
    PyObject *addr = fs_addr_make(st, &a.sa, (socklen_t)len, g->proto);
    PyObject *list = addr ? PyList_New(0) : NULL;
    for (int i = 0; list != NULL && i < n; i++) {
        if (fs__gai_append(list, g, a.sa.sa_family, kinds[i][0],
                           kinds[i][1], NULL, addr) < 0)
            Py_CLEAR(list);
    }
    Py_XDECREF(addr);
    *out = list;
    return 1;
#else
    (void)st; (void)g; (void)host; (void)serv; (void)out;
    return 0;
#endif
}

/* getaddrinfo through libc, GIL released. */
static PyObject *
fs__gai_libc(fs_state *st, const fs__gai_args *g, const char *host,
             const char *serv)
{
    struct addrinfo hints, *res0 = NULL;
    int err;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = g->family;
    hints.ai_socktype = g->socktype;
    hints.ai_protocol = g->proto;
    hints.ai_flags = g->flags;
    int rc = fs__getaddrinfo(host, serv, &hints, &res0, &err);
    if (rc != 0)
        return fs__gai_fail(st, rc, err);
    PyObject *list = PyList_New(0);
    for (struct addrinfo *r = res0; list != NULL && r; r = r->ai_next) {
        PyObject *addr = fs_addr_make(st, r->ai_addr, r->ai_addrlen, g->proto);
        if (addr == NULL ||
            fs__gai_append(list, g, r->ai_family, r->ai_socktype,
                           r->ai_protocol, r->ai_canonname, addr) < 0)
            Py_CLEAR(list);
        Py_XDECREF(addr);
    }
    freeaddrinfo(res0);
    return list;
}

/* The host as getaddrinfo gets it.  *owned receives an object to release
 * (idna-encoded bytes); *host is NULL for None. */
static int
fs__gai_host(PyObject *h, const char **host, PyObject **owned)
{
    Py_ssize_t len;
    *owned = NULL;
    if (h == Py_None) {
        *host = NULL;
        return 0;
    }
    /* An ASCII str the codec would return unchanged is used in place. */
    if ((*host = fs_str_ascii_view(h, &len)) != NULL && fs_idna_ascii_ok(*host, len))
        return 0;
    if (PyUnicode_Check(h)) {
        if ((*owned = PyUnicode_AsEncodedString(h, "idna", NULL)) == NULL)
            return -1;
        *host = PyBytes_AS_STRING(*owned);
        return 0;
    }
    if (PyBytes_Check(h)) {
        *host = PyBytes_AS_STRING(h);
        return 0;
    }
    PyErr_SetString(PyExc_TypeError,
                    "getaddrinfo() argument 1 must be string or None");
    return -1;
}

/* The port as getaddrinfo gets it: ints are printed into `buf`, or, from
 * 3.12 on, ints beyond a C long as their decimal text (kept in *owned). */
static int
fs__gai_port(PyObject *p, char *buf, size_t size, const char **serv,
             PyObject **owned)
{
    *owned = NULL;
    if (PyLong_CheckExact(p)) {
        long v = PyLong_AsLong(p);
        if (v == -1 && PyErr_Occurred()) {
#if PY_VERSION_HEX >= 0x030C0000
            if (!PyErr_ExceptionMatches(PyExc_OverflowError))
                return -1;
            PyErr_Clear();
            if ((*owned = PyObject_Str(p)) == NULL)
                return -1;
            return (*serv = PyUnicode_AsUTF8(*owned)) == NULL ? -1 : 0;
#else
            return -1;
#endif
        }
        PyOS_snprintf(buf, size, "%ld", v);
        *serv = buf;
    }
    else if (PyUnicode_Check(p)) {
        if ((*serv = PyUnicode_AsUTF8(p)) == NULL)
            return -1;
    }
    else if (PyBytes_Check(p))
        *serv = PyBytes_AS_STRING(p);
    else if (p == Py_None)
        *serv = NULL;
    else {
        PyErr_SetString(PyExc_OSError, "Int or String expected");
        return -1;
    }
    return 0;
}

static PyObject *
fs__gai_run(fs_state *st, const fs__gai_args *g)
{
    const char *host, *serv;
    PyObject *hown, *pown = NULL, *res = NULL;
    char pbuf[32];

    if (fs__gai_host(g->hobj, &host, &hown) < 0)
        return NULL;
    if (fs__gai_port(g->pobj, pbuf, sizeof(pbuf), &serv, &pown) == 0 &&
        PySys_Audit("socket.getaddrinfo", "OOiii", g->hobj, g->pobj,
                    g->family, g->socktype, g->proto) == 0 &&
        !fs__gai_fast(st, g, host, serv, &res))
        res = fs__gai_libc(st, g, host, serv);
    Py_XDECREF(hown);
    Py_XDECREF(pown);
    return res;
}

/* Exact ints that fit a C int: the positional fast path. */
static int
fs__small_ints(PyObject *const *args, Py_ssize_t n, int *out)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        int overflow;
        if (!PyLong_CheckExact(args[i]))
            return 0;
        long v = PyLong_AsLongAndOverflow(args[i], &overflow);
        if (overflow || v < INT_MIN || v > INT_MAX)
            return 0;
        out[i] = (int)v;
    }
    return 1;
}

/* Parse getaddrinfo's arguments into *g: positional ints inline, the
 * rest by PyArg_ParseTupleAndKeywords for the stdlib's messages. */
static int
fs__gai_parse(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
              fs__gai_args *g)
{
    static char *kwlist[] = {"host", "port", "family", "type", "proto",
                             "flags", NULL};
    int v[4] = {0, 0, 0, 0};

    if (kwnames == NULL && nargs >= 2 && nargs <= 6 &&
        fs__small_ints(args + 2, nargs - 2, v)) {
        g->hobj = args[0];
        g->pobj = args[1];
        g->family = v[0], g->socktype = v[1], g->proto = v[2], g->flags = v[3];
        return 0;
    }
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    PyObject *t = fs_args_tuple(args, nargs);
    PyObject *kw = nkw ? PyDict_New() : NULL;
    int ok = t != NULL && (nkw == 0 || kw != NULL);
    for (Py_ssize_t i = 0; ok && i < nkw; i++)
        ok = PyDict_SetItem(kw, PyTuple_GET_ITEM(kwnames, i),
                            args[nargs + i]) == 0;
    g->family = g->socktype = g->proto = g->flags = 0;
    ok = ok && PyArg_ParseTupleAndKeywords(t, kw, "OO|iiii:getaddrinfo",
                                           kwlist, &g->hobj, &g->pobj,
                                           &g->family, &g->socktype,
                                           &g->proto, &g->flags);
    /* The borrowed objects stay alive: the caller's arguments hold them. */
    Py_XDECREF(t);
    Py_XDECREF(kw);
    return ok ? 0 : -1;
}

static PyObject *
fs__getaddrinfo_fn(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                   PyObject *kwnames)
{
    fs__gai_args g = {0};
    if (fs__gai_parse(args, nargs, kwnames, &g) < 0)
        return NULL;
    return fs__gai_run(fs_get_state(m), &g);
}

/* _getaddrinfo(host, port, family, type, proto, flags, af_map, kind_map):
 * getaddrinfo with family and type already turned into enum members via
 * the {value: member} dicts, for the Python layer's getaddrinfo(). */
static PyObject *
fs__getaddrinfo_enums(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                      PyObject *kwnames)
{
    fs__gai_args g = {0};
    if (fs_reject_kwargs("_getaddrinfo", kwnames) < 0)
        return NULL;
    if (nargs != 8 || !PyDict_Check(args[6]) || !PyDict_Check(args[7])) {
        PyErr_SetString(PyExc_TypeError, "_getaddrinfo(host, port, family, "
                        "type, proto, flags, af_map: dict, kind_map: dict)");
        return NULL;
    }
    if (fs__gai_parse(args, 6, NULL, &g) < 0)
        return NULL;
    g.af_map = args[6];
    g.kind_map = args[7];
    return fs__gai_run(fs_get_state(m), &g);
}

/* ------------------------------------------------------------------ */
/* getnameinfo                                                          */
/* ------------------------------------------------------------------ */

static PyObject *
fs__nameinfo(fs_state *st, struct addrinfo *ai, int flags)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int rc, err;

    Py_BEGIN_ALLOW_THREADS
    rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
                     serv, sizeof(serv), flags);
    err = errno;
    Py_END_ALLOW_THREADS
    if (rc != 0)
        return fs__gai_fail(st, rc, err);
    return Py_BuildValue("(ss)", host, serv);
}

/* The sockaddr argument: (host, port[, flowinfo[, scope_id]]) with a
 * numeric host.  Returns 0, or -1 with the stdlib's exception. */
static int
fs__nameinfo_args(PyObject *args, PyObject **sa, const char **host,
                  int *port, unsigned int extra[2], int *flags)
{
    if (!PyArg_ParseTuple(args, "Oi:getnameinfo", sa, flags))
        return -1;
    if (!PyTuple_Check(*sa)) {
        PyErr_SetString(PyExc_TypeError,
                        "getnameinfo() argument 1 must be a tuple");
        return -1;
    }
    if (!PyArg_ParseTuple(*sa, "si|II;getnameinfo(): illegal sockaddr "
                          "argument", host, port, &extra[0], &extra[1]))
        return -1;
    if (extra[0] > 0xfffff) {
        PyErr_SetString(PyExc_OverflowError,
                        "getnameinfo(): flowinfo must be 0-1048575.");
        return -1;
    }
    return PySys_Audit("socket.getnameinfo", "(O)", *sa);
}

static PyObject *
fs__getnameinfo(PyObject *m, PyObject *args)
{
    fs_state *st = fs_get_state(m);
    PyObject *sa;
    const char *host;
    int flags, port, err;
    unsigned int extra[2] = {0, 0};    /* flowinfo, scope_id */
    struct addrinfo hints, *res = NULL;
    char pbuf[32];

    if (fs__nameinfo_args(args, &sa, &host, &port, extra, &flags) < 0)
        return NULL;
    /* The address is parsed numerically only: no lookup of `host`. */
    PyOS_snprintf(pbuf, sizeof(pbuf), "%d", port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST;
    int rc = fs__getaddrinfo(host, pbuf, &hints, &res, &err);
    if (rc != 0)
        return fs__gai_fail(st, rc, err);
    PyObject *out = NULL;
    if (res->ai_next != NULL)
        PyErr_SetString(PyExc_OSError,
                        "sockaddr resolved to multiple addresses");
    else if (res->ai_family == AF_INET && PyTuple_GET_SIZE(sa) != 2)
        PyErr_SetString(PyExc_OSError, "IPv4 sockaddr must be 2 tuple");
    else {
        if (res->ai_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)res->ai_addr;
            in6->sin6_flowinfo = htonl(extra[0]);
            in6->sin6_scope_id = extra[1];
        }
        out = fs__nameinfo(st, res, flags);
    }
    freeaddrinfo(res);
    return out;
}

/* ------------------------------------------------------------------ */
/* Services and protocols                                               */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *proto;
    int port;               /* network order, for by-port */
    struct servent se;
    struct servent *res;
} fs__servq;

static int
fs__do_servbyname(void *p, char *buf, size_t len)
{
    fs__servq *q = p;
    return getservbyname_r(q->name, q->proto, &q->se, buf, len, &q->res);
}

static int
fs__do_servbyport(void *p, char *buf, size_t len)
{
    fs__servq *q = p;
    return getservbyport_r(q->port, q->proto, &q->se, buf, len, &q->res);
}

static PyObject *
fs__getservbyname(PyObject *m, PyObject *args)
{
    (void)m;
    fs__servq q;
    char *buf;

    memset(&q, 0, sizeof(q));
    if (!PyArg_ParseTuple(args, "s|s:getservbyname", &q.name, &q.proto))
        return NULL;
    if (PySys_Audit("socket.getservbyname", "ss", q.name, q.proto) < 0)
        return NULL;
    if (fs__nss_call(fs__do_servbyname, &q, &buf) < 0)
        return NULL;
    PyObject *res = NULL;
    if (q.res == NULL)
        PyErr_SetString(PyExc_OSError, "service/proto not found");
    else
        res = PyLong_FromLong((long)ntohs((uint16_t)q.res->s_port));
    PyMem_Free(buf);
    return res;
}

static PyObject *
fs__getservbyport(PyObject *m, PyObject *args)
{
    (void)m;
    fs__servq q;
    int port;
    char *buf;

    memset(&q, 0, sizeof(q));
    if (!PyArg_ParseTuple(args, "i|s:getservbyport", &port, &q.proto))
        return NULL;
    if (port < 0 || port > 0xffff) {
        PyErr_SetString(PyExc_OverflowError,
                        "getservbyport: port must be 0-65535.");
        return NULL;
    }
    if (PySys_Audit("socket.getservbyport", "is", port, q.proto) < 0)
        return NULL;
    q.port = htons((uint16_t)port);
    if (fs__nss_call(fs__do_servbyport, &q, &buf) < 0)
        return NULL;
    PyObject *res = NULL;
    if (q.res == NULL)
        PyErr_SetString(PyExc_OSError, "port/proto not found");
    else
        res = PyUnicode_FromString(q.res->s_name);
    PyMem_Free(buf);
    return res;
}

typedef struct {
    const char *name;
    struct protoent pe;
    struct protoent *res;
} fs__protoq;

static int
fs__do_protobyname(void *p, char *buf, size_t len)
{
    fs__protoq *q = p;
    return getprotobyname_r(q->name, &q->pe, buf, len, &q->res);
}

static PyObject *
fs__getprotobyname(PyObject *m, PyObject *args)
{
    (void)m;
    fs__protoq q;
    char *buf;

    memset(&q, 0, sizeof(q));
    if (!PyArg_ParseTuple(args, "s:getprotobyname", &q.name))
        return NULL;
    if (fs__nss_call(fs__do_protobyname, &q, &buf) < 0)
        return NULL;
    PyObject *res = NULL;
    if (q.res == NULL)
        PyErr_SetString(PyExc_OSError, "protocol not found");
    else
        res = PyLong_FromLong((long)q.res->p_proto);
    PyMem_Free(buf);
    return res;
}

/* ------------------------------------------------------------------ */
/* Network interfaces                                                    */
/* ------------------------------------------------------------------ */

static PyObject *
fs__if_nameindex(PyObject *m, PyObject *unused)
{
    (void)m; (void)unused;
    struct if_nameindex *ni = if_nameindex();
    if (ni == NULL)
        return fs_err_errno(errno);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list != NULL && ni[i].if_index != 0; i++) {
        PyObject *t = Py_BuildValue("(IO&)", ni[i].if_index,
                                    PyUnicode_DecodeFSDefault,
                                    ni[i].if_name);
        if (t == NULL || PyList_Append(list, t) < 0)
            Py_CLEAR(list);
        Py_XDECREF(t);
    }
    if_freenameindex(ni);
    return list;
}

static PyObject *
fs__if_nametoindex(PyObject *m, PyObject *args)
{
    (void)m;
    PyObject *name;
    if (!PyArg_ParseTuple(args, "O&:if_nametoindex", PyUnicode_FSConverter,
                          &name))
        return NULL;
    unsigned int index = if_nametoindex(PyBytes_AS_STRING(name));
    Py_DECREF(name);
    if (index == 0) {
        /* if_nametoindex() does not say why; the stdlib does not either. */
        PyErr_SetString(PyExc_OSError, "no interface with this name");
        return NULL;
    }
    return PyLong_FromUnsignedLong(index);
}

static PyObject *
fs__if_indextoname(PyObject *m, PyObject *arg)
{
    (void)m;
    char name[IF_NAMESIZE + 1];

    if (!PyLong_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "an integer is required");
        return NULL;
    }
    unsigned long index = PyLong_AsUnsignedLong(arg);
    if (index == (unsigned long)-1 && PyErr_Occurred())
        return NULL;
#if PY_VERSION_HEX >= 0x030D0000
    if (index > UINT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "index is too large");
        return NULL;
    }
#endif
    /* Up to 3.12 the stdlib truncates to a C unsigned int silently. */
    if (if_indextoname((unsigned int)index, name) == NULL)
        return fs_err_errno(errno);
    return PyUnicode_DecodeFSDefault(name);
}

/* ------------------------------------------------------------------ */
/* Method table                                                          */
/* ------------------------------------------------------------------ */

PyMethodDef fs_resolve_functions[] = {
    {"gethostname", fs__gethostname, METH_NOARGS,
     "gethostname() -> string\n\nThis machine's host name."},
    {"sethostname", fs__sethostname, METH_VARARGS,
     "sethostname(name)\n\nChange this machine's host name (needs "
     "privileges)."},
    {"gethostbyname", FS_FASTCALL(fs__gethostbyname),
     METH_FASTCALL | METH_KEYWORDS,
     "gethostbyname(host) -> address\n\n"
     "The IPv4 address of host, as a dotted-quad string."},
    {"gethostbyname_ex", fs__gethostbyname_ex, METH_VARARGS,
     "gethostbyname_ex(host) -> (name, aliaslist, addresslist)\n\n"
     "The primary name, the other names and every IPv4 address of host."},
    {"gethostbyaddr", fs__gethostbyaddr, METH_VARARGS,
     "gethostbyaddr(host) -> (name, aliaslist, addresslist)\n\n"
     "The primary name, the other names and the addresses of the host "
     "that owns an address (a name is looked up first)."},
    {"getaddrinfo", FS_FASTCALL(fs__getaddrinfo_fn),
     METH_FASTCALL | METH_KEYWORDS,
     "getaddrinfo(host, port [, family, type, proto, flags])\n"
     "    -> list of (family, type, proto, canonname, sockaddr)\n\n"
     "Every address, socket type and protocol to reach host:port with."},
    {"_getaddrinfo", FS_FASTCALL(fs__getaddrinfo_enums),
     METH_FASTCALL | METH_KEYWORDS,
     "_getaddrinfo(host, port, family, type, proto, flags, af_map, "
     "kind_map)\n\ngetaddrinfo() whose family and type are looked up in "
     "the two {value: enum member} dicts."},
    {"getnameinfo", fs__getnameinfo, METH_VARARGS,
     "getnameinfo(sockaddr, flags) -> (host, port)\n\n"
     "Host and service names for a numeric (host, port) address."},
    {"getservbyname", fs__getservbyname, METH_VARARGS,
     "getservbyname(servicename[, protocolname]) -> integer\n\n"
     "The port number of a named service."},
    {"getservbyport", fs__getservbyport, METH_VARARGS,
     "getservbyport(port[, protocolname]) -> string\n\n"
     "The name of the service on a port."},
    {"getprotobyname", fs__getprotobyname, METH_VARARGS,
     "getprotobyname(name) -> integer\n\n"
     "The number of a named protocol."},
    {"if_nameindex", fs__if_nameindex, METH_NOARGS,
     "if_nameindex() -> list of (index, name)\n\n"
     "This machine's network interfaces."},
    {"if_nametoindex", fs__if_nametoindex, METH_VARARGS,
     "if_nametoindex(if_name) -> integer\n\n"
     "The index of a network interface."},
    {"if_indextoname", fs__if_indextoname, METH_O,
     "if_indextoname(if_index) -> string\n\n"
     "The name of a network interface."},
    {NULL, NULL, 0, NULL}
};
