/* Retry policy: which answers are worth another attempt, and how long to wait. Pure. */
#include "integrations/integrations.h"

bool wh_retry_retryable(int status)
{
    return status == 0 || status == 429 || (status >= 500 && status <= 599);
}

int64_t wh_retry_delay_ms(const wh_retry_policy *p, int attempt, int64_t retry_after_ms,
                          uint32_t rnd)
{
    if (retry_after_ms >= 0)
        return retry_after_ms <= p->max_ms ? retry_after_ms : -1;
    int64_t cap = p->base_ms;
    for (int i = 1; i < attempt && cap < p->max_ms; i++)
        cap *= 2;
    if (cap > p->max_ms)
        cap = p->max_ms;
    return (int64_t)(rnd % (uint64_t)(cap + 1));
}
