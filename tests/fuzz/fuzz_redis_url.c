/* The Redis URL parser (static in src/cache/redis.c) through wh_cache_new. The input up to a
 * NUL is the URL. Redis is contacted lazily, so nothing connects. Properties: the result is
 * WH_OK with a cache of the right backend, or WH_ERR_INVALID with a 400 naming WH_REDIS_URL and
 * no cache; anything not starting with redis:// is refused. */
#include "fuzz.h"

#include "cache/cache.h"
#include "core/err.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wh_error e;
    wh_cache *c = NULL;
    char *url = fuzz_cstr(data, size);
    wh_error_init(&e);
    wh_err rc = wh_cache_new(url, 60, &c, &e);
    FUZZ_CHECK(rc == WH_OK || rc == WH_ERR_INVALID);
    if (rc == WH_OK) {
        FUZZ_CHECK(c != NULL && e.status == 0);
        FUZZ_CHECK(strcmp(wh_cache_backend_name(c), url[0] ? "redis" : "memory") == 0);
        FUZZ_CHECK(!url[0] || strncmp(url, "redis://", 8) == 0);
    } else {
        FUZZ_CHECK(c == NULL && e.status == 400 && e.nfields == 1);
        FUZZ_CHECK(strcmp(e.fields[0].field, "WH_REDIS_URL") == 0);
    }
    wh_cache_free(c);
    free(url);
    return 0;
}
