/* Private to src/db: the backend table each engine fills, and the result layout. */
#ifndef WH_DB_DB_INT_H
#define WH_DB_DB_INT_H

#include "db/db.h"

#include <pthread.h>

struct wh_rows {
    size_t nrows, ncols;
    /* nrows * ncols, row-major; NULL is SQL NULL; a mark (db.c) stands for an integer held in
     * ints (wh_rows_set_int), written as text only if someone asks for its text */
    char **cells;
    int64_t *ints; /* beside cells, same shape, from the first mark on; only marked cells' set */
    wh_arena *a;   /* where the rows and a cell's text on demand live */
};

typedef struct {
    const char *name;
    const char *begin_sql;
    /* An engine with one writer at a time (SQLite) sets the five operations below, all NULL
     * otherwise: the pool's transactions then run in turn on one writer connection, committed in
     * groups (db/writer.c). tx_open says whether a transaction is still open on a handle (the
     * engine may roll one back on its own). */
    bool (*tx_open)(void *handle);
    /* Whether sql (prepared on handle) would write: outside a transaction such a statement
     * runs as a one-statement member of the writer's group, not on its own connection, where
     * it would wait on the engine's lock, polling, behind a stream of groups. */
    bool (*writes)(void *handle, const char *sql);
    /* The writer connection's set-up (SQLite: no automatic checkpoint inside its COMMIT, which
     * would keep every writer waiting on the copy and its fsync); after a batch's COMMIT, the
     * checkpoint the WAL's size calls for (WH_CHECKPOINT_*), run by checkpoint: a passive one
     * on another handle once the writer lock is let go, a RESTART one by the writer itself. */
    void (*writer_init)(void *handle);
    int (*checkpoint_due)(void *writer);
    void (*checkpoint)(void *handle, int mode);
    /* Connects with the part of the URL after the scheme ("PATH" or the whole postgres URL). */
    wh_err (*connect)(const char *target, void **handle, wh_error *e);
    void (*disconnect)(void *handle);
    /* False when the connection is broken and must be replaced. */
    bool (*healthy)(void *handle);
    wh_err (*query)(void *handle, wh_arena *a, const char *sql, const wh_param *params, int nparams,
                    wh_rows **out, wh_error *e);
    wh_err (*script)(void *handle, const char *sql, wh_error *e);
    wh_err (*lock)(void *handle, int64_t key, wh_error *e);
    /* COMMIT; NULL: the script "COMMIT". *bumped: the transaction bumped a venture's data version
     * (PostgreSQL: its triggers also pg_notify'd "dv:<venture>" to every listener). */
    wh_err (*commit)(void *handle, bool *bumped, wh_error *e);
    /* The commit stamp (wh_db_commit_stamp) of the database at target, opened once the first
     * connection is made; NULL ops: the engine has none. stamp_open may return NULL (then
     * stamp fails). */
    void *(*stamp_open)(const char *target);
    bool (*stamp)(void *st, uint64_t *out);
    void (*stamp_close)(void *st);
    /* Sends payload to other instances at commit; NULL for an engine with one instance. */
    wh_err (*notify)(void *handle, const char *payload, wh_error *e);
    /* Starts a listening thread on its own connection to target (NULL: the engine has no other
     * instance to hear); listen_stop ends and joins it. */
    void *(*listen_start)(const char *target, const wh_db_listener *l);
    void (*listen_stop)(void *listening);
    bool (*listen_quiet)(void *listening);
    /* After a commit that notified, on its connection handle: the barrier. Sends an echo and
     * waits (up to WH_LIMIT_NOTIFY_ECHO_MS) until this process's listener hears it and every
     * other listening instance has acknowledged it, i.e. applied what was committed before. */
    void (*listen_echo)(void *listening, void *handle);
    /* The statements that read a server's WAL position as "X/Y" text: the primary's flushed
     * position, a standby's replay position (NULL when the server is not a standby); and the one
     * run on every new primary connection once there are replicas, so that a commit has flushed
     * its record (and everything inserted before it) when it returns. NULL: no replicas. */
    const char *wal_flush_sql, *wal_replay_sql, *flush_commits_sql;
} wh_db_backend;

typedef struct wh_replica wh_replica;
typedef struct wh_writer wh_writer;
enum { WH_CHECKPOINT_NONE, WH_CHECKPOINT_PASSIVE, WH_CHECKPOINT_RESTART };
typedef struct wh_replicas wh_replicas;

struct wh_conn {
    wh_db *db;
    void *handle; /* NULL until first use */
    bool in_tx;
    bool busy;
    bool held;         /* wh_db_hold: commits are held for the holder */
    bool commit_held;  /* held: the owner committed; the transaction is still open */
    bool in_savepoint; /* held: the owner began again after a held commit (SAVEPOINT wh_held) */
    /* wh_db_notify payloads for this process, delivered after the real COMMIT */
    char notes[WH_LIMIT_DB_NOTES][WH_LIMIT_DB_NOTE_CHARS];
    int nnotes; /* past WH_LIMIT_DB_NOTES: deliver "*" instead */
    /* a replica's connection whose statements moved to the primary (wh_db_use_primary): every
     * operation on this one runs on that one; released with it */
    wh_conn *moved;
    bool began;   /* a transaction was begun on it since it was acquired (wh_db_began) */
    bool writing; /* its transaction is a savepoint of db->writer's batch; handle is the
                   * writer's until it ends */
    void *own;    /* writing: its own handle */
};

struct wh_db {
    const wh_db_backend *be;
    char *target;
    wh_db_engine engine;
    pthread_mutex_t mu;
    pthread_cond_t freed;
    wh_writer *writer; /* be->tx_open set: the group commit (db/writer.c), else NULL */
    int size, in_use;
    wh_conn *conns;
    wh_db_listener listener;     /* note is NULL until wh_db_listen */
    void *listening;             /* the backend's listening thread, or NULL */
    void *stamp;                 /* the backend's commit stamp state, or NULL */
    _Atomic uint64_t statements; /* sent to the engine, for wh_db_statements */
    wh_replicas *replicas;       /* the primary's read replicas (db/replica.c), or NULL */
    _Atomic bool flush_commits;  /* new connections run the backend's flush_commits_sql */
    wh_db *primary;              /* a replica's pool: the primary it falls back to */
    wh_replica *replica;         /* a replica's pool: its state */
};

/* Group commit (db/writer.c), for a pool whose backend has the writer's operations. begin takes the
 * writer lock and opens c's transaction as a savepoint of the batch; commit releases it into the
 * batch and returns once the batch committed; rollback undoes only c's savepoint. */
wh_writer *wh_writer_new(void);
void wh_writer_free(wh_writer *w, const wh_db_backend *be);
WH_MUST_USE wh_err wh_writer_begin(wh_conn *c, wh_error *e);
WH_MUST_USE wh_err wh_writer_commit(wh_conn *c, wh_error *e);
void wh_writer_rollback(wh_conn *c);
/* A writing statement outside a transaction, as a group member of its own. */
WH_MUST_USE wh_err wh_writer_statement(wh_conn *c, wh_arena *a, const char *sql,
                                       const wh_param *params, int nparams, wh_rows **out,
                                       wh_error *e);
/* Threads queued for db's writer lock right now (tests line transactions up with it). */
int wh_writer_waiting(wh_db *db);

/* A pool over url sharing nothing with another (wh_db_open without the first connection);
 * db/replica.c opens its replicas' pools with it. */
wh_db *wh_db_pool_new(const wh_db_backend *be, const char *target, int pool_size);
/* Takes a free connection of db without waiting and connects it: WH_ERR_NOT_FOUND (e untouched)
 * when none is free, WH_ERR_UNAVAILABLE when it cannot connect. */
WH_MUST_USE wh_err wh_db_try_acquire(wh_db *db, wh_conn **out, wh_error *e);
/* A replica's statement failed (how: rc): counts it, and when the server could not be reached
 * closes the replica's idle connections, so the next reads connect afresh: to a replica that
 * restarted, or failing to connect to one that is down, which then marks it down (db/replica.c).
 */
void wh_db_replica_failed(wh_replica *rep, wh_err rc);
/* From now on db's connections flush every commit (the backend's flush_commits_sql); the idle
 * ones connected before are closed, so they reconnect so. */
void wh_db_flush_commits(wh_db *db);
/* Closes db's idle connections (they reconnect when next taken). */
void wh_db_drop_idle(wh_db *db);
/* Stops the monitor and closes every replica pool (wh_db_free). */
void wh_db_replicas_free(wh_replicas *rs);
/* Parses "X/Y" (two hexadecimal halves of a PostgreSQL LSN); false when it is not one. */
bool wh_db_lsn_parse(const char *text, uint64_t *out);

extern const wh_db_backend wh_db_sqlite_backend;
extern const wh_db_backend wh_db_postgres_backend;

/* Allocates an empty result of ncols columns in the arena; rows are appended by the backend. */
wh_rows *wh_rows_new(wh_arena *a, size_t ncols);
/* Appends a row (in the rows' arena); cells[col] is filled by the caller through the returned
 * pointer, or by wh_rows_set_int. */
char **wh_rows_add(wh_rows *r);
/* Cell col of the row wh_rows_add just returned as cells holds the integer v: read by
 * wh_rows_int without parsing, turned into text only when wh_rows_text asks. */
void wh_rows_set_int(wh_rows *r, char **cells, size_t col, int64_t v);

/* The failure of a statement the engine refused for a reason the caller cannot act on: logs the
 * engine's message (with the thread's request id, core/log.h) and fills e with a generic 500
 * `internal`, so no engine text reaches a client. Returns WH_ERR_DB. */
wh_err wh_db_fail_internal(const char *engine, const char *state, const char *msg, wh_error *e);

/* Embedded migrations, derived at build time from migrations/NNNN_name.sql by tools/migrations.c
 * (docs/migrations.md). */
typedef struct {
    int version;
    const char *name;
    const char *sql;
} wh_migration;

extern const wh_migration wh_migrations_sqlite[];
extern const wh_migration wh_migrations_postgres[];

#endif
