/*
 * CSV export (API-wave2 "CSV export", DOMAIN-wave2 §16, docs/export.md): an export holds exactly
 * the rows of the JSON list it mirrors, in its order, across several chunks (the server runs
 * with WH_EXPORT_CHUNK_ROWS=4) and ignoring limit and cursor; values are written by the rules
 * (quoting, embedded newlines, the formula guard); no rows give the header alone; format and
 * Accept choose the answer, a bad format or a format on a JSON-only route is 400; permission
 * and scope hold (403, no foreign rows); the cap (WH_EXPORT_MAX_ROWS=12) stops an export and
 * the audit entry says so; gzip; KPI reads and the overview export their rows.
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
#include <zlib.h>

#include "harness.h"

#define CAP   12
#define CHUNK 4

typedef struct fixture {
    bool ready;
    wht_venture a, b, empty;
    long long office_a;
    wht_user dispatcher; /* member of venture a only */
} fixture;

static fixture FX;

static json_t *load_body(long long venture_id, const char *reference)
{
    return wht_json("{s:I, s:s, s:s, s:s, s:s, s:s?}", "venture_id", (json_int_t)venture_id,
                    "pickup_city", "Columbus", "pickup_state", "OH", "drop_city", "Atlanta",
                    "drop_state", "GA", "reference", reference);
}

static void new_load(long long venture_id, const char *reference)
{
    WHT_EXPECT(wht_post(wht_admin_token(), "/loads", load_body(venture_id, reference)), 201);
}

/* References that test the writer: a comma, quotes, an embedded newline, formula-looking
 * values, spaces at the ends. */
static const char *const REFS[] = {
    "plain-1",   "Smith, Jones", "say \"hi\"", "two\nlines", "=SUM(A1:A3)",
    "+15551234", "-42",          "@cmd",       " padded ",   NULL};

static const fixture *fx(void)
{
    if (FX.ready)
        return &FX;
    FX.a = wht_venture_new("LOGISTICS");
    FX.b = wht_venture_new("LOGISTICS");
    FX.empty = wht_venture_new("LOGISTICS");
    FX.office_a = wht_office_new(FX.a.id);
    for (size_t i = 0; i < 10; i++) /* 10 rows: three chunks of 4, under the cap */
        new_load(FX.a.id, REFS[i]);
    for (size_t i = 0; i < CAP + 3; i++) /* past the cap */
        new_load(FX.b.id, wht_fmt("B-%zu", i));
    FX.dispatcher = wht_user_new("DISPATCHER");
    wht_set_ventures(FX.dispatcher.id, 1, &FX.a.id);
    FX.ready = true;
    return &FX;
}

/* ---------------------------------------------------------------- CSV reading */

/* The CSV text the rules give a JSON value. */
static const char *expected_text(const json_t *v)
{
    if (!v || json_is_null(v))
        return "";
    if (json_is_true(v))
        return "true";
    if (json_is_false(v))
        return "false";
    if (json_is_integer(v))
        return wht_fmt("%lld", (long long)json_integer_value(v));
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        return t[0] && strchr("=+-@\t\r", t[0]) ? wht_fmt("'%s", t) : t;
    }
    char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    const char *out = wht_fmt("%s", d);
    free(d);
    return out;
}

/* The records of a CSV answer, checking its headers; name is the export's name. */
static json_t *csv_of(wht_resp *r, const char *name)
{
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_header(r, "Content-Type"), "text/csv; charset=utf-8");
    assert_string_equal(wht_header(r, "Content-Disposition"),
                        wht_fmt("attachment; filename=\"%s-%s.csv\"", name, wht_utc_day(0)));
    assert_string_equal(wht_header(r, "X-Export-Row-Cap"), wht_fmt("%d", CAP));
    return wht_csv_parse(r->body, r->body_len);
}

/* Each record of csv is the item of items at its place, field by field, and the header lists
 * the item's keys in its order. */
static void expect_same_rows(const json_t *csv, const json_t *items)
{
    json_t *header = json_array_get(csv, 0);
    assert_int_equal(json_array_size(csv), json_array_size(items) + 1);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i), *rec = json_array_get(csv, i + 1);
        assert_int_equal(json_array_size(rec), json_array_size(header));
        assert_int_equal(json_object_size(item), json_array_size(header));
        size_t k = 0;
        const char *key;
        json_t *v;
        json_object_foreach(item, key, v)
        {
            assert_string_equal(json_string_value(json_array_get(header, k)), key);
            const char *got = json_string_value(json_array_get(rec, k));
            if (strcmp(got, expected_text(v)) != 0)
                WHT_FAIL("row %zu, %s: CSV [%s], JSON gives [%s]", i, key, got, expected_text(v));
            k++;
        }
    }
}

/* The export's audit entry (written when its answer ends, so looked for a while). */
static json_t *export_entry(long long after_id, const char *path)
{
    for (int i = 0; i < 100; i++) {
        json_t *entries = wht_audit_since(after_id);
        for (size_t k = 0; k < json_array_size(entries); k++) {
            json_t *en = json_array_get(entries, k), *after = json_object_get(en, "after");
            if (strcmp(wht_str(en, "action"), "export.csv") == 0 &&
                strcmp(wht_str(after, "path"), path) == 0)
                return en;
        }
        wht_sleep_ms(50);
    }
    WHT_FAIL("no export.csv audit entry for %s", path);
    return NULL;
}

/* ---------------------------------------------------------------- tests */

static void test_loads_export_equals_the_json_list(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *path = wht_fmt("/loads?venture_id=%lld", f->a.id);
    json_t *items = wht_list_all(wht_admin_token(), path, 3);
    assert_int_equal(json_array_size(items), 10);
    /* limit and cursor are ignored: every row, in three chunks */
    json_t *csv =
        csv_of(wht_get(wht_admin_token(), wht_fmt("%s&format=csv&limit=2", path)), "loads");
    expect_same_rows(csv, items);
    /* a filter narrows it as it narrows the list */
    const char *one = wht_fmt("/loads?venture_id=%lld&reference=Jones", f->a.id);
    expect_same_rows(csv_of(wht_get(wht_admin_token(), wht_fmt("%s&format=csv", one)), "loads"),
                     wht_list_all(wht_admin_token(), one, 50));
}

static void test_values_are_quoted_and_guarded(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/loads?venture_id=%lld&format=csv", f->a.id));
    WHT_EXPECT(r, 200);
    static const char *const raw[] = {",\"Smith, Jones\",",
                                      ",\"say \"\"hi\"\"\",",
                                      ",\"two\nlines\",",
                                      ",'=SUM(A1:A3),",
                                      ",'+15551234,",
                                      ",'-42,",
                                      ",'@cmd,",
                                      ",\" padded \","};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        if (!strstr(r->body, raw[i]))
            WHT_FAIL("the export does not hold %s", raw[i]);
    assert_true(r->body_len >= 2 && memcmp(r->body + r->body_len - 2, "\r\n", 2) == 0);
    assert_true(strncmp(r->body, "id,venture_id,", 14) == 0); /* no BOM */
}

static void test_no_rows_is_the_header_alone(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_resp *r =
        wht_get(wht_admin_token(), wht_fmt("/shippers?venture_id=%lld&format=csv", f->empty.id));
    WHT_EXPECT(r, 200);
    assert_string_equal(r->body, "id,venture_id,name,code,contact_name,email,phone,active\r\n");
    r = wht_get(wht_admin_token(), wht_fmt("/hotels?venture_id=%lld&format=csv", f->empty.id));
    WHT_EXPECT(r, 200);
    assert_string_equal(r->body, "id,venture_id,name,code,rooms,city,state,status\r\n");
    /* a KPI read of a range without rows: its fields alone */
    const char *kpi = wht_fmt("/kpi/freight?venture_id=%lld", f->empty.id);
    wht_resp *j = wht_get(wht_admin_token(), kpi);
    WHT_EXPECT(j, 200);
    assert_int_equal(json_array_size(json_object_get(j->json, "days")), 0);
    r = wht_get(wht_admin_token(), wht_fmt("%s&format=csv", kpi));
    WHT_EXPECT(r, 200);
    assert_true(strncmp(r->body, "venture_id,date,", 16) == 0);
    assert_non_null(strstr(r->body, ",active_carriers\r\n"));
    assert_int_equal(json_array_size(wht_csv_parse(r->body, r->body_len)), 1);
}

static void test_format_and_accept(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *path = wht_fmt("/loads?venture_id=%lld", f->a.id);
    WHT_PROBLEM(wht_get(wht_admin_token(), wht_fmt("%s&format=xml", path)), 400,
                "validation_failed", "format");
    WHT_PROBLEM(wht_get(wht_admin_token(), wht_fmt("%s&format=", path)), 400, "validation_failed",
                "format");
    WHT_PROBLEM(wht_get(wht_admin_token(), "/me?format=csv"), 400, "validation_failed", "format");
    WHT_PROBLEM(wht_get(wht_admin_token(), "/me?format=json"), 400, "validation_failed", "format");
    WHT_PROBLEM(wht_get(wht_admin_token(), wht_fmt("/loads/%d?format=csv", 1)), 400,
                "validation_failed", "format");
    /* format=json forces JSON */
    const char *csv_accept[] = {"Accept: text/csv", NULL};
    wht_resp *r = wht_do(&(wht_request){.method = "GET",
                                        .path = wht_fmt(WHT_API "%s&format=json", path),
                                        .token = wht_admin_token(),
                                        .headers = csv_accept});
    WHT_EXPECT(r, 200);
    assert_non_null(r->json);
    /* Accept: text/csv on a CSV route: CSV */
    r = wht_do(&(wht_request){.method = "GET",
                              .path = WHT_API "/ventures",
                              .token = wht_admin_token(),
                              .headers = csv_accept});
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_header(r, "Content-Type"), "text/csv; charset=utf-8");
    /* and ignored elsewhere */
    r = wht_do(&(wht_request){
        .method = "GET", .path = WHT_API "/me", .token = wht_admin_token(), .headers = csv_accept});
    WHT_EXPECT(r, 200);
    assert_non_null(r->json);
    /* a browser's Accept, or text/csv refused, is JSON */
    const char *browser[] = {"Accept: text/html,application/xhtml+xml,*/*;q=0.8", NULL};
    r = wht_do(&(wht_request){.method = "GET",
                              .path = WHT_API "/ventures",
                              .token = wht_admin_token(),
                              .headers = browser});
    assert_non_null(r->json);
    const char *refused[] = {"Accept: application/json, text/csv;q=0", NULL};
    r = wht_do(&(wht_request){.method = "GET",
                              .path = WHT_API "/ventures",
                              .token = wht_admin_token(),
                              .headers = refused});
    assert_non_null(r->json);
}

static void test_permission_and_scope(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *t = f->dispatcher.token;
    WHT_PROBLEM(wht_get(t, wht_fmt("/loads?venture_id=%lld&format=csv", f->b.id)), 403, "forbidden",
                NULL);
    json_t *csv = csv_of(wht_get(t, "/loads?format=csv"), "loads");
    assert_int_equal(json_array_size(csv), 11); /* venture a's 10 rows, none of b's */
    for (size_t i = 1; i < json_array_size(csv); i++)
        assert_string_equal(json_string_value(json_array_get(json_array_get(csv, i), 1)),
                            wht_fmt("%lld", f->a.id));
    wht_user hr = wht_user_new("HR_ADMIN"); /* no freight.read */
    WHT_PROBLEM(wht_get(hr.token, "/loads?format=csv"), 403, "forbidden", NULL);
    WHT_PROBLEM(wht_get(t, "/users?format=csv"), 403, "forbidden", NULL);
}

static void test_cap_and_audit_entry(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long head = wht_audit_head();
    json_t *csv = csv_of(
        wht_get(wht_admin_token(), wht_fmt("/loads?venture_id=%lld&format=csv&limit=7", f->b.id)),
        "loads");
    assert_int_equal(json_array_size(csv), CAP + 1);
    json_t *all = wht_list_all(wht_admin_token(), wht_fmt("/loads?venture_id=%lld", f->b.id), 50);
    json_array_remove(all, CAP + 2);
    json_array_remove(all, CAP + 1);
    json_array_remove(all, CAP);
    expect_same_rows(csv, all); /* the first CAP rows of the list */
    json_t *en = export_entry(head, "/api/v1/loads");
    assert_string_equal(wht_str(en, "entity"), "loads");
    assert_true(json_is_null(json_object_get(en, "entity_id")));
    assert_int_equal(wht_int(en, "venture_id"), f->b.id);
    assert_int_equal(wht_int(en, "actor_id"), wht_admin_id());
    json_t *want = wht_keep_json(wht_json("{s:s, s:{s:s, s:s}, s:i, s:b}", "path", "/api/v1/loads",
                                          "query", "venture_id", wht_fmt("%lld", f->b.id), "limit",
                                          "7", "rows", CAP, "truncated", 1));
    WHT_JSON_EQUAL(json_object_get(en, "after"), want);
    /* under the cap: not truncated, no venture */
    head = wht_audit_head();
    WHT_EXPECT(wht_get(wht_admin_token(), "/ventures?format=csv"), 200);
    en = export_entry(head, "/api/v1/ventures");
    assert_true(json_is_null(json_object_get(en, "venture_id")));
    assert_true(json_is_false(json_object_get(json_object_get(en, "after"), "truncated")));
    /* an export is one audit entry, and a refused one none */
    head = wht_audit_head();
    WHT_PROBLEM(wht_get(wht_admin_token(), "/loads?format=xml"), 400, "validation_failed",
                "format");
    wht_sleep_ms(100);
    assert_int_equal(json_array_size(wht_audit_since(head)), 0);
}

static void test_gzip(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *url = wht_fmt(WHT_API "/loads?venture_id=%lld&format=csv", f->a.id);
    wht_resp *plain =
        wht_do(&(wht_request){.method = "GET", .path = url, .token = wht_admin_token()});
    const char *gz[] = {"Accept-Encoding: gzip", NULL};
    wht_resp *r = wht_do(
        &(wht_request){.method = "GET", .path = url, .token = wht_admin_token(), .headers = gz});
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_header(r, "Content-Encoding"), "gzip");
    assert_non_null(strstr(wht_header(r, "Vary"), "Accept-Encoding"));
    unsigned char *out = malloc(plain->body_len + 1);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (unsigned char *)r->body;
    zs.avail_in = (uInt)r->body_len;
    zs.next_out = out;
    zs.avail_out = (uInt)plain->body_len + 1;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, plain->body_len);
    assert_memory_equal(out, plain->body, plain->body_len);
    inflateEnd(&zs);
    free(out);
}

/* A list completed a page at a time (people and their offices) is completed in every chunk. */
static void test_people_offices_in_every_chunk(void **state)
{
    (void)state;
    const fixture *f = fx();
    for (int i = 0; i < 6; i++) {
        wht_user u = wht_user_add("EMPLOYEE");
        wht_set_ventures(u.id, 1, &f->a.id);
        wht_set_offices(u.id, 1, &f->office_a);
    }
    const char *path = wht_fmt("/ventures/%lld/people", f->a.id);
    json_t *items = wht_list_all(wht_admin_token(), path, 5);
    assert_true(json_array_size(items) > CHUNK);
    json_t *csv = csv_of(wht_get(wht_admin_token(), wht_fmt("%s?format=csv", path)),
                         wht_fmt("ventures-%lld-people", f->a.id));
    expect_same_rows(csv, items);
}

/* Every list the fixture fills: the export is its JSON, header and rows (the field list of each
 * wh_list follows its renderer). */
static void test_lists_match_their_json(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long load = wht_sql(wht_fmt("SELECT MIN(id) FROM loads WHERE venture_id = %lld", f->a.id));
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/loads/%lld/status", load),
                        wht_json("{s:s}", "status", "QUOTED")),
               200);
    const char *lists[] = {"/ventures",
                           "/users",
                           "/audit-log?action=load.create",
                           "/shippers",
                           "/imports",
                           wht_fmt("/ventures/%lld/offices", f->a.id),
                           wht_fmt("/loads/%lld/history", load),
                           wht_fmt("/loads?venture_id=%lld", f->b.id)};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        wht_context("%s", lists[i]);
        const char *sep = strchr(lists[i], '?') ? "&" : "?";
        wht_resp *r = wht_get(wht_admin_token(), wht_fmt("%s%sformat=csv", lists[i], sep));
        WHT_EXPECT(r, 200);
        json_t *csv = wht_csv_parse(r->body, r->body_len);
        json_t *items = wht_list_all(wht_admin_token(), lists[i], 200);
        while (json_array_size(items) > CAP)
            json_array_remove(items, CAP);
        if (json_array_size(items) + 1 != json_array_size(csv))
            WHT_FAIL("%s: %zu rows in CSV, %zu in JSON", lists[i], json_array_size(csv) - 1,
                     json_array_size(items));
        expect_same_rows(csv, items);
    }
}

/* Rows of a KPI read (days) and of the overview (ventures); summaries are not exported. */
static void test_kpi_and_overview_rows(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *kpi = wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", f->a.id,
                              wht_utc_day(-4), wht_utc_day(0));
    wht_resp *j = wht_get(wht_admin_token(), kpi);
    WHT_EXPECT(j, 200);
    json_t *days = json_object_get(j->json, "days");
    if (json_array_size(days) > 0)
        expect_same_rows(
            csv_of(wht_get(wht_admin_token(), wht_fmt("%s&format=csv", kpi)), "kpi-freight"), days);
    else
        WHT_EXPECT(wht_get(wht_admin_token(), wht_fmt("%s&format=csv", kpi)), 200);
    j = wht_get(wht_admin_token(), "/overview");
    WHT_EXPECT(j, 200);
    json_t *ventures = json_object_get(j->json, "ventures");
    assert_true(json_array_size(ventures) > 0);
    expect_same_rows(csv_of(wht_get(wht_admin_token(), "/overview?format=csv"), "overview"),
                     ventures);
    WHT_PROBLEM(wht_get(wht_admin_token(), "/overview?format=csv&from=2026-13-01"), 400,
                "validation_failed", "from");
}

/* Every report exports its items, with its header even when there are none. */
static void test_reports_export_their_items(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *reports[] = {"freight/shippers", "freight/lanes", "freight/dispatchers",
                             "freight/lost-reasons"};
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
        wht_context("%s", reports[i]);
        for (int v = 0; v < 2; v++) {
            long long venture = v ? f->empty.id : f->a.id;
            const char *path = wht_fmt("/reports/%s?venture_id=%lld&from=%s&to=%s", reports[i],
                                       venture, wht_utc_day(-30), wht_utc_day(0));
            wht_resp *j = wht_get(wht_admin_token(), path);
            WHT_EXPECT(j, 200);
            json_t *items = json_object_get(j->json, "items");
            wht_resp *r = wht_get(wht_admin_token(), wht_fmt("%s&format=csv", path));
            WHT_EXPECT(r, 200);
            json_t *csv = wht_csv_parse(r->body, r->body_len);
            assert_true(json_array_size(json_array_get(csv, 0)) >= 3); /* the header */
            expect_same_rows(csv, items);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_loads_export_equals_the_json_list),
        WHT_TEST(test_values_are_quoted_and_guarded),
        WHT_TEST(test_no_rows_is_the_header_alone),
        WHT_TEST(test_format_and_accept),
        WHT_TEST(test_permission_and_scope),
        WHT_TEST(test_cap_and_audit_entry),
        WHT_TEST(test_gzip),
        WHT_TEST(test_people_offices_in_every_chunk),
        WHT_TEST(test_kpi_and_overview_rows),
        WHT_TEST(test_lists_match_their_json),
        WHT_TEST(test_reports_export_their_items),
    };
    static const char *const env[] = {"WH_EXPORT_MAX_ROWS=12", "WH_EXPORT_CHUNK_ROWS=4",
                                      "WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_export", tests, NULL, NULL));
}
