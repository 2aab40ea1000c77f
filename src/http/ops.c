/* Operational routes: liveness, readiness, metrics (metrics.c), the OpenAPI document and the
 * static web UI. */
#include "http/http_int.h"
#include "app.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/crypto.h"

#include <stdio.h>
#include <string.h>

static wh_err healthz(wh_req *r, wh_error *e)
{
    (void)e;
    return wh_resp_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static wh_err readyz(wh_req *r, wh_error *e)
{
    wh_conn *c = NULL;
    wh_err rc = wh_req_primary(r, &c, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, &r->arena, "SELECT 1", NULL, 0, NULL, e);
    if (rc != WH_OK)
        return wh_fail(e, WH_ERR_UNAVAILABLE, "The database does not answer.");
    return wh_resp_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* Reads a whole file (at most 4 MiB) into the arena. */
static bool read_file(wh_arena *a, const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fseek(f, 0, SEEK_END) == 0;
    long size = ok ? ftell(f) : -1;
    ok = ok && size >= 0 && size <= 4L * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0;
    if (ok) {
        *out = wh_arena_alloc(a, (size_t)size + 1);
        ok = fread(*out, 1, (size_t)size, f) == (size_t)size;
        *len = (size_t)size;
    }
    fclose(f);
    return ok;
}

/* The UI's policy: its own scripts, styles and API only (web/ has no inline script, style or
 * handler), and never inside a frame. */
#define UI_CSP "default-src 'self'; frame-ancestors 'none'"

/* A file's tag: the first 16 hex digits of its SHA-256, the ETag and the ?v= of its URL. */
static void content_tag(const char *body, size_t len, char tag[17])
{
    char hex[WH_CRYPTO_SHA256_HEX];
    wh_crypto_sha256_hex(body, len, hex);
    memcpy(tag, hex, 16);
    tag[16] = '\0';
}

/* Answers a file with its ETag: 304 when If-None-Match names it; cached for a year as
 * immutable when the URL carries the content's own tag (?v=, written by the index page), else
 * revalidated on every use. */
static wh_err send_file(wh_req *r, const char *dir, const char *name, const char *ctype,
                        const char *csp, wh_error *e)
{
    char *body = NULL, tag[17];
    size_t len = 0;
    const char *path = wh_arena_printf(&r->arena, "%s/%s", dir, name);
    if (!read_file(&r->arena, path, &body, &len))
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such file.");
    content_tag(body, len, tag);
    const char *v = wh_req_query(r, "v");
    bool immutable = v && strcmp(v, tag) == 0;
    const char *etag = wh_arena_printf(&r->arena, "\"%s\"", tag);
    wh_resp_header_add(r, "Cache-Control",
                       immutable ? "public, max-age=31536000, immutable" : "no-cache");
    wh_resp_header_add(r, "ETag", etag);
    if (csp)
        wh_resp_header_add(r, "Content-Security-Policy", csp);
    const char *inm = wh_req_header(r, "If-None-Match");
    if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0))
        return wh_resp_empty(r, 304);
    return wh_resp_raw(r, 200, ctype, body, len);
}

static wh_err openapi(wh_req *r, wh_error *e)
{
    return send_file(r, r->app->config.docs_dir, "openapi.json", "application/json", NULL, e);
}

/* Libraries the UI uses from Debian's packages (installed by scripts/deps), by the name the
 * page asks for; nothing else under WH_JS_DIR is served. */
static const struct {
    const char *name, *path;
} vendor_files[] = {
    {"chart.min.js", "chart.js/chart.min.js"}, /* libjs-chart.js: the dashboards' charts */
};

/* The file behind a URL of the page ("/static/NAME" or "/vendor/NAME"), NULL when it is none. */
static const char *asset_file(wh_req *r, const char *url)
{
    if (strncmp(url, "/static/", 8) == 0 && !strchr(url + 8, '/') && !strchr(url, '?'))
        return wh_arena_printf(&r->arena, "%s/%s", r->app->config.web_dir, url + 8);
    for (size_t i = 0;
         strncmp(url, "/vendor/", 8) == 0 && i < sizeof vendor_files / sizeof vendor_files[0]; i++)
        if (strcmp(url + 8, vendor_files[i].name) == 0)
            return wh_arena_printf(&r->arena, "%s/%s", r->app->config.js_dir, vendor_files[i].path);
    return NULL;
}

/* The next quoted "/static/ or "/vendor/ reference at or after p (at its quote), or NULL. */
static const char *next_asset(const char *p)
{
    const char *a = strstr(p, "\"/static/"), *b = strstr(p, "\"/vendor/");
    return !a ? b : !b ? a : a < b ? a : b;
}

/* The index page with every "/static/NAME" and "/vendor/NAME" reference given its content tag
 * ("/static/NAME?v=TAG"), so a browser or CDN may keep the assets forever and still sees a
 * new file at once: its URL changes with its content. An asset that cannot be read keeps its
 * plain URL (and then answers 404 itself). */
static wh_err index_page(wh_req *r, wh_error *e)
{
    char *page = NULL, *asset = NULL, tag[17];
    size_t len = 0, alen = 0;
    wh_buf out;
    const char *dir = r->app->config.web_dir;
    if (!read_file(&r->arena, wh_arena_printf(&r->arena, "%s/index.html", dir), &page, &len))
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such file.");
    page[len] = '\0';
    wh_buf_init(&out, 4 * len + 4096);
    wh_err rc = WH_OK;
    const char *p = page, *hit;
    while (rc == WH_OK && (hit = next_asset(p)) != NULL) {
        const char *end = strchr(hit + 1, '"');
        if (!end)
            break;
        rc = wh_buf_append(&out, p, (size_t)(end - p));
        const char *file =
            asset_file(r, wh_arena_strndup(&r->arena, hit + 1, (size_t)(end - hit - 1)));
        if (rc == WH_OK && file && read_file(&r->arena, file, &asset, &alen)) {
            content_tag(asset, alen, tag);
            rc = wh_buf_printf(&out, "?v=%s", tag);
        }
        p = end;
    }
    if (rc == WH_OK)
        rc = wh_buf_append(&out, p, strlen(p));
    size_t n = 0;
    char *html = wh_buf_take(&out, &n);
    wh_buf_cleanup(&out);
    if (rc != WH_OK) {
        wh_free(html);
        return wh_fail(e, WH_ERR_INTERNAL, "The page could not be assembled.");
    }
    char *body = wh_arena_strndup(&r->arena, html, n);
    wh_free(html);
    content_tag(body, n, tag);
    const char *etag = wh_arena_printf(&r->arena, "\"%s\"", tag);
    wh_resp_header_add(r, "Cache-Control", "no-cache");
    wh_resp_header_add(r, "ETag", etag);
    wh_resp_header_add(r, "Content-Security-Policy", UI_CSP);
    const char *inm = wh_req_header(r, "If-None-Match");
    if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0))
        return wh_resp_empty(r, 304);
    return wh_resp_raw(r, 200, "text/html; charset=utf-8", body, n);
}

static const char *static_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (dot && strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (dot && strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    return NULL;
}

static wh_err static_file(wh_req *r, wh_error *e)
{
    const char *name = r->params[0];
    const char *ctype = static_type(name);
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
              *p == '.'))
            ctype = NULL;
    if (!ctype || name[0] == '.')
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such file.");
    return send_file(r, r->app->config.web_dir, name, ctype, UI_CSP, e);
}

static wh_err vendor_file(wh_req *r, wh_error *e)
{
    for (size_t i = 0; i < sizeof vendor_files / sizeof vendor_files[0]; i++)
        if (strcmp(r->params[0], vendor_files[i].name) == 0)
            return send_file(r, r->app->config.js_dir, vendor_files[i].path,
                             "text/javascript; charset=utf-8", UI_CSP, e);
    return wh_fail(e, WH_ERR_NOT_FOUND, "No such file.");
}

static const wh_route routes[] = {
    {"GET", "/healthz", healthz, WH_PERM_PUBLIC, WH_RATE_NONE, 0, NULL},
    {"GET", "/readyz", readyz, WH_PERM_PUBLIC, WH_RATE_NONE, 0, NULL},
    {"GET", "/metrics", wh_http_metrics, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW, NULL},
    {"GET", "/api/v1/openapi.json", openapi, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW, NULL},
    {"GET", "/", index_page, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW, NULL},
    {"GET", "/static/{file}", static_file, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW, NULL},
    {"GET", "/vendor/{file}", vendor_file, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW, NULL},
};

const wh_route *wh_http_ops_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
