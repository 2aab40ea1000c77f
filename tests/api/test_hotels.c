/*
 * Hospitality end to end (API.md "Hospitality", DOMAIN.md §4, docs/hotels.md): hotels, the daily
 * entry upsert with its derived figures on worked numbers, reviews answered once, disputes with
 * their status, owner and note; validation of every field (a refused write changes nothing),
 * permissions, venture isolation on every route, audit entries, and cursor lists that neither
 * repeat nor skip rows while rows are inserted between pages.
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

#include "harness.h"

#define MISSING_ID 987654321LL

typedef struct fixture {
    bool ready;
    wht_venture a, b;   /* HOSPITALITY ventures */
    wht_user manager;   /* OFFICE_MANAGER, member of a: hotels.write */
    wht_user csr;       /* CSR, member of a: reads, answers reviews */
    wht_user employee;  /* EMPLOYEE, member of a: no hotels.read */
    wht_user auditor;   /* AUDITOR: every venture, read-only */
    wht_user lonely;    /* TEAM_LEAD without memberships: empty scope */
    wht_user outsider;  /* TEAM_LEAD, member of b only */
    long long hotel_b;  /* a hotel of b */
    long long review_b; /* a review of hotel_b */
    long long dispute_b;
} fixture;

static fixture FX;

static long long hotel_new_as(const char *token, long long venture, long long rooms);

static const fixture *fx(void)
{
    if (FX.ready)
        return &FX;
    FX.a = wht_venture_new("HOSPITALITY");
    FX.b = wht_venture_new("HOSPITALITY");
    FX.manager = wht_user_new("OFFICE_MANAGER");
    FX.csr = wht_user_new("CSR");
    FX.employee = wht_user_new("EMPLOYEE");
    FX.auditor = wht_user_new("AUDITOR");
    FX.lonely = wht_user_new("TEAM_LEAD");
    FX.outsider = wht_user_new("TEAM_LEAD");
    wht_set_ventures(FX.manager.id, 1, &FX.a.id);
    wht_set_ventures(FX.csr.id, 1, &FX.a.id);
    wht_set_ventures(FX.employee.id, 1, &FX.a.id);
    wht_set_ventures(FX.outsider.id, 1, &FX.b.id);
    FX.hotel_b = hotel_new_as(wht_admin_token(), FX.b.id, 50);
    wht_resp *r = wht_post(
        wht_admin_token(), wht_fmt("/hotels/%lld/reviews", FX.hotel_b),
        wht_json("{s:s, s:i, s:s}", "source", "GOOGLE", "rating", 3, "review_date", "2026-10-01"));
    WHT_EXPECT(r, 201);
    FX.review_b = wht_int(r->json, "id");
    r = wht_post(wht_admin_token(), wht_fmt("/hotels/%lld/disputes", FX.hotel_b),
                 wht_json("{s:s, s:i}", "type", "CHARGEBACK", "amount_cents", 1000));
    WHT_EXPECT(r, 201);
    FX.dispute_b = wht_int(r->json, "id");
    r = wht_put(wht_admin_token(), wht_fmt("/hotels/%lld/daily/2026-10-01", FX.hotel_b),
                wht_json("{s:i, s:i}", "rooms_sold", 10, "room_revenue_cents", 100000));
    WHT_EXPECT(r, 201);
    FX.ready = true;
    return &FX;
}

/* ----------------------------------------------------------------- helpers */

/* Parses JSON text into a new reference (for wht_post and friends, which steal it). */
static json_t *jl(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, 0, &err);
    if (!v)
        WHT_FAIL("bad JSON in the test: %s: %s", text, err.text);
    return v;
}

static long long hotel_new_as(const char *token, long long venture, long long rooms)
{
    wht_resp *r =
        wht_post(token, "/hotels",
                 wht_json("{s:I, s:s, s:s, s:I}", "venture_id", venture, "name",
                          wht_unique("Hotel "), "code", wht_unique_code(), "rooms", rooms));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long hotel_new(long long rooms)
{
    return hotel_new_as(fx()->manager.token, fx()->a.id, rooms);
}

static wht_resp *put_daily(const char *token, long long hotel, const char *date, json_t *body)
{
    return wht_put(token, wht_fmt("/hotels/%lld/daily/%s", hotel, date), body);
}

static long long review_new(const char *token, long long hotel)
{
    wht_resp *r = wht_post(token, wht_fmt("/hotels/%lld/reviews", hotel),
                           wht_json("{s:s, s:i, s:s, s:s}", "source", "BOOKING", "rating", 4,
                                    "review_date", "2026-11-02", "text", "Lovely pool"));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static long long dispute_new(const char *token, long long hotel)
{
    wht_resp *r = wht_post(token, wht_fmt("/hotels/%lld/disputes", hotel),
                           wht_json("{s:s, s:s, s:i}", "type", "CHARGEBACK", "channel", "VISA",
                                    "amount_cents", 25000));
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static json_t *get_json(const char *token, const char *path)
{
    wht_resp *r = wht_get(token, path);
    WHT_EXPECT(r, 200);
    return r->json;
}

/* The one daily entry of (hotel, date), or NULL. */
static json_t *daily_of(long long hotel, const char *date)
{
    json_t *items = wht_items(
        wht_get(wht_admin_token(), wht_fmt("/hotels/%lld/daily?from=%s&to=%s", hotel, date, date)));
    assert_true(json_array_size(items) <= 1);
    return json_array_get(items, 0);
}

static void expect_int(const json_t *obj, const char *key, long long want)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) != want)
        WHT_FAIL("%s: expected %lld in %s", key, want, wht_dump(obj));
}

/* The audit entries newer than head about one entity (newest first). */
static json_t *audit_about(long long head, const char *entity, long long entity_id)
{
    json_t *out = wht_keep_json(json_array());
    size_t i;
    json_t *e;
    json_array_foreach(wht_audit_since(head), i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "entity"));
        if (kind && strcmp(kind, entity) == 0 && wht_int(e, "entity_id") == entity_id)
            json_array_append(out, e);
    }
    return out;
}

/* Checks the one audit entry a change left and returns it. */
static json_t *audited_once(long long head, const char *entity, long long id, const char *action,
                            long long actor, long long venture_id)
{
    json_t *entries = audit_about(head, entity, id);
    if (json_array_size(entries) != 1)
        WHT_FAIL("expected one audit entry for %s %lld since %lld, got %zu", entity, id, head,
                 json_array_size(entries));
    json_t *e = json_array_get(entries, 0);
    assert_string_equal(wht_str(e, "action"), action);
    assert_int_equal(wht_int(e, "actor_id"), actor);
    assert_int_equal(wht_int(e, "venture_id"), venture_id);
    return e;
}

/* Nothing was audited since head (a refused write). */
static void audited_nothing(long long head)
{
    json_t *since = wht_audit_since(head);
    if (json_array_size(since) != 0)
        WHT_FAIL("a refused write left audit entries: %s", wht_dump(since));
}

/* ------------------------------------------------------------------ hotels */

static void test_hotel_create_get_patch(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *code = wht_unique_code();
    char lower[64];
    snprintf(lower, sizeof lower, "%s-x", code);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    long long head = wht_audit_head();
    wht_resp *r = wht_post(f->manager.token, "/hotels",
                           wht_json("{s:I, s:s, s:s, s:i, s:s}", "venture_id", f->a.id, "name",
                                    "Harbour Inn", "code", lower, "rooms", 120, "city", "Miami"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    json_t *want = wht_json("{s:I, s:I, s:s, s:s, s:i, s:s, s:n, s:s}", "id", id, "venture_id",
                            f->a.id, "name", "Harbour Inn", "code", lower, "rooms", 120, "city",
                            "Miami", "state", "status", "ACTIVE");
    wht_keep_json(want);
    WHT_JSON_EQUAL(r->json, want);
    WHT_JSON_EQUAL(get_json(f->manager.token, wht_fmt("/hotels/%lld", id)), want);
    json_t *e = audited_once(head, "hotel", id, "hotel.create", f->manager.id, f->a.id);
    assert_true(json_is_null(json_object_get(e, "before")));
    WHT_JSON_EQUAL(json_object_get(e, "after"), want);

    /* the code is kept as given, and unique whatever its case */
    r = wht_post(f->manager.token, "/hotels",
                 wht_json("{s:I, s:s, s:s, s:i}", "venture_id", f->a.id, "name", "Copy", "code",
                          wht_fmt("%s-X", code), "rooms", 5));
    WHT_PROBLEM(r, 409, "conflict", NULL);

    head = wht_audit_head();
    r = wht_patch(f->manager.token, wht_fmt("/hotels/%lld", id),
                  jl("{\"name\": \"Harbour Inn & Spa\", \"rooms\": 130, \"city\": null,"
                     " \"state\": \"FL\", \"status\": \"RENOVATION\"}"));
    WHT_EXPECT(r, 200);
    json_t *after = wht_json("{s:I, s:I, s:s, s:s, s:i, s:n, s:s, s:s}", "id", id, "venture_id",
                             f->a.id, "name", "Harbour Inn & Spa", "code", lower, "rooms", 130,
                             "city", "state", "FL", "status", "RENOVATION");
    wht_keep_json(after);
    WHT_JSON_EQUAL(r->json, after);
    e = audited_once(head, "hotel", id, "hotel.update", f->manager.id, f->a.id);
    WHT_JSON_EQUAL(json_object_get(e, "before"), want);
    WHT_JSON_EQUAL(json_object_get(e, "after"), after);

    /* an empty PATCH changes nothing; every status is accepted */
    WHT_JSON_EQUAL(wht_patch(f->manager.token, wht_fmt("/hotels/%lld", id), jl("{}"))->json, after);
    const char *statuses[] = {"CLOSED", "SOLD", "ACTIVE"};
    for (size_t i = 0; i < 3; i++) {
        r = wht_patch(f->manager.token, wht_fmt("/hotels/%lld", id),
                      wht_json("{s:s}", "status", statuses[i]));
        WHT_EXPECT(r, 200);
        assert_string_equal(wht_str(r->json, "status"), statuses[i]);
    }
    WHT_PROBLEM(wht_get(f->manager.token, wht_fmt("/hotels/%lld", MISSING_ID)), 404, "not_found",
                NULL);
    WHT_PROBLEM(wht_get(f->manager.token, "/hotels/abc"), 404, "not_found", NULL);
}

static void test_hotel_validation(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *v = wht_fmt("\"venture_id\": %lld", f->a.id);
    const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"name\": \"H\", \"code\": \"C1\", \"rooms\": 10}", "venture_id"},
        {wht_fmt("{%s, \"code\": \"C1\", \"rooms\": 10}", v), "name"},
        {wht_fmt("{%s, \"name\": \"H\", \"rooms\": 10}", v), "code"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\"}", v), "rooms"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 0}", v), "rooms"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": -4}", v), "rooms"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 100001}", v), "rooms"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": \"10\"}", v), "rooms"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 1.5}", v), "rooms"},
        {wht_fmt("{%s, \"name\": \"\", \"code\": \"C1\", \"rooms\": 10}", v), "name"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"%033d\", \"rooms\": 10}", v, 0), "code"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": 12, \"rooms\": 10}", v), "code"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"\", \"rooms\": 10}", v), "code"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 10, \"status\": \"OPEN\"}", v),
         "status"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 10, \"city\": 7}", v), "city"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 10, \"state\": []}", v),
         "state"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 10, \"id\": 5}", v), "id"},
        {wht_fmt("{%s, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 10, \"stars\": 5}", v),
         "stars"},
        {"{\"venture_id\": 0, \"name\": \"H\", \"code\": \"C1\", \"rooms\": 10}", "venture_id"},
    };
    long long head = wht_audit_head();
    size_t before = json_array_size(
        wht_list_all(f->manager.token, wht_fmt("/hotels?venture_id=%lld", f->a.id), 200));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("case %zu: %s", i, cases[i].body);
        WHT_PROBLEM(wht_post(f->manager.token, "/hotels", jl(cases[i].body)), 400,
                    "validation_failed", cases[i].field);
    }
    wht_context("%s", "");
    WHT_PROBLEM(wht_send_raw("POST", f->manager.token, "/hotels", NULL, "{", 1), 400,
                "invalid_json", NULL);
    audited_nothing(head);

    long long id = hotel_new(40);
    json_t *was = get_json(f->manager.token, wht_fmt("/hotels/%lld", id));
    head = wht_audit_head();
    const struct {
        const char *body, *field;
    } patches[] = {
        {wht_fmt("{\"venture_id\": %lld}", f->b.id), "venture_id"},
        {wht_fmt("{\"venture_id\": %lld}", f->a.id), "venture_id"},
        {"{\"name\": null}", "name"},
        {"{\"rooms\": null}", "rooms"},
        {"{\"rooms\": 0}", "rooms"},
        {"{\"status\": null}", "status"},
        {"{\"status\": \"GONE\"}", "status"},
        {"{\"code\": \"\"}", "code"},
        {"{\"id\": 9}", "id"},
    };
    for (size_t i = 0; i < sizeof patches / sizeof patches[0]; i++) {
        wht_context("patch %zu: %s", i, patches[i].body);
        WHT_PROBLEM(wht_patch(f->manager.token, wht_fmt("/hotels/%lld", id), jl(patches[i].body)),
                    400, "validation_failed", patches[i].field);
    }
    wht_context("%s", "");
    WHT_JSON_EQUAL(get_json(f->manager.token, wht_fmt("/hotels/%lld", id)), was);
    audited_nothing(head);
    assert_int_equal(json_array_size(wht_list_all(
                         f->manager.token, wht_fmt("/hotels?venture_id=%lld", f->a.id), 200)),
                     before + 1);
}

/* ----------------------------------------------------------- daily entries */

static void test_daily_worked_numbers(void **state)
{
    (void)state;
    long long hotel = hotel_new(100);
    const char *tok = fx()->manager.token;
    /* 80 of 100 rooms sold for $12,000.00: 80% occupancy, ADR $150.00, RevPAR $120.00 */
    wht_resp *r =
        put_daily(tok, hotel, "2026-11-01",
                  wht_json("{s:i, s:i}", "rooms_sold", 80, "room_revenue_cents", 1200000));
    WHT_EXPECT(r, 201);
    json_t *want =
        wht_json("{s:I, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
                 "s:i, s:b}",
                 "hotel_id", hotel, "date", "2026-11-01", "rooms_sold", 80, "rooms_available", 100,
                 "room_revenue_cents", 1200000, "other_revenue_cents", 0, "cash_cents", 0,
                 "credit_cents", 0, "online_cents", 0, "refund_cents", 0, "lost_dues_cents", 0,
                 "occupancy_bp", 8000, "adr_cents", 15000, "revpar_cents", 12000, "high_loss", 0);
    wht_keep_json(want);
    WHT_JSON_EQUAL(r->json, want);
    WHT_JSON_EQUAL(daily_of(hotel, "2026-11-01"), want);

    /* rounding half away from zero: 1 of 3 rooms (3333.3 bp), ADR 10000 / 3 = 3333.3,
     * RevPAR 10000 / 3 = 3333.3; 2 of 3 rooms 6666.7 bp; 1 / 2 cents = 0.5 -> 1 */
    r = put_daily(tok, hotel, "2026-11-02",
                  wht_json("{s:i, s:i, s:i}", "rooms_sold", 1, "rooms_available", 3,
                           "room_revenue_cents", 10000));
    WHT_EXPECT(r, 201);
    expect_int(r->json, "occupancy_bp", 3333);
    expect_int(r->json, "adr_cents", 10000);
    expect_int(r->json, "revpar_cents", 3333);
    r = put_daily(tok, hotel, "2026-11-03",
                  wht_json("{s:i, s:i, s:i}", "rooms_sold", 2, "rooms_available", 3,
                           "room_revenue_cents", 5));
    expect_int(r->json, "occupancy_bp", 6667);
    expect_int(r->json, "adr_cents", 3);
    expect_int(r->json, "revpar_cents", 2);
    r = put_daily(tok, hotel, "2026-11-04",
                  wht_json("{s:i, s:i, s:i}", "rooms_sold", 1, "rooms_available", 2,
                           "room_revenue_cents", 1));
    expect_int(r->json, "occupancy_bp", 5000);
    expect_int(r->json, "adr_cents", 1);
    expect_int(r->json, "revpar_cents", 1);

    /* nothing sold: ADR is null, never NaN */
    r = put_daily(tok, hotel, "2026-11-05",
                  wht_json("{s:i, s:i}", "rooms_sold", 0, "room_revenue_cents", 0));
    WHT_EXPECT(r, 201);
    expect_int(r->json, "occupancy_bp", 0);
    assert_true(json_is_null(json_object_get(r->json, "adr_cents")));
    expect_int(r->json, "revpar_cents", 0);
    assert_true(json_is_false(json_object_get(r->json, "high_loss")));
}

static void test_daily_high_loss(void **state)
{
    (void)state;
    long long hotel = hotel_new(100);
    const struct {
        long long revenue, lost;
        bool high;
    } cases[] = {
        {100000000, 50000, true},  /* $500 or more, whatever the revenue */
        {100000000, 49999, false}, /* under $500 and under 10% */
        {1000, 100, true},         /* exactly 10% of room revenue */
        {1000, 99, false},         /* just under 10% */
        {0, 1, true},              /* a loss on a day without room revenue */
        {0, 0, false},             /* no loss, never */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("case %zu", i);
        wht_resp *r = put_daily(fx()->manager.token, hotel, wht_fmt("2026-09-%02zu", i + 1),
                                wht_json("{s:i, s:I, s:I}", "rooms_sold", 50, "room_revenue_cents",
                                         cases[i].revenue, "lost_dues_cents", cases[i].lost));
        WHT_EXPECT(r, 201);
        assert_int_equal(json_is_true(json_object_get(r->json, "high_loss")), cases[i].high);
    }
}

static void test_daily_upsert_201_then_200(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(60);
    long long head = wht_audit_head();
    wht_resp *r = put_daily(f->manager.token, hotel, "2026-11-10",
                            jl("{\"rooms_sold\": 30, \"rooms_available\": 50, "
                               "\"room_revenue_cents\": 450000, \"other_revenue_cents\": 1000, "
                               "\"cash_cents\": 2000, \"credit_cents\": 3000, \"online_cents\": "
                               "4000, \"refund_cents\": 500, \"lost_dues_cents\": 600}"));
    WHT_EXPECT(r, 201);
    json_t *first = r->json;
    expect_int(first, "rooms_available", 50);
    expect_int(first, "occupancy_bp", 6000);
    expect_int(first, "adr_cents", 15000);
    expect_int(first, "revpar_cents", 9000);
    expect_int(first, "refund_cents", 500);
    json_t *e1 = wht_audit_since(head);
    assert_int_equal(json_array_size(e1), 1);
    json_t *created = json_array_get(e1, 0);
    assert_string_equal(wht_str(created, "action"), "hotel_daily.create");
    assert_string_equal(wht_str(created, "entity"), "hotel_daily");
    assert_int_equal(wht_int(created, "actor_id"), f->manager.id);
    assert_int_equal(wht_int(created, "venture_id"), f->a.id);
    assert_true(json_is_null(json_object_get(created, "before")));
    WHT_JSON_EQUAL(json_object_get(created, "after"), first);

    /* the same day again replaces the entry: omitted optional fields take their defaults */
    head = wht_audit_head();
    r = put_daily(f->manager.token, hotel, "2026-11-10",
                  wht_json("{s:i, s:i}", "rooms_sold", 45, "room_revenue_cents", 540000));
    WHT_EXPECT(r, 200);
    json_t *second = r->json;
    expect_int(second, "rooms_available", 60);
    expect_int(second, "rooms_sold", 45);
    expect_int(second, "other_revenue_cents", 0);
    expect_int(second, "lost_dues_cents", 0);
    expect_int(second, "occupancy_bp", 7500);
    expect_int(second, "adr_cents", 12000);
    expect_int(second, "revpar_cents", 9000);
    json_t *e2 = audited_once(head, "hotel_daily", wht_int(created, "entity_id"),
                              "hotel_daily.update", f->manager.id, f->a.id);
    WHT_JSON_EQUAL(json_object_get(e2, "before"), first);
    WHT_JSON_EQUAL(json_object_get(e2, "after"), second);

    /* one entry for the day, holding the second version; a third PUT is 200 again */
    json_t *items = wht_items(wht_get(f->manager.token, wht_fmt("/hotels/%lld/daily", hotel)));
    assert_int_equal(json_array_size(items), 1);
    WHT_JSON_EQUAL(json_array_get(items, 0), second);
    WHT_EXPECT(put_daily(f->manager.token, hotel, "2026-11-10",
                         wht_json("{s:i, s:i}", "rooms_sold", 45, "room_revenue_cents", 540000)),
               200);
    WHT_EXPECT(put_daily(f->manager.token, hotel, "2026-11-11",
                         wht_json("{s:i, s:i}", "rooms_sold", 1, "room_revenue_cents", 1)),
               201);
}

static void test_daily_validation(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(100);
    WHT_EXPECT(put_daily(f->manager.token, hotel, "2026-11-20",
                         wht_json("{s:i, s:i}", "rooms_sold", 10, "room_revenue_cents", 100)),
               201);
    json_t *was = daily_of(hotel, "2026-11-20");
    const char *ok = "\"rooms_sold\": 10, \"room_revenue_cents\": 100";
    const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"room_revenue_cents\": 100}", "rooms_sold"},
        {"{\"rooms_sold\": 10}", "room_revenue_cents"},
        {"{\"rooms_sold\": 101, \"room_revenue_cents\": 100}", "rooms_sold"}, /* > hotel rooms */
        {"{\"rooms_sold\": 11, \"rooms_available\": 10, \"room_revenue_cents\": 1}", "rooms_sold"},
        {"{\"rooms_sold\": 0, \"rooms_available\": 0, \"room_revenue_cents\": 1}",
         "rooms_available"},
        {"{\"rooms_sold\": 0, \"rooms_available\": -1, \"room_revenue_cents\": 1}",
         "rooms_available"},
        {"{\"rooms_sold\": -1, \"room_revenue_cents\": 1}", "rooms_sold"},
        {"{\"rooms_sold\": \"5\", \"room_revenue_cents\": 1}", "rooms_sold"},
        {"{\"rooms_sold\": 5, \"room_revenue_cents\": -1}", "room_revenue_cents"},
        {"{\"rooms_sold\": 5, \"room_revenue_cents\": 1.5}", "room_revenue_cents"},
        {wht_fmt("{%s, \"other_revenue_cents\": -1}", ok), "other_revenue_cents"},
        {wht_fmt("{%s, \"cash_cents\": -1}", ok), "cash_cents"},
        {wht_fmt("{%s, \"credit_cents\": -1}", ok), "credit_cents"},
        {wht_fmt("{%s, \"online_cents\": -1}", ok), "online_cents"},
        {wht_fmt("{%s, \"refund_cents\": -1}", ok), "refund_cents"},
        {wht_fmt("{%s, \"lost_dues_cents\": -1}", ok), "lost_dues_cents"},
        {wht_fmt("{%s, \"lost_dues_cents\": 100000000000001}", ok), "lost_dues_cents"},
        {wht_fmt("{%s, \"hotel_id\": %lld}", ok, hotel), "hotel_id"},
        {wht_fmt("{%s, \"date\": \"2026-11-20\"}", ok), "date"},
        {wht_fmt("{%s, \"occupancy_bp\": 1}", ok), "occupancy_bp"},
        {wht_fmt("{%s, \"high_loss\": false}", ok), "high_loss"},
    };
    long long head = wht_audit_head();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("case %zu: %s", i, cases[i].body);
        WHT_PROBLEM(put_daily(f->manager.token, hotel, "2026-11-20", jl(cases[i].body)), 400,
                    "validation_failed", cases[i].field);
    }
    /* the last two: more than a day after the business today */
    const char *bad_days[] = {"2026-02-30", "2026-13-01",   "20261120",  "yesterday",
                              "2026-1-2",   wht_utc_day(3), "9999-12-31"};
    for (size_t i = 0; i < sizeof bad_days / sizeof bad_days[0]; i++) {
        wht_context("day %s", bad_days[i]);
        WHT_PROBLEM(put_daily(f->manager.token, hotel, bad_days[i], jl(wht_fmt("{%s}", ok))), 400,
                    "validation_failed", "date");
    }
    wht_context("%s", "");
    /* every refused write left the entry, the list and the audit log as they were */
    WHT_JSON_EQUAL(daily_of(hotel, "2026-11-20"), was);
    assert_int_equal(
        json_array_size(wht_items(wht_get(f->manager.token, wht_fmt("/hotels/%lld/daily", hotel)))),
        1);
    audited_nothing(head);
    /* the boundary values are accepted */
    wht_resp *r = put_daily(f->manager.token, hotel, "2026-11-21",
                            jl("{\"rooms_sold\": 100000, \"rooms_available\": 100000,"
                               " \"room_revenue_cents\": 100000000000000}"));
    WHT_EXPECT(r, 201);
    expect_int(r->json, "occupancy_bp", 10000);
    expect_int(r->json, "adr_cents", 1000000000);
    /* the UTC today is the business today or tomorrow: accepted */
    WHT_EXPECT(put_daily(f->manager.token, hotel, wht_utc_day(0), jl(wht_fmt("{%s}", ok))), 201);
}

static void test_daily_list_range(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(20);
    const char *days[] = {"2026-10-05", "2026-10-01", "2026-10-03", "2026-09-30", "2026-10-02"};
    for (size_t i = 0; i < 5; i++)
        WHT_EXPECT(put_daily(f->manager.token, hotel, days[i],
                             wht_json("{s:i, s:i}", "rooms_sold", (int)i, "room_revenue_cents", 0)),
                   201);
    /* newest day first */
    json_t *all = wht_list_all(f->csr.token, wht_fmt("/hotels/%lld/daily", hotel), 2);
    const char *order[] = {"2026-10-05", "2026-10-03", "2026-10-02", "2026-10-01", "2026-09-30"};
    assert_int_equal(json_array_size(all), 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(wht_str(json_array_get(all, i), "date"), order[i]);
    /* from and to are inclusive */
    json_t *some = wht_list_all(
        f->csr.token, wht_fmt("/hotels/%lld/daily?from=2026-10-01&to=2026-10-03", hotel), 1);
    const char *mid[] = {"2026-10-03", "2026-10-02", "2026-10-01", NULL};
    WHT_STR_SET(some, "date", mid);
    assert_int_equal(json_array_size(wht_list_all(
                         f->csr.token, wht_fmt("/hotels/%lld/daily?from=2026-10-04", hotel), 50)),
                     1);
    assert_int_equal(json_array_size(wht_list_all(
                         f->csr.token, wht_fmt("/hotels/%lld/daily?to=2026-09-30", hotel), 50)),
                     1);
    WHT_PROBLEM(wht_get(f->csr.token, wht_fmt("/hotels/%lld/daily?from=2026-10-32", hotel)), 400,
                "validation_failed", "from");
    WHT_PROBLEM(wht_get(f->csr.token, wht_fmt("/hotels/%lld/daily?to=soon", hotel)), 400,
                "validation_failed", "to");
    WHT_PROBLEM(
        wht_get(f->csr.token, wht_fmt("/hotels/%lld/daily?from=2026-10-03&to=2026-10-01", hotel)),
        400, "validation_failed", "to");
    WHT_PROBLEM(wht_get(f->csr.token, wht_fmt("/hotels/%lld/daily?limit=0", hotel)), 400,
                "validation_failed", "limit");
    WHT_PROBLEM(wht_get(f->csr.token, wht_fmt("/hotels/%lld/daily?cursor=xyz", hotel)), 400,
                "invalid_cursor", NULL);
    /* a cursor of one hotel's list does not work on another's */
    wht_resp *r = wht_get(f->csr.token, wht_fmt("/hotels/%lld/daily?limit=1", hotel));
    WHT_EXPECT(r, 200);
    const char *cursor = wht_str(r->json, "next_cursor");
    long long other = hotel_new(20);
    WHT_PROBLEM(wht_get(f->csr.token, wht_fmt("/hotels/%lld/daily?cursor=%s", other, cursor)), 400,
                "invalid_cursor", NULL);
}

/* ----------------------------------------------------------------- reviews */

static void test_reviews(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(10);
    long long head = wht_audit_head();
    wht_resp *r = wht_post(f->manager.token, wht_fmt("/hotels/%lld/reviews", hotel),
                           wht_json("{s:s, s:i, s:s, s:s}", "source", "TRIPADVISOR", "rating", 5,
                                    "text", "Great stay", "review_date", "2026-11-01"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    json_t *want =
        wht_json("{s:I, s:I, s:s, s:i, s:s, s:s, s:n, s:n, s:n}", "id", id, "hotel_id", hotel,
                 "source", "TRIPADVISOR", "rating", 5, "text", "Great stay", "review_date",
                 "2026-11-01", "response_text", "responded_by", "responded_at");
    wht_keep_json(want);
    WHT_JSON_EQUAL(r->json, want);
    json_t *e =
        audited_once(head, "hotel_review", id, "hotel_review.create", f->manager.id, f->a.id);
    WHT_JSON_EQUAL(json_object_get(e, "after"), want);
    const char *sources[] = {"GOOGLE", "BOOKING", "EXPEDIA", "OTHER"};
    for (size_t i = 0; i < 4; i++)
        WHT_EXPECT(wht_post(f->manager.token, wht_fmt("/hotels/%lld/reviews", hotel),
                            wht_json("{s:s, s:i, s:s}", "source", sources[i], "rating", (int)i + 1,
                                     "review_date", "2026-11-02")),
                   201);
    json_t *items = wht_list_all(f->csr.token, wht_fmt("/hotels/%lld/reviews", hotel), 2);
    assert_int_equal(json_array_size(items), 5);
    WHT_JSON_EQUAL(json_array_get(items, 4), want); /* newest first */

    /* newest review_date first, then newest id */
    long long dated = hotel_new(10);
    const char *dates[] = {"2026-01-03", "2026-01-01", "2026-01-03", "2026-01-02"};
    long long by_date[4];
    for (size_t i = 0; i < 4; i++) {
        r = wht_post(
            f->manager.token, wht_fmt("/hotels/%lld/reviews", dated),
            wht_json("{s:s, s:i, s:s}", "source", "OTHER", "rating", 2, "review_date", dates[i]));
        WHT_EXPECT(r, 201);
        by_date[i] = wht_int(r->json, "id");
    }
    json_t *sorted = wht_list_all(f->csr.token, wht_fmt("/hotels/%lld/reviews", dated), 1);
    const long long order[] = {by_date[2], by_date[0], by_date[3], by_date[1]};
    assert_int_equal(json_array_size(sorted), 4);
    for (size_t i = 0; i < 4; i++)
        expect_int(json_array_get(sorted, i), "id", order[i]);

    const char *ok = "\"source\": \"GOOGLE\", \"rating\": 3";
    const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"rating\": 3, \"review_date\": \"2026-11-01\"}", "source"},
        {"{\"source\": \"YELP\", \"rating\": 3, \"review_date\": \"2026-11-01\"}", "source"},
        {"{\"source\": \"google\", \"rating\": 3, \"review_date\": \"2026-11-01\"}", "source"},
        {"{\"source\": \"GOOGLE\", \"review_date\": \"2026-11-01\"}", "rating"},
        {"{\"source\": \"GOOGLE\", \"rating\": 0, \"review_date\": \"2026-11-01\"}", "rating"},
        {"{\"source\": \"GOOGLE\", \"rating\": 6, \"review_date\": \"2026-11-01\"}", "rating"},
        {"{\"source\": \"GOOGLE\", \"rating\": \"5\", \"review_date\": \"2026-11-01\"}", "rating"},
        {wht_fmt("{%s}", ok), "review_date"},
        {wht_fmt("{%s, \"review_date\": \"2026-11-31\"}", ok), "review_date"},
        {wht_fmt("{%s, \"review_date\": \"2026-11-01T10:00:00Z\"}", ok), "review_date"},
        {wht_fmt("{%s, \"review_date\": \"2026-11-01\", \"text\": 5}", ok), "text"},
        {wht_fmt("{%s, \"review_date\": \"2026-11-01\", \"response_text\": \"hi\"}", ok),
         "response_text"},
        {wht_fmt("{%s, \"review_date\": \"2026-11-01\", \"responded_by\": 1}", ok), "responded_by"},
        {wht_fmt("{%s, \"review_date\": \"2026-11-01\", \"hotel_id\": %lld}", ok, hotel),
         "hotel_id"},
    };
    head = wht_audit_head();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("case %zu: %s", i, cases[i].body);
        WHT_PROBLEM(
            wht_post(f->manager.token, wht_fmt("/hotels/%lld/reviews", hotel), jl(cases[i].body)),
            400, "validation_failed", cases[i].field);
    }
    wht_context("%s", "");
    static char text[10002];
    memset(text, 'x', 10001);
    text[10001] = '\0';
    json_t *body = jl(wht_fmt("{%s, \"review_date\": \"2026-11-01\"}", ok));
    json_object_set_new(body, "text", json_string(text));
    WHT_PROBLEM(wht_post(f->manager.token, wht_fmt("/hotels/%lld/reviews", hotel), body), 400,
                "validation_failed", "text");
    audited_nothing(head);
    assert_int_equal(
        json_array_size(wht_list_all(f->csr.token, wht_fmt("/hotels/%lld/reviews", hotel), 50)), 5);
}

static void test_review_response_once(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(10);
    long long id = review_new(f->manager.token, hotel);
    const char *path = wht_fmt("/hotel-reviews/%lld/response", id);

    /* refused answers change nothing */
    WHT_PROBLEM(wht_post(f->csr.token, path, jl("{}")), 400, "validation_failed", "response_text");
    WHT_PROBLEM(wht_post(f->csr.token, path, jl("{\"response_text\": \"\"}")), 400,
                "validation_failed", "response_text");
    WHT_PROBLEM(wht_post(f->csr.token, path, jl("{\"response_text\": \"  \\n \"}")), 400,
                "validation_failed", "response_text");
    WHT_PROBLEM(wht_post(f->csr.token, path, jl("{\"response_text\": null}")), 400,
                "validation_failed", "response_text");
    WHT_PROBLEM(wht_post(f->csr.token, path, jl("{\"response_text\": \"Hi\", \"rating\": 5}")), 400,
                "validation_failed", "rating");
    WHT_PROBLEM(wht_post(f->auditor.token, path, jl("{\"response_text\": \"Hi\"}")), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_post(f->employee.token, path, jl("{\"response_text\": \"Hi\"}")), 403,
                "forbidden", NULL);
    json_t *items = wht_items(wht_get(f->csr.token, wht_fmt("/hotels/%lld/reviews", hotel)));
    assert_true(json_is_null(json_object_get(json_array_get(items, 0), "response_text")));

    /* a CSR answers: the response, its author and its time are recorded */
    long long head = wht_audit_head();
    long long t0 = wht_now_ms();
    wht_resp *r = wht_post(f->csr.token, path, jl("{\"response_text\": \"Thank you!\"}"));
    WHT_EXPECT(r, 200);
    json_t *answered = r->json;
    assert_string_equal(wht_str(answered, "response_text"), "Thank you!");
    assert_int_equal(wht_int(answered, "responded_by"), f->csr.id);
    const char *at = wht_str(answered, "responded_at");
    assert_true(wht_is_rfc3339_ms_utc(at));
    assert_true(wht_rfc3339_ms(at) >= t0 - 5000 && wht_rfc3339_ms(at) <= wht_now_ms() + 5000);
    expect_int(answered, "rating", 4);
    json_t *e = audited_once(head, "hotel_review", id, "hotel_review.respond", f->csr.id, f->a.id);
    assert_true(json_is_null(json_object_get(json_object_get(e, "before"), "response_text")));
    WHT_JSON_EQUAL(json_object_get(e, "after"), answered);

    /* a second answer, by anyone, is 409 and changes nothing */
    head = wht_audit_head();
    WHT_PROBLEM(wht_post(f->manager.token, path, jl("{\"response_text\": \"Again\"}")), 409,
                "conflict", NULL);
    WHT_PROBLEM(wht_post(f->csr.token, path, jl("{\"response_text\": \"Thank you!\"}")), 409,
                "conflict", NULL);
    audited_nothing(head);
    items = wht_items(wht_get(f->csr.token, wht_fmt("/hotels/%lld/reviews", hotel)));
    WHT_JSON_EQUAL(json_array_get(items, 0), answered);

    /* leadership answers too (hotels.write) */
    long long other = review_new(f->manager.token, hotel);
    r = wht_post(f->manager.token, wht_fmt("/hotel-reviews/%lld/response", other),
                 jl("{\"response_text\": \"We will fix the pool.\"}"));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "responded_by"), f->manager.id);
    WHT_PROBLEM(wht_post(f->csr.token, wht_fmt("/hotel-reviews/%lld/response", MISSING_ID),
                         jl("{\"response_text\": \"x\"}")),
                404, "not_found", NULL);
}

/* ---------------------------------------------------------------- disputes */

static void test_dispute_create(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(10);
    long long head = wht_audit_head();
    wht_resp *r =
        wht_post(f->manager.token, wht_fmt("/hotels/%lld/disputes", hotel),
                 wht_json("{s:s, s:s, s:i, s:I, s:s, s:s}", "type", "CHARGEBACK", "channel", "AMEX",
                          "amount_cents", 15900, "owner_id", f->manager.id, "resolution_note",
                          "Receipts sent", "opened_on", "2026-11-20"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    json_t *want = wht_json("{s:I, s:I, s:s, s:s, s:i, s:s, s:s, s:I, s:s}", "id", id, "hotel_id",
                            hotel, "type", "CHARGEBACK", "channel", "AMEX", "amount_cents", 15900,
                            "opened_on", "2026-11-20", "status", "OPEN", "owner_id", f->manager.id,
                            "resolution_note", "Receipts sent");
    wht_keep_json(want);
    WHT_JSON_EQUAL(r->json, want);
    /* the fields in the order of the Dispute shape (a CSV export follows it) */
    static const char *const order[] = {"id",      "hotel_id",     "type",
                                        "channel", "amount_cents", "opened_on",
                                        "status",  "owner_id",     "resolution_note"};
    size_t k = 0;
    for (void *it = json_object_iter(r->json); it; it = json_object_iter_next(r->json, it), k++)
        assert_string_equal(json_object_iter_key(it), order[k]);
    json_t *e =
        audited_once(head, "hotel_dispute", id, "hotel_dispute.create", f->manager.id, f->a.id);
    WHT_JSON_EQUAL(json_object_get(e, "after"), want);
    /* the optional fields may be left out; an amount of 0 is fine */
    r = wht_post(f->manager.token, wht_fmt("/hotels/%lld/disputes", hotel),
                 wht_json("{s:s, s:i}", "type", "NO_SHOW", "amount_cents", 0));
    WHT_EXPECT(r, 201);
    assert_true(json_is_null(json_object_get(r->json, "channel")));
    assert_true(json_is_null(json_object_get(r->json, "owner_id")));
    assert_true(json_is_null(json_object_get(r->json, "resolution_note")));
    assert_string_equal(wht_str(r->json, "status"), "OPEN");
    /* opened today by default (the business today is the UTC day or the one before) */
    const char *opened = wht_str(r->json, "opened_on");
    assert_true(strcmp(opened, wht_utc_day(0)) == 0 || strcmp(opened, wht_utc_day(-1)) == 0);

    const char *ok = "\"type\": \"CHARGEBACK\", \"amount_cents\": 100";
    const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"amount_cents\": 100}", "type"},
        {"{\"type\": \"\", \"amount_cents\": 100}", "type"},
        {"{\"type\": \"CHARGEBACK\"}", "amount_cents"},
        {"{\"type\": \"CHARGEBACK\", \"amount_cents\": -1}", "amount_cents"},
        {"{\"type\": \"CHARGEBACK\", \"amount_cents\": \"100\"}", "amount_cents"},
        {wht_fmt("{%s, \"status\": \"WON\"}", ok), "status"},
        {wht_fmt("{%s, \"status\": \"OPEN\"}", ok), "status"},
        {wht_fmt("{%s, \"channel\": 3}", ok), "channel"},
        {wht_fmt("{%s, \"owner_id\": 0}", ok), "owner_id"},
        {wht_fmt("{%s, \"owner_id\": %lld}", ok, MISSING_ID), "owner_id"},
        {wht_fmt("{%s, \"owner_id\": %lld}", ok, f->outsider.id), "owner_id"}, /* not in a */
        {wht_fmt("{%s, \"hotel_id\": %lld}", ok, hotel), "hotel_id"},
        {wht_fmt("{%s, \"id\": 1}", ok), "id"},
        {wht_fmt("{%s, \"opened_on\": \"%s\"}", ok, wht_utc_day(2)), "opened_on"},
        {wht_fmt("{%s, \"opened_on\": \"2026-02-30\"}", ok), "opened_on"},
        {wht_fmt("{%s, \"opened_on\": 20261120}", ok), "opened_on"},
    };
    head = wht_audit_head();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("case %zu: %s", i, cases[i].body);
        WHT_PROBLEM(
            wht_post(f->manager.token, wht_fmt("/hotels/%lld/disputes", hotel), jl(cases[i].body)),
            400, "validation_failed", cases[i].field);
    }
    wht_context("%s", "");
    audited_nothing(head);
    assert_int_equal(
        json_array_size(wht_list_all(f->csr.token, wht_fmt("/hotels/%lld/disputes", hotel), 50)),
        2);
}

static void test_dispute_changes(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(10);
    long long id = dispute_new(f->manager.token, hotel);
    const char *path = wht_fmt("/hotel-disputes/%lld", id);
    wht_user ceo = wht_user_add("CEO"); /* no membership: every venture */
    wht_user gone = wht_user_add("TEAM_LEAD");
    wht_set_ventures(gone.id, 1, &f->a.id);
    WHT_EXPECT(
        wht_patch(wht_admin_token(), wht_fmt("/users/%lld", gone.id), jl("{\"active\": false}")),
        200);

    /* status, owner and note change, each audited with before and after */
    long long head = wht_audit_head();
    wht_resp *r = wht_patch(f->manager.token, path, jl("{\"status\": \"IN_PROGRESS\"}"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "status"), "IN_PROGRESS");
    assert_string_equal(wht_str(r->json, "type"), "CHARGEBACK");
    expect_int(r->json, "amount_cents", 25000);
    json_t *e =
        audited_once(head, "hotel_dispute", id, "hotel_dispute.update", f->manager.id, f->a.id);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "before"), "status")),
                        "OPEN");
    WHT_JSON_EQUAL(json_object_get(e, "after"), r->json);

    r = wht_patch(f->manager.token, path, wht_json("{s:I}", "owner_id", f->csr.id));
    WHT_EXPECT(r, 200);
    expect_int(r->json, "owner_id", f->csr.id);
    r = wht_patch(f->manager.token, path, wht_json("{s:I}", "owner_id", ceo.id));
    WHT_EXPECT(r, 200);
    expect_int(r->json, "owner_id", ceo.id);
    r = wht_patch(f->manager.token, path, jl("{\"opened_on\": \"2026-10-01\"}"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "opened_on"), "2026-10-01");

    /* owners outside the venture, unknown or inactive are refused, and change nothing */
    head = wht_audit_head();
    const long long refused[] = {f->outsider.id, MISSING_ID, gone.id};
    for (size_t i = 0; i < 3; i++)
        WHT_PROBLEM(wht_patch(f->manager.token, path, wht_json("{s:I}", "owner_id", refused[i])),
                    400, "validation_failed", "owner_id");
    const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"status\": \"DONE\"}", "status"},
        {"{\"status\": null}", "status"},
        {"{\"owner_id\": -3}", "owner_id"},
        {"{\"owner_id\": \"7\"}", "owner_id"},
        {"{\"resolution_note\": 5}", "resolution_note"},
        {"{\"amount_cents\": 5}", "amount_cents"},
        {"{\"type\": \"FRAUD\"}", "type"},
        {"{\"opened_on\": null}", "opened_on"},
        {"{\"opened_on\": \"2026-10-32\"}", "opened_on"},
        {wht_fmt("{\"opened_on\": \"%s\"}", wht_utc_day(2)), "opened_on"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wht_context("case %zu: %s", i, cases[i].body);
        WHT_PROBLEM(wht_patch(f->manager.token, path, jl(cases[i].body)), 400, "validation_failed",
                    cases[i].field);
    }
    wht_context("%s", "");
    audited_nothing(head);
    json_t *items = wht_items(wht_get(f->csr.token, wht_fmt("/hotels/%lld/disputes", hotel)));
    expect_int(json_array_get(items, 0), "owner_id", ceo.id);
    assert_string_equal(wht_str(json_array_get(items, 0), "status"), "IN_PROGRESS");

    /* resolved with an owner (the gamification trigger), then flipped and reopened */
    r = wht_patch(f->manager.token, path,
                  wht_json("{s:s, s:I, s:s}", "status", "WON", "owner_id", f->manager.id,
                           "resolution_note", "Bank sided with us"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "status"), "WON");
    expect_int(r->json, "owner_id", f->manager.id);
    assert_string_equal(wht_str(r->json, "resolution_note"), "Bank sided with us");
    const char *flips[] = {"LOST", "CLOSED_NO_ACTION", "WON", "OPEN", "WON"};
    for (size_t i = 0; i < 5; i++) {
        r = wht_patch(f->manager.token, path, wht_json("{s:s}", "status", flips[i]));
        WHT_EXPECT(r, 200);
        assert_string_equal(wht_str(r->json, "status"), flips[i]);
    }
    /* same status again: a no-op that still answers 200 */
    WHT_EXPECT(wht_patch(f->manager.token, path, jl("{\"status\": \"WON\"}")), 200);

    /* null clears the owner and the note */
    r = wht_patch(f->manager.token, path, jl("{\"owner_id\": null, \"resolution_note\": null}"));
    WHT_EXPECT(r, 200);
    assert_true(json_is_null(json_object_get(r->json, "owner_id")));
    assert_true(json_is_null(json_object_get(r->json, "resolution_note")));
    assert_string_equal(wht_str(r->json, "status"), "WON");
    /* resolved without an owner, then given one: fine */
    r = wht_patch(f->manager.token, path, wht_json("{s:I}", "owner_id", f->manager.id));
    WHT_EXPECT(r, 200);
    WHT_PROBLEM(wht_patch(f->manager.token, wht_fmt("/hotel-disputes/%lld", MISSING_ID),
                          jl("{\"status\": \"WON\"}")),
                404, "not_found", NULL);
    WHT_PROBLEM(wht_patch(f->csr.token, path, jl("{\"status\": \"LOST\"}")), 403, "forbidden",
                NULL);
}

/* ------------------------------------------------------------- permissions */

static void test_permissions(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long hotel = hotel_new(10);
    long long review = review_new(f->manager.token, hotel);
    long long dispute = dispute_new(f->manager.token, hotel);
    const char *reads[] = {
        "/hotels",
        wht_fmt("/hotels/%lld", hotel),
        wht_fmt("/hotels/%lld/daily", hotel),
        wht_fmt("/hotels/%lld/reviews", hotel),
        wht_fmt("/hotels/%lld/disputes", hotel),
    };
    for (size_t i = 0; i < 5; i++) {
        wht_context("read %s", reads[i]);
        WHT_EXPECT(wht_get(f->csr.token, reads[i]), 200);
        WHT_EXPECT(wht_get(f->auditor.token, reads[i]), 200);
        WHT_PROBLEM(wht_get(f->employee.token, reads[i]), 403, "forbidden", NULL);
    }
    wht_context("%s", "");
    long long head = wht_audit_head();
    const wht_user *readers[] = {&f->csr, &f->auditor, &f->employee};
    for (size_t i = 0; i < 3; i++) {
        const char *tok = readers[i]->token;
        wht_context("writer %s", readers[i]->role);
        WHT_PROBLEM(wht_post(tok, "/hotels",
                             wht_json("{s:I, s:s, s:s, s:i}", "venture_id", f->a.id, "name", "X",
                                      "code", wht_unique_code(), "rooms", 3)),
                    403, "forbidden", NULL);
        WHT_PROBLEM(wht_patch(tok, wht_fmt("/hotels/%lld", hotel), jl("{\"name\": \"Y\"}")), 403,
                    "forbidden", NULL);
        WHT_PROBLEM(put_daily(tok, hotel, "2026-11-01",
                              wht_json("{s:i, s:i}", "rooms_sold", 1, "room_revenue_cents", 1)),
                    403, "forbidden", NULL);
        WHT_PROBLEM(wht_post(tok, wht_fmt("/hotels/%lld/reviews", hotel),
                             wht_json("{s:s, s:i, s:s}", "source", "OTHER", "rating", 1,
                                      "review_date", "2026-11-01")),
                    403, "forbidden", NULL);
        WHT_PROBLEM(wht_post(tok, wht_fmt("/hotels/%lld/disputes", hotel),
                             wht_json("{s:s, s:i}", "type", "X", "amount_cents", 1)),
                    403, "forbidden", NULL);
        WHT_PROBLEM(
            wht_patch(tok, wht_fmt("/hotel-disputes/%lld", dispute), jl("{\"status\": \"WON\"}")),
            403, "forbidden", NULL);
    }
    wht_context("%s", "");
    audited_nothing(head);
    /* of the readers, only the CSR may answer a review */
    WHT_EXPECT(wht_post(f->csr.token, wht_fmt("/hotel-reviews/%lld/response", review),
                        jl("{\"response_text\": \"Thanks\"}")),
               200);
}

/* ------------------------------------------------------------------- scope */

static void expect_same_404(const wht_resp *foreign, const wht_resp *missing, long long id)
{
    WHT_PROBLEM(foreign, 404, "not_found", NULL);
    WHT_PROBLEM(missing, 404, "not_found", NULL);
    WHT_JSON_EQUAL(wht_problem_shape(foreign->json, wht_fmt("%lld", id)),
                   wht_problem_shape(missing->json, wht_fmt("%lld", MISSING_ID)));
}

/* Sends method prefix<id>suffix for the foreign id and for a missing one. */
static void foreign_like_missing(const char *token, const char *method, const char *prefix,
                                 long long id, const char *suffix, const char *body)
{
    wht_context("%s %s{id}%s", method, prefix, suffix);
    wht_resp *foreign =
        wht_send(method, token, wht_fmt("%s%lld%s", prefix, id, suffix), body ? jl(body) : NULL);
    wht_resp *missing = wht_send(method, token, wht_fmt("%s%lld%s", prefix, MISSING_ID, suffix),
                                 body ? jl(body) : NULL);
    expect_same_404(foreign, missing, id);
    wht_context("%s", "");
}

static void test_foreign_ids_are_404(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *daily = "{\"rooms_sold\": 1, \"room_revenue_cents\": 1}";
    const char *review = "{\"source\": \"OTHER\", \"rating\": 1, \"review_date\": \"2026-11-01\"}";
    const char *dispute = "{\"type\": \"X\", \"amount_cents\": 1}";
    json_t *hotel_was = get_json(wht_admin_token(), wht_fmt("/hotels/%lld", f->hotel_b));
    json_t *daily_was = daily_of(f->hotel_b, "2026-10-01");
    long long head = wht_audit_head();
    const char *tokens[] = {f->manager.token, f->csr.token, f->lonely.token};
    for (size_t i = 0; i < 3; i++) {
        const char *tok = tokens[i];
        foreign_like_missing(tok, "GET", "/hotels/", f->hotel_b, "", NULL);
        foreign_like_missing(tok, "GET", "/hotels/", f->hotel_b, "/daily", NULL);
        foreign_like_missing(tok, "GET", "/hotels/", f->hotel_b, "/reviews", NULL);
        foreign_like_missing(tok, "GET", "/hotels/", f->hotel_b, "/disputes", NULL);
        foreign_like_missing(tok, "POST", "/hotel-reviews/", f->review_b, "/response",
                             "{\"response_text\": \"Mine now\"}");
        if (tokens[i] == f->csr.token)
            continue; /* the CSR may not write the rest anyway (403 before the lookup) */
        foreign_like_missing(tok, "PATCH", "/hotels/", f->hotel_b, "", "{\"name\": \"Taken\"}");
        foreign_like_missing(tok, "PUT", "/hotels/", f->hotel_b, "/daily/2026-10-01", daily);
        foreign_like_missing(tok, "POST", "/hotels/", f->hotel_b, "/reviews", review);
        foreign_like_missing(tok, "POST", "/hotels/", f->hotel_b, "/disputes", dispute);
        foreign_like_missing(tok, "PATCH", "/hotel-disputes/", f->dispute_b, "",
                             "{\"status\": \"WON\"}");
    }
    /* a foreign hotel stays foreign even with a body that is not valid */
    WHT_PROBLEM(put_daily(f->manager.token, f->hotel_b, "2026-10-01", jl("{}")), 404, "not_found",
                NULL);
    /* nothing of b changed */
    audited_nothing(head);
    WHT_JSON_EQUAL(get_json(wht_admin_token(), wht_fmt("/hotels/%lld", f->hotel_b)), hotel_was);
    WHT_JSON_EQUAL(daily_of(f->hotel_b, "2026-10-01"), daily_was);
    json_t *reviews =
        wht_items(wht_get(wht_admin_token(), wht_fmt("/hotels/%lld/reviews", f->hotel_b)));
    assert_int_equal(json_array_size(reviews), 1);
    assert_true(json_is_null(json_object_get(json_array_get(reviews, 0), "response_text")));
    json_t *disputes =
        wht_items(wht_get(wht_admin_token(), wht_fmt("/hotels/%lld/disputes", f->hotel_b)));
    assert_int_equal(json_array_size(disputes), 1);
    assert_string_equal(wht_str(json_array_get(disputes, 0), "status"), "OPEN");
    /* the member of b sees it */
    WHT_EXPECT(wht_get(f->outsider.token, wht_fmt("/hotels/%lld", f->hotel_b)), 200);
    WHT_EXPECT(wht_get(f->outsider.token, wht_fmt("/hotels/%lld/disputes", f->hotel_b)), 200);
}

static void test_foreign_venture_id_is_403(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long head = wht_audit_head();
    WHT_PROBLEM(wht_get(f->manager.token, wht_fmt("/hotels?venture_id=%lld", f->b.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->lonely.token, wht_fmt("/hotels?venture_id=%lld", f->a.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->manager.token, wht_fmt("/hotels?venture_id=%lld", MISSING_ID)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->manager.token, "/hotels?venture_id=abc"), 400, "validation_failed",
                "venture_id");
    WHT_PROBLEM(wht_post(f->manager.token, "/hotels",
                         wht_json("{s:I, s:s, s:s, s:i}", "venture_id", f->b.id, "name", "Mine",
                                  "code", wht_unique_code(), "rooms", 10)),
                403, "forbidden", NULL);
    audited_nothing(head);
}

static void test_lists_show_only_the_scope(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long mine = hotel_new(10);
    /* the manager's list: hotels of a, never b's */
    json_t *all = wht_list_all(f->manager.token, "/hotels", 200);
    size_t i;
    json_t *h;
    bool seen = false;
    json_array_foreach(all, i, h)
    {
        assert_int_equal(wht_int(h, "venture_id"), f->a.id);
        seen = seen || wht_int(h, "id") == mine;
    }
    assert_true(seen);
    assert_null(wht_find_by_id(all, f->hotel_b));
    json_t *filtered =
        wht_list_all(f->manager.token, wht_fmt("/hotels?venture_id=%lld", f->a.id), 200);
    assert_int_equal(json_array_size(filtered), json_array_size(all));
    /* b's member sees b's hotels only */
    json_array_foreach(wht_list_all(f->outsider.token, "/hotels", 200), i, h)
    {
        assert_int_equal(wht_int(h, "venture_id"), f->b.id);
    }
    /* the auditor sees both, filtered to one venture on request */
    json_t *every = wht_list_all(f->auditor.token, "/hotels", 200);
    assert_non_null(wht_find_by_id(every, mine));
    assert_non_null(wht_find_by_id(every, f->hotel_b));
    json_array_foreach(
        wht_list_all(f->auditor.token, wht_fmt("/hotels?venture_id=%lld", f->b.id), 200), i, h)
    {
        assert_int_equal(wht_int(h, "venture_id"), f->b.id);
    }
    /* an empty scope gets 200 and no items */
    wht_resp *r = wht_get(f->lonely.token, "/hotels");
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    assert_true(json_is_false(json_object_get(r->json, "has_more")));
    assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
}

/* -------------------------------------------------------------- pagination */

#define PAGE 4

typedef void (*between_pages)(size_t page);

/* Walks path page by page as token; calls between after each page that has a successor. */
static json_t *walk(const char *token, const char *path, between_pages between)
{
    json_t *all = wht_keep_json(json_array());
    const char *sep = strchr(path, '?') ? "&" : "?";
    const char *cursor = NULL;
    size_t pages = 0;
    do {
        wht_resp *r =
            wht_get(token, cursor ? wht_fmt("%s%slimit=%d&cursor=%s", path, sep, PAGE, cursor)
                                  : wht_fmt("%s%slimit=%d", path, sep, PAGE));
        WHT_EXPECT(r, 200);
        json_t *items = wht_items(r);
        bool more = json_is_true(json_object_get(r->json, "has_more"));
        assert_true(json_array_size(items) <= PAGE);
        if (more) {
            assert_int_equal(json_array_size(items), PAGE);
            cursor = wht_str(r->json, "next_cursor");
        } else {
            assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
            cursor = NULL;
        }
        json_array_extend(all, items);
        pages++;
        if (cursor && between)
            between(pages);
        assert_true(pages < 1000);
    } while (cursor);
    return all;
}

/* The rows created before the walk appear exactly once, in id order newest first (they were
 * created one after another); inserted rows never make one of them repeat or vanish. */
static void expect_walk(const json_t *all, const char *key, size_t n, const long long *ids)
{
    size_t i, k;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        for (k = i + 1; k < json_array_size(all); k++)
            if (json_equal(json_object_get(v, key), json_object_get(json_array_get(all, k), key)))
                WHT_FAIL("%s appears twice in the walk: %s", key, wht_dump(v));
    }
    long long last = 0;
    size_t found = 0;
    json_array_foreach(all, i, v)
    {
        long long id = wht_int(v, key);
        for (k = 0; k < n; k++)
            if (ids[k] == id) {
                if (found && id >= last)
                    WHT_FAIL("%s %lld after %lld: not newest first", key, id, last);
                last = id;
                found++;
            }
    }
    assert_int_equal(found, n);
}

static long long PAGED_HOTEL;
static long long PAGED_VENTURE;

static void add_hotel(size_t page)
{
    (void)page;
    hotel_new_as(wht_admin_token(), PAGED_VENTURE, 5);
}

static void add_review(size_t page)
{
    (void)page;
    review_new(wht_admin_token(), PAGED_HOTEL);
}

static void add_dispute(size_t page)
{
    (void)page;
    dispute_new(wht_admin_token(), PAGED_HOTEL);
}

static void add_days(size_t page)
{
    /* one day newer than every listed day and one older */
    WHT_EXPECT(put_daily(wht_admin_token(), PAGED_HOTEL, wht_fmt("2026-04-%02zu", page),
                         wht_json("{s:i, s:i}", "rooms_sold", 1, "room_revenue_cents", 1)),
               201);
    WHT_EXPECT(put_daily(wht_admin_token(), PAGED_HOTEL, wht_fmt("2025-01-%02zu", page),
                         wht_json("{s:i, s:i}", "rooms_sold", 1, "room_revenue_cents", 1)),
               201);
}

#define N 11

static void test_pagination(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_venture v = wht_venture_new("HOSPITALITY");
    wht_set_ventures(f->manager.id, 2, (long long[]){f->a.id, v.id});
    PAGED_VENTURE = v.id;
    long long ids[N];
    for (size_t i = 0; i < N; i++)
        ids[i] = hotel_new_as(f->manager.token, v.id, 5);
    json_t *all = walk(f->manager.token, wht_fmt("/hotels?venture_id=%lld", v.id), add_hotel);
    expect_walk(all, "id", N, ids);

    PAGED_HOTEL = ids[0];
    for (size_t i = 0; i < N; i++)
        ids[i] = review_new(f->manager.token, PAGED_HOTEL);
    expect_walk(walk(f->manager.token, wht_fmt("/hotels/%lld/reviews", PAGED_HOTEL), add_review),
                "id", N, ids);
    for (size_t i = 0; i < N; i++)
        ids[i] = dispute_new(f->manager.token, PAGED_HOTEL);
    expect_walk(walk(f->manager.token, wht_fmt("/hotels/%lld/disputes", PAGED_HOTEL), add_dispute),
                "id", N, ids);

    /* daily entries by day, newest first: every day of 2026-03 once, in order */
    for (size_t i = 0; i < N; i++)
        WHT_EXPECT(put_daily(f->manager.token, PAGED_HOTEL, wht_fmt("2026-03-%02zu", i + 1),
                             wht_json("{s:i, s:i}", "rooms_sold", 1, "room_revenue_cents", 1)),
                   201);
    json_t *days = walk(f->manager.token, wht_fmt("/hotels/%lld/daily", PAGED_HOTEL), add_days);
    size_t i, seen = 0;
    json_t *d;
    const char *prev = NULL;
    json_array_foreach(days, i, d)
    {
        const char *date = wht_str(d, "date");
        if (prev && strcmp(prev, date) <= 0)
            WHT_FAIL("day %s after %s: not newest first, or repeated", date, prev);
        prev = date;
        seen += strncmp(date, "2026-03-", 8) == 0;
    }
    assert_int_equal(seen, N);
    wht_set_ventures(f->manager.id, 1, &f->a.id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_hotel_create_get_patch),    WHT_TEST(test_hotel_validation),
        WHT_TEST(test_daily_worked_numbers),      WHT_TEST(test_daily_high_loss),
        WHT_TEST(test_daily_upsert_201_then_200), WHT_TEST(test_daily_validation),
        WHT_TEST(test_daily_list_range),          WHT_TEST(test_reviews),
        WHT_TEST(test_review_response_once),      WHT_TEST(test_dispute_create),
        WHT_TEST(test_dispute_changes),           WHT_TEST(test_permissions),
        WHT_TEST(test_foreign_ids_are_404),       WHT_TEST(test_foreign_venture_id_is_403),
        WHT_TEST(test_lists_show_only_the_scope), WHT_TEST(test_pagination),
    };
    /* days are computed in UTC (wht_utc_day): the server's business day is UTC's too */
    static const char *const env[] = {"WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_hotels", tests, NULL, NULL));
}
