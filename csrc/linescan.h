/*
 * linescan.h - the line scanner of the text socket file: the two loops
 * over buffered bytes that its hot path runs for every line, a word (or,
 * with SSE2, sixteen bytes) at a time.  Static inline so that each caller
 * gets them inlined; they touch no Python object.
 */
#ifndef FASTSOCK_LINESCAN_H
#define FASTSOCK_LINESCAN_H

#include <stdint.h>
#include <string.h>
#include <Python.h>     /* Py_ssize_t, PY_LITTLE_ENDIAN */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * The common line: ASCII, ending in "\n", no "\r" in it.  Its length with
 * the "\n", or 0 when something needs the text file's closer look (fs__text_line_end in socktext.c)
 * first: a "\r", a non-ASCII byte, or the end of the buffered data.  One
 * pass a word at a time instead of two memchr() calls and an ASCII check:
 * a line is a few words long, so the calls' fixed costs dominated.
 */
static inline Py_ssize_t
fs_plain_line(const char *p, Py_ssize_t n)
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
