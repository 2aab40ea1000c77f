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

/* The UTC calendar day at now + days (the server runs with WH_TIMEZONE=UTC). */
static const char *utc_day(int days)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    char buf[16];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return wht_fmt("%s", buf);
}

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
    const char *day = utc_day(-3);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_incentive_daily_commits_and_converges),
    };
    FAKE = wht_fake_start();
    char fmcsa[160];
    snprintf(fmcsa, sizeof fmcsa, "WH_FMCSA_BASE_URL=%s", wht_server_base(FAKE));
    const char *const env[] = {fmcsa, "WH_FMCSA_WEBKEY=fake-fmcsa-webkey", "WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_kpi", tests, NULL, NULL));
}
