/*
 * socktext.c - the text socket file, SocketTextFile: a fast path in front
 * of io.TextIOWrapper.
 *
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
 *
 * The binary file's object is shared through sockfile.h, the line scanner
 * through linescan.h.
 */
#include "sockfile.h"
#include "linescan.h"

#if defined(__GNUC__) || defined(__clang__)
#define FS__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define FS__ALWAYS_INLINE inline
#endif

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

/* Every supported codec reads ASCII as itself, so an ASCII line becomes a
 * str by a copy; `to_lf` makes its last character "\n". */
static PyObject *
fs__str_from_ascii(const char *p, Py_ssize_t n, int to_lf)
{
    PyObject *res = PyUnicode_New(n, 127);
    if (res != NULL) {
        fs_copy_line((char *)PyUnicode_1BYTE_DATA(res), p, n);
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
    if (ascii || fs_is_ascii(p, dlen))
        return fs__str_from_ascii(p, dlen, to_lf);
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
    Py_ssize_t avail = FS_AVAIL(f);
    if (t->checked > avail)     /* the binary file was read directly */
        t->checked = avail;
    if (t->bad_at >= 0 || (t->checked == avail && !final))
        return 0;
    const char *p = f->rbuf + f->rpos + t->checked;
    Py_ssize_t n = avail - t->checked, consumed = n;
    PyObject *str;
    if (fs_is_ascii(p, n)) {
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
    assert(0 < len && len <= FS_AVAIL(t->bin));
    t->bin->rpos += len;
    FS_ASSERT_BUFFERS(t->bin);
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
        if ((eof || (t->bad_at < 0 && t->checked != FS_AVAIL(f))) &&
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
                                           FS_AVAIL(f), 0, &ending);
        if (len > 0)
            return fs__text_take(t, len, ending, 0, 0);
        Py_ssize_t r = fs_file_fill_n(f, FS__TEXT_CHUNK);
        if (r == FS_NO_DATA)
            return NULL;
        if (r == -1) {
            f->rpos = f->rend;      /* the partial line is lost, as in io */
            return NULL;
        }
        if (r == 0) {
            len = fs__text_line_end(t, f->rbuf + f->rpos, FS_AVAIL(f), 1,
                                    &ending);
            return fs__text_take(t, len, ending, 1, 0);
        }
    }
}

/* The usual line in full: a plain line (linescan.h) whose bytes were all
 * checked already, or need no check, made into a str by a copy.  NULL
 * without an exception when the line is not that; with one only when no
 * memory is left.  Inlined by force into iteration and readline(), which
 * thus pay no call for it (compilers judged it too big to inline). */
static FS__ALWAYS_INLINE PyObject *
fs__text_plain_line(fs_socktext *t)
{
    fs_sockfile *f = t->bin;
    Py_ssize_t avail = FS_AVAIL(f);
    if (f->rlock.owner != 0 || avail <= 0 || t->bad_at >= 0 ||
        (t->strict && t->checked != avail))
        return NULL;
    const char *p = f->rbuf + f->rpos;
    Py_ssize_t len = fs_plain_line(p, avail);
    if (len == 0)
        return NULL;
    PyObject *res = PyUnicode_New(len, 127);
    if (res != NULL) {
        fs_copy_line((char *)PyUnicode_1BYTE_DATA(res), p, len);
        fs__text_consume(t, len, FS__SEEN_LF);
    }
    return res;
}

/* One line by the fast path when it is not a plain one (a "\r", non-ASCII
 * bytes, bytes not checked yet, or no whole line buffered), or NULL: with
 * an exception set it is the result; without, reading has been handed to
 * the wrapper. */
static PyObject *
fs__text_other_line(fs_socktext *t)
{
    fs_sockfile *f = t->bin;
    if (f->rlock.owner == 0 && FS_AVAIL(f) > 0) {
        int ending = FS__SEEN_LF, ascii = 1;
        Py_ssize_t len = fs_plain_line(f->rbuf + f->rpos, FS_AVAIL(f));
        if (len == 0) {
            ascii = 0;
            len = fs__text_line_end(t, f->rbuf + f->rpos, FS_AVAIL(f), 0,
                                    &ending);
        }
        if (len > 0) {
            PyObject *res = fs__text_take(t, len, ending, 0, ascii);
            if (res == NULL && !PyErr_Occurred())
                t->delegated = 1;
            return res;
        }
    }
    if (fs_file_enter_read(f, FS_CLOSED_FILE) < 0)
        return NULL;
    PyObject *res = fs__text_line_locked(t);
    fs_file_leave_read(f);
    if (res == NULL && !PyErr_Occurred())
        t->delegated = 1;
    return res;
}

/* One line by the fast path, or NULL as fs__text_other_line says. */
static PyObject *
fs__text_line(fs_socktext *t)
{
    PyObject *res = fs__text_plain_line(t);
    if (res != NULL || PyErr_Occurred())
        return res;
    return fs__text_other_line(t);
}

static PyObject *
fs__text_iternext(PyObject *self)
{
    fs_socktext *t = (fs_socktext *)self;
    if (fs__text_fast(t)) {
        PyObject *line = fs__text_plain_line(t);
        if (line != NULL)
            return line;        /* never empty: it ends in "\n" */
        if (PyErr_Occurred())
            return NULL;
        line = fs__text_other_line(t);
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
        return fs_closed_error(FS_CLOSED_FILE);
    return Py_NewRef(self);
}

/* Call the wrapper's method `name` with the same arguments. */
static PyObject *
fs__text_forward(fs_socktext *t, const char *name, PyObject *const *args,
                 Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *meth = fs_getattr(t->wrapper, name);
    if (meth == NULL)
        return NULL;
    PyObject *res = PyObject_Vectorcall(meth, args, (size_t)nargs, kwnames);
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
    return fs__text_forward(t, "readline", args, nargs, NULL);
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
        return fs__text_forward(t, "readlines", args, nargs, NULL);
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
    return fs__text_forward(t, "read", args, nargs, NULL);
}

/* reconfigure() may change the encoding or the newline mode, and detach()
 * leaves the wrapper without a buffer: either way the fast path stops. */
static PyObject *
fs__text_reconfigure(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                     PyObject *kwnames)
{
    fs_socktext *t = (fs_socktext *)self;
    t->delegated = 1;
    return fs__text_forward(t, "reconfigure", args, nargs, kwnames);
}

static PyObject *
fs__text_detach(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_socktext *t = (fs_socktext *)self;
    t->delegated = 1;
    return fs__text_forward(t, "detach", NULL, 0, NULL);
}

static PyObject *
fs__text_enter(PyObject *self, PyObject *unused)
{
    (void)unused;
    if (((fs_socktext *)self)->bin->closed)
        return fs_closed_error(FS_CLOSED_FILE);
    return Py_NewRef(self);
}

static PyObject *
fs__text_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    (void)nargs;
    return fs__text_forward((fs_socktext *)self, "close", NULL, 0, NULL);
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

static PyMethodDef fs__text_methods[] = {
    {"readline", FS_FASTCALL(fs__text_readline), METH_FASTCALL,
     "readline(size=-1, /) -> str"},
    {"readlines", FS_FASTCALL(fs__text_readlines), METH_FASTCALL,
     "readlines(hint=-1, /) -> list of str"},
    {"read", FS_FASTCALL(fs__text_read), METH_FASTCALL,
     "read(size=-1, /) -> str"},
    {"write", FS_FASTCALL(fs__text_write), METH_FASTCALL,
     "write(text, /) -> int"},
    {"flush", FS_FASTCALL(fs__text_flush), METH_FASTCALL, "flush()"},
    {"reconfigure", FS_FASTCALL(fs__text_reconfigure),
     METH_FASTCALL | METH_KEYWORDS, "reconfigure(*, encoding, errors, "
     "newline, line_buffering, write_through)"},
    {"detach", fs__text_detach, METH_NOARGS,
     "detach() -> the binary file"},
    {"__enter__", fs__text_enter, METH_NOARGS, NULL},
    {"__exit__", FS_FASTCALL(fs__text_exit), METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef fs__text_getset[] = {
    {"newlines", fs__text_newlines_get, NULL, "newline kinds seen", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef fs__text_members[] = {
    {"_wrapper", Py_T_OBJECT_EX, offsetof(fs_socktext, wrapper),
     Py_READONLY, "the io.TextIOWrapper behind this file"},
    {"__dictoffset__", Py_T_PYSSIZET, offsetof(fs_socktext, dict),
     Py_READONLY, NULL},
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(fs_socktext, weakreflist),
     Py_READONLY, NULL},
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

PyType_Spec fs_socktext_spec = {
    .name = "_fastsock.SocketTextFile",
    .basicsize = sizeof(fs_socktext),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = fs__text_slots,
};
