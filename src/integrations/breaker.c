/* Circuit breaker. Closed: calls go out; `threshold` consecutive failed calls open it. Open:
 * calls are refused without touching the network until reset_ms has passed; then one probe is
 * let through (half-open) while other calls are still refused. The probe's success closes it,
 * its failure re-opens it for another reset_ms. */
#include "integrations/integrations.h"

void wh_breaker_init(wh_breaker *b, int threshold, int64_t reset_ms)
{
    pthread_mutex_init(&b->mu, NULL);
    b->threshold = threshold;
    b->reset_ms = reset_ms;
    b->state = WH_BREAKER_CLOSED;
    b->failures = 0;
    b->opened_at = 0;
    b->probing = false;
}

void wh_breaker_cleanup(wh_breaker *b)
{
    pthread_mutex_destroy(&b->mu);
}

bool wh_breaker_allow(wh_breaker *b, int64_t now_ms)
{
    bool ok = true;
    pthread_mutex_lock(&b->mu);
    if (b->state == WH_BREAKER_OPEN && now_ms - b->opened_at >= b->reset_ms) {
        b->state = WH_BREAKER_HALF_OPEN;
        b->probing = false;
    }
    if (b->state == WH_BREAKER_OPEN)
        ok = false;
    else if (b->state == WH_BREAKER_HALF_OPEN) {
        ok = !b->probing;
        b->probing = true;
    }
    pthread_mutex_unlock(&b->mu);
    return ok;
}

void wh_breaker_record(wh_breaker *b, bool ok, int64_t now_ms)
{
    pthread_mutex_lock(&b->mu);
    if (ok) {
        b->state = WH_BREAKER_CLOSED;
        b->failures = 0;
        b->opened_at = 0;
    } else {
        b->failures++;
        if (b->state == WH_BREAKER_HALF_OPEN || b->failures >= b->threshold) {
            b->state = WH_BREAKER_OPEN;
            b->opened_at = now_ms;
        }
    }
    b->probing = false;
    pthread_mutex_unlock(&b->mu);
}

void wh_breaker_snapshot(wh_breaker *b, wh_breaker_state *state, int *failures, int64_t *opened_at)
{
    pthread_mutex_lock(&b->mu);
    *state = b->state;
    *failures = b->failures;
    *opened_at = b->opened_at;
    pthread_mutex_unlock(&b->mu);
}

const char *wh_breaker_state_name(wh_breaker_state s)
{
    return s == WH_BREAKER_OPEN ? "open" : s == WH_BREAKER_HALF_OPEN ? "half_open" : "closed";
}
