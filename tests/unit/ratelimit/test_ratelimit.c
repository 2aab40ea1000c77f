/* The limiter front and its backends: the in-process table (subjects and classes apart,
 * counters, a rejected request not counted as use, the size bound with expired entries
 * reclaimed and the nearest-to-full entry evicted, eight threads on one key), and the Redis
 * backend on the real Redis of WH_TEST_REDIS_URL, database 4 (the budget, two limiters sharing
 * it even with clocks an hour apart, the key's expiry, a flushed script cache, a dead Redis:
 * auth classes decided in process, reads and writes failing open, all counted; malformed URLs
 * refused). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/config.h"
#include "ratelimit/ratelimit_int.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1764000000000LL /* a fake clock, milliseconds */

static const wh_ratelimit_rule rules[WH_RATELIMIT_CLASSES] = {
    [WH_RATELIMIT_AUTH_IP] = {3, 60000},
    [WH_RATELIMIT_AUTH_EMAIL] = {2, 3600000},
    [WH_RATELIMIT_READ] = {5, 60000},
    [WH_RATELIMIT_WRITE] = {2, 60000},
};

static wh_ratelimit *open_limiter(const char *url, const char *prefix)
{
    wh_error e;
    wh_ratelimit *rl = NULL;
    wh_error_init(&e);
    assert_int_equal(wh_ratelimit_new(url, prefix, rules, &rl, &e), WH_OK);
    return rl;
}

static wh_ratelimit_result take(wh_ratelimit *rl, wh_ratelimit_class cls, const char *subject,
                                int64_t now_ms)
{
    wh_ratelimit_result r;
    wh_ratelimit_take(rl, cls, subject, now_ms, &r);
    return r;
}

static void test_memory_subjects_and_classes(void **state)
{
    (void)state;
    wh_ratelimit *rl = open_limiter(NULL, "db1");
    assert_string_equal(wh_ratelimit_backend_name(rl), "memory");
    for (int i = 0; i < 5; i++) {
        wh_ratelimit_result r = take(rl, WH_RATELIMIT_READ, "u:1", T0);
        assert_true(r.allowed && r.known);
        assert_int_equal(r.remaining, 4 - i);
    }
    wh_ratelimit_result r = take(rl, WH_RATELIMIT_READ, "u:1", T0);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after_s, 12);
    /* another user, and the same user's writes, have budgets of their own */
    assert_int_equal(take(rl, WH_RATELIMIT_READ, "u:2", T0).remaining, 4);
    r = take(rl, WH_RATELIMIT_WRITE, "u:1", T0);
    assert_true(r.allowed);
    assert_int_equal(r.limit, 2);
    assert_int_equal(r.remaining, 1);
    /* the refill comes on the caller's clock */
    assert_true(take(rl, WH_RATELIMIT_READ, "u:1", T0 + 12000).allowed);
    wh_ratelimit_stats st;
    wh_ratelimit_stats_get(rl, &st);
    assert_int_equal(st.allowed[WH_RATELIMIT_READ], 7);
    assert_int_equal(st.rejected[WH_RATELIMIT_READ], 1);
    assert_int_equal(st.allowed[WH_RATELIMIT_WRITE], 1);
    assert_int_equal(st.rejected[WH_RATELIMIT_WRITE], 0);
    assert_int_equal(st.errors, 0);
    assert_string_equal(wh_ratelimit_class_name(WH_RATELIMIT_AUTH_EMAIL), "auth_email");
    assert_int_equal(wh_ratelimit_rule_get(rl, WH_RATELIMIT_AUTH_EMAIL).period_ms, 3600000);
    wh_ratelimit_free(rl);
}

static const wh_ratelimit_rule five = {5, 60000};

static wh_ratelimit_result mtake(void *m, const char *key, int64_t now_ms)
{
    wh_ratelimit_result r;
    assert_true(wh_ratelimit_memory_backend.take(m, key, &five, now_ms * 1000, &r));
    return r;
}

static void test_memory_bounded_and_reclaimed(void **state)
{
    (void)state;
    char key[32];
    void *m = wh_ratelimit_memory_new(8);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_true(mtake(m, key, T0).allowed);
        assert_true(wh_ratelimit_memory_count(m) <= 8);
    }
    assert_int_equal(wh_ratelimit_memory_count(m), 8);
    /* once every allowance is full again, the rolling sweep reclaims the entries */
    for (int i = 0; i < 16; i++)
        mtake(m, "fresh", T0 + 13000);
    assert_int_equal(wh_ratelimit_memory_count(m), 1);
    wh_ratelimit_memory_backend.free(m);
}

static void test_memory_evicts_nearest_to_full(void **state)
{
    (void)state;
    void *m = wh_ratelimit_memory_new(4);
    mtake(m, "light", T0); /* one request: the TAT nearest to now */
    const char *heavy[] = {"h1", "h2", "h3"};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 4; i++)
            mtake(m, heavy[k], T0);
    mtake(m, "new", T0); /* full: one entry must go */
    assert_int_equal(wh_ratelimit_memory_count(m), 4);
    /* the heavy users kept their state, the light one was forgotten (its allowance is whole) */
    for (int k = 0; k < 3; k++)
        assert_int_equal(mtake(m, heavy[k], T0).remaining, 0);
    wh_ratelimit_memory_backend.free(m);
}

typedef struct {
    wh_ratelimit *rl;
    int allowed;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 1000; i++) {
        wh_ratelimit_result r;
        wh_ratelimit_take(w->rl, WH_RATELIMIT_READ, "u:shared", T0, &r);
        w->allowed += r.allowed;
    }
    return NULL;
}

static void test_memory_threads_share_exactly(void **state)
{
    (void)state;
    wh_ratelimit_rule many[WH_RATELIMIT_CLASSES];
    memcpy(many, rules, sizeof many);
    many[WH_RATELIMIT_READ] = (wh_ratelimit_rule){5000, 60000};
    wh_error e;
    wh_ratelimit *rl = NULL;
    wh_error_init(&e);
    assert_int_equal(wh_ratelimit_new(NULL, "db", many, &rl, &e), WH_OK);
    pthread_t th[8];
    worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (worker){rl, 0};
        pthread_create(&th[i], NULL, hammer, &w[i]);
    }
    int total = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += w[i].allowed;
    }
    assert_int_equal(total, 5000);
    wh_ratelimit_stats st;
    wh_ratelimit_stats_get(rl, &st);
    assert_int_equal(st.allowed[WH_RATELIMIT_READ], 5000);
    assert_int_equal(st.rejected[WH_RATELIMIT_READ], 3000);
    wh_ratelimit_free(rl);
}

/* The test Redis, database 4 (the cache's unit tests use 3, the API tests 0). */
static const char *redis_url(void)
{
    static char url[200];
    const char *base = getenv("WH_TEST_REDIS_URL");
    if (!base || !*base)
        fail_msg("WH_TEST_REDIS_URL is not set: run the tests through `make test`");
    snprintf(url, sizeof url, "%s/4", base);
    return url;
}

/* A direct connection to the test Redis's database 4, for looking at keys. */
static redisContext *direct(void)
{
    const char *base = getenv("WH_TEST_REDIS_URL");
    char host[128] = "127.0.0.1";
    int port = 6379;
    const char *p = base + strlen("redis://");
    const char *colon = strrchr(p, ':');
    if (colon) {
        snprintf(host, sizeof host, "%.*s", (int)(colon - p), p);
        port = (int)strtol(colon + 1, NULL, 10);
    }
    redisContext *c = redisConnect(host, port);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    freeReplyObject(redisCommand(c, "SELECT 4"));
    return c;
}

/* A prefix no earlier run used (keys live up to a minute). */
static const char *fresh_prefix(void)
{
    static char p[48];
    snprintf(p, sizeof p, "t%ld-%lld", (long)getpid(), (long long)wh_clock_now_ms());
    return p;
}

static void test_redis_budget_shared_across_clocks(void **state)
{
    (void)state;
    const char *prefix = fresh_prefix();
    wh_ratelimit *a = open_limiter(redis_url(), prefix);
    wh_ratelimit *b = open_limiter(redis_url(), prefix);
    assert_string_equal(wh_ratelimit_backend_name(a), "redis");
    int64_t now = wh_clock_now_ms();
    for (int i = 0; i < 3; i++) {
        wh_ratelimit_result r = take(a, WH_RATELIMIT_READ, "u:7", now);
        assert_true(r.allowed && r.known);
        assert_int_equal(r.remaining, 4 - i);
    }
    /* b's clock is an hour ahead: the Redis server's clock decides, so it sees a's use */
    wh_ratelimit_result r = take(b, WH_RATELIMIT_READ, "u:7", now + 3600 * 1000);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 1);
    assert_true(take(b, WH_RATELIMIT_READ, "u:7", now - 3600 * 1000).allowed);
    r = take(a, WH_RATELIMIT_READ, "u:7", now);
    assert_false(r.allowed);
    assert_true(r.known);
    assert_int_equal(r.remaining, 0);
    assert_true(r.retry_after_s >= 1 && r.retry_after_s <= 12);
    assert_true(r.reset_s >= 59 && r.reset_s <= 60);
    /* other subjects, classes and databases are apart */
    assert_int_equal(take(a, WH_RATELIMIT_READ, "u:8", now).remaining, 4);
    assert_int_equal(take(a, WH_RATELIMIT_WRITE, "u:7", now).remaining, 1);
    char other_prefix[64];
    snprintf(other_prefix, sizeof other_prefix, "%s-other", prefix);
    wh_ratelimit *other = open_limiter(redis_url(), other_prefix);
    assert_int_equal(take(other, WH_RATELIMIT_READ, "u:7", now).remaining, 4);
    wh_ratelimit_free(other);
    wh_ratelimit_stats st;
    wh_ratelimit_stats_get(a, &st);
    assert_int_equal(st.allowed[WH_RATELIMIT_READ], 4);
    assert_int_equal(st.rejected[WH_RATELIMIT_READ], 1);
    assert_int_equal(st.errors, 0);
    wh_ratelimit_free(a);
    wh_ratelimit_free(b);
}

static void test_redis_key_expires_and_survives_script_flush(void **state)
{
    (void)state;
    const char *prefix = fresh_prefix();
    char key[160];
    wh_ratelimit *rl = open_limiter(redis_url(), prefix);
    assert_true(take(rl, WH_RATELIMIT_WRITE, "u:1", 0).allowed);
    redisContext *c = direct();
    snprintf(key, sizeof key, "wh:rl:%s:write:u:1", prefix);
    redisReply *rep = redisCommand(c, "PTTL %s", key);
    assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
    /* the allowance is whole again one interval (30 s) after one request: so is the key gone */
    assert_true(rep->integer > 28000 && rep->integer <= 30000);
    freeReplyObject(rep);
    /* a restarted or flushed Redis forgets the script: it is loaded again */
    freeReplyObject(redisCommand(c, "SCRIPT FLUSH"));
    wh_ratelimit_result r = take(rl, WH_RATELIMIT_WRITE, "u:1", 0);
    assert_true(r.allowed && r.known);
    assert_int_equal(r.remaining, 0);
    assert_false(take(rl, WH_RATELIMIT_WRITE, "u:1", 0).allowed);
    wh_ratelimit_stats st;
    wh_ratelimit_stats_get(rl, &st);
    assert_int_equal(st.errors, 0);
    redisFree(c);
    wh_ratelimit_free(rl);
}

/* DOMAIN.md §11: with Redis unreachable the auth classes fail closed (decided by the in-process
 * fallback, figures known), reads and writes fail open (allowed, unknown); all counted. */
static void test_redis_down_auth_closed_reads_open(void **state)
{
    (void)state;
    wh_ratelimit *rl = open_limiter("redis://127.0.0.1:1", "db"); /* nothing listens on port 1 */
    for (int i = 0; i < 3; i++) {
        wh_ratelimit_result r = take(rl, WH_RATELIMIT_AUTH_IP, "ip:127.0.0.1", T0);
        assert_true(r.allowed && r.known);
        assert_int_equal(r.remaining, 2 - i);
    }
    wh_ratelimit_result r = take(rl, WH_RATELIMIT_AUTH_IP, "ip:127.0.0.1", T0);
    assert_false(r.allowed);
    assert_true(r.known);
    assert_int_equal(r.retry_after_s, 20);
    assert_true(take(rl, WH_RATELIMIT_AUTH_IP, "ip:10.0.0.1", T0).allowed); /* another client */
    assert_true(take(rl, WH_RATELIMIT_AUTH_EMAIL, "e:x", T0).allowed);
    assert_true(take(rl, WH_RATELIMIT_AUTH_EMAIL, "e:x", T0).allowed);
    assert_false(take(rl, WH_RATELIMIT_AUTH_EMAIL, "e:x", T0).allowed);
    for (int i = 0; i < 10; i++) {
        r = take(rl, i % 2 ? WH_RATELIMIT_READ : WH_RATELIMIT_WRITE, "u:1", T0);
        assert_true(r.allowed);
        assert_false(r.known);
    }
    wh_ratelimit_stats st;
    wh_ratelimit_stats_get(rl, &st);
    assert_int_equal(st.errors, 18);
    assert_int_equal(st.failed_open, 10);
    assert_int_equal(st.allowed[WH_RATELIMIT_AUTH_IP], 4);
    assert_int_equal(st.rejected[WH_RATELIMIT_AUTH_IP], 1);
    assert_int_equal(st.rejected[WH_RATELIMIT_AUTH_EMAIL], 1);
    assert_int_equal(st.allowed[WH_RATELIMIT_READ], 0);
    wh_ratelimit_free(rl);
}

static void test_redis_url_validation(void **state)
{
    (void)state;
    const char *bad[] = {"http://127.0.0.1:6379", "redis://", "redis://host:0", "redis://host/x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wh_error e;
        wh_ratelimit *rl = NULL;
        wh_error_init(&e);
        assert_int_equal(wh_ratelimit_new(bad[i], "db", rules, &rl, &e), WH_ERR_INVALID);
        assert_null(rl);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.fields[0].field, "WH_REDIS_URL");
    }
}

static const char *const rate_vars[] = {"WH_RATE_AUTH_IP_PER_MIN", "WH_RATE_AUTH_EMAIL_PER_HOUR",
                                        "WH_RATE_READ_PER_MIN", "WH_RATE_WRITE_PER_MIN"};

static void test_config_defaults_and_ranges(void **state)
{
    (void)state;
    wh_config c;
    wh_error e;
    for (size_t i = 0; i < 4; i++)
        unsetenv(rate_vars[i]);
    wh_error_init(&e);
    assert_int_equal(wh_config_load(&c, &e), WH_OK);
    assert_int_equal(c.rate_auth_ip_per_min, 30);
    assert_int_equal(c.rate_auth_email_per_hour, 10);
    assert_int_equal(c.rate_read_per_min, 600);
    assert_int_equal(c.rate_write_per_min, 120);
    wh_config_cleanup(&c);
    const char *bad[] = {"0", "-5", "60000001", "ten"};
    for (size_t i = 0; i < 4; i++) {
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            setenv(rate_vars[i], bad[b], 1);
            wh_error_init(&e);
            assert_int_not_equal(wh_config_load(&c, &e), WH_OK);
            assert_string_equal(e.fields[0].field, rate_vars[i]);
            wh_config_cleanup(&c);
        }
        setenv(rate_vars[i], "60000000", 1);
        wh_error_init(&e);
        assert_int_equal(wh_config_load(&c, &e), WH_OK);
        wh_config_cleanup(&c);
        unsetenv(rate_vars[i]);
    }
}

/* WH_COOKIE_SECURE (beside WH_TRUSTED_PROXIES, the other HTTPS setting of the edge): 0 or 1. */
static void test_config_cookie_secure(void **state)
{
    (void)state;
    wh_config c;
    wh_error e;
    unsetenv("WH_COOKIE_SECURE");
    wh_error_init(&e);
    assert_int_equal(wh_config_load(&c, &e), WH_OK);
    assert_false(c.cookie_secure);
    wh_config_cleanup(&c);
    setenv("WH_COOKIE_SECURE", "1", 1);
    assert_int_equal(wh_config_load(&c, &e), WH_OK);
    assert_true(c.cookie_secure);
    wh_config_cleanup(&c);
    const char *bad[] = {"yes", "2", "-1"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        setenv("WH_COOKIE_SECURE", bad[b], 1);
        wh_error_init(&e);
        assert_int_not_equal(wh_config_load(&c, &e), WH_OK);
        assert_string_equal(e.fields[0].field, "WH_COOKIE_SECURE");
        wh_config_cleanup(&c);
    }
    unsetenv("WH_COOKIE_SECURE");
}

static void test_config_trusted_proxies(void **state)
{
    (void)state;
    wh_config c;
    wh_error e;
    unsetenv("WH_TRUSTED_PROXIES");
    wh_error_init(&e);
    assert_int_equal(wh_config_load(&c, &e), WH_OK);
    assert_int_equal(c.ntrusted_proxies, 0);
    wh_config_cleanup(&c);
    setenv("WH_TRUSTED_PROXIES", " 10.0.0.0/8, ,127.0.0.1,2001:db8::/32 ", 1);
    wh_error_init(&e);
    assert_int_equal(wh_config_load(&c, &e), WH_OK);
    assert_int_equal(c.ntrusted_proxies, 3);
    wh_config_cleanup(&c);
    const char *bad[] = {"proxy.internal", "10.0.0.0/40", "10.0.0.1,,nonsense",
                         "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,1.1.1.9,"
                         "1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,1.1.1.15,1.1.1.16,1.1.1.17"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        setenv("WH_TRUSTED_PROXIES", bad[b], 1);
        wh_error_init(&e);
        assert_int_equal(wh_config_load(&c, &e), WH_ERR_INVALID);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.fields[0].field, "WH_TRUSTED_PROXIES");
        wh_config_cleanup(&c);
    }
    unsetenv("WH_TRUSTED_PROXIES");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_trusted_proxies),
        cmocka_unit_test(test_config_cookie_secure),
        cmocka_unit_test(test_memory_subjects_and_classes),
        cmocka_unit_test(test_memory_bounded_and_reclaimed),
        cmocka_unit_test(test_memory_evicts_nearest_to_full),
        cmocka_unit_test(test_memory_threads_share_exactly),
        cmocka_unit_test(test_redis_budget_shared_across_clocks),
        cmocka_unit_test(test_redis_key_expires_and_survives_script_flush),
        cmocka_unit_test(test_redis_down_auth_closed_reads_open),
        cmocka_unit_test(test_redis_url_validation),
        cmocka_unit_test(test_config_defaults_and_ranges),
    };
    return cmocka_run_group_tests_name("unit_ratelimit", tests, NULL, NULL);
}
