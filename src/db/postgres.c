/* PostgreSQL backend over libpq. Parameters travel as text with explicit types (int8, text,
 * bool) so the server never has to guess; results come back as text. A broken connection is
 * reported unhealthy and replaced by the pool on next acquire.
 *
 * Each pooled connection prepares a statement the first time it runs it (keyed by its text and
 * its parameters' types) and executes it by name after that: the server parses and rewrites it
 * once per connection instead of on every call, and plans it as PostgreSQL does any prepared
 * statement (plan_cache_mode auto: a plan for the call's values the first five times, then the
 * generic plan when it is estimated no dearer). Lists are built from the filters present
 * (db/sqlb.c), so their generic plans seek the same indexes (tests/unit/db/test_list_plans.c);
 * forcing custom plans cost a third of the write path's throughput (bench/RESULTS.md). */
#include "db/db_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OID_BOOL    16
#define OID_INT8    20
#define OID_TEXT    25
#define OID_NUMERIC 1700

static wh_err fail(PGconn *h, const PGresult *res, wh_error *e)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "23505") == 0) {
        wh_fail(e, WH_ERR_CONFLICT, "A record with the same unique value already exists.");
        return WH_ERR_UNIQUE;
    }
    if (state && strcmp(state, "23503") == 0) {
        wh_fail(e, WH_ERR_CONFLICT, "The change refers to a record that does not exist.");
        return WH_ERR_CONFLICT;
    }
    if (PQstatus(h) != CONNECTION_OK || (state && strncmp(state, "08", 2) == 0)) {
        wh_fail(e, WH_ERR_UNAVAILABLE, "The database cannot be reached.");
        return WH_ERR_UNAVAILABLE;
    }
    return wh_db_fail_internal("postgres", state,
                               res ? PQresultErrorMessage(res) : PQerrorMessage(h), e);
}

static void quiet(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

/* A statement this connection prepared: its key (the SQL text, a NUL, one type letter per
 * parameter) and its number (the statement is named "w<number>"). */
typedef struct {
    uint64_t hash;
    char *key;
    size_t keylen;
    unsigned number;
} pg_stmt;

/* A pooled connection: the libpq connection and its prepared statements, an open-addressing
 * table of WH_LIMIT_PG_STATEMENTS * 2 slots (at most half used; past that, statements run
 * unprepared). */
typedef struct {
    PGconn *h;
    pg_stmt *stmts;
    unsigned nstmts, next;
} pg_conn;

#define STMT_SLOTS (2 * WH_LIMIT_PG_STATEMENTS)

static void forget_statements(pg_conn *pc)
{
    for (unsigned i = 0; i < STMT_SLOTS; i++) {
        wh_free(pc->stmts[i].key);
        pc->stmts[i] = (pg_stmt){0};
    }
    /* names go on from pc->next: one left on the server is never reused. After a schema change
     * (0A000) the old ones stay prepared on the server until the connection closes (not
     * DEALLOCATE ALL: it would also drop statements others prepared on the connection) */
    pc->nstmts = 0;
}

static wh_err pg_connect(const char *target, void **handle, wh_error *e)
{
    PGconn *h = PQconnectdb(target);
    if (PQstatus(h) != CONNECTION_OK) {
        wh_log(WH_LOG_ERROR, "cannot connect to PostgreSQL: %s", PQerrorMessage(h));
        wh_err err = wh_fail(e, WH_ERR_UNAVAILABLE, "The database cannot be reached.");
        PQfinish(h);
        return err;
    }
    PQsetNoticeReceiver(h, quiet, NULL);
    pg_conn *pc = wh_calloc(1, sizeof *pc);
    pc->h = h;
    pc->stmts = wh_calloc(STMT_SLOTS, sizeof *pc->stmts);
    *handle = pc;
    return WH_OK;
}

static void pg_disconnect(void *handle)
{
    pg_conn *pc = handle;
    forget_statements(pc);
    wh_free(pc->stmts);
    PQfinish(pc->h);
    wh_free(pc);
}

static bool pg_healthy(void *handle)
{
    return PQstatus(((pg_conn *)handle)->h) == CONNECTION_OK;
}

/* A numeric cell (SUM of bigint is numeric) must be a 64-bit integer: the schema holds no
 * fractions, and a sum past 2^63 must fail rather than be read as some other number. */
static bool cell_ok(const PGresult *res, int row, int col)
{
    int64_t v;
    return PQftype(res, col) != OID_NUMERIC || PQgetisnull(res, row, col) ||
           wh_str_to_i64(wh_str_c(PQgetvalue(res, row, col)), INT64_MIN, INT64_MAX, &v);
}

static wh_err copy_result(PGresult *res, wh_arena *a, wh_rows **out, wh_error *e)
{
    int nr = PQntuples(res), nc = PQnfields(res);
    wh_rows *r = wh_rows_new(a, (size_t)nc);
    for (int i = 0; i < nr; i++) {
        char **cells = wh_rows_add(r);
        for (int c = 0; c < nc; c++) {
            if (!cell_ok(res, i, c))
                return wh_db_fail_internal("postgres", "22003",
                                           "a numeric result is not a 64-bit integer", e);
            cells[c] = PQgetisnull(res, i, c) ? NULL
                                              : wh_arena_strndup(a, PQgetvalue(res, i, c),
                                                                 (size_t)PQgetlength(res, i, c));
        }
    }
    *out = r;
    return WH_OK;
}

/* The slot of key in pc's table: where it is, or the free slot where it would go. */
static pg_stmt *slot_of(pg_conn *pc, uint64_t hash, const char *key, size_t keylen)
{
    for (unsigned i = 0;; i++) {
        pg_stmt *st = &pc->stmts[(hash + i) % STMT_SLOTS];
        if (!st->key ||
            (st->hash == hash && st->keylen == keylen && memcmp(st->key, key, keylen) == 0))
            return st;
    }
}

/* Runs sql on pc: by the name of its prepared statement, preparing it the first time (the
 * table's half full: unprepared). A prepared statement the server refuses to run again, because
 * the schema changed under it (0A000, "cached plan must not change result type") or because it
 * is gone (26000: a DEALLOCATE ALL or DISCARD ALL ran on the connection), is forgotten with
 * every other, and the call is answered by an unnamed statement when no transaction is open
 * (inside one the error stands, as it would have for any statement). */
static PGresult *execute(pg_conn *pc, const char *sql, int n, const Oid *types,
                         const char *const *values)
{
    char key[8192];
    size_t sqllen = strlen(sql), keylen = sqllen + 1 + (size_t)n;
    if (keylen > sizeof key)
        return PQexecParams(pc->h, sql, n, types, values, NULL, NULL, 0);
    memcpy(key, sql, sqllen + 1);
    for (int i = 0; i < n; i++)
        key[sqllen + 1 + (size_t)i] = types[i] == OID_INT8   ? 'i'
                                      : types[i] == OID_TEXT ? 't'
                                      : types[i] == OID_BOOL ? 'b'
                                                             : 'u';
    uint64_t hash = wh_str_hash_n(key, keylen);
    pg_stmt *st = slot_of(pc, hash, key, keylen);
    char name[16];
    if (!st->key) {
        if (pc->nstmts >= WH_LIMIT_PG_STATEMENTS)
            return PQexecParams(pc->h, sql, n, types, values, NULL, NULL, 0);
        snprintf(name, sizeof name, "w%u", pc->next);
        PGresult *prep = PQprepare(pc->h, name, sql, n, types);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK)
            return prep; /* the error PQexecParams would have answered */
        PQclear(prep);
        *st = (pg_stmt){hash, wh_malloc(keylen), keylen, pc->next++};
        memcpy(st->key, key, keylen);
        pc->nstmts++;
    }
    snprintf(name, sizeof name, "w%u", st->number);
    PGresult *res = PQexecPrepared(pc->h, name, n, values, NULL, NULL, 0);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state && (strcmp(state, "0A000") == 0 || strcmp(state, "26000") == 0)) {
        forget_statements(pc);
        if (PQtransactionStatus(pc->h) == PQTRANS_IDLE) {
            PQclear(res);
            res = PQexecParams(pc->h, sql, n, types, values, NULL, NULL, 0);
        }
    }
    return res;
}

static wh_err pg_query(void *handle, wh_arena *a, const char *sql, const wh_param *p, int n,
                       wh_rows **out, wh_error *e)
{
    pg_conn *pc = handle;
    PGconn *h = pc->h;
    Oid types[WH_LIMIT_SQL_PARAMS];
    const char *values[WH_LIMIT_SQL_PARAMS];
    char nums[WH_LIMIT_SQL_PARAMS][24];
    if (n > WH_LIMIT_SQL_PARAMS)
        return wh_fail(e, WH_ERR_INTERNAL, "Too many SQL parameters.");
    for (int i = 0; i < n; i++) {
        switch (p[i].type) {
        case WH_P_NULL:
            types[i] = 0;
            values[i] = NULL;
            break;
        case WH_P_INT:
            types[i] = OID_INT8;
            snprintf(nums[i], sizeof nums[i], "%lld", (long long)p[i].i);
            values[i] = nums[i];
            break;
        case WH_P_BOOL:
            types[i] = OID_BOOL;
            values[i] = p[i].i ? "true" : "false";
            break;
        case WH_P_TEXT:
            types[i] = OID_TEXT;
            values[i] = p[i].s;
            break;
        }
    }
    PGresult *res = execute(pc, sql, n, types, values);
    ExecStatusType st = PQresultStatus(res);
    wh_err err;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        err = copy_result(res, a, out, e);
    else
        err = fail(h, res, e);
    PQclear(res);
    return err;
}

static wh_err script(PGconn *handle, const char *sql, wh_error *e)
{
    PGresult *res = PQexec(handle, sql);
    ExecStatusType st = PQresultStatus(res);
    wh_err err = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? WH_OK : fail(handle, res, e);
    PQclear(res);
    return err;
}

static wh_err pg_script(void *handle, const char *sql, wh_error *e)
{
    return script(((pg_conn *)handle)->h, sql, e);
}

static wh_err pg_lock(void *handle, int64_t key, wh_error *e)
{
    pg_conn *pc = handle;
    char num[24];
    const char *values[1] = {num};
    Oid types[1] = {OID_INT8};
    snprintf(num, sizeof num, "%lld", (long long)key);
    PGresult *res = execute(pc, "SELECT pg_advisory_xact_lock($1)", 1, types, values);
    wh_err err = PQresultStatus(res) == PGRES_TUPLES_OK ? WH_OK : fail(pc->h, res, e);
    PQclear(res);
    return err;
}

/* pg_notify on a bare connection (the listening thread's acknowledgements). */
static wh_err notify(PGconn *h, const char *payload, wh_error *e)
{
    const char *values[1] = {payload};
    Oid types[1] = {OID_TEXT};
    PGresult *res =
        PQexecParams(h, "SELECT pg_notify('wh_inval', $1)", 1, types, values, NULL, NULL, 0);
    wh_err err = PQresultStatus(res) == PGRES_TUPLES_OK ? WH_OK : fail(h, res, e);
    PQclear(res);
    return err;
}

static wh_err pg_notify(void *handle, const char *payload, wh_error *e)
{
    pg_conn *pc = handle;
    const char *values[1] = {payload};
    Oid types[1] = {OID_TEXT};
    PGresult *res = execute(pc, "SELECT pg_notify('wh_inval', $1)", 1, types, values);
    wh_err err = PQresultStatus(res) == PGRES_TUPLES_OK ? WH_OK : fail(pc->h, res, e);
    PQclear(res);
    return err;
}

/* COMMIT, and in the same round trip whether a data_versions trigger ran in the transaction
 * (migration 0019 sets wh.dv_bumped, transaction-local): then its pg_notify calls reach the
 * listeners at this commit and the writer's barrier is due. The data-version triggers are
 * deferred (migration 0022): SET CONSTRAINTS ALL IMMEDIATE runs them first, in this round trip,
 * so the venture's version row is locked only while the commit is on its way. */
static wh_err pg_commit(void *handle, bool *bumped, wh_error *e)
{
    PGconn *h = ((pg_conn *)handle)->h;
    PGresult *res;
    wh_err err = WH_OK;
    if (PQtransactionStatus(h) != PQTRANS_INTRANS) /* failed or none: COMMIT says so */
        return script(h, "COMMIT", e);
    if (!PQsendQuery(h, "SET CONSTRAINTS ALL IMMEDIATE;"
                        " SELECT current_setting('wh.dv_bumped', true); COMMIT"))
        return fail(h, NULL, e);
    while ((res = PQgetResult(h)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK)
            *bumped = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "on") == 0;
        else if (st != PGRES_COMMAND_OK && err == WH_OK)
            err = fail(h, res, e);
        PQclear(res);
    }
    if (err != WH_OK && PQtransactionStatus(h) != PQTRANS_IDLE) /* the COMMIT did not run */
        PQclear(PQexec(h, "ROLLBACK"));
    return err;
}

/* The listening thread: one connection of its own that LISTENs on wh_inval and waits on its
 * socket (and on a pipe that says stop). A dropped connection is reported (lost) before the
 * thread reconnects with back-off, so the process never trusts what it cached while it could not
 * hear. */
/* The listening connections' application_name: the writer counts them to know how many
 * acknowledgements to wait for. */
#define LISTENER_NAME "wh_listener"
#define WH_ACK_SLOTS  64 /* echoes waited on at once, per process */
typedef struct {
    uint64_t num;
    int count;
} ack_slot;

typedef struct {
    char *target;
    wh_db_listener l;
    int stop[2]; /* the pipe that wakes the thread to end */
    pthread_t thread;
    _Atomic int fd; /* the listening socket while LISTEN is in place, else -1 */
    /* The probes' own descriptor of that socket (pg_listen_quiet), -1 while not listening: a
     * duplicate, so that libpq closing its descriptor of a broken connection (inside
     * PQconsumeInput) cannot hand the number a probe polls to another socket. Probes hold
     * probe_lock for reading while they poll it, and never wait for the thread's reads; the
     * thread takes it for writing to set and to close it. */
    int probe_fd;
    pthread_rwlock_t probe_lock;
    unsigned long long id; /* random: tells this process's echoes from other instances' */
    pthread_mutex_t mu;
    pthread_cond_t heard;
    uint64_t sent, echoed;       /* echo numbers sent and the highest heard, under mu */
    ack_slot acks[WH_ACK_SLOTS]; /* other listeners' acknowledgements of recent echoes */
    /* The other instances' listeners a barrier waits for (under mu): counted at most every
     * WH_LIMIT_LISTENERS_RECOUNT_MS, and again whenever gen moved past the count's: gen grows
     * with every join note heard ("j:<id>", sent by a listener once its LISTEN is in place),
     * every barrier that timed out (an instance went away) and every failed count. */
    long others;
    int64_t counted_ms;  /* monotonic, when others was counted; 0: never */
    uint64_t gen;        /* see above */
    uint64_t counted_at; /* the gen the stored count began under */
    /* this listener's own join note came back: every notification committed before it has been
     * applied, so the caches may be trusted (set by the listening thread; under mu) */
    bool joined;
    /* The thread's reads of the socket, numbered: begun counts every one started; ended is the
     * last one finished and quieted the last one after which nothing more waited on the socket
     * (both under mu, with drained broadcast after every read). pg_listen_quiet, seeing bytes
     * unread, waits for a read that ended after it looked and left the socket empty. */
    _Atomic uint64_t begun;
    uint64_t ended, quieted;
    pthread_cond_t drained;
} listening;

/* Waits up to ms (-1: forever) for fd to be readable or the stop pipe to wake; false on stop. */
static bool wait_on(listening *ln, int fd, int ms)
{
    struct pollfd fds[2] = {{.fd = ln->stop[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    int n;
    do
        n = poll(fds, fd >= 0 ? 2 : 1, ms);
    while (n < 0 && errno == EINTR);
    return !(fds[0].revents & POLLIN);
}

/* fd has bytes to read now (or is broken: poll says so too). */
static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) != 0;
}

static PGconn *listen_connect(const char *target)
{
    const char *keys[] = {"dbname", "application_name", NULL};
    const char *values[] = {target, LISTENER_NAME, NULL};
    PGconn *h = PQconnectdbParams(keys, values, 1);
    PGresult *res = PQstatus(h) == CONNECTION_OK ? PQexec(h, "LISTEN wh_inval") : NULL;
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        wh_log(WH_LOG_WARN, "notifications: cannot LISTEN: %s", PQerrorMessage(h));
    PQclear(res);
    if (!ok) {
        PQfinish(h);
        return NULL;
    }
    PQsetNoticeReceiver(h, quiet, NULL);
    return h;
}

/* Parses "<tag>:<process id hex>:<number>"; false when payload is not one. */
static bool barrier_parse(const char *payload, char tag, unsigned long long *id,
                          unsigned long long *num)
{
    char *end = NULL;
    if (payload[0] != tag || payload[1] != ':')
        return false;
    *id = strtoull(payload + 2, &end, 16);
    *num = *end == ':' ? strtoull(end + 1, NULL, 10) : 0;
    return true;
}

/* Echoes and acknowledgements, the writer's barrier (pg_listen_echo): "e:<id>:<n>" is a writer's
 * echo, which every other listener acknowledges with "a:<id>:<n>" once it has applied every
 * notification before it (the server delivers them in commit order); "j:<id>" says a listener
 * joined. True when payload was one of the three (then it is not a note). */
static bool heard_barrier(listening *ln, PGconn *h, const char *payload)
{
    unsigned long long id = 0, num = 0;
    if (barrier_parse(payload, 'j', &id, &num)) { /* a listener joined: count again */
        pthread_mutex_lock(&ln->mu);
        ln->gen++;
        if (id == ln->id)
            ln->joined = true;
        pthread_cond_broadcast(&ln->heard); /* a barrier waiting now counts again */
        pthread_mutex_unlock(&ln->mu);
        return true;
    }
    if (barrier_parse(payload, 'e', &id, &num) && id != ln->id) {
        char ack[64];
        wh_error e;
        wh_error_init(&e);
        snprintf(ack, sizeof ack, "a:%llx:%llu", id, num);
        if (notify(h, ack, &e) != WH_OK)
            wh_log(WH_LOG_WARN, "notifications: cannot acknowledge an echo");
        return true;
    }
    bool echo = barrier_parse(payload, 'e', &id, &num);
    if (!echo && !barrier_parse(payload, 'a', &id, &num))
        return false;
    pthread_mutex_lock(&ln->mu);
    if (id == ln->id && echo && num > ln->echoed)
        ln->echoed = num;
    if (id == ln->id && !echo) {
        ack_slot *a = &ln->acks[num % WH_ACK_SLOTS];
        if (a->num != num)
            *a = (ack_slot){num, 0};
        a->count++;
    }
    pthread_cond_broadcast(&ln->heard);
    pthread_mutex_unlock(&ln->mu);
    return true;
}

/* Hands every notification received to note; false when the connection is broken. Reads
 * again while a read brought notifications (at most a few times): over TLS, decrypted bytes may
 * wait in the TLS layer while the socket itself is empty, and polling would not show them. */
static bool drain(listening *ln, PGconn *h)
{
    bool more = true;
    for (int round = 0; more && round < WH_LIMIT_LISTEN_READS; round++) {
        PGnotify *n;
        if (!PQconsumeInput(h))
            return false;
        more = false;
        while ((n = PQnotifies(h)) != NULL) {
            if (!heard_barrier(ln, h, n->extra))
                ln->l.note(ln->l.arg, n->extra);
            PQfreemem(n);
            more = true;
        }
    }
    return PQstatus(h) == CONNECTION_OK;
}

/* Sets the probes' descriptor: a duplicate of fd, or none (-1). */
static void probe_set(listening *ln, int fd)
{
    pthread_rwlock_wrlock(&ln->probe_lock);
    if (ln->probe_fd >= 0)
        close(ln->probe_fd);
    ln->probe_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
    pthread_rwlock_unlock(&ln->probe_lock);
}

static void *listen_main(void *arg)
{
    listening *ln = arg;
    int backoff = WH_LIMIT_LISTEN_BACKOFF_MIN_MS;
    for (;;) {
        PGconn *h = listen_connect(ln->target);
        if (h) {
            backoff = WH_LIMIT_LISTEN_BACKOFF_MIN_MS;
            /* Announced, so the other instances' writers count it; trusted (listening) only
             * once the announcement came back: every note committed before it has then been
             * applied here, and every writer committing after it hears it before its own echo
             * and waits for this listener too. Not announced: treated as a dropped connection. */
            char join[32];
            wh_error e;
            wh_error_init(&e);
            snprintf(join, sizeof join, "j:%llx", ln->id);
            pthread_mutex_lock(&ln->mu);
            ln->joined = false;
            pthread_mutex_unlock(&ln->mu);
            bool running = true, alive = notify(h, join, &e) == WH_OK, trusted = false;
            if (alive) {
                wh_log(WH_LOG_INFO, "notifications: listening");
                ln->fd = PQsocket(h);
                probe_set(ln, ln->fd);
            } else {
                wh_log(WH_LOG_WARN, "notifications: cannot announce this listener");
            }
            /* drained before the first wait: the announcement's own round trip may have
             * brought notifications that libpq holds already, which the socket will not show */
            while (alive) {
                uint64_t num = atomic_fetch_add(&ln->begun, 1) + 1;
                alive = drain(ln, h);
                bool rest = alive && readable(PQsocket(h));
                if (!alive)
                    ln->fd = -1;
                pthread_mutex_lock(&ln->mu);
                ln->ended = num;
                if (alive && !rest)
                    ln->quieted = num;
                pthread_cond_broadcast(&ln->drained);
                bool joined = ln->joined;
                pthread_mutex_unlock(&ln->mu);
                if (alive && joined && !trusted) {
                    trusted = true;
                    ln->l.listening(ln->l.arg);
                }
                if (alive && !(running = wait_on(ln, PQsocket(h), -1)))
                    break;
            }
            probe_set(ln, -1);
            ln->l.lost(ln->l.arg);
            pthread_mutex_lock(&ln->mu);
            ln->fd = -1;
            pthread_cond_broadcast(&ln->heard);   /* no echo will come: writers stop waiting */
            pthread_cond_broadcast(&ln->drained); /* nor a read: probes stop waiting */
            pthread_mutex_unlock(&ln->mu);
            PQfinish(h);
            if (!running)
                return NULL;
            wh_log(WH_LOG_WARN, "notifications: the listening connection dropped; reading"
                                " through until it is back");
        }
        if (!wait_on(ln, -1, backoff))
            return NULL;
        backoff = backoff * 2 > WH_LIMIT_LISTEN_BACKOFF_MAX_MS ? WH_LIMIT_LISTEN_BACKOFF_MAX_MS
                                                               : backoff * 2;
    }
}

/* Listening connections on this database now, this process's included (0 on failure). */
static long listeners(PGconn *h)
{
    PGresult *res =
        PQexec(h, "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" LISTENER_NAME
                  "' AND datname = current_database()");
    long n = PQresultStatus(res) == PGRES_TUPLES_OK ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return n;
}

/* Counts the other listeners now (gen: the generation the count begins under) and keeps the
 * count unless one that began later is kept already; a failed count (-1) moves gen on, so the
 * next barrier counts again. pg_stat_activity costs the server about as much as the rest of a
 * write's statements: counted on every barrier it was a fifth of the write path. */
static long count_others(listening *ln, PGconn *h, uint64_t gen, int64_t now)
{
    long others = listeners(h) - 1;
    pthread_mutex_lock(&ln->mu);
    if (others < 0) {
        ln->gen++;
    } else if (ln->counted_ms == 0 || gen >= ln->counted_at) {
        ln->others = others;
        ln->counted_at = gen;
        ln->counted_ms = now;
    }
    pthread_mutex_unlock(&ln->mu);
    return others;
}

static bool barrier_done(listening *ln, uint64_t num, long others)
{
    const ack_slot *a = &ln->acks[num % WH_ACK_SLOTS];
    return ln->echoed >= num && (others <= 0 || (a->num == num && a->count >= others));
}

static void pg_listen_echo(void *arg, void *handle)
{
    listening *ln = arg;
    char payload[64];
    struct timespec deadline;
    wh_error e;
    wh_error_init(&e);
    if (ln->fd < 0)
        return; /* not listening: nothing would echo */
    PGconn *h = ((pg_conn *)handle)->h;
    int64_t now = wh_clock_mono_ms();
    pthread_mutex_lock(&ln->mu);
    uint64_t gen = ln->gen;
    long others = ln->others;
    bool stale = ln->counted_ms == 0 || ln->counted_at != gen ||
                 now - ln->counted_ms >= WH_LIMIT_LISTENERS_RECOUNT_MS;
    pthread_mutex_unlock(&ln->mu);
    if (stale)
        others = count_others(ln, h, gen, now);
    pthread_mutex_lock(&ln->mu);
    uint64_t num = ++ln->sent;
    pthread_mutex_unlock(&ln->mu);
    snprintf(payload, sizeof payload, "e:%llx:%llu", ln->id, (unsigned long long)num);
    if (pg_notify(handle, payload, &e) != WH_OK)
        return;
    wh_clock_deadline(CLOCK_MONOTONIC, WH_LIMIT_NOTIFY_ECHO_MS, &deadline);
    pthread_mutex_lock(&ln->mu);
    bool timed_out = false;
    for (;;) {
        while (!barrier_done(ln, num, others) && ln->fd >= 0 && ln->gen == gen && !timed_out)
            timed_out = pthread_cond_timedwait(&ln->heard, &ln->mu, &deadline) == ETIMEDOUT;
        if (ln->gen != gen && ln->fd >= 0 && !timed_out) {
            /* a listener joined before this echo came back (the server delivers in commit
             * order): counted again, and waited for too, until the same deadline */
            gen = ln->gen;
            pthread_mutex_unlock(&ln->mu);
            others = count_others(ln, h, gen, wh_clock_mono_ms());
            pthread_mutex_lock(&ln->mu);
            if (others < 0) /* failed (and gen moved on): this barrier waits for its echo only */
                gen = ln->gen;
            continue;
        }
        if (!barrier_done(ln, num, others)) /* a listener went away, or this one dropped */
            ln->gen++;
        break;
    }
    pthread_mutex_unlock(&ln->mu);
}

static void *pg_listen_start(const char *target, const wh_db_listener *l)
{
    listening *ln = wh_calloc(1, sizeof *ln);
    ln->target = wh_strdup(target);
    ln->l = *l;
    ln->fd = -1;
    wh_crypto_random((unsigned char *)&ln->id, sizeof ln->id);
    pthread_mutex_init(&ln->mu, NULL);
    ln->probe_fd = -1;
    pthread_rwlock_init(&ln->probe_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ln->heard, &ca);
    pthread_cond_init(&ln->drained, &ca);
    pthread_condattr_destroy(&ca);
    if (pipe(ln->stop) != 0 || pthread_create(&ln->thread, NULL, listen_main, ln) != 0) {
        wh_log(WH_LOG_ERROR, "notifications: cannot start the listening thread");
        abort(); /* like an allocation failure: the machine is broken */
    }
    return ln;
}

static void pg_listen_stop(void *arg)
{
    listening *ln = arg;
    char one = 1;
    if (write(ln->stop[1], &one, 1) != 1)
        wh_log(WH_LOG_ERROR, "notifications: cannot wake the listening thread");
    pthread_join(ln->thread, NULL);
    close(ln->stop[0]);
    close(ln->stop[1]);
    pthread_mutex_destroy(&ln->mu);
    pthread_rwlock_destroy(&ln->probe_lock);
    pthread_cond_destroy(&ln->heard);
    pthread_cond_destroy(&ln->drained);
    wh_free(ln->target);
    wh_free(ln);
}

/* Nothing unapplied on the listening socket (a note, or its close): true at once when nothing
 * is there; when something is, true once the thread has read and applied it, if that takes at
 * most WH_LIMIT_LISTEN_QUIET_WAIT_MS (the caller then reads through). Waiting for the thread
 * instead of reading through keeps the caches in use while other instances write: every write
 * anywhere puts a note, an echo and its acknowledgements on every listener's socket. The look
 * never waits for a read in progress, so the limit holds.
 * Best effort for what it covers, the notes of writes made outside the server (psql, an
 * autocommitted statement): a message whose first bytes the thread read while the rest was
 * still in flight leaves the socket empty, unapplied. A write made by a server is covered by its
 * writer's barrier instead (pg_listen_echo), which answers only once every listener applied it. */
static bool pg_listen_quiet(void *arg)
{
    listening *ln = arg;
    pthread_rwlock_rdlock(&ln->probe_lock);
    int fd = ln->probe_fd;
    bool quiet = fd >= 0 && !readable(fd);
    pthread_rwlock_unlock(&ln->probe_lock);
    if (quiet || fd < 0)
        return quiet;
    struct timespec deadline;
    wh_clock_deadline(CLOCK_MONOTONIC, WH_LIMIT_LISTEN_QUIET_WAIT_MS, &deadline);
    pthread_mutex_lock(&ln->mu);
    /* a read not ended yet ends after the look; once none is running, the next one begins
     * after it (what the look saw is still unread, so the thread wakes for it) */
    uint64_t begun = atomic_load(&ln->begun);
    uint64_t want = ln->ended < begun ? begun : begun + 1;
    bool timed_out = false;
    while (ln->quieted < want && ln->fd >= 0 && !timed_out)
        timed_out = pthread_cond_timedwait(&ln->drained, &ln->mu, &deadline) == ETIMEDOUT;
    quiet = ln->quieted >= want && ln->fd >= 0;
    pthread_mutex_unlock(&ln->mu);
    return quiet;
}

const wh_db_backend wh_db_postgres_backend = {
    .name = "postgres",
    .begin_sql = "BEGIN",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .healthy = pg_healthy,
    .query = pg_query,
    .script = pg_script,
    .lock = pg_lock,
    .notify = pg_notify,
    .commit = pg_commit,
    .listen_start = pg_listen_start,
    .listen_stop = pg_listen_stop,
    .listen_quiet = pg_listen_quiet,
    .listen_echo = pg_listen_echo,
    /* flushed, not inserted: WAL inserted after the last commit may stay unwritten while the
     * primary idles, and a replica would wait for it for nothing. A commit flushes everything
     * inserted before it (synchronous_commit on, which flush_commits_sql makes sure of). */
    .wal_flush_sql = "SELECT pg_current_wal_flush_lsn()::text",
    .wal_replay_sql = "SELECT pg_last_wal_replay_lsn()::text",
    .flush_commits_sql = "SET synchronous_commit = on",
};
