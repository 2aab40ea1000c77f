/*
 * CSV export -> import round trips (issue 16, API-wave2 "CSV export" and "Imports",
 * DOMAIN-wave2 §15, §16, docs/imports.md "Round trip"). For each kind:
 *   1. a file in the template's columns (the header is GET /imports/templates/{kind}) whose
 *      values need quoting (commas, doubled quotes, a line break, spaces at the ends), look like
 *      formulas (=SUM(...), +1, -2, @x) where the field is text, and hold non-ASCII text, is
 *      imported into venture X (a dry run that writes nothing, then the commit: 201);
 *   2. X's list exported as CSV holds exactly those rows, every template column identical once
 *      the export's ids are turned into the codes and e-mails the import takes (the formula
 *      guard's leading ' included: the export writes it, the import takes it off again);
 *   3. that export, projected onto the template's columns, imports into a fresh venture Y of
 *      the same type, and Y's export equals X's row for row (and the stored values too, read as
 *      JSON); carriers are one directory: the same DOT numbers again answer 201 with every row
 *      skipped and the directory unchanged;
 *   4. the same bytes again answer 200 with the first import and write nothing.
 * The server runs in UTC: days are computed with wht_utc_day.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *admin(void)
{
    return wht_admin_token();
}

/* A round trip of one kind from venture x into venture y. Carriers have no venture: x is the
 * prefix of the test's DOT numbers (their export is GET /carriers?q=x), y is 0. */
typedef struct {
    const char *kind;
    long long x, y;
    json_t *cols; /* the template's columns */
} trip;

/* ------------------------------------------------------------------ files */

static json_t *template_columns(const char *kind)
{
    wht_resp *r = wht_get(admin(), wht_fmt("/imports/templates/%s", kind));
    WHT_EXPECT(r, 200);
    json_t *recs = wht_csv_parse(r->body, r->body_len);
    assert_int_equal(json_array_size(recs), 1);
    return json_array_get(recs, 0);
}

static const char *col(const trip *t, size_t i)
{
    return json_string_value(json_array_get(t->cols, i));
}

/* One row of a file: the template's values in its order (NULL-terminated, one per column). */
static json_t *row_of(const trip *t, const char *const *values)
{
    json_t *row = json_object();
    size_t i = 0;
    for (; values[i]; i++) {
        if (i >= json_array_size(t->cols))
            WHT_FAIL("%s: more values than columns", t->kind);
        json_object_set_new(row, col(t, i), json_string(values[i]));
    }
    if (i != json_array_size(t->cols))
        WHT_FAIL("%s: %zu values for %zu columns", t->kind, i, json_array_size(t->cols));
    return wht_keep_json(row);
}

static void put_field(FILE *f, const char *v)
{
    size_t n = strlen(v);
    bool quote = strpbrk(v, ",\"\r\n") || (n && (strchr(" \t", v[0]) || strchr(" \t", v[n - 1])));
    if (!quote) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

/* The file of rows under the template's header; a value is quoted only when it has to be. */
static const char *file_of(const trip *t, const json_t *rows)
{
    char *text = NULL;
    size_t len = 0, i, j;
    FILE *f = open_memstream(&text, &len);
    json_t *row;
    for (j = 0; j < json_array_size(t->cols); j++)
        fprintf(f, "%s%s", j ? "," : "", col(t, j));
    fputs("\r\n", f);
    json_array_foreach(rows, i, row)
    {
        for (j = 0; j < json_array_size(t->cols); j++) {
            if (j)
                fputc(',', f);
            put_field(f, wht_str(row, col(t, j)));
        }
        fputs("\r\n", f);
    }
    fclose(f);
    const char *out = wht_fmt("%s", text);
    free(text);
    return out;
}

/* ---------------------------------------------------------------- imports */

static wht_resp *post_import(const trip *t, long long venture, bool dry, const char *csv)
{
    const char *qs = venture ? wht_fmt("kind=%s&venture_id=%lld&dry_run=%s&filename=%s.csv",
                                       t->kind, venture, dry ? "true" : "false", t->kind)
                             : wht_fmt("kind=%s&dry_run=%s", t->kind, dry ? "true" : "false");
    wht_request rq = {.method = "POST",
                      .path = wht_fmt(WHT_API "/imports?%s", qs),
                      .token = admin(),
                      .body = csv,
                      .body_len = strlen(csv),
                      .content_type = "text/csv"};
    return wht_do(&rq);
}

static json_t *export_rows(const trip *t, long long venture, const char **raw);

/* Imports csv (n records) into venture: the dry run counts every record as `outcome` and
 * writes nothing, then the commit answers 201 with the same counts. Returns the import. */
static json_t *import_file(const trip *t, long long venture, const char *csv, size_t n,
                           const char *outcome)
{
    const char *before = NULL, *after = NULL;
    export_rows(t, venture, &before);
    wht_resp *r = post_import(t, venture, true, csv);
    if (r->status != 200 || wht_int(r->json, "rows_invalid") != 0)
        WHT_FAIL("%s dry run: %ld %s\n%s", t->kind, r->status, r->body, csv);
    assert_int_equal(wht_int(r->json, "rows_total"), (long long)n);
    assert_int_equal(wht_int(r->json, outcome), (long long)n);
    assert_true(json_is_null(json_object_get(r->json, "already_imported_id")));
    export_rows(t, venture, &after);
    assert_string_equal(after, before); /* the dry run wrote nothing */
    r = post_import(t, venture, false, csv);
    if (r->status != 201)
        WHT_FAIL("%s commit: %ld %s\n%s", t->kind, r->status, r->body, csv);
    assert_int_equal(wht_int(r->json, "rows_total"), (long long)n);
    assert_int_equal(wht_int(r->json, outcome), (long long)n);
    return r->json;
}

/* Step 4: the same bytes again answer 200 with the first import and write nothing (no audit
 * entry, the export unchanged). */
static void import_again(const trip *t, long long venture, const char *csv, const json_t *first)
{
    const char *before = NULL, *after = NULL;
    export_rows(t, venture, &before);
    long long head = wht_audit_head();
    wht_resp *r = post_import(t, venture, false, csv);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "id"), wht_int(first, "id"));
    WHT_JSON_EQUAL(r->json, first);
    /* no entry but the exports' own (written when their answers end, maybe only now) */
    size_t i;
    json_t *entry;
    json_array_foreach(wht_audit_since(head), i, entry)
    {
        if (strcmp(wht_str(entry, "action"), "export.csv") != 0)
            WHT_FAIL("the same bytes again wrote %s", wht_dump(entry));
    }
    export_rows(t, venture, &after);
    assert_string_equal(after, before);
}

/* ---------------------------------------------------------------- exports */

/* The list paths that hold a venture's records of the kind (without format). */
static json_t *list_paths(const trip *t, long long venture)
{
    json_t *paths = wht_keep_json(json_array());
    const char *k = t->kind;
    if (strcmp(k, "shippers") == 0)
        json_array_append_new(paths, json_string(wht_fmt("/shippers?venture_id=%lld", venture)));
    else if (strcmp(k, "loads") == 0)
        json_array_append_new(paths, json_string(wht_fmt("/loads?venture_id=%lld", venture)));
    else if (strcmp(k, "carriers") == 0) /* the test's DOT numbers share a prefix */
        json_array_append_new(paths, json_string(wht_fmt("/carriers?q=%lld", t->x)));
    else if (strcmp(k, "bpo_call_logs") == 0)
        json_array_append_new(paths,
                              json_string(wht_fmt("/bpo/call-logs?venture_id=%lld", venture)));
    else if (strcmp(k, "saas_subscriptions") == 0)
        json_array_append_new(paths,
                              json_string(wht_fmt("/saas/subscriptions?venture_id=%lld", venture)));
    else { /* hotel_daily: one list per hotel */
        size_t i;
        json_t *h;
        json_array_foreach(wht_list_all(admin(), wht_fmt("/hotels?venture_id=%lld", venture), 50),
                           i, h)
        {
            json_array_append_new(paths,
                                  json_string(wht_fmt("/hotels/%lld/daily", wht_int(h, "id"))));
        }
    }
    return paths;
}

/* The records of the venture's CSV export(s) as objects of header -> text; *raw the bytes. */
static json_t *export_rows(const trip *t, long long venture, const char **raw)
{
    json_t *rows = wht_keep_json(json_array()), *paths = list_paths(t, venture), *p;
    size_t i, j, k;
    *raw = "";
    json_array_foreach(paths, i, p)
    {
        const char *path = json_string_value(p);
        wht_resp *r =
            wht_get(admin(), wht_fmt("%s%sformat=csv", path, strchr(path, '?') ? "&" : "?"));
        WHT_EXPECT(r, 200);
        assert_non_null(strstr(wht_header(r, "Content-Type"), "text/csv"));
        *raw = wht_fmt("%s%s", *raw, r->body);
        json_t *recs = wht_csv_parse(r->body, r->body_len), *head = json_array_get(recs, 0);
        for (j = 1; j < json_array_size(recs); j++) {
            json_t *rec = json_array_get(recs, j), *obj = json_object();
            for (k = 0; k < json_array_size(head); k++)
                json_object_set(obj, json_string_value(json_array_get(head, k)),
                                json_array_get(rec, k));
            json_array_append_new(rows, obj);
        }
    }
    return rows;
}

/* The JSON items of the same lists (the stored values). */
static json_t *list_items(const trip *t, long long venture)
{
    json_t *items = wht_keep_json(json_array()), *p;
    size_t i;
    json_array_foreach(list_paths(t, venture), i, p)
    {
        json_array_extend(items, wht_list_all(admin(), json_string_value(p), 100));
    }
    return items;
}

/* ------------------------------------------------ projection onto the template */

static const char *text_of(const json_t *rec, const char *key)
{
    const json_t *v = json_object_get(rec, key);
    if (!json_is_string(v))
        WHT_FAIL("the export has no column %s: %s", key, wht_dump(rec));
    return json_string_value(v);
}

/* Text as the export writes it: the formula guard before text that begins with = + - @ TAB
 * or CR. */
static const char *guard(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) ? wht_fmt("'%s", s) : s;
}

/* GET path (200) and its member key as the export would write it. */
static const char *get_text(const char *path, const char *key)
{
    wht_resp *r = wht_get(admin(), path);
    WHT_EXPECT(r, 200);
    const json_t *v = json_object_get(r->json, key);
    if (json_is_integer(v))
        return wht_fmt("%lld", (long long)json_integer_value(v));
    return guard(wht_str(r->json, key));
}

/* The item of list whose member key equals value as text (NULL: none). */
static const json_t *item_where(const char *list, const char *key, const char *value)
{
    size_t i;
    json_t *it;
    json_array_foreach(wht_list_all(admin(), list, 100), i, it)
    {
        const json_t *v = json_object_get(it, key);
        const char *s = json_is_integer(v) ? wht_fmt("%lld", (long long)json_integer_value(v))
                                           : json_string_value(v);
        if (s && strcmp(s, value) == 0)
            return it;
    }
    return NULL;
}

/* Of the two ventures' lists (the path is head, the venture, tail), the item with id (as
 * text). */
static const json_t *of_pair(const trip *t, const char *head, const char *tail, const char *id)
{
    const json_t *it = item_where(wht_fmt("%s%lld%s", head, t->x, tail), "id", id);
    it = it ? it : item_where(wht_fmt("%s%lld%s", head, t->y, tail), "id", id);
    if (!it)
        WHT_FAIL("no item %s in %s{%lld,%lld}%s", id, head, t->x, t->y, tail);
    return it;
}

/* An office id of X or Y as the id of the office of the same name in target (offices are
 * per venture). */
static const char *office_in(const trip *t, long long target, const char *id)
{
    if (!*id)
        return "";
    const char *name = wht_str(of_pair(t, "/ventures/", "/offices", id), "name");
    const json_t *same = item_where(wht_fmt("/ventures/%lld/offices", target), "name", name);
    if (!same)
        WHT_FAIL("venture %lld has no office %s", target, name);
    return wht_fmt("%lld", wht_int(same, "id"));
}

/* A hotel of X or Y as the code of the hotel of the same name in target (hotel codes are
 * unique across the company, so Y's hotels have codes of their own). */
static const char *hotel_in(long long target, const char *id)
{
    const char *name = get_text(wht_fmt("/hotels/%s", id), "name");
    const json_t *same = item_where(wht_fmt("/hotels?venture_id=%lld", target), "name", name);
    if (!same)
        WHT_FAIL("venture %lld has no hotel %s", target, name);
    return wht_str(same, "code");
}

static const char *email_of(const char *user_id)
{
    return *user_id ? get_text(wht_fmt("/users/%s", user_id), "email") : "";
}

/* The value of template column c for export record rec, with target the venture the projected
 * file is for. */
static const char *project_value(const trip *t, long long target, const json_t *rec, const char *c)
{
    if (strcmp(c, "office_id") == 0)
        return office_in(t, target, text_of(rec, "office_id"));
    if (json_object_get(rec, c))
        return text_of(rec, c); /* the same name in the export */
    if (strcmp(c, "shipper_code") == 0) {
        const char *id = text_of(rec, "shipper_id");
        return *id ? get_text(wht_fmt("/shippers/%s", id), "code") : "";
    }
    if (strcmp(c, "carrier_dot") == 0) {
        const char *id = text_of(rec, "carrier_id");
        return *id ? get_text(wht_fmt("/carriers/%s", id), "dot_number") : "";
    }
    if (strcmp(c, "created_by_email") == 0)
        return email_of(text_of(rec, "created_by"));
    if (strcmp(c, "dispatcher_email") == 0)
        return email_of(text_of(rec, "dispatcher_id"));
    if (strcmp(c, "created_on") == 0) /* the business day of created_at (UTC here) */
        return wht_fmt("%.10s", text_of(rec, "created_at"));
    if (strcmp(c, "hotel_code") == 0)
        return hotel_in(target, text_of(rec, "hotel_id"));
    if (strcmp(c, "agent_email") == 0)
        return email_of(wht_fmt(
            "%lld", wht_int(of_pair(t, "/bpo/agents?venture_id=", "", text_of(rec, "agent_id")),
                            "user_id")));
    if (strcmp(c, "campaign_name") == 0) {
        const char *id = text_of(rec, "campaign_id");
        return *id ? get_text(wht_fmt("/bpo/campaigns/%s", id), "name") : "";
    }
    if (strcmp(c, "customer_code") == 0)
        return get_text(wht_fmt("/saas/customers/%s", text_of(rec, "customer_id")), "code");
    if (strcmp(c, "customer_name") == 0)
        return get_text(wht_fmt("/saas/customers/%s", text_of(rec, "customer_id")), "name");
    WHT_FAIL("%s: no way to project column %s from %s", t->kind, c, wht_dump(rec));
    return "";
}

/* The export records as rows of the template's columns, for venture target. */
static json_t *project(const trip *t, long long target, const json_t *recs)
{
    json_t *rows = wht_keep_json(json_array()), *rec;
    size_t i;
    json_array_foreach(recs, i, rec)
    {
        json_t *row = json_object();
        for (size_t j = 0; j < json_array_size(t->cols); j++)
            json_object_set_new(row, col(t, j),
                                json_string(project_value(t, target, rec, col(t, j))));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* The file's rows as the export writes them (the files below have no negative numbers: a
 * number is never guarded). */
static json_t *guarded(const json_t *rows)
{
    json_t *out = wht_keep_json(json_deep_copy(rows)), *row, *v;
    size_t i;
    const char *k;
    json_array_foreach(out, i, row)
    {
        json_object_foreach(row, k, v)
        {
            json_string_set(v, guard(json_string_value(v)));
        }
    }
    return out;
}

/* ------------------------------------------------------------- comparison */

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Each row's values in cols as one line (JSON text of each, so any value compares), sorted. */
static const char **lines_of(const json_t *cols, const json_t *rows)
{
    size_t n = json_array_size(rows), i;
    const char **lines = calloc(n + 1, sizeof *lines);
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *vals = wht_keep_json(json_array());
        for (size_t j = 0; j < json_array_size(cols); j++) {
            const json_t *v = json_object_get(row, json_string_value(json_array_get(cols, j)));
            json_array_append_new(vals, v ? json_deep_copy(v) : json_null());
        }
        lines[i] = wht_dump(vals);
    }
    qsort(lines, n, sizeof *lines, by_text);
    return lines;
}

/* got and want hold the same rows on cols, row for row once sorted. */
static void same_rows(const char *what, const json_t *cols, const json_t *want, const json_t *got)
{
    size_t n = json_array_size(want);
    if (json_array_size(got) != n)
        WHT_FAIL("%s: %zu rows, wanted %zu:\n%s\nwanted:\n%s", what, json_array_size(got), n,
                 wht_dump(got), wht_dump(want));
    const char **w = lines_of(cols, want), **g = lines_of(cols, got);
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i], g[i]) != 0) {
            const char *a = g[i], *b = w[i];
            free(w);
            free(g);
            WHT_FAIL("%s: row\n%s\nwanted\n%s", what, a, b);
        }
    free(w);
    free(g);
}

/* The template columns the list items carry under the same name (their stored values). */
static json_t *stored_columns(const trip *t, const json_t *items)
{
    json_t *cols = wht_keep_json(json_array());
    for (size_t j = 0; j < json_array_size(t->cols); j++)
        if (strcmp(col(t, j), "office_id") != 0 &&
            json_object_get(json_array_get(items, 0), col(t, j)))
            json_array_append_new(cols, json_string(col(t, j)));
    return cols;
}

/* ------------------------------------------------------------ the round trip */

/* Steps 1-4 for a venture kind: rows (the file's) into x, x's export into y. */
static void round_trip(trip *t, const json_t *rows)
{
    size_t n = json_array_size(rows);
    const char *file = file_of(t, rows), *raw_x = NULL, *raw_y = NULL;

    /* 1. the file into X */
    json_t *first = import_file(t, t->x, file, n, "created");

    /* 2. X's export holds exactly those rows, the guard before formula-looking text */
    json_t *recs_x = export_rows(t, t->x, &raw_x);
    same_rows(wht_fmt("%s: X's export against the file", t->kind), t->cols, guarded(rows),
              project(t, t->x, recs_x));

    /* 3. X's export, projected onto the template, into Y; Y's export equals X's */
    const char *file_y = file_of(t, project(t, t->y, recs_x));
    json_t *first_y = import_file(t, t->y, file_y, n, "created");
    json_t *recs_y = export_rows(t, t->y, &raw_y);
    same_rows(wht_fmt("%s: Y's export against X's", t->kind), t->cols, project(t, t->y, recs_x),
              project(t, t->y, recs_y));
    /* the values stored are the same too: the import took the export's guard off */
    json_t *items_x = list_items(t, t->x), *items_y = list_items(t, t->y);
    same_rows(wht_fmt("%s: Y's stored values against X's", t->kind), stored_columns(t, items_x),
              items_x, items_y);

    /* 4. the same bytes again: 200 with the first import, nothing written */
    import_again(t, t->x, file, first);
    import_again(t, t->y, file_y, first_y);
}

static trip trip_of(const char *kind, long long x, long long y)
{
    return (trip){kind, x, y, template_columns(kind)};
}

/* The JSON list item of X whose member key is value (the file's value stored as given). */
static void stored_as_given(const trip *t, const char *key, const char *value)
{
    if (!item_where(json_string_value(json_array_get(list_paths(t, t->x), 0)), key, value))
        WHT_FAIL("%s: no %s stored as %s", t->kind, key, value);
}

/* ------------------------------------------------------------------ tests */

static void test_shippers_and_loads(void **state)
{
    (void)state;
    long long x = wht_venture_new("LOGISTICS").id, y = wht_venture_new("TRANSPORT").id;
    long long both[2] = {x, y};
    const char *d1 = wht_utc_day(-1), *d2 = wht_utc_day(-2), *d3 = wht_utc_day(-3),
               *d4 = wht_utc_day(-4), *today = wht_utc_day(0);
    trip sh = trip_of("shippers", x, y);
    json_t *rows = wht_keep_json(json_array());
    json_array_append(
        rows, row_of(&sh, (const char *const[]){"RT-1", "Smith, Jones & Co", "say \"hi\"",
                                                "ops@rt1.test", "=SUM(A1:A3)", "true", NULL}));
    json_array_append(rows,
                      row_of(&sh, (const char *const[]){"RT-2", "Café Ünïcødé ✓", "two\r\nlines",
                                                        "", "+1 555 0100", "false", NULL}));
    json_array_append(rows, row_of(&sh, (const char *const[]){"RT-3", "@x", " padded ",
                                                              "b@rt3.test", "-2", "true", NULL}));
    round_trip(&sh, rows);
    stored_as_given(&sh, "phone", "=SUM(A1:A3)");
    stored_as_given(&sh, "name", "@x");

    /* loads name the shippers above (the same codes in X and Y), an office of the same name in
     * each venture, users eligible in both, and a carrier of the directory */
    const char *office = wht_unique("Office ");
    long long oid = 0;
    for (int i = 0; i < 2; i++) {
        wht_resp *r = wht_post(admin(), wht_fmt("/ventures/%lld/offices", both[i]),
                               wht_json("{s:s}", "name", office));
        WHT_EXPECT(r, 201);
        oid = i == 0 ? wht_int(r->json, "id") : oid;
    }
    wht_user disp = wht_user_add("DISPATCHER");
    wht_set_ventures(disp.id, 2, both);
    long long dot = 1000000 + (wht_now_ms() / 7) % 8999999;
    trip ca = trip_of("carriers", 0, 0);
    WHT_EXPECT(
        post_import(&ca, 0, false, wht_fmt("dot_number,legal_name\n%lld,Round Trip Hauler\n", dot)),
        201);
    const char *me = wht_admin_email(), *o = wht_fmt("%lld", oid), *dots = wht_fmt("%lld", dot);
    trip lo = trip_of("loads", x, y);
    rows = wht_keep_json(json_array());
    json_array_append(rows, row_of(&lo, (const char *const[]){"=SUM(A1:A3)",
                                                              "Smith, Jones",
                                                              "TX",
                                                              "São Paulo",
                                                              "SP",
                                                              o,
                                                              "RT-1",
                                                              d3,
                                                              d2,
                                                              "VAN",
                                                              "1000",
                                                              "250",
                                                              "150000",
                                                              "120000",
                                                              me,
                                                              disp.email,
                                                              "DELIVERED",
                                                              dots,
                                                              d2,
                                                              "",
                                                              "",
                                                              d4,
                                                              NULL}));
    json_array_append(
        rows, row_of(&lo, (const char *const[]){
                              "+1",   "two\nlines", "say \"hi\"", "Dallas", "TX", "",    "RT-2", "",
                              "",     "\tReefer",   "0",          "0",      "0",  "0",   me,     "",
                              "OPEN", "",           "",           "",       "",   today, NULL}));
    json_array_append(rows, row_of(&lo, (const char *const[]){
                                            "-2",        "Zürich", "ZH",
                                            "@x",        "GA",     o,
                                            "",          d1,       d1,
                                            "Flat, bed", "5",      "6",
                                            "700",       "800",    disp.email,
                                            me,          "LOST",   "",
                                            "",          "RATE",   "said \"no\", twice\nand left",
                                            d1,          NULL}));
    json_array_append(
        rows, row_of(&lo, (const char *const[]){
                              "日本語-4", " padded ", "NY", "Boston", "MA", "",  "RT-3", "",
                              "",         "",         "1",  "2",      "3",  "4", me,     disp.email,
                              "OPEN",     "",         "",   "",       "",   d2,  NULL}));
    round_trip(&lo, rows);
    stored_as_given(&lo, "reference", "=SUM(A1:A3)");
    stored_as_given(&lo, "equipment", "\tReefer");
}

static void test_carriers(void **state)
{
    (void)state;
    /* the directory is shared: the test's DOT numbers are prefix * 10 + i, listed by ?q=prefix */
    long long prefix = 1000000 + (wht_now_ms() / 3 + 4321) % 8999999;
    trip t = trip_of("carriers", prefix, 0);
    const char *dot[3], *mc[3];
    for (int i = 0; i < 3; i++) {
        dot[i] = wht_fmt("%lld", prefix * 10 + i + 1);
        mc[i] = wht_fmt("%lld", prefix * 10 + i + 5);
    }
    json_t *rows = wht_keep_json(json_array());
    json_array_append(rows, row_of(&t, (const char *const[]){
                                           dot[0], "Haul, \"Fast\" LLC", mc[0], "=HYPERLINK(\"x\")",
                                           "+1 555 0101", "d1@haul.test", "Zürich", "ZH", NULL}));
    json_array_append(rows,
                      row_of(&t, (const char *const[]){dot[1], "Ünïcødé Trucking ✓", "",
                                                       "two\nlines", "-2", "", "@x", "TX", NULL}));
    json_array_append(rows,
                      row_of(&t, (const char *const[]){dot[2], " padded ", mc[2], "", "",
                                                       "d3@haul.test", "São Paulo", "SP", NULL}));
    size_t n = json_array_size(rows);
    const char *file = file_of(&t, rows), *raw = NULL, *again = NULL;
    json_t *first = import_file(&t, 0, file, n, "created");
    json_t *recs = export_rows(&t, 0, &raw);
    same_rows("carriers: the export against the file", t.cols, guarded(rows), project(&t, 0, recs));
    stored_as_given(&t, "dba_name", "=HYPERLINK(\"x\")");

    /* the export back into the directory: every DOT is known, every row skipped */
    const char *file_y = file_of(&t, project(&t, 0, recs));
    json_t *second = import_file(&t, 0, file_y, n, "skipped");
    assert_int_equal(wht_int(second, "created"), 0);
    assert_int_equal(wht_int(second, "updated"), 0);
    assert_true(wht_int(second, "id") != wht_int(first, "id"));
    export_rows(&t, 0, &again);
    assert_string_equal(again, raw); /* nothing changed */
    same_rows("carriers: the export after the re-import", t.cols, project(&t, 0, recs),
              project(&t, 0, export_rows(&t, 0, &again)));

    import_again(&t, 0, file, first);
    import_again(&t, 0, file_y, second);
}

static void test_hotel_daily(void **state)
{
    (void)state;
    long long x = wht_venture_new("HOSPITALITY").id, y = wht_venture_new("HOSPITALITY").id;
    long long both[2] = {x, y};
    const char *names[2] = {wht_unique("Inn, \"One\" "), wht_unique("Hôtel Ünïcødé ")};
    const char *code[2] = {NULL, NULL};
    for (int v = 0; v < 2; v++)
        for (int h = 0; h < 2; h++) {
            /* codes are free text: the second one's letters are not all A-Z */
            const char *c = wht_fmt("%s%c%lld", h ? "Hôtel-" : "RT-", v ? 'Y' : 'X', both[v]);
            WHT_EXPECT(wht_post(admin(), "/hotels",
                                wht_json("{s:I, s:s, s:s, s:i}", "venture_id", (json_int_t)both[v],
                                         "name", names[h], "code", c, "rooms", 50)),
                       201);
            code[h] = v ? code[h] : c;
        }
    trip t = trip_of("hotel_daily", x, y);
    const char *d1 = wht_utc_day(-1), *d2 = wht_utc_day(-2), *d3 = wht_utc_day(-3);
    json_t *rows = wht_keep_json(json_array());
    json_array_append(rows,
                      row_of(&t, (const char *const[]){code[0], d3, "40", "400000", "50", "1000",
                                                       "100", "200", "300", "0", "0", NULL}));
    json_array_append(rows, row_of(&t, (const char *const[]){code[0], d2, "45", "450000", "48", "0",
                                                             "0", "0", "0", "500", "0", NULL}));
    json_array_append(rows, row_of(&t, (const char *const[]){code[1], d1, "10", "90000", "20", "0",
                                                             "1", "2", "3", "0", "2000", NULL}));
    round_trip(&t, rows);
}

static void test_bpo_call_logs(void **state)
{
    (void)state;
    long long x = wht_venture_new("BPO").id, y = wht_venture_new("BPO").id;
    long long both[2] = {x, y};
    const char *campaigns[2] = {"Solar, \"Residential\"", "Ünïcødé ✓ =campaign"};
    wht_user agents[2] = {wht_user_add("EMPLOYEE"), wht_user_add("EMPLOYEE")};
    for (int a = 0; a < 2; a++)
        wht_set_ventures(agents[a].id, 2, both);
    for (int v = 0; v < 2; v++) {
        long long cid = 0;
        for (int c = 0; c < 2; c++) {
            wht_resp *r = wht_post(
                admin(), "/bpo/campaigns",
                wht_json("{s:I, s:s}", "venture_id", (json_int_t)both[v], "name", campaigns[c]));
            WHT_EXPECT(r, 201);
            cid = c ? cid : wht_int(r->json, "id");
        }
        for (int a = 0; a < 2; a++)
            WHT_EXPECT(wht_post(admin(), "/bpo/agents",
                                wht_json("{s:I, s:I, s:I}", "user_id", (json_int_t)agents[a].id,
                                         "venture_id", (json_int_t)both[v], "campaign_id",
                                         (json_int_t)cid)),
                       201);
    }
    trip t = trip_of("bpo_call_logs", x, y);
    const char *d1 = wht_utc_day(-1), *d2 = wht_utc_day(-2);
    json_t *rows = wht_keep_json(json_array());
    json_array_append(
        rows, row_of(&t, (const char *const[]){agents[0].email, wht_fmt("%sT15:00:00.000Z", d2),
                                               campaigns[0], wht_fmt("%sT15:05:30.000Z", d2), "3",
                                               "true", "true", "true", "5000",
                                               "=SUM(A1:A3), \"quoted\"\nline two", NULL}));
    json_array_append(
        rows, row_of(&t, (const char *const[]){agents[0].email, wht_fmt("%sT09:30:00.000Z", d1),
                                               campaigns[1], "", "1", "false", "false", "false",
                                               "0", "@x café ✓", NULL}));
    json_array_append(
        rows, row_of(&t, (const char *const[]){agents[1].email, wht_fmt("%sT23:59:59.000Z", d1),
                                               campaigns[0], wht_fmt("%sT23:59:59.000Z", d1), "1",
                                               "false", "false", "false", "0", "-2", NULL}));
    json_array_append(
        rows, row_of(&t, (const char *const[]){agents[1].email, wht_fmt("%sT08:00:00.000Z", d2),
                                               campaigns[1], "", "2", "true", "false", "false", "0",
                                               " padded, +1 ", NULL}));
    round_trip(&t, rows);
    stored_as_given(&t, "notes", "-2");
}

static void test_saas_subscriptions(void **state)
{
    (void)state;
    long long x = wht_venture_new("SAAS").id, y = wht_venture_new("SAAS").id;
    trip t = trip_of("saas_subscriptions", x, y);
    const char *d10 = wht_utc_day(-10), *d7 = wht_utc_day(-7), *d5 = wht_utc_day(-5),
               *d3 = wht_utc_day(-3);
    const char *acme = "Acme, \"Inc\"", *uni = "Ünïcødé ✓\nSecond line";
    json_t *rows = wht_keep_json(json_array());
    json_array_append(rows, row_of(&t, (const char *const[]){"C-1", "Pro, \"Annual\"", "10000", d10,
                                                             acme, "", NULL}));
    json_array_append(
        rows, row_of(&t, (const char *const[]){"C-1", "+1 seat", "2000", d5, acme, d3, NULL}));
    json_array_append(
        rows, row_of(&t, (const char *const[]){"C-2", "=SUM(A1:A3)", "5000", d7, uni, "", NULL}));
    json_array_append(
        rows, row_of(&t, (const char *const[]){"C-3", "-2", "700", d3, "@x Corp", "", NULL}));
    round_trip(&t, rows);
    stored_as_given(&t, "plan_name", "=SUM(A1:A3)");
    /* the events are Y's own, the same as X's */
    assert_int_equal(
        json_array_size(wht_list_all(admin(), wht_fmt("/saas/events?venture_id=%lld", y), 50)),
        json_array_size(wht_list_all(admin(), wht_fmt("/saas/events?venture_id=%lld", x), 50)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_shippers_and_loads), WHT_TEST(test_carriers),
        WHT_TEST(test_hotel_daily),        WHT_TEST(test_bpo_call_logs),
        WHT_TEST(test_saas_subscriptions),
    };
    /* days are computed in UTC (wht_utc_day): the server's business day is UTC's too */
    static const char *const env[] = {"WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_roundtrip", tests, NULL, NULL));
}
