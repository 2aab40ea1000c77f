/* Test support: the query plans of list statements (issue 12, "list SQL built from the filters
 * present"). A list built with wh_sqlb must be planned as an index seek on a table large enough
 * for the planners to care, on page 1 and on a deep page:
 *
 *   - SQLite's EXPLAIN QUERY PLAN never says "SCAN <table>" when a filter or a cursor is
 *     given (page 1 without a filter may read the table or the list's index in order), never
 *     "USE TEMP B-TREE FOR ORDER BY" (the list is read in index order, not sorted), and its
 *     "SEARCH <table>" line names the filter (or, on a deep page, the cursor's column);
 *   - PostgreSQL's generic plan (PREPARE / EXPLAIN EXECUTE with plan_cache_mode =
 *     force_generic_plan: the plan for any parameter values, as a server re-using prepared
 *     statements gets it) has no "Seq Scan on <table>", no Sort, and an "Index Cond" on a
 *     selective filter (a user, an agent: one row in a few hundred) or, on a deep page, the
 *     cursor. For a filter that a large share of the rows match (a venture: one in twenty; a
 *     status, a role, a flag) the planner may rightly prefer reading the list's own index in
 *     order, which is also correlated with the table's physical order, and filtering: a page
 *     of 50 is found after a thousand rows at most, at any depth.
 *
 * Header-only like tempdb.h (one .c per test executable). plan_pg_open/plan_pg_close give a
 * migrated PostgreSQL database of its own on the test server (WH_TEST_PG_ADMIN_URL, set by
 * scripts/test; the test fails without it). Include cmocka before this header. */
#ifndef WH_TESTS_SUPPORT_PLANS_H
#define WH_TESTS_SUPPORT_PLANS_H

#include "tempdb.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PLAN_ROWS "20000" /* rows of each listed table */

/* The list: its table, its name in the statement (the alias, or the table), and the column
 * its cursor seeks (SQLite calls an INTEGER PRIMARY KEY "rowid" inside an index). */
typedef struct {
    const char *table, *alias;
    const char *cursor_sqlite, *cursor_pg;
    /* why the list's order cannot be read from an index (it is then sorted), or NULL */
    const char *sorted_because;
} plan_list;

/* One filter alone: what the seek must be on (NULL: no filter), whether it is selective
 * enough (one row in a few hundred) that PostgreSQL must seek it too, and why its rows may
 * be sorted (NULL: they may not). */
typedef struct {
    const char *name;
    const char *column;
    bool selective;
    const char *sorted_because;
} plan_case;

/* A range of days on a list ordered by a time (the call logs by started_at, the loads by
 * created_at): the index led by the day yields the range's rows in (day, time) order, which
 * the planner cannot know to be the time's order, so it either seeks the range and sorts its
 * rows (a few days' worth) or reads the time's index and filters; both are bounded, neither
 * reads the table. */
#define DAY_RANGE "a day range, ordered by the time"

/* One filter alone, never sorted */
#define FILTER(name, col, selective)                                                               \
    {                                                                                              \
        (name), (col), (selective), NULL                                                           \
    }

static inline void plan_exec(tempdb *t, const char *sql)
{
    wh_error e;
    wh_error_init(&e);
    if (wh_db_script(t->conn, sql, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
}

/* The temporary table nums(g) holding 1..PLAN_ROWS, for set-based fills. */
static inline void plan_nums(tempdb *t, bool pg)
{
    plan_exec(t, pg ? "CREATE TEMP TABLE nums AS SELECT generate_series(1, " PLAN_ROWS ") AS g"
                    : "CREATE TEMP TABLE nums AS WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL"
                      " SELECT g + 1 FROM s WHERE g < " PLAN_ROWS ") SELECT g FROM s");
}

static inline void plan_fill(tempdb *t, const char *const *sql, size_t n)
{
    for (size_t i = 0; i < n; i++)
        plan_exec(t, sql[i]);
}

/* EXECUTE plan_q(…) with the builder's values written as literals (the tests' own values: no
 * quote inside). */
static inline void plan_execute_sql(const wh_sqlb *b, char *sql, size_t size)
{
    size_t n = (size_t)snprintf(sql, size, "EXPLAIN EXECUTE plan_q(");
    for (int i = 0; i < b->n && n < size; i++) {
        const wh_param *p = &b->params[i];
        const char *sep = i ? ", " : "";
        if (p->type == WH_P_TEXT)
            n += (size_t)snprintf(sql + n, size - n, "%s'%s'", sep, p->s);
        else if (p->type == WH_P_BOOL)
            n += (size_t)snprintf(sql + n, size - n, "%s%s", sep, p->i ? "true" : "false");
        else
            n += (size_t)snprintf(sql + n, size - n, "%s%lld", sep, (long long)p->i);
    }
    if (n < size)
        snprintf(sql + n, size - n, ")");
}

/* The plan's text, one line per row of EXPLAIN [QUERY PLAN]. */
static inline const char *plan_of(tempdb *t, bool pg, const wh_sqlb *b)
{
    static char out[8192];
    char sql[WH_LIMIT_SQLB_CHARS + 512];
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    wh_err rc;
    if (pg) {
        snprintf(sql, sizeof sql, "DEALLOCATE ALL; PREPARE plan_q AS %s", b->sql);
        plan_exec(t, sql);
        plan_execute_sql(b, sql, sizeof sql);
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

/* Does text[0..len) hold s? */
static inline bool plan_span_has(const char *text, size_t len, const char *s)
{
    for (const char *c = text; c + strlen(s) <= text + len; c++)
        if (strncmp(c, s, strlen(s)) == 0)
            return true;
    return false;
}

/* Does a line of plan holding head followed by the word table mention col (any line when col
 * is NULL)? With next, the line after it is the one that must mention col, as an "Index Cond"
 * (PostgreSQL writes a scan's conditions on the lines after "Index Scan using … on table", the
 * index's first). */
static inline bool plan_line_has(const char *plan, const char *head, const char *table,
                                 const char *col, bool next)
{
    for (const char *l = plan; (l = strstr(l, head)) != NULL; l++) {
        const char *rest = l + strlen(head);
        if (strncmp(rest, table, strlen(table)) != 0 ||
            (rest[strlen(table)] != ' ' && rest[strlen(table)] != '\n'))
            continue;
        if (!col)
            return true;
        const char *line = l, *end = strchr(l, '\n');
        if (next && end) {
            line = end + 1;
            end = strchr(line, '\n');
        }
        size_t len = end ? (size_t)(end - line) : strlen(line);
        bool cond = plan_span_has(line, len, "Index Cond: ") ||
                    plan_span_has(line, len, "Recheck Cond: "); /* a bitmap scan's */
        if ((!next || cond) && plan_span_has(line, len, col))
            return true;
    }
    return false;
}

/* Is the listed table read by an index seek on col? */
static inline bool plan_seeks(const char *plan, bool pg, const plan_list *l, const char *col)
{
    return pg ? plan_line_has(plan, " on ", l->table, col, true)
              : plan_line_has(plan, "SEARCH ", l->alias, col, false);
}

/* Asserts the plan of b, the statement of list l with filter fc alone, on page 1 or deep. */
static inline void plan_check(tempdb *t, bool pg, const plan_list *l, const plan_case *fc,
                              bool deep, const wh_sqlb *b)
{
    const char *plan = plan_of(t, pg, b), *where = deep ? "deep page" : "page 1";
    const char *engine = pg ? "PostgreSQL" : "SQLite";
    bool filtered = fc->column != NULL;
    if (pg && plan_line_has(plan, "Seq Scan on ", l->table, NULL, false))
        fail_msg("%s, %s %s, %s: a sequential scan:\n%s\n%s", engine, l->table, fc->name, where,
                 b->sql, plan);
    if (!pg && (filtered || deep) && plan_line_has(plan, "SCAN ", l->alias, NULL, false))
        fail_msg("%s, %s %s, %s: scans the table:\n%s\n%s", engine, l->table, fc->name, where,
                 b->sql, plan);
    if (!l->sorted_because && !fc->sorted_because &&
        strstr(plan, pg ? "Sort" : "TEMP B-TREE FOR ORDER BY"))
        fail_msg("%s, %s %s, %s: sorted, not read in index order:\n%s\n%s", engine, l->table,
                 fc->name, where, b->sql, plan);
    const char *col = fc->column;
    if (pg && !fc->selective) /* the planner may read the list's order and filter */
        col = NULL;
    const char *cursor = deep ? (pg ? l->cursor_pg : l->cursor_sqlite) : NULL;
    bool seeks_col = col && plan_seeks(plan, pg, l, col);
    /* PostgreSQL's generic plan may start a deep page at the cursor's position in the list's
     * own index and filter a selective column there */
    if (col && !seeks_col && !(pg && cursor && plan_seeks(plan, pg, l, cursor)))
        fail_msg("%s, %s %s, %s: no index seek on %s:\n%s\n%s", engine, l->table, fc->name, where,
                 col, b->sql, plan);
    if (!col && cursor && !plan_seeks(plan, pg, l, cursor))
        fail_msg("%s, %s %s, %s: no index seek on the cursor (%s):\n%s\n%s", engine, l->table,
                 fc->name, where, cursor, b->sql, plan);
}

/* ---- PostgreSQL: a database of its own on the test server ---- */

static inline wh_err plan_admin_script(const char *sql, wh_error *e)
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

/* Runs "<what> <db>" ("DROP DATABASE IF EXISTS", "CREATE DATABASE") as the admin. */
static inline void plan_admin(const char *what, const char *db)
{
    char sql[256];
    wh_error e;
    wh_error_init(&e);
    snprintf(sql, sizeof sql, "%.64s %.63s", what, db);
    if (plan_admin_script(sql, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
}

/* Creates and migrates database "<prefix>_<pid>" and fills t as tempdb_setup does. */
static inline void plan_pg_open(tempdb *t, const char *prefix)
{
    const char *admin = getenv("WH_TEST_PG_ADMIN_URL");
    if (!admin || !*admin)
        fail_msg("WH_TEST_PG_ADMIN_URL is not set: run the tests with scripts/test (make test)");
    wh_error e;
    wh_error_init(&e);
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "%.32s_%ld", prefix, (long)getpid()); /* the database */
    plan_admin("DROP DATABASE IF EXISTS", t->dir);
    plan_admin("CREATE DATABASE", t->dir);
    const char *slash = strrchr(admin, '/');
    snprintf(t->url, sizeof t->url, "%.*s/%s", (int)(slash - admin), admin, t->dir);
    wh_arena_init(&t->arena);
    if (wh_db_open(t->url, 2, &t->db, &e) != WH_OK ||
        wh_db_migrate(t->db, &t->applied, &e) != WH_OK ||
        wh_db_acquire(t->db, &t->conn, &e) != WH_OK)
        fail_msg("%s: %s", t->url, e.detail);
}

static inline void plan_pg_close(tempdb *t)
{
    wh_db_release(t->db, t->conn);
    wh_db_free(t->db);
    wh_arena_cleanup(&t->arena);
    plan_admin("DROP DATABASE IF EXISTS", t->dir);
}

#endif
