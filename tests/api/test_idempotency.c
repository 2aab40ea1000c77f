/*
 * Idempotency-Key on POST (API.md "Conventions", docs/architecture.md "Idempotency-Key"): a
 * replay returns the first response with Idempotent-Replayed: true and writes nothing; the same
 * key with another body is 422; 16 concurrent requests with one key create one row; keys belong
 * to their user; a malformed key is 400; a refused first request is replayed as refused. The
 * answer is stored in the handler's transaction: a process killed between the handler's commit
 * and the answer's write (WH_TEST_CRASH_AFTER_COMMIT) has committed nothing, so the retry runs
 * the request once. Requests waiting for a key's first answer hold no pooled connection
 * (WH_DB_POOL=2 on PostgreSQL: other requests are served meanwhile), and at most
 * WAITERS of them wait per key; more are 409 at once. Routes not flagged idempotent (PATCH, the
 * public sign-in) ignore the header.
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
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CONCURRENT 16
#define WAITERS    8 /* WH_LIMIT_IDEMPOTENCY_WAITERS */

static wht_server *fake;

static wht_resp *send_keyed(const char *method, const char *token, const char *path,
                            const char *key, const char *body)
{
    const char *headers[] = {wht_fmt("Idempotency-Key: %s", key), NULL};
    wht_request req = {.method = method,
                       .path = wht_fmt("/api/v1%s", path),
                       .token = token,
                       .headers = headers,
                       .body = body,
                       .body_len = strlen(body)};
    return wht_do(&req);
}

static wht_resp *post_keyed(const char *token, const char *path, const char *key, const char *body)
{
    return send_keyed("POST", token, path, key, body);
}

static size_t count_code(const char *code)
{
    json_t *all = wht_list_all(wht_admin_token(), "/ventures", 200);
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(all, i, v) if (strcmp(wht_str(v, "code"), code) == 0) n++;
    return n;
}

static void test_replay_returns_the_first_answer_and_writes_nothing(void **state)
{
    const char *code = wht_unique_code();
    const char *key = wht_unique("key");
    const char *body =
        wht_fmt("{\"name\":\"%s\",\"code\":\"%s\",\"type\":\"BPO\"}", wht_unique("Idem"), code);
    (void)state;
    wht_resp *first = post_keyed(wht_admin_token(), "/ventures", key, body);
    WHT_EXPECT(first, 201);
    assert_null(wht_header(first, "Idempotent-Replayed"));
    long long audit = wht_audit_head();
    wht_resp *again = post_keyed(wht_admin_token(), "/ventures", key, body);
    WHT_EXPECT(again, 201);
    assert_string_equal(wht_header(again, "Idempotent-Replayed"), "true");
    assert_string_equal(again->body, first->body);
    assert_int_equal(count_code(code), 1);
    assert_int_equal(json_array_size(wht_audit_since(audit)), 0);
}

static void test_same_key_other_body_is_422(void **state)
{
    const char *key = wht_unique("key");
    (void)state;
    WHT_EXPECT(
        post_keyed(wht_admin_token(), "/ventures", key,
                   wht_fmt("{\"name\":\"A\",\"code\":\"%s\",\"type\":\"BPO\"}", wht_unique_code())),
        201);
    const char *other = wht_unique_code();
    wht_resp *r = post_keyed(wht_admin_token(), "/ventures", key,
                             wht_fmt("{\"name\":\"B\",\"code\":\"%s\",\"type\":\"BPO\"}", other));
    WHT_PROBLEM(r, 422, "idempotency_key_reused", NULL);
    assert_int_equal(count_code(other), 0);
}

static void test_keys_belong_to_their_user(void **state)
{
    const char *key = wht_unique("key");
    wht_user other = wht_user_new("ADMIN");
    const char *c1 = wht_unique_code(), *c2 = wht_unique_code();
    (void)state;
    WHT_EXPECT(post_keyed(wht_admin_token(), "/ventures", key,
                          wht_fmt("{\"name\":\"A\",\"code\":\"%s\",\"type\":\"BPO\"}", c1)),
               201);
    wht_resp *r = post_keyed(other.token, "/ventures", key,
                             wht_fmt("{\"name\":\"B\",\"code\":\"%s\",\"type\":\"BPO\"}", c2));
    WHT_EXPECT(r, 201);
    assert_null(wht_header(r, "Idempotent-Replayed"));
    assert_int_equal(count_code(c2), 1);
}

static void test_refusals_are_replayed_too(void **state)
{
    const char *key = wht_unique("key");
    const char *bad = "{\"name\":\"A\",\"code\":\"X\",\"type\":\"SPACESHIPS\"}";
    (void)state;
    WHT_PROBLEM(post_keyed(wht_admin_token(), "/ventures", key, bad), 400, "validation_failed",
                "type");
    wht_resp *again = post_keyed(wht_admin_token(), "/ventures", key, bad);
    WHT_PROBLEM(again, 400, "validation_failed", "type");
    assert_string_equal(wht_header(again, "Idempotent-Replayed"), "true");
}

/* Only routes flagged WH_ROUTE_IDEMPOTENT (the signed-in POSTs) look at the header: a PATCH and
 * the public sign-in ignore it, even malformed, and are never replayed. */
static void test_routes_not_flagged_ignore_the_key(void **state)
{
    (void)state;
    const char *key = wht_unique("key"), *bad = "no spaces allowed";
    wht_venture v = wht_venture_new("BPO");
    const char *path = wht_fmt("/ventures/%lld", v.id);
    const char *names[] = {wht_unique("First"), wht_unique("Second")};
    for (size_t i = 0; i < 2; i++) {
        wht_resp *r = send_keyed("PATCH", wht_admin_token(), path, i ? bad : key,
                                 wht_fmt("{\"name\":\"%s\"}", names[i]));
        WHT_EXPECT(r, 200);
        assert_null(wht_header(r, "Idempotent-Replayed"));
        assert_string_equal(wht_str(r->json, "name"), names[i]);
    }
    wht_user u = wht_user_add("EMPLOYEE");
    const char *login = wht_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", u.email, u.password);
    wht_resp *one = post_keyed(NULL, "/auth/login", key, login);
    wht_resp *two = post_keyed(NULL, "/auth/login", key, login);
    WHT_EXPECT(one, 200);
    WHT_EXPECT(two, 200);
    assert_null(wht_header(two, "Idempotent-Replayed"));
    assert_string_not_equal(wht_str(one->json, "token"), wht_str(two->json, "token"));
    WHT_EXPECT(post_keyed(NULL, "/auth/login", bad, login), 200);
}

static void test_malformed_key_is_400(void **state)
{
    (void)state;
    char long_key[300];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    wht_resp *r = post_keyed(wht_admin_token(), "/ventures", long_key,
                             "{\"name\":\"A\",\"code\":\"LONGKEY\",\"type\":\"BPO\"}");
    WHT_PROBLEM(r, 400, "validation_failed", "Idempotency-Key");
    assert_int_equal(count_code("LONGKEY"), 0);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* 16 requests with one key in flight at once (libcurl multi): exactly one venture appears and
 * every answer is the same 201. */
static void test_concurrent_requests_with_one_key_create_one_row(void **state)
{
    const char *code = wht_unique_code();
    const char *body = wht_fmt("{\"name\":\"Concurrent\",\"code\":\"%s\",\"type\":\"BPO\"}", code);
    const char *url = wht_fmt("%s/api/v1/ventures", wht_server_base(wht_main_server()));
    struct curl_slist *h = NULL;
    CURL *easy[CONCURRENT];
    CURLM *multi = curl_multi_init();
    int running = 0;
    (void)state;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, wht_fmt("Authorization: Bearer %s", wht_admin_token()));
    h = curl_slist_append(h, wht_fmt("Idempotency-Key: %s", wht_unique("conc")));
    for (int i = 0; i < CONCURRENT; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 30L);
        curl_multi_add_handle(multi, easy[i]);
    }
    do {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running > 0);
    int created = 0;
    for (int i = 0; i < CONCURRENT; i++) {
        long status = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        /* at most WAITERS wait for the first answer; any beyond them are 409 at once */
        assert_true(status == 201 || status == 409);
        created += status == 201;
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(h);
    assert_true(created >= 1 + WAITERS);
    assert_int_equal(count_code(code), 1);
}

/* ---- the answer in the handler's transaction ---- */

/* Offices of a venture named name (offices have no unique key: a second run would add one). */
static long long offices_named(const char *name)
{
    return wht_sql(wht_fmt("SELECT COUNT(*) FROM offices WHERE name = '%s'", name));
}

/* The server dies (as by kill -9) after the handler committed and before the answer is
 * written. Nothing of the request is in the database but its claim; once the claim counts as
 * abandoned (5 minutes, moved back here), the retry runs the request exactly once, and its
 * answer is replayed from then on. */
static void test_a_crash_between_commit_and_answer_never_runs_twice(void **state)
{
    (void)state;
    const char *key = wht_unique("crash-after-commit-");
    const char *env[] = {wht_fmt("WH_TEST_CRASH_AFTER_COMMIT=%s", key), NULL};
    wht_server *doomed = wht_server_start(env);
    wht_venture v = wht_venture_new("BPO");
    const char *name = wht_unique("Crash office ");
    const char *path = wht_fmt("/ventures/%lld/offices", v.id);
    const char *body = wht_fmt("{\"name\":\"%s\"}", name);
    const char *headers[] = {wht_fmt("Idempotency-Key: %s", key), NULL};
    wht_request req = {.method = "POST",
                       .path = wht_fmt("/api/v1%s", path),
                       .token = wht_admin_token(),
                       .headers = headers,
                       .body = body,
                       .body_len = strlen(body),
                       .server = doomed};
    wht_resp *lost = wht_do(&req);
    assert_int_equal(lost->status, 0); /* no answer: the process died */
    wht_server_kill(doomed);
    assert_int_equal(offices_named(name), 0);
    const char *claim =
        wht_fmt("FROM idempotency_keys WHERE user_id = %lld AND key = '%s'", wht_admin_id(), key);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) %s AND status IS NULL", claim)), 1);

    wht_sql(wht_fmt("UPDATE idempotency_keys SET created_at = created_at - 600000 WHERE"
                    " user_id = %lld AND key = '%s'",
                    wht_admin_id(), key));
    wht_resp *retry = post_keyed(wht_admin_token(), path, key, body);
    WHT_EXPECT(retry, 201);
    assert_null(wht_header(retry, "Idempotent-Replayed"));
    assert_int_equal(offices_named(name), 1);
    wht_resp *again = post_keyed(wht_admin_token(), path, key, body);
    WHT_EXPECT(again, 201);
    assert_string_equal(wht_header(again, "Idempotent-Replayed"), "true");
    assert_string_equal(again->body, retry->body);
    assert_int_equal(offices_named(name), 1);
    assert_int_equal(wht_sql(wht_fmt("SELECT status %s", claim)), 201);
}

/* A refusal after a commit (a job whose lease is held answers 409 with a SKIPPED_LOCKED run
 * committed) is stored with that commit and replayed; no second run row appears. */
static void test_a_committed_refusal_is_replayed_without_a_second_run(void **state)
{
    (void)state;
    const char *delay[] = {"WH_JOB_TEST_DELAY_MS=3000", NULL};
    wht_server *s = wht_server_start(delay);
    wht_resp *held = wht_send_on(s, "POST", wht_admin_token(), "/jobs/cleanup/run", json_object());
    WHT_EXPECT(held, 202);
    const char *key = wht_unique("refusal");
    long long runs = wht_sql("SELECT COUNT(*) FROM job_runs WHERE job = 'cleanup'");
    wht_resp *first = post_keyed(wht_admin_token(), "/jobs/cleanup/run", key, "{}");
    WHT_PROBLEM(first, 409, "conflict", NULL);
    wht_resp *again = post_keyed(wht_admin_token(), "/jobs/cleanup/run", key, "{}");
    WHT_PROBLEM(again, 409, "conflict", NULL);
    assert_string_equal(wht_header(again, "Idempotent-Replayed"), "true");
    assert_string_equal(again->body, first->body);
    assert_int_equal(wht_sql("SELECT COUNT(*) FROM job_runs WHERE job = 'cleanup'"), runs + 1);
    wht_server_stop(s);
}

/* ---- waiting for another request's answer ---- */

/* The first request with a key onboards a carrier and waits on a stalled FMCSA (holding no
 * connection); WAITERS + 3 more with the same key arrive meanwhile on a server with two pooled
 * connections. WAITERS of them wait, three are refused 409 at once, and while they wait the
 * server still answers other requests. Then every waiter replays the one 201. */
static void test_waiters_hold_no_connection_and_are_bounded(void **state)
{
    (void)state;
    enum { EXTRA = 3, FOLLOWERS = WAITERS + EXTRA };
    const char *env[] = {"WH_DB_POOL=2", "WH_THREADS=32", NULL};
    wht_server *s = wht_server_start(env);
    static int seq;
    const char *dot = wht_fmt("%d", 4200000 + ++seq);
    wht_fake_reset(fake);
    wht_fake_call(fake, "POST", "/_control/fmcsa/carriers",
                  wht_json("{s:s, s:s, s:s, s:s}", "dotNumber", dot, "legalName",
                           wht_unique("WAITING CARRIER "), "allowedToOperate", "Y", "statusCode",
                           "A"));
    wht_fake_set(fake, "fmcsa",
                 wht_json("{s:s, s:i, s:i}", "mode", "stall", "stall_ms", 6000, "count", 1));
    const char *body = wht_fmt("{\"dot_number\":\"%s\"}", dot);
    const char *headers[] = {wht_fmt("Idempotency-Key: %s", wht_unique("waiters")), NULL};
    wht_request req = {.method = "POST",
                       .path = WHT_API "/carriers",
                       .token = wht_admin_token(),
                       .headers = headers,
                       .body = body,
                       .body_len = strlen(body),
                       .server = s};
    wht_flight *f[1 + FOLLOWERS];
    f[0] = wht_flight_start(&req); /* the owner first: inside FMCSA before the others arrive */
    wht_fake_wait_held(fake, "fmcsa");
    /* One at a time: each lands on an idle worker thread of the server (a libmicrohttpd pool
     * thread serves the connections it accepted one after the other, so two arriving together
     * could meet one behind a waiter and arrive only after the owner's answer). */
    for (int i = 1; i < 1 + FOLLOWERS; i++) {
        f[i] = wht_flight_start(&req);
        wht_sleep_ms(100);
    }
    /* The owner holds no connection inside FMCSA, and the waiters none while they sleep: other
     * requests of this server are answered meanwhile ... */
    for (int i = 0; i < 3; i++)
        WHT_EXPECT(wht_send_on(s, "GET", wht_admin_token(), "/me", NULL), 200);
    /* ... all while the owner was still inside FMCSA */
    json_t *lookup = json_array_get(wht_fake_requests(fake, "fmcsa"), 0);
    assert_true(json_is_null(json_object_get(lookup, "status")));
    int created = 0, refused = 0;
    const char *first = NULL;
    for (int i = 0; i < 1 + FOLLOWERS; i++) {
        wht_resp *r = wht_flight_end(f[i]);
        wht_context("request %d answered %ld: %s", i, r->status, r->body);
        if (r->status == 201) {
            created++;
            if (first)
                assert_string_equal(r->body, first);
            first = first ? first : r->body;
        } else {
            WHT_PROBLEM(r, 409, "conflict", NULL);
            assert_non_null(strstr(r->body, "waiting"));
            refused++;
        }
    }
    wht_context("%s", "");
    assert_int_equal(created, 1 + WAITERS);
    assert_int_equal(refused, EXTRA);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM carriers WHERE dot_number = '%s'", dot)),
                     1);
    wht_server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_replay_returns_the_first_answer_and_writes_nothing),
        WHT_TEST(test_same_key_other_body_is_422),
        WHT_TEST(test_keys_belong_to_their_user),
        WHT_TEST(test_refusals_are_replayed_too),
        WHT_TEST(test_malformed_key_is_400),
        WHT_TEST(test_routes_not_flagged_ignore_the_key),
        WHT_TEST(test_concurrent_requests_with_one_key_create_one_row),
        WHT_TEST(test_a_crash_between_commit_and_answer_never_runs_twice),
        WHT_TEST(test_a_committed_refusal_is_replayed_without_a_second_run),
        WHT_TEST(test_waiters_hold_no_connection_and_are_bounded),
    };
    fake = wht_fake_start();
    const char *base = wht_server_base(fake);
    const char *env[] = {
        wht_fmt("WH_FMCSA_BASE_URL=%s", base),
        "WH_FMCSA_WEBKEY=fake-fmcsa-webkey",
        "WH_HTTP_TIMEOUT_MS=10000",
        NULL,
    };
    wht_init_env(env);
    return wht_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
