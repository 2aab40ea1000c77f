/* The load list's statements seek an index (issue 12, "list SQL built from the filters
 * present"): on a table large enough for the planners to care (20,000 loads in 20 ventures,
 * analysed), each filter alone, on page 1 and on a deep page, is planned as an index search,
 * never a scan of loads filtered row by row. SQLite's EXPLAIN QUERY PLAN must not say
 * "SCAN loads" (page 1 without any filter may read the list's own index in order); PostgreSQL's
 * EXPLAIN must show an index scan of loads and no "Seq Scan on loads". The PostgreSQL half needs
 * WH_TEST_PG_ADMIN_URL (scripts/test sets it) and fails without it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/tempdb.h"
#include "auth/auth.h"
#include "freight/freight.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Rows every plan needs (ventures, a user, offices, shippers, carriers), then 20,000 loads
 * spread over them, four statuses and 90 days; nums(g) holds 1..20000. */
static const char *const fill_sql[] = {
    "INSERT INTO ventures (id, name, code, type, created_at, updated_at) SELECT g, 'V' || g,"
    " 'V' || g, 'LOGISTICS', 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO users (id, email, full_name, role, created_at, updated_at) VALUES (1,"
    " 'u@x.test', 'U', 'DISPATCHER', 0, 0)",
    "INSERT INTO venture_users (user_id, venture_id, created_at) VALUES (1, 1, 0)",
    "INSERT INTO offices (id, venture_id, name, created_at, updated_at) SELECT g, g, 'O' || g,"
    " 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO shippers (id, venture_id, name, code, created_at, updated_at) SELECT g, g, 'S'"
    " || g, 'S' || g, 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO carriers (id, name, legal_name, dot_number, created_at, updated_at) SELECT g,"
    " 'C' || g, 'C' || g, '9' || g, 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO loads (venture_id, office_id, reference, shipper_id, carrier_id, created_by,"
    " pickup_city, pickup_state, drop_city, drop_state, status, created_day, created_at,"
    " updated_at) SELECT 1 + g % 20, 1 + g % 20, 'REF-' || g, 1 + g % 20, 1 + g % 20, 1, 'A',"
    " 'IL', 'B', 'TX', CASE g % 4 WHEN 0 THEN 'OPEN' WHEN 1 THEN 'WORKING' WHEN 2 THEN"
    " 'COVERED' ELSE 'DELIVERED' END, '2026-0' || (1 + g % 9) || '-1' || (g % 10),"
    " 1700000000000 + g * 1000, 0 FROM nums",
    "ANALYZE",
};

typedef struct {
    const char *name;
    const char *column; /* what the index seek must be on (NULL: none) */
    wh_load_filter f;
} filter_case;

static filter_case cases[] = {
    {"none", NULL, {0}},
    {"venture_id", "venture_id", {.venture_id = 3}},
    {"office_id", "office_id", {.office_id = 4}},
    {"status", "status", {.status = "COVERED"}},
    {"shipper_id", "shipper_id", {.shipper_id = 5}},
    {"carrier_id", "carrier_id", {.carrier_id = 6}},
    {"created_by", "created_by", {.created_by = 1}},
    {"from+to", "created_day", {.from = "2026-03-10", .to = "2026-03-12"}},
};

static void exec(tempdb *t, const char *sql)
{
    wh_error e;
    wh_error_init(&e);
    if (wh_db_script(t->conn, sql, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
}

static void fill(tempdb *t, bool pg)
{
    exec(t, pg ? "CREATE TEMP TABLE nums AS SELECT generate_series(1, 20000) AS g"
               : "CREATE TEMP TABLE nums AS WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT"
                 " g + 1 FROM s WHERE g < 20000) SELECT g FROM s");
    for (size_t i = 0; i < sizeof fill_sql / sizeof fill_sql[0]; i++)
        exec(t, fill_sql[i]);
}

/* The plan's text, one line per row of EXPLAIN [QUERY PLAN]. On PostgreSQL the statement is
 * prepared and explained with plan_cache_mode = force_generic_plan: the plan for any parameter
 * values, as a server re-using prepared statements gets it, not one folded for these values. */
static const char *plan_of(tempdb *t, bool pg, const wh_sqlb *b)
{
    static char out[8192];
    char sql[WH_LIMIT_SQLB_CHARS + 512];
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    wh_err rc;
    if (pg) {
        size_t n =
            (size_t)snprintf(sql, sizeof sql, "DEALLOCATE ALL; PREPARE plan_q AS %s", b->sql);
        (void)n;
        exec(t, sql);
        n = (size_t)snprintf(sql, sizeof sql, "EXPLAIN EXECUTE plan_q(");
        for (int i = 0; i < b->n; i++) {
            const wh_param *p = &b->params[i];
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", i ? ", " : "");
            if (p->type == WH_P_TEXT) /* the test's own values: no quote inside */
                n += (size_t)snprintf(sql + n, sizeof sql - n, "'%s'", p->s);
            else if (p->type == WH_P_BOOL)
                n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", p->i ? "true" : "false");
            else
                n += (size_t)snprintf(sql + n, sizeof sql - n, "%lld", (long long)p->i);
        }
        snprintf(sql + n, sizeof sql - n, ")");
        rc = wh_db_query(t->conn, &t->arena, sql, NULL, 0, &r, &e);
    } else {
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", b->sql);
        rc = wh_db_query(t->conn, &t->arena, sql, b->params, b->n, &r, &e);
    }
    if (rc != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
    out[0] = '\0';
    for (size_t i = 0; i < wh_rows_count(r); i++) {
        /* SQLite: (id, parent, notused, detail); PostgreSQL: one text column */
        const char *line = wh_rows_text(r, i, pg ? 0 : 3);
        strncat(out, line ? line : "", sizeof out - strlen(out) - 2);
        strncat(out, "\n", sizeof out - strlen(out) - 1);
    }
    return out;
}

/* The seek line of the plan: SQLite's "SEARCH loads USING … (cond)", PostgreSQL's
 * "Index Cond: (cond)"; NULL when there is none. */
static const char *seek_of(const char *plan, bool pg)
{
    return strstr(plan, pg ? "Index Cond" : "SEARCH loads USING");
}

static void check(tempdb *t, bool pg, const filter_case *fc, const wh_principal *p, bool deep)
{
    wh_sqlb b;
    wh_load_filter f = fc->f;
    f.limit = 51;
    if (deep) { /* a cursor far down the list: 2,000 pages of 50 would be 100,000 rows */
        f.after = true;
        f.after_at = 1700000000000 + 5000 * 1000;
        f.after_id = 5000;
    }
    wh_load_list_sql(p, &f, &b);
    const char *plan = plan_of(t, pg, &b), *seek = seek_of(plan, pg);
    const char *where = deep ? "deep page" : "page 1";
    if (pg && strstr(plan, "Seq Scan on loads"))
        fail_msg("PostgreSQL, %s, %s: a sequential scan:\n%s\n%s", fc->name, where, b.sql, plan);
    if (!pg && strstr(plan, "SCAN loads") && (fc->column || deep))
        fail_msg("SQLite, %s, %s: scans loads:\n%s\n%s", fc->name, where, b.sql, plan);
    if (!pg && !fc->column && !deep && strstr(plan, "TEMP B-TREE"))
        fail_msg("SQLite, no filter: the list is sorted, not read in index order:\n%s", plan);
    /* the list is read in index order, never sorted */
    if (pg && strstr(plan, "Sort"))
        fail_msg("PostgreSQL, %s, %s: sorted:\n%s\n%s", fc->name, where, b.sql, plan);
    /* a filter (or a cursor) is the index's seek condition, not a filter on rows read. SQLite
     * must seek every filter. PostgreSQL's planner may prefer reading the list's own index in
     * order and filtering when a value is common (a quarter of the rows has each status here),
     * which is the cheaper plan for a page of 50; it must seek the venture (the filter every
     * list has, one twentieth of the rows) and, on a deep page, the cursor. */
    const char *col = fc->column ? fc->column : deep ? "created_at" : NULL;
    if (pg && col && strcmp(col, "venture_id") != 0)
        col = deep ? "created_at" : NULL;
    if (col && (!seek || !strstr(seek, col)))
        fail_msg("%s, %s, %s: no index seek on %s:\n%s\n%s", pg ? "PostgreSQL" : "SQLite", fc->name,
                 where, col, b.sql, plan);
}

static void check_all(tempdb *t, bool pg)
{
    wh_principal all = {.id = 1, .role = WH_ROLE_CEO, .all_ventures = true};
    wh_principal member = {.id = 1, .role = WH_ROLE_DISPATCHER, .all_ventures = false};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check(t, pg, &cases[i], &all, false);
        check(t, pg, &cases[i], &all, true);
    }
    /* a member's list of one venture: the scope probe rides on the venture's index */
    check(t, pg, &cases[1], &member, false);
    check(t, pg, &cases[1], &member, true);
}

static void test_sqlite_plans_seek(void **state)
{
    tempdb *t = *state;
    fill(t, false);
    check_all(t, false);
}

/* ---- PostgreSQL: a database of its own on the test server ---- */

static char pg_db[64];

static wh_err admin_script(const char *sql, wh_error *e)
{
    wh_db *db = NULL;
    wh_conn *c = NULL;
    wh_err rc = wh_db_open(getenv("WH_TEST_PG_ADMIN_URL"), 1, &db, e);
    if (rc == WH_OK)
        rc = wh_db_acquire(db, &c, e);
    if (rc == WH_OK)
        rc = wh_db_script(c, sql, e);
    if (c)
        wh_db_release(db, c);
    wh_db_free(db);
    return rc;
}

static void test_postgres_plans_seek(void **state)
{
    (void)state;
    const char *admin = getenv("WH_TEST_PG_ADMIN_URL");
    if (!admin || !*admin)
        fail_msg("WH_TEST_PG_ADMIN_URL is not set: run the tests with scripts/test (make test)");
    char sql[256], url[512];
    wh_error e;
    wh_error_init(&e);
    snprintf(pg_db, sizeof pg_db, "whplan_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", pg_db);
    if (admin_script(sql, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_db);
    if (admin_script(sql, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
    const char *slash = strrchr(admin, '/');
    snprintf(url, sizeof url, "%.*s/%s", (int)(slash - admin), admin, pg_db);
    tempdb t = {0};
    wh_arena_init(&t.arena);
    if (wh_db_open(url, 2, &t.db, &e) != WH_OK || wh_db_migrate(t.db, &t.applied, &e) != WH_OK ||
        wh_db_acquire(t.db, &t.conn, &e) != WH_OK)
        fail_msg("%s: %s", url, e.detail);
    fill(&t, true);
    exec(&t, "SET plan_cache_mode = force_generic_plan");
    check_all(&t, true);
    wh_db_release(t.db, t.conn);
    wh_db_free(t.db);
    wh_arena_cleanup(&t.arena);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", pg_db);
    if (admin_script(sql, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_plans_seek, tempdb_setup, tempdb_teardown),
        cmocka_unit_test(test_postgres_plans_seek),
    };
    return cmocka_run_group_tests_name("freight_loads_plan", tests, NULL, NULL);
}
