/* Responses: JSON rendering into the request arena, headers, and the one place where a
 * wh_error becomes RFC 9457 problem+json. */
#include "http/http.h"
#include "app.h"
#include "core/clock.h"
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void wh_resp_header_add(wh_req *r, const char *name, const char *value)
{
    wh_resp_header *h = wh_arena_alloc(&r->arena, sizeof *h);
    h->name = wh_arena_strdup(&r->arena, name);
    h->value = wh_arena_strdup(&r->arena, value);
    h->next = r->headers;
    r->headers = h;
}

/* Whether a comma-separated X-Forwarded-Proto names https in any hop: a Secure cookie costs a
 * client that lied only its own cookie, a missing one can leak it. */
static bool says_https(const char *proto)
{
    while (*proto) {
        proto += strspn(proto, " \t");
        size_t n = strcspn(proto, ",");
        size_t len = n;
        while (len > 0 && (proto[len - 1] == ' ' || proto[len - 1] == '\t'))
            len--;
        if (len == 5 && strncasecmp(proto, "https", 5) == 0)
            return true;
        proto += n;
        if (*proto == ',')
            proto++;
    }
    return false;
}

void wh_resp_session_cookie(wh_req *r, const char *token, int64_t max_age_s)
{
    const char *proto = wh_req_header(r, "X-Forwarded-Proto");
    bool secure =
        r->app->config.cookie_secure || (proto && says_https(proto) && wh_http_peer_trusted(r));
    wh_resp_header_add(r, "Set-Cookie",
                       wh_arena_printf(&r->arena,
                                       "wh_session=%s; Path=/; Max-Age=%lld; HttpOnly;"
                                       " SameSite=Strict%s",
                                       token, (long long)max_age_s, secure ? "; Secure" : ""));
}

static wh_err set_json(wh_req *r, int status, json_t *body, const char *ctype)
{
    /* 15 significant digits: a decimal like 7.33 renders as written, not 7.3300000000000001 */
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    json_decref(body);
    if (!text)
        text = strdup("{}");
    r->resp_len = strlen(text);
    r->resp_body = wh_arena_strndup(&r->arena, text, r->resp_len);
    r->resp_gzip = NULL;
    r->export = NULL;
    free(text);
    r->status = status;
    r->content_type = ctype;
    return WH_OK;
}

wh_err wh_resp_json(wh_req *r, int status, json_t *body)
{
    return set_json(r, status, body, "application/json");
}

wh_err wh_resp_rows_with(wh_req *r, json_t *body, const char *rows, const char *const *fields,
                         wh_error *e)
{
    if (!r->csv)
        return wh_resp_json(r, 200, body);
    json_t *arr = json_incref(json_object_get(body, rows));
    json_decref(body);
    return wh_export_rows(r, arr, fields, e);
}

wh_err wh_resp_rows(wh_req *r, json_t *body, const char *rows, wh_error *e)
{
    return wh_resp_rows_with(r, body, rows, NULL, e);
}

wh_err wh_resp_empty(wh_req *r, int status)
{
    r->status = status;
    r->resp_body = NULL;
    r->resp_len = 0;
    r->resp_gzip = NULL;
    r->content_type = NULL;
    r->export = NULL;
    return WH_OK;
}

wh_err wh_resp_raw(wh_req *r, int status, const char *content_type, char *body, size_t len)
{
    r->status = status;
    r->content_type = content_type;
    r->resp_body = body;
    r->resp_len = len;
    r->resp_gzip = NULL;
    r->export = NULL;
    return WH_OK;
}

/* Every text a problem carries may hold the client's bytes (a path, a field name) or be cut at a
 * byte limit: each goes through wh_json_text, so no member is ever dropped by jansson. */
static json_t *field_errors(const wh_error *e)
{
    json_t *errs = json_array();
    for (int i = 0; i < e->nfields; i++) {
        json_t *f = json_object();
        json_object_set_new(
            f, "field",
            wh_json_text(e->fields[i].field, sizeof e->fields[i].field, WH_UTF8_REPLACE));
        json_object_set_new(
            f, "message",
            wh_json_text(e->fields[i].message, sizeof e->fields[i].message, WH_UTF8_REPLACE));
        json_array_append_new(errs, f);
    }
    return errs;
}

void wh_resp_problem(wh_req *r, const wh_error *e)
{
    int status = e->status ? e->status : 500;
    const char *code = e->code ? e->code : "internal";
    json_t *p = json_object();
    json_object_set_new(
        p, "type",
        json_string(wh_arena_printf(&r->arena, "https://wheelhouse.dev/problems/%s", code)));
    json_object_set_new(p, "title", json_string(wh_error_title(code)));
    json_object_set_new(p, "status", json_integer(status));
    json_object_set_new(p, "detail",
                        wh_json_text(e->detail[0] ? e->detail : wh_error_title(code),
                                     sizeof e->detail, WH_UTF8_REPLACE));
    json_object_set_new(p, "code", json_string(code));
    /* a URI reference: bytes that are not UTF-8 stay visible as %XX */
    json_object_set_new(p, "instance",
                        wh_json_text(r->path ? r->path : "/", WH_LIMIT_ECHO_BYTES, WH_UTF8_ESCAPE));
    json_object_set_new(p, "request_id", json_string(r->id));
    if (e->nfields > 0)
        json_object_set_new(p, "errors", field_errors(e));
    if (r->problem_extra && status == 400)
        json_object_update(p, r->problem_extra);
    r->headers = NULL; /* headers of a half-built success answer do not apply */
    (void)set_json(r, status, p, "application/problem+json");
}
