/* The pure GCRA step on a fake clock: a full allowance is exactly the burst, one request comes
 * back every period / limit, a refusal changes nothing, and the header figures (remaining,
 * reset, retry-after) are what docs/ratelimit.md promises, including awkward intervals, huge
 * limits and hour-long periods. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ratelimit/ratelimit_int.h"

#define S  1000000LL /* microseconds per second */
#define T0 (1764000000LL * S)

typedef struct {
    wh_ratelimit_rule rule;
    int64_t tat;
} subject;

/* One request at now; updates the subject's TAT like a backend would. */
static wh_ratelimit_result hit(subject *s, int64_t now)
{
    wh_ratelimit_result r;
    int64_t next = -1;
    wh_ratelimit_gcra(&s->rule, s->tat, now, &next, &r);
    assert_true(r.known);
    if (!r.allowed)
        assert_int_equal(next, s->tat); /* a refusal changes nothing */
    s->tat = next;
    return r;
}

static void test_burst_then_refusal(void **state)
{
    (void)state;
    subject s = {{5, 60000}, 0};
    for (int i = 1; i <= 5; i++) {
        wh_ratelimit_result r = hit(&s, T0);
        assert_true(r.allowed);
        assert_int_equal(r.limit, 5);
        assert_int_equal(r.remaining, 5 - i);
        assert_int_equal(r.reset_s, 12 * i); /* one request refills every 12 s */
        assert_int_equal(r.retry_after_s, 0);
    }
    int64_t before = s.tat;
    wh_ratelimit_result r = hit(&s, T0);
    assert_false(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_int_equal(r.reset_s, 60);
    assert_int_equal(r.retry_after_s, 12);
    assert_int_equal(s.tat, before);
    /* refusals do not push the wait further */
    for (int i = 0; i < 100; i++)
        assert_false(hit(&s, T0 + i * 1000).allowed);
    assert_int_equal(s.tat, before);
}

static void test_refill_one_per_interval(void **state)
{
    (void)state;
    subject s = {{5, 60000}, 0};
    for (int i = 0; i < 5; i++)
        assert_true(hit(&s, T0).allowed);
    /* 1 us before the interval has passed: still refused, and retry-after rounds up to 1 s */
    wh_ratelimit_result r = hit(&s, T0 + 12 * S - 1);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after_s, 1);
    r = hit(&s, T0 + 12 * S);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_false(hit(&s, T0 + 12 * S).allowed);
    /* 30 s later two and a half intervals have refilled: two requests */
    assert_true(hit(&s, T0 + 42 * S).allowed);
    r = hit(&s, T0 + 42 * S);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_false(hit(&s, T0 + 42 * S).allowed);
}

static void test_full_after_a_period(void **state)
{
    (void)state;
    subject s = {{5, 60000}, 0};
    for (int i = 0; i < 5; i++)
        assert_true(hit(&s, T0).allowed);
    /* reset said 60 s: then the whole burst is back */
    for (int i = 0; i < 5; i++)
        assert_true(hit(&s, T0 + 60 * S).allowed);
    assert_false(hit(&s, T0 + 60 * S).allowed);
    /* a TAT far in the past (an idle subject) is a full allowance */
    s.tat = T0 - 86400 * S;
    wh_ratelimit_result r = hit(&s, T0);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 4);
}

static void test_retry_after_is_exact(void **state)
{
    (void)state;
    subject s = {{7, 60000}, 0}; /* interval 8.571428 s: nothing divides evenly */
    for (int i = 0; i < 7; i++)
        assert_true(hit(&s, T0).allowed);
    wh_ratelimit_result r = hit(&s, T0 + 1 * S);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after_s, 8); /* 8.57 - 1 = 7.57 s, rounded up */
    assert_int_equal(r.reset_s, 59);      /* 59.99999 - 1 s, rounded up */
    /* waiting exactly what it said is enough */
    assert_true(hit(&s, T0 + 1 * S + r.retry_after_s * S).allowed);
}

static void test_spaced_requests_never_refused(void **state)
{
    (void)state;
    subject s = {{120, 60000}, 0};
    /* one request every 500 ms is exactly the sustained rate: always allowed, never draining */
    for (int i = 0; i < 1000; i++) {
        wh_ratelimit_result r = hit(&s, T0 + (int64_t)i * S / 2);
        assert_true(r.allowed);
        assert_int_equal(r.remaining, 119);
    }
}

static void test_huge_and_hourly_limits(void **state)
{
    (void)state;
    subject big = {{1000000, 60000}, 0}; /* 60 us per request */
    for (int i = 0; i < 1000000; i++)
        assert_true(hit(&big, T0).allowed);
    wh_ratelimit_result r = hit(&big, T0);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after_s, 1); /* never 0 */
    subject hour = {{10, 3600000}, 0};
    for (int i = 0; i < 10; i++)
        assert_true(hit(&hour, T0).allowed);
    r = hit(&hour, T0);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after_s, 360);
    assert_int_equal(r.reset_s, 3600);
    assert_int_equal(wh_ratelimit_interval_us(&hour.rule), 360 * S);
    /* the largest rule allowed, one a microsecond: a million back every second */
    subject top = {{60000000, 60000}, 0};
    assert_int_equal(wh_ratelimit_interval_us(&top.rule), 1);
    r = hit(&top, T0);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 60000000 - 1);
}

static void test_limit_one(void **state)
{
    (void)state;
    subject s = {{1, 60000}, 0};
    wh_ratelimit_result r = hit(&s, T0);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_int_equal(r.reset_s, 60);
    r = hit(&s, T0 + 59 * S);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after_s, 1);
    assert_true(hit(&s, T0 + 60 * S).allowed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_refusal),
        cmocka_unit_test(test_refill_one_per_interval),
        cmocka_unit_test(test_full_after_a_period),
        cmocka_unit_test(test_retry_after_is_exact),
        cmocka_unit_test(test_spaced_requests_never_refused),
        cmocka_unit_test(test_huge_and_hourly_limits),
        cmocka_unit_test(test_limit_one),
    };
    return cmocka_run_group_tests_name("unit_ratelimit_gcra", tests, NULL, NULL);
}
