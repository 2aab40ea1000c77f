/* Private to src/integrations. */
#ifndef WH_INTEGRATIONS_INTEGRATIONS_INT_H
#define WH_INTEGRATIONS_INTEGRATIONS_INT_H

#include "integrations/integrations.h"

#include <stdatomic.h>

struct wh_integrations {
    const wh_config *cfg; /* borrowed: lives in wh_app, frozen */
    wh_breaker breakers[WH_PROVIDER_COUNT];
    wh_retry_policy retry;
    _Atomic uint64_t outbox_lost_leases; /* settles that found their lease gone */
};

/* One attempt; never fails, the outcome is in resp (status 0: no answer). */
void wh_outbound_exchange(wh_arena *a, const wh_outbound_request *req, long connect_ms,
                          long total_ms, wh_outbound_response *resp);
/* Percent-encodes s for a URL path segment or a form value (arena). */
char *wh_outbound_escape(wh_arena *a, const char *s);

#endif
