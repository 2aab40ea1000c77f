/* Rate limits (DESIGN.md "Rate limits", docs/ratelimit.md): GCRA per (class, subject), in one
 * of two backends chosen once at start-up - in process (one machine) or Redis (shared by every
 * instance, decided atomically on the Redis server's clock). Callers never branch on the
 * backend.
 *
 * Semantics: a rule "limit N per period P" allows a burst of N requests and refills one every
 * P/N. A rejected request changes nothing (it does not use up allowance).
 *
 * The limiter protects capacity and slows guessing; it is not a source of truth. When Redis
 * fails (the failure is counted and logged once per back-off), the auth classes fail closed:
 * the request is decided by an in-process table of this instance instead. The read and write
 * classes fail open: the request is allowed, unknown, and counted (DOMAIN.md §11). */
#ifndef WH_RATELIMIT_RATELIMIT_H
#define WH_RATELIMIT_RATELIMIT_H

#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct wh_ratelimit wh_ratelimit;

/* The limited classes: public auth routes per client IP, login and code requests per e-mail,
 * signed-in reads (GET/HEAD) and writes per user. */
typedef enum {
    WH_RATELIMIT_AUTH_IP,
    WH_RATELIMIT_AUTH_EMAIL,
    WH_RATELIMIT_READ,
    WH_RATELIMIT_WRITE,
    WH_RATELIMIT_CLASSES
} wh_ratelimit_class;

/* limit requests per period_ms: 1 <= limit <= WH_LIMIT_RATE_MAX, period_ms >= 1000. */
typedef struct {
    int64_t limit;
    int64_t period_ms;
} wh_ratelimit_rule;

/* The decision for one request. known is false when the backend failed and the class fails
 * open: the request is then allowed and the other figures are meaningless. remaining: requests
 * allowed right now after this one; reset_s: seconds until the allowance is full again (rounded
 * up); retry_after_s: seconds until a request would be allowed (>= 1 when rejected, else 0). */
typedef struct {
    bool allowed;
    bool known;
    int64_t limit, remaining, reset_s, retry_after_s;
} wh_ratelimit_result;

/* Counters since start (for /metrics and tests). allowed and rejected count decisions, those of
 * the in-process fallback included; errors: backend failures; failed_open: the part of those
 * allowed without a decision (read and write classes). */
typedef struct {
    long allowed[WH_RATELIMIT_CLASSES];
    long rejected[WH_RATELIMIT_CLASSES];
    long errors;
    long failed_open;
} wh_ratelimit_stats;

/* A Redis limiter when redis_url is set, else an in-process one. key_prefix (copied; the
 * database identity) is put into every key, so a Redis shared with another database never
 * mixes budgets. rules: one per class. Redis is contacted lazily. 400 for a malformed URL. */
WH_MUST_USE wh_err wh_ratelimit_new(const char *redis_url, const char *key_prefix,
                                    const wh_ratelimit_rule rules[WH_RATELIMIT_CLASSES],
                                    wh_ratelimit **out, wh_error *e);
void wh_ratelimit_free(wh_ratelimit *rl);
/* "memory" or "redis". */
const char *wh_ratelimit_backend_name(const wh_ratelimit *rl);
/* "auth_ip", "auth_email", "read", "write" (metric labels). */
const char *wh_ratelimit_class_name(wh_ratelimit_class cls);
/* The rule of a class. */
wh_ratelimit_rule wh_ratelimit_rule_get(const wh_ratelimit *rl, wh_ratelimit_class cls);

/* True for the classes that fail closed when the shared backend fails (auth_ip, auth_email). */
bool wh_ratelimit_fails_closed(wh_ratelimit_class cls);

/* Charges one request of subject (a short printable text: "u:42", "ip:10.0.0.1") to class cls
 * at now_ms (the caller's clock; the Redis backend uses the Redis server's clock instead, the
 * in-process fallback this one). Never fails: a backend failure is decided in process for a
 * class that fails closed, and answers allowed with known = false for the others.
 * Thread-safe. */
void wh_ratelimit_take(wh_ratelimit *rl, wh_ratelimit_class cls, const char *subject,
                       int64_t now_ms, wh_ratelimit_result *out);

void wh_ratelimit_stats_get(wh_ratelimit *rl, wh_ratelimit_stats *out);

#endif
