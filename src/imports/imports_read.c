/* Reading an import file (DOMAIN-wave2 §15): the CSV reader (core/csv.h) is fed the body in
 * chunks, in place; the header record is mapped onto the kind's columns (names trimmed,
 * compared case-insensitively); each data record becomes a JSON object of typed values, so the
 * kinds check them with the same wh_jin getters and limits as the JSON API. Line errors are
 * kept sorted by (line, column), the first WH_IMPORTS_ERRORS_MAX of them, all counted. */
#include "imports/imports_int.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/str.h"
#include "tasks/tasks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Bytes handed to the CSV reader at a time: the body is read in place, a chunk at a time, as
 * it would be from the network. */
#define FEED_BYTES 65536

static const imp_kind *const kinds[] = {&wh_imports_shippers,  &wh_imports_loads,
                                        &wh_imports_carriers,  &wh_imports_hotel_daily,
                                        &wh_imports_bpo_calls, &wh_imports_saas_subs};

const imp_kind *wh_imports_kind_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

const char *wh_imports_template(wh_arena *a, const imp_kind *k)
{
    const char *out = "";
    for (size_t i = 0; i < k->ncols; i++)
        out = wh_arena_printf(a, "%s%s%s", out, i ? "," : "", k->cols[i].name);
    return wh_arena_printf(a, "%s\r\n", out);
}

/* ------------------------------------------------------------ line errors */

static int col_of(const imp_kind *k, const char *field)
{
    for (size_t i = 0; i < k->ncols; i++)
        if (strcmp(k->cols[i].name, field) == 0)
            return (int)i;
    return -1;
}

static bool before(int64_t line, int col, const imp_err *b)
{
    return line < b->line || (line == b->line && col < b->col);
}

static void add_error(imp_ctx *x, int64_t line, const char *field, const char *message)
{
    int col = col_of(x->kind, field);
    size_t at = x->nerrs;
    x->errors_total++;
    while (at > 0 && before(line, col, &x->errs[at - 1]))
        at--;
    if (at == WH_IMPORTS_ERRORS_MAX)
        return;
    size_t keep = x->nerrs < WH_IMPORTS_ERRORS_MAX ? x->nerrs : WH_IMPORTS_ERRORS_MAX - 1;
    memmove(&x->errs[at + 1], &x->errs[at], (keep - at) * sizeof x->errs[0]);
    x->errs[at] =
        (imp_err){line, col, wh_arena_strdup(x->a, field), wh_arena_strdup(x->a, message)};
    x->nerrs = keep + 1;
}

static void mark_bad(imp_ctx *x, imp_row *row)
{
    if (row && !row->bad) {
        row->bad = true;
        x->rows_invalid++;
    }
}

void wh_imports_fail(imp_ctx *x, imp_row *row, const char *field, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_error(x, row->line, field, msg);
    mark_bad(x, row);
    row->bad_fields =
        wh_arena_printf(x->a, "%s%s,", row->bad_fields ? row->bad_fields : ",", field);
}

/* A getter's error about a field whose value already failed its form says nothing new. */
static bool reported(const imp_row *row, const char *field)
{
    size_t n = strlen(field);
    for (const char *p = row->bad_fields; p && (p = strstr(p, field)); p += n)
        if (p[-1] == ',' && p[n] == ',')
            return true;
    return false;
}

void wh_imports_field_errors(imp_ctx *x, imp_row *row, wh_error *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (!reported(row, e->fields[i].field))
            wh_imports_fail(x, row, e->fields[i].field, "%s", e->fields[i].message);
    wh_error_init(e);
}

json_t *wh_imports_errors_json(const imp_ctx *x)
{
    json_t *out = json_array();
    for (size_t i = 0; i < x->nerrs; i++)
        json_array_append_new(out,
                              json_pack("{s:I, s:s, s:s}", "line", (json_int_t)x->errs[i].line,
                                        "field", x->errs[i].field, "message", x->errs[i].message));
    return out;
}

/* ----------------------------------------------------------------- values */

/* -?[0-9]+ within int64. */
static bool parse_int(const char *s, int64_t *out)
{
    const char *d = *s == '-' ? s + 1 : s;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return false;
    return wh_str_to_i64(wh_str_c(s), INT64_MIN, INT64_MAX, out);
}

static bool parse_bool(const char *s, bool *out)
{
    if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = true;
    else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

/* The JSON value of a non-empty cell of column col, or NULL with *why set. */
static json_t *typed(const imp_col *col, const char *v, const char **why)
{
    int64_t i = 0, ms = 0;
    int y, m, d;
    bool b = false;
    switch (col->type) {
    case COL_INT:
        *why = "must be a whole number: digits only, an optional leading -, no separators";
        return parse_int(v, &i) ? json_integer(i) : NULL;
    case COL_BOOL:
        *why = "must be true, false, 1 or 0";
        return parse_bool(v, &b) ? json_boolean(b) : NULL;
    case COL_DAY:
        *why = "must be a calendar day YYYY-MM-DD";
        return strlen(v) == 10 && wh_clock_parse_date(v, &y, &m, &d) ? json_string(v) : NULL;
    case COL_INSTANT:
        *why = "must be an RFC 3339 date-time";
        return wh_clock_parse_rfc3339(v, &ms) ? json_integer(ms) : NULL;
    default:
        return json_string(v);
    }
}

/* ---------------------------------------------------------------- reading */

typedef struct {
    imp_ctx *x;
    wh_error *e;
    int64_t max_rows;
    bool header_seen, too_many, header_bad;
    size_t ncols;
    int map[WH_LIMIT_CSV_FIELDS]; /* file column -> kind column */
    size_t cap;
} reader;

static void file_fault(reader *rd, int64_t line, const char *field, const char *message)
{
    add_error(rd->x, line, field, message);
    rd->header_bad = true;
}

static void read_header(reader *rd, const wh_csv_record *rec)
{
    const imp_kind *k = rd->x->kind;
    bool seen[WH_LIMIT_CSV_FIELDS] = {false};
    rd->header_seen = true;
    if (rec->error) {
        file_fault(rd, rec->line, "file", rec->error);
        return;
    }
    rd->ncols = rec->n;
    for (size_t i = 0; i < rec->n; i++) {
        char name[WH_LIMIT_NAME_CHARS];
        size_t len = strlen(rec->field[i]);
        const char *s = rec->field[i];
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        /* a long name is cut between characters: it is echoed in the errors */
        len = wh_str_utf8_cut(s, len < sizeof name - 1 ? len : sizeof name - 1);
        snprintf(name, sizeof name, "%.*s", (int)len, s);
        int col = -1;
        for (size_t j = 0; j < k->ncols; j++)
            if (strcasecmp(name, k->cols[j].name) == 0)
                col = (int)j;
        rd->map[i] = col;
        if (col < 0)
            file_fault(rd, rec->line, name, "is not a column of this kind");
        else if (seen[col])
            file_fault(rd, rec->line, name, "is a duplicate column");
        else
            seen[col] = true;
    }
    for (size_t j = 0; j < k->ncols; j++)
        if (k->cols[j].required && !seen[j])
            file_fault(rd, rec->line, k->cols[j].name, "is a required column and is missing");
}

static void read_values(reader *rd, const wh_csv_record *rec, imp_row *row)
{
    const imp_kind *k = rd->x->kind;
    if (rec->error || rec->n != rd->ncols) {
        row->broken = true;
        if (rec->error)
            wh_imports_fail(rd->x, row, "file", "%s", rec->error);
        else
            wh_imports_fail(rd->x, row, "file", "has %zu fields; the header has %zu", rec->n,
                            rd->ncols);
        return;
    }
    for (size_t i = 0; i < rec->n; i++) {
        const imp_col *col = &k->cols[rd->map[i]];
        const char *why = NULL, *text = wh_csv_unguard(rec->field[i]);
        if (!*text)
            continue; /* empty: absent */
        json_t *v = typed(col, text, &why);
        if (v)
            json_object_set_new(row->obj, col->name, v);
        else
            wh_imports_fail(rd->x, row, col->name, "%s", why);
    }
}

static void json_release(void *p)
{
    json_decref(p);
}

static bool on_record(void *ctx, const wh_csv_record *rec)
{
    reader *rd = ctx;
    imp_ctx *x = rd->x;
    if (!rd->header_seen) {
        read_header(rd, rec);
        return !rd->header_bad;
    }
    if ((int64_t)x->nrows == rd->max_rows) {
        rd->too_many = true;
        return false;
    }
    if (x->nrows == rd->cap) {
        size_t cap = rd->cap ? rd->cap * 2 : 64;
        imp_row *rows = wh_arena_alloc(x->a, cap * sizeof *rows);
        if (x->nrows)
            memcpy(rows, x->rows, x->nrows * sizeof *rows);
        x->rows = rows;
        rd->cap = cap;
    }
    imp_row *row = &x->rows[x->nrows++];
    memset(row, 0, sizeof *row);
    row->line = rec->line;
    row->obj = json_object();
    wh_arena_defer(x->a, json_release, row->obj);
    read_values(rd, rec, row);
    return true;
}

static wh_err fault(imp_ctx *x, wh_error *e, int64_t line, const char *message)
{
    add_error(x, line, "file", message);
    return wh_fail(e, WH_ERR_INVALID, "The file cannot be imported: %s.", message);
}

wh_err wh_imports_read(imp_ctx *x, const char *body, size_t n, int64_t max_rows, wh_error *e)
{
    reader rd = {.x = x, .e = e, .max_rows = max_rows};
    wh_csv p;
    wh_csv_init(&p, on_record, &rd);
    for (size_t i = 0; i < n && p.status == WH_CSV_OK; i += FEED_BYTES)
        (void)wh_csv_feed(&p, body + i, n - i < FEED_BYTES ? n - i : FEED_BYTES);
    wh_csv_status st = wh_csv_finish(&p);
    int64_t bad_line = p.error_line;
    const char *why = p.error;
    wh_csv_cleanup(&p);
    if (st == WH_CSV_BAD)
        return fault(x, e, bad_line, wh_arena_printf(x->a, "the file %s", why));
    if (rd.header_bad)
        return wh_fail(e, WH_ERR_INVALID, "The file's header is not that of %s.", x->kind->name);
    if (!rd.header_seen)
        return fault(x, e, 1, "the file is empty: it has no header record");
    if (rd.too_many)
        return fault(
            x, e, 1,
            wh_arena_printf(x->a, "the file has more than %lld data records", (long long)max_rows));
    if (x->nrows == 0)
        return fault(x, e, 1, "the file has no data record");
    return WH_OK;
}

/* ----------------------------------------------------- shared by the kinds */

const char *wh_imports_text(const imp_row *row, const char *key)
{
    return json_string_value(json_object_get(row->obj, key));
}

wh_err wh_imports_eligible_user(imp_ctx *x, const char *email, int64_t *id, wh_error *e)
{
    wh_rows *rows = NULL;
    bool yes = false;
    const char *norm = wh_user_email_normalise(x->a, email);
    *id = 0;
    if (!norm)
        return WH_OK;
    wh_err rc = wh_db_query(x->c, x->a, "SELECT id FROM users WHERE email = $1",
                            WH_ARGS(WH_PT(norm)), &rows, e);
    if (rc != WH_OK || wh_rows_count(rows) == 0)
        return rc;
    int64_t uid = wh_rows_int(rows, 0, 0);
    rc = wh_tasks_eligible(x->c, x->a, uid, x->venture_id, &yes, e);
    if (rc == WH_OK && yes)
        *id = uid;
    return rc;
}

imp_entry *wh_imports_map_get(imp_map *m, const char *key)
{
    for (imp_entry *en = m->b[wh_str_hash(key) % IMP_BUCKETS]; en; en = en->next)
        if (strcmp(en->key, key) == 0)
            return en;
    return NULL;
}

imp_entry *wh_imports_map_put(imp_map *m, wh_arena *a, const char *key, bool *fresh)
{
    imp_entry *en = wh_imports_map_get(m, key);
    *fresh = en == NULL;
    if (en)
        return en;
    size_t h = wh_str_hash(key) % IMP_BUCKETS;
    en = wh_arena_alloc(a, sizeof *en);
    en->key = wh_arena_strdup(a, key);
    en->next = m->b[h];
    m->b[h] = en;
    return en;
}

void wh_imports_jin_begin(imp_jin *in, imp_row *row)
{
    wh_error_init(&in->e);
    wh_jin_init(&in->j, row->obj, &in->e);
}

void wh_imports_jin_end(imp_ctx *x, imp_row *row, imp_jin *in)
{
    wh_imports_field_errors(x, row, &in->e);
}
