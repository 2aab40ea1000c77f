/* Outbound integrations: one libcurl client with timeouts, a response cap and TLS verification;
 * retries with exponential backoff and full jitter; a circuit breaker per provider; the FMCSA,
 * SendGrid and Twilio clients on their real wire formats; and the outbox through which every
 * e-mail and SMS leaves, delivered by a worker thread.
 *
 * Thread safety: wh_integrations is shared by all request threads and the outbox worker; the
 * breakers lock internally; everything else in it is read-only after creation. */
#ifndef WH_INTEGRATIONS_INTEGRATIONS_H
#define WH_INTEGRATIONS_INTEGRATIONS_H

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    WH_PROVIDER_FMCSA,
    WH_PROVIDER_SENDGRID,
    WH_PROVIDER_TWILIO,
    WH_PROVIDER_COUNT
} wh_provider;

const char *wh_provider_name(wh_provider p);

/* ---- circuit breaker (pure logic; `now` is an input) ---- */
typedef enum { WH_BREAKER_CLOSED, WH_BREAKER_OPEN, WH_BREAKER_HALF_OPEN } wh_breaker_state;

typedef struct {
    pthread_mutex_t mu;
    int threshold;    /* consecutive failed calls that open it */
    int64_t reset_ms; /* how long it stays open before one probe */
    wh_breaker_state state;
    int failures;
    int64_t opened_at; /* ms; 0 when closed */
    bool probing;      /* half-open: the one probe is in flight */
} wh_breaker;

void wh_breaker_init(wh_breaker *b, int threshold, int64_t reset_ms);
void wh_breaker_cleanup(wh_breaker *b);
/* May a call go out now? Open: no, until reset_ms passed, then exactly one probe (half-open). */
bool wh_breaker_allow(wh_breaker *b, int64_t now_ms);
/* Records the outcome of a whole call (its retry sequence). */
void wh_breaker_record(wh_breaker *b, bool ok, int64_t now_ms);
void wh_breaker_snapshot(wh_breaker *b, wh_breaker_state *state, int *failures, int64_t *opened_at);
const char *wh_breaker_state_name(wh_breaker_state s);

/* ---- retry policy (pure) ---- */
typedef struct {
    int max_attempts;
    int64_t base_ms, max_ms;
} wh_retry_policy;

/* Retry on network errors and timeouts (status 0), 429 and 5xx; never on other statuses. */
bool wh_retry_retryable(int status);
/* The wait after failed attempt number `attempt` (1-based): full jitter, a random value in
 * [0, min(max_ms, base_ms * 2^(attempt-1))] drawn from rnd. A Retry-After (retry_after_ms >= 0)
 * is honoured exactly; one longer than max_ms returns -1: give up now. */
int64_t wh_retry_delay_ms(const wh_retry_policy *p, int attempt, int64_t retry_after_ms,
                          uint32_t rnd);

/* ---- one HTTP exchange ---- */
typedef struct {
    const char *method; /* "GET" or "POST" */
    const char *url;
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    const char *body;           /* NULL for none */
    size_t body_len;
    const char *userpwd; /* basic auth "user:password", or NULL */
    /* Optional: may a 2xx body be used? A 2xx answer it refuses counts as a failed attempt
     * (retried, and a failure for the breaker), like an outage. */
    bool (*usable)(const char *body, size_t len);
} wh_outbound_request;

typedef struct {
    int status; /* 0: no HTTP answer (network error, timeout, too large) */
    char *body; /* arena, NUL-terminated */
    size_t len;
    int64_t retry_after_ms; /* -1 when absent */
    char *message_id;       /* X-Message-Id header (SendGrid), arena, or NULL */
    char error[160];        /* why there is no answer */
    int attempts;           /* attempts made by wh_integrations_call */
} wh_outbound_response;

/* ---- the integrations object ---- */
typedef struct wh_integrations wh_integrations;

wh_integrations *wh_integrations_new(const wh_config *cfg);
void wh_integrations_free(wh_integrations *in);
bool wh_integrations_configured(const wh_integrations *in, wh_provider p);
wh_breaker *wh_integrations_breaker(wh_integrations *in, wh_provider p);

/* One call: the whole retry sequence, under the provider's breaker. WH_OK when the provider
 * gave a final answer (any status the caller must interpret, 2xx or a non-retryable 4xx).
 * 503 unavailable (WH_ERR_UNAVAILABLE) when the breaker is open (no request is made) or every
 * attempt failed. */
WH_MUST_USE wh_err wh_integrations_call(wh_integrations *in, wh_provider p, wh_arena *a,
                                        const wh_outbound_request *req, wh_outbound_response *resp,
                                        wh_error *e);

/* ---- FMCSA ---- */
typedef struct {
    const char *legal_name, *dba_name, *dot_number, *mc_number;
    const char *phone, *city, *state, *safety_rating;
    bool has_power_units, has_drivers;
    int64_t power_units, drivers;
    const char *status; /* ACTIVE, OUT_OF_SERVICE, NOT_AUTHORIZED, UNKNOWN */
    bool authorized;    /* allowed to operate */
} wh_fmcsa_carrier;

/* DOMAIN.md §2: OUT_OF_SERVICE if an out-of-service date is present or the status code is OOS;
 * else ACTIVE if allowed-to-operate is Y; NOT_AUTHORIZED if N; else UNKNOWN. */
const char *wh_fmcsa_normalise(const char *allowed, const char *status_code, const char *oos_date);
/* Parses a QCMobile body; *found false when content is null or empty. */
WH_MUST_USE wh_err wh_fmcsa_parse(wh_arena *a, const char *body, size_t len, bool docket,
                                  wh_fmcsa_carrier *out, bool *found, wh_error *e);
/* Looks a carrier up by DOT number (by_mc false) or MC number. *found false: FMCSA does not
 * know it. 503 when FMCSA is not configured, unreachable or its breaker is open. */
WH_MUST_USE wh_err wh_fmcsa_lookup(wh_integrations *in, wh_arena *a, bool by_mc, const char *number,
                                   wh_fmcsa_carrier *out, bool *found, wh_error *e);

/* ---- SendGrid and Twilio (one call each, under their breakers) ----
 * WH_ERR_UNAVAILABLE: temporary (not configured, breaker open, provider down): try later.
 * WH_ERR_REFUSED: the provider answered and refused the message: it fails for good. */
WH_MUST_USE wh_err wh_sendgrid_send(wh_integrations *in, wh_arena *a, const char *to,
                                    const char *subject, const char *text, const char **msg_id,
                                    wh_error *e);
WH_MUST_USE wh_err wh_twilio_send(wh_integrations *in, wh_arena *a, const char *to,
                                  const char *body, const char **sid, wh_error *e);

/* ---- outbox ---- */
/* Queues a message inside the caller's transaction. channel: "email" or "sms". */
WH_MUST_USE wh_err wh_outbox_enqueue(wh_conn *c, wh_arena *a, const char *channel,
                                     const char *recipient, const char *subject, const char *body,
                                     int64_t now_ms, wh_error *e);
/* Delivers the messages due at now_ms (the time of the listing), claiming each at the clock of
 * its claim with a lease of wh_outbox_lease_ms under `instance`, so several instances never
 * deliver one message twice. Stops claiming once half a lease has passed since now_ms (the rest
 * waits for the next call). Returns how many were attempted. */
int wh_outbox_deliver_due(wh_db *db, wh_integrations *in, const char *instance, int64_t now_ms);
/* How long a claim holds a message: longer than the worst-case delivery the configuration
 * allows (every one of WH_RETRY_MAX_ATTEMPTS attempts running into WH_HTTP_TIMEOUT_MS and then
 * waiting the longest backoff, WH_RETRY_MAX_MS), plus WH_LIMIT_OUTBOX_LEASE_MARGIN_MS for the
 * database writes around it. Pure. */
int64_t wh_outbox_lease_ms(const wh_config *cfg);
/* Settles of this process that found their lease already gone (taken over or expired and
 * claimed elsewhere): each one may mean a second delivery. For /metrics. Thread-safe. */
uint64_t wh_outbox_lost_leases(wh_integrations *in);

/* Rows (id, channel, recipient, subject, status, attempts, next_attempt_at, last_error,
 * provider_message_id, created_at, sent_at), newest first (id descending, the page of ks);
 * status "" or NULL for all. */
void wh_outbox_list_sql(const char *status, const wh_keyset *ks, wh_sqlb *b);

/* Rows (status, count) of the whole outbox (for /metrics). */
WH_MUST_USE wh_err wh_outbox_depth(wh_conn *c, wh_arena *a, wh_rows **out, wh_error *e);

/* The worker thread that calls wh_outbox_deliver_due every poll_ms until stopped. */
typedef struct wh_outbox_worker wh_outbox_worker;
wh_outbox_worker *wh_outbox_worker_start(wh_db *db, wh_integrations *in, const char *instance,
                                         int64_t poll_ms);
void wh_outbox_worker_stop(wh_outbox_worker *w);

struct wh_route;
/* GET /integrations, GET /outbox. */
const struct wh_route *wh_integrations_routes(size_t *n);

#endif
