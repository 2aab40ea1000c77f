/* The outbox lease arithmetic (pure): a claim must outlast the longest delivery the retry
 * configuration allows, or a second instance may claim a message that is still being sent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/limits.h"
#include "integrations/integrations.h"

/* The longest one delivery can take under cfg: every attempt runs into the total timeout, and
 * every wait between attempts is the longest the retry policy returns: a Retry-After of exactly
 * WH_RETRY_MAX_MS is still honoured, and full jitter never exceeds it (checked here too). */
static int64_t worst_delivery_ms(const wh_config *cfg)
{
    wh_retry_policy p = {cfg->retry_max_attempts, cfg->retry_base_ms, cfg->retry_max_ms};
    int64_t total = cfg->http_timeout_ms;
    for (int attempt = 1; attempt < cfg->retry_max_attempts; attempt++) {
        int64_t wait = wh_retry_delay_ms(&p, attempt, cfg->retry_max_ms, 0);
        assert_int_equal(wait, cfg->retry_max_ms);
        assert_true(wh_retry_delay_ms(&p, attempt, -1, UINT32_MAX) <= wait);
        assert_true(wh_retry_delay_ms(&p, attempt, -1, (uint32_t)cfg->retry_max_ms) <= wait);
        total += wait + cfg->http_timeout_ms;
    }
    return total;
}

static wh_config config(int attempts, int64_t base_ms, int64_t max_ms, int64_t timeout_ms)
{
    wh_config c = {0};
    c.retry_max_attempts = attempts;
    c.retry_base_ms = base_ms;
    c.retry_max_ms = max_ms;
    c.http_timeout_ms = timeout_ms;
    return c;
}

/* The defaults of the review: 4 attempts with 10 s timeouts and 10 s waits take up to 70 s, more
 * than the fixed 60 s lease of old; the lease now covers them with the margin to spare. */
static void lease_outlasts_the_default_worst_case(void **state)
{
    (void)state;
    wh_config c = config(4, 1000, 10000, 10000);
    assert_int_equal(worst_delivery_ms(&c), 70000);
    assert_true(wh_outbox_lease_ms(&c) > 60000);
    assert_true(wh_outbox_lease_ms(&c) >= worst_delivery_ms(&c) + WH_LIMIT_OUTBOX_LEASE_MARGIN_MS);
}

/* Over a spread of configurations, the lease is always past the worst case by the margin, and
 * grows with each input. */
static void lease_outlasts_every_configuration(void **state)
{
    static const int attempts[] = {1, 2, 4, 10};
    static const int64_t waits[] = {1, 500, 10000, 3600000};
    static const int64_t timeouts[] = {10, 300, 10000, 600000};
    (void)state;
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            for (size_t k = 0; k < 4; k++) {
                wh_config c = config(attempts[i], 1, waits[j], timeouts[k]);
                int64_t lease = wh_outbox_lease_ms(&c);
                assert_true(lease >= worst_delivery_ms(&c) + WH_LIMIT_OUTBOX_LEASE_MARGIN_MS);
                wh_config more = config(attempts[i] + 1, 1, waits[j], timeouts[k]);
                assert_true(wh_outbox_lease_ms(&more) > lease);
                more = config(attempts[i], 1, waits[j] + 1, timeouts[k] + 1);
                assert_true(wh_outbox_lease_ms(&more) > lease);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lease_outlasts_the_default_worst_case),
        cmocka_unit_test(lease_outlasts_every_configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
