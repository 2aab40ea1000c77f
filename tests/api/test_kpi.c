/*
 * KPIs and the daily jobs of src/kpi (DOMAIN.md §8, §9): incentive_daily commits every venture
 * with an active plan, and re-running it converges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define RUN_WAIT_MS 30000

static wht_server *FAKE;
static long long CARRIER;

/* ------------------------------------------------------------------ helpers */

static long long carrier(void)
{
    if (CARRIER)
        return CARRIER;
    json_t *c = wht_json("{s:I, s:s, s:s, s:s}", "dotNumber", (json_int_t)3200001, "legalName",
                         wht_unique("CARRIER "), "allowedToOperate", "Y", "statusCode", "A");
    wht_fake_call(FAKE, "POST", "/_control/fmcsa/carriers", c);
    wht_resp *r =
        wht_post(wht_admin_token(), "/carriers", wht_json("{s:s}", "dot_number", "3200001"));
    WHT_EXPECT(r, 201);
    CARRIER = wht_int(r->json, "id");
    return CARRIER;
}

static wht_user member(const char *role, long long venture)
{
    wht_user u = wht_user_new(role);
    if (venture)
        wht_set_ventures(u.id, 1, &venture);
    return u;
}

/* A load by rep moved by the admin to status; DELIVERED gets billing_date day. */
static long long load_to(const wht_user *rep, long long venture, long long bill, long long cost,
                         const char *status, const char *day)
{
    json_t *body =
        wht_json("{s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "venture_id", (json_int_t)venture,
                 "pickup_city", "Columbus", "pickup_state", "OH", "drop_city", "Atlanta",
                 "drop_state", "GA", "bill_cents", (json_int_t)bill, "miles", (json_int_t)100);
    if (cost >= 0)
        json_object_set_new(body, "cost_cents", json_integer(cost));
    wht_resp *r = wht_post(rep->token, "/loads", body);
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    const char *path = wht_fmt("/loads/%lld/status", id);
    if (strcmp(status, "OPEN") == 0)
        return id;
    WHT_EXPECT(wht_post(wht_admin_token(), path, wht_json("{s:s}", "status", "WORKING")), 200);
    if (strcmp(status, "WORKING") == 0)
        return id;
    WHT_EXPECT(
        wht_post(wht_admin_token(), path,
                 wht_json("{s:s, s:I}", "status", "COVERED", "carrier_id", (json_int_t)carrier())),
        200);
    if (strcmp(status, "DELIVERED") == 0)
        WHT_EXPECT(wht_post(wht_admin_token(), path,
                            wht_json("{s:s, s:s}", "status", "DELIVERED", "billing_date", day)),
                   200);
    return id;
}

static long long plan_with_flat_rule(long long venture, long long cents)
{
    json_t *b = wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)venture, "name",
                         wht_unique("Plan "), "effective_from", "2020-01-01");
    wht_resp *r = wht_post(wht_admin_token(), "/incentives/plans", b);
    WHT_EXPECT(r, 201);
    long long plan = wht_int(r->json, "id");
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/incentives/plans/%lld/rules", plan),
                        wht_json("{s:s, s:s, s:I}", "metric", "loads_completed", "calc_type",
                                 "FLAT_PER_UNIT", "rate_cents", (json_int_t)cents)),
               201);
    return plan;
}

static json_t *run_wait(long long id)
{
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    for (;;) {
        wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/jobs/runs/%lld", id));
        WHT_EXPECT(r, 200);
        if (strcmp(wht_str(r->json, "status"), "RUNNING") != 0)
            return r->json;
        if (wht_now_ms() > deadline)
            WHT_FAIL("run %lld still RUNNING: %s", id, wht_dump(r->json));
        wht_sleep_ms(50);
    }
}

/* POST /jobs/{job}/run with body; retries while another run holds the lease; waits the end. */
static json_t *run_job(const char *job, json_t *body)
{
    long long deadline = wht_now_ms() + RUN_WAIT_MS;
    for (;;) {
        wht_resp *r =
            wht_post(wht_admin_token(), wht_fmt("/jobs/%s/run", job), json_deep_copy(body));
        if (r->status == 202) {
            json_decref(body);
            return run_wait(wht_int(r->json, "id"));
        }
        WHT_EXPECT(r, 409);
        if (wht_now_ms() > deadline)
            WHT_FAIL("lease of %s still held", job);
        wht_sleep_ms(100);
    }
}

static json_t *daily(long long venture)
{
    return wht_list_all(wht_admin_token(), wht_fmt("/incentives/daily?venture_id=%lld", venture),
                        50);
}

static long long amount_of(const json_t *items, long long user)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (wht_int(it, "user_id") == user)
            return wht_int(it, "amount_cents");
    }
    return -1;
}

/* ------------------------------------------------------------------- tests */

static void test_incentive_daily_commits_and_converges(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-3);
    long long v1 = wht_venture_new("LOGISTICS").id, v2 = wht_venture_new("LOGISTICS").id;
    long long bare = wht_venture_new("LOGISTICS").id; /* no plan: not committed */
    wht_user a = member("EMPLOYEE", v1), b = member("EMPLOYEE", v2), c = member("EMPLOYEE", bare);
    plan_with_flat_rule(v1, 500);
    plan_with_flat_rule(v2, 300);
    for (int i = 0; i < 2; i++)
        load_to(&a, v1, 10000, 5000, "DELIVERED", day);
    load_to(&b, v2, 10000, 5000, "DELIVERED", day);
    load_to(&c, bare, 10000, 5000, "DELIVERED", day);

    /* a dry run writes nothing */
    json_t *dry = run_job("incentive_daily", wht_json("{s:s, s:b}", "date", day, "dry_run", 1));
    assert_string_equal(wht_str(dry, "status"), "SUCCEEDED");
    assert_int_equal(json_array_size(daily(v1)), 0);

    json_t *run = run_job("incentive_daily", wht_json("{s:s}", "date", day));
    assert_string_equal(wht_str(run, "status"), "SUCCEEDED");
    assert_string_equal(wht_str(run, "date"), day);
    json_t *stats = json_object_get(run, "stats");
    assert_true(wht_int(stats, "ventures") >= 2);
    assert_true(wht_int(stats, "total_cents") >= 1300);
    assert_int_equal(wht_int(stats, "ventures_failed"), 0);

    json_t *d1 = daily(v1), *d2 = daily(v2);
    assert_int_equal(json_array_size(d1), 1);
    assert_int_equal(amount_of(d1, a.id), 1000);
    assert_string_equal(wht_str(json_array_get(d1, 0), "date"), day);
    assert_int_equal(amount_of(d2, b.id), 300);
    assert_int_equal(json_array_size(daily(bare)), 0);

    /* re-running converges: the same rows */
    json_t *again = run_job("incentive_daily", wht_json("{s:s}", "date", day));
    assert_string_equal(wht_str(again, "status"), "SUCCEEDED");
    json_t *d1b = daily(v1);
    assert_int_equal(json_array_size(d1b), 1);
    assert_int_equal(amount_of(d1b, a.id), 1000);
    assert_int_equal(json_array_size(daily(v2)), 1);

    /* one venture only */
    json_t *one = run_job("incentive_daily",
                          wht_json("{s:s, s:I}", "date", day, "venture_id", (json_int_t)v2));
    assert_string_equal(wht_str(one, "status"), "SUCCEEDED");
    assert_int_equal(wht_int(json_object_get(one, "stats"), "ventures"), 1);
    assert_int_equal(wht_int(json_object_get(one, "stats"), "total_cents"), 300);
}

/* A venture whose day lies in an APPROVED payout period is skipped by incentive_daily: counted
 * in ventures_skipped (not a failure), its rows left as they were. */
static void test_incentive_daily_skips_a_frozen_period(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-8);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user a = member("EMPLOYEE", v);
    plan_with_flat_rule(v, 500);
    load_to(&a, v, 10000, 5000, "DELIVERED", day);
    json_t *body = wht_json("{s:s, s:I}", "date", day, "venture_id", (json_int_t)v);
    wht_keep_json(body);
    json_t *run = run_job("incentive_daily", json_deep_copy(body));
    assert_string_equal(wht_str(run, "status"), "SUCCEEDED");
    assert_int_equal(amount_of(daily(v), a.id), 500);
    wht_resp *r = wht_post(wht_admin_token(), "/incentives/payouts/generate",
                           wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "period_start",
                                    day, "period_end", day));
    WHT_EXPECT(r, 200);
    long long id = wht_int(json_array_get(wht_items(r), 0), "id");
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/incentives/payouts/%lld/approve", id), NULL),
               200);
    load_to(&a, v, 10000, 5000, "DELIVERED", day);

    run = run_job("incentive_daily", json_deep_copy(body));
    assert_string_equal(wht_str(run, "status"), "SUCCEEDED");
    json_t *stats = json_object_get(run, "stats");
    assert_int_equal(wht_int(stats, "ventures"), 0);
    assert_int_equal(wht_int(stats, "ventures_skipped"), 1);
    assert_int_equal(wht_int(stats, "ventures_failed"), 0);
    assert_int_equal(amount_of(daily(v), a.id), 500);
}

/* GET path as admin, expecting 200. */
static json_t *get_ok(const char *token, const char *path)
{
    wht_resp *r = wht_get(token ? token : wht_admin_token(), path);
    WHT_EXPECT(r, 200);
    return r->json;
}

static json_t *day_of(json_t *body, const char *day)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(body, "days"), i, it)
    {
        if (strcmp(wht_str(it, "date"), day) == 0)
            return it;
    }
    WHT_FAIL("no day %s in %s", day, wht_dump(body));
    return NULL;
}

static void aggregate(long long venture, const char *day)
{
    json_t *run = run_job("kpi_aggregation",
                          wht_json("{s:s, s:I}", "date", day, "venture_id", (json_int_t)venture));
    if (strcmp(wht_str(run, "status"), "SUCCEEDED") != 0)
        WHT_FAIL("kpi_aggregation: %s", wht_dump(run));
}

static void lost(const wht_user *rep, long long venture)
{
    long long id = load_to(rep, venture, 1000, 500, "OPEN", NULL);
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/loads/%lld/status", id),
                        wht_json("{s:s, s:s}", "status", "LOST", "lost_reason", "price")),
               200);
}

static void test_freight_kpis_on_a_hand_built_set(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0), *y = wht_utc_day(-1);
    long long v = wht_venture_new("LOGISTICS").id, v2 = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v), rep2 = member("EMPLOYEE", v2);
    load_to(&rep, v, 10000, 6000, "DELIVERED", t);
    load_to(&rep, v, 5000, -1, "DELIVERED", t);   /* cost missing: 0 */
    load_to(&rep, v, 7000, 1000, "DELIVERED", y); /* revenue on its billing day */
    load_to(&rep, v, 3000, 1000, "COVERED", NULL);
    load_to(&rep, v, 3000, 1000, "WORKING", NULL);
    lost(&rep, v);
    load_to(&rep2, v2, 3000, 1000, "OPEN", NULL);

    aggregate(v, t);
    aggregate(v, y);
    aggregate(v2, t);
    json_t *body = get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v, y, t));
    assert_int_equal(json_array_size(json_object_get(body, "days")), 2);
    json_t *dt = day_of(body, t), *dy = day_of(body, y);
    assert_int_equal(wht_int(dt, "venture_id"), v);
    assert_int_equal(wht_int(dt, "loads_inbound"), 6);
    assert_int_equal(wht_int(dt, "loads_quoted"), 4);
    assert_int_equal(wht_int(dt, "loads_covered"), 4);
    assert_int_equal(wht_int(dt, "loads_lost"), 1);
    assert_int_equal(wht_int(dt, "loads_delivered"), 2);
    assert_int_equal(wht_int(dt, "revenue_cents"), 15000);
    assert_int_equal(wht_int(dt, "cost_cents"), 6000);
    assert_int_equal(wht_int(dt, "profit_cents"), 9000);
    assert_int_equal(wht_int(dt, "margin_bp"), 6000);
    assert_int_equal(wht_int(dt, "active_carriers"), 1);
    assert_int_equal(wht_int(dy, "loads_inbound"), 0);
    assert_int_equal(wht_int(dy, "loads_delivered"), 1);
    assert_int_equal(wht_int(dy, "revenue_cents"), 7000);
    assert_int_equal(wht_int(dy, "profit_cents"), 6000);
    assert_int_equal(wht_int(dy, "margin_bp"), 8571);
    json_t *sum = json_object_get(body, "summary");
    assert_int_equal(wht_int(sum, "loads_inbound"), 6);
    assert_int_equal(wht_int(sum, "revenue_cents"), 22000);
    assert_int_equal(wht_int(sum, "coverage_bp"), 6667);
    assert_true(json_is_true(json_object_get(sum, "low_coverage")));
    assert_int_equal(wht_int(sum, "margin_bp"), 6818);
    assert_true(json_is_false(json_object_get(sum, "low_margin")));

    /* no revenue: margin null; nothing covered: low coverage */
    json_t *b2 = get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v2, t, t));
    json_t *d2 = day_of(b2, t);
    assert_true(json_is_null(json_object_get(d2, "margin_bp")));
    assert_int_equal(wht_int(d2, "loads_inbound"), 1);
    json_t *s2 = json_object_get(b2, "summary");
    assert_true(json_is_null(json_object_get(s2, "margin_bp")));
    assert_true(json_is_false(json_object_get(s2, "low_margin")));
    assert_int_equal(wht_int(s2, "coverage_bp"), 0);
    assert_true(json_is_true(json_object_get(s2, "low_coverage")));

    /* re-running a day converges */
    aggregate(v, t);
    json_t *again = get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v, y, t));
    WHT_JSON_EQUAL(json_object_get(again, "days"), json_object_get(body, "days"));
}

static void test_manual_columns_survive_aggregation(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    load_to(&rep, v, 10000, 6000, "DELIVERED", t);
    aggregate(v, t);
    const char *path = wht_fmt("/kpi/freight/%lld/%s", v, t);
    long long head = wht_audit_head();
    wht_resp *r = wht_send(
        "PUT", wht_admin_token(), path,
        wht_json("{s:I, s:I}", "loads_inbound", (json_int_t)10, "cost_cents", (json_int_t)8000));
    WHT_EXPECT(r, 200); /* the row existed */
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "kpi_freight.manual");
    aggregate(v, t);
    json_t *body = get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v, t, t));
    json_t *d = day_of(body, t);
    assert_int_equal(wht_int(d, "loads_inbound"), 10);
    assert_int_equal(wht_int(d, "cost_cents"), 8000);
    assert_int_equal(wht_int(d, "profit_cents"), 2000);
    assert_int_equal(wht_int(d, "loads_delivered"), 1);
    assert_int_equal(wht_int(json_object_get(body, "summary"), "coverage_bp"), 1000);

    /* a new day: 201; validation refuses and changes nothing */
    const char *old = wht_fmt("/kpi/freight/%lld/2020-01-02", v);
    WHT_EXPECT(wht_send("PUT", wht_admin_token(), old,
                        wht_json("{s:I}", "revenue_cents", (json_int_t)500)),
               201);
    WHT_PROBLEM(wht_send("PUT", wht_admin_token(), path, wht_json("{s:I}", "bogus", 1)), 400,
                "validation_failed", "bogus");
    WHT_PROBLEM(wht_send("PUT", wht_admin_token(), path,
                         wht_json("{s:I}", "loads_inbound", (json_int_t)-1)),
                400, "validation_failed", "loads_inbound");
    WHT_PROBLEM(wht_send("PUT", wht_admin_token(), wht_fmt("/kpi/freight/%lld/2020-13-01", v),
                         wht_json("{}")),
                400, "validation_failed", "date");
    d = day_of(get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v, t, t)), t);
    assert_int_equal(wht_int(d, "loads_inbound"), 10);
    WHT_PROBLEM(wht_get(wht_admin_token(), "/kpi/freight?from=2020-02-01&to=2020-01-01"), 400,
                "validation_failed", "to");
}

static void test_scope(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0);
    long long v = wht_venture_new("LOGISTICS").id, other = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    load_to(&rep, v, 10000, 6000, "DELIVERED", t);
    aggregate(v, t);
    wht_user outsider = member("EMPLOYEE", other), finance = member("FINANCE", other);
    wht_user nobody = member("EMPLOYEE", 0);
    json_t *b = get_ok(outsider.token, wht_fmt("/kpi/freight?from=%s&to=%s", t, t));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "days"), i, it)
    {
        assert_int_not_equal(wht_int(it, "venture_id"), v);
    }
    b = get_ok(nobody.token, "/kpi/freight");
    assert_int_equal(json_array_size(json_object_get(b, "days")), 0);
    b = get_ok(nobody.token, "/kpi/hotels");
    assert_int_equal(json_array_size(json_object_get(b, "days")), 0);
    b = get_ok(nobody.token, "/kpi/bpo");
    assert_int_equal(json_array_size(json_object_get(b, "days")), 0);
    WHT_PROBLEM(wht_get(outsider.token, wht_fmt("/kpi/freight?venture_id=%lld", v)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(outsider.token, wht_fmt("/kpi/hotels?venture_id=%lld", v)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_send("PUT", finance.token, wht_fmt("/kpi/freight/%lld/%s", v, t),
                         wht_json("{s:I}", "loads_inbound", (json_int_t)1)),
                404, "not_found", NULL);
    WHT_PROBLEM(wht_send("PUT", outsider.token, wht_fmt("/kpi/freight/%lld/%s", other, t),
                         wht_json("{s:I}", "loads_inbound", (json_int_t)1)),
                403, "forbidden", NULL);
    WHT_EXPECT(wht_send("PUT", finance.token, wht_fmt("/kpi/freight/%lld/%s", other, t),
                        wht_json("{s:I}", "loads_inbound", (json_int_t)1)),
               201);
}

static void test_hotel_and_bpo_kpis(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0);
    long long v = wht_venture_new("HOSPITALITY").id;
    wht_resp *r = wht_post(wht_admin_token(), "/hotels",
                           wht_json("{s:I, s:s, s:s, s:I}", "venture_id", (json_int_t)v, "name",
                                    "Inn", "code", wht_unique("H"), "rooms", (json_int_t)100));
    WHT_EXPECT(r, 201);
    long long hotel = wht_int(r->json, "id");
    WHT_EXPECT(wht_send("PUT", wht_admin_token(), wht_fmt("/hotels/%lld/daily/%s", hotel, t),
                        wht_json("{s:I, s:I, s:I, s:I, s:I}", "rooms_sold", (json_int_t)80,
                                 "rooms_available", (json_int_t)100, "room_revenue_cents",
                                 (json_int_t)800000, "refund_cents", (json_int_t)1500,
                                 "lost_dues_cents", (json_int_t)2500)),
               201);
    aggregate(v, t);
    json_t *b = get_ok(
        NULL, wht_fmt("/kpi/hotels?venture_id=%lld&hotel_id=%lld&from=%s&to=%s", v, hotel, t, t));
    json_t *d = day_of(b, t);
    assert_int_equal(wht_int(d, "hotel_id"), hotel);
    assert_int_equal(wht_int(d, "rooms_sold"), 80);
    /* lost dues from the daily entry, right after refunds (rows and summary) */
    assert_int_equal(wht_int(d, "lost_dues_cents"), 2500);
    assert_int_equal(wht_int(json_object_get(b, "summary"), "lost_dues_cents"), 2500);
    void *it = json_object_iter_at(d, "refund_cents");
    assert_string_equal(json_object_iter_key(json_object_iter_next(d, it)), "lost_dues_cents");
    assert_int_equal(wht_int(d, "occupancy_bp"), 8000);
    assert_int_equal(wht_int(d, "adr_cents"), 10000);

    long long bv = wht_venture_new("BPO").id;
    wht_user agent_user = member("EMPLOYEE", bv);
    r = wht_post(wht_admin_token(), "/bpo/campaigns",
                 wht_json("{s:I, s:s}", "venture_id", (json_int_t)bv, "name", wht_unique("C")));
    WHT_EXPECT(r, 201);
    long long camp = wht_int(r->json, "id");
    r = wht_post(
        wht_admin_token(), "/bpo/agents",
        wht_json("{s:I, s:I}", "user_id", (json_int_t)agent_user.id, "venture_id", (json_int_t)bv));
    WHT_EXPECT(r, 201);
    long long agent = wht_int(r->json, "id");
    char started[40];
    snprintf(started, sizeof started, "%sT00:30:00Z", t);
    for (int i = 0; i < 4; i++)
        WHT_EXPECT(
            wht_post(wht_admin_token(), "/bpo/call-logs",
                     wht_json("{s:I, s:I, s:I, s:s, s:b, s:b, s:I}", "agent_id", (json_int_t)agent,
                              "venture_id", (json_int_t)bv, "campaign_id", (json_int_t)camp,
                              "started_at", started, "connected", i < 2, "deal_won", i == 0,
                              "revenue_cents", (json_int_t)(i == 0 ? 5000 : 0))),
            201);
    aggregate(bv, t);
    b = get_ok(NULL,
               wht_fmt("/kpi/bpo?venture_id=%lld&campaign_id=%lld&from=%s&to=%s", bv, camp, t, t));
    d = day_of(b, t);
    assert_int_equal(wht_int(d, "dials"), 4);
    assert_int_equal(wht_int(d, "connects"), 2);
    assert_int_equal(wht_int(d, "deals"), 1);
    assert_int_equal(wht_int(d, "revenue_cents"), 5000);
    assert_int_equal(wht_int(d, "connect_rate_bp"), 5000);
    assert_int_equal(wht_int(d, "conversion_bp"), 5000);
    aggregate(bv, t);
    json_t *again = get_ok(NULL, wht_fmt("/kpi/bpo?venture_id=%lld&from=%s&to=%s", bv, t, t));
    WHT_JSON_EQUAL(json_object_get(again, "days"), json_object_get(b, "days"));
}

static wht_resp *dash(const char *token, long long venture, const char *etag)
{
    const char *hdr[2] = {etag ? wht_fmt("If-None-Match: %s", etag) : NULL, NULL};
    wht_request rq = {.method = "GET",
                      .path = wht_fmt("/api/v1/dashboard?venture_id=%lld", venture),
                      .token = token ? token : wht_admin_token(),
                      .headers = etag ? hdr : NULL};
    return wht_do(&rq);
}

static void test_dashboard(void **state)
{
    (void)state;
    const char *y = wht_utc_day(-1);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    load_to(&rep, v, 10000, 6000, "DELIVERED", y); /* yesterday's revenue, created today */
    aggregate(v, y);
    load_to(&rep, v, 3000, 1000, "OPEN", NULL);

    wht_resp *r = dash(rep.token, v, NULL);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_header(r, "Cache-Control"), "private, no-cache");
    const char *etag = wht_fmt("%s", wht_header(r, "ETag"));
    assert_true(strlen(etag) > 2);
    assert_int_equal(wht_int(r->json, "venture_id"), v);
    json_t *today = json_object_get(r->json, "today");
    assert_int_equal(wht_int(today, "loads_inbound"), 2); /* live */
    assert_int_equal(wht_int(today, "revenue_cents"), 0);
    json_t *d7 = json_object_get(r->json, "last_7_days");
    assert_int_equal(wht_int(d7, "revenue_cents"), 10000); /* from the KPI rows */
    assert_int_equal(wht_int(d7, "loads_delivered"), 1);
    assert_int_equal(wht_int(json_object_get(r->json, "last_30_days"), "profit_cents"), 4000);

    /* unchanged: 304; a change moves the ETag */
    wht_resp *same = dash(rep.token, v, etag);
    WHT_EXPECT(same, 304);
    load_to(&rep, v, 3000, 1000, "OPEN", NULL);
    wht_resp *moved = dash(rep.token, v, etag);
    WHT_EXPECT(moved, 200);
    assert_string_not_equal(wht_header(moved, "ETag"), etag);
    assert_int_equal(wht_int(json_object_get(moved->json, "today"), "loads_inbound"), 3);

    /* scope and validation */
    wht_user outsider = member("EMPLOYEE", wht_venture_new("LOGISTICS").id);
    WHT_PROBLEM(dash(outsider.token, v, NULL), 403, "forbidden", NULL);
    WHT_PROBLEM(wht_get(rep.token, "/dashboard"), 400, "validation_failed", "venture_id");

    /* a hotel venture shows hotel figures */
    long long hv = wht_venture_new("HOSPITALITY").id;
    wht_resp *h = dash(NULL, hv, NULL);
    WHT_EXPECT(h, 200);
    assert_true(json_object_get(json_object_get(h->json, "today"), "occupancy_bp") != NULL);
}

/* The answer to a database failure: 500 internal with the generic detail, no engine text. */
static void expect_generic_db_error(const wht_resp *r, const char *const *engine_words)
{
    WHT_PROBLEM(r, 500, "internal", NULL);
    const char *detail = wht_str(r->json, "detail");
    assert_string_equal(detail, "The database could not complete the request.");
    for (size_t i = 0; engine_words[i]; i++)
        if (strstr(r->body, engine_words[i]))
            WHT_FAIL("engine text \"%s\" in %s", engine_words[i], r->body);
}

/* 100 loads billed 10^13 cents (the API's cap per load) at cost 0: revenue 10^15, so profit *
 * 10000 passes 2^63 (it read -8447 bp and low_margin). The margin is 100% in the day, the range
 * summary and today's live figures. */
static void test_huge_bills_margin(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    for (int i = 0; i < 100; i++)
        load_to(&rep, v, 10000000000000LL, 0, "OPEN", NULL);
    wht_sql(wht_fmt("UPDATE loads SET status = 'DELIVERED', carrier_id = %lld, billing_date = '%s'"
                    " WHERE venture_id = %lld",
                    carrier(), t, v));
    aggregate(v, t);
    json_t *body = get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v, t, t));
    json_t *d = day_of(body, t), *sum = json_object_get(body, "summary");
    assert_int_equal(wht_int(d, "revenue_cents"), 1000000000000000LL);
    assert_int_equal(wht_int(d, "margin_bp"), 10000);
    assert_int_equal(wht_int(sum, "margin_bp"), 10000);
    assert_true(json_is_false(json_object_get(sum, "low_margin")));
    wht_resp *r = dash(NULL, v, NULL);
    WHT_EXPECT(r, 200);
    json_t *today = json_object_get(r->json, "today");
    assert_int_equal(wht_int(today, "revenue_cents"), 1000000000000000LL);
    assert_int_equal(wht_int(today, "margin_bp"), 10000);
    WHT_PROBLEM(
        wht_post(rep.token, "/loads",
                 wht_json("{s:I, s:s, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)v,
                          "pickup_city", "Columbus", "pickup_state", "OH", "drop_city", "Atlanta",
                          "drop_state", "GA", "bill_cents", (json_int_t)10000000000001LL)),
        400, "validation_failed", "bill_cents");
}

/* A sum past 2^63 (possible only through data the API never writes: two loads of 5 * 10^18
 * cents) is an error on both engines, never 0 or a wrapped figure: SQLite's SUM refuses it,
 * PostgreSQL's numeric SUM is checked when its result is read. */
static void test_sum_past_int64_is_an_error(void **state)
{
    (void)state;
    const char *t = wht_utc_day(0);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    load_to(&rep, v, 1000, 0, "OPEN", NULL);
    load_to(&rep, v, 1000, 0, "OPEN", NULL);
    wht_sql(wht_fmt("UPDATE loads SET status = 'DELIVERED', carrier_id = %lld, billing_date = '%s',"
                    " bill_cents = 5000000000000000000 WHERE venture_id = %lld",
                    carrier(), t, v));
    const char *words[] = {"overflow", "numeric", "bigint", "range", "SQL", "sqlite", NULL};
    expect_generic_db_error(dash(NULL, v, NULL), words);
    json_t *run =
        run_job("kpi_aggregation", wht_json("{s:s, s:I}", "date", t, "venture_id", (json_int_t)v));
    assert_string_equal(wht_str(run, "status"), "FAILED");
}

/* A statement the engine refuses (its table is gone) answers the generic detail: the engine's
 * message (table names, SQL) is logged, never sent. */
static void test_database_error_text_stays_in_the_log(void **state)
{
    (void)state;
    long long v = wht_venture_new("BPO").id;
    const char *path = wht_fmt("/kpi/bpo?venture_id=%lld", v);
    WHT_EXPECT(wht_get(wht_admin_token(), path), 200);
    wht_sql("ALTER TABLE kpi_bpo_daily RENAME TO kpi_bpo_daily_gone");
    const char *words[] = {"kpi_bpo_daily",
                           "no such table",
                           "does not exist",
                           "relation",
                           "SELECT",
                           "Database error",
                           NULL};
    expect_generic_db_error(wht_get(wht_admin_token(), path), words);
    wht_sql("ALTER TABLE kpi_bpo_daily_gone RENAME TO kpi_bpo_daily");
    WHT_EXPECT(wht_get(wht_admin_token(), path), 200);
}

/* ---- a hand-built history: loads created one day, quoted, covered and lost on later ones ---- */

/* Dates the newest status change of load id on day: the API records a change on the server's
 * today, so a change of a past day is made by moving the load and then dating the row. */
static void date_last_change(long long id, const char *day)
{
    wht_sql(wht_fmt("UPDATE load_status_changes SET day = '%s' WHERE id = (SELECT MAX(id) FROM"
                    " load_status_changes WHERE load_id = %lld)",
                    day, id));
}

/* A load of venture v (bill 5000, cost 2000) created on day: created_day and its first change. */
static long long load_on(const wht_user *rep, long long v, const char *day)
{
    long long id = load_to(rep, v, 5000, 2000, "OPEN", NULL);
    wht_sql(wht_fmt("UPDATE loads SET created_day = '%s' WHERE id = %lld", day, id));
    date_last_change(id, day);
    return id;
}

/* Moves load id to status on day: COVERED with the test carrier, DELIVERED billed that day. */
static void move_on(long long id, const char *status, const char *day)
{
    json_t *body = wht_json("{s:s}", "status", status);
    if (strcmp(status, "COVERED") == 0)
        json_object_set_new(body, "carrier_id", json_integer(carrier()));
    if (strcmp(status, "DELIVERED") == 0)
        json_object_set_new(body, "billing_date", json_string(day));
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/loads/%lld/status", id), body), 200);
    date_last_change(id, day);
}

static void expect_counts(const json_t *d, long long inbound, long long quoted, long long covered,
                          long long lost, long long delivered)
{
    wht_context("%s", wht_dump(d));
    assert_int_equal(wht_int(d, "loads_inbound"), inbound);
    assert_int_equal(wht_int(d, "loads_quoted"), quoted);
    assert_int_equal(wht_int(d, "loads_covered"), covered);
    assert_int_equal(wht_int(d, "loads_lost"), lost);
    assert_int_equal(wht_int(d, "loads_delivered"), delivered);
}

static void test_status_counts_follow_the_history(void **state)
{
    (void)state;
    const char *d0 = wht_utc_day(-2), *d1 = wht_utc_day(-1), *d2 = wht_utc_day(0);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    long long l1 = load_on(&rep, v, d0); /* quoted d0, covered d1, delivered d2 */
    move_on(l1, "QUOTED", d0);
    move_on(l1, "COVERED", d1);
    move_on(l1, "DELIVERED", d2);
    long long l2 = load_on(&rep, v, d0); /* covered straight from WORKING on d1: quoted d1 too */
    move_on(l2, "WORKING", d0);
    move_on(l2, "COVERED", d1);
    move_on(l2, "FELL_OFF", d1);
    move_on(l2, "COVERED", d2); /* re-covered: already counted on d1 */
    move_on(l2, "IN_TRANSIT", d2);
    long long l3 = load_on(&rep, v, d0); /* quoted d1, lost d2 */
    move_on(l3, "QUOTED", d1);
    move_on(l3, "LOST", d2);
    long long l4 = load_on(&rep, v, d1); /* quoted d1, back to WORKING, quoted again d2 */
    move_on(l4, "QUOTED", d1);
    move_on(l4, "WORKING", d1);
    move_on(l4, "QUOTED", d2);
    long long l5 = load_on(&rep, v, d2); /* lost straight from OPEN */
    move_on(l5, "LOST", d2);
    long long l6 = load_on(&rep, v, d0); /* covered d0, fell off d1, covered again d2 */
    move_on(l6, "WORKING", d0);
    move_on(l6, "COVERED", d0);
    move_on(l6, "FELL_OFF", d1);
    move_on(l6, "WORKING", d1);
    move_on(l6, "COVERED", d2);
    long long l7 = load_on(&rep, v, d2); /* quoted and covered on the day it came in */
    move_on(l7, "WORKING", d2);
    move_on(l7, "COVERED", d2);

    aggregate(v, d0);
    json_t *all = run_job("kpi_aggregation", wht_json("{s:s}", "date", d1)); /* every venture */
    assert_string_equal(wht_str(all, "status"), "SUCCEEDED");
    aggregate(v, d2);
    json_t *body = get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v, d0, d2));
    assert_int_equal(json_array_size(json_object_get(body, "days")), 3);
    /* the cohort reading would give d0 quoted 3, covered 3, lost 1 */
    expect_counts(day_of(body, d0), 4, 2, 1, 0, 0);
    expect_counts(day_of(body, d1), 1, 3, 2, 0, 0);
    json_t *k2 = day_of(body, d2);
    expect_counts(k2, 2, 1, 1, 2, 1);
    assert_int_equal(wht_int(k2, "revenue_cents"), 5000);
    assert_int_equal(wht_int(k2, "cost_cents"), 2000);
    /* every load counts at most once: l1, l2, l3, l4, l6, l7 quoted; l1, l2, l6, l7 covered */
    json_t *sum = json_object_get(body, "summary");
    expect_counts(sum, 7, 6, 4, 2, 1);
    assert_int_equal(wht_int(sum, "coverage_bp"), 5714);

    /* the dashboard's live today reads the same history */
    wht_resp *r = dash(rep.token, v, NULL);
    WHT_EXPECT(r, 200);
    json_t *today = json_object_get(r->json, "today");
    expect_counts(today, 2, 1, 1, 2, 1);
    assert_int_equal(wht_int(today, "revenue_cents"), 5000);

    /* a same -> same request adds no change; re-running a day converges */
    long long changes = wht_sql(wht_fmt("SELECT COUNT(*) FROM load_status_changes WHERE"
                                        " load_id = %lld",
                                        l6));
    assert_int_equal(changes, 6);
    WHT_EXPECT(wht_post(wht_admin_token(), wht_fmt("/loads/%lld/status", l6),
                        wht_json("{s:s}", "status", "COVERED")),
               200);
    assert_int_equal(
        wht_sql(wht_fmt("SELECT COUNT(*) FROM load_status_changes WHERE load_id = %lld", l6)),
        changes);
    aggregate(v, d1);
    json_t *again = get_ok(NULL, wht_fmt("/kpi/freight?venture_id=%lld&from=%s&to=%s", v, d0, d2));
    WHT_JSON_EQUAL(json_object_get(again, "days"), json_object_get(body, "days"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_incentive_daily_commits_and_converges),
        WHT_TEST(test_incentive_daily_skips_a_frozen_period),
        WHT_TEST(test_freight_kpis_on_a_hand_built_set),
        WHT_TEST(test_manual_columns_survive_aggregation),
        WHT_TEST(test_scope),
        WHT_TEST(test_hotel_and_bpo_kpis),
        WHT_TEST(test_dashboard),
        WHT_TEST(test_status_counts_follow_the_history),
        WHT_TEST(test_huge_bills_margin),
        WHT_TEST(test_sum_past_int64_is_an_error),
        WHT_TEST(test_database_error_text_stays_in_the_log),
    };
    FAKE = wht_fake_start();
    char fmcsa[160];
    snprintf(fmcsa, sizeof fmcsa, "WH_FMCSA_BASE_URL=%s", wht_server_base(FAKE));
    const char *const env[] = {fmcsa, "WH_FMCSA_WEBKEY=fake-fmcsa-webkey", "WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_kpi", tests, NULL, NULL));
}
