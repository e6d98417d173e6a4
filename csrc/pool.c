/*
 * pool.c - ThreadingMixIn's opt-in bounded worker pool (max_threads): a
 * queue under a pthread mutex, drained by threading.Thread workers that wait
 * for items with the GIL released, and the connections "parked" in the core
 * until their client has sent something, so that silent clients hold a
 * descriptor but no worker.  The serving loop that polls the parked
 * connections is in server.c.
 */
#include "server.h"

#include <poll.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* The bounded worker pool (ThreadingMixIn with max_threads set)        */
/* ------------------------------------------------------------------ */


/* Append to the ring, growing it; under the pool lock.  0 or -1. */
static int
fs__pool_push(fs_pool_state *p, fs_pool_item it)
{
    if (p->len == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 16;
        fs_pool_item *nq = PyMem_RawMalloc(ncap * sizeof(*nq));
        if (nq == NULL)
            return -1;
        for (size_t i = 0; i < p->len; i++)
            nq[i] = p->q[(p->head + i) % p->cap];
        PyMem_RawFree(p->q);
        p->q = nq;
        p->cap = ncap;
        p->head = 0;
    }
    p->q[(p->head + p->len) % p->cap] = it;
    p->len++;
    return 0;
}

fs_pool_item
fs_pool_pop(fs_pool_state *p)
{
    fs_pool_item it = p->q[p->head];
    p->head = (p->head + 1) % p->cap;
    p->len--;
    return it;
}

/* Decide under the lock whether this request needs one more worker. */
static int
fs__pool_reserve(fs_pool_state *p, int *spawn)
{
    int stopping;
    pthread_mutex_lock(&p->mu);
    stopping = p->stopping;
    *spawn = !stopping && p->nidle <= (int)p->len &&
             p->nworkers < p->max_threads;
    if (*spawn)
        p->nworkers++;
    pthread_mutex_unlock(&p->mu);
    if (stopping) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the server's worker pool is closed");
        return -1;
    }
    return 0;
}

/* Queue a request for the pool, starting a worker (through the server's
 * _fs_spawn_worker, so workers are threading.Thread objects) if none is
 * free and the pool is below max_threads. */
static int
fs__pool_enqueue(fs_server *core, PyObject *server, int plan,
                 PyObject *request, PyObject *address)
{
    fs_pool_state *p = &core->pool;
    int spawn, rc;
    if (fs__pool_reserve(p, &spawn) < 0)
        return -1;
    if (spawn && fs_call_method(server, NAME(core, N__fs_spawn_worker),
                                 NULL) < 0) {
        pthread_mutex_lock(&p->mu);
        p->nworkers--;
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    fs_pool_item it = {Py_NewRef(request), Py_NewRef(address), plan};
    pthread_mutex_lock(&p->mu);
    rc = fs__pool_push(p, it);
    if (rc == 0)
        pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (rc < 0) {
        Py_DECREF(it.request);
        Py_DECREF(it.address);
        PyErr_NoMemory();
    }
    return rc;
}

/* Should this request wait in the core until the client sends?  Only a
 * fastsock stream socket handed over by the serving loop's own thread (the
 * one that polls the parked connections), and only while nothing can be
 * read from it yet or the queue is full: a client that already sent, hung
 * up or failed goes to the queue at once when there is room.  Sets *fd. */
static int
fs__should_park(fs_server *core, PyObject *request, int *fd)
{
    if (!core->pool.wait_readable || core->loop_thread == 0 ||
        core->loop_thread != PyThread_get_thread_ident() ||
        !fs_is_socket(fs_server_state(core), request))
        return 0;
    fs_sock *s = (fs_sock *)request;
    if (s->type != SOCK_STREAM || s->fd < 0)
        return 0;
    /* A zero timeout: this never blocks, so the GIL stays held.  A
     * readable connection waits parked too while the queue is at its
     * bound: one accepted in the turn that filled the queue from the
     * parked ones would otherwise go past it. */
    struct pollfd p = {s->fd, POLLIN, 0};
    if (poll(&p, 1, 0) != 0 && !fs_pool_full(&core->pool))
        return 0;
    *fd = s->fd;
    return 1;
}

/* Keep the request in the parked array (new references).  0 or -1. */
static int
fs__park(fs_server *core, int plan, PyObject *request, PyObject *address,
         int fd)
{
    pthread_mutex_lock(&core->pool.mu);
    int stopping = core->pool.stopping;
    pthread_mutex_unlock(&core->pool.mu);
    if (stopping) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the server's worker pool is closed");
        return -1;
    }
    if (core->nparked == core->parked_cap) {
        size_t ncap = core->parked_cap ? core->parked_cap * 2 : 16;
        fs_parked *np = PyMem_Realloc(core->parked, ncap * sizeof(*np));
        if (np == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        core->parked = np;
        core->parked_cap = ncap;
    }
    core->parked[core->nparked++] = (fs_parked){
        {Py_NewRef(request), Py_NewRef(address), plan}, fd, 0};
    return 0;
}

/* ThreadingMixIn.process_request with the pool: park the connection until
 * the client sends, or queue it for a worker now. */
int
fs_pool_submit(fs_server *core, PyObject *server, int plan,
                PyObject *request, PyObject *address)
{
    int fd;
    if (fs__should_park(core, request, &fd))
        return fs__park(core, plan, request, address, fd);
    return fs__pool_enqueue(core, server, plan, request, address);
}

/* Is the queue at its bound?  Then the loop stops accepting (connections
 * wait in the kernel's backlog) until a worker takes an item and wakes it. */
int
fs_pool_full(fs_pool_state *p)
{
    pthread_mutex_lock(&p->mu);
    int full = p->len >= (size_t)p->max_threads;
    if (full)
        p->loop_waiting = 1;
    pthread_mutex_unlock(&p->mu);
    return full;
}

/* Wait (without the GIL) for the next item; 0 when the pool stops. */
static int
fs__pool_take(fs_server *core, fs_pool_item *it)
{
    fs_pool_state *p = &core->pool;
    int have = 0, wake = 0;
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&p->mu);
    while (p->len == 0 && !p->stopping) {
        p->nidle++;
        pthread_cond_wait(&p->cv, &p->mu);
        p->nidle--;
    }
    if (p->len > 0) {
        *it = fs_pool_pop(p);
        have = 1;
        if (p->loop_waiting && p->len < (size_t)p->max_threads) {
            p->loop_waiting = 0;
            wake = 1;
        }
    }
    else
        p->nworkers--;
    pthread_mutex_unlock(&p->mu);
    if (wake)
        fs_server_wake(core);
    Py_END_ALLOW_THREADS
    return have;
}

/* An exception escaped a request in a pool worker.  A thread per request
 * would die and report it through threading.excepthook, which ignores
 * SystemExit; the worker reports it the same way and goes on. */
static void
fs__report_worker_exc(PyObject *server)
{
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        PyErr_Clear();
        return;
    }
    PyErr_WriteUnraisable(server);
}


/* Hand parked connections to the pool: those marked ready by the last wait
 * (all = 0, in the order they came), or every one (all = 1, for
 * server_close(): a readable one is queued, the others are shut down
 * without a handler).  The array is taken over first, so a hook run from
 * here cannot disturb the walk.  0, or -1 with the first exception that
 * must leave (the remaining connections are still handled). */
int
fs_pool_unpark(fs_server *core, PyObject *server, int all)
{
    fs_parked *list = core->parked;
    size_t n = core->nparked, cap = core->parked_cap, keep = 0;
    PyObject *exc = NULL;
    core->parked = NULL;
    core->nparked = core->parked_cap = 0;
    core->parked_gen++;
    for (size_t i = 0; i < n; i++) {
        fs_parked *e = &list[i];
        int ready = e->ready;
        if (all && !ready) {
            struct pollfd p = {e->fd, POLLIN, 0};
            ready = poll(&p, 1, 0) != 0;
        }
        /* A ready one also stays (still marked ready) while the queue is
         * at its bound, which holds for these as for accepted ones: the
         * loop then polls none of them until a worker makes room and
         * wakes it (fs_pool_full asks for that wake). */
        if (!all && (!ready || fs_pool_full(&core->pool))) {
            list[keep++] = *e;      /* stays parked */
            continue;
        }
        int rc;
        if (!ready)
            rc = fs_server_shutdown_request(core, server, e->it.plan,
                                            e->it.request);
        else if ((rc = fs__pool_enqueue(core, server, e->it.plan,
                                        e->it.request, e->it.address)) < 0)
            rc = fs_server_process_failed(core, server, e->it.plan,
                                          e->it.request, e->it.address, 0);
        if (rc < 0) {
            if (exc == NULL)
                exc = fs_err_fetch();
            else
                PyErr_Clear();
        }
        Py_DECREF(e->it.request);
        Py_DECREF(e->it.address);
    }
    /* The ones still waiting go back, before any parked meanwhile (by a
     * hook run from here, which no stdlib hook does). */
    size_t more = core->nparked;
    if (keep > 0 && more > 0) {
        fs_parked *grown = PyMem_Realloc(list, (keep + more) * sizeof(*list));
        if (grown == NULL) {
            /* Out of memory: the kept connections are dropped (their
             * sockets close when the last reference goes). */
            for (size_t i = 0; i < keep; i++) {
                Py_DECREF(list[i].it.request);
                Py_DECREF(list[i].it.address);
            }
            keep = 0;
        }
        else {
            list = grown;
            memcpy(list + keep, core->parked, more * sizeof(*list));
            PyMem_Free(core->parked);
            core->parked = list;
            core->nparked = core->parked_cap = keep + more;
            list = NULL;
        }
    }
    else if (keep > 0) {
        core->parked = list;
        core->nparked = keep;
        core->parked_cap = cap;
        list = NULL;
    }
    PyMem_Free(list);
    if (exc != NULL) {
        fs_err_restore(exc);
        return -1;
    }
    return 0;
}


PyObject *
fs_pool_meth_submit(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_server *core = (fs_server *)self;
    int plan;
    if (fs_check_nargs("pool_submit", nargs, 4, 4) < 0 ||
        fs_server_parse_plan(args[3], &plan) < 0)
        return NULL;
    if (fs_pool_submit(core, args[0], plan, args[1], args[2]) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* Run one queued item in a worker. */
static int
fs__run_item(fs_server *core, PyObject *server, fs_pool_item *it)
{
    if (it->plan & FS_PLAN_THREAD_BODY)
        return fs_server_run_request(core, server, it->plan, it->request,
                               it->address);
    return fs_server_call2(core, server, N_process_request_thread, it->request,
                     it->address);
}

/* pool_worker(server): the body of a pool thread; returns when the pool
 * is stopped and its queue is empty. */
PyObject *
fs_pool_meth_worker(PyObject *self, PyObject *server)
{
    fs_server *core = (fs_server *)self;
    fs_pool_item it;
    while (fs__pool_take(core, &it)) {
        if (fs__run_item(core, server, &it) < 0)
            fs__report_worker_exc(server);
        Py_DECREF(it.request);
        Py_DECREF(it.address);
    }
    Py_RETURN_NONE;
}

/* pool_config(max_threads, wait_for_request): the pool's bound on threads
 * and on the queue, and whether stream connections wait in the core for
 * their first bytes. */
PyObject *
fs_pool_meth_config(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    fs_server *core = (fs_server *)self;
    if (fs_check_nargs("pool_config", nargs, 2, 2) < 0)
        return NULL;
    long n = PyLong_AsLong(args[0]);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    int wait = PyObject_IsTrue(args[1]);
    if (wait < 0)
        return NULL;
    if (n < 1 || n > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "max_threads must be at least 1");
        return NULL;
    }
    pthread_mutex_lock(&core->pool.mu);
    core->pool.max_threads = (int)n;
    pthread_mutex_unlock(&core->pool.mu);
    core->pool.wait_readable = wait;    /* read with the GIL held */
    Py_RETURN_NONE;
}

/* pool_unpark(server): for server_close(), before pool_stop(): each
 * connection still waiting for its first bytes is queued for a worker if
 * they came, else shut down (shutdown_request) without a handler - the
 * server is closing, and nothing was asked of it on that connection. */
PyObject *
fs_pool_meth_unpark(PyObject *self, PyObject *server)
{
    if (fs_pool_unpark((fs_server *)self, server, 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* pool_stop(): workers finish what is queued, then return. */
PyObject *
fs_pool_meth_stop(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_pool_state *p = &((fs_server *)self)->pool;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    Py_RETURN_NONE;
}

/* pool_stats() -> (workers, idle, queued). */
PyObject *
fs_pool_meth_stats(PyObject *self, PyObject *unused)
{
    (void)unused;
    fs_pool_state *p = &((fs_server *)self)->pool;
    pthread_mutex_lock(&p->mu);
    int w = p->nworkers, i = p->nidle;
    size_t q = p->len;
    pthread_mutex_unlock(&p->mu);
    return Py_BuildValue("(iin)", w, i, (Py_ssize_t)q);
}
