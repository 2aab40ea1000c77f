/* Cached GET answers (DESIGN.md "Cache", docs/cache.md): the rendered body, its ETag and the same
 * body gzip-compressed are kept in the app's cache under a key of the route pattern, everything
 * else the body depends on (named by the handler) and the venture's data version. Every answer,
 * fresh or cached, carries Cache-Control: private, no-cache and the ETag; a matching
 * If-None-Match gets 304.
 *
 * A stored value is `"<etag>"\n<plain length>\n<plain body><gzip body>`; the gzip part is empty
 * when the body is too small to be compressed (http/compress.c), so a hit that the client lets
 * us compress sends stored bytes and compresses nothing. The data version comes from the
 * process's memo of versions (app->versions) when it holds it, so a hit runs no query and takes
 * no pooled connection. */
#include "http/http_int.h"
#include "app.h"
#include "cache/cache.h"
#include "core/alloc.h"
#include "core/crypto.h"
#include "core/log.h"
#include "ventures/ventures.h"

#include <stdlib.h>
#include <string.h>

enum { ETAG_CHARS = 34 }; /* the quoted ETag */

typedef struct {
    wh_req *r;
    wh_render_fn render;
    void *ctx;
    int64_t venture_id, version; /* the version the key names */
} fill_ctx;

/* A miss renders on the request's connection for reads, which may be a replica's: the value is
 * stored under the version the key names (heard from the primary), so a replica that has not
 * replayed that version yet would store an older answer under it. Then the primary renders. */
static wh_err fresh_enough(fill_ctx *f, wh_error *e)
{
    wh_conn *c = NULL;
    int64_t have = 0;
    wh_err rc = wh_req_db(f->r, &c, e);
    if (rc != WH_OK || !wh_db_is_replica(c))
        return rc;
    rc = wh_venture_version_get(c, &f->r->arena, f->venture_id, &have, e);
    if (rc == WH_OK && have < f->version)
        rc = wh_db_use_primary(c, e);
    return rc;
}

static wh_err fill(void *p, wh_buf *out, wh_error *e)
{
    fill_ctx *f = p;
    json_t *body = NULL;
    const char *gz = NULL;
    size_t gz_len = 0;
    wh_err rc = fresh_enough(f, e);
    if (rc == WH_OK)
        rc = f->render(f->r, f->ctx, &body, e);
    if (rc != WH_OK)
        return rc;
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    if (!text)
        return wh_fail(e, WH_ERR_INTERNAL, "the response could not be rendered");
    size_t n = strlen(text);
    char hex[WH_CRYPTO_SHA256_HEX];
    wh_crypto_sha256_hex(text, n, hex);
    hex[32] = '\0';
    (void)wh_http_gzip(&f->r->arena, text, n, &gz, &gz_len);
    rc = wh_buf_printf(out, "\"%s\"\n%zu\n", hex, n);
    if (rc == WH_OK)
        rc = wh_buf_append(out, text, n);
    if (rc == WH_OK && gz_len)
        rc = wh_buf_append(out, gz, gz_len);
    free(text);
    if (rc != WH_OK)
        return wh_fail(e, WH_ERR_INTERNAL, "the response is too large to cache");
    return WH_OK;
}

/* The data version of venture_id: from the memo, else from the primary (then kept, unless a
 * drop came in between: the drop count is read before the query). */
static wh_err version_of(wh_req *r, int64_t venture_id, int64_t *version, wh_error *e)
{
    wh_conn *c = NULL;
    uint64_t gen = 0;
    if (wh_memo_find(r->app->versions, venture_id, 0, version, &gen))
        return WH_OK;
    wh_err rc = wh_req_primary(r, &c, e);
    if (rc == WH_OK)
        rc = wh_venture_version_get(c, &r->arena, venture_id, version, e);
    if (rc == WH_OK)
        wh_memo_put(r->app->versions, venture_id, 0, *version, gen);
    return rc;
}

static void release(void *p)
{
    wh_free(p);
}

typedef struct {
    const char *etag; /* arena */
    char *plain, *gz; /* in the value */
    size_t plain_len, gz_len;
} stored;

/* Splits a stored value into its ETag, plain body and gzip body; false when malformed. */
static bool parse(wh_arena *a, char *val, size_t len, stored *out)
{
    char *end = NULL;
    if (len < ETAG_CHARS + 2 || val[ETAG_CHARS] != '\n')
        return false;
    unsigned long long plain = strtoull(val + ETAG_CHARS + 1, &end, 10);
    size_t head = end ? (size_t)(end - val) + 1 : len;
    if (!end || *end != '\n' || head > len || plain > len - head)
        return false;
    out->etag = wh_arena_strndup(a, val, ETAG_CHARS);
    out->plain = val + head;
    out->plain_len = (size_t)plain;
    out->gz = val + head + plain;
    out->gz_len = len - head - (size_t)plain;
    return true;
}

wh_err wh_resp_cached(wh_req *r, int64_t venture_id, const char *vary, wh_render_fn render,
                      void *ctx, wh_error *e)
{
    fill_ctx f = {r, render, ctx, venture_id, 0};
    char *val = NULL;
    size_t len = 0;
    bool hit = false;
    if (!r->route || !(r->route->flags & WH_ROUTE_CACHED)) {
        wh_log(WH_LOG_ERROR, "wh_resp_cached on route %s, which is not flagged WH_ROUTE_CACHED",
               r->route ? r->route->pattern : "(none)");
        return wh_fail(e, WH_ERR_INTERNAL, "This route may not answer from the cache.");
    }
    int64_t version = 0;
    wh_err rc = version_of(r, venture_id, &version, e);
    if (rc != WH_OK)
        return rc;
    f.version = version;
    /* "|gz": values hold the gzip body too, so they never share a key with an older build's */
    const char *key =
        wh_arena_cat(&r->arena, "wh:cache:", r->app->database_id, ":", r->route->pattern, "?", vary,
                     "|v=", wh_arena_i64(&r->arena, version), "|gz", (char *)NULL);
    rc = wh_cache_fetch(r->app->cache, key, r->now_ms, fill, &f, &val, &len, &hit, e);
    if (rc != WH_OK)
        return rc;
    stored v;
    wh_arena_defer(&r->arena, release, val);
    if (!parse(&r->arena, val, len, &v))
        return wh_fail(e, WH_ERR_INTERNAL, "a cached value is malformed");
    wh_resp_header_add(r, "Cache-Control", "private, no-cache");
    wh_resp_header_add(r, "ETag", v.etag);
    wh_resp_header_add(r, "X-Cache", hit ? "hit" : "miss");
    const char *inm = wh_req_header(r, "If-None-Match");
    if (inm && (strstr(inm, v.etag) || strcmp(inm, "*") == 0)) /* one tag or a list */
        return wh_resp_empty(r, 304);
    rc = wh_resp_raw(r, 200, "application/json", v.plain, v.plain_len);
    r->resp_gzip = v.gz_len ? v.gz : NULL; /* wh_http_compress sends it to a client that asks */
    r->resp_gzip_len = v.gz_len;
    return rc;
}
