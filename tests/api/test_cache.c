/*
 * The dashboard cache (docs/cache.md): a repeated GET /dashboard is served from the cache with
 * the same ETag; every write to the venture's figures (a load, a manual KPI entry, the
 * kpi_aggregation job) is visible on the next read; a write elsewhere leaves other ventures'
 * entries alone; a refused write changes nothing; the scope is checked before the cache; entries
 * expire after WH_CACHE_TTL_S; with WH_REDIS_URL two servers share entries, and a dead Redis only
 * costs the cache, never the answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* ------------------------------------------------------------------ helpers */

static wht_user member(const char *role, long long venture)
{
    wht_user u = wht_user_new(role);
    wht_set_ventures(u.id, 1, &venture);
    return u;
}

static long long new_load(const char *token, long long venture, const wht_server *on)
{
    json_t *body = wht_json("{s:I, s:s, s:s, s:s, s:s, s:I}", "venture_id", (json_int_t)venture,
                            "pickup_city", "Columbus", "pickup_state", "OH", "drop_city", "Atlanta",
                            "drop_state", "GA", "bill_cents", (json_int_t)5000);
    wht_resp *r = wht_send_on(on, "POST", token, "/loads", body);
    WHT_EXPECT(r, 201);
    return wht_int(r->json, "id");
}

static wht_resp *dash_on(const wht_server *on, const char *token, long long venture,
                         const char *etag)
{
    const char *hdr[2] = {etag ? wht_fmt("If-None-Match: %s", etag) : NULL, NULL};
    wht_request rq = {.method = "GET",
                      .path = wht_fmt("/api/v1/dashboard?venture_id=%lld", venture),
                      .token = token ? token : wht_admin_token(),
                      .headers = etag ? hdr : NULL,
                      .server = on};
    return wht_do(&rq);
}

/* GET /dashboard expecting 200 and the given X-Cache; returns the response. */
#define DASH(on, token, venture, cache) dash_expect((on), (token), (venture), (cache), __LINE__)
static wht_resp *dash_expect(const wht_server *on, const char *token, long long venture,
                             const char *cache, int line)
{
    wht_resp *r = dash_on(on, token, venture, NULL);
    wht_context("line %d", line);
    WHT_EXPECT(r, 200);
    const char *x = wht_header(r, "X-Cache");
    if (!x || strcmp(x, cache) != 0)
        WHT_FAIL("line %d: X-Cache %s, expected %s", line, x ? x : "(none)", cache);
    assert_string_equal(wht_header(r, "Cache-Control"), "private, no-cache");
    assert_non_null(wht_header(r, "ETag"));
    return r;
}

static long long inbound(const wht_resp *r)
{
    return wht_int(json_object_get(r->json, "today"), "loads_inbound");
}

static const char *etag_of(const wht_resp *r)
{
    return wht_fmt("%s", wht_header(r, "ETag"));
}

/* ------------------------------------------------------------------ tests */

static void test_hit_then_a_write_is_seen_at_once(void **state)
{
    (void)state;
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    new_load(rep.token, v, NULL);

    wht_resp *first = DASH(NULL, rep.token, v, "miss");
    assert_int_equal(inbound(first), 1);
    wht_resp *second = DASH(NULL, rep.token, v, "hit");
    assert_string_equal(etag_of(second), etag_of(first));
    assert_string_equal(second->body, first->body);

    /* a cached answer still honours If-None-Match */
    wht_resp *same = dash_on(NULL, rep.token, v, etag_of(first));
    WHT_EXPECT(same, 304);
    assert_string_equal(wht_header(same, "X-Cache"), "hit");
    assert_string_equal(wht_header(same, "ETag"), etag_of(first));

    /* the next read after a write recomputes: no stale dashboard */
    long long load = new_load(rep.token, v, NULL);
    wht_resp *after = DASH(NULL, rep.token, v, "miss");
    assert_int_equal(inbound(after), 2);
    assert_string_not_equal(etag_of(after), etag_of(first));
    WHT_EXPECT(dash_on(NULL, rep.token, v, etag_of(first)), 200);
    DASH(NULL, rep.token, v, "hit");

    /* a refused move rolls back its transaction, version bump included: the entry stays */
    const char *status = wht_fmt("/loads/%lld/status", load);
    WHT_PROBLEM(wht_post(wht_admin_token(), status, wht_json("{s:s}", "status", "DELIVERED")), 409,
                "invalid_transition", NULL);
    DASH(NULL, rep.token, v, "hit");
    /* a status move changes today's figures (the history the freight KPIs read) */
    WHT_EXPECT(wht_post(wht_admin_token(), status, wht_json("{s:s}", "status", "QUOTED")), 200);
    wht_resp *quoted = DASH(NULL, rep.token, v, "miss");
    assert_int_equal(wht_int(json_object_get(quoted->json, "today"), "loads_quoted"), 1);
}

static void test_versions_are_per_venture(void **state)
{
    (void)state;
    long long a = wht_venture_new("LOGISTICS").id;
    long long b = wht_venture_new("LOGISTICS").id;
    DASH(NULL, NULL, a, "miss");
    DASH(NULL, NULL, b, "miss");
    new_load(wht_admin_token(), b, NULL);
    DASH(NULL, NULL, a, "hit"); /* a write in b leaves a's entry alone */
    wht_resp *rb = DASH(NULL, NULL, b, "miss");
    assert_int_equal(inbound(rb), 1);
}

static void test_manual_kpis_and_the_job_invalidate(void **state)
{
    (void)state;
    const char *y = wht_utc_day(-1);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_resp *before = DASH(NULL, NULL, v, "miss");
    assert_int_equal(wht_int(json_object_get(before->json, "last_7_days"), "revenue_cents"), 0);
    DASH(NULL, NULL, v, "hit");

    /* a refused write changes nothing, so the entry stays */
    WHT_PROBLEM(wht_put(wht_admin_token(), wht_fmt("/kpi/freight/%lld/%s", v, y),
                        wht_json("{s:i}", "revenue_cents", -5)),
                400, "validation_failed", "revenue_cents");
    DASH(NULL, NULL, v, "hit");

    WHT_EXPECT(wht_put(wht_admin_token(), wht_fmt("/kpi/freight/%lld/%s", v, y),
                       wht_json("{s:i, s:i}", "revenue_cents", 70000, "cost_cents", 20000)),
               201);
    wht_resp *manual = DASH(NULL, NULL, v, "miss");
    json_t *d7 = json_object_get(manual->json, "last_7_days");
    assert_int_equal(wht_int(d7, "revenue_cents"), 70000);
    assert_int_equal(wht_int(d7, "profit_cents"), 50000);
    DASH(NULL, NULL, v, "hit");

    /* the aggregation job rewrites the venture's KPI rows: the entry is dropped */
    wht_resp *run = wht_post(wht_admin_token(), "/jobs/kpi_aggregation/run",
                             wht_json("{s:s, s:I}", "date", y, "venture_id", (json_int_t)v));
    WHT_EXPECT(run, 202);
    long long id = wht_int(run->json, "id");
    const char *final = NULL;
    for (int i = 0; i < 600 && !final; i++) {
        wht_resp *r = wht_get(wht_admin_token(), wht_fmt("/jobs/runs/%lld", id));
        WHT_EXPECT(r, 200);
        if (strcmp(wht_str(r->json, "status"), "RUNNING") != 0)
            final = wht_fmt("%s", wht_str(r->json, "status"));
        else
            wht_sleep_ms(50);
    }
    if (!final || strcmp(final, "SUCCEEDED") != 0)
        WHT_FAIL("kpi_aggregation run %lld ended %s", id, final ? final : "never (30 s)");
    wht_resp *rebuilt = DASH(NULL, NULL, v, "miss");
    /* manual columns survive the rebuild */
    assert_int_equal(wht_int(json_object_get(rebuilt->json, "last_7_days"), "revenue_cents"),
                     70000);
}

static void test_scope_is_checked_before_the_cache(void **state)
{
    (void)state;
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user lead = member("TEAM_LEAD", v);
    wht_user rep = member("EMPLOYEE", v);
    wht_user outsider = member("EMPLOYEE", wht_venture_new("LOGISTICS").id);
    wht_resp *r = DASH(NULL, lead.token, v, "miss");
    WHT_PROBLEM(dash_on(NULL, outsider.token, v, NULL), 403, "forbidden", NULL);
    WHT_PROBLEM(dash_on(NULL, outsider.token, v, etag_of(r)), 403, "forbidden", NULL);
    /* the body depends only on the venture: any caller whose scope includes it shares it */
    wht_resp *other = DASH(NULL, rep.token, v, "hit");
    assert_string_equal(other->body, r->body);
    /* a venture that does not exist is refused before any lookup */
    WHT_PROBLEM(dash_on(NULL, NULL, 987654321, NULL), 403, "forbidden", NULL);
}

static void test_entries_expire(void **state)
{
    (void)state;
    const char *const env[] = {"WH_CACHE_TTL_S=1", "WH_JOBS=off", NULL};
    wht_server *s = wht_server_start(env);
    long long v = wht_venture_new("LOGISTICS").id;
    DASH(s, NULL, v, "miss");
    DASH(s, NULL, v, "hit");
    wht_sleep_ms(1100);
    DASH(s, NULL, v, "miss");
    wht_server_stop(s);
}

/* The SQLite and PostgreSQL runs share one Redis and their venture ids overlap: keys carry the
 * database's identity, so they never see each other's entries. */
static const char *redis_env(void)
{
    const char *base = getenv("WH_TEST_REDIS_URL");
    if (!base || !*base)
        WHT_FAIL("WH_TEST_REDIS_URL is not set: run the tests through `make test`");
    return wht_fmt("WH_REDIS_URL=%s", base);
}

static void test_redis_is_shared_by_instances(void **state)
{
    (void)state;
    const char *const env[] = {redis_env(), "WH_JOBS=off", NULL};
    wht_server *a = wht_server_start(env);
    wht_server *b = wht_server_start(env);
    long long v = wht_venture_new("LOGISTICS").id;
    wht_user rep = member("EMPLOYEE", v);
    wht_resp *ra = DASH(a, rep.token, v, "miss");
    wht_resp *rb = DASH(b, rep.token, v, "hit"); /* computed by a, served by b */
    assert_string_equal(etag_of(rb), etag_of(ra));

    /* a write through b is seen through a: the version lives with the data */
    new_load(rep.token, v, b);
    wht_resp *after = DASH(a, rep.token, v, "miss");
    assert_int_equal(inbound(after), 1);
    DASH(b, rep.token, v, "hit");
    wht_server_stop(a);
    wht_server_stop(b);
}

static void test_a_dead_redis_costs_only_the_cache(void **state)
{
    (void)state;
    const char *const env[] = {"WH_REDIS_URL=redis://127.0.0.1:1", "WH_JOBS=off", NULL};
    wht_server *s = wht_server_start(env);
    long long v = wht_venture_new("LOGISTICS").id;
    new_load(wht_admin_token(), v, NULL);
    wht_resp *r1 = DASH(s, NULL, v, "miss");
    wht_resp *r2 = DASH(s, NULL, v, "miss");
    assert_int_equal(inbound(r1), 1);
    assert_string_equal(r2->body, r1->body);
    new_load(wht_admin_token(), v, NULL);
    assert_int_equal(inbound(DASH(s, NULL, v, "miss")), 2);
    wht_server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_hit_then_a_write_is_seen_at_once),
        WHT_TEST(test_versions_are_per_venture),
        WHT_TEST(test_manual_kpis_and_the_job_invalidate),
        WHT_TEST(test_scope_is_checked_before_the_cache),
        WHT_TEST(test_entries_expire),
        WHT_TEST(test_redis_is_shared_by_instances),
        WHT_TEST(test_a_dead_redis_costs_only_the_cache),
    };
    const char *const env[] = {"WH_TIMEZONE=UTC", NULL};
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_cache", tests, NULL, NULL));
}
