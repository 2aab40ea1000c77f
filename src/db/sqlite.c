/* SQLite backend: WAL journal, a busy timeout, foreign keys on. Placeholders $1..$n are bound
 * by name, so one parameter may appear several times in a statement. */
#include "db/db_int.h"
#include "core/limits.h"

#include "core/alloc.h"
#include "core/str.h"
#include "core/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prepared statements are cached per connection, keyed by the SQL text (checked in full, so a
 * reused buffer with other text never picks up a stale statement). */
#define STMT_CACHE 64

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *stmts[STMT_CACHE];
    int next;         /* round-robin eviction slot */
    int last;         /* the slot found or filled last, -1 before the first */
    int wal_frames;   /* the writer connection: frames in the WAL after its last commit */
    int checkpointed; /* the writer connection: wal_frames when a checkpoint was last due */
} sq_conn;

static wh_err fail(sqlite3 *h, int rc, wh_error *e)
{
    int ext = h ? sqlite3_extended_errcode(h) : rc;
    const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        wh_fail(e, WH_ERR_CONFLICT, "A record with the same unique value already exists.");
        return WH_ERR_UNIQUE;
    }
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY) {
        wh_fail(e, WH_ERR_CONFLICT, "The change refers to a record that does not exist.");
        return WH_ERR_CONFLICT;
    }
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        wh_fail(e, WH_ERR_UNAVAILABLE, "The database is busy; try again.");
        return WH_ERR_UNAVAILABLE;
    }
    return wh_db_fail_internal("sqlite", NULL, msg, e);
}

static wh_err sq_connect(const char *target, void **handle, wh_error *e)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(
        target, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        wh_log(WH_LOG_ERROR, "cannot open SQLite database %s: %s", target,
               h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        wh_err err = wh_fail(e, WH_ERR_UNAVAILABLE, "The database cannot be reached.");
        sqlite3_close(h);
        return err;
    }
    sqlite3_busy_timeout(h, WH_LIMIT_SQLITE_BUSY_MS);
    rc = sqlite3_exec(h,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=ON; SELECT COUNT(*) FROM sqlite_master;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        wh_err err = fail(h, rc, e);
        sqlite3_close(h);
        return err;
    }
    sq_conn *sc = wh_calloc(1, sizeof *sc);
    sc->db = h;
    sc->last = -1;
    *handle = sc;
    return WH_OK;
}

static void sq_disconnect(void *handle)
{
    sq_conn *sc = handle;
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(sc->stmts[i]);
    sqlite3_close_v2(sc->db);
    wh_free(sc);
}

/* A ready statement for sql: from the cache (reset) or freshly prepared and cached. */
static int prepare(sq_conn *sc, const char *sql, sqlite3_stmt **out)
{
    if (sc->last >= 0 && sc->stmts[sc->last] &&
        strcmp(sqlite3_sql(sc->stmts[sc->last]), sql) == 0) {
        /* the statement asked for just before (wh_db_query asks sq_writes, then runs it) */
        sqlite3_reset(sc->stmts[sc->last]);
        sqlite3_clear_bindings(sc->stmts[sc->last]);
        *out = sc->stmts[sc->last];
        return SQLITE_OK;
    }
    for (int i = 0; i < STMT_CACHE; i++)
        if (sc->stmts[i] && strcmp(sqlite3_sql(sc->stmts[i]), sql) == 0) {
            sqlite3_reset(sc->stmts[i]);
            sqlite3_clear_bindings(sc->stmts[i]);
            *out = sc->stmts[i];
            sc->last = i;
            return SQLITE_OK;
        }
    int rc = sqlite3_prepare_v3(sc->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_finalize(sc->stmts[sc->next]);
    sc->stmts[sc->next] = *out;
    sc->last = sc->next;
    sc->next = (sc->next + 1) % STMT_CACHE;
    return SQLITE_OK;
}

/* The writer connection's WAL hook, in place of SQLite's automatic checkpoint (sqlite3_wal_hook
 * replaces it): it only records the WAL's size after each commit. */
static int on_wal_commit(void *arg, sqlite3 *h, const char *name, int frames)
{
    (void)h;
    (void)name;
    ((sq_conn *)arg)->wal_frames = frames;
    return SQLITE_OK;
}

static void sq_writer_init(void *handle)
{
    sq_conn *sc = handle;
    sqlite3_wal_hook(sc->db, on_wal_commit, sc);
}

/* A checkpoint once WH_LIMIT_SQLITE_CHECKPOINT_FRAMES (SQLite's own automatic threshold) frames
 * were added since the last one: SQLite's automatic checkpoint runs after every commit once the
 * WAL holds that many, and as the WAL does not start over under a steady stream of writes that
 * was a copy and two fdatasyncs per group. Passive; but past WH_LIMIT_SQLITE_WAL_FRAMES the
 * writer itself, holding the writer lock, checkpoints in RESTART mode: it copies what the passive
 * checkpoints left and waits a little for the readers (short statements) to be done with the
 * WAL, so the next group writes it from the start again (a writer rewinds it only when every
 * frame has been copied back and no reader still reads from it). */
static int sq_checkpoint_due(void *writer)
{
    sq_conn *sc = writer;
    int frames = sc->wal_frames;
    if (frames < sc->checkpointed) /* the WAL started over */
        sc->checkpointed = 0;
    if (frames - sc->checkpointed < WH_LIMIT_SQLITE_CHECKPOINT_FRAMES)
        return WH_CHECKPOINT_NONE;
    sc->checkpointed = frames;
    return frames >= WH_LIMIT_SQLITE_WAL_FRAMES ? WH_CHECKPOINT_RESTART : WH_CHECKPOINT_PASSIVE;
}

/* A passive checkpoint waits for nobody (another checkpoint in progress makes it a no-op); a
 * RESTART one waits for readers at most WH_LIMIT_SQLITE_RESTART_WAIT_MS (busy: it is due again
 * after the next batch). */
static void sq_checkpoint(void *handle, int mode)
{
    sq_conn *sc = handle;
    if (mode == WH_CHECKPOINT_PASSIVE) {
        (void)sqlite3_wal_checkpoint_v2(sc->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        return;
    }
    sqlite3_busy_timeout(sc->db, WH_LIMIT_SQLITE_RESTART_WAIT_MS);
    int rc = sqlite3_wal_checkpoint_v2(sc->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        wh_log(WH_LOG_WARN, "a WAL checkpoint failed: %s", sqlite3_errmsg(sc->db));
    sqlite3_busy_timeout(sc->db, WH_LIMIT_SQLITE_BUSY_MS);
}

static bool sq_writes(void *handle, const char *sql)
{
    sqlite3_stmt *st = NULL;
    return prepare(handle, sql, &st) == SQLITE_OK && !sqlite3_stmt_readonly(st);
}

static bool sq_tx_open(void *handle)
{
    return !sqlite3_get_autocommit(((sq_conn *)handle)->db);
}

static bool sq_healthy(void *handle)
{
    (void)handle;
    return true;
}

static int bind_all(sqlite3_stmt *st, const wh_param *p, int n)
{
    for (int i = 0; i < n; i++) {
        char name[1 + WH_STR_I64_BYTES] = "$";
        wh_str_from_i64(i + 1, name + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        int rc = SQLITE_OK;
        if (idx == 0)
            continue;
        switch (p[i].type) {
        case WH_P_NULL:
            rc = sqlite3_bind_null(st, idx);
            break;
        case WH_P_INT:
        case WH_P_BOOL:
            rc = sqlite3_bind_int64(st, idx, p[i].i);
            break;
        case WH_P_TEXT:
            rc = sqlite3_bind_text(st, idx, p[i].s, -1, SQLITE_STATIC);
            break;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* Copies the row into r; false when a cell is REAL (the caller then fails the
 * query, and the row half copied goes with it): the schema holds no floating-point column, so
 * a REAL value is an integer expression that overflowed (SQLite turns an overflowing + - * into
 * a REAL): an error, never a number. An integer is kept as its value (wh_rows_set_int): read
 * as a number it is never text, and its text is made only if asked for. Each cell is fetched once,
 * as a value, and read with the value getters: every sqlite3_column_* call checks the statement and
 * enters and leaves its connection's mutex, and three of them per cell were a fifth of a page of
 * loads. The values are unprotected, which is allowed here: the connection has no mutex
 * (SQLITE_OPEN_NOMUTEX, one thread at a time). */
static bool copy_row(sqlite3_stmt *st, wh_rows *r)
{
    char **cells = wh_rows_add(r);
    for (size_t c = 0; c < r->ncols; c++) {
        sqlite3_value *v = sqlite3_column_value(st, (int)c);
        switch (sqlite3_value_type(v)) {
        case SQLITE_NULL:
            cells[c] = NULL;
            break;
        case SQLITE_FLOAT:
            return false;
        case SQLITE_INTEGER:
            wh_rows_set_int(r, cells, c, sqlite3_value_int64(v));
            break;
        default: {
            const unsigned char *t = sqlite3_value_text(v);
            cells[c] =
                t ? wh_arena_strndup(r->a, (const char *)t, (size_t)sqlite3_value_bytes(v)) : NULL;
        }
        }
    }
    return true;
}

static wh_err sq_query(void *handle, wh_arena *a, const char *sql, const wh_param *p, int n,
                       wh_rows **out, wh_error *e)
{
    sq_conn *sc = handle;
    sqlite3 *h = sc->db;
    sqlite3_stmt *st = NULL;
    wh_err err = WH_OK;
    int rc = prepare(sc, sql, &st);
    if (rc == SQLITE_OK)
        rc = bind_all(st, p, n);
    if (rc != SQLITE_OK) {
        err = fail(h, rc, e);
        goto out;
    }
    wh_rows *r = wh_rows_new(a, (size_t)sqlite3_column_count(st));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!copy_row(st, r)) {
            err = wh_db_fail_internal("sqlite", NULL, "a result is not a 64-bit integer", e);
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        err = fail(h, rc, e);
        goto out;
    }
    *out = r;
out:
    if (st) {
        sqlite3_reset(st); /* ends the statement's read transaction; it stays cached */
        sqlite3_clear_bindings(st);
    }
    return err;
}

static wh_err sq_script(void *handle, const char *sql, wh_error *e)
{
    sq_conn *sc = handle;
    int rc = sqlite3_exec(sc->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? WH_OK : fail(sc->db, rc, e);
}

static wh_err sq_lock(void *handle, int64_t key, wh_error *e)
{
    (void)handle;
    (void)key;
    (void)e;
    return WH_OK;
}

/* The commit stamp: the first copy of the WAL-index header, at the start of the "-shm" file of
 * a WAL database (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). Every write
 * transaction that commits, in any process, rewrites it (its iChange counter, mxFrame and
 * checksums change), and a commit is visible to readers only once it is there, so an unchanged
 * header means nothing committed since it was last read.
 * The file's first page is mapped read-only, as SQLite maps it itself, so a stamp is six loads
 * and no system call (a pread per stamp was 5% of a cached dashboard hit). Mapping is safe only
 * while the file cannot shrink: SQLite truncates it when the first connection of a fresh run
 * opens it, and a mapped page past the end would be a SIGBUS. The file is mapped at the first
 * stamp, which comes after the pool's connections opened (sq_connect makes each read once, so
 * the file exists and holds at least the header), and it keeps its inode and size as long as a
 * connection of this process is open (the pool keeps them, and their shared lock on the file
 * keeps any other process from taking it for a fresh run). A file shorter than the header is a
 * failed stamp (nothing trusted) and is looked at again at the next one. */
#define WAL_HDR_BYTES 48

typedef struct {
    char *path;
    const uint64_t *_Atomic hdr; /* the mapped header; NULL until mapped */
    /* open until stamp_close: closing any descriptor of a file drops every POSIX lock this
     * process holds on it, SQLite's own included (then another process may take the file for a
     * fresh run and truncate it under SQLite's mapping) */
    int fd;
    pthread_mutex_t mu;
} sq_stamp_file;

static void *sq_stamp_open(const char *target)
{
    sq_stamp_file *f = wh_calloc(1, sizeof *f);
    size_t n = strlen(target) + sizeof "-shm";
    f->path = wh_malloc(n);
    snprintf(f->path, n, "%s-shm", target);
    f->fd = -1;
    pthread_mutex_init(&f->mu, NULL);
    return f;
}

static const uint64_t *stamp_map(sq_stamp_file *f)
{
    const uint64_t *hdr = atomic_load(&f->hdr);
    if (hdr)
        return hdr;
    pthread_mutex_lock(&f->mu);
    hdr = atomic_load(&f->hdr);
    if (!hdr && f->fd < 0)
        f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (!hdr && f->fd >= 0 && fstat(f->fd, &st) == 0 && st.st_size >= WAL_HDR_BYTES) {
        void *m = mmap(NULL, WAL_HDR_BYTES, PROT_READ, MAP_SHARED, f->fd, 0);
        if (m != MAP_FAILED)
            atomic_store(&f->hdr, hdr = m);
    }
    pthread_mutex_unlock(&f->mu);
    return hdr;
}

static bool sq_stamp(void *arg, uint64_t *out)
{
    const uint64_t *hdr = stamp_map(arg);
    if (!hdr)
        return false;
    /* SQLite writes the header's second copy, a barrier, then this one: acquire loads see a
     * whole published header, or a torn one, which only reads as a change */
    uint64_t h[WAL_HDR_BYTES / sizeof(uint64_t)];
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        h[i] = __atomic_load_n(&hdr[i], __ATOMIC_ACQUIRE);
    *out = wh_str_hash_n(h, sizeof h);
    return true;
}

static void sq_stamp_close(void *arg)
{
    sq_stamp_file *f = arg;
    const uint64_t *hdr = atomic_load(&f->hdr);
    if (hdr)
        munmap((void *)hdr, WAL_HDR_BYTES);
    if (f->fd >= 0)
        close(f->fd);
    pthread_mutex_destroy(&f->mu);
    wh_free(f->path);
    wh_free(f);
}

const wh_db_backend wh_db_sqlite_backend = {
    .name = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .tx_open = sq_tx_open,
    .writes = sq_writes,
    .writer_init = sq_writer_init,
    .checkpoint_due = sq_checkpoint_due,
    .checkpoint = sq_checkpoint,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .healthy = sq_healthy,
    .query = sq_query,
    .script = sq_script,
    .lock = sq_lock,
    .stamp_open = sq_stamp_open,
    .stamp = sq_stamp,
    .stamp_close = sq_stamp_close,
};
