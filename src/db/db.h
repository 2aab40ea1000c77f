/* The database interface: one pool of connections over SQLite or PostgreSQL, chosen by URL at
 * start-up. Domain code never branches on the engine: SQL is written once in the subset both
 * share, with $1..$n placeholders.
 *
 * Threads: wh_db is thread-safe; a wh_conn belongs to the thread that acquired it until it is
 * released. Results (wh_rows) are materialised in the caller's arena (text cells, and SQLite's
 * integers as their value until their text is asked for), so they live until that arena is
 * cleaned up and need no separate free. A result is read by one thread at a time. */
#ifndef WH_DB_DB_H
#define WH_DB_DB_H

#include "core/arena.h"
#include "core/err.h"
#include "core/limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wh_db wh_db;
typedef struct wh_conn wh_conn;
typedef struct wh_rows wh_rows;

typedef enum { WH_DB_SQLITE, WH_DB_POSTGRES } wh_db_engine;

typedef enum { WH_P_NULL, WH_P_INT, WH_P_TEXT, WH_P_BOOL } wh_param_type;

typedef struct {
    wh_param_type type;
    int64_t i;     /* WH_P_INT, WH_P_BOOL */
    const char *s; /* WH_P_TEXT, borrowed */
} wh_param;

#define WH_PI(x) ((wh_param){.type = WH_P_INT, .i = (x)})
#define WH_PB(x) ((wh_param){.type = WH_P_BOOL, .i = (x) ? 1 : 0})
#define WH_PN    ((wh_param){.type = WH_P_NULL})
/* Text, or SQL NULL when the pointer is NULL. */
static inline wh_param wh_param_text(const char *s)
{
    wh_param p = {.type = s ? WH_P_TEXT : WH_P_NULL, .s = s};
    return p;
}
#define WH_PT(x) wh_param_text(x)
/* Expands to "array, count" for wh_db_query. */
#define WH_ARGS(...)                                                                               \
    (const wh_param[]){__VA_ARGS__},                                                               \
        (int)(sizeof((const wh_param[]){__VA_ARGS__}) / sizeof(wh_param))

/* Opens a pool of at most pool_size connections for "sqlite:PATH" or "postgres://...".
 * Connections are made on first use; the first one is made here to fail early. */
WH_MUST_USE wh_err wh_db_open(const char *url, int pool_size, wh_db **out, wh_error *e);
/* Closes every connection; all must have been released. NULL is fine. */
void wh_db_free(wh_db *db);
wh_db_engine wh_db_engine_get(const wh_db *db);
/* A value that changes whenever any process commits a write to the database, read without a
 * statement (SQLite: the WAL-index header, db/sqlite.c); false when the engine has none
 * (PostgreSQL: hear the commits with wh_db_listen instead) or it cannot be read. Thread-safe. */
bool wh_db_commit_stamp(wh_db *db, uint64_t *out);
/* Statements this process has sent to the engine since start (wh_db_statements_total: queries,
 * scripts, BEGIN/COMMIT/ROLLBACK, locks, notifications). Thread-safe. */
uint64_t wh_db_statements(wh_db *db);
/* SQLite's group commit (db/writer.c): transactions committed, and the COMMITs that carried them
 * (batches); both 0 on PostgreSQL. Thread-safe. */
void wh_db_group_stats(wh_db *db, uint64_t *transactions, uint64_t *batches);
/* Connections in use right now, and the pool's size (for /metrics). */
void wh_db_pool_stats(wh_db *db, int *in_use, int *size);

/* Waits up to WH_LIMIT_POOL_WAIT_MS for a connection: 503 unavailable after that. */
WH_MUST_USE wh_err wh_db_acquire(wh_db *db, wh_conn **out, wh_error *e);
/* Returns a connection; an open transaction is rolled back first. NULL is fine. */
void wh_db_release(wh_db *db, wh_conn *c);

/* Read replicas (PostgreSQL streaming standbys; docs/architecture.md "Read replicas"). urls:
 * WH_DATABASE_REPLICA_URLS, postgres:// URLs separated by commas (NULL or empty: none). Each gets
 * a pool of db's size, connected on first use, and a monitor thread polls every replica's replay
 * position against the primary's WAL: a replica that cannot be reached, is not a standby, or lags
 * more than max_lag_ms is skipped until it is back. 400 (field WH_DATABASE_REPLICA_URLS) for a
 * malformed list or on SQLite. wh_db_free stops it all. */
WH_MUST_USE wh_err wh_db_replicas_open(wh_db *db, const char *urls, int64_t max_lag_ms,
                                       wh_error *e);
/* A connection for reads that are not part of a write: a replica's that had replayed min_lsn
 * (0: any) at its last poll and lags no more than the limit, taken without waiting, round robin;
 * else the primary's (wh_db_acquire). Either is released with wh_db_release. A replica's
 * connection behaves as the primary's would: a transaction, a lock, a notification or a script
 * moves it to a primary connection first (wh_db_use_primary), and a statement the replica fails
 * (down, restarted, cancelled by a recovery conflict, a write it refuses) runs again on the
 * primary, as does everything after it. */
WH_MUST_USE wh_err wh_db_acquire_read(wh_db *db, uint64_t min_lsn, wh_conn **out, wh_error *e);
/* True when a transaction was begun on c (or on the primary connection it moved to) since it was
 * acquired. */
bool wh_db_began(const wh_conn *c);
/* True when c is a replica's and its statements still run there. */
bool wh_db_is_replica(const wh_conn *c);
/* From now on c's statements run on a primary connection (acquired here, released with c);
 * nothing for a primary's connection. 503 when the primary's pool is dry. */
WH_MUST_USE wh_err wh_db_use_primary(wh_conn *c, wh_error *e);
/* The primary's flushed WAL position now, read on c (a primary's connection, after its writes
 * committed, which with replicas flush their records: wh_db_replicas_open sets
 * synchronous_commit on): a replica that has replayed it holds them. 0 without replicas (nothing
 * is read). */
WH_MUST_USE wh_err wh_db_wal_lsn(wh_conn *c, wh_arena *a, uint64_t *out, wh_error *e);
/* What /metrics shows of each replica (name borrowed from db). */
typedef struct {
    const char *name;   /* host:port/db */
    bool up;            /* reachable, a standby, and lagging no more than the limit */
    int64_t lag_ms;     /* age of the newest primary position it has replayed */
    uint64_t reads;     /* reads routed to it (wh_db_acquire_read) */
    uint64_t fallbacks; /* its statements that failed and ran on the primary */
} wh_db_replica_stat;
/* Fills at most max replicas' figures; returns how many; *primary_reads: reads that found no
 * usable replica (wh_db_acquire_read on the primary). */
int wh_db_replica_stats(wh_db *db, wh_db_replica_stat *out, int max, uint64_t *primary_reads);

/* BEGIN (BEGIN IMMEDIATE on SQLite: the writer lock is taken at once). */
WH_MUST_USE wh_err wh_db_begin(wh_conn *c, wh_error *e);
WH_MUST_USE wh_err wh_db_commit(wh_conn *c, wh_error *e);
/* Rolls back when a transaction is open (a held commit included); otherwise does nothing. */
void wh_db_rollback(wh_conn *c);

/* Held commits, for a caller that must add its own write to whatever the connection's user
 * commits, atomically (the Idempotency-Key answer, http/idempotency.c). While c is held,
 * wh_db_commit ends nothing: it records that the user committed (wh_db_commit_held) and leaves
 * the transaction open. A wh_db_begin after it opens a savepoint of that transaction, which
 * the user's next wh_db_commit releases and its wh_db_rollback undoes, keeping what was
 * committed before. wh_db_unhold ends the hold (undoing a savepoint still open) and returns
 * whether a commit was held: then the transaction is still open, and the holder adds its
 * writes and ends it with wh_db_commit (now a real COMMIT) or wh_db_rollback. Without a held
 * commit, whatever the user left open is the holder's to roll back. Acquire and release clear
 * the hold. */
void wh_db_hold(wh_conn *c);
bool wh_db_commit_held(const wh_conn *c);
bool wh_db_unhold(wh_conn *c);
/* A transaction-scoped lock on key (pg_advisory_xact_lock; a no-op on SQLite, whose
 * BEGIN IMMEDIATE already serialises writers). */
WH_MUST_USE wh_err wh_db_lock(wh_conn *c, int64_t key, wh_error *e);

/* Notifications: a write that every instance must hear of once it commits (the session cache,
 * auth/sesscache.c). wh_db_notify queues payload (at most WH_LIMIT_DB_NOTE_CHARS - 1 bytes) in
 * c's transaction: on PostgreSQL it also runs pg_notify on the channel wh_inval, which the server
 * delivers to every listening connection only if the transaction commits; after that COMMIT the
 * writer waits until every other listening instance has acknowledged it (a barrier, at most
 * WH_LIMIT_NOTIFY_ECHO_MS). This process hears it through the listener's note callback right
 * after the real COMMIT (or after the statement, outside a transaction: call it inside one, so
 * the change and the note commit together); a rollback forgets it. More than WH_LIMIT_DB_NOTES in
 * one transaction reach this process as the payload "*" (drop everything). Counts as a db call for
 * fault injection on PostgreSQL. */
WH_MUST_USE wh_err wh_db_notify(wh_conn *c, const char *payload, wh_error *e);

/* What a process does with notifications. Callbacks run on the listening thread (note also on
 * the committing thread) and must be thread-safe. lost: notes may have been missed (the
 * listening connection dropped); listening: every note committed from now on will arrive. */
typedef struct {
    void (*note)(void *arg, const char *payload);
    void (*lost)(void *arg);
    void (*listening)(void *arg);
    void *arg;
} wh_db_listener;

/* Starts listening with l (copied; once per db). PostgreSQL: one dedicated connection and
 * thread that LISTENs on wh_inval, calls lost when the connection drops and reconnects with
 * back-off (WH_LIMIT_LISTEN_BACKOFF_*_MS), calling listening each time LISTEN is in place.
 * SQLite (one process writes): calls listening at once; notes come only from this process's
 * commits. wh_db_free stops the thread. */
void wh_db_listen(wh_db *db, const wh_db_listener *l);
/* True when nothing waits unread on the listening connection: no notification has arrived that
 * the listening thread has not applied yet, and the connection has not been seen to close. A
 * poll() of one socket, no round trip; always true on SQLite. Thread-safe. */
bool wh_db_listen_quiet(wh_db *db);

/* Runs one statement with bound parameters. out may be NULL when no rows are wanted.
 * Errors: WH_ERR_UNIQUE (e: 409 conflict) when a unique constraint refused the row,
 * WH_ERR_CONFLICT for a foreign-key violation, WH_ERR_UNAVAILABLE when the database cannot be
 * reached, WH_ERR_DB otherwise (e: 500 internal with a generic detail; the engine's message is
 * logged with the request id, never put in e). Results hold integers, text, booleans and NULL
 * only: a number that is not a 64-bit integer (a PostgreSQL numeric such as a SUM past 2^63, an
 * SQLite REAL such as an overflowed product) fails the statement with WH_ERR_DB, so it is never
 * read as 0 or as another number. */
WH_MUST_USE wh_err wh_db_query(wh_conn *c, wh_arena *a, const char *sql, const wh_param *params,
                               int nparams, wh_rows **out, wh_error *e);
/* Runs a script of several statements without parameters (migrations). */
WH_MUST_USE wh_err wh_db_script(wh_conn *c, const char *sql, wh_error *e);

/* A list statement built from the conditions a request uses (db/sqlb.c). A catch-all
 * "($3 = 0 OR venture_id = $3) AND …" statement cannot be matched to an index by either
 * engine's planner; appending only the conditions present, and the keyset seek as a row-value
 * comparison in the index's order, lets each filter combination seek an index. Conditions are
 * written with "?" for each parameter; the builder numbers them $1..$n. The text and the
 * parameters are bounded (WH_LIMIT_SQLB_CHARS, WH_LIMIT_SQL_PARAMS): exceeding them is a
 * programming error, asserted, and reported as 500 by wh_sqlb_query. Not thread-safe; lives on
 * the caller's stack. */
typedef struct {
    char sql[WH_LIMIT_SQLB_CHARS];
    size_t len;
    wh_param params[WH_LIMIT_SQL_PARAMS];
    int n;
    bool where;    /* a condition was added: the next one starts with AND */
    bool overflow; /* the text or the parameters did not fit */
    /* the statement as it was before wh_sqlb_page, and that call's columns, so wh_sqlb_repage
     * can end it again from another row (a CSV export's next chunk, docs/export.md) */
    struct {
        bool set;
        size_t len;
        int n;
        bool where;
        const char *key_col, *id_col; /* static text, as wh_sqlb_page was given */
        bool desc;
    } paged;
} wh_sqlb;

/* Starts the statement with head ("SELECT cols FROM loads"); no condition yet. */
void wh_sqlb_init(wh_sqlb *b, const char *head);
/* Adds "AND (cond)" (WHERE for the first), cond holding one "?" per parameter, given in order
 * as wh_param values after it. */
void wh_sqlb_and(wh_sqlb *b, const char *cond, ...);
/* The optional filters of a list: "AND (cond)" with its one "?" bound to id when id is not 0,
 * to s when s is neither NULL nor empty, to the flag when has is true; nothing otherwise. */
void wh_sqlb_and_id(wh_sqlb *b, const char *cond, int64_t id);
void wh_sqlb_and_text(wh_sqlb *b, const char *cond, const char *s);
void wh_sqlb_and_flag(wh_sqlb *b, const char *cond, bool has, bool flag);
/* Adds the keyset seek "(cols) < (?, ?)" (desc) or "> (?, ?)" for the last row's key and id. */
void wh_sqlb_seek(wh_sqlb *b, const char *cols, bool desc, wh_param key, wh_param id);
/* Appends text as is ("GROUP BY agent_id) g ON ...", "ORDER BY ..."): for a statement whose
 * conditions sit in a subquery (a report's aggregate), the next condition opens a new WHERE,
 * the outer statement's. */
void wh_sqlb_text(wh_sqlb *b, const char *text);
/* Ends with " ORDER BY order LIMIT ?". */
void wh_sqlb_order(wh_sqlb *b, const char *order, int64_t limit);
/* Where a page of a list starts. A list is ordered by a sort key and then id (or by id alone);
 * a page holds the rows strictly after (key, id) of the previous page's last row in that order,
 * or the first rows when after is false, and at most limit rows (the page size + 1: the extra row
 * only tells that another page follows). */
typedef enum {
    WH_KEY_ID,   /* ordered by id alone: key is "" */
    WH_KEY_INT,  /* an integer sort key (an instant): key_i */
    WH_KEY_TEXT, /* a text sort key (a name, a YYYY-MM-DD day): key */
} wh_key_type;

typedef struct {
    bool after;
    wh_key_type type;
    const char *key; /* text of the sort key; "" when none */
    int64_t key_i;   /* the key as an integer (WH_KEY_INT) */
    int64_t id;
    int limit;
} wh_keyset;

/* Ends a list statement with its page: the seek after ks's row, when a cursor was given, as a
 * row-value comparison in the index's order ("(key_col, id_col) < (?, ?)" when desc, ">"
 * otherwise; "id_col < ?" for WH_KEY_ID, where key_col is unused), then
 * " ORDER BY key_col DESC, id_col DESC LIMIT ?" (ASC when not desc). */
void wh_sqlb_page(wh_sqlb *b, const char *key_col, const char *id_col, bool desc,
                  const wh_keyset *ks);
/* Ends a statement that wh_sqlb_page ended with another page: the conditions and columns of the
 * first call, the seek and limit of ks (b->paged.set must be true). */
void wh_sqlb_repage(wh_sqlb *b, const wh_keyset *ks);
/* Runs the statement (as wh_db_query). */
WH_MUST_USE wh_err wh_sqlb_query(wh_conn *c, wh_arena *a, const wh_sqlb *b, wh_rows **out,
                                 wh_error *e);

/* The one row of a statement that reads or writes a single row: rc (from wh_db_query) passes
 * through, except that a unique violation gets conflict as its detail when conflict is not
 * NULL; no row is WH_ERR_NOT_FOUND with not_found as its detail. */
WH_MUST_USE wh_err wh_rows_one(wh_err rc, const wh_rows *r, const char *not_found,
                               const char *conflict, wh_error *e);
size_t wh_rows_count(const wh_rows *r);
bool wh_rows_null(const wh_rows *r, size_t row, size_t col);
/* Text of a cell (borrowed from the arena); NULL for SQL NULL. */
const char *wh_rows_text(const wh_rows *r, size_t row, size_t col);
/* Integer of a cell; 0 for NULL. Numeric cells were checked when the result was read (see
 * wh_db_query); reading a text cell this way is a caller's bug, logged, and gives 0. */
int64_t wh_rows_int(const wh_rows *r, size_t row, size_t col);
/* Boolean of a cell (1/0 on SQLite, t/f on PostgreSQL); false for NULL. */
bool wh_rows_bool(const wh_rows *r, size_t row, size_t col);

/* Reading a row into a struct: one place per column, in the statement's column order, each
 * read by its type (WH_CELL picks it with _Generic, so a place of another type does not
 * compile): int64_t (0 for NULL), const char * (borrowed from the rows' arena; NULL for NULL),
 * bool (false for NULL); WH_CELL_OPT also sets *has to whether the cell is not NULL.
 *   WH_ROWS_READ(rows, i, WH_CELL(&x->id), WH_CELL(&x->name), WH_CELL_OPT(&x->miles,
 * &x->has_miles)); Reading fewer places than the statement has columns is fine; more is a bug
 * (asserted). */
typedef enum { WH_CELL_INT, WH_CELL_TEXT, WH_CELL_BOOL } wh_cell_kind;
typedef struct {
    wh_cell_kind kind;
    void *to;
    bool *has; /* NULL, or set to whether the cell is not NULL */
} wh_cell;
#define WH_CELL_KIND(p)                                                                            \
    _Generic((p), int64_t * : WH_CELL_INT, const char ** : WH_CELL_TEXT, bool * : WH_CELL_BOOL)
#define WH_CELL(p)          ((wh_cell){WH_CELL_KIND(p), (void *)(p), NULL})
#define WH_CELL_OPT(p, has) ((wh_cell){WH_CELL_KIND(p), (void *)(p), (has)})
void wh_rows_cells(const wh_rows *r, size_t row, const wh_cell *cells, size_t n);
#define WH_ROWS_READ(r, row, ...)                                                                  \
    wh_rows_cells((r), (row), (const wh_cell[]){__VA_ARGS__},                                      \
                  sizeof((const wh_cell[]){__VA_ARGS__}) / sizeof(wh_cell))

/* Defines json_t *name(const wh_rows *rows, size_t i): row i read into a T by
 * row_fn(rows, i, &t) and rendered by json_fn(&t); the row renderer of a list (http.h wh_list).
 * The defining file includes jansson. */
#define WH_ROW_JSON(name, T, row_fn, json_fn)                                                      \
    json_t *name(const wh_rows *rows, size_t i)                                                    \
    {                                                                                              \
        T row_;                                                                                    \
        row_fn(rows, i, &row_);                                                                    \
        return json_fn(&row_);                                                                     \
    }

/* Defines wh_err name(const wh_rows *rows, size_t i, wh_buf *b): row i read into a T by row_fn
 * and written as JSON text into b by text_fn(&t, b); the row writer of a list answered through
 * wh_resp_list_text (http.h). The defining file includes core/buf.h. */
#define WH_ROW_TEXT(name, T, row_fn, text_fn)                                                      \
    wh_err name(const wh_rows *rows, size_t i, wh_buf *b)                                          \
    {                                                                                              \
        T row_;                                                                                    \
        row_fn(rows, i, &row_);                                                                    \
        return text_fn(&row_, b);                                                                  \
    }

/* Applies the migrations of this engine that are not yet recorded in schema_migrations, each
 * in its own transaction, under a lock so concurrent starts apply each once. *applied counts
 * them. */
WH_MUST_USE wh_err wh_db_migrate(wh_db *db, int *applied, wh_error *e);

#endif
