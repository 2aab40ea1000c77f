/* The two engines' schemas are one schema (issue 11, "one schema source"): a fresh SQLite and a
 * fresh PostgreSQL database, each migrated by `wh_db_migrate`, are read back from their catalogs
 * as lists of facts, and the lists must be equal. Any fact found on one engine only fails the
 * test, named ("only on SQLite: index users_role on users(role,id)").
 *
 * The facts (names are compared where both engines keep the name written in the migration):
 *   table T                                  view V
 *   column T.c CLASS [not null] [default V]  CLASS: integer, text, real, blob, numeric on SQLite
 *                                            (its type affinity); on PostgreSQL bigint and boolean
 *                                            are integer (SQLite stores a flag as an INTEGER 0/1),
 *                                            text and varchar text, any other type its own name
 *                                            (int4, timestamptz ...), so a 32-bit or a
 *                                            PostgreSQL-only column differs; defaults without
 *                                            PostgreSQL's casts, true/false as 1/0
 *   primary key T(c,...)                     in key order
 *   unique T(c,...)                          a UNIQUE constraint (its name is the engine's own)
 *   index I on T(c,...) [unique] [partial]   a CREATE INDEX; an expression column is <expr>, a
 *                                            descending one "c desc"
 *   foreign key T(c->rc,...) references R on delete A on update A
 *   check T(c,...)                           a CHECK constraint, by the columns it reads (SQLite
 *                                            keeps only its text: parsed from sqlite_schema)
 *   trigger T after|before EVENT             the tables and events triggers fire on (the names
 *                                            and bodies are engine-specific by design: one
 *                                            PostgreSQL trigger may stand for three SQLite ones)
 *
 * One engine quirk is not a difference: SQLite reports a primary key column nullable unless it
 * says NOT NULL (and, but for the rowid alias INTEGER PRIMARY KEY, lets it hold NULL: a legacy
 * of SQLite's, see its CREATE TABLE documentation). The rowid alias and the three older keys
 * that take NULL on SQLite (LITE_PK_NOT_NULL) are read as not null.
 *
 * Needs the test PostgreSQL of scripts/test (WH_TEST_PG_ADMIN_URL; fails without it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/plans.h" /* plan_pg_open: a migrated PostgreSQL database of its own */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FACTS      2000
#define MAX_FACT_CHARS 512
#define MAX_CHECK_COLS 32

typedef struct {
    const char *fact[MAX_FACTS];
    size_t n;
} facts;

static void facts_add(facts *f, wh_arena *a, const char *s)
{
    if (f->n == MAX_FACTS)
        fail_msg("more than %d schema facts", MAX_FACTS);
    f->fact[f->n++] = wh_arena_strdup(a, s);
}

static void facts_add_once(facts *f, wh_arena *a, const char *s)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fact[i], s) == 0)
            return;
    facts_add(f, a, s);
}

static wh_rows *rows_of(tempdb *t, const char *sql)
{
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    if (wh_db_query(t->conn, &t->arena, sql, NULL, 0, &r, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
    return r;
}

static const char *cell(const wh_rows *r, size_t row, size_t col)
{
    const char *s = wh_rows_text(r, row, col);
    return s ? s : "";
}

/* Appends s to fact (len of MAX_FACT_CHARS used so far). */
static void fact_cat(char *fact, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n >= MAX_FACT_CHARS) {
        fail_msg("schema fact longer than %d characters: %s%s", MAX_FACT_CHARS, fact, s);
        return; /* fail_msg ends the test; gcc -O3 does not know it and warns of the copy */
    }
    memcpy(fact + *len, s, n + 1);
    *len += n;
}

static bool same_group(const wh_rows *r, size_t i, size_t j)
{
    return strcmp(cell(r, i, 0), cell(r, j, 0)) == 0 && strcmp(cell(r, i, 1), cell(r, j, 1)) == 0;
}

/* Adds one fact per group of a query returning (group, head, item, tail), ordered by group and
 * then by the items' order: "head(item,item,...)tail", or "headtail" when item is NULL. */
static void facts_query(facts *f, tempdb *t, const char *sql)
{
    wh_rows *r = rows_of(t, sql);
    size_t n = wh_rows_count(r);
    for (size_t i = 0, j; i < n; i = j) {
        char fact[MAX_FACT_CHARS] = "";
        size_t len = 0;
        bool items = !wh_rows_null(r, i, 2);
        fact_cat(fact, &len, cell(r, i, 1));
        for (j = i; j < n && same_group(r, i, j); j++)
            if (items) {
                fact_cat(fact, &len, j > i ? "," : "(");
                fact_cat(fact, &len, cell(r, j, 2));
            }
        if (items)
            fact_cat(fact, &len, ")");
        fact_cat(fact, &len, cell(r, i, 3));
        facts_add(f, &t->arena, fact);
    }
}

/* ---- SQLite ---- */

// clang-format off
#define LITE_TABLES "sqlite_schema m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
#define LITE_TABLES_FROM_P                                                                         \
    "sqlite_schema m, pragma_table_info(m.name) p"                                                 \
    " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"

/* Type affinity, by SQLite's rules (datatype3.html, 3.1) */
#define LITE_CLASS                                                                                \
    "CASE WHEN upper(p.type) LIKE '%INT%' THEN 'integer'"                                          \
    " WHEN upper(p.type) LIKE '%CHAR%' OR upper(p.type) LIKE '%CLOB%'"                             \
    " OR upper(p.type) LIKE '%TEXT%' THEN 'text'"                                                  \
    " WHEN upper(p.type) LIKE '%BLOB%' OR p.type = '' THEN 'blob'"                                 \
    " WHEN upper(p.type) LIKE '%REAL%' OR upper(p.type) LIKE '%FLOA%'"                             \
    " OR upper(p.type) LIKE '%DOUB%' THEN 'real' ELSE 'numeric' END"

/* A primary key column that SQLite reports nullable but PostgreSQL does not: a rowid alias (the
 * one INTEGER PRIMARY KEY column of a table: NULL there means "assign the next id", so it never
 * holds NULL), and three text/bigint keys that do take NULL on SQLite. Those three predate this
 * test and cannot be changed in place (SQLite adds NOT NULL only by rebuilding the table); the
 * code always writes their key. A new primary key column that is not the table's id says NOT
 * NULL, or this test names it. */
#define LITE_PK_NOT_NULL                                                                           \
    "(p.pk > 0 AND (upper(p.type) = 'INTEGER' AND (SELECT count(*)"                                \
    " FROM pragma_table_info(m.name) k WHERE k.pk > 0) = 1 OR m.name || '.' || p.name"             \
    " IN ('settings.key', 'job_leases.name', 'schema_migrations.version')))"

static const char *const lite_queries[] = {
    "SELECT m.name, m.type || ' ' || m.name, NULL, '' FROM sqlite_schema m"
    " WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%'",

    "SELECT m.name || '.' || p.name, 'column ' || m.name || '.' || p.name, NULL,"
    " ' ' || " LITE_CLASS " || CASE WHEN p.\"notnull\" OR " LITE_PK_NOT_NULL " THEN ' not null'"
    " ELSE '' END"
    " || coalesce(' default ' || p.dflt_value, '')"
    " FROM " LITE_TABLES_FROM_P,

    "SELECT m.name, 'primary key ' || m.name, p.name, ''"
    " FROM " LITE_TABLES_FROM_P " AND p.pk > 0 ORDER BY m.name, p.pk",

    "SELECT l.name, 'unique ' || m.name, x.name, ''"
    " FROM sqlite_schema m, pragma_index_list(m.name) l, pragma_index_xinfo(l.name) x"
    " WHERE m.type = 'table' AND l.origin = 'u' AND x.key ORDER BY l.name, x.seqno",

    "SELECT l.name, 'index ' || l.name || ' on ' || m.name,"
    " coalesce(x.name, '<expr>') || CASE WHEN x.\"desc\" THEN ' desc' ELSE '' END,"
    " CASE WHEN l.\"unique\" THEN ' unique' ELSE '' END"
    " || CASE WHEN l.partial THEN ' partial' ELSE '' END"
    " FROM sqlite_schema m, pragma_index_list(m.name) l, pragma_index_xinfo(l.name) x"
    " WHERE m.type = 'table' AND l.origin = 'c' AND x.key ORDER BY l.name, x.seqno",

    "SELECT m.name || '#' || f.id, 'foreign key ' || m.name, f.\"from\" || '->' || f.\"to\","
    " ' references ' || f.\"table\" || ' on delete ' || lower(f.on_delete)"
    " || ' on update ' || lower(f.on_update)"
    " FROM sqlite_schema m, pragma_foreign_key_list(m.name) f"
    " WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq",
};
// clang-format on

/* The next token of SQL text at *s (a word, or one other character), skipping white space,
 * comments and quoted text; sets *len (0 at the end). */
static const char *sql_token(const char **s, size_t *len)
{
    const char *p = *s;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        const char *e = NULL;
        if (p[0] == '-' && p[1] == '-')
            e = p + strcspn(p, "\n");
        else if (p[0] == '/' && p[1] == '*')
            e = strstr(p + 2, "*/") ? strstr(p + 2, "*/") + 2 : p + strlen(p);
        else if (*p == '\'')
            e = strchr(p + 1, '\'') ? strchr(p + 1, '\'') + 1 : p + strlen(p);
        if (!e)
            break;
        p = e;
    }
    const char *tok = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    if (p == tok && *p)
        p++;
    *len = (size_t)(p - tok);
    *s = p;
    return tok;
}

static bool token_is(const char *tok, size_t len, const char *w)
{
    return strlen(w) == len && strncasecmp(tok, w, len) == 0;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The columns of table (named in cols) that the CHECK body at *s (after its "(") reads, sorted,
 * as "check T(a,b)". */
static void lite_check(facts *f, tempdb *t, const char *table, const wh_rows *cols, const char **s)
{
    const char *used[MAX_CHECK_COLS];
    size_t n = 0, len = 0, toklen;
    char fact[MAX_FACT_CHARS] = "";
    for (int depth = 1; depth > 0;) {
        const char *tok = sql_token(s, &toklen);
        if (toklen == 0)
            fail_msg("%s: unbalanced CHECK", table);
        depth += token_is(tok, toklen, "(") - token_is(tok, toklen, ")");
        for (size_t c = 0; c < wh_rows_count(cols) && n < MAX_CHECK_COLS; c++)
            if (token_is(tok, toklen, cell(cols, c, 0))) {
                used[n++] = cell(cols, c, 0);
                break;
            }
    }
    qsort(used, n, sizeof *used, by_text);
    fact_cat(fact, &len, "check ");
    fact_cat(fact, &len, table);
    fact_cat(fact, &len, "(");
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(used[i], used[i - 1]) != 0) {
            fact_cat(fact, &len, i ? "," : "");
            fact_cat(fact, &len, used[i]);
        }
    fact_cat(fact, &len, ")");
    facts_add(f, &t->arena, fact);
}

/* SQLite keeps CHECK constraints only in the CREATE TABLE text. */
static void lite_checks(facts *f, tempdb *t)
{
    wh_rows *tables = rows_of(t, "SELECT m.name, m.sql FROM " LITE_TABLES);
    for (size_t i = 0; i < wh_rows_count(tables); i++) {
        const char *table = cell(tables, i, 0), *s = cell(tables, i, 1), *tok;
        char sql[256];
        size_t len;
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", table);
        wh_rows *cols = rows_of(t, sql);
        while ((tok = sql_token(&s, &len)), len > 0)
            if (token_is(tok, len, "CHECK")) {
                tok = sql_token(&s, &len);
                assert_true(token_is(tok, len, "("));
                lite_check(f, t, table, cols, &s);
            }
    }
}

/* "trigger T after insert": the timing and event words of each CREATE TRIGGER. */
static void lite_triggers(facts *f, tempdb *t)
{
    wh_rows *r = rows_of(t, "SELECT tbl_name, sql FROM sqlite_schema WHERE type = 'trigger'");
    for (size_t i = 0; i < wh_rows_count(r); i++) {
        const char *s = cell(r, i, 1), *tok, *timing = "before";
        char fact[MAX_FACT_CHARS], event[16] = "";
        size_t len;
        while ((tok = sql_token(&s, &len)), len > 0 && !token_is(tok, len, "ON")) {
            if (token_is(tok, len, "AFTER") || token_is(tok, len, "INSTEAD"))
                timing = token_is(tok, len, "AFTER") ? "after" : "instead of";
            else if (token_is(tok, len, "INSERT") || token_is(tok, len, "UPDATE") ||
                     token_is(tok, len, "DELETE"))
                snprintf(event, sizeof event, "%.*s", (int)len, tok);
        }
        for (char *c = event; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        snprintf(fact, sizeof fact, "trigger %s %s %s", cell(r, i, 0), timing, event);
        facts_add_once(f, &t->arena, fact);
    }
}

static void lite_facts(facts *f, tempdb *t)
{
    for (size_t i = 0; i < sizeof lite_queries / sizeof *lite_queries; i++)
        facts_query(f, t, lite_queries[i]);
    lite_checks(f, t);
    lite_triggers(f, t);
}

/* ---- PostgreSQL ---- */

// clang-format off
#define PG_FK_ACTION(col)                                                                          \
    "CASE con." col " WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade'"   \
    " WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' END"
#define PG_RELS                                                                                    \
    " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()"

static const char *const pg_queries[] = {
    "SELECT c.relname, CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'table ' END || c.relname,"
    " NULL, '' FROM pg_class c" PG_RELS " WHERE c.relkind IN ('r', 'p', 'v')",

    "SELECT c.relname || '.' || a.attname, 'column ' || c.relname || '.' || a.attname, NULL,"
    " ' ' || CASE WHEN t.typname IN ('int8', 'bool') THEN 'integer'"
    " WHEN t.typname IN ('text', 'varchar', 'bpchar') THEN 'text'"
    " WHEN t.typname IN ('float4', 'float8') THEN 'real' WHEN t.typname = 'bytea' THEN 'blob'"
    " ELSE t.typname END"
    " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
    " || coalesce(' default ' || CASE pg_get_expr(d.adbin, d.adrelid) WHEN 'true' THEN '1'"
    " WHEN 'false' THEN '0' ELSE regexp_replace(pg_get_expr(d.adbin, d.adrelid),"
    " '::[a-z ]+$', '') END, '')"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid" PG_RELS
    " JOIN pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",

    /* primary keys, unique and check constraints: their columns (checks: those they read) */
    "SELECT c.relname || '.' || con.conname, CASE con.contype WHEN 'p' THEN 'primary key ' WHEN 'u' THEN 'unique '"
    " ELSE 'check ' END || c.relname, a.attname, ''"
    " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid" PG_RELS
    " CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord)"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
    " WHERE con.contype IN ('p', 'u', 'c')"
    " ORDER BY 1, CASE con.contype WHEN 'c' THEN 0 ELSE k.ord END, a.attname",

    /* indexes of CREATE INDEX (not those behind a primary key or unique constraint) */
    "SELECT i.relname, 'index ' || i.relname || ' on ' || c.relname,"
    " CASE WHEN k.attnum = 0 THEN '<expr>' ELSE a.attname END"
    " || CASE WHEN (x.indoption[k.ord - 1] & 1) = 1 THEN ' desc' ELSE '' END,"
    " CASE WHEN x.indisunique THEN ' unique' ELSE '' END"
    " || CASE WHEN x.indpred IS NOT NULL THEN ' partial' ELSE '' END"
    " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
    " JOIN pg_class c ON c.oid = x.indrelid" PG_RELS
    " CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)"
    " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
    " WHERE k.ord <= x.indnkeyatts AND NOT EXISTS (SELECT 1 FROM pg_constraint con"
    " WHERE con.conindid = x.indexrelid AND con.conrelid = c.oid AND con.contype IN ('p', 'u'))"
    " ORDER BY i.relname, k.ord",

    "SELECT c.relname || '.' || con.conname, 'foreign key ' || c.relname, a.attname || '->' || fa.attname,"
    " ' references ' || fc.relname || ' on delete ' || " PG_FK_ACTION("confdeltype")
    " || ' on update ' || " PG_FK_ACTION("confupdtype")
    " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid" PG_RELS
    " JOIN pg_class fc ON fc.oid = con.confrelid"
    " CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k(attnum, fattnum, ord)"
    " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum"
    " JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum"
    " WHERE con.contype = 'f' ORDER BY 1, k.ord",

    "SELECT DISTINCT t.event_object_table || t.action_timing || t.event_manipulation,"
    " 'trigger ' || t.event_object_table || ' ' || lower(t.action_timing) || ' '"
    " || lower(t.event_manipulation), NULL, ''"
    " FROM information_schema.triggers t WHERE t.trigger_schema = current_schema()",
};
// clang-format on

static void pg_facts(facts *f, tempdb *t)
{
    for (size_t i = 0; i < sizeof pg_queries / sizeof *pg_queries; i++)
        facts_query(f, t, pg_queries[i]);
}

/* ---- the comparison ---- */

/* Prints the facts of the sorted lists that the other list lacks (counting repeats: two CHECKs
 * reading one column are two facts); returns how many. */
static int report_differences(const facts *lite, const facts *pg)
{
    int differences = 0;
    for (size_t i = 0, j = 0; i < lite->n || j < pg->n; differences++) {
        int cmp = i == lite->n ? 1 : j == pg->n ? -1 : strcmp(lite->fact[i], pg->fact[j]);
        if (cmp == 0) {
            i++, j++, differences--;
        } else if (cmp < 0) {
            fprintf(stderr, "only on SQLite: %s\n", lite->fact[i++]);
        } else {
            fprintf(stderr, "only on PostgreSQL: %s\n", pg->fact[j++]);
        }
    }
    return differences;
}

static void test_engines_have_one_schema(void **state)
{
    (void)state;
    tempdb *lite = tempdb_new(), pg;
    static facts lf, pf;
    assert_non_null(lite);
    plan_pg_open(&pg, "whschema");
    lf.n = pf.n = 0;
    lite_facts(&lf, lite);
    pg_facts(&pf, &pg);
    qsort(lf.fact, lf.n, sizeof *lf.fact, by_text);
    qsort(pf.fact, pf.n, sizeof *pf.fact, by_text);
    int differences = report_differences(&lf, &pf);
    if (getenv("WH_TEST_SCHEMA_PRINT"))
        for (size_t i = 0; i < lf.n; i++)
            fprintf(stderr, "%s\n", lf.fact[i]);
    /* the catalogs were read: every table of the migrations and its columns are there */
    assert_true(lf.n > 500);
    plan_pg_close(&pg);
    tempdb_free(lite);
    if (differences)
        fail_msg("%d schema facts differ between the migrated SQLite and PostgreSQL databases"
                 " (listed above)",
                 differences);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engines_have_one_schema),
    };
    return cmocka_run_group_tests_name("db_schema", tests, NULL, NULL);
}
