/*
 * Rate limits (API.md "Conventions", docs/ratelimit.md): every limited answer carries
 * RateLimit-Limit/-Remaining/-Reset; the request past the allowance is 429 rate_limited with
 * Retry-After. Reads and writes are limited per user and apart; a refused session per client
 * address; public auth routes per client address (a correct password does not help) and login
 * and code requests per e-mail, alike for known and unknown addresses; a 429 changes nothing
 * and does not claim its Idempotency-Key; operational routes are never limited; with
 * WH_REDIS_URL two servers share one budget, and when that Redis is unreachable the auth routes
 * are still limited (in process) while reads and writes are served unchecked.
 *
 * The harness starts every server with huge limits; each test starts its own server with small
 * ones (a fresh in-process limiter), on the test's database.
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

#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A header as an integer; fails the test when it is missing or not a number. */
static long long header_int(const wht_resp *r, const char *name)
{
    const char *v = wht_header(r, name);
    char *end = NULL;
    if (!v)
        WHT_FAIL("%s: no %s header (status %ld)", r->target, name, r->status);
    long long n = strtoll(v, &end, 10);
    if (!*v || *end)
        WHT_FAIL("%s: %s is not an integer: %s", r->target, name, v);
    return n;
}

static void expect_limit(const wht_resp *r, long long limit, long long remaining)
{
    assert_int_equal(header_int(r, "RateLimit-Limit"), limit);
    assert_int_equal(header_int(r, "RateLimit-Remaining"), remaining);
}

/* A 429: the problem shape, Retry-After in 1..max_wait seconds, nothing remaining. */
static void expect_429(const wht_resp *r, long long limit, long long max_wait)
{
    WHT_PROBLEM(r, 429, "rate_limited", NULL);
    expect_limit(r, limit, 0);
    long long wait = header_int(r, "Retry-After");
    assert_true(wait >= 1 && wait <= max_wait);
    assert_true(header_int(r, "RateLimit-Reset") >= wait);
}

static wht_resp *get_on(const wht_server *s, const char *token, const char *path)
{
    return wht_send_on(s, "GET", token, path, NULL);
}

static wht_resp *post_on(const wht_server *s, const char *token, const char *path, json_t *body)
{
    return wht_send_on(s, "POST", token, path, body);
}

static json_t *new_venture_body(const char *code)
{
    return wht_json("{s:s, s:s, s:s}", "name", wht_unique("Rate"), "code", code, "type", "BPO");
}

static void test_reads_count_down_per_user_and_class(void **state)
{
    (void)state;
    const char *const env[] = {"WH_RATE_READ_PER_MIN=5", "WH_RATE_WRITE_PER_MIN=3", NULL};
    wht_server *s = wht_server_start(env);
    wht_user a = wht_user_new("ADMIN"), b = wht_user_new("EMPLOYEE");
    for (int i = 1; i <= 5; i++) {
        wht_resp *r = get_on(s, a.token, "/me");
        WHT_EXPECT(r, 200);
        expect_limit(r, 5, 5 - i);
        long long reset = header_int(r, "RateLimit-Reset"); /* one request refills every 12 s */
        assert_true(reset >= 12LL * i - 1 && reset <= 12LL * i);
    }
    wht_resp *r = get_on(s, a.token, "/me");
    expect_429(r, 5, 12);
    assert_true(header_int(r, "RateLimit-Reset") >= 59);
    /* every read route shares the class; the 429 comes before the handler */
    expect_429(get_on(s, a.token, "/ventures"), 5, 12);
    /* another user has a budget of their own */
    r = get_on(s, b.token, "/me");
    WHT_EXPECT(r, 200);
    expect_limit(r, 5, 4);
    /* writes are a class apart, with their own limit */
    r = post_on(s, a.token, "/ventures", new_venture_body(wht_unique_code()));
    WHT_EXPECT(r, 201);
    expect_limit(r, 3, 2);
    /* a refusal by the handler or the permission check still carries the headers */
    r = post_on(s, a.token, "/ventures", wht_json("{s:s}", "name", "x"));
    WHT_PROBLEM(r, 400, "validation_failed", NULL);
    expect_limit(r, 3, 1);
    r = post_on(s, b.token, "/ventures", new_venture_body(wht_unique_code()));
    WHT_PROBLEM(r, 403, "forbidden", NULL);
    expect_limit(r, 3, 2);
    /* a refused session is limited by the client address, in the route's class */
    r = get_on(s, "not-a-session", "/me");
    WHT_PROBLEM(r, 401, "unauthenticated", NULL);
    expect_limit(r, 5, 4);
    for (int i = 0; i < 4; i++)
        WHT_PROBLEM(get_on(s, "not-a-session", "/me"), 401, "unauthenticated", NULL);
    expect_429(get_on(s, "not-a-session", "/me"), 5, 12);
    /* the main server (its own limiter, huge limits) is unaffected */
    r = wht_get(a.token, "/me");
    WHT_EXPECT(r, 200);
    expect_limit(r, 1000000, 999999);
    /* the three refusals are counted by class in /metrics */
    wht_request rq = {.method = "GET", .path = "/metrics", .server = s};
    wht_resp *m = wht_do(&rq);
    WHT_EXPECT(m, 200);
    assert_non_null(strstr(m->body, "\nwh_ratelimit_rejections_total{class=\"read\"} 3\n"));
    assert_non_null(strstr(m->body, "\nwh_ratelimit_rejections_total{class=\"write\"} 0\n"));
    wht_server_stop(s);
}

static void test_auth_routes_limited_by_address(void **state)
{
    (void)state;
    const char *const env[] = {"WH_RATE_AUTH_IP_PER_MIN=3", NULL};
    wht_server *s = wht_server_start(env);
    wht_user u = wht_user_add("EMPLOYEE");
    for (int i = 1; i <= 3; i++) {
        wht_resp *r =
            post_on(s, NULL, "/auth/login",
                    wht_json("{s:s, s:s}", "email", u.email, "password", "wrong-password"));
        WHT_PROBLEM(r, 401, "unauthenticated", NULL);
        expect_limit(r, 3, 3 - i);
    }
    /* the right password does not get past a spent allowance */
    wht_resp *r = post_on(s, NULL, "/auth/login",
                          wht_json("{s:s, s:s}", "email", u.email, "password", u.password));
    expect_429(r, 3, 20);
    assert_null(wht_header(r, "Set-Cookie"));
    assert_null(json_object_get(r->json, "token"));
    /* the other public auth routes share the address's allowance */
    expect_429(post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", u.email)), 3, 20);
    expect_429(post_on(s, NULL, "/auth/code/verify",
                       wht_json("{s:s, s:s}", "email", u.email, "code", "123456")),
               3, 20);
    /* malformed input is charged too (the allowance is spent before parsing) */
    expect_429(post_on(s, NULL, "/auth/login", wht_json("{}")), 3, 20);
    /* nothing was refused to the user on the main server */
    WHT_EXPECT(wht_login_resp(u.email, u.password), 200);
    wht_server_stop(s);
}

/* POST /auth/login with a wrong password from the client the X-Forwarded-For value names. */
static wht_resp *login_via(const wht_server *s, const char *email, const char *xff)
{
    const char *hdr[2] = {xff ? wht_fmt("X-Forwarded-For: %s", xff) : NULL, NULL};
    const char *body = wht_fmt("{\"email\": \"%s\", \"password\": \"wrong-password\"}", email);
    wht_request rq = {.method = "POST",
                      .path = "/api/v1/auth/login",
                      .headers = xff ? hdr : NULL,
                      .body = body,
                      .body_len = strlen(body),
                      .server = s};
    return wht_do(&rq);
}

static void test_trusted_proxy_names_the_client(void **state)
{
    (void)state;
    wht_user u = wht_user_add("EMPLOYEE");
    /* behind a trusted proxy (the test talks from 127.0.0.1): each client has its allowance */
    const char *const env[] = {"WH_RATE_AUTH_IP_PER_MIN=2", "WH_RATE_AUTH_EMAIL_PER_HOUR=1000",
                               "WH_TRUSTED_PROXIES=10.0.0.0/8, 127.0.0.1", NULL};
    wht_server *s = wht_server_start(env);
    WHT_PROBLEM(login_via(s, u.email, "203.0.113.7"), 401, "unauthenticated", NULL);
    /* the client's own claims left of the proxy's entry, and trusted hops, change nothing */
    WHT_PROBLEM(login_via(s, u.email, "198.51.100.1, 203.0.113.7, 10.1.2.3"), 401,
                "unauthenticated", NULL);
    expect_429(login_via(s, u.email, "1.1.1.1,203.0.113.7"), 2, 30);
    wht_resp *other = login_via(s, u.email, "2001:db8::5");
    WHT_PROBLEM(other, 401, "unauthenticated", NULL);
    expect_limit(other, 2, 1);
    /* no header, or a malformed rightmost entry: the proxy's own address is the subject */
    WHT_PROBLEM(login_via(s, u.email, NULL), 401, "unauthenticated", NULL);
    WHT_PROBLEM(login_via(s, u.email, "203.0.113.9, not-an-address"), 401, "unauthenticated", NULL);
    expect_429(login_via(s, u.email, NULL), 2, 30);
    wht_server_stop(s);

    /* without trusted proxies the header is never read: a new value each time does not help */
    const char *const plain_env[] = {"WH_RATE_AUTH_IP_PER_MIN=2",
                                     "WH_RATE_AUTH_EMAIL_PER_HOUR=1000", NULL};
    wht_server *plain = wht_server_start(plain_env);
    WHT_PROBLEM(login_via(plain, u.email, "203.0.113.1"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(login_via(plain, u.email, "203.0.113.2"), 401, "unauthenticated", NULL);
    expect_429(login_via(plain, u.email, "203.0.113.3"), 2, 30);
    wht_server_stop(plain);
}

static void test_email_limit_alike_for_known_and_unknown(void **state)
{
    (void)state;
    const char *const env[] = {"WH_RATE_AUTH_EMAIL_PER_HOUR=2", NULL};
    wht_server *s = wht_server_start(env);
    wht_user u = wht_user_add("EMPLOYEE");
    const char *unknown = wht_unique_email();
    /* known: a wrong password and a code request spend the two */
    wht_resp *r = post_on(s, NULL, "/auth/login",
                          wht_json("{s:s, s:s}", "email", u.email, "password", "wrong-password"));
    WHT_PROBLEM(r, 401, "unauthenticated", NULL);
    expect_limit(r, 2, 1);
    r = post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", u.email));
    WHT_EXPECT(r, 202);
    expect_limit(r, 2, 0);
    /* the e-mail is normalised: upper case is the same address; the right password is refused */
    char upper[160];
    snprintf(upper, sizeof upper, "%s", u.email);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    wht_resp *known = post_on(s, NULL, "/auth/login",
                              wht_json("{s:s, s:s}", "email", upper, "password", u.password));
    expect_429(known, 2, 1800);
    /* unknown: the same allowance, the same answers, the same refusal */
    for (int i = 1; i <= 2; i++) {
        r = post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", unknown));
        WHT_EXPECT(r, 202);
        expect_limit(r, 2, 2 - i);
    }
    wht_resp *other = post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", unknown));
    expect_429(other, 2, 1800);
    json_t *a = wht_problem_shape(known->json, "@none@"),
           *b = wht_problem_shape(other->json, "@none@");
    json_object_del(a, "detail");
    json_object_del(b, "detail");
    json_object_del(a, "instance");
    json_object_del(b, "instance");
    WHT_JSON_EQUAL(a, b);
    /* code verification is not charged to the e-mail (codes have their own tries) */
    r = post_on(s, NULL, "/auth/code/verify",
                wht_json("{s:s, s:s}", "email", u.email, "code", "000000"));
    WHT_PROBLEM(r, 401, "unauthenticated", NULL);
    /* another address is unaffected */
    r = post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", wht_unique_email()));
    WHT_EXPECT(r, 202);
    expect_limit(r, 2, 1);
    /* a malformed e-mail is a 400 and is not charged to anyone */
    WHT_PROBLEM(post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", "no-at-sign")), 400,
                "validation_failed", "email");
    wht_server_stop(s);
}

static void test_a_429_changes_nothing_and_keeps_the_key_free(void **state)
{
    (void)state;
    const char *const env[] = {"WH_RATE_WRITE_PER_MIN=1", NULL};
    wht_server *s = wht_server_start(env);
    wht_user a = wht_user_new("ADMIN");
    WHT_EXPECT(post_on(s, a.token, "/ventures", new_venture_body(wht_unique_code())), 201);
    const char *code = wht_unique_code();
    const char *key = wht_unique("rate-key");
    const char *body =
        wht_fmt("{\"name\":\"%s\",\"code\":\"%s\",\"type\":\"BPO\"}", wht_unique("Idem"), code);
    const char *headers[] = {wht_fmt("Idempotency-Key: %s", key), NULL};
    wht_request req = {.method = "POST",
                       .path = WHT_API "/ventures",
                       .token = a.token,
                       .headers = headers,
                       .body = body,
                       .body_len = strlen(body),
                       .server = s};
    long long audit = wht_audit_head();
    wht_resp *r = wht_do(&req);
    expect_429(r, 1, 60);
    assert_null(wht_header(r, "Idempotent-Replayed"));
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM ventures WHERE code = '%s'", code)), 0);
    assert_int_equal(
        wht_sql(wht_fmt("SELECT COUNT(*) FROM idempotency_keys WHERE key = '%s'", key)), 0);
    assert_int_equal(wht_audit_head(), audit);
    /* the key was not claimed: the same request on the main server runs for the first time */
    req.server = NULL;
    r = wht_do(&req);
    WHT_EXPECT(r, 201);
    assert_null(wht_header(r, "Idempotent-Replayed"));
    r = wht_do(&req);
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_header(r, "Idempotent-Replayed"), "true");
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM ventures WHERE code = '%s'", code)), 1);
    wht_server_stop(s);
}

static void test_operational_routes_never_limited(void **state)
{
    (void)state;
    const char *const env[] = {"WH_RATE_AUTH_IP_PER_MIN=1", "WH_RATE_AUTH_EMAIL_PER_HOUR=1",
                               "WH_RATE_READ_PER_MIN=1", "WH_RATE_WRITE_PER_MIN=1", NULL};
    wht_server *s = wht_server_start(env);
    const char *paths[] = {"/healthz", "/readyz", WHT_API "/openapi.json", "/"};
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        for (int i = 0; i < 5; i++) {
            wht_request req = {.method = "GET", .path = paths[p], .server = s};
            wht_resp *r = wht_do(&req);
            WHT_EXPECT(r, 200);
            assert_null(wht_header(r, "RateLimit-Limit"));
            assert_null(wht_header(r, "Retry-After"));
        }
    }
    /* unknown paths are not limited either (no route, no class) */
    wht_request req = {.method = "GET", .path = WHT_API "/no-such-thing", .server = s};
    wht_resp *r = wht_do(&req);
    WHT_PROBLEM(r, 404, "not_found", NULL);
    assert_null(wht_header(r, "RateLimit-Limit"));
    wht_server_stop(s);
}

static void test_redis_budget_shared_by_servers(void **state)
{
    (void)state;
    const char *base = getenv("WH_TEST_REDIS_URL");
    if (!base || !*base)
        WHT_FAIL("WH_TEST_REDIS_URL is not set: run the tests through `make test`");
    const char *const env[] = {wht_fmt("WH_REDIS_URL=%s", base), "WH_RATE_READ_PER_MIN=4", NULL};
    wht_server *a = wht_server_start(env);
    wht_server *b = wht_server_start(env);
    wht_user u = wht_user_new("EMPLOYEE");
    expect_limit(get_on(a, u.token, "/me"), 4, 3);
    expect_limit(get_on(a, u.token, "/me"), 4, 2);
    expect_limit(get_on(b, u.token, "/me"), 4, 1);
    expect_limit(get_on(b, u.token, "/me"), 4, 0);
    expect_429(get_on(a, u.token, "/me"), 4, 15);
    expect_429(get_on(b, u.token, "/me"), 4, 15);
    /* another user on the same Redis is apart */
    wht_user v = wht_user_new("EMPLOYEE");
    expect_limit(get_on(b, v.token, "/me"), 4, 3);
    wht_server_stop(a);
    wht_server_stop(b);
}

/* DOMAIN.md §11: a Redis that does not answer (nothing listens on port 1) must not switch the
 * auth limits off. Login, code and verification requests are decided by the instance's own
 * table (headers and all); reads and writes fail open; both are counted in /metrics. */
static void test_redis_down_auth_fails_closed(void **state)
{
    (void)state;
    const char *const env[] = {"WH_REDIS_URL=redis://127.0.0.1:1", "WH_RATE_AUTH_IP_PER_MIN=3",
                               "WH_RATE_AUTH_EMAIL_PER_HOUR=2",    "WH_RATE_READ_PER_MIN=2",
                               "WH_RATE_WRITE_PER_MIN=1",          NULL};
    wht_server *s = wht_server_start(env);
    wht_user u = wht_user_new("ADMIN");
    /* the e-mail rule: two requests for one address, then 429, whatever the address */
    const char *email = wht_unique_email();
    WHT_EXPECT(post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", email)), 202);
    wht_resp *r = post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", email));
    WHT_EXPECT(r, 202);
    expect_limit(r, 2, 0);
    expect_429(post_on(s, NULL, "/auth/code", wht_json("{s:s}", "email", email)), 2, 1800);
    /* those three spent the address's allowance of 3: the right password is refused now */
    r = post_on(s, NULL, "/auth/login",
                wht_json("{s:s, s:s}", "email", u.email, "password", u.password));
    expect_429(r, 3, 20);
    assert_null(json_object_get(r->json, "token"));
    expect_429(post_on(s, NULL, "/auth/code/verify",
                       wht_json("{s:s, s:s}", "email", u.email, "code", "123456")),
               3, 20);
    /* reads and writes fail open: served past their limits, without RateLimit headers */
    for (int i = 0; i < 4; i++) {
        r = get_on(s, u.token, "/me");
        WHT_EXPECT(r, 200);
        assert_null(wht_header(r, "RateLimit-Limit"));
    }
    for (int i = 0; i < 2; i++)
        WHT_EXPECT(post_on(s, u.token, "/ventures", new_venture_body(wht_unique_code())), 201);
    wht_request rq = {.method = "GET", .path = "/metrics", .server = s};
    wht_resp *m = wht_do(&rq);
    WHT_EXPECT(m, 200);
    assert_non_null(strstr(m->body, "\nwh_ratelimit_rejections_total{class=\"auth\"} 3\n"));
    assert_non_null(strstr(m->body, "\nwh_ratelimit_failed_open_total 6\n"));
    assert_null(strstr(m->body, "\nwh_ratelimit_backend_errors_total 0\n"));
    wht_server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_reads_count_down_per_user_and_class),
        WHT_TEST(test_auth_routes_limited_by_address),
        WHT_TEST(test_trusted_proxy_names_the_client),
        WHT_TEST(test_email_limit_alike_for_known_and_unknown),
        WHT_TEST(test_a_429_changes_nothing_and_keeps_the_key_free),
        WHT_TEST(test_operational_routes_never_limited),
        WHT_TEST(test_redis_budget_shared_by_servers),
        WHT_TEST(test_redis_down_auth_fails_closed),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_ratelimit", tests, NULL, NULL));
}
