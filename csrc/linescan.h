/*
 * linescan.h - the line scanner of the text socket file: the two loops
 * over buffered bytes that its hot path runs for every line, a word (or,
 * with SSE2, sixteen bytes) at a time, and the copy of a line.  Static
 * inline so that each caller gets them inlined; they touch no Python
 * object.
 */
#ifndef FASTSOCK_LINESCAN_H
#define FASTSOCK_LINESCAN_H

#include <stdint.h>
#include <string.h>
#include <Python.h>     /* Py_ssize_t, PY_LITTLE_ENDIAN */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define FS__NOINLINE __attribute__((noinline))
#else
#define FS__NOINLINE
#endif

/* fs_plain_line from byte i on, a word and then a byte at a time.  Out of
 * line: with SSE2 only the last bytes of the buffer come here, and inlined
 * it made every line save and restore six more registers. */
static FS__NOINLINE Py_ssize_t
fs__plain_line_rest(const char *p, Py_ssize_t i, Py_ssize_t n)
{
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

/*
 * The common line: ASCII, ending in "\n", no "\r" in it.  Its length with
 * the "\n", or 0 when something needs the text file's closer look
 * (fs__text_line_end in socktext.c) first: a "\r", a non-ASCII byte, or
 * the end of the buffered data.  One
 * pass sixteen bytes (or a word) at a time instead of two memchr() calls
 * and an ASCII check: a line is a few words long, so the calls' fixed
 * costs dominated.
 */
static inline Py_ssize_t
fs_plain_line(const char *p, Py_ssize_t n)
{
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
    /* With SSE2 (all of x86-64): 32 bytes a step, so that the usual line
     * (up to 32 bytes) takes one; then 16 bytes.  A byte's mask bit: it
     * is "\n" or "\r", or its own high bit (0x80 or more) is set. */
    const __m128i lf16 = _mm_set1_epi8('\n'), cr16 = _mm_set1_epi8('\r');
#define FS__HITS(v) _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(          \
        _mm_cmpeq_epi8((v), lf16), _mm_cmpeq_epi8((v), cr16)), (v)))
    const char *q = p;
    unsigned mask = 0;
    for (; p + n - q >= 32; q += 32) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(q + 16));
        mask = (unsigned)FS__HITS(v0) | ((unsigned)FS__HITS(v1) << 16);
        if (mask != 0)
            break;
    }
    if (mask == 0 && p + n - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        mask = (unsigned)FS__HITS(v);
        if (mask == 0)
            q += 16;
    }
#undef FS__HITS
    if (mask != 0) {
        q += __builtin_ctz(mask);
        return *q == '\n' ? q - p + 1 : 0;
    }
    return fs__plain_line_rest(p, q - p, n);
#else
    return fs__plain_line_rest(p, 0, n);
#endif
}

/* memcpy(dst, src, n) for a line, without the call for the usual
 * lengths: two fixed-size moves that may overlap cover 8 to 32 bytes
 * (compilers turn each into one or two load/store pairs).  A line costs
 * a few dozen instructions in all, so the library call's own were a
 * tenth of them. */
static inline void
fs_copy_line(char *dst, const char *src, Py_ssize_t n)
{
    if (n >= 16 && n <= 32) {
        memcpy(dst, src, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    }
    else if (n >= 8 && n < 16) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    }
    else
        memcpy(dst, src, (size_t)n);
}

/* Is p[0:n] all ASCII?  A word at a time: lines are short, but many. */
static inline int
fs_is_ascii(const char *p, Py_ssize_t n)
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

#endif /* FASTSOCK_LINESCAN_H */
