/* The connection pool and the engine-independent half of the db interface.
 * Invariants: a slot is either free (on the free list) or held by exactly one thread; a held
 * connection's in_tx tells whether a transaction is open, so release can roll it back. While a
 * connection's commits are held (wh_db_hold), commit_held means its owner committed: the
 * transaction is still open (in_tx) and ends only with the holder's wh_db_commit after
 * wh_db_unhold, or a rollback; a transaction the owner begins after that is the savepoint
 * wh_held (in_savepoint) of the open one. Acquire and release clear the three flags. Notes
 * (wh_db_notify) queue on the connection and reach this process only after the real COMMIT, after
 * the writer's barrier (the backend's listen_echo); a rollback or a new acquire forgets them. */
#define _GNU_SOURCE
#include "db/db_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/fault.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/str.h"

#include <assert.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

wh_db *wh_db_pool_new(const wh_db_backend *be, const char *target, int pool_size)
{
    wh_db *db = wh_calloc(1, sizeof *db);
    db->be = be;
    db->engine = be == &wh_db_sqlite_backend ? WH_DB_SQLITE : WH_DB_POSTGRES;
    db->target = wh_strdup(target);
    pthread_mutex_init(&db->mu, NULL);
    db->writer = be->tx_open ? wh_writer_new() : NULL;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&db->freed, &ca);
    pthread_condattr_destroy(&ca);
    db->size = pool_size < 1 ? 1 : pool_size;
    db->conns = wh_calloc((size_t)db->size, sizeof *db->conns);
    for (int i = 0; i < db->size; i++)
        db->conns[i].db = db;
    return db;
}

wh_err wh_db_open(const char *url, int pool_size, wh_db **out, wh_error *e)
{
    wh_db *db = NULL;
    wh_conn *first = NULL;
    if (strncmp(url, "sqlite:", 7) == 0) {
        db = wh_db_pool_new(&wh_db_sqlite_backend, url + 7, pool_size);
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        db = wh_db_pool_new(&wh_db_postgres_backend, url, pool_size);
    } else {
        *out = NULL;
        return wh_error_field(e, "WH_DATABASE_URL", "must start with sqlite: or postgres://");
    }
    wh_err rc = wh_db_acquire(db, &first, e);
    wh_db_release(db, first);
    if (rc == WH_OK && db->be->stamp_open) /* the first connection made what it reads */
        db->stamp = db->be->stamp_open(db->target);
    if (rc != WH_OK) {
        wh_db_free(db);
        db = NULL;
    }
    *out = db;
    return rc;
}

void wh_db_free(wh_db *db)
{
    if (!db)
        return;
    wh_db_replicas_free(db->replicas); /* its monitor reads the primary */
    if (db->listening)
        db->be->listen_stop(db->listening);
    if (db->conns) {
        for (int i = 0; i < db->size; i++)
            if (db->conns[i].handle)
                db->be->disconnect(db->conns[i].handle);
        wh_free(db->conns);
    }
    wh_writer_free(db->writer, db->be);
    if (db->stamp) /* after the connections: its descriptor's close drops their file locks */
        db->be->stamp_close(db->stamp);
    pthread_mutex_destroy(&db->mu);
    pthread_cond_destroy(&db->freed);
    wh_free(db->target);
    wh_free(db);
}

uint64_t wh_db_statements(wh_db *db)
{
    return atomic_load(&db->statements);
}

/* Counts one statement of c's (wh_db_statements_total: a replica's count with its primary's). */
static void count(wh_conn *c)
{
    wh_db *db = c->db->primary ? c->db->primary : c->db;
    atomic_fetch_add_explicit(&db->statements, 1, memory_order_relaxed);
}

bool wh_db_commit_stamp(wh_db *db, uint64_t *out)
{
    return db->be->stamp && db->be->stamp(db->stamp, out);
}

wh_db_engine wh_db_engine_get(const wh_db *db)
{
    return db->engine;
}

void wh_db_pool_stats(wh_db *db, int *in_use, int *size)
{
    pthread_mutex_lock(&db->mu);
    *in_use = db->in_use;
    *size = db->size;
    pthread_mutex_unlock(&db->mu);
}

void wh_db_flush_commits(wh_db *db)
{
    atomic_store(&db->flush_commits, true);
    wh_db_drop_idle(db);
}

void wh_db_drop_idle(wh_db *db)
{
    pthread_mutex_lock(&db->mu);
    for (int i = 0; i < db->size; i++)
        if (!db->conns[i].busy && db->conns[i].handle) {
            db->be->disconnect(db->conns[i].handle);
            db->conns[i].handle = NULL;
        }
    pthread_mutex_unlock(&db->mu);
}

static wh_conn *take_free(wh_db *db)
{
    for (int i = 0; i < db->size; i++)
        if (!db->conns[i].busy) {
            db->conns[i].busy = true;
            db->in_use++;
            return &db->conns[i];
        }
    return NULL;
}

static void give_back(wh_db *db, wh_conn *c)
{
    pthread_mutex_lock(&db->mu);
    c->busy = false;
    db->in_use--;
    pthread_cond_signal(&db->freed);
    pthread_mutex_unlock(&db->mu);
}

static wh_err ensure_connected(wh_conn *c, wh_error *e)
{
    const wh_db_backend *be = c->db->be;
    if (c->handle && !be->healthy(c->handle)) {
        be->disconnect(c->handle);
        c->handle = NULL;
    }
    if (c->handle)
        return WH_OK;
    wh_err rc = be->connect(c->db->target, &c->handle, e);
    if (rc == WH_OK && atomic_load(&c->db->flush_commits))
        rc = be->script(c->handle, be->flush_commits_sql, e);
    if (rc != WH_OK && c->handle) {
        be->disconnect(c->handle);
        c->handle = NULL;
    }
    return rc;
}

/* Takes a free connection, waiting up to wait_ms for one (0: not at all); NULL when none. */
static wh_conn *take_within(wh_db *db, int wait_ms)
{
    struct timespec deadline;
    wh_conn *c = NULL;
    wh_clock_deadline(CLOCK_MONOTONIC, wait_ms, &deadline);
    pthread_mutex_lock(&db->mu);
    while (!(c = take_free(db)) && wait_ms > 0)
        if (pthread_cond_timedwait(&db->freed, &db->mu, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&db->mu);
    return c;
}

/* Connects c (taken) and clears its state; gives it back when it cannot connect. */
static wh_err ready(wh_conn *c, wh_conn **out, wh_error *e)
{
    *out = NULL;
    wh_err rc = ensure_connected(c, e);
    if (rc != WH_OK) {
        give_back(c->db, c);
        return rc;
    }
    c->in_tx = false;
    c->held = false;
    c->commit_held = false;
    c->in_savepoint = false;
    c->nnotes = 0;
    c->moved = NULL;
    c->began = false;
    c->writing = false;
    *out = c;
    return WH_OK;
}

wh_err wh_db_acquire(wh_db *db, wh_conn **out, wh_error *e)
{
    wh_conn *c = take_within(db, WH_LIMIT_POOL_WAIT_MS);
    *out = NULL;
    if (!c)
        return wh_fail(e, WH_ERR_UNAVAILABLE, "No database connection is free; try again.");
    return ready(c, out, e);
}

wh_err wh_db_try_acquire(wh_db *db, wh_conn **out, wh_error *e)
{
    wh_conn *c = take_within(db, 0);
    *out = NULL;
    if (!c)
        return WH_ERR_NOT_FOUND;
    return ready(c, out, e);
}

void wh_db_release(wh_db *db, wh_conn *c)
{
    (void)db; /* c knows its pool: a replica's connection goes back to the replica's */
    if (!c)
        return;
    if (c->moved) {
        wh_db_release(c->moved->db, c->moved);
        c->moved = NULL;
    }
    (void)wh_db_unhold(c);
    wh_db_rollback(c);
    give_back(c->db, c);
}

bool wh_db_began(const wh_conn *c)
{
    return c && (c->moved ? c->moved : c)->began;
}

bool wh_db_is_replica(const wh_conn *c)
{
    return c && c->db->replica && !c->moved;
}

wh_err wh_db_use_primary(wh_conn *c, wh_error *e)
{
    if (!c->db->primary || c->moved)
        return WH_OK;
    return wh_db_acquire(c->db->primary, &c->moved, e);
}

/* The connection c's operations run on: the primary's once c's moved there. */
static wh_conn *live(wh_conn *c)
{
    return c->moved ? c->moved : c;
}

/* A write on a replica's connection (a transaction, a lock, a notification): moves c to the
 * primary first, since a standby refuses writes. */
static wh_err writable(wh_conn **c, wh_error *e)
{
    wh_err rc = wh_db_use_primary(*c, e);
    *c = live(*c);
    return rc;
}

/* Fault injection (core/fault.h, off in production): true when this statement is the planned
 * failure; e then holds what a failed statement gives, 500 internal. */
static bool fault(wh_error *e)
{
    if (!wh_fault_on() || !wh_fault_step(WH_FAULT_DB))
        return false;
    wh_fail(e, WH_ERR_INTERNAL, "Database error: injected fault.");
    return true;
}

void wh_db_hold(wh_conn *c)
{
    live(c)->held = true;
}

bool wh_db_commit_held(const wh_conn *c)
{
    return (c->moved ? c->moved : c)->commit_held;
}

/* Runs one statement whose failure leaves nothing to do but report it. */
static void run_or_warn(wh_conn *c, const char *sql)
{
    wh_error e;
    wh_error_init(&e);
    count(c);
    if (c->db->be->script(c->handle, sql, &e) != WH_OK)
        wh_log(WH_LOG_WARN, "%s failed: %s", sql, e.detail);
}

/* Undoes the user's transaction begun after a held commit, keeping what was committed. */
static void undo_savepoint(wh_conn *c)
{
    run_or_warn(c, "ROLLBACK TO SAVEPOINT wh_held");
    run_or_warn(c, "RELEASE SAVEPOINT wh_held");
    c->in_savepoint = false;
}

bool wh_db_unhold(wh_conn *c)
{
    c = live(c);
    bool pending = c->commit_held;
    if (c->in_savepoint)
        undo_savepoint(c);
    c->held = false;
    c->commit_held = false;
    return pending;
}

/* Queues a note for this process, delivered at commit; past WH_LIMIT_DB_NOTES it becomes "*". */
static void queue_note(wh_conn *c, const char *payload)
{
    if (c->nnotes < WH_LIMIT_DB_NOTES)
        snprintf(c->notes[c->nnotes], sizeof c->notes[0], "%s", payload);
    c->nnotes++;
}

/* Hands this process the notes of a committed transaction (or of one autocommitted statement);
 * bumped: its triggers notified the listeners themselves, so the barrier is due even without a
 * note of this process's own. */
static void deliver(wh_conn *c, bool bumped)
{
    const wh_db_listener *l = &c->db->listener;
    if ((c->nnotes == 0 && !bumped) || !l->note) {
        c->nnotes = 0;
        return;
    }
    if (c->db->listening) /* answer only once the other instances' listeners have it too */
        c->db->be->listen_echo(c->db->listening, c->handle);
    if (c->nnotes > WH_LIMIT_DB_NOTES) {
        l->note(l->arg, "*");
    } else {
        for (int i = 0; i < c->nnotes; i++)
            l->note(l->arg, c->notes[i]);
    }
    c->nnotes = 0;
}

wh_err wh_db_notify(wh_conn *c, const char *payload, wh_error *e)
{
    assert(strlen(payload) < WH_LIMIT_DB_NOTE_CHARS);
    wh_err moved = writable(&c, e);
    if (moved != WH_OK)
        return moved;
    const wh_db_backend *be = c->db->be;
    if (be->notify) {
        if (fault(e))
            return WH_ERR_DB;
        count(c);
        wh_err rc = be->notify(c->handle, payload, e);
        if (rc != WH_OK)
            return rc;
    }
    queue_note(c, payload);
    if (!c->in_tx)
        deliver(c, false); /* the statement before this one committed on its own */
    return WH_OK;
}

void wh_db_listen(wh_db *db, const wh_db_listener *l)
{
    assert(!db->listener.note);
    db->listener = *l;
    if (db->be->listen_start)
        db->listening = db->be->listen_start(db->target, &db->listener);
    else
        l->listening(l->arg);
}

bool wh_db_listen_quiet(wh_db *db)
{
    return !db->listening || db->be->listen_quiet(db->listening);
}

wh_err wh_db_begin(wh_conn *c, wh_error *e)
{
    if (fault(e))
        return WH_ERR_DB;
    wh_err moved = writable(&c, e);
    if (moved != WH_OK)
        return moved;
    if (c->held && c->commit_held && c->in_tx) {
        /* After a held commit the next transaction is a savepoint of the open one, so its
         * rollback keeps what was committed before it. */
        count(c);
        wh_err rc = c->db->be->script(c->handle, "SAVEPOINT wh_held", e);
        c->in_savepoint = rc == WH_OK;
        return rc;
    }
    count(c);
    wh_err rc = c->db->writer ? wh_writer_begin(c, e)
                              : c->db->be->script(c->handle, c->db->be->begin_sql, e);
    if (rc == WH_OK) {
        c->in_tx = c->began = true;
        c->writing = c->db->writer != NULL;
    }
    return rc;
}

wh_err wh_db_commit(wh_conn *c, wh_error *e)
{
    c = live(c);
    if (fault(e)) { /* a refused COMMIT ends the transaction without its changes */
        wh_db_rollback(c);
        return WH_ERR_DB;
    }
    if (c->held && c->in_savepoint) {
        count(c);
        wh_err rc = c->db->be->script(c->handle, "RELEASE SAVEPOINT wh_held", e);
        c->in_savepoint = false;
        return rc;
    }
    if (c->held && c->in_tx) {
        c->commit_held = true;
        return WH_OK;
    }
    bool bumped = false;
    count(c);
    wh_err rc = c->writing          ? wh_writer_commit(c, e)
                : c->db->be->commit ? c->db->be->commit(c->handle, &bumped, e)
                                    : c->db->be->script(c->handle, "COMMIT", e);
    c->in_tx = c->writing = false;
    if (rc == WH_OK)
        deliver(c, bumped);
    c->nnotes = 0;
    return rc;
}

void wh_db_rollback(wh_conn *c)
{
    c = live(c);
    if (c->held && c->in_savepoint) {
        undo_savepoint(c);
        return;
    }
    c->commit_held = false;
    if (!c->in_tx)
        return;
    if (c->writing)
        wh_writer_rollback(c);
    else
        run_or_warn(c, "ROLLBACK");
    c->in_tx = c->writing = false;
    c->nnotes = 0;
}

wh_err wh_db_lock(wh_conn *c, int64_t key, wh_error *e)
{
    if (fault(e))
        return WH_ERR_DB;
    wh_err moved = writable(&c, e);
    if (moved != WH_OK)
        return moved;
    count(c);
    return c->db->be->lock(c->handle, key, e);
}

wh_err wh_db_query(wh_conn *c, wh_arena *a, const char *sql, const wh_param *params, int nparams,
                   wh_rows **out, wh_error *e)
{
    wh_rows *ignored = NULL, **rows = out ? out : &ignored;
    if (fault(e))
        return WH_ERR_DB;
    wh_conn *on = live(c);
    count(on);
    if (on->db->writer && !on->in_tx && on->db->be->writes(on->handle, sql))
        return wh_writer_statement(on, a, sql, params, nparams, rows, e);
    wh_err rc = on->db->be->query(on->handle, a, sql, params, nparams, rows, e);
    if (rc == WH_OK || on->db->primary == NULL)
        return rc;
    /* A replica that failed a read (down, restarted, a statement cancelled by a recovery
     * conflict, a write it refuses): the read is run again on the primary, and so is everything
     * after it on this connection. */
    wh_db_replica_failed(on->db->replica, rc);
    wh_log(WH_LOG_WARN, "a read failed on a replica (%s); the primary answers it", e->detail);
    wh_error_init(e);
    rc = wh_db_use_primary(c, e);
    if (rc != WH_OK)
        return rc;
    count(c->moved);
    return c->moved->db->be->query(c->moved->handle, a, sql, params, nparams, rows, e);
}

wh_err wh_db_script(wh_conn *c, const char *sql, wh_error *e)
{
    if (fault(e))
        return WH_ERR_DB;
    wh_err moved = writable(&c, e);
    if (moved != WH_OK)
        return moved;
    count(c);
    return c->db->be->script(c->handle, sql, e);
}

wh_err wh_db_fail_internal(const char *engine, const char *state, const char *msg, wh_error *e)
{
    json_t *f = json_pack("{s:s, s:s, s:s}", "engine", engine, "sqlstate", state ? state : "",
                          "error", msg ? msg : "");
    wh_log_json(WH_LOG_ERROR, "database error", f);
    json_decref(f);
    wh_fail(e, WH_ERR_INTERNAL, "The database could not complete the request.");
    return WH_ERR_DB;
}

wh_rows *wh_rows_new(wh_arena *a, size_t ncols)
{
    wh_rows *r = wh_arena_alloc(a, sizeof *r);
    r->ncols = ncols;
    r->a = a;
    return r;
}

/* The mark of a cell whose value is in ints (its address, never a cell's text). */
static char int_cell[1];

/* The rows' capacity is implicit: the next power of two at or above nrows, in rows of ncols
 * places (at least one). */
static size_t places(const wh_rows *r)
{
    size_t cap = 1;
    while (cap < r->nrows)
        cap *= 2;
    return cap * (r->ncols ? r->ncols : 1);
}

char **wh_rows_add(wh_rows *r)
{
    size_t n = r->nrows++;
    if (n == 0 || (n & (n - 1)) == 0) { /* full: the capacity doubles */
        char **cells = wh_arena_alloc(r->a, sizeof *cells * places(r));
        if (n)
            memcpy(cells, r->cells, sizeof *cells * n * r->ncols);
        r->cells = cells;
        if (r->ints) { /* in use: grows alike */
            int64_t *ints = wh_arena_alloc(r->a, sizeof *ints * places(r));
            memcpy(ints, r->ints, sizeof *ints * n * r->ncols);
            r->ints = ints;
        }
    }
    return r->cells + n * r->ncols;
}

void wh_rows_set_int(wh_rows *r, char **cells, size_t col, int64_t v)
{
    if (!r->ints) /* the first integer */
        r->ints = wh_arena_alloc(r->a, sizeof *r->ints * places(r));
    cells[col] = int_cell;
    r->ints[(size_t)(cells - r->cells) + col] = v;
}

size_t wh_rows_count(const wh_rows *r)
{
    return r ? r->nrows : 0;
}

/* The index of a cell, or SIZE_MAX when r has no such cell. */
static size_t cell_at(const wh_rows *r, size_t row, size_t col)
{
    /* a column the statement does not select is a bug in its reader, not a NULL */
    assert(!r || r->nrows == 0 || col < r->ncols);
    if (!r || row >= r->nrows || col >= r->ncols)
        return SIZE_MAX;
    return row * r->ncols + col;
}

bool wh_rows_null(const wh_rows *r, size_t row, size_t col)
{
    size_t i = cell_at(r, row, col);
    return i == SIZE_MAX || r->cells[i] == NULL;
}

const char *wh_rows_text(const wh_rows *r, size_t row, size_t col)
{
    size_t i = cell_at(r, row, col);
    if (i == SIZE_MAX)
        return NULL;
    if (r->cells[i] == int_cell) { /* written once, then kept in place of the mark */
        char num[WH_STR_I64_BYTES];
        size_t n = wh_str_from_i64(r->ints[i], num);
        r->cells[i] = wh_arena_strndup(r->a, num, n);
    }
    return r->cells[i];
}

int64_t wh_rows_int(const wh_rows *r, size_t row, size_t col)
{
    size_t i = cell_at(r, row, col);
    if (i != SIZE_MAX && r->cells[i] == int_cell)
        return r->ints[i];
    const char *s = wh_rows_text(r, row, col);
    int64_t v = 0;
    if (s && !wh_str_to_i64(wh_str_c(s), INT64_MIN, INT64_MAX, &v)) {
        /* numeric cells are checked on reading (wh_db_query), so this is a text column */
        wh_log(WH_LOG_ERROR, "wh_rows_int on a cell that is not an integer (column %zu)", col);
        v = 0;
    }
    return v;
}

/* v's text starts with '1' (the text rule of wh_rows_bool below, kept for integer cells so that
 * both engines read any integer alike; booleans are 1 and 0). */
static bool leads_with_one(int64_t v)
{
    if (v <= 0)
        return false;
    while (v >= 10)
        v /= 10;
    return v == 1;
}

bool wh_rows_bool(const wh_rows *r, size_t row, size_t col)
{
    size_t i = cell_at(r, row, col);
    if (i != SIZE_MAX && r->cells[i] == int_cell)
        return leads_with_one(r->ints[i]);
    const char *s = wh_rows_text(r, row, col);
    return s && (s[0] == '1' || s[0] == 't');
}

void wh_rows_cells(const wh_rows *r, size_t row, const wh_cell *cells, size_t n)
{
    assert(!r || r->nrows == 0 || n <= r->ncols);
    for (size_t col = 0; col < n; col++) {
        const wh_cell *c = &cells[col];
        if (c->has)
            *c->has = !wh_rows_null(r, row, col);
        if (c->kind == WH_CELL_INT)
            *(int64_t *)c->to = wh_rows_int(r, row, col);
        else if (c->kind == WH_CELL_TEXT)
            *(const char **)c->to = wh_rows_text(r, row, col);
        else
            *(bool *)c->to = wh_rows_bool(r, row, col);
    }
}

wh_err wh_rows_one(wh_err rc, const wh_rows *r, const char *not_found, const char *conflict,
                   wh_error *e)
{
    if (rc == WH_ERR_UNIQUE && conflict)
        return wh_fail(e, WH_ERR_UNIQUE, "%s", conflict);
    if (rc != WH_OK)
        return rc;
    if (wh_rows_count(r) == 0)
        return wh_fail(e, WH_ERR_NOT_FOUND, "%s", not_found);
    return WH_OK;
}
