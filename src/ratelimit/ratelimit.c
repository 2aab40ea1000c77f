/* The limiter front: backend choice, keys, counters and what a backend failure means. A key is
 * wh:rl:<database id>:<class>:<subject>; the counters are atomics, read by /metrics.
 *
 * A shared (Redis) backend that fails decides nothing. The auth classes then fail closed: the
 * request is decided by an in-process table kept for exactly this (per instance, so a client
 * spreading guesses over N instances gets N allowances while Redis is down, still bounded). The
 * read and write classes fail open: allowed, unknown, counted. */
#include "core/alloc.h"
#include "core/limits.h"
#include "ratelimit/ratelimit_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct wh_ratelimit {
    const wh_ratelimit_backend *be;
    void *impl;
    void *fallback; /* in-process table for the fail-closed classes; NULL for the memory backend */
    char prefix[64];
    wh_ratelimit_rule rules[WH_RATELIMIT_CLASSES];
    atomic_long allowed[WH_RATELIMIT_CLASSES];
    atomic_long rejected[WH_RATELIMIT_CLASSES];
    atomic_long errors;
    atomic_long failed_open;
};

static const char *const class_names[WH_RATELIMIT_CLASSES] = {"auth_ip", "auth_email", "read",
                                                              "write"};

wh_err wh_ratelimit_new(const char *redis_url, const char *key_prefix,
                        const wh_ratelimit_rule rules[WH_RATELIMIT_CLASSES], wh_ratelimit **out,
                        wh_error *e)
{
    void *impl = NULL;
    const wh_ratelimit_backend *be = &wh_ratelimit_memory_backend;
    *out = NULL;
    if (redis_url && *redis_url) {
        wh_err rc = wh_ratelimit_redis_new(redis_url, &impl, e);
        if (rc != WH_OK)
            return rc;
        be = &wh_ratelimit_redis_backend;
    } else {
        impl = wh_ratelimit_memory_new(WH_LIMIT_RATE_ENTRIES);
    }
    wh_ratelimit *rl = wh_calloc(1, sizeof *rl);
    rl->be = be;
    rl->impl = impl;
    if (be != &wh_ratelimit_memory_backend)
        rl->fallback = wh_ratelimit_memory_new(WH_LIMIT_RATE_ENTRIES);
    snprintf(rl->prefix, sizeof rl->prefix, "%s", key_prefix ? key_prefix : "");
    memcpy(rl->rules, rules, sizeof rl->rules);
    for (int i = 0; i < WH_RATELIMIT_CLASSES; i++) {
        atomic_init(&rl->allowed[i], 0);
        atomic_init(&rl->rejected[i], 0);
    }
    atomic_init(&rl->errors, 0);
    atomic_init(&rl->failed_open, 0);
    *out = rl;
    return WH_OK;
}

void wh_ratelimit_free(wh_ratelimit *rl)
{
    if (!rl)
        return;
    rl->be->free(rl->impl);
    if (rl->fallback)
        wh_ratelimit_memory_backend.free(rl->fallback);
    wh_free(rl);
}

const char *wh_ratelimit_backend_name(const wh_ratelimit *rl)
{
    return rl->be->name;
}

const char *wh_ratelimit_class_name(wh_ratelimit_class cls)
{
    return cls >= 0 && cls < WH_RATELIMIT_CLASSES ? class_names[cls] : "unknown";
}

wh_ratelimit_rule wh_ratelimit_rule_get(const wh_ratelimit *rl, wh_ratelimit_class cls)
{
    return rl->rules[cls];
}

bool wh_ratelimit_fails_closed(wh_ratelimit_class cls)
{
    return cls == WH_RATELIMIT_AUTH_IP || cls == WH_RATELIMIT_AUTH_EMAIL;
}

void wh_ratelimit_take(wh_ratelimit *rl, wh_ratelimit_class cls, const char *subject,
                       int64_t now_ms, wh_ratelimit_result *out)
{
    /* "wh:rl:<prefix>:<class>:<subject>", cut short as snprintf would be: built without
     * printf, since every request makes one */
    char key[WH_LIMIT_RATE_KEY_CHARS];
    const char *parts[] = {"wh:rl:", rl->prefix, ":", class_names[cls], ":", subject};
    size_t at = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t len = strlen(parts[i]);
        if (len > sizeof key - 1 - at)
            len = sizeof key - 1 - at;
        memcpy(key + at, parts[i], len);
        at += len;
    }
    key[at] = '\0';
    memset(out, 0, sizeof *out);
    bool decided = rl->be->take(rl->impl, key, &rl->rules[cls], now_ms * 1000, out);
    if (!decided) {
        /* see the file comment and docs/ratelimit.md */
        atomic_fetch_add(&rl->errors, 1);
        memset(out, 0, sizeof *out);
        if (rl->fallback && wh_ratelimit_fails_closed(cls))
            decided = wh_ratelimit_memory_backend.take(rl->fallback, key, &rl->rules[cls],
                                                       now_ms * 1000, out);
    }
    if (!decided) {
        atomic_fetch_add(&rl->failed_open, 1);
        out->allowed = true;
        out->limit = rl->rules[cls].limit;
        return;
    }
    atomic_fetch_add(out->allowed ? &rl->allowed[cls] : &rl->rejected[cls], 1);
}

void wh_ratelimit_stats_get(wh_ratelimit *rl, wh_ratelimit_stats *out)
{
    for (int i = 0; i < WH_RATELIMIT_CLASSES; i++) {
        out->allowed[i] = atomic_load(&rl->allowed[i]);
        out->rejected[i] = atomic_load(&rl->rejected[i]);
    }
    out->errors = atomic_load(&rl->errors);
    out->failed_open = atomic_load(&rl->failed_open);
}
