/* The integrations object and the one call path every provider uses: breaker check, then up to
 * max_attempts exchanges with backoff and full jitter, then the breaker records the outcome. */
#include "integrations/integrations_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const names[WH_PROVIDER_COUNT] = {"fmcsa", "sendgrid", "twilio"};

const char *wh_provider_name(wh_provider p)
{
    return p < WH_PROVIDER_COUNT ? names[p] : "unknown";
}

wh_integrations *wh_integrations_new(const wh_config *cfg)
{
    wh_integrations *in = wh_calloc(1, sizeof *in);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    in->cfg = cfg;
    for (int i = 0; i < WH_PROVIDER_COUNT; i++)
        wh_breaker_init(&in->breakers[i], cfg->breaker_failures, cfg->breaker_reset_s * 1000);
    in->retry.max_attempts = cfg->retry_max_attempts;
    in->retry.base_ms = cfg->retry_base_ms;
    in->retry.max_ms = cfg->retry_max_ms;
    return in;
}

void wh_integrations_free(wh_integrations *in)
{
    if (!in)
        return;
    for (int i = 0; i < WH_PROVIDER_COUNT; i++)
        wh_breaker_cleanup(&in->breakers[i]);
    wh_free(in);
    curl_global_cleanup();
}

bool wh_integrations_configured(const wh_integrations *in, wh_provider p)
{
    const wh_config *c = in->cfg;
    switch (p) {
    case WH_PROVIDER_FMCSA:
        return c->fmcsa_webkey != NULL;
    case WH_PROVIDER_SENDGRID:
        return c->sendgrid_api_key && c->sendgrid_from;
    case WH_PROVIDER_TWILIO:
        return c->twilio_sid && c->twilio_token && c->twilio_from;
    default:
        return false;
    }
}

wh_breaker *wh_integrations_breaker(wh_integrations *in, wh_provider p)
{
    return &in->breakers[p];
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Attempts until a final answer, a non-retryable status, or the attempts run out. */
static void attempts(wh_integrations *in, wh_arena *a, const wh_outbound_request *req,
                     wh_outbound_response *resp)
{
    for (int attempt = 1;; attempt++) {
        wh_outbound_exchange(a, req, (long)in->cfg->http_connect_timeout_ms,
                             (long)in->cfg->http_timeout_ms, resp);
        resp->attempts = attempt;
        if (resp->status >= 200 && resp->status < 300 && req->usable &&
            !req->usable(resp->body, resp->len)) {
            snprintf(resp->error, sizeof resp->error, "HTTP %d with an unreadable body",
                     resp->status);
            resp->status = 0;
        }
        if (!wh_retry_retryable(resp->status) || attempt >= in->retry.max_attempts)
            return;
        uint32_t rnd;
        wh_crypto_random(&rnd, sizeof rnd);
        int64_t wait = wh_retry_delay_ms(&in->retry, attempt, resp->retry_after_ms, rnd);
        if (wait < 0)
            return; /* Retry-After longer than we may wait */
        sleep_ms(wait);
    }
}

wh_err wh_integrations_call(wh_integrations *in, wh_provider p, wh_arena *a,
                            const wh_outbound_request *req, wh_outbound_response *resp, wh_error *e)
{
    wh_breaker *b = &in->breakers[p];
    memset(resp, 0, sizeof *resp);
    resp->retry_after_ms = -1;
    if (!wh_breaker_allow(b, wh_clock_now_ms()))
        return wh_fail(e, WH_ERR_UNAVAILABLE,
                       "%s is failing; calls are paused for a while (circuit open).", names[p]);
    attempts(in, a, req, resp);
    bool ok = !wh_retry_retryable(resp->status);
    wh_breaker_record(b, ok, wh_clock_now_ms());
    if (ok)
        return WH_OK;
    char why[200];
    if (resp->status)
        snprintf(why, sizeof why, "HTTP %d", resp->status);
    else
        snprintf(why, sizeof why, "%s", resp->error);
    wh_log(WH_LOG_WARN, "%s call failed after %d attempts: %s", names[p], resp->attempts, why);
    return wh_fail(e, WH_ERR_UNAVAILABLE, "%s is unavailable (%s after %d attempts).", names[p],
                   why, resp->attempts);
}

char *wh_outbound_escape(wh_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = wh_arena_alloc(a, n * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}
