/* Inside the cache module: the backend table and the two backends' constructors. */
#ifndef WH_CACHE_CACHE_INT_H
#define WH_CACHE_CACHE_INT_H

#include "cache/cache.h"

/* A backend: get returns a malloc'd copy of the value (false on a miss or a failure, with
 * *failed telling which); put stores a copy, silently dropping it on failure (reported through
 * the return value for the error counter). */
typedef struct {
    const char *name;
    bool (*get)(void *impl, const char *key, int64_t now_ms, char **val, size_t *len, bool *failed);
    bool (*put)(void *impl, const char *key, const char *val, size_t len, int64_t now_ms,
                int64_t ttl_s);
    void (*free)(void *impl);
} wh_cache_backend;

extern const wh_cache_backend wh_cache_memory_backend;
extern const wh_cache_backend wh_cache_redis_backend;

/* The in-process LRU: at most max_entries values of at most max_value bytes each. */
void *wh_cache_memory_new(size_t max_entries, size_t max_value);
/* A Redis client for url; 400 for a malformed URL. Connects lazily. */
WH_MUST_USE wh_err wh_cache_redis_new(const char *url, void **out, wh_error *e);

#endif
