/* The generic cell rate algorithm, pure. One number per subject, the theoretical arrival time
 * (TAT): the instant at which the subject's allowance is full again. A request at now is
 * allowed when, after adding one emission interval T to max(TAT, now), the TAT is at most
 * tau = limit * T ahead of now; only an allowed request moves the TAT. */
#include "ratelimit/ratelimit_int.h"

#define US_PER_S 1000000

static int64_t ceil_s(int64_t us)
{
    return us <= 0 ? 0 : (us + US_PER_S - 1) / US_PER_S;
}

int64_t wh_ratelimit_interval_us(const wh_ratelimit_rule *rule)
{
    int64_t t = rule->period_ms * 1000 / rule->limit;
    return t > 0 ? t : 1;
}

void wh_ratelimit_gcra(const wh_ratelimit_rule *rule, int64_t tat_us, int64_t now_us,
                       int64_t *new_tat_us, wh_ratelimit_result *out)
{
    int64_t t = wh_ratelimit_interval_us(rule);
    int64_t tau = t * rule->limit;
    int64_t base = tat_us > now_us ? tat_us : now_us;
    int64_t next = base + t;
    out->known = true;
    out->limit = rule->limit;
    if (next - now_us > tau) {
        out->allowed = false;
        out->remaining = 0;
        out->reset_s = ceil_s(base - now_us);
        out->retry_after_s = ceil_s(next - now_us - tau);
        *new_tat_us = tat_us;
        return;
    }
    out->allowed = true;
    out->remaining = (tau - (next - now_us)) / t;
    out->reset_s = ceil_s(next - now_us);
    out->retry_after_s = 0;
    *new_tat_us = next;
}
