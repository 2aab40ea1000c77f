/* The db interface on SQLite: parameter binding of every type, result accessors, constraint
 * errors, transactions (rollback, commit, release with a transaction open), held commits (the
 * Idempotency-Key answer joins the handler's transaction), the group commit of concurrent
 * writers (db/writer.c) and migrations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/tempdb.h"

#include "db/db.h"
#include "db/db_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TRICKY_TEXT                                                                                \
    "it's \"quoted\"; DROP TABLE t; -- Z\xC3\xBCrich \xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x9A\x9A "   \
    "$1 ? %s \\ \t\n end"

static int setup(void **state)
{
    if (tempdb_setup(state) != 0)
        return -1;
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    if (wh_db_script(t->conn,
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, s TEXT, b INTEGER,"
                     " u TEXT UNIQUE)",
                     &e) != WH_OK) {
        fprintf(stderr, "create table: %s\n", e.detail);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    return tempdb_teardown(state);
}

static wh_rows *query(tempdb *t, wh_conn *c, const char *sql, const wh_param *p, int n)
{
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    if (wh_db_query(c, &t->arena, sql, p, n, &r, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
    assert_non_null(r);
    return r;
}

static int64_t count_rows(tempdb *t, wh_conn *c)
{
    wh_rows *r = query(t, c, "SELECT COUNT(*) FROM t", NULL, 0);
    assert_int_equal(wh_rows_count(r), 1);
    return wh_rows_int(r, 0, 0);
}

static void test_fixture(void **state)
{
    tempdb *t = *state;
    int in_use = -1, size = -1;
    assert_int_equal(wh_db_engine_get(t->db), WH_DB_SQLITE);
    assert_true(t->applied >= 1);
    wh_db_pool_stats(t->db, &in_use, &size);
    assert_int_equal(in_use, 1);
    assert_int_equal(size, 2);
    assert_true(access(t->dir, F_OK) == 0);
}

static void test_params_round_trip_in_select(void **state)
{
    tempdb *t = *state;
    wh_rows *r = query(t, t->conn, "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9",
                       WH_ARGS(WH_PN, WH_PI(INT64_MAX), WH_PI(INT64_MIN), WH_PI(0), WH_PI(-1),
                               WH_PT(TRICKY_TEXT), WH_PB(true), WH_PB(false), WH_PT(NULL)));
    assert_int_equal(wh_rows_count(r), 1);
    assert_true(wh_rows_null(r, 0, 0));
    assert_null(wh_rows_text(r, 0, 0));
    assert_int_equal(wh_rows_int(r, 0, 0), 0);
    assert_false(wh_rows_bool(r, 0, 0));

    assert_string_equal(wh_rows_text(r, 0, 1), "9223372036854775807");
    assert_true(wh_rows_int(r, 0, 1) == INT64_MAX);
    assert_string_equal(wh_rows_text(r, 0, 2), "-9223372036854775808");
    /* wh_rows_int of INT64_MIN: see test_rows_int_of_int64_min */
    assert_true(wh_rows_int(r, 0, 3) == 0);
    assert_true(wh_rows_int(r, 0, 4) == -1);

    assert_string_equal(wh_rows_text(r, 0, 5), TRICKY_TEXT);
    assert_false(wh_rows_null(r, 0, 5));

    assert_true(wh_rows_bool(r, 0, 6));
    assert_false(wh_rows_bool(r, 0, 7));
    assert_false(wh_rows_null(r, 0, 7)); /* false is a value, not NULL */

    /* WH_PT(NULL) binds SQL NULL */
    assert_true(wh_rows_null(r, 0, 8));
}

static void test_params_round_trip_through_table(void **state)
{
    tempdb *t = *state;
    static const struct {
        int64_t i;
        const char *itext;
        const char *s;
        bool b;
    } rows[] = {
        {INT64_MAX, "9223372036854775807", TRICKY_TEXT, true},
        {INT64_MIN, "-9223372036854775808", "", false},
        {-1, "-1", "O'Brien \"x\"", true},
    };
    wh_error e;
    wh_error_init(&e);
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        assert_int_equal(wh_db_query(t->conn, &t->arena,
                                     "INSERT INTO t (id, i, s, b) VALUES ($1, $2, $3, $4)",
                                     WH_ARGS(WH_PI((int64_t)k + 1), WH_PI(rows[k].i),
                                             WH_PT(rows[k].s), WH_PB(rows[k].b)),
                                     NULL, &e),
                         WH_OK);
    assert_int_equal(wh_db_query(t->conn, &t->arena,
                                 "INSERT INTO t (id, i, s, b) VALUES ($1, $2, $3, $4)",
                                 WH_ARGS(WH_PI(10), WH_PN, WH_PT(NULL), WH_PN), NULL, &e),
                     WH_OK);

    wh_rows *r = query(t, t->conn, "SELECT i, s, b FROM t ORDER BY id", NULL, 0);
    assert_int_equal(wh_rows_count(r), 4);
    for (size_t k = 0; k < 3; k++) {
        assert_string_equal(wh_rows_text(r, k, 0), rows[k].itext);
        if (rows[k].i != INT64_MIN) /* see test_rows_int_of_int64_min */
            assert_true(wh_rows_int(r, k, 0) == rows[k].i);
        assert_string_equal(wh_rows_text(r, k, 1), rows[k].s);
        assert_int_equal(wh_rows_bool(r, k, 2), rows[k].b);
    }
    /* the empty string is not NULL */
    assert_false(wh_rows_null(r, 1, 1));
    for (size_t col = 0; col < 3; col++)
        assert_true(wh_rows_null(r, 3, col));

    /* a text parameter compares as text: the quote and the comment are data */
    r = query(t, t->conn, "SELECT id FROM t WHERE s = $1", WH_ARGS(WH_PT(TRICKY_TEXT)));
    assert_int_equal(wh_rows_count(r), 1);
    assert_int_equal(wh_rows_int(r, 0, 0), 1);
    assert_int_equal(count_rows(t, t->conn), 4);
}

static void test_param_reused_and_skipped(void **state)
{
    tempdb *t = *state;
    /* $1 twice, $2 unused by the statement */
    wh_rows *r =
        query(t, t->conn, "SELECT $1 || '-' || $1, $3", WH_ARGS(WH_PT("ab"), WH_PI(5), WH_PI(7)));
    assert_string_equal(wh_rows_text(r, 0, 0), "ab-ab");
    assert_int_equal(wh_rows_int(r, 0, 1), 7);
}

static void test_rows_accessors_out_of_range(void **state)
{
    tempdb *t = *state;
    wh_rows *r = query(t, t->conn, "SELECT 1, 'x'", NULL, 0);
    assert_int_equal(wh_rows_count(r), 1);
    /* a row past the end reads as NULL (a column past the end is a reader's bug: asserted) */
    assert_null(wh_rows_text(r, 1, 0));
    assert_null(wh_rows_text(r, 1, 1));
    assert_int_equal(wh_rows_int(r, 5, 0), 0);
    assert_int_equal(wh_rows_count(NULL), 0);
    r = query(t, t->conn, "SELECT id FROM t", NULL, 0);
    assert_int_equal(wh_rows_count(r), 0);
}

/* An integer cell holds its value: read as a number, as text (made once, then the same), as a
 * number again and as a boolean, in any order, it is the same integer. */
static void test_integer_cells_read_every_way(void **state)
{
    tempdb *t = *state;
    wh_rows *r = query(t, t->conn, "SELECT $1, $2, $3, $4",
                       WH_ARGS(WH_PI(42), WH_PI(0), WH_PI(1), WH_PI(-7)));
    assert_int_equal(wh_rows_int(r, 0, 0), 42);
    const char *text = wh_rows_text(r, 0, 0);
    assert_string_equal(text, "42");
    assert_ptr_equal(wh_rows_text(r, 0, 0), text);
    assert_int_equal(wh_rows_int(r, 0, 0), 42);
    assert_false(wh_rows_null(r, 0, 1));
    assert_false(wh_rows_bool(r, 0, 1));
    assert_true(wh_rows_bool(r, 0, 2));
    assert_string_equal(wh_rows_text(r, 0, 3), "-7");
    assert_int_equal(wh_rows_int(r, 0, 3), -7);
}

static void test_many_rows(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    for (int k = 1; k <= 300; k++) {
        char s[16];
        snprintf(s, sizeof s, "row %d", k);
        assert_int_equal(wh_db_query(t->conn, &t->arena,
                                     "INSERT INTO t (id, i, s) VALUES ($1, $2, $3)",
                                     WH_ARGS(WH_PI(k), WH_PI(k * 1000LL), WH_PT(s)), NULL, &e),
                         WH_OK);
    }
    wh_rows *r = query(t, t->conn, "SELECT id, i, s FROM t ORDER BY id", NULL, 0);
    assert_int_equal(wh_rows_count(r), 300);
    for (size_t k = 0; k < 300; k++) {
        char s[16];
        snprintf(s, sizeof s, "row %zu", k + 1);
        assert_int_equal(wh_rows_int(r, k, 0), (int64_t)k + 1);
        assert_int_equal(wh_rows_int(r, k, 1), ((int64_t)k + 1) * 1000);
        assert_string_equal(wh_rows_text(r, k, 2), s);
    }
}

static void test_unique_violation(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "INSERT INTO t (id, u) VALUES (1, $1)",
                                 WH_ARGS(WH_PT("same")), NULL, &e),
                     WH_OK);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "INSERT INTO t (id, u) VALUES (2, $1)",
                                 WH_ARGS(WH_PT("same")), NULL, &e),
                     WH_ERR_UNIQUE);
    assert_int_equal(e.status, 409);
    assert_string_equal(e.code, "conflict");

    /* a primary key is a unique constraint too */
    wh_error_init(&e);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "INSERT INTO t (id, u) VALUES (1, 'other')",
                                 NULL, 0, NULL, &e),
                     WH_ERR_UNIQUE);
    assert_int_equal(e.status, 409);
    assert_int_equal(count_rows(t, t->conn), 1);
}

static void test_foreign_key_violation(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_query(t->conn, &t->arena,
                                 "INSERT INTO offices (venture_id, name, created_at, updated_at)"
                                 " VALUES (424242, 'Nowhere', 0, 0)",
                                 NULL, 0, NULL, &e),
                     WH_ERR_CONFLICT);
    assert_int_equal(e.status, 409);
}

static void test_other_errors(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "SELEKT 1", NULL, 0, NULL, &e), WH_ERR_DB);
    assert_int_equal(e.status, 500);
    wh_error_init(&e);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "INSERT INTO t (id, s) VALUES (1, NULL)", NULL,
                                 0, NULL, &e),
                     WH_OK);
    assert_int_equal(
        wh_db_query(t->conn, &t->arena, "SELECT * FROM no_such_table", NULL, 0, NULL, &e),
        WH_ERR_DB);
    assert_int_equal(e.status, 500);
}

static void test_rollback_discards(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_begin(t->conn, &e), WH_OK);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "INSERT INTO t (id, s) VALUES (1, 'gone')",
                                 NULL, 0, NULL, &e),
                     WH_OK);
    assert_int_equal(count_rows(t, t->conn), 1); /* visible inside the transaction */
    wh_db_rollback(t->conn);
    assert_int_equal(count_rows(t, t->conn), 0);
    /* rollback with no transaction open does nothing */
    wh_db_rollback(t->conn);
    assert_int_equal(count_rows(t, t->conn), 0);
    /* and a new transaction can start */
    assert_int_equal(wh_db_begin(t->conn, &e), WH_OK);
    assert_int_equal(wh_db_commit(t->conn, &e), WH_OK);
}

static void test_commit_persists(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_conn *other = NULL;
    wh_db *again = NULL;
    wh_error_init(&e);
    assert_int_equal(wh_db_begin(t->conn, &e), WH_OK);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "INSERT INTO t (id, s) VALUES (7, $1)",
                                 WH_ARGS(WH_PT("kept")), NULL, &e),
                     WH_OK);
    assert_int_equal(wh_db_commit(t->conn, &e), WH_OK);

    /* another connection of the pool sees it */
    assert_int_equal(wh_db_acquire(t->db, &other, &e), WH_OK);
    assert_ptr_not_equal(other, t->conn);
    wh_rows *r = query(t, other, "SELECT s FROM t WHERE id = 7", NULL, 0);
    assert_int_equal(wh_rows_count(r), 1);
    assert_string_equal(wh_rows_text(r, 0, 0), "kept");
    wh_db_release(t->db, other);

    /* and so does a new pool on the same file */
    assert_int_equal(wh_db_open(t->url, 1, &again, &e), WH_OK);
    assert_int_equal(wh_db_acquire(again, &other, &e), WH_OK);
    r = query(t, other, "SELECT s FROM t WHERE id = 7", NULL, 0);
    assert_int_equal(wh_rows_count(r), 1);
    assert_string_equal(wh_rows_text(r, 0, 0), "kept");
    wh_db_release(again, other);
    wh_db_free(again);
}

static void test_release_rolls_back(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_conn *c = NULL;
    wh_error_init(&e);
    assert_int_equal(wh_db_acquire(t->db, &c, &e), WH_OK);
    assert_int_equal(wh_db_begin(c, &e), WH_OK);
    assert_int_equal(
        wh_db_query(c, &t->arena, "INSERT INTO t (id, s) VALUES (3, 'half')", NULL, 0, NULL, &e),
        WH_OK);
    wh_db_release(t->db, c); /* with the transaction still open */

    assert_int_equal(count_rows(t, t->conn), 0);
    /* the writer lock is free again: the fixture's connection can write */
    assert_int_equal(wh_db_begin(t->conn, &e), WH_OK);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "INSERT INTO t (id, s) VALUES (3, 'real')",
                                 NULL, 0, NULL, &e),
                     WH_OK);
    assert_int_equal(wh_db_commit(t->conn, &e), WH_OK);

    /* the released connection comes back usable, outside any transaction */
    c = NULL;
    assert_int_equal(wh_db_acquire(t->db, &c, &e), WH_OK);
    assert_int_equal(wh_db_begin(c, &e), WH_OK);
    wh_rows *r = query(t, c, "SELECT s FROM t", NULL, 0);
    assert_int_equal(wh_rows_count(r), 1);
    assert_string_equal(wh_rows_text(r, 0, 0), "real");
    wh_db_rollback(c);
    wh_db_release(t->db, c);
    wh_db_release(t->db, NULL);
}

static void insert_id(tempdb *t, wh_conn *c, int64_t id)
{
    wh_error e;
    wh_error_init(&e);
    if (wh_db_query(c, &t->arena, "INSERT INTO t (id) VALUES ($1)", WH_ARGS(WH_PI(id)), NULL, &e) !=
        WH_OK)
        fail_msg("insert %lld: %s", (long long)id, e.detail);
}

static int64_t sum_ids(tempdb *t, wh_conn *c)
{
    wh_rows *r = query(t, c, "SELECT COALESCE(SUM(id), 0) FROM t", NULL, 0);
    return wh_rows_int(r, 0, 0);
}

/* While held, the user's commits end nothing others can see; a transaction begun after a held
 * commit is a savepoint (its rollback keeps what came before); the holder's own write and
 * commit make everything visible at once. */
static void test_held_commits_end_with_the_holder(void **state)
{
    tempdb *t = *state;
    wh_conn *c = NULL, *other = t->conn;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_acquire(t->db, &c, &e), WH_OK);
    wh_db_hold(c);
    assert_false(wh_db_commit_held(c));
    assert_int_equal(wh_db_begin(c, &e), WH_OK);
    insert_id(t, c, 1);
    assert_int_equal(wh_db_commit(c, &e), WH_OK);
    assert_true(wh_db_commit_held(c));
    assert_int_equal(count_rows(t, other), 0); /* not committed yet */

    assert_int_equal(wh_db_begin(c, &e), WH_OK); /* a second transaction that fails */
    insert_id(t, c, 2);
    wh_db_rollback(c);
    assert_true(wh_db_commit_held(c));
    assert_int_equal(wh_db_begin(c, &e), WH_OK); /* a third one that commits */
    insert_id(t, c, 4);
    assert_int_equal(wh_db_commit(c, &e), WH_OK);
    assert_int_equal(wh_db_begin(c, &e), WH_OK); /* a fourth left open: the holder undoes it */
    insert_id(t, c, 16);

    assert_true(wh_db_unhold(c));
    assert_int_equal(sum_ids(t, c), 1 + 4);
    insert_id(t, c, 8); /* the holder's own write, in the same transaction */
    assert_int_equal(count_rows(t, other), 0);
    assert_int_equal(wh_db_commit(c, &e), WH_OK); /* now a real COMMIT */
    assert_int_equal(sum_ids(t, other), 1 + 4 + 8);
    wh_db_release(t->db, c);
}

/* A user that never committed leaves the holder nothing: unhold says so, and the holder's
 * rollback (or a release) discards what was left open; a held commit is lost on release. */
static void test_held_without_commit_and_release_discard(void **state)
{
    tempdb *t = *state;
    wh_conn *c = NULL;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_acquire(t->db, &c, &e), WH_OK);
    wh_db_hold(c);
    assert_int_equal(wh_db_begin(c, &e), WH_OK);
    insert_id(t, c, 1);
    assert_false(wh_db_unhold(c));
    wh_db_rollback(c);
    assert_int_equal(count_rows(t, c), 0);

    wh_db_hold(c);
    assert_int_equal(wh_db_begin(c, &e), WH_OK);
    insert_id(t, c, 2);
    assert_int_equal(wh_db_commit(c, &e), WH_OK);
    wh_db_release(t->db, c); /* the holder never committed: nothing is in */
    assert_int_equal(count_rows(t, t->conn), 0);

    c = NULL; /* the connection comes back unheld: its commits are real again */
    assert_int_equal(wh_db_acquire(t->db, &c, &e), WH_OK);
    assert_false(wh_db_commit_held(c));
    assert_int_equal(wh_db_begin(c, &e), WH_OK);
    insert_id(t, c, 3);
    assert_int_equal(wh_db_commit(c, &e), WH_OK);
    assert_int_equal(count_rows(t, t->conn), 1);
    wh_db_release(t->db, c);
}

/* ---- group commit (db/writer.c) ---- */

#define GROUP_THREADS 8
#define GROUP_TXS     150

typedef struct {
    wh_db *db;
    int n;
    char failure[320]; /* empty while all went as expected */
} group_worker;

static int64_t count_id(wh_conn *c, wh_arena *a, int64_t id, wh_error *e)
{
    wh_rows *r = NULL;
    if (wh_db_query(c, a, "SELECT COUNT(*) FROM t WHERE id = $1", WH_ARGS(WH_PI(id)), &r, e) !=
        WH_OK)
        return -1;
    return wh_rows_int(r, 0, 0);
}

/* GROUP_TXS transactions of one row each; every fifth rolled back, every tenth a statement
 * outside a transaction. A commit that returned must
 * be in the database file (read on the thread's own connection, outside the writer's); a
 * rolled-back row never is. Failures are written down, asserted by the main thread. */
static void *group_work(void *arg)
{
    group_worker *g = arg;
    wh_conn *c = NULL;
    wh_error e;
    wh_arena a;
    wh_arena_init(&a);
    wh_error_init(&e);
    if (wh_db_acquire(g->db, &c, &e) != WH_OK) {
        snprintf(g->failure, sizeof g->failure, "acquire: %s", e.detail);
        wh_arena_cleanup(&a);
        return NULL;
    }
    for (int i = 0; i < GROUP_TXS && !g->failure[0]; i++) {
        int64_t id = (int64_t)g->n * 1000 + i;
        bool keep = i % 5 != 4;
        wh_error_init(&e);
        if (i % 10 == 3) { /* a write outside a transaction joins a group too */
            if (wh_db_query(c, &a, "INSERT INTO t (id, s) VALUES ($1, 'a')", WH_ARGS(WH_PI(id)),
                            NULL, &e) != WH_OK)
                snprintf(g->failure, sizeof g->failure, "autocommit %lld: %s", (long long)id,
                         e.detail);
            else if (count_id(c, &a, id, &e) != 1)
                snprintf(g->failure, sizeof g->failure, "row %lld is missing", (long long)id);
            continue;
        }
        if (wh_db_begin(c, &e) != WH_OK ||
            wh_db_query(c, &a, "INSERT INTO t (id, s) VALUES ($1, 'g')", WH_ARGS(WH_PI(id)), NULL,
                        &e) != WH_OK) {
            snprintf(g->failure, sizeof g->failure, "transaction %lld: %s", (long long)id,
                     e.detail);
            break;
        }
        if (keep && wh_db_commit(c, &e) != WH_OK) {
            snprintf(g->failure, sizeof g->failure, "commit %lld: %s", (long long)id, e.detail);
            break;
        }
        if (!keep)
            wh_db_rollback(c);
        if (count_id(c, &a, id, &e) != (keep ? 1 : 0))
            snprintf(g->failure, sizeof g->failure, "row %lld is %s", (long long)id,
                     keep ? "missing after its commit" : "there after its rollback");
        wh_arena_cleanup(&a);
        wh_arena_init(&a);
    }
    wh_db_release(g->db, c);
    wh_arena_cleanup(&a);
    return NULL;
}

/* Eight threads writing at once: every committed row is there, no rolled-back one is, and the
 * writers (statements outside a transaction too) were committed in groups (fewer COMMITs than
 * transactions). */
static void test_group_commit_of_concurrent_writers(void **state)
{
    tempdb *t = *state;
    wh_db *db = NULL;
    wh_error e;
    pthread_t th[GROUP_THREADS];
    group_worker w[GROUP_THREADS];
    uint64_t txs = 0, batches = 0;
    wh_error_init(&e);
    alarm(120); /* a writer that never hears of its group's end fails the test, not hangs it */
    assert_int_equal(wh_db_open(t->url, GROUP_THREADS + 1, &db, &e), WH_OK);
    for (int i = 0; i < GROUP_THREADS; i++) {
        w[i] = (group_worker){.db = db, .n = i + 1};
        assert_int_equal(pthread_create(&th[i], NULL, group_work, &w[i]), 0);
    }
    for (int i = 0; i < GROUP_THREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failure[0])
            fail_msg("writer %d: %s", i + 1, w[i].failure);
    }
    int kept = GROUP_THREADS * (GROUP_TXS - GROUP_TXS / 5);
    assert_int_equal(count_rows(t, t->conn), kept);
    wh_db_group_stats(db, &txs, &batches);
    assert_int_equal(txs, kept);
    assert_true(batches >= 1 && batches < txs);
    wh_db_free(db);
    alarm(0);
}

typedef struct {
    wh_conn *c;
    const char *sql;
    wh_err begun, ran;
} second_writer;

/* The second writer of a group: begins (waiting for the first), runs its statement and rolls
 * back. */
static void *second_write(void *arg)
{
    second_writer *s = arg;
    wh_error e;
    wh_arena a;
    wh_arena_init(&a);
    wh_error_init(&e);
    s->begun = wh_db_begin(s->c, &e);
    if (s->begun == WH_OK) {
        s->ran = wh_db_query(s->c, &a, s->sql, NULL, 0, NULL, &e);
        wh_db_rollback(s->c);
    }
    wh_arena_cleanup(&a);
    return NULL;
}

/* first, in a transaction, commits while s waits for the writer (so both are one group);
 * returns what first's commit returned. */
static wh_err commit_with_a_second_writer(tempdb *t, wh_conn *first, second_writer *s)
{
    pthread_t th;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(pthread_create(&th, NULL, second_write, s), 0);
    while (wh_writer_waiting(t->db) == 0) /* the second writer waits for the first */
        usleep(1000);
    /* the first commits into the group, hands the writer on and waits for the group's end */
    wh_err rc = wh_db_commit(first, &e);
    pthread_join(th, NULL);
    assert_int_equal(s->begun, WH_OK);
    if (rc != WH_OK)
        assert_int_equal(e.status, 500);
    return rc;
}

/* In one group: a member's rollback takes only its own row; a statement that makes SQLite roll
 * back the whole group's transaction fails every member's commit, and the next writer starts a
 * fresh group. */
static void test_group_members_fail_together_when_the_engine_rolls_back(void **state)
{
    tempdb *t = *state;
    wh_conn *first = NULL;
    wh_error e;
    uint64_t txs = 0, batches = 0, txs0 = 0, batches0 = 0;
    wh_error_init(&e);
    alarm(60); /* a member that never hears of its group's end fails the test, not hangs it */
    wh_db_group_stats(t->db, &txs0, &batches0); /* the fixture's migrations */
    insert_id(t, t->conn, 1);                   /* outside a transaction: a group of its own */
    assert_int_equal(
        wh_db_query(t->conn, &t->arena, "UPDATE t SET u = 'one' WHERE id = 1", NULL, 0, NULL, &e),
        WH_OK);
    assert_int_equal(wh_db_acquire(t->db, &first, &e), WH_OK);

    assert_int_equal(wh_db_begin(first, &e), WH_OK);
    insert_id(t, first, 4);
    second_writer undone = {.c = t->conn, .sql = "INSERT INTO t (id) VALUES (2)"};
    assert_int_equal(commit_with_a_second_writer(t, first, &undone), WH_OK);
    assert_int_equal(undone.ran, WH_OK);
    assert_int_equal(sum_ids(t, t->conn), 1 + 4);
    wh_db_group_stats(t->db, &txs, &batches);
    assert_int_equal(txs - txs0, 3); /* the insert, the update, the first writer */
    assert_int_equal(batches - batches0, 3);

    assert_int_equal(wh_db_begin(first, &e), WH_OK);
    insert_id(t, first, 10);
    second_writer breaker = {.c = t->conn,
                             .sql = "INSERT OR ROLLBACK INTO t (id, u) VALUES (21, 'one')"};
    assert_int_not_equal(commit_with_a_second_writer(t, first, &breaker), WH_OK);
    assert_int_not_equal(breaker.ran, WH_OK);
    assert_int_equal(sum_ids(t, t->conn), 1 + 4); /* neither 10 nor 21 */

    assert_int_equal(wh_db_begin(first, &e), WH_OK); /* a fresh group */
    insert_id(t, first, 8);
    assert_int_equal(wh_db_commit(first, &e), WH_OK);
    assert_int_equal(sum_ids(t, t->conn), 1 + 4 + 8);
    /* a second begin on a connection in a transaction fails at once (it would wait for itself) */
    assert_int_equal(wh_db_begin(first, &e), WH_OK);
    wh_error_init(&e);
    assert_int_not_equal(wh_db_begin(first, &e), WH_OK);
    wh_db_rollback(first);
    wh_db_release(t->db, first);
    alarm(0);
}

static void test_migrate_twice_applies_nothing(void **state)
{
    tempdb *t = *state;
    wh_error e;
    int applied = -1;
    wh_error_init(&e);
    wh_rows *r = query(t, t->conn, "SELECT COUNT(*) FROM schema_migrations", NULL, 0);
    assert_int_equal(wh_rows_int(r, 0, 0), t->applied);

    assert_int_equal(wh_db_migrate(t->db, &applied, &e), WH_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(wh_db_migrate(t->db, &applied, &e), WH_OK);
    assert_int_equal(applied, 0);

    r = query(t, t->conn, "SELECT COUNT(*) FROM schema_migrations", NULL, 0);
    assert_int_equal(wh_rows_int(r, 0, 0), t->applied);
    /* the schema is there: a table of the first migration answers */
    r = query(t, t->conn, "SELECT COUNT(*) FROM ventures", NULL, 0);
    assert_int_equal(wh_rows_int(r, 0, 0), 0);
}

/* wh_rows_int must give back the smallest int64 that went in. Its digit loop accumulates the
 * magnitude in a signed int64, so for "-9223372036854775808" the last step overflows
 * (undefined behaviour; UBSan aborts here). Kept last in the group so that, under the
 * sanitizers, every other test still runs first. */
static void test_rows_int_of_int64_min(void **state)
{
    tempdb *t = *state;
    wh_rows *r =
        query(t, t->conn, "SELECT $1, $2", WH_ARGS(WH_PI(INT64_MIN), WH_PI(INT64_MIN + 1)));
    assert_string_equal(wh_rows_text(r, 0, 0), "-9223372036854775808");
    assert_true(wh_rows_int(r, 0, 1) == INT64_MIN + 1);
    assert_true(wh_rows_int(r, 0, 0) == INT64_MIN);
}

static void test_open_bad_url(void **state)
{
    (void)state;
    static char dummy;
    wh_db *db = (wh_db *)&dummy; /* anything but NULL, to see it cleared */
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_open("mysql://localhost/x", 1, &db, &e), WH_ERR_INVALID);
    assert_null(db);
    assert_int_equal(e.status, 400);
    assert_int_equal(e.nfields, 1);
    assert_string_equal(e.fields[0].field, "WH_DATABASE_URL");

    wh_error_init(&e);
    db = (wh_db *)&dummy;
    assert_int_not_equal(wh_db_open("sqlite:/nonexistent-dir-wh/x/t.db", 1, &db, &e), WH_OK);
    assert_null(db);
    assert_int_equal(e.status, 503);
    wh_db_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fixture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params_round_trip_in_select, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params_round_trip_through_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_reused_and_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_accessors_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integer_cells_read_every_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_violation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_key_violation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_discards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_persists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_commits_end_with_the_holder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_without_commit_and_release_discard, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_of_concurrent_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_members_fail_together_when_the_engine_rolls_back,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_twice_applies_nothing, setup, teardown),
        cmocka_unit_test(test_open_bad_url),
        cmocka_unit_test_setup_teardown(test_rows_int_of_int64_min, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
