/*
 * sockfile.h - the socket file's object, shared by the two files that
 * implement socket files: sockfile.c (the binary file, SocketFile) and
 * socktext.c (the text file, SocketTextFile, which cuts its lines straight
 * out of the binary file's read buffer).  Nothing else includes it.
 *
 * What socktext.c may do with a SocketFile: read the fields below, consume
 * buffered bytes by advancing rpos (never past rend), and refill the
 * buffer only with the read lock held (fs_file_enter_read,
 * fs_file_fill_n, fs_file_leave_read).
 */
#ifndef FASTSOCK_SOCKFILE_H
#define FASTSOCK_SOCKFILE_H

#include "fastsock.h"

#include <pythread.h>

/* A lock for one side (read or write) and the thread holding it.  `owner`
 * is set, under the GIL, for as long as an operation that may release the
 * GIL is in progress; lock-free fast paths run only when it is 0. */
typedef struct {
    PyThread_type_lock lock;
    unsigned long owner;
} fs_side_lock;

typedef struct {
    PyObject_HEAD
    fs_sock *sock;          /* strong reference; NULL once closed */
    Py_ssize_t bufsize;     /* most bytes per recv; write buffer capacity */
    char *rbuf;             /* read buffer: data is rbuf[rpos:rend] */
    Py_ssize_t rpos, rend, rcap;
    char *wbuf;             /* write buffer: pending data is wbuf[0:wlen] */
    Py_ssize_t wlen;
    fs_side_lock rlock, wlock;
    char reading, writing;  /* the mode */
    char raw;               /* buffer_size 0: unbuffered, as SocketIO */
    char closed;
    char timed_out;         /* a recv timed out: the stdlib refuses reads */
    PyObject *dict;
    PyObject *weakreflist;
} fs_sockfile;

/* Bytes buffered and not yet consumed. */
#define FS_AVAIL(f)  ((f)->rend - (f)->rpos)

/* The buffers' invariants, asserted wherever a position moves (live in
 * FASTSOCK_DEBUG=1 and sanitizer builds): unread data is rbuf[rpos:rend]
 * within the rcap bytes allocated; pending output is wbuf[0:wlen] within
 * the bufsize bytes allocated. */
#define FS_ASSERT_BUFFERS(f)                                              \
    assert(0 <= (f)->rpos && (f)->rpos <= (f)->rend &&                    \
           (f)->rend <= (f)->rcap && 0 <= (f)->wlen &&                    \
           (f)->wlen <= (f)->bufsize)

/* Result of a raw read that found no data on a non-blocking socket, where
 * SocketIO.readinto returns None. */
#define FS_NO_DATA  (-2)

/* The generic message of io objects for an operation on a closed file. */
#define FS_CLOSED_FILE "I/O operation on closed file."

/* Raise ValueError(msg), as io objects do when closed; returns NULL. */
static inline PyObject *
fs_closed_error(const char *msg)
{
    PyErr_SetString(PyExc_ValueError, msg);
    return NULL;
}

/* Append one recv of at most `size` bytes to the read buffer, with the
 * read lock held: the count (0 at EOF), FS_NO_DATA, or -1 with an
 * exception set. */
Py_ssize_t fs_file_fill_n(fs_sockfile *f, Py_ssize_t size);

/* Take the read lock for an operation that may block (ValueError with
 * `closed_msg` if the file is closed by then), and release it. */
int fs_file_enter_read(fs_sockfile *f, const char *closed_msg);
void fs_file_leave_read(fs_sockfile *f);

#endif /* FASTSOCK_SOCKFILE_H */
