/* Circuit breaker and retry policy, driven by a fake clock (plain numbers). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "integrations/integrations.h"

static void opens_after_threshold_consecutive_failures(void **state)
{
    wh_breaker b;
    (void)state;
    wh_breaker_init(&b, 3, 1000);
    wh_breaker_record(&b, false, 10);
    wh_breaker_record(&b, false, 20);
    wh_breaker_record(&b, true, 30); /* a success resets the count */
    wh_breaker_record(&b, false, 40);
    wh_breaker_record(&b, false, 50);
    assert_true(wh_breaker_allow(&b, 60));
    wh_breaker_record(&b, false, 60);
    assert_false(wh_breaker_allow(&b, 61));
    wh_breaker_state st;
    int failures;
    int64_t opened;
    wh_breaker_snapshot(&b, &st, &failures, &opened);
    assert_int_equal(st, WH_BREAKER_OPEN);
    assert_int_equal(failures, 3);
    assert_int_equal(opened, 60);
    wh_breaker_cleanup(&b);
}

static void open_refuses_until_reset_then_one_probe(void **state)
{
    wh_breaker b;
    (void)state;
    wh_breaker_init(&b, 1, 1000);
    wh_breaker_record(&b, false, 0);
    assert_false(wh_breaker_allow(&b, 999));
    assert_true(wh_breaker_allow(&b, 1000));  /* the probe */
    assert_false(wh_breaker_allow(&b, 1001)); /* only one while it is out */
    wh_breaker_state st;
    int failures;
    int64_t opened;
    wh_breaker_snapshot(&b, &st, &failures, &opened);
    assert_int_equal(st, WH_BREAKER_HALF_OPEN);
    assert_string_equal(wh_breaker_state_name(st), "half_open");
    wh_breaker_cleanup(&b);
}

static void probe_success_closes(void **state)
{
    wh_breaker b;
    (void)state;
    wh_breaker_init(&b, 2, 500);
    wh_breaker_record(&b, false, 0);
    wh_breaker_record(&b, false, 0);
    assert_true(wh_breaker_allow(&b, 600));
    wh_breaker_record(&b, true, 610);
    assert_true(wh_breaker_allow(&b, 611));
    assert_true(wh_breaker_allow(&b, 612));
    wh_breaker_state st;
    int failures;
    int64_t opened;
    wh_breaker_snapshot(&b, &st, &failures, &opened);
    assert_int_equal(st, WH_BREAKER_CLOSED);
    assert_int_equal(failures, 0);
    assert_int_equal(opened, 0);
    wh_breaker_cleanup(&b);
}

static void probe_failure_reopens_for_another_period(void **state)
{
    wh_breaker b;
    (void)state;
    wh_breaker_init(&b, 2, 500);
    wh_breaker_record(&b, false, 0);
    wh_breaker_record(&b, false, 0);
    assert_true(wh_breaker_allow(&b, 500));
    wh_breaker_record(&b, false, 520);
    assert_false(wh_breaker_allow(&b, 1019));
    assert_true(wh_breaker_allow(&b, 1020));
    wh_breaker_cleanup(&b);
}

static void retryable_statuses(void **state)
{
    (void)state;
    assert_true(wh_retry_retryable(0));
    assert_true(wh_retry_retryable(429));
    assert_true(wh_retry_retryable(500));
    assert_true(wh_retry_retryable(503));
    assert_false(wh_retry_retryable(200));
    assert_false(wh_retry_retryable(400));
    assert_false(wh_retry_retryable(401));
    assert_false(wh_retry_retryable(404));
}

static void backoff_doubles_with_full_jitter_and_cap(void **state)
{
    wh_retry_policy p = {.max_attempts = 4, .base_ms = 1000, .max_ms = 10000};
    (void)state;
    /* the largest random value reaches the cap of each step: 1 s, 2 s, 4 s, 8 s, then 10 s */
    assert_int_equal(wh_retry_delay_ms(&p, 1, -1, 1000), 1000);
    assert_int_equal(wh_retry_delay_ms(&p, 2, -1, 2000), 2000);
    assert_int_equal(wh_retry_delay_ms(&p, 3, -1, 4000), 4000);
    assert_int_equal(wh_retry_delay_ms(&p, 4, -1, 8000), 8000);
    assert_int_equal(wh_retry_delay_ms(&p, 5, -1, 10000), 10000);
    assert_int_equal(wh_retry_delay_ms(&p, 9, -1, 10000), 10000);
    /* full jitter: anything from 0 up to the cap */
    assert_int_equal(wh_retry_delay_ms(&p, 1, -1, 0), 0);
    assert_int_equal(wh_retry_delay_ms(&p, 2, -1, 2001), 0);
    assert_int_equal(wh_retry_delay_ms(&p, 3, -1, 4002), 1);
    for (uint32_t rnd = 0; rnd < 100000; rnd += 977)
        assert_true(wh_retry_delay_ms(&p, 3, -1, rnd) <= 4000);
}

static void retry_after_is_honoured_or_gives_up(void **state)
{
    wh_retry_policy p = {.max_attempts = 4, .base_ms = 1000, .max_ms = 10000};
    (void)state;
    assert_int_equal(wh_retry_delay_ms(&p, 1, 3000, 0), 3000);
    assert_int_equal(wh_retry_delay_ms(&p, 1, 0, 12345), 0);
    assert_int_equal(wh_retry_delay_ms(&p, 1, 10000, 0), 10000);
    assert_int_equal(wh_retry_delay_ms(&p, 1, 10001, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opens_after_threshold_consecutive_failures),
        cmocka_unit_test(open_refuses_until_reset_then_one_probe),
        cmocka_unit_test(probe_success_closes),
        cmocka_unit_test(probe_failure_reopens_for_another_period),
        cmocka_unit_test(retryable_statuses),
        cmocka_unit_test(backoff_doubles_with_full_jitter_and_cap),
        cmocka_unit_test(retry_after_is_honoured_or_gives_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
