/*
 * Idempotency-Key on POST (API.md "Conventions"): a replay returns the first response with
 * Idempotent-Replayed: true and writes nothing; the same key with another body is 422; 16
 * concurrent requests with one key create one row; keys belong to their user; a malformed key
 * is 400; a refused first request is replayed as refused.
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

static wht_resp *post_keyed(const char *token, const char *path, const char *key, const char *body)
{
    const char *headers[] = {wht_fmt("Idempotency-Key: %s", key), NULL};
    wht_request req = {.method = "POST",
                       .path = wht_fmt("/api/v1%s", path),
                       .token = token,
                       .headers = headers,
                       .body = body,
                       .body_len = strlen(body)};
    return wht_do(&req);
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
    for (int i = 0; i < CONCURRENT; i++) {
        long status = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 201);
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(h);
    assert_int_equal(count_code(code), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_replay_returns_the_first_answer_and_writes_nothing),
        WHT_TEST(test_same_key_other_body_is_422),
        WHT_TEST(test_keys_belong_to_their_user),
        WHT_TEST(test_refusals_are_replayed_too),
        WHT_TEST(test_malformed_key_is_400),
        WHT_TEST(test_concurrent_requests_with_one_key_create_one_row),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
