/*
 * tsserver.c - the C reference servers for the server scenarios.
 *
 *   tsserver thread|fork short|persistent
 *   tsserver http DIRECTORY
 *   tsserver http-inline DIRECTORY
 *
 * Listens on 127.0.0.1 on an ephemeral port, prints "PORT <n>" on stdout,
 * and serves until killed.
 *   thread/fork: the book's timestamp server, one thread (or one process)
 *     per connection; each line read is answered with "[<ctime>] <line>".
 *     In short mode the server closes after the first reply, as a
 *     StreamRequestHandler that handles one line does.
 *   http: a minimal HTTP/1.0 file server, one thread per connection, that
 *     answers GET /name with the file DIRECTORY/name and closes, as
 *     http.server's SimpleHTTPRequestHandler does with HTTP/1.0.
 *   http-inline: the socket work of the http mode and nothing else, as the
 *     kernel-side part of http_wrk's floor: each connection is served in
 *     the accepting thread (no thread), and the reply is DIRECTORY/index.txt
 *     read once at start, sent as a head and a body (two writes, as
 *     http.server sends them) whatever was asked.  Per request: accept4,
 *     read, write, write, shutdown, close.
 */
#include "common.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#define USAGE "tsserver thread|fork short|persistent  |  tsserver http|http-inline DIRECTORY"

static int short_mode;
static const char *docroot;
/* http-inline: the reply, made once. */
static char inline_head[512], inline_body[65536];
static size_t inline_head_len, inline_body_len;

/* Answer each line with a timestamped copy until EOF (or after one line in
 * short mode). */
static void
serve_timestamps(int fd)
{
    char in[4096], out[4200];
    size_t have = 0;
    for (;;) {
        char *nl = memchr(in, '\n', have);
        if (nl == NULL) {
            ssize_t n = have < sizeof(in) ? read(fd, in + have, sizeof(in) - have) : -1;
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            have += (size_t)n;
            continue;
        }
        size_t linelen = (size_t)(nl - in) + 1;
        time_t now = time(NULL);
        char stamp[32];
        ctime_r(&now, stamp);
        stamp[strcspn(stamp, "\n")] = '\0';
        int len = snprintf(out, sizeof(out), "[%s] %.*s", stamp, (int)linelen, in);
        if (write_full(fd, out, (size_t)len) < 0 || short_mode)
            break;
        memmove(in, in + linelen, have - linelen);
        have -= linelen;
    }
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* Read until the end of a request head (or SIZE - 1 bytes) into REQ, as a
 * string; 0, or -1 when the peer closed or failed first. */
static int
read_request_head(int fd, char *req, size_t size)
{
    size_t have = 0;
    while (have < size - 1) {
        ssize_t n = read(fd, req + have, size - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        have += (size_t)n;
        req[have] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    return 0;
}

/* Read a request head, then send DIRECTORY/<path> with HTTP/1.0 headers. */
static void
serve_http(int fd)
{
    char req[8192], path[4200], head[512], body[65536];
    struct stat st;
    int file = -1;
    if (read_request_head(fd, req, sizeof(req)) < 0)
        goto done;
    char name[4096];
    if (sscanf(req, "GET /%4095s", name) != 1 || strstr(name, ".."))
        goto done;
    snprintf(path, sizeof(path), "%s/%s", docroot, name);
    file = open(path, O_RDONLY | O_CLOEXEC);
    if (file < 0 || fstat(file, &st) < 0) {
        static const char nf[] = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        write_full(fd, nf, sizeof(nf) - 1);
        goto done;
    }
    time_t now = time(NULL);
    struct tm tm;
    char date[64];
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    int len = snprintf(head, sizeof(head),
        "HTTP/1.0 200 OK\r\nServer: tsserver\r\nDate: %s\r\n"
        "Content-type: text/plain\r\nContent-Length: %lld\r\n"
        "Last-Modified: %s\r\n\r\n", date, (long long)st.st_size, date);
    if (write_full(fd, head, (size_t)len) < 0)
        goto done;
    for (;;) {
        ssize_t n = read(file, body, sizeof(body));
        if (n <= 0 || write_full(fd, body, (size_t)n) < 0)
            break;
    }
done:
    if (file >= 0)
        close(file);
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* Load DIRECTORY/index.txt and make the head that goes before it. */
static void
load_inline_reply(void)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/index.txt", docroot);
    int file = open(path, O_RDONLY | O_CLOEXEC);
    if (file < 0)
        die(path);
    ssize_t n = read(file, inline_body, sizeof(inline_body));
    if (n < 0)
        die(path);
    close(file);
    inline_body_len = (size_t)n;
    int len = snprintf(inline_head, sizeof(inline_head),
        "HTTP/1.0 200 OK\r\nServer: tsserver\r\n"
        "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
        "Content-type: text/plain\r\nContent-Length: %zu\r\n"
        "Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n", inline_body_len);
    inline_head_len = (size_t)len;
}

/* Read a request head, answer with the ready-made reply, close. */
static void
serve_http_inline(int fd)
{
    char req[8192];
    if (read_request_head(fd, req, sizeof(req)) == 0
            && write_full(fd, inline_head, inline_head_len) == 0)
        write_full(fd, inline_body, inline_body_len);
    shutdown(fd, SHUT_WR);
    close(fd);
}

static void
reap_children(int sig)
{
    int saved = errno;
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved;
}

static void *
conn_thread(void *arg)
{
    int fd = (int)(long)arg;
    if (docroot)
        serve_http(fd);
    else
        serve_timestamps(fd);
    return NULL;
}

static int
listen_loopback(void)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0)
        die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 128) < 0
        || getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
        die("bind/listen");
    printf("PORT %d\n", ntohs(sin.sin_port));
    fflush(stdout);
    return fd;
}

int
main(int argc, char **argv)
{
    int forking, inline_mode, lfd;
    pthread_attr_t attr;
    if (argc != 3) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    forking = strcmp(argv[1], "fork") == 0;
    inline_mode = strcmp(argv[1], "http-inline") == 0;
    if (strcmp(argv[1], "http") == 0 || inline_mode)
        docroot = argv[2];
    else if (!forking && strcmp(argv[1], "thread") != 0) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    short_mode = strcmp(argv[2], "short") == 0;
    signal(SIGPIPE, SIG_IGN);
    /* Forked handlers are reaped with waitpid(), as ForkingTCPServer does,
     * so that their CPU time is counted in this process's cutime/cstime. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = reap_children;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (inline_mode)
        load_inline_reply();
    lfd = listen_loopback();
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        pthread_t tid;
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
                continue;
            die("accept");
        }
        if (inline_mode) {
            serve_http_inline(fd);
        } else if (forking) {
            pid_t pid = fork();
            if (pid == 0) {
                close(lfd);
                serve_timestamps(fd);
                _exit(0);
            }
            close(fd);
        } else if (pthread_create(&tid, &attr, conn_thread, (void *)(long)fd) != 0) {
            close(fd);
        }
    }
}
