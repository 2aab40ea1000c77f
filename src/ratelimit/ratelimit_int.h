/* Inside the rate-limit module: the pure GCRA step, the backend table and the backends'
 * constructors. */
#ifndef WH_RATELIMIT_RATELIMIT_INT_H
#define WH_RATELIMIT_RATELIMIT_INT_H

#include "ratelimit/ratelimit.h"

#include <stddef.h>

/* GCRA (pure, no clock, no I/O): given the theoretical arrival time tat_us of subject (0 or
 * anything <= now_us: none, the allowance is full) and now_us, decides one request under rule,
 * fills out (known = true) and sets *new_tat_us (unchanged when rejected). Times are
 * microseconds; the emission interval is period / limit, truncated to whole microseconds, and
 * the burst tolerance is exactly limit intervals, so a full allowance is exactly limit
 * requests. */
void wh_ratelimit_gcra(const wh_ratelimit_rule *rule, int64_t tat_us, int64_t now_us,
                       int64_t *new_tat_us, wh_ratelimit_result *out);
/* The emission interval of rule in microseconds (>= 1). */
int64_t wh_ratelimit_interval_us(const wh_ratelimit_rule *rule);

/* A backend: take decides one request for key (the full key, prefix included) and stores the
 * new state when allowed; false when the backend failed (out untouched). */
typedef struct {
    const char *name;
    bool (*take)(void *impl, const char *key, const wh_ratelimit_rule *rule, int64_t now_us,
                 wh_ratelimit_result *out);
    void (*free)(void *impl);
} wh_ratelimit_backend;

extern const wh_ratelimit_backend wh_ratelimit_memory_backend;
extern const wh_ratelimit_backend wh_ratelimit_redis_backend;

/* The in-process table: at most max_entries keys (then expired ones are reclaimed, else the one
 * nearest to a full allowance among a sample is dropped). */
void *wh_ratelimit_memory_new(size_t max_entries);
/* Keys currently held (tests). */
size_t wh_ratelimit_memory_count(void *impl);
/* A Redis client for url; 400 for a malformed URL. Connects lazily. */
WH_MUST_USE wh_err wh_ratelimit_redis_new(const char *url, void **out, wh_error *e);

#endif
