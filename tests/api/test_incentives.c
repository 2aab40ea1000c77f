/*
 * Incentives (API.md "Incentives", DOMAIN.md §7) with exact figures, on data built through the
 * real APIs (loads delivered with POST /loads/{id}/status, BPO call logs): every calc type,
 * tiers, rounding, the role filter, effective dates, membership; preview writes nothing; commit
 * replaces the (venture, day) slice, also under 8 concurrent commits; payouts generate,
 * regenerate, approve, mark-paid and the overlap rule; permissions and scope.
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

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define CONCURRENT 8

static wht_server *FAKE;
static long long CARRIER;

/* ------------------------------------------------------------------ helpers */

static long long carrier(void)
{
    if (CARRIER)
        return CARRIER;
    json_t *c = wht_json("{s:I, s:s, s:s, s:s}", "dotNumber", (json_int_t)3100001, "legalName",
                         wht_unique("CARRIER "), "allowedToOperate", "Y", "statusCode", "A");
    wht_fake_call(FAKE, "POST", "/_control/fmcsa/carriers", c);
    wht_resp *r =
        wht_post(wht_admin_token(), "/carriers", wht_json("{s:s}", "dot_number", "3100001"));
    WHT_EXPECT(r, 201);
    CARRIER = wht_int(r->json, "id");
    return CARRIER;
}

/* A signed-in user of role, member of the venture (0: of none). */
static wht_user member(const char *role, long long venture)
{
    wht_user u = wht_user_new(role);
    if (venture)
        wht_set_ventures(u.id, 1, &venture);
    return u;
}

/* A load created by rep (credited to them) with the given bill and cost, moved by the admin to
 * status; DELIVERED gets billing_date day. Returns its id. */
static long long load_to(const wht_user *rep, long long venture, long long bill, long long cost,
                         const char *status, const char *day)
{
    json_t *body = wht_json(
        "{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "venture_id", (json_int_t)venture,
        "pickup_city", "Columbus", "pickup_state", "OH", "drop_city", "Atlanta", "drop_state", "GA",
        "bill_cents", (json_int_t)bill, "cost_cents", (json_int_t)cost, "miles", (json_int_t)100);
    wht_resp *r = wht_post(rep->token, "/loads", body);
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    const char *path = wht_fmt("/loads/%lld/status", id);
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

static void delivered(const wht_user *rep, long long venture, int n, long long bill,
                      const char *day)
{
    for (int i = 0; i < n; i++)
        load_to(rep, venture, bill, bill / 2, "DELIVERED", day);
}

static long long plan_new(long long venture, const char *from, const char *to)
{
    json_t *b = wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)venture, "name",
                         wht_unique("Plan "), "effective_from", from);
    if (to)
        json_object_set_new(b, "effective_to", json_string(to));
    wht_resp *r = wht_post(wht_admin_token(), "/incentives/plans", b);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

/* POST /incentives/plans/{plan}/rules with body (stolen); expects 201. */
static long long rule_new(long long plan, json_t *body)
{
    wht_resp *r = wht_post(wht_admin_token(), wht_fmt("/incentives/plans/%lld/rules", plan), body);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static json_t *flat(const char *metric, long long cents)
{
    return wht_json("{s:s, s:s, s:I}", "metric", metric, "calc_type", "FLAT_PER_UNIT", "rate_cents",
                    (json_int_t)cents);
}

static json_t *slice(long long venture, const char *day)
{
    return wht_json("{s:I, s:s}", "venture_id", (json_int_t)venture, "date", day);
}

static json_t *preview(long long venture, const char *day)
{
    wht_resp *r = wht_post(wht_admin_token(), "/incentives/preview", slice(venture, day));
    WHT_EXPECT(r, 200);
    return wht_items(r);
}

static json_t *commit(long long venture, const char *day)
{
    wht_resp *r = wht_post(wht_admin_token(), "/incentives/commit", slice(venture, day));
    WHT_EXPECT(r, 200);
    return r->json;
}

/* The amount of user in items (user_id / amount_cents), -1 when absent. */
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

static json_t *daily(long long venture)
{
    return wht_list_all(wht_admin_token(), wht_fmt("/incentives/daily?venture_id=%lld", venture),
                        50);
}

static long long logistics(void)
{
    return wht_venture_new("LOGISTICS").id;
}

/* ------------------------------------------------------------------- tests */

static void test_three_delivered_loads_at_five_dollars(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    long long rule = rule_new(plan, flat("loads_completed", 500));
    delivered(&rep, v, 3, 10000, day);
    /* not counted: delivered another day, covered but not delivered, still working */
    delivered(&rep, v, 1, 10000, wht_utc_day(-3));
    load_to(&rep, v, 10000, 0, "COVERED", NULL);
    load_to(&rep, v, 10000, 0, "WORKING", NULL);

    json_t *items = preview(v, day);
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(amount_of(items, rep.id), 1500);
    json_t *part = json_array_get(json_object_get(json_array_get(items, 0), "breakdown"), 0);
    assert_int_equal(wht_int(part, "rule_id"), rule);
    assert_int_equal(wht_int(part, "plan_id"), plan);
    assert_int_equal(wht_int(part, "amount_cents"), 1500);
    assert_int_equal(json_array_size(daily(v)), 0); /* preview writes nothing */

    long long head = wht_audit_head();
    json_t *res = commit(v, day);
    assert_int_equal(wht_int(res, "users"), 1);
    assert_int_equal(wht_int(res, "total_cents"), 1500);
    assert_int_equal(wht_int(res, "replaced"), 0);
    assert_string_equal(wht_str(res, "date"), day);
    json_t *rows = daily(v);
    assert_int_equal(json_array_size(rows), 1);
    json_t *row = json_array_get(rows, 0);
    assert_int_equal(wht_int(row, "amount_cents"), 1500);
    assert_string_equal(wht_str(row, "date"), day);
    assert_int_equal(json_array_size(json_object_get(row, "breakdown")), 1);
    json_t *audit = wht_audit_since(head);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "incentive_daily.commit");
}

static void test_two_percent_of_ten_thousand_dollars(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    rule_new(plan, wht_json("{s:s, s:s, s:I}", "metric", "loads_revenue_cents", "calc_type",
                            "PERCENT_OF_METRIC", "rate_bp", (json_int_t)200));
    load_to(&rep, v, 600000, 1, "DELIVERED", day);
    load_to(&rep, v, 400000, 1, "DELIVERED", day);
    assert_int_equal(amount_of(preview(v, day), rep.id), 20000);
    assert_int_equal(wht_int(commit(v, day), "total_cents"), 20000);
}

static void test_rounding_half_away_from_zero_per_rule(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    /* 1.5% of 4100 = 61.5 -> 62; margin 4100 - 2050 = 2050 x 1.5% = 30.75 -> 31 */
    rule_new(plan, wht_json("{s:s, s:s, s:I}", "metric", "loads_revenue_cents", "calc_type",
                            "PERCENT_OF_METRIC", "rate_bp", (json_int_t)150));
    rule_new(plan, wht_json("{s:s, s:s, s:I}", "metric", "loads_margin_cents", "calc_type",
                            "PERCENT_OF_METRIC", "rate_bp", (json_int_t)150));
    load_to(&rep, v, 4100, 2050, "DELIVERED", day);
    assert_int_equal(amount_of(preview(v, day), rep.id), 62 + 31);
}

static void test_bonus_on_target(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user five = member("EMPLOYEE", v), three = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    rule_new(plan, wht_json("{s:s, s:s, s:I, s:I}", "metric", "loads_completed", "calc_type",
                            "BONUS_ON_TARGET", "threshold", (json_int_t)5, "bonus_cents",
                            (json_int_t)10000));
    delivered(&five, v, 5, 1000, day);
    delivered(&three, v, 3, 1000, day);
    json_t *items = preview(v, day);
    assert_int_equal(amount_of(items, five.id), 10000);
    assert_int_equal(amount_of(items, three.id), -1);
    assert_int_equal(wht_int(commit(v, day), "total_cents"), 10000);
}

static void test_two_plans_sum_into_one_row(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    long long a = plan_new(v, "2020-01-01", NULL), b = plan_new(v, "2020-01-01", NULL);
    rule_new(a, flat("loads_completed", 500));
    rule_new(b, wht_json("{s:s, s:s, s:I}", "metric", "loads_revenue_cents", "calc_type",
                         "PERCENT_OF_METRIC", "rate_bp", (json_int_t)200));
    delivered(&rep, v, 2, 50000, day); /* 2 x 500 + 2% of 100000 = 1000 + 2000 */
    commit(v, day);
    json_t *rows = daily(v);
    assert_int_equal(json_array_size(rows), 1);
    assert_int_equal(wht_int(json_array_get(rows, 0), "amount_cents"), 3000);
    assert_int_equal(json_array_size(json_object_get(json_array_get(rows, 0), "breakdown")), 2);
}

static void test_tiered_slab_across_two_tiers_on_bpo_dials(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = wht_venture_new("BPO").id;
    wht_user agent_user = member("EMPLOYEE", v);
    wht_resp *r = wht_post(
        wht_admin_token(), "/bpo/agents",
        wht_json("{s:I, s:I}", "user_id", (json_int_t)agent_user.id, "venture_id", (json_int_t)v));
    WHT_EXPECT(r, 201);
    long long agent = wht_int(r->json, "id");
    /* 9 + 6 = 15 dials that day, 2 connects, 1 deal; a call of another day does not count */
    const char *starts[] = {wht_fmt("%sT10:00:00Z", day), wht_fmt("%sT23:59:00Z", day),
                            wht_fmt("%sT00:00:00Z", wht_utc_day(-1))};
    const int dials[] = {9, 6, 50};
    for (int i = 0; i < 3; i++)
        WHT_EXPECT(
            wht_post(agent_user.token, "/bpo/call-logs",
                     wht_json("{s:I, s:I, s:s, s:I, s:b, s:b}", "agent_id", (json_int_t)agent,
                              "venture_id", (json_int_t)v, "started_at", starts[i], "dial_count",
                              (json_int_t)dials[i], "connected", 1, "deal_won", i == 0)),
            201);
    long long plan = plan_new(v, "2020-01-01", NULL);
    /* marginal: 10 dials x 10 + 5 dials x 20 = 200 */
    rule_new(plan, wht_json("{s:s, s:s, s:[{s:i, s:i}, {s:i, s:i}]}", "metric", "bpo_dials",
                            "calc_type", "TIERED_SLAB", "tiers", "from", 0, "rate_cents", 10,
                            "from", 10, "rate_cents", 20));
    rule_new(plan, flat("bpo_connects", 7)); /* 2 x 7 */
    rule_new(plan, flat("bpo_deals", 1000)); /* 1 x 1000 */
    assert_int_equal(amount_of(preview(v, day), agent_user.id), 200 + 14 + 1000);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static void test_miles_margin_and_reviews_responded(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    /* 2 loads of 100 miles, bill 1000 cost 400: 200 miles x 3 + margin 1200 x 1 */
    rule_new(plan, wht_json("{s:s, s:s, s:I}", "metric", "loads_miles", "calc_type",
                            "CURRENCY_PER_UNIT", "rate_cents", (json_int_t)3));
    rule_new(plan, flat("loads_margin_cents", 1));
    load_to(&rep, v, 1000, 400, "DELIVERED", day);
    load_to(&rep, v, 1000, 400, "DELIVERED", day);
    assert_int_equal(amount_of(preview(v, day), rep.id), 600 + 1200);

    /* reviews responded today, credited to the responder */
    const char *today = wht_utc_day(0);
    long long h = wht_venture_new("HOSPITALITY").id;
    wht_user head = member("VENTURE_HEAD", h);
    wht_resp *r = wht_post(wht_admin_token(), "/hotels",
                           wht_json("{s:I, s:s, s:s, s:I}", "venture_id", (json_int_t)h, "name",
                                    wht_unique("Hotel "), "code", wht_unique_code(), "rooms",
                                    (json_int_t)10));
    WHT_EXPECT(r, 201);
    long long hotel = wht_int(r->json, "id");
    for (int i = 0; i < 2; i++) {
        r = wht_post(
            wht_admin_token(), wht_fmt("/hotels/%lld/reviews", hotel),
            wht_json("{s:s, s:i, s:s}", "source", "GOOGLE", "rating", 5, "review_date", today));
        WHT_EXPECT(r, 201);
        WHT_EXPECT(wht_post(head.token,
                            wht_fmt("/hotel-reviews/%lld/response", wht_int(r->json, "id")),
                            wht_json("{s:s}", "response_text", "Thank you")),
                   200);
    }
    rule_new(plan_new(h, "2020-01-01", NULL), flat("hotel_reviews_responded", 250));
    assert_int_equal(amount_of(preview(h, today), head.id), 500);
    assert_int_equal(json_array_size(preview(h, wht_utc_day(-1))), 0);
}

static void test_commit_twice_and_concurrently_converge(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user a = member("EMPLOYEE", v), b = member("DISPATCHER", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    rule_new(plan, flat("loads_completed", 500));
    delivered(&a, v, 2, 1000, day);
    delivered(&b, v, 1, 1000, day);
    commit(v, day);
    json_t *again = commit(v, day);
    assert_int_equal(wht_int(again, "replaced"), 2);
    assert_int_equal(wht_int(again, "users"), 2);
    assert_int_equal(wht_int(again, "total_cents"), 1500);

    const char *body = wht_fmt("{\"venture_id\":%lld,\"date\":\"%s\"}", v, day);
    const char *url = wht_fmt("%s/api/v1/incentives/commit", wht_server_base(wht_main_server()));
    struct curl_slist *h = NULL;
    CURL *easy[CONCURRENT];
    CURLM *multi = curl_multi_init();
    int running = 0;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, wht_fmt("Authorization: Bearer %s", wht_admin_token()));
    for (int i = 0; i < CONCURRENT; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(multi, easy[i]);
    }
    do {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running > 0);
    for (int i = 0; i < CONCURRENT; i++) {
        long status = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 200);
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(h);
    json_t *rows = daily(v);
    assert_int_equal(json_array_size(rows), 2);
    assert_int_equal(amount_of(rows, a.id), 1000);
    assert_int_equal(amount_of(rows, b.id), 500);
}

static void test_only_members_and_the_rule_role_are_paid(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics();
    wht_user emp = member("EMPLOYEE", v), disp = member("DISPATCHER", v);
    wht_user leaver = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    json_t *disp_only = flat("loads_completed", 500);
    json_object_set_new(disp_only, "role", json_string("DISPATCHER"));
    rule_new(plan, disp_only);
    rule_new(plan, flat("loads_revenue_cents", 1)); /* every member: 1 cent per revenue cent */
    delivered(&emp, v, 1, 100, day);
    delivered(&disp, v, 1, 100, day);
    delivered(&leaver, v, 2, 100, day);
    wht_set_ventures(leaver.id, 0, NULL); /* no longer a member: never paid */
    json_t *items = preview(v, day);
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(amount_of(items, emp.id), 100);
    assert_int_equal(amount_of(items, disp.id), 600);
    assert_int_equal(amount_of(items, leaver.id), -1);
}

static void test_effective_dates_active_and_enabled(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-5);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    delivered(&rep, v, 1, 100, day);
    rule_new(plan_new(v, wht_utc_day(-4), NULL), flat("loads_completed", 1));         /* later */
    rule_new(plan_new(v, "2020-01-01", wht_utc_day(-6)), flat("loads_completed", 2)); /* ended */
    rule_new(plan_new(v, day, day), flat("loads_completed", 4));                      /* that day */
    long long off = plan_new(v, "2020-01-01", NULL);
    rule_new(off, flat("loads_completed", 8));
    WHT_EXPECT(wht_patch(wht_admin_token(), wht_fmt("/incentives/plans/%lld", off),
                         wht_json("{s:b}", "active", 0)),
               200);
    long long disabled = rule_new(plan_new(v, "2020-01-01", NULL), flat("loads_completed", 16));
    wht_resp *r = wht_patch(wht_admin_token(), wht_fmt("/incentives/rules/%lld", disabled),
                            wht_json("{s:b}", "enabled", 0));
    WHT_EXPECT(r, 200);
    assert_false(json_is_true(json_object_get(r->json, "enabled")));
    assert_int_equal(amount_of(preview(v, day), rep.id), 4);
}

static void test_rules_are_validated_at_creation(void **state)
{
    (void)state;
    long long v = logistics();
    long long plan = plan_new(v, "2020-01-01", NULL);
    const char *path = wht_fmt("/incentives/plans/%lld/rules", plan);
    const char *tok = wht_admin_token();
    long long head = wht_audit_head();
    WHT_PROBLEM(wht_post(tok, path,
                         wht_json("{s:s, s:s, s:I}", "metric", "loads_completed", "calc_type",
                                  "BONUS_ON_TARGET", "bonus_cents", (json_int_t)100)),
                400, "validation_failed", "threshold");
    WHT_PROBLEM(wht_post(tok, path,
                         wht_json("{s:s, s:s}", "metric", "loads_completed", "calc_type",
                                  "PERCENT_OF_METRIC")),
                400, "validation_failed", "rate_bp");
    WHT_PROBLEM(
        wht_post(tok, path,
                 wht_json("{s:s, s:s}", "metric", "loads_completed", "calc_type", "FLAT_PER_UNIT")),
        400, "validation_failed", "rate_cents");
    WHT_PROBLEM(
        wht_post(tok, path,
                 wht_json("{s:s, s:s}", "metric", "loads_completed", "calc_type", "TIERED_SLAB")),
        400, "validation_failed", "tiers");
    WHT_PROBLEM(wht_post(tok, path,
                         wht_json("{s:s, s:s, s:[{s:i, s:i}, {s:i, s:i}]}", "metric", "bpo_dials",
                                  "calc_type", "TIERED_SLAB", "tiers", "from", 5, "rate_cents", 1,
                                  "from", 5, "rate_cents", 2)),
                400, "validation_failed", "tiers");
    WHT_PROBLEM(
        wht_post(tok, path,
                 wht_json("{s:s, s:s, s:I, s:I}", "metric", "loads_completed", "calc_type",
                          "FLAT_PER_UNIT", "rate_cents", (json_int_t)1, "rate_bp", (json_int_t)1)),
        400, "validation_failed", "rate_bp");
    WHT_PROBLEM(wht_post(tok, path,
                         wht_json("{s:s, s:s, s:I}", "metric", "nope", "calc_type", "FLAT_PER_UNIT",
                                  "rate_cents", (json_int_t)1)),
                400, "validation_failed", "metric");
    json_t *bad_role = flat("loads_completed", 1);
    json_object_set_new(bad_role, "role", json_string("KING"));
    WHT_PROBLEM(wht_post(tok, path, bad_role), 400, "validation_failed", "role");
    json_t *unknown = flat("loads_completed", 1);
    json_object_set_new(unknown, "colour", json_string("red"));
    WHT_PROBLEM(wht_post(tok, path, unknown), 400, "validation_failed", "colour");
    WHT_PROBLEM(wht_post(tok, "/incentives/plans",
                         wht_json("{s:I, s:s, s:s, s:s}", "venture_id", (json_int_t)v, "name", "P",
                                  "effective_from", "2026-02-01", "effective_to", "2026-01-01")),
                400, "validation_failed", "effective_to");
    WHT_PROBLEM(wht_post(tok, "/incentives/plans",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "name", "P",
                                  "effective_from", "2026-02-30")),
                400, "validation_failed", "effective_from");
    assert_int_equal(wht_audit_head(), head); /* nothing was written */
    wht_resp *r = wht_get(tok, wht_fmt("/incentives/plans/%lld", plan));
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "rules")), 0);

    /* PATCH to another calc type: the fields it needs are required, the old ones dropped */
    long long id = rule_new(plan, flat("loads_completed", 5));
    const char *rpath = wht_fmt("/incentives/rules/%lld", id);
    WHT_PROBLEM(wht_patch(tok, rpath, wht_json("{s:s}", "calc_type", "BONUS_ON_TARGET")), 400,
                "validation_failed", "threshold");
    r = wht_patch(tok, rpath,
                  wht_json("{s:s, s:I, s:I}", "calc_type", "BONUS_ON_TARGET", "threshold",
                           (json_int_t)2, "bonus_cents", (json_int_t)300));
    WHT_EXPECT(r, 200);
    assert_true(json_is_null(json_object_get(r->json, "rate_cents")));
    assert_int_equal(wht_int(r->json, "threshold"), 2);
    WHT_EXPECT(wht_delete(tok, rpath), 204);
    WHT_PROBLEM(wht_delete(tok, rpath), 404, "not_found", NULL);
}

static void test_payouts_generate_regenerate_approve_and_overlap(void **state)
{
    (void)state;
    const char *d1 = wht_utc_day(-4), *d2 = wht_utc_day(-3);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    long long rule = rule_new(plan, flat("loads_completed", 500));
    delivered(&rep, v, 1, 100, d1);
    delivered(&rep, v, 2, 100, d2);
    commit(v, d1);
    commit(v, d2);
    const char *tok = wht_admin_token();
    json_t *period = wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "period_start", d1,
                              "period_end", wht_utc_day(10)); /* may end in the future */
    wht_keep_json(period);
    wht_resp *r = wht_post(tok, "/incentives/payouts/generate", json_deep_copy(period));
    WHT_EXPECT(r, 200);
    json_t *items = wht_items(r);
    assert_int_equal(json_array_size(items), 1);
    json_t *po = json_array_get(items, 0);
    assert_int_equal(wht_int(po, "amount_cents"), 1500);
    assert_string_equal(wht_str(po, "status"), "CALCULATED");
    json_t *part = json_array_get(json_object_get(po, "breakdown"), 0);
    assert_int_equal(wht_int(part, "rule_id"), rule);
    assert_int_equal(wht_int(part, "amount_cents"), 1500);

    /* regenerate replaces the CALCULATED rows: still one row, same amount */
    delivered(&rep, v, 1, 100, d1);
    commit(v, d1);
    r = wht_post(tok, "/incentives/payouts/generate", json_deep_copy(period));
    WHT_EXPECT(r, 200);
    items = wht_items(r);
    assert_int_equal(json_array_size(items), 1);
    long long id = wht_int(json_array_get(items, 0), "id");
    assert_int_equal(wht_int(json_array_get(items, 0), "amount_cents"), 2000);

    /* an overlapping period of the same venture: 409 */
    WHT_PROBLEM(wht_post(tok, "/incentives/payouts/generate",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "period_start",
                                  d2, "period_end", d2)),
                409, "conflict", NULL);
    /* approve, then the period cannot be regenerated; mark-paid; wrong statuses are 409 */
    WHT_PROBLEM(wht_post(tok, wht_fmt("/incentives/payouts/%lld/mark-paid", id), NULL), 409,
                "invalid_transition", NULL);
    r = wht_post(tok, wht_fmt("/incentives/payouts/%lld/approve", id), NULL);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "status"), "APPROVED");
    WHT_PROBLEM(wht_post(tok, "/incentives/payouts/generate", json_deep_copy(period)), 409,
                "conflict", NULL);
    WHT_PROBLEM(wht_post(tok, wht_fmt("/incentives/payouts/%lld/approve", id), NULL), 409,
                "invalid_transition", NULL);
    wht_user finance = member("FINANCE", v);
    r = wht_post(finance.token, wht_fmt("/incentives/payouts/%lld/mark-paid", id), NULL);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "status"), "PAID");
    /* each move notified the payout's user once (PAYOUT_STATUS, DOMAIN-wave2 §19); the refused
     * moves none */
    json_t *notes = wht_list_all(rep.token, "/notifications", 10);
    assert_int_equal(json_array_size(notes), 2);
    assert_string_equal(wht_str(json_array_get(notes, 0), "type"), "PAYOUT_STATUS");
    assert_string_equal(wht_str(json_array_get(notes, 0), "title"),
                        wht_fmt("Payout paid: %s to %s", d1, wht_utc_day(10)));
    assert_string_equal(wht_str(json_array_get(notes, 0), "body"), "Amount: $20.00.");
    assert_string_equal(wht_str(json_array_get(notes, 1), "title"),
                        wht_fmt("Payout approved: %s to %s", d1, wht_utc_day(10)));
    json_t *paid = wht_list_all(finance.token,
                                wht_fmt("/incentives/payouts?venture_id=%lld&status=PAID", v), 10);
    assert_int_equal(json_array_size(paid), 1);
    assert_int_equal(wht_int(json_array_get(paid, 0), "amount_cents"), 2000);
    /* a period after it is fine */
    WHT_EXPECT(wht_post(tok, "/incentives/payouts/generate",
                        wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "period_start",
                                 wht_utc_day(11), "period_end", wht_utc_day(20))),
               200);
    WHT_PROBLEM(wht_post(tok, "/incentives/payouts/generate",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "period_start",
                                  d2, "period_end", d1)),
                400, "validation_failed", "period_end");
}

/* A day inside an APPROVED (then PAID) payout period is final: its commit is 409 `conflict`
 * and changes nothing (no row, no audit); a day outside the period still commits. */
static void test_commit_refused_in_approved_or_paid_period(void **state)
{
    (void)state;
    const char *d1 = wht_utc_day(-7), *d2 = wht_utc_day(-6), *d3 = wht_utc_day(-5);
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    rule_new(plan_new(v, "2020-01-01", NULL), flat("loads_completed", 500));
    delivered(&rep, v, 1, 100, d1);
    commit(v, d1);
    const char *tok = wht_admin_token();
    wht_resp *r = wht_post(tok, "/incentives/payouts/generate",
                           wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "period_start",
                                    d1, "period_end", d2));
    WHT_EXPECT(r, 200);
    long long id = wht_int(json_array_get(wht_items(r), 0), "id");
    WHT_EXPECT(wht_post(tok, wht_fmt("/incentives/payouts/%lld/approve", id), NULL), 200);
    delivered(&rep, v, 1, 100, d1);
    delivered(&rep, v, 1, 100, d2);
    delivered(&rep, v, 1, 100, d3);

    json_t *before = wht_keep_json(json_deep_copy(daily(v)));
    long long head = wht_audit_head();
    WHT_PROBLEM(wht_post(tok, "/incentives/commit", slice(v, d1)), 409, "conflict", NULL);
    WHT_PROBLEM(wht_post(tok, "/incentives/commit", slice(v, d2)), 409, "conflict", NULL);
    WHT_JSON_EQUAL(daily(v), before);
    assert_int_equal(json_array_size(wht_audit_since(head)), 0);
    assert_int_equal(wht_int(commit(v, d3), "users"), 1); /* after the period: committed */

    WHT_EXPECT(wht_post(tok, wht_fmt("/incentives/payouts/%lld/mark-paid", id), NULL), 200);
    WHT_PROBLEM(wht_post(tok, "/incentives/commit", slice(v, d1)), 409, "conflict", NULL);
    json_t *rows = daily(v);
    assert_int_equal(json_array_size(rows), 2); /* d1 as first committed, and d3 */
    size_t i;
    json_t *it;
    json_array_foreach(rows, i, it) assert_int_equal(wht_int(it, "amount_cents"), 500);
}

static void test_permissions_scope_and_my_incentives(void **state)
{
    (void)state;
    const char *day = wht_utc_day(-2);
    long long v = logistics(), other = logistics();
    wht_user rep = member("EMPLOYEE", v), peer = member("EMPLOYEE", v);
    wht_user finance = member("FINANCE", v), outsider = member("FINANCE", other);
    wht_user nobody = member("VENTURE_HEAD", 0);
    long long plan = plan_new(v, "2020-01-01", NULL);
    rule_new(plan, flat("loads_completed", 500));
    delivered(&rep, v, 1, 100, day);
    delivered(&peer, v, 2, 100, day);
    commit(v, day);

    /* EMPLOYEE: no incentives.read, so their own rows only, on both lists */
    json_t *own = wht_list_all(rep.token, "/incentives/daily", 10);
    assert_int_equal(json_array_size(own), 1);
    assert_int_equal(wht_int(json_array_get(own, 0), "user_id"), rep.id);
    own = wht_list_all(rep.token, wht_fmt("/incentives/daily?user_id=%lld", peer.id), 10);
    assert_int_equal(json_array_size(own), 0);
    WHT_PROBLEM(wht_get(rep.token, "/incentives/payouts"), 403, "forbidden", NULL);
    json_t *mine = wht_list_all(rep.token, "/me/incentives", 10);
    assert_int_equal(json_array_size(mine), 1);
    assert_int_equal(wht_int(json_array_get(mine, 0), "user_id"), rep.id);
    assert_int_equal(wht_int(json_array_get(mine, 0), "amount_cents"), 500);
    mine = wht_list_all(
        rep.token, wht_fmt("/me/incentives?from=%s&to=%s", wht_utc_day(-1), wht_utc_day(0)), 10);
    assert_int_equal(json_array_size(mine), 0);
    /* FINANCE reads, cannot manage */
    assert_int_equal(json_array_size(wht_list_all(finance.token, "/incentives/daily", 1)), 2);
    assert_int_equal(json_array_size(wht_list_all(
                         finance.token, wht_fmt("/incentives/daily?user_id=%lld", peer.id), 10)),
                     1);
    WHT_PROBLEM(wht_post(finance.token, "/incentives/commit", slice(v, day)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_post(rep.token, "/incentives/plans",
                         wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)v, "name", "x",
                                  "effective_from", day)),
                403, "forbidden", NULL);
    /* another venture's reader: foreign filter 403, foreign plan 404, lists without our rows */
    WHT_PROBLEM(wht_get(outsider.token, wht_fmt("/incentives/daily?venture_id=%lld", v)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(outsider.token, wht_fmt("/incentives/plans/%lld", plan)), 404, "not_found",
                NULL);
    assert_int_equal(json_array_size(wht_list_all(outsider.token, "/incentives/daily", 10)), 0);
    assert_int_equal(json_array_size(wht_list_all(outsider.token, "/incentives/plans", 10)), 0);
    assert_int_equal(json_array_size(wht_list_all(nobody.token, "/incentives/payouts", 10)), 0);
    assert_int_equal(json_array_size(wht_list_all(nobody.token, "/incentives/daily", 10)), 0);
    WHT_PROBLEM(wht_get(finance.token, "/incentives/payouts?status=LOST"), 400, "validation_failed",
                "status");
    wht_resp *r = wht_get(finance.token, wht_fmt("/incentives/plans/%lld", plan));
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "rules")), 1);
}

static void test_daily_pages_neither_repeat_nor_skip(void **state)
{
    (void)state;
    long long v = logistics();
    wht_user rep = member("EMPLOYEE", v);
    long long plan = plan_new(v, "2020-01-01", NULL);
    rule_new(plan, flat("loads_completed", 100));
    for (int d = -8; d <= -5; d++) {
        delivered(&rep, v, 1, 100, wht_utc_day(d));
        commit(v, wht_utc_day(d));
    }
    const char *path = wht_fmt("/incentives/daily?venture_id=%lld&limit=2", v);
    wht_resp *r = wht_get(wht_admin_token(), path);
    WHT_EXPECT(r, 200);
    assert_true(json_is_true(json_object_get(r->json, "has_more")));
    assert_string_equal(wht_str(json_array_get(wht_items(r), 0), "date"), wht_utc_day(-5));
    const char *cursor = wht_str(r->json, "next_cursor");
    /* a newer day committed between pages appears on no later page */
    delivered(&rep, v, 1, 100, wht_utc_day(-2));
    commit(v, wht_utc_day(-2));
    r = wht_get(wht_admin_token(), wht_fmt("%s&cursor=%s", path, cursor));
    WHT_EXPECT(r, 200);
    json_t *items = wht_items(r);
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(wht_str(json_array_get(items, 0), "date"), wht_utc_day(-7));
    assert_string_equal(wht_str(json_array_get(items, 1), "date"), wht_utc_day(-8));
    assert_true(json_is_false(json_object_get(r->json, "has_more")));
}

static void test_plan_list_pages_validation_and_audit(void **state)
{
    (void)state;
    long long v = logistics();
    const char *tok = wht_admin_token();
    long long head = wht_audit_head();
    long long ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = plan_new(v, "2020-01-01", NULL);
    json_t *audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 5);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "incentive_plan.create");
    const char *path = wht_fmt("/incentives/plans?venture_id=%lld&limit=2", v);
    wht_resp *r = wht_get(tok, path);
    WHT_EXPECT(r, 200);
    json_t *first = wht_items(r);
    assert_int_equal(wht_int(json_array_get(first, 0), "id"), ids[4]);
    const char *cursor = wht_str(r->json, "next_cursor");
    plan_new(v, "2020-01-01", NULL); /* newer: never on a later page */
    r = wht_get(tok, wht_fmt("%s&cursor=%s", path, cursor));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(json_array_get(wht_items(r), 0), "id"), ids[2]);
    assert_int_equal(wht_int(json_array_get(wht_items(r), 1), "id"), ids[1]);
    WHT_PROBLEM(wht_get(tok, "/incentives/plans?limit=0"), 400, "validation_failed", "limit");
    WHT_PROBLEM(wht_get(tok, "/incentives/daily?cursor=abc"), 400, "invalid_cursor", NULL);
    WHT_PROBLEM(wht_get(tok, "/incentives/daily?from=2026-13-01"), 400, "validation_failed",
                "from");

    /* PATCH a plan: before/after audited, rules kept */
    rule_new(ids[0], flat("loads_completed", 1));
    head = wht_audit_head();
    r = wht_patch(tok, wht_fmt("/incentives/plans/%lld", ids[0]),
                  wht_json("{s:s, s:s}", "name", "Renamed", "effective_to", "2030-01-01"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "name"), "Renamed");
    assert_string_equal(wht_str(r->json, "effective_to"), "2030-01-01");
    assert_int_equal(json_array_size(json_object_get(r->json, "rules")), 1);
    audit = wht_audit_since(head);
    assert_int_equal(json_array_size(audit), 1);
    assert_string_equal(wht_str(json_array_get(audit, 0), "action"), "incentive_plan.update");
    WHT_PROBLEM(wht_patch(tok, wht_fmt("/incentives/plans/%lld", ids[0]),
                          wht_json("{s:s}", "effective_to", "2019-01-01")),
                400, "validation_failed", "effective_to");
    WHT_PROBLEM(wht_patch(tok, wht_fmt("/incentives/plans/%lld", ids[0]),
                          wht_json("{s:I}", "venture_id", (json_int_t)v)),
                400, "validation_failed", "venture_id");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_three_delivered_loads_at_five_dollars),
        WHT_TEST(test_two_percent_of_ten_thousand_dollars),
        WHT_TEST(test_rounding_half_away_from_zero_per_rule),
        WHT_TEST(test_bonus_on_target),
        WHT_TEST(test_two_plans_sum_into_one_row),
        WHT_TEST(test_tiered_slab_across_two_tiers_on_bpo_dials),
        WHT_TEST(test_miles_margin_and_reviews_responded),
        WHT_TEST(test_commit_twice_and_concurrently_converge),
        WHT_TEST(test_only_members_and_the_rule_role_are_paid),
        WHT_TEST(test_effective_dates_active_and_enabled),
        WHT_TEST(test_rules_are_validated_at_creation),
        WHT_TEST(test_payouts_generate_regenerate_approve_and_overlap),
        WHT_TEST(test_commit_refused_in_approved_or_paid_period),
        WHT_TEST(test_permissions_scope_and_my_incentives),
        WHT_TEST(test_daily_pages_neither_repeat_nor_skip),
        WHT_TEST(test_plan_list_pages_validation_and_audit),
    };
    FAKE = wht_fake_start();
    char fmcsa[160];
    snprintf(fmcsa, sizeof fmcsa, "WH_FMCSA_BASE_URL=%s", wht_server_base(FAKE));
    const char *const env[] = {fmcsa, "WH_FMCSA_WEBKEY=fake-fmcsa-webkey", "WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_incentives", tests, NULL, NULL));
}
