/* Group commit for an engine with one writer at a time (SQLite: the backend's tx_open and the
 * operations after it).
 *
 * Every transaction of the pool runs on one writer connection of its own, in turn: a thread
 * takes the writer lock (queueing on a condition variable, handed over the moment the writer
 * before lets go, where SQLite's busy handler would poll its file lock with sleeps of up to
 * 100 ms), begins the batch's transaction when none is open, and runs its own work as the
 * savepoint wh_tx of it. When it ends its savepoint and other threads wait for the lock, it
 * hands the lock on with the batch still open and waits for the batch's COMMIT; the last one
 * (nobody waiting, WH_LIMIT_DB_GROUP transactions in the batch, or the batch open for
 * WH_LIMIT_DB_GROUP_MS) commits for all and tells each member how it went (its own record, on
 * its stack: a member that wakes late never reads a later batch's outcome). A savepoint rolled back
 * takes only its own work with it. The batch's transactions share the pages they write (the newest
 * leaf of each index, the table's last page), so a call's commit writes a fraction of the WAL
 * frames it wrote alone: the write path's cost on SQLite was the pages its commit wrote
 * (docs/architecture.md). A COMMIT that fails fails every transaction of the batch, none of which
 * has answered yet.
 *
 * While a transaction is open the pool connection's handle is the writer's (c->own keeps its
 * own), so everything db.c runs on it, savepoints of held commits included, lands in the batch. */
#define _GNU_SOURCE
#include "db/db_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

#include <errno.h>
#include <string.h>

/* A transaction released into the open batch, waiting for its end. */
typedef struct member {
    bool done, ok;
    struct member *next;
} member;

struct wh_writer {
    pthread_mutex_t mu;
    pthread_cond_t turn; /* the lock was let go: one waiter takes it */
    pthread_cond_t done; /* a batch ended (or nobody is left to end it): members look */
    bool taken;          /* a thread holds the writer connection */
    int waiting;         /* threads queued for it */
    void *handle;        /* the writer connection, NULL until first used */
    bool open;           /* a batch transaction is open on handle */
    int members;         /* savepoints released into the open batch */
    int turns;           /* transactions that held the lock in the open batch */
    int64_t opened_ms;   /* when the open batch began (monotonic) */
    member *list;        /* the open batch's members, waiting for its end */
    bool checkpoint;     /* a passive checkpoint is due: the next thread to let go runs it */
    uint64_t committed;  /* transactions committed, for wh_db_group_stats */
    uint64_t commits;    /* the COMMITs that carried them */
};

wh_writer *wh_writer_new(void)
{
    wh_writer *w = wh_calloc(1, sizeof *w);
    pthread_condattr_t ca;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->turn, &ca);
    pthread_cond_init(&w->done, &ca);
    pthread_condattr_destroy(&ca);
    return w;
}

void wh_writer_free(wh_writer *w, const wh_db_backend *be)
{
    if (!w)
        return;
    if (w->handle)
        be->disconnect(w->handle);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->turn);
    pthread_cond_destroy(&w->done);
    wh_free(w);
}

static void run_or_warn(const wh_db_backend *be, void *handle, const char *sql)
{
    wh_error e;
    wh_error_init(&e);
    if (be->script(handle, sql, &e) != WH_OK)
        wh_log(WH_LOG_WARN, "%s failed: %s", sql, e.detail);
}

/* Commits (or, with no member, rolls back) the open batch and tells its members how it went;
 * called by the holder of the lock, which it keeps. A RESTART checkpoint the WAL's size calls
 * for runs after the members were told, still holding the lock (db/sqlite.c). */
static void end_batch(wh_writer *w, const wh_db_backend *be)
{
    bool ok = true;
    if (!be->tx_open(w->handle)) { /* the engine rolled it back on its own */
        ok = w->members == 0;
        if (!ok)
            wh_log(WH_LOG_ERROR, "SQLite rolled back a group of %d transactions", w->members);
    } else if (w->members > 0) {
        wh_error e;
        wh_error_init(&e);
        ok = be->script(w->handle, "COMMIT", &e) == WH_OK;
        if (!ok) {
            wh_log(WH_LOG_ERROR, "a group commit of %d transactions failed: %s", w->members,
                   e.detail);
            if (be->tx_open(w->handle))
                run_or_warn(be, w->handle, "ROLLBACK");
        }
    } else {
        run_or_warn(be, w->handle, "ROLLBACK");
    }
    int due = be->checkpoint_due(w->handle);
    pthread_mutex_lock(&w->mu);
    if (ok && w->members > 0) {
        w->committed += (uint64_t)w->members;
        w->commits++;
    }
    for (member *m = w->list; m; m = m->next) {
        m->ok = ok;
        m->done = true;
    }
    w->list = NULL;
    w->checkpoint |= due == WH_CHECKPOINT_PASSIVE;
    w->open = false;
    w->members = w->turns = 0;
    pthread_cond_broadcast(&w->done);
    pthread_mutex_unlock(&w->mu);
    if (due == WH_CHECKPOINT_RESTART)
        be->checkpoint(w->handle, WH_CHECKPOINT_RESTART);
}

/* Lets the lock go (w->mu held): the open batch stays open for a waiter, unless it is full or
 * old enough to end now. */
static void let_go(wh_writer *w, const wh_db_backend *be)
{
    if (w->open && (w->waiting == 0 || w->turns >= WH_LIMIT_DB_GROUP ||
                    wh_clock_mono_ms() - w->opened_ms >= WH_LIMIT_DB_GROUP_MS)) {
        pthread_mutex_unlock(&w->mu);
        end_batch(w, be);
        pthread_mutex_lock(&w->mu);
    }
    w->taken = false;
    if (w->waiting > 0)
        pthread_cond_signal(&w->turn);
    else
        pthread_cond_broadcast(&w->done); /* an open batch with nobody to end it: a member will */
}

/* Runs the passive checkpoint a batch's end made due (w->mu held, let go of for it), on the
 * caller's own connection, outside the writer lock. */
static void checkpoint_if_due(wh_writer *w, const wh_db_backend *be, void *own)
{
    if (!w->checkpoint)
        return;
    w->checkpoint = false;
    pthread_mutex_unlock(&w->mu);
    be->checkpoint(own, WH_CHECKPOINT_PASSIVE);
    pthread_mutex_lock(&w->mu);
}

/* Opens the batch's transaction on the writer connection when none is open (the holder of the
 * lock); a batch the engine rolled back on its own is ended first (its members are told), and a
 * transaction a failed ROLLBACK left open is rolled back. */
static wh_err open_batch(wh_writer *w, const wh_db_backend *be, wh_error *e)
{
    pthread_mutex_lock(&w->mu);
    bool open = w->open;
    pthread_mutex_unlock(&w->mu);
    if (open && be->tx_open(w->handle))
        return WH_OK;
    if (open)
        end_batch(w, be);
    else if (be->tx_open(w->handle))
        run_or_warn(be, w->handle, "ROLLBACK");
    wh_err rc = be->script(w->handle, be->begin_sql, e);
    if (rc == WH_OK) {
        pthread_mutex_lock(&w->mu);
        w->open = true;
        w->opened_ms = wh_clock_mono_ms();
        pthread_mutex_unlock(&w->mu);
    }
    return rc;
}

wh_err wh_writer_begin(wh_conn *c, wh_error *e)
{
    wh_writer *w = c->db->writer;
    const wh_db_backend *be = c->db->be;
    struct timespec until;
    if (c->own) /* a transaction is open on c already: it would wait for itself */
        return wh_db_fail_internal("sqlite", NULL, "a transaction is already open", e);
    wh_clock_deadline(CLOCK_MONOTONIC, WH_LIMIT_SQLITE_BUSY_MS, &until);
    pthread_mutex_lock(&w->mu);
    w->waiting++;
    while (w->taken)
        if (pthread_cond_timedwait(&w->turn, &w->mu, &until) == ETIMEDOUT && w->taken) {
            w->waiting--;
            pthread_mutex_unlock(&w->mu);
            return wh_fail(e, WH_ERR_UNAVAILABLE, "The database is busy; try again.");
        }
    w->waiting--;
    w->taken = true;
    pthread_mutex_unlock(&w->mu);

    wh_err rc = WH_OK;
    if (!w->handle && (rc = be->connect(c->db->target, &w->handle, e)) == WH_OK)
        be->writer_init(w->handle);
    if (rc == WH_OK)
        rc = open_batch(w, be, e);
    if (rc == WH_OK)
        rc = be->script(w->handle, "SAVEPOINT wh_tx", e);
    pthread_mutex_lock(&w->mu);
    w->turns += w->open;
    if (rc != WH_OK)
        let_go(w, be);
    pthread_mutex_unlock(&w->mu);
    if (rc != WH_OK)
        return rc;
    c->own = c->handle;
    c->handle = w->handle;
    return WH_OK;
}

/* Gives the pool connection its own handle back. */
static void unswap(wh_conn *c)
{
    c->handle = c->own;
    c->own = NULL;
}

/* Undoes the savepoint of a pool connection given its own handle back (own), and lets go. */
static void rollback_swapped(wh_writer *w, const wh_db_backend *be, void *own)
{
    if (be->tx_open(w->handle)) { /* else the engine rolled back the whole group already */
        run_or_warn(be, w->handle, "ROLLBACK TO SAVEPOINT wh_tx");
        run_or_warn(be, w->handle, "RELEASE SAVEPOINT wh_tx");
    }
    pthread_mutex_lock(&w->mu);
    let_go(w, be);
    checkpoint_if_due(w, be, own);
    pthread_mutex_unlock(&w->mu);
}

wh_err wh_writer_commit(wh_conn *c, wh_error *e)
{
    wh_writer *w = c->db->writer;
    const wh_db_backend *be = c->db->be;
    member me = {0};
    wh_err rc = be->script(w->handle, "RELEASE SAVEPOINT wh_tx", e);
    unswap(c);
    if (rc != WH_OK) {
        rollback_swapped(w, be, c->handle);
        return rc;
    }
    pthread_mutex_lock(&w->mu);
    w->members++;
    me.next = w->list;
    w->list = &me;
    let_go(w, be);
    while (!me.done) {
        if (!w->taken && w->waiting == 0) { /* the batch is left open with nobody to end it */
            w->taken = true;
            pthread_mutex_unlock(&w->mu);
            end_batch(w, be);
            pthread_mutex_lock(&w->mu);
            let_go(w, be);
            continue;
        }
        pthread_cond_wait(&w->done, &w->mu);
    }
    checkpoint_if_due(w, be, c->handle);
    pthread_mutex_unlock(&w->mu);
    if (!me.ok)
        return wh_db_fail_internal("sqlite", NULL, "the group's COMMIT failed", e);
    return WH_OK;
}

void wh_writer_rollback(wh_conn *c)
{
    unswap(c);
    rollback_swapped(c->db->writer, c->db->be, c->handle);
}

wh_err wh_writer_statement(wh_conn *c, wh_arena *a, const char *sql, const wh_param *params,
                           int nparams, wh_rows **out, wh_error *e)
{
    wh_err rc = wh_writer_begin(c, e);
    if (rc != WH_OK)
        return rc;
    rc = c->db->be->query(c->handle, a, sql, params, nparams, out, e);
    if (rc != WH_OK) {
        wh_writer_rollback(c);
        return rc;
    }
    return wh_writer_commit(c, e);
}

void wh_db_group_stats(wh_db *db, uint64_t *transactions, uint64_t *batches)
{
    wh_writer *w = db->writer;
    *transactions = *batches = 0;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    *transactions = w->committed;
    *batches = w->commits;
    pthread_mutex_unlock(&w->mu);
}

int wh_writer_waiting(wh_db *db)
{
    wh_writer *w = db->writer;
    pthread_mutex_lock(&w->mu);
    int n = w->waiting;
    pthread_mutex_unlock(&w->mu);
    return n;
}
