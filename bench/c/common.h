/*
 * common.h - small helpers shared by the C reference programs of the
 * benchmark suite.  Each program does the same work as one Python scenario,
 * with no interpreter in the way, and prints one JSON object on stdout so
 * that bench/run.py can read it.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

/* Monotonic time in nanoseconds. */
static inline long long
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* CPU time used by this process so far, in nanoseconds.  On a shared
 * machine the CPU time of two peers pinned to one CPU is what their wall
 * time would be if nothing else ran there. */
static inline long long
cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A benchmark that fails must say so loudly rather than print a figure. */
static inline void
die(const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* Parse a positive count argument, or stop with a usage message. */
static inline long
arg_count(const char *s, const char *usage)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v <= 0) {
        fprintf(stderr, "usage: %s\n", usage);
        exit(2);
    }
    return v;
}

/* Read exactly len bytes; returns 0 on success, -1 on EOF or error. */
static inline int
read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write all of buf; returns 0 on success, -1 on error. */
static inline int
write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A connected TCP pair over 127.0.0.1 made through a listening socket on an
 * ephemeral port, with TCP_NODELAY on both ends when nodelay is set. */
static inline void
tcp_pair(int fds[2], int nodelay)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0
        || getsockname(lfd, (struct sockaddr *)&sin, &len) < 0)
        die("bind/listen");
    fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&sin, sizeof(sin)) < 0)
        die("connect");
    fds[1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fds[1] < 0)
        die("accept");
    close(lfd);
    if (nodelay) {
        setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
}

/* Wait for a forked child, fail if it did not exit cleanly, and return the
 * CPU time it used (user + system), in nanoseconds. */
static inline long long
reap(pid_t pid)
{
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            die("wait4");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: child failed (status %d)\n", status);
        exit(2);
    }
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL
        + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

#endif
