/*
 * bulk.c - the C reference for the bulk stream scenario.
 *
 *   bulk MIB [CHUNK]
 *
 * A forked child sends MIB mebibytes over TCP loopback in CHUNK-byte writes
 * (64 KiB by default) once the parent says go; the parent receives into a
 * CHUNK-byte buffer and times the whole transfer.
 */
#include "common.h"

#define USAGE "bulk MIB [CHUNK]"

static void
sender(int fd, long long total, size_t chunk)
{
    char go;
    char *buf = calloc(1, chunk);
    if (buf == NULL || read_full(fd, &go, 1) < 0)
        die("sender setup");
    for (long long sent = 0; sent < total; sent += (long long)chunk)
        if (write_full(fd, buf, chunk) < 0)
            die("send");
    close(fd);
}

int
main(int argc, char **argv)
{
    int fds[2];
    long mib, chunk = 65536;
    long long total, got = 0, t0, t1, cpu;
    char *buf;
    pid_t pid;
    if (argc < 2) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    mib = arg_count(argv[1], USAGE);
    if (argc > 2)
        chunk = arg_count(argv[2], USAGE);
    total = (long long)mib << 20;
    tcp_pair(fds, 0);
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[1]);
        sender(fds[0], total, (size_t)chunk);
        _exit(0);
    }
    close(fds[0]);
    buf = malloc((size_t)chunk);
    if (buf == NULL)
        die("malloc");
    cpu = cpu_ns();
    t0 = now_ns();
    if (write_full(fds[1], "g", 1) < 0)
        die("go");
    while (got < total) {
        ssize_t n = recv(fds[1], buf, (size_t)chunk, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("recv");
        got += n;
    }
    t1 = now_ns();
    cpu = cpu_ns() - cpu;
    close(fds[1]);
    cpu += reap(pid);
    printf("{\"seconds\": %.9f, \"cpu\": %.9f, \"ops\": %lld, \"bytes\": %lld}\n",
           (t1 - t0) / 1e9, cpu / 1e9, got >> 20, got);
    return 0;
}
