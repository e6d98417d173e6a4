/*
 * readline.c - the C reference for the makefile() line-reading scenarios.
 *
 *   readline LINES
 *
 * The parent builds LINES short lines ("<i> short line\n"), a forked child
 * writes them into a socketpair, and the parent reads them back one line at
 * a time through stdio (fdopen + getline), which copies each line out as a
 * Python file object must.  Only the reading side's wall time is reported.
 */
#include "common.h"

#define USAGE "readline LINES"

static char *
make_lines(long lines, size_t *len)
{
    size_t cap = (size_t)lines * 24 + 1, used = 0;
    char *blob = malloc(cap);
    if (blob == NULL)
        die("malloc");
    for (long i = 0; i < lines; i++)
        used += (size_t)snprintf(blob + used, cap - used, "%ld short line\n", i);
    *len = used;
    return blob;
}

int
main(int argc, char **argv)
{
    int fds[2];
    long lines, count = 0;
    size_t len, cap = 0;
    char *blob, *line = NULL;
    long long t0, t1, cpu;
    FILE *f;
    pid_t pid;
    if (argc != 2) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    lines = arg_count(argv[1], USAGE);
    blob = make_lines(lines, &len);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        die("socketpair");
    cpu = cpu_ns();
    t0 = now_ns();
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[0]);
        for (size_t off = 0; off < len; off += 65536) {
            size_t n = len - off < 65536 ? len - off : 65536;
            if (write_full(fds[1], blob + off, n) < 0)
                die("write");
        }
        _exit(0);
    }
    close(fds[1]);
    f = fdopen(fds[0], "rb");
    if (f == NULL)
        die("fdopen");
    while (getline(&line, &cap, f) > 0)
        count++;
    t1 = now_ns();
    cpu = cpu_ns() - cpu;
    fclose(f);
    cpu += reap(pid);
    if (count != lines) {
        fprintf(stderr, "bench: read %ld lines, expected %ld\n", count, lines);
        return 2;
    }
    printf("{\"seconds\": %.9f, \"cpu\": %.9f, \"ops\": %ld}\n",
           (t1 - t0) / 1e9, cpu / 1e9, count);
    return 0;
}
