/*
 * micro.c - the C reference for the per-call micro benchmarks.
 *
 *   micro [SCALE]
 *
 * Times each libc operation that a Python socket function wraps, doing the
 * same work as the Python call (including building the text or numbers a
 * Python result would hold), and prints nanoseconds of CPU time per call
 * as JSON.
 * SCALE divides the iteration counts for a quicker run.
 */
#include "common.h"
#include <netdb.h>
#include <sys/ioctl.h>

typedef void (*op_fn)(void);

static volatile unsigned sink;
static int sock_fd;

static void
op_htons(void)
{
    sink = htons((unsigned short)(sink + 1));
}

static void
op_inet_aton(void)
{
    struct in_addr a;
    sink += (unsigned)inet_aton("192.168.17.42", &a) + a.s_addr;
}

static void
op_inet_ntoa(void)
{
    struct in_addr a = { .s_addr = htonl(0x7f000001u + (sink & 1)) };
    char text[INET_ADDRSTRLEN];
    sink += (unsigned)(inet_ntop(AF_INET, &a, text, sizeof(text)) != NULL);
}

static void
op_getaddrinfo(void)
{
    struct addrinfo *res = NULL, hints;
    char host[INET6_ADDRSTRLEN];
    memset(&hints, 0, sizeof(hints));
    if (getaddrinfo("127.0.0.1", "80", &hints, &res) != 0)
        die("getaddrinfo");
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ai->ai_addr;
        inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
        sink += ntohs(sin->sin_port);
    }
    freeaddrinfo(res);
}

static void
resolve4(const char *name)
{
    struct addrinfo *res = NULL, hints;
    char host[INET_ADDRSTRLEN];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        die("getaddrinfo(AF_INET)");
    inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr,
              host, sizeof(host));
    sink += (unsigned)host[0];
    freeaddrinfo(res);
}

static void
op_ghbn_numeric(void)
{
    resolve4("127.0.0.1");
}

static void
op_ghbn_localhost(void)
{
    resolve4("localhost");
}

static void
op_socket_close(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    close(fd);
}

static void
op_settimeout(void)
{
    int on = 1;
    /* settimeout(t) makes the fd non-blocking; gettimeout() reads a field. */
    if (ioctl(sock_fd, FIONBIO, &on) < 0)
        die("ioctl");
}

static void
op_getsockname(void)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    char host[INET_ADDRSTRLEN];
    if (getsockname(sock_fd, (struct sockaddr *)&sin, &len) < 0)
        die("getsockname");
    inet_ntop(AF_INET, &sin.sin_addr, host, sizeof(host));
    sink += ntohs(sin.sin_port);
}

static long long
thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double
time_op(op_fn fn, long iters)
{
    long long best = -1;
    /* Best of five rounds of the thread's CPU time (user + system), as the
     * Python side is timed: the machine is shared, and noise only adds. */
    for (int round = 0; round < 5; round++) {
        long long t0 = thread_cpu_ns(), dt;
        for (long i = 0; i < iters; i++)
            fn();
        dt = thread_cpu_ns() - t0;
        if (best < 0 || dt < best)
            best = dt;
    }
    return (double)best / (double)iters;
}

int
main(int argc, char **argv)
{
    static const struct { const char *name; op_fn fn; long iters; } ops[] = {
        { "htons", op_htons, 2000000 },
        { "inet_aton", op_inet_aton, 500000 },
        { "inet_ntoa", op_inet_ntoa, 500000 },
        { "getaddrinfo_numeric", op_getaddrinfo, 50000 },
        { "gethostbyname_numeric", op_ghbn_numeric, 50000 },
        { "gethostbyname_localhost", op_ghbn_localhost, 5000 },
        { "socket_close", op_socket_close, 50000 },
        { "settimeout_gettimeout", op_settimeout, 200000 },
        { "getsockname", op_getsockname, 200000 },
    };
    struct sockaddr_in sin;
    long scale = argc > 1 ? arg_count(argv[1], "micro [SCALE]") : 1;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sock_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (sock_fd < 0 || bind(sock_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
        die("socket");
    printf("{");
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        long iters = ops[i].iters / scale > 0 ? ops[i].iters / scale : 1;
        printf("%s\"%s\": %.2f", i ? ", " : "", ops[i].name,
               time_op(ops[i].fn, iters));
        fflush(stdout);
    }
    printf("}\n");
    return 0;
}
