/*
 * loadgen.c - a small load generator for the timestamp-server scenarios.
 *
 *   loadgen PORT short|persistent CONCURRENCY DURATION_MS WARMUP_MS MAXREQ
 *
 * Keeps CONCURRENCY connections to 127.0.0.1:PORT busy from one thread with
 * epoll, so that the client costs far less CPU than the server it measures.
 * Each request is one line; the server answers "[<ctime>] <line>".
 *   short:      connect, send one line, read the reply until the server
 *               closes, close, and start again (one request per connection);
 *   persistent: each connection sends a line, waits for the reply line,
 *               and sends the next one, for the whole run.
 * Requests completed during the first WARMUP_MS are not counted.  The run
 * stops after DURATION_MS or MAXREQ counted requests, whichever is first,
 * and prints {"requests", "seconds", "errors", "all_requests", "p50_us",
 * "p99_us"} as JSON.  A request's latency runs from the send of its line
 * (short: from the connect) to the end of its reply (short: the server's
 * close); the percentiles are over the counted requests, from a histogram
 * of 1 us buckets up to 64 ms and 1 ms buckets above (up to 64 s).
 */
#include "common.h"
#include <fcntl.h>
#include <sys/epoll.h>

#define USAGE "loadgen PORT short|persistent CONCURRENCY DURATION_MS WARMUP_MS MAXREQ"
#define REQUEST "hello from the load generator\n"
#define MAXCONN 1024
#define FINE_US 65536       /* 1 us buckets below this */
#define COARSE_MS 65536     /* then 1 ms buckets up to this */

enum { CONNECTING, READING };

struct conn {
    int fd;
    int state;
    long long t0;           /* when the request started (ns) */
    size_t rlen;
    char rbuf[512];
};

static struct sockaddr_in target;
static int epfd, persistent;
static long errors;
static int counting;        /* past the warm-up: record latencies */
static unsigned fine[FINE_US], coarse[COARSE_MS];
static long recorded;

static void
record(const struct conn *c)
{
    long long us = (now_ns() - c->t0) / 1000;
    if (!counting)
        return;
    recorded++;
    if (us < FINE_US)
        fine[us]++;
    else
        coarse[us / 1000 < COARSE_MS ? us / 1000 : COARSE_MS - 1]++;
}

/* The latency (us) below which a fraction q of the recorded requests are. */
static long
percentile(double q)
{
    long want = (long)(q * (double)recorded), seen = 0;
    if (recorded == 0)
        return -1;
    for (long i = 0; i < FINE_US; i++)
        if ((seen += fine[i]) > want)
            return i;
    for (long i = FINE_US / 1000; i < COARSE_MS; i++)
        if ((seen += coarse[i]) > want)
            return i * 1000;
    return (long)COARSE_MS * 1000;
}

static void
conn_start(struct conn *c)
{
    struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
    int one = 1;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die("socket");
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->state = CONNECTING;
    c->t0 = now_ns();
    c->rlen = 0;
    if (connect(c->fd, (struct sockaddr *)&target, sizeof(target)) < 0
        && errno != EINPROGRESS)
        errors++;   /* the EPOLLOUT below reports the failure again */
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        die("epoll_ctl");
}

static void
conn_restart(struct conn *c)
{
    close(c->fd);   /* closing also removes it from the epoll set */
    conn_start(c);
}

static void
conn_send(struct conn *c)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    /* A 30-byte request always fits in an empty socket buffer. */
    if (write(c->fd, REQUEST, sizeof(REQUEST) - 1) != sizeof(REQUEST) - 1) {
        errors++;
        conn_restart(c);
        return;
    }
    c->state = READING;
    if (persistent)
        c->t0 = now_ns();
    c->rlen = 0;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        die("epoll_ctl");
}

/* A reply is valid when it is "[...] REQUEST". */
static int
reply_ok(const struct conn *c)
{
    size_t rq = sizeof(REQUEST) - 1;
    return c->rlen > rq + 2 && c->rbuf[0] == '['
        && memcmp(c->rbuf + c->rlen - rq, REQUEST, rq) == 0;
}

/* Handle readable data; returns 1 when a request completed. */
static int
conn_read(struct conn *c)
{
    ssize_t n = read(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n < 0 || (n == 0 && persistent) || (n > 0 && c->rlen + (size_t)n >= sizeof(c->rbuf))) {
        errors++;
        conn_restart(c);
        return 0;
    }
    if (n == 0) {   /* short mode: the server closed after its reply */
        int ok = reply_ok(c);
        errors += !ok;
        if (ok)
            record(c);
        conn_restart(c);
        return ok;
    }
    c->rlen += (size_t)n;
    if (persistent && c->rbuf[c->rlen - 1] == '\n') {
        int ok = reply_ok(c);
        errors += !ok;
        if (ok)
            record(c);
        conn_send(c);
        return ok;
    }
    return 0;
}

static void
conn_event(struct conn *c, long *done)
{
    if (c->state == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            errors++;
            usleep(1000);   /* the server is not accepting yet: back off */
            conn_restart(c);
        } else {
            conn_send(c);
        }
        return;
    }
    *done += conn_read(c);
}

int
main(int argc, char **argv)
{
    static struct conn conns[MAXCONN];
    struct epoll_event evs[64];
    long port, conc, duration, warmup, maxreq, done = 0, at_warm = 0;
    long long start, warm_end, end, t_warm = 0, t_end;
    if (argc != 7) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    port = arg_count(argv[1], USAGE);
    persistent = strcmp(argv[2], "persistent") == 0;
    conc = arg_count(argv[3], USAGE);
    duration = arg_count(argv[4], USAGE);
    warmup = atol(argv[5]);
    maxreq = arg_count(argv[6], USAGE);
    if (conc > MAXCONN || port > 65535 || (!persistent && strcmp(argv[2], "short"))) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short)port);
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* loopback only */
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    for (long i = 0; i < conc; i++)
        conn_start(&conns[i]);
    start = now_ns();
    warm_end = start + warmup * 1000000LL;
    end = warm_end + duration * 1000000LL;
    for (;;) {
        long long now = now_ns();
        int n;
        if (t_warm == 0 && now >= warm_end) {
            t_warm = now;
            at_warm = done;
            counting = 1;
        }
        if (now >= end || (t_warm && done - at_warm >= maxreq))
            break;
        n = epoll_wait(epfd, evs, 64, 20);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int i = 0; i < n; i++)
            conn_event(evs[i].data.ptr, &done);
    }
    t_end = now_ns();
    /* all_requests counts the warm-up too, for the server's CPU per request. */
    printf("{\"requests\": %ld, \"seconds\": %.6f, \"errors\": %ld, "
           "\"all_requests\": %ld, \"p50_us\": %ld, \"p99_us\": %ld}\n",
           done - at_warm, (t_end - t_warm) / 1e9, errors, done,
           percentile(0.50), percentile(0.99));
    return 0;
}
