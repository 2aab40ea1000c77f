/* The response cache: the in-process LRU (hit, expiry on the caller's clock, eviction of the
 * least recently used entry, values over the size cap not stored), single-flight (eight threads
 * asking for one missing key compute it once), fill errors storing nothing, and the Redis
 * backend against the real Redis of WH_TEST_REDIS_URL (shared values, expiry, a dead Redis read
 * as a miss without failing the caller, malformed URLs refused). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cache/cache_int.h"
#include "core/limits.h"
#include "core/alloc.h"
#include "core/clock.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *value;
    int calls;
    int sleep_ms;
    bool fail;
    pthread_mutex_t mu;
} source;

static wh_err fill(void *ctx, wh_buf *out, wh_error *e)
{
    source *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    pthread_mutex_unlock(&s->mu);
    if (s->sleep_ms) {
        struct timespec ts = {s->sleep_ms / 1000, (long)(s->sleep_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (s->fail)
        return wh_fail(e, WH_ERR_UNAVAILABLE, "the source failed");
    return wh_buf_append(out, s->value, strlen(s->value));
}

static source make_source(const char *value)
{
    source s = {.value = value};
    pthread_mutex_init(&s.mu, NULL);
    return s;
}

/* Fetches key at now_ms; returns whether it was a hit and checks the value. */
static bool fetch(wh_cache *c, const char *key, int64_t now_ms, source *s, const char *expect)
{
    wh_error e;
    char *val = NULL;
    size_t len = 0;
    bool hit = false;
    wh_error_init(&e);
    assert_int_equal(wh_cache_fetch(c, key, now_ms, fill, s, &val, &len, &hit, &e), WH_OK);
    assert_int_equal(len, strlen(expect));
    assert_string_equal(val, expect);
    wh_free(val);
    return hit;
}

static wh_cache *open_cache(const char *url, int64_t ttl_s)
{
    wh_error e;
    wh_cache *c = NULL;
    wh_error_init(&e);
    assert_int_equal(wh_cache_new(url, ttl_s, &c, &e), WH_OK);
    return c;
}

static void test_memory_hit_and_expiry(void **state)
{
    (void)state;
    wh_cache *c = open_cache(NULL, 10);
    source s = make_source("{\"a\":1}");
    assert_string_equal(wh_cache_backend_name(c), "memory");
    assert_false(fetch(c, "k", 1000, &s, "{\"a\":1}"));
    assert_true(fetch(c, "k", 5000, &s, "{\"a\":1}"));
    assert_true(fetch(c, "k", 10999, &s, "{\"a\":1}"));
    assert_int_equal(s.calls, 1);
    s.value = "{\"a\":2}";
    assert_false(fetch(c, "k", 11000, &s, "{\"a\":2}")); /* 10 s after the store */
    assert_int_equal(s.calls, 2);
    assert_false(fetch(c, "other", 11000, &s, "{\"a\":2}"));
    wh_cache_stats st;
    wh_cache_stats_get(c, &st);
    assert_int_equal(st.hits, 2);
    assert_int_equal(st.misses, 3);
    assert_int_equal(st.fills, 3);
    assert_int_equal(st.errors, 0);
    wh_cache_free(c);
}

static void test_memory_lru_and_size_cap(void **state)
{
    (void)state;
    const wh_cache_backend *be = &wh_cache_memory_backend;
    void *m = wh_cache_memory_new(2, 8);
    char *val = NULL;
    size_t len = 0;
    bool failed = true;
    assert_true(be->put(m, "a", "1", 1, 0, 60));
    assert_true(be->put(m, "b", "2", 1, 0, 60));
    assert_true(be->get(m, "a", 1, &val, &len, &failed)); /* a is now the most recent */
    assert_false(failed);
    wh_free(val);
    assert_true(be->put(m, "c", "3", 1, 0, 60)); /* evicts b */
    assert_false(be->get(m, "b", 1, &val, &len, &failed));
    assert_true(be->get(m, "a", 1, &val, &len, &failed));
    wh_free(val);
    assert_true(be->get(m, "c", 1, &val, &len, &failed));
    assert_string_equal(val, "3");
    wh_free(val);
    assert_true(be->put(m, "c", "33", 2, 0, 60)); /* replaced in place */
    assert_true(be->get(m, "c", 1, &val, &len, &failed));
    assert_string_equal(val, "33");
    assert_int_equal(len, 2);
    wh_free(val);
    assert_false(be->put(m, "big", "123456789", 9, 0, 60)); /* over the 8-byte cap */
    assert_false(be->get(m, "big", 1, &val, &len, &failed));
    be->free(m);
}

typedef struct {
    wh_cache *c;
    source *s;
    bool hit;
} worker;

static void *work(void *p)
{
    worker *w = p;
    wh_error e;
    char *val = NULL;
    size_t len = 0;
    wh_error_init(&e);
    if (wh_cache_fetch(w->c, "hot", wh_clock_now_ms(), fill, w->s, &val, &len, &w->hit, &e) ==
            WH_OK &&
        strcmp(val, "computed") == 0)
        w->s = NULL; /* marks success */
    wh_free(val);
    return NULL;
}

static void test_single_flight(void **state)
{
    (void)state;
    enum { N = 8 };
    wh_cache *c = open_cache(NULL, 60);
    source s = make_source("computed");
    s.sleep_ms = 300;
    pthread_t t[N];
    worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (worker){c, &s, false};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++)
        assert_null(w[i].s); /* every thread got the value */
    assert_int_equal(s.calls, 1);
    wh_cache_stats st;
    wh_cache_stats_get(c, &st);
    assert_int_equal(st.fills, 1);
    assert_int_equal(st.waits, N - 1);
    wh_cache_free(c);
}

static void test_fill_error_stores_nothing(void **state)
{
    (void)state;
    wh_cache *c = open_cache(NULL, 60);
    source s = make_source("later");
    wh_error e;
    char *val = NULL;
    size_t len = 0;
    bool hit = true;
    s.fail = true;
    wh_error_init(&e);
    assert_int_equal(wh_cache_fetch(c, "k", 0, fill, &s, &val, &len, &hit, &e), WH_ERR_UNAVAILABLE);
    assert_int_equal(e.status, 503);
    assert_null(val);
    s.fail = false;
    assert_false(fetch(c, "k", 0, &s, "later"));
    assert_true(fetch(c, "k", 0, &s, "later"));
    assert_int_equal(s.calls, 2);
    wh_cache_free(c);
}

static void test_oversized_values_are_served_not_stored(void **state)
{
    (void)state;
    wh_cache *c = open_cache(NULL, 60);
    size_t n = WH_LIMIT_CACHE_VALUE_BYTES + 10;
    char *big = wh_malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    source s = make_source(big);
    assert_false(fetch(c, "big", 0, &s, big));
    assert_false(fetch(c, "big", 0, &s, big)); /* computed again: never stored */
    assert_int_equal(s.calls, 2);
    wh_free(big);
    wh_cache_free(c);
}

/* The test Redis, database 3 (the API tests use 0). */
static const char *redis_url(void)
{
    static char url[200];
    const char *base = getenv("WH_TEST_REDIS_URL");
    if (!base || !*base)
        fail_msg("WH_TEST_REDIS_URL is not set: run the tests through `make test`");
    snprintf(url, sizeof url, "%s/3", base);
    return url;
}

static void test_redis_shared_and_expiring(void **state)
{
    (void)state;
    char key[64];
    snprintf(key, sizeof key, "wh:test:%ld:%lld", (long)getpid(), (long long)wh_clock_now_ms());
    wh_cache *a = open_cache(redis_url(), 1);
    wh_cache *b = open_cache(redis_url(), 1);
    source s = make_source("{\"shared\":true}");
    assert_string_equal(wh_cache_backend_name(a), "redis");
    assert_false(fetch(a, key, 0, &s, "{\"shared\":true}"));
    assert_true(fetch(b, key, 0, &s, "{\"shared\":true}")); /* another process would see it too */
    assert_int_equal(s.calls, 1);
    usleep(1300 * 1000); /* EX 1 */
    assert_false(fetch(b, key, 0, &s, "{\"shared\":true}"));
    assert_int_equal(s.calls, 2);
    wh_cache_stats st;
    wh_cache_stats_get(a, &st);
    assert_int_equal(st.errors, 0);
    wh_cache_free(a);
    wh_cache_free(b);
}

/* The test Redis's host and port, for direct administration. */
static redisContext *admin(void)
{
    const char *base = getenv("WH_TEST_REDIS_URL");
    assert_non_null(base);
    const char *port = strrchr(base, ':');
    assert_non_null(port);
    redisContext *ctx = redisConnect("127.0.0.1", (int)strtol(port + 1, NULL, 10));
    assert_non_null(ctx);
    assert_int_equal(ctx->err, 0);
    return ctx;
}

static void admin_do(redisContext *ctx, const char *cmd)
{
    redisReply *rep = redisCommand(ctx, cmd);
    assert_non_null(rep);
    assert_int_not_equal(rep->type, REDIS_REPLY_ERROR);
    freeReplyObject(rep);
}

static void test_redis_reconnects_after_dropped_connections(void **state)
{
    (void)state;
    const char *base = getenv("WH_TEST_REDIS_URL");
    char url[256], key[64];
    /* its own ACL user, so the kill below touches no other test's connections */
    redisContext *ctx = admin();
    admin_do(ctx, "ACL SETUSER wh-drop on >dropped ~wh:* +@all");
    snprintf(url, sizeof url, "redis://wh-drop:dropped@%s/3", base + strlen("redis://"));
    snprintf(key, sizeof key, "wh:test:drop:%ld:%lld", (long)getpid(),
             (long long)wh_clock_now_ms());
    wh_cache *c = open_cache(url, 60);
    source s = make_source("kept");
    assert_false(fetch(c, key, 0, &s, "kept")); /* leaves a pooled connection */
    admin_do(ctx, "CLIENT KILL USER wh-drop");  /* as a restart or an idle timeout would */
    assert_true(fetch(c, key, 0, &s, "kept"));  /* retried on a fresh connection: still a hit */
    assert_int_equal(s.calls, 1);
    wh_cache_stats st;
    wh_cache_stats_get(c, &st);
    assert_int_equal(st.errors, 0);
    wh_cache_free(c);
    admin_do(ctx, "ACL DELUSER wh-drop");
    redisFree(ctx);
}

static void test_redis_acl_user(void **state)
{
    (void)state;
    const char *base = getenv("WH_TEST_REDIS_URL");
    char url[256], bad[256], key[64];
    redisContext *ctx = admin();
    admin_do(ctx, "ACL SETUSER wh-cache on >p@ss:word ~wh:* +@all");
    snprintf(url, sizeof url, "redis://wh-cache:p@ss:word@%s/3", base + strlen("redis://"));
    snprintf(bad, sizeof bad, "redis://wh-cache:wrong@%s/3", base + strlen("redis://"));
    snprintf(key, sizeof key, "wh:test:acl:%ld:%lld", (long)getpid(), (long long)wh_clock_now_ms());
    wh_cache *good = open_cache(url, 60);
    wh_cache *refused = open_cache(bad, 60);
    source s = make_source("authorised");
    assert_false(fetch(good, key, 0, &s, "authorised"));
    assert_true(fetch(good, key, 0, &s, "authorised"));
    assert_false(fetch(refused, key, 0, &s, "authorised")); /* AUTH refused: a miss */
    wh_cache_stats st;
    wh_cache_stats_get(refused, &st);
    assert_true(st.errors >= 1);
    wh_cache_stats_get(good, &st);
    assert_int_equal(st.errors, 0);
    wh_cache_free(good);
    wh_cache_free(refused);
    admin_do(ctx, "ACL DELUSER wh-cache");
    redisFree(ctx);
}

static void test_redis_down_is_a_miss(void **state)
{
    (void)state;
    wh_cache *c = open_cache("redis://127.0.0.1:1", 60); /* nothing listens on port 1 */
    source s = make_source("live");
    assert_false(fetch(c, "k", 0, &s, "live"));
    assert_false(fetch(c, "k", 0, &s, "live"));
    assert_int_equal(s.calls, 2);
    wh_cache_stats st;
    wh_cache_stats_get(c, &st);
    assert_true(st.errors >= 1);
    wh_cache_free(c);
}

static void test_redis_url_validation(void **state)
{
    (void)state;
    const char *bad[] = {"http://127.0.0.1:6379", "redis://",           "redis://host:0",
                         "redis://host:x",        "redis://host:70000", "redis://host/abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wh_error e;
        wh_cache *c = NULL;
        wh_error_init(&e);
        assert_int_equal(wh_cache_new(bad[i], 60, &c, &e), WH_ERR_INVALID);
        assert_null(c);
        assert_int_equal(e.status, 400);
    }
    wh_cache *ok = open_cache("redis://:secret@cache.internal:6380/2", 60);
    wh_cache_free(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_hit_and_expiry),
        cmocka_unit_test(test_memory_lru_and_size_cap),
        cmocka_unit_test(test_single_flight),
        cmocka_unit_test(test_fill_error_stores_nothing),
        cmocka_unit_test(test_redis_shared_and_expiring),
        cmocka_unit_test(test_oversized_values_are_served_not_stored),
        cmocka_unit_test(test_redis_reconnects_after_dropped_connections),
        cmocka_unit_test(test_redis_acl_user),
        cmocka_unit_test(test_redis_down_is_a_miss),
        cmocka_unit_test(test_redis_url_validation),
    };
    return cmocka_run_group_tests_name("unit_cache", tests, NULL, NULL);
}
