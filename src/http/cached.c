/* Cached GET responses (DESIGN.md "Cache"): the rendered body and its ETag are kept in the
 * app's cache under a key of the route pattern plus everything else the body depends on, which
 * the handler names. Every answer, fresh or cached, carries Cache-Control: private, no-cache
 * and the ETag; a matching If-None-Match gets 304. */
#include "http/http.h"
#include "app.h"
#include "cache/cache.h"
#include "core/alloc.h"
#include "core/crypto.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

/* A cached value: the quoted ETag, a newline, the JSON body. */
enum { ETAG_CHARS = 34 };

typedef struct {
    wh_req *r;
    wh_render_fn render;
    void *ctx;
} fill_ctx;

static wh_err fill(void *p, wh_buf *out, wh_error *e)
{
    fill_ctx *f = p;
    json_t *body = NULL;
    wh_err rc = f->render(f->r, f->ctx, &body, e);
    if (rc != WH_OK)
        return rc;
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    if (!text)
        return wh_fail(e, WH_ERR_INTERNAL, "the response could not be rendered");
    char hex[WH_CRYPTO_SHA256_HEX];
    wh_crypto_sha256_hex(text, strlen(text), hex);
    hex[32] = '\0';
    rc = wh_buf_printf(out, "\"%s\"\n%s", hex, text);
    free(text);
    if (rc != WH_OK)
        return wh_fail(e, WH_ERR_INTERNAL, "the response is too large to cache");
    return WH_OK;
}

wh_err wh_resp_cached(wh_req *r, const char *vary, wh_render_fn render, void *ctx, wh_error *e)
{
    fill_ctx f = {r, render, ctx};
    char *val = NULL;
    size_t len = 0;
    bool hit = false;
    if (!r->route || !(r->route->flags & WH_ROUTE_CACHED)) {
        wh_log(WH_LOG_ERROR, "wh_resp_cached on route %s, which is not flagged WH_ROUTE_CACHED",
               r->route ? r->route->pattern : "(none)");
        return wh_fail(e, WH_ERR_INTERNAL, "This route may not answer from the cache.");
    }
    const char *key = wh_arena_printf(&r->arena, "wh:cache:%s:%s?%s", r->app->database_id,
                                      r->route->pattern, vary);
    wh_err rc = wh_cache_fetch(r->app->cache, key, r->now_ms, fill, &f, &val, &len, &hit, e);
    if (rc != WH_OK)
        return rc;
    if (len < ETAG_CHARS + 1 || val[ETAG_CHARS] != '\n') {
        wh_free(val);
        return wh_fail(e, WH_ERR_INTERNAL, "a cached value is malformed");
    }
    const char *etag = wh_arena_strndup(&r->arena, val, ETAG_CHARS);
    size_t body_len = len - ETAG_CHARS - 1;
    char *body = wh_arena_strndup(&r->arena, val + ETAG_CHARS + 1, body_len);
    wh_free(val);
    wh_resp_header_add(r, "Cache-Control", "private, no-cache");
    wh_resp_header_add(r, "ETag", etag);
    wh_resp_header_add(r, "X-Cache", hit ? "hit" : "miss");
    const char *inm = wh_req_header(r, "If-None-Match");
    if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) /* one tag or a list */
        return wh_resp_empty(r, 304);
    return wh_resp_raw(r, 200, "application/json", body, body_len);
}
