/*
 * recvsmall.c - the C reference for recv(1 << 20) on 16-byte messages.
 *
 *   recvsmall COUNT
 *
 * A SOCK_DGRAM socketpair is filled with a batch of 16-byte datagrams, then
 * each is read with a 1 MiB receive buffer; only the receives are timed.
 * The buffer is allocated once, which is what a C program would do: the
 * difference from Python is the cost of a result object per call.
 */
#include "common.h"

#define USAGE "recvsmall COUNT"
#define BATCH 64
#define BUFSIZE (1 << 20)

int
main(int argc, char **argv)
{
    int fds[2];
    long count, done = 0;
    long long spent = 0, cpu = 0;
    char msg[16];
    char *buf = malloc(BUFSIZE);
    if (argc != 2) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    count = arg_count(argv[1], USAGE);
    if (buf == NULL || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) < 0)
        die("setup");
    memset(msg, 'x', sizeof(msg));
    memset(buf, 0, BUFSIZE);
    while (done < count) {
        long long t0, c0;
        for (int i = 0; i < BATCH; i++)
            if (send(fds[0], msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
                die("send");
        c0 = cpu_ns();
        t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            if (recv(fds[1], buf, BUFSIZE, 0) != (ssize_t)sizeof(msg))
                die("recv");
        spent += now_ns() - t0;
        cpu += cpu_ns() - c0;
        done += BATCH;
    }
    printf("{\"seconds\": %.9f, \"cpu\": %.9f, \"ops\": %ld}\n",
           spent / 1e9, cpu / 1e9, done);
    return 0;
}
