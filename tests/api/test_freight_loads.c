/*
 * Loads (API.md "Freight", DOMAIN.md §2): creation, validation of every field, the status
 * machine (every allowed and every refused move), carriers that may or may not be assigned,
 * billing days, margins on worked numbers, PATCH, scope isolation, filters, pagination while
 * rows are inserted, permissions and audit entries.
 *
 * Carriers come from the carrier directory the black-box way: onboarded through POST /carriers
 * against wh-fake's FMCSA (fixture DOT 1000001 is ACTIVE; further fixtures are added through
 * the fake's control API), blocked through PATCH /carriers/{id}, and turned OUT_OF_SERVICE by a
 * refresh after the fake changed its answer. The server runs with WH_TIMEZONE=UTC so the test
 * knows the business day.
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
#include <string.h>
#include <time.h>

#include "harness.h"

#define MISSING_ID 987654321LL
#define NSTATUS    10

static wht_server *FAKE;

typedef struct fixture {
    bool ready;
    wht_venture a, b, c;
    long long office_a1, office_a2, office_b, office_c;
    long long shipper_a, shipper_b, shipper_c;
    long long carrier_active, carrier_blocked, carrier_unknown, carrier_oos;
    wht_user writer; /* DISPATCHER of ventures a (office a1) and c (office c) */
    wht_user other;  /* DISPATCHER of venture b only */
} fixture;

static fixture FX;

/* ------------------------------------------------------------------ helpers */

static void fmcsa_fixture(long long dot, const char *allowed, const char *code, const char *oos)
{
    json_t *c = wht_json("{s:I, s:s, s:s?, s:s?, s:s?}", "dotNumber", (json_int_t)dot, "legalName",
                         wht_unique("CARRIER "), "allowedToOperate", allowed, "statusCode", code,
                         "oosDate", oos);
    wht_fake_call(FAKE, "POST", "/_control/fmcsa/carriers", c);
}

static long long onboard(long long dot, const char *expect_status)
{
    wht_resp *r = wht_post(wht_admin_token(), "/carriers",
                           wht_json("{s:s}", "dot_number", wht_fmt("%lld", dot)));
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_str(r->json, "fmcsa_status"), expect_status);
    return wht_int(r->json, "id");
}

static long long new_shipper(long long venture_id)
{
    wht_resp *r = wht_post(wht_admin_token(), "/shippers",
                           wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)venture_id, "name",
                                    wht_unique("Shipper "), "code", wht_unique_code()));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

/* A DISPATCHER who belongs to the given ventures and offices. */
static wht_user member(const char *role, size_t nv, const long long *ventures, size_t no,
                       const long long *offices)
{
    wht_user u = wht_user_new(role);
    wht_set_ventures(u.id, nv, ventures);
    if (no)
        wht_set_offices(u.id, no, offices);
    return u;
}

static void carriers(fixture *f)
{
    f->carrier_active = onboard(1000001, "ACTIVE");
    fmcsa_fixture(2000001, "Y", "A", NULL);
    f->carrier_blocked = onboard(2000001, "ACTIVE");
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/carriers/%lld", f->carrier_blocked),
                         wht_json("{s:b}", "blocked", 1)),
               200);
    fmcsa_fixture(2000002, NULL, "A", NULL); /* neither Y nor N: UNKNOWN */
    f->carrier_unknown = onboard(2000002, "UNKNOWN");
    fmcsa_fixture(2000003, "Y", "A", NULL);
    f->carrier_oos = onboard(2000003, "ACTIVE");
    fmcsa_fixture(2000003, "Y", "OOS", "2026-01-02"); /* FMCSA puts it out of service later */
    wht_resp *r =
        wht_post(wht_admin_token(), wht_fmt("/carriers/%lld/fmcsa-refresh", f->carrier_oos), NULL);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "fmcsa_status"), "OUT_OF_SERVICE");
}

static const fixture *fx(void)
{
    if (FX.ready)
        return &FX;
    FX.a = wht_venture_new("LOGISTICS");
    FX.b = wht_venture_new("LOGISTICS");
    FX.c = wht_venture_new("TRANSPORT");
    FX.office_a1 = wht_office_new(FX.a.id);
    FX.office_a2 = wht_office_new(FX.a.id);
    FX.office_b = wht_office_new(FX.b.id);
    FX.office_c = wht_office_new(FX.c.id);
    FX.shipper_a = new_shipper(FX.a.id);
    FX.shipper_b = new_shipper(FX.b.id);
    FX.shipper_c = new_shipper(FX.c.id);
    long long wv[] = {FX.a.id, FX.c.id}, wo[] = {FX.office_a1, FX.office_c};
    FX.writer = member("DISPATCHER", 2, wv, 2, wo);
    FX.other = member("DISPATCHER", 1, &FX.b.id, 1, &FX.office_b);
    carriers(&FX);
    FX.ready = true;
    return &FX;
}

static json_t *load_body(long long venture_id)
{
    return wht_json("{s:I, s:s, s:s, s:s, s:s}", "venture_id", (json_int_t)venture_id,
                    "pickup_city", "Columbus", "pickup_state", "OH", "drop_city", "Atlanta",
                    "drop_state", "GA");
}

/* POST /loads with the minimal body plus extra's members (stolen); expects 201. */
static json_t *new_load_with(const char *token, long long venture_id, json_t *extra)
{
    json_t *body = load_body(venture_id);
    if (extra) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    wht_resp *r = wht_post(token, "/loads", body);
    WHT_EXPECT(r, 201);
    return r->json;
}

static long long new_load(const char *token, long long venture_id)
{
    return wht_int(new_load_with(token, venture_id, NULL), "id");
}

static wht_resp *set_status(const char *token, long long id, const char *status, long long carrier)
{
    json_t *b = carrier
                    ? wht_json("{s:s, s:I}", "status", status, "carrier_id", (json_int_t)carrier)
                    : wht_json("{s:s}", "status", status);
    return wht_post(token, wht_fmt("/loads/%lld/status", id), b);
}

static json_t *get_load(const char *token, long long id)
{
    wht_resp *r = wht_get(token, wht_fmt("/loads/%lld", id));
    WHT_EXPECT(r, 200);
    return r->json;
}

/* How many status changes of load id are recorded (load_status_changes, read by the KPIs);
 * where: a further SQL condition on the row, or NULL. */
static long long changes_of(long long id, const char *where)
{
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM load_status_changes WHERE load_id = %lld%s%s", id,
                           where ? " AND " : "", where ? where : ""));
}

static size_t count_loads(const char *token, long long venture_id)
{
    return json_array_size(wht_list_all(token, wht_fmt("/loads?venture_id=%lld", venture_id), 200));
}

/* The audit entries since head with this action and entity id. */
static json_t *audit_entry(long long head, const char *action, long long entity_id)
{
    size_t i;
    json_t *e;
    json_array_foreach(wht_audit_since(head), i, e)
    {
        if (strcmp(wht_str(e, "action"), action) == 0 && wht_int(e, "entity_id") == entity_id)
            return e;
    }
    return NULL;
}

static void assert_empty_list(const wht_resp *r)
{
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    assert_true(json_is_false(json_object_get(r->json, "has_more")));
    assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
}

/* ------------------------------------------------------------------ creation */

static void test_create_answers_an_open_load_of_the_caller(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long head = wht_audit_head();
    json_t *extra = wht_json("{s:I, s:s, s:I, s:s, s:s, s:s, s:i, s:i, s:i, s:i}", "office_id",
                             (json_int_t)f->office_a1, "reference", "PO-1", "shipper_id",
                             (json_int_t)f->shipper_a, "pickup_date", "2026-12-01", "drop_date",
                             "2026-12-03", "equipment", "Reefer", "weight_lbs", 42000, "miles", 560,
                             "bill_cents", 150000, "cost_cents", 120000);
    json_t *l = new_load_with(f->writer.token, f->a.id, extra);
    json_t *want = wht_json(
        "{s:I, s:I, s:s, s:I, s:n, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i,"
        " s:i, s:i, s:s, s:n, s:n}",
        "venture_id", (json_int_t)f->a.id, "office_id", (json_int_t)f->office_a1, "reference",
        "PO-1", "shipper_id", (json_int_t)f->shipper_a, "carrier_id", "created_by",
        (json_int_t)f->writer.id, "pickup_city", "Columbus", "pickup_state", "OH", "pickup_date",
        "2026-12-01", "drop_city", "Atlanta", "drop_state", "GA", "drop_date", "2026-12-03",
        "equipment", "Reefer", "weight_lbs", 42000, "miles", 560, "bill_cents", 150000,
        "cost_cents", 120000, "margin_cents", 30000, "margin_bp", 2000, "status", "OPEN",
        "billing_date", "lost_reason");
    const char *key;
    json_t *v;
    json_object_foreach(want, key, v)
    {
        wht_context("field %s", key);
        WHT_JSON_EQUAL(json_object_get(l, key), v);
    }
    json_decref(want);
    assert_true(wht_is_rfc3339_ms_utc(wht_str(l, "created_at")));
    assert_true(wht_is_rfc3339_ms_utc(wht_str(l, "updated_at")));
    assert_true(json_is_null(json_object_get(l, "dispatcher_id")));
    assert_true(json_is_null(json_object_get(l, "lost_reason_code")));
    assert_int_equal(json_object_size(l), 27);
    /* the fields in the order of the Load shape (API-wave2; a CSV export follows it) */
    static const char *const order[] = {
        "id",          "venture_id", "office_id",     "reference",   "shipper_id",
        "carrier_id",  "created_by", "dispatcher_id", "pickup_city", "pickup_state",
        "pickup_date", "drop_city",  "drop_state",    "drop_date",   "equipment",
        "weight_lbs",  "miles",      "bill_cents",    "cost_cents",  "margin_cents",
        "margin_bp",   "status",     "billing_date",  "lost_reason", "lost_reason_code",
        "created_at",  "updated_at"};
    size_t k = 0;
    for (void *it = json_object_iter(l); it; it = json_object_iter_next(l, it), k++)
        assert_string_equal(json_object_iter_key(it), order[k]);
    long long id = wht_int(l, "id");
    WHT_JSON_EQUAL(get_load(f->writer.token, id), l);

    json_t *a = audit_entry(head, "load.create", id);
    assert_non_null(a);
    assert_string_equal(wht_str(a, "entity"), "load");
    assert_int_equal(wht_int(a, "venture_id"), f->a.id);
    assert_int_equal(wht_int(a, "actor_id"), f->writer.id);
    assert_true(json_is_null(json_object_get(a, "before")));
    WHT_JSON_EQUAL(json_object_get(a, "after"), l);
}

static void test_minimal_load_has_nulls_and_no_margin_ratio(void **state)
{
    (void)state;
    const fixture *f = fx();
    json_t *l = new_load_with(f->writer.token, f->a.id, NULL);
    static const char *const nulls[] = {"office_id",    "reference",  "shipper_id", "carrier_id",
                                        "pickup_date",  "drop_date",  "equipment",  "weight_lbs",
                                        "miles",        "bill_cents", "cost_cents", "margin_bp",
                                        "billing_date", "lost_reason"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        wht_context("field %s", nulls[i]);
        assert_true(json_is_null(json_object_get(l, nulls[i])));
    }
    assert_int_equal(wht_int(l, "margin_cents"), 0);
}

typedef struct bad_case {
    const char *json; /* members merged into a valid body (a JSON object) */
    const char *field;
} bad_case;

static void test_create_validates_every_field(void **state)
{
    (void)state;
    const fixture *f = fx();
    static const bad_case cases[] = {
        {"{\"venture_id\": null}", "venture_id"},
        {"{\"venture_id\": \"1\"}", "venture_id"},
        {"{\"venture_id\": 0}", "venture_id"},
        {"{\"pickup_city\": null}", "pickup_city"},
        {"{\"pickup_city\": \"\"}", "pickup_city"},
        {"{\"pickup_city\": 5}", "pickup_city"},
        {"{\"pickup_state\": null}", "pickup_state"},
        {"{\"drop_city\": \"\"}", "drop_city"},
        {"{\"drop_state\": null}", "drop_state"},
        {"{\"pickup_date\": \"2026-02-30\"}", "pickup_date"},
        {"{\"pickup_date\": \"tomorrow\"}", "pickup_date"},
        {"{\"pickup_date\": 20260101}", "pickup_date"},
        {"{\"drop_date\": \"2026-1-5\"}", "drop_date"},
        {"{\"pickup_date\": \"2026-12-05\", \"drop_date\": \"2026-12-04\"}", "drop_date"},
        {"{\"reference\": \"\"}", "reference"},
        {"{\"equipment\": []}", "equipment"},
        {"{\"weight_lbs\": -1}", "weight_lbs"},
        {"{\"weight_lbs\": 1000000001}", "weight_lbs"},
        {"{\"miles\": \"10\"}", "miles"},
        {"{\"bill_cents\": -5}", "bill_cents"},
        {"{\"bill_cents\": 10000000000001}", "bill_cents"},
        {"{\"cost_cents\": 1.5}", "cost_cents"},
        {"{\"office_id\": 0}", "office_id"},
        {"{\"shipper_id\": -1}", "shipper_id"},
        {"{\"shipper_id\": \"x\"}", "shipper_id"},
        {"{\"status\": \"WORKING\"}", "status"},
        {"{\"carrier_id\": 1}", "carrier_id"},
        {"{\"created_by\": 1}", "created_by"},
        {"{\"billing_date\": \"2026-01-01\"}", "billing_date"},
        {"{\"lost_reason\": \"x\"}", "lost_reason"},
        {"{\"margin_cents\": 1}", "margin_cents"},
        {"{\"id\": 5}", "id"},
        {"{\"colour\": \"red\"}", "colour"},
    };
    size_t before = count_loads(wht_admin_token(), f->a.id);
    long long head = wht_audit_head();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = load_body(f->a.id);
        json_t *extra = json_loads(cases[i].json, 0, NULL);
        assert_non_null(extra);
        json_object_update(body, extra);
        json_decref(extra);
        wht_context("body %s", cases[i].json);
        WHT_PROBLEM(wht_post(f->writer.token, "/loads", body), 400, "validation_failed",
                    cases[i].field);
    }
    /* a long text and several bad fields at once: every one is named */
    json_t *body = load_body(f->a.id);
    char long_text[102];
    memset(long_text, 'x', 101);
    long_text[101] = '\0';
    json_object_set_new(body, "pickup_city", json_string(long_text));
    json_object_set_new(body, "miles", json_integer(-3));
    wht_resp *r = wht_post(f->writer.token, "/loads", body);
    WHT_PROBLEM(r, 400, "validation_failed", "pickup_city");
    assert_int_equal(json_array_size(json_object_get(r->json, "errors")), 2);
    WHT_PROBLEM(wht_send_raw("POST", f->writer.token, "/loads", NULL, "{", 1), 400, "invalid_json",
                NULL);
    WHT_PROBLEM(wht_send_raw("POST", f->writer.token, "/loads", "text/plain", "{}", 2), 415,
                "unsupported_media_type", NULL);
    wht_context("nothing was written");
    assert_int_equal(count_loads(wht_admin_token(), f->a.id), before);
    assert_int_equal(wht_audit_head(), head);
}

static void test_create_checks_venture_office_and_shipper(void **state)
{
    (void)state;
    const fixture *f = fx();
    size_t before = count_loads(wht_admin_token(), f->a.id);
    const char *t = f->writer.token;
    /* a venture outside the scope, or one that does not exist: 403 */
    WHT_PROBLEM(wht_post(t, "/loads", load_body(f->b.id)), 403, "forbidden", NULL);
    WHT_PROBLEM(wht_post(t, "/loads", load_body(MISSING_ID)), 403, "forbidden", NULL);
    /* an office outside the scope (another venture's, or not one of a dispatcher's offices): 403 */
    json_t *bad[] = {
        wht_json("{s:I}", "office_id", (json_int_t)f->office_b),
        wht_json("{s:I}", "office_id", (json_int_t)f->office_a2),
        wht_json("{s:I}", "office_id", (json_int_t)MISSING_ID),
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *body = load_body(f->a.id);
        json_object_update(body, bad[i]);
        json_decref(bad[i]);
        WHT_PROBLEM(wht_post(t, "/loads", body), 403, "forbidden", NULL);
    }
    /* an office in scope but of another venture than the load's: 400 */
    json_t *body = load_body(f->a.id);
    json_object_set_new(body, "office_id", json_integer(f->office_c));
    WHT_PROBLEM(wht_post(t, "/loads", body), 400, "validation_failed", "office_id");
    /* a shipper of another venture (in scope or not), or none: 400 */
    long long shippers[] = {f->shipper_b, f->shipper_c, MISSING_ID};
    for (size_t i = 0; i < 3; i++) {
        body = load_body(f->a.id);
        json_object_set_new(body, "shipper_id", json_integer(shippers[i]));
        WHT_PROBLEM(wht_post(t, "/loads", body), 400, "validation_failed", "shipper_id");
    }
    assert_int_equal(count_loads(wht_admin_token(), f->a.id), before);
    /* an all-venture role may use any office of the venture */
    json_t *l = new_load_with(wht_admin_token(), f->a.id,
                              wht_json("{s:I}", "office_id", (json_int_t)f->office_a2));
    assert_int_equal(wht_int(l, "office_id"), f->office_a2);
    assert_int_equal(wht_int(l, "created_by"), wht_admin_id());
}

static void test_permissions(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = new_load(f->writer.token, f->a.id);
    static const char *const no_read[] = {"HR_ADMIN", "CONTRACTOR", "ACCOUNTING", "TEST_USER"};
    for (size_t i = 0; i < 4; i++) {
        wht_user u = member(no_read[i], 1, &f->a.id, 1, &f->office_a1);
        wht_context("role %s", no_read[i]);
        WHT_PROBLEM(wht_get(u.token, "/loads"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, wht_fmt("/loads/%lld", id)), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_post(u.token, "/loads", load_body(f->a.id)), 403, "forbidden", NULL);
    }
    static const char *const read_only[] = {"AUDITOR", "FINANCE", "CARRIER_TEAM"};
    for (size_t i = 0; i < 3; i++) {
        wht_user u = member(read_only[i], 1, &f->a.id, 1, &f->office_a1);
        wht_context("role %s", read_only[i]);
        WHT_EXPECT(wht_get(u.token, wht_fmt("/loads/%lld", id)), 200);
        assert_non_null(wht_find_by_id(wht_list_all(u.token, "/loads", 200), id));
        WHT_PROBLEM(wht_post(u.token, "/loads", load_body(f->a.id)), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_patch(u.token, wht_fmt("/loads/%lld", id), wht_json("{}")), 403,
                    "forbidden", NULL);
        WHT_PROBLEM(set_status(u.token, id, "WORKING", 0), 403, "forbidden", NULL);
    }
    static const char *const writers[] = {"CEO",       "COO",      "VENTURE_HEAD", "OFFICE_MANAGER",
                                          "TEAM_LEAD", "EMPLOYEE", "CSR",          "DISPATCHER"};
    for (size_t i = 0; i < 8; i++) {
        wht_user u = member(writers[i], 1, &f->a.id, 1, &f->office_a1);
        wht_context("role %s", writers[i]);
        long long mine = new_load(u.token, f->a.id);
        WHT_EXPECT(set_status(u.token, mine, "WORKING", 0), 200);
        WHT_EXPECT(
            wht_patch(u.token, wht_fmt("/loads/%lld", mine), wht_json("{s:s}", "reference", "R")),
            200);
    }
    WHT_PROBLEM(wht_get(NULL, "/loads"), 401, "unauthenticated", NULL);
}

/* ------------------------------------------------------------- status machine */

static const char *const STATUS[NSTATUS] = {"OPEN",     "WORKING",    "QUOTED",    "AT_RISK",
                                            "COVERED",  "IN_TRANSIT", "DELIVERED", "LOST",
                                            "FELL_OFF", "DORMANT"};
/* DOMAIN.md §2, rows = from, columns = to, in the order of STATUS */
static const int ALLOWED[NSTATUS][NSTATUS] = {
    /*            OPEN WORK QUOT ATRI COVE INTR DELI LOST FELL DORM */
    /* OPEN    */ {0, 1, 1, 0, 0, 0, 0, 1, 0, 1},
    /* WORKING */ {0, 0, 1, 1, 1, 0, 0, 1, 0, 1},
    /* QUOTED  */ {1, 1, 0, 0, 1, 0, 0, 1, 0, 0},
    /* AT_RISK */ {0, 1, 0, 0, 1, 0, 0, 1, 0, 0},
    /* COVERED */ {0, 0, 0, 0, 0, 1, 1, 1, 1, 0},
    /* IN_TRAN */ {0, 0, 0, 0, 0, 0, 1, 1, 1, 0},
    /* DELIVER */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* LOST    */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* FELL_OF */ {0, 1, 0, 0, 1, 0, 0, 1, 0, 0},
    /* DORMANT */ {1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
};
/* How to reach each status from OPEN along allowed moves. */
static const char *const ROUTE[NSTATUS][4] = {
    {NULL},
    {"WORKING", NULL},
    {"QUOTED", NULL},
    {"WORKING", "AT_RISK", NULL},
    {"WORKING", "COVERED", NULL},
    {"WORKING", "COVERED", "IN_TRANSIT", NULL},
    {"WORKING", "COVERED", "DELIVERED", NULL},
    {"LOST", NULL},
    {"WORKING", "COVERED", "FELL_OFF", NULL},
    {"DORMANT", NULL},
};

static long long load_in(const fixture *f, int status)
{
    long long id = new_load(f->writer.token, f->a.id);
    for (int k = 0; ROUTE[status][k]; k++) {
        const char *to = ROUTE[status][k];
        wht_resp *r =
            set_status(f->writer.token, id, to, strcmp(to, "COVERED") == 0 ? f->carrier_active : 0);
        WHT_EXPECT(r, 200);
    }
    assert_string_equal(wht_str(get_load(f->writer.token, id), "status"), STATUS[status]);
    return id;
}

static void test_every_transition(void **state)
{
    (void)state;
    const fixture *f = fx();
    for (int from = 0; from < NSTATUS; from++) {
        for (int to = 0; to < NSTATUS; to++) {
            long long id = load_in(f, from);
            json_t *before = get_load(f->writer.token, id);
            long long carrier = strcmp(STATUS[to], "COVERED") == 0 ? f->carrier_active : 0;
            wht_context("%s -> %s", STATUS[from], STATUS[to]);
            wht_resp *r = set_status(f->writer.token, id, STATUS[to], carrier);
            if (from == to) {
                WHT_EXPECT(r, 200);
                WHT_JSON_EQUAL(r->json, before); /* a no-op: not even updated_at moves */
            } else if (ALLOWED[from][to]) {
                WHT_EXPECT(r, 200);
                assert_string_equal(wht_str(r->json, "status"), STATUS[to]);
                WHT_JSON_EQUAL(get_load(f->writer.token, id), r->json);
            } else {
                WHT_PROBLEM(r, 409, "invalid_transition", NULL);
                WHT_JSON_EQUAL(get_load(f->writer.token, id), before);
            }
        }
    }
}

static void test_same_status_is_a_no_op_without_audit(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long covered = load_in(f, 4);
    json_t *before = get_load(f->writer.token, covered);
    long long head = wht_audit_head();
    /* naming another carrier does not re-cover a covered load */
    wht_resp *r = set_status(f->writer.token, covered, "COVERED", f->carrier_blocked);
    WHT_EXPECT(r, 200);
    WHT_JSON_EQUAL(r->json, before);
    WHT_EXPECT(set_status(f->writer.token, covered, "COVERED", 0), 200);
    assert_int_equal(wht_audit_head(), head);
    assert_int_equal(changes_of(covered, NULL), 3); /* created, WORKING, COVERED: no fourth */
    long long delivered = load_in(f, 6);
    head = wht_audit_head();
    WHT_EXPECT(set_status(f->writer.token, delivered, "DELIVERED", 0), 200);
    assert_int_equal(wht_audit_head(), head);
    assert_int_equal(changes_of(delivered, NULL), 4);
}

static void test_status_changes_are_recorded(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *today = wht_utc_day(0);
    json_t *created = new_load_with(f->writer.token, f->a.id, NULL);
    long long id = wht_int(created, "id");
    long long at = wht_rfc3339_ms(wht_str(created, "created_at"));
    assert_int_equal(changes_of(id, NULL), 1);
    assert_int_equal(changes_of(id, wht_fmt("from_status IS NULL AND to_status = 'OPEN' AND"
                                            " venture_id = %lld AND day = '%s' AND at = %lld",
                                            f->a.id, today, at)),
                     1);
    WHT_EXPECT(set_status(f->writer.token, id, "WORKING", 0), 200);
    wht_resp *r = set_status(f->writer.token, id, "COVERED", f->carrier_active);
    WHT_EXPECT(r, 200);
    at = wht_rfc3339_ms(wht_str(r->json, "updated_at"));

    /* refused moves and a PATCH record nothing */
    WHT_PROBLEM(set_status(f->writer.token, id, "OPEN", 0), 409, "invalid_transition", NULL);
    WHT_PROBLEM(
        wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                 wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", "2999-01-01")),
        400, "validation_failed", "billing_date");
    WHT_EXPECT(wht_patch(f->writer.token, wht_fmt("/loads/%lld", id),
                         wht_json("{s:s}", "reference", "REF-HISTORY")),
               200);
    assert_int_equal(changes_of(id, NULL), 3);
    assert_int_equal(changes_of(id, "from_status = 'OPEN' AND to_status = 'WORKING'"), 1);
    assert_int_equal(changes_of(id, wht_fmt("from_status = 'WORKING' AND to_status = 'COVERED'"
                                            " AND day = '%s' AND at = %lld",
                                            today, at)),
                     1);

    /* GET /loads/{id}/history shows the same changes, oldest first, a page at a time; the
     * audit log shows the load's own entries */
    json_t *moves = wht_list_all(f->writer.token, wht_fmt("/loads/%lld/history", id), 1);
    assert_int_equal(json_array_size(moves), 3);
    assert_true(json_is_null(json_object_get(json_array_get(moves, 0), "from_status")));
    const char *path[] = {"OPEN", "WORKING", "COVERED"};
    for (size_t i = 0; i < 3; i++) {
        json_t *m = json_array_get(moves, i);
        assert_string_equal(wht_str(m, "to_status"), path[i]);
        assert_string_equal(wht_str(m, "day"), today);
        assert_true(wht_is_rfc3339_ms_utc(wht_str(m, "at")));
    }
    assert_int_equal(wht_rfc3339_ms(wht_str(json_array_get(moves, 2), "at")), at);
    json_t *entries =
        wht_list_all(wht_admin_token(), wht_fmt("/audit-log?entity=load&entity_id=%lld", id), 2);
    size_t i;
    json_t *e;
    assert_int_equal(json_array_size(entries), 4); /* create, two moves, the PATCH */
    json_array_foreach(entries, i, e)
    {
        assert_string_equal(wht_str(e, "entity"), "load");
        assert_int_equal(wht_int(e, "entity_id"), id);
    }
    WHT_PROBLEM(wht_get(wht_admin_token(), "/audit-log?entity=load"), 400, "validation_failed",
                "entity_id");
    WHT_PROBLEM(wht_get(wht_admin_token(), "/audit-log?entity_id=1"), 400, "validation_failed",
                "entity");
}

static void test_covered_needs_an_assignable_carrier(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = load_in(f, 1);
    json_t *before = get_load(f->writer.token, id);
    long long head = wht_audit_head();
    WHT_PROBLEM(set_status(f->writer.token, id, "COVERED", 0), 400, "validation_failed",
                "carrier_id");
    WHT_PROBLEM(set_status(f->writer.token, id, "COVERED", MISSING_ID), 400, "validation_failed",
                "carrier_id");
    long long refused[] = {f->carrier_blocked, f->carrier_unknown, f->carrier_oos};
    for (size_t i = 0; i < 3; i++) {
        wht_context("carrier %lld", refused[i]);
        WHT_PROBLEM(set_status(f->writer.token, id, "COVERED", refused[i]), 422, "carrier_blocked",
                    NULL);
    }
    WHT_PROBLEM(wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                         wht_json("{s:s, s:s}", "status", "COVERED", "carrier_id", "1000001")),
                400, "validation_failed", "carrier_id");
    wht_context("refusals change nothing");
    WHT_JSON_EQUAL(get_load(f->writer.token, id), before);
    assert_int_equal(wht_audit_head(), head);

    /* an unblocked carrier becomes assignable again */
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/carriers/%lld", f->carrier_blocked),
                         wht_json("{s:b}", "blocked", 0)),
               200);
    wht_resp *r = set_status(f->writer.token, id, "COVERED", f->carrier_blocked);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "carrier_id"), f->carrier_blocked);
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/carriers/%lld", f->carrier_blocked),
                         wht_json("{s:b}", "blocked", 1)),
               200);
    json_t *a = audit_entry(head, "load.status", id);
    assert_non_null(a);
    assert_string_equal(wht_str(json_object_get(a, "before"), "status"), "WORKING");
    assert_string_equal(wht_str(json_object_get(a, "after"), "status"), "COVERED");
    assert_int_equal(wht_int(a, "venture_id"), f->a.id);
}

static void test_fell_off_drops_the_carrier(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = load_in(f, 4);
    assert_int_equal(wht_int(get_load(f->writer.token, id), "carrier_id"), f->carrier_active);
    wht_resp *r = set_status(f->writer.token, id, "FELL_OFF", 0);
    WHT_EXPECT(r, 200);
    assert_true(json_is_null(json_object_get(r->json, "carrier_id")));
    WHT_PROBLEM(set_status(f->writer.token, id, "COVERED", 0), 400, "validation_failed",
                "carrier_id");
    r = set_status(f->writer.token, id, "COVERED", f->carrier_active);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "carrier_id"), f->carrier_active);
    /* a carrier is named only with COVERED */
    WHT_PROBLEM(set_status(f->writer.token, id, "IN_TRANSIT", f->carrier_active), 400,
                "validation_failed", "carrier_id");
}

static void test_delivered_sets_the_billing_day(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = load_in(f, 5);
    json_t *before = get_load(f->writer.token, id);
    const char *future = wht_utc_day(2);
    WHT_PROBLEM(wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                         wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", future)),
                400, "validation_failed", "billing_date");
    WHT_PROBLEM(
        wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                 wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", "2026-13-01")),
        400, "validation_failed", "billing_date");
    WHT_PROBLEM(wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                         wht_json("{s:s, s:s}", "status", "LOST", "billing_date", "2026-01-01")),
                400, "validation_failed", "billing_date");
    WHT_JSON_EQUAL(get_load(f->writer.token, id), before);

    const char *day_before = wht_utc_day(0);
    wht_resp *r = set_status(f->writer.token, id, "DELIVERED", 0);
    const char *day_after = wht_utc_day(0);
    WHT_EXPECT(r, 200);
    const char *billed = wht_str(r->json, "billing_date");
    assert_true(strcmp(billed, day_before) == 0 || strcmp(billed, day_after) == 0);
    WHT_PROBLEM(set_status(f->writer.token, id, "LOST", 0), 409, "invalid_transition", NULL);

    long long past = load_in(f, 4);
    r = wht_post(f->writer.token, wht_fmt("/loads/%lld/status", past),
                 wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", "2026-01-15"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "billing_date"), "2026-01-15");
    long long today = load_in(f, 4);
    r = wht_post(f->writer.token, wht_fmt("/loads/%lld/status", today),
                 wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", wht_utc_day(0)));
    WHT_EXPECT(r, 200);
}

static void test_lost_records_the_reason(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = load_in(f, 2);
    char reason[1002];
    memset(reason, 'r', 1001);
    reason[1001] = '\0';
    WHT_PROBLEM(wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                         wht_json("{s:s, s:s}", "status", "LOST", "lost_reason", reason)),
                400, "validation_failed", "lost_reason");
    WHT_PROBLEM(wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                         wht_json("{s:s, s:s}", "status", "WORKING", "lost_reason", "price")),
                400, "validation_failed", "lost_reason");
    wht_resp *r = wht_post(f->writer.token, wht_fmt("/loads/%lld/status", id),
                           wht_json("{s:s, s:s}", "status", "LOST", "lost_reason", "Rate too low"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "lost_reason"), "Rate too low");
    assert_string_equal(wht_str(r->json, "status"), "LOST");
}

static void test_status_body_is_validated(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = new_load(f->writer.token, f->a.id);
    const char *path = wht_fmt("/loads/%lld/status", id);
    WHT_PROBLEM(wht_post(f->writer.token, path, wht_json("{}")), 400, "validation_failed",
                "status");
    WHT_PROBLEM(wht_post(f->writer.token, path, wht_json("{s:s}", "status", "working")), 400,
                "validation_failed", "status");
    WHT_PROBLEM(
        wht_post(f->writer.token, path, wht_json("{s:s, s:b}", "status", "WORKING", "rush", 1)),
        400, "validation_failed", "rush");
    WHT_PROBLEM(wht_post(f->writer.token, path, NULL), 415, "unsupported_media_type", NULL);
    WHT_PROBLEM(set_status(f->writer.token, MISSING_ID, "WORKING", 0), 404, "not_found", NULL);
    assert_string_equal(wht_str(get_load(f->writer.token, id), "status"), "OPEN");
}

/* ------------------------------------------------------------------- margins */

static void test_margins_on_worked_numbers(void **state)
{
    (void)state;
    const fixture *f = fx();
    static const struct {
        const char *json;
        long long margin;
        bool has_bp; /* false: margin_bp is null */
        long long bp;
    } cases[] = {
        {"{\"bill_cents\": 150000, \"cost_cents\": 120000}", 30000, true, 2000},
        {"{\"bill_cents\": 0, \"cost_cents\": 5000}", -5000, false, 0},
        {"{\"cost_cents\": 5000}", -5000, false, 0},
        {"{\"bill_cents\": 0}", 0, false, 0},
        {"{\"bill_cents\": 80000}", 80000, true, 10000},
        {"{\"bill_cents\": 100000, \"cost_cents\": 120000}", -20000, true, -2000},
        {"{\"bill_cents\": 3, \"cost_cents\": 2}", 1, true, 3333}, /* truncated */
        {"{\"bill_cents\": 3, \"cost_cents\": 4}", -1, true, -3333},
        {"{\"bill_cents\": 10000000000000, \"cost_cents\": 0}", 10000000000000LL, true, 10000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("%s", cases[i].json);
        json_t *l = new_load_with(f->writer.token, f->a.id, json_loads(cases[i].json, 0, NULL));
        assert_int_equal(wht_int(l, "margin_cents"), cases[i].margin);
        if (cases[i].has_bp)
            assert_int_equal(wht_int(l, "margin_bp"), cases[i].bp);
        else
            assert_true(json_is_null(json_object_get(l, "margin_bp")));
    }
    /* a PATCH recomputes them */
    long long id =
        wht_int(new_load_with(f->writer.token, f->a.id,
                              wht_json("{s:i, s:i}", "bill_cents", 150000, "cost_cents", 120000)),
                "id");
    wht_resp *r =
        wht_patch(f->writer.token, wht_fmt("/loads/%lld", id), wht_json("{s:n}", "bill_cents"));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "margin_cents"), -120000);
    assert_true(json_is_null(json_object_get(r->json, "margin_bp")));
}

/* --------------------------------------------------------------------- PATCH */

static void test_patch_changes_writable_fields_only(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = new_load(f->writer.token, f->a.id);
    const char *path = wht_fmt("/loads/%lld", id);
    long long head = wht_audit_head();
    wht_resp *r = wht_patch(
        f->writer.token, path,
        wht_json("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i}", "reference",
                 "PO-9", "office_id", (json_int_t)f->office_a1, "shipper_id",
                 (json_int_t)f->shipper_a, "pickup_city", "Dayton", "pickup_date", "2026-12-01",
                 "drop_date", "2026-12-02", "drop_state", "TN", "equipment", "Flatbed",
                 "weight_lbs", 1000, "miles", 20, "bill_cents", 150000, "cost_cents", 120000));
    WHT_EXPECT(r, 200);
    json_t *l = r->json;
    assert_string_equal(wht_str(l, "reference"), "PO-9");
    assert_string_equal(wht_str(l, "pickup_city"), "Dayton");
    assert_string_equal(wht_str(l, "drop_city"), "Atlanta"); /* untouched */
    assert_string_equal(wht_str(l, "drop_state"), "TN");
    assert_int_equal(wht_int(l, "office_id"), f->office_a1);
    assert_int_equal(wht_int(l, "shipper_id"), f->shipper_a);
    assert_int_equal(wht_int(l, "margin_bp"), 2000);
    assert_string_equal(wht_str(l, "status"), "OPEN");
    assert_int_equal(wht_int(l, "created_by"), f->writer.id);
    json_t *a = audit_entry(head, "load.update", id);
    assert_non_null(a);
    assert_true(json_is_null(json_object_get(json_object_get(a, "before"), "reference")));
    WHT_JSON_EQUAL(json_object_get(a, "after"), l);

    /* null clears an optional field */
    r = wht_patch(f->writer.token, path,
                  wht_json("{s:n, s:n, s:n, s:n, s:n}", "reference", "office_id", "shipper_id",
                           "pickup_date", "weight_lbs"));
    WHT_EXPECT(r, 200);
    assert_true(json_is_null(json_object_get(r->json, "reference")));
    assert_true(json_is_null(json_object_get(r->json, "office_id")));
    assert_true(json_is_null(json_object_get(r->json, "shipper_id")));
    assert_true(json_is_null(json_object_get(r->json, "weight_lbs")));
    json_t *now = r->json;

    static const bad_case bad[] = {
        {"{\"pickup_city\": null}", "pickup_city"},
        {"{\"drop_state\": \"\"}", "drop_state"},
        {"{\"drop_date\": \"2026-11-30\", \"pickup_date\": \"2026-12-01\"}", "drop_date"},
        {"{\"miles\": -1}", "miles"},
        {"{\"venture_id\": 1}", "venture_id"},
        {"{\"status\": \"WORKING\"}", "status"},
        {"{\"carrier_id\": 1}", "carrier_id"},
        {"{\"created_by\": 1}", "created_by"},
        {"{\"billing_date\": \"2026-01-01\"}", "billing_date"},
        {"{\"lost_reason\": \"x\"}", "lost_reason"},
        {"{\"margin_bp\": 1}", "margin_bp"},
        {"{\"created_at\": \"2026-01-01T00:00:00Z\"}", "created_at"},
    };
    head = wht_audit_head();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wht_context("%s", bad[i].json);
        WHT_PROBLEM(wht_patch(f->writer.token, path, json_loads(bad[i].json, 0, NULL)), 400,
                    "validation_failed", bad[i].field);
    }
    WHT_PROBLEM(
        wht_patch(f->writer.token, path, wht_json("{s:I}", "office_id", (json_int_t)f->office_b)),
        403, "forbidden", NULL);
    WHT_PROBLEM(
        wht_patch(f->writer.token, path, wht_json("{s:I}", "office_id", (json_int_t)f->office_c)),
        400, "validation_failed", "office_id");
    WHT_PROBLEM(
        wht_patch(f->writer.token, path, wht_json("{s:I}", "shipper_id", (json_int_t)f->shipper_b)),
        400, "validation_failed", "shipper_id");
    WHT_PROBLEM(wht_patch(f->writer.token, wht_fmt("/loads/%lld", MISSING_ID), wht_json("{}")), 404,
                "not_found", NULL);
    wht_context("refusals change nothing");
    WHT_JSON_EQUAL(get_load(f->writer.token, id), now);
    assert_int_equal(wht_audit_head(), head);
}

/* -------------------------------------------------------------------- scope */

static void assert_404_like_missing(const char *method, const char *token, const char *suffix,
                                    long long foreign, json_t *body)
{
    json_t *body2 = body ? json_deep_copy(body) : NULL;
    wht_resp *hidden = wht_send(method, token, wht_fmt("/loads/%lld%s", foreign, suffix), body);
    wht_resp *missing =
        wht_send(method, token, wht_fmt("/loads/%lld%s", MISSING_ID, suffix), body2);
    WHT_PROBLEM(hidden, 404, "not_found", NULL);
    WHT_PROBLEM(missing, 404, "not_found", NULL);
    WHT_JSON_EQUAL(wht_problem_shape(hidden->json, wht_fmt("%lld", foreign)),
                   wht_problem_shape(missing->json, wht_fmt("%lld", MISSING_ID)));
}

static void test_scope_isolation(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long mine = new_load(f->writer.token, f->a.id);
    long long theirs = new_load(f->other.token, f->b.id);
    json_t *theirs_before = get_load(f->other.token, theirs);

    assert_404_like_missing("GET", f->writer.token, "", theirs, NULL);
    assert_404_like_missing("PATCH", f->writer.token, "", theirs,
                            wht_json("{s:s}", "reference", "x"));
    assert_404_like_missing("POST", f->writer.token, "/status", theirs,
                            wht_json("{s:s}", "status", "WORKING"));
    assert_404_like_missing("GET", f->other.token, "", mine, NULL);
    assert_404_like_missing("GET", f->writer.token, "/history", theirs, NULL);
    WHT_JSON_EQUAL(get_load(f->other.token, theirs), theirs_before);

    json_t *seen = wht_list_all(f->writer.token, "/loads", 200);
    assert_non_null(wht_find_by_id(seen, mine));
    size_t i;
    json_t *l;
    json_array_foreach(seen, i, l)
    {
        long long v = wht_int(l, "venture_id");
        assert_true(v == f->a.id || v == f->c.id);
    }
    json_array_foreach(wht_list_all(f->other.token, "/loads", 200), i, l)
    {
        assert_int_equal(wht_int(l, "venture_id"), f->b.id);
    }
    /* filters never widen the scope */
    WHT_PROBLEM(wht_get(f->writer.token, wht_fmt("/loads?venture_id=%lld", f->b.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->writer.token, wht_fmt("/loads?office_id=%lld", f->office_b)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->writer.token, wht_fmt("/loads?office_id=%lld", f->office_a2)), 403,
                "forbidden", NULL);
    assert_empty_list(wht_get(f->writer.token, wht_fmt("/loads?created_by=%lld", f->other.id)));
    assert_empty_list(wht_get(f->writer.token, wht_fmt("/loads?shipper_id=%lld", f->shipper_b)));

    /* no memberships: no loads, never an error */
    wht_user none = wht_user_new("DISPATCHER");
    assert_empty_list(wht_get(none.token, "/loads"));
    assert_empty_list(wht_get(none.token, "/loads?status=OPEN"));
    WHT_PROBLEM(wht_get(none.token, wht_fmt("/loads?venture_id=%lld", f->a.id)), 403, "forbidden",
                NULL);
    assert_404_like_missing("GET", none.token, "", mine, NULL);

    /* an all-venture role sees both */
    wht_user coo = wht_user_new("COO");
    json_t *all = wht_list_all(coo.token, "/loads", 200);
    assert_non_null(wht_find_by_id(all, mine));
    assert_non_null(wht_find_by_id(all, theirs));
}

/* ------------------------------------------------------------------- filters */

static void test_filters(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_venture v = wht_venture_new("LOGISTICS");
    long long o1 = wht_office_new(v.id), o2 = wht_office_new(v.id);
    long long s1 = new_shipper(v.id), s2 = new_shipper(v.id);
    long long offices[] = {o1, o2};
    wht_user u1 = member("DISPATCHER", 1, &v.id, 2, offices);
    wht_user u2 = member("EMPLOYEE", 1, &v.id, 0, NULL);
    long long l1 =
        wht_int(new_load_with(u1.token, v.id,
                              wht_json("{s:I, s:I, s:s}", "office_id", (json_int_t)o1, "shipper_id",
                                       (json_int_t)s1, "reference", "PO-Alpha-17")),
                "id");
    long long l2 =
        wht_int(new_load_with(u1.token, v.id,
                              wht_json("{s:I, s:I, s:s}", "office_id", (json_int_t)o2, "shipper_id",
                                       (json_int_t)s2, "reference", "po-beta_9")),
                "id");
    long long l3 = wht_int(
        new_load_with(u2.token, v.id, wht_json("{s:I}", "shipper_id", (json_int_t)s1)), "id");
    long long l4 = wht_int(
        new_load_with(u1.token, v.id, wht_json("{s:I}", "office_id", (json_int_t)o1)), "id");
    WHT_EXPECT(set_status(u1.token, l2, "WORKING", 0), 200);
    WHT_EXPECT(set_status(u2.token, l3, "WORKING", 0), 200);
    WHT_EXPECT(set_status(u2.token, l3, "COVERED", f->carrier_active), 200);
    WHT_EXPECT(set_status(u1.token, l4, "LOST", 0), 200);
    assert_int_equal(wht_int(get_load(u2.token, l3), "dispatcher_id"), u2.id); /* who covered it */

    const char *base = wht_fmt("/loads?venture_id=%lld", v.id);
    const char *today = wht_utc_day(0);
    long long all[] = {l1, l2, l3, l4};
    struct {
        const char *query;
        size_t n;
        long long ids[4];
    } cases[] = {
        {"", 4, {l1, l2, l3, l4}},
        {wht_fmt("&office_id=%lld", o1), 2, {l1, l4}},
        {wht_fmt("&office_id=%lld", o2), 1, {l2}},
        {"&status=WORKING", 1, {l2}},
        {"&status=COVERED", 1, {l3}},
        {"&status=DELIVERED", 0, {0}},
        {wht_fmt("&shipper_id=%lld", s1), 2, {l1, l3}},
        {wht_fmt("&carrier_id=%lld", f->carrier_active), 1, {l3}},
        {wht_fmt("&created_by=%lld", u1.id), 3, {l1, l2, l4}},
        {wht_fmt("&created_by=%lld&office_id=%lld", u1.id, o1), 2, {l1, l4}},
        {wht_fmt("&shipper_id=%lld&status=OPEN", s1), 1, {l1}},
        {wht_fmt("&from=%s&to=%s", today, today), 4, {l1, l2, l3, l4}},
        {wht_fmt("&from=%s", wht_utc_day(-1)), 4, {l1, l2, l3, l4}},
        {wht_fmt("&from=%s", wht_utc_day(2)), 0, {0}},
        {wht_fmt("&to=%s", wht_utc_day(-2)), 0, {0}},
        /* a part of the reference, any case; % and _ are plain characters */
        {"&reference=alpha", 1, {l1}},
        {"&reference=PO-", 2, {l1, l2}},
        {"&reference=_", 1, {l2}},
        {"&reference=%25", 0, {0}},
        {"&reference=PO-&status=OPEN", 1, {l1}},
        {wht_fmt("&dispatcher_id=%lld", u2.id), 1, {l3}},
        {wht_fmt("&dispatcher_id=%lld", u1.id), 0, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("query %s", cases[i].query);
        json_t *items = wht_list_all(u1.token, wht_fmt("%s%s", base, cases[i].query), 2);
        WHT_ID_SET(items, "id", cases[i].n, cases[i].ids);
    }
    /* without a venture filter the same rows are there, among others in scope */
    WHT_ID_SET(wht_list_all(u2.token, "/loads", 200), "id", 4, all);

    static const struct {
        const char *query, *field;
    } bad[] = {
        {"?status=open", "status"},
        {"?from=2026-13-01", "from"},
        {"?to=yesterday", "to"},
        {"?office_id=abc", "office_id"},
        {"?carrier_id=0", "carrier_id"},
        {"?shipper_id=-1", "shipper_id"},
        {"?created_by=1.5", "created_by"},
        {"?dispatcher_id=0", "dispatcher_id"},
        {"?venture_id=x", "venture_id"},
        {"?from=2026-02-02&to=2026-02-01", "to"},
        {"?limit=0", "limit"},
        {"?limit=201", "limit"},
        {"?reference=%ff", "reference"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wht_context("query %s", bad[i].query);
        WHT_PROBLEM(wht_get(u1.token, wht_fmt("/loads%s", bad[i].query)), 400, "validation_failed",
                    bad[i].field);
    }
    /* an office filter for an office-scoped role outside their offices */
    WHT_PROBLEM(wht_get(u2.token, wht_fmt("/loads?office_id=%lld", o1)), 403, "forbidden", NULL);
}

/* ---------------------------------------------------- wave 2: dispatcher, codes, pending */

/* dispatcher_id names an eligible user of the load's venture (API-wave2): a member or an
 * all-venture role, active; anyone else is 400 and changes nothing. */
static void test_dispatcher_is_an_eligible_user(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user mate = member("DISPATCHER", 1, &f->a.id, 0, NULL);
    wht_user coo = wht_user_new("COO"); /* no membership: sees every venture */
    wht_user gone = member("DISPATCHER", 1, &f->a.id, 0, NULL);
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/users/%lld", gone.id),
                         wht_json("{s:b}", "active", 0)),
               200);
    long long head = wht_audit_head();
    size_t before = count_loads(f->writer.token, f->a.id);
    const long long refused[] = {f->other.id, gone.id, MISSING_ID};
    for (size_t i = 0; i < 3; i++) {
        json_t *body = load_body(f->a.id);
        json_object_set_new(body, "dispatcher_id", json_integer(refused[i]));
        wht_context("dispatcher %lld", refused[i]);
        WHT_PROBLEM(wht_post(f->writer.token, "/loads", body), 400, "validation_failed",
                    "dispatcher_id");
    }
    json_t *zero = load_body(f->a.id);
    json_object_set_new(zero, "dispatcher_id", json_integer(0));
    WHT_PROBLEM(wht_post(f->writer.token, "/loads", zero), 400, "validation_failed",
                "dispatcher_id");
    wht_context("%s", "");
    assert_int_equal(wht_audit_head(), head);
    assert_int_equal(count_loads(f->writer.token, f->a.id), before);

    json_t *l =
        new_load_with(f->writer.token, f->a.id, wht_json("{s:I}", "dispatcher_id", mate.id));
    long long id = wht_int(l, "id");
    assert_int_equal(wht_int(l, "dispatcher_id"), mate.id);
    const char *path = wht_fmt("/loads/%lld", id);
    wht_resp *r = wht_patch(f->writer.token, path, wht_json("{s:I}", "dispatcher_id", coo.id));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "dispatcher_id"), coo.id);
    WHT_PROBLEM(wht_patch(f->writer.token, path, wht_json("{s:I}", "dispatcher_id", gone.id)), 400,
                "validation_failed", "dispatcher_id");
    assert_int_equal(wht_int(get_load(f->writer.token, id), "dispatcher_id"), coo.id);
    /* a load with a dispatcher keeps it when someone else covers it */
    WHT_EXPECT(set_status(f->writer.token, id, "WORKING", 0), 200);
    r = set_status(f->writer.token, id, "COVERED", f->carrier_active);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "dispatcher_id"), coo.id);
    r = wht_patch(f->writer.token, path, wht_json("{s:n}", "dispatcher_id"));
    WHT_EXPECT(r, 200);
    assert_true(json_is_null(json_object_get(r->json, "dispatcher_id")));
    /* a load covered without one gets the caller */
    long long covered = load_in(f, 4);
    assert_int_equal(wht_int(get_load(f->writer.token, covered), "dispatcher_id"), f->writer.id);
}

/* A move to LOST records lost_reason_code (default OTHER); the code is read-only elsewhere. */
static void test_lost_records_a_reason_code(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = load_in(f, 1);
    const char *path = wht_fmt("/loads/%lld/status", id);
    long long head = wht_audit_head();
    WHT_PROBLEM(wht_post(f->writer.token, path,
                         wht_json("{s:s, s:s}", "status", "LOST", "lost_reason_code", "PRICE")),
                400, "validation_failed", "lost_reason_code");
    WHT_PROBLEM(wht_post(f->writer.token, path,
                         wht_json("{s:s, s:s}", "status", "QUOTED", "lost_reason_code", "RATE")),
                400, "validation_failed", "lost_reason_code");
    assert_int_equal(wht_audit_head(), head);
    assert_string_equal(wht_str(get_load(f->writer.token, id), "status"), "WORKING");
    wht_resp *r = wht_post(f->writer.token, path,
                           wht_json("{s:s, s:s, s:s}", "status", "LOST", "lost_reason_code",
                                    "CAPACITY", "lost_reason", "No trucks this week"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "lost_reason_code"), "CAPACITY");
    assert_string_equal(wht_str(r->json, "lost_reason"), "No trucks this week");
    long long plain = load_in(f, 0);
    r = set_status(f->writer.token, plain, "LOST", 0);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "lost_reason_code"), "OTHER");
    /* read-only on create and PATCH */
    json_t *body = load_body(f->a.id);
    json_object_set_new(body, "lost_reason_code", json_string("RATE"));
    WHT_PROBLEM(wht_post(f->writer.token, "/loads", body), 400, "validation_failed",
                "lost_reason_code");
    WHT_PROBLEM(wht_patch(f->writer.token, wht_fmt("/loads/%lld", plain),
                          wht_json("{s:s}", "lost_reason_code", "RATE")),
                400, "validation_failed", "lost_reason_code");
}

/* A carrier entered by hand (PENDING) on DOT dot; returns its id. */
static long long manual_carrier(long long dot)
{
    wht_resp *r = wht_post(wht_admin_token(), "/carriers/manual",
                           wht_json("{s:s, s:s}", "dot_number", wht_fmt("%lld", dot), "legal_name",
                                    wht_unique("BY HAND ")));
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_str(r->json, "verification"), "PENDING");
    return wht_int(r->json, "id");
}

static wht_resp *cover_pending(const char *token, long long load, long long carrier,
                               const char *reason)
{
    return wht_post(token, wht_fmt("/loads/%lld/status", load),
                    wht_json("{s:s, s:I, s:s}", "status", "COVERED", "carrier_id", carrier,
                             "pending_carrier_reason", reason));
}

/* DOMAIN-wave2 §14: a PENDING carrier is assigned only by carriers.assign_pending, with a
 * reason of 10 to 500 characters, audited in the move's transaction; NOT_FOUND never. */
static void test_pending_carrier_needs_the_permission_and_a_reason(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long pending = manual_carrier(3000001);
    wht_user om = member("OFFICE_MANAGER", 1, &f->a.id, 1, &f->office_a1);
    long long id = load_in(f, 1);
    json_t *before = get_load(f->writer.token, id);
    long long head = wht_audit_head();
    const char *reason = "Long-time partner; FMCSA is down today";
    /* a DISPATCHER lacks carriers.assign_pending: refused, reason or not */
    WHT_PROBLEM(cover_pending(f->writer.token, id, pending, reason), 422, "carrier_blocked", NULL);
    WHT_PROBLEM(set_status(f->writer.token, id, "COVERED", pending), 422, "carrier_blocked", NULL);
    /* with it: a reason of 10 to 500 characters after trimming */
    WHT_PROBLEM(set_status(om.token, id, "COVERED", pending), 400, "validation_failed",
                "pending_carrier_reason");
    WHT_PROBLEM(cover_pending(om.token, id, pending, "   too short   "), 400, "validation_failed",
                "pending_carrier_reason");
    char longer[502];
    memset(longer, 'x', 501);
    longer[501] = '\0';
    WHT_PROBLEM(cover_pending(om.token, id, pending, longer), 400, "validation_failed",
                "pending_carrier_reason");
    WHT_PROBLEM(
        wht_post(om.token, wht_fmt("/loads/%lld/status", id),
                 wht_json("{s:s, s:s}", "status", "QUOTED", "pending_carrier_reason", reason)),
        400, "validation_failed", "pending_carrier_reason");
    wht_context("refusals change nothing");
    WHT_JSON_EQUAL(get_load(f->writer.token, id), before);
    assert_int_equal(wht_audit_head(), head);
    wht_context("%s", "");

    wht_resp *r = cover_pending(om.token, id, pending, wht_fmt("  %s \n", reason));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "carrier_id"), pending);
    assert_int_equal(wht_int(r->json, "dispatcher_id"), om.id);
    json_t *a = audit_entry(head, "load.assign_pending_carrier", id);
    assert_non_null(a);
    assert_string_equal(wht_str(a, "entity"), "load");
    assert_int_equal(wht_int(a, "venture_id"), f->a.id);
    assert_int_equal(wht_int(a, "actor_id"), om.id);
    json_t *after = json_object_get(a, "after");
    assert_int_equal(wht_int(after, "carrier_id"), pending);
    assert_string_equal(wht_str(after, "reason"), reason);
    assert_non_null(audit_entry(head, "load.status", id));

    /* FMCSA answers that it does not know the number: NOT_FOUND, assignable by nobody */
    long long gone = manual_carrier(3000002);
    r = wht_post(wht_admin_token(), wht_fmt("/carriers/%lld/fmcsa-refresh", gone), NULL);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "verification"), "NOT_FOUND");
    long long other = load_in(f, 1);
    WHT_PROBLEM(cover_pending(om.token, other, gone, reason), 422, "carrier_blocked", NULL);
}

/* --------------------------------------------------------------- pagination */

static void test_pagination_is_stable_while_loads_are_added(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_venture v = wht_venture_new("LOGISTICS");
    wht_user u = member("DISPATCHER", 1, &v.id, 0, NULL);
    long long ids[7];
    for (int i = 0; i < 7; i++)
        ids[i] = new_load(u.token, v.id);
    const char *base = wht_fmt("/loads?venture_id=%lld&limit=3", v.id);
    json_t *seen = wht_keep_json(json_array());
    const char *cursor = NULL;
    int pages = 0;
    for (;;) {
        wht_resp *r = wht_get(u.token, cursor ? wht_fmt("%s&cursor=%s", base, cursor) : base);
        WHT_EXPECT(r, 200);
        json_array_extend(seen, wht_items(r));
        pages++;
        new_load(u.token, v.id); /* rows arrive between page requests */
        new_load(f->writer.token, f->a.id);
        if (!json_is_true(json_object_get(r->json, "has_more")))
            break;
        cursor = wht_str(r->json, "next_cursor");
    }
    assert_int_equal(pages, 3);
    assert_int_equal(json_array_size(seen), 7);
    for (int i = 0; i < 7; i++) /* newest first: exactly the first seven, in id order down */
        assert_int_equal(wht_int(json_array_get(seen, (size_t)i), "id"), ids[6 - i]);
    assert_int_equal(
        json_array_size(wht_list_all(u.token, wht_fmt("/loads?venture_id=%lld", v.id), 4)), 10);

    /* cursors: only the server's, only for this list */
    WHT_PROBLEM(wht_get(u.token, wht_fmt("%s&cursor=bm90LWEtY3Vyc29y", base)), 400,
                "invalid_cursor", NULL);
    wht_resp *shippers = wht_get(wht_admin_token(), "/shippers?limit=1");
    WHT_EXPECT(shippers, 200);
    const char *other = json_string_value(json_object_get(shippers->json, "next_cursor"));
    if (other)
        WHT_PROBLEM(wht_get(u.token, wht_fmt("%s&cursor=%s", base, other)), 400, "invalid_cursor",
                    NULL);
}

/* The load list writes its rows straight to text (wh_resp_list_text): the page is exactly what
 * jansson writes for the same JSON (parsed and dumped again: the same bytes), and each item is
 * the load GET /loads/{id} answers; texts with quotes, backslashes, slashes and non-ASCII
 * letters, nulls and filled-in numbers. */
static void test_list_page_text_is_the_json_of_each_load(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_venture v = wht_venture_new("LOGISTICS");
    wht_user u = member("DISPATCHER", 1, &v.id, 0, NULL);
    new_load(u.token, v.id); /* the minimal load: nulls */
    new_load_with(u.token, v.id,
                  wht_json("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "reference",
                           "Q\"uote \\ back/slash", "equipment", "R\u00e9frig\u00e9r\u00e9 \u20ac",
                           "pickup_date", wht_utc_day(1), "shipper_id",
                           (json_int_t)new_shipper(v.id), "weight_lbs", (json_int_t)42000, "miles",
                           (json_int_t)700, "bill_cents", (json_int_t)250000, "cost_cents",
                           (json_int_t)212345));
    (void)f;
    for (int limit = 1; limit <= 3; limit++) {
        wht_resp *r = wht_get(u.token, wht_fmt("/loads?venture_id=%lld&limit=%d", v.id, limit));
        WHT_EXPECT(r, 200);
        wht_expect_jansson_text(r);
        size_t i;
        json_t *item;
        json_array_foreach(wht_items(r), i, item)
        {
            WHT_JSON_EQUAL(item, get_load(u.token, wht_int(item, "id")));
        }
        assert_int_equal(json_array_size(wht_items(r)), limit < 2 ? 1 : 2);
        assert_true(json_is_boolean(json_object_get(r->json, "has_more")));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_create_answers_an_open_load_of_the_caller),
        WHT_TEST(test_minimal_load_has_nulls_and_no_margin_ratio),
        WHT_TEST(test_create_validates_every_field),
        WHT_TEST(test_create_checks_venture_office_and_shipper),
        WHT_TEST(test_permissions),
        WHT_TEST(test_every_transition),
        WHT_TEST(test_same_status_is_a_no_op_without_audit),
        WHT_TEST(test_status_changes_are_recorded),
        WHT_TEST(test_covered_needs_an_assignable_carrier),
        WHT_TEST(test_fell_off_drops_the_carrier),
        WHT_TEST(test_delivered_sets_the_billing_day),
        WHT_TEST(test_lost_records_the_reason),
        WHT_TEST(test_dispatcher_is_an_eligible_user),
        WHT_TEST(test_lost_records_a_reason_code),
        WHT_TEST(test_pending_carrier_needs_the_permission_and_a_reason),
        WHT_TEST(test_status_body_is_validated),
        WHT_TEST(test_margins_on_worked_numbers),
        WHT_TEST(test_patch_changes_writable_fields_only),
        WHT_TEST(test_scope_isolation),
        WHT_TEST(test_filters),
        WHT_TEST(test_pagination_is_stable_while_loads_are_added),
        WHT_TEST(test_list_page_text_is_the_json_of_each_load),
    };
    FAKE = wht_fake_start();
    char fmcsa[160];
    snprintf(fmcsa, sizeof fmcsa, "WH_FMCSA_BASE_URL=%s", wht_server_base(FAKE));
    const char *const env[] = {fmcsa, "WH_FMCSA_WEBKEY=fake-fmcsa-webkey", "WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_freight_loads", tests, NULL, NULL));
}
