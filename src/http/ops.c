/* Operational routes: liveness, readiness, metrics (metrics.c), the OpenAPI document and the
 * static web UI. */
#include "http/http_int.h"
#include "app.h"

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
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, &r->arena, "SELECT 1", NULL, 0, NULL, e);
    if (rc != WH_OK)
        return wh_error_set(e, 503, "unavailable", "The database does not answer.");
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

static wh_err send_file(wh_req *r, const char *dir, const char *name, const char *ctype,
                        const char *csp, wh_error *e)
{
    char *body = NULL;
    size_t len = 0;
    const char *path = wh_arena_printf(&r->arena, "%s/%s", dir, name);
    if (!read_file(&r->arena, path, &body, &len))
        return wh_error_set(e, 404, "not_found", "No such file.");
    wh_resp_header_add(r, "Cache-Control", "no-cache");
    if (csp)
        wh_resp_header_add(r, "Content-Security-Policy", csp);
    return wh_resp_raw(r, 200, ctype, body, len);
}

static wh_err openapi(wh_req *r, wh_error *e)
{
    return send_file(r, r->app->config.docs_dir, "openapi.json", "application/json", NULL, e);
}

static wh_err index_page(wh_req *r, wh_error *e)
{
    return send_file(r, r->app->config.web_dir, "index.html", "text/html; charset=utf-8", UI_CSP,
                     e);
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
        return wh_error_set(e, 404, "not_found", "No such file.");
    return send_file(r, r->app->config.web_dir, name, ctype, UI_CSP, e);
}

static const wh_route routes[] = {
    {"GET", "/healthz", healthz, WH_PERM_PUBLIC, WH_RATE_NONE, 0},
    {"GET", "/readyz", readyz, WH_PERM_PUBLIC, WH_RATE_NONE, 0},
    {"GET", "/metrics", wh_http_metrics, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW},
    {"GET", "/api/v1/openapi.json", openapi, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW},
    {"GET", "/", index_page, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW},
    {"GET", "/static/{file}", static_file, WH_PERM_PUBLIC, WH_RATE_NONE, WH_ROUTE_RAW},
};

const wh_route *wh_http_ops_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
