/*
 * GET /metrics (API.md "Operations", docs/metrics.md) against the real binary: no
 * authentication, the Prometheus content type, request counters that grow by exactly the
 * requests made (per route pattern, method and exact status; unknown paths under "unmatched"),
 * cumulative latency buckets whose +Inf and _count equal the counters, the dashboard cache's
 * hit and miss counters against X-Cache, job runs by status after a run, outbox depth and the
 * SendGrid breaker while the fake SendGrid fails and after it recovers, and an unreadable
 * database answered 200 with wh_metrics_db_up 0.
 *
 * Each test reads the exposition before and after what it does and compares the two, so the
 * tests do not depend on each other's traffic.
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

#define WAIT_MS 15000

static wht_server *fake;

static const char *const les[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                  "0.25",  "0.5",    "1",     "2.5",  "5",     "10",   "+Inf"};
#define NLES (sizeof les / sizeof les[0])

/* ------------------------------------------------------------------ helpers */

/* GET /metrics with no credentials; expects 200 and returns the body. */
static const char *scrape(void)
{
    wht_request rq = {.method = "GET", .path = "/metrics"};
    wht_resp *r = wht_do(&rq);
    WHT_EXPECT(r, 200);
    return r->body;
}

/* The value of the sample whose name and labels are exactly series ("name{a=\"b\"}"); -1 when
 * the exposition has no such line. Fails the test when it has two. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    double v = -1;
    int found = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, series, n) != 0 || p[n] != ' ')
            continue;
        char *end = NULL;
        v = strtod(p + n + 1, &end);
        if (end == p + n + 1 || (*end != '\n' && *end != '\0'))
            WHT_FAIL("malformed sample line for %s", series);
        found++;
    }
    if (found > 1)
        WHT_FAIL("%s appears %d times", series, found);
    return v;
}

/* As sample, 0 when absent (a counter that has not been created yet). */
static double sample0(const char *text, const char *series)
{
    double v = sample(text, series);
    return v < 0 ? 0 : v;
}

static const char *requests(const char *route, const char *method, int status)
{
    return wht_fmt("wh_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"}", route,
                   method, status);
}

static const char *bucket(const char *route, const char *method, const char *le)
{
    return wht_fmt("wh_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%s\"}",
                   route, method, le);
}

static const char *hist(const char *part, const char *route, const char *method)
{
    return wht_fmt("wh_http_request_duration_seconds_%s{route=\"%s\",method=\"%s\"}", part, route,
                   method);
}

/* Buckets of route+method never decrease, +Inf equals _count, and _count equals the sum of
 * want counters (statuses) given. */
static void check_histogram(const char *text, const char *route, const char *method,
                            double want_count)
{
    double prev = 0;
    for (size_t i = 0; i < NLES; i++) {
        double v = sample(text, bucket(route, method, les[i]));
        if (v < prev)
            WHT_FAIL("%s %s: bucket le=%s is %g, below the previous %g", method, route, les[i], v,
                     prev);
        prev = v;
    }
    double count = sample(text, hist("count", route, method));
    assert_true(prev == count);
    assert_true(count == want_count);
    assert_true(sample(text, hist("sum", route, method)) >= 0);
}

static const char *job_runs(const char *job, const char *status)
{
    return wht_fmt("wh_job_runs{job=\"%s\",status=\"%s\"}", job, status);
}

/* Scrapes until series has value want (or WAIT_MS passed); returns the last scrape. */
static const char *wait_sample(const char *series, double want)
{
    long long deadline = wht_now_ms() + WAIT_MS;
    for (;;) {
        const char *text = scrape();
        double v = sample0(text, series);
        if (v == want)
            return text;
        if (wht_now_ms() > deadline)
            WHT_FAIL("%s is %g after %d ms, want %g", series, v, WAIT_MS, want);
        wht_sleep_ms(50);
    }
}

/* ------------------------------------------------------------------ tests */

static void test_needs_no_auth_and_is_prometheus_text(void **state)
{
    (void)state;
    wht_request anon = {.method = "GET", .path = "/metrics"};
    wht_resp *r = wht_do(&anon);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_header(r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    assert_non_null(wht_header(r, "X-Request-Id"));
    assert_true(strncmp(r->body, "# HELP ", 7) == 0);
    /* a bad session does not matter on a public route */
    wht_request bad = {.method = "GET", .path = "/metrics", .token = "not-a-session"};
    WHT_EXPECT(wht_do(&bad), 200);
    /* every family has HELP and TYPE; every sample line is "name[{labels}] number" */
    const char *families[] = {"wh_http_requests_total counter",
                              "wh_http_request_duration_seconds histogram",
                              "wh_ratelimit_rejections_total counter",
                              "wh_db_pool_connections_in_use gauge",
                              "wh_db_pool_connections_max gauge",
                              "wh_db_statements_total counter",
                              "wh_cache_hits_total counter",
                              "wh_cache_misses_total counter",
                              "wh_breaker_state gauge",
                              "wh_breaker_consecutive_failures gauge",
                              "wh_job_runs gauge",
                              "wh_outbox_messages gauge",
                              "wh_metrics_db_up gauge",
                              "wh_build_info gauge",
                              "wh_uptime_seconds gauge",
                              NULL};
    for (size_t i = 0; families[i]; i++) {
        if (!strstr(r->body, wht_fmt("# TYPE %s\n", families[i])))
            WHT_FAIL("no TYPE line for %s", families[i]);
        const char *name = wht_fmt("%.*s", (int)strcspn(families[i], " "), families[i]);
        if (!strstr(r->body, wht_fmt("# HELP %s ", name)))
            WHT_FAIL("no HELP line for %s", name);
    }
    assert_true(sample(r->body, "wh_metrics_db_up") == 1);
    assert_true(sample(r->body, "wh_db_pool_connections_max") >= 1);
    assert_true(sample(r->body, "wh_uptime_seconds") >= 0);
    assert_true(sample(r->body, "wh_ratelimit_rejections_total{class=\"auth\"}") == 0);
    /* POST is not allowed; the 405 is counted as unmatched */
    wht_request post = {.method = "POST", .path = "/metrics", .body = "{}", .body_len = 2};
    WHT_PROBLEM(wht_do(&post), 405, "method_not_allowed", NULL);
}

static void test_counts_grow_by_exactly_the_requests_made(void **state)
{
    (void)state;
    const char *route = "/api/v1/ventures/{id}";
    wht_venture v = wht_venture_new("LOGISTICS");
    const char *before = scrape();
    enum { N = 7 };
    for (int i = 0; i < N; i++)
        WHT_EXPECT(wht_get(wht_admin_token(), wht_fmt("/ventures/%lld", v.id)), 200);
    WHT_EXPECT(wht_get(wht_admin_token(), "/ventures/999999999"), 404);
    WHT_EXPECT(wht_get(NULL, wht_fmt("/ventures/%lld", v.id)), 401);
    WHT_EXPECT(wht_get(NULL, wht_fmt("/ventures/%lld", v.id)), 401);
    const char *after = scrape();
    assert_true(sample0(after, requests(route, "GET", 200)) -
                    sample0(before, requests(route, "GET", 200)) ==
                N);
    assert_true(sample0(after, requests(route, "GET", 404)) -
                    sample0(before, requests(route, "GET", 404)) ==
                1);
    assert_true(sample0(after, requests(route, "GET", 401)) -
                    sample0(before, requests(route, "GET", 401)) ==
                2);
    /* the route is its pattern, never the path */
    assert_null(strstr(after, wht_fmt("/api/v1/ventures/%lld\"", v.id)));
    double total = sample0(after, requests(route, "GET", 200)) +
                   sample0(after, requests(route, "GET", 404)) +
                   sample0(after, requests(route, "GET", 401));
    double other = 0;
    for (int st = 100; st < 600; st++)
        if (st != 200 && st != 404 && st != 401)
            other += sample0(after, requests(route, "GET", st));
    check_histogram(after, route, "GET", total + other);
    /* the scrape counts itself in the next one */
    assert_true(sample0(scrape(), requests("/metrics", "GET", 200)) -
                    sample0(after, requests("/metrics", "GET", 200)) ==
                1);
}

static void test_unknown_paths_count_as_unmatched(void **state)
{
    (void)state;
    const char *path = wht_fmt("/no/such/%s", wht_unique("path"));
    const char *before = scrape();
    wht_request rq = {.method = "GET", .path = path};
    WHT_PROBLEM(wht_do(&rq), 404, "not_found", NULL);
    WHT_PROBLEM(wht_do(&rq), 404, "not_found", NULL);
    wht_request brew = {.method = "BREW", .path = path};
    WHT_EXPECT(wht_do(&brew), 404);
    const char *after = scrape();
    assert_true(sample0(after, requests("unmatched", "GET", 404)) -
                    sample0(before, requests("unmatched", "GET", 404)) ==
                2);
    /* an invented method is folded into "other": it never names a series */
    assert_true(sample0(after, requests("unmatched", "other", 404)) -
                    sample0(before, requests("unmatched", "other", 404)) ==
                1);
    assert_null(strstr(after, path));
    assert_null(strstr(after, "BREW"));
    double all = 0;
    for (int st = 100; st < 600; st++)
        all += sample0(after, requests("unmatched", "GET", st));
    check_histogram(after, "unmatched", "GET", all);
    assert_true(sample(after, "wh_http_requests_dropped_total") == 0);
}

static void test_dashboard_cache_hits_and_misses(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("LOGISTICS");
    const char *path = wht_fmt("/dashboard?venture_id=%lld", v.id);
    const char *before = scrape();
    int hits = 0, misses = 0;
    for (int i = 0; i < 2; i++) {
        wht_resp *r = wht_get(wht_admin_token(), path);
        WHT_EXPECT(r, 200);
        const char *x = wht_header(r, "X-Cache");
        assert_non_null(x);
        hits += strcmp(x, "hit") == 0;
        misses += strcmp(x, "miss") == 0;
    }
    assert_int_equal(misses, 1); /* a new venture's first read */
    assert_int_equal(hits, 1);
    const char *after = scrape();
    assert_true(sample(after, "wh_cache_hits_total") - sample(before, "wh_cache_hits_total") ==
                hits);
    assert_true(sample(after, "wh_cache_misses_total") - sample(before, "wh_cache_misses_total") ==
                misses);
    assert_true(sample(after, "wh_cache_fills_total") - sample(before, "wh_cache_fills_total") ==
                misses);
    assert_true(sample0(after, requests("/api/v1/dashboard", "GET", 200)) -
                    sample0(before, requests("/api/v1/dashboard", "GET", 200)) ==
                2);
}

static void test_job_runs_by_status(void **state)
{
    (void)state;
    const char *before = scrape();
    wht_resp *r = wht_send("POST", wht_admin_token(), "/jobs/cleanup/run", json_object());
    WHT_EXPECT(r, 202);
    long long id = wht_int(r->json, "id");
    long long deadline = wht_now_ms() + WAIT_MS;
    const char *status = "RUNNING";
    while (strcmp(status, "RUNNING") == 0) {
        if (wht_now_ms() > deadline)
            WHT_FAIL("run %lld still RUNNING", id);
        wht_sleep_ms(50);
        wht_resp *run = wht_get(wht_admin_token(), wht_fmt("/jobs/runs/%lld", id));
        WHT_EXPECT(run, 200);
        status = wht_str(run->json, "status");
    }
    assert_string_equal(status, "SUCCEEDED");
    const char *after = scrape();
    assert_true(sample0(after, job_runs("cleanup", "SUCCEEDED")) -
                    sample0(before, job_runs("cleanup", "SUCCEEDED")) ==
                1);
    assert_true(sample0(after, job_runs("cleanup", "RUNNING")) == 0);
    /* the counts are the run log's */
    assert_true(sample0(after, job_runs("cleanup", "SUCCEEDED")) ==
                (double)wht_sql("SELECT COUNT(*) FROM job_runs WHERE job = 'cleanup'"
                                " AND status = 'SUCCEEDED'"));
}

static void test_outbox_depth_and_breaker_while_sendgrid_fails(void **state)
{
    (void)state;
    wait_sample("wh_outbox_messages{status=\"PENDING\"}", 0);
    wht_user u = wht_user_add("EMPLOYEE");
    const char *before = scrape();
    assert_true(sample(before, "wh_breaker_state{provider=\"sendgrid\"}") == 0);
    double sent = sample(before, "wh_outbox_messages{status=\"SENT\"}");
    wht_fake_mode(fake, "sendgrid", "fail503");
    WHT_EXPECT(wht_post(NULL, "/auth/code", wht_json("{s:s}", "email", u.email)), 202);
    /* the message waits; the breaker opens after WH_BREAKER_FAILURES failed calls */
    const char *open = wait_sample("wh_breaker_state{provider=\"sendgrid\"}", 1);
    assert_true(sample(open, "wh_outbox_messages{status=\"PENDING\"}") == 1);
    assert_true(sample(open, "wh_breaker_consecutive_failures{provider=\"sendgrid\"}") >= 3);
    assert_true(sample(open, "wh_breaker_state{provider=\"fmcsa\"}") == 0);
    wht_fake_mode(fake, "sendgrid", "ok");
    const char *done = wait_sample("wh_outbox_messages{status=\"PENDING\"}", 0);
    assert_true(sample(done, "wh_outbox_messages{status=\"SENT\"}") == sent + 1);
    done = wait_sample("wh_breaker_state{provider=\"sendgrid\"}", 0);
    assert_true(sample(done, "wh_breaker_consecutive_failures{provider=\"sendgrid\"}") == 0);
}

/* A database the scrape cannot read (here: a table it needs is missing) still answers 200 with
 * everything else, and says so. */
static void test_unreadable_database_still_answers(void **state)
{
    (void)state;
    wht_sql("ALTER TABLE job_runs RENAME TO job_runs_away");
    wht_request rq = {.method = "GET", .path = "/metrics"};
    wht_resp *r = wht_do(&rq);
    wht_sql("ALTER TABLE job_runs_away RENAME TO job_runs");
    WHT_EXPECT(r, 200);
    assert_true(sample(r->body, "wh_metrics_db_up") == 0);
    assert_null(strstr(r->body, "wh_job_runs"));
    assert_null(strstr(r->body, "wh_outbox_messages"));
    assert_true(sample(r->body, "wh_breaker_state{provider=\"sendgrid\"}") >= 0);
    assert_true(sample(r->body, "wh_cache_hits_total") >= 0);
    assert_true(sample(r->body, requests("/metrics", "GET", 200)) >= 1);
    assert_true(sample(scrape(), "wh_metrics_db_up") == 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_needs_no_auth_and_is_prometheus_text),
        WHT_TEST(test_counts_grow_by_exactly_the_requests_made),
        WHT_TEST(test_unknown_paths_count_as_unmatched),
        WHT_TEST(test_dashboard_cache_hits_and_misses),
        WHT_TEST(test_job_runs_by_status),
        WHT_TEST(test_outbox_depth_and_breaker_while_sendgrid_fails),
        WHT_TEST(test_unreadable_database_still_answers),
    };
    fake = wht_fake_start();
    const char *base = wht_server_base(fake);
    const char *env[] = {
        wht_fmt("WH_SENDGRID_BASE_URL=%s", base),
        "WH_SENDGRID_API_KEY=SG.fake-sendgrid-key",
        "WH_SENDGRID_FROM=noreply@wheelhouse.test",
        "WH_RETRY_MAX_ATTEMPTS=2",
        "WH_RETRY_BASE_MS=20",
        "WH_RETRY_MAX_MS=200",
        "WH_BREAKER_FAILURES=3",
        "WH_BREAKER_RESET_S=1",
        "WH_HTTP_TIMEOUT_MS=1000",
        "WH_OUTBOX_POLL_MS=50",
        "WH_TIMEZONE=UTC",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests_name("api_metrics", tests, NULL, NULL));
}
