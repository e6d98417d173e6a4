/*
 * pingpong.c - the C reference for the ping-pong scenarios.
 *
 *   pingpong unix|tcp|udp|udp-connected|tcp-timeout ROUNDS [SIZE]
 *
 * A forked child echoes every message back; the parent times ROUNDS round
 * trips of SIZE bytes (64 by default).  The caller pins the process to one
 * CPU before starting it, so both peers share that CPU as in the Python runs.
 * "tcp-timeout" uses non-blocking sockets and waits with poll() only when a
 * call would block, which is what a socket with a timeout has to do.
 * "udp-connected" connects the two UDP sockets and uses write()/read(): the
 * syscalls of the Python floor for the UDP scenario (os.write/os.read), so
 * that floor can be compared with C doing the same kernel work; on loopback
 * a connected socket skips a route lookup per datagram.
 */
#include "common.h"
#include <fcntl.h>
#include <poll.h>

#define USAGE "pingpong unix|tcp|udp|udp-connected|tcp-timeout ROUNDS [SIZE]"

static int use_poll;
static long long cpu_used;     /* CPU time of both peers over the timed part */

/* Wait until fd is ready, for the non-blocking variant. */
static void
wait_ready(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    int r;
    do {
        r = poll(&p, 1, 10000);
    } while (r < 0 && errno == EINTR);
    if (r <= 0)
        die("poll (timed out)");
}

static ssize_t
io_recv(int fd, char *buf, size_t len)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (use_poll && errno == EAGAIN) {
            wait_ready(fd, POLLIN);
            continue;
        }
        die("recv");
    }
}

static void
io_send(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && use_poll && errno == EAGAIN) {
            wait_ready(fd, POLLOUT);
            continue;
        }
        if (n < 0)
            die("send");
        buf += n;
        len -= (size_t)n;
    }
}

/* Receive exactly len bytes of a stream, or return 0 at end of stream. */
static int
recv_msg(int fd, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = io_recv(fd, buf + got, len - got);
        if (n == 0)
            return 0;
        got += (size_t)n;
    }
    return 1;
}

static void
stream_echo(int fd, size_t size)
{
    char buf[65536];
    while (recv_msg(fd, buf, size))
        io_send(fd, buf, size);
}

/* With `connected`, the peer address is fixed: read()/write(). */
static void
udp_echo(int fd, int connected)
{
    char buf[65536];
    struct sockaddr_in from;
    for (;;) {
        socklen_t flen = sizeof(from);
        ssize_t n = connected ? read(fd, buf, sizeof(buf))
                              : recvfrom(fd, buf, sizeof(buf), 0,
                                         (struct sockaddr *)&from, &flen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("recvfrom");
        if (n == 0)     /* an empty datagram ends the run */
            return;
        n = connected ? write(fd, buf, (size_t)n)
                      : sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
        if (n < 0)
            die("sendto");
    }
}

/* One round trip of the parent: send msg, wait for the echo. */
static void
udp_round(int c, int connected, const struct sockaddr_in *to,
          const char *msg, char *buf, size_t size)
{
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    ssize_t n = connected ? write(c, msg, size)
                          : sendto(c, msg, size, 0, (const struct sockaddr *)to,
                                   sizeof(*to));
    if (n < 0)
        die("sendto");
    n = connected ? read(c, buf, 65536)
                  : recvfrom(c, buf, 65536, 0, (struct sockaddr *)&from, &flen);
    if (n != (ssize_t)size)
        die("recvfrom");
}

static int
udp_socket(struct sockaddr_in *addr)
{
    socklen_t len = sizeof(*addr);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0
        || getsockname(fd, (struct sockaddr *)addr, &len) < 0)
        die("udp socket");
    return fd;
}

static long long
run_udp(long rounds, size_t size, int connected)
{
    struct sockaddr_in caddr, saddr;
    int c = udp_socket(&caddr), s = udp_socket(&saddr);
    char msg[65536], buf[65536];
    long long t0, t1;
    pid_t pid;
    if (connected && (connect(c, (struct sockaddr *)&saddr, sizeof(saddr)) < 0
                      || connect(s, (struct sockaddr *)&caddr, sizeof(caddr)) < 0))
        die("connect");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(c);
        udp_echo(s, connected);
        _exit(0);
    }
    close(s);
    memset(msg, 'x', size);
    cpu_used = cpu_ns();
    t0 = now_ns();
    for (long i = 0; i < rounds; i++)
        udp_round(c, connected, &saddr, msg, buf, size);
    t1 = now_ns();
    cpu_used = cpu_ns() - cpu_used;
    sendto(c, msg, 0, 0, (struct sockaddr *)&saddr, sizeof(saddr));
    cpu_used += reap(pid);
    return t1 - t0;
}

static long long
run_stream(const char *mode, long rounds, size_t size)
{
    int fds[2];
    char msg[65536], buf[65536];
    long long t0, t1;
    pid_t pid;
    if (strcmp(mode, "unix") == 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
            die("socketpair");
    } else {
        tcp_pair(fds, 1);
    }
    if (use_poll) {
        fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
        fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    }
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[0]);
        stream_echo(fds[1], size);
        _exit(0);
    }
    close(fds[1]);
    memset(msg, 'x', size);
    cpu_used = cpu_ns();
    t0 = now_ns();
    for (long i = 0; i < rounds; i++) {
        io_send(fds[0], msg, size);
        if (!recv_msg(fds[0], buf, size))
            die("unexpected end of stream");
    }
    t1 = now_ns();
    cpu_used = cpu_ns() - cpu_used;
    close(fds[0]);
    cpu_used += reap(pid);
    return t1 - t0;
}

int
main(int argc, char **argv)
{
    long rounds, size = 64;
    long long ns;
    if (argc < 3) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    rounds = arg_count(argv[2], USAGE);
    if (argc > 3)
        size = arg_count(argv[3], USAGE);
    if (size > 65536)
        size = 65536;
    use_poll = strcmp(argv[1], "tcp-timeout") == 0;
    if (strcmp(argv[1], "udp") == 0 || strcmp(argv[1], "udp-connected") == 0)
        ns = run_udp(rounds, (size_t)size, argv[1][3] != '\0');
    else if (strcmp(argv[1], "unix") == 0 || strcmp(argv[1], "tcp") == 0 || use_poll)
        ns = run_stream(argv[1], rounds, (size_t)size);
    else {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    printf("{\"seconds\": %.9f, \"cpu\": %.9f, \"ops\": %ld}\n",
           ns / 1e9, cpu_used / 1e9, rounds);
    return 0;
}
