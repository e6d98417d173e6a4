/*
 * server.h - what the server core (server.c) and its worker pool (pool.c)
 * share: the ServerCore object, the plan bits, the pool's queue and the
 * connections parked until readable, and the few functions each file calls
 * in the other.  Nothing else includes it.
 */
#ifndef FASTSOCK_SERVER_H
#define FASTSOCK_SERVER_H

#include "fastsock.h"

#include <pthread.h>

/* The plan: set bits mean "this hook is the library's default". */
#define FS_PLAN_GET_ACCEPT      0x0001  /* TCPServer.get_request */
#define FS_PLAN_GET_RECVFROM    0x0002  /* UDPServer.get_request */
#define FS_PLAN_VERIFY          0x0004  /* BaseServer.verify_request */
#define FS_PLAN_PROC_BASE       0x0008  /* BaseServer.process_request */
#define FS_PLAN_PROC_THREAD     0x0010  /* ThreadingMixIn, thread per request */
#define FS_PLAN_PROC_POOL       0x0020  /* ThreadingMixIn with max_threads */
#define FS_PLAN_FINISH          0x0040  /* BaseServer.finish_request */
#define FS_PLAN_SHUT_TCP        0x0080  /* TCPServer shutdown/close_request */
#define FS_PLAN_SHUT_NONE       0x0100  /* UDPServer shutdown/close_request */
#define FS_PLAN_SERVICE         0x0200  /* BaseServer.service_actions */
#define FS_PLAN_THREAD_BODY     0x0400  /* ThreadingMixIn.process_request_thread */
#define FS_PLAN_NOBLOCK         0x0800  /* BaseServer._handle_request_noblock */

/* Extra descriptors serve_forever also waits on (ForkingMixIn's pidfds). */
#define FS_MAX_WATCH 64

/* Accept back-off after EMFILE/ENFILE, in milliseconds. */
#define FS_BACKOFF_MIN_MS 5
#define FS_BACKOFF_MAX_MS 200

/* One request waiting for a pool worker. */
typedef struct {
    PyObject *request;
    PyObject *address;
    int plan;
} fs_pool_item;

/* The bounded worker pool.  The mutex is only ever held briefly, and never
 * while waiting for the GIL, so a thread holding the GIL may take it. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    fs_pool_item *q;            /* ring buffer of `cap` items */
    size_t cap, head, len;
    int nworkers;           /* started and not yet finished */
    int nidle;              /* waiting for an item */
    int max_threads;
    int stopping;
    int loop_waiting;       /* the serving loop waits for queue room */
    int wait_readable;      /* park connections until they are readable */
} fs_pool_state;

/* A connection waiting in the core for its first bytes; only touched with
 * the GIL held. */
typedef struct {
    fs_pool_item it;
    int fd;
    int ready;              /* the last wait saw it readable (or closed) */
} fs_parked;

typedef struct {
    PyObject_HEAD
    int wake_fd;            /* eventfd: shutdown() and the pool wake the loop;
                             * -1 after release(), until serve_forever()
                             * makes a new one */
    int serving;            /* serve_forever() calls running (GIL held) */
    int shutdown_flag;      /* read and written with the GIL held */
    int backoff_ms;         /* current EMFILE back-off, 0 when none */
    PyObject *handed_off;   /* compared only: the request fork() gave a child */
    int nwatch;             /* used entries of watch[] */
    int watch[FS_MAX_WATCH];    /* one-shot extra fds (pidfds of children) */
    int64_t backoff_until;  /* monotonic ns; do not accept before this */
    fs_pool_state pool;
    fs_parked *parked;     /* connections waiting to become readable */
    size_t nparked, parked_cap;
    unsigned long parked_gen;   /* bumped when entries leave the array */
    unsigned long loop_thread;  /* the thread in serve_forever, or 0 */
    PyObject *thread_cls;   /* threading.Thread */
    PyObject *threads_cls;  /* socketserver._Threads */
    PyObject *names;        /* tuple of interned attribute names */
} fs_server;

/* Indexes into fs_server.names. */
enum {
    N_socket, N_RequestHandlerClass, N_get_request, N_verify_request,
    N_process_request, N_finish_request, N_shutdown_request,
    N_close_request, N_handle_error, N_service_actions, N_handle_timeout,
    N_fileno, N_close, N_shutdown, N_max_packet_size, N_block_on_close,
    N_daemon_threads, N__threads, N_append, N_start, N_daemon, N_target,
    N_args, N_process_request_thread, N__handle_request_noblock,
    N__fs_spawn_worker, N_errno, N_active_children, N_COUNT
};

#define NAME(core, i) PyTuple_GET_ITEM((core)->names, (i))

static inline fs_state *
fs_server_state(fs_server *core)
{
    return (fs_state *)PyType_GetModuleState(Py_TYPE(core));
}

/* server.c, for pool.c: the wake fd, the request hooks a worker runs. */
void fs_server_wake(fs_server *core);
void fs_server_drain(fs_server *core);
int fs_server_shutdown_request(fs_server *core, PyObject *server, int plan,
                               PyObject *request);
int fs_server_process_failed(fs_server *core, PyObject *server, int plan,
                             PyObject *request, PyObject *address, int forked);
int fs_server_parse_plan(PyObject *obj, int *plan);
int fs_server_run_request(fs_server *core, PyObject *server, int plan,
                          PyObject *request, PyObject *address);
int fs_server_call2(fs_server *core, PyObject *server, int name,
                    PyObject *request, PyObject *address);
int fs_call_method(PyObject *obj, PyObject *name, PyObject *arg);

/* pool.c, for server.c: queueing, parking, and the ServerCore methods
 * of the pool (pool_submit, pool_worker, pool_config, pool_unpark,
 * pool_stop, pool_stats). */
int fs_pool_full(fs_pool_state *p);
int fs_pool_submit(fs_server *core, PyObject *server, int plan,
                   PyObject *request, PyObject *address);
int fs_pool_unpark(fs_server *core, PyObject *server, int all);
fs_pool_item fs_pool_pop(fs_pool_state *p);
PyObject *fs_pool_meth_submit(PyObject *self, PyObject *const *args,
                              Py_ssize_t nargs);
PyObject *fs_pool_meth_worker(PyObject *self, PyObject *server);
PyObject *fs_pool_meth_config(PyObject *self, PyObject *const *args,
                              Py_ssize_t nargs);
PyObject *fs_pool_meth_unpark(PyObject *self, PyObject *server);
PyObject *fs_pool_meth_stop(PyObject *self, PyObject *unused);
PyObject *fs_pool_meth_stats(PyObject *self, PyObject *unused);

#endif /* FASTSOCK_SERVER_H */
